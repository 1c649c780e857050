package dev.mlops.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mlops.CorruptDataException;
import dev.mlops.Digest;
import dev.mlops.Mlops;
import dev.mlops.NotFoundException;
import dev.mlops.Registration;
import dev.mlops.Workspace;
import dev.mlops.core.MemObjectStore;
import dev.mlops.drift.DriftTest;
import dev.mlops.features.FeatureRef;
import dev.mlops.features.FeatureStatus;
import dev.mlops.features.FeatureValue;
import dev.mlops.features.TrainingRow;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The JSON formats (round trip, untrusted bytes), the store, the pipeline check, training rows. */
class FormatsAndStoreTest {
  static final DatasetStatistics BASELINE = DataProfiler.create().profile(Records.of(PlantedDefectsTest.clean(500, 1, 1)));

  static Constraints everyKind() {
    return Constraints.of(
        new Constraint.DataType("age", ColumnType.INTEGRAL, Severity.ERROR),
        new Constraint.Completeness("income", 0.9, Severity.WARNING),
        new Constraint.NonNegative("age", Severity.ERROR),
        new Constraint.Range("score", -10, 110.5, Severity.ERROR),
        new Constraint.Domain("city", List.of("Porto", "Lisbon"), 0.01, Severity.ERROR),
        new Constraint.Unique("id", Severity.ERROR),
        new Constraint.MaxDistinct("city", 10, Severity.WARNING),
        new Constraint.StringLength("city", 1, 20, Severity.ERROR),
        new Constraint.Matches("city", "[A-Z][a-z]+", Severity.ERROR),
        new Constraint.RowCount(1, 1_000_000, Severity.ERROR),
        new Constraint.ColumnPresent("member", Severity.ERROR),
        new Constraint.NoExtraColumns(List.of("id", "age", "income", "city", "score", "member"), Severity.ERROR),
        new Constraint.BaselineDrift("score", DriftTest.WASSERSTEIN, 0.3, Severity.WARNING),
        new Constraint.Custom("positive-id", "id", v -> (Long) v > 0, Severity.ERROR));
  }

  @Test
  void constraintsRoundTripWithCustomPredicatesBoundByName() {
    Constraints c = everyKind();
    Predicate<Object> positive = ((Constraint.Custom) c.constraints().get(13)).predicate();
    Constraints back = Constraints.fromJson(c.toJson(), Map.of("positive-id", positive));
    assertThat(back).isEqualTo(c);
    assertThat(new String(c.toJson(), StandardCharsets.UTF_8)).contains("\"check\" : \"CUSTOM\"")
        .contains("\"name\" : \"positive-id\"");
    assertThatThrownBy(() -> Constraints.fromJson(c.toJson())).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'positive-id'").hasMessageContaining("needs its predicate");
  }

  @Test
  void reportRoundTrips() {
    ValidationReport r = DataValidator.verify(Records.of(PlantedDefectsTest.defective(300, 2)),
        ConstraintSuggester.suggest(BASELINE), BASELINE);
    ValidationReport back = ValidationReport.fromJson(r.toJson());
    assertThat(back.violations()).isEqualTo(r.violations());
    assertThat(back.passed()).isEqualTo(r.passed());
    assertThat(back.rows()).isEqualTo(300);
    assertThat(back.statistics()).isEmpty();
  }

  @Test
  void damagedDocumentsAreCorruptDataNamingTheField() {
    assertThatThrownBy(() -> DatasetStatistics.fromJson("{".getBytes()))
        .isInstanceOf(CorruptDataException.class).hasMessageContaining("statistics.json").hasMessageContaining("not valid JSON");
    assertThatThrownBy(() -> DatasetStatistics.fromJson("{\"format\":\"mlops.data.statistics\",\"formatVersion\":2}".getBytes()))
        .isInstanceOf(CorruptDataException.class).hasMessageContaining("formatVersion").hasMessageContaining("newer");
    assertThatThrownBy(() -> Constraints.fromJson(BASELINE.toJson()))
        .isInstanceOf(CorruptDataException.class).hasMessageContaining("format").hasMessageContaining("mlops.data.constraints");
    String stats = new String(BASELINE.toJson(), StandardCharsets.UTF_8);
    assertThatThrownBy(() -> DatasetStatistics.fromJson(stats.replaceFirst("\"missing\" : 0", "\"missing\" : -1").getBytes()))
        .isInstanceOf(CorruptDataException.class).hasMessageContaining("field 'columns[0](").hasMessageContaining(").missing' is -1");
    assertThatThrownBy(() -> DatasetStatistics.fromJson(stats.replaceFirst("\"kll\" : \"", "\"kll\" : \"AAAA").getBytes()))
        .isInstanceOf(CorruptDataException.class).hasMessageContaining("numeric.kll");
    assertThatThrownBy(() -> DatasetStatistics.fromJson(stats.replaceFirst("\"rows\" : 500", "\"rows\" : 501").getBytes()))
        .isInstanceOf(CorruptDataException.class).hasMessageContaining("has 500 values");
    String constraints = new String(everyKind().toJson(), StandardCharsets.UTF_8);
    assertThatThrownBy(() -> Constraints.fromJson(constraints.replace("\"minShare\" : 0.9", "\"minShare\" : 1.9").getBytes(),
        Map.of("positive-id", v -> true)))
        .isInstanceOf(CorruptDataException.class).hasMessageContaining("constraints[1]").hasMessageContaining("minShare");
    assertThatThrownBy(() -> Constraints.fromJson(constraints.replace("\"DATA_TYPE\"", "\"NOPE\"").getBytes()))
        .isInstanceOf(CorruptDataException.class).hasMessageContaining("constraints[0].check").hasMessageContaining("NOPE");
  }

