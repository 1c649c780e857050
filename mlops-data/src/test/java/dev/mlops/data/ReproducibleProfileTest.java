package dev.mlops.data;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Profiling the same data the same way gives the same bytes, every time: the quantile sketch of a
 * column is built from the profiler's own seeded compactor, never by a DataSketches merge (whose
 * compactions draw from a static, unseeded {@code Random}).
 */
class ReproducibleProfileTest {

  @Test
  void theSameRowsProfiledAgainGiveIdenticalStatistics() {
    // doubles in [0, 1) mixed with a few integers: more than k values, so the sketch has compacted
    SplittableRandom r = new SplittableRandom(1025);
    List<Object[]> rows = new ArrayList<>();
    for (int i = 0; i < 1_025; i++) {
      rows.add(new Object[] {i % 150 == 0 ? (Object) (long) (i / 150) : (Object) r.nextDouble()});
    }
    byte[] first = DataProfiler.create().profile(Records.ofArrays(List.of("x"), rows)).toJson();
    for (int i = 0; i < 300; i++) {
      byte[] again = DataProfiler.create().profile(Records.ofArrays(List.of("x"), rows)).toJson();
      assertThat(Arrays.equals(again, first)).as("profile %d equals the first", i).isTrue();
    }
  }

  @Test
  void rowsAndColumnsOfManySizesGiveIdenticalStatistics() {
    for (int n : new int[] {199, 200, 201, 1_025, 20_000, 300_001}) {
      SplittableRandom r = new SplittableRandom(n);
      double[] d = new double[n];
      List<Object[]> rows = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        d[i] = r.nextGaussian();
        rows.add(new Object[] {d[i]});
      }
      byte[] fromRows = DataProfiler.create().profile(Records.ofArrays(List.of("x"), rows)).toJson();
      byte[] fromColumns = DataProfiler.create().profile(Records.ofColumns(Map.of("x", d))).toJson();
      byte[] again = DataProfiler.create().profile(Records.ofColumns(Map.of("x", d))).toJson();
      assertThat(Arrays.equals(fromColumns, again)).as("n=%d: columns twice", n).isTrue();
      assertThat(Arrays.equals(fromRows, fromColumns)).as("n=%d: rows vs columns", n).isTrue();
    }
  }
}
