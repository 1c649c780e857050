package dev.mlops.featurestore;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mlops.AlreadyExistsException;
import dev.mlops.CorruptDataException;
import dev.mlops.NotFoundException;
import dev.mlops.core.internal.HashChainedLog;
import dev.mlops.core.internal.Json;
import dev.mlops.features.Entity;
import dev.mlops.features.EntityVersion;
import dev.mlops.features.FeatureSpec;
import dev.mlops.features.FeatureType;
import dev.mlops.features.FeatureView;
import dev.mlops.features.FeatureViewVersion;
import dev.mlops.spi.ObjectStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Entity and feature-view definitions: one hash-chained log {@code features/definitions/log} of
 * immutable entries, each registering one new version of one entity or view, folded into the
 * current state in memory. Appending races are settled by create-if-absent: the loser re-reads,
 * re-checks whether its definition is still new, and retries.
 *
 * <p>Thread-safe (the folded state is replaced under this object's lock and read as an
 * immutable snapshot).
 */
final class FeatureDefinitions {
  private static final Logger LOG = LoggerFactory.getLogger(FeatureDefinitions.class);
  static final String LOG_PREFIX = "features/definitions/log";

  /** Immutable snapshot of the folded log. */
  record State(long seq, String hash, Map<String, List<EntityVersion>> entities,
      Map<String, List<FeatureViewVersion>> views) {
    Optional<FeatureViewVersion> view(String name) {
      List<FeatureViewVersion> h = views.get(name);
      return h == null ? Optional.empty() : Optional.of(h.get(h.size() - 1));
    }

    Optional<EntityVersion> entity(String name) {
      List<EntityVersion> h = entities.get(name);
      return h == null ? Optional.empty() : Optional.of(h.get(h.size() - 1));
    }
  }

  private final HashChainedLog log;
  private final Clock clock;
  private final long refreshMicros;
  private final long maxStaleMicros;
  private final Executor refresher;
  private final AtomicBoolean refreshing = new AtomicBoolean();
  private volatile State state = new State(0, HashChainedLog.GENESIS, Map.of(), Map.of());
  /** Clock time (micros) taken before the last read of the log; {@link Long#MIN_VALUE} before the first. */
  private volatile long refreshedAt = Long.MIN_VALUE;

  FeatureDefinitions(ObjectStore store, Clock clock, Duration refreshInterval, Executor refresher) {
    this.log = new HashChainedLog(store, LOG_PREFIX);
    this.clock = clock;
    this.refreshMicros = Micros.of(refreshInterval);
    this.maxStaleMicros = refreshMicros > Long.MAX_VALUE / 2 ? Long.MAX_VALUE : 2 * refreshMicros;
    this.refresher = refresher;
  }

  /** @return the state, read from storage now */
  State fresh() {
    return fresh(Micros.of("clock time", clock.instant()));
  }

  /**
   * @param atMicros the clock's time, taken before this call
   * @return the state, read from storage now
   */
  private synchronized State fresh(long atMicros) {
    List<HashChainedLog.Entry> entries = log.readAfter(state.seq(), state.hash());
    refreshedAt = atMicros;
    if (entries.isEmpty()) {
      return state;
    }
    Map<String, List<EntityVersion>> entities = new HashMap<>(state.entities());
    Map<String, List<FeatureViewVersion>> views = new HashMap<>(state.views());
    long seq = state.seq();
    String hash = state.hash();
    for (HashChainedLog.Entry e : entries) {
      fold(e, entities, views);
      seq = e.seq();
      hash = e.hash();
    }
    entities.replaceAll((k, v) -> List.copyOf(v));
    views.replaceAll((k, v) -> List.copyOf(v));
    state = new State(seq, hash, Map.copyOf(entities), Map.copyOf(views));
    return state;
  }

  /**
   * The hot path's view of the definitions: no clock read of its own, so that a lookup reads the
   * clock once and uses that time for everything. Last read more than the refresh interval before
   * {@code atMicros} (see {@link Micros#stale}): the state is served and re-read in the background;
   * more than twice the interval: re-read first.
   *
   * @param atMicros the caller's clock time
   * @return the state
   */
  State recent(long atMicros) {
    long since = refreshedAt;
    if (Micros.stale(atMicros, since, refreshMicros)) {
      if (Micros.stale(atMicros, since, maxStaleMicros)) {
        return refreshIfStale(atMicros);
      }
      refreshInBackground(atMicros);
    }
    return state;
  }

  private void refreshInBackground(long atMicros) {
    if (refreshing.get() || !refreshing.compareAndSet(false, true)) {
      return;
    }
    try {
      refresher.execute(() -> {
        try {
          refreshIfStale(atMicros);
        } catch (RuntimeException failed) {
          LOG.debug("background refresh of the feature definitions failed: {}", failed.toString());
        } finally {
          refreshing.set(false);
        }
      });
    } catch (RejectedExecutionException closing) {
      refreshing.set(false);
    }
  }

  private synchronized State refreshIfStale(long atMicros) {
    // Another thread may have refreshed while this one waited for the lock.
    return Micros.stale(atMicros, refreshedAt, refreshMicros) ? fresh(atMicros) : state;
  }

  /**
   * @param name view name
   * @param atMicros the caller's clock time
   * @return its current version, from the recent state, or from storage if not known yet
   */
  FeatureViewVersion requireView(String name, long atMicros) {
    Optional<FeatureViewVersion> v = recent(atMicros).view(name);
    if (v.isEmpty()) {
      v = fresh().view(name);
    }
    return v.orElseThrow(() -> new NotFoundException("feature view '" + name + "' does not exist; known views: "
        + new java.util.TreeSet<>(state.views().keySet())));
  }

