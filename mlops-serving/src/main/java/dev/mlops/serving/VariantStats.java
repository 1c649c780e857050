package dev.mlops.serving;

import java.util.Map;

/**
 * What one process measured for one version during the current deployment (or, without one, while
 * serving the alias's version). Latency is measured on a sample of requests (one in eight).
 *
 * <p>Immutable and thread-safe.
 *
 * @param version the version
 * @param requests requests routed to it
 * @param errors requests that failed (timeouts included)
 * @param timeouts requests that timed out
 * @param latencySamples how many latencies were measured
 * @param p50Nanos median latency (within 12.5 %)
 * @param p90Nanos 90th percentile latency (within 12.5 %)
 * @param p99Nanos 99th percentile latency (within 12.5 %)
 * @param outcomes per host metric ({@link Endpoint#recordOutcome}): count, mean
 */
public record VariantStats(int version, long requests, long errors, long timeouts, long latencySamples,
    long p50Nanos, long p90Nanos, long p99Nanos, Map<String, Outcome> outcomes) {
  /** Copies. */
  public VariantStats {
    outcomes = Map.copyOf(outcomes);
  }

  /** @return errors / requests, 0 without requests */
  public double errorRate() {
    return requests == 0 ? 0 : (double) errors / requests;
  }

  /**
   * Summary of one host metric.
   *
   * @param count values recorded
   * @param mean their mean (NaN if none)
   * @param variance their sample variance (NaN if fewer than 2)
   */
  public record Outcome(long count, double mean, double variance) {}
}
