package dev.mlops.explain;

import dev.mlops.drift.DriftReport;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * What {@link ExplainMonitor} found in one window: post-training bias metrics of the sampled
 * predictions (and of the late labels joined in the window) against the baseline, feature-attribution
 * drift, and, when the window was closed by a {@code PredictionMonitor}'s window listener, that
 * window's data-drift report.
 *
 * <p>Immutable and thread-safe.
 *
 * @param closedAt when the window closed (the monitor's clock)
 * @param sampledPredictions predictions sampled in the window
 * @param labelledPredictions sampled predictions whose label arrived in the window
 * @param bias one entry per monitored metric
 * @param attribution attribution drift, if the monitor explains predictions
 * @param dataDrift the data-drift report of the same window, if closed through
 *     {@link ExplainMonitor#closeWithDataDrift()}
 */
public record ExplainWindowReport(Instant closedAt, long sampledPredictions, long labelledPredictions, List<BiasDrift> bias,
    Optional<AttributionDrift> attribution, Optional<DriftReport> dataDrift) {
  /**
   * Validates and copies.
   *
   * @throws IllegalArgumentException if a count is negative
   */
  public ExplainWindowReport {
    Objects.requireNonNull(closedAt, "closedAt");
    bias = List.copyOf(bias);
    Objects.requireNonNull(attribution, "attribution");
    Objects.requireNonNull(dataDrift, "dataDrift");
    if (sampledPredictions < 0 || labelledPredictions < 0) {
      throw new IllegalArgumentException("negative counts: " + sampledPredictions + ", " + labelledPredictions);
    }
  }

  /**
   * Whether the window deserves an alert: a bias metric moved beyond its tolerance, the attribution
   * ranking drifted, or the data-drift report alarms.
   *
   * @return the verdict
   */
  public boolean alarm() {
    return biasDrift() || attribution.map(AttributionDrift::drift).orElse(false) || dataDrift.map(DriftReport::alarm).orElse(false);
  }

  /**
   * Whether any bias metric moved beyond its tolerance.
   *
   * @return true if a metric is violated
   */
  public boolean biasDrift() {
    return bias.stream().anyMatch(BiasDrift::violated);
  }

  /**
   * The entry of one metric.
   *
   * @param metric the metric
   * @return its comparison, or empty if not monitored
   */
  public Optional<BiasDrift> find(BiasMetric metric) {
    return bias.stream().filter(b -> b.metric() == metric).findFirst();
  }

  /**
   * A human-readable summary.
   *
   * @return the text
   */
  public String toText() {
    StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "explain window closed %s: %d sampled, %d labelled: %s%n",
        closedAt, sampledPredictions, labelledPredictions, alarm() ? "ALARM" : "no alarm"));
    for (BiasDrift b : bias) {
      sb.append(String.format(Locale.ROOT, "  %-6s baseline %9.4f window %s%s%n", b.metric(), b.baseline(),
          b.window().isDefined() ? String.format(Locale.ROOT, "%9.4f", b.window().value()) : "      NaN (" + b.window().reason().get() + ")",
          b.violated() ? "  VIOLATED (tolerance " + b.tolerance() + ")" : ""));
    }
    attribution.ifPresent(a -> sb.append(String.format(Locale.ROOT, "  attribution nDCG %s (threshold %.2f)%s; window ranking %s%n",
        a.reason().isPresent() ? "NaN (" + a.reason().get() + ")" : String.format(Locale.ROOT, "%.4f", a.ndcg()), a.threshold(),
        a.drift() ? " DRIFT" : "", a.windowRanking())));
    dataDrift.ifPresent(d -> sb.append("  data drift: ").append(d.datasetDrift() ? "DATASET DRIFT" : "no dataset drift")
        .append(String.format(Locale.ROOT, " (%d of %d features)%n", d.driftedFeatures(), d.evaluatedFeatures())));
    return sb.toString();
  }
}
