package dev.mlops.ui;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class HtmlTest {
  @Test
  void scriptTagsBecomeText() {
    assertThat(Html.text("<script>alert(1)</script>")).isEqualTo("&lt;script&gt;alert(1)&lt;/script&gt;");
  }

  @Test
  void quotesCannotLeaveAnAttribute() {
    String escaped = Html.text("x\" onmouseover=\"alert(1)' onfocus='alert(2)");
    assertThat(escaped).doesNotContain("\"").doesNotContain("'")
        .isEqualTo("x&quot; onmouseover=&quot;alert(1)&#39; onfocus=&#39;alert(2)");
  }

  @Test
  void svgAndEntitiesAreEscaped() {
    assertThat(Html.text("</svg><svg onload=alert(1)>&amp;")).isEqualTo("&lt;/svg&gt;&lt;svg onload=alert(1)&gt;&amp;amp;");
  }

  @Test
  void controlCharactersAreReplaced() {
    assertThat(Html.text("a\u0000b\u001bc\td\ne")).isEqualTo("a\ufffdb\ufffdc\td\ne");
  }

  @Test
  void aTenMegabyteValueIsCutWithANote() {
    String huge = "<".repeat(10 * 1024 * 1024);
    String escaped = Html.text(huge);
    assertThat(escaped.length()).isLessThan(Html.MAX_VALUE_CHARS * 4 + 200);
    assertThat(escaped).startsWith("&lt;&lt;").contains("[truncated: 10,485,760 characters in all]");
    assertThat(escaped.replace("&lt;", "")).doesNotContain("<script").doesNotContain("&lt");
  }

  @Test
  void cuttingNeverSplitsASurrogatePair() {
    String s = "a".repeat(Html.MAX_VALUE_CHARS - 1) + "\ud83d\ude00" + "tail";
    String escaped = Html.text(s);
    assertThat(escaped).startsWith("a".repeat(Html.MAX_VALUE_CHARS - 1) + "\u2026");
    assertThat(escaped).doesNotContain("\ud83d");
  }

  @Test
  void nullIsEmptyAndShortValuesAreWhole() {
    assertThat(Html.text(null)).isEmpty();
    assertThat(Html.text("plain text")).isEqualTo("plain text");
  }

  @Test
  void numbers() {
    assertThat(Html.number(3)).isEqualTo("3");
    assertThat(Html.number(0.125)).isEqualTo("0.125");
    assertThat(Html.number(Double.NaN)).isEqualTo("\u2013");
    assertThat(Html.number(Double.POSITIVE_INFINITY)).isEqualTo("\u221e");
    assertThat(Html.number(1.0 / 3)).isEqualTo("0.333333");
    assertThat(Html.coord(Double.NaN)).isEqualTo("0");
    assertThat(Html.compact(35_212.7)).isEqualTo("35.2k");
    assertThat(Html.compact(27.4421)).isEqualTo("27.4");
    assertThat(Html.compact(-1_250_000)).isEqualTo("-1.25M");
    assertThat(Html.compact(0.0001234)).isEqualTo("1.23e-04");
    assertThat(Html.compact(0)).isEqualTo("0");
  }
}
