package dev.mlops.pipeline;

import dev.mlops.Mlops;
import dev.mlops.Workspace;
import dev.mlops.core.MemObjectStore;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Child JVM of {@link PipelineWideFanOutHeapIT}: runs two map steps of {@code args[0]} items each,
 * the second after the first, on {@code mem:} with a host executor of two threads, and prints
 * {@code DONE <status> <items of the second map>}. Run with a small {@code -Xmx} and
 * {@code -XX:+ExitOnOutOfMemoryError}: the driver's memory must grow with the number of steps, not
 * with its square.
 */
final class WideFanOutWorker {
  private WideFanOutWorker() {}

  public static void main(String[] args) {
    int n = Integer.parseInt(args[0]);
    List<String> items = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      items.add("i" + i);
    }
    ExecutorService two = Executors.newFixedThreadPool(2);
    try (Workspace ws = Mlops.open(URI.create("mem:wide"), new MemObjectStore());
        Pipelines pl = Pipelines.builder(ws).executor(two).build()) {
      Pipeline p = Pipeline.builder("wide")
          .step(Step.map("first", items, ctx -> ctx.output("z", ctx.item().orElseThrow())).parameters("z").noCache())
          .step(Step.map("second", items, ctx -> ctx.output("z", ctx.item().orElseThrow())).parameters("z").noCache()
              .after("first"))
          .build();
      ExecutionResult r = pl.run(p, Map.of());
      System.out.println("DONE " + r.status() + " " + r.step("second").output("z").list().size());
    } finally {
      two.shutdownNow();
    }
  }
}
