package dev.mlops.data;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.apache.datasketches.kll.KllDoublesSketch;
import org.apache.datasketches.kll.KllSketch;
import org.apache.datasketches.memory.Memory;

/**
 * A KLL quantile sketch of doubles kept in primitive arrays while a column is profiled, turned
 * into a DataSketches {@link KllDoublesSketch} at the end.
 *
 * <p>It runs the same algorithm as DataSketches 6.2.0's heap KLL update (same level capacities
 * {@code max(m, round(k (2/3)^depth))} with m = 8, same growth by one level at the bottom when the
 * sketch is full, same compaction of the lowest over-full level: sort level 0, keep one item of an
 * odd level in place, halve the rest at a random offset and merge them into the level above), so
 * the level structure after n values equals DataSketches' own and the sketch carries the same rank
 * error guarantee; only the coin flips come from another generator (seeded by the caller, so a
 * profile is reproducible). It saves the library's per-update bookkeeping through accessors: about
 * 32 instead of 37 ns per value (thread CPU time, k = 200, 4M values); the rest is the algorithm's
 * sorting and merging. {@link #toSketch()} writes the DataSketches compact serialization (serial
 * version 1: preamble, levels, min, max, retained items) and heapifies it, so everything after
 * profiling (merge, serialization, queries) is the library's.
 *
 * <p>The profiler uses the {@link #sampling} variant, which above ~150,000 values (k = 200) keeps
 * one value per block of W and enters it at a higher level, within a stated share of the rank
 * error, and {@link #addWeighted} for columns counted exactly.
 *
 * <p>Not thread-safe; confine to one thread.
 */
final class QuantileCompactor {
  private static final int M = 8;
  private static final long[] POWERS_OF_THREE = new long[31];

  static {
    POWERS_OF_THREE[0] = 1;
    for (int i = 1; i < POWERS_OF_THREE.length; i++) {
      POWERS_OF_THREE[i] = POWERS_OF_THREE[i - 1] * 3;
    }
  }

  /** Values never sampled below this count: small and medium inputs keep the library's exact structure. */
  static final long MIN_SAMPLING_N = 1L << 16;
  /** Largest sampling weight: 2^12 (a block of 32 KB). */
  private static final int MAX_SHIFT = 12;
  /** Sampled batches are sorted and merged into their level this many at a time. */
  private static final int BATCH = 32;

  private final int k;
  private final SplittableRandom random;
  /**
   * Sampling rate per unit of n: weight W is allowed once {@code W - 1 <= rate * n} (0 = never
   * sample). See {@link #sampling}.
   */
  private final double samplingRate;
  /** Level the sampled values enter (their weight is 2^shift); 0 = every value enters level 0. */
  private int shift;
  /** n from which the next doubling of the weight is allowed. */
  private long nextShiftAt;
  /** The current block of 2^shift values, one of which is kept. */
  private double[] block = new double[1];
  private int blockFill;
  /** Kept values not yet merged into level {@code shift}. */
  private final double[] batch = new double[BATCH];
  private int batchFill;
  private int numLevels = 1;
  /** levels[h] = start of level h in items; levels[numLevels] = items.length; level 0 grows down. */
  private int[] levels;
  private double[] items;
  private long n;
  private double min = Double.NaN;
  private double max = Double.NaN;
  /** Capacity of each level for the current numLevels. */
  private int[] capacities;

  /** A compactor that feeds every value to level 0, exactly as DataSketches' own update does. */
  QuantileCompactor(int k, long seed) {
    this(k, seed, 0);
  }

  private QuantileCompactor(int k, long seed, double samplingRate) {
    this.k = k;
    this.random = new SplittableRandom(seed);
    this.levels = new int[] {k, k};
    this.items = new double[k];
    this.capacities = capacities(k, 1);
    this.samplingRate = samplingRate;
    this.nextShiftAt = samplingRate > 0 ? Math.max(MIN_SAMPLING_N, (long) Math.ceil(1 / samplingRate)) : Long.MAX_VALUE;
  }

  /**
   * A compactor that, once n is large, keeps one value at random out of each block of W = 2^j
   * consecutive values and enters it at level j with weight W (the sampler of the KLL paper, which
   * stands in for the lowest levels). Every kept value then costs the usual update, the others
   * only a store, so the per-value cost drops about W-fold.
   *
   * <p>Error: a block's sample shifts any rank by at most W (mean 0), so W-blocks add at most
   * {@code n (W - 1) / 4} to the variance of a rank estimate. W doubles only while that stays
   * within 1/16 of the variance of the sketch's own rank error at the current n (σ = εn / 2.576,
   * ε = {@link KllSketch#getNormalizedRankError(int, boolean)} at 99% confidence), i.e. while
   * {@code W - 1 <= 4/16 (ε/2.576)^2 n}: the standard deviation of the rank error grows by at
   * most 3%. For k = 200 that is W = 2 from n ≈ 150,000, 4 from ≈ 450,000, 8 from ≈ 1,050,000,
   * and never below {@link #MIN_SAMPLING_N} values. n, min and max stay exact (every value counts);
   * the last, partial block enters level 0 value by value.
   */
  static QuantileCompactor sampling(int k, long seed) {
    double eps = KllSketch.getNormalizedRankError(k, false) / 2.576;
    return new QuantileCompactor(k, seed, 4.0 / 16 * eps * eps);
  }

