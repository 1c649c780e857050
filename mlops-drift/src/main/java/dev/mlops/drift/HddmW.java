package dev.mlops.drift;

import java.nio.ByteBuffer;

/**
 * HDDM_W, the drift detector of Frías-Blanco et al. (IEEE TKDE 2015) that compares
 * exponentially weighted moving averages (EWMA, weight {@code lambda} on the newest input) with
 * McDiarmid's inequality, for a stream of values in [0, 1].
 *
 * <p>For a weighted average with weights {@code w_i} the bound at significance {@code a} is
 * {@code eps = sqrt(sum(w_i^2) ln(1/a) / 2)}. The detector keeps the EWMA of all inputs of the
 * current concept, a cut point where that EWMA plus its bound (at {@code driftConfidence}) was
 * smallest, the EWMA {@code X} frozen at the cut and the EWMA {@code Z} of the inputs after it. It
 * reports {@link DriftState#DRIFT} when {@code Z - X} exceeds the bound of the difference at
 * {@code driftConfidence} and {@link DriftState#WARNING} when it exceeds it at
 * {@code warningConfidence}. Only an increase (a rising error rate) is reported; with the
 * two-sided test a significant decrease silently restarts the statistics. After a drift the
 * statistics restart within the same input.
 *
 * <p>Inputs are clamped to [0, 1]; NaN and infinities are ignored. Defaults are the published
 * ones: {@code driftConfidence = 0.001}, {@code warningConfidence = 0.005},
 * {@code lambda = 0.05}, one-sided.
 *
 * <p>Not thread-safe; confine to one thread.
 */
public final class HddmW extends AbstractDetector {

  private final double driftConfidence;
  private final double warningConfidence;
  private final double lambda;
  private final boolean twoSided;
  private final double lnDrift;
  private final double lnWarning;

  // Each EWMA is (estimate, sum of squared weights); an empty one has weights == 0.
  private double total;
  private double totalWeights;
  private double incCut;
  private double incCutWeights;
  private double incAfter;
  private double incAfterWeights;
  private double decCut;
  private double decCutWeights;
  private double decAfter;
  private double decAfterWeights;
  // EWMA plus (minus) its bound at the cut points; derived, so not serialized.
  private double incCutLevel;
  private double decCutLevel;

  private HddmW(Builder b) {
    super(DetectorBytes.Kind.HDDM_W);
    this.driftConfidence = b.driftConfidence;
    this.warningConfidence = b.warningConfidence;
    this.lambda = b.lambda;
    this.twoSided = b.twoSided;
    this.lnDrift = Math.log(1.0 / driftConfidence);
    this.lnWarning = Math.log(1.0 / warningConfidence);
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
    double decay = 1.0 - lambda;
    double decay2 = decay * decay;
    double lambda2 = lambda * lambda;
    if (totalWeights == 0.0) {
      total = v;
      totalWeights = 1.0;
    } else {
      total = lambda * v + decay * total;
      totalWeights = lambda2 + decay2 * totalWeights;
    }
    // Inputs after the increase cut.
    if (incAfterWeights == 0.0) {
      incAfter = v;
      incAfterWeights = 1.0;
    } else {
      incAfter = lambda * v + decay * incAfter;
      incAfterWeights = lambda2 + decay2 * incAfterWeights;
    }
    if (decAfterWeights == 0.0) {
      decAfter = v;
      decAfterWeights = 1.0;
    } else {
      decAfter = lambda * v + decay * decAfter;
      decAfterWeights = lambda2 + decay2 * decAfterWeights;
    }
    double bound = Math.sqrt(totalWeights * lnDrift / 2.0);
    if (incCutWeights == 0.0 || total + bound <= incCutLevel) {
      incCut = total;
      incCutWeights = totalWeights;
      incCutLevel = total + bound;
      incAfter = 0.0;
      incAfterWeights = 0.0;
    }
    if (decCutWeights == 0.0 || total - bound >= decCutLevel) {
      decCut = total;
      decCutWeights = totalWeights;
      decCutLevel = total - bound;
      decAfter = 0.0;
      decAfterWeights = 0.0;
    }
    if (rose(lnDrift)) {
      restart();
      state = DriftState.DRIFT;
    } else if (twoSided && fell(lnDrift)) {
      restart();
      state = DriftState.STABLE;
    } else if (rose(lnWarning)) {
      state = DriftState.WARNING;
    } else {
      state = DriftState.STABLE;
    }
    return state;
  }

