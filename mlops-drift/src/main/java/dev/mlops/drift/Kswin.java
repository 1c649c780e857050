package dev.mlops.drift;

import java.nio.ByteBuffer;

/**
 * KSWIN, the Kolmogorov–Smirnov windowing detector of Raab, Heusinger and Schleif
 * (Neurocomputing 2020), for a numeric stream of any distribution.
 *
 * <p>The detector keeps the latest {@code windowSize} inputs. Once the window is full, every
 * input compares the newest {@code statSize} inputs with {@code statSize} inputs drawn uniformly
 * without replacement from the older part of the window, using the two-sample
 * Kolmogorov–Smirnov test; a p-value at or below {@code alpha} is a {@link DriftState#DRIFT}, and
 * the window then keeps only its newest {@code statSize} inputs (the new concept). The p-value is
 * the exact one for two samples of equal size without ties (Gnedenko–Korolyuk), precomputed for
 * every possible statistic when the detector is built; with tied values (0/1 error streams) it
 * is conservative. The method has no warning zone.
 *
 * <p>The random draws come from a SplittableRandom-style generator seeded by
 * {@link Builder#seed(long)}, so a run is reproducible, and its state is part of
 * {@link #toBytes()}. {@link #update(double)} allocates nothing. NaN and infinities are ignored.
 * Defaults are the published ones: {@code alpha = 0.005}, {@code windowSize = 100},
 * {@code statSize = 30}; seed 1.
 *
 * <p>Not thread-safe; confine to one thread.
 */
public final class Kswin extends AbstractDetector {

  private final double alpha;
  private final int windowSize;
  private final int statSize;
  private final long seed;
  /** pValueAtLeast[k] = P(D >= k / statSize) under the null hypothesis. */
  private final double[] pValueAtLeast;

  private final double[] window; // circular; oldest at head
  private final double[] recent;
  private final double[] sample;
  private final int[] indices;

  private int head;
  private int size;
  private long rngState;
  private double lastPValue = 1.0;

  private Kswin(Builder b) {
    super(DetectorBytes.Kind.KSWIN);
    this.alpha = b.alpha;
    this.windowSize = b.windowSize;
    this.statSize = b.statSize;
    this.seed = b.seed;
    this.pValueAtLeast = exactPValues(statSize);
    this.window = new double[windowSize];
    this.recent = new double[statSize];
    this.sample = new double[statSize];
    this.indices = new int[windowSize - statSize];
    this.rngState = seed;
    resetPermutation();
  }

  private void resetPermutation() {
    for (int i = 0; i < indices.length; i++) {
      indices[i] = i;
    }
  }

  /** @return a builder with the published defaults */
  public static Builder builder() {
    return new Builder();
  }

  @Override
  public DriftState update(double x) {
    if (!Double.isFinite(x)) {
      return state;
    }
    count++;
    if (size >= statSize) {
      // The oldest of the newest statSize inputs moves to the older part.
      removeSorted(recent, statSize, at(size - statSize));
    }
    if (size == windowSize) {
      window[head] = x;
      head = head + 1 == windowSize ? 0 : head + 1;
    } else {
      window[(head + size) % windowSize] = x;
      size++;
    }
    insertSorted(recent, Math.min(size, statSize) - 1, x);
    if (size < windowSize) {
      state = DriftState.STABLE;
      return state;
    }
    int older = windowSize - statSize;
    // Partial Fisher-Yates: the first statSize entries of a shuffled permutation of the older
    // positions are a uniform sample without replacement (any starting permutation will do, so
    // the permutation is kept from one input to the next instead of being rebuilt).
    for (int i = 0; i < statSize; i++) {
      int j = i + nextInt(older - i);
      int t = indices[i];
      indices[i] = indices[j];
      indices[j] = t;
      insertSorted(sample, i, at(indices[i]));
    }
    lastPValue = pValueAtLeast[statisticTimesN(recent, sample)];
    if (lastPValue <= alpha) {
      // Keep only the newest statSize inputs: they start the new concept.
      head = (head + older) % windowSize;
      size = statSize;
      state = DriftState.DRIFT;
    } else {
      state = DriftState.STABLE;
    }
    return state;
  }

  /** Inserts v into the sorted prefix a[0..len) giving a[0..len]. */
  private static void insertSorted(double[] a, int len, double v) {
    int j = len - 1;
    while (j >= 0 && a[j] > v) {
      a[j + 1] = a[j];
      j--;
    }
    a[j + 1] = v;
  }

  /** Removes one occurrence of v from the sorted a[0..len). */
  private static void removeSorted(double[] a, int len, double v) {
    int i = 0;
    while (a[i] != v) {
      i++;
    }
    System.arraycopy(a, i + 1, a, i, len - i - 1);
  }

  private double at(int i) {
    int j = head + i;
    return window[j >= windowSize ? j - windowSize : j];
  }

  /** max over values of |F_a - F_b| times n, for two sorted samples of size n. */
  private static int statisticTimesN(double[] a, double[] b) {
    int n = a.length;
    int i = 0;
    int j = 0;
    int max = 0;
    while (i < n && j < n) {
      double v = Math.min(a[i], b[j]);
      while (i < n && a[i] <= v) {
        i++;
      }
      while (j < n && b[j] <= v) {
        j++;
      }
      int d = Math.abs(i - j);
      if (d > max) {
        max = d;
      }
    }
    return max;
  }

