package dev.mlops.data;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Numbers at the edges of double arithmetic (found by an outside check of issue 13): statistics
 * must stay readable after a round trip through {@code statistics.json}, and constraints with open
 * bounds through {@code constraints.json}.
 */
class NumericEdgeCasesTest {
  private static DatasetStatistics profile(double... values) {
    Map<String, Object> columns = new LinkedHashMap<>();
    columns.put("x", values);
    return DataProfiler.create().profile(Records.ofColumns(columns));
  }

  private static DatasetStatistics roundTrip(DatasetStatistics s) {
    return DatasetStatistics.fromJson(s.toJson());
  }

  /** The rounded sum of n equal values divided by n can land an ulp above the value itself. */
  @Test
  void meanOfAConstantColumnIsTheConstantAndReadsBack() {
    for (double v : new double[] {0.1, 0.7, 1e-3, 123.456}) {
      for (int n : new int[] {3, 1000}) {
        double[] values = new double[n];
        Arrays.fill(values, v);
        DatasetStatistics s = profile(values);
        assertThat(s.column("x").mean()).as("mean of %d x %s", n, v).isEqualTo(v);
        assertThat(s.column("x").stdDev()).isZero();
        assertThat(roundTrip(s).column("x").mean()).isEqualTo(v);
        DatasetStatistics merged = s.merge(s).merge(s);
        assertThat(merged.column("x").mean()).isEqualTo(v);
        assertThat(roundTrip(merged).column("x").max()).isEqualTo(v);
      }
    }
  }

  /** Values near Double.MAX_VALUE: the sum overflows (as in pandas), the mean must not, and the file reads back. */
  @Test
  void hugeValuesKeepAFiniteMeanAndReadBack() {
    DatasetStatistics s = profile(Double.MAX_VALUE, -Double.MAX_VALUE, Double.MAX_VALUE);
    ColumnStatistics x = s.column("x");
    assertThat(x.mean()).isCloseTo(Double.MAX_VALUE / 3, org.assertj.core.data.Percentage.withPercentage(1e-9));
    assertThat(x.stdDev()).isEqualTo(Double.POSITIVE_INFINITY); // the variance is beyond a double
    ColumnStatistics back = roundTrip(s).column("x");
    assertThat(back.mean()).isEqualTo(x.mean());
    assertThat(back.stdDev()).isEqualTo(Double.POSITIVE_INFINITY);
    assertThat(back.max()).isEqualTo(Double.MAX_VALUE);

    DatasetStatistics big = profile(1e308, 1e308, 1.7e308);
    assertThat(big.column("x").sum()).isEqualTo(Double.POSITIVE_INFINITY);
    ColumnStatistics b = roundTrip(big).column("x");
    assertThat(b.mean()).isCloseTo(1.2333333333333333e308, org.assertj.core.data.Percentage.withPercentage(1e-9));
    assertThat(b.sum()).isEqualTo(Double.POSITIVE_INFINITY);
    assertThat(roundTrip(profile(-1e308, -1e308, -1.7e308)).column("x").sum()).isEqualTo(Double.NEGATIVE_INFINITY);
  }

  /** Partitions whose sums overflowed in opposite directions merge into an undefined sum, still readable. */
  @Test
  void opposingOverflowedSumsMergeIntoAReadableProfile() {
    DatasetStatistics merged = profile(1e308, 1e308).merge(profile(-1e308, -1e308));
    ColumnStatistics x = roundTrip(merged).column("x");
    assertThat(x.sum()).isNaN();
    assertThat(x.mean()).isZero();
    assertThat(x.numericCount()).isEqualTo(4);
  }

  /** Subnormal values, -0.0, infinities and NaN together. */
  @Test
  void tinyNegativeZeroAndInfinities() {
    DatasetStatistics s = profile(Double.MIN_VALUE, 3 * Double.MIN_VALUE, -Double.MIN_VALUE, -0.0, 0.0,
        Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, Double.NaN);
    ColumnStatistics x = roundTrip(s).column("x");
    assertThat(x.numericCount()).isEqualTo(5);
    assertThat(x.infiniteCount()).isEqualTo(2);
    assertThat(x.missing()).isEqualTo(1);
    assertThat(x.min()).isEqualTo(-Double.MIN_VALUE);
    assertThat(x.max()).isEqualTo(3 * Double.MIN_VALUE);
    assertThat(x.sum()).isEqualTo(3 * Double.MIN_VALUE);
    assertThat(x.distinctCount()).isEqualTo(6); // -0.0 and 0.0 are one value, as in the HLL sketch
  }

  /** Long values whose sum overflows a long: the double sum and mean are right. */
  @Test
  void longOverflowInSums() {
    Map<String, Object> columns = new LinkedHashMap<>();
    columns.put("l", new long[] {Long.MAX_VALUE, Long.MAX_VALUE, Long.MAX_VALUE});
    columns.put("i", new int[] {Integer.MAX_VALUE, Integer.MAX_VALUE, Integer.MIN_VALUE});
    DatasetStatistics s = roundTrip(DataProfiler.create().profile(Records.ofColumns(columns)));
    assertThat(s.column("l").sum()).isEqualTo(3.0 * Long.MAX_VALUE);
    assertThat(s.column("l").mean()).isEqualTo((double) Long.MAX_VALUE);
    assertThat(s.column("i").sum()).isEqualTo((double) Integer.MAX_VALUE - 1);
  }

  /** A range open on one side (an infinite bound) is a valid constraint and must read back. */
  @Test
  void rangesWithInfiniteBoundsRoundTrip() {
    Constraints c = Constraints.of(new Constraint.Range("x", 0, Double.POSITIVE_INFINITY, Severity.ERROR),
        new Constraint.Range("y", Double.NEGATIVE_INFINITY, 5, Severity.WARNING));
    assertThat(Constraints.fromJson(c.toJson())).isEqualTo(c);
    ValidationReport r = DataValidator.verify(Records.of(List.of(Map.of("x", -1.0, "y", 1e300))), c);
    assertThat(r.violations()).extracting(v -> v.check() + " " + v.column() + " " + v.failing())
        .containsExactly("RANGE x 1", "RANGE y 1");
  }
}
