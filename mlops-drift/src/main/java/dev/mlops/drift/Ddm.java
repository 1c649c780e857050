package dev.mlops.drift;

import java.nio.ByteBuffer;

/**
 * DDM, the Drift Detection Method of Gama, Medas, Castillo and Rodrigues (SBIA 2004), over an
 * error-indicator stream (0 = correct prediction, 1 = error).
 *
 * <p>After {@code i} inputs the error rate is {@code p_i} with standard deviation
 * {@code s_i = sqrt(p_i (1 - p_i) / i)}. The detector remembers the minimum of {@code p_i + s_i}
 * (as {@code p_min}, {@code s_min}); from the {@code (minNumInstances - 1)}-th input of a concept
 * on (as in the reference; about {@code minNumInstances} inputs) it
 * reports {@link DriftState#WARNING} while {@code p_i + s_i > p_min + warningLevel * s_min} and
 * {@link DriftState#DRIFT} when {@code p_i + s_i > p_min + driftLevel * s_min}. After a drift
 * the next input is the first one of a new concept: all statistics restart from scratch.
 *
 * <p>Inputs are clamped to [0, 1] (a value between 0 and 1 counts as a fractional error);
 * NaN and infinities are ignored. Defaults are the published ones: {@code minNumInstances = 30},
 * {@code warningLevel = 2}, {@code driftLevel = 3}.
 *
 * <p>Not thread-safe; confine to one thread.
 */
public final class Ddm extends AbstractDetector {

  private final int minNumInstances;
  private final double warningLevel;
  private final double driftLevel;

  private long n;
  private double p;
  private double pMin;
  private double sMin;

  private Ddm(Builder b) {
    super(DetectorBytes.Kind.DDM);
    this.minNumInstances = b.minNumInstances;
    this.warningLevel = b.warningLevel;
    this.driftLevel = b.driftLevel;
    restart();
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
    if (state == DriftState.DRIFT) {
      restart();
    }
    double e = x < 0.0 ? 0.0 : (x > 1.0 ? 1.0 : x);
    n++;
    p += (e - p) / n;
    double s = Math.sqrt(p * (1.0 - p) / n);
    // The reference may signal from the (minNumInstances - 1)-th input of a concept.
    if (n + 1 < minNumInstances) {
      state = DriftState.STABLE;
      return state;
    }
    if (p + s <= pMin + sMin) {
      pMin = p;
      sMin = s;
    }
    if (p + s > pMin + driftLevel * sMin) {
      state = DriftState.DRIFT;
    } else if (p + s > pMin + warningLevel * sMin) {
      state = DriftState.WARNING;
    } else {
      state = DriftState.STABLE;
    }
    return state;
  }

  @Override
  void restart() {
    n = 0;
    p = 1.0;
    pMin = Double.MAX_VALUE;
    sMin = Double.MAX_VALUE;
  }

  /** @return the error rate of the current concept (1 before any input, as the paper starts) */
  public double errorRate() {
    return p;
  }

  @Override
  int parameterBytes() {
    return 4 + 8 + 8;
  }

  @Override
  void writeParameters(ByteBuffer out) {
    out.putInt(minNumInstances).putDouble(warningLevel).putDouble(driftLevel);
  }

  @Override
  int stateBytes() {
    return 8 * 4;
  }

  @Override
  void writeState(ByteBuffer out) {
    out.putLong(n).putDouble(p).putDouble(pMin).putDouble(sMin);
  }

  static Ddm read(ByteBuffer body) {
    Ddm d = builder().minNumInstances(body.getInt()).warningLevel(body.getDouble())
        .driftLevel(body.getDouble()).build();
    d.readCountAndState(body);
    d.n = body.getLong();
    d.p = body.getDouble();
    d.pMin = body.getDouble();
    d.sMin = body.getDouble();
    DetectorBytes.check(d.count >= d.n && d.n >= 0, "count " + d.count + ", n " + d.n);
    DetectorBytes.check(d.p >= -1e-9 && d.p <= 1 + 1e-9, "error rate " + d.p);
    return d;
  }

  @Override
  public String toString() {
    return "Ddm[minNumInstances=" + minNumInstances + ", warningLevel=" + warningLevel
        + ", driftLevel=" + driftLevel + ", count=" + count + ", state=" + state + "]";
  }

  /**
   * Builds {@link Ddm}; each setter validates immediately.
   *
   * <p>Not thread-safe; confine to one thread.
   */
  public static final class Builder {
    private int minNumInstances = 30;
    private double warningLevel = 2.0;
    private double driftLevel = 3.0;

    private Builder() {}

    /**
     * @param value inputs after a restart before a warning or drift may be reported, in
     *     [1, 2^31-1]; default 30
     * @return this builder
     * @throws IllegalArgumentException if out of range
     */
    public Builder minNumInstances(int value) {
      this.minNumInstances = BuilderChecks.intRange("minNumInstances", value, 1, Integer.MAX_VALUE);
      return this;
    }

    /**
     * @param value the warning zone starts when {@code p + s > p_min + warningLevel * s_min};
     *     finite and &gt; 0; default 2
     * @return this builder
     * @throws IllegalArgumentException if not finite or not positive
     */
    public Builder warningLevel(double value) {
      this.warningLevel = BuilderChecks.positive("warningLevel", value);
      return this;
    }

    /**
     * @param value drift when {@code p + s > p_min + driftLevel * s_min}; finite and &gt; 0;
     *     default 3
     * @return this builder
     * @throws IllegalArgumentException if not finite or not positive
     */
    public Builder driftLevel(double value) {
      this.driftLevel = BuilderChecks.positive("driftLevel", value);
      return this;
    }

    /**
     * @return a new detector
     * @throws IllegalArgumentException if warningLevel exceeds driftLevel
     */
    public Ddm build() {
      if (warningLevel > driftLevel) {
        throw new IllegalArgumentException("warningLevel = " + warningLevel
            + " exceeds driftLevel = " + driftLevel + "; valid: warningLevel <= driftLevel");
      }
      return new Ddm(this);
    }
  }
}
