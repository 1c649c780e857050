package dev.mlops.core;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.benmanes.caffeine.cache.CacheLoader;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.LoadingCache;
import dev.mlops.AlreadyExistsException;
import dev.mlops.AliasCondition;
import dev.mlops.ApprovalStatus;
import dev.mlops.AuditEntry;
import dev.mlops.ConflictException;
import dev.mlops.CorruptDataException;
import dev.mlops.Digest;
import dev.mlops.LogAnchor;
import dev.mlops.ArtifactRef;
import dev.mlops.RunId;
import dev.mlops.ModelRef;
import dev.mlops.ModelRegistry;
import dev.mlops.ModelVersion;
import dev.mlops.Names;
import dev.mlops.NotFoundException;
import dev.mlops.Registration;
import dev.mlops.VerifyReport;
import dev.mlops.core.internal.HashChainedLog;
import dev.mlops.core.internal.Json;
import dev.mlops.spi.ObjectStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Set;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The model registry over {@link HashChainedLog}s: one log per model at
 * {@code models/<name>/log/}, checkpoints of the folded state at {@code models/<name>/checkpoints/},
 * and an index of model names at {@code registry/models/<name>} (written before a model's first
 * entry, so every model with a log is listed).
 *
 * <p>Reads come from a Caffeine cache of folded states, refreshed in the background after the
 * refresh interval by reading only the entries after the cached one. Commands read the latest
 * stored state, check their preconditions, append, and on a lost race re-read and re-check.
 *
 * <p>Thread-safe.
 */
final class CoreModelRegistry implements ModelRegistry {
  private static final Logger LOG = LoggerFactory.getLogger(CoreModelRegistry.class);
  private static final int MAX_ATTEMPTS = 10_000;

  private final ObjectStore store;
  private final Clock clock;
  private final String actor;
  private final int checkpointInterval;
  private final boolean aliasesRequireApproval;
  private final References references;
  private final CoreGovernance governance;
  private final LoadingCache<String, ModelState> states;
  private volatile boolean closed;
  private final ConcurrentHashMap<String, Resolved> resolved = new ConcurrentHashMap<>();
  /** Told the model name after each commit of this workspace (serving's watchers poll at once). */
  final java.util.List<java.util.function.Consumer<String>> commitListeners = new java.util.concurrent.CopyOnWriteArrayList<>();
  private static final int MAX_RESOLVED = 10_000;

  CoreModelRegistry(ObjectStore store, Clock clock, String actor, Duration refreshInterval, int checkpointInterval,
      boolean aliasesRequireApproval, References references, Optional<dev.mlops.Principal> principal) {
    this.store = store;
    this.clock = clock;
    this.actor = actor;
    this.checkpointInterval = checkpointInterval;
    this.aliasesRequireApproval = aliasesRequireApproval;
    this.references = references;
    this.states = Caffeine.newBuilder()
        .maximumSize(10_000)
        .refreshAfterWrite(refreshInterval)
        .recordStats()
        .build(new CacheLoader<String, ModelState>() {
          @Override
          public ModelState load(String model) {
            return coldLoad(model);
          }

          @Override
          public ModelState reload(String model, ModelState old) {
            // a refresh scheduled before the workspace closed keeps what it has instead of failing on the
            // closed store (Caffeine would log each such failure as a warning with a stack trace)
            return closed ? old : catchUp(old);
          }
        });
    this.governance = new CoreGovernance(store, clock, actor, principal, refreshInterval, references::run,
        (m, v) -> catchUp(states.get(m)).version(v));
  }

  /** Called by the workspace before it closes the store: background refreshes stop reading it. */
  void close() {
    closed = true;
  }

  /** What a registration may refer to, looked up in the same workspace. */
  interface References {
    /** @param run a run id @return whether the run exists */
    boolean runExists(RunId run);

    /**
     * @param digest an artifact digest a registration is about to reference
     * @return the stored artifact (descriptor and blob), if any; restarts its GC grace period
     */
    Optional<ArtifactRef> artifact(Digest digest);

