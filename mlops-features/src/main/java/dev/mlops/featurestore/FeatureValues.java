package dev.mlops.featurestore;

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
    FeatureStatus status = status(RowVisibility.of(row.eventMicros(), atMicros, ttlMicros), value.isPresent());
    return switch (status) {
      case PRESENT -> new FeatureValue(ref, status, value, eventTime, age);
      case EXPIRED, NOT_FOUND -> row.eventMicros() > atMicros ? FeatureValue.notFound(ref)
          : new FeatureValue(ref, status, Optional.empty(), eventTime, age);
    };
  }

  /**
   * The status of a feature given how its entity's winning row stands at the read time.
   *
   * @param visibility the winning row's visibility ({@link RowVisibility#NOT_YET} if there is none)
   * @param hasValue whether that row carries the feature
   * @return PRESENT, EXPIRED or NOT_FOUND
   */
  static FeatureStatus status(RowVisibility visibility, boolean hasValue) {
    return switch (visibility) {
      case NOT_YET -> FeatureStatus.NOT_FOUND; // callers pass only rows at or before the read time
      case EXPIRED -> FeatureStatus.EXPIRED;
      case LIVE -> hasValue ? FeatureStatus.PRESENT : FeatureStatus.NOT_FOUND;
    };
  }

  static Optional<Duration> age(StoredRow row, long atMicros) {
    return Optional.of(Duration.of(atMicros - row.eventMicros(), ChronoUnit.MICROS));
  }
}