  /** @param v a finite number (callers keep NaN out) */
  void update(double v) {
    if (n == 0) {
      min = v;
      max = v;
    } else {
      if (v < min) {
        min = v;
      }
      if (v > max) {
        max = v;
      }
    }
    if (shift == 0) {
      if (levels[0] == 0) {
        compress();
      }
      n++;
      int pos = --levels[0];
      items[pos] = v;
      if (n >= nextShiftAt) {
        shiftUp();
      }
      return;
    }
    n++;
    double[] b = block;
    b[blockFill++] = v;
    if (blockFill == b.length) {
      blockFill = 0;
      batch[batchFill++] = b[random.nextInt(b.length)];
      if (batchFill == BATCH) {
        flushBatch();
      }
      if (n >= nextShiftAt) {
        shiftUp();
      }
    }
  }

  /**
   * Adds a[from, to) in order, leaving exactly the state that {@link #update(double)} of each value
   * would (same blocks, same coin flips, same batches); while sampling, a block that lies inside the
   * range is sampled in place instead of being copied first.
   *
   * @param a finite numbers (callers keep NaN out)
   */
  void update(double[] a, int from, int to) {
    while (from < to && shift == 0) {
      update(a[from++]);
    }
    if (from >= to) {
      return;
    }
    // sampling (so n > 0 and min, max are set)
    double lo = min;
    double hi = max;
    for (int i = from; i < to; i++) {
      double v = a[i];
      if (v < lo) {
        lo = v;
      }
      if (v > hi) {
        hi = v;
      }
    }
    min = lo;
    max = hi;
    while (from < to) {
      double[] b = block;
      int len = b.length;
      if (blockFill == 0 && to - from >= len) {
        n += len;
        batch[batchFill++] = a[from + random.nextInt(len)];
        from += len;
      } else {
        int take = Math.min(len - blockFill, to - from);
        System.arraycopy(a, from, b, blockFill, take);
        blockFill += take;
        from += take;
        n += take;
        if (blockFill < len) {
          return; // the range ended inside the block
        }
        blockFill = 0;
        batch[batchFill++] = b[random.nextInt(len)];
      }
      if (batchFill == BATCH) {
        flushBatch();
      }
      if (n >= nextShiftAt) {
        shiftUp();
      }
    }
  }

  /** Doubles the sampling weight, at a block boundary. */
  private void shiftUp() {
    flushBatch();
    shift++;
    block = new double[1 << shift];
    long w = 1L << (shift + 1);
    nextShiftAt = shift >= MAX_SHIFT ? Long.MAX_VALUE : Math.max(n + 1, (long) Math.ceil((w - 1) / samplingRate));
  }

  /** Sorts the kept values and merges them into level {@code shift}. */
  private void flushBatch() {
    int count = batchFill;
    if (count == 0) {
      return;
    }
    batchFill = 0;
    if (count == BATCH) {
      sortBatch(batch);
    } else {
      sort(batch, 0, count);
    }
    insertSorted(batch, 0, count, shift);
  }

  /**
   * Adds distinct numbers with exact weights, as DataSketches' weighted update does: a value of
   * weight w enters each level h whose bit is set in w (weight 2^h there), so the sketch holds the
   * weights exactly until later compactions. Only before any {@link #update(double)}.
   *
   * @param values ascending finite numbers
   * @param weights their weights, each at least 1
   * @param count how many
   */
  void addWeighted(double[] values, long[] weights, int count) {
    if (count == 0) {
      return;
    }
    if (n == 0) {
      min = values[0];
      max = values[count - 1];
    } else {
      min = Math.min(min, values[0]);
      max = Math.max(max, values[count - 1]);
    }
    long total = 0;
    for (int i = 0; i < count; i++) {
      total += weights[i];
    }
    if (total <= k) {
      // few values: each enters level 0 (weight 1), so the sketch stays exact as the library's would
      n += total;
      for (int i = 0; i < count; i++) {
        for (long w = 0; w < weights[i]; w++) {
          items[--levels[0]] = values[i];
        }
      }
      return;
    }
    double[] chunk = new double[BATCH];
    for (int h = 0; h < 63; h++) {
      long bit = 1L << h;
      int fill = 0;
      for (int i = 0; i < count; i++) {
        if ((weights[i] & bit) != 0) {
          chunk[fill++] = values[i];
          if (fill == BATCH) {
            insertSorted(chunk, 0, fill, h);
            fill = 0;
          }
        }
      }
      if (fill > 0) {
        insertSorted(chunk, 0, fill, h);
      }
    }
    n += total;
    while (n >= nextShiftAt) {
      long w = 1L << (shift + 1);
      // no block is open yet: move the sampling weight straight to what n allows
      shift++;
      block = new double[1 << shift];
      nextShiftAt = shift >= MAX_SHIFT ? Long.MAX_VALUE : (long) Math.ceil((2 * w - 1) / samplingRate);
    }
  }

