package dev.mlops.featurestore;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mlops.AlreadyExistsException;
import dev.mlops.CorruptDataException;
import dev.mlops.core.internal.Json;
import dev.mlops.features.FeatureView;
import dev.mlops.features.FeatureViewVersion;
import dev.mlops.spi.ListPage;
import dev.mlops.spi.ObjectStore;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deletes superseded online rows beyond each view's {@link FeatureView#onlineRetention() online
 * retention}; mlops-governance's {@code GarbageCollector} runs it in every pass.
 *
 * <p>The rule: with retention {@code R} and a sweep at {@code now}, the horizon is
 * {@code H = now - R}. Per entity, the newest row whose event time is at or before {@code H} stays,
 * and so does every newer row; each older row is superseded by it, and no online read at a time at
 * or after {@code H} can answer with one. Such a row is deleted once a sweep first saw it superseded
 * at least the grace period ago (a marker under {@code retention-candidates/} holds that time), so a
 * row written just before a sweep survives it. The newest row of an entity is never deleted. Views
 * without a retention, and the data versions a view no longer uses, are left alone; offline
 * segments are never touched.
 *
 * <p>Before it deletes a row of a view, a sweep records its horizon under the view's
 * {@code retention/} prefix (create-if-absent, newest horizon first). Readers use the records: a
 * listed row missing when read is legitimate only if a newer listed row of the entity has an event
 * time at or before a recorded horizon; an online read of the row at or before a time older than
 * the newest horizon fails with {@link dev.mlops.features.RetentionHorizonException}.
 *
 * <p>Safe while other processes write and read: writers only create rows, a sweep deletes a row
 * only behind a newer row that stays, and several sweeps may run at once (markers and deletes are
 * idempotent). Thread-safe.
 */
public final class OnlineRowRetention {
  private static final Logger LOG = LoggerFactory.getLogger(OnlineRowRetention.class);
  /** Format of retention records and candidate markers. */
  static final int FORMAT = 1;

  private final ObjectStore store;

  private OnlineRowRetention(ObjectStore store) {
    this.store = store;
  }

  /**
   * @param store the store holding the feature views; not closed by this object
   * @return a collector over it
   */
  public static OnlineRowRetention of(ObjectStore store) {
    return new OnlineRowRetention(Objects.requireNonNull(store, "store"));
  }

  /**
   * What one sweep found and did.
   *
   * <p>Immutable and thread-safe.
   *
   * @param at the sweep's time
   * @param dryRun whether nothing was written or deleted
   * @param rowsScanned online rows listed in views with a retention
   * @param deleted keys of the rows deleted (on a dry run: that a sweep now would delete)
   * @param waiting superseded rows beyond the retention, first seen less than the grace period ago
   *     (or not seen before)
   */
  public record Sweep(Instant at, boolean dryRun, long rowsScanned, List<String> deleted, long waiting) {
    /** Validates and copies. */
    public Sweep {
      Objects.requireNonNull(at, "at");
      deleted = List.copyOf(deleted);
      if (rowsScanned < 0 || waiting < 0) {
        throw new IllegalArgumentException("negative count: rowsScanned " + rowsScanned + ", waiting " + waiting);
      }
    }
  }

  /**
   * Runs one sweep over every view with an online retention.
   *
   * @param now the sweep's time, which the horizons and ages are measured from
   * @param grace how long a row must have been seen superseded beyond the retention before it is
   *     deleted; not negative
   * @param dryRun report only: no marker or record is written, nothing is deleted
   * @return what was found and done
   * @throws CorruptDataException naming the key if a definition, marker or record is unreadable
   */
  public Sweep sweep(Instant now, Duration grace, boolean dryRun) {
    Objects.requireNonNull(now, "now");
    Objects.requireNonNull(grace, "grace");
    if (grace.isNegative()) {
      throw new IllegalArgumentException("grace period must not be negative, got " + grace);
    }
    long nowMicros = Micros.of("sweep time", now);
    long graceMicros = RowVisibility.ttlMicros(grace);
    FeatureDefinitions definitions = new FeatureDefinitions(store, Clock.fixed(now, ZoneOffset.UTC),
        Duration.ofDays(1), Runnable::run);
    long scanned = 0;
    long waiting = 0;
    List<String> deleted = new ArrayList<>();
    for (Map.Entry<String, List<FeatureViewVersion>> e : new java.util.TreeMap<>(definitions.fresh().views())
        .entrySet()) {
      FeatureViewVersion current = e.getValue().get(e.getValue().size() - 1);
      ViewTable table = new ViewTable(current);
      if (table.retentionMicros == 0) {
        continue;
      }
      ViewSweep s = sweep(table, nowMicros, graceMicros, dryRun);
      scanned += s.scanned;
      waiting += s.waiting;
      deleted.addAll(s.deleted);
    }
    return new Sweep(now, dryRun, scanned, deleted, waiting);
  }

