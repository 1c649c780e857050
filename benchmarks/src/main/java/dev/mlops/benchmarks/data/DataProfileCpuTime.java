package dev.mlops.benchmarks.data;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.openjdk.jmh.infra.Blackhole;

/**
 * A companion to {@link DataProfileBenchmark} for a machine shared with other work: runs the same
 * benchmark methods on the same data and reports the benchmark thread's CPU time per op
 * ({@link ThreadMXBean#getCurrentThreadCpuTime}), which time slices taken by other processes do
 * not inflate (cache and memory-bandwidth contention still do). Not a JMH harness: two warm-up ops,
 * then the median of the measured ops.
 *
 * <p>Run: {@code java -Xmx6g -cp benchmarks/target/benchmarks.jar
 * dev.mlops.benchmarks.data.DataProfileCpuTime [sumFloor,profile,...] [ops]}.
 */
public final class DataProfileCpuTime {
  private DataProfileCpuTime() {}

  /**
   * @param args comma-separated benchmark names (default: all five) and the measured ops per name
   *     (default 7)
   */
  public static void main(String[] args) {
    String[] names = args.length > 0 ? args[0].split(",")
        : new String[] {"sumFloor", "sumFloorColumns", "profile", "profileColumns", "verify"};
    int ops = args.length > 1 ? Integer.parseInt(args[1]) : 7;
    ThreadMXBean mx = ManagementFactory.getThreadMXBean();
    DataProfileBenchmark b = new DataProfileBenchmark();
    b.setUp();
    Blackhole bh = new Blackhole(
        "Today's password is swordfish. I understand instantiating Blackholes directly is dangerous.");
    List<long[]> cpu = new ArrayList<>();
    List<long[]> wall = new ArrayList<>();
    for (int n = 0; n < names.length; n++) {
      cpu.add(new long[ops]);
      wall.add(new long[ops]);
    }
    // interleaved, so that a burst of load hits every method alike
    for (int op = -2; op < ops; op++) {
      for (int n = 0; n < names.length; n++) {
        long c0 = mx.getCurrentThreadCpuTime();
        long t0 = System.nanoTime();
        switch (names[n]) {
          case "sumFloor" -> b.sumFloor(bh);
          case "sumFloorColumns" -> b.sumFloorColumns(bh);
          case "profile" -> bh.consume(b.profile());
          case "profileColumns" -> bh.consume(b.profileColumns());
          case "verify" -> bh.consume(b.verify());
          default -> throw new IllegalArgumentException("no benchmark " + names[n]);
        }
        if (op >= 0) {
          cpu.get(n)[op] = mx.getCurrentThreadCpuTime() - c0;
          wall.get(n)[op] = System.nanoTime() - t0;
        }
      }
    }
    for (int n = 0; n < names.length; n++) {
      System.out.printf("%-16s cpu median %6.0f ms  wall median %6.0f ms  (%d ops)%n", names[n],
          median(cpu.get(n)) / 1e6, median(wall.get(n)) / 1e6, ops);
    }
  }

  private static double median(long[] v) {
    long[] s = v.clone();
    Arrays.sort(s);
    return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2.0;
  }
}
