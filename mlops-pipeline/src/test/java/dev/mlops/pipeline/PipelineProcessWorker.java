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
 * store at a URI, for crash tests that kill it with {@code kill -9} ({@code FsPipelineCrashIT}).
 * Arguments: store URI, {@code start <round>} or {@code resume <executionId>}, lease in ms, step
 * sleep in ms. Prints {@code STARTED <id>} (start only), {@code READY} once it drives the
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
    Pipeline.Builder b = Pipeline.builder("crash20");
    for (int i = 0; i < STEPS; i++) {
      String name = name(i);
      Step.Builder s = Step.task(name, ctx -> {
        Thread.sleep(sleepMillis);
        StringBuilder content = new StringBuilder(ctx.step()).append(" round ").append(ctx.parameter("round"));
        for (String ref : new java.util.TreeSet<>(inputsOf(ctx.step()))) {
          content.append(' ').append(ctx.input(ref).value());
        }
        ctx.artifact("out", Digest.of(content.toString().getBytes(StandardCharsets.UTF_8)).hex()
            .getBytes(StandardCharsets.UTF_8));
      }).artifacts("out");
      for (String ref : inputsOf(name)) {
        s.reads(ref);
      }
      b.step(s);
    }
    return b.build();
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
   * @param args store URI, start|resume, round or execution id, lease ms, step sleep ms
   * @throws Exception on any failure (the test reads the exit code and stderr)
   */
  public static void main(String[] args) throws Exception {
    URI uri = URI.create(args[0]);
    ObjectStore store = provider(uri.getScheme()).open(uri);
    try (Workspace ws = Mlops.open(uri, store);
        Pipelines pipelines = Pipelines.builder(ws).lease(Duration.ofMillis(Long.parseLong(args[3])))
            .pollInterval(Duration.ofMillis(20)).build()) {
      Pipeline p = pipeline(Long.parseLong(args[4]));
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

  private static ObjectStoreProvider provider(String scheme) {
    for (ObjectStoreProvider p : ServiceLoader.load(ObjectStoreProvider.class)) {
      if (p.scheme().equalsIgnoreCase(scheme)) {
        return p;
      }
    }
    throw new IllegalStateException("no storage provider for scheme " + scheme + " on the class path");
  }
}
