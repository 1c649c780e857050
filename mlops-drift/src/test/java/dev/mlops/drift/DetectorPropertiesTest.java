package dev.mlops.drift;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.mlops.CorruptDataException;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

class DetectorPropertiesTest {

  @Provide
  Arbitrary<DetectorKinds.Kind> kinds() {
    return Arbitraries.of(DetectorKinds.all());
  }

  @Provide
  Arbitrary<List<Double>> inputs() {
    Arbitrary<Double> bits = Arbitraries.of(0.0, 1.0);
    Arbitrary<Double> units = Arbitraries.doubles().between(0, 1);
    Arbitrary<Double> wild = Arbitraries.of(Double.NaN, Double.POSITIVE_INFINITY,
        Double.NEGATIVE_INFINITY, -1e300, 1e300, Double.MAX_VALUE, -Double.MAX_VALUE, -0.0,
        Double.MIN_VALUE, 3.5);
    Arbitrary<Double> normals = Arbitraries.doubles().between(-5, 5);
    return Arbitraries.frequencyOf(
            net.jqwik.api.Tuple.of(6, bits), net.jqwik.api.Tuple.of(3, units),
            net.jqwik.api.Tuple.of(2, normals), net.jqwik.api.Tuple.of(1, wild))
        .list().ofMinSize(0).ofMaxSize(1500);
  }

  @Property(tries = 300)
  void roundTripAtAnyPointOfAnyStreamContinuesIdentically(
      @ForAll("kinds") DetectorKinds.Kind kind, @ForAll("inputs") List<Double> xs,
      @ForAll @IntRange(min = 0, max = 1500) int cutAt) {
    int cut = Math.min(cutAt, xs.size());
    ConceptDriftDetector original = kind.fresh().get();
    for (int i = 0; i < cut; i++) {
      original.update(xs.get(i));
    }
    ConceptDriftDetector restored = ConceptDriftDetectors.restore(original.toBytes());
    assertThat(restored.state()).isEqualTo(original.state());
    assertThat(restored.count()).isEqualTo(original.count());
    for (int i = cut; i < xs.size(); i++) {
      assertThat(restored.update(xs.get(i))).isEqualTo(original.update(xs.get(i)));
    }
    assertThat(restored.toBytes()).isEqualTo(original.toBytes());
  }

  @Property(tries = 500)
  void arbitraryBytesAreEitherADetectorOrCorruptData(@ForAll @Size(max = 400) byte[] bytes,
      @ForAll boolean withValidHeader) {
    if (withValidHeader && bytes.length >= 6) {
      bytes[0] = 'M';
      bytes[1] = 'L';
      bytes[2] = 'C';
      bytes[3] = 'D';
      bytes[4] = 1;
      bytes[5] = (byte) (1 + Math.floorMod(bytes[5], 8));
    }
    Throwable t = catchThrowable(() -> ConceptDriftDetectors.restore(bytes));
    assertThat(t).isInstanceOf(CorruptDataException.class);
    assertThat(t.getMessage()).startsWith("concept-drift detector bytes");
  }

  @Property(tries = 200)
  void stateIsAlwaysOneOfTheThreeAndCountCountsFiniteInputs(
      @ForAll("kinds") DetectorKinds.Kind kind, @ForAll("inputs") List<Double> xs) {
    ConceptDriftDetector d = kind.fresh().get();
    long finite = 0;
    for (double x : xs) {
      assertThat(d.update(x)).isNotNull().isEqualTo(d.state());
      finite += Double.isFinite(x) ? 1 : 0;
    }
    assertThat(d.count()).isEqualTo(finite);
  }
}
