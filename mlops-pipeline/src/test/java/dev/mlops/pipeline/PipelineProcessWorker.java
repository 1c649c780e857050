package dev.mlops.pipeline;

import dev.mlops.Digest;
import dev.mlops.Mlops;
import dev.mlops.Workspace;
import dev.mlops.spi.ObjectStore;
import dev.mlops.spi.ObjectStoreProvider;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.ServiceLoader;

/**
 * A process that drives one execution of the 20-step {@link #pipeline crash pipeline} on the
 * store at a URI, for crash tests that kill it with {@code kill -9} ({@link PipelineCrashScenario}).
 * Arguments: store URI, {@code start <round>} or {@code resume <executionId>}, lease in ms (or
 * {@code default} for the library's), step sleep in ms, and optionally a journal file: every step
 * body appends {@code B <execution> <step> <pid>} when it starts and {@code E ...} when it stops
 * (in a finally block), each line one {@code O_APPEND} write, so the test can see two bodies of one
 * step running at once. Prints {@code STARTED <id>} (start only), {@code READY} once it drives the
 * execution, {@code DONE <status>} when it finished, or {@code FINISHED} if asked to resume an
 * execution that had already finished.
 *
 * <p>Not thread-safe; a process main.
 */
public final class PipelineProcessWorker {
  /** Steps in the crash pipeline. */
  public static final int STEPS = 20;

  private PipelineProcessWorker() {}

  /**
   * The crash pipeline: 20 steps {@code s00..s19}, two interleaved chains joined every fourth
   * step; each sleeps, then commits an artifact derived from its name, the round parameter and its
   * inputs, so outputs are the same in every run of a round.
   *
   * @param sleepMillis how long each step works
   * @return the pipeline
   */
  public static Pipeline pipeline(long sleepMillis) {
    return pipeline(sleepMillis, null);
  }

  /**
   * The crash pipeline, each body journalling its start and stop.
   *
   * @param sleepMillis how long each step works
   * @param journal the file to append {@code B}/{@code E} lines to, or null for none
   * @return the pipeline (the same steps and code as {@link #pipeline(long)}, so the same cache keys)
   */
  public static Pipeline pipeline(long sleepMillis, java.nio.file.Path journal) {
    Pipeline.Builder b = Pipeline.builder("crash20");
    for (int i = 0; i < STEPS; i++) {
      String name = name(i);
      Step.Builder s = Step.task(name, ctx -> {
        journal(journal, "B", ctx);
        try {
          Thread.sleep(sleepMillis);
          StringBuilder content = new StringBuilder(ctx.step()).append(" round ").append(ctx.parameter("round"));
          for (String ref : new java.util.TreeSet<>(inputsOf(ctx.step()))) {
            content.append(' ').append(ctx.input(ref).value());
          }
          ctx.artifact("out", Digest.of(content.toString().getBytes(StandardCharsets.UTF_8)).hex()
              .getBytes(StandardCharsets.UTF_8));
        } finally {
          journal(journal, "E", ctx);
        }
      }).artifacts("out");
      for (String ref : inputsOf(name)) {
        s.reads(ref);
      }
      b.step(s);
    }
    return b.build();
  }

  /** Items of the map step of {@link #mixed}. */
  public static final int ITEMS = 8;

  /**
   * The mixed crash pipeline {@code crashmix}: {@code seed} lists {@value #ITEMS} items, the map
   * step {@code fan} runs one sub-step per item (each sleeps, then commits an artifact of its item
   * and the round), {@code join} reads the list of their artifacts, the callback step
   * {@code external} hands its token over (see {@link #handOver}) and waits for {@code answer},
   * {@code after} reads join's artifact and the answer.
   * Every body journals like {@link #pipeline(long, java.nio.file.Path)}'s, and all are cached.
   *
   * @param sleepMillis how long each item and task works
   * @param journal the journal file, or null
   * @return the pipeline
   */
  public static Pipeline mixed(long sleepMillis, java.nio.file.Path journal) {
    return Pipeline.builder("crashmix")
        .step(Step.task("seed", ctx -> {
          journal(journal, "B", ctx);
          try {
            Thread.sleep(sleepMillis);
            StringBuilder items = new StringBuilder();
            for (int i = 0; i < ITEMS; i++) {
              items.append(i == 0 ? "" : "\n").append("r").append(ctx.parameter("round")).append("-item").append(i);
            }
            ctx.output("items", items.toString());
            ctx.artifact("out", utf8("seed " + items));
          } finally {
            journal(journal, "E", ctx);
          }
        }).parameters("items").artifacts("out"))
        .step(Step.mapOver("fan", "seed.items", ctx -> {
          journal(journal, "B", ctx);
          try {
            Thread.sleep(sleepMillis);
            ctx.artifact("out", utf8("fan " + ctx.item().orElseThrow() + " of " + ctx.input("seed.out").value()));
          } finally {
            journal(journal, "E", ctx);
          }
        }).reads("seed.out").artifacts("out"))
        .step(Step.task("join", ctx -> {
          journal(journal, "B", ctx);
          try {
            Thread.sleep(sleepMillis);
            ctx.artifact("out", utf8("join " + String.join(",", ctx.input("fan.out").list())));
          } finally {
            journal(journal, "E", ctx);
          }
        }).reads("fan.out").artifacts("out"))
        .step(Step.callback("external", ctx -> {
          journal(journal, "B", ctx);
          try {
            Thread.sleep(sleepMillis);
            handOver(journal, ctx.callbackToken());
          } finally {
            journal(journal, "E", ctx);
          }
        }).reads("join.out").parameters("answer"))
        .step(Step.task("after", ctx -> {
          journal(journal, "B", ctx);
          try {
            Thread.sleep(sleepMillis);
            ctx.artifact("out", utf8("after " + ctx.input("join.out").value() + " " + ctx.input("external.answer").value()));
          } finally {
            journal(journal, "E", ctx);
          }
        }).reads("join.out").reads("external.answer").artifacts("out"))
        .build();
  }

