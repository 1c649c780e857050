package dev.mlops.micrometer;

import dev.mlops.drift.CategoricalFeatureProfile;
import dev.mlops.drift.DriftReport;
import dev.mlops.drift.DriftState;
import dev.mlops.drift.DriftVerdict;
import dev.mlops.drift.FeatureDrift;
import dev.mlops.drift.NumericFeatureProfile;
import dev.mlops.drift.PredictionMonitor;
import dev.mlops.drift.QualitySummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.ToDoubleFunction;

/**
 * Binds a {@link PredictionMonitor}'s results to a Micrometer registry. Every meter is a gauge
 * computed at scrape time from {@link PredictionMonitor#lastReport()} (the last closed window), so
 * binding adds nothing to {@code record}: the monitor's hot path stays as benchmarked. Before the
 * first window closes, values are NaN.
 *
 * <p>Meters (all tagged with the tags given here; per-feature ones also {@code feature}):
 * <ul>
 *   <li>{@code mlops.monitor.window.records}, {@code mlops.monitor.window.records.rate} (per
 *       second over the window), {@code mlops.monitor.window.age} (seconds since it closed)
 *   <li>{@code mlops.monitor.feature.statistic}, {@code mlops.monitor.feature.pvalue},
 *       {@code mlops.monitor.feature.drift} (1 drift, 0 none, NaN too few values),
 *       {@code mlops.monitor.feature.missing}, {@code mlops.monitor.feature.invalid},
 *       {@code mlops.monitor.feature.missing.rate}
 *   <li>{@code mlops.monitor.drifted.features}, {@code mlops.monitor.drifted.share},
 *       {@code mlops.monitor.dataset.drift} and {@code mlops.monitor.alarm} (1 or 0)
 *   <li>{@code mlops.monitor.prediction.mean}, {@code mlops.monitor.prediction.invalid}
 *   <li>{@code mlops.monitor.quality.value}, {@code mlops.monitor.quality.outcomes},
 *       {@code mlops.monitor.concept.drifts}, {@code mlops.monitor.detector.state} (0 stable,
 *       1 warning, 2 drift)
 * </ul>
 *
 * <p>Thread-safe; bind it to as many registries as you like.
 */
public final class PredictionMonitorMetrics implements MeterBinder {
  private final PredictionMonitor monitor;
  private final Tags tags;
  private final Clock clock;

  /**
   * @param monitor the monitor
   * @param tags tags on every meter, e.g. {@code Tags.of("model", "fraud")}
   */
  public PredictionMonitorMetrics(PredictionMonitor monitor, Iterable<Tag> tags) {
    this(monitor, tags, Clock.systemUTC());
  }

