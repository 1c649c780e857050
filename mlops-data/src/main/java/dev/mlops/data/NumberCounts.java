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

  /** Slot i holds its key at [2i] and its count at [2i + 1]: one cache line per lookup. */
  private long[] table;
  private int shift;
  private int size;

  NumberCounts() {
    allocate(16);
  }

  private void allocate(int slots) {
    long[] t = new long[2 * slots];
    for (int i = 0; i < t.length; i += 2) {
      t[i] = EMPTY;
    }
    table = t;
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
    long[] t = table;
    int mask = t.length - 2;
    int i = (int) ((bits * 0x9E37_79B9_7F4A_7C15L) >>> shift) << 1;
    while (true) {
      long key = t[i];
      if (key == bits) {
        t[i + 1]++;
        return 0;
      }
      if (key == EMPTY) {
        break;
      }
      i = (i + 2) & mask;
    }
    if (size >= MAX_ENTRIES) {
      return -1;
    }
    if (4 * (size + 1) > t.length) {
      grow();
      return add(bits);
    }
    t[i] = bits;
    t[i + 1] = 1;
    size++;
    return 1;
  }

  private void grow() {
    long[] old = table;
    allocate(old.length); // twice the slots: a slot is two longs
    long[] t = table;
    int mask = t.length - 2;
    for (int j = 0; j < old.length; j += 2) {
      long bits = old[j];
      if (bits != EMPTY) {
        int i = (int) ((bits * 0x9E37_79B9_7F4A_7C15L) >>> shift) << 1;
        while (t[i] != EMPTY) {
          i = (i + 2) & mask;
        }
        t[i] = bits;
        t[i + 1] = old[j + 1];
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
    // finite numbers' bits made signed-comparable in Double.compare's order (-0.0 before 0.0)
    long[] keys = new long[size];
    long[] t = table;
    int n = 0;
    for (int j = 0; j < t.length; j += 2) {
      long bits = t[j];
      if (bits != EMPTY) {
        keys[n++] = bits ^ ((bits >> 63) & Long.MAX_VALUE);
      }
    }
    Arrays.sort(keys, 0, n);
    int mask = t.length - 2;
    for (int j = 0; j < n; j++) {
      long bits = keys[j] ^ ((keys[j] >> 63) & Long.MAX_VALUE);
      int i = (int) ((bits * 0x9E37_79B9_7F4A_7C15L) >>> shift) << 1;
      while (t[i] != bits) {
        i = (i + 2) & mask;
      }
      values[j] = Double.longBitsToDouble(bits);
      weights[j] = t[i + 1];
    }
  }
}
