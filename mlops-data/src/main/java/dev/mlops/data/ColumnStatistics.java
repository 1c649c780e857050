package dev.mlops.data;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import org.apache.datasketches.common.ArrayOfStringsSerDe;
import org.apache.datasketches.frequencies.ErrorType;
import org.apache.datasketches.frequencies.ItemsSketch;
import org.apache.datasketches.hll.HllSketch;
import org.apache.datasketches.hll.Union;
import org.apache.datasketches.kll.KllDoublesSketch;
import org.apache.datasketches.memory.Memory;
import org.apache.datasketches.quantilescommon.QuantileSearchCriteria;

/**
 * Statistics of one column, computed in one pass with bounded memory.
 *
 * <p>Exact: counts (rows, missing, per value kind, infinite), minimum, maximum, sum (as a
 * double; exact for whole numbers below 2^53), string length range, boolean counts, first and last
 * timestamp. Mean and standard deviation come from two passes over each chunk of 256 values,
 * combined (and merged) with Chan et al.'s formula: equal to a two-pass computation over the whole
 * column within floating-point rounding (about 1e-12 relative).
 * Approximate, from Apache DataSketches: quantiles (KLL, rank error at most
 * {@link #normalizedRankError()}, about 1.3% for k = 200, with 99% confidence, and exact while a
 * column has at most k numbers); distinct count (HLL, relative standard error about
 * {@code 1.04 / sqrt(2^lgK)}, 1.6% for lgK = 12, and exact-ish below a few hundred values); frequent
 * values (frequent-items sketch, exact while a column has fewer distinct texts than 3/4 of the map
 * size, see {@link #topValuesExact()}).
 *
 * <p>Numeric statistics cover the column's finite numbers; NaN counts as missing and infinities
 * are counted apart. Length range and frequent values cover its text values; the distinct count
 * covers every non-missing value.
 *
 * <p>Immutable and thread-safe.
 */
public final class ColumnStatistics {
  private final String name;
  private final SketchSettings settings;
  private final long missing;
  private final long[] kinds;
  private final long numeric;
  private final long infinite;
  private final double sum;
  private final double mean;
  private final double m2;
  private final double min;
  private final double max;
  private final KllDoublesSketch kll;
  private final HllSketch hll;
  private final ItemsSketch<String> items;
  private final int minLength;
  private final int maxLength;
  private final long trues;
  private final Instant firstTime;
  private final Instant lastTime;
  private final double distinct;
  private final List<ValueCount> top;

  ColumnStatistics(String name, SketchSettings settings, long missing, long[] kinds, long numeric, long infinite,
      double sum, double mean, double m2, double min, double max, KllDoublesSketch kll, HllSketch hll,
      ItemsSketch<String> items, int minLength, int maxLength, long trues, Instant firstTime, Instant lastTime) {
    this.name = Objects.requireNonNull(name, "name");
    this.settings = settings;
    this.missing = missing;
    this.kinds = kinds.clone();
    this.numeric = numeric;
    this.infinite = infinite;
    this.sum = sum;
    // a rounded sum / n can land an ulp or so outside [min, max] (n equal values): the mean lies within them
    this.mean = numeric > 0 && min <= max ? Math.min(Math.max(mean, min), max) : mean;
    this.m2 = numeric > 0 && min == max ? 0 : m2; // equal values: no spread, whatever the rounding left
    this.min = min;
    this.max = max;
    this.kll = kll;
    this.hll = hll;
    this.items = items;
    this.minLength = minLength;
    this.maxLength = maxLength;
    this.trues = trues;
    this.firstTime = firstTime;
    this.lastTime = lastTime;
    this.distinct = hll.isEmpty() ? 0 : Math.min(present(), Math.round(hll.getEstimate()));
    List<ValueCount> t = new ArrayList<>();
    if (!items.isEmpty()) {
      ItemsSketch.Row<String>[] rows = items.getFrequentItems(0, ErrorType.NO_FALSE_NEGATIVES);
      Arrays.sort(rows, (a, b) -> a.getEstimate() != b.getEstimate() ? Long.compare(b.getEstimate(), a.getEstimate())
          : a.getItem().compareTo(b.getItem()));
      for (int i = 0; i < rows.length && t.size() < settings.topValues(); i++) {
        t.add(new ValueCount(rows[i].getItem(), rows[i].getEstimate()));
      }
    }
    this.top = List.copyOf(t);
  }

