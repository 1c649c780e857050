package dev.mlops.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mlops.ApprovalStatus;
import dev.mlops.ArtifactRef;
import dev.mlops.CorruptDataException;
import dev.mlops.Digest;
import dev.mlops.LogAnchor;
import dev.mlops.NotFoundException;
import dev.mlops.Registration;
import dev.mlops.RunId;
import dev.mlops.VerifyReport;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** What the registry detects in stored bytes, and what it must not take for corruption. */
class RegistryIntegrityTest {
  private final FaultyListingStore store = new FaultyListingStore();
  private final List<CoreWorkspace> open = new ArrayList<>();

  private CoreWorkspace workspace() {
    CoreWorkspace ws = CoreWorkspace.builder(store).actor("alice").checkpointInterval(10).build();
    open.add(ws);
    return ws;
  }

  @AfterEach
  void closeAll() {
    open.forEach(CoreWorkspace::close);
  }

  private static String logKey(String model, long seq) {
    return "models/" + model + "/log/" + String.format("%020d", seq) + ".json";
  }

  private static String checkpointKey(String model, long seq) {
    return "models/" + model + "/checkpoints/" + String.format("%020d", seq) + ".json";
  }

  private void replace(String key, byte[] bytes) {
    assertThat(store.delete(key)).as("deleted %s", key).isTrue();
    store.create(key, bytes);
  }

  private String text(String key) {
    return new String(store.get(key).orElseThrow(), StandardCharsets.UTF_8);
  }

  @Test
  void aListingThatSkipsAnEntryIsNotCorruption() {
    CoreWorkspace ws = workspace();
    for (int i = 0; i < 5; i++) {
      ws.registry().register("m", Registration.builder().build());
    }
    // every listing of the log hides entry 3, as a directory read racing a create can
    AtomicInteger hidden = new AtomicInteger();
    store.listingFault((prefix, keys) -> {
      if (keys.remove(logKey("m", 3))) {
        hidden.incrementAndGet();
      }
      return keys;
    });
    CoreWorkspace cold = workspace();
    assertThat(cold.registry().versions("m")).hasSize(5);
    assertThat(cold.registry().history("m")).hasSize(5);
    VerifyReport report = cold.registry().verify("m");
    assertThat(report.ok()).as("%s", report).isTrue();
    assertThat(report.entriesChecked()).isEqualTo(5);
    assertThat(cold.registry().register("m", Registration.builder().build()).version()).isEqualTo(6);
    assertThat(hidden.get()).isPositive();
  }

  @Test
  void aDeletedEntryIsStillReportedWhenListingsAreUnreliable() {
    CoreWorkspace ws = workspace();
    for (int i = 0; i < 5; i++) {
      ws.registry().register("m", Registration.builder().build());
    }
    assertThat(store.delete(logKey("m", 3))).isTrue();
    VerifyReport report = workspace().registry().verify("m");
    assertThat(report.brokenKey()).contains(logKey("m", 3));
    assertThat(report.problem().orElseThrow()).contains("missing");
    assertThatThrownBy(() -> workspace().registry().versions("m")).isInstanceOf(CorruptDataException.class)
        .hasMessageContaining(logKey("m", 3));
  }

  @Test
  void foreignFilesInALogDirectoryAreIgnored() {
    CoreWorkspace ws = workspace();
    ws.registry().register("m", Registration.builder().build());
    store.create("models/m/log/README", "notes".getBytes(StandardCharsets.UTF_8));
    store.create("models/m/checkpoints/README", "notes".getBytes(StandardCharsets.UTF_8));
    CoreWorkspace cold = workspace();
    assertThat(cold.registry().versions("m")).hasSize(1);
    assertThat(cold.registry().verify("m").ok()).isTrue();
    assertThat(cold.registry().register("m", Registration.builder().build()).version()).isEqualTo(2);
  }

  /** 10 commands with interval 10: checkpoint of entry 10, recorded by entry 11. */
  private void historyWithACheckpoint(CoreWorkspace ws) {
    ws.registry().register("m", Registration.builder().build());
    ws.registry().register("m", Registration.builder().build());
    ws.registry().reject("m", 1, "bob", "leaks the label");
    for (int i = 0; i < 7; i++) {
      ws.registry().update("m", 2, Map.of("k", "v" + i), java.util.Optional.empty());
    }
    assertThat(store.get(checkpointKey("m", 10))).isPresent();
    assertThat(text(logKey("m", 11))).contains("\"type\":\"CHECKPOINT\"").contains("\"checkpoint\":10");
  }

