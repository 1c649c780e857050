package dev.mlops.governance;

import dev.mlops.LogAnchor;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What {@link AuditVerifier} found in an export.
 *
 * <p>Immutable and thread-safe.
 *
 * @param entries how many entries were read
 * @param heads per log, its newest entry: compare with anchors kept outside the store
 * @param problems every problem found, each naming the log and entry; empty if the export checks out
 */
public record AuditReport(long entries, Map<String, LogAnchor> heads, List<String> problems) {
  /** Validates and copies. */
  public AuditReport {
    heads = Map.copyOf(Objects.requireNonNull(heads, "heads"));
    problems = List.copyOf(problems);
  }

  /** @return whether no problem was found */
  public boolean ok() {
    return problems.isEmpty();
  }
}
