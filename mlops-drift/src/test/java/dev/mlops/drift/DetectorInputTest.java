package dev.mlops.drift;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class DetectorInputTest {

  @ParameterizedTest(name = "{0}")
  @MethodSource("dev.mlops.drift.DetectorKinds#all")
  void nonFiniteInputsAreIgnored(DetectorKinds.Kind kind) {
    double[] xs = DetectorKinds.changingStream(11, 4000);
    ConceptDriftDetector clean = kind.fresh().get();
    ConceptDriftDetector noisy = kind.fresh().get();
    double[] junk = {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY};
    for (int i = 0; i < xs.length; i++) {
      DriftState before = noisy.state();
      assertThat(noisy.update(junk[i % 3])).isEqualTo(before);
      assertThat(noisy.update(xs[i])).as("input %d", i).isEqualTo(clean.update(xs[i]));
    }
    assertThat(noisy.count()).isEqualTo(xs.length);
    assertThat(noisy.toBytes()).isEqualTo(clean.toBytes());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("dev.mlops.drift.DetectorKinds#all")
  void resetForgetsEverything(DetectorKinds.Kind kind) {
    ConceptDriftDetector d = kind.fresh().get();
    for (double x : DetectorKinds.changingStream(5, 3000)) {
      d.update(x);
    }
    d.reset();
    assertThat(d.count()).isZero();
    assertThat(d.state()).isEqualTo(DriftState.STABLE);
    assertThat(d.toBytes()).isEqualTo(kind.fresh().get().toBytes());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("dev.mlops.drift.DetectorKinds#all")
  void everyKindDetectsARiseOfTheErrorRate(DetectorKinds.Kind kind) {
    double[] xs = new double[20_000];
    java.util.SplittableRandom rnd = new java.util.SplittableRandom(99);
    for (int i = 0; i < xs.length; i++) {
      // KS tests cannot see a Bernoulli rate change well; give KSWIN a shift of a continuous
      // variable of the same direction.
      xs[i] = kind.name().startsWith("KSWIN") ? rnd.nextDouble() * 0.8 + (i < 10_000 ? 0 : 0.2)
          : (rnd.nextDouble() < (i < 10_000 ? 0.1 : 0.5) ? 1 : 0);
    }
    ConceptDriftDetector d = kind.fresh().get();
    List<Integer> drifts = new ArrayList<>();
    for (int i = 0; i < xs.length; i++) {
      if (d.update(xs[i]) == DriftState.DRIFT) {
        drifts.add(i);
      }
    }
    // DDM is the slowest: its error rate averages the whole concept, so after 10,000 stable
    // inputs it takes ~950 inputs at the new rate to cross p_min + 3 s_min.
    assertThat(drifts).as("drift within 1,500 inputs after the change").anyMatch(i -> i >= 10_000 && i < 11_500);
  }

  @Test
  void boundedDetectorsClampOutOfRangeInputs() {
    double[] xs = DetectorKinds.changingStream(8, 3000);
    for (java.util.function.Supplier<ConceptDriftDetector> fresh : List.<java.util.function.Supplier<ConceptDriftDetector>>of(
        () -> Ddm.builder().build(), () -> HddmA.builder().build(),
        () -> HddmW.builder().build())) {
      ConceptDriftDetector clamped = fresh.get();
      ConceptDriftDetector raw = fresh.get();
      for (double x : xs) {
        assertThat(raw.update(x == 1 ? 7.5 : -2.0)).isEqualTo(clamped.update(x));
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("dev.mlops.drift.DetectorKinds#all")
  void updateAllocatesNothing(DetectorKinds.Kind kind) {
    com.sun.management.ThreadMXBean threads =
        (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    double[] xs = DetectorKinds.changingStream(21, 200_000);
    ConceptDriftDetector d = kind.fresh().get();
    for (int i = 0; i < 50_000; i++) {
      d.update(xs[i]);
    }
    long self = Thread.currentThread().getId();
    threads.getThreadAllocatedBytes(self);
    long before = threads.getThreadAllocatedBytes(self);
    long drifts = 0;
    for (int i = 50_000; i < xs.length; i++) {
      drifts += d.update(xs[i]) == DriftState.DRIFT ? 1 : 0;
    }
    long after = threads.getThreadAllocatedBytes(self);
    assertThat(after - before).as("bytes allocated by 150,000 updates (%d drifts)", drifts)
        .isZero();
  }
}
