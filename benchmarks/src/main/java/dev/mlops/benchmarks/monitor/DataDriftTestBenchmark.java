package dev.mlops.benchmarks.monitor;

import dev.mlops.drift.BaselineProfile;
import dev.mlops.drift.DriftReport;
import dev.mlops.drift.DriftTest;
import dev.mlops.drift.DriftTestResult;
import dev.mlops.drift.NumericFeatureProfile;
import dev.mlops.drift.PredictionMonitor;
import dev.mlops.drift.WindowSnapshot;
import dev.mlops.drift.Windowing;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Each data-drift test on 10k vs 10k: between two raw samples ({@code rawSamples}: sort both, then
 * the exact statistic or quantile bins of the reference), and a raw 10k window against a baseline
 * profile's bins ({@code againstProfile}). {@code evaluateWindow20Features} is what closing a
 * monitor window costs for 20 features.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class DataDriftTestBenchmark {
  @Param({"POPULATION_STABILITY_INDEX", "KOLMOGOROV_SMIRNOV", "CHI_SQUARE", "JENSEN_SHANNON", "HELLINGER", "WASSERSTEIN"})
  public DriftTest test;

  double[] reference;
  double[] current;
  NumericFeatureProfile profile;
  PredictionMonitor monitor;
  WindowSnapshot window;

  @Setup(Level.Trial)
  public void setUp() {
    Random rnd = new Random(3);
    reference = new double[10_000];
    current = new double[10_000];
    double[][] rows = new double[10_000][];
    for (int i = 0; i < 10_000; i++) {
      reference[i] = rnd.nextGaussian();
      current[i] = rnd.nextGaussian() + 0.1;
      rows[i] = new double[] {reference[i]};
    }
    profile = BaselineProfile.fit(List.of("x"), rows).numericFeatures().get(0);

    List<String> names = new ArrayList<>();
    for (int f = 0; f < 20; f++) {
      names.add("f" + f);
    }
    BaselineProfile.Fitter fitter = BaselineProfile.fitter(names, List.of()).bins(16);
    double[] row = new double[20];
    for (int i = 0; i < 10_000; i++) {
      for (int f = 0; f < 20; f++) {
        row[f] = rnd.nextGaussian();
      }
      fitter.add(row);
    }
    monitor = PredictionMonitor.builder(fitter.build()).windowing(Windowing.manual())
        .numericThreshold(dev.mlops.drift.DriftThreshold.defaultFor(test)).build();
    for (int i = 0; i < 10_000; i++) {
      for (int f = 0; f < 20; f++) {
        row[f] = rnd.nextGaussian() + 0.1;
      }
      monitor.record(row, 0);
    }
    window = monitor.snapshot();
  }

  @Benchmark
  public DriftTestResult rawSamples() {
    return test.compare(reference, current);
  }

  @Benchmark
  public DriftTestResult againstProfile() {
    return test.compare(profile, current);
  }

  @Benchmark
  public DriftReport evaluateWindow20Features() {
    return monitor.evaluate(window);
  }
}
