package dev.mlops.drift;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.mlops.CorruptDataException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class BaselineProfileTest {
  static final CategoricalFeature COUNTRY = CategoricalFeature.of("country", "de", "fr", "us", "jp", "rare");

  /** A deterministic profile: x ~ N(10, 2) with 1% NaN and some infinities, y uniform, country skewed. */
  static BaselineProfile sampleProfile(int rows, long seed) {
    Random rnd = new Random(seed);
    BaselineProfile.Fitter fitter = BaselineProfile.fitter(List.of("x", "y"), List.of(COUNTRY)).bins(12);
    for (int i = 0; i < rows; i++) {
      double x = i % 100 == 0 ? Double.NaN : i % 997 == 0 ? Double.POSITIVE_INFINITY : 10 + 2 * rnd.nextGaussian();
      double y = rnd.nextDouble();
      int u = rnd.nextInt(1000);
      int code = u < 500 ? 0 : u < 800 ? 1 : u < 990 ? 2 : u < 999 ? 3 : (i % 2 == 0 ? 4 : 17);
      if (i % 250 == 0) {
        code = -1;
      }
      fitter.add(new double[] {x, y}, new int[] {code});
    }
    return fitter.build();
  }

  @Test
  void fitsMomentsMissingRatesAndQuantileBins() {
    Random rnd = new Random(5);
    double[] values = new double[50_000];
    BaselineProfile.Fitter fitter = BaselineProfile.fitter(List.of("v"), List.of());
    for (int i = 0; i < values.length; i++) {
      values[i] = 3 + rnd.nextGaussian();
      fitter.add(new double[] {values[i]});
    }
    fitter.add(new double[] {Double.NaN});
    fitter.add(new double[] {Double.NEGATIVE_INFINITY});
    NumericFeatureProfile v = fitter.build().numericFeatures().get(0);

    double mean = Arrays.stream(values).average().orElseThrow();
    double var = Arrays.stream(values).map(x -> (x - mean) * (x - mean)).sum() / (values.length - 1);
    assertThat(v.count()).isEqualTo(50_000);
    assertThat(v.mean()).isCloseTo(mean, within(1e-9));
    assertThat(v.variance()).isCloseTo(var, within(1e-9));
    assertThat(v.min()).isEqualTo(Arrays.stream(values).min().orElseThrow());
    assertThat(v.max()).isEqualTo(Arrays.stream(values).max().orElseThrow());
    assertThat(v.missingCount()).isEqualTo(1);
    assertThat(v.infiniteCount()).isEqualTo(1);
    assertThat(v.missingRate()).isCloseTo(1.0 / 50_002, within(1e-15));

    double[] edges = v.binEdges();
    assertThat(edges).hasSize(BaselineProfile.DEFAULT_BINS - 1);
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    double eps = v.normalizedRankError();
    assertThat(eps).isLessThan(0.02);
    // eps bounds one rank's error with 99% confidence (about 2.6 standard deviations); a bin's
    // probability is a difference of two ranks, checked at 2.5 eps (far beyond 99.99%).
    for (double p : v.binProbabilities()) {
      assertThat(p).isCloseTo(0.1, within(2.5 * eps));
    }
    // Each bin probability agrees with the exact share of values in the bin within the sketch error.
    double[] exact = DriftTest.binCounts(values, edges);
    for (int i = 0; i < exact.length; i++) {
      assertThat(v.binProbabilities()[i]).isCloseTo(exact[i] / values.length, within(2.5 * eps));
    }
    assertThat(v.quantile(0.5)).isCloseTo(sorted[25_000], within(0.05));
  }

  @Test
  void smallSamplesAreExact() {
    BaselineProfile p = BaselineProfile.fit(List.of("v"), new double[][] {{1}, {2}, {3}, {4}});
    NumericFeatureProfile v = p.numericFeatures().get(0);
    // quantile edges of {1,2,3,4} at ranks 0.1..0.9 collapse to 2, 3, 4 (edges above the minimum)
    assertThat(v.binEdges()).containsExactly(2, 3, 4);
    assertThat(v.binProbabilities()).containsExactly(0.25, 0.25, 0.25, 0.25);
  }

  @Test
  void categoricalFrequencyTableFoldsRareAndUnknownCategoriesIntoOther() {
    CategoricalFeatureProfile c = sampleProfile(100_000, 1).categoricalFeatures().get(0);
    assertThat(c.missingCount()).isEqualTo(400);
    assertThat(c.unknownCount()).isPositive();
    // "rare" has about 0.05% of the values, below the default 0.1% share
    assertThat(c.bucketLabels()).containsExactly("de", "fr", "us", "jp", CategoricalFeatureProfile.OTHER);
    assertThat(c.bucketOf(4)).isEqualTo(4);
    assertThat(c.bucketOf(17)).isEqualTo(4);
    assertThat(c.bucketOf(-1)).isEqualTo(4);
    double[] p = c.bucketProbabilities();
    assertThat(p[0]).isCloseTo(0.5, within(0.01));
    assertThat(Arrays.stream(p).sum()).isCloseTo(1, within(1e-12));
    assertThat(c.countOf(0) + c.countOf(1) + c.countOf(2) + c.countOf(3) + c.countOf(4) + c.unknownCount())
        .isEqualTo(c.count());
  }

  @Test
  void rejectsBadFeatureDeclarationsAndRows() {
    assertThatThrownBy(() -> BaselineProfile.fitter(List.of("a", "a"), List.of()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'a'");
    assertThatThrownBy(() -> BaselineProfile.fitter(List.of("bad name"), List.of()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("bad name");
    BaselineProfile.Fitter f = BaselineProfile.fitter(List.of("a", "b"), List.of());
    assertThatThrownBy(() -> f.add(new double[3]))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("expected 2").hasMessageContaining("got 3");
    assertThatThrownBy(() -> f.bins(17)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("17");
    f.add(new double[2]);
    assertThatThrownBy(() -> f.sketchK(100)).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void bytesRoundTripExactly() {
    BaselineProfile p = sampleProfile(20_000, 2);
    byte[] bytes = p.toBytes();
    BaselineProfile back = BaselineProfile.fromBytes(bytes);
    assertThat(Arrays.equals(back.toBytes(), bytes)).as("round trip is byte-identical").isTrue();
    assertThat(back.numericNames()).containsExactly("x", "y");
    NumericFeatureProfile x = back.numericFeatures().get(0);
    NumericFeatureProfile original = p.numericFeatures().get(0);
    assertThat(x.mean()).isEqualTo(original.mean());
    assertThat(x.binEdges()).isEqualTo(original.binEdges());
    assertThat(x.quantile(0.9)).isEqualTo(original.quantile(0.9));
    assertThat(back.categoricalFeatures().get(0).bucketLabels()).isEqualTo(p.categoricalFeatures().get(0).bucketLabels());
  }

  @Test
  void readsTheVersion1FixtureWrittenByAnEarlierBuild() throws IOException {
    byte[] fixture;
    try (InputStream in = getClass().getResourceAsStream("baseline-profile-v1.bin")) {
      assertThat(in).as("fixture baseline-profile-v1.bin").isNotNull();
      fixture = in.readAllBytes();
    }
    BaselineProfile p = BaselineProfile.fromBytes(fixture);
    // Values recorded when the fixture was written (sampleProfile(5000, 99)).
    assertThat(p.numericNames()).containsExactly("x", "y");
    assertThat(p.bins()).isEqualTo(12);
    NumericFeatureProfile x = p.numericFeatures().get(0);
    assertThat(x.count()).isEqualTo(4945);
    assertThat(x.missingCount()).isEqualTo(50);
    assertThat(x.infiniteCount()).isEqualTo(5);
    assertThat(x.mean()).isCloseTo(10, within(0.1));
    assertThat(p.categoricalFeatures().get(0).missingCount()).isEqualTo(20);
    // Writing it again reproduces the same bytes: the format is stable. (A fresh fit is not
    // byte-identical: KLL compaction is randomized.)
    assertThat(Arrays.equals(p.toBytes(), fixture)).as("re-serialized fixture is identical").isTrue();
  }

  /** Regenerates the fixture: run with -Dmlops.writeFixtures=path/to/src/test/resources/dev/mlops/drift */
  @Test
  void writeFixtureWhenAsked() throws IOException {
    String dir = System.getProperty("mlops.writeFixtures");
    if (dir != null) {
      Files.write(Path.of(dir, "baseline-profile-v1.bin"), sampleProfile(5000, 99).toBytes());
    }
  }

  @Test
  void unknownFormatVersionIsCorruptDataNamingTheVersion() {
    byte[] bytes = sampleProfile(1000, 3).toBytes();
    bytes[5] = 9;
    assertThatThrownBy(() -> BaselineProfile.fromBytes(bytes))
        .isInstanceOf(CorruptDataException.class)
        .hasMessageContaining("format version 9")
        .hasMessageContaining("reads version 1 and version 2");
  }

  @Test
  void damagedTruncatedOrForeignBytesAreCorruptData() {
    byte[] bytes = sampleProfile(1000, 4).toBytes();
    byte[] flipped = bytes.clone();
    flipped[bytes.length / 2] ^= 0x10;
    assertThatThrownBy(() -> BaselineProfile.fromBytes(flipped))
        .isInstanceOf(CorruptDataException.class).hasMessageContaining("CRC-32");
    assertThatThrownBy(() -> BaselineProfile.fromBytes(Arrays.copyOf(bytes, 3)))
        .isInstanceOf(CorruptDataException.class).hasMessageContaining("too short");
    assertThatThrownBy(() -> BaselineProfile.fromBytes("{\"json\": true}".getBytes()))
        .isInstanceOf(CorruptDataException.class).hasMessageContaining("magic");
  }

  @Property(tries = 200)
  void anyDamageIsReportedAsCorruptData(@ForAll @IntRange(min = 0, max = 10_000) int position,
      @ForAll @IntRange(min = 1, max = 255) int xor, @ForAll boolean truncate) {
    byte[] bytes = sampleProfile(300, 5).toBytes();
    int at = position % bytes.length;
    byte[] damaged = truncate ? Arrays.copyOf(bytes, at) : bytes.clone();
    if (!truncate) {
      damaged[at] ^= (byte) xor;
    }
    assertThatThrownBy(() -> BaselineProfile.fromBytes(damaged)).isInstanceOf(CorruptDataException.class);
  }

  @Test
  void mergedShardsEqualOneFitForCountsAndMomentsAndStayWithinSketchError() {
    Random rnd = new Random(8);
    BaselineProfile.Fitter all = BaselineProfile.fitter(List.of("v"), List.of(COUNTRY));
    BaselineProfile.Fitter a = BaselineProfile.fitter(List.of("v"), List.of(COUNTRY));
    BaselineProfile.Fitter b = BaselineProfile.fitter(List.of("v"), List.of(COUNTRY));
    double[] values = new double[60_000];
    for (int i = 0; i < values.length; i++) {
      values[i] = i < 20_000 ? rnd.nextGaussian() : 2 + rnd.nextGaussian();
      int code = rnd.nextInt(4);
      double[] row = {values[i]};
      all.add(row, new int[] {code});
      (i < 20_000 ? a : b).add(row, new int[] {code});
    }
    BaselineProfile merged = a.build().merge(b.build());
    BaselineProfile whole = all.build();
    NumericFeatureProfile m = merged.numericFeatures().get(0);
    NumericFeatureProfile w = whole.numericFeatures().get(0);
    assertThat(m.count()).isEqualTo(w.count());
    assertThat(m.mean()).isCloseTo(w.mean(), within(1e-9));
    assertThat(m.variance()).isCloseTo(w.variance(), within(1e-9));
    assertThat(m.min()).isEqualTo(w.min());
    assertThat(m.max()).isEqualTo(w.max());
    Arrays.sort(values);
    double eps = m.normalizedRankError();
    for (double r : new double[] {0.1, 0.25, 0.5, 0.75, 0.9}) {
      double q = m.quantile(r);
      double trueRank = (double) DriftTest.binCounts(values, new double[] {q})[0] / values.length;
      // eps is a 99% bound per query; 1.5 eps (~3.9 standard deviations) keeps 5 queries unflaky
      assertThat(trueRank).as("rank of merged quantile %s", r).isCloseTo(r, within(1.5 * eps));
    }
    for (int code = 0; code < 4; code++) {
      assertThat(merged.categoricalFeatures().get(0).countOf(code))
          .isEqualTo(whole.categoricalFeatures().get(0).countOf(code));
    }
    assertThatThrownBy(() -> merged.merge(BaselineProfile.fit(List.of("other"), new double[][] {{1}})))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("other");
  }
}