  /** Merges sorted src[from, from + count) into level {@code level}, making room as needed. */
  private void insertSorted(double[] src, int from, int count, int level) {
    while (numLevels <= level) {
      addTopLevel();
    }
    while (levels[0] < count) {
      if (overFullLevel() >= 0) {
        compress();
      } else {
        addTopLevel();
      }
    }
    // move the levels below `level` down by count, then merge the batch with level `level`
    int low = levels[0];
    int oldStart = levels[level];
    int end = levels[level + 1];
    System.arraycopy(items, low, items, low - count, oldStart - low);
    for (int h = 0; h <= level; h++) {
      levels[h] -= count;
    }
    mergeInto(src, from, from + count, items, oldStart, end, oldStart - count);
  }

  /** @return the lowest level at or over its capacity, or -1 */
  private int overFullLevel() {
    for (int h = 0; h < numLevels; h++) {
      if (levels[h + 1] - levels[h] >= capacities[h]) {
        return h;
      }
    }
    return -1;
  }

  /** Enters the values of the last, partial block and the unmerged batch (weights stay exact). */
  private void drain() {
    flushBatch();
    int pending = blockFill;
    blockFill = 0;
    for (int i = 0; i < pending; i++) {
      if (levels[0] == 0) {
        compress();
      }
      items[--levels[0]] = block[i];
    }
  }

  /** @return the weight a value kept now gets (1 = every value kept) */
  int sampleWeight() {
    return 1 << shift;
  }

  long n() {
    return n;
  }

  /** @return the level array (a copy: levels[0..numLevels]) */
  int[] levels() {
    return Arrays.copyOf(levels, numLevels + 1);
  }

  static int levelCapacity(int k, int numLevels, int level) {
    int depth = numLevels - level - 1;
    return (int) Math.max(M, capacityAtDepth(k, depth));
  }

  private static long capacityAtDepth(long k, int depth) {
    if (depth <= 30) {
      return capAux(k, depth);
    }
    int half = depth / 2;
    return capAux(capAux(k, half), depth - half);
  }

  private static long capAux(long k, int depth) {
    long twoK = k << 1;
    long tmp = (twoK << depth) / POWERS_OF_THREE[depth];
    return (tmp + 1) >>> 1;
  }

  private static int[] capacities(int k, int numLevels) {
    int[] c = new int[numLevels];
    for (int h = 0; h < numLevels; h++) {
      c[h] = levelCapacity(k, numLevels, h);
    }
    return c;
  }

  private void compress() {
    int level = 0;
    while (levels[level + 1] - levels[level] < capacities[level]) {
      level++;
    }
    if (level == numLevels - 1) {
      addTopLevel();
    }
    int[] lv = levels;
    double[] buf = items;
    int rawBeg = lv[level];
    int rawEnd = lv[level + 1];
    int popAbove = lv[level + 2] - rawEnd;
    int rawPop = rawEnd - rawBeg;
    boolean oddPop = (rawPop & 1) == 1;
    int adjBeg = oddPop ? rawBeg + 1 : rawBeg;
    int adjPop = oddPop ? rawPop - 1 : rawPop;
    int halfAdjPop = adjPop / 2;
    if (level == 0) {
      sort(buf, adjBeg, adjBeg + adjPop);
    }
    if (popAbove == 0) {
      // halve up: keep every other item, moved to the top end of the range
      int offset = random.nextInt(2);
      int j = adjBeg + adjPop - 1 - offset;
      for (int i = adjBeg + adjPop - 1; i >= adjBeg + halfAdjPop; i--) {
        buf[i] = buf[j];
        j -= 2;
      }
    } else {
      // halve down, then merge with the level above into [adjBeg + halfAdjPop, levels[level + 2])
      int offset = random.nextInt(2);
      int j = adjBeg + offset;
      for (int i = adjBeg; i < adjBeg + halfAdjPop; i++) {
        buf[i] = buf[j];
        j += 2;
      }
      merge(buf, adjBeg, halfAdjPop, rawEnd, popAbove, adjBeg + halfAdjPop);
    }
    lv[level + 1] -= halfAdjPop;
    if (oddPop) {
      lv[level] = lv[level + 1] - 1;
      buf[lv[level]] = buf[rawBeg];
    } else {
      lv[level] = lv[level + 1];
    }
    if (level > 0) {
      int amount = rawBeg - lv[0];
      System.arraycopy(buf, lv[0], buf, lv[0] + halfAdjPop, amount);
      for (int h = 0; h < level; h++) {
        lv[h] += halfAdjPop;
      }
    }
  }

