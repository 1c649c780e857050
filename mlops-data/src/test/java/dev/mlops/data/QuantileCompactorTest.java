package dev.mlops.data;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.apache.datasketches.kll.KllDoublesSketch;
import org.apache.datasketches.memory.Memory;
import org.apache.datasketches.quantilescommon.QuantileSearchCriteria;
import org.junit.jupiter.api.Test;

/** The profiler's own KLL update path against DataSketches' KllDoublesSketch. */
class QuantileCompactorTest {

  /** Levels array of a DataSketches sketch, read from its compact serialization. */
  private static int[] libraryLevels(KllDoublesSketch s) {
    ByteBuffer b = ByteBuffer.wrap(s.toByteArray()).order(ByteOrder.LITTLE_ENDIAN);
    int numLevels = b.get(18);
    int[] levels = new int[numLevels + 1];
    for (int h = 0; h < numLevels; h++) {
      levels[h] = b.getInt(20 + 4 * h);
    }
    levels[numLevels] = levels[0] + s.getNumRetained();
    return levels;
  }

  @Test
  void levelStructureMatchesTheLibraryAfterEveryCount() {
    for (int k : new int[] {8, 50, 200}) {
      QuantileCompactor mine = new QuantileCompactor(k, 1);
      KllDoublesSketch theirs = KllDoublesSketch.newHeapInstance(k);
      SplittableRandom rnd = new SplittableRandom(k);
      for (int i = 1; i <= 60_000; i++) {
        double v = rnd.nextDouble();
        mine.update(v);
        theirs.update(v);
        if (i < 3 || i % 997 == 0 || i == 60_000) {
          if (theirs.isEstimationMode()) {
            assertThat(mine.levels()).as("k=%d n=%d", k, i).containsExactly(libraryLevels(theirs));
          } else {
            assertThat(mine.levels()).as("k=%d n=%d", k, i).hasSize(2);
          }
        }
      }
    }
  }

  @Test
  void batchSortingNetworkSortsLikeArraysSort() {
    SplittableRandom rnd = new SplittableRandom(13);
    for (int trial = 0; trial < 20_000; trial++) {
      double[] a = new double[32];
      for (int i = 0; i < a.length; i++) {
        a[i] = trial % 3 == 0 ? rnd.nextInt(5) - 2 : trial % 3 == 1 ? rnd.nextGaussian() : (rnd.nextBoolean() ? -0.0 : 0.0);
      }
      double[] expected = a.clone();
      Arrays.sort(expected);
      QuantileCompactor.sortBatch(a);
      assertThat(a).as("trial %d", trial).containsExactly(expected);
    }
  }

  @Test
  void bulkUpdateLeavesTheStateOfValueByValueUpdates() {
    SplittableRandom rnd = new SplittableRandom(11);
    double[] values = new double[1_300_000];
    for (int i = 0; i < values.length; i++) {
      values[i] = i % 5 == 0 ? rnd.nextGaussian() : rnd.nextDouble() * 1e3;
    }
    QuantileCompactor one = QuantileCompactor.sampling(200, 5);
    QuantileCompactor bulk = QuantileCompactor.sampling(200, 5);
    for (double v : values) {
      one.update(v);
    }
    int from = 0;
    while (from < values.length) {
      int to = Math.min(values.length, from + 1 + rnd.nextInt(700));
      bulk.update(values, from, to);
      from = to;
    }
    assertThat(bulk.sampleWeight()).isEqualTo(one.sampleWeight()).isGreaterThan(1);
    assertThat(bulk.levels()).containsExactly(one.levels());
    assertThat(bulk.toSketch().toByteArray()).isEqualTo(one.toSketch().toByteArray());
  }

  @Test
  void quantilesStayWithinTheStatedRankError() {
    int n = 1_000_000;
    double[] values = new double[n];
    SplittableRandom rnd = new SplittableRandom(7);
    for (int i = 0; i < n; i++) {
      values[i] = i % 3 == 0 ? rnd.nextGaussian() : Math.exp(rnd.nextDouble() * 10); // mixed shapes
    }
    QuantileCompactor mine = new QuantileCompactor(200, 3);
    for (double v : values) {
      mine.update(v);
    }
    KllDoublesSketch sketch = mine.toSketch();
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    assertThat(sketch.getN()).isEqualTo(n);
    assertThat(sketch.getMinItem()).isEqualTo(sorted[0]);
    assertThat(sketch.getMaxItem()).isEqualTo(sorted[n - 1]);
    double eps = sketch.getNormalizedRankError(false);
    double worst = 0;
    for (int q = 1; q < 1000; q++) {
      double x = sorted[(int) ((long) q * n / 1000)];
      int lessOrEqual = upperBound(sorted, x);
      double trueRank = (double) lessOrEqual / n;
      worst = Math.max(worst, Math.abs(sketch.getRank(x, QuantileSearchCriteria.INCLUSIVE) - trueRank));
    }
    assertThat(worst).isLessThanOrEqualTo(eps);
    // the retained items, by level, are what a KLL sketch of this n holds: weights sum to n
    long total = 0;
    var it = sketch.iterator();
    while (it.next()) {
      total += it.getWeight();
    }
    assertThat(total).isEqualTo(n);
  }