  private boolean rose(double ln) {
    if (incAfterWeights == 0.0 || incAfter - incCut <= 0.0) {
      return false;
    }
    double eps = Math.sqrt((incCutWeights + incAfterWeights) * ln / 2.0);
    return incAfter - incCut > eps;
  }

  private boolean fell(double ln) {
    if (decAfterWeights == 0.0 || decCut - decAfter <= 0.0) {
      return false;
    }
    double eps = Math.sqrt((decCutWeights + decAfterWeights) * ln / 2.0);
    return decCut - decAfter > eps;
  }

  @Override
  void restart() {
    total = 0.0;
    totalWeights = 0.0;
    incCut = 0.0;
    incCutWeights = 0.0;
    incAfter = 0.0;
    incAfterWeights = 0.0;
    decCut = 0.0;
    decCutWeights = 0.0;
    decAfter = 0.0;
    decAfterWeights = 0.0;
  }

  @Override
  int parameterBytes() {
    return 8 * 3 + 1;
  }

  @Override
  void writeParameters(ByteBuffer out) {
    out.putDouble(driftConfidence).putDouble(warningConfidence).putDouble(lambda).put((byte) (twoSided ? 1 : 0));
  }

  @Override
  int stateBytes() {
    return 8 * 10;
  }

  @Override
  void writeState(ByteBuffer out) {
    out.putDouble(total).putDouble(totalWeights).putDouble(incCut).putDouble(incCutWeights)
        .putDouble(incAfter).putDouble(incAfterWeights).putDouble(decCut).putDouble(decCutWeights)
        .putDouble(decAfter).putDouble(decAfterWeights);
  }

  static HddmW read(ByteBuffer body) {
    Builder b = builder().driftConfidence(body.getDouble()).warningConfidence(body.getDouble())
        .lambda(body.getDouble());
    byte sided = body.get();
    DetectorBytes.check(sided == 0 || sided == 1, "two-sided flag " + sided);
    HddmW d = b.twoSided(sided == 1).build();
    d.readCountAndState(body);
    d.total = body.getDouble();
    d.totalWeights = body.getDouble();
    d.incCut = body.getDouble();
    d.incCutWeights = body.getDouble();
    d.incAfter = body.getDouble();
    d.incAfterWeights = body.getDouble();
    d.decCut = body.getDouble();
    d.decCutWeights = body.getDouble();
    d.decAfter = body.getDouble();
    d.decAfterWeights = body.getDouble();
    DetectorBytes.check(d.count >= 0, "count " + d.count);
    for (double w : new double[] {d.totalWeights, d.incCutWeights, d.incAfterWeights,
        d.decCutWeights, d.decAfterWeights}) {
      DetectorBytes.check(w >= 0.0 && w <= 1.0 + 1e-9, "sum of squared weights " + w);
    }
    for (double e : new double[] {d.total, d.incCut, d.incAfter, d.decCut, d.decAfter}) {
      DetectorBytes.check(e >= -1e-9 && e <= 1.0 + 1e-9, "moving average " + e);
    }
    d.incCutLevel = d.incCut + Math.sqrt(d.incCutWeights * d.lnDrift / 2.0);
    d.decCutLevel = d.decCut - Math.sqrt(d.decCutWeights * d.lnDrift / 2.0);
    return d;
  }

  @Override
  public String toString() {
    return "HddmW[driftConfidence=" + driftConfidence + ", warningConfidence=" + warningConfidence
        + ", lambda=" + lambda + ", twoSided=" + twoSided + ", count=" + count + ", state="
        + state + "]";
  }

  /**
   * Builds {@link HddmW}; each setter validates immediately.
   *
   * <p>Not thread-safe; confine to one thread.
   */
  public static final class Builder {
    private double driftConfidence = 0.001;
    private double warningConfidence = 0.005;
    private double lambda = 0.05;
    private boolean twoSided;

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
     * @param value EWMA weight of the newest input, in (0, 1); default 0.05
     * @return this builder
     * @throws IllegalArgumentException if out of range
     */
    public Builder lambda(double value) {
      this.lambda = BuilderChecks.openUnit("lambda", value);
      return this;
    }

    /**
     * @param value true to also watch for a significant decrease, which silently restarts the
     *     statistics; false (default) for the one-sided test
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
    public HddmW build() {
      if (warningConfidence < driftConfidence) {
        throw new IllegalArgumentException("warningConfidence = " + warningConfidence
            + " is smaller than driftConfidence = " + driftConfidence
            + "; valid: warningConfidence >= driftConfidence");
      }
      return new HddmW(this);
    }
  }
}