    /** @param run a run id @return the run, if it exists (evidence for approval policies) */
    default Optional<dev.mlops.RunInfo> run(RunId run) {
      return Optional.empty();
    }

    /**
     * @param run a run id
     * @return the dataset inputs it logged, empty if none or no such run (for the lineage index;
     *     cheaper than {@link #run}, which also folds the run's metrics)
     */
    default java.util.List<dev.mlops.DatasetInput> runInputs(RunId run) {
      return run(run).map(dev.mlops.RunInfo::inputs).orElse(java.util.List.of());
    }
  }

  @Override
  public dev.mlops.RegistryPolicies policies() {
    return governance;
  }

  /** Runs a command; a governance refusal is recorded in the audit log, then rethrown. */
  private <T> T governed(String model, String action, String who, java.util.function.Supplier<T> command) {
    try {
      return command.get();
    } catch (dev.mlops.PolicyViolationException v) {
      try {
        if (catchUp(states.get(model)).exists()) {
          commit(model, s -> {
            ObjectNode b = governance.refusalEntry(model, action, v);
            b.put("actor", who);
            return b;
          });
        } else {
          governance.recordRefusal(model, action, v);
        }
      } catch (RuntimeException e) {
        LOG.warn("refusal of {} on {} not recorded: {}", action, model, e.toString());
      }
      throw v;
    }
  }

  // ---------------------------------------------------------------- keys

  private HashChainedLog log(String model) {
    return new HashChainedLog(store, "models/" + model + "/log");
  }

  private static String checkpointPrefix(String model) {
    return "models/" + model + "/checkpoints/";
  }

  private static String indexKey(String model) {
    return "registry/models/" + model;
  }

  // ---------------------------------------------------------------- reads

  @Override
  public Optional<ModelVersion> find(String ref) {
    Objects.requireNonNull(ref, "ref");
    // Hot path: the answer for this exact reference string against the current folded state.
    Resolved r = resolved.get(ref);
    if (r != null) {
      ModelState s = states.getIfPresent(r.model);
      if (s == r.state) {
        return r.result;
      }
    }
    return resolveSlow(ref);
  }

  private Optional<ModelVersion> resolveSlow(String ref) {
    ModelRef parsed = ModelRef.parse(ref); // IllegalArgumentException naming a malformed reference
    ModelState s = states.get(parsed.model());
    Optional<ModelVersion> result;
    if (parsed.version().isPresent()) {
      result = s.version(parsed.version().getAsInt());
    } else {
      String alias = parsed.alias().orElseThrow();
      Integer v = s.aliases().get(alias);
      if (v != null) {
        result = s.version(v);
      } else if (alias.equals(ModelRef.LATEST) && !s.versions().isEmpty()) {
        result = Optional.of(s.versions().get(s.versions().size() - 1));
      } else {
        result = Optional.empty();
      }
    }
    if (resolved.size() >= MAX_RESOLVED) {
      resolved.clear(); // bounded; callers use a handful of references
    }
    resolved.put(ref, new Resolved(parsed.model(), s, result));
    return result;
  }

  /** A resolution, valid while the model's folded state is this exact object. */
  private record Resolved(String model, ModelState state, Optional<ModelVersion> result) {}

  @Override
  public ModelVersion resolve(String ref) {
    Optional<ModelVersion> found = find(ref);
    if (found.isPresent()) {
      return found.get();
    }
    ModelRef parsed = ModelRef.parse(ref);
    ModelState s = states.get(parsed.model());
    if (!s.exists()) {
      throw new NotFoundException("model reference '" + ref + "' does not resolve: no model '" + parsed.model()
          + "'" + (models().isEmpty() ? " (the registry has no models)" : "; models: " + abbreviate(models())));
    }
    String versions = "versions 1.." + s.versions().size();
    if (parsed.version().isPresent()) {
      throw new NotFoundException("model reference '" + ref + "' does not resolve: " + parsed.model() + " has "
          + versions);
    }
    List<String> aliases = new ArrayList<>(new java.util.TreeSet<>(s.aliases().keySet()));
    throw new NotFoundException("model reference '" + ref + "' does not resolve: " + parsed.model()
        + " has no alias '" + parsed.alias().orElseThrow() + "'; its aliases: "
        + (aliases.isEmpty() ? "none" : aliases.stream().map(a -> a + " -> " + s.aliases().get(a)).toList())
        + " (and latest), " + versions);
  }

