package dev.mlops.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * CSV files as they come from other tools (found by an outside check of issue 13): a UTF-8 byte
 * order mark, UTF-16 bytes, a blank last line, infinities and numbers at the edges of their types.
 */
class CsvEdgeCasesTest {
  @TempDir
  Path dir;

  private Path write(String name, byte[] content) throws Exception {
    Path p = dir.resolve(name);
    Files.write(p, content);
    return p;
  }

  private Path write(String name, String content) throws Exception {
    return write(name, content.getBytes(StandardCharsets.UTF_8));
  }

  private static DatasetStatistics profile(Path csv) {
    return DataProfiler.create().profile(Records.csv(csv));
  }

  /** Excel and PowerShell write UTF-8 with a byte order mark; it is not part of the first column's name. */
  @Test
  void utf8ByteOrderMarkIsNotPartOfTheFirstName() throws Exception {
    DatasetStatistics s = profile(write("bom.csv", "\uFEFFid,city\n1,Faro\n2,Porto\n"));
    assertThat(s.columnNames()).containsExactly("id", "city");
    assertThat(s.column("id").type()).isEqualTo(ColumnType.INTEGRAL);

    Constraints c = Constraints.of(new Constraint.ColumnPresent("id", Severity.ERROR),
        new Constraint.NoExtraColumns(java.util.List.of("id", "city"), Severity.ERROR));
    assertThat(DataValidator.verify(Records.csv(write("bom2.csv", "\uFEFFid,city\n3,Faro\n")), c).violations()).isEmpty();
    // a mark anywhere else is data
    assertThat(profile(write("inner.csv", "id,city\n1,\uFEFFFaro\n")).column("city").topValues().get(0).value())
        .isEqualTo("\uFEFFFaro");
  }

  /** UTF-16 without a byte order mark decodes as "valid" UTF-8 full of NULs: an encoding error, not data. */
  @Test
  void utf16BytesAreAnEncodingErrorNotGarbageNames() throws Exception {
    Path le = write("utf16le.csv", "id,city\n1,Faro\n2,Porto".getBytes(StandardCharsets.UTF_16LE));
    assertThatThrownBy(() -> profile(le)).isInstanceOf(MalformedDataException.class)
        .hasMessageContaining("NUL").hasMessageContaining("UTF-16").hasMessageContaining("header");
    Path be = write("utf16be.csv", "id,city\n1,Faro\n2,Porto".getBytes(StandardCharsets.UTF_16BE));
    assertThatThrownBy(() -> profile(be)).isInstanceOf(MalformedDataException.class).hasMessageContaining("UTF-16");
    Path cell = write("nul.csv", "id,city\n1,Faro\n2,Po\u0000rto\n");
    assertThatThrownBy(() -> profile(cell)).isInstanceOf(MalformedDataException.class)
        .hasMessageContaining("row 2, column 'city'")
        .satisfies(e -> assertThat(((MalformedDataException) e).column()).isEqualTo("city"));
  }

  /** Many writers end a file with an empty line; with several columns it cannot be a row. */
  @Test
  void blankLinesAtTheEndOfAWideFileAreNotRows() throws Exception {
    assertThat(profile(write("lf.csv", "a,b\n1,x\n2,y\n\n")).rows()).isEqualTo(2);
    assertThat(profile(write("crlf.csv", "a,b\r\n1,x\r\n2,y\r\n\r\n\r\n")).rows()).isEqualTo(2);
    assertThat(profile(write("hdr.csv", "a,b\n\n")).rows()).isZero();
    // inside the data a blank line is still a ragged row, named by its own row number
    assertThatThrownBy(() -> profile(write("mid.csv", "a,b\n1,x\n\n2,y\n"))).isInstanceOf(MalformedDataException.class)
        .hasMessageContaining("row 2").hasMessageContaining("1 cells, the header has 2")
        .satisfies(e -> assertThat(((MalformedDataException) e).row()).isEqualTo(2));
    // with one column an empty line is an empty cell: a missing value, wherever it is
    DatasetStatistics one = profile(write("one.csv", "a\n1\n\n2\n\n"));
    assertThat(one.rows()).isEqualTo(4);
    assertThat(one.column("a").missing()).isEqualTo(2);
  }

