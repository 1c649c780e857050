package dev.mlops.pipeline.trigger;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mlops.AlreadyExistsException;
import dev.mlops.core.internal.Json;
import dev.mlops.pipeline.PipelineLauncher;
import dev.mlops.spi.ObjectStore;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * A small real launcher for trigger tests until the pipeline engine lands: each start is a
 * create-if-absent object {@code test-launcher/<pipeline>/started/<n>} (the next free number), each
 * finish an object {@code test-launcher/<pipeline>/finished/<n>}, so counts are exact across
 * processes sharing the store. Used by unit tests and by the fleet IT's worker processes.
 *
 * <p>Thread-safe.
 */
public final class StoreRecordingLauncher implements PipelineLauncher {
  private final ObjectStore store;
  private final String pipeline;
  private final String prefix;

  /**
   * @param store the shared store
   * @param pipeline the pipeline name
   */
  public StoreRecordingLauncher(ObjectStore store, String pipeline) {
    this.store = Objects.requireNonNull(store, "store");
    this.pipeline = pipeline;
    this.prefix = "test-launcher/" + pipeline + "/";
  }

  @Override
  public String pipelineName() {
    return pipeline;
  }

  @Override
  public int runningExecutions() {
    return started().size() - count("finished/");
  }

  @Override
  public String start(Map<String, String> parameters, String cause) {
    ObjectNode body = Json.MAPPER.createObjectNode();
    body.put("cause", cause);
    body.set("parameters", Json.MAPPER.valueToTree(new TreeMap<>(parameters)));
    byte[] bytes = Json.write(body);
    for (int n = started().size(); ; n++) {
      try {
        store.create(prefix + "started/" + String.format("%010d", n), bytes);
        return pipeline + "-" + n;
      } catch (AlreadyExistsException taken) {
        // another process started one: take the next number
      }
    }
  }

  /** @param executionId an id returned by start: marks it finished */
  public void finish(String executionId) {
    store.create(prefix + "finished/" + executionId, new byte[0]);
  }

  /** @return the started executions' keys, in order */
  public List<String> started() {
    try (Stream<String> keys = store.listAll(prefix + "started/")) {
      return keys.toList();
    }
  }

  /**
   * @param n an execution number
   * @return the parameters it was started with
   */
  public Map<String, String> parameters(int n) {
    String key = prefix + "started/" + String.format("%010d", n);
    ObjectNode node = Json.read(key, store.get(key).orElseThrow(), ObjectNode.class);
    Map<String, String> out = new TreeMap<>();
    node.get("parameters").fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().textValue()));
    return out;
  }

  private int count(String sub) {
    try (Stream<String> keys = store.listAll(prefix + sub)) {
      return (int) keys.count();
    }
  }
}
