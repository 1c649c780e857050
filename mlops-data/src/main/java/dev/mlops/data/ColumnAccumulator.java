package dev.mlops.data;

import java.time.Instant;
import java.util.Arrays;
import org.apache.datasketches.frequencies.ItemsSketch;
import org.apache.datasketches.hll.HllSketch;
import org.apache.datasketches.hll.TgtHllType;
import org.apache.datasketches.kll.KllDoublesSketch;

/**
 * One column's statistics while a profile is being computed: counters and lazily created
 * sketches, so a column only pays for the kinds of values it has.
 *
 * <p>Not thread-safe; confine to one thread.
 */
final class ColumnAccumulator {
  final String name;
  private final SketchSettings settings;
  long missing;
  final long[] kinds = new long[5];
  long numeric;
  long infinite;
  double sum;
  double mean;
  double m2;
  double min = Double.POSITIVE_INFINITY;
  double max = Double.NEGATIVE_INFINITY;
  /** The finite numbers' KLL sketch, in the profiler's own primitive-array form. */
  private QuantileCompactor quantiles;
  /**
   * Distinct-count sketch, HLL_8 while profiling (its update is the cheapest of the three register
   * widths); stored as HLL_4, as before, by {@link #toStatistics()}.
   */
  DistinctSketch hll;
  ItemsSketch<String> items;
  int minLength = Integer.MAX_VALUE;
  int maxLength = -1;
  long trues;
  Instant firstTime;
  Instant lastTime;
  /** Last row this column got a value in (for counting absent values as missing). */
  long lastRow;

  /**
   * Columns of a source beyond this many get no count table and no text cache (their values go to
   * the sketches one by one, as before), so the caches of a very wide table stay within ~85 MB:
   * at most 128 KB of count table and 1,024 texts of 65,536 chars in all per cached column.
   */
  static final int CACHED_COLUMNS = 256;

  ColumnAccumulator(String name, SketchSettings settings, long missingSoFar) {
    this(name, settings, missingSoFar, true);
  }

  /** @param cached whether this column may count its numbers and cache its texts */
  ColumnAccumulator(String name, SketchSettings settings, long missingSoFar, boolean cached) {
    this.name = name;
    this.settings = settings;
    this.missing = missingSoFar;
    if (cached) {
      counts = new NumberCounts();
      texts = new TextCounts();
    }
  }

  void addMissing() {
    missing++;
  }

  void addLong(long v) {
    kinds[0]++;
    finite(v);
  }

  void addDouble(double v) {
    if (Double.isNaN(v)) {
      missing++;
      return;
    }
    kinds[1]++;
    if (Double.isInfinite(v)) {
      drain(); // the distinct-count sketch gets its values in row order
      infinite++;
      distinct(v);
      return;
    }
    finite(v);
  }

  /** Adds a whole column of fractional values (NaN = missing). */
  void addDoubles(double[] values) {
    for (double v : values) {
      addDouble(v);
    }
  }

  /** Adds a whole column of integral values. */
  void addLongs(long[] values) {
    for (long v : values) {
      addLong(v);
    }
  }

  /** Adds a whole column of integral values. */
  void addInts(int[] values) {
    for (int v : values) {
      addLong(v);
    }
  }

  /** Adds a whole column of booleans. */
  void addBooleans(boolean[] values) {
    long t = 0;
    for (boolean v : values) {
      if (v) {
        t++;
      }
    }
    kinds[3] += values.length;
    trues += t;
  }

  /**
   * Finite numbers not yet added to the statistics, in row order: they are added {@link #CHUNK} at
   * a time (and when the column is done, or before an infinite value), so that each statistic runs
   * as a tight loop over the chunk. Row-wise and column-wise feeds fill the chunks alike, so both
   * give identical statistics.
   */
  private double[] pending;
  private int pendingFill;
  static final int CHUNK = 256;