  private static String abbreviate(List<String> names) {
    return names.size() <= 20 ? names.toString() : names.subList(0, 20) + " and " + (names.size() - 20) + " more";
  }

  @Override
  public List<ModelVersion> versions(String model) {
    Names.requireValid("model name", model);
    return states.get(model).versions();
  }

  @Override
  public List<String> models() {
    String prefix = "registry/models/";
    return store.listAll(prefix).map(k -> k.substring(prefix.length())).toList();
  }

  @Override
  public List<AuditEntry> history(String model) {
    Names.requireValid("model name", model);
    List<AuditEntry> out = new ArrayList<>();
    for (HashChainedLog.Entry e : log(model).readAfter(0, HashChainedLog.GENESIS)) {
      if (ModelState.CHECKPOINT.equals(e.body().path("type").asText())) {
        continue; // bookkeeping, not a change of the model
      }
      Map<String, String> details = new LinkedHashMap<>();
      Iterator<Map.Entry<String, JsonNode>> it = e.body().fields();
      while (it.hasNext()) {
        Map.Entry<String, JsonNode> f = it.next();
        switch (f.getKey()) {
          case "seq", "prev", "type", "actor", "at" -> { }
          default -> details.put(f.getKey(), f.getValue().isTextual() ? f.getValue().asText() : f.getValue().toString());
        }
      }
      out.add(new AuditEntry(e.seq(), e.body().path("type").asText(), e.body().path("actor").asText(),
          Instant.parse(e.body().path("at").asText()), details, e.hash(), e.prev()));
    }
    return out;
  }

