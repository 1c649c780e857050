package dev.mlops.data;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Arrays;
import java.util.Base64;
import java.util.Map;
import java.util.SplittableRandom;
import org.apache.datasketches.hll.HllSketch;
import org.apache.datasketches.kll.KllDoublesSketch;
import org.junit.jupiter.api.Test;

/**
 * Numeric columns with few distinct numbers are counted exactly and enter the quantile sketch as
 * weights: the statistics must be what feeding every value gives (exact counts, moments, identical
 * distinct sketch, quantiles within the rank error; exact below k values), below and beyond the
 * counting limit.
 */
class NumberColumnsTest {

  private static double trueRank(double[] sorted, double x) {
    return (double) QuantileCompactorTest.upperBound(sorted, x) / sorted.length;
  }

  @Test
  void lowAndHighCardinalityColumnsKeepTheSketchGuarantees() throws Exception {
    for (int distinct : new int[] {3_000, NumberCounts.MAX_ENTRIES * 3}) {
      SplittableRandom r = new SplittableRandom(distinct);
      int n = 300_000;
      long[] values = new long[n];
      for (int i = 0; i < n; i++) {
        // skewed: half the values among the first 50
        values[i] = r.nextBoolean() ? r.nextInt(50) : r.nextInt(distinct) - 100;
      }
      DatasetStatistics stats = DataProfiler.create().profile(Records.ofColumns(Map.of("x", values)));
      ColumnStatistics c = stats.column("x");
      double[] sorted = Arrays.stream(values).asDoubleStream().toArray();
      Arrays.sort(sorted);
      HllSketch plain = new HllSketch(DataProfiler.DEFAULT_HLL_LG_K);
      double sum = 0;
      for (long v : values) {
        plain.update((double) v);
        sum += v;
      }
      assertThat(c.numericCount()).isEqualTo(n);
      assertThat(c.sum()).isEqualTo(sum);
      assertThat(c.min()).isEqualTo(sorted[0]);
      assertThat(c.max()).isEqualTo(sorted[n - 1]);
      assertThat(c.quantile(0)).isEqualTo(sorted[0]);
      assertThat(c.quantile(1)).isEqualTo(sorted[n - 1]);
      JsonNode json = JsonFields.MAPPER.readTree(stats.toJson());
      byte[] hll = Base64.getDecoder().decode(json.get("columns").get(0).get("distinct").get("hll").asText());
      assertThat(hll).as("distinct=%d: HLL identical to one fed every value", distinct)
          .isEqualTo(plain.toCompactByteArray());
      double eps = KllDoublesSketch.newHeapInstance(DataProfiler.DEFAULT_SKETCH_K).getNormalizedRankError(false);
      for (int q = 1; q < 100; q++) {
        double x = c.quantile(q / 100.0);
        // the returned item's true rank interval must contain q within the error
        double below = trueRank(sorted, Math.nextDown(x));
        double upTo = trueRank(sorted, x);
        double miss = q / 100.0 < below ? below - q / 100.0 : q / 100.0 > upTo ? q / 100.0 - upTo : 0;
        assertThat(miss).as("distinct=%d q=%d", distinct, q).isLessThanOrEqualTo(eps);
      }
    }
  }

  @Test
  void fewValuesStayExact() {
    double[] values = new double[150];
    for (int i = 0; i < values.length; i++) {
      values[i] = (i * 7) % 5 + 0.5;
    }
    ColumnStatistics c = DataProfiler.create().profile(Records.ofColumns(Map.of("x", values))).column("x");
    KllDoublesSketch every = KllDoublesSketch.newHeapInstance(DataProfiler.DEFAULT_SKETCH_K);
    for (double v : values) {
      every.update(v);
    }
    for (double q : new double[] {0, 0.1, 0.25, 0.5, 0.75, 0.9, 1}) {
      assertThat(c.quantile(q)).as("q=%s", q).isEqualTo(every.getQuantile(q));
    }
  }

  @Test
  void columnsBeyondTheCachedOnesGiveTheSameStatistics() {
    int width = ColumnAccumulator.CACHED_COLUMNS + 44;
    SplittableRandom r = new SplittableRandom(3);
    long[] numbers = new long[5_000];
    String[] texts = new String[5_000];
    for (int i = 0; i < numbers.length; i++) {
      numbers[i] = r.nextInt(100);
      texts[i] = "v" + r.nextInt(20);
    }
    Map<String, Object> columns = new java.util.LinkedHashMap<>();
    for (int c = 0; c < width; c++) {
      columns.put("c" + c, c % 2 == 0 ? numbers : texts);
    }
    DatasetStatistics stats = DataProfiler.create().profile(Records.ofColumns(columns));
    double eps = KllDoublesSketch.newHeapInstance(DataProfiler.DEFAULT_SKETCH_K).getNormalizedRankError(false);
    for (int first = 0; first < 2; first++) {
      ColumnStatistics cached = stats.column("c" + first);
      ColumnStatistics uncached = stats.column("c" + (width - 2 + first));
      assertThat(uncached.count(first == 0 ? ColumnType.INTEGRAL : ColumnType.STRING)).isEqualTo(5_000);
      assertThat((Double) uncached.sum()).isEqualTo((Double) cached.sum());
      assertThat((Double) uncached.mean()).isEqualTo((Double) cached.mean());
      assertThat(uncached.distinctCount()).isEqualTo(cached.distinctCount());
      assertThat(uncached.topValues()).isEqualTo(cached.topValues());
      assertThat(uncached.minLength()).isEqualTo(cached.minLength());
      if (first == 0) {
        assertThat(uncached.min()).isEqualTo(cached.min());
        assertThat(uncached.max()).isEqualTo(cached.max());
        double[] sorted = Arrays.stream(numbers).asDoubleStream().sorted().toArray();
        for (ColumnStatistics c : new ColumnStatistics[] {cached, uncached}) {
          double median = c.quantile(0.5);
          assertThat(trueRank(sorted, Math.nextDown(median))).isLessThanOrEqualTo(0.5 + eps);
          assertThat(trueRank(sorted, median)).isGreaterThanOrEqualTo(0.5 - eps);
        }
      }
    }
  }
}
