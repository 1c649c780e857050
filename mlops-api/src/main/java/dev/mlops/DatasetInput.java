package dev.mlops;

import java.util.Objects;

/**
 * A dataset a run consumed.
 *
 * <p>Immutable and thread-safe.
 *
 * @param name dataset name (follows {@link Names})
 * @param digest SHA-256 of its content
 * @param schema a description of its columns, free text or JSON (may be empty)
 * @param rows row count, or -1 if unknown
 * @param context how it was used, e.g. {@code training} or {@code evaluation} (may be empty)
 */
public record DatasetInput(String name, Digest digest, String schema, long rows, String context) {
  /** Validates. */
  public DatasetInput {
    Names.requireValid("dataset name", name);
    Objects.requireNonNull(digest, "digest");
    Objects.requireNonNull(schema, "schema");
    Objects.requireNonNull(context, "context");
    if (rows < -1) {
      throw new IllegalArgumentException("rows must be >= -1, got " + rows);
    }
  }
}
