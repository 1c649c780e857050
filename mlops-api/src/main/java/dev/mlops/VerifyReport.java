package dev.mlops;

import java.util.Objects;
import java.util.Optional;

/**
 * The outcome of checking a hash-chained log end to end.
 *
 * <p>Immutable and thread-safe.
 *
 * @param entriesChecked how many entries were read and checked
 * @param brokenKey the storage key of the first entry that is missing, altered or unreadable
 * @param problem what is wrong with it
 */
public record VerifyReport(long entriesChecked, Optional<String> brokenKey, Optional<String> problem) {
  /** Validates. */
  public VerifyReport {
    Objects.requireNonNull(brokenKey, "brokenKey");
    Objects.requireNonNull(problem, "problem");
    if (brokenKey.isPresent() != problem.isPresent()) {
      throw new IllegalArgumentException("brokenKey and problem go together");
    }
  }

  /** @param entries how many were checked @return a clean report */
  public static VerifyReport clean(long entries) {
    return new VerifyReport(entries, Optional.empty(), Optional.empty());
  }

  /** @return true if no entry is broken */
  public boolean ok() {
    return brokenKey.isEmpty();
  }

  @Override
  public String toString() {
    return ok()
        ? "verified " + entriesChecked + " entries"
        : "broken at " + brokenKey.orElseThrow() + ": " + problem.orElseThrow() + " (after " + entriesChecked + " good entries)";
  }
}
