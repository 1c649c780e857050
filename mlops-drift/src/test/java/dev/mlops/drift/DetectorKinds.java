package dev.mlops.drift;

import java.util.List;
import java.util.function.Supplier;

/** One default-built detector of every kind, for tests that cover all of them. */
final class DetectorKinds {

  /** A named way to build a fresh detector. */
  record Kind(String name, Supplier<ConceptDriftDetector> fresh) {
    @Override
    public String toString() {
      return name;
    }
  }

  static final List<Kind> ALL = List.of(
      new Kind("ADWIN", () -> Adwin.builder().build()),
      new Kind("ADWIN(reportDecreases)", () -> Adwin.builder().reportDecreases(true).delta(0.05)
          .build()),
      new Kind("DDM", () -> Ddm.builder().build()),
      new Kind("EDDM", () -> Eddm.builder().build()),
      new Kind("PageHinkley", () -> PageHinkley.builder().build()),
      new Kind("PageHinkley(lambda=20)", () -> PageHinkley.builder().lambda(20).build()),
      new Kind("HDDM_A", () -> HddmA.builder().build()),
      new Kind("HDDM_A(one-sided)", () -> HddmA.builder().twoSided(false).build()),
      new Kind("HDDM_W", () -> HddmW.builder().build()),
      new Kind("HDDM_W(two-sided)", () -> HddmW.builder().twoSided(true).build()),
      new Kind("KSWIN", () -> Kswin.builder().seed(7).build()),
      new Kind("CUSUM", () -> Cusum.builder().build()));

  private DetectorKinds() {}

  static List<Kind> all() {
    return ALL;
  }

  /** A stream with a change in the middle that suits every detector (values in [0, 1]). */
  static double[] changingStream(long seed, int length) {
    java.util.SplittableRandom rnd = new java.util.SplittableRandom(seed);
    double[] xs = new double[length];
    for (int i = 0; i < length; i++) {
      double p = i < length / 2 ? 0.1 : 0.4;
      xs[i] = rnd.nextDouble() < p ? 1.0 : 0.0;
    }
    return xs;
  }
}