  /** An all-missing column of {@code rows} rows (for a column absent from one partition). */
  static ColumnStatistics absent(String name, SketchSettings settings, long rows) {
    return new ColumnAccumulator(name, settings, rows).toStatistics();
  }

  /** @return the column name */
  public String name() {
    return name;
  }

  /** @return the inferred type (see {@link ColumnType}) */
  public ColumnType type() {
    return ColumnType.infer(kinds);
  }

  /** @return whether any value was missing */
  public boolean nullable() {
    return missing > 0;
  }

  /** @return rows seen (present + missing) */
  public long rows() {
    return present() + missing;
  }

  /** @return non-missing values */
  public long present() {
    long p = 0;
    for (long k : kinds) {
      p += k;
    }
    return p;
  }

  /** @return missing values: null, NaN, a CSV null token, or the column absent from a record */
  public long missing() {
    return missing;
  }

  /** @return present / rows, 1 for a column with no rows */
  public double completeness() {
    long rows = rows();
    return rows == 0 ? 1 : (double) present() / rows;
  }

  /**
   * @param kind a value kind (not {@link ColumnType#UNKNOWN})
   * @return how many values were of that kind
   */
  public long count(ColumnType kind) {
    if (kind == ColumnType.UNKNOWN) {
      throw new IllegalArgumentException("UNKNOWN is not a value kind");
    }
    return kinds[kind.ordinal()];
  }

  /** @return value count per kind, kinds with no value left out */
  public Map<ColumnType, Long> kindCounts() {
    Map<ColumnType, Long> m = new EnumMap<>(ColumnType.class);
    for (int i = 0; i < kinds.length; i++) {
      if (kinds[i] > 0) {
        m.put(ColumnType.values()[i], kinds[i]);
      }
    }
    return m;
  }

  /** @return finite numbers (integral and fractional) */
  public long numericCount() {
    return numeric;
  }

  /** @return infinite numbers (not in the numeric statistics) */
  public long infiniteCount() {
    return infinite;
  }

  /** @return sum of the finite numbers (0 if none) */
  public double sum() {
    return sum;
  }

  /** @return mean of the finite numbers, NaN if none */
  public double mean() {
    return numeric == 0 ? Double.NaN : mean;
  }

  /** @return sample standard deviation (n - 1 denominator, as pandas), NaN if fewer than 2 numbers */
  public double stdDev() {
    return numeric < 2 ? Double.NaN : Math.sqrt(m2 / (numeric - 1));
  }

  /** @return smallest finite number, NaN if none */
  public double min() {
    return min;
  }

  /** @return largest finite number, NaN if none */
  public double max() {
    return max;
  }

  /**
   * @param rank in [0, 1]
   * @return the approximate quantile (inclusive search, as {@code numpy.quantile(method='inverted_cdf')})
   * @throws IllegalArgumentException if rank is outside [0, 1] or the column has no number
   */
  public double quantile(double rank) {
    if (!(rank >= 0 && rank <= 1)) {
      throw new IllegalArgumentException("rank must be in [0, 1], got " + rank);
    }
    if (numeric == 0) {
      throw new IllegalArgumentException("column '" + name + "' has no numbers");
    }
    synchronized (kll) { // the sketch builds its sorted view lazily
      return kll.getQuantile(rank, QuantileSearchCriteria.INCLUSIVE);
    }
  }

  /**
   * @param count how many evenly spaced ranks, at least 2
   * @return quantiles at ranks {@code (i + 0.5) / count}: a stand-in sample of the distribution
   *     (empty if the column has no number)
   */
  double[] quantileSample(int count) {
    if (numeric == 0) {
      return new double[0];
    }
    double[] ranks = new double[count];
    for (int i = 0; i < count; i++) {
      ranks[i] = (i + 0.5) / count;
    }
    synchronized (kll) {
      return kll.getQuantiles(ranks, QuantileSearchCriteria.INCLUSIVE);
    }
  }

  /** @return the quantile sketch's normalized rank error (99% confidence, single rank); 0 while exact */
  public double normalizedRankError() {
    synchronized (kll) {
      return kll.isEstimationMode() ? kll.getNormalizedRankError(false) : 0;
    }
  }

  /** @return estimated number of distinct non-missing values (HLL), at most {@link #present()} */
  public double distinctCount() {
    return distinct;
  }

  /** @return the HLL sketch's relative standard error, e.g. 0.016 for lgK = 12 */
  public double distinctRelativeError() {
    return 1.04 / Math.sqrt(1 << settings.hllLgK());
  }

