package dev.mlops.featurestore;

import java.time.Duration;

/**
 * The one TTL rule of the feature store, used by online lookups, training sets, materialization
 * and the skew check alike: a row with event time {@code e} is visible at {@code t} when
 * {@code e <= t}, and live (not expired) when additionally {@code ttl == 0 || e >= t - ttl}. All
 * times are microseconds since the epoch within years 0001..9999, so no arithmetic here overflows.
 *
 * <p>Immutable and thread-safe.
 */
enum RowVisibility {
  /** {@code e > t}: the row does not exist yet at {@code t}. */
  NOT_YET,
  /** Visible and within the TTL. */
  LIVE,
  /** Visible but older than the TTL. */
  EXPIRED;

  /**
   * @param eventMicros the row's event time
   * @param atMicros the read time
   * @param ttlMicros the view's TTL, 0 for none
   * @return how the row stands at the read time
   */
  static RowVisibility of(long eventMicros, long atMicros, long ttlMicros) {
    if (eventMicros > atMicros) {
      return NOT_YET;
    }
    if (ttlMicros == 0 || atMicros - eventMicros <= ttlMicros) {
      return LIVE;
    }
    return EXPIRED;
  }

  /**
   * @param ttl a view's TTL
   * @return it in microseconds, saturated at {@link Long#MAX_VALUE}
   */
  static long ttlMicros(Duration ttl) {
    if (ttl.compareTo(Duration.ofDays(365L * 20_000)) > 0) {
      return Long.MAX_VALUE;
    }
    return ttl.getSeconds() * 1_000_000L + ttl.getNano() / 1_000;
  }
}
