package dev.mlops.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** Build-time validation of pipeline definitions: each mistake is an error naming it. */
class PipelineDefinitionTest {
  private static final StepBody NOOP = ctx -> { };

  @Test
  void ordersStepsTopologicallyAndDerivesDependenciesFromReads() {
    Pipeline p = Pipeline.builder("p")
        .step(Step.task("train", NOOP).reads("prep.data").artifacts("model"))
        .step(Step.task("prep", NOOP).artifacts("data"))
        .step(Step.task("eval", NOOP).reads("train.model", "prep.data").metrics("auc"))
        .build();
    assertThat(p.steps()).extracting(Step::name).containsExactly("prep", "train", "eval");
    assertThat(p.dependencies("eval")).containsExactlyInAnyOrder("train", "prep");
  }

  @Test
  void namesTheCycle() {
    assertThatThrownBy(() -> Pipeline.builder("p")
        .step(Step.task("a", NOOP).after("c"))
        .step(Step.task("b", NOOP).after("a"))
        .step(Step.task("c", NOOP).after("b"))
        .build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("cycle")
        .hasMessageContaining("a -> c -> b -> a");
  }

  @Test
  void rejectsDuplicateNames() {
    assertThatThrownBy(() -> Pipeline.builder("p").step(Step.task("a", NOOP)).step(Step.task("a", NOOP)).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("two steps named 'a'");
  }

  @Test
  void rejectsUnknownDependencies() {
    assertThatThrownBy(() -> Pipeline.builder("p").step(Step.task("a", NOOP).after("ghost")).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("step 'a' depends on unknown step 'ghost'");
    assertThatThrownBy(() -> Pipeline.builder("p").step(Step.task("a", NOOP).reads("ghost.x")).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unknown step 'ghost'");
  }

  @Test
  void rejectsReadsOfUndeclaredOutputs() {
    assertThatThrownBy(() -> Pipeline.builder("p")
        .step(Step.task("a", NOOP).artifacts("model"))
        .step(Step.task("b", NOOP).reads("a.modle"))
        .build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("step 'b' reads 'a.modle' but step 'a' declares no output 'modle' (it declares [model])");
    assertThatThrownBy(() -> Pipeline.builder("p").step(Step.task("a", NOOP).reads("nodot")).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'step.output'");
  }

  @Test
  void rejectsBadBranchesAndRegisterInputs() {
    assertThatThrownBy(() -> Pipeline.builder("p")
        .step(Step.task("eval", NOOP).metrics("auc"))
        .step(Step.condition("gate", QualityGates.metricAtLeast("eval.auc", 0.5)).ifTrue("nowhere"))
        .build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("branches to unknown step 'nowhere'");
    assertThatThrownBy(() -> Pipeline.builder("p")
        .step(Step.task("train", NOOP).metrics("auc"))
        .step(Step.register("reg", "m").artifact("model", "train.auc"))
        .build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("takes 'train.auc' as ARTIFACT but it is METRIC");
  }

  @Test
  void rejectsBadStepDeclarations() {
    assertThatThrownBy(() -> Step.task("a.b", NOOP)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("contains '.'");
    assertThatThrownBy(() -> Step.task("a", NOOP).metrics("x").artifacts("x"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("declares output 'x' twice");
    assertThatThrownBy(() -> Step.task("a", NOOP).ifTrue("b")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("ifTrue applies to CONDITION steps");
    assertThatThrownBy(() -> Pipeline.builder("p").build()).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("no steps");
  }
}
