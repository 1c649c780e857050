package dev.mlops.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Statistics of a fixed CSV data set against pandas/numpy (see resources/golden/README.md). */
class GoldenStatisticsTest {
  private static DatasetStatistics stats;
  private static JsonNode expected;

  @BeforeAll
  static void profile() throws Exception {
    Path csv = Path.of(GoldenStatisticsTest.class.getResource("/golden/mixed.csv").toURI());
    stats = DataProfiler.create().profile(Records.csv(csv));
    try (InputStream in = GoldenStatisticsTest.class.getResourceAsStream("/golden/mixed-expected.json")) {
      expected = new ObjectMapper().readTree(in);
    }
  }

  @Test
  void schemaIsInferred() {
    Map<String, ColumnType> schema = new LinkedHashMap<>();
    schema.put("id", ColumnType.INTEGRAL);
    schema.put("normal", ColumnType.FRACTIONAL);
    schema.put("lognormal", ColumnType.FRACTIONAL);
    schema.put("small_int", ColumnType.INTEGRAL);
    schema.put("category", ColumnType.STRING);
    schema.put("flag", ColumnType.BOOLEAN);
    schema.put("name", ColumnType.STRING);
    schema.put("ts", ColumnType.TIMESTAMP);
    assertThat(stats.schema()).containsExactlyEntriesOf(schema);
    assertThat(stats.column("normal").nullable()).isTrue();
    assertThat(stats.column("id").nullable()).isFalse();
  }

  @Test
  void countsAndMissingAreExact() {
    assertThat(stats.rows()).isEqualTo(expected.get("rows").asLong());
    expected.get("columns").fields().forEachRemaining(e -> {
      ColumnStatistics c = stats.column(e.getKey());
      assertThat(c.present()).as(e.getKey()).isEqualTo(e.getValue().get("count").asLong());
      assertThat(c.missing()).as(e.getKey()).isEqualTo(e.getValue().get("missing").asLong());
    });
  }

  @Test
  void momentsAndExtremesMatchPandas() {
    for (String name : new String[] {"id", "normal", "lognormal", "small_int"}) {
      JsonNode e = expected.get("columns").get(name);
      ColumnStatistics c = stats.column(name);
      assertThat(c.numericCount()).as(name).isEqualTo(e.get("count").asLong());
      assertThat(c.min()).as(name).isEqualTo(e.get("min").asDouble());
      assertThat(c.max()).as(name).isEqualTo(e.get("max").asDouble());
      double mean = e.get("mean").asDouble();
      assertThat(c.mean()).as(name).isCloseTo(mean, within(Math.abs(mean) * 1e-12));
      double std = e.get("std").asDouble();
      assertThat(c.stdDev()).as(name).isCloseTo(std, within(std * 1e-9));
      double sum = e.get("sum").asDouble();
      if (c.type() == ColumnType.INTEGRAL) {
        assertThat(c.sum()).as(name).isEqualTo(sum);
      } else {
        assertThat(c.sum()).as(name).isCloseTo(sum, within(Math.abs(sum) * 1e-12));
      }
    }
  }

  @Test
  void quantilesAreWithinTheSketchRankError() {
    double[] ranks = {0, 0.01, 0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99, 1};
    for (String name : new String[] {"id", "normal", "lognormal", "small_int"}) {
      JsonNode q = expected.get("columns").get(name).get("quantiles");
      ColumnStatistics c = stats.column(name);
      double eps = c.normalizedRankError();
      assertThat(eps).as("5,000 values overflow a k=200 sketch, so the test exercises its error").isPositive();
      for (double r : ranks) {
        int lo = (int) Math.max(0, Math.floor((r - eps) * 1000));
        int hi = (int) Math.min(1000, Math.ceil((r + eps) * 1000));
        assertThat(c.quantile(r)).as(name + " q(" + r + ")")
            .isBetween(q.get(lo).asDouble(), q.get(hi).asDouble());
      }
      assertThat(c.quantile(0)).isEqualTo(c.min());
      assertThat(c.quantile(1)).isEqualTo(c.max());
    }
  }

  @Test
  void distinctCountsAreWithinThreeStandardErrors() {
    expected.get("columns").fields().forEachRemaining(e -> {
      ColumnStatistics c = stats.column(e.getKey());
      double truth = e.getValue().get("distinct").asDouble();
      assertThat(c.distinctCount()).as(e.getKey()).isCloseTo(truth, within(3 * c.distinctRelativeError() * truth + 0.5));
    });
  }

  @Test
  void textBooleanAndTimestampStatisticsAreExact() {
    JsonNode cat = expected.get("columns").get("category");
    ColumnStatistics category = stats.column("category");
    assertThat(category.topValuesExact()).isTrue();
    Map<String, Long> counts = new LinkedHashMap<>();
    category.topValues().forEach(v -> counts.put(v.value(), v.count()));
    Map<String, Long> want = new LinkedHashMap<>();
    cat.get("valueCounts").fields().forEachRemaining(e -> want.put(e.getKey(), e.getValue().asLong()));
    assertThat(counts).containsExactlyEntriesOf(want);
    for (String name : new String[] {"category", "name"}) {
      JsonNode e = expected.get("columns").get(name);
      assertThat(stats.column(name).minLength()).hasValue(e.get("minLength").asInt());
      assertThat(stats.column(name).maxLength()).hasValue(e.get("maxLength").asInt());
    }
    assertThat(stats.column("name").topValuesExact()).isFalse();
    assertThat(stats.column("flag").trueCount()).isEqualTo(expected.get("columns").get("flag").get("trueCount").asLong());
    JsonNode ts = expected.get("columns").get("ts");
    assertThat(stats.column("ts").firstTimestamp()).contains(Instant.parse(ts.get("first").asText()));
    assertThat(stats.column("ts").lastTimestamp()).contains(Instant.parse(ts.get("last").asText()));
  }

  private static JsonNode withoutHll(byte[] json) throws Exception {
    JsonNode root = new ObjectMapper().readTree(json);
    root.get("columns").forEach(c -> ((com.fasterxml.jackson.databind.node.ObjectNode) c.get("distinct")).remove("hll"));
    return root;
  }

  @Test
  void statisticsSurviveTheirJsonForm() throws Exception {
    DatasetStatistics back = DatasetStatistics.fromJson(stats.toJson());
    // HLL's compact form lists its coupons in hash-table order, which a re-read may change: compare
    // everything else exactly, and the distinct estimates
    assertThat(withoutHll(back.toJson())).isEqualTo(withoutHll(stats.toJson()));
    for (ColumnStatistics c : stats.columns()) {
      assertThat(back.column(c.name()).distinctCount()).isEqualTo(c.distinctCount());
    }
    assertThat(back.column("lognormal").quantile(0.5)).isEqualTo(stats.column("lognormal").quantile(0.5));
  }
}