  /**
   * Checks the model's log end to end (every entry's hash, number and link), every stored
   * checkpoint against the fold of the entries it summarises and against the digest the log
   * recorded for it, and the model's index marker. A checkpoint stored after the log was read is
   * checked against entries read for it, so writers running during a verify cause no false report.
   */
  @Override
  public VerifyReport verify(String model) {
    Names.requireValid("model name", model);
    HashChainedLog log = log(model);
    List<HashChainedLog.Entry> entries = new ArrayList<>();
    VerifyReport chain = log.verify(entries::add);
    if (!chain.ok()) {
      return chain;
    }
    Map<Long, String> checkpointKeys = new java.util.TreeMap<>();
    for (String key : store.listAll(checkpointPrefix(model)).toList()) {
      long seq = checkpointSeq(model, key);
      if (seq > 0) {
        checkpointKeys.put(seq, key);
      }
    }
    long head = entries.isEmpty() ? 0 : entries.get(entries.size() - 1).seq();
    long newestCheckpoint = checkpointKeys.isEmpty() ? 0 : ((java.util.TreeMap<Long, String>) checkpointKeys).lastKey();
    if (newestCheckpoint > head) {
      // stored after the log was listed, or the listing missed entries racing a create: the
      // checkpoint names the entries it summarises, so read them by key
      try {
        HashChainedLog.Entry last = entries.isEmpty() ? null : entries.get(entries.size() - 1);
        entries.addAll(log.readDirect(head, last == null ? HashChainedLog.GENESIS : last.hash(), newestCheckpoint));
      } catch (CorruptDataException e) {
        return chain.broken(log.keyOf(head + 1), e.getMessage());
      }
      head = entries.isEmpty() ? 0 : entries.get(entries.size() - 1).seq();
      if (newestCheckpoint > head) {
        return chain.broken(checkpointKeys.get(newestCheckpoint), "checkpoint of entry " + newestCheckpoint
            + " but the log ends at entry " + head + ": newer entries were removed");
      }
    }
    // entries that record a checkpoint's digest
    Map<Long, HashChainedLog.Entry> recorded = new HashMap<>();
    for (HashChainedLog.Entry e : entries) {
      if (ModelState.CHECKPOINT.equals(e.body().path("type").asText())) {
        recorded.putIfAbsent(e.body().path("checkpoint").asLong(), e);
      }
    }
    Set<Long> wanted = new HashSet<>(checkpointKeys.keySet());
    wanted.addAll(recorded.keySet());
    Map<Long, ModelState> folded = new HashMap<>();
    ModelState s = ModelState.empty(model);
    for (HashChainedLog.Entry e : entries) {
      try {
        s = s.apply(e);
      } catch (CorruptDataException ex) {
        return new VerifyReport(e.seq() - 1, Optional.of(e.key()), Optional.of(ex.getMessage()));
      }
      if (wanted.contains(e.seq())) {
        folded.put(e.seq(), s);
      }
    }
    for (Map.Entry<Long, HashChainedLog.Entry> r : recorded.entrySet()) {
      String key = checkpointKey(model, r.getKey());
      // a listing may miss an object being created: look it up directly before calling it deleted
      if (!checkpointKeys.containsKey(r.getKey()) && store.get(key).isEmpty()) {
        return chain.broken(key, "missing: log entry '" + r.getValue().key()
            + "' records it, but it is not in the store (deleted)");
      }
      checkpointKeys.putIfAbsent(r.getKey(), key);
    }
    for (Map.Entry<Long, String> cp : checkpointKeys.entrySet()) {
      String key = cp.getValue();
      Optional<byte[]> bytes = store.get(key);
      if (bytes.isEmpty()) {
        return chain.broken(key, "listed but gone when read (deleted while being verified)");
      }
      HashChainedLog.Entry record = recorded.get(cp.getKey());
      String digest = Digest.of(bytes.get()).hex();
      if (record != null && !record.body().path("digest").asText().equals("sha256:" + digest)) {
        return chain.broken(key, "altered: it hashes to sha256:" + digest + " but log entry '" + record.key()
            + "' records " + record.body().path("digest").asText());
      }
      ModelState stored;
      try {
        stored = Json.read(key, bytes.get(), Checkpoint.class).toState(model, cp.getKey());
      } catch (CorruptDataException ex) {
        return chain.broken(key, ex.getMessage());
      }
      if (!stored.equals(folded.get(cp.getKey()))) {
        return chain.broken(key, "checkpoint disagrees with the fold of log entries 1.." + cp.getKey());
      }
    }
    if (!entries.isEmpty() && store.get(indexKey(model)).isEmpty()) {
      return chain.broken(indexKey(model), "missing: the model has a log but models() does not list it"
          + " (the index marker was deleted)");
    }
    if (entries.isEmpty()) {
      return chain;
    }
    Optional<String[]> badSignature = governance.checkSignatures(model, log.prefix(), entries);
    if (badSignature.isPresent()) {
      return chain.broken(badSignature.get()[0], badSignature.get()[1]);
    }
    HashChainedLog.Entry last = entries.get(entries.size() - 1);
    return VerifyReport.clean(entries.size(), Optional.of(new LogAnchor(last.seq(), last.hash())));
  }

  @Override
  public VerifyReport verify(String model, LogAnchor anchor) {
    Objects.requireNonNull(anchor, "anchor");
    VerifyReport report = verify(model);
    if (!report.ok()) {
      return report;
    }
    Optional<String> problem = log(model).checkAnchor(anchor);
    return problem.map(p -> report.broken(log(model).keyOf(anchor.seq()), p)).orElse(report);
  }

  // ---------------------------------------------------------------- commands

