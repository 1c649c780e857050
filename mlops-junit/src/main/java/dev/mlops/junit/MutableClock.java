package dev.mlops.junit;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A {@link Clock} that stands still until a test moves it: {@link #advance(Duration)} and
 * {@link #setInstant(Instant)}. {@link MlopsExtension} gives every test one (declare a
 * {@code MutableClock} parameter to get it) and opens the injected workspaces with it, so TTLs,
 * feature ages, run and registry timestamps follow the test instead of the wall clock:
 *
 * <pre>{@code
 * @Test
 * void featureExpires(FeatureStore features, MutableClock clock) {
 *   features.push("user", List.of(FeatureRow.of("u1", clock.instant(), Map.of("age", 42L))));
 *   clock.advance(Duration.ofHours(25));                    // the view's TTL is 24 h
 *   assertThat(features.online("u1", "user:age").get("user:age")).isExpired();
 * }
 * }</pre>
 *
 * <p>Views made with {@link #withZone} share the instant with this clock. It never moves by itself,
 * so anything that waits for time to pass (cache refresh intervals included) waits until the test
 * advances it.
 *
 * <p>Thread-safe: the instant is read and changed atomically.
 */
public final class MutableClock extends Clock {
  private final AtomicReference<Instant> instant;
  private final ZoneId zone;

  private MutableClock(AtomicReference<Instant> instant, ZoneId zone) {
    this.instant = instant;
    this.zone = zone;
  }

  /**
   * @param start the clock's first instant
   * @return a clock at start, in UTC
   * @throws NullPointerException if start is null
   */
  public static MutableClock at(Instant start) {
    return new MutableClock(new AtomicReference<>(Objects.requireNonNull(start, "start")), ZoneOffset.UTC);
  }

  /** @return a clock at the current system time (whole milliseconds), in UTC, that then stands still */
  public static MutableClock atSystemTime() {
    return at(Instant.ofEpochMilli(System.currentTimeMillis()));
  }

  @Override
  public Instant instant() {
    return instant.get();
  }

  @Override
  public ZoneId getZone() {
    return zone;
  }

  /**
   * @param zone a time zone
   * @return a view of this clock in that zone; moving either moves both
   */
  @Override
  public MutableClock withZone(ZoneId zone) {
    Objects.requireNonNull(zone, "zone");
    return zone.equals(this.zone) ? this : new MutableClock(instant, zone);
  }

  /**
   * Moves the clock to an instant, forwards or backwards.
   *
   * @param newInstant the new current instant
   * @throws NullPointerException if newInstant is null
   */
  public void setInstant(Instant newInstant) {
    instant.set(Objects.requireNonNull(newInstant, "newInstant"));
  }

  /**
   * Moves the clock by an amount (negative moves it back).
   *
   * @param amount how far to move
   * @return the new current instant
   * @throws NullPointerException if amount is null
   * @throws java.time.DateTimeException if the result is outside the range of {@link Instant}
   */
  public Instant advance(Duration amount) {
    Objects.requireNonNull(amount, "amount");
    return instant.updateAndGet(i -> i.plus(amount));
  }

  /**
   * Two clocks are equal if they share one instant (one is a zone view of the other) and have the
   * same zone.
   */
  @Override
  public boolean equals(Object o) {
    return o instanceof MutableClock other && other.instant == instant && other.zone.equals(zone);
  }

  @Override
  public int hashCode() {
    return System.identityHashCode(instant) * 31 + zone.hashCode();
  }

  @Override
  public String toString() {
    return "MutableClock[" + instant.get() + ", " + zone + "]";
  }
}
