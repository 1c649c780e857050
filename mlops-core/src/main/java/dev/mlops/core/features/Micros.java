package dev.mlops.core.features;

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

  static Instant toInstant(long micros) {
    return Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1_000L);
  }
}
