package dev.mlops.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mlops.Digest;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PipelinedSha256Test {
  @ParameterizedTest
  @ValueSource(ints = {0, 1, PipelinedSha256.CHUNK - 1, PipelinedSha256.CHUNK, PipelinedSha256.CHUNK + 1,
      2 * PipelinedSha256.CHUNK, 5 * PipelinedSha256.CHUNK + 123})
  void equalsAPlainSha256WhateverTheUpdateSizes(int size) {
    Random r = new Random(size);
    byte[] data = new byte[size];
    r.nextBytes(data);
    PipelinedSha256 sha = new PipelinedSha256();
    int off = 0;
    while (off < size) {
      int n = Math.min(size - off, 1 + r.nextInt(3 * PipelinedSha256.CHUNK / 2));
      sha.update(data, off, n);
      off += n;
    }
    assertThat(sha.digest()).isEqualTo(Digest.of(data));
  }
}
