package dev.mlops.tuning;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mlops.Mlops;
import dev.mlops.RunInfo;
import dev.mlops.RunStatus;
import dev.mlops.Workspace;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Pruners on synthetic learning curves {@code q + 1 / (step + 1)}, q the trial's final quality. */
class PrunerTest {
  private static final int STEPS = 16;
  private final Workspace ws = Mlops.open("mem:");

  @AfterEach
  void close() {
    ws.close();
  }

  /** Runs one trial per quality, in order, and returns the study. */
  private Study run(Pruner pruner, String... qualities) {
    SearchSpace space = SearchSpace.builder().categorical("q", qualities).build();
    Study study = Study.builder(ws, "curves-" + pruner.getClass().getSimpleName())
        .space(space).sampler(new GridSampler(space, 1)).pruner(pruner).build();
    study.optimize(PrunerTest::curve, qualities.length);
    return study;
  }

  static double curve(Trial t) {
    double q = Double.parseDouble(t.categoricalValue("q"));
    for (int step = 0; step < STEPS; step++) {
      t.report(step, q + 1.0 / (step + 1));
      if (t.shouldPrune()) {
        throw new TrialPrunedException();
      }
    }
    return q + 1.0 / STEPS;
  }

  private static List<Integer> pruned(Study study) {
    return study.trials().stream().filter(t -> t.state() == TrialState.PRUNED).map(TrialRecord::number).toList();
  }

  @Test
  void medianRulePrunesTrialsWorseThanTheMedianOfCompletedOnesAfterWarmUp() {
    Study study = run(new MedianPruner(5, 2, 1), "0.5", "0.4", "0.6", "0.3", "0.7", "0.9", "0.1", "0.8", "0.44", "0.2");
    assertThat(pruned(study)).containsExactly(5, 7);
    for (int n : List.of(5, 7)) {
      TrialRecord t = study.trials().get(n);
      assertThat(t.lastStep()).contains(2L);
      assertThat(t.reason().orElseThrow()).contains("step 2").contains("median rule");
      RunInfo run = ws.experiments().getRun(t.run());
      assertThat(run.status()).isEqualTo(RunStatus.KILLED);
      assertThat(run.tags()).containsEntry(Study.TAG_STATE, "PRUNED").containsEntry(Study.TAG_PRUNED_STEP, "2");
      assertThat(run.statusReason().orElseThrow()).contains("pruned at step 2").contains("median rule");
      assertThat(ws.experiments().metricHistory(t.run(), Study.INTERMEDIATE_METRIC)).hasSize(3);
    }
  }

  @Test
  void medianRuleWaitsForItsStartupTrials() {
    Study study = run(new MedianPruner(5, 0, 1), "0.5", "0.9", "0.95", "0.99", "0.97");
    assertThat(pruned(study)).isEmpty();
  }

  @Test
  void medianRuleMaximizingPrunesTheLowCurves() {
    SearchSpace space = SearchSpace.builder().categorical("q", "5", "6", "4", "7", "3", "1", "9").build();
    Study study = Study.builder(ws, "max-median").direction(Direction.MAXIMIZE).space(space)
        .sampler(new GridSampler(space, 1)).pruner(new MedianPruner(3, 0, 1)).build();
    study.optimize(t -> {
      double q = Double.parseDouble(t.categoricalValue("q"));
      for (int step = 0; step < 5; step++) {
        t.report(step, q - 1.0 / (step + 1));
        if (t.shouldPrune()) {
          throw new TrialPrunedException();
        }
      }
      return q;
    }, 7);
    // completed 5, 6, 4 (median 5): 7 goes on; then 5, 6, 4, 7 (median 5.5): 3 and 1 stop, 9 goes on
    assertThat(pruned(study)).containsExactly(4, 5);
  }

  @Test
  void successiveHalvingPromotesTheTopShareAtEachRung() {
    // rungs at steps 1, 2, 4, 8; eta 2
    Study study = run(new SuccessiveHalvingPruner(1, 2, 0), "0.5", "0.4", "0.6", "0.3", "0.35", "0.7");
    assertThat(pruned(study)).containsExactly(2, 5);
    assertThat(study.trials().get(2).lastStep()).contains(1L);
    assertThat(study.trials().get(5).reason().orElseThrow()).contains("successive halving").contains("best 3 of 6");
  }

