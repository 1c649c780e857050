package dev.mlops.pipeline;

import dev.mlops.Digest;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Objects;

/**
 * One recorded step output: its kind and its value as stored in the execution log.
 *
 * @param kind what the output is
 * @param value the stored value: a digest's hex for artifacts and datasets, a number for metrics
 *
 * <p>Immutable and thread-safe.
 */
public record OutputValue(OutputKind kind, String value) {
  /**
   * @throws NullPointerException if either is null
   * @throws IllegalArgumentException if an artifact or dataset value is not a digest, or a metric
   *     value is not a finite number
   */
  public OutputValue {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(value, "value");
    switch (kind) {
      case ARTIFACT, DATASET -> new Digest(value);
      case METRIC -> {
        double d;
        try {
          d = Double.parseDouble(value);
        } catch (NumberFormatException e) {
          throw new IllegalArgumentException("metric output value '" + value + "' is not a number");
        }
        if (!Double.isFinite(d)) {
          throw new IllegalArgumentException("metric output value " + value + " is not finite");
        }
      }
      default -> { }
    }
  }

  /** @return the artifact or dataset digest; @throws IllegalStateException for other kinds */
  public Digest digest() {
    if (kind != OutputKind.ARTIFACT && kind != OutputKind.DATASET) {
      throw new IllegalStateException("a " + kind + " output has no artifact digest");
    }
    return new Digest(value);
  }

  /** @return the metric value; @throws IllegalStateException for other kinds */
  public double number() {
    if (kind != OutputKind.METRIC) {
      throw new IllegalStateException("a " + kind + " output is not a metric");
    }
    return Double.parseDouble(value);
  }

  /** @return the values of a {@link OutputKind#LIST} output, in item order */
  public List<String> list() {
    if (kind != OutputKind.LIST) {
      throw new IllegalStateException("a " + kind + " output is not a list");
    }
    return value.isEmpty() ? List.of() : List.of(value.split("\n", -1));
  }

  /** @return the digest that identifies this value in cache keys */
  public Digest contentDigest() {
    if (kind == OutputKind.ARTIFACT || kind == OutputKind.DATASET) {
      return new Digest(value);
    }
    return Digest.of((kind + ":" + value).getBytes(StandardCharsets.UTF_8));
  }
}
