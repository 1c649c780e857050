package dev.mlops.serving;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Latencies in log-linear buckets: 8 sub-buckets per power of two of nanoseconds, so a percentile
 * is within 12.5 % of the true value. {@link #record} allocates nothing.
 *
 * <p>Thread-safe.
 */
final class LatencyHistogram {
  private static final int SUB = 8;
  private final AtomicLongArray counts = new AtomicLongArray(64 * SUB);

  void record(long nanos) {
    counts.incrementAndGet(index(Math.max(1, nanos)));
  }

  static int index(long v) {
    int exp = 63 - Long.numberOfLeadingZeros(v);
    if (exp < 3) {
      return (int) v;
    }
    int sub = (int) ((v >>> (exp - 3)) & (SUB - 1));
    return exp * SUB + sub;
  }

  /** @return the upper edge of a bucket */
  static long upper(int index) {
    int exp = index / SUB;
    int sub = index % SUB;
    if (exp < 3) {
      return index;
    }
    return (long) (SUB + sub + 1) << (exp - 3);
  }

  long count() {
    long n = 0;
    for (int i = 0; i < counts.length(); i++) {
      n += counts.get(i);
    }
    return n;
  }

  /** @param q in [0, 1] @return the q-quantile in nanoseconds (bucket upper edge), 0 if empty */
  long percentile(double q) {
    long n = count();
    if (n == 0) {
      return 0;
    }
    long rank = (long) Math.ceil(q * n);
    long seen = 0;
    for (int i = 0; i < counts.length(); i++) {
      seen += counts.get(i);
      if (seen >= Math.max(1, rank)) {
        return upper(i);
      }
    }
    return upper(counts.length() - 1);
  }
}
