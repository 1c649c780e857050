package dev.mlops.s3;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mlops.Mlops;
import dev.mlops.ModelVersion;
import dev.mlops.Workspace;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Four JVMs register 100 versions each of one model in one bucket at the same time: versions are
 * exactly 1..400, each reported by exactly one process, and the log verifies.
 */
class S3ManyProcessesIT {
  private static final int PROCESSES = 4;
  private static final int EACH = 100;
  private static S3TestServer server;

  @TempDir Path dir;

  @BeforeAll
  static void start() {
    server = S3TestServer.start();
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  @Test
  @Timeout(value = 8, unit = TimeUnit.MINUTES)
  void fourProcessesRegisteringAHundredVersionsEachGetExactlyOneToFourHundred() throws Exception {
    String prefix = server.newPrefix("many");
    String uri = server.uri(prefix).toString();
    String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<Process> children = new ArrayList<>();
    List<BufferedReader> outputs = new ArrayList<>();
    Set<String> reported = new HashSet<>();
    List<Integer> numbers = new ArrayList<>();
    try {
      for (int i = 0; i < PROCESSES; i++) {
        Path cp = dir.resolve("classpath-" + i);
        Files.writeString(cp, "-cp\n\"" + classpath.replace("\\", "\\\\") + "\"\n");
        ProcessBuilder pb = new ProcessBuilder(java, "-Xmx128m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
            "@" + cp, S3RegistrationWorker.class.getName(), uri, "shared", Integer.toString(EACH), "w" + i)
            .redirectError(dir.resolve("worker-" + i + ".err").toFile());
        pb.environment().putAll(server.childEnvironment());
        Process p = pb.start();
        children.add(p);
        outputs.add(new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8)));
      }
      for (int i = 0; i < PROCESSES; i++) {
        assertThat(outputs.get(i).readLine()).as("worker %d; stderr in %s", i, dir).isEqualTo("READY");
      }
      for (Process p : children) {
        OutputStream in = p.getOutputStream();
        in.write("GO\n".getBytes(StandardCharsets.UTF_8));
        in.flush();
      }
      for (int i = 0; i < PROCESSES; i++) {
        String line;
        String last = null;
        while ((line = outputs.get(i).readLine()) != null) {
          last = line;
          if (line.startsWith("VERSION ")) {
            String[] f = line.split(" ");
            numbers.add(Integer.parseInt(f[1]));
            assertThat(reported.add(f[2] + "/" + f[3])).as("reported twice: " + line).isTrue();
          }
        }
        assertThat(children.get(i).waitFor(5, TimeUnit.MINUTES)).isTrue();
        assertThat(children.get(i).exitValue()).as("exit code of worker %d; stderr: %s", i,
            Files.readString(dir.resolve("worker-" + i + ".err"))).isZero();
        assertThat(last).isEqualTo("DONE");
      }
    } finally {
      for (Process p : children) {
        p.destroyForcibly();
      }
    }
    List<Integer> all = IntStream.rangeClosed(1, PROCESSES * EACH).boxed().toList();
    assertThat(numbers.stream().sorted().toList()).isEqualTo(all);

    try (S3Client client = server.newClient();
        Workspace ws = Mlops.open(server.uri(prefix), server.storeBuilder(client, prefix).build())) {
      List<ModelVersion> versions = ws.registry().versions("shared");
      assertThat(versions).extracting(ModelVersion::version).isEqualTo(all);
      assertThat(ws.registry().verify("shared").ok()).as(ws.registry().verify("shared").toString()).isTrue();
      Set<String> stored = new HashSet<>();
      for (ModelVersion v : versions) {
        stored.add(v.tags().get("worker") + "/" + v.tags().get("n"));
      }
      assertThat(stored).isEqualTo(reported);
    }
  }
}
