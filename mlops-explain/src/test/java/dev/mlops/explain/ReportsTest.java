package dev.mlops.explain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mlops.CorruptDataException;
import dev.mlops.Digest;
import dev.mlops.Mlops;
import dev.mlops.NotFoundException;
import dev.mlops.Registration;
import dev.mlops.Workspace;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ReportsTest {

  static BiasReport biasReport() {
    Table t = Table.builder()
        .categorical("sex", "f", "m", "f", "m", "m", "f", "m", "f")
        .categorical("y", "1", "0", "0", "1", "1", "0", "1", "1")
        .numeric("score", new double[] {0.9, 0.2, 0.1, 0.7, 0.8, 0.3, 0.6, 0.2})
        .build();
    return BiasAnalysis.analyze(t, BiasSpec.of(Condition.equalTo("sex", "f"), Condition.equalTo("y", "1"))
        .withPrediction(Condition.above("score", 0.5)));
  }

  static ExplanationReport explanationReport() {
    Background bg = Background.of(ShapExplainerTest.randomRows(10, 3, 1));
    return ShapExplainer.builder(x -> x[0] * x[1] + x[2], bg).featureNames(List.of("a", "b", "c")).kernel(6).seed(3).build()
        .explainAll(ShapExplainerTest.randomRows(4, 3, 2));
  }

  @Test
  void biasReportRoundTripsThroughJsonIncludingNanWithReasons() {
    BiasReport r = biasReport();
    assertThat(r.metrics()).anyMatch(m -> !m.isDefined()); // FT without features
    byte[] json = r.toJson();
    String text = new String(json, StandardCharsets.UTF_8);
    assertThat(text).contains("\"kind\" : \"mlops.bias-report\"").contains("\"formatVersion\" : 1").contains("\"reason\"");
    assertThat(BiasReport.fromJson(json)).isEqualTo(r);
  }

  @Test
  void explanationReportRoundTripsThroughJson() {
    ExplanationReport r = explanationReport();
    byte[] json = r.toJson();
    assertThat(new String(json, StandardCharsets.UTF_8)).contains("\"globalImportance\"").contains("\"kernel\"");
    ExplanationReport back = ExplanationReport.fromJson(json);
    assertThat(back).isEqualTo(r);
    assertThat(back.globalImportance()).isEqualTo(r.globalImportance());
  }

  /** A version-1 document written by this release, kept as a fixture so later versions keep reading it. */
  @Test
  void readsTheCommittedVersion1Fixture() throws Exception {
    byte[] fixture;
    try (var in = ReportsTest.class.getResourceAsStream("bias-report-v1.json")) {
      fixture = in.readAllBytes();
    }
    BiasReport r = BiasReport.fromJson(fixture);
    assertThat(r.facet()).isEqualTo("sex = f");
    assertThat(r.value(BiasMetric.CI)).isEqualTo(0.0);
    assertThat(r.find(BiasMetric.FT).orElseThrow().reason()).isPresent();
  }

  @Test
  void damagedOrForeignJsonIsCorruptData() {
    assertThatThrownBy(() -> BiasReport.fromJson("{".getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(CorruptDataException.class).hasMessageContaining("not a JSON document");
    assertThatThrownBy(() -> BiasReport.fromJson(explanationReport().toJson()))
        .isInstanceOf(CorruptDataException.class).hasMessageContaining("mlops.explanation-report");
    String future = new String(biasReport().toJson(), StandardCharsets.UTF_8).replace("\"formatVersion\" : 1", "\"formatVersion\" : 99");
    assertThatThrownBy(() -> BiasReport.fromJson(future.getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(CorruptDataException.class).hasMessageContaining("99");
    String badMetric = new String(biasReport().toJson(), StandardCharsets.UTF_8).replace("\"CI\"", "\"XX\"");
    assertThatThrownBy(() -> BiasReport.fromJson(badMetric.getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(CorruptDataException.class).hasMessageContaining("XX");
  }

  @Test
  void reportsAreStoredNextToTheModelVersion() {
    try (Workspace ws = Mlops.open("mem:")) {
      int v = ws.registry().register("credit", Registration.builder().build()).version();
      assertThat(ExplainReports.findBias(ws, "credit", v)).isEmpty();
      assertThatThrownBy(() -> ExplainReports.loadExplanation(ws, "credit", v))
          .isInstanceOf(NotFoundException.class).hasMessageContaining("credit/" + v).hasMessageContaining(ExplainReports.EXPLANATION_TAG);

      BiasReport bias = biasReport();
      ExplanationReport explanation = explanationReport();
      var biasRef = ExplainReports.saveBias(ws, "credit", v, bias);
      var explRef = ExplainReports.saveExplanation(ws, "credit", v, explanation);

      Map<String, String> tags = ws.registry().get("credit", v).tags();
      assertThat(tags).containsEntry(ExplainReports.BIAS_TAG, biasRef.digest().toString())
          .containsEntry(ExplainReports.EXPLANATION_TAG, explRef.digest().toString());
      assertThat(ExplainReports.loadBias(ws, "credit", v)).isEqualTo(bias);
      assertThat(ExplainReports.loadExplanation(ws, "credit", v)).isEqualTo(explanation);
      assertThatThrownBy(() -> ExplainReports.saveBias(ws, "credit", 99, bias)).isInstanceOf(NotFoundException.class);

      ws.registry().update("credit", v, Map.of(ExplainReports.BIAS_TAG, "not-a-digest"), Optional.empty());
      assertThatThrownBy(() -> ExplainReports.loadBias(ws, "credit", v))
          .isInstanceOf(CorruptDataException.class).hasMessageContaining("not-a-digest");
      Digest junk = ws.artifacts().put("junk".getBytes(StandardCharsets.UTF_8)).digest();
      ws.registry().update("credit", v, Map.of(ExplainReports.BIAS_TAG, junk.toString()), Optional.empty());
      assertThatThrownBy(() -> ExplainReports.loadBias(ws, "credit", v)).isInstanceOf(CorruptDataException.class);
    }
  }
}