  private void finite(double v) {
    double[] p = pending;
    if (p == null) {
      p = pending = new double[CHUNK];
    }
    p[pendingFill++] = v;
    if (pendingFill == CHUNK) {
      pendingFill = 0;
      numbers(p, CHUNK);
    }
  }

  /** Adds the pending numbers. */
  private void drain() {
    int m = pendingFill;
    if (m > 0) {
      pendingFill = 0;
      numbers(pending, m);
    }
  }

  /**
   * Adds a chunk of finite numbers: the moments by Chan et al.'s pairwise update (the chunk's own
   * mean and squared deviations in two passes, then combined with the running ones: no division
   * per value, and as accurate as a value-by-value Welford update), min and max, then the exact
   * counts or the quantile sketch, and the distinct-count sketch, each in row order.
   */
  private void numbers(double[] a, int m) {
    double s = 0;
    double lo = min;
    double hi = max;
    for (int i = 0; i < m; i++) {
      double v = a[i];
      s += v;
      if (v < lo) {
        lo = v;
      }
      if (v > hi) {
        hi = v;
      }
    }
    min = lo;
    max = hi;
    if (Double.isFinite(s)) {
      double cm = s / m;
      double q = 0;
      for (int i = 0; i < m; i++) {
        double d = a[i] - cm;
        q += d * d;
      }
      long n0 = numeric;
      long n = n0 + m;
      double delta = cm - mean;
      if (Double.isFinite(delta)) {
        mean += delta * ((double) m / n);
        m2 += n0 == 0 ? q : q + delta * delta * ((double) n0 * m / n); // (an overflowing delta² times 0 is NaN)
      } else { // means near +-Double.MAX_VALUE: weighted, without overflow; the variance is beyond a double
        mean = mean * ((double) n0 / n) + cm * ((double) m / n);
        m2 = Double.POSITIVE_INFINITY;
      }
      sum += s;
      numeric = n;
    } else {
      // the chunk's sum overflows: value by value, as Welford's update stays finite
      for (int i = 0; i < m; i++) {
        double v = a[i];
        long n = ++numeric;
        sum += v;
        double delta = v - mean;
        if (Double.isFinite(delta)) {
          mean += delta / n;
          m2 += delta * (v - mean);
        } else { // v and the mean near opposite ends of the doubles
          mean = mean - mean / n + v / n;
          m2 = Double.POSITIVE_INFINITY;
        }
      }
    }
    int i = 0;
    NumberCounts nc = counts;
    if (nc != null) {
      for (; i < m; i++) {
        double v = a[i];
        int added = nc.add(Double.doubleToRawLongBits(v));
        if (added == 1) {
          distinct(v); // a first occurrence; a repeat is counted and already in the sketch
        } else if (added < 0) {
          flushCounts(); // too many distinct numbers: this one and the rest go to the sketches
          break;
        }
      }
      if (i == m) {
        return;
      }
    }
    quantiles().update(a, i, m);
    DistinctSketch h = distinct();
    for (int j = i; j < m; j++) {
      h.update(a[j]);
    }
  }

  private QuantileCompactor quantiles() {
    QuantileCompactor q = quantiles;
    if (q == null) {
      q = quantiles = QuantileCompactor.sampling(settings.kllK(), KLL_SEED ^ name.hashCode());
    }
    return q;
  }

  /**
   * Exact counts of the finite numbers while the column has at most {@link NumberCounts#MAX_ENTRIES}
   * distinct ones (null after): a repeat costs one table lookup instead of a quantile-sketch and a
   * distinct-sketch update. A number's first occurrence goes into the distinct-count sketch at once
   * (an HLL sketch is unchanged by a value it has seen, so its state is identical to feeding every
   * value); the counts enter the quantile sketch as exact weights when the column is done or has
   * too many distinct numbers. Moments, sum, min and max are still computed over every value.
   */
  private NumberCounts counts;

