package dev.mlops.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bad input: each is a clear error or a reported violation naming the row and column. */
class BadInputTest {
  @TempDir
  Path dir;

  private Path write(String name, String content) throws Exception {
    Path p = dir.resolve(name);
    Files.writeString(p, content, StandardCharsets.UTF_8);
    return p;
  }

  @Test
  void raggedCsvRowNamesTheRow() throws Exception {
    Path csv = write("ragged.csv", "a,b,c\n1,2,3\n4,5\n6,7,8\n");
    assertThatThrownBy(() -> DataProfiler.create().profile(Records.csv(csv)))
        .isInstanceOf(MalformedDataException.class)
        .hasMessageContaining("row 2").hasMessageContaining("2 cells, the header has 3")
        .satisfies(e -> assertThat(((MalformedDataException) e).row()).isEqualTo(2));
  }

  @Test
  void malformedUtf8NamesTheRow() throws Exception {
    Path csv = dir.resolve("latin1.csv");
    byte[] good = "name,n\nalpha,1\nbeta,2\n".getBytes(StandardCharsets.UTF_8);
    byte[] bad = "caf\u00e9,3\n".getBytes(StandardCharsets.ISO_8859_1); // 0xE9 alone is not UTF-8
    byte[] all = new byte[good.length + bad.length];
    System.arraycopy(good, 0, all, 0, good.length);
    System.arraycopy(bad, 0, all, good.length, bad.length);
    Files.write(csv, all);
    assertThatThrownBy(() -> DataProfiler.create().profile(Records.csv(csv)))
        .isInstanceOf(MalformedDataException.class)
        .hasMessageContaining("not valid UTF-8").hasMessageContaining("row 3, column 'name'")
        .satisfies(e -> assertThat(((MalformedDataException) e).row()).isEqualTo(3))
        .satisfies(e -> assertThat(((MalformedDataException) e).column()).isEqualTo("name"));
  }

  @Test
  void emptyFileAndBadHeaderAreErrors() throws Exception {
    assertThatThrownBy(() -> DataProfiler.create().profile(Records.csv(write("empty.csv", ""))))
        .isInstanceOf(MalformedDataException.class).hasMessageContaining("is empty: expected a header row");
    assertThatThrownBy(() -> DataProfiler.create().profile(Records.csv(write("dup.csv", "a,b,a\n1,2,3\n"))))
        .isInstanceOf(MalformedDataException.class).hasMessageContaining("'a', which repeats");
    assertThatThrownBy(() -> DataProfiler.create().profile(Records.csv(write("quote.csv", "a,b\n\"x\"y,2\n"))))
        .isInstanceOf(MalformedDataException.class).hasMessageContaining("row 1");
  }

  @Test
  void valuesThatDoNotParseAsTheTypeAreDataTypeViolationsWithRows() throws Exception {
    Path train = write("train.csv", "age,city\n30,Porto\n41,Lisbon\n25,Porto\n");
    Constraints c = ConstraintSuggester.suggest(DataProfiler.create().profile(Records.csv(train)));
    Path batch = write("batch.csv", "age,city\n30,Porto\nthirty,Lisbon\n25.5,Porto\n");

    ValidationReport report = DataValidator.verify(Records.csv(batch), c);

    Violation v = report.violations(CheckType.DATA_TYPE).get(0);
    assertThat(v.column()).isEqualTo("age");
    assertThat(v.failing()).isEqualTo(2);
    assertThat(v.examples()).containsExactly(new Violation.Example(2, "thirty"), new Violation.Example(3, "25.5"));
    assertThat(v.observed()).contains("STRING=1").contains("FRACTIONAL=1");
    assertThat(report.passed()).isFalse();
  }

  @Test
  void unsupportedJavaTypeNamesRowAndColumn() {
    List<Map<String, Object>> rows = List.of(Map.of("v", 1L), Map.of("v", new int[] {1}));
    assertThatThrownBy(() -> DataProfiler.create().profile(Records.of(rows)))
        .isInstanceOf(MalformedDataException.class).hasMessageContaining("row 2, column 'v'").hasMessageContaining("[I")
        .satisfies(e -> assertThat(((MalformedDataException) e).column()).isEqualTo("v"));
  }

