package dev.mlops.tuning;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mlops.Mlops;
import dev.mlops.Workspace;
import java.util.Arrays;
import java.util.function.LongFunction;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * TPE against random search within a fixed budget, over several seeds: a statistical check with a
 * margin, not one lucky seed.
 */
class TpeQualityTest {
  private static final int SEEDS = 16;
  private static final int BUDGET = 60;
  private final Workspace ws = Mlops.open("mem:");
  private int studies;

  @AfterEach
  void close() {
    ws.close();
  }

  static double quadratic(Trial t) {
    double x = t.suggestFloat("x", -10, 10);
    double y = t.suggestFloat("y", -10, 10);
    return (x - 1) * (x - 1) + (y + 2) * (y + 2);
  }

  /** Branin-Hoo; global minimum 0.397887 at three points. */
  static double branin(Trial t) {
    double x1 = t.suggestFloat("x1", -5, 10);
    double x2 = t.suggestFloat("x2", 0, 15);
    double b = 5.1 / (4 * Math.PI * Math.PI);
    double c = 5 / Math.PI;
    double term = x2 - b * x1 * x1 + c * x1 - 6;
    return term * term + 10 * (1 - 1 / (8 * Math.PI)) * Math.cos(x1) + 10;
  }

  private double[] bests(LongFunction<Sampler> sampler, Objective objective) {
    double[] out = new double[SEEDS];
    for (int s = 0; s < SEEDS; s++) {
      Study study = Study.builder(ws, "q" + studies++).sampler(sampler.apply(1000 + s)).build();
      study.optimize(objective, BUDGET);
      out[s] = study.bestTrial().orElseThrow().value().orElseThrow();
    }
    return out;
  }

  private static double median(double[] v) {
    double[] c = v.clone();
    Arrays.sort(c);
    return (c[c.length / 2 - 1] + c[c.length / 2]) / 2;
  }

  private void tpeBeatsRandom(Objective objective, double optimum, LongFunction<Sampler> tpe, String label) {
    double[] random = bests(RandomSampler::new, objective);
    double[] ours = bests(tpe, objective);
    int wins = 0;
    for (int s = 0; s < SEEDS; s++) {
      if (ours[s] < random[s]) {
        wins++;
      }
    }
    double gapTpe = median(ours) - optimum;
    double gapRandom = median(random) - optimum;
    System.out.printf("%s: median best TPE %.4f random %.4f, TPE wins %d/%d%n", label, median(ours), median(random),
        wins, SEEDS);
    // margin: TPE's median distance to the optimum at most half of random's, and TPE ahead on most seeds
    assertThat(gapTpe).as(label).isLessThan(0.5 * gapRandom);
    assertThat(wins).as(label).isGreaterThanOrEqualTo((int) Math.ceil(0.7 * SEEDS));
  }

  @Test
  void tpeBeatsRandomOnAQuadratic() {
    tpeBeatsRandom(TpeQualityTest::quadratic, 0, TpeSampler::new, "quadratic");
  }

  @Test
  void tpeBeatsRandomOnBranin() {
    tpeBeatsRandom(TpeQualityTest::branin, 0.397887, TpeSampler::new, "branin");
  }

  @Test
  void optuna31TpeBeatsRandomOnBranin() {
    tpeBeatsRandom(TpeQualityTest::branin, 0.397887,
        seed -> new TpeSampler(TpeSampler.optuna31Options(seed)), "branin Optuna 3.1 options (univariate)");
  }
}