  /** Moves the counted numbers into the quantile sketch (weighted, ascending) and stops counting. */
  private void flushCounts() {
    NumberCounts nc = counts;
    if (nc == null) {
      return;
    }
    counts = null;
    int size = nc.size();
    if (size > 0) {
      double[] values = new double[size];
      long[] weights = new long[size];
      nc.sorted(values, weights);
      quantiles().addWeighted(values, weights, size);
    }
  }

  /** Seed of the KLL coin flips: fixed, so that profiling the same data gives the same sketch. */
  private static final long KLL_SEED = 0x6d6c6f7073L;

  /** Adds a finite or infinite number to the distinct-count sketch. */
  private void distinct(double v) {
    distinct().update(v);
  }

  /**
   * Texts seen so far, while there are at most {@link #TEXT_CACHE_ENTRIES} of them holding at most
   * {@link #TEXT_CACHE_CHARS} chars in all (null once a column has more): a repeat then costs one
   * table lookup and a count. Its first occurrence already went into the distinct-count sketch (an
   * HLL sketch is unchanged by a value it has seen, so its state is identical) and into the length
   * range; the counts enter the frequent-items sketch as weighted updates in first-seen order when
   * the column is done or the cache overflows.
   */
  private TextCounts texts;
  static final int TEXT_CACHE_ENTRIES = 1024;
  static final int TEXT_CACHE_CHARS = 1 << 16;

  void addString(String s) {
    TextCounts cache = texts;
    if (cache != null) {
      if (cache.increment(s)) {
        kinds[2]++;
        return;
      }
      if (cache.size < TEXT_CACHE_ENTRIES && cache.chars + s.length() <= TEXT_CACHE_CHARS) {
        kinds[2]++;
        cache.add(s);
        length(s);
        drain(); // the distinct-count sketch gets its values in row order
        distinct().update(textHash(s));
        return;
      }
      flushTexts();
    }
    kinds[2]++;
    length(s);
    ItemsSketch<String> f = items;
    if (f == null) {
      f = items = new ItemsSketch<>(settings.itemsMapSize());
    }
    f.update(item(s));
    drain();
    distinct().update(textHash(s));
  }

  /** Moves the cached counts into the frequent-items sketch and stops caching. */
  private void flushTexts() {
    TextCounts cache = texts;
    if (cache == null) {
      return;
    }
    if (cache.size > 0) {
      ItemsSketch<String> f = items;
      if (f == null) {
        f = items = new ItemsSketch<>(settings.itemsMapSize());
      }
      for (int i = 0; i < cache.size; i++) {
        f.update(item(cache.texts[i]), cache.counts[i]);
      }
    }
    texts = null;
  }

  /**
   * Counts of distinct texts in first-seen order, found through an open-addressing table of their
   * positions (a repeat of the very same String instance is found without {@code equals}).
   */
  private static final class TextCounts {
    /** Per slot, 1 + the text's position in first-seen order, or 0 = empty. */
    private int[] slots = new int[32];
    String[] texts = new String[16];
    long[] counts = new long[16];
    int size;
    int chars;

    private static int slot(int hash, int mask) {
      int h = hash * 0x9E3779B9;
      return (h ^ (h >>> 16)) & mask;
    }

    /** @return whether the text was there (and is now counted once more) */
    boolean increment(String s) {
      int[] t = slots;
      int mask = t.length - 1;
      int hash = s.hashCode();
      for (int i = slot(hash, mask); ; i = (i + 1) & mask) {
        int p = t[i] - 1;
        if (p < 0) {
          return false;
        }
        String k = texts[p];
        if (k == s || (k.hashCode() == hash && k.equals(s))) {
          counts[p]++;
          return true;
        }
      }
    }

    /** Adds a text not there yet, counted once. */
    void add(String s) {
      if (size == texts.length) {
        texts = Arrays.copyOf(texts, 2 * size);
        counts = Arrays.copyOf(counts, 2 * size);
      }
      texts[size] = s;
      counts[size] = 1;
      size++;
      chars += s.length();
      if (2 * size > slots.length) {
        slots = new int[2 * slots.length];
        for (int p = 0; p < size; p++) {
          place(p);
        }
      } else {
        place(size - 1);
      }
    }

