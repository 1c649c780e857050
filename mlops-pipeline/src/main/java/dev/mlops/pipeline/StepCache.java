package dev.mlops.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mlops.AlreadyExistsException;
import dev.mlops.CorruptDataException;
import dev.mlops.Digest;
import dev.mlops.Names;
import dev.mlops.core.internal.Json;
import dev.mlops.spi.ObjectStore;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Step results by cache key: {@code pipelines/cache/<key>/<epoch>/claim} and {@code .../result},
 * each created once (create-if-absent). The first process to create an epoch's claim runs the
 * step; another that reaches the same key waits while the claim's owner (a step of some
 * execution, looked up in that execution's log) is alive under its lease, then reuses the result
 * — or, if the owner died or failed, claims the next epoch. If two results race for one epoch
 * (an owner whose lease ran out while it was still running), the first one created is kept and
 * the other writer adopts it. An expired result (by the injected clock) is replaced in a new epoch.
 *
 * <p>Thread-safe (stateless over the store).
 */
final class StepCache {
  private static final String ROOT = "pipelines/cache/";

  private final ObjectStore store;
  private final Clock clock;
  private final Duration poll;

  StepCache(ObjectStore store, Clock clock, Duration poll) {
    this.store = store;
    this.clock = clock;
    this.poll = poll;
  }

  /** What a lookup found. */
  sealed interface Lookup permits Hit, Claimed { }

  /** A stored, unexpired result. */
  record Hit(Map<String, OutputValue> outputs, String sourceExecution, String sourceRun, String key) implements Lookup { }

  /** This caller owns {@code epoch}: run the step, then {@link #publish}. */
  record Claimed(long epoch) implements Lookup { }

  /** Who holds a claim. */
  record Owner(String pipeline, String execution, String step, String claim) { }

  static String key(String pipeline, String step, String code, Map<String, String> parameters,
      Map<String, OutputValue> inputs, Optional<String> item) {
    ObjectNode o = Json.MAPPER.createObjectNode();
    o.put("pipeline", pipeline);
    o.put("step", step);
    o.put("code", code);
    ObjectNode p = o.putObject("parameters");
    new TreeMap<>(parameters).forEach(p::put);
    ObjectNode in = o.putObject("inputs");
    new TreeMap<>(inputs).forEach((k, v) -> in.put(k, v.kind() + ":" + v.contentDigest().hex()));
    item.ifPresent(i -> o.put("item", i));
    return Digest.of(Json.write(o)).hex();
  }

  Optional<Hit> find(String key, Optional<Duration> ttl) {
    long epoch = newestEpoch(key);
    if (epoch == 0) {
      return Optional.empty();
    }
    String k = resultKey(key, epoch);
    return readResult(key, epoch).filter(r -> fresh(k, r, ttl)).map(r -> hit(k, r));
  }

  /**
   * Returns a fresh result, or claims the key for {@code me}, waiting while another live owner runs it.
   *
   * @throws InterruptedException if interrupted while waiting (a cancelled attempt)
   */
  Lookup lookupOrClaim(String key, Optional<Duration> ttl, Owner me, OwnerCheck alive) throws InterruptedException {
    while (true) {
      long epoch = newestEpoch(key);
      if (epoch > 0) {
        Optional<JsonNode> result = readResult(key, epoch);
        if (result.isPresent()) {
          if (fresh(resultKey(key, epoch), result.get(), ttl)) {
            return hit(resultKey(key, epoch), result.get());
          }
        } else {
          Owner holder = readClaim(key, epoch);
          if (holder.equals(me)) {
            return new Claimed(epoch);
          }
          if (alive.alive(holder)) {
            Thread.sleep(Pipelines.millis(poll));
            continue;
          }
          // The holder may have published and committed between the result read above and the
          // check: it creates the result before its success, so a result is there by now if so.
          Optional<JsonNode> late = readResult(key, epoch);
          if (late.isPresent() && fresh(resultKey(key, epoch), late.get(), ttl)) {
            return hit(resultKey(key, epoch), late.get());
          }
        }
      }
      try {
        store.create(claimKey(key, epoch + 1), claimBytes(me));
        return new Claimed(epoch + 1);
      } catch (AlreadyExistsException raced) {
        // another process claimed that epoch first: look again
      }
    }
  }

