package dev.mlops.fs;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mlops.ArtifactRef;
import dev.mlops.CorruptDataException;
import dev.mlops.Mlops;
import dev.mlops.Registration;
import dev.mlops.VerifyReport;
import dev.mlops.Workspace;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A {@code file:} workspace whose files were damaged behind its back — by a person, a bad disk or
 * an attacker with write access: every kind of damage is reported as a {@link CorruptDataException}
 * (or a failed {@code verify()}) naming the key or digest, never returned as data.
 */
class FsDamagedStoreTest {
  @TempDir Path dir;
  Path root;
  ArtifactRef blob;
  List<Path> logFiles;

  @BeforeEach
  void someHistory() throws IOException {
    root = dir.resolve("store");
    // aliases on a pending version keep this history at three entries
    try (Workspace ws = Mlops.open("file:" + root + "?aliasesRequireApproval=false")) {
      blob = ws.artifacts().put("model weights".getBytes(UTF_8));
      ws.registry().register("m", Registration.builder().artifact("model.bin", blob).build());
      ws.registry().register("m", Registration.builder().description("second").build());
      ws.registry().setAlias("m", "prod", 1);
    }
    try (Stream<Path> s = Files.list(root.resolve("models+/m+/log+"))) {
      logFiles = s.sorted().toList();
    }
    assertThat(logFiles).hasSize(3);
  }

  private Workspace open() {
    return Mlops.open("file:" + root);
  }

  private static String keyOf(Path root, Path file) {
    return root.relativize(file).toString().replace("+/", "/");
  }

  @Test
  void aTruncatedLogEntryIsNamed() throws IOException {
    Path entry = logFiles.get(1);
    byte[] bytes = Files.readAllBytes(entry);
    Files.write(entry, java.util.Arrays.copyOf(bytes, bytes.length / 2));
    String key = keyOf(root, entry);

    try (Workspace ws = open()) {
      VerifyReport report = ws.registry().verify("m");
      assertThat(report.ok()).isFalse();
      assertThat(report.brokenKey()).contains(key);
      assertThatThrownBy(() -> ws.registry().history("m")).isInstanceOf(CorruptDataException.class)
          .hasMessageContaining(key);
    }
  }

  @Test
  void anEntryWithAWrongPreviousHashIsNamed() throws IOException {
    Path entry = logFiles.get(2);
    String json = Files.readString(entry);
    String prev = json.replaceAll("(?s).*\"prev\"\\s*:\\s*\"([0-9a-f]{64})\".*", "$1");
    assertThat(prev).hasSize(64);
    Files.writeString(entry, json.replace(prev, "0".repeat(64)));
    String key = keyOf(root, entry);

    try (Workspace ws = open()) {
      VerifyReport report = ws.registry().verify("m");
      assertThat(report.ok()).as("%s", report).isFalse();
      assertThat(report.brokenKey()).contains(key);
    }
  }

  @Test
  void aReplacedBlobFailsReadingNamingTheDigest() throws IOException {
    Path file = root.resolve("artifacts+/sha256+/" + blob.digest().hex().substring(0, 2) + "+/"
        + blob.digest().hex().substring(2));
    assertThat(file).exists();
    Files.writeString(file, "model weighTs"); // same length, one letter changed

    try (Workspace ws = open()) {
      assertThatThrownBy(() -> ws.artifacts().read(blob.digest())).isInstanceOf(CorruptDataException.class)
          .hasMessageContaining(blob.digest().hex());
    }
  }

  @Test
  void aBlobReplacedByALinkIsRefusedEvenIfTheLinkedContentIsRight() throws IOException {
    Path file = root.resolve("artifacts+/sha256+/" + blob.digest().hex().substring(0, 2) + "+/"
        + blob.digest().hex().substring(2));
    Path outside = Files.writeString(dir.resolve("outside.bin"), "model weights");
    Files.delete(file);
    Files.createSymbolicLink(file, outside);

    try (Workspace ws = open()) {
      assertThatThrownBy(() -> ws.artifacts().read(blob.digest())).isInstanceOf(CorruptDataException.class)
          .hasMessageContaining(blob.digest().hex().substring(2));
    }
  }

  @Test
  void aModelDirectoryReplacedByALinkToACopyIsRefused() throws IOException {
    Path modelDir = root.resolve("models+/m+");
    Path copy = Files.createDirectories(dir.resolve("copy/log+"));
    for (Path f : logFiles) {
      Files.copy(f, copy.resolve(f.getFileName()));
    }
    PropertyTempDirs.deleteTree(modelDir);
    Files.createSymbolicLink(modelDir, dir.resolve("copy"));

    try (Workspace ws = open()) {
      assertThatThrownBy(() -> ws.registry().history("m")).isInstanceOf(CorruptDataException.class)
          .hasMessageContaining("models/m");
      assertThatThrownBy(() -> ws.registry().register("m", Registration.builder().build()))
          .isInstanceOf(CorruptDataException.class).hasMessageContaining("models/m");
    }
    try (Stream<Path> s = Files.list(dir.resolve("copy/log+"))) {
      assertThat(s.count()).as("nothing written through the link").isEqualTo(3);
    }
  }
}
