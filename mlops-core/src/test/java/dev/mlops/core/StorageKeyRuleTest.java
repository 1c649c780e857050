package dev.mlops.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mlops.spi.ObjectStore;
import java.util.List;
import java.util.SplittableRandom;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The storage key rule ({@link ObjectStore#requireValidKey}, checked by every store operation)
 * agrees with its regex statement on edge cases and on 200,000 random keys drawn from an alphabet
 * rich in separators, dots and invalid chars.
 */
class StorageKeyRuleTest {
  private static final Pattern SEGMENT = Pattern.compile("[A-Za-z0-9._-]+");

  /** The rule as documented: '/'-separated segments of [A-Za-z0-9._-], no empty, '.' or '..'. */
  private static boolean reference(String key) {
    if (key.isEmpty() || key.length() > ObjectStore.MAX_KEY_LENGTH) {
      return false;
    }
    for (String seg : key.split("/", -1)) {
      if (seg.isEmpty() || seg.equals(".") || seg.equals("..") || !SEGMENT.matcher(seg).matches()) {
        return false;
      }
    }
    return true;
  }

  private static boolean accepted(String key) {
    try {
      ObjectStore.requireValidKey(key);
      return true;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  @Test
  void edgeCases() {
    for (String k : List.of("a", "a/b", "runs/0001/log/00000000000000000001.json", ".a", "a.", "...", "a/.../b",
        "._-", "Z9")) {
      assertThat(accepted(k)).as(k).isTrue();
    }
    for (String k : List.of("", "/", "a/", "/a", "a//b", ".", "..", "a/./b", "a/../b", "a b", "a\u00e9", "a\\b",
        "a:b", "x".repeat(ObjectStore.MAX_KEY_LENGTH + 1))) {
      assertThat(accepted(k)).as(k).isFalse();
    }
    assertThatThrownBy(() -> ObjectStore.requireValidKey("a//b")).hasMessageContaining("'a//b'");
  }

  @Test
  void agreesWithTheRegexStatementOnRandomKeys() {
    String alphabet = "ab./-_Z9 \u00e9:";
    SplittableRandom rnd = new SplittableRandom(11);
    for (int i = 0; i < 200_000; i++) {
      StringBuilder sb = new StringBuilder();
      int len = rnd.nextInt(0, 9);
      for (int j = 0; j < len; j++) {
        sb.append(alphabet.charAt(rnd.nextInt(alphabet.length())));
      }
      String k = sb.toString();
      assertThat(accepted(k)).as("'%s'", k).isEqualTo(reference(k));
    }
  }
}