  /** @return how many of the sorted values are at most x (shared with {@link NumberColumnsTest}) */
  static int upperBound(double[] sorted, double x) {
    int lo = 0;
    int hi = sorted.length;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (sorted[mid] <= x) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }

  @Test
  void smallInputsAreExactAndTheSketchMergesSerializesAndKeepsUpdating() {
    QuantileCompactor empty = new QuantileCompactor(200, 1);
    assertThat(empty.toSketch().isEmpty()).isTrue();
    QuantileCompactor few = new QuantileCompactor(200, 1);
    for (int i = 1; i <= 150; i++) {
      few.update(i);
    }
    KllDoublesSketch exact = few.toSketch();
    assertThat(exact.isEstimationMode()).isFalse();
    assertThat(exact.getQuantile(0.5)).isEqualTo(75.0);

    QuantileCompactor big = new QuantileCompactor(200, 2);
    for (int i = 0; i < 100_000; i++) {
      big.update(i);
    }
    KllDoublesSketch s = big.toSketch();
    KllDoublesSketch copy = KllDoublesSketch.heapify(Memory.wrap(s.toByteArray()));
    assertThat(copy.getN()).isEqualTo(100_000);
    assertThat(copy.getQuantile(0.5)).isEqualTo(s.getQuantile(0.5));
    KllDoublesSketch merged = KllDoublesSketch.newHeapInstance(200);
    merged.merge(s);
    merged.merge(exact);
    assertThat(merged.getN()).isEqualTo(100_150);
    assertThat(merged.getMinItem()).isEqualTo(0.0);
    s.update(-5);
    assertThat(s.getN()).isEqualTo(100_001);
    assertThat(s.getMinItem()).isEqualTo(-5.0);
    assertThat(Math.abs(s.getRank(50_000) - 0.5)).isLessThan(s.getNormalizedRankError(false));
  }

  @Test
  void samplingCompactorKeepsExactCountsAndTheStatedRankError() {
    int n = 1_200_000;
    double[] values = new double[n];
    SplittableRandom rnd = new SplittableRandom(11);
    for (int i = 0; i < n; i++) {
      values[i] = i % 3 == 0 ? rnd.nextGaussian() : Math.exp(rnd.nextDouble() * 10);
    }
    QuantileCompactor sampled = QuantileCompactor.sampling(200, 5);
    QuantileCompactor plain = new QuantileCompactor(200, 5);
    for (int i = 0; i < n; i++) {
      sampled.update(values[i]);
      plain.update(values[i]);
      if (i + 1 == 100_000) {
        // below the first threshold (~150,000 values for k = 200) nothing is sampled
        assertThat(sampled.sampleWeight()).isEqualTo(1);
        assertThat(sampled.levels()).containsExactly(plain.levels());
      }
    }
    assertThat(sampled.sampleWeight()).as("sampling engaged at 1.2M values").isEqualTo(8);
    KllDoublesSketch sketch = sampled.toSketch();
    byte[] image = sketch.toByteArray(); // before queries (a query sorts level 0 and flags it)
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    assertThat(sketch.getN()).isEqualTo(n);
    assertThat(sketch.getMinItem()).isEqualTo(sorted[0]);
    assertThat(sketch.getMaxItem()).isEqualTo(sorted[n - 1]);
    long total = 0;
    var it = sketch.iterator();
    while (it.next()) {
      total += it.getWeight();
    }
    assertThat(total).as("weights sum to n: every value counted once").isEqualTo(n);
    double eps = sketch.getNormalizedRankError(false);
    double worst = 0;
    for (int q = 1; q < 1000; q++) {
      double x = sorted[(int) ((long) q * n / 1000)];
      double trueRank = (double) upperBound(sorted, x) / n;
      worst = Math.max(worst, Math.abs(sketch.getRank(x, QuantileSearchCriteria.INCLUSIVE) - trueRank));
    }
    assertThat(worst).isLessThanOrEqualTo(eps);
    // the same values and seed give the same sketch; the image is a valid library sketch
    QuantileCompactor again = QuantileCompactor.sampling(200, 5);
    for (double v : values) {
      again.update(v);
    }
    assertThat(again.toSketch().toByteArray()).isEqualTo(image);
    KllDoublesSketch copy = KllDoublesSketch.heapify(Memory.wrap(image));
    copy.merge(plain.toSketch());
    assertThat(copy.getN()).isEqualTo(2L * n);
    assertThat(Math.abs(copy.getRank(sorted[n / 2]) - 0.5)).isLessThan(eps);
  }

  @Test
  void samplingCompactorCountsAPartialLastBlockValueByValue() {
    QuantileCompactor sampled = QuantileCompactor.sampling(200, 9);
    int n = 600_003; // weight 4 by then; 600,003 is not a multiple of 4
    for (int i = 0; i < n; i++) {
      sampled.update(i);
    }
    assertThat(sampled.sampleWeight()).isEqualTo(4);
    KllDoublesSketch s = sampled.toSketch();
    assertThat(s.getN()).isEqualTo(n);
    assertThat(s.getMaxItem()).isEqualTo(n - 1.0);
    long total = 0;
    var it = s.iterator();
    while (it.next()) {
      total += it.getWeight();
    }
    assertThat(total).isEqualTo(n);
    assertThat(Math.abs(s.getRank(n / 2.0) - 0.5)).isLessThan(s.getNormalizedRankError(false));
  }
}
