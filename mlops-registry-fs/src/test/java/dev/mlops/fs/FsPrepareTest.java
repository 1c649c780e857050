package dev.mlops.fs;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link FsObjectStore#prepare}: directories made ahead of creates, invisible to every reader. */
class FsPrepareTest {
  @TempDir Path dir;

  static final class SettableClock extends Clock {
    volatile Instant now = Instant.parse("2026-01-02T03:04:05Z");

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }

  @Test
  void prepareMakesTheDirectoriesOfAPrefixButNoKeyUntilACreate() {
    try (FsObjectStore store = FsObjectStore.builder().root(dir).build()) {
      assertThat(store.prepare("runs/abc/log/")).isTrue();

      assertThat(store.root().resolve("runs+/abc+/log+")).isDirectory().isEmptyDirectory();
      assertThat(store.listAll("")).isEmpty();
      assertThat(store.list("runs/", "", 1).keys()).isEmpty();
      assertThat(store.get("runs/abc/log")).isEmpty();

      store.create("runs/abc/log/00000000000000000001.json", "{}".getBytes(UTF_8));
      assertThat(store.listAll("runs/")).containsExactly("runs/abc/log/00000000000000000001.json");
      assertThat(store.prepare("runs/abc/log/")).isTrue(); // already there: nothing to do
      assertThat(store.listAll("")).containsExactly("runs/abc/log/00000000000000000001.json");
    }
  }

  @Test
  void closeRemovesPreparedDirectoriesThatStayedEmptyAndKeepsUsedOnes() {
    FsObjectStore store = FsObjectStore.builder().root(dir).build();
    store.prepare("runs/unused/log/");
    store.prepare("runs/used/log/");
    store.create("runs/used/log/1", new byte[] {1});

    store.close();

    assertThat(dir.resolve("runs+/unused+")).doesNotExist();
    assertThat(dir.resolve("runs+/used+/log+/1")).isRegularFile();
  }

  @Test
  void preparedDirectoriesStillEmptyAMinuteLaterAreRemovedByTheNextPrepare() {
    SettableClock clock = new SettableClock();
    try (FsObjectStore store = FsObjectStore.builder().root(dir).clock(clock).build()) {
      store.prepare("runs/old/log/");
      clock.now = clock.now.plus(FsObjectStore.PREPARED_UNUSED_AFTER).plusMillis(1);

      store.prepare("runs/new/log/");

      assertThat(dir.resolve("runs+/old+")).doesNotExist();
      assertThat(dir.resolve("runs+/new+/log+")).isDirectory();
      store.create("runs/old/log/1", new byte[] {1}); // a late create makes its directories again
      assertThat(store.get("runs/old/log/1")).isPresent();
    }
  }

  @Test
  void aReadOnlyStorePreparesNothingAndBadPrefixesAreRefused() {
    FsObjectStore.builder().root(dir).build().close();
    try (FsObjectStore ro = FsObjectStore.builder().root(dir).readOnly(true).build()) {
      assertThat(ro.prepare("runs/x/")).isFalse();
      assertThat(dir.resolve("runs+")).doesNotExist();
    }
    try (FsObjectStore store = FsObjectStore.builder().root(dir).build()) {
      assertThatThrownBy(() -> store.prepare("runs/x")).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("runs/x");
      assertThatThrownBy(() -> store.prepare("")).isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> store.prepare("runs/../x/")).isInstanceOf(IllegalArgumentException.class);
      assertThat(Files.exists(dir.resolve("runs+"))).isFalse();
    }
  }
}
