package dev.mlops.data;

import org.apache.datasketches.hll.HllSketch;
import org.apache.datasketches.hll.TgtHllType;

/**
 * A DataSketches HLL_8 sketch fed through a copy of its registers, so that the updates that would
 * not change it are skipped: the sketch ends in exactly the state it would have if every value were
 * given to it (same registers, same HIP accumulator, same bytes).
 *
 * <p>Why that holds: once the sketch is in HLL mode, {@code HllSketch.update(long)} hashes the value
 * (MurmurHash3, 128 bits, seed 9001) into a coupon (slot = low bits of the first half, value =
 * leading zeros of the second half + 1, at most 63) and stores it only if the value exceeds the
 * slot's register, which is also the only time it touches the HIP estimator and the other
 * bookkeeping (DataSketches 6.2.0, {@code Hll8Array.updateSlotWithKxQ}). This class computes the
 * same coupon and keeps, per slot, the largest value it has forwarded: that is at most the
 * register (the sketch's registers after its list and set modes are the maximum over the coupons
 * it was given), so a coupon not above it is certainly a no-op and is not forwarded. Before HLL mode
 * (a coupon list or set, which would record a new coupon even for a slot already at that value)
 * every update is forwarded. The hash is checked against the library's in the tests.
 *
 * <p>The saving: most values of a column with many distinct numbers are one hash and one byte
 * compare instead of the library's hash, virtual call chain and register update (the registers of
 * lgK = 12 change a few tens of thousands of times over millions of values).
 *
 * <p>Not thread-safe; confine to one thread.
 */
final class DistinctSketch {
  /** DataSketches' default update seed, which {@code HllSketch.update} uses. */
  private static final long SEED = 9001L;
  private static final long C1 = 0x87c37b91114253d5L;
  private static final long C2 = 0x4cf5ad432745937fL;

  private final HllSketch sketch;
  /** Per slot, the largest coupon value forwarded (at most the sketch's register). */
  private final byte[] seen;
  private final int slotMask;
  /**
   * The updatable size of an HLL_8 sketch in HLL mode; a coupon list or set of the same lgK is
   * smaller (at most {@code 12 + 2^lgK / 2} bytes), so reaching it means the sketch is in HLL mode.
   */
  private final int hllBytes;
  private boolean hllMode;

  DistinctSketch(int lgK) {
    this.sketch = new HllSketch(lgK, TgtHllType.HLL_8);
    this.seen = new byte[1 << lgK];
    this.slotMask = (1 << lgK) - 1;
    this.hllBytes = HllSketch.getMaxUpdatableSerializationBytes(lgK, TgtHllType.HLL_8);
  }

  /** As {@link HllSketch#update(double)}: -0.0 counts as 0.0 (callers keep NaN out). */
  void update(double v) {
    update(Double.doubleToLongBits(v == 0.0 ? 0.0 : v));
  }

  /** As {@link HllSketch#update(long)}. */
  void update(long key) {
    int coupon = coupon(key);
    int slot = coupon & slotMask;
    int value = coupon >>> 26;
    byte[] s = seen;
    if (value <= s[slot]) {
      if (hllMode) {
        return; // the register is at least this value: the update changes nothing
      }
    } else {
      s[slot] = (byte) value;
    }
    sketch.update(key);
    if (!hllMode && sketch.getUpdatableSerializationBytes() >= hllBytes) {
      hllMode = true;
    }
  }

  /** As {@link HllSketch#update(long[])}, always forwarded (its coupon is not tracked: still safe). */
  void update(long[] key) {
    sketch.update(key);
    if (!hllMode && sketch.getUpdatableSerializationBytes() >= hllBytes) {
      // the registers may now hold values this copy lacks; a lower copy only skips fewer updates
      hllMode = true;
    }
  }

  /** @return the sketch itself (not a copy) */
  HllSketch sketch() {
    return sketch;
  }

  /**
   * The coupon {@code HllSketch.update(long)} derives from a value: MurmurHash3 x64 128 of the one
   * long (8 bytes, seed {@link #SEED}), address = low 26 bits of the first half, value = leading
   * zeros of the second half (at most 62) + 1, in bits 26 and up.
   */
  static int coupon(long key) {
    long h1 = SEED;
    long h2 = SEED;
    long k1 = key * C1;
    k1 = Long.rotateLeft(k1, 31);
    k1 *= C2;
    h1 ^= k1;
    h1 ^= 8;
    h2 ^= 8;
    h1 += h2;
    h2 += h1;
    h1 = mix64(h1);
    h2 = mix64(h2);
    h1 += h2;
    h2 += h1;
    int lz = Long.numberOfLeadingZeros(h2);
    int value = (lz > 62 ? 62 : lz) + 1;
    return (value << 26) | (int) (h1 & 0x3FF_FFFFL);
  }

  private static long mix64(long h) {
    h ^= h >>> 33;
    h *= 0xff51afd7ed558ccdL;
    h ^= h >>> 33;
    h *= 0xc4ceb9fe1a85ec53L;
    h ^= h >>> 33;
    return h;
  }
}