  /** @return the most frequent text values, most frequent first (ties by value) */
  public List<ValueCount> topValues() {
    return top;
  }

  /**
   * @return whether {@link #topValues()} lists every text value with its exact count (the
   *     frequent-items sketch never had to purge)
   */
  public boolean topValuesExact() {
    return items.getMaximumError() == 0 && items.getNumActiveItems() <= settings.topValues();
  }

  /** @return the shortest text value's length in code points, empty if no text */
  public OptionalInt minLength() {
    return maxLength < 0 ? OptionalInt.empty() : OptionalInt.of(minLength);
  }

  /** @return the longest text value's length in code points, empty if no text */
  public OptionalInt maxLength() {
    return maxLength < 0 ? OptionalInt.empty() : OptionalInt.of(maxLength);
  }

  /** @return number of {@code true} values */
  public long trueCount() {
    return trues;
  }

  /** @return number of {@code false} values */
  public long falseCount() {
    return kinds[ColumnType.BOOLEAN.ordinal()] - trues;
  }

  /** @return the earliest timestamp, empty if none */
  public Optional<Instant> firstTimestamp() {
    return Optional.ofNullable(firstTime);
  }

  /** @return the latest timestamp, empty if none */
  public Optional<Instant> lastTimestamp() {
    return Optional.ofNullable(lastTime);
  }

  SketchSettings settings() {
    return settings;
  }

  long rawSum() {
    return (long) sum;
  }

  /**
   * Combines the statistics of the same column over two disjoint partitions.
   *
   * @param other statistics of the same column, computed with the same sketch settings
   * @return the statistics of both partitions together
   * @throws IllegalArgumentException if the name or the sketch settings differ
   */
  public ColumnStatistics merge(ColumnStatistics other) {
    Objects.requireNonNull(other, "other");
    if (!name.equals(other.name)) {
      throw new IllegalArgumentException("cannot merge column '" + name + "' with column '" + other.name + "'");
    }
    if (!settings.equals(other.settings)) {
      throw new IllegalArgumentException("cannot merge statistics of column '" + name
          + "' computed with different sketch settings: " + settings + " and " + other.settings);
    }
    long[] k = kinds.clone();
    for (int i = 0; i < k.length; i++) {
      k[i] += other.kinds[i];
    }
    long n = numeric + other.numeric;
    double mergedMean = 0;
    double mergedM2 = 0;
    if (numeric == 0) {
      mergedMean = other.mean;
      mergedM2 = other.m2;
    } else if (other.numeric == 0) {
      mergedMean = mean;
      mergedM2 = m2;
    } else {
      double delta = other.mean - mean; // Chan, Golub and LeVeque's pairwise combination
      if (Double.isFinite(delta)) {
        mergedMean = mean + delta * ((double) other.numeric / n);
        mergedM2 = m2 + other.m2 + delta * delta * ((double) numeric * other.numeric / n);
      } else { // means near +-Double.MAX_VALUE: weighted, without overflow; the variance is beyond a double
        mergedMean = mean * ((double) numeric / n) + other.mean * ((double) other.numeric / n);
        mergedM2 = Double.POSITIVE_INFINITY;
      }
    }
    KllDoublesSketch q = KllDoublesSketch.newHeapInstance(settings.kllK());
    synchronized (kll) {
      q.merge(kll);
    }
    synchronized (other.kll) {
      q.merge(other.kll);
    }
    Union u = new Union(settings.hllLgK());
    u.update(hll);
    u.update(other.hll);
    ItemsSketch<String> f = new ItemsSketch<>(settings.itemsMapSize());
    f.merge(items);
    f.merge(other.items);
    return new ColumnStatistics(name, settings, missing + other.missing, k, n, infinite + other.infinite,
        sum + other.sum, mergedMean, mergedM2, minOf(min, other.min), maxOf(max, other.max), q,
        u.getResult(), f, minLengthOf(minLength, other.minLength),
        Math.max(maxLength, other.maxLength), trues + other.trues, earlier(firstTime, other.firstTime),
        later(lastTime, other.lastTime));
  }

  private static int minLengthOf(int a, int b) {
    return a < 0 ? b : b < 0 ? a : Math.min(a, b);
  }

  private static double minOf(double a, double b) {
    return Double.isNaN(a) ? b : Double.isNaN(b) ? a : Math.min(a, b);
  }

  private static double maxOf(double a, double b) {
    return Double.isNaN(a) ? b : Double.isNaN(b) ? a : Math.max(a, b);
  }