  private record ViewSweep(long scanned, long waiting, List<String> deleted) {}

  private ViewSweep sweep(ViewTable table, long now, long grace, boolean dryRun) {
    // saturating: a retention longer than the time since year 1 has no horizon yet
    long horizon = now - table.retentionMicros < Micros.of("year 1", Micros.MIN) || now - table.retentionMicros > now
        ? Long.MIN_VALUE : now - table.retentionMicros;
    long scanned = 0;
    long waiting = 0;
    List<String> eligible = new ArrayList<>();
    Set<String> candidates = new HashSet<>();
    String entity = null;
    boolean superseded = false;
    try (Stream<String> keys = store.listAll(table.onlinePrefix())) {
      Iterator<String> it = keys.iterator();
      while (it.hasNext()) {
        String key = it.next();
        scanned++;
        String entityPrefix = key.substring(0, key.lastIndexOf('/') + 1);
        if (!entityPrefix.equals(entity)) {
          entity = entityPrefix;
          superseded = false; // the entity's newest row: never a candidate
        }
        if (superseded) {
          candidates.add(table.candidateKey(key));
          Optional<Long> seen = firstSeen(table.candidateKey(key));
          if (seen.isEmpty()) {
            if (!dryRun) {
              writeMarker(table.candidateKey(key), now);
            }
            waiting++;
          } else if (seen.get() <= now - grace) {
            eligible.add(key);
          } else {
            waiting++;
          }
        } else if (horizon != Long.MIN_VALUE && ViewTable.eventMicrosOfKey(key) <= horizon) {
          superseded = true; // this row stays and supersedes every older row of the entity
        }
      }
    }
    if (dryRun) {
      return new ViewSweep(scanned, waiting, eligible);
    }
    if (!eligible.isEmpty()) {
      // recorded before the first delete, so that a reader that misses a row can tell why
      writeRecord(table, horizon, now);
      for (String key : eligible) {
        store.delete(key);
        store.delete(table.candidateKey(key));
      }
      LOG.info("retention of feature view '{}' (data version {}): deleted {} superseded online rows before horizon {}",
          table.name(), table.version.dataVersion(), eligible.size(), Micros.toInstant(horizon));
    }
    // markers of rows that are no longer candidates (deleted by a sweep that stopped before its
    // marker, or kept longer since the retention grew): a candidate seen again starts a new clock
    try (Stream<String> markers = store.listAll(table.candidatePrefix())) {
      markers.filter(m -> !candidates.contains(m)).toList().forEach(store::delete);
    }
    return new ViewSweep(scanned, waiting, eligible);
  }

  private Optional<Long> firstSeen(String marker) {
    Optional<byte[]> bytes = store.get(marker);
    if (bytes.isEmpty()) {
      return Optional.empty();
    }
    JsonNode n = parse(marker, bytes.get());
    JsonNode seen = n.get("firstSeenMicros");
    if (n.path("format").asInt() != FORMAT || seen == null || !seen.isIntegralNumber()) {
      throw new CorruptDataException("retention candidate marker '" + marker + "' has an unknown format or no "
          + "firstSeenMicros: " + n);
    }
    return Optional.of(seen.asLong());
  }

