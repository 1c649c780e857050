package dev.mlops.fs;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mlops.ArtifactRef;
import dev.mlops.ArtifactSpec;
import dev.mlops.CorruptDataException;
import dev.mlops.Mlops;
import dev.mlops.Registration;
import dev.mlops.RunId;
import dev.mlops.RunQuery;
import dev.mlops.RunStatus;
import dev.mlops.VerifyReport;
import dev.mlops.Workspace;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs and artifacts on {@code file:} whose files are edited or deleted behind the workspace's
 * back: each damage is a {@link CorruptDataException} or a failed {@code verify} naming the key.
 */
class FsExperimentIntegrityTest {
  @TempDir Path dir;
  Path root;
  RunId runId;
  ArtifactRef weights;

  private Workspace open() {
    return Mlops.open("file:" + root);
  }

  private Path fileOf(String key) {
    String[] parts = key.split("/");
    Path p = root;
    for (int i = 0; i < parts.length - 1; i++) {
      p = p.resolve(parts[i] + "+");
    }
    return p.resolve(parts[parts.length - 1]);
  }

  private List<Path> filesIn(Path d) throws IOException {
    try (Stream<Path> s = Files.list(d)) {
      return s.sorted().toList();
    }
  }

  @BeforeEach
  void aRunWithThreeSegmentsAndAnArtifact() {
    root = dir.resolve("store");
    try (Workspace ws = open()) {
      weights = ws.artifacts().put("weights".getBytes(UTF_8), new ArtifactSpec("application/onnx", Map.of("fw", "torch")));
      runId = ws.experiments().run("churn", "r", run -> {
        for (int s = 0; s < 3; s++) {
          for (int i = 0; i < 5; i++) {
            run.logMetric("loss", s * 5 + i, s * 5 + i);
          }
          run.flush(); // one segment per flush
        }
        run.logArtifact("model/weights.onnx", weights);
        return run.id();
      });
      assertThat(ws.experiments().verify(runId).ok()).isTrue();
    }
  }

  private List<Path> segments() throws IOException {
    return filesIn(fileOf("runs/" + runId + "/metrics/x").getParent());
  }

  @Test
  void aDeletedMetricSegmentIsNamed() throws IOException {
    assertThat(segments()).hasSize(3);
    Path middle = segments().get(1);
    Files.delete(middle);
    try (Workspace ws = open()) {
      assertThatThrownBy(() -> ws.experiments().metricHistory(runId, "loss")).isInstanceOf(CorruptDataException.class)
          .hasMessageContaining(middle.getFileName().toString()).hasMessageContaining("missing");
      VerifyReport report = ws.experiments().verify(runId);
      assertThat(report.brokenKey()).hasValueSatisfying(k -> assertThat(k).endsWith(middle.getFileName().toString()));
    }
  }

  @Test
  void aFlippedByteInAMetricSegmentIsNamed() throws IOException {
    Path first = segments().get(0);
    byte[] b = Files.readAllBytes(first);
    b[b.length / 2] ^= 1;
    Files.write(first, b);
    try (Workspace ws = open()) {
      assertThatThrownBy(() -> ws.experiments().metricHistory(runId, "loss")).isInstanceOf(CorruptDataException.class)
          .hasMessageContaining(first.getFileName().toString());
      assertThat(ws.experiments().verify(runId).ok()).isFalse();
    }
  }

  @Test
  void strayReadmeFilesInTheMetricsDirectoryAreIgnored() throws IOException {
    Files.writeString(segments().get(0).resolveSibling("README"), "notes");
    try (Workspace ws = open()) {
      assertThat(ws.experiments().metricHistory(runId, "loss")).hasSize(15);
      assertThat(ws.experiments().verify(runId).ok()).isTrue();
    }
  }

