package dev.mlops.junit;

import dev.mlops.features.FeatureStatus;
import dev.mlops.features.FeatureValue;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;
import org.assertj.core.api.AbstractAssert;

/**
 * Assertions on one feature as read online: its status, value, event time and age; obtain with
 * {@link MlopsAssertions#assertThat(FeatureValue)} or {@link OnlineResultAssert#feature(String)}.
 * Failure messages name the feature ({@code view:feature}) and say what was read.
 *
 * <p>Not thread-safe; confine to one thread.
 */
public final class FeatureValueAssert extends AbstractAssert<FeatureValueAssert, FeatureValue> {

  FeatureValueAssert(FeatureValue actual) {
    super(actual, FeatureValueAssert.class);
  }

  /**
   * @param status the expected status
   * @return this
   */
  public FeatureValueAssert hasStatus(FeatureStatus status) {
    Objects.requireNonNull(status, "status");
    isNotNull();
    if (actual.status() != status) {
      failWithMessage("expected feature %s to be %s but it is %s", actual.ref(), status, describe(actual));
    }
    return this;
  }

  /** @return this, if the feature is {@link FeatureStatus#PRESENT} */
  public FeatureValueAssert isPresent() {
    return hasStatus(FeatureStatus.PRESENT);
  }

  /** @return this, if the feature is {@link FeatureStatus#EXPIRED} (older than its view's TTL) */
  public FeatureValueAssert isExpired() {
    return hasStatus(FeatureStatus.EXPIRED);
  }

  /** @return this, if the feature is {@link FeatureStatus#NOT_FOUND} */
  public FeatureValueAssert isNotFound() {
    return hasStatus(FeatureStatus.NOT_FOUND);
  }

  /**
   * Checks the feature is PRESENT with the value. Numbers compare by value across types
   * ({@code hasValue(42)} matches a stored {@code 42L}; {@code 1.0} matches {@code 1.0f}; NaN matches
   * NaN); {@code float[]} vectors compare by content; anything else with {@code equals}.
   *
   * @param expected the expected value
   * @return this
   */
  public FeatureValueAssert hasValue(Object expected) {
    Objects.requireNonNull(expected, "expected");
    isPresent();
    Object value = actual.value().orElseThrow();
    if (!sameValue(value, expected)) {
      failWithMessage("expected feature %s to be %s but it is %s", actual.ref(), show(expected), show(value));
    }
    return this;
  }

  /**
   * @param expected the expected number
   * @param tolerance the largest accepted absolute difference
   * @return this, if the feature is PRESENT, numeric and within tolerance of expected
   */
  public FeatureValueAssert hasValueCloseTo(double expected, double tolerance) {
    isPresent();
    Object value = actual.value().orElseThrow();
    if (!(value instanceof Number n)) {
      failWithMessage("expected feature %s to be a number close to %s but it is %s", actual.ref(), expected,
          show(value));
      return this;
    }
    if (!(Math.abs(n.doubleValue() - expected) <= tolerance)) {
      failWithMessage("expected feature %s to be %s ± %s but it is %s", actual.ref(), expected, tolerance, value);
    }
    return this;
  }

  /**
   * @param eventTime the expected event time of the row the value came from
   * @return this
   */
  public FeatureValueAssert hasEventTime(Instant eventTime) {
    Objects.requireNonNull(eventTime, "eventTime");
    isNotNull();
    if (!actual.eventTime().equals(Optional.of(eventTime))) {
      failWithMessage("expected feature %s to have event time %s but it is %s", actual.ref(), eventTime,
          describe(actual));
    }
    return this;
  }

  /**
   * @param age the expected age (read time minus event time)
   * @return this
   */
  public FeatureValueAssert hasAge(Duration age) {
    Objects.requireNonNull(age, "age");
    isNotNull();
    if (!actual.age().equals(Optional.of(age))) {
      failWithMessage("expected feature %s to be %s old but it is %s", actual.ref(), age, describe(actual));
    }
    return this;
  }

  /**
   * @param max the largest accepted age
   * @return this, if the feature has an age of at most max
   */
  public FeatureValueAssert hasAgeAtMost(Duration max) {
    Objects.requireNonNull(max, "max");
    isNotNull();
    if (actual.age().isEmpty() || actual.age().get().compareTo(max) > 0) {
      failWithMessage("expected feature %s to be at most %s old but it is %s", actual.ref(), max, describe(actual));
    }
    return this;
  }

  /**
   * @param min the smallest accepted age
   * @return this, if the feature has an age of at least min
   */
  public FeatureValueAssert hasAgeAtLeast(Duration min) {
    Objects.requireNonNull(min, "min");
    isNotNull();
    if (actual.age().isEmpty() || actual.age().get().compareTo(min) < 0) {
      failWithMessage("expected feature %s to be at least %s old but it is %s", actual.ref(), min, describe(actual));
    }
    return this;
  }

  static boolean sameValue(Object value, Object expected) {
    if (value instanceof Number a && expected instanceof Number b) {
      if (isIntegral(a) && isIntegral(b)) {
        return a.longValue() == b.longValue();
      }
      return Double.compare(a.doubleValue(), b.doubleValue()) == 0
          || (a.doubleValue() == b.doubleValue()); // 0.0 == -0.0
    }
    if (value instanceof float[] fa && expected instanceof float[] fb) {
      return Arrays.equals(fa, fb);
    }
    return value.equals(expected);
  }

  private static boolean isIntegral(Number n) {
    return n instanceof Long || n instanceof Integer || n instanceof Short || n instanceof Byte;
  }

  static String describe(FeatureValue v) {
    StringBuilder sb = new StringBuilder(v.status().toString());
    v.value().ifPresent(x -> sb.append(" with value ").append(show(x)));
    v.eventTime().ifPresent(t -> sb.append(", event time ").append(t));
    v.age().ifPresent(a -> sb.append(", age ").append(a));
    return sb.toString();
  }

  static String show(Object value) {
    if (value instanceof float[] f) {
      return Arrays.toString(f);
    }
    if (value instanceof String s) {
      return "\"" + s + "\"";
    }
    return value + " (" + value.getClass().getSimpleName() + ")";
  }
}
