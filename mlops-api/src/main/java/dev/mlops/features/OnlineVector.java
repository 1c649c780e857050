package dev.mlops.features;

import java.time.Duration;
import java.util.Arrays;
import java.util.Optional;

/**
 * A reusable buffer that an {@link OnlineReader} fills with one entity's features, positionally
 * in the reader's feature order, so that a serving loop allocates nothing per lookup. After a read,
 * for each position {@code i}: {@link #status(int)}, {@link #value(int)} (the stored object, null
 * unless PRESENT; a {@code float[]} must not be modified) and {@link #ageMicros(int)} (-1 when
 * there was no row).
 *
 * <p>Not thread-safe; confine to one thread (one buffer per serving thread).
 */
public final class OnlineVector {
  private final Object[] values;
  private final FeatureStatus[] statuses;
  private final long[] ageMicros;

  /**
   * @param size the number of features of the reader it is used with
   * @throws IllegalArgumentException if size is not positive
   */
  public OnlineVector(int size) {
    if (size < 1) {
      throw new IllegalArgumentException("size must be positive, got " + size);
    }
    values = new Object[size];
    statuses = new FeatureStatus[size];
    ageMicros = new long[size];
    Arrays.fill(statuses, FeatureStatus.NOT_FOUND);
    Arrays.fill(ageMicros, -1);
  }

  /** @return the number of positions */
  public int size() {
    return values.length;
  }

  /** @param i position @return its status */
  public FeatureStatus status(int i) {
    return statuses[i];
  }

  /** @param i position @return the value if PRESENT, else null */
  public Object value(int i) {
    return values[i];
  }

  /**
   * @param i position of a DOUBLE or LONG feature
   * @param absent returned unless PRESENT
   * @return the value as a double, or {@code absent}
   */
  public double doubleValue(int i, double absent) {
    return statuses[i] == FeatureStatus.PRESENT && values[i] instanceof Number n ? n.doubleValue() : absent;
  }

  /** @param i position @return age in microseconds of the row the status was decided by, or -1 if none */
  public long ageMicros(int i) {
    return ageMicros[i];
  }

  /** @param i position @return the age, or empty if there was no row */
  public Optional<Duration> age(int i) {
    return ageMicros[i] < 0 ? Optional.empty() : Optional.of(Duration.ofNanos(ageMicros[i] * 1000));
  }

  /**
   * Sets one position; used by readers.
   *
   * @param i position
   * @param status status
   * @param value value if PRESENT, else null
   * @param ageMicros age, or -1 if there was no row
   */
  public void set(int i, FeatureStatus status, Object value, long ageMicros) {
    statuses[i] = status;
    values[i] = value;
    this.ageMicros[i] = ageMicros;
  }
}