  @Test
  void aRunWhoseSearchIndexEntriesWereDeletedIsDetectedAndRepaired() throws IOException {
    // the experiment's index is complete, so it (not a marker) lists the run: no marker was written
    assertThat(Files.exists(fileOf("experiments/runs/churn/" + runId))).isFalse();
    List<Path> entries;
    try (Stream<Path> walk = Files.walk(fileOf("experiments/search/churn/entries/x").getParent())) {
      entries = walk.filter(Files::isRegularFile).toList();
    }
    assertThat(entries).isNotEmpty();
    for (Path e : entries) {
      Files.delete(e);
    }
    try (Workspace ws = open()) {
      RunQuery churn = RunQuery.builder().experiment("churn").build();
      assertThat(ws.experiments().search(churn).runs()).isEmpty();
      assertThat(ws.experiments().verify(runId).brokenKey()).contains("experiments/search/churn/entries/");
      VerifyReport index = ws.experiments().verifyIndex();
      assertThat(index.brokenKey()).contains("experiments/search/churn/entries/");
      assertThat(index.problem()).hasValueSatisfying(p -> assertThat(p).contains(runId.value(), "start entry"));
      assertThat(ws.experiments().repairIndex()).isZero(); // no marker: the backfilled index lists it
      assertThat(ws.experiments().verifyIndex().ok()).isTrue();
      assertThat(ws.experiments().search(churn).runs()).hasSize(1);
      assertThat(ws.experiments().getRun(runId).status()).isEqualTo(RunStatus.FINISHED);
    }
  }

  @Test
  void everyOneByteEditOfAnArtifactDescriptorIsNamed() throws IOException {
    String key = "artifacts/meta/sha256/" + weights.digest().hex().substring(0, 2) + "/"
        + weights.digest().hex().substring(2) + ".json";
    Path file = fileOf(key);
    byte[] original = Files.readAllBytes(file);
    for (int i = 0; i < original.length; i++) {
      byte[] b = original.clone();
      b[i] ^= 0x02;
      Files.write(file, b);
      try (Workspace ws = open()) {
        int at = i;
        assertThatThrownBy(() -> ws.artifacts().find(weights.digest())).as("byte %d", at)
            .isInstanceOf(CorruptDataException.class).hasMessageContaining(key);
      }
    }
    Files.write(file, original);
    try (Workspace ws = open()) {
      assertThat(ws.artifacts().find(weights.digest())).contains(weights);
    }
  }

  @Test
  void filesGoInAndComeOutWholeOrNotAtAll() throws IOException {
    byte[] bytes = new byte[3 << 20];
    new Random(7).nextBytes(bytes);
    Path in = Files.write(dir.resolve("roc.png"), bytes);
    Path outDir = Files.createDirectories(dir.resolve("out"));
    try (Workspace ws = open()) {
      ArtifactRef ref = ws.artifacts().put(in);
      assertThat(ref.mediaType()).isEqualTo("image/png");
      ws.registry().register("m", Registration.builder().artifact("plots/roc.png", ref).build());
      assertThat(ws.registry().get("m", 1).artifacts()).containsKey("plots/roc.png");
      assertThat(ws.artifacts().download(ref.digest(), outDir.resolve("roc.png"))).isEqualTo(bytes.length);
      assertThat(Files.readAllBytes(outDir.resolve("roc.png"))).isEqualTo(bytes);

      Path blob = fileOf("artifacts/sha256/" + ref.digest().hex().substring(0, 2) + "/" + ref.digest().hex().substring(2));
      byte[] damaged = Files.readAllBytes(blob);
      damaged[damaged.length - 1] ^= 1;
      Files.write(blob, damaged);
      assertThatThrownBy(() -> ws.artifacts().download(ref.digest(), outDir.resolve("again.png")))
          .isInstanceOf(CorruptDataException.class).hasMessageContaining(ref.digest().hex());
      assertThat(filesIn(outDir)).containsExactly(outDir.resolve("roc.png"));
    }
  }
}
