package dev.mlops.serving;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/**
 * One entry of an alias's deployment log: the deployment history of the versions it names.
 *
 * <p>Immutable and thread-safe.
 *
 * @param seq its number in the log, 1, 2, 3...
 * @param type {@code START}, {@code STEP}, {@code COMPLETE}, {@code ALARM} (rolled back by a
 *     guardrail), {@code ABORT} or {@code ROLLBACK} (manual, to an earlier version)
 * @param deployment the deployment's id (empty for a manual rollback outside a deployment)
 * @param actor who wrote it
 * @param at when (the writer's clock)
 * @param details the entry's fields as text, e.g. {@code strategy}, {@code versions}, {@code version},
 *     {@code alarm}, {@code reason}
 */
public record DeploymentRecord(long seq, String type, String deployment, String actor, Instant at,
    Map<String, String> details) {
  /** Validates and copies. */
  public DeploymentRecord {
    if (seq < 1) {
      throw new IllegalArgumentException("seq must be >= 1, got " + seq);
    }
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(deployment, "deployment");
    Objects.requireNonNull(actor, "actor");
    Objects.requireNonNull(at, "at");
    details = Map.copyOf(details);
  }
}
