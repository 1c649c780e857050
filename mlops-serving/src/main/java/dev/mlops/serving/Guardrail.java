package dev.mlops.serving;

import dev.mlops.drift.ConceptDriftDetector;
import dev.mlops.drift.DriftState;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * A condition on a version's live measurements that, when breached during a deployment, raises an
 * alarm: the deployment is rolled back in every process and the alarm recorded in the log. An
 * {@link Endpoint} checks its guardrails against each non-baseline version on every refresh.
 *
 * <p>Implementations must be thread-safe.
 */
public interface Guardrail {

  /** @return a short name recorded with the alarm, e.g. {@code error-rate} */
  String name();

  /**
   * @param stats what this process measured for the version
   * @return a description of the breach (measured value and threshold), or empty
   */
  Optional<String> check(VariantStats stats);

  /**
   * @param max highest acceptable error rate (timeouts included), in [0, 1)
   * @param minRequests requests needed before it is judged, >= 1
   * @return the guardrail; it alarms when the rate is above {@code max}, not at it
   * @throws IllegalArgumentException naming a value out of range
   */
  static Guardrail errorRate(double max, long minRequests) {
    if (!(max >= 0 && max < 1)) {
      throw new IllegalArgumentException("max error rate must be in [0, 1), got " + max);
    }
    requireAtLeastOne("minRequests", minRequests);
    return new Guardrail() {
      @Override
      public String name() {
        return "error-rate";
      }

      @Override
      public Optional<String> check(VariantStats s) {
        return s.requests() >= minRequests && s.errorRate() > max
            ? Optional.of(String.format("error rate %.4f over %d requests > %.4f", s.errorRate(), s.requests(), max))
            : Optional.empty();
      }
    };
  }

  /**
   * @param percentile 0.5, 0.9 or 0.99 (the percentiles {@link VariantStats} carries)
   * @param max highest acceptable latency at that percentile
   * @param minSamples latency samples needed before it is judged (one request in eight is timed), >= 1
   * @return the guardrail; it alarms when the percentile is above {@code max}, not at it
   * @throws IllegalArgumentException if the percentile is not one of those, {@code max} is negative
   *     or {@code minSamples} below 1
   */
  static Guardrail latency(double percentile, Duration max, long minSamples) {
    if (percentile != 0.5 && percentile != 0.9 && percentile != 0.99) {
      throw new IllegalArgumentException("percentile must be 0.5, 0.9 or 0.99, got " + percentile);
    }
    Objects.requireNonNull(max, "max");
    if (max.isNegative()) {
      throw new IllegalArgumentException("max latency must not be negative, got " + max + " ("
          + max.toNanos() / 1e9 + " s)");
    }
    requireAtLeastOne("minSamples", minSamples);
    return new Guardrail() {
      @Override
      public String name() {
        return "latency-p" + Math.round(percentile * 100);
      }

      @Override
      public Optional<String> check(VariantStats s) {
        if (s.latencySamples() < minSamples) {
          return Optional.empty();
        }
        long measured = percentile == 0.5 ? s.p50Nanos() : percentile == 0.9 ? s.p90Nanos() : s.p99Nanos();
        return measured > max.toNanos()
            ? Optional.of("latency p" + Math.round(percentile * 100) + " " + measured + " ns > " + max.toNanos() + " ns")
            : Optional.empty();
      }
    };
  }

  /**
   * A quality metric the host records with {@link Endpoint#recordOutcome}: alarms when its mean
   * falls below {@code minMean}.
   *
   * @param metric the metric name
   * @param minMean lowest acceptable mean
   * @param minCount values needed before it is judged, >= 1
   * @return the guardrail; it alarms when the mean is below {@code minMean}, not at it
   * @throws IllegalArgumentException if {@code minMean} is NaN or {@code minCount} below 1
   */
  static Guardrail metricAtLeast(String metric, double minMean, long minCount) {
    Objects.requireNonNull(metric, "metric");
    if (Double.isNaN(minMean)) {
      throw new IllegalArgumentException("minMean of metric " + metric + " must be a number, got NaN");
    }
    requireAtLeastOne("minCount", minCount);
    return new Guardrail() {
      @Override
      public String name() {
        return "metric-" + metric;
      }

      @Override
      public Optional<String> check(VariantStats s) {
        VariantStats.Outcome o = s.outcomes().get(metric);
        return o != null && o.count() >= minCount && o.mean() < minMean
            ? Optional.of(metric + " mean " + o.mean() + " over " + o.count() + " < " + minMean)
            : Optional.empty();
      }
    };
  }

  /**
   * An {@code mlops-drift} concept-drift detector per version, fed every value of a host metric
   * recorded with {@link Endpoint#recordOutcome} (an error indicator, a loss): alarms once the
   * version's detector reports {@link DriftState#DRIFT}.
   *
   * @param metric the metric name
   * @param detectors makes one detector per version, e.g. {@code () -> Adwin.builder().build()}
   * @return the guardrail
   */
  static Guardrail drift(String metric, Supplier<ConceptDriftDetector> detectors) {
    return new DriftGuardrail(metric, detectors);
  }

  private static void requireAtLeastOne(String what, long n) {
    if (n < 1) {
      throw new IllegalArgumentException(what + " must be >= 1, got " + n);
    }
  }

  /** Feeds detectors per version; see {@link Guardrail#drift}. Thread-safe. */
  final class DriftGuardrail implements Guardrail {
    private final String metric;
    private final Supplier<ConceptDriftDetector> detectors;
    private final Map<Integer, ConceptDriftDetector> byVersion = new HashMap<>();
    private final Map<Integer, Long> driftedAt = new HashMap<>();

    DriftGuardrail(String metric, Supplier<ConceptDriftDetector> detectors) {
      this.metric = Objects.requireNonNull(metric, "metric");
      this.detectors = Objects.requireNonNull(detectors, "detectors");
    }

    @Override
    public String name() {
      return "drift-" + metric;
    }

    synchronized void observe(int version, String m, double value) {
      if (!metric.equals(m)) {
        return;
      }
      ConceptDriftDetector d = byVersion.computeIfAbsent(version, v -> detectors.get());
      if (d.update(value) == DriftState.DRIFT) {
        driftedAt.putIfAbsent(version, d.count());
      }
    }

    @Override
    public synchronized Optional<String> check(VariantStats s) {
      Long at = driftedAt.get(s.version());
      return at == null ? Optional.empty()
          : Optional.of("concept drift in " + metric + " detected after " + at + " values");
    }
  }
}