  @Override
  public ModelVersion register(String model, Registration registration) {
    Names.requireValid("model name", model);
    Objects.requireNonNull(registration, "registration");
    checkReferences(model, registration);
    ModelState after = governed(model, "register", actor, () -> { governance.beforeRegister(model); return commit(model, s -> {
      registration.lineage().parentVersion().ifPresent(p -> {
        if (s.version(p).isEmpty()) {
          throw new NotFoundException("parent version " + model + "/" + p + " does not exist");
        }
      });
      ObjectNode b = entry(ModelState.REGISTER);
      b.put("version", s.versions().size() + 1);
      ObjectNode arts = b.putObject("artifacts");
      new java.util.TreeMap<>(registration.artifacts()).forEach((n, r) -> arts.set(n, ModelState.artifactNode(r)));
      registration.lineage().trainingRun().ifPresent(r -> b.put("run", r.value()));
      ArrayNode ds = b.putArray("datasets");
      registration.lineage().datasets().forEach(d -> ds.add(d.toString()));
      registration.lineage().parentVersion().ifPresent(p -> b.put("parent", p));
      b.put("description", registration.description());
      ObjectNode tags = b.putObject("tags");
      new java.util.TreeMap<>(registration.tags()).forEach(tags::put);
      return b;
    }); });
    dev.mlops.core.internal.LineageMarks.version(store, after.versions().get(after.versions().size() - 1),
        after::version, references::runInputs);
    return after.versions().get(after.versions().size() - 1);
  }

  /** Refuses a registration that names a run or an artifact this store does not hold. */
  private void checkReferences(String model, Registration registration) {
    registration.lineage().trainingRun().ifPresent(run -> {
      if (!references.runExists(run)) {
        throw new NotFoundException("cannot register " + model + ": training run '" + run.value()
            + "' does not exist in this store; start it with experiments().startRun(...) first");
      }
    });
    new java.util.TreeMap<>(registration.artifacts()).forEach((name, ref) -> {
      ArtifactRef stored = references.artifact(ref.digest()).orElseThrow(() -> new NotFoundException(
          "cannot register " + model + ": artifact '" + name + "' refers to " + ref.digest()
              + ", which is not in this store; store it with artifacts().put(...) and use the returned ref"));
      if (stored.size() != ref.size()) {
        throw new IllegalArgumentException("cannot register " + model + ": artifact '" + name + "' declares "
            + ref.size() + " bytes but the stored blob " + ref.digest() + " has " + stored.size());
      }
    });
  }

  @Override
  public void setAlias(String model, String alias, int version, AliasCondition condition) {
    Names.requireValid("model name", model);
    requireSettableAlias(alias);
    Objects.requireNonNull(condition, "condition");
    governed(model, "set alias " + alias + " to " + version, actor, () -> commit(model, s -> {
      ModelVersion target = s.version(version)
          .orElseThrow(() -> new NotFoundException("version " + model + "/" + version + " does not exist"));
      if (target.status() == ApprovalStatus.REJECTED) {
        throw new ConflictException("cannot point alias '" + alias + "' at " + model + "/" + version + ": it is REJECTED");
      }
      if (aliasesRequireApproval && target.status() != ApprovalStatus.APPROVED) {
        throw new ConflictException("cannot point alias '" + alias + "' at " + model + "/" + version + ": it is "
            + target.status() + " and this workspace requires aliases to point at APPROVED versions; approve it"
            + " first, or open the workspace with aliasesRequireApproval=false");
      }
      governance.beforeAlias(model, alias, Optional.of(target));
      Integer current = s.aliases().get(alias);
      check(model, alias, current, condition);
      ObjectNode b = entry(ModelState.SET_ALIAS);
      b.put("alias", alias);
      b.put("version", version);
      if (current != null) {
        b.put("previous", current);
      }
      return b;
    }));
  }

  @Override
  public void deleteAlias(String model, String alias, AliasCondition condition) {
    Names.requireValid("model name", model);
    requireSettableAlias(alias);
    Objects.requireNonNull(condition, "condition");
    governed(model, "delete alias " + alias, actor, () -> commit(model, s -> {
      Integer current = s.aliases().get(alias);
      if (current == null) {
        throw new NotFoundException("alias '" + model + "@" + alias + "' does not exist");
      }
      check(model, alias, current, condition);
      governance.beforeAlias(model, alias, Optional.empty());
      ObjectNode b = entry(ModelState.DELETE_ALIAS);
      b.put("alias", alias);
      b.put("previous", current);
      return b;
    }));
  }

