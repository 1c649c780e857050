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
 * @param head the newest entry checked, on a clean report of a non-empty log: record it outside
 *     the store and pass it to a later {@code verify} to detect truncation or a rewrite of the
 *     newest entries, which a chain alone cannot show
 */
public record VerifyReport(long entriesChecked, Optional<String> brokenKey, Optional<String> problem,
    Optional<LogAnchor> head) {
  /** Validates. */
  public VerifyReport {
    Objects.requireNonNull(brokenKey, "brokenKey");
    Objects.requireNonNull(problem, "problem");
    Objects.requireNonNull(head, "head");
    if (brokenKey.isPresent() != problem.isPresent()) {
      throw new IllegalArgumentException("brokenKey and problem go together");
    }
  }

  /**
   * A report without a head.
   *
   * @param entriesChecked how many entries were read and checked
   * @param brokenKey the first broken key
   * @param problem what is wrong with it
   */
  public VerifyReport(long entriesChecked, Optional<String> brokenKey, Optional<String> problem) {
    this(entriesChecked, brokenKey, problem, Optional.empty());
  }

  /** @param entries how many were checked @return a clean report */
  public static VerifyReport clean(long entries) {
    return new VerifyReport(entries, Optional.empty(), Optional.empty(), Optional.empty());
  }

  /**
   * @param entries how many were checked
   * @param head the newest entry checked
   * @return a clean report
   */
  public static VerifyReport clean(long entries, Optional<LogAnchor> head) {
    return new VerifyReport(entries, Optional.empty(), Optional.empty(), head);
  }

  /**
   * @param key the broken key
   * @param problem what is wrong
   * @return this report's count with that problem
   */
  public VerifyReport broken(String key, String problem) {
    return new VerifyReport(entriesChecked, Optional.of(key), Optional.of(problem), Optional.empty());
  }

  /** @return true if no entry is broken */
  public boolean ok() {
    return brokenKey.isEmpty();
  }

  @Override
  public String toString() {
    return ok()
        ? "verified " + entriesChecked + " entries" + head.map(h -> ", head " + h).orElse("")
        : "broken at " + brokenKey.orElseThrow() + ": " + problem.orElseThrow() + " (after " + entriesChecked + " good entries)";
  }
}
