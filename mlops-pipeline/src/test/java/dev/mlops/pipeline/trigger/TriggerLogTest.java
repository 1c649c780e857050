package dev.mlops.pipeline.trigger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mlops.CorruptDataException;
import dev.mlops.core.MemObjectStore;
import dev.mlops.core.internal.HashChainedLog;
import dev.mlops.core.internal.Json;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Stored trigger records and claims are untrusted on read. */
class TriggerLogTest {
  private static final Instant T0 = Instant.parse("2026-01-05T10:00:00Z");
  private static final String LOG = "pipeline-triggers/fraud/log";

  private final MemObjectStore store = new MemObjectStore();
  private final TestClock clock = new TestClock(T0);
  private final StoreRecordingLauncher launcher = new StoreRecordingLauncher(store, "fraud");

  @AfterEach
  void close() {
    store.close();
  }

  private Triggers triggers() {
    return Triggers.builder(store).clock(clock).instance("a").build();
  }

  private ObjectNode validBody() {
    ObjectNode body = Json.MAPPER.createObjectNode();
    body.put("v", 1);
    body.put("at", T0.toString());
    body.put("pipeline", "fraud");
    body.put("trigger", "drift");
    body.put("source", "ALARM");
    body.put("event", "w1-2");
    body.put("cause", "test");
    body.put("outcome", "COOLDOWN");
    body.put("reason", "test");
    body.put("instance", "x");
    return body;
  }

  @Test
  void aValidStoredRecordIsRead() {
    new HashChainedLog(store, LOG).append(0, HashChainedLog.GENESIS, validBody());
    TriggerRecord r = triggers().history("fraud").get(0);
    assertThat(r.seq()).isEqualTo(1);
    assertThat(r.outcome()).isEqualTo(TriggerOutcome.COOLDOWN);
    assertThat(r.executionId()).isEmpty();
  }

  @Test
  void anEntryThatIsNotJsonIsCorruptNamingItsKey() {
    String key = new HashChainedLog(store, LOG).keyOf(1);
    store.create(key, "{not json".getBytes(StandardCharsets.UTF_8));
    assertThatThrownBy(() -> triggers().history("fraud")).isInstanceOf(CorruptDataException.class)
        .hasMessageContaining(key);
  }

  @Test
  void anUnknownOutcomeIsCorruptNamingTheKey() {
    ObjectNode body = validBody();
    body.put("outcome", "EXPLODED");
    String key = new HashChainedLog(store, LOG).append(0, HashChainedLog.GENESIS, body).key();
    assertThatThrownBy(() -> triggers().history("fraud")).isInstanceOf(CorruptDataException.class)
        .hasMessageContaining(key).hasMessageContaining("EXPLODED");
  }

  @Test
  void aNewerFormatVersionIsRefusedNamingTheKey() {
    ObjectNode body = validBody();
    body.put("v", 2);
    String key = new HashChainedLog(store, LOG).append(0, HashChainedLog.GENESIS, body).key();
    assertThatThrownBy(() -> triggers().history("fraud")).isInstanceOf(CorruptDataException.class)
        .hasMessageContaining(key).hasMessageContaining("format version 2");
  }

  @Test
  void missingFieldsAndBadTimesAreCorrupt() {
    ObjectNode noCause = validBody();
    noCause.remove("cause");
    String key = new HashChainedLog(store, LOG).append(0, HashChainedLog.GENESIS, noCause).key();
    assertThatThrownBy(() -> triggers().history("fraud")).isInstanceOf(CorruptDataException.class)
        .hasMessageContaining(key).hasMessageContaining("'cause'");

    MemObjectStore other = new MemObjectStore();
    ObjectNode badTime = validBody();
    badTime.put("at", "yesterday");
    new HashChainedLog(other, LOG).append(0, HashChainedLog.GENESIS, badTime);
    assertThatThrownBy(() -> Triggers.builder(other).build().history("fraud")).isInstanceOf(CorruptDataException.class)
        .hasMessageContaining("invalid time in 'at': yesterday");
  }

  @Test
  void aFiredRecordWithoutExecutionIsCorrupt() {
    ObjectNode body = validBody();
    body.put("outcome", "FIRED");
    body.remove("reason");
    String key = new HashChainedLog(store, LOG).append(0, HashChainedLog.GENESIS, body).key();
    assertThatThrownBy(() -> triggers().history("fraud")).isInstanceOf(CorruptDataException.class)
        .hasMessageContaining(key).hasMessageContaining("execution id");
  }

  @Test
  void anEditedRecordBreaksTheChain() {
    Triggers triggers = triggers();
    AlarmTrigger trigger = triggers.onAlarm("drift", launcher, TriggerPolicy.defaults());
    trigger.handle(Alarms.window(T0, true));
    assertThat(triggers.verify("fraud").ok()).isTrue();
    String key = new HashChainedLog(store, LOG).keyOf(1);
    byte[] stored = store.get(key).orElseThrow();
    store.delete(key);
    store.create(key, new String(stored, StandardCharsets.UTF_8).replace("FIRED", "FAILED").getBytes(StandardCharsets.UTF_8));

    assertThat(triggers.verify("fraud").brokenKey()).contains(key);
    assertThatThrownBy(() -> triggers().history("fraud")).isInstanceOf(CorruptDataException.class).hasMessageContaining(key);
  }

