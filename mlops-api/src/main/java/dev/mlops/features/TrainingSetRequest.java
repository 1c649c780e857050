package dev.mlops.features;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What a training set contains and how it may use local disk.
 *
 * <p>Immutable and thread-safe.
 *
 * @param features the features to join, at least one, no repeats; every view must be of one entity
 * @param spillDirectory where sorted runs are spilled (default: the JVM's temporary directory)
 * @param rowsPerRun how many rows are sorted in memory before a run is spilled to disk; bounds heap
 *     use (about 200-400 bytes per row, by feature count), 1000..10,000,000
 */
public record TrainingSetRequest(List<FeatureRef> features, Optional<Path> spillDirectory, int rowsPerRun) {
  /** Default {@link #rowsPerRun}. */
  public static final int DEFAULT_ROWS_PER_RUN = 250_000;

  /**
   * Validates and copies.
   *
   * @throws IllegalArgumentException if no feature is given, one repeats, or rowsPerRun is out of range
   */
  public TrainingSetRequest {
    features = List.copyOf(features);
    if (features.isEmpty()) {
      throw new IllegalArgumentException("a training set needs at least one feature");
    }
    if (new HashSet<>(features).size() != features.size()) {
      throw new IllegalArgumentException("features repeat: " + features);
    }
    Objects.requireNonNull(spillDirectory, "spillDirectory");
    if (rowsPerRun < 1000 || rowsPerRun > 10_000_000) {
      throw new IllegalArgumentException("rowsPerRun must be in 1000..10000000, got " + rowsPerRun);
    }
  }

  /**
   * @param refs features as {@code view:feature}
   * @return a request with default spilling
   * @throws IllegalArgumentException naming a malformed reference
   */
  public static TrainingSetRequest of(String... refs) {
    return new TrainingSetRequest(java.util.Arrays.stream(refs).map(FeatureRef::parse).toList(), Optional.empty(),
        DEFAULT_ROWS_PER_RUN);
  }
}
