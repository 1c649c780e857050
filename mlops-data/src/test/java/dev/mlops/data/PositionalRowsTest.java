package dev.mlops.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Positional rows ({@link Records#ofArrays}, fed a whole row at a time) give byte for byte the
 * statistics of the same values fed one by one ({@code beginRow}, {@code value}, {@code endRow})
 * and of the same data given column-wise ({@link Records#ofColumns}): on a benchmark-like mix of 20
 * columns large enough for the quantile sampler, and on rows with every other supported type,
 * missing values, texts beyond the text cache and numbers beyond the count table.
 */
class PositionalRowsTest {
  static final int ROWS = 160_000;
  static final int COLUMNS = 20;

  /** The statistics of the rows fed value by value to the profiler's sink. */
  private static byte[] valueByValue(List<String> names, List<Object[]> rows) {
    ProfilingSink sink = new ProfilingSink(DataProfiler.create().settings(), "arrays", null);
    int[] index = new int[names.size()];
    for (int i = 0; i < index.length; i++) {
      index[i] = sink.column(names.get(i));
    }
    long row = 0;
    for (Object[] values : rows) {
      sink.beginRow(++row);
      for (int i = 0; i < index.length; i++) {
        sink.value(index[i], values[i]);
      }
      sink.endRow();
    }
    return sink.statistics().toJson();
  }

  @Test
  void mixedRowsGiveTheStatisticsOfValueByValueAndOfColumns() {
    SplittableRandom r = new SplittableRandom(20);
    List<String> names = new ArrayList<>();
    for (int c = 0; c < COLUMNS; c++) {
      names.add((c < 8 ? "d" : c < 14 ? "i" : c < 18 ? "s" : "b") + c);
    }
    double[][] d = new double[8][ROWS];
    long[][] l = new long[6][ROWS];
    String[][] s = new String[4][ROWS];
    boolean[][] b = new boolean[2][ROWS];
    List<Object[]> rows = new ArrayList<>(ROWS);
    for (int k = 0; k < ROWS; k++) {
      Object[] row = new Object[COLUMNS];
      for (int c = 0; c < 8; c++) {
        d[c][k] = r.nextDouble() < 0.02 ? Double.NaN : c * 10 + r.nextGaussian() * (c + 1);
        row[c] = Double.isNaN(d[c][k]) ? null : (Object) d[c][k];
      }
      for (int c = 0; c < 6; c++) {
        l[c][k] = r.nextInt(1 + (c + 1) * 1000); // the last two columns overflow the count table
        row[8 + c] = l[c][k];
      }
      for (int c = 0; c < 4; c++) {
        s[c][k] = "cat-" + c + "-" + r.nextInt(8 + 14 * c);
        row[14 + c] = s[c][k];
      }
      for (int c = 0; c < 2; c++) {
        b[c][k] = r.nextDouble() < 0.3;
        row[18 + c] = b[c][k];
      }
      rows.add(row);
    }
    Map<String, Object> columns = new LinkedHashMap<>();
    for (int c = 0; c < COLUMNS; c++) {
      columns.put(names.get(c), c < 8 ? d[c] : c < 14 ? l[c - 8] : c < 18 ? s[c - 14] : b[c - 18]);
    }
    String fromRows = new String(DataProfiler.create().profile(Records.ofArrays(names, rows)).toJson());
    assertThat(fromRows).isEqualTo(new String(valueByValue(names, rows)));
    assertThat(fromRows).isEqualTo(new String(DataProfiler.create().profile(Records.ofColumns(columns)).toJson()));
    DatasetStatistics stats = DataProfiler.create().profile(Records.ofArrays(names, rows));
    assertThat(stats.rows()).isEqualTo(ROWS);
    assertThat(stats.column("d0").missing()).isGreaterThan(0);
    assertThat(stats.column("b18").trueCount()).isBetween(ROWS / 4L, ROWS * 7L / 20);
  }

  @Test
  void rowsOfEveryTypeWithGapsGiveTheStatisticsOfValueByValue() {
    SplittableRandom r = new SplittableRandom(7);
    List<String> names = List.of("mixed", "ints", "text", "wide", "many", "flags", "when", "empty");
    List<Object[]> rows = new ArrayList<>();
    for (int k = 0; k < 30_000; k++) {
      Object mixed = switch (r.nextInt(9)) {
        case 0 -> null;
        case 1 -> Double.NaN;
        case 2 -> (float) r.nextGaussian();
        case 3 -> new BigDecimal(r.nextInt(1000)).movePointLeft(2);
        case 4 -> r.nextInt(50);
        case 5 -> (short) r.nextInt(50);
        case 6 -> k % 11 == 0 ? -0.0 : Double.POSITIVE_INFINITY;
        case 7 -> new StringBuilder("sb").append(r.nextInt(3));
        default -> r.nextGaussian();
      };
      // equal texts as distinct instances, and texts with equal hash codes ("Aa" and "BB")
      String text = switch (r.nextInt(4)) {
        case 0 -> new String("same");
        case 1 -> r.nextBoolean() ? "Aa" : "BB";
        case 2 -> r.nextBoolean() ? "AaAa" : "BBBB";
        default -> "t" + r.nextInt(30);
      };
      rows.add(new Object[] {
          mixed,
          r.nextDouble() < 0.1 ? null : (Object) r.nextInt(5000),
          r.nextDouble() < 0.05 ? null : text,
          "w" + k, // more texts than the text cache holds
          k % 3 == 0 ? (Object) (long) r.nextInt(100_000) : (Object) (r.nextInt(9000) / 4.0), // > 4,096 numbers
          k % 5 == 0 ? null : (Object) r.nextBoolean(),
          r.nextDouble() < 0.2 ? null : Instant.ofEpochSecond(1_700_000_000L + r.nextInt(1_000_000)),
          null});
    }
    byte[] fromRows = DataProfiler.create().profile(Records.ofArrays(names, rows)).toJson();
    assertThat(new String(fromRows)).isEqualTo(new String(valueByValue(names, rows)));
    DatasetStatistics stats = DatasetStatistics.fromJson(fromRows);
    assertThat(stats.column("empty").missing()).isEqualTo(30_000);
    assertThat(stats.column("wide").distinctCount()).isBetween(28_000.0, 32_000.0);
    assertThat(stats.column("text").distinctCount()).isBetween(34.0, 36.0);
  }

  @Test
  void anUnsupportedValueInAPositionalRowNamesItsRowAndColumn() {
    List<Object[]> rows = new ArrayList<>();
    for (int k = 0; k < 10; k++) {
      rows.add(new Object[] {1.5, k == 6 ? new Object() : (Object) "x"});
    }
    assertThatThrownBy(() -> DataProfiler.create().profile(Records.ofArrays(List.of("a", "b"), rows)))
        .isInstanceOfSatisfying(MalformedDataException.class, e -> {
          assertThat(e.row()).isEqualTo(7);
          assertThat(e.column()).isEqualTo("b");
        })
        .hasMessageContaining("row 7, column 'b'");
  }
}
