package dev.mlops.drift;

import java.nio.ByteBuffer;

/**
 * ADWIN, the adaptive sliding window of Bifet and Gavaldà (SDM 2007), in its ADWIN2 form: the
 * window is summarised by an exponential histogram (at most {@code maxBuckets} buckets of each
 * size 1, 2, 4, …), so memory and time are logarithmic in the window length.
 *
 * <p>Every {@code clock} inputs, once the window holds more than 10 items, each split of the
 * window at a bucket boundary into an older part {@code W0} and a newer part {@code W1} (both of
 * at least {@code minSubWindowLength} items) is tested; if
 * {@code |mean(W0) - mean(W1)| > eps_cut}, with
 * {@code eps_cut = sqrt(2 m sigma^2 d) + 2 m d / 3}, {@code d = ln(2 ln(|W|) / delta)},
 * {@code m = 1/(|W0| - k + 1) + 1/(|W1| - k + 1)} ({@code k = minSubWindowLength}) and
 * {@code sigma^2} the window's variance, the oldest bucket is dropped and the test repeats.
 * The input is reported as {@link DriftState#DRIFT} when at least one bucket was dropped and
 * the window's mean rose (an error rate or loss got worse); with
 * {@link Builder#reportDecreases(boolean)} a fall is reported too. A shrink happens either way.
 * ADWIN does not restart after a drift: it keeps the part of the window after the change. It has
 * no warning zone.
 *
 * <p>{@link #update(double)} allocates nothing: the histogram lives in preallocated primitive
 * arrays (about 6 KB per detector). NaN and infinities are ignored. Defaults are the published
 * ones: {@code delta = 0.002}, {@code clock = 32}, {@code maxBuckets = 5},
 * {@code minSubWindowLength = 5}.
 *
 * <p>Not thread-safe; confine to one thread.
 */
public final class Adwin extends AbstractDetector {

  /** Rows of the histogram; row r holds buckets of 2^r items, so 62 rows exceed any long. */
  private static final int ROWS = 62;
  /** The window is never tested while it holds this many items or fewer. */
  private static final int MIN_WINDOW_FOR_CUT = 10;

  private final double delta;
  private final int clock;
  private final int maxBuckets;
  private final int minSubWindowLength;
  private final boolean reportDecreases;
  private final int rowStride;

  // Bucket (row r, slot k) is at r * rowStride + k; slot 0 is the oldest bucket of the row.
  private final double[] totals;
  private final double[] variances;
  private final int[] rowSizes;
  private int rows;

  private long tick;
  private long nextCheck;
  private long width;
  private double total;
  private double variance;
  private long detections;

  private Adwin(Builder b) {
    super(DetectorBytes.Kind.ADWIN);
    this.delta = b.delta;
    this.clock = b.clock;
    this.maxBuckets = b.maxBuckets;
    this.minSubWindowLength = b.minSubWindowLength;
    this.reportDecreases = b.reportDecreases;
    this.rowStride = maxBuckets + 1;
    this.totals = new double[ROWS * rowStride];
    this.variances = new double[ROWS * rowStride];
    this.rowSizes = new int[ROWS];
    this.rows = 1;
    this.nextCheck = clock;
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
    double before = width == 0 ? 0.0 : total / width;
    insert(x);
    boolean shrunk = detectChange();
    // As in the reference, a shrink that lowered the mean (an error rate falling) is not
    // reported unless asked for; the window shrinks either way.
    state = shrunk && (reportDecreases || total / width > before)
        ? DriftState.DRIFT : DriftState.STABLE;
    return state;
  }

  private void insert(double x) {
    width++;
    if (width > 1) {
      double meanBefore = total / (width - 1);
      variance += (width - 1) * (x - meanBefore) * (x - meanBefore) / width;
    }
    total += x;
    int slot = rowSizes[0]++;
    totals[slot] = x;
    variances[slot] = 0.0;
    compress();
  }

  private void compress() {
    for (int r = 0; r < rows; r++) {
      if (rowSizes[r] <= maxBuckets) {
        return;
      }
      if (r + 1 == rows) {
        if (rows == ROWS) {
          throw new IllegalStateException("ADWIN window exceeds 2^" + ROWS + " items");
        }
        rowSizes[rows++] = 0;
      }
      int base = r * rowStride;
      double size = Math.scalb(1.0, r);
      double t0 = totals[base];
      double t1 = totals[base + 1];
      double mu0 = t0 / size;
      double mu1 = t1 / size;
      double merged = variances[base] + variances[base + 1]
          + size * size * (mu0 - mu1) * (mu0 - mu1) / (size + size);
      int next = (r + 1) * rowStride + rowSizes[r + 1]++;
      totals[next] = t0 + t1;
      variances[next] = merged;
      dropOldest(r, 2);
    }
  }