  /** CRLF line ends, quoted cells with line breaks, quotes and delimiters, and rows counted past them. */
  @Test
  void quotedCellsAndCrlf() throws Exception {
    DatasetStatistics s = profile(write("q.csv", "id,note\r\n1,\"two\r\nlines\"\r\n2,\"say \"\"hi\"\"\"\r\n3,\"a,b\"\r\n"));
    assertThat(s.rows()).isEqualTo(3);
    assertThat(s.column("note").topValues()).extracting(ValueCount::value)
        .containsExactlyInAnyOrder("two\r\nlines", "say \"hi\"", "a,b");
    assertThatThrownBy(() -> profile(write("r.csv", "id,note\n1,\"x\ny\nz\"\n2,b,c\n")))
        .isInstanceOf(MalformedDataException.class).hasMessageContaining("row 2 (line 5)");
  }

  /** pandas and Java's Double.toString write infinities as words; they are numbers, not text. */
  @Test
  void infinitiesAndOverflowingNumbersAreInfiniteNumbers() throws Exception {
    DatasetStatistics s = profile(write("inf.csv",
        "x\n1.5\nInfinity\n-Infinity\ninf\n-INF\n+inf\n1e400\n-1e400\n-0.0\n2\nNaN\n"));
    ColumnStatistics x = s.column("x");
    assertThat(x.type()).isEqualTo(ColumnType.FRACTIONAL);
    assertThat(x.infiniteCount()).isEqualTo(7);
    assertThat(x.numericCount()).isEqualTo(3);
    assertThat(x.missing()).isEqualTo(1);
    assertThat(x.min()).isEqualTo(-0.0);
    assertThat(x.max()).isEqualTo(2.0);
    // words that only start like one stay text
    assertThat(profile(write("t.csv", "x\ninfo\nInfinite\n")).column("x").type()).isEqualTo(ColumnType.STRING);
  }

  /** A 1 MB cell is profiled like any other; a violation's example shows its start and length, not all of it. */
  @Test
  void megabyteCellIsCutInExamples() throws Exception {
    String big = "y".repeat(1 << 20);
    Path csv = write("big.csv", "id,x\n1,a\n2," + big + "\n3,a\n");
    DatasetStatistics s = profile(csv);
    assertThat(s.column("x").maxLength()).hasValue(1 << 20);
    ValidationReport r = DataValidator.verify(Records.csv(csv),
        Constraints.of(new Constraint.Domain("x", java.util.List.of("a"), 0, Severity.ERROR)));
    Violation.Example e = r.violations().get(0).examples().get(0);
    assertThat(e.row()).isEqualTo(2);
    assertThat(e.value()).startsWith("yyyy").endsWith("... (1048576 chars)").hasSizeLessThan(250);
    assertThat(r.toJson().length).isLessThan(10_000);
  }

  /** Whole numbers of 19 digits that fit a long are integral, beyond it they are decimal. */
  @Test
  void nineteenDigitIntegersWithinLongAreIntegral() throws Exception {
    ColumnStatistics x = profile(write("l.csv",
        "x\n9223372036854775807\n-9223372036854775808\n1234567890123456789\n")).column("x");
    assertThat(x.type()).isEqualTo(ColumnType.INTEGRAL);
    assertThat(x.max()).isEqualTo((double) Long.MAX_VALUE);
    assertThat(x.min()).isEqualTo((double) Long.MIN_VALUE);
    assertThat(profile(write("o.csv", "x\n9223372036854775808\n")).column("x").type()).isEqualTo(ColumnType.FRACTIONAL);
  }
}
