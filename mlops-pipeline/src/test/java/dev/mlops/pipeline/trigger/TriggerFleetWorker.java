package dev.mlops.pipeline.trigger;

import dev.mlops.Mlops;
import dev.mlops.Workspace;
import dev.mlops.drift.DriftReport;
import dev.mlops.pipeline.ExecutionStatus;
import dev.mlops.pipeline.Pipeline;
import dev.mlops.pipeline.Pipelines;
import dev.mlops.pipeline.Step;
import dev.mlops.spi.ObjectStore;
import dev.mlops.spi.ObjectStoreProvider;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.ServiceLoader;

/**
 * A serving process of the trigger fleet ITs ({@code FsTriggerFleetIT}, {@code S3TriggerFleetIT}):
 * for each window k it computes the same alarming report as every other worker (a real
 * {@code PredictionMonitor} whose window is the instant {@code base + k hours}), prints
 * {@code READY k}, waits for the start barrier file {@code go-k} in the barrier directory, hands
 * the report to its {@link AlarmTrigger}, whose launcher is the real engine's
 * ({@code Pipelines.launcher}) for {@link #pipeline}, and prints {@code RESULT k <outcome>}. The
 * worker whose trigger fired drives the execution it started to its end first, so when its
 * RESULT line appears the execution is over. Arguments: store URI, pipeline, instance name,
 * windows, barrier directory, and optionally the policy: {@code tuned} (the default: no cooldown,
 * a cap of 1000, so only the claim keeps the fleet to one execution) or {@code defaults}
 * ({@link TriggerPolicy#defaults()}, the library's: no cooldown, at most one running execution),
 * then optionally a clock skew and a tolerance in milliseconds: the process's clocks (triggers,
 * pipelines) run that far ahead of the system clock, its alarm is a count-window alarm bucketed by
 * the hour with that tolerance, and its window ends at {@code base + k hours} read on its own
 * clock — so the fleet's ends straddle the hour boundary.
 *
 * <p>Not thread-safe; a process main.
 */
public final class TriggerFleetWorker {
  /** The first window's instant. */
  public static final Instant BASE = Instant.parse("2026-01-05T10:00:00Z");

  private TriggerFleetWorker() {}

  /**
   * @param args store URI, pipeline, instance name, windows, barrier directory[, tuned|defaults[,
   *     skew ms, tolerance ms]]
   * @throws Exception on any failure (the test reads the exit code and stderr)
   */
  public static void main(String[] args) throws Exception {
    URI uri = URI.create(args[0]);
    String pipeline = args[1];
    String instance = args[2];
    int windows = Integer.parseInt(args[3]);
    Path barrier = Path.of(args[4]);
    TriggerPolicy policy = policy(args.length > 5 ? args[5] : "tuned");
    // bucketed mode: this process's clock is skewed, and its count window closes at the real
    // instant BASE + k hours, which its clock reads as that plus the skew
    Optional<Duration> skew = args.length > 7 ? Optional.of(Duration.ofMillis(Long.parseLong(args[6]))) : Optional.empty();
    Clock clock = Clock.offset(Clock.systemUTC(), skew.orElse(Duration.ZERO));
    ObjectStore store = provider(uri.getScheme()).open(uri);
    try (Workspace ws = Mlops.open(uri, store); // owns the store and closes it
        Pipelines pipelines = Pipelines.builder(ws).clock(clock).build()) {
      Triggers triggers = Triggers.builder(store).clock(clock).instance(instance).build();
      AlarmTrigger trigger = skew.isPresent()
          ? triggers.onAlarm("drift", pipelines.launcher(pipeline(pipeline)), policy, Duration.ofHours(1),
              Duration.ofMillis(Long.parseLong(args[7])))
          : triggers.onAlarm("drift", pipelines.launcher(pipeline(pipeline)), policy);
      for (int k = 0; k < windows; k++) {
        DriftReport report = Alarms.window(BASE.plus(Duration.ofHours(k)).plus(skew.orElse(Duration.ZERO)), true);
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
        if (r.outcome() == TriggerOutcome.FIRED) {
          String id = r.executionId().orElseThrow();
          ExecutionStatus status;
          while ((status = pipelines.status(pipeline, id).status()) == ExecutionStatus.RUNNING) {
            if (System.nanoTime() > deadline) {
              throw new IllegalStateException("execution " + id + " did not finish");
            }
            Thread.sleep(5);
          }
          if (status != ExecutionStatus.SUCCEEDED) {
            throw new IllegalStateException("execution " + id + " ended " + status);
          }
        }
        System.out.println("RESULT " + k + " " + r.outcome());
        System.out.flush();
      }
    }
  }

  /**
   * The retraining pipeline every worker launches: {@code prepare} stores the alarming window as
   * an artifact, {@code train} reads it and records a metric.
   *
   * @param name the pipeline name
   * @return the pipeline
   */
  public static Pipeline pipeline(String name) {
    return Pipeline.builder(name)
        .step(Step.task("prepare", ctx -> ctx.artifact("window",
            ctx.parameter(AlarmTrigger.PARAM_WINDOW_START).getBytes(StandardCharsets.UTF_8))).artifacts("window"))
        .step(Step.task("train", ctx -> ctx.metric("size", ctx.inputBytes("prepare.window").length))
            .reads("prepare.window").metrics("size"))
        .build();
  }

  /**
   * @param name {@code tuned} or {@code defaults}
   * @return the fleet's trigger policy
   */
  public static TriggerPolicy policy(String name) {
    return switch (name) {
      // no cooldown and a high cap: only the claim on the window keeps the fleet to one execution
      case "tuned" -> TriggerPolicy.defaults().withMaxConcurrent(1000);
      case "defaults" -> TriggerPolicy.defaults();
      default -> throw new IllegalArgumentException("unknown fleet policy '" + name + "': tuned or defaults");
    };
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
