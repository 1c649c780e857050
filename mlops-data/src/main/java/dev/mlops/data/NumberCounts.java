package dev.mlops.data;

import java.util.Arrays;

/**
 * Exact counts of a column's finite numbers by bit pattern, in an open-addressing table that grows
 * up to {@link #MAX_ENTRIES} distinct numbers and then refuses new ones (the caller falls back to
 * feeding the sketches value by value).
 *
 * <p>Not thread-safe; confine to one thread.
 */
final class NumberCounts {
  /** Most distinct numbers counted (table of 8192 slots: 128 KB at most per column). */
  static final int MAX_ENTRIES = 4096;
  /** A NaN pattern: never a key, since only finite numbers are counted. */
  private static final long EMPTY = 0x7ff8_0000_0000_0001L;

  private long[] keys;
  private long[] counts;
  private int shift;
  private int size;

  NumberCounts() {
    allocate(16);
  }

  private void allocate(int slots) {
    keys = new long[slots];
    Arrays.fill(keys, EMPTY);
    counts = new long[slots];
    shift = 64 - Integer.numberOfTrailingZeros(slots);
  }

  /**
   * Counts one occurrence.
   *
   * @param bits {@link Double#doubleToRawLongBits} of a finite number
   * @return 1 if the number is new (now counted), 0 if it was seen before, -1 if it is new and the
   *     table is full (not counted)
   */
  int add(long bits) {
    long[] k = keys;
    int mask = k.length - 1;
    int i = (int) ((bits * 0x9E37_79B9_7F4A_7C15L) >>> shift);
    while (true) {
      long key = k[i];
      if (key == bits) {
        counts[i]++;
        return 0;
      }
      if (key == EMPTY) {
        break;
      }
      i = (i + 1) & mask;
    }
    if (size >= MAX_ENTRIES) {
      return -1;
    }
    if (2 * (size + 1) > k.length) {
      grow();
      return add(bits);
    }
    k[i] = bits;
    counts[i] = 1;
    size++;
    return 1;
  }

  private void grow() {
    long[] oldKeys = keys;
    long[] oldCounts = counts;
    allocate(oldKeys.length * 2);
    long[] k = keys;
    int mask = k.length - 1;
    for (int j = 0; j < oldKeys.length; j++) {
      long bits = oldKeys[j];
      if (bits != EMPTY) {
        int i = (int) ((bits * 0x9E37_79B9_7F4A_7C15L) >>> shift);
        while (k[i] != EMPTY) {
          i = (i + 1) & mask;
        }
        k[i] = bits;
        counts[i] = oldCounts[j];
      }
    }
  }

  int size() {
    return size;
  }

  /**
   * @param values receives the distinct numbers in ascending order ({@link Double#compare})
   * @param weights receives their counts
   */
  void sorted(double[] values, long[] weights) {
    long[] packed = new long[size];
    int n = 0;
    for (int j = 0; j < keys.length; j++) {
      if (keys[j] != EMPTY) {
        packed[n++] = j;
      }
    }
    Long[] order = new Long[n];
    for (int j = 0; j < n; j++) {
      order[j] = packed[j];
    }
    Arrays.sort(order, (a, b) -> Double.compare(Double.longBitsToDouble(keys[(int) (long) a]),
        Double.longBitsToDouble(keys[(int) (long) b])));
    for (int j = 0; j < n; j++) {
      int slot = (int) (long) order[j];
      values[j] = Double.longBitsToDouble(keys[slot]);
      weights[j] = counts[slot];
    }
  }
}
