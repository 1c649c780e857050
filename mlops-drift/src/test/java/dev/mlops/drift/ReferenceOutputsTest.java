package dev.mlops.drift;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every row of {@code expected.json} in the test resources
 * ({@code src/test/resources/dev/mlops/drift/reference}, produced by MOA 2024.07.0; see the README
 * there): a fresh detector with the row's
 * parameters, fed the row's stream under the README's protocol, reports drift at exactly the
 * reference indices, with the same number of warning-zone inputs and the same first one.
 */
class ReferenceOutputsTest {

  static List<ReferenceData.Row> rows() {
    return ReferenceData.rows();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("rows")
  void reproducesReferenceDriftIndicesAndWarnings(ReferenceData.Row row) {
    ReferenceData.Outcome got =
        ReferenceData.run(ReferenceData.detector(row), ReferenceData.stream(row.stream()));

    assertThat(got.drift()).as("drift indices").containsExactly(row.drift());
    assertThat(got.warningCount()).as("inputs in the warning zone").isEqualTo(row.warningCount());
    assertThat(got.warningFirst()).as("first warning index").isEqualTo(row.warningFirst());
  }
}
