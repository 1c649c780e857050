package dev.mlops.data;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.apache.datasketches.hll.HllSketch;
import org.junit.jupiter.api.Test;

/**
 * Text columns are counted through a per-column cache of the texts seen (while they are few): the
 * statistics must be what feeding every value gives, below and beyond the cache's limits.
 */
class TextColumnsTest {

  /** Rows of one text column: {@code distinct} texts, the first 40 of them frequent. */
  private static String[] texts(int rows, int distinct, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    String[] out = new String[rows];
    for (int i = 0; i < rows; i++) {
      int id = r.nextDouble() < 0.7 ? r.nextInt(Math.min(40, distinct)) : r.nextInt(distinct);
      // new String instances, as a parser would give, and lengths 1 to 30 code points
      out[i] = new String("t" + id + "é".repeat(id % 29));
    }
    return out;
  }

  @Test
  void statisticsEqualWhatEveryValueGivesBelowAndBeyondTheCache() throws Exception {
    for (int distinct : new int[] {30, ColumnAccumulator.TEXT_CACHE_ENTRIES + 500}) {
      String[] values = texts(50_000, distinct, distinct);
      values[49_999] = "x".repeat(300); // longest text arrives last, after any overflow
      DatasetStatistics stats = DataProfiler.create().profile(Records.ofColumns(Map.of("s", values)));
      ColumnStatistics c = stats.column("s");
      Map<String, Long> truth = new HashMap<>();
      HllSketch plain = new HllSketch(DataProfiler.DEFAULT_HLL_LG_K);
      int minLength = Integer.MAX_VALUE;
      int maxLength = 0;
      for (String v : values) {
        truth.merge(v, 1L, Long::sum);
        plain.update(ColumnAccumulator.textHash(v));
        int n = v.codePointCount(0, v.length());
        minLength = Math.min(minLength, n);
        maxLength = Math.max(maxLength, n);
      }
      assertThat(c.present()).as("distinct=%d", distinct).isEqualTo(values.length);
      assertThat(c.count(ColumnType.STRING)).isEqualTo(values.length);
      assertThat(c.minLength()).hasValue(minLength);
      assertThat(c.maxLength()).hasValue(300);
      JsonNode json = JsonFields.MAPPER.readTree(stats.toJson());
      byte[] hll = Base64.getDecoder().decode(json.get("columns").get(0).get("distinct").get("hll").asText());
      assertThat(hll).as("HLL identical to one fed every value").isEqualTo(plain.toCompactByteArray());
      List<ValueCount> top = c.topValues();
      assertThat(top).isNotEmpty();
      if (distinct <= DataProfiler.DEFAULT_TOP_VALUES) {
        assertThat(c.topValuesExact()).isTrue();
        for (ValueCount v : top) {
          assertThat(v.count()).as(v.value()).isEqualTo(truth.get(v.value()));
        }
      } else {
        // approximate: each reported count within the sketch's error of the truth, most frequent first
        List<Long> sorted = new ArrayList<>(truth.values());
        sorted.sort(null);
        long bound = values.length / 96 + 1; // frequent items: error <= n / (0.75 * mapSize)
        for (ValueCount v : top) {
          assertThat((double) v.count()).as(v.value()).isCloseTo(truth.get(v.value()), org.assertj.core.api.Assertions.within((double) bound));
        }
        assertThat((double) top.get(0).count()).isCloseTo(sorted.get(sorted.size() - 1), org.assertj.core.api.Assertions.within((double) bound));
      }
    }
  }
}