  /**
   * Merges sorted a = buf[aBeg, aBeg+aLen) and b = buf[bBeg, bBeg+bLen) into buf[out, ...), where
   * out = aBeg + aLen and bBeg = out + aLen: the write position never passes an unread item.
   */
  private static void merge(double[] buf, int aBeg, int aLen, int bBeg, int bLen, int out) {
    mergeInto(buf, aBeg, aBeg + aLen, buf, bBeg, bBeg + bLen, out);
  }

  /**
   * Merges sorted a[i, aLim) and buf[j, bLim) into buf from c on, where c + (aLim - i) == j: the
   * write position never passes an unread item of buf, and the rest of buf's run is already in
   * place when a runs out (a may be buf itself, below c).
   */
  private static void mergeInto(double[] a, int i, int aLim, double[] buf, int j, int bLim, int c) {
    while (i < aLim && j < bLim) {
      double x = a[i];
      double y = buf[j];
      if (x < y) {
        buf[c++] = x;
        i++;
      } else {
        buf[c++] = y;
        j++;
      }
    }
    while (i < aLim) {
      buf[c++] = a[i++];
    }
  }

  /**
   * Sorts a full batch ({@link #BATCH} = 32 finite numbers) with Batcher's odd-even merge sorting
   * network (191 compare-exchanges in 15 layers), unrolled over local variables, each
   * compare-exchange a {@link Math#min(double, double)} and {@link Math#max(double, double)}, which
   * compile to branch-free instructions: the kept values are random, so a comparison sort's branches
   * would mispredict about once per value. About 1.8x faster than the looped bitonic network (240
   * compare-exchanges through the array) it replaces. The result is the ascending order of the same
   * values ({@code -0.0} before {@code 0.0}, as {@link Arrays#sort(double[])} puts them); the
   * network was generated by the usual recursive construction (sort both halves, then merge odd and
   * even subsequences) and checked on random and 0-1 inputs.
   */
  static void sortBatch(double[] a) {
    double x0 = a[0], x1 = a[1], x2 = a[2], x3 = a[3], x4 = a[4], x5 = a[5], x6 = a[6], x7 = a[7];
    double x8 = a[8], x9 = a[9], x10 = a[10], x11 = a[11], x12 = a[12], x13 = a[13], x14 = a[14], x15 = a[15];
    double x16 = a[16], x17 = a[17], x18 = a[18], x19 = a[19], x20 = a[20], x21 = a[21], x22 = a[22], x23 = a[23];
    double x24 = a[24], x25 = a[25], x26 = a[26], x27 = a[27], x28 = a[28], x29 = a[29], x30 = a[30], x31 = a[31];
    double t;
    // layer 1
    t = Math.min(x0, x1); x1 = Math.max(x0, x1); x0 = t;
    t = Math.min(x2, x3); x3 = Math.max(x2, x3); x2 = t;
    t = Math.min(x4, x5); x5 = Math.max(x4, x5); x4 = t;
    t = Math.min(x6, x7); x7 = Math.max(x6, x7); x6 = t;
    t = Math.min(x8, x9); x9 = Math.max(x8, x9); x8 = t;
    t = Math.min(x10, x11); x11 = Math.max(x10, x11); x10 = t;
    t = Math.min(x12, x13); x13 = Math.max(x12, x13); x12 = t;
    t = Math.min(x14, x15); x15 = Math.max(x14, x15); x14 = t;
    t = Math.min(x16, x17); x17 = Math.max(x16, x17); x16 = t;
    t = Math.min(x18, x19); x19 = Math.max(x18, x19); x18 = t;
    t = Math.min(x20, x21); x21 = Math.max(x20, x21); x20 = t;
    t = Math.min(x22, x23); x23 = Math.max(x22, x23); x22 = t;
    t = Math.min(x24, x25); x25 = Math.max(x24, x25); x24 = t;
    t = Math.min(x26, x27); x27 = Math.max(x26, x27); x26 = t;
    t = Math.min(x28, x29); x29 = Math.max(x28, x29); x28 = t;
    t = Math.min(x30, x31); x31 = Math.max(x30, x31); x30 = t;
    // layer 2
    t = Math.min(x0, x2); x2 = Math.max(x0, x2); x0 = t;
    t = Math.min(x1, x3); x3 = Math.max(x1, x3); x1 = t;
    t = Math.min(x4, x6); x6 = Math.max(x4, x6); x4 = t;
    t = Math.min(x5, x7); x7 = Math.max(x5, x7); x5 = t;
    t = Math.min(x8, x10); x10 = Math.max(x8, x10); x8 = t;
    t = Math.min(x9, x11); x11 = Math.max(x9, x11); x9 = t;
    t = Math.min(x12, x14); x14 = Math.max(x12, x14); x12 = t;
    t = Math.min(x13, x15); x15 = Math.max(x13, x15); x13 = t;
    t = Math.min(x16, x18); x18 = Math.max(x16, x18); x16 = t;
    t = Math.min(x17, x19); x19 = Math.max(x17, x19); x17 = t;
    t = Math.min(x20, x22); x22 = Math.max(x20, x22); x20 = t;
    t = Math.min(x21, x23); x23 = Math.max(x21, x23); x21 = t;
    t = Math.min(x24, x26); x26 = Math.max(x24, x26); x24 = t;
    t = Math.min(x25, x27); x27 = Math.max(x25, x27); x25 = t;
    t = Math.min(x28, x30); x30 = Math.max(x28, x30); x28 = t;
    t = Math.min(x29, x31); x31 = Math.max(x29, x31); x29 = t;
    // layer 3
    t = Math.min(x1, x2); x2 = Math.max(x1, x2); x1 = t;
    t = Math.min(x5, x6); x6 = Math.max(x5, x6); x5 = t;
    t = Math.min(x0, x4); x4 = Math.max(x0, x4); x0 = t;
    t = Math.min(x3, x7); x7 = Math.max(x3, x7); x3 = t;
    t = Math.min(x9, x10); x10 = Math.max(x9, x10); x9 = t;
    t = Math.min(x13, x14); x14 = Math.max(x13, x14); x13 = t;
    t = Math.min(x8, x12); x12 = Math.max(x8, x12); x8 = t;
    t = Math.min(x11, x15); x15 = Math.max(x11, x15); x11 = t;
    t = Math.min(x17, x18); x18 = Math.max(x17, x18); x17 = t;
    t = Math.min(x21, x22); x22 = Math.max(x21, x22); x21 = t;
    t = Math.min(x16, x20); x20 = Math.max(x16, x20); x16 = t;
    t = Math.min(x19, x23); x23 = Math.max(x19, x23); x19 = t;
    t = Math.min(x25, x26); x26 = Math.max(x25, x26); x25 = t;
    t = Math.min(x29, x30); x30 = Math.max(x29, x30); x29 = t;
    t = Math.min(x24, x28); x28 = Math.max(x24, x28); x24 = t;
    t = Math.min(x27, x31); x31 = Math.max(x27, x31); x27 = t;
    // layer 4
    t = Math.min(x2, x6); x6 = Math.max(x2, x6); x2 = t;
    t = Math.min(x1, x5); x5 = Math.max(x1, x5); x1 = t;
    t = Math.min(x10, x14); x14 = Math.max(x10, x14); x10 = t;
    t = Math.min(x9, x13); x13 = Math.max(x9, x13); x9 = t;
    t = Math.min(x0, x8); x8 = Math.max(x0, x8); x0 = t;
    t = Math.min(x7, x15); x15 = Math.max(x7, x15); x7 = t;
    t = Math.min(x18, x22); x22 = Math.max(x18, x22); x18 = t;
    t = Math.min(x17, x21); x21 = Math.max(x17, x21); x17 = t;
    t = Math.min(x26, x30); x30 = Math.max(x26, x30); x26 = t;
    t = Math.min(x25, x29); x29 = Math.max(x25, x29); x25 = t;
    t = Math.min(x16, x24); x24 = Math.max(x16, x24); x16 = t;
    t = Math.min(x23, x31); x31 = Math.max(x23, x31); x23 = t;
    // layer 5
    t = Math.min(x2, x4); x4 = Math.max(x2, x4); x2 = t;
    t = Math.min(x3, x5); x5 = Math.max(x3, x5); x3 = t;
    t = Math.min(x10, x12); x12 = Math.max(x10, x12); x10 = t;
    t = Math.min(x11, x13); x13 = Math.max(x11, x13); x11 = t;
    t = Math.min(x18, x20); x20 = Math.max(x18, x20); x18 = t;
    t = Math.min(x19, x21); x21 = Math.max(x19, x21); x19 = t;
    t = Math.min(x26, x28); x28 = Math.max(x26, x28); x26 = t;
    t = Math.min(x27, x29); x29 = Math.max(x27, x29); x27 = t;
    t = Math.min(x0, x16); x16 = Math.max(x0, x16); x0 = t;
    t = Math.min(x15, x31); x31 = Math.max(x15, x31); x15 = t;
    // layer 6
    t = Math.min(x1, x2); x2 = Math.max(x1, x2); x1 = t;
    t = Math.min(x3, x4); x4 = Math.max(x3, x4); x3 = t;
    t = Math.min(x5, x6); x6 = Math.max(x5, x6); x5 = t;
    t = Math.min(x9, x10); x10 = Math.max(x9, x10); x9 = t;
    t = Math.min(x11, x12); x12 = Math.max(x11, x12); x11 = t;
    t = Math.min(x13, x14); x14 = Math.max(x13, x14); x13 = t;
    t = Math.min(x17, x18); x18 = Math.max(x17, x18); x17 = t;
    t = Math.min(x19, x20); x20 = Math.max(x19, x20); x19 = t;
    t = Math.min(x21, x22); x22 = Math.max(x21, x22); x21 = t;
    t = Math.min(x25, x26); x26 = Math.max(x25, x26); x25 = t;
    t = Math.min(x27, x28); x28 = Math.max(x27, x28); x27 = t;
    t = Math.min(x29, x30); x30 = Math.max(x29, x30); x29 = t;
    // layer 7
    t = Math.min(x4, x12); x12 = Math.max(x4, x12); x4 = t;
    t = Math.min(x2, x10); x10 = Math.max(x2, x10); x2 = t;
    t = Math.min(x6, x14); x14 = Math.max(x6, x14); x6 = t;
    t = Math.min(x1, x9); x9 = Math.max(x1, x9); x1 = t;
    t = Math.min(x5, x13); x13 = Math.max(x5, x13); x5 = t;
    t = Math.min(x3, x11); x11 = Math.max(x3, x11); x3 = t;
    t = Math.min(x20, x28); x28 = Math.max(x20, x28); x20 = t;
    t = Math.min(x18, x26); x26 = Math.max(x18, x26); x18 = t;
    t = Math.min(x22, x30); x30 = Math.max(x22, x30); x22 = t;
    t = Math.min(x17, x25); x25 = Math.max(x17, x25); x17 = t;
    t = Math.min(x21, x29); x29 = Math.max(x21, x29); x21 = t;
    t = Math.min(x19, x27); x27 = Math.max(x19, x27); x19 = t;
    // layer 8
    t = Math.min(x4, x8); x8 = Math.max(x4, x8); x4 = t;
    t = Math.min(x6, x10); x10 = Math.max(x6, x10); x6 = t;
    t = Math.min(x5, x9); x9 = Math.max(x5, x9); x5 = t;
    t = Math.min(x7, x11); x11 = Math.max(x7, x11); x7 = t;
    t = Math.min(x20, x24); x24 = Math.max(x20, x24); x20 = t;
    t = Math.min(x22, x26); x26 = Math.max(x22, x26); x22 = t;
    t = Math.min(x21, x25); x25 = Math.max(x21, x25); x21 = t;
    t = Math.min(x23, x27); x27 = Math.max(x23, x27); x23 = t;
    // layer 9
    t = Math.min(x2, x4); x4 = Math.max(x2, x4); x2 = t;
    t = Math.min(x6, x8); x8 = Math.max(x6, x8); x6 = t;
    t = Math.min(x10, x12); x12 = Math.max(x10, x12); x10 = t;
    t = Math.min(x3, x5); x5 = Math.max(x3, x5); x3 = t;
    t = Math.min(x7, x9); x9 = Math.max(x7, x9); x7 = t;
    t = Math.min(x11, x13); x13 = Math.max(x11, x13); x11 = t;
    t = Math.min(x18, x20); x20 = Math.max(x18, x20); x18 = t;
    t = Math.min(x22, x24); x24 = Math.max(x22, x24); x22 = t;
    t = Math.min(x26, x28); x28 = Math.max(x26, x28); x26 = t;
    t = Math.min(x19, x21); x21 = Math.max(x19, x21); x19 = t;
    t = Math.min(x23, x25); x25 = Math.max(x23, x25); x23 = t;
    t = Math.min(x27, x29); x29 = Math.max(x27, x29); x27 = t;
    // layer 10
    t = Math.min(x1, x2); x2 = Math.max(x1, x2); x1 = t;
    t = Math.min(x3, x4); x4 = Math.max(x3, x4); x3 = t;
    t = Math.min(x5, x6); x6 = Math.max(x5, x6); x5 = t;
    t = Math.min(x7, x8); x8 = Math.max(x7, x8); x7 = t;
    t = Math.min(x9, x10); x10 = Math.max(x9, x10); x9 = t;
    t = Math.min(x11, x12); x12 = Math.max(x11, x12); x11 = t;
    t = Math.min(x13, x14); x14 = Math.max(x13, x14); x13 = t;
    t = Math.min(x17, x18); x18 = Math.max(x17, x18); x17 = t;
    t = Math.min(x19, x20); x20 = Math.max(x19, x20); x19 = t;
    t = Math.min(x21, x22); x22 = Math.max(x21, x22); x21 = t;
    t = Math.min(x23, x24); x24 = Math.max(x23, x24); x23 = t;
    t = Math.min(x25, x26); x26 = Math.max(x25, x26); x25 = t;
    t = Math.min(x27, x28); x28 = Math.max(x27, x28); x27 = t;
    t = Math.min(x29, x30); x30 = Math.max(x29, x30); x29 = t;
    // layer 11
    t = Math.min(x8, x24); x24 = Math.max(x8, x24); x8 = t;
    t = Math.min(x4, x20); x20 = Math.max(x4, x20); x4 = t;
    t = Math.min(x12, x28); x28 = Math.max(x12, x28); x12 = t;
    t = Math.min(x2, x18); x18 = Math.max(x2, x18); x2 = t;
    t = Math.min(x10, x26); x26 = Math.max(x10, x26); x10 = t;
    t = Math.min(x6, x22); x22 = Math.max(x6, x22); x6 = t;
    t = Math.min(x14, x30); x30 = Math.max(x14, x30); x14 = t;
    t = Math.min(x1, x17); x17 = Math.max(x1, x17); x1 = t;
    t = Math.min(x9, x25); x25 = Math.max(x9, x25); x9 = t;
    t = Math.min(x5, x21); x21 = Math.max(x5, x21); x5 = t;
    t = Math.min(x13, x29); x29 = Math.max(x13, x29); x13 = t;
    t = Math.min(x3, x19); x19 = Math.max(x3, x19); x3 = t;
    t = Math.min(x11, x27); x27 = Math.max(x11, x27); x11 = t;
    t = Math.min(x7, x23); x23 = Math.max(x7, x23); x7 = t;
    // layer 12
    t = Math.min(x8, x16); x16 = Math.max(x8, x16); x8 = t;
    t = Math.min(x12, x20); x20 = Math.max(x12, x20); x12 = t;
    t = Math.min(x10, x18); x18 = Math.max(x10, x18); x10 = t;
    t = Math.min(x14, x22); x22 = Math.max(x14, x22); x14 = t;
    t = Math.min(x9, x17); x17 = Math.max(x9, x17); x9 = t;
    t = Math.min(x13, x21); x21 = Math.max(x13, x21); x13 = t;
    t = Math.min(x11, x19); x19 = Math.max(x11, x19); x11 = t;
    t = Math.min(x15, x23); x23 = Math.max(x15, x23); x15 = t;
    // layer 13
    t = Math.min(x4, x8); x8 = Math.max(x4, x8); x4 = t;
    t = Math.min(x12, x16); x16 = Math.max(x12, x16); x12 = t;
    t = Math.min(x20, x24); x24 = Math.max(x20, x24); x20 = t;
    t = Math.min(x6, x10); x10 = Math.max(x6, x10); x6 = t;
    t = Math.min(x14, x18); x18 = Math.max(x14, x18); x14 = t;
    t = Math.min(x22, x26); x26 = Math.max(x22, x26); x22 = t;
    t = Math.min(x5, x9); x9 = Math.max(x5, x9); x5 = t;
    t = Math.min(x13, x17); x17 = Math.max(x13, x17); x13 = t;
    t = Math.min(x21, x25); x25 = Math.max(x21, x25); x21 = t;
    t = Math.min(x7, x11); x11 = Math.max(x7, x11); x7 = t;
    t = Math.min(x15, x19); x19 = Math.max(x15, x19); x15 = t;
    t = Math.min(x23, x27); x27 = Math.max(x23, x27); x23 = t;
    // layer 14
    t = Math.min(x2, x4); x4 = Math.max(x2, x4); x2 = t;
    t = Math.min(x6, x8); x8 = Math.max(x6, x8); x6 = t;
    t = Math.min(x10, x12); x12 = Math.max(x10, x12); x10 = t;
    t = Math.min(x14, x16); x16 = Math.max(x14, x16); x14 = t;
    t = Math.min(x18, x20); x20 = Math.max(x18, x20); x18 = t;
    t = Math.min(x22, x24); x24 = Math.max(x22, x24); x22 = t;
    t = Math.min(x26, x28); x28 = Math.max(x26, x28); x26 = t;
    t = Math.min(x3, x5); x5 = Math.max(x3, x5); x3 = t;
    t = Math.min(x7, x9); x9 = Math.max(x7, x9); x7 = t;
    t = Math.min(x11, x13); x13 = Math.max(x11, x13); x11 = t;
    t = Math.min(x15, x17); x17 = Math.max(x15, x17); x15 = t;
    t = Math.min(x19, x21); x21 = Math.max(x19, x21); x19 = t;
    t = Math.min(x23, x25); x25 = Math.max(x23, x25); x23 = t;
    t = Math.min(x27, x29); x29 = Math.max(x27, x29); x27 = t;
    // layer 15
    t = Math.min(x1, x2); x2 = Math.max(x1, x2); x1 = t;
    t = Math.min(x3, x4); x4 = Math.max(x3, x4); x3 = t;
    t = Math.min(x5, x6); x6 = Math.max(x5, x6); x5 = t;
    t = Math.min(x7, x8); x8 = Math.max(x7, x8); x7 = t;
    t = Math.min(x9, x10); x10 = Math.max(x9, x10); x9 = t;
    t = Math.min(x11, x12); x12 = Math.max(x11, x12); x11 = t;
    t = Math.min(x13, x14); x14 = Math.max(x13, x14); x13 = t;
    t = Math.min(x15, x16); x16 = Math.max(x15, x16); x15 = t;
    t = Math.min(x17, x18); x18 = Math.max(x17, x18); x17 = t;
    t = Math.min(x19, x20); x20 = Math.max(x19, x20); x19 = t;
    t = Math.min(x21, x22); x22 = Math.max(x21, x22); x21 = t;
    t = Math.min(x23, x24); x24 = Math.max(x23, x24); x23 = t;
    t = Math.min(x25, x26); x26 = Math.max(x25, x26); x25 = t;
    t = Math.min(x27, x28); x28 = Math.max(x27, x28); x27 = t;
    t = Math.min(x29, x30); x30 = Math.max(x29, x30); x29 = t;
    a[0] = x0; a[1] = x1; a[2] = x2; a[3] = x3;
    a[4] = x4; a[5] = x5; a[6] = x6; a[7] = x7;
    a[8] = x8; a[9] = x9; a[10] = x10; a[11] = x11;
    a[12] = x12; a[13] = x13; a[14] = x14; a[15] = x15;
    a[16] = x16; a[17] = x17; a[18] = x18; a[19] = x19;
    a[20] = x20; a[21] = x21; a[22] = x22; a[23] = x23;
    a[24] = x24; a[25] = x25; a[26] = x26; a[27] = x27;
    a[28] = x28; a[29] = x29; a[30] = x30; a[31] = x31;
  }

