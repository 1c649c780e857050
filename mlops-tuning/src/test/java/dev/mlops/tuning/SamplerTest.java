package dev.mlops.tuning;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mlops.Mlops;
import dev.mlops.Workspace;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.LongFunction;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class SamplerTest {
  private final Workspace ws = Mlops.open("mem:");
  private int studies;

  @AfterEach
  void close() {
    ws.close();
  }

  private static double mixed(Trial t) {
    double x = t.suggestFloat("x", -5, 5);
    double lr = t.suggestFloat("lr", 1e-5, 1, true);
    long n = t.suggestInt("n", 1, 9, 2, false);
    String kind = t.suggestCategorical("kind", "a", "b", "c");
    double extra = kind.equals("a") ? t.suggestFloat("only_a", 0, 1) : 0;
    return x * x + Math.log10(lr) * Math.log10(lr) + n + kind.length() + extra;
  }

  private List<Map<String, String>> paramsOf(Sampler sampler, Direction direction, int n) {
    Study study = Study.builder(ws, "s" + studies++).sampler(sampler).direction(direction).build();
    study.optimize(SamplerTest::mixed, n);
    assertThat(study.trials()).extracting(TrialRecord::state).containsOnly(TrialState.COMPLETE);
    return study.trials().stream().map(TrialRecord::displayedParams).toList();
  }

  @Test
  void everySamplerIsReproducibleFromItsSeedAndDiffersAcrossSeeds() {
    List<LongFunction<Sampler>> kinds = List.of(
        RandomSampler::new,
        SobolSampler::new,
        seed -> new TpeSampler(TpeSampler.options(seed).withStartupTrials(5)),
        seed -> new TpeSampler(TpeSampler.options(seed).withStartupTrials(5).withMultivariate(true)));
    for (LongFunction<Sampler> kind : kinds) {
      for (Direction d : Direction.values()) {
        List<Map<String, String>> a = paramsOf(kind.apply(42), d, 20);
        List<Map<String, String>> b = paramsOf(kind.apply(42), d, 20);
        List<Map<String, String>> c = paramsOf(kind.apply(43), d, 20);
        assertThat(b).as(kind.apply(42) + " " + d).isEqualTo(a);
        assertThat(c).as(kind.apply(42) + " " + d).isNotEqualTo(a);
      }
    }
  }

  @Test
  void sobolCoversTheUnitSquareMoreEvenlyThanRandom() {
    // 64 points in an 8x8 grid of cells: a (shifted) Sobol sequence puts one in each cell
    Study sobol = Study.builder(ws, "sobol").sampler(new SobolSampler(5)).build();
    sobol.optimize(t -> t.suggestFloat("u", 0, 1) + t.suggestFloat("v", 0, 1), 64);
    Set<Integer> cells = new HashSet<>();
    for (TrialRecord t : sobol.trials()) {
      cells.add((int) (t.params().get("u") * 8) * 8 + (int) (t.params().get("v") * 8));
    }
    Study random = Study.builder(ws, "random").sampler(new RandomSampler(5)).build();
    random.optimize(t -> t.suggestFloat("u", 0, 1) + t.suggestFloat("v", 0, 1), 64);
    Set<Integer> randomCells = new HashSet<>();
    for (TrialRecord t : random.trials()) {
      randomCells.add((int) (t.params().get("u") * 8) * 8 + (int) (t.params().get("v") * 8));
    }
    assertThat(cells).hasSizeGreaterThanOrEqualTo(60);
    assertThat(randomCells.size()).isLessThan(cells.size());
  }

  @Test
  void gridVisitsEveryCellOnceInTheFirstSizeTrials() {
    SearchSpace space = SearchSpace.builder()
        .categorical("kind", "a", "b")
        .intParam("n", 1, 3, 1, false)
        .floatParam("lr", 1e-3, 1e-1, true)
        .build();
    GridSampler grid = new GridSampler(space, 3);
    assertThat(grid.size()).isEqualTo(18);
    Study study = Study.builder(ws, "grid").space(space).sampler(grid).build();
    study.optimize(t -> 0.0, 18);
    Set<Map<String, String>> seen = new HashSet<>();
    study.trials().forEach(t -> seen.add(t.displayedParams()));
    assertThat(seen).hasSize(18);
    assertThat(study.trials()).extracting(t -> t.displayed("lr").orElseThrow())
        .containsOnly("0.001", "0.01", "0.1");
  }

  @Test
  void gridRejectsAParameterItDoesNotDeclare() {
    GridSampler grid = new GridSampler(SearchSpace.builder().categorical("kind", "a").build(), 2);
    Study study = Study.builder(ws, "grid2").sampler(grid).build();
    study.optimize(t -> t.suggestFloat("other", 0, 1), 1);
    assertThat(study.trials().get(0).reason().orElseThrow()).contains("'other'").contains("not in the grid");
    assertThatThrownBy(() -> new GridSampler(SearchSpace.builder().build(), 0))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("0");
  }

  @Test
  void tpeAfterStartupConcentratesNearTheOptimumOfACategoricalParameter() {
    Study study = Study.builder(ws, "cat").sampler(new TpeSampler(9)).build();
    study.optimize(t -> switch (t.suggestCategorical("c", "a", "b", "c", "d")) {
      case "c" -> 0.0;
      default -> 1.0;
    }, 60);
    long cAfterStartup = study.trials().stream().skip(10).filter(t -> t.displayed("c").orElseThrow().equals("c")).count();
    // uniform sampling would give about 12 of 50
    assertThat(cAfterStartup).isGreaterThan(25);
  }

  @Test
  void tpeFindsTheOptimumOfIntegerParametersOnStepAndLogScales() {
    int found = 0;
    for (long seed = 0; seed < 5; seed++) {
      Study study = Study.builder(ws, "int" + seed).sampler(new TpeSampler(seed)).build();
      study.optimize(t -> {
        long layers = t.suggestInt("layers", 1, 9, 2, false);
        long units = t.suggestInt("units", 1, 1024, 1, true);
        return Math.abs(layers - 5) + Math.abs(Math.log(units) - Math.log(64));
      }, 50);
      TrialRecord best = study.bestTrial().orElseThrow();
      if (best.params().get("layers") == 5.0 && Math.abs(best.params().get("units") - 64) <= 16) {
        found++;
      }
    }
    assertThat(found).isGreaterThanOrEqualTo(4);
  }

  @Test
  void maximizeFindsTheTopOfTheFunction() {
    Study study = Study.builder(ws, "max").direction(Direction.MAXIMIZE).sampler(new TpeSampler(4)).build();
    study.optimize(t -> -Math.pow(t.suggestFloat("x", -10, 10) - 3, 2), 60);
    assertThat(study.bestTrial().orElseThrow().params().get("x")).isCloseTo(3.0, org.assertj.core.data.Offset.offset(0.5));
    assertThat(study.bestTrial().orElseThrow().value().orElseThrow()).isGreaterThan(-0.25);
  }
}