  private void dropOldest(int r, int k) {
    int base = r * rowStride;
    int size = rowSizes[r];
    System.arraycopy(totals, base + k, totals, base, size - k);
    System.arraycopy(variances, base + k, variances, base, size - k);
    rowSizes[r] = size - k;
  }

  /** Removes the oldest bucket of the window; returns its number of items. */
  private double deleteOldestBucket() {
    int r = rows - 1;
    int base = r * rowStride;
    double n = Math.scalb(1.0, r);
    double u = totals[base];
    double mu = u / n;
    double v = variances[base];
    width -= (long) n;
    total -= u;
    double muWindow = total / width;
    variance -= v + n * width * (mu - muWindow) * (mu - muWindow) / (n + width);
    dropOldest(r, 1);
    if (rowSizes[r] == 0 && rows > 1) {
      rows--;
    }
    return n;
  }

  private boolean detectChange() {
    tick++;
    if (tick != nextCheck) {
      return false;
    }
    nextCheck += clock;
    if (width <= MIN_WINDOW_FOR_CUT) {
      return false;
    }
    boolean changed = false;
    boolean reduce = true;
    while (reduce) {
      reduce = false;
      double n0 = 0.0;
      double n1 = width;
      double u0 = 0.0;
      double u1 = total;
      double deltaPrime = Math.log(2.0 * Math.log(width) / delta);
      double varianceInWindow = variance / width;
      scan:
      for (int r = rows - 1; r >= 0; r--) {
        int base = r * rowStride;
        double size = Math.scalb(1.0, r);
        int last = rowSizes[r] - 1;
        for (int k = 0; k <= last; k++) {
          n0 += size;
          n1 -= size;
          u0 += totals[base + k];
          u1 -= totals[base + k];
          if (r == 0 && k == last) {
            break scan; // W1 would be empty
          }
          if (n1 >= minSubWindowLength && n0 >= minSubWindowLength
              && cutIsSignificant(n0, n1, u0 / n0 - u1 / n1, deltaPrime, varianceInWindow)) {
            changed = true;
            reduce = true;
            deleteOldestBucket();
            break scan;
          }
        }
      }
    }
    if (changed) {
      detections++;
    }
    return changed;
  }

  private boolean cutIsSignificant(double n0, double n1, double meanDiff, double deltaPrime,
      double varianceInWindow) {
    double mRecip = 1.0 / (n0 - minSubWindowLength + 1) + 1.0 / (n1 - minSubWindowLength + 1);
    double underRoot = 2.0 * mRecip * varianceInWindow * deltaPrime;
    // Exact shortcut: if meanDiff^2 is clearly below underRoot, |meanDiff| < sqrt(underRoot) <= eps
    // whatever the rounding, so the square root (the costly step) is skipped.
    if (meanDiff * meanDiff < underRoot * (1.0 - 1e-9)) {
      return false;
    }
    double eps = Math.sqrt(underRoot) + 2.0 / 3.0 * deltaPrime * mRecip;
    return Math.abs(meanDiff) > eps;
  }

  /** Empties the window, for {@link #reset()} (ADWIN itself never restarts on a drift). */
  @Override
  void restart() {
    tick = 0;
    nextCheck = clock;
    width = 0;
    total = 0.0;
    variance = 0.0;
    detections = 0;
    rows = 1;
    java.util.Arrays.fill(rowSizes, 0);
  }

  /** @return the number of items in the current window */
  public long width() {
    return width;
  }

  /** @return the mean of the current window (0 when empty) */
  public double mean() {
    return width == 0 ? 0.0 : total / width;
  }

  /** @return the variance of the current window (0 when empty) */
  public double variance() {
    return width == 0 ? 0.0 : variance / width;
  }

  /** @return drifts reported since creation or the last {@link #reset()} */
  public long detections() {
    return detections;
  }

  @Override
  int parameterBytes() {
    return 8 + 4 + 4 + 4 + 1;
  }

  @Override
  void writeParameters(ByteBuffer out) {
    out.putDouble(delta).putInt(clock).putInt(maxBuckets).putInt(minSubWindowLength)
        .put((byte) (reportDecreases ? 1 : 0));
  }

  @Override
  int stateBytes() {
    int buckets = 0;
    for (int r = 0; r < rows; r++) {
      buckets += rowSizes[r];
    }
    return 8 * 5 + 4 + rows * 4 + buckets * 16;
  }

