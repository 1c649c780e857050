package dev.mlops.tuning;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mlops.ArtifactRef;
import dev.mlops.Mlops;
import dev.mlops.ModelVersion;
import dev.mlops.RunId;
import dev.mlops.RunInfo;
import dev.mlops.RunStatus;
import dev.mlops.Workspace;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class StudyTest {
  private final Workspace ws = Mlops.open("mem:");

  @AfterEach
  void close() {
    ws.close();
  }

  @Test
  void aThrowingOrNaNObjectiveFailsOnlyThatTrial() {
    Study study = Study.builder(ws, "flaky").sampler(new RandomSampler(2)).build();
    List<TrialRecord> trials = study.optimize(t -> {
      double x = t.suggestFloat("x", 0, 1);
      return switch (t.number()) {
        case 1 -> throw new IllegalStateException("diverged at epoch 3");
        case 2 -> Double.NaN;
        default -> x;
      };
    }, 4);
    assertThat(trials).extracting(TrialRecord::state)
        .containsExactly(TrialState.COMPLETE, TrialState.FAILED, TrialState.FAILED, TrialState.COMPLETE);
    assertThat(trials.get(1).reason().orElseThrow()).contains("IllegalStateException").contains("diverged at epoch 3");
    assertThat(trials.get(2).reason().orElseThrow()).contains("NaN");
    RunInfo failed = ws.experiments().getRun(trials.get(1).run());
    assertThat(failed.status()).isEqualTo(RunStatus.FAILED);
    assertThat(failed.tags()).containsEntry(Study.TAG_STATE, "FAILED");
    assertThat(ws.experiments().getRun(trials.get(2).run()).status()).isEqualTo(RunStatus.FAILED);
    assertThat(study.bestTrial().orElseThrow().number()).isIn(0, 3);
  }

  @Test
  void everyTrialIsARunWithParamsTagsAndTheValueMetric() {
    Study study = Study.builder(ws, "runs").sampler(new RandomSampler(8)).build();
    study.optimize(t -> t.suggestFloat("x", -1, 1) * t.suggestFloat("x", -1, 1), 5);
    assertThat(ws.experiments().experimentNames()).contains("runs");
    for (TrialRecord t : study.trials()) {
      RunInfo run = ws.experiments().getRun(t.run());
      assertThat(run.experiment()).isEqualTo("runs");
      assertThat(run.name()).isEqualTo("trial");
      assertThat(run.status()).isEqualTo(RunStatus.FINISHED);
      assertThat(run.params()).containsEntry("x", t.displayed("x").orElseThrow());
      assertThat(run.tags()).containsEntry(Study.TAG_STUDY, "runs")
          .containsEntry(Study.TAG_TRIAL, Integer.toString(t.number())).containsEntry(Study.TAG_STATE, "COMPLETE");
      assertThat(run.latestMetrics()).containsEntry(Study.VALUE_METRIC, t.value().orElseThrow());
    }
    double best = study.trials().stream().mapToDouble(t -> t.value().orElseThrow()).min().orElseThrow();
    assertThat(study.bestTrial().orElseThrow().value()).contains(best);
  }

  @Test
  void registerBestRegistersTheBestTrialsRunWithItsArtifacts() {
    Study study = Study.builder(ws, "reg").direction(Direction.MAXIMIZE).sampler(new RandomSampler(3)).build();
    assertThatThrownBy(() -> study.registerBest("m")).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("reg");
    study.optimize(t -> {
      double x = t.suggestFloat("x", 0, 1);
      ArtifactRef model = ws.artifacts().put(("model x=" + x).getBytes(StandardCharsets.UTF_8));
      t.run().logArtifact("model.bin", model);
      return x;
    }, 6);
    TrialRecord best = study.bestTrial().orElseThrow();
    ModelVersion version = study.registerBest("tuned");
    assertThat(version.lineage().trainingRun()).contains(best.run());
    assertThat(version.artifacts()).containsOnlyKeys("model.bin");
    assertThat(new String(ws.artifacts().read(version.artifacts().get("model.bin").digest()), StandardCharsets.UTF_8))
        .isEqualTo("model x=" + best.displayed("x").orElseThrow());
    assertThat(version.tags()).containsEntry(Study.TAG_TRIAL, Integer.toString(best.number()))
        .containsEntry(Study.TAG_STUDY, "reg");

    ArtifactRef other = ws.artifacts().put("weights".getBytes(StandardCharsets.UTF_8));
    ModelVersion second = study.registerBest("tuned", Map.of("weights.bin", other));
    assertThat(second.artifacts()).containsOnlyKeys("weights.bin");
  }

  @Test
  void theLogReplaysIntoTheSameTrialsAndCanBeShared() {
    StudyLog log = StudyLog.inMemory();
    Clock clock = Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC);
    Study study = Study.builder(ws, "logged").log(log).clock(clock).sampler(new RandomSampler(1))
        .pruner(new MedianPruner(1, 0, 1)).build();
    study.optimize(t -> {
      double x = t.suggestFloat("x", 0, 1);
      t.report(0, x);
      if (t.shouldPrune()) {
        throw new TrialPrunedException();
      }
      return x;
    }, 6);
    assertThat(StudyLog.replay(log.events())).isEqualTo(study.trials());
    assertThat(log.events().get(0)).isEqualTo(new TrialEvent.Started(0, study.trials().get(0).run(), clock.instant()));
    // a second study object on the same log continues numbering where the first stopped
    Study again = Study.builder(ws, "logged").log(log).sampler(new RandomSampler(1)).build();
    again.optimize(t -> t.suggestFloat("x", 0, 1), 2);
    assertThat(again.trials()).extracting(TrialRecord::number).containsExactly(0, 1, 2, 3, 4, 5, 6, 7);
  }

  @Test
  void eventsRejectInconsistentState() {
    assertThatThrownBy(() -> new TrialEvent.Ended(0, TrialState.COMPLETE, Optional.empty(), Optional.empty(),
        Instant.EPOCH)).hasMessageContaining("COMPLETE");
    assertThatThrownBy(() -> new TrialEvent.Suggested(0, new FloatParam("x", 0, 1, false), 2.0))
        .hasMessageContaining("'x'").hasMessageContaining("2.0");
    assertThatThrownBy(() -> StudyLog.replay(List.of(new TrialEvent.Reported(3, 0, 1.0))))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("trial 3");
    assertThatThrownBy(() -> Study.builder(ws, "bad name!")).hasMessageContaining("bad name!");
    assertThatThrownBy(() -> StudyLog.inMemory().append(new TrialEvent.Started(0, RunId.of("r"), Instant.EPOCH)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("start(run, at)");
  }

  @Test
  void constantLiarPushesTpeAwayFromPointsStillBeingEvaluated() {
    FloatParam x = new FloatParam("x", 0, 1, false);
    List<TrialRecord> trials = new java.util.ArrayList<>();
    // 30 completed trials: the objective is |x - 0.5|, so the good region is around 0.5
    for (int i = 0; i < 30; i++) {
      double v = (i + 0.5) / 30;
      trials.add(record(i, x, v, TrialState.COMPLETE, Optional.of(Math.abs(v - 0.5))));
    }
    // 8 running trials (other workers) all sitting at 0.5
    for (int i = 30; i < 38; i++) {
      trials.add(record(i, x, 0.5, TrialState.RUNNING, Optional.empty()));
    }
    StudyHistory history = new StudyHistory(Direction.MINIMIZE, trials);
    TpeSampler plain = new TpeSampler(TpeSampler.options(1));
    TpeSampler liar = new TpeSampler(TpeSampler.options(1).withConstantLiar(true));
    double plainDistance = 0;
    double liarDistance = 0;
    for (int n = 38; n < 138; n++) {
      TrialRecord current = new TrialRecord(n, RunId.of("r" + n), TrialState.RUNNING, Map.of(), Map.of(),
          Optional.empty(), new TreeMap<>(), Optional.empty());
      plainDistance += Math.abs(plain.sample(history, current, x) - 0.5);
      liarDistance += Math.abs(liar.sample(history, current, x) - 0.5);
    }
    assertThat(liarDistance).isGreaterThan(1.2 * plainDistance);
  }

  @Test
  void twoThreadsOnOneStudyGetDistinctTrialNumbers() throws Exception {
    Study study = Study.builder(ws, "threads")
        .sampler(new TpeSampler(TpeSampler.options(5).withConstantLiar(true).withStartupTrials(4))).build();
    java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(2);
    try {
      List<java.util.concurrent.Future<List<TrialRecord>>> parts = List.of(
          pool.submit(() -> study.optimize(t -> Math.abs(t.suggestFloat("x", -1, 1)), 15)),
          pool.submit(() -> study.optimize(t -> Math.abs(t.suggestFloat("x", -1, 1)), 15)));
      java.util.Set<Integer> numbers = new java.util.HashSet<>();
      for (var part : parts) {
        part.get().forEach(t -> assertThat(numbers.add(t.number())).isTrue());
      }
      assertThat(numbers).hasSize(30);
    } finally {
      pool.shutdown();
    }
    assertThat(study.trials()).hasSize(30).extracting(TrialRecord::state).containsOnly(TrialState.COMPLETE);
    assertThat(study.trials()).extracting(TrialRecord::number).containsExactlyElementsOf(
        java.util.stream.IntStream.range(0, 30).boxed().toList());
  }

  @Test
  void warmStartLetsTpeUseAnotherStudysTrialsFromTheFirstTrial() {
    Objective objective = t -> Math.pow(t.suggestFloat("x", -10, 10) - 7, 2);
    Study earlier = Study.builder(ws, "earlier").sampler(new RandomSampler(1)).build();
    earlier.optimize(objective, 40);
    double warmGap = 0;
    double coldGap = 0;
    for (long seed = 0; seed < 5; seed++) {
      Study warm = Study.builder(ws, "warm" + seed).sampler(new TpeSampler(seed)).warmStart(earlier.trials()).build();
      Study cold = Study.builder(ws, "cold" + seed).sampler(new TpeSampler(seed)).build();
      warmGap += Math.abs(warm.optimize(objective, 3).stream().mapToDouble(t -> t.params().get("x")).average()
          .orElseThrow() - 7);
      coldGap += Math.abs(cold.optimize(objective, 3).stream().mapToDouble(t -> t.params().get("x")).average()
          .orElseThrow() - 7);
      assertThat(warm.trials()).hasSize(3).extracting(TrialRecord::number).containsExactly(0, 1, 2);
    }
    // cold TPE samples at random in its startup phase; warm TPE already samples near x = 7
    assertThat(warmGap).isLessThan(0.5 * coldGap);
  }

  private static TrialRecord record(int n, Param p, double v, TrialState state, Optional<Double> value) {
    return new TrialRecord(n, RunId.of("r" + n), state, Map.of(p.name(), p), Map.of(p.name(), v), value,
        new TreeMap<>(), Optional.empty());
  }
}