  private static Instant earlier(Instant a, Instant b) {
    return a == null ? b : b == null ? a : a.isBefore(b) ? a : b;
  }

  private static Instant later(Instant a, Instant b) {
    return a == null ? b : b == null ? a : a.isAfter(b) ? a : b;
  }

  ObjectNode toJson() {
    ObjectNode c = JsonFields.MAPPER.createObjectNode();
    c.put("name", name);
    c.put("type", type().name());
    c.put("nullable", nullable());
    c.put("rows", rows());
    c.put("missing", missing);
    ObjectNode k = c.putObject("kindCounts");
    for (ColumnType t : ColumnType.values()) {
      if (t != ColumnType.UNKNOWN) {
        k.put(t.name(), kinds[t.ordinal()]);
      }
    }
    ObjectNode num = c.putObject("numeric");
    num.put("count", numeric);
    num.put("infinite", infinite);
    JsonFields.putNumber(num, "sum", sum);
    JsonFields.putNumber(num, "mean", mean());
    JsonFields.putNumber(num, "m2", numeric == 0 ? Double.NaN : m2);
    JsonFields.putNumber(num, "stdDev", stdDev());
    JsonFields.putNumber(num, "min", min);
    JsonFields.putNumber(num, "max", max);
    ObjectNode qs = num.putObject("quantiles");
    for (double r : new double[] {0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99}) {
      JsonFields.putNumber(qs, Double.toString(r), numeric == 0 ? Double.NaN : quantile(r));
    }
    synchronized (kll) {
      num.put("kll", Base64.getEncoder().encodeToString(kll.toByteArray()));
    }
    ObjectNode d = c.putObject("distinct");
    d.put("estimate", distinct);
    d.put("hll", Base64.getEncoder().encodeToString(hll.toCompactByteArray()));
    ObjectNode s = c.putObject("string");
    if (maxLength >= 0) {
      s.put("minLength", minLength);
      s.put("maxLength", maxLength);
    } else {
      s.putNull("minLength");
      s.putNull("maxLength");
    }
    s.put("topValuesExact", topValuesExact());
    ArrayNode tv = s.putArray("topValues");
    for (ValueCount v : top) {
      tv.addObject().put("value", v.value()).put("count", v.count());
    }
    s.put("items", Base64.getEncoder().encodeToString(items.toByteArray(new ArrayOfStringsSerDe())));
    c.putObject("boolean").put("trueCount", trues).put("falseCount", falseCount());
    ObjectNode ts = c.putObject("timestamp");
    if (firstTime != null) {
      ts.put("first", firstTime.toString());
      ts.put("last", lastTime.toString());
    } else {
      ts.putNull("first");
      ts.putNull("last");
    }
    return c;
  }

