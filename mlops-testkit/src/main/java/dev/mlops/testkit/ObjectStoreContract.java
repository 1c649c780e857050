package dev.mlops.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.mlops.AlreadyExistsException;
import dev.mlops.Digest;
import dev.mlops.MlopsException;
import dev.mlops.StorageException;
import dev.mlops.spi.BlobSink;
import dev.mlops.spi.ListPage;
import dev.mlops.spi.ObjectStore;
import dev.mlops.spi.StoreCapabilities;
import java.io.ByteArrayInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.stream.IntStream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
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
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The compatibility kit for {@link ObjectStore} backends: every backend runs this same suite
 * through a small subclass, and no test is ever disabled for a backend. Where a guarantee depends
 * on what a backend declares in {@link ObjectStore#capabilities()} (data surviving a reopen,
 * several store objects on one location), the test branches on the declaration instead.
 *
 * <p>A backend's subclass implements {@link #newStore()} and, if its store is
 * {@linkplain StoreCapabilities#persistent() persistent}, {@link #openAgain(ObjectStore)}:
 *
 * <pre>{@code
 * class FsObjectStoreContractTest extends ObjectStoreContract {
 *   private Path root; // not @TempDir: the jqwik properties call newStore() too, see below
 *   private final AtomicInteger n = new AtomicInteger();
 *
 *   @Override protected ObjectStore newStore() {
 *     return FsObjectStore.builder().root(root().resolve("s" + n.incrementAndGet())).build();
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
 * <p>Requirements are grouped in {@link Nested} classes, one per requirement, so a failure reads
 * as the broken promise ("CreateIfAbsent > racing creates of one key have exactly one winner").
 * Key validation is also checked by jqwik properties over generated keys; those run on the jqwik
 * engine, which {@code mlops-testkit} brings onto the test class path, and JUnit's
 * {@code @BeforeEach} does not apply to them (they open and close their own store).
 *
 * <p>Volume: the suite is sized to run in seconds on an in-memory store. A slow backend may
 * shrink the volume-heavy tests with {@link #scale()}; the minimum sizes that still exercise each
 * requirement (e.g. a listing that spans more than one page of {@value ObjectStore#MAX_LIST_LIMIT})
 * are kept whatever the scale.
 *
 * <p>Not thread-safe; JUnit creates one instance per test.
 */
public abstract class ObjectStoreContract {

  /** The store under test, from {@link #newStore()}, closed after each test. */
  protected ObjectStore store;

  private final List<ObjectStore> opened = new ArrayList<>();

  /** Subclasses only. */
  protected ObjectStoreContract() {}

  /**
   * Creates a fresh, empty store on a location no other call has returned: each test gets its
   * own. Called once before every test, and again by tests that need a second, independent store.
   * The kit closes every store it gets.
   *
   * @return an open, empty store
   */
  protected abstract ObjectStore newStore();

  /**
   * Opens a second store object over the same location as {@code store} — what another process
   * (or the same one, after a restart) gets when it opens the same directory or bucket. {@code store}
   * may still be open (two clients at once) or already closed (a reopen).
   *
   * <p>Required when {@link StoreCapabilities#persistent()} is declared; the default throws, so a
   * persistent backend that forgets it fails the persistence tests rather than skipping them.
   *
   * @param store a store returned by {@link #newStore()} or by this method
   * @return a new, open store object over the same data
   */
  protected ObjectStore openAgain(ObjectStore store) {
    throw new UnsupportedOperationException(getClass().getName() + " declares a persistent store ("
        + store.capabilities() + ") but does not override openAgain(ObjectStore)");
  }

  /**
   * Volume factor for the volume-heavy tests (racing rounds, the large stream, the number of keys
   * listed): 1.0 is full size, which every in-memory or local backend should use. A backend whose
   * every call is a network round trip may return e.g. 0.25. Minimum sizes that still exercise each
   * requirement are kept whatever this returns.
   *
   * @return a factor in (0, 1]
   */
  protected double scale() {
    return 1.0;
  }

  /**
   * Size of the object in the large-stream test; 64 MiB at full scale, never below 8 MiB (larger
   * than any reasonable single-part buffer, so multipart and spooling paths are taken).
   *
   * @return bytes
   */
  protected long largeObjectSize() {
    return Math.max(8L << 20, (long) ((64L << 20) * scale()));
  }

  @BeforeEach
  final void openStoreUnderTest() {
    store = track(newStore());
  }

  @AfterEach
  final void closeEveryStore() {
    closeAll(opened);
  }

  /** Registers a store to be closed after the test. */
  private ObjectStore track(ObjectStore s) {
    assertThat(s).as("newStore()/openAgain() returned null").isNotNull();
    opened.add(s);
    return s;
  }

  private static void closeAll(List<ObjectStore> stores) {
    RuntimeException first = null;
    for (ObjectStore s : stores) {
      try {
        s.close();
      } catch (RuntimeException e) {
        if (first == null) {
          first = e;
        }
      }
    }
    stores.clear();
    if (first != null) {
      throw first;
    }
  }

  private int scaled(int full, int minimum) {
    double s = scale();
    if (!(s > 0 && s <= 1)) {
      throw new IllegalStateException("scale() must be in (0, 1], got " + s);
    }
    return Math.max(minimum, (int) Math.round(full * s));
  }

  static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static List<String> allKeys(ObjectStore s) {
    try (var keys = s.listAll("")) {
      return keys.toList();
    }
  }

  private static byte[] readAll(InputStream in) {
    try (in) {
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void publish(ObjectStore s, String key, byte[] bytes) {
    try (BlobSink sink = s.newBlobSink()) {
      sink.stream().write(bytes);
      sink.publish(key);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The three ways to create an object; every create-if-absent guarantee holds for each. */
  enum CreateMethod {
    CREATE {
      @Override
      void create(ObjectStore s, String key, byte[] bytes) {
        s.create(key, bytes);
      }
    },
    CREATE_FROM_STREAM {
      @Override
      void create(ObjectStore s, String key, byte[] bytes) {
        s.createFromStream(key, new ByteArrayInputStream(bytes));
      }
    },
    BLOB_SINK {
      @Override
      void create(ObjectStore s, String key, byte[] bytes) {
        publish(s, key, bytes);
      }
    };

    abstract void create(ObjectStore s, String key, byte[] bytes);
  }

  // ---------------------------------------------------------------------------------------------

  /** A store is created empty, and each call of the hook gives an independent one. */
  @Nested
  @DisplayName("fresh stores")
  class FreshStores {
    @Test
    @DisplayName("a new store is empty")
    void newStoreIsEmpty() {
      assertThat(store.list("", "", ObjectStore.MAX_LIST_LIMIT)).isEqualTo(new ListPage(List.of(), false));
    }

    @Test
    @DisplayName("two stores from newStore() do not share data")
    void storesAreIndependent() {
      ObjectStore other = track(newStore());
      store.create("only/here", utf8("x"));
      assertThat(other.get("only/here")).isEmpty();
      assertThat(allKeys(other)).isEmpty();
    }

    @Test
    @DisplayName("capabilities() is declared and stable")
    void capabilitiesDeclared() {
      StoreCapabilities caps = store.capabilities();
      assertThat(caps).isNotNull();
      assertThat(store.capabilities()).isEqualTo(caps);
    }
  }

  /** {@link ObjectStore#create} and its siblings never overwrite. */
  @Nested
  @DisplayName("create-if-absent, single thread")
  class CreateIfAbsent {
    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.mlops.testkit.ObjectStoreContract#createMethods")
    @DisplayName("a created object reads back identically")
    void createThenRead(CreateMethod method) {
      byte[] bytes = utf8("hello, " + method);
      method.create(store, "a/b/c.json", bytes);
      assertThat(store.get("a/b/c.json")).hasValueSatisfying(b -> assertThat(b).isEqualTo(bytes));
      assertThat(readAll(store.openStream("a/b/c.json").orElseThrow())).isEqualTo(bytes);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.mlops.testkit.ObjectStoreContract#createMethods")
    @DisplayName("creating an existing key fails with AlreadyExistsException naming it, and keeps the first content")
    void secondCreateFails(CreateMethod method) {
      for (CreateMethod first : CreateMethod.values()) {
        String key = "dup/" + first.name().toLowerCase() + "/" + method.name().toLowerCase();
        first.create(store, key, utf8("first"));
        assertThatThrownBy(() -> method.create(store, key, utf8("second, longer content")))
            .isInstanceOf(AlreadyExistsException.class)
            .hasMessageContaining(key);
        assertThat(store.get(key)).hasValueSatisfying(b -> assertThat(b).isEqualTo(utf8("first")));
      }
    }

    @Test
    @DisplayName("the stored bytes are a copy: changing the caller's array afterwards changes nothing")
    void createCopiesTheArray() {
      byte[] bytes = utf8("original");
      store.create("k", bytes);
      bytes[0] = 'X';
      assertThat(store.get("k")).hasValueSatisfying(b -> assertThat(b).isEqualTo(utf8("original")));
    }

    @Test
    @DisplayName("get() returns a copy: changing it does not change the stored object")
    void getReturnsACopy() {
      store.create("k", utf8("original"));
      store.get("k").orElseThrow()[0] = 'X';
      assertThat(store.get("k")).hasValueSatisfying(b -> assertThat(b).isEqualTo(utf8("original")));
    }

    @Test
    @DisplayName("keys differing only in case are different objects")
    void keysAreCaseSensitive() {
      store.create("Model/A", utf8("upper"));
      store.create("model/a", utf8("lower"));
      assertThat(store.get("Model/A")).hasValueSatisfying(b -> assertThat(b).isEqualTo(utf8("upper")));
      assertThat(store.get("model/a")).hasValueSatisfying(b -> assertThat(b).isEqualTo(utf8("lower")));
    }

    @Test
    @DisplayName("a key and keys below it coexist (a/b and a/b/c are independent objects)")
    void aKeyAndKeysBelowItCoexist() {
      store.create("a/b", utf8("parent"));
      store.create("a/b/c", utf8("child"));
      store.create("a/bc", utf8("sibling"));
      assertThat(store.get("a/b")).hasValueSatisfying(b -> assertThat(b).isEqualTo(utf8("parent")));
      assertThat(store.get("a/b/c")).hasValueSatisfying(b -> assertThat(b).isEqualTo(utf8("child")));
      assertThat(allKeys(store)).containsExactly("a/b", "a/b/c", "a/bc");
    }

    @Test
    @DisplayName("null arguments are NullPointerExceptions and store nothing")
    void nullArguments() {
      assertThatThrownBy(() -> store.create("k", null)).isInstanceOf(NullPointerException.class);
      assertThatThrownBy(() -> store.create(null, new byte[1])).isInstanceOf(NullPointerException.class);
      assertThatThrownBy(() -> store.createFromStream("k", null)).isInstanceOf(NullPointerException.class);
      assertThatThrownBy(() -> store.get(null)).isInstanceOf(NullPointerException.class);
      assertThatThrownBy(() -> store.openStream(null)).isInstanceOf(NullPointerException.class);
      assertThatThrownBy(() -> store.delete(null)).isInstanceOf(NullPointerException.class);
      assertThatThrownBy(() -> store.list(null, "", 10)).isInstanceOf(NullPointerException.class);
      assertThatThrownBy(() -> store.list("", null, 10)).isInstanceOf(NullPointerException.class);
      assertThat(allKeys(store)).isEmpty();
    }
  }

  /** Of many concurrent creates of one key exactly one wins. */
  @Nested
  @DisplayName("create-if-absent, racing threads")
  class RacingCreates {
    private static final int THREADS = 8;

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.mlops.testkit.ObjectStoreContract#createMethods")
    @DisplayName("racing creates of one key: exactly one winner, all others AlreadyExistsException, the winner's bytes stored")
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void racingCreatesHaveOneWinner(CreateMethod method) throws Exception {
      race("race/" + method.name().toLowerCase(), i -> method);
    }

    @Test
    @DisplayName("racing creates mixing create, createFromStream and blob sinks: exactly one winner")
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void mixedRacingCreatesHaveOneWinner() throws Exception {
      race("race/mixed", i -> CreateMethod.values()[i % CreateMethod.values().length]);
    }

    @Test
    @DisplayName("racing creates of distinct keys all succeed")
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void distinctKeysAllSucceed() throws Exception {
      int perThread = scaled(50, 5);
      ExecutorService pool = Executors.newFixedThreadPool(THREADS);
      try {
        CountDownLatch start = new CountDownLatch(1);
        List<Future<?>> futures = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
          int thread = t;
          futures.add(pool.submit(() -> {
            start.await();
            for (int i = 0; i < perThread; i++) {
              String key = String.format("distinct/%03d/%02d", i, thread);
              CreateMethod.values()[i % 3].create(store, key, utf8(key));
            }
            return null;
          }));
        }
        start.countDown();
        for (Future<?> f : futures) {
          f.get(5, TimeUnit.MINUTES);
        }
      } finally {
        pool.shutdownNow();
      }
      List<String> keys = allKeys(store);
      assertThat(keys).hasSize(perThread * THREADS);
      for (String k : keys) {
        assertThat(store.get(k)).hasValueSatisfying(b -> assertThat(b).isEqualTo(utf8(k)));
      }
    }

    /**
     * Runs rounds of {@link #THREADS} threads that each try to create the same key with their own
     * content, all released at once. If the store declares {@link StoreCapabilities#multiProcess()},
     * half of the threads go through a second store object on the same location, as a second
     * process would; otherwise all go through one.
     */
    private void race(String prefix, java.util.function.IntFunction<CreateMethod> methodOfThread) throws Exception {
      ObjectStore second = store.capabilities().multiProcess() ? track(openAgain(store)) : store;
      int rounds = scaled(40, 5);
      ExecutorService pool = Executors.newFixedThreadPool(THREADS);
      try {
        for (int round = 0; round < rounds; round++) {
          String key = prefix + "/" + round;
          CountDownLatch ready = new CountDownLatch(THREADS);
          CountDownLatch go = new CountDownLatch(1);
          List<Future<Throwable>> outcomes = new ArrayList<>();
          for (int t = 0; t < THREADS; t++) {
            byte[] content = utf8("writer " + t + " of round " + round + " " + "x".repeat(t * 10));
            ObjectStore via = t % 2 == 0 ? store : second;
            CreateMethod method = methodOfThread.apply(t);
            outcomes.add(pool.submit(raceAttempt(via, method, key, content, ready, go)));
          }
          ready.await();
          go.countDown();
          List<Integer> winners = new ArrayList<>();
          for (int t = 0; t < THREADS; t++) {
            Throwable failure = outcomes.get(t).get(5, TimeUnit.MINUTES);
            if (failure == null) {
              winners.add(t);
            } else if (!(failure instanceof AlreadyExistsException)) {
              throw new AssertionError("thread " + t + " creating " + key
                  + " failed with something other than AlreadyExistsException", failure);
            }
          }
          assertThat(winners).as("winners of the race for %s", key).hasSize(1);
          int w = winners.get(0);
          byte[] expected = utf8("writer " + w + " of round " + round + " " + "x".repeat(w * 10));
          assertThat(store.get(key)).as("content of %s", key)
              .hasValueSatisfying(b -> assertThat(b).isEqualTo(expected));
          assertThat(second.get(key)).as("content of %s seen by the second client", key)
              .hasValueSatisfying(b -> assertThat(b).isEqualTo(expected));
        }
      } finally {
        pool.shutdownNow();
      }
      assertThat(allKeys(store)).hasSize(rounds);
    }

    private Callable<Throwable> raceAttempt(
        ObjectStore via, CreateMethod method, String key, byte[] content, CountDownLatch ready, CountDownLatch go) {
      return () -> {
        // a blob sink writes its content before the race and races only on publish
        BlobSink sink = method == CreateMethod.BLOB_SINK ? via.newBlobSink() : null;
        try {
          if (sink != null) {
            sink.stream().write(content);
          }
          ready.countDown();
          go.await();
          if (sink != null) {
            sink.publish(key);
          } else {
            method.create(via, key, content);
          }
          return null;
        } catch (Throwable e) {
          return e;
        } finally {
          if (sink != null) {
            sink.close();
          }
        }
      };
    }
  }

  /** Absent keys are empty optionals, never exceptions or nulls. */
  @Nested
  @DisplayName("reading")
  class Reading {
    @Test
    @DisplayName("get and openStream of an absent key are empty")
    void absentKeysAreEmpty() {
      assertThat(store.get("no/such/key")).isEmpty();
      assertThat(store.openStream("no/such/key")).isEmpty();
    }

    @Test
    @DisplayName("a prefix of an existing key, or a key below it, is absent")
    void prefixesAreNotObjects() {
      store.create("a/b/c", utf8("x"));
      assertThat(store.get("a")).isEmpty();
      assertThat(store.get("a/b")).isEmpty();
      assertThat(store.openStream("a/b")).isEmpty();
      assertThat(store.get("a/b/c/d")).isEmpty();
      assertThat(store.get("a/b/c.")).isEmpty();
    }

    @Test
    @DisplayName("openStream reads the content in small chunks and then reports end of stream")
    void openStreamReadsInChunks() throws IOException {
      byte[] bytes = new byte[100_003];
      new Random(7).nextBytes(bytes);
      store.create("chunks", bytes);
      byte[] back = new byte[bytes.length];
      try (InputStream in = store.openStream("chunks").orElseThrow()) {
        int off = 0;
        for (int n; off < back.length && (n = in.read(back, off, Math.min(4096, back.length - off))) > 0; ) {
          off += n;
        }
        assertThat(off).isEqualTo(bytes.length);
        assertThat(in.read()).isEqualTo(-1);
      }
      assertThat(back).isEqualTo(bytes);
    }

    @Test
    @DisplayName("every byte value round-trips")
    void everyByteValue() {
      byte[] bytes = new byte[512];
      for (int i = 0; i < bytes.length; i++) {
        bytes[i] = (byte) i;
      }
      store.create("all-bytes", bytes);
      assertThat(store.get("all-bytes")).hasValueSatisfying(b -> assertThat(b).isEqualTo(bytes));
    }
  }

  /** Zero-byte objects are objects. */
  @Nested
  @DisplayName("zero-byte objects")
  class ZeroByteObjects {
    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.mlops.testkit.ObjectStoreContract#createMethods")
    @DisplayName("an empty object exists, reads back empty, is listed and cannot be created again")
    void emptyObjectIsAnObject(CreateMethod method) throws IOException {
      method.create(store, "empty", new byte[0]);
      assertThat(store.get("empty")).hasValueSatisfying(b -> assertThat(b).isEmpty());
      try (InputStream in = store.openStream("empty").orElseThrow()) {
        assertThat(in.read()).isEqualTo(-1);
      }
      assertThat(allKeys(store)).containsExactly("empty");
      assertThatThrownBy(() -> store.create("empty", utf8("not empty"))).isInstanceOf(AlreadyExistsException.class);
      assertThat(store.get("empty")).hasValueSatisfying(b -> assertThat(b).isEmpty());
    }
  }

  /** Listing is lexicographic, prefix-filtered and exclusive of startAfter. */
  @Nested
  @DisplayName("listing")
  class Listing {
    // chosen so that '-' < '.' < '/' < digits < upper case < '_' < lower case all matter, and a
    // per-directory walk would order them differently than a flat sort of the whole keys
    private final List<String> keys = List.of(
        "a", "a-b", "a.b", "a/b", "a/b/c", "a/b-c", "a/bc", "a0", "aB", "a_", "ab",
        "A", "Z", "_x", "-x", "0", "9/z", "a/b/c/d", "b");

    private void createAllShuffled() {
      List<String> shuffled = new ArrayList<>(keys);
      Collections.shuffle(shuffled, new Random(42));
      for (String k : shuffled) {
        store.create(k, utf8(k));
      }
    }

    private List<String> sorted(java.util.function.Predicate<String> filter) {
      return keys.stream().filter(filter).sorted().toList();
    }

    @Test
    @DisplayName("keys come back in String.compareTo order whatever order they were created in")
    void lexicographicOrder() {
      createAllShuffled();
      assertThat(store.list("", "", ObjectStore.MAX_LIST_LIMIT).keys()).containsExactlyElementsOf(sorted(k -> true));
      assertThat(allKeys(store)).containsExactlyElementsOf(sorted(k -> true));
    }

    @Test
    @DisplayName("a prefix is a plain string prefix: 'a/b' matches a/b, a/b/c and a/bc; 'a/b/' only keys below a/b")
    void prefixSemantics() {
      createAllShuffled();
      assertThat(store.list("a/b", "", 1000).keys()).containsExactlyElementsOf(sorted(k -> k.startsWith("a/b")));
      assertThat(store.list("a/b", "", 1000).keys()).contains("a/b", "a/b/c", "a/bc", "a/b-c");
      assertThat(store.list("a/b/", "", 1000).keys()).containsExactly("a/b/c", "a/b/c/d");
      assertThat(store.list("a/", "", 1000).keys()).containsExactlyElementsOf(sorted(k -> k.startsWith("a/")));
      assertThat(store.list("a", "", 1000).keys()).containsExactlyElementsOf(sorted(k -> k.startsWith("a")));
      assertThat(store.list("9/", "", 1000).keys()).containsExactly("9/z");
      assertThat(store.list("zz", "", 1000)).isEqualTo(new ListPage(List.of(), false));
      assertThat(store.list("a/b/c/d/", "", 1000)).isEqualTo(new ListPage(List.of(), false));
    }

    @Test
    @DisplayName("startAfter is exclusive, need not exist, and combines with the prefix")
    void startAfter() {
      createAllShuffled();
      assertThat(store.list("", "a/b", 1000).keys()).containsExactlyElementsOf(sorted(k -> k.compareTo("a/b") > 0));
      assertThat(store.list("", "a/b/", 1000).keys()).containsExactlyElementsOf(sorted(k -> k.compareTo("a/b/") > 0));
      // '-' < '/' so a/b-c sorts before a/b/c
      assertThat(store.list("a/", "a/b/c", 1000).keys()).containsExactly("a/b/c/d", "a/bc");
      assertThat(store.list("a/", "a/b", 1000).keys()).containsExactly("a/b-c", "a/b/c", "a/b/c/d", "a/bc");
      // startAfter before the prefix range: the whole range
      assertThat(store.list("a/", "0", 1000).keys()).containsExactlyElementsOf(sorted(k -> k.startsWith("a/")));
      // startAfter after the prefix range: nothing
      assertThat(store.list("a/", "b", 1000)).isEqualTo(new ListPage(List.of(), false));
      assertThat(store.list("", "zzz", 1000)).isEqualTo(new ListPage(List.of(), false));
      assertThat(store.listAll("a/", "a/b/c").toList()).containsExactly("a/b/c/d", "a/bc");
    }

    @Test
    @DisplayName("an invalid prefix is an IllegalArgumentException naming it")
    void invalidPrefix() {
      for (String prefix : List.of("/a", "a//", "a//b", "../a", "a b", "a/./")) {
        assertThat(catchThrowable(() -> store.list(prefix, "", 10))).as("prefix '%s'", prefix)
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining(prefix);
      }
    }

    @Test
    @DisplayName("a deleted key is no longer listed")
    void deletedKeysAreNotListed() {
      createAllShuffled();
      store.delete("a/b");
      assertThat(store.list("a/b", "", 1000).keys()).doesNotContain("a/b").contains("a/b/c");
    }
  }

  /** Pages of at most {@code limit} keys, with {@code truncated} telling whether more follow. */
  @Nested
  @DisplayName("pagination")
  class Pagination {
    @Test
    @DisplayName("limit bounds the page, truncated says whether more keys follow, paging by startAfter visits each key once")
    void pagesByLimit() {
      List<String> keys = IntStream.range(0, 25).mapToObj(i -> String.format("p/%02d", i)).toList();
      keys.forEach(k -> store.create(k, utf8(k)));
      store.create("q", utf8("outside the prefix"));

      ListPage first = store.list("p/", "", 10);
      assertThat(first).isEqualTo(new ListPage(keys.subList(0, 10), true));
      ListPage second = store.list("p/", first.keys().get(9), 10);
      assertThat(second).isEqualTo(new ListPage(keys.subList(10, 20), true));
      ListPage third = store.list("p/", second.keys().get(9), 10);
      assertThat(third).isEqualTo(new ListPage(keys.subList(20, 25), false));
    }

    @Test
    @DisplayName("a page that ends exactly at the last key is not truncated")
    void exactPageIsNotTruncated() {
      IntStream.range(0, 10).forEach(i -> store.create("p/" + i, new byte[] {(byte) i}));
      assertThat(store.list("p/", "", 10)).isEqualTo(
          new ListPage(IntStream.range(0, 10).mapToObj(i -> "p/" + i).toList(), false));
      assertThat(store.list("p/", "", 9).truncated()).isTrue();
    }

    @Test
    @DisplayName("limit 1 walks the keys one by one")
    void limitOne() {
      List<String> keys = List.of("k/a", "k/b", "k/c");
      keys.forEach(k -> store.create(k, utf8(k)));
      List<String> seen = new ArrayList<>();
      ListPage page = store.list("k/", "", 1);
      seen.addAll(page.keys());
      while (page.truncated()) {
        page = store.list("k/", seen.get(seen.size() - 1), 1);
        assertThat(page.keys()).hasSizeLessThanOrEqualTo(1);
        seen.addAll(page.keys());
      }
      assertThat(seen).isEqualTo(keys);
    }

    @Test
    @DisplayName("limits outside 1..MAX_LIST_LIMIT are IllegalArgumentExceptions")
    void badLimits() {
      for (int limit : new int[] {0, -1, ObjectStore.MAX_LIST_LIMIT + 1, Integer.MAX_VALUE, Integer.MIN_VALUE}) {
        assertThat(catchThrowable(() -> store.list("", "", limit))).as("limit %d", limit)
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining(Integer.toString(limit));
      }
      assertThatCode(() -> store.list("", "", ObjectStore.MAX_LIST_LIMIT)).doesNotThrowAnyException();
    }

    @Test
    @DisplayName("listAll pages through more than MAX_LIST_LIMIT keys, each once, in order")
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void listAllSpansPages() throws Exception {
      int n = scaled(2 * ObjectStore.MAX_LIST_LIMIT + 7, ObjectStore.MAX_LIST_LIMIT + 7);
      List<String> keys = IntStream.range(0, n).mapToObj(i -> String.format("many/%05d", i)).toList();
      // created from a few threads so that network backends stay quick
      ExecutorService pool = Executors.newFixedThreadPool(4);
      try {
        List<Future<?>> futures = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
          int thread = t;
          futures.add(pool.submit(() -> {
            for (int i = thread; i < n; i += 4) {
              store.create(keys.get(i), new byte[] {(byte) i});
            }
            return null;
          }));
        }
        for (Future<?> f : futures) {
          f.get(5, TimeUnit.MINUTES);
        }
      } finally {
        pool.shutdownNow();
      }
      store.create("many0", utf8("outside the prefix, sorts right after it"));
      assertThat(store.listAll("many/").toList()).isEqualTo(keys);
      assertThat(store.listAll("many/", keys.get(1499 % n)).toList()).isEqualTo(keys.subList(1499 % n + 1, n));
      ListPage full = store.list("many/", "", ObjectStore.MAX_LIST_LIMIT);
      assertThat(full.keys()).isEqualTo(keys.subList(0, ObjectStore.MAX_LIST_LIMIT));
      assertThat(full.truncated()).isTrue();
    }
  }

  /** Keys are checked before anything is stored. */
  @Nested
  @DisplayName("key validation")
  class KeyValidation {
    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("dev.mlops.testkit.ObjectStoreContract#invalidKeyExamples")
    @DisplayName("an invalid key is an IllegalArgumentException naming it, for every operation, and nothing is stored")
    void invalidKeyRejectedEverywhere(String key) {
      assertRejectedEverywhere(store, key);
      assertThat(allKeys(store)).isEmpty();
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("dev.mlops.testkit.ObjectStoreContract#validKeyExamples")
    @DisplayName("unusual but valid keys round-trip")
    void validEdgeKeysRoundTrip(String key) {
      assertRoundTrips(store, key);
    }
  }

  /** Content of any size streams in and out. */
  @Nested
  @DisplayName("large streams")
  class LargeStreams {
    @Test
    @DisplayName("a large createFromStream reads back identical through openStream")
    @Timeout(value = 10, unit = TimeUnit.MINUTES)
    void largeObjectRoundTrips() {
      long size = largeObjectSize();
      Digest expected = GeneratedContent.digestOf(11, size);
      store.createFromStream("big/object", new GeneratedContent(11, size));
      assertThat(GeneratedContent.digestOf(store.openStream("big/object").orElseThrow())).isEqualTo(expected);
      assertThat(store.list("big/", "", 10).keys()).containsExactly("big/object");
    }

    @Test
    @DisplayName("a large blob sink publishes content identical to what was written")
    @Timeout(value = 10, unit = TimeUnit.MINUTES)
    void largeBlobSinkRoundTrips() throws IOException {
      long size = largeObjectSize() / 4;
      try (BlobSink sink = store.newBlobSink(); InputStream in = new GeneratedContent(12, size)) {
        in.transferTo(sink.stream());
        sink.publish("big/sink");
      }
      assertThat(GeneratedContent.digestOf(store.openStream("big/sink").orElseThrow()))
          .isEqualTo(GeneratedContent.digestOf(12, size));
    }

    @Test
    @DisplayName("createFromStream reads the stream to its end and does not close it")
    void streamIsReadToEndAndNotClosed() {
      AtomicInteger closes = new AtomicInteger();
      InputStream in = new FilterInputStream(new ByteArrayInputStream(utf8("content"))) {
        @Override
        public void close() {
          closes.incrementAndGet();
        }
      };
      store.createFromStream("s", in);
      assertThat(closes).hasValue(0);
      assertThat(store.get("s")).hasValueSatisfying(b -> assertThat(b).isEqualTo(utf8("content")));
    }
  }

  /** Blob sinks publish once and leave nothing behind otherwise. */
  @Nested
  @DisplayName("blob sinks")
  class BlobSinks {
    @Test
    @DisplayName("nothing is visible before publish, and closing without publishing leaves nothing")
    void closeWithoutPublishLeavesNothing() throws IOException {
      try (BlobSink sink = store.newBlobSink()) {
        sink.stream().write(utf8("never published"));
        assertThat(allKeys(store)).isEmpty();
      }
      assertThat(allKeys(store)).isEmpty();
    }

    @Test
    @DisplayName("a sink publishes once; publishing again is an IllegalStateException")
    void publishOnce() throws IOException {
      try (BlobSink sink = store.newBlobSink()) {
        sink.stream().write(utf8("once"));
        sink.publish("first");
        assertThatThrownBy(() -> sink.publish("second")).isInstanceOf(IllegalStateException.class);
      }
      assertThat(allKeys(store)).containsExactly("first");
    }

    @Test
    @DisplayName("publishing under an invalid key is an IllegalArgumentException and stores nothing")
    void publishInvalidKey() throws IOException {
      try (BlobSink sink = store.newBlobSink()) {
        sink.stream().write(utf8("x"));
        assertThatThrownBy(() -> sink.publish("a//b")).isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("a//b");
      }
      assertThat(allKeys(store)).isEmpty();
    }

    @Test
    @DisplayName("close is idempotent, also after publish")
    void closeIdempotent() throws IOException {
      BlobSink sink = store.newBlobSink();
      sink.stream().write(1);
      sink.publish("k");
      sink.close();
      sink.close();
      assertThat(store.get("k")).hasValueSatisfying(b -> assertThat(b).containsExactly(1));
    }
  }

  /** Delete removes one object and reports whether it existed. */
  @Nested
  @DisplayName("delete")
  class Deletion {
    @Test
    @DisplayName("delete removes the object and returns true; deleting an absent key returns false")
    void deleteSemantics() {
      store.create("d/x", utf8("x"));
      assertThat(store.delete("d/x")).isTrue();
      assertThat(store.get("d/x")).isEmpty();
      assertThat(store.openStream("d/x")).isEmpty();
      assertThat(allKeys(store)).isEmpty();
      assertThat(store.delete("d/x")).isFalse();
      assertThat(store.delete("never/existed")).isFalse();
    }

    @Test
    @DisplayName("a deleted key can be created again")
    void recreateAfterDelete() {
      store.create("d/x", utf8("one"));
      store.delete("d/x");
      store.create("d/x", utf8("two"));
      assertThat(store.get("d/x")).hasValueSatisfying(b -> assertThat(b).isEqualTo(utf8("two")));
    }

    @Test
    @DisplayName("delete touches exactly one key: not its prefix siblings or the keys below it")
    void deleteIsExact() {
      for (String k : List.of("d", "d/e", "de", "d/e/f")) {
        store.create(k, utf8(k));
      }
      assertThat(store.delete("d/e")).isTrue();
      assertThat(allKeys(store)).containsExactly("d", "d/e/f", "de");
      assertThat(store.delete("d")).isTrue();
      assertThat(allKeys(store)).containsExactly("d/e/f", "de");
    }
  }

  /** Failures surface as the documented exception types, and leave nothing partial. */
  @Nested
  @DisplayName("error mapping")
  class ErrorMapping {
    @Test
    @DisplayName("AlreadyExistsException is an MlopsException and not retryable")
    void alreadyExistsIsNotRetryable() {
      store.create("e", new byte[1]);
      assertThatThrownBy(() -> store.create("e", new byte[1]))
          .isInstanceOfSatisfying(AlreadyExistsException.class, e -> assertThat(e.retryable()).isFalse())
          .isInstanceOf(MlopsException.class);
    }

    @Test
    @DisplayName("a source stream failing half-way is a StorageException and nothing becomes visible")
    void failingSourceStoresNothing() {
      InputStream failing = new InputStream() {
        private final InputStream content = new GeneratedContent(3, 3 << 20);

        @Override
        public int read() throws IOException {
          byte[] b = new byte[1];
          return read(b, 0, 1) < 0 ? -1 : b[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
          if (content.available() < (2 << 20)) {
            throw new IOException("source failed after 1 MiB (simulated)");
          }
          return content.read(b, off, len);
        }
      };
      assertThatThrownBy(() -> store.createFromStream("half/written", failing))
          .isInstanceOf(StorageException.class)
          .hasMessageContaining("half/written");
      assertThat(store.get("half/written")).isEmpty();
      assertThat(allKeys(store)).isEmpty();
      // the key is not blocked by the failed attempt
      store.create("half/written", utf8("retry"));
      assertThat(store.get("half/written")).hasValueSatisfying(b -> assertThat(b).isEqualTo(utf8("retry")));
    }

    @Test
    @DisplayName("a source stream throwing an unchecked exception propagates it (or a StorageException) and stores nothing")
    void uncheckedFailureStoresNothing() {
      InputStream failing = new InputStream() {
        private int left = 100_000;

        @Override
        public int read() {
          if (left-- == 0) {
            throw new IllegalStateException("producer crashed (simulated)");
          }
          return 'x';
        }
      };
      assertThatThrownBy(() -> store.createFromStream("crashed", failing))
          .isInstanceOfAny(IllegalStateException.class, StorageException.class);
      assertThat(store.get("crashed")).isEmpty();
      assertThat(allKeys(store)).isEmpty();
    }
  }

  /** After close, nothing works but close. */
  @Nested
  @DisplayName("close")
  class Closing {
    @Test
    @DisplayName("close is idempotent")
    void closeIsIdempotent() {
      store.close();
      assertThatCode(store::close).doesNotThrowAnyException();
    }

    @Test
    @DisplayName("after close every operation is an IllegalStateException")
    void operationsAfterCloseFail() {
      store.create("k", utf8("v"));
      store.close();
      List<Consumer<ObjectStore>> operations = List.of(
          s -> s.get("k"),
          s -> s.openStream("k"),
          s -> s.create("k2", new byte[1]),
          s -> s.createFromStream("k3", new ByteArrayInputStream(new byte[1])),
          s -> s.list("", "", 10),
          s -> s.listAll("").toList(),
          s -> s.delete("k"),
          s -> publish(s, "k4", new byte[1]));
      for (int i = 0; i < operations.size(); i++) {
        Consumer<ObjectStore> op = operations.get(i);
        assertThat(catchThrowable(() -> op.accept(store))).as("operation #%d after close", i)
            .isInstanceOf(IllegalStateException.class);
      }
    }
  }

  /** What a persistent store keeps, and what a non-persistent one promises instead. */
  @Nested
  @DisplayName("persistence (branches on capabilities().persistent())")
  class Persistence {
    @Test
    @DisplayName("persistent: objects, including empty ones, survive close and reopen; otherwise a new store starts empty")
    void survivesReopen() {
      store.create("p/one", utf8("one"));
      store.create("p/empty", new byte[0]);
      store.createFromStream("p/streamed", new GeneratedContent(5, 100_000));
      StoreCapabilities caps = store.capabilities();
      boolean persistent = caps.persistent();
      ObjectStore again = persistent ? openAgain(store) : null;
      if (again != null) {
        // a second client of the location, opened and closed while the first is open...
        assertThat(again.get("p/one")).hasValueSatisfying(b -> assertThat(b).isEqualTo(utf8("one")));
        again.close();
        // ...leaves the first fully working (no lock or handle of the first released with it)
        store.create("p/after", utf8("after"));
        assertThatThrownBy(() -> store.create("p/one", utf8("x"))).isInstanceOf(AlreadyExistsException.class);
      } else {
        store.create("p/after", utf8("after"));
      }
      store.close();
      if (persistent) {
        ObjectStore reopened = track(openAgain(store));
        assertThat(reopened.capabilities()).isEqualTo(caps);
        assertThat(allKeys(reopened)).containsExactly("p/after", "p/empty", "p/one", "p/streamed");
        assertThat(reopened.get("p/one")).hasValueSatisfying(b -> assertThat(b).isEqualTo(utf8("one")));
        assertThat(reopened.get("p/empty")).hasValueSatisfying(b -> assertThat(b).isEmpty());
        assertThat(GeneratedContent.digestOf(reopened.openStream("p/streamed").orElseThrow()))
            .isEqualTo(GeneratedContent.digestOf(5, 100_000));
        assertThatThrownBy(() -> reopened.create("p/one", utf8("other"))).isInstanceOf(AlreadyExistsException.class);
      } else {
        assertThat(allKeys(track(newStore()))).isEmpty();
      }
    }

    @Test
    @DisplayName("persistent: two open clients of one location see each other's objects at once")
    void twoClientsShareData() {
      if (!store.capabilities().persistent()) {
        // a non-persistent store has no location to share; its data is visible through itself at once
        store.create("x", utf8("1"));
        assertThat(store.get("x")).isPresent();
        return;
      }
      ObjectStore other = track(openAgain(store));
      store.create("from/first", utf8("1"));
      other.create("from/second", utf8("2"));
      assertThat(other.get("from/first")).hasValueSatisfying(b -> assertThat(b).isEqualTo(utf8("1")));
      assertThat(store.get("from/second")).hasValueSatisfying(b -> assertThat(b).isEqualTo(utf8("2")));
      assertThat(allKeys(other)).containsExactly("from/first", "from/second");
      assertThatThrownBy(() -> other.create("from/first", utf8("again"))).isInstanceOf(AlreadyExistsException.class);
      assertThat(other.delete("from/first")).isTrue();
      assertThat(store.get("from/first")).isEmpty();
    }
  }

  // --------------------------------------------------------------------------------------------
  // Property-based checks of the key rule (jqwik engine; each property uses its own store).

  private ObjectStore propertyStore;
  private final AtomicInteger propertyTry = new AtomicInteger();

  private ObjectStore propertyStore() {
    if (propertyStore == null) {
      propertyStore = newStore();
    }
    return propertyStore;
  }

  @AfterProperty
  final void closePropertyStore() {
    if (propertyStore != null) {
      propertyStore.close();
      propertyStore = null;
    }
  }

  /** Any key the rule allows round-trips through create, get, openStream, list and delete. */
  @Property(tries = 100)
  void validKeysRoundTrip(@ForAll("validKeys") String generated) {
    // a unique first segment keeps tries independent; the generated part keeps its full shape
    String key = "t" + propertyTry.incrementAndGet() + "/" + generated;
    if (key.length() > ObjectStore.MAX_KEY_LENGTH) {
      key = key.substring(0, ObjectStore.MAX_KEY_LENGTH);
      if (!KeyOracle.isValid(key)) {
        return;
      }
    }
    assertRoundTrips(propertyStore(), key);
  }

  /** Any key the rule forbids is rejected by every operation, and nothing is stored. */
  @Property(tries = 200)
  void invalidKeysRejected(@ForAll("invalidKeys") String key) {
    assertThat(KeyOracle.isValid(key)).as("generator produced a valid key %s", key).isFalse();
    assertRejectedEverywhere(propertyStore(), key);
    assertThat(propertyStore().list("", "", 1)).isEqualTo(new ListPage(List.of(), false));
  }

  @Provide
  Arbitrary<String> validKeys() {
    return KeyOracle.validKeys();
  }

  @Provide
  Arbitrary<String> invalidKeys() {
    return KeyOracle.invalidKeys();
  }

  private static void assertRoundTrips(ObjectStore s, String key) {
    assertThat(KeyOracle.isValid(key)).as("test bug: %s is not a valid key", key).isTrue();
    byte[] content = utf8("content of " + key);
    s.create(key, content);
    assertThat(s.get(key)).as("get(%s)", key).hasValueSatisfying(b -> assertThat(b).isEqualTo(content));
    assertThat(readAll(s.openStream(key).orElseThrow())).isEqualTo(content);
    assertThat(s.list(key, "", ObjectStore.MAX_LIST_LIMIT).keys()).as("list(%s)", key).contains(key);
    int slash = key.lastIndexOf('/');
    if (slash > 0) {
      assertThat(s.list(key.substring(0, slash + 1), "", ObjectStore.MAX_LIST_LIMIT).keys()).contains(key);
    }
    assertThatThrownBy(() -> s.create(key, content)).isInstanceOf(AlreadyExistsException.class);
    assertThat(s.delete(key)).isTrue();
    assertThat(s.get(key)).isEmpty();
  }

  private static void assertRejectedEverywhere(ObjectStore s, String key) {
    List<Consumer<String>> operations = List.of(
        k -> s.create(k, utf8("x")),
        k -> s.createFromStream(k, new ByteArrayInputStream(utf8("x"))),
        k -> publish(s, k, utf8("x")),
        s::get,
        s::openStream,
        s::delete);
    for (int i = 0; i < operations.size(); i++) {
      Consumer<String> op = operations.get(i);
      assertThat(catchThrowable(() -> op.accept(key)))
          .as("operation #%d with invalid key %s", i, KeyOracle.printable(key))
          .isInstanceOf(IllegalArgumentException.class)
          .satisfies(e -> assertThat(KeyOracle.namesKey(e.getMessage(), key))
              .as("message '%s' names the key %s", e.getMessage(), KeyOracle.printable(key)).isTrue());
    }
  }

  static List<String> invalidKeyExamples() {
    return KeyOracle.INVALID_EXAMPLES;
  }

  static List<String> validKeyExamples() {
    return KeyOracle.VALID_EXAMPLES;
  }

  static List<CreateMethod> createMethods() {
    return Arrays.asList(CreateMethod.values());
  }

  /** An independent statement of the key rule of {@link ObjectStore}, and generators for it. */
  static final class KeyOracle {
    private static final String SEGMENT_CHARS =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-";

    static final List<String> INVALID_EXAMPLES = List.of(
        "", "/", "/x", "x/", "/x/", "a//b", "//", ".", "..", "./a", "a/.", "a/./b", "../a", "a/..", "a/../b",
        "a\u0000b", "a\nb", "a\tb", "a\rb", "\u007f", "a/\u001fb",
        " ", "a b", " a", "a ", "a/ b",
        "caf\u00e9", "\u00fcber/x", "a/\u20ac", "\ud83d\ude00", "\u0430", // Cyrillic a, looks like 'a'
        "a\\b", "a:b", "a*b", "a?b", "a\"b", "a<b", "a|b", "a%2Fb", "a+b", "a~b", "a@b", "a#b",
        "x".repeat(ObjectStore.MAX_KEY_LENGTH + 1),
        "abcdefgh/".repeat(113) + "abcdefgh" // 1017 + 8 = 1025 characters of valid segments
    );

    static final List<String> VALID_EXAMPLES = List.of(
        "a", "Z", "0", "-", "_", "...", ".a", "a.", "-a-", "a..b", "a/.../b", "A/b.C/d-E/f_G",
        "models/fraud/log/00000000000000000001.json",
        "artifacts/sha256/ab/" + "c".repeat(62),
        "n".repeat(128),
        "abcdefgh/".repeat(113) + "abcdefg", // 1017 + 7: exactly 1024 characters
        "x".repeat(127) + "/" + "y".repeat(128));

    private KeyOracle() {}

    static boolean isValid(String key) {
      if (key.isEmpty() || key.length() > ObjectStore.MAX_KEY_LENGTH) {
        return false;
      }
      for (String seg : key.split("/", -1)) {
        if (seg.isEmpty() || seg.equals(".") || seg.equals("..")) {
          return false;
        }
        for (int i = 0; i < seg.length(); i++) {
          if (SEGMENT_CHARS.indexOf(seg.charAt(i)) < 0) {
            return false;
          }
        }
      }
      return true;
    }

    /** The key as an error message should show it: control characters escaped, long keys cut. */
    static String printable(String key) {
      StringBuilder sb = new StringBuilder();
      for (int i = 0; i < key.length(); i++) {
        char c = key.charAt(i);
        sb.append(c < 0x20 || c == 0x7f ? String.format("\\u%04x", (int) c) : String.valueOf(c));
      }
      return sb.toString();
    }

    /**
     * Whether a message names a key: it contains the key (raw or with control characters
     * escaped), or for a long key its first 100 characters.
     */
    static boolean namesKey(String message, String key) {
      if (message == null) {
        return false;
      }
      if (key.isEmpty()) {
        return message.contains("''") || message.contains("\"\"") || message.contains("empty");
      }
      String shown = printable(key);
      String raw = key;
      if (shown.length() > 100) {
        shown = shown.substring(0, 100);
      }
      if (raw.length() > 100) {
        raw = raw.substring(0, 100);
      }
      return message.contains(shown) || message.contains(raw);
    }

    static Arbitrary<String> segments() {
      return Arbitraries.strings().withChars(SEGMENT_CHARS).ofMinLength(1).ofMaxLength(40)
          .filter(s -> !s.equals(".") && !s.equals(".."));
    }

    static Arbitrary<String> validKeys() {
      return segments().list().ofMinSize(1).ofMaxSize(6).map(l -> String.join("/", l))
          .filter(KeyOracle::isValid);
    }

    /** Valid keys broken in one of the ways the rule forbids. */
    static Arbitrary<String> invalidKeys() {
      Arbitrary<Character> forbiddenChar = Arbitraries.oneOf(
          Arbitraries.chars().range('\u0000', '\u001f'),
          Arbitraries.of('\u007f', ' ', '\\', ':', '*', '?', '"', '<', '>', '|', '%', '+', '~', '!', '@',
              '#', '$', '&', '=', ',', ';', '\'', '(', ')', '[', ']', '{', '}', '^', '`'),
          Arbitraries.chars().range('\u0080', '\u024f'),
          Arbitraries.chars().range('\u0400', '\u04ff'),
          Arbitraries.chars().range('\u4e00', '\u4e20'));
      Arbitrary<String> forbiddenCharInserted = Combinators.combine(validKeys(), forbiddenChar, Arbitraries.integers().between(0, 1000))
          .as((k, c, at) -> {
            int i = at % (k.length() + 1);
            return k.substring(0, i) + c + k.substring(i);
          });
      Arbitrary<String> badSlashes = Combinators.combine(validKeys(), Arbitraries.integers().between(0, 3))
          .as((k, kind) -> switch (kind) {
            case 0 -> "/" + k;
            case 1 -> k + "/";
            case 2 -> k.contains("/") ? k.replaceFirst("/", "//") : k + "//x";
            default -> "/" + k + "/";
          });
      Arbitrary<String> dotSegments = Combinators.combine(
              validKeys(), Arbitraries.of(".", ".."), Arbitraries.integers().between(0, 1000))
          .as((k, dots, at) -> {
            List<String> segs = new ArrayList<>(List.of(k.split("/")));
            segs.add(at % (segs.size() + 1), dots);
            return String.join("/", segs);
          });
      Arbitrary<String> tooLong = Combinators.combine(validKeys(), Arbitraries.integers().between(1, 300))
          .as((k, extra) -> {
            StringBuilder sb = new StringBuilder(k);
            while (sb.length() <= ObjectStore.MAX_KEY_LENGTH) {
              sb.append('/').append(k);
            }
            return sb.substring(0, Math.min(sb.length(), ObjectStore.MAX_KEY_LENGTH + extra));
          })
          .filter(k -> !k.endsWith("/") && k.length() > ObjectStore.MAX_KEY_LENGTH);
      return Arbitraries.oneOf(forbiddenCharInserted, badSlashes, dotSegments, tooLong, Arbitraries.just(""))
          .filter(k -> !isValid(k));
    }
  }
}
