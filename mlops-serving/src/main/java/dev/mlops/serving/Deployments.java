package dev.mlops.serving;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mlops.AlreadyExistsException;
import dev.mlops.AliasCondition;
import dev.mlops.ApprovalStatus;
import dev.mlops.ConflictException;
import dev.mlops.ModelRegistry;
import dev.mlops.Names;
import dev.mlops.NotFoundException;
import dev.mlops.Workspace;
import dev.mlops.core.CoreWorkspace;
import dev.mlops.core.internal.HashChainedLog;
import dev.mlops.spi.ObjectStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deployments of one alias ({@code model@alias}), started and steered from any process: a CD job,
 * an operator's tool, or a serving process whose guardrail fired. Each change is one entry of the
 * alias's hash-chained deployment log {@code serving/<model>/aliases/<alias>/log}, appended with
 * the store's create-if-absent on the next number, so of two changes decided on the same state
 * exactly one is written; every {@link Endpoint} serving the alias tails the log and converges on
 * the same routing within its refresh interval. The log is the deployment history of each version.
 *
 * <p>The alias is the outcome: a deployment that completes moves it to the new version (through
 * the registry, so the registry's own checks apply); a rollback moves it back. While a deployment
 * runs, endpoints route by its plan; when none runs they serve what the alias points at.
 *
 * <p>Thread-safe.
 */
public final class Deployments {
  private static final Logger LOG = LoggerFactory.getLogger(Deployments.class);
  private static final int MAX_ATTEMPTS = 100;

  private final ModelRegistry registry;
  private final ModelWatcher watcher;
  private final String model;
  private final String alias;
  private final Clock clock;
  private final String actor;
  private final ObjectStore store;
  private final HashChainedLog log;

  Deployments(Workspace ws, ModelWatcher watcher, String alias, Clock clock) {
    this.registry = ws.registry();
    this.watcher = watcher;
    this.model = watcher.model();
    this.alias = Names.requireValid("alias", alias);
    this.clock = Objects.requireNonNull(clock, "clock");
    this.actor = ws instanceof CoreWorkspace c ? c.options().actorOrDefault() : "unknown";
    this.store = watcher.store();
    this.log = new HashChainedLog(store, DeploymentFold.logPrefix(model, alias));
    watcher.watch(alias);
  }

  /**
   * @param workspace an open workspace (built by mlops-core); its clock and actor are recorded
   * @param model the model
   * @param alias the alias deployments move, e.g. {@code production}
   * @return the deployments of {@code model@alias}
   * @throws IllegalArgumentException if a name is invalid or the workspace is not built by mlops-core
   */
  public static Deployments open(Workspace workspace, String model, String alias) {
    Clock clock = workspace instanceof CoreWorkspace c ? c.options().clock() : Clock.systemUTC();
    return new Deployments(workspace, ModelWatcher.builder(workspace, model).build(), alias, clock);
  }

  /** @return {@code model@alias} */
  public String endpoint() {
    return model + "@" + alias;
  }

  /**
   * Starts a deployment. Checked against the latest stored state: no other deployment of the alias
   * is running; every version exists, is not Rejected, and is Approved unless the plan records an
   * override; canary, linear, blue/green and shadow need the alias to point at a version already.
   * An all-at-once deployment completes before this returns.
   *
   * @param plan what to do
   * @return the started deployment
   * @throws NotFoundException naming a version that does not exist
   * @throws ConflictException if a deployment is already running, another change was written
   *     first (a concurrent start), a version is Rejected or not Approved without an override, or
   *     the alias points at nothing to compare with
   * @throws IllegalArgumentException if the candidate is what the alias already points at, or a
   *     share is positive but below the routing resolution of 0.01 %
   */
  public ActiveDeployment start(DeploymentPlan plan) {
    Objects.requireNonNull(plan, "plan").requireRoutable();
    watcher.poll();
    ModelWatcher.View v = watcher.view(alias);
    v.active().ifPresent(a -> {
      throw new ConflictException("cannot start a " + plan.strategy() + " deployment of " + endpoint()
          + ": deployment " + a.id() + " (" + a.plan().strategy() + " of " + a.plan().variants()
          + ") is running; promote, abort or wait for it first");
    });
    for (DeploymentPlan.Variant var : plan.variants()) {
      ApprovalStatus s = v.status(var.version()).orElseThrow(() -> new NotFoundException("cannot deploy "
          + model + "/" + var.version() + ": it does not exist (" + model + " has " + v.statuses().size()
          + " versions)"));
      if (s == ApprovalStatus.REJECTED) {
        throw new ConflictException("cannot deploy " + model + "/" + var.version() + ": it is REJECTED");
      }
      if (s != ApprovalStatus.APPROVED && plan.unapprovedOverride().isEmpty()) {
        throw new ConflictException("cannot deploy " + model + "/" + var.version() + ": it is " + s
            + "; approve it first, or record a reason with plan.allowUnapproved(reason)");
      }
    }
    boolean needsBaseline = plan.strategy() != Strategy.AB && plan.strategy() != Strategy.ALL_AT_ONCE;
    if (needsBaseline && v.target().isEmpty()) {
      throw new ConflictException("cannot start a " + plan.strategy() + " deployment of " + endpoint()
          + ": the alias points at no version to compare with; start with an all-at-once deployment");
    }
    if (plan.strategy() != Strategy.AB && v.target().equals(Optional.of(plan.candidate()))) {
      throw new IllegalArgumentException(endpoint() + " already points at version " + plan.candidate());
    }
    try {
      store.create(DeploymentFold.indexPrefix(model) + alias, new byte[0]);
    } catch (AlreadyExistsException indexed) {
      // an earlier deployment indexed the alias
    }
    String id = UUID.randomUUID().toString();
    ObjectNode b = DeploymentFold.body(DeploymentFold.START, id, actor, clock.instant());
    b.put("alias", alias);
    DeploymentFold.writePlan(b, plan);
    v.target().ifPresent(t -> b.put("baseline", t));
    try {
      log.append(v.deploymentSeq(), v.deploymentHash(), b);
    } catch (AlreadyExistsException lost) {
      throw new ConflictException("cannot start a " + plan.strategy() + " deployment of " + endpoint()
          + ": another change to its deployment log (entry " + (v.deploymentSeq() + 1)
          + ") was written first, most likely a concurrent start; re-read and decide again");
    }
    watcher.poll();
    ActiveDeployment started = watcher.view(alias).active().filter(a -> a.id().equals(id))
        .orElseThrow(() -> new ConflictException("deployment " + id + " of " + endpoint() + " ended right after it started"));
    if (plan.strategy() == Strategy.ALL_AT_ONCE) {
      complete(id, plan.candidate(), true);
    }
    return started;
  }

  /**
   * Completes the running deployment now: the alias moves to its candidate. For A/B use
   * {@link #promote(int)}.
   *
   * @throws ConflictException if none is running, it is A/B, or the registry refuses the alias move
   */
  public void promote() {
    ActiveDeployment a = requireActive("promote");
    if (a.plan().strategy() == Strategy.AB) {
      throw new ConflictException("deployment " + a.id() + " of " + endpoint() + " is A/B: promote(version) one of "
          + a.plan().variants());
    }
    complete(a.id(), a.plan().candidate(), true);
  }

  /**
   * Completes the running deployment with {@code version}, which must be one of its versions.
   *
   * @param version the winner
   * @throws ConflictException if none is running or the registry refuses the alias move
   * @throws IllegalArgumentException if the version is not part of the deployment
   */
  public void promote(int version) {
    ActiveDeployment a = requireActive("promote");
    if (a.plan().variants().stream().noneMatch(v -> v.version() == version)) {
      throw new IllegalArgumentException("version " + version + " is not part of deployment " + a.id() + ": "
          + a.plan().variants());
    }
    complete(a.id(), version, true);
  }

  /**
   * Ends the running deployment; traffic returns to what the alias points at.
   *
   * @param reason recorded
   * @return whether a deployment was running
   */
  public boolean abort(String reason) {
    Objects.requireNonNull(reason, "reason");
    return end(DeploymentFold.ABORT, b -> b.put("reason", reason));
  }

  /**
   * Records an alarm and rolls the running deployment back: every process serving the alias
   * returns to the version the alias pointed at when it started. Guardrails call this.
   *
   * @param version the version the alarm is about
   * @param alarm what fired, e.g. {@code error-rate}
   * @param detail the measured value and threshold
   * @return whether this call ended the deployment (false if none was running or another process
   *     ended it first)
   */
  public boolean raiseAlarm(int version, String alarm, String detail) {
    Objects.requireNonNull(alarm, "alarm");
    Objects.requireNonNull(detail, "detail");
    return end(DeploymentFold.ALARM, b -> {
      b.put("version", version);
      b.put("alarm", alarm);
      b.put("detail", detail);
    });
  }

  /**
   * Rolls the alias back to an earlier Approved version, ending any running deployment.
   *
   * @param version the version to serve
   * @param reason recorded
   * @throws NotFoundException if it does not exist
   * @throws ConflictException if it is not Approved, or the registry refuses the move
   */
  public void rollback(int version, String reason) {
    Objects.requireNonNull(reason, "reason");
    watcher.poll();
    ModelWatcher.View v = watcher.view(alias);
    ApprovalStatus s = v.status(version).orElseThrow(() -> new NotFoundException("cannot roll " + endpoint()
        + " back to version " + version + ": it does not exist"));
    if (s != ApprovalStatus.APPROVED) {
      throw new ConflictException("cannot roll " + endpoint() + " back to version " + version + ": it is " + s
          + ", only Approved versions can be rolled back to");
    }
    appendRetrying(view -> {
      ObjectNode b = DeploymentFold.body(DeploymentFold.ROLLBACK, view.active().map(ActiveDeployment::id).orElse(""),
          actor, clock.instant());
      b.put("version", version);
      view.target().ifPresent(t -> b.put("from", t));
      b.put("reason", reason);
      return Optional.of(b);
    });
    moveAlias(version);
  }

  /** @return the running deployment, as of the latest stored state */
  public Optional<ActiveDeployment> active() {
    watcher.poll();
    return watcher.view(alias).active();
  }

  /** @return every entry of the alias's deployment log, oldest first */
  public List<DeploymentRecord> history() {
    watcher.poll();
    return watcher.records(alias);
  }

  /**
   * @param version a version
   * @return the entries that name it: deployments of it, alarms about it, completions and rollbacks to it
   */
  public List<DeploymentRecord> historyOf(int version) {
    String v = Integer.toString(version);
    return history().stream().filter(r -> v.equals(r.details().get("version")) || v.equals(r.details().get("baseline"))
        || r.details().getOrDefault("versions", "").matches("(.*,)?" + v + ":.*")).toList();
  }

  // ------------------------------------------------------------ used by Endpoint

  /**
   * Moves the running deployment on if its stage has baked: the next linear step, or completion
   * of a canary, linear or blue/green deployment. Safe to call from every process at once: the
   * log takes one change per state.
   *
   * @param now the current time
   * @return whether this call wrote a change
   */
  boolean advance(Instant now) {
    ModelWatcher.View v = watcher.view(alias);
    Optional<ActiveDeployment> oa = v.active();
    if (oa.isEmpty()) {
      return false;
    }
    ActiveDeployment a = oa.get();
    Strategy s = a.plan().strategy();
    if (s == Strategy.AB || s == Strategy.SHADOW) {
      return false;
    }
    Duration bake = a.plan().bake();
    if (now.isBefore(a.stageStartedAt().plus(bake))) {
      return false;
    }
    if (s == Strategy.LINEAR && a.candidateBasisPoints() < 10_000 && a.step() + 1 < a.plan().steps()) {
      int next = a.step() + 1;
      return appendRetrying(view -> view.active().filter(x -> x.id().equals(a.id()) && x.step() == a.step()).map(x -> {
        ObjectNode b = DeploymentFold.body(DeploymentFold.STEP, a.id(), actor, clock.instant());
        b.put("step", next);
        b.put("version", a.plan().candidate());
        b.put("percent", Math.min(100.0, (next + 1) * a.plan().percent()));
        return b;
      }));
    }
    try {
      return complete(a.id(), a.plan().candidate(), false);
    } catch (RuntimeException e) {
      LOG.warn("completing deployment {} of {} failed: {}", a.id(), endpoint(), e.toString());
      return false;
    }
  }

  ModelWatcher watcher() {
    return watcher;
  }

  String alias() {
    return alias;
  }

  // ------------------------------------------------------------ internals

  private ActiveDeployment requireActive(String what) {
    return active().orElseThrow(() -> new ConflictException("cannot " + what + ": no deployment of " + endpoint()
        + " is running"));
  }

  /**
   * Moves the alias, then records the completion. If the completion loses to another change that
   * ended the deployment (an alarm), the alias is moved back.
   */
  private boolean complete(String id, int version, boolean rethrow) {
    ModelWatcher.View v = watcher.view(alias);
    Optional<ActiveDeployment> a = v.active().filter(x -> x.id().equals(id));
    if (a.isEmpty()) {
      return false;
    }
    try {
      moveAlias(version);
    } catch (ConflictException | NotFoundException refused) {
      end(DeploymentFold.ABORT, b -> b.put("reason", "the registry refused to move " + endpoint() + " to "
          + version + ": " + refused.getMessage()));
      if (rethrow) {
        throw refused;
      }
      return true;
    }
    boolean done = appendRetrying(view -> view.active().filter(x -> x.id().equals(id)).map(x -> {
      ObjectNode b = DeploymentFold.body(DeploymentFold.COMPLETE, id, actor, clock.instant());
      b.put("version", version);
      a.get().baseline().ifPresent(base -> b.put("baseline", base));
      return b;
    }));
    if (!done) {
      // ended by someone else (an alarm) while the alias moved: put it back
      restoreAlias(a.get(), version);
    }
    return done;
  }

  private boolean end(String type, java.util.function.Consumer<ObjectNode> fields) {
    Optional<ActiveDeployment>[] ended = new Optional[] {Optional.empty()};
    boolean wrote = appendRetrying(view -> view.active().map(a -> {
      ended[0] = Optional.of(a);
      ObjectNode b = DeploymentFold.body(type, a.id(), actor, clock.instant());
      fields.accept(b);
      return b;
    }));
    if (wrote) {
      ActiveDeployment a = ended[0].orElseThrow();
      for (DeploymentPlan.Variant var : a.plan().variants()) {
        restoreAlias(a, var.version());
      }
    }
    return wrote;
  }

  /** If the alias points at {@code moved} (a completion raced with this end), moves it back to the baseline. */
  private void restoreAlias(ActiveDeployment a, int moved) {
    if (a.baseline().isEmpty() || a.baseline().get() == moved) {
      return;
    }
    watcher.poll();
    if (watcher.view(alias).target().equals(Optional.of(moved))) {
      try {
        registry.setAlias(model, alias, a.baseline().get(), AliasCondition.pointsAt(moved));
      } catch (ConflictException | NotFoundException e) {
        LOG.debug("alias {} already moved on: {}", endpoint(), e.getMessage());
      }
    }
  }

  private void moveAlias(int version) {
    watcher.poll();
    Optional<Integer> current = watcher.view(alias).target();
    if (current.equals(Optional.of(version))) {
      return;
    }
    registry.setAlias(model, alias, version, current.map(AliasCondition::pointsAt).orElse(AliasCondition.absent()));
    watcher.poll();
  }

  /** Appends what {@code decide} makes of the latest state; re-reads and re-decides on a lost race. */
  private boolean appendRetrying(Function<ModelWatcher.View, Optional<ObjectNode>> decide) {
    for (int attempt = 1; ; attempt++) {
      watcher.poll();
      ModelWatcher.View v = watcher.view(alias);
      Optional<ObjectNode> b = decide.apply(v);
      if (b.isEmpty()) {
        return false;
      }
      try {
        log.append(v.deploymentSeq(), v.deploymentHash(), b.get());
        watcher.poll();
        return true;
      } catch (AlreadyExistsException lost) {
        if (attempt >= MAX_ATTEMPTS) {
          throw new ConflictException("gave up writing to the deployment log of " + endpoint() + " after "
              + attempt + " lost races");
        }
      }
    }
  }
}
