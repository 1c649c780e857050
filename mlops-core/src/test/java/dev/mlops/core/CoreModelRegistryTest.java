package dev.mlops.core;

import dev.mlops.testkit.SharedStore;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mlops.AliasCondition;
import dev.mlops.ApprovalStatus;
import dev.mlops.ArtifactRef;
import dev.mlops.ConflictException;
import dev.mlops.CorruptDataException;
import dev.mlops.ModelVersion;
import dev.mlops.Mlops;
import dev.mlops.NotFoundException;
import dev.mlops.Registration;
import dev.mlops.VerifyReport;
import dev.mlops.Workspace;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class CoreModelRegistryTest {
  private final MemObjectStore store = new MemObjectStore();
  private final CoreWorkspace ws = CoreWorkspace.builder(store).actor("alice").checkpointInterval(10).build();

  @AfterEach
  void close() {
    ws.close();
  }

  @Test
  void aRefreshDueAfterTheWorkspaceClosedDoesNotFailOnTheClosedStore() throws Exception {
    java.util.logging.Logger caffeine = java.util.logging.Logger.getLogger("com.github.benmanes.caffeine.cache.BoundedLocalCache");
    List<java.util.logging.LogRecord> warnings = new java.util.concurrent.CopyOnWriteArrayList<>();
    java.util.logging.Handler capture = new java.util.logging.Handler() {
      @Override
      public void publish(java.util.logging.LogRecord r) {
        warnings.add(r);
      }

      @Override
      public void flush() {
      }

      @Override
      public void close() {
      }
    };
    caffeine.addHandler(capture);
    try {
      MemObjectStore own = new MemObjectStore();
      CoreWorkspace fast = CoreWorkspace.builder(own).actor("alice").refreshInterval(Duration.ofMillis(1)).build();
      fast.registry().register("fraud", Registration.builder().build());
      assertThat(fast.registry().resolve("fraud@latest").version()).isEqualTo(1);
      fast.close();
      Thread.sleep(20);
      fast.registry().find("fraud@latest"); // due for refresh: Caffeine reloads in the background
      Thread.sleep(200);
      assertThat(warnings).extracting(java.util.logging.LogRecord::getMessage).isEmpty();
    } finally {
      caffeine.removeHandler(capture);
    }
  }

  @Test
  void registersResolvesAndReviews() {
    ArtifactRef model = ws.artifacts().put("weights".getBytes(StandardCharsets.UTF_8));
    ModelVersion v1 = ws.registry().register("fraud", Registration.builder().artifact("model.bin", model)
        .description("first").tag("team", "risk").build());
    assertThat(v1.version()).isEqualTo(1);
    assertThat(v1.status()).isEqualTo(ApprovalStatus.PENDING_MANUAL_APPROVAL);
    assertThat(v1.createdBy()).isEqualTo("alice");
    ws.registry().register("fraud", Registration.builder().parentVersion(1).build());
    assertThatThrownBy(() -> ws.registry().setAlias("fraud", "production", 1))
        .isInstanceOf(ConflictException.class).hasMessageContaining("PENDING_MANUAL_APPROVAL");
    ModelVersion approved = ws.registry().approve("fraud", 1, "bob", "looks good");
    ws.registry().setAlias("fraud", "production", 1);
    assertThat(ws.registry().resolve("fraud@production").version()).isEqualTo(1);
    assertThat(ws.registry().resolve("fraud@latest").version()).isEqualTo(2);
    assertThat(ws.registry().resolve("fraud/2").lineage().parentVersion()).contains(1);
    assertThat(ws.registry().find("fraud@staging")).isEmpty();
    assertThat(ws.registry().find("nope/1")).isEmpty();

    assertThat(approved.status()).isEqualTo(ApprovalStatus.APPROVED);
    assertThat(approved.approval().orElseThrow().actor()).isEqualTo("bob");
    assertThat(ws.registry().get("fraud", 1).aliases()).containsExactly("production");
    assertThatThrownBy(() -> ws.registry().reject("fraud", 1, "eve", "no"))
        .isInstanceOf(ConflictException.class).hasMessageContaining("already decided");
    ws.registry().reject("fraud", 2, "bob", "worse");
    assertThatThrownBy(() -> ws.registry().setAlias("fraud", "staging", 2))
        .isInstanceOf(ConflictException.class).hasMessageContaining("REJECTED");
    assertThatThrownBy(() -> ws.registry().setAlias("fraud", "latest", 1))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("reserved");
    assertThatThrownBy(() -> ws.registry().register("fraud", Registration.builder().parentVersion(9).build()))
        .isInstanceOf(NotFoundException.class);
    assertThat(ws.registry().models()).containsExactly("fraud");
    assertThat(ws.registry().history("fraud")).extracting(e -> e.type())
        .containsExactly("REGISTER_VERSION", "REGISTER_VERSION", "REVIEW", "SET_ALIAS", "REVIEW");
    assertThat(ws.registry().verify("fraud").ok()).isTrue();
  }

  @Test
  void aliasesMayPointAtPendingVersionsWhenTheWorkspaceAllowsIt() {
    try (CoreWorkspace lax = CoreWorkspace.builder(SharedStore.of(store)).aliasesRequireApproval(false).build()) {
      lax.registry().register("m", Registration.builder().build());
      lax.registry().setAlias("m", "staging", 1);
      assertThat(lax.registry().resolve("m@staging").status()).isEqualTo(ApprovalStatus.PENDING_MANUAL_APPROVAL);
      assertThatThrownBy(() -> lax.registry().reject("m", 1, "bob", "no"))
          .isInstanceOf(ConflictException.class).hasMessageContaining("staging");
      lax.registry().register("m", Registration.builder().build());
      lax.registry().reject("m", 2, "bob", "worse");
      assertThatThrownBy(() -> lax.registry().setAlias("m", "staging", 2))
          .isInstanceOf(ConflictException.class).hasMessageContaining("REJECTED");
    }
    // the default workspace on the same store still refuses a pending target
    ws.registry().register("m", Registration.builder().build());
    assertThatThrownBy(() -> ws.registry().moveAlias("m", "staging", 1, 3)).isInstanceOf(ConflictException.class);
  }

  @Test
  void concurrentRegistrationsGetGapFreeVersions() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(8);
    CountDownLatch start = new CountDownLatch(1);
    List<Future<List<Integer>>> futures = new ArrayList<>();
    for (int t = 0; t < 8; t++) {
      futures.add(pool.submit(() -> {
        start.await();
        List<Integer> mine = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
          mine.add(ws.registry().register("m", Registration.builder().build()).version());
        }
        return mine;
      }));
    }
    start.countDown();
    List<Integer> all = new ArrayList<>();
    for (Future<List<Integer>> f : futures) {
      all.addAll(f.get());
    }
    pool.shutdown();
    assertThat(all).containsExactlyInAnyOrderElementsOf(IntStream.rangeClosed(1, 800).boxed().toList());
    assertThat(ws.registry().versions("m")).hasSize(800);
    VerifyReport r = ws.registry().verify("m");
    assertThat(r.ok()).as(r.toString()).isTrue();
    // every command plus one CHECKPOINT entry per stored checkpoint
    assertThat(r.entriesChecked()).isBetween(800L, 800L + 800 / 8 + 1);
    assertThat(ws.registry().history("m")).hasSize(800);
    // a cold reader starts from the newest checkpoint and agrees
    try (Workspace other = CoreWorkspace.builder(SharedStore.of(store)).build()) {
      assertThat(other.registry().versions("m")).isEqualTo(ws.registry().versions("m"));
    }
  }

  @Test
  void racingAliasMovesLoseNoUpdate() throws Exception {
    for (int i = 1; i <= 5; i++) {
      ws.registry().register("m", Registration.builder().build());
      ws.registry().approve("m", i, "bob", "");
    }
    ws.registry().setAlias("m", "prod", 1, AliasCondition.absent());
    ExecutorService pool = Executors.newFixedThreadPool(8);
    List<Future<List<int[]>>> futures = new ArrayList<>();
    for (int t = 0; t < 8; t++) {
      futures.add(pool.submit(() -> {
        List<int[]> moves = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
          int seen = ws.registry().resolve("m@prod").version();
          int next = seen % 5 + 1;
          try {
            ws.registry().moveAlias("m", "prod", seen, next);
            moves.add(new int[] {seen, next});
          } catch (ConflictException lost) {
            // someone moved it since we read it: fine
          }
        }
        return moves;
      }));
    }
    int successes = 0;
    for (Future<List<int[]>> f : futures) {
      successes += f.get().size();
    }
    pool.shutdown();
    var moves = ws.registry().history("m").stream().filter(e -> e.type().equals("SET_ALIAS")).toList();
    assertThat(moves).hasSize(successes + 1);
    // each move started from where the previous one left the alias
    for (int i = 1; i < moves.size(); i++) {
      assertThat(moves.get(i).details().get("previous")).isEqualTo(moves.get(i - 1).details().get("version"));
    }
    assertThat(String.valueOf(ws.registry().resolve("m@prod").version()))
        .isEqualTo(moves.get(moves.size() - 1).details().get("version"));
  }

  @Test
  void verifyNamesAlteredAndMissingEntries() {
    for (int i = 0; i < 12; i++) {
      ws.registry().register("m", Registration.builder().description("v" + i).build());
    }
    String key = "models/m/log/00000000000000000005.json";
    byte[] orig = store.get(key).orElseThrow();
    byte[] bad = orig.clone();
    int i = new String(bad, StandardCharsets.UTF_8).indexOf("\"v4\"") + 2;
    bad[i] = (byte) '9';
    store.delete(key);
    store.create(key, bad);
    VerifyReport r = ws.registry().verify("m");
    assertThat(r.ok()).isFalse();
    assertThat(r.brokenKey()).contains(key);

    store.delete(key);
    VerifyReport missing = ws.registry().verify("m");
    assertThat(missing.brokenKey()).contains(key);
    assertThat(missing.problem().orElseThrow()).contains("missing");
    store.create(key, orig);
    assertThat(ws.registry().verify("m").ok()).isTrue();
  }

  @Test
  void corruptBlobFailsOnRead() {
    ArtifactRef ref = ws.artifacts().put("hello world".getBytes(StandardCharsets.UTF_8));
    String key = CoreArtifacts.blobKey(ref.digest());
    byte[] b = store.get(key).orElseThrow();
    b[0] ^= 1;
    store.delete(key);
    store.create(key, b);
    assertThatThrownBy(() -> ws.artifacts().read(ref.digest()))
        .isInstanceOf(CorruptDataException.class).hasMessageContaining(ref.digest().toString());
  }

  @Test
  void workspaceOpensThroughServiceLoader() {
    try (Workspace w = Mlops.open("mem:")) {
      assertThat(w.registry().models()).isEmpty();
      assertThat(w.uri()).isEqualTo(URI.create("mem:/"));
    }
    assertThatThrownBy(() -> Mlops.open("nope:x")).hasMessageContaining("installed schemes")
        .hasMessageContaining("mem");
    assertThatThrownBy(() -> Mlops.open("mem:?x=1")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("unknown parameter 'x'");
  }

  @Test
  void updatesTagsAndDescription() {
    ws.registry().register("m", Registration.builder().tag("a", "1").build());
    ModelVersion v = ws.registry().update("m", 1, Map.of("b", "2", "a", ""), Optional.of("new"));
    assertThat(v.tags()).isEqualTo(Map.of("b", "2"));
    assertThat(v.description()).isEqualTo("new");
    assertThat(CoreWorkspace.builder(SharedStore.of(store)).refreshInterval(Duration.ofMillis(1)).build()
        .registry().get("m", 1).tags()).isEqualTo(Map.of("b", "2"));
  }
}
