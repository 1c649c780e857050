package dev.mlops.pipeline.trigger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mlops.AlreadyExistsException;
import dev.mlops.CorruptDataException;
import dev.mlops.VerifyReport;
import dev.mlops.core.internal.HashChainedLog;
import dev.mlops.core.internal.Json;
import dev.mlops.spi.ObjectStore;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One pipeline's trigger history in the store: a {@link HashChainedLog} of
 * {@link TriggerRecord}s under {@code pipeline-triggers/<pipeline>/log}, and the de-duplication
 * claims under {@code pipeline-triggers/<pipeline>/claims/<trigger>/<event>} (one create-if-absent
 * object per event). Keeps in memory only the head of the log and each trigger's last firing,
 * reading only newer entries; {@link #records()} reads the whole log. Not compacted: the first
 * decision of a process reads the whole log once.
 *
 * <p>Thread-safe: every method is synchronized, so the triggers of one pipeline in one
 * {@link Triggers} decide one at a time.
 */
final class TriggerLog {
  /** Format version of log entries and claims. */
  static final int FORMAT = 1;

  private final ObjectStore store;
  private final String pipeline;
  private final String claims;
  private final HashChainedLog log;
  private final Map<String, TriggerRecord> lastFired = new HashMap<>();
  private long headSeq;
  private String headHash = HashChainedLog.GENESIS;

  TriggerLog(ObjectStore store, String pipeline) {
    this.store = store;
    this.pipeline = pipeline;
    this.claims = "pipeline-triggers/" + pipeline + "/claims/";
    this.log = new HashChainedLog(store, "pipeline-triggers/" + pipeline + "/log");
  }

  /** Reads entries appended since the last read. */
  synchronized void refresh() {
    for (HashChainedLog.Entry e : log.readAfter(headSeq, headHash)) {
      fold(e, decode(e.key(), e.seq(), e.body()));
    }
  }

  /** @return every record, oldest first, read from the store */
  synchronized List<TriggerRecord> records() {
    List<TriggerRecord> out = new ArrayList<>();
    for (HashChainedLog.Entry e : log.readAfter(0, HashChainedLog.GENESIS)) {
      TriggerRecord r = decode(e.key(), e.seq(), e.body());
      out.add(r);
      if (e.seq() > headSeq) {
        fold(e, r);
      }
    }
    return out;
  }

  /** @return the trigger's latest FIRED record, as of the last refresh */
  synchronized Optional<TriggerRecord> lastFired(String trigger) {
    return Optional.ofNullable(lastFired.get(trigger));
  }

  synchronized VerifyReport verify() {
    return log.verify();
  }

  /**
   * Appends a record as the next entry, re-reading and retrying when another writer took the number.
   *
   * @return the stored record, with its sequence number
   */
  synchronized TriggerRecord append(Instant at, String trigger, TriggerSource source, String event, String cause,
      TriggerOutcome outcome, Optional<String> executionId, Optional<String> reason, String instance) {
    ObjectNode body = Json.MAPPER.createObjectNode();
    body.put("v", FORMAT);
    body.put("at", at.toString());
    body.put("pipeline", pipeline);
    body.put("trigger", trigger);
    body.put("source", source.name());
    body.put("event", event);
    body.put("cause", cause);
    body.put("outcome", outcome.name());
    executionId.ifPresent(id -> body.put("execution", id));
    reason.ifPresent(r -> body.put("reason", r));
    body.put("instance", instance);
    while (true) {
      try {
        HashChainedLog.Entry e = log.append(headSeq, headHash, body.deepCopy());
        TriggerRecord r = decode(e.key(), e.seq(), e.body());
        fold(e, r);
        return r;
      } catch (AlreadyExistsException taken) {
        // another writer appended first: read its entry by key (a listing may lag), then any later ones
        for (HashChainedLog.Entry e : log.readDirect(headSeq, headHash, headSeq + 1)) {
          fold(e, decode(e.key(), e.seq(), e.body()));
        }
        refresh();
      }
    }
  }

  /** @return the key of the claim on one event of one trigger */
  String claimKey(String trigger, String event) {
    return claims + trigger + "/" + event;
  }

  /**
   * Claims an event with create-if-absent.
   *
   * @return whether this call created the claim
   */
  boolean claim(String trigger, String event, Instant at, String instance) {
    ObjectNode body = Json.MAPPER.createObjectNode();
    body.put("v", FORMAT);
    body.put("pipeline", pipeline);
    body.put("trigger", trigger);
    body.put("event", event);
    body.put("at", at.toString());
    body.put("instance", instance);
    try {
      store.create(claimKey(trigger, event), Json.write(body));
      return true;
    } catch (AlreadyExistsException taken) {
      return false;
    }
  }

  /**
   * @return who holds the claim on an event and since when ("instance at time"), or empty if unclaimed
   * @throws CorruptDataException naming the key if the stored claim is unreadable, or names another
   *     pipeline, trigger or event than its key (a claim copied or moved there)
   */
  Optional<String> claimant(String trigger, String event) {
    String key = claimKey(trigger, event);
    return store.get(key).map(bytes -> {
      JsonNode node = Json.read(key, bytes, JsonNode.class);
      requireFormat(key, node);
      requireSame(key, node, "pipeline", pipeline);
      requireSame(key, node, "trigger", trigger);
      requireSame(key, node, "event", event);
      return text(key, node, "instance") + " at " + instant(key, node, "at");
    });
  }

  private static void requireSame(String key, JsonNode node, String field, String expected) {
    String stored = text(key, node, field);
    if (!stored.equals(expected)) {
      throw new CorruptDataException("trigger claim '" + key + "' names " + field + " '" + stored + "', not '"
          + expected + "': it is another claim's bytes");
    }
  }

  private void fold(HashChainedLog.Entry e, TriggerRecord r) {
    if (r.outcome() == TriggerOutcome.FIRED) {
      lastFired.merge(r.trigger(), r, (a, b) -> b.at().isAfter(a.at()) ? b : a);
    }
    headSeq = e.seq();
    headHash = e.hash();
  }

  /** Parses one stored entry; every field is checked, since stored bytes are untrusted. */
  private TriggerRecord decode(String key, long seq, JsonNode node) {
    requireFormat(key, node);
    try {
      String storedPipeline = text(key, node, "pipeline");
      if (!storedPipeline.equals(pipeline)) {
        throw new CorruptDataException("trigger record '" + key + "' belongs to pipeline '" + storedPipeline
            + "', found in the log of '" + pipeline + "'");
      }
      return new TriggerRecord(seq, instant(key, node, "at"), storedPipeline, text(key, node, "trigger"),
          TriggerSource.valueOf(text(key, node, "source")), text(key, node, "event"), text(key, node, "cause"),
          TriggerOutcome.valueOf(text(key, node, "outcome")), optionalText(key, node, "execution"),
          optionalText(key, node, "reason"), text(key, node, "instance"));
    } catch (IllegalArgumentException | NullPointerException e) {
      throw new CorruptDataException("trigger record '" + key + "' is invalid: " + e.getMessage(), e);
    }
  }

  private static void requireFormat(String key, JsonNode node) {
    if (!node.isObject() || !node.path("v").isInt()) {
      throw new CorruptDataException("stored trigger object '" + key + "' has no format version field 'v'");
    }
    if (node.get("v").intValue() != FORMAT) {
      throw new CorruptDataException("stored trigger object '" + key + "' has format version " + node.get("v").intValue()
          + "; this version of mlops reads version " + FORMAT);
    }
  }

  private static String text(String key, JsonNode node, String field) {
    JsonNode v = node.get(field);
    if (v == null || !v.isTextual()) {
      throw new CorruptDataException("stored trigger object '" + key + "' has no text field '" + field + "'");
    }
    return v.textValue();
  }

  private static Optional<String> optionalText(String key, JsonNode node, String field) {
    return node.has(field) ? Optional.of(text(key, node, field)) : Optional.empty();
  }

  private static Instant instant(String key, JsonNode node, String field) {
    String s = text(key, node, field);
    try {
      return Instant.parse(s);
    } catch (DateTimeParseException e) {
      throw new CorruptDataException("stored trigger object '" + key + "' has an invalid time in '" + field + "': " + s, e);
    }
  }
}
