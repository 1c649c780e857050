package dev.mlops.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mlops.CorruptDataException;
import dev.mlops.Mlops;
import dev.mlops.VerifyReport;
import dev.mlops.Workspace;
import dev.mlops.core.internal.HashChainedLog;
import dev.mlops.core.internal.Json;
import dev.mlops.spi.ObjectStore;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Stored bytes are untrusted on read: execution log entries that are valid JSON with a valid hash
 * chain but wrong types, out-of-range numbers, unknown values, steps the pipeline does not have or
 * outputs it does not declare, and step-cache records with the same faults. Each must surface as a
 * {@link CorruptDataException} naming the stored key (or a verify report naming it) from
 * {@code status}, {@code verify}, {@code resume} and {@code runningExecutions} (or as a recorded
 * step failure naming the step and the key, for the cache) — never as another exception, a silent
 * default or a hang. Entries are written through {@link HashChainedLog#append}, so their hashes and
 * links are right and only their content is wrong. Runs on {@code mem:} here, on {@code file:} in
 * mlops-registry-fs and on {@code s3:} in mlops-registry-s3.
 *
 * <p>Not thread-safe (one instance per test, as JUnit makes them).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
public abstract class PipelineTamperContract {
  /** The store under test, fresh for each test. */
  protected ObjectStore store;
  /** A workspace over {@link #store}. */
  protected Workspace ws;
  private final List<Pipelines> opened = new ArrayList<>();
  private int ids;

  /** For subclasses. */
  protected PipelineTamperContract() {}

  /**
   * Returns an empty store of the backend under test.
   *
   * @return a fresh store, not shared with another test
   */
  protected abstract ObjectStore newStore();

  @BeforeEach
  final void openStore() {
    store = newStore();
    ws = Mlops.open(URI.create("kit:tamper"), store);
  }

  @AfterEach
  final void closeAll() {
    opened.forEach(Pipelines::close);
    ws.close();
  }

  private Pipelines pipelines() {
    Pipelines p = Pipelines.builder(ws).lease(Duration.ofMillis(300)).pollInterval(Duration.ofMillis(10)).seed(7).build();
    opened.add(p);
    return p;
  }

  /** a (metric x) -> gate (x >= 0.5) -> b (parameter y) -> m (map over two items, parameter z). */
  private static Pipeline pipeline(String name) {
    return Pipeline.builder(name)
        .step(Step.task("a", ctx -> ctx.metric("x", 1)).metrics("x"))
        .step(Step.condition("gate", QualityGates.metricAtLeast("a.x", 0.5)).ifTrue("b"))
        .step(Step.task("b", ctx -> ctx.output("y", "ok")).parameters("y"))
        .step(Step.map("m", List.of("p", "q"), ctx -> ctx.output("z", ctx.item().orElseThrow())).parameters("z").after("b"))
        .build();
  }

  /** Creates an execution's first entry (and index marker) by hand, as {@code start} does, changed by {@code edit}. */
  private String execution(Pipeline p, Consumer<ObjectNode> edit) {
    String id = String.format("e20260101T000000-%012d", ++ids);
    ObjectNode started = ExecutionLog.entry("started");
    started.put("pipeline", p.name());
    started.put("fingerprint", p.fingerprint());
    started.put("cause", "test");
    started.put("at", 1_000L);
    started.put("owner", "someone");
    started.putObject("parameters").put("k", "v");
    edit.accept(started);
    new ExecutionLog(store, p.name(), id).chain().append(0, HashChainedLog.GENESIS, started);
    store.create(Pipelines.indexKey(p.name(), "started", id), new byte[0]);
    return id;
  }

  /** Appends {@code body} with a correct seq, prev and hash. @return its key */
  private String append(String pipeline, String id, ObjectNode body) {
    HashChainedLog chain = new ExecutionLog(store, pipeline, id).chain();
    List<HashChainedLog.Entry> all = chain.readAfter(0, HashChainedLog.GENESIS);
    HashChainedLog.Entry last = all.get(all.size() - 1);
    return chain.append(last.seq(), last.hash(), body).key();
  }

  private static ObjectNode entry(String type, String step) {
    ObjectNode e = ExecutionLog.entry(type);
    if (step != null) {
      e.put("step", step);
    }
    return e;
  }

  private static ObjectNode outputs(ObjectNode e, String name, String kind, String value) {
    ObjectNode o = e.has("outputs") ? (ObjectNode) e.get("outputs") : e.putObject("outputs");
    o.putObject(name).put("kind", kind).put("value", value);
    return e;
  }

  /** status, verify, runningExecutions and resume each name {@code key} as corrupt. */
  private void assertCorrupt(String what, Pipeline p, String id, String key) {
    Pipelines pl = pipelines();
    assertThatThrownBy(() -> pl.status(p.name(), id)).as(what + ": status")
        .isInstanceOf(CorruptDataException.class).hasMessageContaining(key);
    VerifyReport report = pl.verify(p.name(), id);
    assertThat(report.ok()).as(what + ": verify").isFalse();
    assertThat(report.brokenKey()).as(what + ": verify").contains(key);
    assertThatThrownBy(() -> pl.runningExecutions(p.name())).as(what + ": runningExecutions")
        .isInstanceOf(CorruptDataException.class).hasMessageContaining(key);
    assertThatThrownBy(() -> pl.resume(p, id).await(Duration.ofSeconds(20))).as(what + ": resume")
        .isInstanceOf(CorruptDataException.class).hasMessageContaining(key);
    assertThat(pl.verifyAll(p.name())).as(what + ": verifyAll").containsKey(id);
    assertThat(pl.verifyAll(p.name()).get(id).brokenKey()).as(what + ": verifyAll").contains(key);
  }

  private ObjectNode claimed(String step, Object leaseUntil) {
    ObjectNode e = entry("claimed", step);
    e.put("claim", "c1");
    e.put("owner", "someone");
    e.set("leaseUntil", Json.MAPPER.valueToTree(leaseUntil));
    return e;
  }

  @Test
  void entriesWithWrongTypesOrValuesAreCorruptDataNamingTheirKey() {
    List<Case> cases = List.of(
        new Case("finished with an unknown status", null, e -> entry("finished", null).put("status", "DONE").put("at", 1)),
        new Case("finished with status RUNNING", null, e -> entry("finished", null).put("status", "RUNNING").put("at", 1)),
        new Case("finished with a numeric status", null, e -> entry("finished", null).put("status", 3).put("at", 1)),
        new Case("a claim whose lease is text", null, e -> claimed("a", "soon")),
        new Case("a claim whose lease is out of range", null, e -> claimed("a", 1e300)),
        new Case("a claim whose lease is fractional", null, e -> claimed("a", 12.5)),
        new Case("a claim with a numeric claim id", null, e -> claimed("a", 5).put("claim", 42)),
        new Case("a renewal whose lease is text", null, e -> entry("renewed", "a").put("claim", "c1").put("leaseUntil", "x")),
        new Case("expanded items not an array", null, e -> entry("expanded", "m").put("items", "p")),
        new Case("expanded items not text", null, e -> {
          ObjectNode x = entry("expanded", "m");
          x.putArray("items").add(1).addObject();
          return x;
        }),
        new Case("a success whose cacheHit is text", null, e -> outputs(entry("succeeded", "a"), "x", "METRIC", "1.0")
            .put("cacheHit", "yes")),
        new Case("a success whose output value is not text", null, e -> {
          ObjectNode x = entry("succeeded", "a");
          x.putObject("outputs").putObject("x").put("kind", "METRIC").put("value", 1.0);
          return x;
        }),
        new Case("a success whose claims carry a text lease", null, e -> {
          ObjectNode x = outputs(entry("succeeded", "a"), "x", "METRIC", "1.0");
          x.putArray("claims").addObject().put("step", "b").put("claim", "c2").put("owner", "o").put("leaseUntil", "later");
          return x;
        }),
        new Case("a callback whose ok is text", null, e -> entry("callback", "a").put("claim", "c1").put("ok", "true")),
        new Case("an empty step name", null, e -> entry("skipped", "").put("reason", "r")),
        new Case("an unknown type", null, e -> entry("exploded", "a")),
        new Case("no type", null, e -> {
          ObjectNode x = entry("skipped", "a");
          x.remove("type");
          return x;
        }),
        new Case("started with a parameter that is not text", s -> s.putObject("parameters").putObject("k").put("x", 1), null),
        new Case("started with a text time", s -> s.put("at", "yesterday"), null),
        new Case("started without an owner", s -> s.remove("owner"), null),
        new Case("started with claims in format 1", s -> s.putArray("claims").addObject().put("step", "a")
            .put("claim", "c1").put("owner", "o").put("leaseUntil", 5), null),
        new Case("started in format 2 with a claim whose lease is text", s -> s.put("v", 2).putArray("claims")
            .addObject().put("step", "a").put("claim", "c1").put("owner", "o").put("leaseUntil", "soon"), null),
        new Case("started in format 3", s -> s.put("v", 3), null),
        new Case("a success in format 2 (only a started entry has it)", null,
            e -> outputs(entry("succeeded", "a"), "x", "METRIC", "1.0").put("v", 2)));
    int n = 0;
    for (Case c : cases) {
      Pipeline p = pipeline("tamper" + (++n));
      String id = execution(p, c.started() == null ? s -> { } : c.started());
      String key = c.entry() == null ? new ExecutionLog(store, p.name(), id).chain().keyOf(1)
          : append(p.name(), id, c.entry().apply(null));
      assertCorrupt(c.what(), p, id, key);
    }
  }

  private record Case(String what, Consumer<ObjectNode> started, java.util.function.Function<Void, ObjectNode> entry) { }

  @Test
  void entriesNamingStepsOrOutputsThePipelineDoesNotHaveAreCorruptOnResume() {
    List<Case> cases = List.of(
        new Case("a success of a step the pipeline does not have", null,
            e -> outputs(entry("succeeded", "ghost"), "x", "METRIC", "1.0")),
        new Case("a claim on a step the pipeline does not have", null, e -> claimed("ghost", 5)),
        new Case("a started entry claiming a step the pipeline does not have", s -> s.put("v", 2).putArray("claims")
            .addObject().put("step", "ghost").put("claim", "c1").put("owner", "o").put("leaseUntil", 5), null),
        new Case("claims naming a step the pipeline does not have", null, e -> {
          ObjectNode x = outputs(entry("succeeded", "a"), "x", "METRIC", "1.0");
          x.putArray("claims").addObject().put("step", "ghost").put("claim", "c2").put("owner", "o").put("leaseUntil", 5);
          return x;
        }),
        new Case("a success without a declared output", null, e -> entry("succeeded", "a").set("outputs",
            Json.MAPPER.createObjectNode())),
        new Case("a success with an output of another kind", null, e -> outputs(entry("succeeded", "a"), "x", "PARAMETER", "1")),
        new Case("a success with an undeclared output", null, e -> outputs(outputs(entry("succeeded", "a"), "x", "METRIC", "1.0"),
            "extra", "PARAMETER", "boo")),
        new Case("a condition's success without a branch", null, e -> entry("succeeded", "gate").set("outputs",
            Json.MAPPER.createObjectNode())),
        new Case("a claim on a map item out of range", null, e -> claimed("m[7]", 5)),
        new Case("a claim on an item of a step that is not a map", null, e -> claimed("a[0]", 5)),
        new Case("a claim on a map item that is not a number", null, e -> claimed("m[x]", 5)),
        new Case("items of a step that is not a map", null, e -> {
          ObjectNode x = entry("expanded", "a");
          x.putArray("items").add("p");
          return x;
        }));
    int n = 0;
    for (Case c : cases) {
      Pipeline p = pipeline("resume" + (++n));
      String id = execution(p, c.started() == null ? s -> { } : c.started());
      String key = c.entry() == null ? new ExecutionLog(store, p.name(), id).chain().keyOf(1)
          : append(p.name(), id, c.entry().apply(null));
      Pipelines pl = pipelines();
      assertThatThrownBy(() -> pl.resume(p, id).await(Duration.ofSeconds(20))).as(c.what())
          .isInstanceOf(CorruptDataException.class).hasMessageContaining(key);
    }
    // a map item beyond the items, once they are fixed
    Pipeline p = pipeline("resume-items");
    String id = execution(p, s -> { });
    append(p.name(), id, outputs(entry("succeeded", "a"), "x", "METRIC", "1.0"));
    ObjectNode x = entry("expanded", "m");
    x.putArray("items").add("p");
    append(p.name(), id, x);
    String key = append(p.name(), id, claimed("m[1]", 5));
    assertThatThrownBy(() -> pipelines().resume(p, id).await(Duration.ofSeconds(20)))
        .isInstanceOf(CorruptDataException.class).hasMessageContaining(key);
  }

  /**
   * A marker whose name is not an execution id, or whose log lacks its first entry, is damage
   * (named by the marker or the missing entry's key); a
   * marker without any log is a start cut off before the log's first entry (docs/pipelines.md):
   * skipped, not damage.
   */
  @Test
  void indexMarkersWithABadIdOrALogWithoutItsFirstEntryAreCorruptDataNamingThem() {
    Pipeline p = pipeline("markers");
    Pipelines pl = pipelines();
    String ok = execution(p, s -> { });
    String noLog = Pipelines.indexKey(p.name(), "started", "e20260101T000000-aaaaaaaaaaaa");
    store.create(noLog, new byte[0]);
    assertThat(pl.runningExecutions(p.name())).isEqualTo(1);
    assertThat(pl.executions(p.name())).containsExactly(ok);
    String headless = "e20260101T000000-bbbbbbbbbbbb";
    String headlessMarker = Pipelines.indexKey(p.name(), "started", headless);
    store.create(headlessMarker, new byte[0]);
    store.create(ExecutionLog.prefix(p.name(), headless) + "/" + String.format("%020d", 2) + ".json",
        "{}".getBytes(java.nio.charset.StandardCharsets.UTF_8));
    assertThatThrownBy(() -> pl.runningExecutions(p.name())).isInstanceOf(CorruptDataException.class)
        .hasMessageContaining(headless); // the missing first entry, named by its key
    assertThat(pl.verifyAll(p.name()).get(headless).ok()).isFalse();
    store.delete(headlessMarker);
    store.delete(ExecutionLog.prefix(p.name(), headless) + "/" + String.format("%020d", 2) + ".json");
    store.delete(noLog);
    assertThat(pl.runningExecutions(p.name())).isEqualTo(1);
    String badId = Pipelines.indexKey(p.name(), "started", "x/y");
    store.create(badId, new byte[0]);
    assertThatThrownBy(() -> pl.runningExecutions(p.name())).isInstanceOf(CorruptDataException.class)
        .hasMessageContaining(badId);
    assertThatThrownBy(() -> pl.verifyAll(p.name())).isInstanceOf(CorruptDataException.class)
        .hasMessageContaining(badId);
    assertThatThrownBy(() -> pl.executions(p.name())).isInstanceOf(CorruptDataException.class)
        .hasMessageContaining(badId);
    store.delete(badId);
    assertThat(pl.executions(p.name())).containsExactly(ok);
  }

  /** An intact entry stored under another number, and an entry whose prev does not link: named, not folded. */
  @Test
  void entriesOutOfSequenceOrOffTheChainAreCorruptDataNamingAKey() {
    Pipeline p = pipeline("sequence");
    String id = execution(p, s -> { });
    String second = append(p.name(), id, claimed("a", 5));
    HashChainedLog chain = new ExecutionLog(store, p.name(), id).chain();
    String third = chain.keyOf(3);
    store.create(third, store.get(second).orElseThrow()); // entry 2's bytes again as entry 3
    assertCorrupt("an entry stored under another number", p, id, third);

    Pipeline q = pipeline("offchain");
    String id2 = execution(q, s -> { });
    HashChainedLog chain2 = new ExecutionLog(store, q.name(), id2).chain();
    chain2.append(1, "f".repeat(64), claimed("a", 5)); // links to a hash that is not entry 1's
    Pipelines pl = pipelines();
    assertThatThrownBy(() -> pl.status(q.name(), id2)).isInstanceOf(CorruptDataException.class)
        .hasMessageContaining(chain2.prefix());
    assertThat(pl.verify(q.name(), id2).ok()).isFalse();
    assertThatThrownBy(() -> pl.resume(q, id2)).isInstanceOf(CorruptDataException.class);
  }

  // ---- the step cache -------------------------------------------------------------------------

  private static final String CACHE = "pipelines/cache/";

  /** One cached task step {@code s} with metric {@code x}, read by {@code t}. */
  private static Pipeline cached(String name) {
    return Pipeline.builder(name)
        .step(Step.task("s", ctx -> ctx.metric("x", 2)).metrics("x").codeVersion("1"))
        .step(Step.task("t", ctx -> ctx.output("y", Double.toString(ctx.input("s.x").number() * 2)))
            .reads("s.x").parameters("y").noCache())
        .build();
  }

  private static String cacheKey(Pipeline p) {
    return StepCache.key(p.name(), "s", CodeVersion.of(p.step("s")), Map.of(), Map.of(), Optional.empty());
  }

  private static byte[] json(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private void assertStepFailsNaming(Pipeline p, String key) {
    ExecutionResult r = pipelines().run(p, Map.of());
    assertThat(r.status()).as(key).isEqualTo(ExecutionStatus.FAILED);
    assertThat(r.step("s").status()).as(key).isEqualTo(StepStatus.FAILED);
    assertThat(r.step("s").reason()).as(key).contains("step 's'").contains(CorruptDataException.class.getName())
        .contains(key);
  }

  @Test
  void cacheRecordsWithWrongFieldsFailTheStepNamingTheKey() {
    List<String[]> cases = List.of(
        new String[] {"claim", "{\"v\":1}"},
        new String[] {"claim", "{\"v\":1,\"pipeline\":\"p\",\"execution\":7,\"step\":\"s\",\"claim\":\"c\"}"},
        new String[] {"claim", "{\"v\":1,\"pipeline\":\"../x\",\"execution\":\"e\",\"step\":\"s\",\"claim\":\"c\"}"},
        new String[] {"result", "{\"v\":1,\"execution\":\"e\",\"run\":\"r\",\"createdAt\":1,\"outputs\":{}}"},
        new String[] {"result", "{\"v\":1,\"execution\":\"e\",\"run\":\"r\",\"createdAt\":1,"
            + "\"outputs\":{\"x\":{\"kind\":\"PARAMETER\",\"value\":\"2\"}}}"},
        new String[] {"result", "{\"v\":1,\"execution\":\"e\",\"run\":\"r\",\"createdAt\":1,"
            + "\"outputs\":{\"x\":{\"kind\":\"METRIC\",\"value\":\"2.0\"},\"boo\":{\"kind\":\"METRIC\",\"value\":\"1.0\"}}}"},
        new String[] {"result", "{\"v\":1,\"execution\":\"e\",\"run\":\"r\",\"createdAt\":\"old\","
            + "\"outputs\":{\"x\":{\"kind\":\"METRIC\",\"value\":\"2.0\"}}}"},
        new String[] {"result", "{\"v\":1,\"execution\":\"e\",\"run\":\"r\",\"createdAt\":1,"
            + "\"outputs\":{\"x\":{\"kind\":\"METRIC\",\"value\":\"NaN\"}}}"},
        new String[] {"result", "{\"v\":1,\"execution\":[],\"run\":\"r\",\"createdAt\":1,"
            + "\"outputs\":{\"x\":{\"kind\":\"METRIC\",\"value\":\"2.0\"}}}"});
    int n = 0;
    for (String[] c : cases) {
      Pipeline p = cached("cache" + (++n));
      String key = CACHE + cacheKey(p) + "/0000000001/" + c[0];
      if (c[0].equals("result")) {
        store.create(CACHE + cacheKey(p) + "/0000000001/claim",
            json("{\"v\":1,\"pipeline\":\"" + p.name() + "\",\"execution\":\"e\",\"step\":\"s\",\"claim\":\"c\"}"));
      }
      store.create(key, json(c[1]));
      assertStepFailsNaming(p, key);
    }
  }

  /** An epoch at the top of the 10-digit range: the next is 11 digits long and must still be found. */
  @Test
  @Timeout(value = 30, unit = TimeUnit.SECONDS)
  void aClaimAtTheLastTenDigitEpochIsTakenOverWithoutLooping() {
    Pipeline p = cached("epochs");
    String dir = CACHE + cacheKey(p) + "/9999999999/";
    // a claim whose owner is an execution that does not exist: not alive, so the next epoch is claimed
    store.create(dir + "claim", json("{\"v\":1,\"pipeline\":\"epochs\",\"execution\":\"e20260101T000000-000000000000\","
        + "\"step\":\"s\",\"claim\":\"c\"}"));
    ExecutionResult r = pipelines().run(p, Map.of());
    assertThat(r.status()).as(r.reason()).isEqualTo(ExecutionStatus.SUCCEEDED);
    assertThat(r.step("t").output("y").value()).isEqualTo("4.0");
    ExecutionResult again = pipelines().run(p, Map.of());
    assertThat(again.step("s").cacheHit()).as("the 11-digit epoch's result is found").isTrue();
  }

  /** Reads a stored entry for assertions. */
  static JsonNode read(ObjectStore store, String key) {
    try {
      return Json.MAPPER.readTree(store.get(key).orElseThrow());
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
