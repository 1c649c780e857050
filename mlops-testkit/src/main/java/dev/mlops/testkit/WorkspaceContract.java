package dev.mlops.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.mlops.AlreadyExistsException;
import dev.mlops.AliasCondition;
import dev.mlops.ApprovalStatus;
import dev.mlops.ArtifactRef;
import dev.mlops.ArtifactSpec;
import dev.mlops.Artifacts;
import dev.mlops.AuditEntry;
import dev.mlops.ConflictException;
import dev.mlops.CorruptDataException;
import dev.mlops.DatasetInput;
import dev.mlops.Digest;
import dev.mlops.Experiments;
import dev.mlops.Lineage;
import dev.mlops.MetricPoint;
import dev.mlops.Mlops;
import dev.mlops.ModelQuery;
import dev.mlops.ModelRegistry;
import dev.mlops.ModelVersion;
import dev.mlops.Names;
import dev.mlops.NotFoundException;
import dev.mlops.Provenance;
import dev.mlops.Registration;
import dev.mlops.Run;
import dev.mlops.RunId;
import dev.mlops.RunInfo;
import dev.mlops.RunPage;
import dev.mlops.RunQuery;
import dev.mlops.RunStatus;
import dev.mlops.VerifyReport;
import dev.mlops.Workspace;
import dev.mlops.spi.ObjectStore;
import dev.mlops.spi.StoreCapabilities;
import java.io.ByteArrayInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The compatibility kit for whole workspaces: everything a user relies on from
 * {@link Artifacts}, {@link ModelRegistry}, {@link Experiments} and {@link Run}, checked through
 * the public API over a backend's {@link ObjectStore}. The semantics are written once in
 * {@code mlops-core}, so this suite is the proof that a backend's store carries them: every backend
 * runs it unchanged through a small subclass, and no test is disabled for a backend.
 *
 * <pre>{@code
 * class FsWorkspaceContractTest extends WorkspaceContract {
 *   private Path root; // not @TempDir: the jqwik properties call newStore() too, see below
 *   private final AtomicInteger n = new AtomicInteger();
 *
 *   @Override protected ObjectStore newStore() {
 *     return FsObjectStore.builder().root(root().resolve("w" + n.incrementAndGet())).build();
 *   }
 *
 *   @Override protected ObjectStore openAgain(ObjectStore store) {
 *     return FsObjectStore.builder().root(((FsObjectStore) store).root()).build();
 *   }
 *
 *   private Path root() { // created lazily, deleted by the build's clean
 *     return root != null ? root : (root = Path.of("target", "kit-" + UUID.randomUUID()));
 *   }
 * }
 * }</pre>
 *
 * <p>Each test takes a fresh store from {@link #newStore()} and opens {@link #workspace} over it
 * with {@link #openWorkspace}; the kit keeps {@link #store} — the raw store — to check what was
 * stored (key counts, nothing stored on bad input) and to damage it on purpose (a flipped byte in a
 * blob or a log entry). A second workspace over the same store object (its own caches, as a second
 * process would have) comes from {@link #openSecondWorkspace()}. Tests that depend on what a
 * backend declares in {@link StoreCapabilities} branch on it (a persistent store is also reopened).
 *
 * <p>The registry's tamper tests rely on the storage layout that {@code mlops-core} writes for every
 * backend (DESIGN §2): a model's log is the keys under {@code models/<name>/log/}, one immutable JSON
 * entry each, and an artifact's blob is {@code artifacts/sha256/<2 hex>/<62 hex>}.
 *
 * <p>Names are also checked by jqwik properties ({@code modelNamesFollowTheRule},
 * {@code runKeysFollowTheRule}); the jqwik engine runs them for every subclass, but JUnit's
 * {@code @BeforeEach} and {@code @TempDir} do not apply to them: they call {@link #newStore()} and
 * {@link #openWorkspace} themselves, so {@code newStore()} must not depend on Jupiter injection.
 *
 * <p>Volume: full size runs in seconds on {@code mem:}. {@link #scale()} shrinks the volume-heavy
 * tests (concurrent registrations, racing alias moves, metric points, large artifacts) for slow
 * backends; minimum sizes that still exercise each requirement are kept.
 *
 * <p>Not thread-safe; JUnit creates one instance per test.
 */
public abstract class WorkspaceContract {

  /** The raw store under {@link #workspace}: read it to check what was stored, damage it on purpose. */
  protected ObjectStore store;

  /** The workspace under test, over {@link #store}. */
  protected Workspace workspace;

  private final List<AutoCloseable> toClose = new ArrayList<>();

  /** Subclasses only. */
  protected WorkspaceContract() {}

  /**
   * Creates a fresh, empty store on a location no other call has returned. The workspace opened
   * over it owns it; the kit closes it after the test.
   *
   * @return an open, empty store
   */
  protected abstract ObjectStore newStore();

  /**
   * Opens a workspace over a store. The default is {@link Mlops#open(URI, ObjectStore)} with the URI
   * {@code kit:contract}, which finds {@code mlops-core} through {@link java.util.ServiceLoader}.
   *
   * @param store the store; the workspace owns it
   * @return an open workspace
   */
  protected Workspace openWorkspace(ObjectStore store) {
    return Mlops.open(URI.create("kit:contract"), store);
  }

  /**
   * Opens a second store object over the same location as {@code store} (which may be open or
   * closed). Required when {@link StoreCapabilities#persistent()} is declared; see
   * {@link ObjectStoreContract#openAgain}.
   *
   * @param store a store from {@link #newStore()}
   * @return a new, open store object over the same data
   */
  protected ObjectStore openAgain(ObjectStore store) {
    throw new UnsupportedOperationException(getClass().getName() + " declares a persistent store ("
        + store.capabilities() + ") but does not override openAgain(ObjectStore)");
  }

  /**
   * Volume factor for the volume-heavy tests; 1.0 (the default) is full size: 8 threads × 100
   * registrations, 1,000,000 metric points, a 64 MiB artifact. A backend whose every call is a
   * network round trip may return e.g. 0.1.
   *
   * @return a factor in (0, 1]
   */
  protected double scale() {
    return 1.0;
  }

  @BeforeEach
  final void openWorkspaceUnderTest() {
    store = newStore();
    assertThat(store).as("newStore() returned null").isNotNull();
    toClose.add(store);
    workspace = openWorkspace(store);
    toClose.add(0, workspace);
  }

  @AfterEach
  final void closeEverything() throws Exception {
    Exception first = null;
    for (AutoCloseable c : toClose) {
      try {
        c.close();
      } catch (Exception e) {
        if (first == null) {
          first = e;
        }
      }
    }
    toClose.clear();
    if (first != null) {
      throw first;
    }
  }

  /**
   * Opens another workspace over the same store object: its own caches and writers, as a second
   * process would have. Closed after the test; closing it leaves {@link #store} open.
   *
   * @return the second workspace
   */
  protected final Workspace openSecondWorkspace() {
    Workspace w = openWorkspace(new SharedStore(store));
    toClose.add(0, w);
    return w;
  }

  int scaled(int full, int minimum) {
    double s = scale();
    if (!(s > 0 && s <= 1)) {
      throw new IllegalStateException("scale() must be in (0, 1], got " + s);
    }
    return Math.max(minimum, (int) Math.round(full * s));
  }

  ModelRegistry registry() {
    return workspace.registry();
  }

  Experiments experiments() {
    return workspace.experiments();
  }

  List<String> storedKeys() {
    try (Stream<String> keys = store.listAll("")) {
      return keys.toList();
    }
  }

  static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  static Registration plain() {
    return Registration.builder().build();
  }

  /** Replaces a stored object with {@code change} applied to its bytes, as an attacker or a bad disk would. */
  void damage(String key, Function<byte[], byte[]> change) {
    byte[] original = store.get(key).orElseThrow(() -> new AssertionError("no stored object " + key));
    assertThat(store.delete(key)).isTrue();
    store.create(key, change.apply(original.clone()));
  }

  static Function<byte[], byte[]> flipByte(int index) {
    return b -> {
      b[Math.floorMod(index, b.length)] ^= 0x01;
      return b;
    };
  }

  static String blobKey(Digest d) {
    return "artifacts/sha256/" + d.hex().substring(0, 2) + "/" + d.hex().substring(2);
  }

  static String logPrefix(String model) {
    return "models/" + model + "/log/";
  }

  // =============================================================================================

  /** The workspace object itself. */
  @Nested
  @DisplayName("workspace")
  class Workspaces {
    @Test
    @DisplayName("a new workspace is empty")
    void newWorkspaceIsEmpty() {
      assertThat(registry().models()).isEmpty();
      assertThat(experiments().experimentNames()).isEmpty();
      assertThat(workspace.artifacts().find(Digest.of(utf8("nothing")))).isEmpty();
    }

    @Test
    @DisplayName("close is idempotent")
    void closeIsIdempotent() {
      workspace.close();
      assertThatCode(workspace::close).doesNotThrowAnyException();
    }

    @Test
    @DisplayName("two workspaces over one store see each other's commits")
    void twoWorkspacesShareState() {
      Workspace other = openSecondWorkspace();
      registry().register("shared", plain());
      assertThat(other.registry().register("shared", plain()).version()).isEqualTo(2);
      assertThat(registry().register("shared", plain()).version()).isEqualTo(3);
      // a workspace that has not read the model yet sees all of it
      assertThat(openSecondWorkspace().registry().versions("shared")).extracting(ModelVersion::version)
          .containsExactly(1, 2, 3);
      assertThat(other.registry().models()).containsExactly("shared");
    }

    @Test
    @DisplayName("a change made through another workspace reaches cached reads within the refresh interval (polled for up to 30 s)")
    @Timeout(value = 2, unit = TimeUnit.MINUTES)
    void cachedReadsCatchUp() throws InterruptedException {
      Workspace other = openSecondWorkspace();
      registry().register("cached", plain());
      registry().approve("cached", 1, "alice", "");
      registry().setAlias("cached", "prod", 1);
      assertThat(other.registry().resolve("cached@prod").version()).isEqualTo(1); // now cached there
      registry().register("cached", plain());
      registry().approve("cached", 2, "alice", "");
      registry().moveAlias("cached", "prod", 1, 2);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (other.registry().resolve("cached@prod").version() != 2 && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      assertThat(other.registry().resolve("cached@prod").version()).isEqualTo(2);
      assertThat(other.registry().versions("cached")).hasSize(2);
    }
  }

  // =============================================================================================

  /** Content-addressed artifacts. */
  @Nested
  @DisplayName("artifacts")
  class ArtifactStorage {
    Artifacts artifacts() {
      return workspace.artifacts();
    }

    @Test
    @DisplayName("put returns the SHA-256, size, media type and metadata; read returns the bytes")
    void putAndRead() {
      byte[] bytes = utf8("{\"weights\": [1, 2, 3]}");
      ArtifactRef ref = artifacts().put(bytes, new ArtifactSpec("application/json", Map.of("framework", "xgboost")));
      assertThat(ref.digest()).isEqualTo(Digest.of(bytes));
      assertThat(ref.size()).isEqualTo(bytes.length);
      assertThat(ref.mediaType()).isEqualTo("application/json");
      assertThat(ref.metadata()).isEqualTo(Map.of("framework", "xgboost"));
      assertThat(artifacts().read(ref.digest())).isEqualTo(bytes);
      assertThat(artifacts().find(ref.digest())).contains(ref);
      assertThat(artifacts().get(ref.digest())).isEqualTo(ref);
    }

    @Test
    @DisplayName("the same bytes are stored once; find returns the first put's description")
    void sameBytesStoredOnce() {
      byte[] bytes = new byte[256 * 1024];
      new Random(1).nextBytes(bytes);
      ArtifactRef first = artifacts().put(bytes, ArtifactSpec.of("application/x-first"));
      List<String> after1 = storedKeys();
      long storedBytes = totalStoredBytes();
      ArtifactRef second = artifacts().put(bytes, ArtifactSpec.of("application/x-second"));
      assertThat(second.digest()).isEqualTo(first.digest());
      assertThat(second.mediaType()).isEqualTo("application/x-second");
      assertThat(storedKeys()).isEqualTo(after1);
      assertThat(totalStoredBytes()).isEqualTo(storedBytes);
      assertThat(store.listAll("artifacts/sha256/").toList()).containsExactly(blobKey(first.digest()));
      assertThat(artifacts().find(first.digest())).contains(first);

      ArtifactRef other = artifacts().put(utf8("other content"));
      assertThat(store.listAll("artifacts/sha256/").toList())
          .containsExactlyInAnyOrder(blobKey(first.digest()), blobKey(other.digest()));
    }

    @Test
    @DisplayName("threads putting the same content at once all get its digest; it is stored once")
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void concurrentPutsOfSameContent() throws Exception {
      byte[] bytes = new byte[100_000];
      new Random(2).nextBytes(bytes);
      List<ArtifactRef> refs = runConcurrently(8, i -> artifacts().put(bytes));
      assertThat(refs).extracting(ArtifactRef::digest).containsOnly(Digest.of(bytes));
      assertThat(store.listAll("artifacts/sha256/").toList()).containsExactly(blobKey(Digest.of(bytes)));
      assertThat(artifacts().read(Digest.of(bytes))).isEqualTo(bytes);
    }

    @Test
    @DisplayName("an empty artifact has the SHA-256 of nothing and size 0")
    void emptyArtifact() {
      ArtifactRef ref = artifacts().put(new byte[0]);
      assertThat(ref.digest().hex()).isEqualTo("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
      assertThat(ref.size()).isZero();
      assertThat(artifacts().read(ref.digest())).isEmpty();
    }

    @Test
    @DisplayName("absent content: find is empty, open/read/get are NotFoundException naming the digest")
    void absentContent() {
      Digest d = Digest.of(utf8("never stored"));
      assertThat(artifacts().find(d)).isEmpty();
      assertThatThrownBy(() -> artifacts().open(d)).isInstanceOf(NotFoundException.class).hasMessageContaining(d.hex());
      assertThatThrownBy(() -> artifacts().read(d)).isInstanceOf(NotFoundException.class).hasMessageContaining(d.hex());
      assertThatThrownBy(() -> artifacts().get(d)).isInstanceOf(NotFoundException.class).hasMessageContaining(d.hex());
    }

    @Test
    @DisplayName("a stored blob with one byte flipped fails reading with CorruptDataException naming the digest")
    void flippedByteIsDetected() throws IOException {
      byte[] bytes = new byte[300_000];
      new Random(3).nextBytes(bytes);
      Digest d = artifacts().put(bytes).digest();
      for (int index : new int[] {0, 150_000, bytes.length - 1}) {
        damage(blobKey(d), flipByte(index));
        assertThatThrownBy(() -> artifacts().read(d)).as("byte %d flipped", index)
            .isInstanceOf(CorruptDataException.class).hasMessageContaining(d.hex());
        try (InputStream in = artifacts().open(d)) {
          assertThatThrownBy(() -> in.transferTo(java.io.OutputStream.nullOutputStream()))
              .isInstanceOf(CorruptDataException.class).hasMessageContaining(d.hex());
        }
        damage(blobKey(d), flipByte(index)); // flip it back
        assertThat(artifacts().read(d)).isEqualTo(bytes);
      }
    }

    @Test
    @DisplayName("a truncated or extended stored blob fails reading with CorruptDataException")
    void truncatedBlobIsDetected() {
      byte[] bytes = utf8("some model weights, as far as this test is concerned");
      Digest d = artifacts().put(bytes).digest();
      damage(blobKey(d), b -> java.util.Arrays.copyOf(b, b.length - 1));
      assertThatThrownBy(() -> artifacts().read(d)).isInstanceOf(CorruptDataException.class).hasMessageContaining(d.hex());
      damage(blobKey(d), b -> java.util.Arrays.copyOf(bytes, bytes.length + 1));
      assertThatThrownBy(() -> artifacts().read(d)).isInstanceOf(CorruptDataException.class).hasMessageContaining(d.hex());
    }

    @Test
    @DisplayName("a large artifact streams in and out with the right digest and size")
    @Timeout(value = 10, unit = TimeUnit.MINUTES)
    void largeArtifact() {
      long size = Math.max(8L << 20, (long) ((64L << 20) * scale()));
      Digest expected = GeneratedContent.digestOf(21, size);
      ArtifactRef ref = artifacts().put(new GeneratedContent(21, size), ArtifactSpec.defaults());
      assertThat(ref.digest()).isEqualTo(expected);
      assertThat(ref.size()).isEqualTo(size);
      assertThat(GeneratedContent.digestOf(artifacts().open(expected))).isEqualTo(expected);
    }

    @Test
    @DisplayName("put reads the stream to its end and does not close it")
    void putDoesNotCloseTheStream() {
      AtomicInteger closes = new AtomicInteger();
      InputStream in = new FilterInputStream(new ByteArrayInputStream(utf8("abc"))) {
        @Override
        public void close() {
          closes.incrementAndGet();
        }
      };
      ArtifactRef ref = workspace.artifacts().put(in, ArtifactSpec.defaults());
      assertThat(ref.size()).isEqualTo(3);
      assertThat(closes).hasValue(0);
    }

    private long totalStoredBytes() {
      return storedKeys().stream().mapToLong(k -> store.get(k).orElseThrow().length).sum();
    }
  }

  // =============================================================================================

  /** Versions are allocated by the log: 1, 2, 3... with no gap or duplicate, even under races. */
  @Nested
  @DisplayName("registry: versions")
  class Versions {
    @Test
    @DisplayName("registering numbers versions 1..n, each pending approval, with what was registered")
    void registerNumbersVersions() {
      ArtifactRef weights = workspace.artifacts().put(utf8("weights"));
      Instant before = Instant.now().truncatedTo(ChronoUnit.MILLIS);
      ModelVersion v1 = registry().register("fraud", Registration.builder()
          .artifact("model.bin", weights).description("first").tag("team", "risk").build());
      ModelVersion v2 = registry().register("fraud", plain());
      ModelVersion v3 = registry().register("fraud", plain());
      Instant after = Instant.now();
      assertThat(List.of(v1.version(), v2.version(), v3.version())).containsExactly(1, 2, 3);
      assertThat(v1.model()).isEqualTo("fraud");
      assertThat(v1.status()).isEqualTo(ApprovalStatus.PENDING_MANUAL_APPROVAL);
      assertThat(v1.approval()).isEmpty();
      assertThat(v1.artifacts()).isEqualTo(Map.of("model.bin", weights));
      assertThat(v1.description()).isEqualTo("first");
      assertThat(v1.tags()).isEqualTo(Map.of("team", "risk"));
      assertThat(v1.aliases()).isEmpty();
      assertThat(v1.createdAt()).isBetween(before, after);
      assertThat(v1.createdBy()).isNotBlank();
      assertThat(registry().versions("fraud")).containsExactly(v1, v2, v3);
      assertThat(registry().get("fraud", 2)).isEqualTo(v2);
      assertThat(registry().resolve("fraud/3")).isEqualTo(v3);
    }

    @Test
    @DisplayName("unknown models and versions: empty lists, empty finds, NotFoundException naming the reference")
    void unknownModelsAndVersions() {
      registry().register("known", plain());
      assertThat(registry().versions("unknown")).isEmpty();
      assertThat(registry().find("unknown/1")).isEmpty();
      assertThat(registry().find("known/2")).isEmpty();
      assertThat(registry().find("unknown@latest")).isEmpty();
      assertThatThrownBy(() -> registry().resolve("known/2")).isInstanceOf(NotFoundException.class)
          .hasMessageContaining("known/2");
      assertThat(registry().history("unknown")).isEmpty();
      assertThat(registry().verify("unknown").ok()).isTrue();
    }

    @Test
    @DisplayName("malformed references are IllegalArgumentExceptions naming them")
    void malformedReferences() {
      for (String ref : List.of("fraud", "fraud/", "fraud/x", "fraud/0", "fraud/-1", "/3", "@prod", "fraud@", "a/b/3")) {
        assertThat(catchThrowable(() -> registry().find(ref))).as("ref %s", ref)
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("'" + ref + "'");
      }
    }

    @Test
    @DisplayName("models() lists every model, sorted")
    void modelsAreListedSorted() {
      for (String m : List.of("zeta", "Alpha", "beta", "alpha-2")) {
        registry().register(m, plain());
      }
      assertThat(registry().models()).containsExactly("Alpha", "alpha-2", "beta", "zeta");
    }

    @Test
    @DisplayName("8 threads × 100 registrations over two workspaces: versions exactly 1..800, verify() clean")
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void concurrentRegistrations() throws Exception {
      int perThread = scaled(100, 10);
      int threads = 8;
      Workspace other = openSecondWorkspace();
      List<List<Integer>> perThreadVersions = runConcurrently(threads, t -> {
        ModelRegistry r = (t % 2 == 0 ? workspace : other).registry();
        List<Integer> mine = new ArrayList<>();
        for (int i = 0; i < perThread; i++) {
          mine.add(r.register("contended", Registration.builder().tag("writer", "t" + t).build()).version());
        }
        return mine;
      });
      int total = threads * perThread;
      List<Integer> all = perThreadVersions.stream().flatMap(List::stream).sorted().toList();
      assertThat(all).isEqualTo(IntStream.rangeClosed(1, total).boxed().toList());
      for (List<Integer> mine : perThreadVersions) {
        assertThat(mine).as("a thread's own versions increase").isSorted();
      }
      VerifyReport report = registry().verify("contended");
      assertThat(report.ok()).as("%s", report).isTrue();
      // every command plus one CHECKPOINT entry per stored checkpoint (its digest, so readers can trust it)
      assertThat(report.entriesChecked()).isBetween((long) total, total + total / 8L + 1);
      assertThat(registry().history("contended")).hasSize(total);
      // a third workspace, cold, folds the same state (through the checkpoints written meanwhile)
      List<ModelVersion> folded = openSecondWorkspace().registry().versions("contended");
      assertThat(folded).extracting(ModelVersion::version).isEqualTo(IntStream.rangeClosed(1, total).boxed().toList());
      assertThat(folded).extracting(v -> v.tags().get("writer")).doesNotContainNull();
      // the next registration, from either workspace, continues the sequence
      assertThat(other.registry().register("contended", plain()).version()).isEqualTo(total + 1);
      assertThat(registry().register("contended", plain()).version()).isEqualTo(total + 2);
    }

    @Test
    @DisplayName("a registration whose parent version does not exist is NotFoundException and stores nothing")
    void missingParent() {
      registry().register("child", plain());
      List<String> before = storedKeys();
      assertThatThrownBy(() -> registry().register("child", Registration.builder().parentVersion(7).build()))
          .isInstanceOf(NotFoundException.class).hasMessageContaining("7");
      assertThat(storedKeys()).isEqualTo(before);
      assertThat(registry().versions("child")).hasSize(1);
    }
  }

  // =============================================================================================

  /** Aliases: set, move, delete, resolve; {@code latest} is reserved. */
  @Nested
  @DisplayName("registry: aliases")
  class Aliases {
    @BeforeEach
    void threeVersions() {
      for (int i = 1; i <= 3; i++) {
        registry().register("m", plain());
        registry().approve("m", i, "alice", "");
      }
    }

    @Test
    @DisplayName("by default an alias points only at an APPROVED version: a pending one is a ConflictException naming its status, nothing stored")
    void aliasesRequireApproval() {
      registry().register("m", plain());
      List<String> before = storedKeys();
      assertThatThrownBy(() -> registry().setAlias("m", "prod", 4)).isInstanceOf(ConflictException.class)
          .hasMessageContaining("m/4").hasMessageContaining("PENDING_MANUAL_APPROVAL").hasMessageContaining("APPROVED");
      assertThatThrownBy(() -> registry().moveAlias("m", "prod", 1, 4)).isInstanceOf(ConflictException.class);
      assertThat(storedKeys()).isEqualTo(before);
      registry().approve("m", 4, "alice", "");
      registry().setAlias("m", "prod", 4);
      assertThat(registry().resolve("m@prod").version()).isEqualTo(4);
    }

    @Test
    @DisplayName("resolving a missing alias names the model's aliases and versions")
    void missingAliasListsAliases() {
      registry().setAlias("m", "prod", 2);
      registry().setAlias("m", "canary", 3);
      assertThatThrownBy(() -> registry().resolve("m@staging")).isInstanceOf(NotFoundException.class)
          .hasMessageContaining("m@staging").hasMessageContaining("canary -> 3").hasMessageContaining("prod -> 2")
          .hasMessageContaining("1..3");
      assertThatThrownBy(() -> registry().resolve("m/9")).isInstanceOf(NotFoundException.class)
          .hasMessageContaining("1..3");
      assertThatThrownBy(() -> registry().resolve("nomodel@prod")).isInstanceOf(NotFoundException.class)
          .hasMessageContaining("no model 'nomodel'");
    }

    @Test
    @DisplayName("set, resolve name@alias, move, delete")
    void setMoveDelete() {
      registry().setAlias("m", "prod", 1);
      assertThat(registry().resolve("m@prod").version()).isEqualTo(1);
      assertThat(registry().get("m", 1).aliases()).containsExactly("prod");

      registry().moveAlias("m", "prod", 1, 2);
      assertThat(registry().resolve("m@prod").version()).isEqualTo(2);
      assertThat(registry().get("m", 1).aliases()).isEmpty();
      assertThat(registry().get("m", 2).aliases()).containsExactly("prod");

      registry().setAlias("m", "canary", 2);
      assertThat(registry().get("m", 2).aliases()).containsExactlyInAnyOrder("prod", "canary");

      registry().deleteAlias("m", "prod");
      assertThat(registry().find("m@prod")).isEmpty();
      assertThatThrownBy(() -> registry().resolve("m@prod")).isInstanceOf(NotFoundException.class)
          .hasMessageContaining("m@prod");
      assertThat(registry().get("m", 2).aliases()).containsExactly("canary");
    }

    @Test
    @DisplayName("name@latest is the newest version and follows new registrations")
    void latest() {
      assertThat(registry().resolve("m@latest").version()).isEqualTo(3);
      registry().register("m", plain());
      assertThat(registry().resolve("m@latest").version()).isEqualTo(4);
    }

    @Test
    @DisplayName("'latest' is reserved: setting or deleting it is an IllegalArgumentException, nothing stored")
    void latestIsReserved() {
      List<String> before = storedKeys();
      assertThatThrownBy(() -> registry().setAlias("m", "latest", 1))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("latest");
      assertThatThrownBy(() -> registry().deleteAlias("m", "latest"))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("latest");
      assertThat(storedKeys()).isEqualTo(before);
      assertThat(registry().resolve("m@latest").version()).isEqualTo(3);
    }

    @Test
    @DisplayName("conditions: moveAlias from the wrong version, ABSENT on an existing alias → ConflictException, alias unchanged")
    void conditions() {
      registry().setAlias("m", "prod", 1, AliasCondition.absent());
      assertThatThrownBy(() -> registry().setAlias("m", "prod", 2, AliasCondition.absent()))
          .isInstanceOf(ConflictException.class);
      assertThatThrownBy(() -> registry().moveAlias("m", "prod", 3, 2)).isInstanceOf(ConflictException.class)
          .hasMessageContaining("prod");
      assertThatThrownBy(() -> registry().moveAlias("m", "nothing", 1, 2)).isInstanceOf(ConflictException.class);
      assertThatThrownBy(() -> registry().deleteAlias("m", "prod", AliasCondition.pointsAt(2)))
          .isInstanceOf(ConflictException.class);
      assertThat(registry().resolve("m@prod").version()).isEqualTo(1);
      registry().deleteAlias("m", "prod", AliasCondition.pointsAt(1));
      assertThat(registry().find("m@prod")).isEmpty();
    }

    @Test
    @DisplayName("aliases to missing versions, deleting missing aliases: NotFoundException")
    void missingTargets() {
      assertThatThrownBy(() -> registry().setAlias("m", "prod", 9)).isInstanceOf(NotFoundException.class)
          .hasMessageContaining("9");
      assertThatThrownBy(() -> registry().deleteAlias("m", "prod")).isInstanceOf(NotFoundException.class)
          .hasMessageContaining("prod");
      assertThat(registry().find("m@prod")).isEmpty();
      assertThat(registry().find("nomodel@prod")).isEmpty();
    }

    @Test
    @DisplayName("8 threads moving one alias only from where they last saw it: every successful move is in the log, the final alias is the last one")
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void racingAliasMoves() throws Exception {
      int versions = 6;
      for (int i = 3; i < versions; i++) {
        registry().register("m", plain());
        registry().approve("m", i + 1, "alice", "");
      }
      registry().setAlias("m", "prod", 1);
      int attemptsPerThread = scaled(40, 8);
      Workspace other = openSecondWorkspace();
      List<List<int[]>> successes = runConcurrently(8, t -> {
        ModelRegistry r = (t % 2 == 0 ? workspace : other).registry();
        Random random = new Random(t);
        List<int[]> mine = new ArrayList<>();
        for (int a = 0; a < attemptsPerThread; a++) {
          int from = r.resolve("m@prod").version();
          int to = 1 + (from + random.nextInt(versions - 1)) % versions; // any version but from
          try {
            r.moveAlias("m", "prod", from, to);
            mine.add(new int[] {from, to});
          } catch (ConflictException lostRace) {
            // someone moved it since this thread read it: re-read and try again
          }
        }
        return mine;
      });
      List<int[]> moves = successes.stream().flatMap(List::stream).toList();
      assertThat(moves).as("successful moves").isNotEmpty();

      // Replay the alias's log: each SET_ALIAS of prod is one transition from the previous target.
      List<String> transitions = new ArrayList<>();
      Integer current = null;
      for (AuditEntry e : registry().history("m")) {
        if (e.type().equals("SET_ALIAS") && "prod".equals(e.details().get("alias"))) {
          int to = Integer.parseInt(e.details().get("version"));
          if (current != null) {
            transitions.add(current + "->" + to);
          }
          current = to;
        }
      }
      List<String> succeeded = new ArrayList<>(moves.stream().map(m -> m[0] + "->" + m[1]).toList());
      Collections.sort(succeeded);
      List<String> logged = new ArrayList<>(transitions);
      Collections.sort(logged);
      assertThat(logged).as("transitions in the log == successful moves").isEqualTo(succeeded);
      // a workspace that has not cached the model reads the last successful move
      assertThat(openSecondWorkspace().registry().resolve("m@prod").version()).isEqualTo(current);
      assertThat(registry().verify("m").ok()).isTrue();
    }
  }

  // =============================================================================================

  /** Approval: pending, then approved or rejected once. */
  @Nested
  @DisplayName("registry: approval")
  class Approvals {
    @Test
    @DisplayName("PENDING_MANUAL_APPROVAL → APPROVED with actor, comment and time, once")
    void approveOnce() {
      registry().register("m", plain());
      Instant before = Instant.now().truncatedTo(ChronoUnit.MILLIS);
      ModelVersion approved = registry().approve("m", 1, "alice", "offline metrics fine");
      Instant after = Instant.now();
      assertThat(approved.status()).isEqualTo(ApprovalStatus.APPROVED);
      assertThat(approved.approval()).hasValueSatisfying(a -> {
        assertThat(a.status()).isEqualTo(ApprovalStatus.APPROVED);
        assertThat(a.actor()).isEqualTo("alice");
        assertThat(a.comment()).isEqualTo("offline metrics fine");
        assertThat(a.at()).isBetween(before, after);
      });
      assertThat(registry().get("m", 1)).isEqualTo(approved);
      assertThatThrownBy(() -> registry().reject("m", 1, "bob", "changed my mind"))
          .isInstanceOf(ConflictException.class);
      assertThatThrownBy(() -> registry().approve("m", 1, "bob", "again")).isInstanceOf(ConflictException.class);
      assertThat(registry().get("m", 1).approval().orElseThrow().actor()).isEqualTo("alice");
      assertThat(registry().history("m")).anySatisfy(e -> assertThat(e.actor()).isEqualTo("alice"));
    }

    @Test
    @DisplayName("REJECTED once; a rejected version cannot hold an alias, and a version holding one cannot be rejected")
    void rejected() {
      registry().register("m", plain());
      registry().register("m", plain());
      ModelVersion rejected = registry().reject("m", 1, "carol", "leaks the label");
      assertThat(rejected.status()).isEqualTo(ApprovalStatus.REJECTED);
      assertThat(rejected.approval().orElseThrow().comment()).isEqualTo("leaks the label");
      assertThatThrownBy(() -> registry().setAlias("m", "prod", 1)).isInstanceOf(ConflictException.class);
      assertThat(registry().find("m@prod")).isEmpty();

      registry().approve("m", 2, "dave", "");
      registry().setAlias("m", "prod", 2);
      assertThatThrownBy(() -> registry().reject("m", 2, "carol", "no")).isInstanceOf(ConflictException.class);
      assertThat(registry().get("m", 2).status()).isEqualTo(ApprovalStatus.APPROVED);
    }

    @Test
    @DisplayName("bad reviews: PENDING as a decision or a blank actor is IllegalArgumentException; a missing version NotFoundException")
    void badReviews() {
      registry().register("m", plain());
      assertThatThrownBy(() -> registry().review("m", 1, ApprovalStatus.PENDING_MANUAL_APPROVAL, "a", ""))
          .isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> registry().approve("m", 1, " ", "")).isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> registry().approve("m", 2, "a", "")).isInstanceOf(NotFoundException.class);
      assertThat(registry().get("m", 1).status()).isEqualTo(ApprovalStatus.PENDING_MANUAL_APPROVAL);
    }
  }

  // =============================================================================================

  /** Tags, description and lineage; list and search. */
  @Nested
  @DisplayName("registry: tags, lineage, search")
  class TagsLineageSearch {
    @Test
    @DisplayName("update sets and removes tags and replaces the description only when given")
    void updateTagsAndDescription() {
      registry().register("m", Registration.builder().tag("a", "1").tag("b", "2").description("old").build());
      Map<String, String> change = new HashMap<>();
      change.put("a", "10");
      change.put("b", "");
      change.put("c", "3");
      ModelVersion v = registry().update("m", 1, change, Optional.empty());
      assertThat(v.tags()).isEqualTo(Map.of("a", "10", "c", "3"));
      assertThat(v.description()).isEqualTo("old");
      v = registry().update("m", 1, Map.of(), Optional.of("new"));
      assertThat(v.description()).isEqualTo("new");
      assertThat(registry().get("m", 1)).isEqualTo(v);
      assertThatThrownBy(() -> registry().update("m", 2, Map.of("a", "1"), Optional.empty()))
          .isInstanceOf(NotFoundException.class);
    }

    @Test
    @DisplayName("lineage (training run, datasets, parent version) is recorded as given")
    void lineage() {
      Digest train = Digest.of(utf8("train.csv"));
      Digest eval = Digest.of(utf8("eval.csv"));
      registry().register("m", plain());
      Run run = experiments().startRun("training");
      ModelVersion v2 = registry().register("m", Registration.builder()
          .trainingRun(run.id()).dataset(train).dataset(eval).parentVersion(1).build());
      assertThat(v2.lineage()).isEqualTo(new Lineage(Optional.of(run.id()), List.of(train, eval), Optional.of(1)));
      assertThat(registry().get("m", 1).lineage()).isEqualTo(Lineage.none());
    }

    @Test
    @DisplayName("search filters by model prefix, status, tag, tag value, training run and dataset")
    void search() {
      Digest ds = Digest.of(utf8("data"));
      registry().register("fraud-eu", Registration.builder().tag("team", "risk").dataset(ds).build());
      RunId r1 = experiments().startRun("training").id();
      registry().register("fraud-eu", Registration.builder().tag("team", "ml").trainingRun(r1).build());
      registry().register("fraud-us", Registration.builder().tag("team", "risk").build());
      registry().register("churn", plain());
      registry().approve("fraud-eu", 2, "alice", "");

      assertThat(refs(ModelQuery.builder().build())).containsExactly("churn/1", "fraud-eu/1", "fraud-eu/2", "fraud-us/1");
      assertThat(refs(ModelQuery.builder().modelPrefix("fraud").build())).containsExactly("fraud-eu/1", "fraud-eu/2", "fraud-us/1");
      assertThat(refs(ModelQuery.builder().status(ApprovalStatus.APPROVED).build())).containsExactly("fraud-eu/2");
      assertThat(refs(ModelQuery.builder().tag("team").build())).containsExactly("fraud-eu/1", "fraud-eu/2", "fraud-us/1");
      assertThat(refs(ModelQuery.builder().tag("team", "risk").build())).containsExactly("fraud-eu/1", "fraud-us/1");
      assertThat(refs(ModelQuery.builder().trainingRun(r1).build())).containsExactly("fraud-eu/2");
      assertThat(refs(ModelQuery.builder().dataset(ds).build())).containsExactly("fraud-eu/1");
      assertThat(refs(ModelQuery.builder().modelPrefix("x").build())).isEmpty();
    }

    private List<String> refs(ModelQuery q) {
      return registry().search(q).stream().map(ModelVersion::ref).toList();
    }
  }

  // =============================================================================================

  /** The log is the audit trail: hash-chained, and verify() names the first damaged entry. */
  @Nested
  @DisplayName("registry: audit trail and tamper detection")
  class AuditTrail {
    private List<String> logKeys;

    @BeforeEach
    void someHistory() {
      registry().register("m", Registration.builder().description("v1").build());
      registry().register("m", Registration.builder().tag("k", "v").build());
      registry().approve("m", 1, "alice", "ok");
      registry().setAlias("m", "prod", 1);
      registry().register("m", plain());
      registry().update("m", 2, Map.of("k", "w"), Optional.of("d"));
      registry().approve("m", 2, "bob", "ok");
      registry().moveAlias("m", "prod", 1, 2);
      logKeys = store.listAll(logPrefix("m")).toList();
    }

    @Test
    @DisplayName("every command is one log entry, numbered 1..n and chained by hashes")
    void historyIsTheLog() {
      List<AuditEntry> history = registry().history("m");
      assertThat(logKeys).as("keys under %s", logPrefix("m")).hasSize(8);
      assertThat(history).extracting(AuditEntry::seq).containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L);
      assertThat(history.get(0).previousHash()).isEqualTo("0".repeat(64));
      for (int i = 1; i < history.size(); i++) {
        assertThat(history.get(i).previousHash()).isEqualTo(history.get(i - 1).hash());
      }
      assertThat(history).extracting(AuditEntry::type).containsExactly(
          "REGISTER_VERSION", "REGISTER_VERSION", "REVIEW", "SET_ALIAS", "REGISTER_VERSION", "UPDATE", "REVIEW",
          "SET_ALIAS");
      assertThat(history).allSatisfy(e -> {
        assertThat(e.actor()).isNotBlank();
        assertThat(e.hash()).matches("[0-9a-f]{64}");
      });
      VerifyReport clean = registry().verify("m");
      assertThat(clean.ok()).as("%s", clean).isTrue();
      assertThat(clean.entriesChecked()).isEqualTo(8);
      assertThat(clean.head()).hasValueSatisfying(h -> {
        assertThat(h.seq()).isEqualTo(8);
        assertThat(h.hash()).isEqualTo(history.get(7).hash());
      });
    }

    @Test
    @DisplayName("one byte changed anywhere in any log entry: verify() names that entry; restoring it makes verify clean")
    void changedByteIsNamed() {
      Random random = new Random(99);
      for (String key : logKeys) {
        int length = store.get(key).orElseThrow().length;
        for (int index : new int[] {0, length / 2, length - 1, random.nextInt(length)}) {
          damage(key, flipByte(index));
          VerifyReport report = registry().verify("m");
          assertThat(report.ok()).as("verify after flipping byte %d of %s", index, key).isFalse();
          assertThat(report.brokenKey()).as("broken key after flipping byte %d of %s: %s", index, key, report)
              .contains(key);
          assertThat(report.problem()).isPresent();
          damage(key, flipByte(index));
          assertThat(registry().verify("m").ok()).isTrue();
        }
      }
    }

    @Test
    @DisplayName("an entry replaced with a valid-looking edit (a different actor) is named")
    void editedFieldIsNamed() {
      String key = logKeys.get(2); // the approval by alice
      damage(key, b -> new String(b, StandardCharsets.UTF_8).replace("alice", "mallo").getBytes(StandardCharsets.UTF_8));
      assertThat(registry().verify("m").brokenKey()).contains(key);
      assertThatThrownBy(() -> registry().history("m")).isInstanceOf(CorruptDataException.class)
          .hasMessageContaining(key);
    }

    @Test
    @DisplayName("an entry deleted from the middle: verify() names the missing entry")
    void deletedEntryIsNamed() {
      String middle = logKeys.get(3);
      assertThat(store.delete(middle)).isTrue();
      VerifyReport report = registry().verify("m");
      assertThat(report.ok()).isFalse();
      assertThat(report.brokenKey()).as("%s", report).contains(middle);
      assertThat(report.entriesChecked()).isEqualTo(3);
    }

    @Test
    @DisplayName("the first entry deleted: verify() names it")
    void deletedFirstEntryIsNamed() {
      assertThat(store.delete(logKeys.get(0))).isTrue();
      assertThat(registry().verify("m").brokenKey()).contains(logKeys.get(0));
    }
  }

  // =============================================================================================

  /** Runs: lifecycle, params, tags, metrics, inputs, artifacts, provenance. */
  @Nested
  @DisplayName("experiments: runs")
  class Runs {
    @Test
    @DisplayName("a run starts RUNNING with provenance, and ends FINISHED, FAILED or KILLED once")
    void lifecycle() {
      Instant before = Instant.now().truncatedTo(ChronoUnit.MILLIS);
      Run run = experiments().startRun("exp", "first try");
      RunInfo info = run.info();
      assertThat(info.id()).isEqualTo(run.id());
      assertThat(info.experiment()).isEqualTo("exp");
      assertThat(info.name()).isEqualTo("first try");
      assertThat(info.status()).isEqualTo(RunStatus.RUNNING);
      assertThat(info.startedAt()).isBetween(before, Instant.now());
      assertThat(info.endedAt()).isEmpty();
      assertThat(experiments().experimentNames()).containsExactly("exp");
      assertThat(experiments().findRun(run.id())).hasValueSatisfying(i -> assertThat(i.status()).isEqualTo(RunStatus.RUNNING));

      run.end(RunStatus.FINISHED);
      RunInfo ended = experiments().getRun(run.id());
      assertThat(ended.status()).isEqualTo(RunStatus.FINISHED);
      assertThat(ended.endedAt()).hasValueSatisfying(t -> assertThat(t).isAfterOrEqualTo(ended.startedAt()));
      assertThatCode(() -> run.end(RunStatus.FINISHED)).as("ending again in the same status").doesNotThrowAnyException();
      assertThatThrownBy(() -> run.end(RunStatus.FAILED)).isInstanceOf(ConflictException.class);
      assertThat(experiments().getRun(run.id()).status()).isEqualTo(RunStatus.FINISHED);

      for (RunStatus terminal : List.of(RunStatus.FAILED, RunStatus.KILLED)) {
        Run r = experiments().startRun("exp");
        r.end(terminal);
        assertThat(experiments().getRun(r.id()).status()).isEqualTo(terminal);
      }
      Run r = experiments().startRun("exp");
      assertThatThrownBy(() -> r.end(RunStatus.RUNNING)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    @DisplayName("closing a running run finishes it; closing an ended run keeps its status")
    void closeFinishes() {
      RunId id;
      try (Run run = experiments().startRun("exp")) {
        id = run.id();
      }
      assertThat(experiments().getRun(id).status()).isEqualTo(RunStatus.FINISHED);
      Run failed = experiments().startRun("exp");
      failed.end(RunStatus.FAILED);
      failed.close();
      assertThat(experiments().getRun(failed.id()).status()).isEqualTo(RunStatus.FAILED);
    }

    @Test
    @DisplayName("logging to an ended run is a ConflictException")
    void endedRunsRefuseWrites() {
      Run run = experiments().startRun("exp");
      run.end(RunStatus.FINISHED);
      ArtifactRef ref = workspace.artifacts().put(utf8("x"));
      List<Runnable> writes = List.of(
          () -> run.logParam("p", "1"),
          () -> run.setTag("t", "1"),
          () -> run.logMetric("m", 1.0, 1),
          () -> run.logInput(new DatasetInput("d", Digest.of(utf8("d")), "", -1, "")),
          () -> run.logArtifact("a", ref));
      for (int i = 0; i < writes.size(); i++) {
        Runnable w = writes.get(i);
        assertThat(catchThrowable(w::run)).as("write #%d after end", i).isInstanceOf(ConflictException.class);
      }
    }

    @Test
    @DisplayName("unknown run ids: findRun empty, getRun/run/metricHistory NotFoundException")
    void unknownRuns() {
      RunId nope = RunId.of("no-such-run");
      assertThat(experiments().findRun(nope)).isEmpty();
      assertThatThrownBy(() -> experiments().getRun(nope)).isInstanceOf(NotFoundException.class).hasMessageContaining("no-such-run");
      assertThatThrownBy(() -> experiments().run(nope)).isInstanceOf(NotFoundException.class).hasMessageContaining("no-such-run");
      assertThatThrownBy(() -> experiments().metricHistory(nope, "loss")).isInstanceOf(NotFoundException.class);
    }

    @Test
    @DisplayName("params are write-once: the same value again is a no-op, a different one AlreadyExistsException")
    void paramsAreWriteOnce() {
      Run run = experiments().startRun("exp");
      run.logParams(Map.of("lr", "0.01", "layers", "3"));
      run.logParam("lr", "0.01");
      assertThatThrownBy(() -> run.logParam("lr", "0.1")).isInstanceOf(AlreadyExistsException.class)
          .hasMessageContaining("lr");
      run.logParam("note", "unicode ✓ and spaces, \"quotes\"");
      assertThat(run.info().params()).isEqualTo(Map.of("lr", "0.01", "layers", "3", "note", "unicode ✓ and spaces, \"quotes\""));
      assertThat(experiments().getRun(run.id()).params()).containsEntry("lr", "0.01");
    }

    @Test
    @DisplayName("tags: last write wins")
    void tagsLastWriteWins() {
      Run run = experiments().startRun("exp");
      run.setTag("stage", "draft");
      run.setTag("stage", "final");
      run.setTag("owner", "alice");
      assertThat(run.info().tags()).containsEntry("stage", "final").containsEntry("owner", "alice");
    }

    @Test
    @DisplayName("metric series keep every point, ordered by step, with NaN, infinities and extremes stored as given")
    void metricSeries() {
      Run run = experiments().startRun("exp");
      double[] values = {0.5, Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, -0.0,
          Double.MIN_VALUE, Double.MAX_VALUE, -1e-300};
      long[] steps = {7, 1, 3, 2, 5, 4, 6, 0};
      for (int i = 0; i < values.length; i++) {
        run.logMetric("loss", values[i], steps[i]);
      }
      run.logMetric("acc", 0.75);
      run.flush();
      List<MetricPoint> history = experiments().metricHistory(run.id(), "loss");
      assertThat(history).extracting(MetricPoint::step).containsExactly(0L, 1L, 2L, 3L, 4L, 5L, 6L, 7L);
      for (MetricPoint p : history) {
        int i = indexOf(steps, p.step());
        assertThat(Double.doubleToRawLongBits(p.value())).as("value at step %d", p.step())
            .isEqualTo(Double.doubleToRawLongBits(values[i]));
        assertThat(p.key()).isEqualTo("loss");
        assertThat(p.timestampMillis()).isPositive();
      }
      RunInfo info = run.info();
      assertThat(info.latestMetrics()).containsEntry("loss", 0.5).containsEntry("acc", 0.75);
      assertThat(experiments().metricHistory(run.id(), "never-logged")).isEmpty();
    }

    @Test
    @DisplayName("1,000,000 metric points are stored in far fewer than 1,000 objects and read back complete")
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void millionPointsInFewObjects() {
      int points = scaled(1_000_000, 100_000);
      Run run = experiments().startRun("exp");
      run.flush();
      int keysBefore = storedKeys().size();
      for (int i = 0; i < points; i++) {
        run.logMetric("loss", 1.0 / (i + 1), i);
      }
      run.flush();
      int objects = storedKeys().size() - keysBefore;
      assertThat(objects).as("objects written for %d points", points).isLessThan(points / 1000);
      List<MetricPoint> history = experiments().metricHistory(run.id(), "loss");
      assertThat(history).hasSize(points);
      for (int i = 0; i < points; i += 9973) {
        assertThat(history.get(i).step()).isEqualTo(i);
        assertThat(history.get(i).value()).isEqualTo(1.0 / (i + 1));
      }
      assertThat(run.info().latestMetrics()).containsEntry("loss", 1.0 / points);
    }

    @Test
    @DisplayName("threads logging to one run concurrently lose no point")
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void concurrentLogging() throws Exception {
      Run run = experiments().startRun("exp");
      int perThread = scaled(20_000, 2_000);
      runConcurrently(4, t -> {
        for (int i = 0; i < perThread; i++) {
          run.logMetric("m" + t, i, i);
        }
        return null;
      });
      run.flush();
      for (int t = 0; t < 4; t++) {
        assertThat(experiments().metricHistory(run.id(), "m" + t)).hasSize(perThread);
      }
    }

    @Test
    @DisplayName("flush makes every logged point visible to another workspace; closing the workspace flushes")
    void flushAndCloseStore() {
      Workspace writer = openSecondWorkspace();
      Run run = writer.experiments().startRun("exp");
      for (int i = 0; i < 1000; i++) {
        run.logMetric("x", i, i);
      }
      run.flush();
      assertThat(experiments().metricHistory(run.id(), "x")).hasSize(1000);
      for (int i = 1000; i < 1500; i++) {
        run.logMetric("x", i, i);
      }
      writer.close();
      assertThat(experiments().metricHistory(run.id(), "x")).hasSize(1500);
    }

    @Test
    @DisplayName("dataset inputs and artifacts are recorded on the run")
    void inputsAndArtifacts() {
      Run run = experiments().startRun("exp");
      DatasetInput train = new DatasetInput("train", Digest.of(utf8("rows")), "{\"x\":\"double\"}", 1000, "training");
      run.logInput(train);
      ArtifactRef model = workspace.artifacts().put(utf8("model bytes"));
      run.logArtifact("model.bin", model);
      RunInfo info = run.info();
      assertThat(info.inputs()).containsExactly(train);
      assertThat(info.artifacts()).isEqualTo(Map.of("model.bin", model));
      assertThat(experiments().getRun(run.id()).inputs()).containsExactly(train);
    }

    @Test
    @DisplayName("provenance is captured automatically: library version, JVM, OS, host, user")
    void provenance() {
      Provenance p = experiments().startRun("exp").info().provenance();
      assertThat(p.libraryVersion()).isNotBlank();
      assertThat(p.jvm()).contains(System.getProperty("java.version"));
      assertThat(p.os()).contains(System.getProperty("os.name"));
      assertThat(p.host()).isNotBlank();
      assertThat(p.user()).isNotBlank();
      p.gitCommit().ifPresent(c -> assertThat(c).matches("[0-9a-f]{7,64}"));
    }

    @Test
    @DisplayName("a run reattached by id logs into the same run")
    void reattach() {
      Run run = experiments().startRun("exp");
      Run again = openSecondWorkspace().experiments().run(run.id());
      again.logParam("from", "second handle");
      again.end(RunStatus.KILLED);
      RunInfo info = experiments().getRun(run.id());
      assertThat(info.params()).containsEntry("from", "second handle");
      assertThat(info.status()).isEqualTo(RunStatus.KILLED);
    }

    private static int indexOf(long[] a, long v) {
      for (int i = 0; i < a.length; i++) {
        if (a[i] == v) {
          return i;
        }
      }
      throw new AssertionError("no step " + v);
    }
  }

  // =============================================================================================

  /** Searching runs by param, metric, tag and status, ordered and paged. */
  @Nested
  @DisplayName("experiments: search")
  class RunSearch {
    private final Map<String, RunId> byName = new HashMap<>();

    @BeforeEach
    void runs() {
      String[] lr = {"0.1", "0.01", "0.001", "0.1", "0.01", null};
      double[] acc = {0.9, 0.8, 0.7, 0.6, 0.5, 0.4};
      for (int i = 0; i < 6; i++) {
        Run r = experiments().startRun("search", "r" + i);
        if (lr[i] != null) {
          r.logParam("lr", lr[i]);
        }
        r.logMetric("acc", acc[i], 1);
        r.setTag("team", i % 2 == 0 ? "a" : "b");
        if (i < 4) {
          r.end(RunStatus.FINISHED);
        } else if (i == 4) {
          r.end(RunStatus.FAILED);
        } else {
          r.flush();
        }
        byName.put("r" + i, r.id());
      }
      Run other = experiments().startRun("other", "o");
      other.logParam("lr", "0.1");
      other.logMetric("acc", 0.95, 1);
      other.end(RunStatus.FINISHED);
      byName.put("o", other.id());
    }

    private List<String> names(RunQuery q) {
      return experiments().search(q).runs().stream().map(RunInfo::name).toList();
    }

    private RunQuery.Builder inSearch() {
      return RunQuery.builder().experiment("search");
    }

    @Test
    @DisplayName("by param, equal and numeric comparison; runs lacking the param never match")
    void byParam() {
      assertThat(names(inSearch().param("lr", RunQuery.Op.EQ, "0.1").build())).containsExactlyInAnyOrder("r0", "r3");
      assertThat(names(inSearch().param("lr", RunQuery.Op.LT, "0.05").build())).containsExactlyInAnyOrder("r1", "r2", "r4");
      assertThat(names(inSearch().param("lr", RunQuery.Op.NE, "0.1").build())).containsExactlyInAnyOrder("r1", "r2", "r4");
      assertThat(names(RunQuery.builder().param("lr", RunQuery.Op.EQ, "0.1").build())).containsExactlyInAnyOrder("r0", "r3", "o");
    }

    @Test
    @DisplayName("by metric, ordered by the metric")
    void byMetricOrdered() {
      assertThat(names(inSearch().metric("acc", RunQuery.Op.GE, 0.7).orderByMetric("acc", true).build()))
          .containsExactly("r0", "r1", "r2");
      assertThat(names(inSearch().metric("acc", RunQuery.Op.LT, 0.7).orderByMetric("acc", false).build()))
          .containsExactly("r5", "r4", "r3");
    }

    @Test
    @DisplayName("by tag and by status")
    void byTagAndStatus() {
      assertThat(names(inSearch().tag("team", "a").build())).containsExactlyInAnyOrder("r0", "r2", "r4");
      assertThat(names(inSearch().status(RunStatus.FINISHED).build())).containsExactlyInAnyOrder("r0", "r1", "r2", "r3");
      assertThat(names(inSearch().status(RunStatus.RUNNING).build())).containsExactly("r5");
      assertThat(names(inSearch().status(RunStatus.FAILED).tag("team", "a").build())).containsExactly("r4");
    }

    @Test
    @DisplayName("pages follow the order, cover every run once, and the last page has no token")
    void paging() {
      RunPage first = experiments().search(inSearch().orderByMetric("acc", false).pageSize(4).build());
      assertThat(first.runs()).extracting(RunInfo::name).containsExactly("r5", "r4", "r3", "r2");
      assertThat(first.nextPageToken()).isPresent();
      RunPage second = experiments().search(
          inSearch().orderByMetric("acc", false).pageSize(4).pageToken(first.nextPageToken().orElseThrow()).build());
      assertThat(second.runs()).extracting(RunInfo::name).containsExactly("r1", "r0");
      assertThat(second.nextPageToken()).isEmpty();

      Set<RunId> seen = new HashSet<>();
      Optional<String> token = Optional.empty();
      int pages = 0;
      do {
        RunQuery.Builder b = RunQuery.builder().pageSize(1);
        token.ifPresent(b::pageToken);
        RunPage page = experiments().search(b.build());
        assertThat(page.runs()).hasSizeLessThanOrEqualTo(1);
        page.runs().forEach(r -> assertThat(seen.add(r.id())).as("run %s seen twice", r.name()).isTrue());
        token = page.nextPageToken();
        pages++;
      } while (token.isPresent() && pages < 100);
      assertThat(seen).containsExactlyInAnyOrderElementsOf(byName.values());
    }

    @Test
    @DisplayName("ordered and filtered searches in other workspaces see runs ended, started and ended later through this one")
    void otherWorkspacesSeeLaterRuns() {
      RunQuery byAcc = inSearch().orderByMetric("acc", true).build();
      Workspace other = openSecondWorkspace();
      assertThat(other.experiments().search(byAcc).runs()).extracting(RunInfo::name)
          .containsExactly("r0", "r1", "r2", "r3", "r4", "r5");

      experiments().run(byName.get("r5")).end(RunStatus.KILLED);
      Run r6 = experiments().startRun("search", "r6");
      r6.logMetric("acc", 0.95, 1);
      r6.setTag("team", "a");
      r6.end(RunStatus.FINISHED);
      Run r7 = experiments().startRun("search", "r7");
      r7.logMetric("acc", 0.85, 1);
      r7.flush();

      List<String> expected = List.of("r6", "r0", "r7", "r1", "r2", "r3", "r4", "r5");
      assertThat(other.experiments().search(byAcc).runs()).extracting(RunInfo::name).containsExactlyElementsOf(expected);
      assertThat(openSecondWorkspace().experiments().search(byAcc).runs()).extracting(RunInfo::name)
          .containsExactlyElementsOf(expected);
      assertThat(other.experiments().search(inSearch().tag("team", "a").orderByMetric("acc", false).build()).runs())
          .extracting(RunInfo::name).containsExactly("r4", "r2", "r0", "r6");
      assertThat(other.experiments().search(inSearch().status(RunStatus.KILLED).build()).runs())
          .extracting(RunInfo::name).containsExactly("r5");
    }

    @Test
    @DisplayName("a page token the store did not issue is an IllegalArgumentException")
    void badToken() {
      assertThatThrownBy(() -> experiments().search(inSearch().pageToken("not-a-token").build()))
          .isInstanceOf(IllegalArgumentException.class);
    }
  }

  // =============================================================================================

  /** Where a user-chosen name goes through the API, and how to set up for it. */
  enum NameUse {
    MODEL_NAME {
      @Override
      void use(WorkspaceContract kit, String name) {
        kit.registry().register(name, plain());
      }
    },
    MODEL_NAME_IN_ALIAS {
      @Override
      void use(WorkspaceContract kit, String name) {
        kit.registry().setAlias(name, "prod", 1);
      }
    },
    ALIAS {
      @Override
      void use(WorkspaceContract kit, String name) {
        kit.registry().setAlias(kit.namedModel(), name, 1);
      }
    },
    MODEL_TAG_KEY {
      @Override
      void use(WorkspaceContract kit, String name) {
        kit.registry().update(kit.namedModel(), 1, Map.of(name, "v"), Optional.empty());
      }
    },
    EXPERIMENT_NAME {
      @Override
      void use(WorkspaceContract kit, String name) {
        kit.experiments().startRun(name);
      }
    },
    PARAM_KEY {
      @Override
      void use(WorkspaceContract kit, String name) {
        kit.namedRun().logParam(name, "v");
      }
    },
    METRIC_KEY {
      @Override
      void use(WorkspaceContract kit, String name) {
        Run run = kit.namedRun();
        try {
          run.logMetric(name, 1.0, 1);
        } finally {
          run.flush();
        }
      }
    },
    RUN_TAG_KEY {
      @Override
      void use(WorkspaceContract kit, String name) {
        kit.namedRun().setTag(name, "v");
      }
    };

    abstract void use(WorkspaceContract kit, String name);
  }

  private String namedModel;
  private Run namedRun;

  /** A model with one version, for name tests that need one. */
  String namedModel() {
    if (namedModel == null) {
      registry().register("named", plain());
      namedModel = "named";
    }
    return namedModel;
  }

  /** A running run, for name tests that need one. */
  Run namedRun() {
    if (namedRun == null) {
      namedRun = experiments().startRun("named");
      namedRun.flush();
    }
    return namedRun;
  }

  static final List<String> BAD_NAMES = List.of(
      "", "x".repeat(Names.MAX_LENGTH + 1), "a/b", "/a", "a/", "..", "a..b", ".", "a\u0000b", "a\nb", "tab\t",
      "a b", " a", "-a", ".a", "_a", "a@b", "a:b", "caf\u00e9", "a\\b");

  static Stream<Arguments> badNameCases() {
    return Stream.of(NameUse.values()).flatMap(use -> BAD_NAMES.stream().map(n -> Arguments.of(use, n)));
  }

  /** Bad names are refused before anything is stored. */
  @Nested
  @DisplayName("bad names")
  class BadNames {
    @ParameterizedTest(name = "{0} ''{1}''")
    @MethodSource("dev.mlops.testkit.WorkspaceContract#badNameCases")
    @DisplayName("a bad name is an IllegalArgumentException naming the value and the allowed pattern; nothing is stored")
    void badNameRefused(NameUse use, String bad) {
      if (use == NameUse.ALIAS || use == NameUse.MODEL_TAG_KEY) {
        namedModel();
      }
      if (use == NameUse.PARAM_KEY || use == NameUse.METRIC_KEY || use == NameUse.RUN_TAG_KEY) {
        namedRun();
      }
      assertRefused(WorkspaceContract.this, use, bad);
    }

    @Test
    @DisplayName("the longest valid name (128 characters) is accepted everywhere")
    void longestNameAccepted() {
      String longest = "a".repeat(Names.MAX_LENGTH);
      registry().register(longest, plain());
      registry().approve(longest, 1, "alice", "");
      registry().setAlias(longest, longest, 1);
      assertThat(registry().resolve(longest + "@" + longest).model()).isEqualTo(longest);
      Run run = experiments().startRun(longest);
      run.logParam(longest, "v");
      run.setTag(longest, "v");
      run.logMetric(longest, 1, 1);
      run.flush();
      assertThat(run.info().params()).containsKey(longest);
      assertThat(experiments().metricHistory(run.id(), longest)).hasSize(1);
    }
  }

  static void assertRefused(WorkspaceContract kit, NameUse use, String bad) {
    List<String> before = kit.storedKeys();
    Throwable thrown = catchThrowable(() -> use.use(kit, bad));
    assertThat(thrown).as("%s %s", use, ObjectStoreContract.KeyOracle.printable(bad))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(ObjectStoreContract.KeyOracle.namesKey(thrown.getMessage(), bad))
        .as("message '%s' names the value", thrown.getMessage()).isTrue();
    assertThat(thrown.getMessage()).as("message names the allowed pattern").contains(Names.PATTERN);
    assertThat(kit.storedKeys()).as("stored keys after %s %s", use, ObjectStoreContract.KeyOracle.printable(bad))
        .isEqualTo(before);
  }

  // =============================================================================================

  /** What a persistent store keeps across a reopen; what every store shares between workspaces. */
  @Nested
  @DisplayName("persistence (branches on capabilities().persistent())")
  class Persistence {
    @Test
    @DisplayName("persistent: models, aliases, approvals, runs, metrics and artifacts survive closing and reopening; otherwise a new workspace starts empty")
    void survivesReopen() {
      ArtifactRef blob = workspace.artifacts().put(utf8("weights"));
      registry().register("m", Registration.builder().artifact("w", blob).build());
      registry().approve("m", 1, "alice", "");
      registry().setAlias("m", "prod", 1);
      Run run = experiments().startRun("exp", "kept");
      run.logParam("p", "1");
      for (int i = 0; i < 10_000; i++) {
        run.logMetric("loss", i, i);
      }
      run.end(RunStatus.FINISHED);
      StoreCapabilities caps = store.capabilities();
      workspace.close();
      if (caps.persistent()) {
        ObjectStore reopenedStore = openAgain(store);
        toClose.add(reopenedStore);
        Workspace reopened = openWorkspace(reopenedStore);
        toClose.add(0, reopened);
        ModelVersion v = reopened.registry().resolve("m@prod");
        assertThat(v.status()).isEqualTo(ApprovalStatus.APPROVED);
        assertThat(v.artifacts()).isEqualTo(Map.of("w", blob));
        assertThat(reopened.artifacts().read(blob.digest())).isEqualTo(utf8("weights"));
        assertThat(reopened.registry().verify("m").ok()).isTrue();
        RunInfo info = reopened.experiments().getRun(run.id());
        assertThat(info.status()).isEqualTo(RunStatus.FINISHED);
        assertThat(info.params()).isEqualTo(Map.of("p", "1"));
        assertThat(reopened.experiments().metricHistory(run.id(), "loss")).hasSize(10_000);
      } else {
        ObjectStore fresh = newStore();
        toClose.add(fresh);
        Workspace empty = openWorkspace(fresh);
        toClose.add(0, empty);
        assertThat(empty.registry().models()).isEmpty();
        assertThat(empty.experiments().experimentNames()).isEmpty();
      }
    }
  }

  // =============================================================================================
  // Property-based checks of the name rule (jqwik engine; each property opens its own workspace).

  private ObjectStore propertyStore;
  private Workspace propertyWorkspace;

  private void openPropertyWorkspace() {
    if (propertyWorkspace == null) {
      propertyStore = newStore();
      propertyWorkspace = openWorkspace(propertyStore);
      store = propertyStore;
      workspace = propertyWorkspace;
    }
  }

  @AfterProperty
  final void closePropertyWorkspace() {
    if (propertyWorkspace != null) {
      try {
        propertyWorkspace.close();
      } finally {
        propertyStore.close();
        propertyWorkspace = null;
        propertyStore = null;
        namedModel = null;
        namedRun = null;
      }
    }
  }

  /** Any valid model name registers; any invalid one is refused naming the pattern, storing nothing. */
  @Property(tries = 120)
  void modelNamesFollowTheRule(@ForAll("candidateNames") String name) {
    openPropertyWorkspace();
    if (NameOracle.isValid(name)) {
      ModelVersion v = registry().register(name, plain());
      assertThat(v.model()).isEqualTo(name);
      assertThat(registry().resolve(name + "@latest")).isEqualTo(v);
    } else {
      assertRefused(this, NameUse.MODEL_NAME, name);
    }
  }

  /** Any valid key is accepted for params, metrics and tags; any invalid one is refused, storing nothing. */
  @Property(tries = 120)
  void runKeysFollowTheRule(@ForAll("candidateNames") String name) {
    openPropertyWorkspace();
    if (NameOracle.isValid(name)) {
      Run run = namedRun();
      run.logParam(name, "v");
      run.setTag(name, "v");
      run.logMetric(name, 1.0, 1);
      run.flush();
      assertThat(run.info().params()).containsEntry(name, "v");
      assertThat(run.info().tags()).containsEntry(name, "v");
    } else {
      namedRun();
      for (NameUse use : List.of(NameUse.PARAM_KEY, NameUse.METRIC_KEY, NameUse.RUN_TAG_KEY)) {
        assertRefused(this, use, name);
      }
    }
  }

  @Provide
  Arbitrary<String> candidateNames() {
    return NameOracle.candidates();
  }

  /** An independent statement of the rule of {@link Names}, and a generator around its edges. */
  static final class NameOracle {
    private static final String ALLOWED = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-";
    private static final Pattern FIRST = Pattern.compile("[A-Za-z0-9]");

    private NameOracle() {}

    static boolean isValid(String name) {
      if (name.isEmpty() || name.length() > Names.MAX_LENGTH || name.contains("..")
          || !FIRST.matcher(name.substring(0, 1)).matches()) {
        return false;
      }
      for (int i = 0; i < name.length(); i++) {
        if (ALLOWED.indexOf(name.charAt(i)) < 0) {
          return false;
        }
      }
      return true;
    }

    static Arbitrary<String> candidates() {
      Arbitrary<String> mostlyValid = Arbitraries.strings().withChars(ALLOWED).ofMinLength(1).ofMaxLength(Names.MAX_LENGTH + 3);
      Arbitrary<String> mixed = Arbitraries.strings()
          .withChars(ALLOWED)
          .withChars('/', '.', ' ', '\u0000', '\n', '\t', '\u007f', '@', ':', '\\', '\u00e9', '\u4e2d', '*')
          .ofMinLength(0).ofMaxLength(40);
      Arbitrary<String> boundary = Arbitraries.of(Names.MAX_LENGTH - 1, Names.MAX_LENGTH, Names.MAX_LENGTH + 1)
          .map(n -> "n".repeat(n));
      return Arbitraries.frequencyOf(
          net.jqwik.api.Tuple.of(4, mostlyValid), net.jqwik.api.Tuple.of(5, mixed), net.jqwik.api.Tuple.of(1, boundary));
    }
  }

  // =============================================================================================

  /** Runs {@code task(i)} on {@code threads} threads released at once; returns results by thread. */
  static <T> List<T> runConcurrently(int threads, ThrowingFunction<T> task) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      CountDownLatch ready = new CountDownLatch(threads);
      CountDownLatch go = new CountDownLatch(1);
      List<Future<T>> futures = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int thread = t;
        futures.add(pool.submit(() -> {
          ready.countDown();
          go.await();
          return task.apply(thread);
        }));
      }
      ready.await();
      go.countDown();
      List<T> out = new ArrayList<>();
      Map<Integer, Throwable> failures = new ConcurrentHashMap<>();
      for (int t = 0; t < threads; t++) {
        try {
          out.add(futures.get(t).get(5, TimeUnit.MINUTES));
        } catch (java.util.concurrent.ExecutionException e) {
          failures.put(t, e.getCause());
          out.add(null);
        }
      }
      if (!failures.isEmpty()) {
        AssertionError error = new AssertionError("thread(s) " + failures.keySet() + " failed");
        failures.values().forEach(error::addSuppressed);
        throw error;
      }
      return out;
    } finally {
      pool.shutdownNow();
    }
  }

  /** A per-thread task. */
  @FunctionalInterface
  interface ThrowingFunction<T> {
    T apply(int thread) throws Exception;
  }
}