    private void place(int p) {
      int[] t = slots;
      int mask = t.length - 1;
      int i = slot(texts[p].hashCode(), mask);
      while (t[i] != 0) {
        i = (i + 1) & mask;
      }
      t[i] = p + 1;
    }
  }

  /**
   * Texts longer than this many chars enter the frequent-items sketch as a surrogate (their first
   * 1,000 chars, length and hash), so that the sketch, which keeps up to 3/4 of its map size of
   * texts, holds at most about 1 KB per text whatever the data.
   */
  static final int MAX_ITEM_CHARS = 1024;

  /** @return the text, or for a longer one its surrogate (distinct texts, distinct surrogates) */
  static String item(String s) {
    if (s.length() <= MAX_ITEM_CHARS) {
      return s;
    }
    int cut = Character.isHighSurrogate(s.charAt(999)) ? 999 : 1000;
    return s.substring(0, cut) + "... (" + s.length() + " chars, FNV-1a " + Long.toHexString(textHash(s)) + ")";
  }

  private void length(String s) {
    int length = s.codePointCount(0, s.length());
    if (length < minLength) {
      minLength = length;
    }
    if (length > maxLength) {
      maxLength = length;
    }
  }

  /**
   * The 64-bit FNV-1a hash of a text's UTF-16 chars, which the HLL sketch hashes again: cheaper than
   * its own {@code update(String)}, which encodes the text to UTF-8 bytes first. Part of the
   * statistics format (sketches of texts merge only if hashed alike).
   */
  static long textHash(String s) {
    long h = 0xcbf29ce484222325L;
    for (int i = 0, n = s.length(); i < n; i++) {
      h = (h ^ s.charAt(i)) * 0x100000001b3L;
    }
    return h;
  }

  void addBoolean(boolean b) {
    kinds[3]++;
    if (b) {
      trues++;
    }
    // the two boolean values enter the distinct-count sketch once, in toStatistics
  }

  void addInstant(Instant t) {
    kinds[4]++;
    if (firstTime == null || t.isBefore(firstTime)) {
      firstTime = t;
    }
    if (lastTime == null || t.isAfter(lastTime)) {
      lastTime = t;
    }
    drain();
    distinct().update(new long[] {t.getEpochSecond(), t.getNano()});
  }

  static void addBooleans(HllSketch h, long trues, long falses) {
    if (trues > 0) {
      h.update(textHash("true"));
    }
    if (falses > 0) {
      h.update(textHash("false"));
    }
  }

  private DistinctSketch distinct() {
    DistinctSketch h = hll;
    if (h == null) {
      h = hll = new DistinctSketch(settings.hllLgK());
    }
    return h;
  }

  ColumnStatistics toStatistics() {
    drain();
    flushTexts();
    flushCounts();
    // the compactor's own image, not a merge into an empty sketch: DataSketches' merge compacts with a
    // static, unseeded Random, so the same data would not give the same statistics twice
    KllDoublesSketch q = quantiles == null ? KllDoublesSketch.newHeapInstance(settings.kllK()) : quantiles.toSketch();
    HllSketch h = hll == null ? new HllSketch(settings.hllLgK()) : hll.sketch().copyAs(TgtHllType.HLL_4);
    addBooleans(h, trues, kinds[3] - trues);
    ItemsSketch<String> f = new ItemsSketch<>(settings.itemsMapSize());
    if (items != null) {
      f.merge(items);
    }
    return new ColumnStatistics(name, settings, missing, kinds.clone(), numeric, infinite, sum, mean, m2,
        numeric == 0 ? Double.NaN : min, numeric == 0 ? Double.NaN : max, q, h, f,
        maxLength < 0 ? -1 : minLength, maxLength, trues, firstTime, lastTime);
  }
}