  /**
   * Stores the result of an epoch this caller claimed.
   *
   * @return the outputs kept: these, or those of a result created first
   */
  Map<String, OutputValue> publish(String key, long epoch, Map<String, OutputValue> outputs, String execution, String run) {
    ObjectNode o = Json.MAPPER.createObjectNode();
    o.put("v", 1);
    o.put("execution", execution);
    o.put("run", run);
    o.put("createdAt", clock.millis());
    o.set("outputs", ExecutionLog.writeOutputs(outputs));
    try {
      store.create(resultKey(key, epoch), Json.write(o));
      return outputs;
    } catch (AlreadyExistsException raced) {
      JsonNode kept = readResult(key, epoch).orElseThrow();
      return ExecutionLog.readOutputs(resultKey(key, epoch), kept.path("outputs"));
    }
  }

  /** Decides whether a claim's owner still runs the step. */
  @FunctionalInterface
  interface OwnerCheck {
    boolean alive(Owner owner);
  }

  private boolean fresh(String key, JsonNode result, Optional<Duration> ttl) {
    long created = ExecutionLog.number(key, result, "createdAt");
    return ttl.isEmpty() || Pipelines.plus(created, Pipelines.millis(ttl.get())) > clock.millis();
  }

  /** @throws CorruptDataException naming {@code key} if a field is missing or of the wrong type */
  private static Hit hit(String key, JsonNode r) {
    return new Hit(ExecutionLog.readOutputs(key, r.path("outputs")), field(key, r, "execution"), field(key, r, "run"), key);
  }

  private static String field(String key, JsonNode n, String name) {
    JsonNode f = n.get(name);
    if (f == null || !f.isTextual()) {
      throw new CorruptDataException("pipeline cache object '" + key + "' lacks text field '" + name + "'");
    }
    return f.asText();
  }

  private long newestEpoch(String key) {
    String prefix = ROOT + key + "/";
    long max = 0;
    try (var keys = store.listAll(prefix)) {
      for (String k : (Iterable<String>) keys::iterator) {
        String rest = k.substring(prefix.length());
        int slash = rest.indexOf('/');
        // epochs are written with at least 10 digits ("%010d"): epoch 10^10 has 11
        if (slash >= 10 && rest.substring(0, slash).chars().allMatch(c -> c >= '0' && c <= '9')) {
          try {
            max = Math.max(max, Long.parseLong(rest.substring(0, slash)));
          } catch (NumberFormatException tooLarge) {
            throw new CorruptDataException("pipeline cache key '" + k + "' has an epoch beyond " + Long.MAX_VALUE, tooLarge);
          }
        }
      }
    }
    if (max == Long.MAX_VALUE) {
      throw new CorruptDataException("pipeline cache key '" + prefix + max + "' is at the last epoch; no next one can be claimed");
    }
    return max;
  }

  private Optional<JsonNode> readResult(String key, long epoch) {
    String k = resultKey(key, epoch);
    return store.get(k).map(bytes -> parse(k, bytes));
  }

  private Owner readClaim(String key, long epoch) {
    String k = claimKey(key, epoch);
    JsonNode n = store.get(k).map(bytes -> parse(k, bytes))
        .orElseThrow(() -> new CorruptDataException("cache claim '" + k + "' is missing though its epoch exists"));
    Owner o = new Owner(field(k, n, "pipeline"), field(k, n, "execution"), field(k, n, "step"), field(k, n, "claim"));
    if (!Names.isValid(o.pipeline()) || !Names.isValid(o.execution()) || o.step().isEmpty()) {
      throw new CorruptDataException("pipeline cache claim '" + k + "' names pipeline '" + o.pipeline()
          + "', execution '" + o.execution() + "', step '" + o.step() + "': not a step of a stored execution");
    }
    return o;
  }

  private static JsonNode parse(String key, byte[] bytes) {
    try {
      JsonNode n = Json.MAPPER.readTree(bytes);
      if (n == null || !n.isObject() || n.path("v").asInt() != 1) {
        throw new CorruptDataException("pipeline cache object '" + key + "' is not a version-1 JSON object");
      }
      return n;
    } catch (IOException e) {
      throw new CorruptDataException("pipeline cache object '" + key + "' is not valid JSON: " + e.getMessage(), e);
    }
  }

  private static byte[] claimBytes(Owner me) {
    ObjectNode o = Json.MAPPER.createObjectNode();
    o.put("v", 1);
    o.put("pipeline", me.pipeline());
    o.put("execution", me.execution());
    o.put("step", me.step());
    o.put("claim", me.claim());
    return Json.write(o);
  }

  private static String claimKey(String key, long epoch) {
    return ROOT + key + "/" + String.format("%010d", epoch) + "/claim";
  }

  static String resultKey(String key, long epoch) {
    return ROOT + key + "/" + String.format("%010d", epoch) + "/result";
  }

  static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