  @Test
  void anEditedCheckpointIsRefusedByReadsNotTrusted() {
    historyWithACheckpoint(workspace());
    String cp = checkpointKey("m", 10);
    String edited = text(cp).replace("\"REJECTED\"", "\"APPROVED\"");
    assertThat(edited).isNotEqualTo(text(cp));
    replace(cp, edited.getBytes(StandardCharsets.UTF_8));

    CoreWorkspace cold = workspace();
    assertThatThrownBy(() -> cold.registry().versions("m")).isInstanceOf(CorruptDataException.class)
        .hasMessageContaining(cp).hasMessageContaining("altered");
    assertThatThrownBy(() -> cold.registry().setAlias("m", "prod", 1)).isInstanceOf(CorruptDataException.class);
    VerifyReport report = cold.registry().verify("m");
    assertThat(report.brokenKey()).contains(cp);
  }

  @Test
  void aCheckpointWithARewrittenHashFieldIsRefused() {
    historyWithACheckpoint(workspace());
    String cp = checkpointKey("m", 10);
    String entry9 = new String(store.get(logKey("m", 9)).orElseThrow(), StandardCharsets.UTF_8);
    String hash9 = entry9.substring(entry9.length() - 66, entry9.length() - 2);
    String edited = text(cp).replaceAll("\"hash\":\"[0-9a-f]{64}\"", "\"hash\":\"" + hash9 + "\"");
    replace(cp, edited.getBytes(StandardCharsets.UTF_8));
    assertThatThrownBy(() -> workspace().registry().versions("m")).isInstanceOf(CorruptDataException.class)
        .hasMessageContaining(cp);
  }

  @Test
  void aColdReaderUsesTheRecordedCheckpointAndAgreesWithAFullReplay() {
    CoreWorkspace ws = workspace();
    historyWithACheckpoint(ws);
    // remove the checkpoint: readers replay the log, results are the same, verify reports the deletion
    List<?> viaCheckpoint = workspace().registry().versions("m");
    assertThat(viaCheckpoint).isEqualTo(ws.registry().versions("m"));
    assertThat(workspace().registry().get("m", 1).status()).isEqualTo(ApprovalStatus.REJECTED);
    assertThat(store.delete(checkpointKey("m", 10))).isTrue();
    assertThat(workspace().registry().versions("m")).isEqualTo(viaCheckpoint);
    VerifyReport report = workspace().registry().verify("m");
    assertThat(report.brokenKey()).contains(checkpointKey("m", 10));
    assertThat(report.problem().orElseThrow()).contains("deleted");
  }

  @Test
  void anUnrecordedCheckpointIsPassedOver() {
    CoreWorkspace ws = workspace();
    for (int i = 0; i < 3; i++) {
      ws.registry().register("m", Registration.builder().build());
    }
    // a checkpoint nobody recorded in the log (a writer died in between, or it was planted)
    String planted = "{\"format\":2,\"model\":\"m\",\"seq\":3,\"hash\":\"" + "0".repeat(64)
        + "\",\"versions\":[],\"aliases\":{}}";
    store.create(checkpointKey("m", 3), planted.getBytes(StandardCharsets.UTF_8));
    assertThat(workspace().registry().versions("m")).hasSize(3);
  }

  @Test
  void verifyIsNotFooledByACheckpointWrittenAfterItReadTheLog() {
    CoreWorkspace ws = workspace();
    for (int i = 0; i < 8; i++) {
      ws.registry().register("m", Registration.builder().build());
    }
    // right after verify lists the log, another writer adds entries and a checkpoint
    CoreWorkspace other = workspace();
    store.afterFirstListingOf("models/m/log/", () -> {
      for (int i = 0; i < 4; i++) {
        other.registry().register("m", Registration.builder().build());
      }
    });
    VerifyReport report = workspace().registry().verify("m");
    assertThat(store.get(checkpointKey("m", 10))).isPresent();
    assertThat(report.ok()).as("%s", report).isTrue();
    assertThat(report.entriesChecked()).isGreaterThanOrEqualTo(10);
  }

