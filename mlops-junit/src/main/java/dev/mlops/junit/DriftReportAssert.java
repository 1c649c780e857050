package dev.mlops.junit;

import dev.mlops.drift.DriftReport;
import dev.mlops.drift.DriftVerdict;
import dev.mlops.drift.FeatureDrift;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.assertj.core.api.AbstractAssert;

/**
 * Assertions on a {@link DriftReport}; obtain with {@link DriftAssertions#assertThat(DriftReport)}.
 * Failure messages name the feature and end with the report's table ({@link DriftReport#toText()}),
 * so the statistic and threshold that decided each verdict are in front of the reader.
 *
 * <p>Not thread-safe; confine to one thread.
 */
public final class DriftReportAssert extends AbstractAssert<DriftReportAssert, DriftReport> {

  DriftReportAssert(DriftReport actual) {
    super(actual, DriftReportAssert.class);
  }

  /** @return this, if the share of drifted features reached the monitor's dataset threshold */
  public DriftReportAssert hasDatasetDrift() {
    isNotNull();
    if (!actual.datasetDrift()) {
      failWithMessage("expected dataset drift but %s of %s features drifted:%n%s", actual.driftedFeatures(),
          actual.evaluatedFeatures(), actual.toText());
    }
    return this;
  }

  /** @return this, if the report does not conclude dataset drift */
  public DriftReportAssert hasNoDatasetDrift() {
    isNotNull();
    if (actual.datasetDrift()) {
      failWithMessage("expected no dataset drift but %s of %s features drifted (%s):%n%s", actual.driftedFeatures(),
          actual.evaluatedFeatures(), drifted(), actual.toText());
    }
    return this;
  }

  /** @return this, if the report raises an alarm (dataset drift, or concept drift on late labels) */
  public DriftReportAssert hasAlarm() {
    isNotNull();
    if (!actual.alarm()) {
      failWithMessage("expected an alarm but the window is quiet:%n%s", actual.toText());
    }
    return this;
  }

  /** @return this, if the report raises no alarm */
  public DriftReportAssert hasNoAlarm() {
    isNotNull();
    if (actual.alarm()) {
      failWithMessage("expected no alarm but the window raised one:%n%s", actual.toText());
    }
    return this;
  }

  /**
   * @param features the names of exactly the features whose verdict is {@link DriftVerdict#DRIFT}, in
   *     any order (none: no feature drifted)
   * @return this
   */
  public DriftReportAssert hasDriftedFeatures(String... features) {
    isNotNull();
    List<String> expected = Arrays.stream(features).sorted().toList();
    List<String> found = drifted().stream().sorted().toList();
    if (!found.equals(expected)) {
      failWithMessage("expected exactly features %s to drift but %s drifted:%n%s", expected, found, actual.toText());
    }
    return this;
  }

  /**
   * @param feature a feature name
   * @param verdict its expected verdict
   * @return this
   */
  public DriftReportAssert hasVerdict(String feature, DriftVerdict verdict) {
    Objects.requireNonNull(verdict, "verdict");
    FeatureDrift line = line(feature);
    if (line.verdict() != verdict) {
      failWithMessage("expected feature '%s' to be %s but it is %s:%n%s", feature, verdict, line.verdict(),
          actual.toText());
    }
    return this;
  }

  /**
   * @param feature a feature name
   * @return this, if its verdict is {@link DriftVerdict#DRIFT}
   */
  public DriftReportAssert featureDrifted(String feature) {
    return hasVerdict(feature, DriftVerdict.DRIFT);
  }

  /**
   * @param feature a feature name
   * @return this, if its verdict is {@link DriftVerdict#NO_DRIFT}
   */
  public DriftReportAssert featureDidNotDrift(String feature) {
    return hasVerdict(feature, DriftVerdict.NO_DRIFT);
  }

  private FeatureDrift line(String feature) {
    Objects.requireNonNull(feature, "feature");
    isNotNull();
    Optional<FeatureDrift> line = actual.feature(feature);
    if (line.isEmpty()) {
      failWithMessage("expected a verdict on feature '%s' but the report covers only %s", feature,
          actual.features().stream().map(FeatureDrift::name).toList());
    }
    return line.orElseThrow();
  }

  private List<String> drifted() {
    return actual.features().stream().filter(f -> f.verdict() == DriftVerdict.DRIFT).map(FeatureDrift::name).toList();
  }
}