  @Test
  void anUnreadableClaimIsCorruptNamingItsKey() {
    Triggers triggers = triggers();
    AlarmTrigger trigger = triggers.onAlarm("drift", launcher, TriggerPolicy.defaults());
    String claim = "pipeline-triggers/fraud/claims/drift/w" + T0.toEpochMilli() + "-" + T0.toEpochMilli();
    store.create(claim, "[]".getBytes(StandardCharsets.UTF_8));
    assertThatThrownBy(() -> trigger.handle(Alarms.window(T0, true))).isInstanceOf(CorruptDataException.class)
        .hasMessageContaining(claim);
    assertThat(launcher.started()).isEmpty();
  }

  @Test
  void historyMergesEveryTriggerAndProcessInLogOrder() {
    Triggers a = triggers();
    Triggers b = Triggers.builder(store).clock(clock).instance("b").build();
    a.onAlarm("drift", launcher, TriggerPolicy.defaults().withMaxConcurrent(10)).handle(Alarms.window(T0, true));
    clock.set(Instant.parse("2026-01-05T11:00:00Z"));
    ScheduleTrigger hourly = b.onSchedule("hourly", launcher, Schedule.fixedRate(java.time.Duration.ofHours(1)),
        TriggerPolicy.defaults().withMaxConcurrent(10));
    clock.set(Instant.parse("2026-01-05T12:00:00Z"));
    hourly.poll();

    assertThat(a.history("fraud")).extracting(TriggerRecord::seq, TriggerRecord::trigger, TriggerRecord::instance)
        .containsExactly(org.assertj.core.groups.Tuple.tuple(1L, "drift", "a"),
            org.assertj.core.groups.Tuple.tuple(2L, "hourly", "b"));
    assertThat(a.history("other")).isEmpty();
  }

  @Test
  void fieldsOfTheWrongTypeAreCorruptNamingTheKeyAndTheField() throws Exception {
    String[][] cases = {{"v", "\"1\""}, {"at", "5"}, {"execution", "42"}, {"source", "3"}, {"outcome", "null"},
        {"reason", "[]"}, {"instance", "{}"}, {"trigger", "\"bad name\""}};
    for (String[] c : cases) {
      MemObjectStore other = new MemObjectStore();
      ObjectNode body = validBody();
      body.set(c[0], Json.MAPPER.readTree(c[1]));
      String key = new HashChainedLog(other, LOG).append(0, HashChainedLog.GENESIS, body).key();
      assertThatThrownBy(() -> Triggers.builder(other).build().history("fraud")).as(c[0] + " = " + c[1])
          .isInstanceOf(CorruptDataException.class).hasMessageContaining(key);
    }
  }

  @Test
  void aTruncatedEntryIsCorruptNamingItsKeyAndAFiringIsRefusedNotLost() {
    Triggers triggers = triggers();
    AlarmTrigger trigger = triggers.onAlarm("drift", launcher, TriggerPolicy.defaults().withMaxConcurrent(10));
    trigger.handle(Alarms.window(T0, true));
    String key = new HashChainedLog(store, LOG).keyOf(1);
    byte[] stored = store.get(key).orElseThrow();
    store.delete(key);
    store.create(key, java.util.Arrays.copyOf(stored, stored.length / 2));

    assertThatThrownBy(() -> triggers().history("fraud")).isInstanceOf(CorruptDataException.class)
        .hasMessageContaining(key);
    // a new process cannot read the log its cooldown needs: it refuses, naming the key, and starts nothing
    AlarmTrigger fresh = triggers().onAlarm("drift", launcher, TriggerPolicy.defaults().withMaxConcurrent(10));
    assertThatThrownBy(() -> fresh.handle(Alarms.window(T0.plusSeconds(60), true)))
        .isInstanceOf(CorruptDataException.class).hasMessageContaining(key);
    assertThat(launcher.started()).hasSize(1);
  }

  @Test
  void aTruncatedClaimIsCorruptNamingItsKey() {
    AlarmTrigger trigger = triggers().onAlarm("drift", launcher, TriggerPolicy.defaults());
    TriggerRecord first = trigger.handle(Alarms.window(T0, true)).orElseThrow();
    String claim = "pipeline-triggers/fraud/claims/drift/" + first.event();
    byte[] stored = store.get(claim).orElseThrow();
    store.delete(claim);
    store.create(claim, java.util.Arrays.copyOf(stored, stored.length - 3));

    assertThatThrownBy(() -> trigger.handle(Alarms.window(T0, true))).isInstanceOf(CorruptDataException.class)
        .hasMessageContaining(claim);
    assertThat(launcher.started()).hasSize(1);
  }

  @Test
  void anEntryOfAnotherPipelinesLogIsCorruptNamingTheKey() {
    Triggers triggers = triggers();
    StoreRecordingLauncher churn = new StoreRecordingLauncher(store, "churn");
    triggers.onAlarm("drift", churn, TriggerPolicy.defaults()).handle(Alarms.window(T0, true));
    byte[] churnEntry = store.get(new HashChainedLog(store, "pipeline-triggers/churn/log").keyOf(1)).orElseThrow();
    String key = new HashChainedLog(store, LOG).keyOf(1);
    store.create(key, churnEntry); // a chain-valid first entry, but of another pipeline

    assertThatThrownBy(() -> triggers().history("fraud")).isInstanceOf(CorruptDataException.class)
        .hasMessageContaining(key).hasMessageContaining("'churn'");
  }
}
