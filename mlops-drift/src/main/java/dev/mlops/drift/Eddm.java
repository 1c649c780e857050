package dev.mlops.drift;

import java.nio.ByteBuffer;

/**
 * EDDM, the Early Drift Detection Method of Baena-García et al. (2006), over an error-indicator
 * stream (0 = correct prediction, 1 = error; values are rounded, so {@code x >= 0.5} is an error).
 *
 * <p>EDDM follows the distance (in inputs) between consecutive errors: its mean {@code p'} and
 * standard deviation {@code s'}, and the largest {@code p' + 2 s'} seen in the current concept.
 * Once the concept holds at least {@code minNumInstances} inputs and more than
 * {@code minNumErrors} errors, the ratio {@code (p' + 2 s') / max(p' + 2 s')} below {@code warningThreshold} is a
 * {@link DriftState#WARNING} and below {@code driftThreshold} a {@link DriftState#DRIFT}: errors
 * come closer together than they did at best. After a drift the next input is the first of a new
 * concept and every statistic restarts. The state is decided at each error and holds over the
 * correct predictions that follow (they do not change the distances).
 *
 * <p>NaN and infinities are ignored. Defaults are the published ones:
 * {@code warningThreshold = 0.95}, {@code driftThreshold = 0.90}, {@code minNumInstances = 30},
 * {@code minNumErrors = 30}.
 *
 * <p>Not thread-safe; confine to one thread.
 */
public final class Eddm extends AbstractDetector {

  private final double warningThreshold;
  private final double driftThreshold;
  private final int minNumInstances;
  private final int minNumErrors;

  private long n;
  private long errors;
  private long lastErrorAt;
  private double meanDistance;
  private double squaredDeviations;
  private double maxLevel;

  private Eddm(Builder b) {
    super(DetectorBytes.Kind.EDDM);
    this.warningThreshold = b.warningThreshold;
    this.driftThreshold = b.driftThreshold;
    this.minNumInstances = b.minNumInstances;
    this.minNumErrors = b.minNumErrors;
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
      state = DriftState.STABLE;
    }
    n++;
    if (x < 0.5) {
      // A correct prediction says nothing new about the distance between errors: the state
      // (including a warning) holds until the next error.
      return state;
    }
    errors++;
    double distance = n - lastErrorAt;
    lastErrorAt = n;
    double previousMean = meanDistance;
    meanDistance += (distance - meanDistance) / errors;
    squaredDeviations += (distance - previousMean) * (distance - meanDistance);
    double level = meanDistance + 2.0 * Math.sqrt(squaredDeviations / errors);
    if (n < minNumInstances) {
      state = DriftState.STABLE;
      return state;
    }
    if (level > maxLevel) {
      maxLevel = level;
    }
    // As in the reference, more than minNumErrors errors are needed.
    if (errors <= minNumErrors) {
      state = DriftState.STABLE;
      return state;
    }
    double ratio = level / maxLevel;
    if (ratio < driftThreshold) {
      state = DriftState.DRIFT;
    } else if (ratio < warningThreshold) {
      state = DriftState.WARNING;
    } else {
      state = DriftState.STABLE;
    }
    return state;
  }

  @Override
  void restart() {
    n = 0;
    errors = 0;
    lastErrorAt = 0;
    meanDistance = 0.0;
    squaredDeviations = 0.0;
    maxLevel = 0.0;
  }

  @Override
  int parameterBytes() {
    return 8 + 8 + 4 + 4;
  }

  @Override
  void writeParameters(ByteBuffer out) {
    out.putDouble(warningThreshold).putDouble(driftThreshold).putInt(minNumInstances).putInt(minNumErrors);
  }

  @Override
  int stateBytes() {
    return 8 * 6;
  }

  @Override
  void writeState(ByteBuffer out) {
    out.putLong(n).putLong(errors).putLong(lastErrorAt).putDouble(meanDistance).putDouble(squaredDeviations)
        .putDouble(maxLevel);
  }

  static Eddm read(ByteBuffer body) {
    Eddm d = builder().warningThreshold(body.getDouble()).driftThreshold(body.getDouble())
        .minNumInstances(body.getInt()).minNumErrors(body.getInt()).build();
    d.readCountAndState(body);
    d.n = body.getLong();
    d.errors = body.getLong();
    d.lastErrorAt = body.getLong();
    d.meanDistance = body.getDouble();
    d.squaredDeviations = body.getDouble();
    d.maxLevel = body.getDouble();
    DetectorBytes.check(d.count >= d.n && d.n >= d.errors && d.errors >= 0
        && d.lastErrorAt >= 0 && d.lastErrorAt <= d.n,
        "counts " + d.count + "/" + d.n + "/" + d.errors + "/" + d.lastErrorAt);
    DetectorBytes.check(d.meanDistance >= 0 && d.squaredDeviations >= 0 && d.maxLevel >= 0,
        "distance statistics " + d.meanDistance + "/" + d.squaredDeviations + "/" + d.maxLevel);
    return d;
  }

  @Override
  public String toString() {
    return "Eddm[warningThreshold=" + warningThreshold + ", driftThreshold=" + driftThreshold
        + ", minNumInstances=" + minNumInstances + ", minNumErrors=" + minNumErrors + ", count="
        + count + ", state=" + state + "]";
  }

  /**
   * Builds {@link Eddm}; each setter validates immediately.
   *
   * <p>Not thread-safe; confine to one thread.
   */
  public static final class Builder {
    private double warningThreshold = 0.95;
    private double driftThreshold = 0.90;
    private int minNumInstances = 30;
    private int minNumErrors = 30;

    private Builder() {}

    /**
     * @param value ratio below which the warning zone starts, in (0, 1); default 0.95
     * @return this builder
     * @throws IllegalArgumentException if out of range
     */
    public Builder warningThreshold(double value) {
      this.warningThreshold = BuilderChecks.openUnit("warningThreshold", value);
      return this;
    }

    /**
     * @param value ratio below which drift is reported, in (0, 1); default 0.90
     * @return this builder
     * @throws IllegalArgumentException if out of range
     */
    public Builder driftThreshold(double value) {
      this.driftThreshold = BuilderChecks.openUnit("driftThreshold", value);
      return this;
    }

    /**
     * @param value inputs of a concept before a warning or drift may be reported, in
     *     [1, 2^31-1]; default 30
     * @return this builder
     * @throws IllegalArgumentException if out of range
     */
    public Builder minNumInstances(int value) {
      this.minNumInstances = BuilderChecks.intRange("minNumInstances", value, 1, Integer.MAX_VALUE);
      return this;
    }

    /**
     * @param value errors of a concept before a warning or drift may be reported, in
     *     [1, 2^31-1]; default 30
     * @return this builder
     * @throws IllegalArgumentException if out of range
     */
    public Builder minNumErrors(int value) {
      this.minNumErrors = BuilderChecks.intRange("minNumErrors", value, 1, Integer.MAX_VALUE);
      return this;
    }

    /**
     * @return a new detector
     * @throws IllegalArgumentException if driftThreshold exceeds warningThreshold
     */
    public Eddm build() {
      if (driftThreshold > warningThreshold) {
        throw new IllegalArgumentException("driftThreshold = " + driftThreshold
            + " exceeds warningThreshold = " + warningThreshold
            + "; valid: driftThreshold <= warningThreshold");
      }
      return new Eddm(this);
    }
  }
}
