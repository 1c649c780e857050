package dev.mlops.features;

import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;

/**
 * One feature's value as read at some time, with its status. {@link FeatureStatus#PRESENT}
 * carries the value, its event time and age; {@link FeatureStatus#EXPIRED} carries the expired
 * value's event time and age but no value (it must not be used); {@link FeatureStatus#NOT_FOUND}
 * carries the event time and age of the latest row if there was one (which lacked this feature),
 * else nothing.
 *
 * <p>Immutable and thread-safe (a {@code float[]} value must not be modified).
 *
 * @param ref which feature
 * @param status whether the value is usable
 * @param value the value when PRESENT, else empty
 * @param eventTime event time of the row the status was decided by, if any
 * @param age read time minus event time, if there was a row
 */
public record FeatureValue(FeatureRef ref, FeatureStatus status, Optional<Object> value, Optional<Instant> eventTime,
    Optional<Duration> age) {
  /**
   * Validates.
   *
   * @throws IllegalArgumentException if a PRESENT value lacks its value or an other status has one
   */
  public FeatureValue {
    Objects.requireNonNull(ref, "ref");
    Objects.requireNonNull(status, "status");
    Objects.requireNonNull(value, "value");
    Objects.requireNonNull(eventTime, "eventTime");
    Objects.requireNonNull(age, "age");
    if ((status == FeatureStatus.PRESENT) != value.isPresent()) {
      throw new IllegalArgumentException("a value is present exactly when the status is PRESENT; status "
          + status + ", value " + value);
    }
    if (eventTime.isPresent() != age.isPresent()) {
      throw new IllegalArgumentException("eventTime and age come together");
    }
  }

  /**
   * @param ref which feature
   * @return a NOT_FOUND value with no row
   */
  public static FeatureValue notFound(FeatureRef ref) {
    return new FeatureValue(ref, FeatureStatus.NOT_FOUND, Optional.empty(), Optional.empty(), Optional.empty());
  }

  /** @return whether the status is PRESENT */
  public boolean isPresent() {
    return status == FeatureStatus.PRESENT;
  }

  /**
   * @return the value as a double (for DOUBLE or LONG features)
   * @throws IllegalStateException if the status is not PRESENT or the value is not numeric
   */
  public double asDouble() {
    Object v = value.orElseThrow(() -> new IllegalStateException(ref + " is " + status));
    if (v instanceof Number n) {
      return n.doubleValue();
    }
    throw new IllegalStateException(ref + " is not numeric: " + v.getClass().getSimpleName());
  }

  /**
   * Whether this and {@code other} say the same thing: same status and equal values (vectors by
   * content). Event time and age are not compared.
   *
   * @param other another value
   * @return whether they agree
   */
  public boolean agreesWith(FeatureValue other) {
    if (status != other.status) {
      return false;
    }
    if (value.isEmpty() || other.value.isEmpty()) {
      return value.isEmpty() && other.value.isEmpty();
    }
    Object a = value.get();
    Object b = other.value.get();
    if (a instanceof float[] fa && b instanceof float[] fb) {
      return Arrays.equals(fa, fb);
    }
    return a.equals(b);
  }
}