  @Test
  void successiveHalvingPrunesAtALaterRungWhenACurveCrosses() {
    SearchSpace space = SearchSpace.builder().categorical("shape", "steady", "fast-start").build();
    Study study = Study.builder(ws, "crossing").space(space).sampler(new GridSampler(space, 1))
        .pruner(new SuccessiveHalvingPruner(1, 2, 0)).build();
    study.optimize(t -> {
      boolean fast = t.categoricalValue("shape").equals("fast-start");
      for (int step = 0; step < STEPS; step++) {
        // fast-start is better at rungs 1 and 2 (0.5 vs 1.0, 0.5 vs 0.67), worse at rung 4 (0.5 vs 0.4)
        double v = fast ? Math.max(0.5, 1.0 / (step + 1)) : 2.0 / (step + 1);
        t.report(step, v);
        if (t.shouldPrune()) {
          throw new TrialPrunedException();
        }
      }
      return 0;
    }, 2);
    TrialRecord fast = study.trials().get(1);
    assertThat(fast.state()).isEqualTo(TrialState.PRUNED);
    assertThat(fast.lastStep()).contains(4L);
    assertThat(study.trials().get(0).state()).isEqualTo(TrialState.COMPLETE);
  }

  @Test
  void hyperbandKeepsTheBestTrialAndPrunesWorseOnesWithinTheirBracket() {
    HyperbandPruner hyperband = new HyperbandPruner(1, 15, 2);
    assertThat(hyperband.brackets()).isEqualTo(4);
    int[] perBracket = new int[4];
    for (int n = 0; n < 1000; n++) {
      perBracket[hyperband.bracketOf(n)]++;
    }
    // Hyperband's bracket sizes for eta 2, s_max 3: 8, 6, 4, 4 (in shares of 22)
    assertThat(perBracket[0]).isGreaterThan(perBracket[1]);
    assertThat(perBracket[1]).isGreaterThan(perBracket[3]);

    String[] qualities = new String[40];
    for (int i = 0; i < qualities.length; i++) {
      qualities[i] = Integer.toString((i * 17) % 40);
    }
    Study study = run(hyperband, qualities);
    List<TrialRecord> prunedTrials = study.trials().stream().filter(t -> t.state() == TrialState.PRUNED).toList();
    assertThat(prunedTrials).isNotEmpty();
    assertThat(study.trials().stream().filter(t -> t.displayed("q").orElseThrow().equals("0")).findFirst()
        .orElseThrow().state()).isEqualTo(TrialState.COMPLETE);
    for (TrialRecord t : prunedTrials) {
      assertThat(t.reason().orElseThrow()).contains("hyperband bracket " + hyperband.bracketOf(t.number()));
    }
    double meanPruned = prunedTrials.stream().mapToDouble(t -> Double.parseDouble(t.displayed("q").orElseThrow()))
        .average().orElseThrow();
    double meanComplete = study.trials().stream().filter(t -> t.state() == TrialState.COMPLETE)
        .mapToDouble(t -> Double.parseDouble(t.displayed("q").orElseThrow())).average().orElseThrow();
    assertThat(meanPruned).isGreaterThan(meanComplete);
    long steps = study.trials().stream().mapToLong(t -> t.intermediate().size()).sum();
    assertThat(steps).isLessThan((long) STEPS * qualities.length);
    assertThat(study.trials().stream().map(t -> t.state().name()).collect(Collectors.toSet()))
        .containsExactlyInAnyOrder("PRUNED", "COMPLETE");
  }

  @Test
  void badSettingsAreRejectedByName() {
    assertThatThrownBy(() -> new MedianPruner(-1, 0, 1)).hasMessageContaining("nStartupTrials");
    assertThatThrownBy(() -> new SuccessiveHalvingPruner(1, 1, 0)).hasMessageContaining("reductionFactor");
    assertThatThrownBy(() -> new HyperbandPruner(10, 5, 3)).hasMessageContaining("maxResource");
  }
}
