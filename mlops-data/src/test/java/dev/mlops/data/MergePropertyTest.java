package dev.mlops.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/** Profiling partitions and merging equals profiling the whole. */
class MergePropertyTest {

  @Provide
  Arbitrary<List<Map<String, Object>>> rows() {
    Arbitrary<Map<String, Object>> row = Combinators.combine(
        Arbitraries.longs().between(-1_000_000, 1_000_000).injectNull(0.1),
        Arbitraries.doubles().between(-1e6, 1e6).injectNull(0.1),
        Arbitraries.of("a", "bb", "ccc", "dddd", "é").injectNull(0.2),
        Arbitraries.of(true, false).injectNull(0.1),
        Arbitraries.integers().between(0, 3)).as((l, d, s, b, shape) -> {
          Map<String, Object> m = new HashMap<>();
          m.put("long", l);
          m.put("double", d);
          m.put("text", s);
          m.put("flag", b);
          if (shape == 0) {
            m.put("sometimes", "x"); // a column absent from many rows, maybe from a whole partition
          }
          return m;
        });
    return row.list().ofMinSize(0).ofMaxSize(600);
  }

  @Property(tries = 60)
  void mergedPartitionsEqualTheWhole(@ForAll("rows") List<Map<String, Object>> rows,
      @ForAll @IntRange(min = 0, max = 600) int cut) {
    int split = Math.min(cut, rows.size());
    DataProfiler profiler = DataProfiler.create();
    DatasetStatistics whole = profiler.profile(Records.of(rows));
    DatasetStatistics merged = profiler.profile(Records.of(new ArrayList<>(rows.subList(0, split))))
        .merge(profiler.profile(Records.of(new ArrayList<>(rows.subList(split, rows.size())))));

    assertThat(merged.rows()).isEqualTo(whole.rows());
    assertThat(merged.columnNames()).containsExactlyInAnyOrderElementsOf(whole.columnNames());
    for (ColumnStatistics w : whole.columns()) {
      ColumnStatistics m = merged.column(w.name());
      String n = w.name();
      // exact fields: exactly
      assertThat(m.type()).as(n).isEqualTo(w.type());
      assertThat(m.present()).as(n).isEqualTo(w.present());
      assertThat(m.missing()).as(n).isEqualTo(w.missing());
      assertThat(m.kindCounts()).as(n).isEqualTo(w.kindCounts());
      assertThat(m.numericCount()).as(n).isEqualTo(w.numericCount());
      assertThat((Double) m.min()).as(n).isEqualTo((Double) w.min());
      assertThat((Double) m.max()).as(n).isEqualTo((Double) w.max());
      assertThat(m.minLength()).as(n).isEqualTo(w.minLength());
      assertThat(m.maxLength()).as(n).isEqualTo(w.maxLength());
      assertThat(m.trueCount()).as(n).isEqualTo(w.trueCount());
      assertThat(m.topValues()).as(n).isEqualTo(w.topValues());
      if (n.equals("long")) {
        assertThat(m.sum()).as("integral sums are exact").isEqualTo(w.sum());
      }
      if (w.numericCount() > 0 && w.numericCount() <= DataProfiler.DEFAULT_SKETCH_K) {
        assertThat(m.quantile(0.5)).as(n + " median (sketch exact below k values)").isEqualTo(w.quantile(0.5));
      }
      // merge-exact formulas: equal up to floating-point rounding
      double scale = Math.max(1, Math.max(Math.abs(w.min()), Math.abs(w.max())));
      if (w.numericCount() > 0) {
        assertThat(m.sum()).as(n).isCloseTo(w.sum(), within(1e-9 * scale * w.numericCount()));
        assertThat(m.mean()).as(n).isCloseTo(w.mean(), within(1e-9 * scale));
      }
      if (w.numericCount() > 1) {
        assertThat(m.stdDev()).as(n).isCloseTo(w.stdDev(), within(1e-9 * Math.max(w.stdDev(), 1e-300) + 1e-9 * scale * 1e-3));
      }
      assertThat(m.distinctCount()).as(n).isCloseTo(w.distinctCount(), within(3 * w.distinctRelativeError() * w.present() + 1));
    }
  }
}
