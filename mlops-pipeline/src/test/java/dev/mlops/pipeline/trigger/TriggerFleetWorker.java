package dev.mlops.pipeline.trigger;

import dev.mlops.drift.DriftReport;
import dev.mlops.spi.ObjectStore;
import dev.mlops.spi.ObjectStoreProvider;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ServiceLoader;

/**
 * A serving process of the trigger fleet IT ({@code FsTriggerFleetIT}): for each window k it
 * computes the same alarming report as every other worker (a real {@code PredictionMonitor} whose
 * window is the instant {@code base + k hours}), prints {@code READY k}, waits for the start
 * barrier file {@code go-k} in the barrier directory, hands the report to its {@link AlarmTrigger}
 * and prints {@code RESULT k <outcome>}. Arguments: store URI, pipeline, instance name, windows,
 * barrier directory.
 *
 * <p>Not thread-safe; a process main.
 */
public final class TriggerFleetWorker {
  /** The first window's instant. */
  public static final Instant BASE = Instant.parse("2026-01-05T10:00:00Z");

  private TriggerFleetWorker() {}

  /**
   * @param args store URI, pipeline, instance name, windows, barrier directory
   * @throws Exception on any failure (the test reads the exit code and stderr)
   */
  public static void main(String[] args) throws Exception {
    URI uri = URI.create(args[0]);
    String pipeline = args[1];
    String instance = args[2];
    int windows = Integer.parseInt(args[3]);
    Path barrier = Path.of(args[4]);
    try (ObjectStore store = provider(uri.getScheme()).open(uri)) {
      Triggers triggers = Triggers.builder(store).instance(instance).build();
      // no cooldown and a high cap: only the claim on the window keeps the fleet to one execution
      AlarmTrigger trigger = triggers.onAlarm("drift", new StoreRecordingLauncher(store, pipeline),
          TriggerPolicy.defaults().withMaxConcurrent(1000));
      for (int k = 0; k < windows; k++) {
        DriftReport report = Alarms.window(BASE.plus(Duration.ofHours(k)), true);
        if (!report.alarm()) {
          throw new IllegalStateException("window " + k + " does not alarm");
        }
        System.out.println("READY " + k);
        System.out.flush();
        Path go = barrier.resolve("go-" + k);
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        while (!Files.exists(go)) {
          if (System.nanoTime() > deadline) {
            throw new IllegalStateException("no start signal " + go);
          }
          Thread.onSpinWait();
        }
        TriggerRecord r = trigger.handle(report).orElseThrow();
        System.out.println("RESULT " + k + " " + r.outcome());
        System.out.flush();
      }
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