  @Test
  void emptyInputGivesZeroRowsThenAReportedViolation() throws Exception {
    DatasetStatistics none = DataProfiler.create().profile(Records.of(List.<Map<String, Object>>of()));
    assertThat(none.rows()).isZero();
    assertThat(none.columns()).isEmpty();
    assertThatThrownBy(() -> ConstraintSuggester.suggest(none)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("0 rows");

    DatasetStatistics headerOnly = DataProfiler.create().profile(Records.csv(write("h.csv", "a,b\n")));
    assertThat(headerOnly.columnNames()).containsExactly("a", "b");

    Constraints c = ConstraintSuggester.suggest(DataProfiler.create().profile(Records.of(List.of(Map.of("a", 1L)))));
    ValidationReport report = DataValidator.verify(Records.csv(write("h2.csv", "a\n")), c);
    assertThat(report.violations()).extracting(Violation::check).containsExactly(CheckType.ROW_COUNT);
  }

  @Test
  void allNullColumnIsUnknownAndOnlyRequiredToExist() throws Exception {
    Path csv = write("nulls.csv", "a,b\n1,\n2,NA\n3,null\n");
    DatasetStatistics s = DataProfiler.create().profile(Records.csv(csv));
    ColumnStatistics b = s.column("b");
    assertThat(b.type()).isEqualTo(ColumnType.UNKNOWN);
    assertThat(b.missing()).isEqualTo(3);
    assertThat(b.completeness()).isZero();
    assertThat(Double.isNaN(b.mean())).isTrue();
    assertThatThrownBy(() -> b.quantile(0.5)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'b'");
    assertThat(ConstraintSuggester.suggest(s).forColumn("b")).extracting(Constraint::check)
        .containsExactly(CheckType.MISSING_COLUMN);
    assertThat(DatasetStatistics.fromJson(s.toJson()).column("b").missing()).isEqualTo(3);
  }

  @Test
  void missingColumnsAndAbsentKeysAreReported() {
    Constraints c = Constraints.of(new Constraint.ColumnPresent("x", Severity.ERROR),
        new Constraint.Completeness("y", 1.0, Severity.WARNING), new Constraint.Completeness("z", 0.5, Severity.ERROR));
    List<Map<String, Object>> rows = new ArrayList<>();
    rows.add(Map.of("y", 1L));
    rows.add(Map.of("q", 1L)); // y absent from this record: missing
    ValidationReport r = DataValidator.verify(Records.of(rows), c);
    assertThat(r.violations()).extracting(v -> v.check() + " " + v.column() + " " + v.failing())
        .containsExactly("MISSING_COLUMN x 2", "COMPLETENESS y 1", "COMPLETENESS z 2");
    assertThat(r.passed()).isFalse();
  }

  @Test
  void singleUseSourcesRefuseASecondRead() {
    Iterator<Map<String, Object>> it = List.<Map<String, Object>>of(Map.of("a", 1L)).iterator();
    Records once = Records.of(it);
    DataProfiler.create().profile(once);
    assertThatThrownBy(() -> DataProfiler.create().profile(once)).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("already read");
  }

  /**
   * 10,000 columns work with memory bounded per column: the rows are generated lazily and the
   * statistics of a column of text cost a few hundred bytes serialized.
   */
  @Test
  void tenThousandColumns() throws Exception {
    int columns = 10_000;
    int rows = 20;
    Path csv = dir.resolve("wide.csv");
    try (BufferedWriter w = Files.newBufferedWriter(csv)) {
      for (int c = 0; c < columns; c++) {
        w.write((c > 0 ? "," : "") + "c" + c);
      }
      w.write("\n");
      for (int r = 0; r < rows; r++) {
        for (int c = 0; c < columns; c++) {
          w.write((c > 0 ? "," : "") + (c % 3 == 0 ? Integer.toString(r * c) : c % 3 == 1 ? "" : "v" + (r % 7)));
        }
        w.write("\n");
      }
    }
    DatasetStatistics s = DataProfiler.create().profile(Records.csv(csv));
    assertThat(s.columns()).hasSize(columns);
    assertThat(s.column("c9999").type()).isEqualTo(ColumnType.INTEGRAL);
    assertThat(s.column("c9998").type()).isEqualTo(ColumnType.STRING);
    assertThat(s.column("c9997").type()).isEqualTo(ColumnType.UNKNOWN);
    assertThat(s.column("c9998").topValues()).hasSize(7);
    byte[] json = s.toJson();
    assertThat(json.length / columns).as("bytes per column in statistics.json").isLessThan(3_000);

    // the same through maps generated on the fly, and verified against suggested constraints
    Iterator<Map<String, Object>> lazy = new Iterator<>() {
      int r;

      @Override
      public boolean hasNext() {
        return r < rows;
      }

      @Override
      public Map<String, Object> next() {
        if (!hasNext()) {
          throw new NoSuchElementException();
        }
        Map<String, Object> m = new LinkedHashMap<>();
        for (int c = 0; c < columns; c++) {
          m.put("c" + c, c % 3 == 0 ? (Object) (long) (r * c) : c % 3 == 1 ? null : "v" + (r % 7));
        }
        r++;
        return m;
      }
    };
    ValidationReport report = DataValidator.verify(Records.of(lazy), ConstraintSuggester.suggest(s), s);
    assertThat(report.violations()).isEmpty();
    assertThat(report.constraintsChecked()).isGreaterThan(columns);
  }

  @Test
  void typedValuesAreNormalized() {
    Map<String, Object> row = new HashMap<>();
    row.put("i", 3);
    row.put("f", 2.5f);
    row.put("t", java.time.LocalDate.of(2024, 1, 2));
    row.put("c", 'x');
    row.put("n", Double.NaN);
    row.put("big", new java.math.BigDecimal("1.25"));
    DatasetStatistics s = DataProfiler.create().profile(Records.of(List.of(row)));
    assertThat(s.schema()).containsEntry("i", ColumnType.INTEGRAL).containsEntry("f", ColumnType.FRACTIONAL)
        .containsEntry("t", ColumnType.TIMESTAMP).containsEntry("c", ColumnType.STRING)
        .containsEntry("n", ColumnType.UNKNOWN).containsEntry("big", ColumnType.FRACTIONAL);
    assertThat(s.column("n").missing()).isEqualTo(1);
  }
}
