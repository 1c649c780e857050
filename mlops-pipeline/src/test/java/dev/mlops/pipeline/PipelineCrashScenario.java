package dev.mlops.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mlops.Digest;
import dev.mlops.Mlops;
import dev.mlops.RunId;
import dev.mlops.RunStatus;
import dev.mlops.Workspace;
import dev.mlops.core.MemObjectStore;
import dev.mlops.core.internal.HashChainedLog;
import dev.mlops.spi.ObjectStore;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The multi-process crash scenario of the 20-step {@link PipelineProcessWorker#pipeline crash
 * pipeline} (or the {@link PipelineProcessWorker#mixed mixed} one with a map step and a callback
 * step, whose tokens a thread of the test hands to new processes to complete), shared by the
 * backends' crash ITs ({@code FsPipelineCrashIT}, {@code S3PipelineCrashIT}):
 * child JVMs drive executions and are killed with {@code kill -9} at random moments — while they
 * start up and resume, while they drive, while one or more other processes drive the same
 * execution — and each kill is followed by new resuming processes (one, or {@code resumers} at
 * once). Afterwards {@link #check} asserts, per execution: SUCCEEDED, {@code verify()} clean, each
 * step's outputs committed exactly once (counted in the raw log), every run a {@code succeeded}
 * entry names has ended, the outputs equal an uninterrupted run's, the artifacts exist; no
 * execution left running; and, from the bodies' journal (one {@code O_APPEND} line when a body
 * starts and one when it stops; the test appends {@code K <pid>} after each kill), that no two
 * processes ever ran one step of one execution at the same time.
 *
 * <p>Not thread-safe; one instance per test.
 */
public final class PipelineCrashScenario {
  private final String uri;
  private final List<String> classpathArgs;
  private final Map<String, String> environment;
  private final Path dir;
  private final Path stderr;
  private final Path journal;
  private int kills = 20;
  private int resumers = 1;
  private String lease = "500";
  private long stepMillis = 60;
  private int maxDelayMillis = 700;
  private long seed = 11;
  private String pipeline = "crash20";
  private final List<String> executions = new ArrayList<>();
  private int killed;
  private int killedBeforeReady;
  private int maxLive;
  private final List<Process> started = new java.util.concurrent.CopyOnWriteArrayList<>();

  /**
   * @param uri the store the workers open
   * @param classpathArgs the JVM arguments that give a worker this test's class path ({@code -cp x} or {@code @file})
   * @param environment added to each worker's environment
   * @param dir a scratch directory for the workers' stderr and the journal
   */
  public PipelineCrashScenario(String uri, List<String> classpathArgs, Map<String, String> environment, Path dir) {
    this.uri = uri;
    this.classpathArgs = List.copyOf(classpathArgs);
    this.environment = Map.copyOf(environment);
    this.dir = dir;
    this.stderr = dir.resolve("workers.err");
    this.journal = dir.resolve("journal");
  }

  /** @param n how many kills at least @return this */
  public PipelineCrashScenario kills(int n) {
    this.kills = n;
    return this;
  }

  /** @param n how many processes resume after each kill (and drive the execution at once) @return this */
  public PipelineCrashScenario resumers(int n) {
    this.resumers = n;
    return this;
  }

  /** @param millis the workers' lease in ms, or {@code "default"} for every library default @return this */
  public PipelineCrashScenario lease(String millis) {
    this.lease = millis;
    return this;
  }

  /** @param millis how long each step body sleeps @return this */
  public PipelineCrashScenario stepMillis(long millis) {
    this.stepMillis = millis;
    return this;
  }

  /**
   * @param millis the longest random delay before a kill, from the moment the victim drives its
   *     execution (one kill in four instead comes within 400 ms, while the victim may still be
   *     starting up or resuming)
   * @return this
   */
  public PipelineCrashScenario maxDelayMillis(int millis) {
    this.maxDelayMillis = millis;
    return this;
  }

  /**
   * @param name the pipeline the workers drive: {@code crash20} (20 chained tasks, the default) or
   *     {@code crashmix} (a task, a map step over its items, two tasks after)
   * @return this
   */
  public PipelineCrashScenario pipeline(String name) {
    PipelineProcessWorker.named(name, 0, null); // rejects an unknown name
    this.pipeline = name;
    return this;
  }

  /** @param s the seed of the kill moments @return this */
  public PipelineCrashScenario seed(long s) {
    this.seed = s;
    return this;
  }

  /** A child JVM running {@link PipelineProcessWorker}. */
  private final class Worker {
    final Process process;
    final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    final List<String> seen = new ArrayList<>();
    boolean eof;

    Worker(String... args) throws IOException {
      List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
          "-Xmx96m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xshare:auto"));
      cmd.addAll(classpathArgs);
      cmd.add(PipelineProcessWorker.class.getName());
      cmd.add(uri);
      cmd.addAll(List.of(args));
      cmd.add(lease);
      cmd.add(Long.toString(stepMillis));
      cmd.add(journal.toString());
      cmd.add(pipeline);
      ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.appendTo(stderr.toFile()));
      pb.environment().putAll(environment);
      process = pb.start();
      started.add(process);
      Thread reader = new Thread(() -> {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
          for (String line; (line = r.readLine()) != null; ) {
            lines.add(line);
          }
        } catch (IOException e) {
          // killed mid-line
        } finally {
          lines.add("EOF");
        }
      });
      reader.setDaemon(true);
      reader.start();
    }

    String await(String prefix) throws InterruptedException {
      while (true) {
        String line = lines.poll(2, TimeUnit.MINUTES);
        if (line == null || line.equals("EOF")) {
          throw new AssertionError("worker " + process.pid() + " printed no " + prefix + "; workers' stderr:\n" + tail());
        }
        take(line);
        if (line.startsWith(prefix)) {
          return line;
        }
      }
    }

    boolean ready() {
      for (String l; (l = lines.poll()) != null; ) {
        take(l);
      }
      return seen.contains("READY");
    }

    private void take(String line) {
      if (line.equals("EOF")) {
        eof = true;
      } else {
        seen.add(line);
      }
    }

    /** Waits until the worker drives its execution (READY) or has stopped printing. */
    void awaitReadyOrEnd() throws InterruptedException {
      while (!eof && !seen.contains("READY") && !seen.contains("FINISHED")) {
        String line = lines.poll(2, TimeUnit.MINUTES);
        if (line == null) {
          throw new AssertionError("worker " + process.pid() + " printed neither READY nor FINISHED; stderr:\n" + tail());
        }
        take(line);
      }
    }

    /** A worker that was not killed: exits 0 after DONE SUCCEEDED, or FINISHED (it came late). */
    void checkExit() throws InterruptedException {
      assertThat(process.waitFor(3, TimeUnit.MINUTES)).as("worker %d exits", process.pid()).isTrue();
      while (!eof) {
        String l = lines.poll(10, TimeUnit.SECONDS);
        if (l == null) {
          break;
        }
        take(l);
      }
      assertThat(process.exitValue()).as(() -> "exit of worker " + process.pid() + " (printed " + seen + "); stderr:\n"
          + tail()).isZero();
      assertThat(seen).as("worker %d's lines", process.pid()).containsAnyOf("DONE SUCCEEDED", "FINISHED");
      assertThat(seen).as("worker %d's lines", process.pid())
          .noneMatch(l -> l.startsWith("DONE ") && !l.equals("DONE SUCCEEDED"));
    }
  }

  /**
   * Runs executions, killing and resuming them, until at least {@code kills} kills happened.
   *
   * @return this
   * @throws Exception if a worker cannot be started or misbehaves
   */
  public PipelineCrashScenario run() throws Exception {
    java.util.concurrent.atomic.AtomicReference<Throwable> completerFailed = new java.util.concurrent.atomic.AtomicReference<>();
    Thread completer = new Thread(() -> {
      try {
        completeTokens();
      } catch (InterruptedException stop) {
        // run() is over
      } catch (Throwable t) {
        completerFailed.set(t);
      }
    }, "callback-completer");
    completer.setDaemon(true);
    completer.start();
    try {
      drive();
    } finally {
      completer.interrupt();
      completer.join(TimeUnit.MINUTES.toMillis(1));
      started.forEach(Process::destroyForcibly); // none is alive unless a check failed
    }
    if (completerFailed.get() != null) {
      throw new AssertionError("completing a callback token failed", completerFailed.get());
    }
    System.out.printf("callback tokens: %d completed, %d stale%n", completed, stale);
    return this;
  }

  private int completed;
  private int stale;

  /**
   * The external system of the callback steps: each token a body hands over (a file in
   * {@code tokens/}) is completed by a new process, at whatever moment it shows up.
   */
  private void completeTokens() throws Exception {
    Path tokens = dir.resolve("tokens");
    Set<String> done = new HashSet<>();
    while (!Thread.currentThread().isInterrupted()) {
      if (Files.isDirectory(tokens)) {
        List<Path> files;
        try (var list = Files.list(tokens)) {
          files = list.filter(f -> !f.getFileName().toString().endsWith(".tmp")).sorted().toList();
        }
        for (Path f : files) {
          if (!done.add(f.getFileName().toString())) {
            continue;
          }
          Worker w = new Worker("complete", f.toString());
          assertThat(w.process.waitFor(2, TimeUnit.MINUTES)).isTrue();
          for (String l; (l = w.lines.poll(10, TimeUnit.SECONDS)) != null && !l.equals("EOF"); ) {
            w.seen.add(l);
          }
          assertThat(w.process.exitValue()).as(() -> "completer " + w.process.pid() + "; stderr:\n" + tail()).isZero();
          if (w.seen.contains("COMPLETED")) {
            completed++;
          } else {
            assertThat(w.seen).as("completer %d's lines", w.process.pid()).contains("STALE");
            stale++;
          }
        }
      }
      Thread.sleep(50);
    }
  }

  private void drive() throws Exception {
    Random random = new Random(seed);
    int round = 0;
    long t0 = System.nanoTime();
    while (killed < kills) {
      round++;
      Worker first = new Worker("start", Integer.toString(round));
      String id = first.await("STARTED ").substring("STARTED ".length());
      executions.add(id);
      List<Worker> live = new ArrayList<>(List.of(first));
      List<Worker> survivors = new ArrayList<>();
      while (true) {
        for (Worker w : List.copyOf(live)) {
          if (!w.process.isAlive()) {
            live.remove(w);
            survivors.add(w);
          }
        }
        if (live.isEmpty() || killed >= kills) {
          break;
        }
        Worker victim = live.get(random.nextInt(live.size()));
        if (random.nextInt(4) == 0) {
          Thread.sleep(random.nextInt(400)); // a moment while it starts up or resumes
        } else {
          victim.awaitReadyOrEnd(); // a moment while it drives the execution
          Thread.sleep(random.nextInt(maxDelayMillis + 1));
        }
        if (!victim.process.isAlive()) {
          continue;
        }
        live.remove(victim);
        boolean wasReady = victim.ready();
        victim.process.destroyForcibly(); // SIGKILL
        assertThat(victim.process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        PipelineProcessWorker.append(journal, "K " + victim.process.pid());
        killed++;
        if (!wasReady) {
          killedBeforeReady++;
        }
        while (live.size() < resumers) {
          live.add(new Worker("resume", id));
        }
        maxLive = Math.max(maxLive, live.size());
      }
      survivors.addAll(live);
      for (Worker w : survivors) {
        w.checkExit();
      }
    }
    System.out.printf("%d kills (%d before the process was driving) over %d executions, up to %d processes at once on one;"
        + " lease %s ms; %.1f s%n", killed, killedBeforeReady, executions.size(), maxLive, lease, (System.nanoTime() - t0) / 1e9);
    assertThat(killed).isGreaterThanOrEqualTo(kills);
  }

  /**
   * Checks every execution the scenario ran, and the journal.
   *
   * @param ws a workspace over the store
   * @param store the store
   */
  public void check(Workspace ws, ObjectStore store) {
    try (Pipelines view = Pipelines.on(ws)) {
      Map<String, ExecutionResult> reference = new HashMap<>();
      for (String id : executions) {
        ExecutionResult r = view.status(pipeline, id);
        assertThat(r.status()).as(id).isEqualTo(ExecutionStatus.SUCCEEDED);
        assertThat(view.verify(pipeline, id).ok()).as(view.verify(pipeline, id).toString()).isTrue();
        List<HashChainedLog.Entry> log = rawLog(store, id);
        Map<String, Integer> commits = new TreeMap<>();
        long takeovers = 0;
        for (HashChainedLog.Entry e : log) {
          if (e.body().path("type").asText().equals("succeeded")) {
            String step = e.body().path("step").asText();
            commits.merge(step, 1, Integer::sum);
          }
          if (e.body().has("takeover")) {
            takeovers++;
          }
        }
        String round = r.parameters().get("round");
        ExecutionResult expected = reference.computeIfAbsent(round, this::uninterrupted);
        Map<String, Integer> once = new TreeMap<>();
        expected.steps().keySet().forEach(k -> once.put(k, 1));
        assertThat(commits).as("commits per step of " + id).isEqualTo(once);
        for (StepResult step : r.steps().values()) {
          boolean ownRun = !expected.step(step.step()).run().isEmpty();
          assertThat(step.run().isPresent()).as("%s in %s has a run", step.step(), id).isEqualTo(ownRun);
          step.run().ifPresent(run -> assertThat(ws.experiments().getRun(run).status())
              .as("run %s named by the success of %s in %s", run, step.step(), id).isNotEqualTo(RunStatus.RUNNING));
        }
        System.out.printf("execution %s: %d log entries, %d step claims taken over after a lease expired%n", id,
            log.size(), takeovers);
        assertThat(outputs(r)).isEqualTo(outputs(expected));
        for (StepResult step : r.steps().values()) {
          step.outputs().values().stream().filter(v -> v.kind() == OutputKind.ARTIFACT).forEach(v ->
              assertThat(ws.artifacts().find(Digest.parse(v.value()))).as("artifact of %s", step.step()).isPresent());
        }
      }
      assertThat(view.runningExecutions(pipeline)).isZero();
    }
    checkJournal();
  }

  /** No two live processes ran one step of one execution at once (a killed one stops at its K line). */
  private void checkJournal() {
    List<String> lines;
    try {
      lines = Files.readAllLines(journal);
    } catch (IOException e) {
      throw new AssertionError("journal unreadable", e);
    }
    Map<String, Set<String>> open = new HashMap<>();
    Set<String> dead = new HashSet<>();
    Map<String, Integer> begun = new TreeMap<>();
    int n = 0;
    for (String line : lines) {
      n++;
      String[] f = line.split(" ");
      switch (f[0]) {
        case "K" -> {
          dead.add(f[1]);
          open.values().forEach(s -> s.remove(f[1]));
        }
        case "B" -> {
          String key = f[1] + " " + f[2];
          Set<String> running = open.computeIfAbsent(key, k -> new HashSet<>());
          assertThat(running).as("journal line %d '%s': step %s already running in process(es) %s", n, line, key, running)
              .isEmpty();
          assertThat(dead).as("journal line %d: a killed process ran a step", n).doesNotContain(f[3]);
          running.add(f[3]);
          begun.merge(key, 1, Integer::sum);
        }
        case "E" -> open.getOrDefault(f[1] + " " + f[2], new HashSet<>()).remove(f[3]);
        default -> throw new AssertionError("journal line " + n + " is malformed: " + line);
      }
    }
    long again = begun.values().stream().filter(c -> c > 1).count();
    System.out.printf("journal: %d lines, %d step bodies begun, %d steps begun more than once (after a kill)%n",
        lines.size(), begun.values().stream().mapToInt(Integer::intValue).sum(), again);
  }

  private String tail() {
    try {
      String all = Files.readString(stderr);
      return all.length() > 20_000 ? all.substring(all.length() - 20_000) : all;
    } catch (IOException e) {
      return "(unreadable: " + e + ")";
    }
  }

  private List<HashChainedLog.Entry> rawLog(ObjectStore store, String id) {
    String prefix = "pipelines/" + pipeline + "/executions/" + id + "/log/";
    try (var keys = store.listAll(prefix)) {
      return keys.map(k -> HashChainedLog.parse(k, store.get(k).orElseThrow())).toList();
    }
  }

  /** Every output of every step, as {@code step.output -> kind:value}. */
  private static Map<String, String> outputs(ExecutionResult r) {
    Map<String, String> m = new TreeMap<>();
    for (StepResult s : r.steps().values()) {
      s.outputs().forEach((name, v) -> m.put(s.step() + "." + name, v.kind() + ":" + v.value()));
    }
    return m;
  }

  /** The same round run without interruption, in this JVM, on a fresh mem: store. */
  private ExecutionResult uninterrupted(String round) {
    try (Workspace ws = Mlops.open(URI.create("mem:reference"), new MemObjectStore()); Pipelines p = Pipelines.on(ws)) {
      Execution e = p.start(PipelineProcessWorker.named(pipeline, 0, null), Map.of("round", round));
      while (!e.isDone()) {
        String token = PipelineProcessWorker.LOCAL_TOKENS.poll(10, TimeUnit.MILLISECONDS);
        if (token != null) {
          p.completeCallback(token, PipelineProcessWorker.ANSWER);
        }
      }
      ExecutionResult r = e.await();
      assertThat(r.status()).isEqualTo(ExecutionStatus.SUCCEEDED);
      return r;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }
}
