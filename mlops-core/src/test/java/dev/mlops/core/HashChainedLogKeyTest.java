package dev.mlops.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mlops.core.internal.HashChainedLog;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The keys of a hash-chained log's entries keep their stored form: 20 zero-padded digits. */
class HashChainedLogKeyTest {
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
}
