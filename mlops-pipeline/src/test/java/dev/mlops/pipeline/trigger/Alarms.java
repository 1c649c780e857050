package dev.mlops.pipeline.trigger;

import dev.mlops.drift.BaselineProfile;
import dev.mlops.drift.DriftReport;
import dev.mlops.drift.PredictionMonitor;
import dev.mlops.drift.Windowing;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Random;
import java.util.function.Consumer;

/**
 * Real drift reports for trigger tests: a {@link PredictionMonitor} on a baseline of one feature
 * {@code x ~ N(0, 1)}, fed shifted (alarming) or unshifted traffic. Not thread-safe.
 */
public final class Alarms {
  private static final BaselineProfile BASELINE = baseline();

  private Alarms() {}

  private static BaselineProfile baseline() {
    Random rnd = new Random(1);
    double[][] rows = new double[3000][];
    for (int i = 0; i < rows.length; i++) {
      rows[i] = new double[] {rnd.nextGaussian()};
    }
    return BaselineProfile.fit(List.of("x"), rows);
  }

  /**
   * Closes one manual window at a fixed instant (start = end = at, the same in every process),
   * handing the report to the listener when it alarms.
   *
   * @param at the window's instant
   * @param shifted whether the traffic drifted (the report alarms)
   * @param onAlert the alert listener, e.g. an {@link AlarmTrigger}
   * @return the report
   */
  public static DriftReport window(Instant at, boolean shifted, Consumer<DriftReport> onAlert) {
    PredictionMonitor monitor = PredictionMonitor.builder(BASELINE).windowing(Windowing.manual())
        .clock(Clock.fixed(at, ZoneOffset.UTC)).executor(Runnable::run).onAlert(onAlert).build();
    Random rnd = new Random(at.toEpochMilli());
    for (int i = 0; i < 2000; i++) {
      monitor.record(new double[] {rnd.nextGaussian() + (shifted ? 3 : 0)}, 0.5);
    }
    return monitor.closeWindow();
  }

  /**
   * @return a monitor builder on the shared baseline (one feature {@code x ~ N(0, 1)})
   */
  public static PredictionMonitor.Builder monitor() {
    return PredictionMonitor.builder(BASELINE);
  }

  /**
   * @param at the window's instant
   * @param shifted whether the traffic drifted
   * @return the report, without listeners
   */
  public static DriftReport window(Instant at, boolean shifted) {
    return window(at, shifted, r -> { });
  }
}
