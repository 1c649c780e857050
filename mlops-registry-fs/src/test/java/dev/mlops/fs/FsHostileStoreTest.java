package dev.mlops.fs;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mlops.CorruptDataException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A store someone tampered with: links planted inside it must never be followed. */
class FsHostileStoreTest {
  @TempDir Path dir;
  Path outside;
  FsObjectStore store;

  @BeforeEach
  void open() throws IOException {
    outside = Files.createDirectories(dir.resolve("outside"));
    Files.writeString(outside.resolve("secret"), "do not read");
    store = FsObjectStore.builder().root(dir.resolve("store")).build();
  }

  @AfterEach
  void close() {
    store.close();
  }

  @Test
  void aDirectoryLinkPointingOutsideIsNeverFollowed() throws IOException {
    store.create("models/m/log/1", new byte[] {1});
    Files.createSymbolicLink(store.root().resolve("models+/evil+"), outside);

    assertCorrupt(() -> store.get("models/evil/secret"), "models/evil/secret");
    assertCorrupt(() -> store.openStream("models/evil/secret"), "models/evil/secret");
    assertCorrupt(() -> store.delete("models/evil/secret"), "models/evil/secret");
    assertCorrupt(() -> store.create("models/evil/new", new byte[] {1}), "models/evil/new");
    assertCorrupt(() -> store.createFromStream("models/evil/new", new ByteArrayInputStream(new byte[1])), "models/evil/new");
    assertCorrupt(() -> store.listAll("models/").toList(), "models/evil");
    assertCorrupt(() -> store.listAll("models/evil/").toList(), "models/evil/");
    assertCorrupt(() -> store.list("", "", 10), "models/evil");

    assertThat(Files.readString(outside.resolve("secret"))).isEqualTo("do not read");
    try (Stream<Path> s = Files.list(outside)) {
      assertThat(s.toList()).containsExactly(outside.resolve("secret"));
    }
    // keys that do not go through the link still work
    assertThat(store.get("models/m/log/1")).isPresent();
    assertThat(store.listAll("models/m/").toList()).containsExactly("models/m/log/1");
  }

  @Test
  void aFileLinkIsNeverFollowed() throws IOException {
    Files.createDirectories(store.root().resolve("artifacts+/sha256+/ab+"));
    Files.createSymbolicLink(store.root().resolve("artifacts+/sha256+/ab+/cd"), outside.resolve("secret"));

    assertCorrupt(() -> store.get("artifacts/sha256/ab/cd"), "artifacts/sha256/ab/cd");
    assertCorrupt(() -> store.openStream("artifacts/sha256/ab/cd"), "artifacts/sha256/ab/cd");
    assertCorrupt(() -> store.delete("artifacts/sha256/ab/cd"), "artifacts/sha256/ab/cd");
    assertCorrupt(() -> store.create("artifacts/sha256/ab/cd", new byte[] {1}), "artifacts/sha256/ab/cd");
    assertCorrupt(() -> store.listAll("artifacts/").toList(), "artifacts/sha256/ab/cd");
    assertThat(Files.readString(outside.resolve("secret"))).isEqualTo("do not read");
  }

  @Test
  void aFileSwappedForALinkAfterTheCheckIsNotOpened() throws IOException {
    // the race the per-component checks cannot close: the final open refuses links by itself
    Path link = Files.createSymbolicLink(store.root().resolve("swapped"), outside.resolve("secret"));
    assertCorrupt(() -> FsObjectStore.openForReading(link, "swapped").close(), "swapped");
  }

  @Test
  void aDanglingLinkIsReportedToo() throws IOException {
    Files.createSymbolicLink(store.root().resolve("gone"), dir.resolve("nowhere"));
    Files.createSymbolicLink(store.root().resolve("gone+"), dir.resolve("nowhere"));
    assertCorrupt(() -> store.get("gone"), "gone");
    assertCorrupt(() -> store.create("gone/x", new byte[0]), "gone/x");
    assertThat(Files.exists(dir.resolve("nowhere"))).isFalse();
  }

  @Test
  void aLinkedTempAreaIsRefusedAtOpen() throws IOException {
    Path root = dir.resolve("other");
    try (FsObjectStore s = FsObjectStore.builder().root(root).build()) {
      s.create("a", new byte[0]);
    }
    Files.delete(root.resolve(TempArea.DIR_NAME));
    Files.createSymbolicLink(root.resolve(TempArea.DIR_NAME), outside);

    assertThatThrownBy(() -> FsObjectStore.builder().root(root).build())
        .isInstanceOf(CorruptDataException.class).hasMessageContaining(TempArea.DIR_NAME);
    try (Stream<Path> s = Files.list(outside)) {
      assertThat(s.toList()).hasSize(1);
    }
  }

  @Test
  void aNamedPipeIsNotOpened() throws Exception {
    Path fifo = store.root().resolve("pipe");
    Process mk = new ProcessBuilder("mkfifo", fifo.toString()).start();
    assertThat(mk.waitFor()).isZero();
    // opening a FIFO for reading would block forever; the store must refuse it instead
    assertCorrupt(() -> store.get("pipe"), "pipe");
    assertCorrupt(() -> store.openStream("pipe"), "pipe");
    assertCorrupt(() -> store.list("", "", 5), "pipe");
  }

  @Test
  void contentIsReadBackExactlyAsWrittenOrNotAtAll() throws IOException {
    store.create("models/m/log/1", "{\"seq\":1}".getBytes(UTF_8));
    // Damage from outside (a truncated copy): the store returns what is on disk; the hash chain
    // and digests above the SPI detect it (see the workspace ITs).
    Files.writeString(store.root().resolve("models+/m+/log+/1"), "{\"se");
    assertThat(new String(store.get("models/m/log/1").orElseThrow(), UTF_8)).isEqualTo("{\"se");
  }

  private static void assertCorrupt(org.assertj.core.api.ThrowableAssert.ThrowingCallable call, String key) {
    assertThatThrownBy(call).isInstanceOf(CorruptDataException.class)
        .hasMessageContaining("'" + key);
  }
}
