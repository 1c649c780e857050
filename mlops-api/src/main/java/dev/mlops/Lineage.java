package dev.mlops;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Where a model version came from.
 *
 * <p>Immutable and thread-safe.
 *
 * @param trainingRun the run that produced it, if known
 * @param datasets digests of the data it was trained and evaluated on
 * @param parentVersion the version it was derived from (fine-tuned, retrained), if any
 */
public record Lineage(Optional<RunId> trainingRun, List<Digest> datasets, Optional<Integer> parentVersion) {
  /** Validates and copies. */
  public Lineage {
    Objects.requireNonNull(trainingRun, "trainingRun");
    Objects.requireNonNull(parentVersion, "parentVersion");
    datasets = List.copyOf(datasets);
    parentVersion.ifPresent(p -> {
      if (p < 1) {
        throw new IllegalArgumentException("parentVersion must be >= 1, got " + p);
      }
    });
  }

  /** @return no known lineage */
  public static Lineage none() {
    return new Lineage(Optional.empty(), List.of(), Optional.empty());
  }
}
