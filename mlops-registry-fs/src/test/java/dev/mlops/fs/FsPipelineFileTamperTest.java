package dev.mlops.fs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mlops.CorruptDataException;
import dev.mlops.Mlops;
import dev.mlops.VerifyReport;
import dev.mlops.Workspace;
import dev.mlops.pipeline.ExecutionResult;
import dev.mlops.pipeline.ExecutionStatus;
import dev.mlops.pipeline.Pipeline;
import dev.mlops.pipeline.Pipelines;
import dev.mlops.pipeline.Step;
import dev.mlops.pipeline.StepStatus;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Pipeline files changed on disk behind the store's back: an execution log entry truncated,
 * overwritten with bytes that are not UTF-8 JSON, replaced by a directory or by a symbolic link,
 * and a step-cache result truncated. Each read ({@code status}, {@code verify}, {@code resume}, the
 * next execution's cache lookup) names the damaged key: a {@link CorruptDataException} or a report,
 * never another exception or a silent default.
 *
 * <p>Not thread-safe (one instance per test).
 */
class FsPipelineFileTamperTest {
  @TempDir Path dir;
  private Path root;
  private Workspace ws;
  private Pipelines pipelines;

  @BeforeEach
  void open() {
    root = dir.resolve("store");
    ws = Mlops.open(URI.create("kit:fs-tamper"), FsObjectStore.builder().root(root).build());
    pipelines = Pipelines.on(ws);
  }

  @AfterEach
  void close() {
    pipelines.close();
    ws.close();
  }

  private static Pipeline pipeline() {
    return Pipeline.builder("files")
        .step(Step.task("a", ctx -> ctx.output("v", "1")).parameters("v").noCache())
        .step(Step.task("b", ctx -> ctx.output("w", ctx.input("a.v").value() + "2")).reads("a.v").parameters("w"))
        .build();
  }

  private interface Damage {
    void apply(Path file) throws IOException;
  }

  @Test
  void aDamagedLogEntryFileIsNamedByStatusVerifyAndResume() throws IOException {
    List<Damage> damages = List.of(
        f -> Files.write(f, new byte[0]),
        f -> Files.write(f, new byte[] {(byte) 0xff, (byte) 0xfe, 0, 1, '{'}),
        f -> Files.writeString(f, Files.readString(f).substring(0, 40)),
        f -> {
          Files.delete(f);
          Files.createDirectory(f);
        },
        f -> {
          Path first = f.resolveSibling(String.format("%020d.json", 1));
          Files.delete(f);
          Files.createSymbolicLink(f, first);
        });
    int n = 0;
    for (Damage damage : damages) {
      n++;
      ExecutionResult r = pipelines.run(pipeline(), Map.of("case", Integer.toString(n)));
      assertThat(r.status()).isEqualTo(ExecutionStatus.SUCCEEDED);
      String key = "pipelines/files/executions/" + r.executionId() + "/log/" + String.format("%020d.json", 2);
      damage.apply(FsKeys.file(root, key));
      assertThatThrownBy(() -> pipelines.status("files", r.executionId())).as("case %d: status", n)
          .isInstanceOf(CorruptDataException.class).hasMessageContaining(key);
      VerifyReport report = pipelines.verify("files", r.executionId());
      assertThat(report.ok()).as("case %d: verify", n).isFalse();
      assertThat(report.brokenKey()).as("case %d: verify", n).contains(key);
      assertThatThrownBy(() -> pipelines.resume(pipeline(), r.executionId())).as("case %d: resume", n)
          .isInstanceOf(CorruptDataException.class).hasMessageContaining(key);
    }
  }

  @Test
  void aTruncatedCacheResultFailsTheStepThatReadsItNamingTheFile() throws IOException {
    ExecutionResult first = pipelines.run(pipeline(), Map.of());
    assertThat(first.status()).isEqualTo(ExecutionStatus.SUCCEEDED);
    Path result;
    try (Stream<Path> files = Files.walk(FsKeys.directory(root, "pipelines/cache/"))) {
      result = files.filter(p -> p.getFileName().toString().equals("result")).findFirst().orElseThrow();
    }
    Files.write(result, new byte[0]);
    ExecutionResult again = pipelines.run(pipeline(), Map.of());
    assertThat(again.status()).isEqualTo(ExecutionStatus.FAILED);
    assertThat(again.step("b").status()).isEqualTo(StepStatus.FAILED);
    String key = root.relativize(result).toString().replace('\\', '/').replace(FsKeys.DIRECTORY_SUFFIX + "/", "/");
    assertThat(again.step("b").reason()).contains("step 'b'").contains(CorruptDataException.class.getName()).contains(key);
    assertThat(again.step("a").output("v").value()).isEqualTo("1");
  }
}
