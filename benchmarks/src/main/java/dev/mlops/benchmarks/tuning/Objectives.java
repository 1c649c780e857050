package dev.mlops.benchmarks.tuning;

import java.util.List;
import java.util.function.ToDoubleFunction;

/**
 * The test objectives of the Optuna side-by-side comparison, written define-by-run against
 * {@link Ask} so that the Python script ({@code benchmarks/optuna/compare.py}) can define them
 * identically; all are minimized.
 *
 * <p>Stateless and thread-safe.
 */
final class Objectives {
  private Objectives() {
  }

  /** What an objective asks of a trial; mirrors Optuna's {@code trial.suggest_*}. */
  interface Ask {
    /**
     * @param name the parameter name
     * @param low lower bound
     * @param high upper bound
     * @param log log scale
     * @return the suggested value
     */
    double suggestFloat(String name, double low, double high, boolean log);

    /**
     * @param name the parameter name
     * @param low lower bound
     * @param high upper bound
     * @return the suggested value
     */
    long suggestInt(String name, long low, long high);

    /**
     * @param name the parameter name
     * @param choices the choices
     * @return the suggested choice
     */
    String suggestCategorical(String name, List<String> choices);
  }

  /** A named objective with its known minimum. */
  record Named(String name, double minimum, ToDoubleFunction<Ask> f) {
  }

  static final List<Named> ALL = List.of(
      new Named("branin", 0.397887, Objectives::branin),
      new Named("hartmann6", -3.32237, Objectives::hartmann6),
      new Named("rosenbrock4", 0.0, Objectives::rosenbrock4),
      new Named("mixed", 0.0, Objectives::mixed));

  static Named byName(String name) {
    return ALL.stream().filter(o -> o.name().equals(name)).findFirst()
        .orElseThrow(() -> new IllegalArgumentException("unknown objective '" + name + "'"));
  }

  /** Branin on x1 in [-5, 10], x2 in [0, 15]; minimum 0.397887. */
  static double branin(Ask t) {
    double x1 = t.suggestFloat("x1", -5, 10, false);
    double x2 = t.suggestFloat("x2", 0, 15, false);
    double b = 5.1 / (4 * Math.PI * Math.PI);
    double c = 5 / Math.PI;
    double s = 10;
    double tt = 1 / (8 * Math.PI);
    double u = x2 - b * x1 * x1 + c * x1 - 6;
    return u * u + s * (1 - tt) * Math.cos(x1) + s;
  }

  private static final double[] H_ALPHA = {1.0, 1.2, 3.0, 3.2};
  private static final double[][] H_A = {
      {10, 3, 17, 3.5, 1.7, 8}, {0.05, 10, 17, 0.1, 8, 14}, {3, 3.5, 1.7, 10, 17, 8}, {17, 8, 0.05, 10, 0.1, 14}};
  private static final double[][] H_P = {
      {0.1312, 0.1696, 0.5569, 0.0124, 0.8283, 0.5886}, {0.2329, 0.4135, 0.8307, 0.3736, 0.1004, 0.9991},
      {0.2348, 0.1451, 0.3522, 0.2883, 0.3047, 0.6650}, {0.4047, 0.8828, 0.8732, 0.5743, 0.1091, 0.0381}};

  /** Hartmann-6 on [0, 1]^6; minimum -3.32237. */
  static double hartmann6(Ask t) {
    double[] x = new double[6];
    for (int j = 0; j < 6; j++) {
      x[j] = t.suggestFloat("x" + j, 0, 1, false);
    }
    double sum = 0;
    for (int i = 0; i < 4; i++) {
      double inner = 0;
      for (int j = 0; j < 6; j++) {
        double d = x[j] - H_P[i][j];
        inner += H_A[i][j] * d * d;
      }
      sum += H_ALPHA[i] * Math.exp(-inner);
    }
    return -sum;
  }

  /** Rosenbrock in 4 dimensions on [-5, 10]^4; minimum 0. */
  static double rosenbrock4(Ask t) {
    double[] x = new double[4];
    for (int j = 0; j < 4; j++) {
      x[j] = t.suggestFloat("x" + j, -5, 10, false);
    }
    double sum = 0;
    for (int j = 0; j < 3; j++) {
      double a = x[j + 1] - x[j] * x[j];
      double b = 1 - x[j];
      sum += 100 * a * a + b * b;
    }
    return sum;
  }

  /**
   * A mixed space: x in [-5, 5], a categorical "kind" in {quad, sin, abs}; "a" (log float in
   * [0.1, 10]) exists only for quad, "b" (int in [1, 10]) only for sin. Minimum 0 (quad, x = 1,
   * a = sqrt 10).
   */
  static double mixed(Ask t) {
    double x = t.suggestFloat("x", -5, 5, false);
    String kind = t.suggestCategorical("kind", List.of("quad", "sin", "abs"));
    switch (kind) {
      case "quad" -> {
        double a = t.suggestFloat("a", 0.1, 10, true);
        double la = Math.log10(a) - 0.5;
        return (x - 1) * (x - 1) + la * la;
      }
      case "sin" -> {
        long b = t.suggestInt("b", 1, 10);
        return 0.5 + 0.1 * (x + 2) * (x + 2) + 0.1 * Math.abs(b - 7);
      }
      default -> {
        return 1 + Math.abs(x);
      }
    }
  }

  /**
   * The pruning objective's value at a step: x in [0, 1], r log in [1e-3, 1];
   * {@code final(x, r) + (1 + 2x) exp(-r step)} with {@code final = (x - 0.3)^2 + (log10 r + 2)^2 / 4}.
   * Curves cross: a large r learns fast but ends higher.
   */
  static double curve(double x, double r, long step) {
    double lr = Math.log10(r) + 2;
    double fin = (x - 0.3) * (x - 0.3) + lr * lr / 4;
    return fin + (1 + 2 * x) * Math.exp(-r * step);
  }
}