  /** SplitMix64 (Steele, Lea and Flood 2014). */
  private long nextLong() {
    long z = (rngState += 0x9E3779B97F4A7C15L);
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  private int nextInt(int bound) {
    return (int) (((nextLong() >>> 32) * bound) >>> 32);
  }

  /**
   * Two-sided exact null distribution of the two-sample statistic for equal sizes n without ties
   * (Gnedenko and Korolyuk 1951): P(D >= k/n) = 2 sum_{j>=1} (-1)^(j+1) C(2n, n-jk) / C(2n, n).
   */
  static double[] exactPValues(int n) {
    // ratio[t] = C(2n, n - t) / C(2n, n)
    double[] ratio = new double[n + 1];
    ratio[0] = 1.0;
    for (int t = 1; t <= n; t++) {
      ratio[t] = ratio[t - 1] * (n - t + 1) / (n + t);
    }
    double[] p = new double[n + 1];
    p[0] = 1.0;
    for (int k = 1; k <= n; k++) {
      double s = 0.0;
      for (int j = 1; j * k <= n; j++) {
        s += (j % 2 == 1 ? 1.0 : -1.0) * ratio[j * k];
      }
      p[k] = Math.min(1.0, Math.max(0.0, 2.0 * s));
    }
    return p;
  }

  /** Empties the window and rewinds the sampler to its seed, for {@link #reset()}. */
  @Override
  void restart() {
    head = 0;
    size = 0;
    rngState = seed;
    lastPValue = 1.0;
    resetPermutation();
  }

  /** @return the p-value of the latest test (1 before the window first fills) */
  public double lastPValue() {
    return lastPValue;
  }

  @Override
  int parameterBytes() {
    return 8 + 4 + 4 + 8;
  }

  @Override
  void writeParameters(ByteBuffer out) {
    out.putDouble(alpha).putInt(windowSize).putInt(statSize).putLong(seed);
  }

  @Override
  int stateBytes() {
    return 8 + 8 + indices.length * 4 + 4 + size * 8;
  }

  @Override
  void writeState(ByteBuffer out) {
    out.putLong(rngState).putDouble(lastPValue);
    for (int index : indices) {
      out.putInt(index);
    }
    out.putInt(size);
    for (int i = 0; i < size; i++) {
      out.putDouble(at(i));
    }
  }

  static Kswin read(ByteBuffer body) {
    Kswin d = builder().alpha(body.getDouble()).windowSize(body.getInt()).statSize(body.getInt())
        .seed(body.getLong()).build();
    d.readCountAndState(body);
    d.rngState = body.getLong();
    d.lastPValue = body.getDouble();
    boolean[] seen = new boolean[d.indices.length];
    for (int i = 0; i < d.indices.length; i++) {
      int index = body.getInt();
      DetectorBytes.check(index >= 0 && index < seen.length && !seen[index],
          "sampling permutation entry " + index);
      seen[index] = true;
      d.indices[i] = index;
    }
    int size = body.getInt();
    DetectorBytes.check(size >= 0 && size <= d.windowSize && size <= d.count,
        "window holds " + size + " of " + d.windowSize + " after " + d.count + " inputs");
    DetectorBytes.check(d.lastPValue >= 0 && d.lastPValue <= 1, "p-value " + d.lastPValue);
    for (int i = 0; i < size; i++) {
      double v = body.getDouble();
      DetectorBytes.check(Double.isFinite(v), "window value " + v);
      d.window[i] = v;
      if (i >= size - d.statSize) {
        insertSorted(d.recent, i - Math.max(0, size - d.statSize), v);
      }
    }
    d.size = size;
    return d;
  }

  @Override
  public String toString() {
    return "Kswin[alpha=" + alpha + ", windowSize=" + windowSize + ", statSize=" + statSize
        + ", seed=" + seed + ", count=" + count + ", state=" + state + "]";
  }

  /**
   * Builds {@link Kswin}; each setter validates immediately.
   *
   * <p>Not thread-safe; confine to one thread.
   */
  public static final class Builder {
    private double alpha = 0.005;
    private int windowSize = 100;
    private int statSize = 30;
    private long seed = 1L;

    private Builder() {}

    /**
     * @param value significance of the Kolmogorov–Smirnov test, in (0, 1); default 0.005
     * @return this builder
     * @throws IllegalArgumentException if out of range
     */
    public Builder alpha(double value) {
      this.alpha = BuilderChecks.openUnit("alpha", value);
      return this;
    }

    /**
     * @param value inputs kept, in [4, 100000] and at least twice statSize; default 100
     * @return this builder
     * @throws IllegalArgumentException if out of range
     */
    public Builder windowSize(int value) {
      this.windowSize = BuilderChecks.intRange("windowSize", value, 4, 100_000);
      return this;
    }

    /**
     * @param value size of each of the two compared samples, in [2, 1000] and at most half of
     *     windowSize; default 30
     * @return this builder
     * @throws IllegalArgumentException if out of range
     */
    public Builder statSize(int value) {
      this.statSize = BuilderChecks.intRange("statSize", value, 2, 1000);
      return this;
    }

    /**
     * @param value seed of the generator that draws the reference sample; default 1
     * @return this builder
     */
    public Builder seed(long value) {
      this.seed = value;
      return this;
    }

    /**
     * @return a new detector
     * @throws IllegalArgumentException if windowSize is less than twice statSize
     */
    public Kswin build() {
      if (windowSize < 2 * statSize) {
        throw new IllegalArgumentException("windowSize = " + windowSize + " is less than twice "
            + "statSize = " + statSize + "; valid: windowSize >= 2 * statSize");
      }
      return new Kswin(this);
    }
  }
}