  EntityVersion apply(Entity entity) {
    while (true) {
      State s = fresh();
      Optional<EntityVersion> current = s.entity(entity.name());
      if (current.isPresent() && current.get().definition().equals(entity)) {
        return current.get();
      }
      int version = current.map(c -> c.version() + 1).orElse(1);
      Instant now = clock.instant();
      ObjectNode body = Json.MAPPER.createObjectNode();
      body.put("kind", "entity");
      body.put("version", version);
      body.put("registeredAt", now.toString());
      body.put("name", entity.name());
      body.put("joinKey", entity.joinKey());
      body.put("description", entity.description());
      try {
        log.append(s.seq(), s.hash(), body);
      } catch (AlreadyExistsException lostRace) {
        continue;
      }
      return fresh().entity(entity.name()).orElseThrow();
    }
  }

  FeatureViewVersion apply(FeatureView view) {
    while (true) {
      State s = fresh();
      if (s.entity(view.entity()).isEmpty()) {
        throw new NotFoundException("feature view '" + view.name() + "' is of entity '" + view.entity()
            + "', which does not exist; apply the Entity first. Known entities: "
            + new java.util.TreeSet<>(s.entities().keySet()));
      }
      Optional<FeatureViewVersion> current = s.view(view.name());
      if (current.isPresent() && current.get().definition().equals(view)) {
        return current.get();
      }
      int version = current.map(c -> c.version() + 1).orElse(1);
      int dataVersion = current.filter(c -> c.definition().sameSchema(view)).map(FeatureViewVersion::dataVersion)
          .orElse(version);
      Instant now = clock.instant();
      ObjectNode body = Json.MAPPER.createObjectNode();
      body.put("kind", "view");
      body.put("version", version);
      body.put("dataVersion", dataVersion);
      body.put("registeredAt", now.toString());
      body.put("name", view.name());
      body.put("entity", view.entity());
      ArrayNode features = body.putArray("features");
      for (FeatureSpec f : view.features()) {
        features.addObject().put("name", f.name()).put("type", f.type().name()).put("description", f.description());
      }
      body.put("ttl", view.ttl().toString());
      body.put("owner", view.owner());
      body.put("description", view.description());
      ObjectNode tags = body.putObject("tags");
      new TreeMap<>(view.tags()).forEach(tags::put);
      if (!view.onlineRetention().isZero()) {
        // only when set: a definition without it is stored exactly as before the setting existed
        body.put("onlineRetention", view.onlineRetention().toString());
      }
      try {
        log.append(s.seq(), s.hash(), body);
      } catch (AlreadyExistsException lostRace) {
        continue;
      }
      return fresh().view(view.name()).orElseThrow();
    }
  }

  private static void fold(HashChainedLog.Entry e, Map<String, List<EntityVersion>> entities,
      Map<String, List<FeatureViewVersion>> views) {
    ObjectNode b = e.body();
    try {
      String kind = text(b, "kind");
      Instant at = Instant.parse(text(b, "registeredAt"));
      int version = b.path("version").asInt();
      if (kind.equals("entity")) {
        Entity ent = new Entity(text(b, "name"), text(b, "joinKey"), text(b, "description"));
        List<EntityVersion> h = new ArrayList<>(entities.getOrDefault(ent.name(), List.of()));
        entities.put(ent.name(), h);
        expectVersion(e, h.size() + 1, version);
        h.add(new EntityVersion(ent, version, at));
      } else if (kind.equals("view")) {
        List<FeatureSpec> features = new ArrayList<>();
        for (JsonNode f : b.path("features")) {
          features.add(new FeatureSpec(text(f, "name"), FeatureType.valueOf(text(f, "type")), text(f, "description")));
        }
        Map<String, String> tags = new TreeMap<>();
        Iterator<Map.Entry<String, JsonNode>> it = b.path("tags").fields();
        while (it.hasNext()) {
          Map.Entry<String, JsonNode> t = it.next();
          tags.put(t.getKey(), t.getValue().asText());
        }
        FeatureView view = new FeatureView(text(b, "name"), text(b, "entity"), features,
            Duration.parse(text(b, "ttl")), text(b, "owner"), text(b, "description"), tags,
            b.has("onlineRetention") ? Duration.parse(text(b, "onlineRetention")) : Duration.ZERO);
        List<FeatureViewVersion> h = new ArrayList<>(views.getOrDefault(view.name(), List.of()));
        views.put(view.name(), h);
        expectVersion(e, h.size() + 1, version);
        h.add(new FeatureViewVersion(view, version, b.path("dataVersion").asInt(), at));
      } else {
        throw new CorruptDataException("definition log entry '" + e.key() + "' has unknown kind '" + kind + "'");
      }
    } catch (RuntimeException ex) {
      if (ex instanceof CorruptDataException c) {
        throw c;
      }
      throw new CorruptDataException("definition log entry '" + e.key() + "' is invalid: " + ex.getMessage(), ex);
    }
  }

  private static void expectVersion(HashChainedLog.Entry e, int expected, int actual) {
    if (expected != actual) {
      throw new CorruptDataException("definition log entry '" + e.key() + "' records version " + actual
          + " but " + expected + " was next");
    }
  }

  private static String text(JsonNode n, String field) {
    JsonNode v = n.get(field);
    if (v == null || !v.isTextual()) {
      throw new CorruptDataException("field '" + field + "' is missing or not text");
    }
    return v.asText();
  }
}
