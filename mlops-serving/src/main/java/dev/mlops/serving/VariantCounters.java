package dev.mlops.serving;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import org.apache.commons.math3.stat.descriptive.SummaryStatistics;

/**
 * Live counters of one version in one deployment. Counting allocates nothing.
 *
 * <p>Thread-safe.
 */
final class VariantCounters {
  final int version;
  final LongAdder requests = new LongAdder();
  final LongAdder errors = new LongAdder();
  final LongAdder timeouts = new LongAdder();
  final LatencyHistogram latency = new LatencyHistogram();
  final ConcurrentHashMap<String, SummaryStatistics> outcomes = new ConcurrentHashMap<>();

  VariantCounters(int version) {
    this.version = version;
  }

  void outcome(String metric, double value) {
    SummaryStatistics s = outcomes.computeIfAbsent(metric, m -> new SummaryStatistics());
    synchronized (s) {
      s.addValue(value);
    }
  }

  SummaryStatistics outcomeCopy(String metric) {
    SummaryStatistics s = outcomes.get(metric);
    if (s == null) {
      return new SummaryStatistics();
    }
    synchronized (s) {
      return s.copy();
    }
  }

  VariantStats snapshot() {
    Map<String, VariantStats.Outcome> out = new TreeMap<>();
    outcomes.forEach((m, s) -> {
      synchronized (s) {
        out.put(m, new VariantStats.Outcome(s.getN(), s.getN() == 0 ? Double.NaN : s.getMean(), s.getVariance()));
      }
    });
    return new VariantStats(version, requests.sum(), errors.sum(), timeouts.sum(), latency.count(),
        latency.percentile(0.5), latency.percentile(0.9), latency.percentile(0.99), out);
  }
}
