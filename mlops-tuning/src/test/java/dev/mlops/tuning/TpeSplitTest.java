package dev.mlops.tuning;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mlops.RunId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** How TPE splits the history into the good and the bad group (Optuna 3.1's rules). */
class TpeSplitTest {
  private static final FloatParam X = new FloatParam("x", 0, 100, false);
  private final TpeSampler tpe = new TpeSampler(TpeSampler.optuna31Options(1));

  private static TrialRecord complete(int number, double value) {
    return new TrialRecord(number, RunId.of("r" + number), TrialState.COMPLETE, Map.of("x", X),
        Map.of("x", (double) number), Optional.of(value), new TreeMap<>(), Optional.empty());
  }

  private static TrialRecord pruned(int number, Map<Long, Double> reports) {
    return new TrialRecord(number, RunId.of("r" + number), TrialState.PRUNED, Map.of("x", X),
        Map.of("x", (double) number), Optional.empty(), new TreeMap<>(reports), Optional.of("pruned"));
  }

  private static TrialRecord running(int number) {
    return new TrialRecord(number, RunId.of("r" + number), TrialState.RUNNING, Map.of("x", X),
        Map.of("x", (double) number), Optional.empty(), new TreeMap<>(), Optional.empty());
  }

  private static List<Integer> numbers(List<TrialRecord> trials) {
    return trials.stream().map(TrialRecord::number).toList();
  }

  @Test
  void theBestGammaOfNTrialsFormTheGoodGroupInTrialOrder() {
    // values 30 - 3i mod 31: trial 10 has the lowest (0), trial 0 the highest (30)
    List<TrialRecord> trials = new ArrayList<>();
    for (int i = 0; i <= 10; i++) {
      trials.add(complete(i, (30 - 3 * i) % 31));
    }
    TpeSampler.Split min = tpe.split(new StudyHistory(Direction.MINIMIZE, trials));
    assertThat(numbers(min.below())).containsExactly(9, 10); // gamma(11) = 2: values 3 and 0
    assertThat(numbers(min.above())).containsExactly(0, 1, 2, 3, 4, 5, 6, 7, 8);
    TpeSampler.Split max = tpe.split(new StudyHistory(Direction.MAXIMIZE, trials));
    assertThat(numbers(max.below())).containsExactly(0, 1); // values 30 and 27
  }

  @Test
  void theGoodGroupStopsGrowingAt25() {
    List<TrialRecord> trials = new ArrayList<>();
    for (int i = 0; i < 400; i++) {
      trials.add(complete(i, i));
    }
    TpeSampler.Split split = tpe.split(new StudyHistory(Direction.MINIMIZE, trials));
    assertThat(split.below()).hasSize(25);
    assertThat(split.above()).hasSize(375);
  }

  @Test
  void prunedTrialsCountInNAndRankAfterCompletedOnesByHowFarTheyGot() {
    List<TrialRecord> trials = new ArrayList<>();
    trials.add(pruned(0, Map.of(1L, -100.0)));
    trials.add(complete(1, 5));
    trials.add(pruned(2, Map.of())); // never reported: last
    trials.add(pruned(3, Map.of(1L, 9.0, 7L, 8.0))); // got furthest among the pruned
    for (int i = 4; i < 11; i++) {
      trials.add(pruned(i, Map.of(2L, (double) i)));
    }
    trials.add(new TrialRecord(11, RunId.of("r11"), TrialState.FAILED, Map.of("x", X), Map.of("x", 11.0),
        Optional.empty(), new TreeMap<>(), Optional.of("boom")));
    // 11 trials observed (the failed one is not): gamma(11) = 2
    TpeSampler.Split split = tpe.split(new StudyHistory(Direction.MINIMIZE, trials));
    assertThat(numbers(split.below())).containsExactly(1, 3);
    assertThat(numbers(split.above())).containsExactly(0, 2, 4, 5, 6, 7, 8, 9, 10);
    assertThat(TpeSampler.observed(new StudyHistory(Direction.MINIMIZE, trials))).hasSize(11);
  }

  @Test
  void runningTrialsJoinTheBadGroupOnlyWithConstantLiar() {
    List<TrialRecord> trials = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      trials.add(complete(i, i));
    }
    trials.add(running(10));
    StudyHistory history = new StudyHistory(Direction.MINIMIZE, trials);
    assertThat(numbers(tpe.split(history).above())).doesNotContain(10).hasSize(9);
    TpeSampler liar = new TpeSampler(TpeSampler.optuna31Options(1).withConstantLiar(true));
    assertThat(numbers(liar.split(history).below())).containsExactly(0);
    assertThat(numbers(liar.split(history).above())).contains(10).hasSize(10);
  }
}
