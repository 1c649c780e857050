package dev.mlops.explain;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The result of a bias analysis: what was measured, the facet sizes and one value per metric.
 * Serialises to a versioned JSON form ({@link #toJson()}, {@link #fromJson(byte[])}).
 *
 * <p>Immutable and thread-safe.
 *
 * @param facet the facet d condition, e.g. "sex = female"
 * @param label the positive-label condition
 * @param prediction the positive-prediction condition, empty for pre-training only
 * @param group the conditioning group column, if any
 * @param rowCount number of rows analysed
 * @param facetARows rows in facet a
 * @param facetDRows rows in facet d
 * @param metrics the metric values, pre-training first
 */
public record BiasReport(String facet, String label, Optional<String> prediction, Optional<String> group,
    long rowCount, long facetARows, long facetDRows, List<MetricValue> metrics) {

  /**
   * Validates and copies.
   *
   * @throws IllegalArgumentException if the counts are negative or do not add up, or a metric repeats
   */
  public BiasReport {
    Objects.requireNonNull(facet, "facet");
    Objects.requireNonNull(label, "label");
    Objects.requireNonNull(prediction, "prediction");
    Objects.requireNonNull(group, "group");
    metrics = List.copyOf(metrics);
    if (facetARows < 0 || facetDRows < 0 || facetARows + facetDRows != rowCount) {
      throw new IllegalArgumentException("facet sizes " + facetARows + " + " + facetDRows + " do not add up to " + rowCount);
    }
    if (metrics.stream().map(MetricValue::metric).distinct().count() != metrics.size()) {
      throw new IllegalArgumentException("a metric appears twice in " + metrics);
    }
  }

  /**
   * The value of one metric.
   *
   * @param metric the metric
   * @return its value, or empty if it was not computed (a post-training metric without predictions)
   */
  public Optional<MetricValue> find(BiasMetric metric) {
    return metrics.stream().filter(m -> m.metric() == metric).findFirst();
  }

  /**
   * The value of one metric as a number (NaN when undefined).
   *
   * @param metric the metric
   * @return the value
   * @throws IllegalArgumentException if the metric was not computed
   */
  public double value(BiasMetric metric) {
    return find(metric).orElseThrow(() -> new IllegalArgumentException(metric + " was not computed in this report; "
        + "post-training metrics need BiasSpec.withPrediction")).value();
  }

  /**
   * The versioned JSON form.
   *
   * @return UTF-8 JSON bytes
   */
  public byte[] toJson() {
    return ReportJson.write(this);
  }

  /**
   * Reads the JSON form written by {@link #toJson()} (any format version up to the current one).
   *
   * @param json UTF-8 JSON bytes
   * @return the report
   * @throws dev.mlops.CorruptDataException if the bytes are not a bias report of a known version
   */
  public static BiasReport fromJson(byte[] json) {
    return ReportJson.readBias(json);
  }
}