  private static void sort(double[] buf, int from, int to) {
    if (to - from <= 16) {
      for (int i = from + 1; i < to; i++) {
        double x = buf[i];
        int j = i - 1;
        while (j >= from && buf[j] > x) {
          buf[j + 1] = buf[j];
          j--;
        }
        buf[j + 1] = x;
      }
    } else {
      Arrays.sort(buf, from, to);
    }
  }

  private void addTopLevel() {
    int curTotal = levels[numLevels];
    int delta = levelCapacity(k, numLevels + 1, 0);
    int newTotal = curTotal + delta;
    int[] nl = Arrays.copyOf(levels, numLevels + 2);
    for (int h = 0; h <= numLevels; h++) {
      nl[h] += delta;
    }
    numLevels++;
    nl[numLevels] = newTotal;
    double[] ni = new double[newTotal];
    System.arraycopy(items, 0, ni, delta, curTotal);
    levels = nl;
    items = ni;
    capacities = capacities(k, numLevels);
  }

  /** @return a new DataSketches KLL sketch with this one's state */
  KllDoublesSketch toSketch() {
    drain();
    KllDoublesSketch sketch = KllDoublesSketch.newHeapInstance(k);
    if (numLevels == 1) {
      // never compacted: every value is still here with weight 1
      int retained = levels[1] - levels[0];
      if (retained > 0) {
        sketch.update(items, levels[0], retained);
      }
      return sketch;
    }
    int retained = levels[numLevels] - levels[0];
    ByteBuffer b = ByteBuffer.allocate(20 + 4 * numLevels + 16 + 8 * retained).order(ByteOrder.LITTLE_ENDIAN);
    b.put((byte) 5); // preamble ints, full compact form
    b.put((byte) 1); // serial version 1 = compact
    b.put((byte) 15); // family KLL
    b.put((byte) 0); // flags: not empty, level 0 not sorted, not a single item
    b.putShort((short) k);
    b.put((byte) M);
    b.put((byte) 0);
    b.putLong(n);
    b.putShort((short) k); // min k
    b.put((byte) numLevels);
    b.put((byte) 0);
    for (int h = 0; h < numLevels; h++) {
      b.putInt(levels[h]);
    }
    b.putDouble(min);
    b.putDouble(max);
    for (int i = levels[0]; i < levels[numLevels]; i++) {
      b.putDouble(items[i]);
    }
    return KllDoublesSketch.heapify(Memory.wrap(b.array(), ByteOrder.LITTLE_ENDIAN));
  }
}
