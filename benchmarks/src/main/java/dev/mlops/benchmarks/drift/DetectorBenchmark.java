package dev.mlops.benchmarks.drift;

import dev.mlops.drift.Adwin;
import dev.mlops.drift.ConceptDriftDetector;
import dev.mlops.drift.Cusum;
import dev.mlops.drift.Ddm;
import dev.mlops.drift.DriftState;
import dev.mlops.drift.Eddm;
import dev.mlops.drift.HddmA;
import dev.mlops.drift.HddmW;
import dev.mlops.drift.Kswin;
import dev.mlops.drift.PageHinkley;
import java.util.SplittableRandom;
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
 * Steady-state cost of one {@code update(double)} of each concept-drift detector, on a
 * pre-generated stationary stream (an error indicator with p = 0.2 for the error-rate detectors,
 * N(0, 1) for Page-Hinkley, CUSUM and KSWIN; values in [0, 1] for HDDM). Each detector is first
 * fed 1,000,000 inputs so ADWIN's window and histogram are at a realistic size. {@code baseline}
 * is the same stream read without a detector: the harness and array-read floor.
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar DetectorBenchmark -prof gc}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class DetectorBenchmark {

  private static final int MASK = (1 << 20) - 1;

  @Param({"ADWIN", "DDM", "EDDM", "PageHinkley", "HDDM_A", "HDDM_W", "KSWIN", "CUSUM"})
  public String detector;

  private ConceptDriftDetector d;
  private double[] stream;
  private int i;

  @Setup(Level.Trial)
  public void setUp() {
    SplittableRandom rnd = new SplittableRandom(2026);
    boolean gaussian = detector.equals("PageHinkley") || detector.equals("CUSUM")
        || detector.equals("KSWIN");
    stream = new double[MASK + 1];
    for (int k = 0; k < stream.length; k++) {
      stream[k] = gaussian ? nextGaussian(rnd) : (rnd.nextDouble() < 0.2 ? 1.0 : 0.0);
    }
    d = switch (detector) {
      case "ADWIN" -> Adwin.builder().build();
      case "DDM" -> Ddm.builder().build();
      case "EDDM" -> Eddm.builder().build();
      case "PageHinkley" -> PageHinkley.builder().build();
      case "HDDM_A" -> HddmA.builder().build();
      case "HDDM_W" -> HddmW.builder().build();
      case "KSWIN" -> Kswin.builder().build();
      case "CUSUM" -> Cusum.builder().build();
      default -> throw new IllegalArgumentException(detector);
    };
    for (int k = 0; k < 1_000_000; k++) {
      d.update(stream[k & MASK]);
    }
  }

  private static double nextGaussian(SplittableRandom rnd) {
    double u = rnd.nextDouble();
    double v = rnd.nextDouble();
    return Math.sqrt(-2 * Math.log(1 - u)) * Math.cos(2 * Math.PI * v);
  }

  /** One update of the detector. */
  @Benchmark
  public DriftState update() {
    int k = i = (i + 1) & MASK;
    return d.update(stream[k]);
  }

  /** The floor: the same stream read and returned, no detector. */
  @Benchmark
  public double baseline() {
    int k = i = (i + 1) & MASK;
    return stream[k];
  }
}
