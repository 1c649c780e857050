package dev.mlops.fs;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mlops.AlreadyExistsException;
import dev.mlops.StorageException;
import dev.mlops.spi.BlobSink;
import dev.mlops.spi.ListPage;
import dev.mlops.spi.ObjectStore;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FsObjectStoreTest {
  @TempDir Path dir;
  FsObjectStore store;

  @BeforeEach
  void open() {
    store = FsObjectStore.builder().root(dir.resolve("store")).build();
  }

  @AfterEach
  void close() {
    store.close();
  }

  @Test
  void createThenGetReturnsTheBytesAndMapsTheKeyToANestedFile() throws IOException {
    store.create("models/fraud/log/0000000001.json", "{\"a\":1}".getBytes(UTF_8));

    assertThat(store.get("models/fraud/log/0000000001.json")).hasValueSatisfying(
        b -> assertThat(new String(b, UTF_8)).isEqualTo("{\"a\":1}"));
    assertThat(Files.readString(store.root().resolve("models+/fraud+/log+/0000000001.json"))).isEqualTo("{\"a\":1}");
    assertThat(store.get("models/fraud/log/0000000002.json")).isEmpty();
    assertThat(tempFiles()).isEmpty();
  }

  @Test
  void secondCreateOfAKeyFailsAndKeepsTheFirstContent() {
    store.create("k/v", "first".getBytes(UTF_8));

    assertThatThrownBy(() -> store.create("k/v", "second".getBytes(UTF_8)))
        .isInstanceOf(AlreadyExistsException.class).hasMessageContaining("'k/v'");
    assertThatThrownBy(() -> store.createFromStream("k/v", new ByteArrayInputStream(new byte[3])))
        .isInstanceOf(AlreadyExistsException.class);
    assertThat(new String(store.get("k/v").orElseThrow(), UTF_8)).isEqualTo("first");
    assertThat(tempFiles()).isEmpty();
  }

  @Test
  void emptyObjectIsAnObject() {
    store.create("empty", new byte[0]);
    assertThat(store.get("empty")).hasValueSatisfying(b -> assertThat(b).isEmpty());
    assertThat(store.list("", "", 10).keys()).containsExactly("empty");
  }

  @Test
  void createFromStreamStoresEverythingAndDoesNotCloseTheStream() throws IOException {
    byte[] content = new byte[3 * 1024 * 1024 + 17];
    new Random(1).nextBytes(content);
    boolean[] closed = {false};
    InputStream in = new ByteArrayInputStream(content) {
      @Override
      public void close() {
        closed[0] = true;
      }
    };

    store.createFromStream("blobs/big", in);

    assertThat(closed[0]).isFalse();
    assertThat(store.get("blobs/big")).hasValueSatisfying(b -> assertThat(b).isEqualTo(content));
    try (InputStream s = store.openStream("blobs/big").orElseThrow()) {
      assertThat(s.readAllBytes()).isEqualTo(content);
    }
    assertThat(store.openStream("blobs/none")).isEmpty();
  }

  @Test
  void failingSourceStreamLeavesNothing() {
    InputStream broken = new InputStream() {
      int n;

      @Override
      public int read() throws IOException {
        if (n++ > 100_000) {
          throw new IOException("disk on fire");
        }
        return 7;
      }
    };
    assertThatThrownBy(() -> store.createFromStream("a/b", broken))
        .isInstanceOf(StorageException.class).hasMessageContaining("'a/b'");
    assertThat(store.get("a/b")).isEmpty();
    assertThat(tempFiles()).isEmpty();
  }

  @Test
  void blobSinkPublishesOnceAndDiscardsOnClose() throws IOException {
    try (BlobSink sink = store.newBlobSink()) {
      sink.stream().write("hello ".getBytes(UTF_8));
      sink.stream().write("world".getBytes(UTF_8));
      assertThat(tempFiles()).hasSize(1);
      sink.publish("artifacts/sha256/ab/cd");
      assertThatThrownBy(() -> sink.publish("x")).isInstanceOf(IllegalStateException.class);
    }
    assertThat(new String(store.get("artifacts/sha256/ab/cd").orElseThrow(), UTF_8)).isEqualTo("hello world");

    try (BlobSink sink = store.newBlobSink()) {
      sink.stream().write(1);
    }
    try (BlobSink sink = store.newBlobSink()) {
      sink.stream().write(2);
      assertThatThrownBy(() -> sink.publish("artifacts/sha256/ab/cd")).isInstanceOf(AlreadyExistsException.class);
    }
    try (BlobSink sink = store.newBlobSink()) {
      OutputStream out = sink.stream();
      out.write(3);
      out.close(); // closing the stream by mistake still lets the sink publish
      sink.publish("closed/stream");
    }
    assertThat(store.get("closed/stream")).hasValueSatisfying(b -> assertThat(b).containsExactly(3));
    assertThat(tempFiles()).isEmpty();
    assertThat(store.list("", "", 10).keys()).containsExactly("artifacts/sha256/ab/cd", "closed/stream");
  }

  @Test
  void listIsInStringOrderAcrossDirectoriesAndFiles() {
    // '-' and '.' sort before '/', so "a-b" and "a.b" come before every "a/..." key
    List<String> keys = List.of("a", "a-b", "a.b", "a0", "b/c/d", "b/c-d", "b/c.d/e", "b/cd", "a-/x", "z");
    List<String> withDirs = new ArrayList<>(keys);
    withDirs.add("ab/x/y");
    withDirs.add("a_/q");
    withDirs.remove("a");
    withDirs.add("a/1");
    withDirs.add("a/1.x");
    withDirs.forEach(k -> store.create(k, k.getBytes(UTF_8)));
    List<String> sorted = withDirs.stream().sorted().toList();

    assertThat(store.listAll("").toList()).isEqualTo(sorted);
    for (int limit = 1; limit <= sorted.size() + 1; limit++) {
      assertThat(pageThrough("", limit)).isEqualTo(sorted);
    }
    assertThat(store.listAll("b/").toList()).containsExactly("b/c-d", "b/c.d/e", "b/c/d", "b/cd");
    assertThat(store.listAll("b/c").toList()).containsExactly("b/c-d", "b/c.d/e", "b/c/d", "b/cd");
    assertThat(store.listAll("b/c/").toList()).containsExactly("b/c/d");
    assertThat(store.listAll("a").toList()).containsExactlyElementsOf(
        sorted.stream().filter(k -> k.startsWith("a")).toList());
    assertThat(store.listAll("nothing/").toList()).isEmpty();
    assertThat(store.listAll("a/1/").toList()).isEmpty();
  }

  @Test
  void listStartsAfterAnyBoundAndReportsTruncation() {
    List<String> keys = new ArrayList<>();
    for (int i = 0; i < 25; i++) {
      keys.add(String.format("models/m/log/%010d.json", i));
    }
    keys.forEach(k -> store.create(k, new byte[] {1}));

    ListPage first = store.list("models/m/log/", "", 10);
    assertThat(first.keys()).isEqualTo(keys.subList(0, 10));
    assertThat(first.truncated()).isTrue();
    ListPage tail = store.list("models/m/log/", keys.get(19), 10);
    assertThat(tail.keys()).isEqualTo(keys.subList(20, 25));
    assertThat(tail.truncated()).isFalse();
    assertThat(store.list("models/m/log/", "models/m/log/0000000005", 3).keys()).isEqualTo(keys.subList(5, 8));
    assertThat(store.list("models/", "models/m/log/0000000024.json", 10).keys()).isEmpty();
    assertThat(store.list("models/", "zzz", 10).keys()).isEmpty();
    assertThat(store.list("", "models/m", 2).keys()).isEqualTo(keys.subList(0, 2));
    assertThatThrownBy(() -> store.list("", "", 0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> store.list("", "", ObjectStore.MAX_LIST_LIMIT + 1))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> store.list("../", "", 1)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void storeFilesAndForeignNamesAreNeverListed() throws IOException {
    store.create("a", new byte[0]);
    Files.writeString(store.root().resolve("has space"), "x");
    Files.writeString(store.root().resolve("x~y"), "x");
    Files.writeString(store.temp().resolve("leftover~1~2~3.tmp"), "x");

    assertThat(store.listAll("").toList()).containsExactly("a");
  }

  @Test
  void deleteRemovesTheObjectAndItsEmptyDirectoriesButNotTheRoot() {
    store.create("models/m/log/1", new byte[] {1});
    store.create("models/m/log/2", new byte[] {2});

    assertThat(store.delete("models/m/log/1")).isTrue();
    assertThat(store.delete("models/m/log/1")).isFalse();
    assertThat(Files.isDirectory(store.root().resolve("models+/m+/log+"))).isTrue();
    assertThat(store.delete("models/m/log/2")).isTrue();
    assertThat(Files.exists(store.root().resolve("models+"))).isFalse();
    assertThat(Files.isDirectory(store.root())).isTrue();
    assertThat(store.delete("models")).isFalse();
    store.create("models/m/log/1", new byte[] {3});
    assertThat(store.get("models/m/log/1")).hasValueSatisfying(b -> assertThat(b).containsExactly(3));
  }

  @Test
  void aKeyAndTheKeysBelowItAreSeparateFiles() throws IOException {
    store.create("a/b/c", "child".getBytes(UTF_8));
    assertThat(store.get("a/b")).isEmpty();
    assertThat(store.delete("a/b")).isFalse();
    store.create("a/b", "parent".getBytes(UTF_8));
    store.create("a/b/c/d", "grandchild".getBytes(UTF_8));

    assertThat(Files.readString(store.root().resolve("a+/b"))).isEqualTo("parent");
    assertThat(Files.readString(store.root().resolve("a+/b+/c"))).isEqualTo("child");
    assertThat(Files.readString(store.root().resolve("a+/b+/c+/d"))).isEqualTo("grandchild");
    assertThat(store.listAll("").toList()).containsExactly("a/b", "a/b/c", "a/b/c/d");
    assertThat(store.delete("a/b/c")).isTrue();
    assertThat(store.listAll("a/").toList()).containsExactly("a/b", "a/b/c/d");
  }

  @Test
  void foreignFilesWithDirectoryOrFileNamesOfTheWrongKindAreDamage() throws IOException {
    Files.createDirectories(store.root().resolve("x"));
    Files.writeString(store.root().resolve("y+"), "not a directory");
    assertThatThrownBy(() -> store.get("x")).isInstanceOf(dev.mlops.CorruptDataException.class)
        .hasMessageContaining("'x'");
    assertThatThrownBy(() -> store.create("y/z", new byte[0])).isInstanceOf(dev.mlops.CorruptDataException.class)
        .hasMessageContaining("'y/z'");
    assertThat(store.listAll("").toList()).isEmpty();
  }

  @Test
  void segmentsLongerThanFileNamesAreRefusedClearly() {
    String key = "x/" + "a".repeat(255);
    assertThatThrownBy(() -> store.create(key, new byte[0]))
        .isInstanceOf(StorageException.class).hasMessageContaining("254");
    assertThat(store.get(key)).isEmpty();
    store.create("a".repeat(254) + "/" + "b".repeat(254), new byte[] {1});
    assertThat(store.get("a".repeat(254) + "/" + "b".repeat(254))).isPresent();
  }

  @Test
  void invalidKeysAreRejectedBeforeTouchingTheDisk() {
    for (String bad : List.of("", "/a", "a/", "a//b", "../x", "a/../b", ".", "a/./b", "a b", "a\u0000b", "ä")) {
      assertThatThrownBy(() -> store.create(bad, new byte[0])).isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> store.get(bad)).isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> store.delete(bad)).isInstanceOf(IllegalArgumentException.class);
    }
    assertThat(store.listAll("").toList()).isEmpty();
  }

  @Test
  void concurrentCreatesOfOneKeyHaveExactlyOneWinner() throws Exception {
    int threads = 8;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      for (int round = 0; round < 20; round++) {
        String key = "race/" + round;
        CountDownLatch start = new CountDownLatch(1);
        List<Future<Boolean>> results = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
          byte[] mine = {(byte) t};
          results.add(pool.submit(() -> {
            start.await();
            try {
              store.create(key, mine);
              return true;
            } catch (AlreadyExistsException e) {
              return false;
            }
          }));
        }
        start.countDown();
        int winners = 0;
        int winner = -1;
        for (int t = 0; t < threads; t++) {
          if (results.get(t).get(10, TimeUnit.SECONDS)) {
            winners++;
            winner = t;
          }
        }
        assertThat(winners).isEqualTo(1);
        assertThat(store.get(key).orElseThrow()).containsExactly((byte) winner);
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(tempFiles()).isEmpty();
  }

  @Test
  void createsAndDeletesRacingInTheSameDirectoriesNeverFailSpuriously() throws Exception {
    // deleters remove emptied directories while creators need them: creators must recreate them
    int n = 300;
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<?>> work = new ArrayList<>();
      for (int t = 0; t < 2; t++) {
        int offset = t;
        work.add(pool.submit(() -> {
          for (int i = offset; i < n; i += 2) {
            store.create("d/e/f/" + i, new byte[] {1});
          }
          return null;
        }));
        work.add(pool.submit(() -> {
          for (int round = 0; round < 3; round++) {
            for (int i = offset; i < n; i += 2) {
              store.delete("d/e/f/" + i);
            }
          }
          return null;
        }));
      }
      for (Future<?> f : work) {
        f.get(60, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    for (int i = 0; i < n; i++) {
      store.delete("d/e/f/" + i);
    }
    assertThat(store.listAll("").toList()).isEmpty();
    assertThat(Files.exists(store.root().resolve("d+"))).isFalse();
    assertThat(tempFiles()).isEmpty();
  }

  @Test
  void createsIntoNewNestedDirectoriesFromMoreThreadsThanSyncThreadsAllLand() throws Exception {
    // each create makes three directories, whose parents are synced on the shared sync threads
    // (8 at most): with 24 creating threads the pool is full and creating threads sync themselves
    int threads = 24;
    int perThread = 20;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    CountDownLatch go = new CountDownLatch(1);
    try {
      List<Future<?>> work = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int thread = t;
        work.add(pool.submit(() -> {
          go.await();
          for (int i = 0; i < perThread; i++) {
            store.create("runs/" + thread + "-" + i + "/log/0001.json", new byte[] {(byte) thread, (byte) i});
          }
          return null;
        }));
      }
      go.countDown();
      for (Future<?> f : work) {
        f.get(120, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    for (int t = 0; t < threads; t++) {
      for (int i = 0; i < perThread; i++) {
        assertThat(store.get("runs/" + t + "-" + i + "/log/0001.json").orElseThrow()).containsExactly((byte) t, (byte) i);
      }
    }
    assertThat(store.listAll("runs/").count()).isEqualTo((long) threads * perThread);
    assertThat(tempFiles()).isEmpty();
  }

  @Test
  void dataOutlivesTheStoreObject() {
    store.create("p/q", "kept".getBytes(UTF_8));
    store.close();
    try (FsObjectStore again = FsObjectStore.builder().root(dir.resolve("store")).build()) {
      assertThat(new String(again.get("p/q").orElseThrow(), UTF_8)).isEqualTo("kept");
      assertThat(again.capabilities().persistent()).isTrue();
      assertThat(again.capabilities().multiProcess()).isTrue();
    }
  }

  @Test
  void closedStoreRefusesWork() {
    store.close();
    store.close();
    assertThatThrownBy(() -> store.get("a")).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> store.create("a", new byte[0])).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> store.list("", "", 1)).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> store.newBlobSink()).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void refusesANonEmptyDirectoryThatIsNotAStore() throws IOException {
    Path home = dir.resolve("home");
    Files.createDirectories(home);
    Files.writeString(home.resolve("notes.txt"), "mine");

    assertThatThrownBy(() -> FsObjectStore.builder().root(home).build())
        .isInstanceOf(StorageException.class).hasMessageContaining("notes.txt").hasMessageContaining("not an mlops store");
    assertThat(Files.readString(home.resolve("notes.txt"))).isEqualTo("mine");
  }

  @Test
  void concurrentOpensOfANewDirectoryAllSucceedAndWriteOneMarker() throws Exception {
    for (int round = 0; round < 20; round++) {
      Path fresh = dir.resolve("fresh-" + round);
      CountDownLatch start = new CountDownLatch(1);
      ExecutorService pool = Executors.newFixedThreadPool(6);
      try {
        List<Future<FsObjectStore>> opened = new ArrayList<>();
        for (int t = 0; t < 6; t++) {
          opened.add(pool.submit(() -> {
            start.await();
            return FsObjectStore.builder().root(fresh).build();
          }));
        }
        start.countDown();
        for (Future<FsObjectStore> f : opened) {
          f.get(30, TimeUnit.SECONDS).close();
        }
      } finally {
        pool.shutdownNow();
      }
      assertThat(Files.readString(fresh.resolve(FsObjectStore.FORMAT_FILE), UTF_8)).contains("format=1");
      try (Stream<Path> s = Files.list(fresh)) {
        assertThat(s.map(p -> p.getFileName().toString()).sorted().toList())
            .containsExactly(FsObjectStore.FORMAT_FILE, TempArea.DIR_NAME);
      }
    }
  }

  @Test
  void refusesALayoutFormatItDoesNotRead() throws IOException {
    Files.writeString(store.root().resolve(FsObjectStore.FORMAT_FILE), "format=2\n");
    assertThatThrownBy(() -> FsObjectStore.builder().root(store.root()).build())
        .isInstanceOf(StorageException.class).hasMessageContaining("format 2").hasMessageContaining("upgrade");
  }

  @Test
  void refusesARootThatIsAFile() throws IOException {
    Path file = Files.writeString(dir.resolve("file"), "x");
    assertThatThrownBy(() -> FsObjectStore.builder().root(file).build())
        .isInstanceOf(StorageException.class).hasMessageContaining(file.toString());
    assertThatThrownBy(() -> FsObjectStore.builder().build()).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void aRootReachedThroughALinkIsFine() throws IOException {
    store.create("x", new byte[] {9});
    Path link = Files.createSymbolicLink(dir.resolve("link"), dir.resolve("store"));
    try (FsObjectStore viaLink = FsObjectStore.builder().root(link).build()) {
      assertThat(viaLink.get("x")).isPresent();
    }
  }

  private List<Path> tempFiles() {
    try (Stream<Path> s = Files.list(store.temp())) {
      return s.toList();
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  private List<String> pageThrough(String prefix, int limit) {
    List<String> all = new ArrayList<>();
    String after = "";
    while (true) {
      ListPage page = store.list(prefix, after, limit);
      all.addAll(page.keys());
      assertThat(page.keys().size()).isLessThanOrEqualTo(limit);
      if (!page.truncated()) {
        return all;
      }
      assertThat(page.keys()).hasSize(limit);
      after = page.keys().get(page.keys().size() - 1);
    }
  }
}
