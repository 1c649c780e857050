package dev.mlops.data;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Memory stays bounded whatever the length of the texts (found by an outside check of issue 13:
 * 150 distinct 1 MB cells ran a 128 MB heap out of memory, because the frequent-items sketch kept
 * up to 96 of them whole, and wrote them all into statistics.json).
 */
class LongTextsTest {
  private static DatasetStatistics profile(String[] values) {
    Map<String, Object> columns = new LinkedHashMap<>();
    columns.put("x", values);
    return DataProfiler.create().profile(Records.ofColumns(columns));
  }

  @Test
  void longTextsAreKeptAsBoundedSurrogatesInTheFrequentValues() {
    String[] values = new String[120];
    for (int i = 0; i < values.length; i++) {
      values[i] = String.format("%04d", i) + "y".repeat(100_000);
    }
    DatasetStatistics s = profile(values);
    ColumnStatistics x = s.column("x");
    assertThat(x.maxLength()).hasValue(100_004);
    assertThat(x.topValues()).isNotEmpty().allSatisfy(v -> assertThat(v.value().length()).isLessThan(1_100));
    assertThat(x.topValues().get(0).value()).matches("[0-9]{4}y{996}\\.\\.\\. \\(100004 chars, FNV-1a [0-9a-f]+\\)");
    assertThat(s.toJson().length).as("statistics.json bytes").isLessThan(400_000);
    assertThat(DatasetStatistics.fromJson(s.toJson()).column("x").topValues()).isEqualTo(x.topValues());
  }

  @Test
  void repeatedLongTextsAreCountedExactlyAndPassTheirOwnConstraints() {
    String a = "a".repeat(5_000);
    String b = "a".repeat(4_999) + "b"; // same start: still two values
    String[] values = new String[60];
    for (int i = 0; i < values.length; i++) {
      values[i] = i % 3 == 0 ? b : a;
    }
    DatasetStatistics s = profile(values);
    assertThat(s.column("x").topValues()).extracting(ValueCount::count).containsExactly(40L, 20L);
    assertThat(s.column("x").topValuesExact()).isTrue();
    Map<String, Object> columns = new LinkedHashMap<>();
    columns.put("x", values);
    ValidationReport r = DataValidator.verify(Records.ofColumns(columns), ConstraintSuggester.suggest(s), s);
    assertThat(r.violations()).isEmpty();
    assertThat(ConstraintSuggester.suggest(s).forColumn("x")).extracting(Constraint::check)
        .doesNotContain(CheckType.CATEGORICAL_VALUES); // a surrogate is no category to require
    assertThat(List.of(a, b)).hasSize(2);
  }
}
