package dev.mlops.junit;

import dev.mlops.RunInfo;
import dev.mlops.RunStatus;
import org.assertj.core.api.AbstractAssert;

/**
 * Assertions on a run's recorded state; obtain with {@link MlopsAssertions#assertThat(RunInfo)}.
 *
 * <p>Not thread-safe; confine to one thread.
 */
public final class RunInfoAssert extends AbstractAssert<RunInfoAssert, RunInfo> {

  RunInfoAssert(RunInfo actual) {
    super(actual, RunInfoAssert.class);
  }

  /**
   * @param status expected status
   * @return this
   */
  public RunInfoAssert hasStatus(RunStatus status) {
    isNotNull();
    if (actual.status() != status) {
      failWithMessage("expected run %s to be %s but it is %s", actual.id(), status, actual.status());
    }
    return this;
  }

  /**
   * @param key param key
   * @param value expected value
   * @return this
   */
  public RunInfoAssert hasParam(String key, String value) {
    isNotNull();
    if (!actual.params().containsKey(key)) {
      failWithMessage("expected run %s to have param '%s'='%s' but it has no such param; params: %s",
          actual.id(), key, value, actual.params());
    } else if (!actual.params().get(key).equals(value)) {
      failWithMessage("expected run %s to have param '%s'='%s' but it is '%s'", actual.id(), key, value,
          actual.params().get(key));
    }
    return this;
  }

  /**
   * @param key tag key
   * @param value expected value
   * @return this
   */
  public RunInfoAssert hasTag(String key, String value) {
    isNotNull();
    if (!value.equals(actual.tags().get(key))) {
      failWithMessage("expected run %s to have tag '%s'='%s' but tags are %s", actual.id(), key, value, actual.tags());
    }
    return this;
  }

  /**
   * @param key metric key
   * @param value expected latest value (compared with {@link Double#compare}, so NaN equals NaN)
   * @return this
   */
  public RunInfoAssert hasLatestMetric(String key, double value) {
    isNotNull();
    Double latest = actual.latestMetrics().get(key);
    if (latest == null) {
      failWithMessage("expected run %s to have metric '%s' but it has only %s", actual.id(), key,
          actual.latestMetrics().keySet());
    } else if (Double.compare(latest, value) != 0) {
      failWithMessage("expected the latest '%s' of run %s to be %s but it is %s", key, actual.id(), value, latest);
    }
    return this;
  }
}