  @Override
  void writeState(ByteBuffer out) {
    out.putLong(tick).putLong(width).putDouble(total).putDouble(variance).putLong(detections);
    out.putInt(rows);
    for (int r = 0; r < rows; r++) {
      out.putInt(rowSizes[r]);
      for (int k = 0; k < rowSizes[r]; k++) {
        out.putDouble(totals[r * rowStride + k]).putDouble(variances[r * rowStride + k]);
      }
    }
  }

  static Adwin read(ByteBuffer body) {
    Adwin d = builder().delta(body.getDouble()).clock(body.getInt()).maxBuckets(body.getInt())
        .minSubWindowLength(body.getInt()).reportDecreases(readFlag(body)).build();
    d.readCountAndState(body);
    d.tick = body.getLong();
    d.nextCheck = (d.tick / d.clock + 1) * d.clock;
    d.width = body.getLong();
    d.total = body.getDouble();
    d.variance = body.getDouble();
    d.detections = body.getLong();
    int rows = body.getInt();
    DetectorBytes.check(rows >= 1 && rows <= ROWS, "histogram rows " + rows);
    d.rows = rows;
    long items = 0;
    for (int r = 0; r < rows; r++) {
      int size = body.getInt();
      DetectorBytes.check(size >= 0 && size <= d.maxBuckets, "row " + r + " holds " + size
          + " buckets, at most " + d.maxBuckets + " allowed");
      d.rowSizes[r] = size;
      for (int k = 0; k < size; k++) {
        d.totals[r * d.rowStride + k] = body.getDouble();
        d.variances[r * d.rowStride + k] = body.getDouble();
      }
      items += (long) size << r;
    }
    DetectorBytes.check(items == d.width, "buckets hold " + items + " items, width " + d.width);
    DetectorBytes.check(d.count >= 0 && d.tick >= 0 && d.detections >= 0,
        "negative counters");
    return d;
  }

  private static boolean readFlag(ByteBuffer body) {
    byte b = body.get();
    DetectorBytes.check(b == 0 || b == 1, "flag byte " + b);
    return b == 1;
  }

  @Override
  public String toString() {
    return "Adwin[delta=" + delta + ", clock=" + clock + ", maxBuckets=" + maxBuckets
        + ", minSubWindowLength=" + minSubWindowLength + ", reportDecreases=" + reportDecreases
        + ", count=" + count + ", width=" + width
        + ", state=" + state + "]";
  }

  /**
   * Builds {@link Adwin}; each setter validates immediately.
   *
   * <p>Not thread-safe; confine to one thread.
   */
  public static final class Builder {
    private double delta = 0.002;
    private int clock = 32;
    private int maxBuckets = 5;
    private int minSubWindowLength = 5;
    private boolean reportDecreases;

    private Builder() {}

    /**
     * @param value confidence of the cut test, in (0, 1); default 0.002 (smaller: fewer false
     *     alarms, later detection)
     * @return this builder
     * @throws IllegalArgumentException if out of range
     */
    public Builder delta(double value) {
      this.delta = BuilderChecks.openUnit("delta", value);
      return this;
    }

    /**
     * @param value inputs between two cut tests, in [1, 2^20]; default 32
     * @return this builder
     * @throws IllegalArgumentException if out of range
     */
    public Builder clock(int value) {
      this.clock = BuilderChecks.intRange("clock", value, 1, 1 << 20);
      return this;
    }

    /**
     * @param value buckets of each size kept before two are merged, in [2, 64]; default 5
     * @return this builder
     * @throws IllegalArgumentException if out of range
     */
    public Builder maxBuckets(int value) {
      this.maxBuckets = BuilderChecks.intRange("maxBuckets", value, 2, 64);
      return this;
    }

    /**
     * @param value least items on each side of a tested cut, in [1, 2^20]; default 5
     * @return this builder
     * @throws IllegalArgumentException if out of range
     */
    public Builder minSubWindowLength(int value) {
      this.minSubWindowLength = BuilderChecks.intRange("minSubWindowLength", value, 1, 1 << 20);
      return this;
    }

    /**
     * @param value whether a shrink that lowers the window's mean is reported as drift too;
     *     default false (only a rising mean, a worsening error stream, is drift, as in the
     *     reference)
     * @return this builder
     */
    public Builder reportDecreases(boolean value) {
      this.reportDecreases = value;
      return this;
    }

    /** @return a new detector */
    public Adwin build() {
      return new Adwin(this);
    }
  }
}