  @Test
  void storedNextToAModelVersion() {
    try (Workspace ws = Mlops.open("mem:")) {
      int v = ws.registry().register("churn", Registration.builder().build()).version();
      assertThat(DataQualityStore.findStatistics(ws, "churn", v)).isEmpty();
      DataQualityStore.save(ws, "churn", v, BASELINE);
      Constraints suggested = ConstraintSuggester.suggest(BASELINE);
      DataQualityStore.save(ws, "churn", v, suggested);

      assertThat(DataQualityStore.findStatistics(ws, "churn", v).orElseThrow().rows()).isEqualTo(500);
      assertThat(DataQualityStore.findConstraints(ws, "churn", v, Map.of())).contains(suggested);

      DataQualityCheck.Result result = DataQualityCheck.run(ws, "churn", v, Records.of(PlantedDefectsTest.defective(300, 2)));
      assertThat(result.passed()).isFalse();
      assertThat(ValidationReport.fromJson(ws.artifacts().read(result.stored().digest())).violations())
          .isEqualTo(result.report().violations());
      assertThat(result.stored().mediaType()).isEqualTo(DataQualityStore.VIOLATIONS_MEDIA_TYPE);

      Digest junk = ws.artifacts().put("{\"format\":\"other\",\"formatVersion\":1}".getBytes()).digest();
      ws.registry().update("churn", v, Map.of(DataQualityStore.STATISTICS_TAG, junk.toString()), Optional.empty());
      assertThatThrownBy(() -> DataQualityStore.findStatistics(ws, "churn", v)).isInstanceOf(CorruptDataException.class)
          .hasMessageContaining("churn/" + v).hasMessageContaining(DataQualityStore.STATISTICS_TAG);
      int other = ws.registry().register("churn", Registration.builder().build()).version();
      assertThatThrownBy(() -> DataQualityCheck.run(ws, "churn", other, Records.of(List.<Map<String, Object>>of())))
          .isInstanceOf(NotFoundException.class).hasMessageContaining(DataQualityStore.CONSTRAINTS_TAG);
    }
  }

  @Test
  void pipelineCheckWithoutBaseline() {
    try (Workspace ws = Mlops.open("mem:")) {
      Constraints c = Constraints.of(new Constraint.NonNegative("age", Severity.ERROR));
      assertThat(DataQualityCheck.run(ws, Records.of(PlantedDefectsTest.clean(50, 1, 1)), c).passed()).isTrue();
      assertThatThrownBy(() -> DataQualityCheck.run(ws, Records.of(PlantedDefectsTest.clean(50, 1, 1)),
          ConstraintSuggester.suggest(BASELINE))).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("baseline");
    }
  }

  @Test
  void storedNextToADatasetDigestNewestWins() {
    MemObjectStore store = new MemObjectStore();
    Digest dataset = Digest.of("the training data".getBytes());
    assertThat(DataQualityStore.findConstraints(store, dataset, Map.of())).isEmpty();
    String k1 = DataQualityStore.save(store, dataset, ConstraintSuggester.suggest(BASELINE));
    Constraints edited = ConstraintSuggester.suggest(BASELINE).without(CheckType.EXTRA_COLUMN, "");
    String k2 = DataQualityStore.save(store, dataset, edited);
    DataQualityStore.save(store, dataset, BASELINE);
    assertThat(k1).isEqualTo("data-quality/datasets/" + dataset.hex() + "/constraints/0000000001.json");
    assertThat(k2).endsWith("/constraints/0000000002.json");
    assertThat(DataQualityStore.findConstraints(store, dataset, Map.of())).contains(edited);
    assertThat(DataQualityStore.findStatistics(store, dataset).orElseThrow().rows()).isEqualTo(500);

    store.create(k2.replace("0000000002", "0000000003"), "not json".getBytes());
    assertThatThrownBy(() -> DataQualityStore.findConstraints(store, dataset, Map.of()))
        .isInstanceOf(CorruptDataException.class).hasMessageContaining("constraints/0000000003.json");
  }

  @Test
  void trainingRowsAreProfiledPerFeature() {
    FeatureRef spend = new FeatureRef("stats", "spend");
    FeatureRef country = new FeatureRef("stats", "country");
    Instant t = Instant.parse("2024-01-01T00:00:00Z");
    FeatureValue present = new FeatureValue(spend, FeatureStatus.PRESENT, Optional.of(12.5), Optional.of(t),
        Optional.of(Duration.ZERO));
    FeatureValue pt = new FeatureValue(country, FeatureStatus.PRESENT, Optional.of("PT"), Optional.of(t),
        Optional.of(Duration.ZERO));
    List<TrainingRow> rows = List.of(new TrainingRow("a", t, List.of(present, pt)),
        new TrainingRow("b", t, List.of(FeatureValue.notFound(spend), pt)));
    DatasetStatistics s = DataProfiler.create().profile(Records.trainingSet(Stream.of(rows.toArray(TrainingRow[]::new))));
    assertThat(s.schema()).containsEntry("stats:spend", ColumnType.FRACTIONAL).containsEntry("stats:country", ColumnType.STRING);
    assertThat(s.column("stats:spend").missing()).isEqualTo(1);
    assertThat(s.column("stats:spend").mean()).isEqualTo(12.5);
  }
}
