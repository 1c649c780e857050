package dev.mlops.serving;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mlops.Workspace;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Three serving JVMs on one store and two more that try to start a canary at the same moment: one
 * wins and the other gets a {@code ConflictException}; all serving JVMs route the canary within
 * their refresh interval + 1 s; an injected failure in one of them trips its error-rate guardrail,
 * and the alarm rolls all of them back. Run on {@code file:} by {@link ServingProcessesIT} and on
 * {@code s3:} by {@code S3ServingProcessesIT} in mlops-registry-s3.
 *
 * <p>Scaled by system properties: {@code -Dmlops.it.servingJvms=8} (default 3) serving JVMs;
 * {@code -Dmlops.it.servingDefaults=true} opens every child with default workspace options and
 * builds the endpoints without a refresh interval (what a user gets without tuning: the workspace
 * default of 1 s) instead of 200 ms.
 */
public final class ServingProcessesScenario {
  /** The serving processes' refresh interval, unless {@code mlops.it.servingDefaults} is set. */
  public static final long REFRESH_MILLIS = 200;
  private static final int SERVERS = Integer.getInteger("mlops.it.servingJvms", 3);
  private static final boolean DEFAULTS = Boolean.getBoolean("mlops.it.servingDefaults");
  /** The default workspace refresh interval ({@code WorkspaceOptions}). */
  private static final long DEFAULT_REFRESH_MILLIS = 1000;

  private ServingProcessesScenario() {
  }

  private static final class Child {
    final Process process;
    final BlockingQueue<String> lines = new LinkedBlockingQueue<>();

    Child(Path cpFile, Map<String, String> env, Path stderr, String... args) throws IOException {
      List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
          "-Xmx128m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "@" + cpFile,
          ServingProcessWorker.class.getName()));
      cmd.addAll(List.of(args));
      ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.appendTo(stderr.toFile()));
      pb.environment().putAll(env);
      process = pb.start();
      Thread reader = new Thread(() -> {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
          for (String line; (line = r.readLine()) != null; ) {
            lines.add(line);
          }
        } catch (IOException e) {
          // exited
        }
      });
      reader.setDaemon(true);
      reader.start();
    }

    String await(String prefix) throws InterruptedException {
      while (true) {
        String line = lines.poll(2, TimeUnit.MINUTES);
        if (line == null) {
          throw new AssertionError("child " + process.pid() + " printed no " + prefix);
        }
        if (line.startsWith(prefix)) {
          return line;
        }
      }
    }

    void send(String command) throws IOException {
      OutputStream in = process.getOutputStream();
      in.write((command + "\n").getBytes(StandardCharsets.UTF_8));
      in.flush();
    }

    String ask(String command, String prefix) throws Exception {
      send(command);
      return await(prefix);
    }
  }

  /**
   * Runs the scenario.
   *
   * @param uri the store's URI, as the children open it
   * @param env environment for the children (credentials, endpoint)
   * @param open opens a workspace on the same store in this JVM
   * @param dir a scratch directory
   * @throws Exception on failure
   */
  public static void run(String uri, Map<String, String> env, Supplier<Workspace> open, Path dir) throws Exception {
    String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    Path cpFile = dir.resolve("classpath");
    java.nio.file.Files.writeString(cpFile, "-cp\n\"" + classpath.replace("\\", "\\\\") + "\"\n");
    try (Workspace ws = open.get()) {
      int v1 = Fixture.register(ws, true);
      ws.registry().setAlias(Fixture.MODEL, "production", v1);
      Fixture.register(ws, true);
    }
    Path stderr = dir.resolve("children.err");
    List<Child> servers = new ArrayList<>();
    long refresh = DEFAULTS ? DEFAULT_REFRESH_MILLIS : REFRESH_MILLIS;
    try {
      for (int i = 0; i < SERVERS; i++) {
        servers.add(new Child(cpFile, env, stderr, "serve", uri, DEFAULTS ? "default" : Long.toString(REFRESH_MILLIS)));
      }
      for (Child c : servers) {
        c.await("READY");
        assertThat(c.ask("STATUS", "STATUS ")).isEqualTo("STATUS {1=100.0}");
      }
      // two CD jobs start a canary at the same moment: the log takes one, the other is told why
      List<Child> racers = List.of(new Child(cpFile, env, stderr, "race", uri, "2", "30", DEFAULTS ? "default" : ""),
          new Child(cpFile, env, stderr, "race", uri, "2", "30", DEFAULTS ? "default" : ""));
      for (Child r : racers) {
        r.await("ARMED");
      }
      for (Child r : racers) {
        r.send("GO");
      }
      List<String> outcomes = new ArrayList<>();
      for (Child r : racers) {
        outcomes.add(r.await("OUTCOME "));
      }
      long started = System.nanoTime();
      for (Child r : racers) {
        assertThat(r.process.waitFor(1, TimeUnit.MINUTES)).isTrue();
        assertThat(r.process.exitValue()).isZero();
      }
      System.out.println("two concurrent starts: " + outcomes);
      assertThat(outcomes).containsOnlyOnce("OUTCOME STARTED");
      assertThat(outcomes).filteredOn(o -> !o.equals("OUTCOME STARTED")).singleElement().satisfies(o -> assertThat(o)
          .startsWith("OUTCOME ConflictException").contains(Fixture.MODEL + "@production"));
      long[] seenAfter = new long[SERVERS];
      for (int i = 0; i < SERVERS; i++) {
        while (!servers.get(i).ask("STATUS", "STATUS ").equals("STATUS {1=70.0, 2=30.0}")) {
          Thread.sleep(20);
          assertThat(System.nanoTime() - started).isLessThan(TimeUnit.SECONDS.toNanos(30));
        }
        seenAfter[i] = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
      }
      System.out.printf("canary routed by the %d servers %s ms after it was written (refresh %d ms)%n", SERVERS,
          java.util.Arrays.toString(seenAfter), refresh);
      // the last is asked last, so its time bounds all of them
      assertThat(seenAfter[SERVERS - 1]).isLessThanOrEqualTo(refresh + 1000 + Long.getLong("serving.it.slackMillis", 0));

      servers.get(0).ask("FAIL 2", "FAILING");
      long failedAt = System.nanoTime();
      for (Child c : servers) {
        while (!c.ask("STATUS", "STATUS ").equals("STATUS {1=100.0}")) {
          Thread.sleep(20);
          assertThat(System.nanoTime() - failedAt).isLessThan(TimeUnit.SECONDS.toNanos(30));
        }
      }
      System.out.printf("all %d rolled back %d ms after the failure was injected in one%n", SERVERS,
          TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - failedAt));
      try (Workspace ws = open.get()) {
        List<DeploymentRecord> h = Deployments.open(ws, Fixture.MODEL, "production").history();
        assertThat(h).extracting(DeploymentRecord::type).containsExactly("START", "ALARM");
        assertThat(h.get(1).details()).containsEntry("alarm", "error-rate").containsEntry("version", "2");
        assertThat(ws.registry().resolve(Fixture.MODEL + "@production").version()).isEqualTo(1);
      }
      for (Child c : servers) {
        c.send("EXIT");
      }
    } finally {
      for (Child c : servers) {
        if (!c.process.waitFor(20, TimeUnit.SECONDS)) {
          c.process.destroyForcibly();
        }
      }
    }
  }
}
