package dev.mlops.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mlops.ArtifactSpec;
import dev.mlops.Mlops;
import dev.mlops.Registration;
import dev.mlops.Workspace;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The runnable artifact the build makes, {@code target/mlops.jar}, run as the README says:
 * {@code java -jar mlops-cli/target/mlops.jar ...}, in a child JVM with nothing else on its class
 * path.
 */
class CliJarIT {
  @TempDir Path dir;

  record Result(int code, String out, String err) {}

  Result java(String... args) throws IOException, InterruptedException {
    // the build directory holds test-classes and the shaded jar (target/ unless -Dmlops.build.dir says otherwise)
    Path jar;
    try {
      jar = Path.of(CliJarIT.class.getProtectionDomain().getCodeSource().getLocation().toURI()).getParent()
          .resolve("mlops.jar");
    } catch (java.net.URISyntaxException e) {
      throw new IllegalStateException(e);
    }
    assertThat(jar).as("the shaded jar is built in the package phase").exists();
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-jar", jar.toString()));
    cmd.addAll(List.of(args));
    Path out = dir.resolve("out.txt");
    Path err = dir.resolve("err.txt");
    Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
    assertThat(p.waitFor(2, TimeUnit.MINUTES)).isTrue();
    return new Result(p.exitValue(), Files.readString(out), Files.readString(err));
  }

  @Test
  void theJarFindsEveryStoreAndAnswers() throws Exception {
    String store = "file:" + dir.resolve("store");
    try (Workspace ws = Mlops.open(store)) {
      ws.registry().register("churn", Registration.builder()
          .artifact("m", ws.artifacts().put("m".getBytes(StandardCharsets.UTF_8), ArtifactSpec.of("text/plain")))
          .build());
    }
    Result models = java("models", "--json", "--store", store);
    assertThat(models.code()).as(models.err()).isZero();
    assertThat(models.out()).contains("\"model\" : \"churn\"");
    assertThat(models.err()).as("a logging binding is in the jar; nothing to warn about").doesNotContain("SLF4J");

    Result approve = java("approve", "churn", "1", "--actor", "bob", "--store", store);
    assertThat(approve.code()).as(approve.err()).isZero();
    assertThat(java("verify", "--store", store).code()).isZero();

    // the merged service files: an unknown scheme lists every installed one, s3 among them
    Result unknown = java("models", "--store", "nosuch:x");
    assertThat(unknown.code()).isEqualTo(ExitCodes.STORE_ERROR);
    assertThat(unknown.err()).contains("file").contains("s3").contains("mem").doesNotContain("\tat ");

    Result help = java("--help");
    assertThat(help.code()).isZero();
    assertThat(help.out()).contains("Exit codes");
  }
}
