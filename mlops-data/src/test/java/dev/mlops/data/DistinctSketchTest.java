package dev.mlops.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.SplittableRandom;
import org.apache.datasketches.hll.HllSketch;
import org.apache.datasketches.hll.TgtHllType;
import org.junit.jupiter.api.Test;

/** The filtered HLL feed against a DataSketches sketch given every value. */
class DistinctSketchTest {

  @Test
  void endsInTheStateOfASketchGivenEveryValue() {
    // list, set and HLL mode; many repeats; values whose coupons are below the registers
    for (int distinct : new int[] {1, 7, 100, 3_000, 50_000, 400_000}) {
      for (int lgK : new int[] {4, 12}) {
        DistinctSketch filtered = new DistinctSketch(lgK);
        HllSketch plain = new HllSketch(lgK, TgtHllType.HLL_8);
        SplittableRandom r = new SplittableRandom(distinct + lgK);
        for (int i = 0; i < 600_000; i++) {
          long key = r.nextInt(distinct) * 0x9E3779B97F4A7C15L;
          if (i % 3 == 0) {
            double d = (key % 1000) / 7.0;
            filtered.update(d);
            plain.update(d);
          } else if (i % 100_003 == 5) {
            long[] pair = {key, i};
            filtered.update(pair);
            plain.update(pair);
          } else {
            filtered.update(key);
            plain.update(key);
          }
        }
        assertThat(filtered.sketch().toCompactByteArray()).as("distinct=%d lgK=%d", distinct, lgK)
            .isEqualTo(plain.toCompactByteArray());
        assertThat(filtered.sketch().getEstimate()).isEqualTo(plain.getEstimate());
      }
    }
  }

  @Test
  void negativeZeroIsZeroAsInTheLibrary() {
    DistinctSketch filtered = new DistinctSketch(12);
    HllSketch plain = new HllSketch(12, TgtHllType.HLL_8);
    for (double d : new double[] {-0.0, 0.0, 1.5, Double.POSITIVE_INFINITY, -0.0}) {
      filtered.update(d);
      plain.update(d);
    }
    assertThat(filtered.sketch().toCompactByteArray()).isEqualTo(plain.toCompactByteArray());
    assertThat(filtered.sketch().getEstimate()).isEqualTo(plain.getEstimate()).isCloseTo(3.0, within(1e-6));
  }
}
