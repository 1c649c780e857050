package dev.mlops.featurestore;

import java.time.Duration;
import java.time.Instant;

/**
 * Instants as microseconds since the epoch, the feature store's stored time unit, limited to
 * years 0001..9999 so that differences never overflow.
 *
 * <p>Immutable and thread-safe.
 */
final class Micros {
  static final Instant MIN = Instant.parse("0001-01-01T00:00:00Z");
  static final Instant MAX = Instant.parse("9999-12-31T23:59:59.999999Z");

  private Micros() {}

  /**
   * @param what named in the message
   * @param t an instant
   * @return it in microseconds, truncated
   * @throws IllegalArgumentException naming the value if it is outside years 0001..9999
   */
  static long of(String what, Instant t) {
    if (t.isBefore(MIN) || t.isAfter(MAX)) {
      throw new IllegalArgumentException(what + " " + t + " is outside the supported range " + MIN + " .. " + MAX);
    }
    return t.getEpochSecond() * 1_000_000L + t.getNano() / 1_000;
  }

  /**
   * @param d a non-negative duration
   * @return it in microseconds, truncated, saturated at {@link Long#MAX_VALUE}
   */
  static long of(Duration d) {
    try {
      return Math.addExact(Math.multiplyExact(d.getSeconds(), 1_000_000L), d.getNano() / 1_000);
    } catch (ArithmeticException tooLong) {
      return Long.MAX_VALUE;
    }
  }

  /**
   * The refresh rule of every cache in the feature store: something synchronized with the store
   * at {@code sinceMicros} must be re-read at {@code atMicros} once more than {@code intervalMicros}
   * have passed. A clock that moved back by more than the interval also counts as stale (the
   * entry is re-read once and re-stamped), so a backwards jump never freezes a cache; smaller
   * backwards steps (threads that read the clock in a different order than they reach the cache)
   * count as fresh. Both times must be in range (see {@link #of}) or {@link Long#MIN_VALUE} for
   * "never": no subtraction here overflows into a wrong answer.
   *
   * @param atMicros the read time
   * @param sinceMicros when it was last read from the store, {@link Long#MIN_VALUE} if never
   * @param intervalMicros the refresh interval, positive
   * @return whether it must be re-read
   */
  static boolean stale(long atMicros, long sinceMicros, long intervalMicros) {
    long elapsed = atMicros - sinceMicros;
    return sinceMicros == Long.MIN_VALUE || elapsed > intervalMicros || elapsed < -intervalMicros;
  }

  static Instant toInstant(long micros) {
    return Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1_000L);
  }
}
