package dev.mlops.pipeline.trigger;

import dev.mlops.drift.CheckResult;
import dev.mlops.drift.CheckVerdict;
import dev.mlops.drift.DriftReport;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * A retrain trigger on drift and quality alarms of a {@code PredictionMonitor}: register it with
 * {@code PredictionMonitor.Builder.onAlert(trigger)} (or {@code onWindow}: reports that do not
 * {@link DriftReport#alarm() alarm} are ignored). Each alarming window is one event; in a fleet the
 * first process to claim it starts the execution. Created by {@link Triggers#onAlarm}.
 *
 * <p>The monitor calls listeners on the thread that closes windows, so a firing — a few store
 * reads and writes and {@code PipelineLauncher.start} — delays that thread, never
 * {@code record}.
 *
 * <p>Thread-safe.
 */
public final class AlarmTrigger implements Consumer<DriftReport> {
  /** Execution parameter: the alarming window's start (ISO-8601). */
  public static final String PARAM_WINDOW_START = "mlops.trigger.window.start";
  /** Execution parameter: the alarming window's end (ISO-8601). */
  public static final String PARAM_WINDOW_END = "mlops.trigger.window.end";

  private final TriggerGate gate;
  private final Duration bucket;
  private final Duration tolerance;

  AlarmTrigger(TriggerGate gate, Duration bucket, Duration tolerance) {
    this.gate = gate;
    this.bucket = bucket;
    this.tolerance = tolerance;
  }

  /** @return the trigger's name */
  public String name() {
    return gate.trigger();
  }

  /**
   * Handles a report; the monitor's listener method. Same as {@link #handle}, discarding the record.
   *
   * @param report a closed window's report
   */
  @Override
  public void accept(DriftReport report) {
    handle(report);
  }

  /**
   * Fires for an alarming report (or records why not).
   *
   * @param report a closed window's report
   * @return the record written, or empty if the report does not alarm
   * @throws NullPointerException if report is null
   * @throws dev.mlops.CorruptDataException if the stored trigger log or claim is unreadable
   */
  public Optional<TriggerRecord> handle(DriftReport report) {
    Objects.requireNonNull(report, "report");
    if (!report.alarm()) {
      return Optional.empty();
    }
    Map<String, String> parameters = Map.of(PARAM_WINDOW_START, report.start().toString(),
        PARAM_WINDOW_END, report.end().toString());
    if (bucket == null) {
      String event = "w" + report.start().toEpochMilli() + "-" + report.end().toEpochMilli();
      return gate.fire(event, List.of(event), cause(report), parameters, Optional.empty());
    }
    return gate.fire(bucketKey(report.end().toEpochMilli()), keys(report.end().toEpochMilli()), cause(report),
        parameters, Optional.empty());
  }

  private String bucketKey(long millis) {
    long b = bucket.toMillis();
    return "b" + Math.floorDiv(millis, b) * b;
  }

  /**
   * The keys an alarm ending at {@code end} claims, in the order every process claims them: its
   * bucket {@code b<start>}, and, within the tolerance of a bucket boundary B, also the boundary
   * {@code n<B>} (before its bucket if the end is after B, after it if before). Two ends at most
   * the tolerance apart share a key — their bucket, or the boundary between their buckets — so at
   * most one of two such processes claims all of its keys; alarms a bucket apart share none.
   */
  List<String> keys(long end) {
    long b = bucket.toMillis();
    long t = tolerance.toMillis();
    long start = Math.floorDiv(end, b) * b;
    String own = "b" + start;
    if (t > 0 && end - start <= t) {
      return List.of("n" + start, own);
    }
    if (t > 0 && start + b - end <= t) {
      return List.of(own, "n" + (start + b));
    }
    return List.of(own);
  }

  /** One line saying why the window alarms. */
  static String cause(DriftReport report) {
    List<String> why = new ArrayList<>();
    if (report.datasetDrift()) {
      why.add(String.format(java.util.Locale.ROOT, "dataset drift (%d of %d features drifted)",
          report.driftedFeatures(), report.evaluatedFeatures()));
    }
    report.quality().filter(q -> q.conceptDrifts() > 0)
        .ifPresent(q -> why.add("concept drift on " + q.metric() + " (" + q.conceptDrifts() + " signalled)"));
    for (CheckResult c : report.checks()) {
      if (c.verdict() == CheckVerdict.DRIFT) {
        why.add("check " + c.name() + " drifted");
      }
    }
    return "alarm on window " + report.start() + " .. " + report.end() + ", " + report.records() + " records: "
        + String.join("; ", why);
  }

  @Override
  public String toString() {
    return "alarm trigger '" + gate.trigger() + "' of pipeline '" + gate.pipeline() + "'"
        + (bucket == null ? "" : " (bucket " + bucket + (tolerance.isZero() ? "" : ", tolerance " + tolerance) + ")");
  }
}
