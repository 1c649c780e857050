package dev.mlops;

import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * A parsed model reference: {@code name/3} (a version), {@code name@alias}, or
 * {@code name@latest} (the newest version; {@code latest} is reserved and cannot be set).
 *
 * <p>Immutable and thread-safe.
 *
 * @param model model name
 * @param version the version number, if the reference names one
 * @param alias the alias, if the reference names one
 */
public record ModelRef(String model, OptionalInt version, Optional<String> alias) {
  /** The reserved alias that always means the newest version. */
  public static final String LATEST = "latest";

  /** Validates: exactly one of version and alias. */
  public ModelRef {
    Names.requireValid("model name", model);
    Objects.requireNonNull(version, "version");
    Objects.requireNonNull(alias, "alias");
    if (version.isPresent() == alias.isPresent()) {
      throw new IllegalArgumentException("a model reference names a version or an alias, not both or neither");
    }
    version.ifPresent(v -> {
      if (v < 1) {
        throw new IllegalArgumentException("version must be >= 1, got " + v);
      }
    });
    alias.ifPresent(a -> Names.requireValid("alias", a));
  }

  /**
   * Parses {@code name/3}, {@code name@alias} or {@code name@latest}.
   *
   * @param text the reference
   * @return the parsed reference
   * @throws IllegalArgumentException naming the text if it is neither form
   */
  public static ModelRef parse(String text) {
    Objects.requireNonNull(text, "text");
    int at = text.indexOf('@');
    if (at >= 0) {
      return named(text, () -> new ModelRef(text.substring(0, at), OptionalInt.empty(), Optional.of(text.substring(at + 1))));
    }
    int slash = text.indexOf('/');
    if (slash >= 0) {
      String v = text.substring(slash + 1);
      int n;
      try {
        n = Integer.parseInt(v);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(
            "model reference " + Names.quote(text) + " is invalid: expected name/<version number> or name@alias");
      }
      if (n < 1) {
        throw new IllegalArgumentException("model reference " + Names.quote(text) + " is invalid: versions start at 1");
      }
      return named(text, () -> new ModelRef(text.substring(0, slash), OptionalInt.of(n), Optional.empty()));
    }
    throw new IllegalArgumentException(
        "model reference " + Names.quote(text) + " is invalid: expected name/<version number> or name@alias");
  }

  /** Builds a parsed reference; a bad part's message is prefixed with the whole reference. */
  private static ModelRef named(String text, java.util.function.Supplier<ModelRef> build) {
    try {
      return build.get();
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("model reference " + Names.quote(text) + " is invalid: " + e.getMessage(), e);
    }
  }

  @Override
  public String toString() {
    return version.isPresent() ? model + "/" + version.getAsInt() : model + "@" + alias.orElseThrow();
  }
}
