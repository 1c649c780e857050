package dev.mlops.drift;

import java.nio.ByteBuffer;

/**
 * HDDM_A, the drift detector of Frías-Blanco et al. (IEEE TKDE 2015) that compares moving
 * averages with Hoeffding's inequality, for a stream of values in [0, 1] (an error indicator or
 * a normalised loss).
 *
 * <p>The detector keeps the mean {@code Y} of all inputs of the current concept and a cut point:
 * the prefix {@code X} of the concept whose mean plus Hoeffding bound
 * {@code sqrt(ln(1/driftConfidence) / (2 n))} was smallest. It reports
 * {@link DriftState#DRIFT} when {@code mean(Y) - mean(X) >= sqrt(m/2 ln(2/driftConfidence))}
 * with {@code m = 1/|X| - 1/|Y|}, and {@link DriftState#WARNING} when the same holds at
 * {@code warningConfidence}. Only an increase of the mean (a rising error rate) is reported. With
 * the two-sided test (the default) a significant decrease, found the same way with a second cut
 * point, silently restarts the statistics and is reported as neither drift nor warning. After a
 * drift the statistics restart within the same input.
 *
 * <p>Inputs are clamped to [0, 1]; NaN and infinities are ignored. Defaults are the published
 * ones: {@code driftConfidence = 0.001}, {@code warningConfidence = 0.005}, two-sided.
 *
 * <p>Not thread-safe; confine to one thread.
 */
public final class HddmA extends AbstractDetector {

  private final double driftConfidence;
  private final double warningConfidence;
  private final boolean twoSided;
  private final double lnCut;
  private final double lnDrift;
  private final double lnWarning;

  private long n;
  private double sum;
  private long nIncreaseCut;
  private double sumIncreaseCut;
  private long nDecreaseCut;
  private double sumDecreaseCut;
  // mean + bound (resp. mean - bound) at the cut points; derived, so not serialized.
  private double increaseCutLevel;
  private double decreaseCutLevel;

  private HddmA(Builder b) {
    super(DetectorBytes.Kind.HDDM_A);
    this.driftConfidence = b.driftConfidence;
    this.warningConfidence = b.warningConfidence;
    this.twoSided = b.twoSided;
    this.lnCut = Math.log(1.0 / driftConfidence);
    this.lnDrift = Math.log(2.0 / driftConfidence);
    this.lnWarning = Math.log(2.0 / warningConfidence);
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
    double v = x < 0.0 ? 0.0 : (x > 1.0 ? 1.0 : x);
    n++;
    sum += v;
    double mean = sum / n;
    double bound = Math.sqrt(lnCut / (2.0 * n));
    if (nIncreaseCut == 0 || mean + bound <= increaseCutLevel) {
      nIncreaseCut = n;
      sumIncreaseCut = sum;
      increaseCutLevel = mean + bound;
    }
    if (nDecreaseCut == 0 || mean - bound >= decreaseCutLevel) {
      nDecreaseCut = n;
      sumDecreaseCut = sum;
      decreaseCutLevel = mean - bound;
    }
    if (meanRose(lnDrift)) {
      restart();
      state = DriftState.DRIFT;
    } else if (twoSided && meanFell(lnDrift)) {
      restart();
      state = DriftState.STABLE;
    } else if (meanRose(lnWarning)) {
      state = DriftState.WARNING;
    } else {
      state = DriftState.STABLE;
    }
    return state;
  }

  private boolean meanRose(double lnInverseConfidence) {
    if (nIncreaseCut >= n) {
      return false;
    }
    double diff = sum / n - sumIncreaseCut / nIncreaseCut;
    if (diff <= 0.0) {
      return false; // the bound is positive
    }
    double m = 1.0 / nIncreaseCut - 1.0 / n;
    return diff >= Math.sqrt(m / 2.0 * lnInverseConfidence);
  }

  private boolean meanFell(double lnInverseConfidence) {
    if (nDecreaseCut >= n) {
      return false;
    }
    double diff = sumDecreaseCut / nDecreaseCut - sum / n;
    if (diff <= 0.0) {
      return false; // the bound is positive
    }
    double m = 1.0 / nDecreaseCut - 1.0 / n;
    return diff >= Math.sqrt(m / 2.0 * lnInverseConfidence);
  }

