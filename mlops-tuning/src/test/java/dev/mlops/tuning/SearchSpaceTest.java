package dev.mlops.tuning;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mlops.Mlops;
import dev.mlops.RunInfo;
import dev.mlops.Workspace;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class SearchSpaceTest {
  private final Workspace ws = Mlops.open("mem:");

  @AfterEach
  void close() {
    ws.close();
  }

  @Test
  void badRangesNameTheParameterAndTheValue() {
    assertThatThrownBy(() -> new FloatParam("lr", 0.1, 0.01, false))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'lr'").hasMessageContaining("0.1")
        .hasMessageContaining("inverted");
    assertThatThrownBy(() -> new FloatParam("lr", 0.0, 1.0, true))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'lr'").hasMessageContaining("log")
        .hasMessageContaining("0.0");
    assertThatThrownBy(() -> new FloatParam("lr", -1, Double.POSITIVE_INFINITY, false))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'lr'").hasMessageContaining("Infinity");
    assertThatThrownBy(() -> new IntParam("layers", 5, 2, 1, false))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'layers'").hasMessageContaining("[5, 2]");
    assertThatThrownBy(() -> new IntParam("units", 0, 64, 1, true))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'units'").hasMessageContaining("low 0");
    assertThatThrownBy(() -> new IntParam("units", 1, 64, 0, false))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'units'").hasMessageContaining("step");
    assertThatThrownBy(() -> new CategoricalParam("optimizer", List.of()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'optimizer'")
        .hasMessageContaining("at least one choice");
  }

  @Test
  void aDegenerateRangeIsAllowedAndAlwaysGivesItsOnlyValue() {
    Study study = Study.builder(ws, "single").sampler(new RandomSampler(1)).build();
    study.optimize(t -> t.suggestFloat("x", 2.5, 2.5) + t.suggestInt("n", 3, 3), 3);
    assertThat(study.trials()).allSatisfy(t -> assertThat(t.value()).contains(5.5));
  }

  @Test
  void defineByRunBadInputFailsThatTrialWithTheParameterNamed() {
    Study study = Study.builder(ws, "bad").sampler(new RandomSampler(1)).build();
    study.optimize(t -> {
      t.suggestFloat("lr", 1e-4, 1e-1, true);
      return t.suggestFloat("lr", 1e-3, 1e-1, true);
    }, 1);
    study.optimize(t -> t.suggestFloat("alpha", 1, 0), 1);
    study.optimize(t -> Double.parseDouble(t.suggestCategorical("kind")), 1);
    List<TrialRecord> trials = study.trials();
    assertThat(trials).extracting(TrialRecord::state).containsOnly(TrialState.FAILED);
    assertThat(trials.get(0).reason().orElseThrow()).contains("'lr'").contains("suggested twice")
        .contains("0.001").contains("1.0E-4");
    assertThat(trials.get(1).reason().orElseThrow()).contains("'alpha'").contains("inverted");
    assertThat(trials.get(2).reason().orElseThrow()).contains("'kind'").contains("at least one choice");
  }

  @Test
  void suggestingTheSameParameterTwiceWithTheSameRangeReturnsTheSameValue() {
    Study study = Study.builder(ws, "same").sampler(new RandomSampler(3)).build();
    study.optimize(t -> {
      double a = t.suggestFloat("lr", 1e-4, 1e-1, true);
      double b = t.suggestFloat("lr", 1e-4, 1e-1, true);
      assertThat(b).isEqualTo(a);
      return a;
    }, 2);
    assertThat(study.trials()).extracting(TrialRecord::state).containsOnly(TrialState.COMPLETE);
  }

  @Test
  void valuesRespectScaleStepAndChoicesAndAreLoggedAsRunParams() {
    Study study = Study.builder(ws, "kinds").sampler(new RandomSampler(7)).build();
    study.optimize(t -> {
      double lr = t.suggestFloat("lr", 1e-4, 1e-1, true);
      long units = t.suggestInt("units", 16, 256, 16, false);
      long batch = t.suggestInt("batch", 1, 1024, 1, true);
      String opt = t.suggestCategorical("optimizer", "sgd", "adam");
      assertThat(lr).isBetween(1e-4, 1e-1);
      assertThat(units).isBetween(16L, 256L);
      assertThat(units % 16).isZero();
      assertThat(batch).isBetween(1L, 1024L);
      assertThat(opt).isIn("sgd", "adam");
      return lr;
    }, 30);
    TrialRecord first = study.trials().get(0);
    RunInfo run = ws.experiments().getRun(first.run());
    assertThat(run.params()).isEqualTo(first.displayedParams());
    assertThat(run.params()).containsKeys("lr", "units", "batch", "optimizer");
    // log scale: a good share of 30 draws of lr fall below 1e-2 (a linear scale would give ~9%)
    long small = study.trials().stream().filter(t -> t.params().get("lr") < 1e-2).count();
    assertThat(small).isGreaterThan(10);
  }

  @Test
  void conditionalParametersExistOnlyForTheirParentsValues() {
    SearchSpace space = SearchSpace.builder()
        .categorical("optimizer", "sgd", "adam")
        .add(new FloatParam("momentum", 0, 0.99, false), Condition.when("optimizer", "sgd"))
        .add(new FloatParam("beta1", 0.8, 0.999, false), Condition.when("optimizer", "adam"))
        .build();
    Study study = Study.builder(ws, "cond").space(space).sampler(new RandomSampler(11)).build();
    study.optimize(t -> t.has("momentum") ? t.floatValue("momentum") : t.floatValue("beta1"), 20);
    for (TrialRecord t : study.trials()) {
      assertThat(t.state()).isEqualTo(TrialState.COMPLETE);
      String opt = t.displayed("optimizer").orElseThrow();
      assertThat(t.distributions().keySet())
          .isEqualTo(opt.equals("sgd") ? java.util.Set.of("optimizer", "momentum") : java.util.Set.of("optimizer", "beta1"));
    }
    assertThat(study.trials()).extracting(t -> t.displayed("optimizer").orElseThrow()).contains("sgd", "adam");
  }

  @Test
  void aSpaceRejectsAConditionOnAnUndeclaredParameterOrAnUnknownChoice() {
    assertThatThrownBy(() -> SearchSpace.builder()
        .add(new FloatParam("momentum", 0, 1, false), Condition.when("optimizer", "sgd")).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'momentum'").hasMessageContaining("'optimizer'");
    assertThatThrownBy(() -> SearchSpace.builder().categorical("optimizer", "sgd")
        .add(new FloatParam("momentum", 0, 1, false), Condition.when("optimizer", "adamw")).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'adamw'");
    assertThatThrownBy(() -> SearchSpace.builder().categorical("a", "x").categorical("a", "y").build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'a'").hasMessageContaining("twice");
  }

  @Test
  void readingAParameterTheTrialDoesNotHaveNamesIt() {
    Study study = Study.builder(ws, "read").sampler(new RandomSampler(1)).build();
    study.optimize(t -> t.floatValue("missing"), 1);
    assertThat(study.trials().get(0).reason().orElseThrow()).contains("'missing'");
    assertThat(Map.of()).isEmpty();
  }
}
