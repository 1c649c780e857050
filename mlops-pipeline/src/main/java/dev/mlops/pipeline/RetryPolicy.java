package dev.mlops.pipeline;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Random;

/**
 * When and how often a failed step attempt is retried: the exception types that are retried
 * (an exception is retried when it is an instance of one of them), the maximum number of
 * attempts, and exponential backoff with jitter. The jitter comes from a {@link Random} seeded by
 * the {@link Pipelines} seed, the step and the attempt number, so a run is reproducible.
 *
 * @param maxAttempts attempts in all, >= 1 (1 = no retry)
 * @param initialBackoff wait before the second attempt
 * @param multiplier factor applied to the wait after each attempt, >= 1
 * @param maxBackoff upper bound of a wait
 * @param jitter fraction in [0, 1] by which a wait is randomly shortened or lengthened
 * @param retryOn the exception types retried; empty retries nothing
 *
 * <p>Immutable and thread-safe.
 */
public record RetryPolicy(int maxAttempts, Duration initialBackoff, double multiplier, Duration maxBackoff,
    double jitter, List<Class<? extends Throwable>> retryOn) {
  /** No retry: one attempt. */
  public static final RetryPolicy NONE = new RetryPolicy(1, Duration.ZERO, 1, Duration.ZERO, 0, List.of());

  /**
   * @throws IllegalArgumentException naming the bad value if an argument is out of range
   */
  public RetryPolicy {
    if (maxAttempts < 1) {
      throw new IllegalArgumentException("maxAttempts must be >= 1, got " + maxAttempts);
    }
    Objects.requireNonNull(initialBackoff, "initialBackoff");
    Objects.requireNonNull(maxBackoff, "maxBackoff");
    if (initialBackoff.isNegative() || maxBackoff.isNegative()) {
      throw new IllegalArgumentException("backoff must not be negative, got " + initialBackoff + " / " + maxBackoff);
    }
    if (!(multiplier >= 1) || Double.isInfinite(multiplier)) {
      throw new IllegalArgumentException("multiplier must be a finite number >= 1, got " + multiplier);
    }
    if (!(jitter >= 0 && jitter <= 1)) {
      throw new IllegalArgumentException("jitter must be in [0, 1], got " + jitter);
    }
    retryOn = List.copyOf(retryOn);
  }

  /**
   * A policy of {@code maxAttempts} attempts, retrying the given exception types, with a backoff
   * from 100 ms doubling up to 10 s and 20 % jitter.
   *
   * @param maxAttempts attempts in all
   * @param retryOn exception types retried
   * @return the policy
   */
  @SafeVarargs
  public static RetryPolicy attempts(int maxAttempts, Class<? extends Throwable>... retryOn) {
    return new RetryPolicy(maxAttempts, Duration.ofMillis(100), 2, Duration.ofSeconds(10), 0.2, List.of(retryOn));
  }

  /**
   * @param initial wait before the second attempt
   * @param multiplier growth per attempt
   * @param max bound of a wait
   * @return a copy with that backoff
   */
  public RetryPolicy withBackoff(Duration initial, double multiplier, Duration max) {
    return new RetryPolicy(maxAttempts, initial, multiplier, max, jitter, retryOn);
  }

  /** @param jitter fraction in [0, 1] @return a copy with that jitter */
  public RetryPolicy withJitter(double jitter) {
    return new RetryPolicy(maxAttempts, initialBackoff, multiplier, maxBackoff, jitter, retryOn);
  }

  /**
   * @param failure what an attempt threw
   * @param attempt the attempt that failed, from 1
   * @return whether another attempt follows
   */
  public boolean retries(Throwable failure, int attempt) {
    return attempt < maxAttempts && retryOn.stream().anyMatch(c -> c.isInstance(failure));
  }

  /**
   * @param attempt the attempt that failed, from 1
   * @param random the seeded source of jitter
   * @return the wait before the next attempt
   */
  public Duration backoff(int attempt, Random random) {
    double base = Pipelines.nanos(initialBackoff) * Math.pow(multiplier, attempt - 1);
    base = Math.min(base, Pipelines.nanos(maxBackoff));
    double factor = 1 + jitter * (2 * random.nextDouble() - 1);
    return Duration.ofNanos((long) Math.max(0, base * factor));
  }
}
