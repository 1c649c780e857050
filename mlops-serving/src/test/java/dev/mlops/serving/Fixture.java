package dev.mlops.serving;

import dev.mlops.Mlops;
import dev.mlops.Registration;
import dev.mlops.Workspace;
import dev.mlops.WorkspaceOptions;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/** Test helpers: workspaces with an injected clock, versions, and predictors that answer their version. */
final class Fixture {
  static final String MODEL = "fraud";
  final TestClock clock = new TestClock(Instant.parse("2026-01-01T00:00:00Z"));

  Workspace open(URI uri) {
    return Mlops.open(uri, WorkspaceOptions.builder().clock(clock).refreshInterval(Duration.ofMillis(50))
        .actor("tester").build());
  }

  Workspace mem() {
    return open(URI.create("mem:/"));
  }

  static int register(Workspace ws, boolean approve) {
    int v = ws.registry().register(MODEL, Registration.builder().description("test").build()).version();
    if (approve) {
      ws.registry().approve(MODEL, v, "reviewer", "ok");
    }
    return v;
  }

  /**
   * Registers {@code approvedVersions} approved versions and points {@code production} at the first.
   *
   * @return the first version
   */
  static int production(Workspace ws, int approvedVersions) {
    int first = 0;
    for (int i = 0; i < approvedVersions; i++) {
      int v = register(ws, true);
      first = first == 0 ? v : first;
    }
    ws.registry().setAlias(MODEL, "production", first);
    return first;
  }

  /** @return a key the endpoint routes to {@code version} now */
  static String keyFor(Endpoint<?, ?> ep, int version) {
    for (int i = 0; ; i++) {
      if (ep.versionFor("key-" + i) == version) {
        return "key-" + i;
      }
    }
  }

  /**
   * Moves {@code production} through versions 1-5 {@code moves} times, refreshing after each move
   * and checking that the endpoint then serves the new version, while {@code threads} threads call
   * it without pause with fresh keys.
   *
   * @return every exception a calling thread saw, and how many calls succeeded
   */
  static SwapLoad swapUnderLoad(Workspace ws, Endpoint<String, Integer> ep, int threads, int moves)
      throws Exception {
    java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
    java.util.concurrent.atomic.AtomicLong ok = new java.util.concurrent.atomic.AtomicLong();
    List<Throwable> failures = new CopyOnWriteArrayList<>();
    java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(threads);
    List<java.util.concurrent.Future<?>> fs = new java.util.ArrayList<>();
    try {
      for (int t = 0; t < threads; t++) {
        int thread = t;
        fs.add(pool.submit(() -> {
          long i = 0;
          while (!stop.get()) {
            try {
              ep.predict("k" + thread + "-" + i++, "x");
              ok.incrementAndGet();
            } catch (Throwable e) {
              failures.add(e);
            }
          }
        }));
      }
      for (int move = 1; move <= moves; move++) {
        int target = 1 + move % 5;
        ws.registry().setAlias(MODEL, "production", target);
        ep.refresh();
        org.assertj.core.api.Assertions.assertThat(ep.predict("probe", "x")).isEqualTo(target);
      }
    } finally {
      stop.set(true);
      for (java.util.concurrent.Future<?> x : fs) {
        x.get(1, java.util.concurrent.TimeUnit.MINUTES);
      }
      pool.shutdown();
    }
    return new SwapLoad(failures, ok.get());
  }

  /** What {@link #swapUnderLoad} saw: the calling threads' exceptions and their successful calls. */
  record SwapLoad(List<Throwable> failures, long ok) {}

  /** A predictor answering its version; fails loudly if used after close, counts closes. */
  static final class VersionPredictor implements Predictor<String, Integer> {
    final int version;
    final AtomicInteger closes = new AtomicInteger();

    VersionPredictor(int version) {
      this.version = version;
    }

    @Override
    public Integer predict(String input) {
      if (closes.get() > 0) {
        throw new IllegalStateException("version " + version + " used after close");
      }
      return version;
    }

    @Override
    public void close() {
      closes.incrementAndGet();
    }
  }

  /** Loads {@link VersionPredictor}s and keeps every one it made. */
  static final class Loader implements PredictorLoader<String, Integer> {
    final List<VersionPredictor> made = new CopyOnWriteArrayList<>();

    @Override
    public Predictor<String, Integer> load(dev.mlops.ModelVersion version) {
      VersionPredictor p = new VersionPredictor(version.version());
      made.add(p);
      return p;
    }
  }
}
