package dev.mlops.data;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Constraints suggested from a data set must pass on that same data set, whatever its shape (found
 * by an outside check of issue 13: mixed columns and infinities broke it); and text checks see a
 * CSV cell as it is written, not as the number it parses to.
 */
class SuggestVerifySameDataTest {
  @TempDir
  Path dir;

  private Path write(String name, String content) throws Exception {
    Path p = dir.resolve(name);
    Files.writeString(p, content, StandardCharsets.UTF_8);
    return p;
  }

  private static ValidationReport selfCheck(Records data) {
    DatasetStatistics s = DataProfiler.create().profile(data);
    return DataValidator.verify(data, ConstraintSuggester.suggest(s), s);
  }

  @Test
  void columnOfTextAndNumbersPassesItsOwnConstraints() throws Exception {
    StringBuilder b = new StringBuilder("grade,zip\n");
    for (int i = 0; i < 100; i++) {
      b.append(i % 2 == 0 ? "A" : "B").append(',').append(List.of("01234", "10115", "A-100", "B-200").get(i % 4)).append('\n');
    }
    b.append("1,A-100\n2,B-200\n"); // a few numbers among the grades
    ValidationReport r = selfCheck(Records.csv(write("mixed.csv", b.toString())));
    assertThat(r.violations()).isEmpty();
  }

  @Test
  void typeChangingHalfwayPassesItsOwnConstraints() throws Exception {
    StringBuilder b = new StringBuilder("x\n");
    for (int i = 0; i < 100; i++) {
      b.append(i).append('\n');
    }
    for (int i = 0; i < 100; i++) {
      b.append("s").append(i % 3).append('\n');
    }
    assertThat(selfCheck(Records.csv(write("half.csv", b.toString()))).violations()).isEmpty();
  }

  @Test
  void negativeInfinityAmongPositiveNumbersPassesItsOwnConstraints() {
    List<Map<String, ?>> rows = List.of(Map.of("x", 1.0), Map.of("x", 2.0), Map.of("x", Double.NEGATIVE_INFINITY),
        Map.of("x", Double.POSITIVE_INFINITY));
    assertThat(selfCheck(Records.of(rows)).violations()).isEmpty();
  }

  /** pandas writes booleans as True/False; the suggested domain names them true/false. */
  @Test
  void booleansWrittenInAnyCasePassTheirOwnDomain() throws Exception {
    StringBuilder b = new StringBuilder("flag,ok\n");
    for (int i = 0; i < 50; i++) {
      b.append(i % 3 == 0 ? "True" : "False").append(',').append(i % 2 == 0 ? "TRUE" : "false").append('\n');
    }
    Path csv = write("flags.csv", b.toString());
    assertThat(selfCheck(Records.csv(csv)).violations()).isEmpty();
    assertThat(DataValidator.verify(Records.csv(csv), Constraints.of(
        new Constraint.Domain("flag", List.of("True", "False"), 0, Severity.ERROR))).violations()).isEmpty();
  }

  /** A pattern or a domain on codes with leading zeros: "007" is checked as "007", not as the number 7. */
  @Test
  void textChecksSeeTheCellAsWritten() throws Exception {
    Path csv = write("codes.csv", "code,size\n007,1.50\n042,2.00\nA13,TRUE\n");
    Constraints c = Constraints.of(new Constraint.Matches("code", "[0-9A-Z]{3}", Severity.ERROR),
        new Constraint.Domain("size", List.of("1.50", "2.00", "TRUE"), 0, Severity.ERROR));
    assertThat(DataValidator.verify(Records.csv(csv), c).violations()).isEmpty();

    Path bad = write("bad.csv", "code,size\n7,1.5\n");
    ValidationReport r = DataValidator.verify(Records.csv(bad), c);
    assertThat(r.violations()).extracting(v -> v.examples().get(0).value()).containsExactly("7", "1.5");
  }
}
