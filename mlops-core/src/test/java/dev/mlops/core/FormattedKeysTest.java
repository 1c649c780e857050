package dev.mlops.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mlops.core.internal.HashChainedLog;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Keys and ids built without {@code String.format} keep their form: a hash-chained log's entry
 * keys (20 zero-padded digits) and the time part of a run id (13 hex digits).
 */
class FormattedKeysTest {
  @Test
  void anEntrysKeyIsItsNumberInTwentyZeroPaddedDigits() {
    HashChainedLog log = new HashChainedLog(new MemObjectStore(), "models/m/log");
    assertThat(log.keyOf(1)).isEqualTo("models/m/log/00000000000000000001.json");
    Random random = new Random(20);
    List<Long> values = new ArrayList<>(List.of(0L, 1L, 9L, 10L, 99_999_999_999_999_999L, Long.MAX_VALUE, -1L));
    for (int i = 0; i < 10_000; i++) {
      values.add(random.nextLong() >>> random.nextInt(64));
    }
    for (long v : values) {
      assertThat(log.keyOf(v)).isEqualTo("models/m/log/" + String.format("%020d", v) + ".json");
    }
  }

  @Test
  void aRunIdStartsWithTheLow52BitsOfItsMillisInThirteenHexDigits() {
    Random random = new Random(13);
    List<Long> values = new ArrayList<>(List.of(0L, 1L, 15L, 16L, 0xFFFFFFFFFFFFFL, 0x10000000000000L, -1L, Long.MIN_VALUE,
        System.currentTimeMillis()));
    for (int i = 0; i < 10_000; i++) {
      values.add(random.nextLong() >>> random.nextInt(64));
    }
    for (long v : values) {
      assertThat(CoreExperiments.millisHex(v)).isEqualTo(String.format("%013x", v & 0xFFFFFFFFFFFFFL));
    }
  }
}
