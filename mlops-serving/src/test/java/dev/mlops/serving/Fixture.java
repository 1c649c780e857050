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
