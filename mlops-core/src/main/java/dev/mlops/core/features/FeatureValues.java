package dev.mlops.core.features;

import dev.mlops.features.FeatureRef;
import dev.mlops.features.FeatureStatus;
import dev.mlops.features.FeatureValue;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Optional;

/**
 * Turns the winning row of an entity at a read time into a {@link FeatureValue}: the one place
 * where status and age are decided, shared by online lookups, training sets and the skew check.
 *
 * <p>Immutable and thread-safe.
 */
final class FeatureValues {
  private FeatureValues() {}

  /**
   * @param ref the feature
   * @param row the entity's latest row with event time at or before {@code atMicros}, or null
   * @param column the feature's position in {@code row.values()}
   * @param atMicros the read time
   * @param ttlMicros the view's TTL, 0 for none
   * @return the value with its status and age
   */
  static FeatureValue of(FeatureRef ref, StoredRow row, int column, long atMicros, long ttlMicros) {
    if (row == null) {
      return FeatureValue.notFound(ref);
    }
    return of(ref, row, Optional.ofNullable(row.values()[column]), Optional.of(Micros.toInstant(row.eventMicros())),
        age(row, atMicros), atMicros, ttlMicros);
  }

  /** As above with the optionals prepared by the caller (the cached online path). */
  static FeatureValue of(FeatureRef ref, StoredRow row, Optional<Object> value, Optional<Instant> eventTime,
      Optional<Duration> age, long atMicros, long ttlMicros) {
    if (row == null) {
      return FeatureValue.notFound(ref);
    }
    return switch (RowVisibility.of(row.eventMicros(), atMicros, ttlMicros)) {
      case NOT_YET -> FeatureValue.notFound(ref); // callers pass only rows at or before the read time
      case EXPIRED -> new FeatureValue(ref, FeatureStatus.EXPIRED, Optional.empty(), eventTime, age);
      case LIVE -> value.isPresent()
          ? new FeatureValue(ref, FeatureStatus.PRESENT, value, eventTime, age)
          : new FeatureValue(ref, FeatureStatus.NOT_FOUND, Optional.empty(), eventTime, age);
    };
  }

  static Optional<Duration> age(StoredRow row, long atMicros) {
    return Optional.of(Duration.of(atMicros - row.eventMicros(), ChronoUnit.MICROS));
  }
}
