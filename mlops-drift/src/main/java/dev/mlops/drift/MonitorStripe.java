package dev.mlops.drift;

/**
 * One stripe of a monitor's open window: primitive counters that the recording thread holding the
 * stripe's lock updates in place, and that the window-closing thread drains under the same lock.
 * Arrays carry a cache line and a half of slack so stripes never share a line.
 *
 * <p>Not thread-safe on its own; every access holds the stripe's lock.
 */
final class MonitorStripe extends SpinLocked {
  private static final int SLACK = 24;

  final long[] binCounts;
  final double[] binSums;
  final long[] missing;
  final long[] infinite;
  final long[] categorical;
  /** Data-quality counters in {@link QualityPlan}'s slot order (only slack without rules). */
  final long[] quality;
  long records;
  long predictions;
  long predictionsInvalid;
  /** Sums of values are scaled by {@link WindowSnapshot#SUM_SCALE}, so they cannot overflow. */
  double predictionSum;
  int sinceFlush;
  long r1, r2, r3, r4, r5, r6, r7, r8;

  MonitorStripe(MonitorLayout layout, QualityPlan plan) {
    binCounts = new long[layout.numeric * MonitorLayout.SLOTS + SLACK];
    binSums = new double[layout.numeric * MonitorLayout.SLOTS + SLACK];
    missing = new long[layout.numeric + SLACK];
    infinite = new long[layout.numeric + SLACK];
    categorical = new long[layout.categoricalSlots + SLACK];
    quality = new long[(plan == null ? 0 : plan.slots) + SLACK];
  }

  /** Adds this stripe's counts into the accumulators and zeroes them. Caller holds the lock. */
  void drainInto(long[] counts, double[] sums, long[] miss, long[] inf, long[] cats, long[] q, double[] scalars,
      boolean reset) {
    for (int i = 0; i < counts.length; i++) {
      counts[i] += binCounts[i];
      sums[i] += binSums[i];
    }
    for (int i = 0; i < miss.length; i++) {
      miss[i] += missing[i];
      inf[i] += infinite[i];
    }
    for (int i = 0; i < cats.length; i++) {
      cats[i] += categorical[i];
    }
    for (int i = 0; i < q.length; i++) {
      q[i] += quality[i];
    }
    scalars[0] += records;
    scalars[1] += predictions;
    scalars[2] += predictionsInvalid;
    scalars[3] += predictionSum;
    if (reset) {
      java.util.Arrays.fill(binCounts, 0);
      java.util.Arrays.fill(binSums, 0);
      java.util.Arrays.fill(missing, 0);
      java.util.Arrays.fill(infinite, 0);
      java.util.Arrays.fill(categorical, 0);
      java.util.Arrays.fill(quality, 0);
      records = 0;
      predictions = 0;
      predictionsInvalid = 0;
      predictionSum = 0;
      sinceFlush = 0;
    }
  }
}
