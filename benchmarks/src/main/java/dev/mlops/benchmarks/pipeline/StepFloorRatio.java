package dev.mlops.benchmarks.pipeline;

import java.util.List;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.profile.InternalProfiler;
import org.openjdk.jmh.results.AggregationPolicy;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.ScalarResult;

/**
 * A JMH profiler that reports what {@link PipelineBenchmark#fsStepVsFloor} measured in each
 * iteration as secondary results: {@code ·step.p50} and {@code ·floor.p50} in microseconds
 * (averaged over the iterations), {@code ·ratio} (the mean of the iterations' ratios of the two)
 * and {@code ·ratio.worst} (the highest iteration's ratio). Reports nothing for other benchmarks.
 *
 * <p>Usage: {@code java -jar benchmarks.jar 'pipeline.PipelineBenchmark.fsStepVsFloor' -prof
 * dev.mlops.benchmarks.pipeline.StepFloorRatio}.
 */
public final class StepFloorRatio implements InternalProfiler {
  @Override
  public String getDescription() {
    return "p50 per pipeline step against the p50 of the durable create floor, timed in the same seconds";
  }

  @Override
  public void beforeIteration(BenchmarkParams benchmarkParams, IterationParams iterationParams) {
    SameSeconds.take();
  }

  @Override
  public List<? extends Result<?>> afterIteration(BenchmarkParams benchmarkParams, IterationParams iterationParams,
      IterationResult result) {
    SameSeconds.Summary s = SameSeconds.take();
    if (s == null) {
      return List.of();
    }
    return List.of(
        new ScalarResult("step.p50", s.stepP50() / 1000.0, "us", AggregationPolicy.AVG),
        new ScalarResult("floor.p50", s.floorP50() / 1000.0, "us", AggregationPolicy.AVG),
        new ScalarResult("ratio", s.ratio(), "x", AggregationPolicy.AVG),
        new ScalarResult("ratio.worst", s.ratio(), "x", AggregationPolicy.MAX));
  }
}
