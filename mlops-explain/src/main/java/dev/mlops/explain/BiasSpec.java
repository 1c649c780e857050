package dev.mlops.explain;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What a bias analysis measures: the sensitive facet <i>d</i> (every other row is facet <i>a</i>),
 * the positive label, optionally the positive predicted label (for post-training metrics), an
 * optional group column the conditional metrics (CDDL, CDDPL) condition on, and optional feature
 * columns for the flip test (FT).
 *
 * <p>Immutable and thread-safe.
 *
 * @param facet the condition selecting facet d, e.g. {@code Condition.equalTo("sex", "female")}
 * @param label the condition making a label positive, e.g. {@code Condition.equalTo("approved", "yes")}
 *     or {@code Condition.above("score", 0.5)}
 * @param prediction the condition making a predicted label positive; empty for pre-training only
 * @param group the column the conditional demographic disparity is conditioned on
 * @param flipTestFeatures numeric columns the flip test measures distance on; empty: FT is NaN
 * @param flipTestNeighbours k, the number of facet-a neighbours whose majority prediction the flip
 *     test compares with (default 5)
 */
public record BiasSpec(Condition facet, Condition label, Optional<Condition> prediction, Optional<String> group,
    List<String> flipTestFeatures, int flipTestNeighbours) {

  /** The default k of the flip test. */
  public static final int DEFAULT_NEIGHBOURS = 5;

  /**
   * Validates and copies.
   *
   * @throws IllegalArgumentException if flipTestNeighbours is below 1
   */
  public BiasSpec {
    Objects.requireNonNull(facet, "facet");
    Objects.requireNonNull(label, "label");
    Objects.requireNonNull(prediction, "prediction");
    Objects.requireNonNull(group, "group");
    flipTestFeatures = List.copyOf(flipTestFeatures);
    if (flipTestNeighbours < 1) {
      throw new IllegalArgumentException("flipTestNeighbours must be >= 1, got " + flipTestNeighbours);
    }
  }

  /**
   * Pre-training metrics only: a facet and a positive label.
   *
   * @param facet the facet d condition
   * @param label the positive-label condition
   * @return the spec
   */
  public static BiasSpec of(Condition facet, Condition label) {
    return new BiasSpec(facet, label, Optional.empty(), Optional.empty(), List.of(), DEFAULT_NEIGHBOURS);
  }

  /**
   * Adds predicted labels, enabling the post-training metrics.
   *
   * @param predicted the condition making a predicted label positive
   * @return a new spec
   */
  public BiasSpec withPrediction(Condition predicted) {
    return new BiasSpec(facet, label, Optional.of(predicted), group, flipTestFeatures, flipTestNeighbours);
  }

  /**
   * Conditions CDDL and CDDPL on a group column.
   *
   * @param column the group column (categorical, or numeric with few distinct values)
   * @return a new spec
   */
  public BiasSpec withGroup(String column) {
    return new BiasSpec(facet, label, prediction, Optional.of(column), flipTestFeatures, flipTestNeighbours);
  }

  /**
   * Enables the flip test on the given numeric feature columns.
   *
   * @param features the numeric columns, standardised before distances are taken
   * @param neighbours k, at least 1
   * @return a new spec
   */
  public BiasSpec withFlipTest(List<String> features, int neighbours) {
    return new BiasSpec(facet, label, prediction, group, features, neighbours);
  }
}
