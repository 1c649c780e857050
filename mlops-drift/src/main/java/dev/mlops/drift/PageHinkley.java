package dev.mlops.drift;

import java.nio.ByteBuffer;

/**
 * The Page–Hinkley test (Page 1954; the streaming form of Mouss et al. 2004) for an increase of
 * the mean of a numeric stream.
 *
 * <p>With {@code mean} the running mean of the current concept, each input updates the
 * cumulative deviation {@code sum = alpha * sum + (x - mean - delta)}, which is not clamped at
 * zero (unlike {@link Cusum}) but fades with {@code alpha}; drift is reported when
 * {@code sum > lambda}, once about
 * {@code minNumInstances} inputs were seen (from the {@code (minNumInstances - 1)}-th input of a
 * concept, as in the reference). After a drift the next input is the first of a new concept and
 * every statistic restarts. The method has no warning zone.
 *
 * <p>NaN and infinities are ignored. Defaults: {@code minNumInstances = 30},
 * {@code delta = 0.005}, {@code lambda = 50}, {@code alpha = 1 - 0.0001}.
 *
 * <p>Not thread-safe; confine to one thread.
 */
public final class PageHinkley extends AbstractDetector {

  private final int minNumInstances;
  private final double delta;
  private final double lambda;
  private final double alpha;

  private long n;
  private double mean;
  private double sum;

  private PageHinkley(Builder b) {
    super(DetectorBytes.Kind.PAGE_HINKLEY);
    this.minNumInstances = b.minNumInstances;
    this.delta = b.delta;
    this.lambda = b.lambda;
    this.alpha = b.alpha;
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
    sum = alpha * sum + (x - mean - delta);
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
    return 4 + 8 * 3;
  }

  @Override
  void writeParameters(ByteBuffer out) {
    out.putInt(minNumInstances).putDouble(delta).putDouble(lambda).putDouble(alpha);
  }

  @Override
  int stateBytes() {
    return 8 * 3;
  }

  @Override
  void writeState(ByteBuffer out) {
    out.putLong(n).putDouble(mean).putDouble(sum);
  }

  static PageHinkley read(ByteBuffer body) {
    PageHinkley d = builder().minNumInstances(body.getInt()).delta(body.getDouble())
        .lambda(body.getDouble()).alpha(body.getDouble()).build();
    d.readCountAndState(body);
    d.n = body.getLong();
    d.mean = body.getDouble();
    d.sum = body.getDouble();
    DetectorBytes.check(d.count >= d.n && d.n >= 0, "count " + d.count + ", n " + d.n);
    return d;
  }

  @Override
  public String toString() {
    return "PageHinkley[minNumInstances=" + minNumInstances + ", delta=" + delta + ", lambda="
        + lambda + ", alpha=" + alpha + ", count=" + count + ", state=" + state + "]";
  }

  /**
   * Builds {@link PageHinkley}; each setter validates immediately.
   *
   * <p>Not thread-safe; confine to one thread.
   */
  public static final class Builder {
    private int minNumInstances = 30;
    private double delta = 0.005;
    private double lambda = 50.0;
    private double alpha = 1.0 - 0.0001;

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

    /**
     * @param value fading factor of the cumulative sum, in (0, 1]; default 0.9999
     * @return this builder
     * @throws IllegalArgumentException if out of range
     */
    public Builder alpha(double value) {
      if (!(value > 0.0 && value <= 1.0)) {
        throw new IllegalArgumentException("alpha = " + value + " is outside the valid range (0, 1]");
      }
      this.alpha = value;
      return this;
    }

    /** @return a new detector */
    public PageHinkley build() {
      return new PageHinkley(this);
    }
  }
}
