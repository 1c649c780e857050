package dev.mlops.features;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * The result of a training/serving skew check of one view.
 *
 * <p>Immutable and thread-safe.
 *
 * @param view the view's name
 * @param at the time both sides were read at
 * @param entitiesSampled how many distinct entities were compared
 * @param valuesCompared entities times features
 * @param mismatches every disagreement found
 */
public record SkewReport(String view, Instant at, int entitiesSampled, int valuesCompared, List<SkewMismatch> mismatches) {
  /** Validates and copies. */
  public SkewReport {
    Objects.requireNonNull(view, "view");
    Objects.requireNonNull(at, "at");
    mismatches = List.copyOf(mismatches);
  }

  /** @return whether no mismatch was found */
  public boolean clean() {
    return mismatches.isEmpty();
  }
}