  @Override
  void restart() {
    n = 0;
    sum = 0.0;
    nIncreaseCut = 0;
    sumIncreaseCut = 0.0;
    nDecreaseCut = 0;
    sumDecreaseCut = 0.0;
  }

  @Override
  int parameterBytes() {
    return 8 + 8 + 1;
  }

  @Override
  void writeParameters(ByteBuffer out) {
    out.putDouble(driftConfidence).putDouble(warningConfidence).put((byte) (twoSided ? 1 : 0));
  }

  @Override
  int stateBytes() {
    return 8 * 6;
  }

  @Override
  void writeState(ByteBuffer out) {
    out.putLong(n).putDouble(sum).putLong(nIncreaseCut).putDouble(sumIncreaseCut).putLong(nDecreaseCut)
        .putDouble(sumDecreaseCut);
  }

  static HddmA read(ByteBuffer body) {
    Builder b = builder().driftConfidence(body.getDouble()).warningConfidence(body.getDouble());
    byte sided = body.get();
    DetectorBytes.check(sided == 0 || sided == 1, "two-sided flag " + sided);
    HddmA d = b.twoSided(sided == 1).build();
    d.readCountAndState(body);
    d.n = body.getLong();
    d.sum = body.getDouble();
    d.nIncreaseCut = body.getLong();
    d.sumIncreaseCut = body.getDouble();
    d.nDecreaseCut = body.getLong();
    d.sumDecreaseCut = body.getDouble();
    DetectorBytes.check(d.count >= d.n && d.n >= 0 && d.nIncreaseCut >= 0
        && d.nIncreaseCut <= d.n && d.nDecreaseCut >= 0 && d.nDecreaseCut <= d.n,
        "counts " + d.count + "/" + d.n + "/" + d.nIncreaseCut + "/" + d.nDecreaseCut);
    DetectorBytes.check(d.sum >= 0 && d.sum <= d.n, "sum " + d.sum + " of " + d.n + " inputs");
    if (d.nIncreaseCut > 0) {
      d.increaseCutLevel = d.sumIncreaseCut / d.nIncreaseCut
          + Math.sqrt(d.lnCut / (2.0 * d.nIncreaseCut));
    }
    if (d.nDecreaseCut > 0) {
      d.decreaseCutLevel = d.sumDecreaseCut / d.nDecreaseCut
          - Math.sqrt(d.lnCut / (2.0 * d.nDecreaseCut));
    }
    return d;
  }

  @Override
  public String toString() {
    return "HddmA[driftConfidence=" + driftConfidence + ", warningConfidence=" + warningConfidence
        + ", twoSided=" + twoSided + ", count=" + count + ", state=" + state + "]";
  }

  /**
   * Builds {@link HddmA}; each setter validates immediately.
   *
   * <p>Not thread-safe; confine to one thread.
   */
  public static final class Builder {
    private double driftConfidence = 0.001;
    private double warningConfidence = 0.005;
    private boolean twoSided = true;

    private Builder() {}

    /**
     * @param value significance of the drift test, in (0, 1); default 0.001
     * @return this builder
     * @throws IllegalArgumentException if out of range
     */
    public Builder driftConfidence(double value) {
      this.driftConfidence = BuilderChecks.openUnit("driftConfidence", value);
      return this;
    }

    /**
     * @param value significance of the warning test, in (0, 1); default 0.005
     * @return this builder
     * @throws IllegalArgumentException if out of range
     */
    public Builder warningConfidence(double value) {
      this.warningConfidence = BuilderChecks.openUnit("warningConfidence", value);
      return this;
    }

    /**
     * @param value true (default) to also watch for a significant decrease, which silently
     *     restarts the statistics; false for the one-sided test
     * @return this builder
     */
    public Builder twoSided(boolean value) {
      this.twoSided = value;
      return this;
    }

    /**
     * @return a new detector
     * @throws IllegalArgumentException if warningConfidence is smaller than driftConfidence
     */
    public HddmA build() {
      if (warningConfidence < driftConfidence) {
        throw new IllegalArgumentException("warningConfidence = " + warningConfidence
            + " is smaller than driftConfidence = " + driftConfidence
            + "; valid: warningConfidence >= driftConfidence");
      }
      return new HddmA(this);
    }
  }
}
