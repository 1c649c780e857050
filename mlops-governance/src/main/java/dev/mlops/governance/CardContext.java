package dev.mlops.governance;

import dev.mlops.AuditEntry;
import dev.mlops.ModelVersion;
import dev.mlops.RunInfo;
import dev.mlops.Workspace;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What a {@link ModelCardSection} builds from: the workspace, the version, the model's whole audit
 * log and the version's training run (if it names one that exists).
 *
 * <p>Immutable and thread-safe (the workspace is thread-safe).
 *
 * @param workspace the workspace
 * @param version the version the card is for
 * @param history the model's log, oldest first
 * @param trainingRun the training run, if any
 */
public record CardContext(Workspace workspace, ModelVersion version, List<AuditEntry> history,
    Optional<RunInfo> trainingRun) {
  /** Validates and copies. */
  public CardContext {
    Objects.requireNonNull(workspace, "workspace");
    Objects.requireNonNull(version, "version");
    history = List.copyOf(history);
    Objects.requireNonNull(trainingRun, "trainingRun");
  }

  /** @return the log entries about this version (by their {@code version} detail), oldest first */
  public List<AuditEntry> versionHistory() {
    String v = Integer.toString(version.version());
    return history.stream().filter(e -> v.equals(e.details().get("version"))).toList();
  }
}
