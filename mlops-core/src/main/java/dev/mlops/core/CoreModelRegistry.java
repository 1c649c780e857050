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
  private final LoadingCache<String, ModelState> states;
  private final ConcurrentHashMap<String, Resolved> resolved = new ConcurrentHashMap<>();
  private static final int MAX_RESOLVED = 10_000;

  CoreModelRegistry(ObjectStore store, Clock clock, String actor, Duration refreshInterval, int checkpointInterval) {
    this.store = store;
    this.clock = clock;
    this.actor = actor;
    this.checkpointInterval = checkpointInterval;
    this.states = Caffeine.newBuilder()
        .maximumSize(10_000)
        .refreshAfterWrite(refreshInterval)
        .build(new CacheLoader<String, ModelState>() {
          @Override
          public ModelState load(String model) {
            return coldLoad(model);
          }

          @Override
          public ModelState reload(String model, ModelState old) {
            return catchUp(old);
          }
        });
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

  @Override
  public VerifyReport verify(String model) {
    Names.requireValid("model name", model);
    HashChainedLog log = log(model);
    VerifyReport chain = log.verify();
    if (!chain.ok()) {
      return chain;
    }
    // The chain is intact; checkpoints must agree with the fold of the entries they summarise.
    List<HashChainedLog.Entry> entries = log.readAfter(0, HashChainedLog.GENESIS);
    ModelState s = ModelState.empty(model);
    Map<Long, ModelState> folded = new LinkedHashMap<>();
    for (HashChainedLog.Entry e : entries) {
      try {
        s = s.apply(e);
      } catch (CorruptDataException ex) {
        return new VerifyReport(e.seq() - 1, Optional.of(e.key()), Optional.of(ex.getMessage()));
      }
      if (e.seq() % checkpointInterval == 0) {
        folded.put(e.seq(), s);
      }
    }
    for (String key : store.listAll(checkpointPrefix(model)).toList()) {
      Optional<byte[]> bytes = store.get(key);
      Checkpoint cp;
      try {
        cp = Json.read(key, bytes.orElseThrow(() -> new CorruptDataException("checkpoint vanished")), Checkpoint.class);
      } catch (CorruptDataException ex) {
        return new VerifyReport(entries.size(), Optional.of(key), Optional.of(ex.getMessage()));
      }
      ModelState at = cp.seq() == s.lastSeq() ? s : folded.get(cp.seq());
      if (at == null) {
        at = foldTo(model, entries, cp.seq());
      }
      if (at == null || !cp.toState().equals(at)) {
        return new VerifyReport(entries.size(), Optional.of(key),
            Optional.of("checkpoint disagrees with the fold of log entries 1.." + cp.seq()));
      }
    }
    return chain;
  }

  private static ModelState foldTo(String model, List<HashChainedLog.Entry> entries, long seq) {
    if (seq < 1 || seq > entries.size()) {
      return null;
    }
    ModelState s = ModelState.empty(model);
    for (int i = 0; i < seq; i++) {
      s = s.apply(entries.get(i));
    }
    return s;
  }

  // ---------------------------------------------------------------- commands

  @Override
  public ModelVersion register(String model, Registration registration) {
    Names.requireValid("model name", model);
    Objects.requireNonNull(registration, "registration");
    ModelState after = commit(model, s -> {
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
    });
    return after.versions().get(after.versions().size() - 1);
  }

  @Override
  public void setAlias(String model, String alias, int version, AliasCondition condition) {
    Names.requireValid("model name", model);
    requireSettableAlias(alias);
    Objects.requireNonNull(condition, "condition");
    commit(model, s -> {
      ModelVersion target = s.version(version)
          .orElseThrow(() -> new NotFoundException("version " + model + "/" + version + " does not exist"));
      if (target.status() == ApprovalStatus.REJECTED) {
        throw new ConflictException("cannot point alias '" + alias + "' at " + model + "/" + version + ": it is REJECTED");
      }
      Integer current = s.aliases().get(alias);
      check(model, alias, current, condition);
      ObjectNode b = entry(ModelState.SET_ALIAS);
      b.put("alias", alias);
      b.put("version", version);
      if (current != null) {
        b.put("previous", current);
      }
      return b;
    });
  }

  @Override
  public void deleteAlias(String model, String alias, AliasCondition condition) {
    Names.requireValid("model name", model);
    requireSettableAlias(alias);
    Objects.requireNonNull(condition, "condition");
    commit(model, s -> {
      Integer current = s.aliases().get(alias);
      if (current == null) {
        throw new NotFoundException("alias '" + model + "@" + alias + "' does not exist");
      }
      check(model, alias, current, condition);
      ObjectNode b = entry(ModelState.DELETE_ALIAS);
      b.put("alias", alias);
      b.put("previous", current);
      return b;
    });
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
    ModelState after = commit(model, s -> {
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
      ObjectNode b = entry(ModelState.REVIEW, actor);
      b.put("version", version);
      b.put("decision", decision.name());
      b.put("comment", comment);
      return b;
    });
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
    ModelState after = commit(model, s -> {
      s.version(version).orElseThrow(() -> new NotFoundException("version " + model + "/" + version + " does not exist"));
      ObjectNode b = entry(ModelState.UPDATE);
      b.put("version", version);
      ObjectNode t = b.putObject("tags");
      new java.util.TreeMap<>(tags).forEach(t::put);
      description.ifPresent(d -> b.put("description", d));
      return b;
    });
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
      ObjectNode body = decide.apply(state);
      if (!state.exists()) {
        ensureIndexed(model);
      }
      try {
        HashChainedLog.Entry e = log.append(state.lastSeq(), state.lastHash(), body);
        ModelState next = state.apply(e);
        publish(next);
        if (next.lastSeq() % checkpointInterval == 0) {
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

  private ModelState catchUp(ModelState s) {
    ModelState out = s;
    for (HashChainedLog.Entry e : log(s.model()).readAfter(s.lastSeq(), s.lastHash())) {
      out = out.apply(e);
    }
    return out;
  }

  private ModelState coldLoad(String model) {
    ModelState base = ModelState.empty(model);
    List<String> cps = store.listAll(checkpointPrefix(model)).toList();
    for (int i = cps.size() - 1; i >= 0; i--) {
      String key = cps.get(i);
      try {
        Checkpoint cp = Json.read(key, store.get(key).orElseThrow(() -> new CorruptDataException("vanished")),
            Checkpoint.class);
        base = cp.toState();
        if (!base.model().equals(model)) {
          throw new CorruptDataException("checkpoint '" + key + "' is for model " + base.model());
        }
        break;
      } catch (RuntimeException e) {
        LOG.warn("ignoring unreadable checkpoint {}: {}", key, e.getMessage());
        base = ModelState.empty(model);
      }
    }
    return catchUp(base);
  }

  private void writeCheckpoint(ModelState s) {
    String key = checkpointPrefix(s.model()) + String.format("%020d", s.lastSeq()) + ".json";
    try {
      store.create(key, Json.write(Checkpoint.of(s)));
    } catch (AlreadyExistsException alreadyWritten) {
      // another writer checkpointed the same state
    } catch (RuntimeException e) {
      LOG.debug("checkpoint {} not written: {}", key, e.toString());
    }
  }

  /** Stored checkpoint: the folded state after entry {@code seq}. */
  record Checkpoint(int format, String model, long seq, String hash, List<ModelVersion> versions, Map<String, Integer> aliases) {
    static Checkpoint of(ModelState s) {
      return new Checkpoint(1, s.model(), s.lastSeq(), s.lastHash(), s.versions(), s.aliases());
    }

    ModelState toState() {
      if (format != 1) {
        throw new CorruptDataException("checkpoint format " + format + " is not supported (this version reads 1)");
      }
      return new ModelState(model, seq, hash, versions, aliases);
    }
  }
}
