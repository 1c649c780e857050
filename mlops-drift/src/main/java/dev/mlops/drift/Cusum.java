package dev.mlops.drift;

import java.nio.ByteBuffer;

/**
 * Page's CUSUM test (Page 1954) for an increase of the mean of a numeric stream.
 *
 * <p>With {@code mean} the running mean of the current concept, each input updates the
 * one-sided cumulative sum {@code sum = max(0, sum + x - mean - delta)}, clamped at zero (unlike
 * {@link PageHinkley}); drift is reported when {@code sum > lambda}, once about
 * {@code minNumInstances} inputs were seen (from the {@code (minNumInstances - 1)}-th input of a
 * concept, as in the reference). After a drift the next input is the first of a new concept and
 * every statistic restarts. The method has no warning zone.
 *
 * <p>NaN and infinities are ignored. Defaults: {@code minNumInstances = 30},
 * {@code delta = 0.005}, {@code lambda = 50}.
 *
 * <p>Not thread-safe; confine to one thread.
 */
public final class Cusum extends AbstractDetector {

  private final int minNumInstances;
  private final double delta;
  private final double lambda;

  private long n;
  private double mean;
  private double sum;

  private Cusum(Builder b) {
    super(DetectorBytes.Kind.CUSUM);
    this.minNumInstances = b.minNumInstances;
    this.delta = b.delta;
    this.lambda = b.lambda;
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
    n++;
    mean += (x - mean) / n;
    sum = Math.max(0.0, sum + (x - mean - delta));
    // The reference may signal from the (minNumInstances - 1)-th input of a concept.
    if (n + 1 >= minNumInstances && sum > lambda) {
      state = DriftState.DRIFT;
    } else {
      state = DriftState.STABLE;
    }
    return state;
  }

  @Override
  void restart() {
    n = 0;
    mean = 0.0;
    sum = 0.0;
  }

  @Override
  int parameterBytes() {
    return 4 + 8 * 2;
  }

  @Override
  void writeParameters(ByteBuffer out) {
    out.putInt(minNumInstances).putDouble(delta).putDouble(lambda);
  }

  @Override
  int stateBytes() {
    return 8 * 3;
  }

  @Override
  void writeState(ByteBuffer out) {
    out.putLong(n).putDouble(mean).putDouble(sum);
  }

  static Cusum read(ByteBuffer body) {
    Cusum d = builder().minNumInstances(body.getInt()).delta(body.getDouble())
        .lambda(body.getDouble()).build();
    d.readCountAndState(body);
    d.n = body.getLong();
    d.mean = body.getDouble();
    d.sum = body.getDouble();
    DetectorBytes.check(d.count >= d.n && d.n >= 0, "count " + d.count + ", n " + d.n);
    DetectorBytes.check(!(d.sum < 0), "cumulative sum " + d.sum + " below zero");
    return d;
  }

  @Override
  public String toString() {
    return "Cusum[minNumInstances=" + minNumInstances + ", delta=" + delta + ", lambda="
        + lambda + ", count=" + count + ", state=" + state + "]";
  }

  /**
   * Builds {@link Cusum}; each setter validates immediately.
   *
   * <p>Not thread-safe; confine to one thread.
   */
  public static final class Builder {
    private int minNumInstances = 30;
    private double delta = 0.005;
    private double lambda = 50.0;

    private Builder() {}

    /**
     * @param value inputs of a concept before drift may be reported, in [1, 2^31-1]; default 30
     * @return this builder
     * @throws IllegalArgumentException if out of range
     */
    public Builder minNumInstances(int value) {
      this.minNumInstances = BuilderChecks.intRange("minNumInstances", value, 1, Integer.MAX_VALUE);
      return this;
    }

    /**
     * @param value magnitude of change tolerated, finite and &gt;= 0; default 0.005
     * @return this builder
     * @throws IllegalArgumentException if out of range
     */
    public Builder delta(double value) {
      this.delta = BuilderChecks.nonNegative("delta", value);
      return this;
    }

    /**
     * @param value drift threshold on the cumulative sum, finite and &gt; 0; default 50
     * @return this builder
     * @throws IllegalArgumentException if out of range
     */
    public Builder lambda(double value) {
      this.lambda = BuilderChecks.positive("lambda", value);
      return this;
    }

    /** @return a new detector */
    public Cusum build() {
      return new Cusum(this);
    }
  }
}
