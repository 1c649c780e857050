package dev.mlops.drift;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class DetectorBuilderTest {

  static List<Arguments> invalidSettings() {
    return List.of(
        bad("ADWIN delta 0", () -> Adwin.builder().delta(0), "delta = 0.0", "(0, 1)"),
        bad("ADWIN delta 1", () -> Adwin.builder().delta(1), "delta = 1.0", "(0, 1)"),
        bad("ADWIN delta NaN", () -> Adwin.builder().delta(Double.NaN), "delta = NaN", "(0, 1)"),
        bad("ADWIN clock 0", () -> Adwin.builder().clock(0), "clock = 0", "[1, 1048576]"),
        bad("ADWIN maxBuckets 1", () -> Adwin.builder().maxBuckets(1), "maxBuckets = 1", "[2, 64]"),
        bad("ADWIN minSubWindowLength 0", () -> Adwin.builder().minSubWindowLength(0),
            "minSubWindowLength = 0", "[1, 1048576]"),
        bad("DDM minNumInstances 0", () -> Ddm.builder().minNumInstances(0),
            "minNumInstances = 0", "[1, 2147483647]"),
        bad("DDM warningLevel -1", () -> Ddm.builder().warningLevel(-1), "warningLevel = -1.0",
            "(0, +inf)"),
        bad("DDM driftLevel inf", () -> Ddm.builder().driftLevel(Double.POSITIVE_INFINITY),
            "driftLevel = Infinity", "(0, +inf)"),
        bad("DDM warning above drift", () -> Ddm.builder().warningLevel(4).build(),
            "warningLevel = 4.0 exceeds driftLevel = 3.0"),
        bad("EDDM warning 1.5", () -> Eddm.builder().warningThreshold(1.5),
            "warningThreshold = 1.5", "(0, 1)"),
        bad("EDDM drift 0", () -> Eddm.builder().driftThreshold(0), "driftThreshold = 0.0"),
        bad("EDDM drift above warning", () -> Eddm.builder().driftThreshold(0.97).build(),
            "driftThreshold = 0.97 exceeds warningThreshold = 0.95"),
        bad("EDDM minNumErrors 0", () -> Eddm.builder().minNumErrors(0), "minNumErrors = 0"),
        bad("PH delta -0.1", () -> PageHinkley.builder().delta(-0.1), "delta = -0.1",
            "[0, +inf)"),
        bad("PH lambda 0", () -> PageHinkley.builder().lambda(0), "lambda = 0.0", "(0, +inf)"),
        bad("PH alpha 0", () -> PageHinkley.builder().alpha(0), "alpha = 0.0", "(0, 1]"),
        bad("PH alpha 1.01", () -> PageHinkley.builder().alpha(1.01), "alpha = 1.01", "(0, 1]"),
        bad("CUSUM lambda NaN", () -> Cusum.builder().lambda(Double.NaN), "lambda = NaN"),
        bad("CUSUM minNumInstances -3", () -> Cusum.builder().minNumInstances(-3),
            "minNumInstances = -3"),
        bad("HDDM_A driftConfidence 0", () -> HddmA.builder().driftConfidence(0),
            "driftConfidence = 0.0", "(0, 1)"),
        bad("HDDM_A warning below drift", () -> HddmA.builder().warningConfidence(0.0001).build(),
            "warningConfidence = 1.0E-4 is smaller than driftConfidence = 0.001"),
        bad("HDDM_W lambda 1", () -> HddmW.builder().lambda(1), "lambda = 1.0", "(0, 1)"),
        bad("HDDM_W warningConfidence 2", () -> HddmW.builder().warningConfidence(2),
            "warningConfidence = 2.0"),
        bad("KSWIN alpha 0", () -> Kswin.builder().alpha(0), "alpha = 0.0", "(0, 1)"),
        bad("KSWIN statSize 1", () -> Kswin.builder().statSize(1), "statSize = 1", "[2, 1000]"),
        bad("KSWIN windowSize 3", () -> Kswin.builder().windowSize(3), "windowSize = 3"),
        bad("KSWIN window too small", () -> Kswin.builder().windowSize(50).statSize(30).build(),
            "windowSize = 50 is less than twice statSize = 30"));
  }

  private static Arguments bad(String name, Executable call, String... fragments) {
    return Arguments.of(name, call, fragments);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("invalidSettings")
  void invalidSettingIsRejectedNamingValueAndRange(String name, Executable call,
      String[] fragments) {
    assertThatThrownBy(call::execute).isInstanceOf(IllegalArgumentException.class)
        .satisfies(e -> {
          for (String f : fragments) {
            assertThat(e.getMessage()).contains(f);
          }
        });
  }

  @Test
  void defaultsAreThePublishedParameters() {
    assertSame(Adwin.builder().build(),
        Adwin.builder().delta(0.002).clock(32).maxBuckets(5).minSubWindowLength(5)
            .reportDecreases(false).build());
    assertSame(Ddm.builder().build(),
        Ddm.builder().minNumInstances(30).warningLevel(2.0).driftLevel(3.0).build());
    assertSame(Eddm.builder().build(), Eddm.builder().warningThreshold(0.95)
        .driftThreshold(0.9).minNumInstances(30).minNumErrors(30).build());
    assertSame(PageHinkley.builder().build(), PageHinkley.builder().minNumInstances(30)
        .delta(0.005).lambda(50).alpha(1 - 0.0001).build());
    assertSame(Cusum.builder().build(),
        Cusum.builder().minNumInstances(30).delta(0.005).lambda(50).build());
    assertSame(HddmA.builder().build(), HddmA.builder().driftConfidence(0.001)
        .warningConfidence(0.005).twoSided(true).build());
    assertSame(HddmW.builder().build(), HddmW.builder().driftConfidence(0.001)
        .warningConfidence(0.005).lambda(0.05).twoSided(false).build());
    assertSame(Kswin.builder().build(),
        Kswin.builder().alpha(0.005).windowSize(100).statSize(30).seed(1).build());
  }

  /** Same parameters: the serialized forms (which hold every parameter) are identical. */
  private static void assertSame(ConceptDriftDetector defaults, ConceptDriftDetector explicit) {
    assertThat(defaults.toBytes()).isEqualTo(explicit.toBytes());
    assertThat(defaults.toString()).isEqualTo(explicit.toString());
  }

  @Test
  void aDifferentParameterChangesTheSerializedForm() {
    assertThat(Adwin.builder().delta(0.01).build().toBytes())
        .isNotEqualTo(Adwin.builder().build().toBytes());
  }
}
