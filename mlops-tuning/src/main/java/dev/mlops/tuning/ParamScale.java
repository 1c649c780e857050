package dev.mlops.tuning;

/**
 * The continuous scale samplers work on for a numeric parameter: the value itself, or its log;
 * an integer range is widened by half a step on each side so every grid value gets an equal cell.
 * Immutable and thread-safe.
 */
record ParamScale(double lo, double hi, Param param) {
  static boolean numeric(Param p) {
    return !(p instanceof CategoricalParam);
  }

  static int choices(Param p) {
    return ((CategoricalParam) p).choices().size();
  }

  static ParamScale of(Param p) {
    if (p instanceof FloatParam f) {
      return f.log() ? new ParamScale(Math.log(f.low()), Math.log(f.high()), p) : new ParamScale(f.low(), f.high(), p);
    }
    IntParam i = (IntParam) p;
    if (i.log()) {
      return new ParamScale(Math.log(i.low() - 0.5), Math.log(i.top() + 0.5), p);
    }
    return new ParamScale(i.low() - 0.5 * i.step(), i.top() + 0.5 * i.step(), p);
  }

  double toScaled(double internal) {
    boolean log = param instanceof FloatParam f ? f.log() : ((IntParam) param).log();
    return log ? Math.log(internal) : internal;
  }

  /** Maps a point of the scale back to a valid internal value. */
  double fromScaled(double x) {
    if (param instanceof FloatParam f) {
      double v = f.log() ? Math.exp(x) : x;
      return Math.max(f.low(), Math.min(f.high(), v));
    }
    IntParam i = (IntParam) param;
    double v = i.log() ? Math.exp(x) : x;
    return i.snap(v);
  }

  /** Maps u in [0, 1) to a valid internal value, uniformly on the scale. */
  double fromUnit(double u) {
    if (lo == hi) {
      return fromScaled(lo);
    }
    return fromScaled(lo + u * (hi - lo));
  }
}
