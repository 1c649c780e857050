package dev.mlops.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Statistics of numbers at the edges of double arithmetic and of CSV number syntax (CRLF lines,
 * infinities written as words, 19-digit integers, values near 1e±150, a large offset with a small
 * spread, a constant) against pandas/numpy: see resources/golden/README.md and make_edge.py.
 */
class GoldenEdgeStatisticsTest {
  private static DatasetStatistics stats;
  private static JsonNode expected;

  @BeforeAll
  static void profile() throws Exception {
    Path csv = Path.of(GoldenEdgeStatisticsTest.class.getResource("/golden/edge.csv").toURI());
    stats = DataProfiler.create().profile(Records.csv(csv));
    try (InputStream in = GoldenEdgeStatisticsTest.class.getResourceAsStream("/golden/edge-expected.json")) {
      expected = new ObjectMapper().readTree(in);
    }
  }

  @Test
  void everyColumnIsNumericWithItsTypeAndCounts() {
    assertThat(stats.rows()).isEqualTo(expected.get("rows").asLong());
    assertThat(stats.schema()).containsEntry("bigint", ColumnType.INTEGRAL).containsEntry("counts", ColumnType.INTEGRAL)
        .containsEntry("withinf", ColumnType.FRACTIONAL).containsEntry("offset", ColumnType.FRACTIONAL);
    for (Iterator<Map.Entry<String, JsonNode>> it = expected.get("columns").fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      ColumnStatistics c = stats.column(e.getKey());
      assertThat(c.missing()).as(e.getKey()).isEqualTo(e.getValue().get("missing").asLong());
      assertThat(c.numericCount()).as(e.getKey()).isEqualTo(e.getValue().get("numeric").asLong());
      assertThat(c.infiniteCount()).as(e.getKey()).isEqualTo(e.getValue().get("infinite").asLong());
    }
  }

  @Test
  void momentsAndExtremesMatchTheReference() {
    for (Iterator<Map.Entry<String, JsonNode>> it = expected.get("columns").fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      String name = e.getKey();
      JsonNode x = e.getValue();
      for (ColumnStatistics c : new ColumnStatistics[] {stats.column(name),
          DatasetStatistics.fromJson(stats.toJson()).column(name)}) {
        assertThat(c.min()).as(name).isEqualTo(x.get("min").asDouble());
        assertThat(c.max()).as(name).isEqualTo(x.get("max").asDouble());
        double mean = x.get("mean").asDouble();
        double scale = Math.max(Math.abs(x.get("min").asDouble()), Math.abs(x.get("max").asDouble()));
        assertThat(c.mean()).as(name + " mean").isCloseTo(mean, within(Math.abs(mean) * 1e-12 + scale * 1e-15));
        double std = x.get("std").asDouble();
        assertThat(c.stdDev()).as(name + " std").isCloseTo(std, within(std * 1e-9 + scale * 1e-15));
        double sum = x.get("sum").asDouble();
        assertThat(c.sum()).as(name + " sum").isCloseTo(sum, within(Math.abs(sum) * 1e-12 + scale * 1e-15));
      }
    }
    assertThat(stats.column("const").mean()).isEqualTo(0.1);
  }

  @Test
  void quantilesAreWithinTheSketchRankError() {
    double[] ranks = {0, 0.01, 0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99, 1};
    for (Iterator<Map.Entry<String, JsonNode>> it = expected.get("columns").fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      JsonNode q = e.getValue().get("quantiles");
      ColumnStatistics c = stats.column(e.getKey());
      double eps = c.normalizedRankError();
      for (double r : ranks) {
        int lo = (int) Math.max(0, Math.floor((r - eps) * 1000));
        int hi = (int) Math.min(1000, Math.ceil((r + eps) * 1000));
        assertThat(c.quantile(r)).as(e.getKey() + " q(" + r + ")").isBetween(q.get(lo).asDouble(), q.get(hi).asDouble());
      }
    }
  }

  @Test
  void distinctCountsAreWithinThreeStandardErrors() {
    for (Iterator<Map.Entry<String, JsonNode>> it = expected.get("columns").fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      double truth = e.getValue().get("distinct").asDouble();
      ColumnStatistics c = stats.column(e.getKey());
      assertThat(c.distinctCount()).as(e.getKey()).isCloseTo(truth, within(3 * c.distinctRelativeError() * truth + 0.5));
    }
  }
}
