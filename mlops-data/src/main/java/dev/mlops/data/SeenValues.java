package dev.mlops.data;

/**
 * An exact set of up to {@value #LIMIT} long keys, for skipping repeated values in front of a
 * distinct-count sketch (a repeat leaves an HLL sketch unchanged, so the skip is exact). Once
 * {@value #LIMIT} keys are in, it stops remembering and reports every key as new: a column with
 * many distinct values pays one branch per value.
 *
 * <p>Not thread-safe; confine to one thread.
 */
final class SeenValues {
  static final int LIMIT = 1536;
  private static final int SLOTS = 2048;
  private long[] keys;
  private boolean zero;
  private int size;
  private boolean full;

  /** @return true if the key was not in the set (or the set is full): the caller should use it */
  boolean add(long key) {
    if (full) {
      return true;
    }
    if (key == 0) {
      if (zero) {
        return false;
      }
      zero = true;
      return grow();
    }
    long[] k = keys;
    if (k == null) {
      k = keys = new long[SLOTS];
    }
    int i = (int) ((key * 0x9E3779B97F4A7C15L) >>> 53);
    while (true) {
      long x = k[i];
      if (x == key) {
        return false;
      }
      if (x == 0) {
        k[i] = key;
        return grow();
      }
      i = (i + 1) & (SLOTS - 1);
    }
  }

  private boolean grow() {
    if (++size >= LIMIT) {
      full = true;
      keys = null;
    }
    return true;
  }
}