  /** Tokens handed over by callback bodies of a pipeline built without a journal (this JVM's). */
  static final java.util.concurrent.BlockingQueue<String> LOCAL_TOKENS = new java.util.concurrent.LinkedBlockingQueue<>();

  /** The outputs the external system of {@link #mixed}'s callback step reports. */
  static final Map<String, OutputValue> ANSWER = Map.of("answer", new OutputValue(OutputKind.PARAMETER, "42"));

  /**
   * The "external system" of the callback step: its token goes to a file in {@code tokens/} next to
   * the journal (written whole, then renamed), where the test picks it up and has another process
   * complete it; without a journal to {@link #LOCAL_TOKENS}.
   */
  private static void handOver(java.nio.file.Path journal, String token) throws java.io.IOException {
    if (journal == null) {
      LOCAL_TOKENS.add(token);
      return;
    }
    java.nio.file.Path dir = java.nio.file.Files.createDirectories(journal.resolveSibling("tokens"));
    String name = Digest.of(utf8(token)).hex();
    java.nio.file.Path tmp = dir.resolve(name + ".tmp");
    java.nio.file.Files.writeString(tmp, token);
    java.nio.file.Files.move(tmp, dir.resolve(name), java.nio.file.StandardCopyOption.ATOMIC_MOVE);
  }

  /**
   * @param name {@code crash20} or {@code crashmix}
   * @param sleepMillis how long each step works
   * @param journal the journal file, or null
   * @return that pipeline
   */
  public static Pipeline named(String name, long sleepMillis, java.nio.file.Path journal) {
    return switch (name) {
      case "crash20" -> pipeline(sleepMillis, journal);
      case "crashmix" -> mixed(sleepMillis, journal);
      default -> throw new IllegalArgumentException("no crash pipeline '" + name + "'");
    };
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static void journal(java.nio.file.Path journal, String what, StepContext ctx) throws java.io.IOException {
    if (journal != null) {
      append(journal, what + " " + ctx.executionId() + " " + ctx.step() + " " + ProcessHandle.current().pid());
    }
  }

  /**
   * Appends one line to a journal with a single {@code O_APPEND} write (atomic against other
   * processes' appends on a local file system).
   *
   * @param journal the file
   * @param line the line, without its newline
   * @throws java.io.IOException if it cannot be written
   */
  public static void append(java.nio.file.Path journal, String line) throws java.io.IOException {
    java.nio.file.Files.write(journal, (line + "\n").getBytes(StandardCharsets.UTF_8),
        java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND,
        java.nio.file.StandardOpenOption.WRITE);
  }

  /** @param i step number @return its name */
  public static String name(int i) {
    return String.format("s%02d", i);
  }

  private static java.util.List<String> inputsOf(String step) {
    int i = Integer.parseInt(step.substring(1));
    java.util.List<String> refs = new java.util.ArrayList<>();
    if (i >= 2) {
      refs.add(name(i - 2) + ".out");
    }
    if (i % 4 == 3) {
      refs.add(name(i - 1) + ".out");
    }
    return refs;
  }

  /**
   * @param args store URI, start|resume|complete, round or execution id or token file, lease ms (or {@code default}), step
   *     sleep ms, optionally a journal path and the pipeline ({@code crash20}, the default, or
   *     {@code crashmix})
   * @throws Exception on any failure (the test reads the exit code and stderr)
   */
  public static void main(String[] args) throws Exception {
    URI uri = URI.create(args[0]);
    ObjectStore store = provider(uri.getScheme()).open(uri);
    try (Workspace ws = Mlops.open(uri, store);
        Pipelines pipelines = builder(ws, args[3]).build()) {
      if (args[1].equals("complete")) {
        // the external system of a callback step reports, from its own process
        String token = java.nio.file.Files.readString(java.nio.file.Path.of(args[2]));
        try {
          pipelines.completeCallback(token, ANSWER);
          System.out.println("COMPLETED");
        } catch (dev.mlops.ConflictException stale) {
          System.out.println("STALE"); // its step was taken over (a new token) or has finished
        }
        return;
      }
      Pipeline p = named(args.length > 6 ? args[6] : "crash20", Long.parseLong(args[4]),
          args.length > 5 ? java.nio.file.Path.of(args[5]) : null);
      Execution e;
      if (args[1].equals("start")) {
        e = pipelines.start(p, Map.of("round", args[2]), "crash test");
        System.out.println("STARTED " + e.id());
      } else {
        try {
          e = pipelines.resume(p, args[2]);
        } catch (IllegalStateException finished) {
          System.out.println("FINISHED");
          return;
        }
      }
      System.out.println("READY");
      System.out.flush();
      ExecutionResult r = e.await();
      System.out.println("DONE " + r.status());
      System.out.flush();
    }
  }

  /** The test's lease and a 20 ms poll, or with {@code default} every setting the library's. */
  private static Pipelines.Builder builder(Workspace ws, String lease) {
    Pipelines.Builder b = Pipelines.builder(ws);
    return lease.equals("default") ? b : b.lease(Duration.ofMillis(Long.parseLong(lease))).pollInterval(Duration.ofMillis(20));
  }

  private static ObjectStoreProvider provider(String scheme) {
    for (ObjectStoreProvider p : ServiceLoader.load(ObjectStoreProvider.class)) {
      if (p.scheme().equalsIgnoreCase(scheme)) {
        return p;
      }
    }
    throw new IllegalStateException("no storage provider for scheme " + scheme + " on the class path");
  }
}