  private void writeMarker(String marker, long now) {
    ObjectNode n = Json.MAPPER.createObjectNode();
    n.put("format", FORMAT);
    n.put("firstSeenMicros", now);
    n.put("firstSeen", Micros.toInstant(now).toString());
    try {
      store.create(marker, n.toString().getBytes(StandardCharsets.UTF_8));
    } catch (AlreadyExistsException another) {
      // another sweep saw it first; its time counts
    }
  }

  private void writeRecord(ViewTable table, long horizon, long now) {
    ObjectNode n = Json.MAPPER.createObjectNode();
    n.put("format", FORMAT);
    n.put("view", table.name());
    n.put("dataVersion", table.version.dataVersion());
    n.put("horizonMicros", horizon);
    n.put("horizon", Micros.toInstant(horizon).toString());
    n.put("retention", table.version.definition().onlineRetention().toString());
    n.put("sweptAt", Micros.toInstant(now).toString());
    try {
      store.create(table.retentionKey(horizon), n.toString().getBytes(StandardCharsets.UTF_8));
    } catch (AlreadyExistsException same) {
      // another sweep at the same horizon recorded it
    }
  }

  private static JsonNode parse(String key, byte[] bytes) {
    try {
      JsonNode n = Json.MAPPER.readTree(bytes);
      if (n == null || !n.isObject()) {
        throw new CorruptDataException("'" + key + "' is not a JSON object");
      }
      return n;
    } catch (IOException e) {
      throw new CorruptDataException("'" + key + "' is not valid JSON: " + e.getMessage(), e);
    }
  }

  /**
   * The newest retention horizon recorded for a table.
   *
   * @return its time in microseconds, empty if no sweep has deleted a row of the table
   * @throws CorruptDataException naming the record if it is missing, unreadable or disagrees with its key
   */
  static Optional<Long> horizon(ObjectStore store, ViewTable table) {
    ListPage page = store.list(table.retentionPrefix(), "", 1);
    if (page.keys().isEmpty()) {
      return Optional.empty();
    }
    String key = page.keys().get(0);
    long fromKey;
    try {
      fromKey = ViewTable.uninverted(key.substring(table.retentionPrefix().length()));
    } catch (IllegalArgumentException e) {
      throw new CorruptDataException("retention record '" + key + "' of feature view '" + table.name()
          + "' is not named by a horizon", e);
    }
    byte[] bytes = store.get(key).orElseThrow(() -> new CorruptDataException("retention record '" + key
        + "' of feature view '" + table.name() + "' was listed and is missing (records are never deleted)"));
    JsonNode n;
    try {
      n = parse(key, bytes);
    } catch (CorruptDataException e) {
      throw new CorruptDataException("retention record " + e.getMessage(), e);
    }
    JsonNode h = n.get("horizonMicros");
    if (n.path("format").asInt() != FORMAT || h == null || !h.isIntegralNumber() || h.asLong() != fromKey) {
      throw new CorruptDataException("retention record '" + key + "' of feature view '" + table.name()
          + "' has an unknown format or a horizon other than its key's (" + Micros.toInstant(fromKey) + "): " + n);
    }
    return Optional.of(fromKey);
  }

  /**
   * Whether an online row found missing after it was listed was deleted by retention: a newer row of
   * its entity is listed now whose event time is at or before the newest recorded horizon.
   *
   * @param missingKey the online row key that was listed and then missing
   * @return true if retention explains it
   */
  static boolean retainedAway(ObjectStore store, ViewTable table, String missingKey) {
    Optional<Long> horizon = horizon(store, table);
    if (horizon.isEmpty()) {
      return false;
    }
    String entityPrefix = missingKey.substring(0, missingKey.lastIndexOf('/') + 1);
    try (Stream<String> keys = store.listAll(entityPrefix)) {
      Iterator<String> it = keys.iterator();
      while (it.hasNext()) {
        String key = it.next();
        if (key.compareTo(missingKey) >= 0) {
          return false; // only newer rows (listed first) supersede it
        }
        if (ViewTable.eventMicrosOfKey(key) <= horizon.get()) {
          return true;
        }
      }
    }
    return false;
  }
}
