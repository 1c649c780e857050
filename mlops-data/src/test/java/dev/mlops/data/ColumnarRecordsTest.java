package dev.mlops.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.apache.datasketches.hll.HllSketch;
import org.junit.jupiter.api.Test;

/**
 * {@link Records#ofColumns} (the column-wise, unboxed path) gives the same statistics and the same
 * verification as the same data given as rows; the distinct-count sketch is the one a plain HLL
 * sketch fed every value would hold.
 */
class ColumnarRecordsTest {
  static final int ROWS = 30_000;

  /** Columns of every supported array type, with repeats, NaN and nulls. */
  static Map<String, Object> columns(long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    double[] d = new double[ROWS];
    long[] l = new long[ROWS];
    int[] i = new int[ROWS];
    boolean[] b = new boolean[ROWS];
    String[] s = new String[ROWS];
    Object[] o = new Object[ROWS];
    for (int k = 0; k < ROWS; k++) {
      d[k] = r.nextDouble() < 0.05 ? Double.NaN : k % 7 == 0 ? -0.0 : r.nextGaussian() * 100;
      l[k] = r.nextLong(-3000, 3000);
      i[k] = r.nextInt(40);
      b[k] = r.nextDouble() < 0.3;
      s[k] = r.nextDouble() < 0.1 ? null : "cat-" + r.nextInt(60);
      o[k] = r.nextDouble() < 0.1 ? null : r.nextBoolean() ? (Object) r.nextInt(10) : "x" + r.nextInt(5);
    }
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("d", d);
    m.put("l", l);
    m.put("i", i);
    m.put("b", b);
    m.put("s", s);
    m.put("o", o);
    return m;
  }

  static List<Object[]> rows(Map<String, Object> columns) {
    List<Object[]> rows = new ArrayList<>();
    for (int k = 0; k < ROWS; k++) {
      Object[] row = new Object[columns.size()];
      int c = 0;
      for (Object a : columns.values()) {
        row[c++] = a instanceof double[] x ? (Double.isNaN(x[k]) ? null : (Object) x[k])
            : a instanceof long[] x ? (Object) x[k]
            : a instanceof int[] x ? (Object) x[k]
            : a instanceof boolean[] x ? (Object) x[k]
            : ((Object[]) a)[k];
      }
      rows.add(row);
    }
    return rows;
  }

  @Test
  void columnWiseProfileEqualsTheRowWiseProfileExactly() {
    Map<String, Object> columns = columns(1);
    DatasetStatistics byColumns = DataProfiler.create().profile(Records.ofColumns(columns));
    DatasetStatistics byRows = DataProfiler.create()
        .profile(Records.ofArrays(List.copyOf(columns.keySet()), rows(columns)));
    assertThat(byColumns.rows()).isEqualTo(ROWS);
    assertThat(byColumns.columnNames()).containsExactly("d", "l", "i", "b", "s", "o");
    // same values in the same order per column: same counts, moments, sketches (fixed KLL seed)
    assertThat(new String(byColumns.toJson())).isEqualTo(new String(byRows.toJson()));
    assertThat(byColumns.column("d").missing()).isEqualTo(
        java.util.Arrays.stream((double[]) columns.get("d")).filter(Double::isNaN).count());
    assertThat(byColumns.column("b").trueCount()).isEqualTo(byRows.column("b").trueCount());
    assertThat(byColumns.column("i").type()).isEqualTo(ColumnType.INTEGRAL);
  }

  @Test
  void verifyingColumnsGivesTheSameReportAsRows() {
    Map<String, Object> columns = columns(2);
    DatasetStatistics baseline = DataProfiler.create().profile(Records.ofColumns(columns(3)));
    Constraints constraints = ConstraintSuggester.suggest(baseline);
    ValidationReport byColumns = DataValidator.verify(Records.ofColumns(columns), constraints, baseline);
    ValidationReport byRows = DataValidator.verify(
        Records.ofArrays(List.copyOf(columns.keySet()), rows(columns)), constraints, baseline);
    assertThat(byColumns.rows()).isEqualTo(ROWS);
    assertThat(byColumns.violations()).isEqualTo(byRows.violations());
  }

  @Test
  void distinctSketchIsWhatAPlainSketchFedEveryValueHolds() throws Exception {
    Map<String, Object> columns = columns(4);
    DatasetStatistics stats = DataProfiler.create().profile(Records.ofColumns(columns));
    HllSketch numbers = new HllSketch(DataProfiler.DEFAULT_HLL_LG_K);
    for (double v : (double[]) columns.get("d")) {
      if (!Double.isNaN(v)) {
        numbers.update(v);
      }
    }
    HllSketch texts = new HllSketch(DataProfiler.DEFAULT_HLL_LG_K);
    for (String v : (String[]) columns.get("s")) {
      if (v != null) {
        texts.update(ColumnAccumulator.textHash(v));
      }
    }
    JsonNode json = JsonFields.MAPPER.readTree(stats.toJson());
    assertThat(hllOf(json, "d")).isEqualTo(numbers.toCompactByteArray());
    assertThat(hllOf(json, "s")).isEqualTo(texts.toCompactByteArray());
  }

  private static byte[] hllOf(JsonNode json, String column) {
    for (JsonNode c : json.get("columns")) {
      if (c.get("name").asText().equals(column)) {
        return Base64.getDecoder().decode(c.get("distinct").get("hll").asText());
      }
    }
    throw new AssertionError("no column " + column);
  }

  @Test
  void badColumnsAreClearErrors() {
    Map<String, Object> ragged = new LinkedHashMap<>();
    ragged.put("a", new double[3]);
    ragged.put("b", new long[2]);
    assertThatThrownBy(() -> Records.ofColumns(ragged)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'b' has 2 values").hasMessageContaining("'a' has 3");
    Map<String, Object> wrongType = new LinkedHashMap<>();
    wrongType.put("f", new float[3]);
    assertThatThrownBy(() -> Records.ofColumns(wrongType)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'f' is a float[]");
    Map<String, Object> badValue = new LinkedHashMap<>();
    badValue.put("ok", new long[] {1, 2, 3});
    badValue.put("odd", new Object[] {"a", new StringBuilder[0], "c"});
    assertThatThrownBy(() -> DataProfiler.create().profile(Records.ofColumns(badValue)))
        .isInstanceOf(MalformedDataException.class).hasMessageContaining("row 2").hasMessageContaining("'odd'");
    DatasetStatistics empty = DataProfiler.create().profile(Records.ofColumns(Map.of("x", new double[0])));
    assertThat(empty.rows()).isZero();
    assertThat(empty.column("x").present()).isZero();
  }
}