  @Override
  public ModelVersion review(String model, int version, ApprovalStatus decision, String actor, String comment) {
    Names.requireValid("model name", model);
    Objects.requireNonNull(decision, "decision");
    Objects.requireNonNull(actor, "actor");
    Objects.requireNonNull(comment, "comment");
    if (decision == ApprovalStatus.PENDING_MANUAL_APPROVAL) {
      throw new IllegalArgumentException("a review decides APPROVED or REJECTED, not " + decision);
    }
    if (actor.isBlank()) {
      throw new IllegalArgumentException("actor must not be blank");
    }
    ModelState after = governed(model, decision + " " + version, actor, () -> commit(model, s -> {
      ModelVersion mv = s.version(version)
          .orElseThrow(() -> new NotFoundException("version " + model + "/" + version + " does not exist"));
      if (mv.status() != ApprovalStatus.PENDING_MANUAL_APPROVAL) {
        throw new ConflictException("version " + model + "/" + version + " was already decided: " + mv.status()
            + mv.approval().map(a -> " by " + a.actor() + " at " + a.at()).orElse(""));
      }
      if (decision == ApprovalStatus.REJECTED && !mv.aliases().isEmpty()) {
        throw new ConflictException("cannot reject " + model + "/" + version + " while aliases " + mv.aliases()
            + " point at it; move them first");
      }
      boolean vote = governance.beforeReview(model, mv, decision, actor);
      ObjectNode b = entry(vote ? ModelState.APPROVAL_VOTE : ModelState.REVIEW, actor);
      b.put("version", version);
      b.put("decision", decision.name());
      b.put("comment", comment);
      return b;
    }));
    return after.versions().get(version - 1);
  }

  @Override
  public ModelVersion update(String model, int version, Map<String, String> tags, Optional<String> description) {
    Names.requireValid("model name", model);
    Objects.requireNonNull(tags, "tags");
    Objects.requireNonNull(description, "description");
    tags.forEach((k, v) -> {
      Names.requireValid("tag key", k);
      Objects.requireNonNull(v, "tag value of " + k);
    });
    ModelState after = governed(model, "update " + version, actor, () -> commit(model, s -> {
      s.version(version).orElseThrow(() -> new NotFoundException("version " + model + "/" + version + " does not exist"));
      governance.beforeUpdate(model, tags);
      ObjectNode b = entry(ModelState.UPDATE);
      b.put("version", version);
      ObjectNode t = b.putObject("tags");
      new java.util.TreeMap<>(tags).forEach(t::put);
      description.ifPresent(d -> b.put("description", d));
      return b;
    }));
    return after.versions().get(version - 1);
  }

  private static void requireSettableAlias(String alias) {
    Names.requireValid("alias", alias);
    if (alias.equals(ModelRef.LATEST)) {
      throw new IllegalArgumentException("alias 'latest' is reserved: it always means the newest version");
    }
  }

  private static void check(String model, String alias, Integer current, AliasCondition c) {
    switch (c.kind()) {
      case ANY -> { }
      case ABSENT -> {
        if (current != null) {
          throw new ConflictException("alias '" + model + "@" + alias + "' exists (points at " + current + ")");
        }
      }
      case POINTS_AT -> {
        if (current == null || current != c.version()) {
          throw new ConflictException("alias '" + model + "@" + alias + "' points at "
              + (current == null ? "nothing" : String.valueOf(current)) + ", expected " + c.version());
        }
      }
      default -> throw new IllegalStateException(c.kind().name());
    }
  }

  private ObjectNode entry(String type) {
    return entry(type, actor);
  }

  private ObjectNode entry(String type, String who) {
    ObjectNode b = Json.MAPPER.createObjectNode();
    b.put("type", type);
    b.put("actor", who);
    b.put("at", clock.instant().toString());
    b.put("commit", UUID.randomUUID().toString());
    return b;
  }

