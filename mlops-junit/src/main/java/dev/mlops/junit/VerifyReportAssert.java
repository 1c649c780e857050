package dev.mlops.junit;

import dev.mlops.VerifyReport;
import org.assertj.core.api.AbstractAssert;

/**
 * Assertions on the outcome of a log verification; obtain with
 * {@link MlopsAssertions#assertThat(VerifyReport)}.
 *
 * <p>Not thread-safe; confine to one thread.
 */
public final class VerifyReportAssert extends AbstractAssert<VerifyReportAssert, VerifyReport> {

  VerifyReportAssert(VerifyReport actual) {
    super(actual, VerifyReportAssert.class);
  }

  /** @return this, if no entry is broken */
  public VerifyReportAssert isIntact() {
    isNotNull();
    if (!actual.ok()) {
      failWithMessage("expected an intact log but it is %s", actual);
    }
    return this;
  }

  /**
   * @param key the storage key of the first broken or missing entry
   * @return this
   */
  public VerifyReportAssert isBrokenAt(String key) {
    isNotNull();
    if (actual.ok()) {
      failWithMessage("expected the log to be broken at '%s' but it verified (%s)", key, actual);
    } else if (!actual.brokenKey().orElseThrow().equals(key)) {
      failWithMessage("expected the log to be broken at '%s' but it is %s", key, actual);
    }
    return this;
  }
}