  /**
   * @param monitor the monitor
   * @param tags tags on every meter
   * @param clock the clock for {@code mlops.monitor.window.age}
   */
  public PredictionMonitorMetrics(PredictionMonitor monitor, Iterable<Tag> tags, Clock clock) {
    this.monitor = Objects.requireNonNull(monitor, "monitor");
    this.tags = Tags.of(Objects.requireNonNull(tags, "tags"));
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  @Override
  public void bindTo(MeterRegistry registry) {
    Objects.requireNonNull(registry, "registry");
    gauge(registry, "mlops.monitor.window.records", "predictions in the last closed window", tags, r -> r.records());
    gauge(registry, "mlops.monitor.window.records.rate", "predictions per second in the last closed window", tags,
        r -> {
          double seconds = Duration.between(r.start(), r.end()).toNanos() / 1e9;
          return seconds > 0 ? r.records() / seconds : Double.NaN;
        });
    gauge(registry, "mlops.monitor.window.age", "seconds since the last window closed", tags,
        r -> Duration.between(r.end(), clock.instant()).toNanos() / 1e9);
    gauge(registry, "mlops.monitor.drifted.features", "features judged drifted in the last window", tags,
        r -> r.driftedFeatures());
    gauge(registry, "mlops.monitor.drifted.share", "drifted share of the evaluated features", tags, r -> r.driftedShare());
    gauge(registry, "mlops.monitor.dataset.drift", "1 if the drifted share reached the dataset threshold", tags,
        r -> r.datasetDrift() ? 1 : 0);
    gauge(registry, "mlops.monitor.alarm", "1 if the last window raised the monitor's alarm", tags, r -> r.alarm() ? 1 : 0);
    gauge(registry, "mlops.monitor.prediction.mean", "mean prediction in the last window", tags,
        r -> r.predictionMean().orElse(Double.NaN));
    gauge(registry, "mlops.monitor.prediction.invalid", "NaN or infinite predictions in the last window", tags,
        r -> r.invalidPredictions());
    gauge(registry, "mlops.monitor.quality.value", "accuracy or mean absolute error from late labels", tags,
        r -> quality(r).map(q -> q.value().orElse(Double.NaN)).orElse(Double.NaN));
    gauge(registry, "mlops.monitor.quality.outcomes", "late labels joined in the last window", tags,
        r -> quality(r).map(q -> (double) q.outcomes()).orElse(Double.NaN));
    gauge(registry, "mlops.monitor.concept.drifts", "drifts the concept-drift detector signalled in the last window",
        tags, r -> quality(r).map(q -> (double) q.conceptDrifts()).orElse(Double.NaN));
    gauge(registry, "mlops.monitor.detector.state", "concept-drift detector: 0 stable, 1 warning, 2 drift", tags,
        r -> quality(r).map(q -> (double) stateCode(q.detectorState())).orElse(Double.NaN));

    List<String> features = new ArrayList<>();
    monitor.baseline().numericFeatures().stream().map(NumericFeatureProfile::name).forEach(features::add);
    monitor.baseline().categoricalFeatures().stream().map(CategoricalFeatureProfile::name).forEach(features::add);
    for (String feature : features) {
      Tags ft = tags.and("feature", feature);
      featureGauge(registry, "mlops.monitor.feature.statistic", "the feature's drift test statistic", ft, feature,
          f -> f.result().map(t -> t.statistic()).orElse(Double.NaN));
      featureGauge(registry, "mlops.monitor.feature.pvalue", "the drift test's p-value (NaN for tests without one)", ft,
          feature, f -> f.result().map(t -> t.pValue().orElse(Double.NaN)).orElse(Double.NaN));
      featureGauge(registry, "mlops.monitor.feature.drift", "1 drift, 0 no drift, NaN too few values", ft, feature,
          f -> f.verdict() == DriftVerdict.DRIFT ? 1 : f.verdict() == DriftVerdict.NO_DRIFT ? 0 : Double.NaN);
      featureGauge(registry, "mlops.monitor.feature.missing", "NaN values or negative codes in the last window", ft,
          feature, f -> f.missing());
      featureGauge(registry, "mlops.monitor.feature.invalid", "infinite values or unknown codes in the last window", ft,
          feature, f -> f.invalid());
      featureGauge(registry, "mlops.monitor.feature.missing.rate", "missing share of the feature's values", ft, feature,
          f -> f.missingRate());
    }
  }

  static int stateCode(DriftState state) {
    return switch (state) {
      case STABLE -> 0;
      case WARNING -> 1;
      case DRIFT -> 2;
    };
  }

  private static Optional<QualitySummary> quality(DriftReport r) {
    return r.quality();
  }

  private void gauge(MeterRegistry registry, String name, String help, Tags t, ToDoubleFunction<DriftReport> f) {
    Gauge.builder(name, monitor, m -> m.lastReport().map(f::applyAsDouble).orElse(Double.NaN))
        .description(help).tags(t).strongReference(true).register(registry);
  }

  private void featureGauge(MeterRegistry registry, String name, String help, Tags t, String feature,
      ToDoubleFunction<FeatureDrift> f) {
    Gauge.builder(name, monitor,
            m -> m.lastReport().flatMap(r -> r.feature(feature)).map(f::applyAsDouble).orElse(Double.NaN))
        .description(help).tags(t).strongReference(true).register(registry);
  }
}
