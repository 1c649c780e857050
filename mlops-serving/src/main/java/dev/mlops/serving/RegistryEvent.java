package dev.mlops.serving;

import dev.mlops.ApprovalStatus;
import dev.mlops.Names;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * A change to a model seen in the store: a new version, a review decision, an alias move, or a
 * deployment change of one of the model's aliases. Delivered by a {@link ModelWatcher} in log
 * order, for changes made by this process and by any other process sharing the store.
 *
 * <p>Immutable and thread-safe.
 */
public sealed interface RegistryEvent {

  /** @return the model */
  String model();

  /** @return who made the change */
  String actor();

  /** @return when it was made (the writer's clock) */
  Instant at();

  /**
   * A version was registered.
   *
   * @param model model
   * @param version the new version
   * @param seq its entry in the model's log
   * @param actor who registered it
   * @param at when
   */
  record VersionRegistered(String model, int version, long seq, String actor, Instant at) implements RegistryEvent {
    /** Validates. */
    public VersionRegistered {
      Names.requireValid("model name", model);
      Objects.requireNonNull(actor, "actor");
      Objects.requireNonNull(at, "at");
    }
  }

  /**
   * A version was approved or rejected.
   *
   * @param model model
   * @param version the version
   * @param decision {@link ApprovalStatus#APPROVED} or {@link ApprovalStatus#REJECTED}
   * @param comment the reviewer's comment
   * @param seq its entry in the model's log
   * @param actor the reviewer
   * @param at when
   */
  record ReviewDecided(String model, int version, ApprovalStatus decision, String comment, long seq, String actor,
      Instant at) implements RegistryEvent {
    /** Validates. */
    public ReviewDecided {
      Names.requireValid("model name", model);
      Objects.requireNonNull(decision, "decision");
      Objects.requireNonNull(comment, "comment");
      Objects.requireNonNull(actor, "actor");
      Objects.requireNonNull(at, "at");
    }
  }

  /**
   * An alias was set, moved or deleted.
   *
   * @param model model
   * @param alias the alias
   * @param from the version it pointed at before, if any
   * @param to the version it points at now; empty if it was deleted
   * @param seq its entry in the model's log
   * @param actor who moved it
   * @param at when
   */
  record AliasMoved(String model, String alias, Optional<Integer> from, Optional<Integer> to, long seq, String actor,
      Instant at) implements RegistryEvent {
    /** Validates. */
    public AliasMoved {
      Names.requireValid("model name", model);
      Names.requireValid("alias", alias);
      Objects.requireNonNull(from, "from");
      Objects.requireNonNull(to, "to");
      Objects.requireNonNull(actor, "actor");
      Objects.requireNonNull(at, "at");
    }
  }

  /**
   * A deployment of {@code model@alias} changed: started, stepped, completed, rolled back by an
   * alarm, aborted, or a manual rollback.
   *
   * @param model model
   * @param alias the alias the deployment moves
   * @param record the entry of the alias's deployment log
   */
  record DeploymentChanged(String model, String alias, DeploymentRecord record) implements RegistryEvent {
    /** Validates. */
    public DeploymentChanged {
      Names.requireValid("model name", model);
      Names.requireValid("alias", alias);
      Objects.requireNonNull(record, "record");
    }

    @Override
    public String actor() {
      return record.actor();
    }

    @Override
    public Instant at() {
      return record.at();
    }
  }
}
