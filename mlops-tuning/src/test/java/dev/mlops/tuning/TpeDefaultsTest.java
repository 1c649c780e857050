package dev.mlops.tuning;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.mlops.Mlops;
import dev.mlops.Workspace;
import java.util.List;
import java.util.function.LongFunction;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The default TPE settings (multivariate, neighbour bandwidths per parameter, endpoints, prior
 * weight 2, gamma 0.15 n, textbook score), the previous ones kept as {@link TpeSampler#optuna31Options}, and
 * what the default changes on a tree-structured space.
 */
class TpeDefaultsTest {
  private final Workspace ws = Mlops.open("mem:");
  private int studies;

  @AfterEach
  void close() {
    ws.close();
  }

  @Test
  void theDefaultsAreMultivariateWithNeighbourBandwidthsAndTheOldOnesStayAvailable() {
    TpeSampler.Options d = TpeSampler.options(3);
    assertThat(d.seed()).isEqualTo(3);
    assertThat(d.nStartupTrials()).isEqualTo(10);
    assertThat(d.nEiCandidates()).isEqualTo(24);
    assertThat(d.gamma().applyAsInt(100)).isEqualTo(15);
    assertThat(d.gamma().applyAsInt(1000)).isEqualTo(25);
    assertThat(d.priorWeight()).isEqualTo(2.0);
    assertThat(d.considerMagicClip()).isTrue();
    assertThat(d.considerEndpoints()).isTrue();
    assertThat(d.multivariate()).isTrue();
    assertThat(d.constantLiar()).isFalse();
    assertThat(d.bandwidthWeightedScore()).isFalse();
    assertThat(d.jointBandwidth()).isEqualTo(TpeSampler.Bandwidth.NEIGHBOURS);
    assertThat(d.jointWithCategoricals()).isFalse();

    TpeSampler.Options o = TpeSampler.optuna31Options(3);
    assertThat(o.gamma().applyAsInt(100)).isEqualTo(10);
    assertThat(o.priorWeight()).isEqualTo(1.0);
    assertThat(o.considerEndpoints()).isFalse();
    assertThat(o.multivariate()).isFalse();
    assertThat(o.bandwidthWeightedScore()).isTrue();
    assertThat(o.jointBandwidth()).isEqualTo(TpeSampler.Bandwidth.SCOTT);
    // the constructors that predate the new settings keep Optuna's multivariate bandwidth
    assertThat(new TpeSampler.Options(3, 10, 24, TpeSampler::defaultGamma, 1, true, false, true, false)
        .jointBandwidth()).isEqualTo(TpeSampler.Bandwidth.SCOTT);
  }

  @Test
  void jointNeighbourBandwidthsAreEachParametersUnivariateOnes() {
    FloatParam x = new FloatParam("x", 0, 10, false);
    FloatParam y = new FloatParam("y", -1, 1, false);
    double[][] obs = {{1, 0.5}, {2, -0.9}, {7, 0.0}, {7.5, 0.4}};
    ParzenEstimator joint = new ParzenEstimator(List.of(x, y), obs, TpeSampler.weights(4), 2.0, true, false, true,
        false);
    for (int k = 0; k < 2; k++) {
      double[][] column = new double[4][1];
      for (int i = 0; i < 4; i++) {
        column[i][0] = obs[i][k];
      }
      ParzenEstimator alone = new ParzenEstimator(List.of(k == 0 ? x : y), column, TpeSampler.weights(4), 2.0, true,
          false, true, false);
      for (int c = 0; c < joint.components(); c++) {
        assertThat(joint.sigma(c, k)).as("component %d, dim %d", c, k).isCloseTo(alone.sigma(c, 0), within(1e-12));
      }
    }
    // x: sorted 1, 2, 5 (prior centre), 7, 7.5 with endpoints 0 and 10: larger gaps 1, 3, 2, 2.5;
    // the magic clip raises the first to range / min(100, 1 + 5 components) = 10 / 6
    assertThat(joint.sigma(0, 0)).isCloseTo(10.0 / 6, within(1e-12));
    assertThat(joint.sigma(1, 0)).isCloseTo(3.0, within(1e-12));
    assertThat(joint.sigma(2, 0)).isCloseTo(2.0, within(1e-12));
    assertThat(joint.sigma(3, 0)).isCloseTo(2.5, within(1e-12));
  }

  @Test
  void perCategoryNeighboursIgnoreObservationsOfOtherChoices() {
    FloatParam x = new FloatParam("x", 0, 10, false);
    CategoricalParam kind = new CategoricalParam("kind", List.of("a", "b"));
    // x = 1 and 2 in choice a, 9 in choice b; the prior centre 5 is everyone's neighbour
    double[][] obs = {{1, 0}, {2, 0}, {9, 1}};
    ParzenEstimator pooled = new ParzenEstimator(List.of(x, kind), obs, TpeSampler.weights(3), 1.0, true, false,
        false, false, false);
    ParzenEstimator perCategory = new ParzenEstimator(List.of(x, kind), obs, TpeSampler.weights(3), 1.0, true, false,
        false, false, true);
    // pooled: 1, 2, 5, 9 -> x = 2 has gaps 1 and 3; per category a: 1, 2, 5 -> the same
    assertThat(pooled.sigma(1, 0)).isCloseTo(3.0, within(1e-12));
    assertThat(perCategory.sigma(1, 0)).isCloseTo(3.0, within(1e-12));
    // x = 9 alone in b: pooled its neighbour is 5 (gap 4), per category too (only the prior centre)
    assertThat(perCategory.sigma(2, 0)).isCloseTo(4.0, within(1e-12));
    // the prior centre's neighbours differ: pooled 2 and 9 (gap 4), but its own width is the range
    assertThat(perCategory.sigma(3, 0)).isCloseTo(10.0, within(1e-12));
    double[][] obs2 = {{4, 0}, {6, 1}, {8, 0}};
    ParzenEstimator pooled2 = new ParzenEstimator(List.of(x, kind), obs2, TpeSampler.weights(3), 1.0, true, false,
        false, false, false);
    ParzenEstimator perCategory2 = new ParzenEstimator(List.of(x, kind), obs2, TpeSampler.weights(3), 1.0, true, false,
        false, false, true);
    // x = 8 in choice a: pooled its neighbour is 6 (choice b, gap 2); per category it is the prior centre 5 (gap 3)
    assertThat(pooled2.sigma(2, 0)).isCloseTo(2.0, within(1e-12));
    assertThat(perCategory2.sigma(2, 0)).isCloseTo(3.0, within(1e-12));
  }

  /**
   * A tree-structured space (the benchmark's "mixed" objective): the shared x has its best value
   * at x = -2 in branch "sin" (a local optimum, 0.5) and at x = 1 in branch "quad" (the global
   * one, 0). Univariate TPE samples x without regard to the branch, so it tends to stay in "sin".
   */
  static double mixed(Trial t) {
    double x = t.suggestFloat("x", -5, 5);
    String kind = t.suggestCategorical("kind", "quad", "sin", "abs");
    switch (kind) {
      case "quad" -> {
        double la = Math.log10(t.suggestFloat("a", 0.1, 10, true)) - 0.5;
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

  private int globalBasinReached(LongFunction<Sampler> sampler) {
    int hits = 0;
    for (int s = 0; s < 16; s++) {
      Study study = Study.builder(ws, "m" + studies++).sampler(sampler.apply(1000 + s)).build();
      study.optimize(TpeDefaultsTest::mixed, 60);
      if (study.bestTrial().orElseThrow().value().orElseThrow() < 0.45) {
        hits++;
      }
    }
    return hits;
  }

  @Test
  void theDefaultLeavesTheLocalBranchOfATreeStructuredSpaceMoreOften() {
    int byDefault = globalBasinReached(TpeSampler::new);
    int optuna31 = globalBasinReached(seed -> new TpeSampler(TpeSampler.optuna31Options(seed)));
    System.out.printf("mixed space, 16 seeds x 60 trials: global basin reached by default %d, Optuna 3.1 options %d%n",
        byDefault, optuna31);
    // measured (seeds 1000-1015): 10 and 7
    assertThat(byDefault).isGreaterThanOrEqualTo(10).isGreaterThan(optuna31);
  }
}