  static ColumnStatistics fromJson(JsonNode c, String path, SketchSettings settings, JsonFields f) {
    String name = f.text(c, "name", path + ".name");
    path = path + "('" + name + "')";
    long missing = f.integer(c, "missing", path + ".missing", 0, Long.MAX_VALUE);
    JsonNode k = f.object(c, "kindCounts", path + ".kindCounts");
    long[] kinds = new long[5];
    for (ColumnType t : ColumnType.values()) {
      if (t != ColumnType.UNKNOWN) {
        kinds[t.ordinal()] = f.integer(k, t.name(), path + ".kindCounts." + t.name(), 0, Long.MAX_VALUE);
      }
    }
    JsonNode num = f.object(c, "numeric", path + ".numeric");
    long numeric = f.integer(num, "count", path + ".numeric.count", 0, Long.MAX_VALUE);
    long infinite = f.integer(num, "infinite", path + ".numeric.infinite", 0, Long.MAX_VALUE);
    if (numeric + infinite > kinds[0] + kinds[1] || numeric + infinite < kinds[0] + kinds[1]) {
      throw f.corrupt(path + ".numeric.count", "numeric " + numeric + " + infinite " + infinite
          + " does not equal the integral and fractional counts " + (kinds[0] + kinds[1]));
    }
    double sum = f.number(num, "sum", path + ".numeric.sum");
    double mean = f.number(num, "mean", path + ".numeric.mean");
    double m2 = f.number(num, "m2", path + ".numeric.m2");
    double min = f.number(num, "min", path + ".numeric.min");
    double max = f.number(num, "max", path + ".numeric.max");
    // the mean of n equal values can come out an ulp or so beyond them (the constructor clamps it)
    double slack = 1e-9 * Math.max(Math.abs(min), Math.abs(max));
    if (numeric > 0 && !(Double.isFinite(min) && Double.isFinite(max) && Double.isFinite(mean) && min <= max
        && mean >= min - slack && mean <= max + slack)) {
      throw f.corrupt(path + ".numeric", "has min " + min + ", mean " + mean + ", max " + max
          + ", which are not finite and ordered");
    }
    if (numeric > 0 && !(m2 >= 0)) {
      throw f.corrupt(path + ".numeric.m2", "must be >= 0, got " + m2);
    }
    KllDoublesSketch kll;
    byte[] kllBytes = f.base64(num, "kll", path + ".numeric.kll");
    try {
      kll = KllDoublesSketch.heapify(Memory.wrap(kllBytes));
    } catch (RuntimeException e) {
      throw f.corrupt(path + ".numeric.kll", "is not a KLL sketch: " + e.getMessage(), e);
    }
    if (kll.getN() != numeric || kll.getK() != settings.kllK()) {
      throw f.corrupt(path + ".numeric.kll", "holds " + kll.getN() + " values with k " + kll.getK()
          + ", expected " + numeric + " values with k " + settings.kllK());
    }
    JsonNode d = f.object(c, "distinct", path + ".distinct");
    HllSketch hll;
    try {
      hll = HllSketch.heapify(f.base64(d, "hll", path + ".distinct.hll"));
    } catch (RuntimeException e) {
      throw f.corrupt(path + ".distinct.hll", "is not an HLL sketch: " + e.getMessage(), e);
    }
    if (hll.getLgConfigK() != settings.hllLgK()) {
      throw f.corrupt(path + ".distinct.hll", "has lgK " + hll.getLgConfigK() + ", expected " + settings.hllLgK());
    }
    JsonNode s = f.object(c, "string", path + ".string");
    int minLength = -1;
    int maxLength = -1;
    if (kinds[ColumnType.STRING.ordinal()] > 0) {
      minLength = (int) f.integer(s, "minLength", path + ".string.minLength", 0, Integer.MAX_VALUE);
      maxLength = (int) f.integer(s, "maxLength", path + ".string.maxLength", minLength, Integer.MAX_VALUE);
    }
    ItemsSketch<String> items;
    try {
      items = ItemsSketch.getInstance(Memory.wrap(f.base64(s, "items", path + ".string.items")), new ArrayOfStringsSerDe());
    } catch (RuntimeException e) {
      throw f.corrupt(path + ".string.items", "is not a frequent-items sketch: " + e.getMessage(), e);
    }
    if (items.getStreamLength() != kinds[ColumnType.STRING.ordinal()] || items.getMaximumMapCapacity()
        != (int) (settings.itemsMapSize() * 0.75)) {
      throw f.corrupt(path + ".string.items", "holds " + items.getStreamLength() + " values with map capacity "
          + items.getMaximumMapCapacity() + ", expected " + kinds[ColumnType.STRING.ordinal()]
          + " values with map size " + settings.itemsMapSize());
    }
    JsonNode b = f.object(c, "boolean", path + ".boolean");
    long trues = f.integer(b, "trueCount", path + ".boolean.trueCount", 0, kinds[ColumnType.BOOLEAN.ordinal()]);
    JsonNode ts = f.object(c, "timestamp", path + ".timestamp");
    Instant first = null;
    Instant last = null;
    if (kinds[ColumnType.TIMESTAMP.ordinal()] > 0) {
      first = instant(f, ts, "first", path + ".timestamp.first");
      last = instant(f, ts, "last", path + ".timestamp.last");
    }
    return new ColumnStatistics(name, settings, missing, kinds, numeric, infinite, numeric == 0 ? 0 : sum,
        numeric == 0 ? 0 : mean, numeric == 0 ? 0 : m2, min, max, kll, hll, items, minLength, maxLength, trues,
        first, last);
  }

  private static Instant instant(JsonFields f, JsonNode node, String field, String path) {
    String text = f.text(node, field, path);
    try {
      return Instant.parse(text);
    } catch (DateTimeParseException e) {
      throw f.corrupt(path, "is '" + text + "', not an ISO-8601 instant", e);
    }
  }

  @Override
  public String toString() {
    return "ColumnStatistics[" + name + ", " + type() + ", rows=" + rows() + ", missing=" + missing + ", mean="
        + mean() + ", min=" + min + ", max=" + max + ", distinct~" + distinct + "]";
  }
}