  /**
   * Appends the entry {@code decide} builds from the latest state; on a lost race re-reads and
   * asks again (so preconditions are re-checked against the winner's change).
   */
  private ModelState commit(String model, Function<ModelState, ObjectNode> decide) {
    HashChainedLog log = log(model);
    ModelState state = catchUp(states.get(model));
    publish(state);
    for (int attempt = 1; ; attempt++) {
      ObjectNode body = governance.signed(log.prefix(), state.lastSeq() + 1, state.lastHash(), decide.apply(state));
      if (!state.exists()) {
        ensureIndexed(model);
      }
      try {
        HashChainedLog.Entry e = log.append(state.lastSeq(), state.lastHash(), body);
        ModelState next = state.apply(e);
        publish(next);
        notifyCommitted(model);
        if (next.lastSeq() % checkpointInterval == 0 && !ModelState.CHECKPOINT.equals(body.path("type").asText())) {
          writeCheckpoint(next);
        }
        return next;
      } catch (AlreadyExistsException lostRace) {
        if (attempt >= MAX_ATTEMPTS) {
          throw new ConflictException("gave up on " + model + " after " + attempt + " lost races");
        }
        state = catchUp(state);
        publish(state);
        if (attempt > 3) {
          // many writers on one model: spread them out a little
          LockSupport.parkNanos(ThreadLocalRandom.current().nextLong(1, 50_000L * Math.min(attempt, 40)));
          if (Thread.interrupted()) {
            Thread.currentThread().interrupt();
            throw new ConflictException("interrupted while retrying a commit on " + model);
          }
        }
      }
    }
  }

  private void notifyCommitted(String model) {
    for (java.util.function.Consumer<String> l : commitListeners) {
      try {
        l.accept(model);
      } catch (RuntimeException e) {
        LOG.warn("commit listener {} failed for {}: {}", l, model, e.toString());
      }
    }
  }

  private void ensureIndexed(String model) {
    try {
      store.create(indexKey(model), new byte[0]);
    } catch (AlreadyExistsException alreadyIndexed) {
      // fine
    }
  }

  private void publish(ModelState s) {
    states.asMap().merge(s.model(), s, (old, neu) -> neu.lastSeq() > old.lastSeq() ? neu : old);
  }

  @Override
  public dev.mlops.RegistryCacheStats cacheStats() {
    com.github.benmanes.caffeine.cache.stats.CacheStats c = states.stats();
    // a state's write time is its last load, refresh or local commit: Caffeine keeps it for refreshAfterWrite
    java.time.Duration oldest = java.time.Duration.ZERO;
    var refresh = states.policy().refreshAfterWrite().orElseThrow();
    for (String model : states.asMap().keySet()) {
      java.time.Duration age = refresh.ageOf(model).orElse(java.time.Duration.ZERO);
      if (age.compareTo(oldest) > 0) {
        oldest = age;
      }
    }
    return new dev.mlops.RegistryCacheStats(c.hitCount(), c.missCount(), c.loadSuccessCount() + c.loadFailureCount(),
        c.loadFailureCount(), states.estimatedSize(), oldest);
  }


  private ModelState catchUp(ModelState s) {
    ModelState out = s;
    for (HashChainedLog.Entry e : log(s.model()).readAfter(s.lastSeq(), s.lastHash())) {
      out = out.apply(e);
    }
    return out;
  }