  @Test
  void removedNewestEntriesAreCaughtByACheckpointBeyondTheLogOrByAnAnchor() {
    CoreWorkspace ws = workspace();
    historyWithACheckpoint(ws);
    VerifyReport clean = ws.registry().verify("m");
    LogAnchor anchor = clean.head().orElseThrow();
    assertThat(anchor.seq()).isEqualTo(11);

    // remove entry 11 only: the chain alone cannot tell (the limit of an unanchored log) ...
    assertThat(store.delete(logKey("m", 11))).isTrue();
    assertThat(workspace().registry().verify("m").ok()).isTrue();
    // ... an anchor kept outside the store can
    VerifyReport anchored = workspace().registry().verify("m", anchor);
    assertThat(anchored.brokenKey()).contains(logKey("m", 11));
    assertThat(anchored.problem().orElseThrow()).contains("truncated");

    // remove entries 9 and 10 as well: the checkpoint of entry 10 is now beyond the log
    for (long seq = 10; seq >= 9; seq--) {
      assertThat(store.delete(logKey("m", seq))).isTrue();
    }
    VerifyReport truncated = workspace().registry().verify("m");
    assertThat(truncated.brokenKey()).contains(checkpointKey("m", 10));
    assertThat(truncated.problem().orElseThrow()).contains("removed");
    assertThat(LogAnchor.parse(anchor.toString())).isEqualTo(anchor);
  }

  @Test
  void aDeletedIndexMarkerIsReported() {
    workspace().registry().register("m", Registration.builder().build());
    assertThat(store.delete("registry/models/m")).isTrue();
    CoreWorkspace cold = workspace();
    assertThat(cold.registry().models()).isEmpty();
    VerifyReport report = cold.registry().verify("m");
    assertThat(report.brokenKey()).contains("registry/models/m");
  }

  @Test
  void registrationsThatReferToNothingAreRefusedAndStoreNothing() {
    CoreWorkspace ws = workspace();
    ArtifactRef weights = ws.artifacts().put("weights".getBytes(StandardCharsets.UTF_8));
    List<String> before = store.listAll("").toList();
    assertThatThrownBy(() -> ws.registry().register("m", Registration.builder().trainingRun(RunId.of("no-such-run")).build()))
        .isInstanceOf(NotFoundException.class).hasMessageContaining("no-such-run");
    ArtifactRef absent = new ArtifactRef(Digest.of("other".getBytes(StandardCharsets.UTF_8)), 5,
        ArtifactRef.DEFAULT_MEDIA_TYPE, Map.of());
    assertThatThrownBy(() -> ws.registry().register("m", Registration.builder().artifact("model.bin", absent).build()))
        .isInstanceOf(NotFoundException.class).hasMessageContaining("model.bin").hasMessageContaining(absent.digest().toString());
    ArtifactRef wrongSize = new ArtifactRef(weights.digest(), weights.size() + 1, weights.mediaType(), Map.of());
    assertThatThrownBy(() -> ws.registry().register("m", Registration.builder().artifact("model.bin", wrongSize).build()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(String.valueOf(weights.size()));
    assertThat(store.listAll("").toList()).isEqualTo(before);

    RunId run = ws.experiments().startRun("training").id();
    assertThat(ws.registry().register("m", Registration.builder().trainingRun(run).artifact("model.bin", weights).build())
        .version()).isEqualTo(1);
    // a version without artifacts is allowed (weights kept elsewhere, referenced by tags)
    assertThat(ws.registry().register("m", Registration.builder().tag("uri", "s3://models/m/2").build()).version())
        .isEqualTo(2);
  }

  @Test
  void manyCheckpointsUnderConcurrentWritersVerifyClean() throws Exception {
    CoreWorkspace a = workspace();
    CoreWorkspace b = workspace();
    // flaky listings on top: one listing in five hides its last key
    AtomicInteger calls = new AtomicInteger();
    store.listingFault((prefix, keys) -> {
      if (!keys.isEmpty() && calls.incrementAndGet() % 5 == 0) {
        keys.remove(keys.size() - 1);
      }
      return keys;
    });
    Thread t = new Thread(() -> IntStream.range(0, 150).forEach(i -> a.registry().register("m", Registration.builder().build())));
    t.start();
    for (int i = 0; i < 150; i++) {
      b.registry().register("m", Registration.builder().build());
      if (i % 25 == 0) {
        VerifyReport r = b.registry().verify("m");
        assertThat(r.ok()).as("%s", r).isTrue();
      }
    }
    t.join();
    // a listing that misses the newest entry only makes a read stale, never wrong; once listings
    // are whole again (as a real directory's are when no create is in flight) a cold reader sees all
    store.listingFault((prefix, keys) -> keys);
    assertThat(workspace().registry().versions("m")).hasSize(300);
    assertThat(workspace().registry().verify("m").ok()).isTrue();
  }
}
