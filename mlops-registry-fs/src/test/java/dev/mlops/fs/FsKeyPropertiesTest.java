package dev.mlops.fs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mlops.spi.ListPage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.TreeSet;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/** Property-based tests of key handling: any valid key round-trips and lists in order; no key escapes. */
class FsKeyPropertiesTest {

  @Property(tries = 60)
  void anySetOfKeysListsInStringOrderWithAnyPageSize(
      @ForAll("keySets") List<String> keys, @ForAll @IntRange(min = 1, max = 7) int pageSize,
      @ForAll("prefixes") String prefix) throws IOException {
    Path dir = Files.createTempDirectory("fs-keys");
    try (FsObjectStore store = FsObjectStore.builder().root(dir).build()) {
      TreeSet<String> stored = new TreeSet<>();
      for (String k : keys) {
        if (stored.contains(k)) {
          continue;
        }
        store.create(k, k.getBytes());
        stored.add(k);
      }
      for (String k : stored) {
        assertThat(store.get(k)).hasValueSatisfying(b -> assertThat(new String(b)).isEqualTo(k));
      }
      List<String> expected = stored.stream().filter(k -> k.startsWith(prefix)).toList();
      assertThat(pageThrough(store, prefix, pageSize)).isEqualTo(expected);
      // every stored file is inside the root
      try (Stream<Path> walk = Files.walk(dir)) {
        assertThat(walk.allMatch(p -> p.normalize().startsWith(dir))).isTrue();
      }
      for (String k : stored) {
        assertThat(store.delete(k)).isTrue();
      }
      assertThat(store.list("", "", 1).keys()).isEmpty();
    } finally {
      deleteTree(dir);
    }
  }

  @Property(tries = 200)
  void keysWithBadSegmentsAreRejectedAndNothingIsWritten(@ForAll("badKeys") String key) throws IOException {
    Path dir = Files.createTempDirectory("fs-bad");
    try (FsObjectStore store = FsObjectStore.builder().root(dir).build()) {
      assertThatThrownBy(() -> store.create(key, new byte[] {1})).isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> store.get(key)).isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> store.delete(key)).isInstanceOf(IllegalArgumentException.class);
      try (Stream<Path> walk = Files.walk(dir)) {
        assertThat(walk.filter(Files::isRegularFile).map(p -> dir.relativize(p).toString()))
            .containsExactly(FsObjectStore.FORMAT_FILE);
      }
    } finally {
      deleteTree(dir);
    }
  }

  /** Pure mapping check over many more keys than the stores above can afford. */
  @Property(tries = 2000)
  void noValidKeyMapsOutsideTheRootOrOntoAnotherKeysFile(@ForAll("keys") String key, @ForAll("keys") String other) {
    Path root = Path.of("/srv/store");
    Path file = FsKeys.file(root, key);
    assertThat(file.normalize()).isEqualTo(file);
    assertThat(file.startsWith(root)).isTrue();
    assertThat(root.relativize(file).toString()).doesNotContain("~");
    for (Path component : root.relativize(file)) {
      assertThat(component.toString()).isNotIn(".", "..", "");
    }
    if (!key.equals(other)) {
      Path otherFile = FsKeys.file(root, other);
      assertThat(otherFile).isNotEqualTo(file);
      // a key's file is never a directory on another key's path
      assertThat(otherFile.startsWith(file)).isFalse();
    }
  }

  @Provide
  Arbitrary<String> keys() {
    Arbitrary<String> segment = Arbitraries.strings().withChars("abAZ09._-").ofMinLength(1).ofMaxLength(6)
        .filter(s -> !s.equals(".") && !s.equals(".."));
    return segment.list().ofMinSize(1).ofMaxSize(5).map(l -> String.join("/", l));
  }

  @Provide
  Arbitrary<List<String>> keySets() {
    Arbitrary<String> segment = Arbitraries.oneOf(
        Arbitraries.of("a", "b", "a-", "a.", "a_", "a0", "-", "_", ".x", "..y", "A", "Z9", "log", "0000000001.json"),
        Arbitraries.strings().withChars("ab-._0Z").ofMinLength(1).ofMaxLength(4)
            .filter(s -> !s.equals(".") && !s.equals("..")));
    Arbitrary<String> key = segment.list().ofMinSize(1).ofMaxSize(4).map(l -> String.join("/", l));
    return key.list().ofMinSize(0).ofMaxSize(25);
  }

  @Provide
  Arbitrary<String> prefixes() {
    return Arbitraries.of("", "a", "a/", "a-", "a.", "b/", "a/a", "a/b/", "-", "Z");
  }

  @Provide
  Arbitrary<String> badKeys() {
    Arbitrary<String> good = Arbitraries.strings().withChars("abc.-_").ofMinLength(1).ofMaxLength(3)
        .filter(s -> !s.equals(".") && !s.equals(".."));
    Arbitrary<String> bad = Arbitraries.oneOf(
        Arbitraries.of("", ".", "..", " ", "a b", "~tmp", "x~y", "\u0000", "\n", "é", "a\\b", ":", "*"),
        Arbitraries.strings().ofMinLength(1).ofMaxLength(3)
            .filter(s -> s.chars().anyMatch(c -> !(Character.isLetterOrDigit(c) && c < 128) && c != '.' && c != '_' && c != '-')));
    return Combinators.combine(good.list().ofMaxSize(2), bad, good.list().ofMaxSize(2), Arbitraries.of(0, 1, 2))
        .as((before, b, after, slashes) -> {
          List<String> parts = new ArrayList<>(before);
          parts.add(b);
          parts.addAll(after);
          String k = String.join("/", parts);
          return slashes == 1 ? "/" + k : slashes == 2 ? k + "/" : k;
        });
  }

  private static List<String> pageThrough(FsObjectStore store, String prefix, int limit) {
    List<String> all = new ArrayList<>();
    String after = "";
    while (true) {
      ListPage page = store.list(prefix, after, limit);
      all.addAll(page.keys());
      if (!page.truncated()) {
        return all;
      }
      after = page.keys().get(page.keys().size() - 1);
    }
  }

  static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