  /**
   * Loads a model's state: from the newest checkpoint that the log vouches for (a later entry
   * records its digest, and the log's entry at the checkpoint's position has the hash it claims),
   * then the entries after it. A checkpoint whose bytes differ from what the log recorded is
   * refused as corrupt, never trusted; one that no entry records yet (being written, or left by a
   * writer that died in between) is passed over for an older one.
   */
  private ModelState coldLoad(String model) {
    HashChainedLog log = log(model);
    List<String> cps = store.listAll(checkpointPrefix(model)).filter(k -> checkpointSeq(model, k) > 0).toList();
    for (int i = cps.size() - 1; i >= 0; i--) {
      String key = cps.get(i);
      long seq = checkpointSeq(model, key);
      Optional<byte[]> bytes = store.get(key);
      if (bytes.isEmpty()) {
        continue;
      }
      Checkpoint cp;
      try {
        cp = Json.read(key, bytes.get(), Checkpoint.class);
      } catch (CorruptDataException e) {
        LOG.warn("ignoring unreadable checkpoint {}: {}", key, e.getMessage());
        continue;
      }
      if (cp.format() != Checkpoint.FORMAT) {
        continue; // format 1 had no digest recorded in the log: replay instead
      }
      Optional<byte[]> at = store.get(log.keyOf(seq));
      if (at.isEmpty()) {
        continue; // beyond the log (verify reports it); replay from an older one
      }
      String atHash = HashChainedLog.parse(log.keyOf(seq), at.get()).hash();
      List<HashChainedLog.Entry> tail = log.readAfter(seq, atHash);
      String digest = "sha256:" + Digest.of(bytes.get()).hex();
      Optional<HashChainedLog.Entry> record = tail.stream()
          .filter(e -> ModelState.CHECKPOINT.equals(e.body().path("type").asText())
              && e.body().path("checkpoint").asLong() == seq)
          .findFirst();
      if (record.isEmpty()) {
        continue; // not vouched for by the log (yet): never trusted
      }
      if (!record.get().body().path("digest").asText().equals(digest)) {
        throw new CorruptDataException("checkpoint '" + key + "' is altered: it hashes to " + digest
            + " but log entry '" + record.get().key() + "' records " + record.get().body().path("digest").asText());
      }
      if (!atHash.equals(cp.hash())) {
        throw new CorruptDataException("checkpoint '" + key + "' is altered: it records hash " + cp.hash()
            + " for log entry " + seq + ", which hashes to " + atHash);
      }
      // the tail continued the chain from cp.hash(), so entry seq really has that hash
      ModelState base = cp.toState(model, seq);
      for (HashChainedLog.Entry e : tail) {
        base = base.apply(e);
      }
      return base;
    }
    return catchUp(ModelState.empty(model));
  }

  private static String checkpointKey(String model, long seq) {
    return checkpointPrefix(model) + String.format("%020d", seq) + ".json";
  }

  /** @return the entry number a checkpoint key names, or 0 if the key is not a checkpoint name */
  private static long checkpointSeq(String model, String key) {
    String prefix = checkpointPrefix(model);
    if (key.length() != prefix.length() + 25 || !key.startsWith(prefix) || !key.endsWith(".json")) {
      return 0;
    }
    try {
      return Long.parseLong(key.substring(prefix.length(), prefix.length() + 20));
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  /**
   * Stores a checkpoint of {@code s}, then records its digest in the log so readers can trust it.
   * Best effort: the command that reached the checkpoint has already succeeded.
   */
  private void writeCheckpoint(ModelState s) {
    String key = checkpointKey(s.model(), s.lastSeq());
    byte[] bytes = Json.write(Checkpoint.of(s));
    try {
      store.create(key, bytes);
    } catch (AlreadyExistsException alreadyWritten) {
      return; // another writer checkpointed the same state and records it
    } catch (RuntimeException e) {
      LOG.debug("checkpoint {} not written: {}", key, e.toString());
      return;
    }
    try {
      commit(s.model(), state -> {
        ObjectNode b = entry(ModelState.CHECKPOINT);
        b.put("checkpoint", s.lastSeq());
        b.put("digest", "sha256:" + Digest.of(bytes).hex());
        return b;
      });
    } catch (RuntimeException e) {
      LOG.debug("checkpoint {} written but not recorded in the log: {}", key, e.toString());
    }
  }

  /** Stored checkpoint: the folded state after entry {@code seq}. */
  record Checkpoint(int format, String model, long seq, String hash, List<ModelVersion> versions, Map<String, Integer> aliases) {
    /** Format 2: the log records each checkpoint's digest in a CHECKPOINT entry. */
    static final int FORMAT = 2;

    static Checkpoint of(ModelState s) {
      return new Checkpoint(FORMAT, s.model(), s.lastSeq(), s.lastHash(), s.versions(), new java.util.TreeMap<>(s.aliases()));
    }

    ModelState toState(String expectedModel, long expectedSeq) {
      if (format != 1 && format != FORMAT) {
        throw new CorruptDataException("checkpoint format " + format + " is not supported (this version reads 1 and 2)");
      }
      if (!expectedModel.equals(model) || expectedSeq != seq) {
        throw new CorruptDataException("checkpoint of " + expectedModel + " entry " + expectedSeq + " claims to be of "
            + model + " entry " + seq);
      }
      return new ModelState(model, seq, hash, versions, aliases);
    }
  }
}
