package dev.mlops.drift;

import dev.mlops.CorruptDataException;
import dev.mlops.Names;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.apache.datasketches.kll.KllDoublesSketch;
import org.apache.datasketches.kll.KllSketch;
import org.apache.datasketches.quantilescommon.QuantileSearchCriteria;

/**
 * A baseline fitted from training data, what the data-drift tests and the
 * {@link PredictionMonitor} compare live traffic against: per numeric feature a
 * {@link NumericFeatureProfile} (KLL sketch, quantile histogram, moments, missing rate), per
 * categorical feature a {@link CategoricalFeatureProfile} (frequency table with an "other"
 * bucket). Fit with {@link #fitter(List, List)}; store next to a model version with
 * {@link Baselines}.
 *
 * <p>Serialized form ({@link #toBytes()}): a versioned binary format (magic {@code MLBP}, format
 * version, body, CRC-32), read back by {@link #fromBytes(byte[])}; format version 1 is the
 * current one and will stay readable.
 *
 * <p>Profiles fitted on shards of the data {@link #merge(BaselineProfile) merge}: counts and
 * moments exactly, sketches with the same rank-error bound as one sketch over all the data.
 *
 * <p>Immutable and thread-safe.
 */
public final class BaselineProfile {
  /** Default number of histogram bins per numeric feature. */
  public static final int DEFAULT_BINS = 10;
  /** Most histogram bins per numeric feature (the monitor searches at most 16 slots). */
  public static final int MAX_BINS = 16;
  /** Default KLL sketch parameter k (rank error about 1.3% with 99% confidence). */
  public static final int DEFAULT_SKETCH_K = KllSketch.DEFAULT_K;

  private final List<NumericFeatureProfile> numeric;
  private final List<CategoricalFeatureProfile> categorical;
  private final int bins;
  private final int sketchK;
  private final double minCategoryShare;
  private final int maxCategoryBuckets;

  BaselineProfile(List<NumericFeatureProfile> numeric, List<CategoricalFeatureProfile> categorical,
      int bins, int sketchK, double minCategoryShare, int maxCategoryBuckets) {
    this.numeric = List.copyOf(numeric);
    this.categorical = List.copyOf(categorical);
    this.bins = bins;
    this.sketchK = sketchK;
    this.minCategoryShare = minCategoryShare;
    this.maxCategoryBuckets = maxCategoryBuckets;
  }

  /**
   * Starts fitting a profile. Numeric features are passed positionally in this order, categorical
   * features as codes in theirs.
   *
   * @param numericFeatures numeric feature names, distinct, following {@link Names}
   * @param categoricalFeatures categorical feature declarations (names distinct from each other
   *     and from the numeric ones)
   * @return a fitter
   * @throws IllegalArgumentException if a name is invalid or repeated, or there are no features
   */
  public static Fitter fitter(List<String> numericFeatures, List<CategoricalFeature> categoricalFeatures) {
    return new Fitter(numericFeatures, categoricalFeatures);
  }

  /**
   * Fits a profile of numeric features from rows held in memory.
   *
   * @param numericFeatures feature names
   * @param rows one array of feature values per row
   * @return the profile, with default bins and sketch size
   * @throws IllegalArgumentException if a row has the wrong length or a name is invalid
   */
  public static BaselineProfile fit(List<String> numericFeatures, double[][] rows) {
    Fitter fitter = fitter(numericFeatures, List.of());
    for (double[] row : rows) {
      fitter.add(row);
    }
    return fitter.build();
  }

  /** @return numeric feature profiles, in fitting order */
  public List<NumericFeatureProfile> numericFeatures() {
    return numeric;
  }

  /** @return categorical feature profiles, in fitting order */
  public List<CategoricalFeatureProfile> categoricalFeatures() {
    return categorical;
  }

  /** @return numeric feature names, in order */
  public List<String> numericNames() {
    return numeric.stream().map(NumericFeatureProfile::name).toList();
  }

  /**
   * @param name feature name
   * @return the numeric feature's profile, or empty
   */
  public Optional<NumericFeatureProfile> findNumeric(String name) {
    return numeric.stream().filter(f -> f.name().equals(name)).findFirst();
  }

  /**
   * @param name feature name
   * @return the categorical feature's profile, or empty
   */
  public Optional<CategoricalFeatureProfile> findCategorical(String name) {
    return categorical.stream().filter(f -> f.name().equals(name)).findFirst();
  }

  /** @return the configured number of histogram bins (a feature may have fewer, see its edges) */
  public int bins() {
    return bins;
  }

  /** @return the KLL sketch parameter k */
  public int sketchK() {
    return sketchK;
  }

  double minCategoryShare() {
    return minCategoryShare;
  }

  int maxCategoryBuckets() {
    return maxCategoryBuckets;
  }

  /**
   * Combines this profile with one fitted the same way on other data. Counts and moments merge
   * exactly; the merged KLL sketches keep the single-sketch rank-error bound; histogram edges and
   * category buckets are recomputed from the merged data.
   *
   * @param other a profile with the same features, bins, sketch k and category settings
   * @return the merged profile
   * @throws IllegalArgumentException naming the first difference if the profiles do not match
   */
  public BaselineProfile merge(BaselineProfile other) {
    Objects.requireNonNull(other, "other");
    if (!numericNames().equals(other.numericNames())) {
      throw new IllegalArgumentException("cannot merge profiles with numeric features " + numericNames()
          + " and " + other.numericNames());
    }
    List<CategoricalFeature> mine = categorical.stream().map(CategoricalFeatureProfile::feature).toList();
    List<CategoricalFeature> theirs = other.categorical.stream().map(CategoricalFeatureProfile::feature).toList();
    if (!mine.equals(theirs)) {
      throw new IllegalArgumentException("cannot merge profiles with categorical features " + mine + " and " + theirs);
    }
    if (bins != other.bins || sketchK != other.sketchK || minCategoryShare != other.minCategoryShare
        || maxCategoryBuckets != other.maxCategoryBuckets) {
      throw new IllegalArgumentException("cannot merge profiles fitted with different settings: bins "
          + bins + "/" + other.bins + ", sketch k " + sketchK + "/" + other.sketchK + ", min category share "
          + minCategoryShare + "/" + other.minCategoryShare + ", max category buckets " + maxCategoryBuckets
          + "/" + other.maxCategoryBuckets);
    }
    List<NumericFeatureProfile> mergedNumeric = new ArrayList<>();
    for (int i = 0; i < numeric.size(); i++) {
      NumericFeatureProfile a = numeric.get(i);
      NumericFeatureProfile b = other.numeric.get(i);
      KllDoublesSketch sketch = KllDoublesSketch.newHeapInstance(sketchK);
      sketch.merge(a.sketch());
      sketch.merge(b.sketch());
      long n = a.count() + b.count();
      double mean = 0;
      double m2 = 0;
      // Chan et al.'s pairwise update, on values scaled down by 2^shift when huge (no overflow).
      int shift = Math.max(Math.max(a.m2Shift(), b.m2Shift()), Math.max(0,
          Math.getExponent(Math.max(Math.abs(a.rawMean()), Math.abs(b.rawMean()))) - NumericFeatureProfile.M2_HEADROOM));
      if (n > 0) {
        double am = Math.scalb(a.rawMean(), -shift);
        double bm = Math.scalb(b.rawMean(), -shift);
        double delta = bm - am;
        mean = a.count() == 0 ? b.rawMean() : b.count() == 0 ? a.rawMean()
            : Math.scalb(am + delta * b.count() / n, shift);
        m2 = Math.scalb(a.m2(), -2 * (shift - a.m2Shift())) + Math.scalb(b.m2(), -2 * (shift - b.m2Shift()))
            + (a.count() == 0 || b.count() == 0 ? 0 : delta * delta * a.count() * (double) b.count() / n);
      }
      mergedNumeric.add(numericProfile(a.name(), n, a.missingCount() + b.missingCount(),
          a.infiniteCount() + b.infiniteCount(), mean, m2, shift,
          a.count() == 0 ? b.rawMin() : b.count() == 0 ? a.rawMin() : Math.min(a.rawMin(), b.rawMin()),
          a.count() == 0 ? b.rawMax() : b.count() == 0 ? a.rawMax() : Math.max(a.rawMax(), b.rawMax()),
          sketch, bins));
    }
    List<CategoricalFeatureProfile> mergedCategorical = new ArrayList<>();
    for (int i = 0; i < categorical.size(); i++) {
      CategoricalFeatureProfile a = categorical.get(i);
      CategoricalFeatureProfile b = other.categorical.get(i);
      long[] counts = a.codeCounts();
      long[] more = b.codeCounts();
      for (int c = 0; c < counts.length; c++) {
        counts[c] += more[c];
      }
      mergedCategorical.add(new CategoricalFeatureProfile(a.feature(), counts, a.unknownCount() + b.unknownCount(),
          a.missingCount() + b.missingCount(), minCategoryShare, maxCategoryBuckets));
    }
    return new BaselineProfile(mergedNumeric, mergedCategorical, bins, sketchK, minCategoryShare, maxCategoryBuckets);
  }

  /**
   * @return the versioned binary form, readable by {@link #fromBytes(byte[])}
   */
  public byte[] toBytes() {
    return BaselineProfileCodec.write(this);
  }

  /**
   * Reads a profile written by {@link #toBytes()} (this or an earlier format version).
   *
   * @param bytes the serialized profile
   * @return the profile
   * @throws CorruptDataException naming the problem if the bytes are not a profile, are
   *     truncated or damaged, or carry an unknown format version
   */
  public static BaselineProfile fromBytes(byte[] bytes) {
    return BaselineProfileCodec.read(Objects.requireNonNull(bytes, "bytes"));
  }

  static NumericFeatureProfile numericProfile(String name, long count, long missing, long infinite, double mean,
      double m2, int m2Shift, double min, double max, KllDoublesSketch sketch, int bins) {
    double[] edges;
    double[] probabilities;
    if (count == 0) {
      edges = new double[0];
      probabilities = new double[] {1};
    } else {
      double[] ranks = new double[bins - 1];
      for (int j = 1; j < bins; j++) {
        ranks[j - 1] = (double) j / bins;
      }
      double[] quantiles = sketch.getQuantiles(ranks, QuantileSearchCriteria.INCLUSIVE);
      double[] kept = new double[quantiles.length];
      int size = 0;
      double previous = min;
      for (double q : quantiles) {
        if (q > previous) {
          kept[size++] = q;
          previous = q;
        }
      }
      edges = Arrays.copyOf(kept, size);
      probabilities = new double[size + 1];
      if (size > 0) {
        double[] cdf = sketch.getCDF(edges, QuantileSearchCriteria.EXCLUSIVE);
        double prior = 0;
        for (int i = 0; i <= size; i++) {
          double c = i == size ? 1 : cdf[i];
          probabilities[i] = Math.max(0, c - prior);
          prior = Math.max(prior, c);
        }
      } else {
        probabilities[0] = 1;
      }
    }
    return new NumericFeatureProfile(name, count, missing, infinite, mean, m2, m2Shift, min, max, edges, probabilities,
        sketch);
  }

  @Override
  public String toString() {
    return "BaselineProfile[numeric=" + numericNames() + ", categorical="
        + categorical.stream().map(CategoricalFeatureProfile::name).toList() + ", bins=" + bins + "]";
  }

  /**
   * Accumulates training data into a {@link BaselineProfile}. Memory is bounded per feature (one
   * KLL sketch) however many rows are added. NaN counts as missing, infinities are counted apart;
   * neither enters the sketch or the moments.
   *
   * <p>Not thread-safe; confine to one thread (fit shards on several threads and
   * {@link BaselineProfile#merge merge} the results).
   */
  public static final class Fitter {
    private final List<String> numericNames;
    private final List<CategoricalFeature> categoricalFeatures;
    private int bins = DEFAULT_BINS;
    private int sketchK = DEFAULT_SKETCH_K;
    private double minCategoryShare = 0.001;
    private int maxCategoryBuckets = 64;
    private KllDoublesSketch[] sketches;
    private final long[] counts;
    private final long[] missing;
    private final long[] infinite;
    private final double[] means;
    private final double[] m2s;
    /** Per feature: values are scaled by 2^-shift before their squares are summed (0 unless huge). */
    private final int[] shifts;
    private final double[] mins;
    private final double[] maxs;
    private final long[][] codeCounts;
    private final long[] unknown;
    private final long[] categoricalMissing;
    private long rows;

    private Fitter(List<String> numericNames, List<CategoricalFeature> categoricalFeatures) {
      this.numericNames = List.copyOf(numericNames);
      this.categoricalFeatures = List.copyOf(categoricalFeatures);
      Set<String> seen = new HashSet<>();
      for (String n : this.numericNames) {
        Names.requireValid("feature name", n);
        if (!seen.add(n)) {
          throw new IllegalArgumentException("feature '" + n + "' is listed twice");
        }
      }
      for (CategoricalFeature c : this.categoricalFeatures) {
        if (!seen.add(c.name())) {
          throw new IllegalArgumentException("feature '" + c.name() + "' is listed twice");
        }
      }
      if (seen.isEmpty()) {
        throw new IllegalArgumentException("a profile needs at least one feature");
      }
      int n = this.numericNames.size();
      counts = new long[n];
      missing = new long[n];
      infinite = new long[n];
      means = new double[n];
      m2s = new double[n];
      shifts = new int[n];
      mins = new double[n];
      maxs = new double[n];
      Arrays.fill(mins, Double.POSITIVE_INFINITY);
      Arrays.fill(maxs, Double.NEGATIVE_INFINITY);
      int c = this.categoricalFeatures.size();
      codeCounts = new long[c][];
      for (int i = 0; i < c; i++) {
        codeCounts[i] = new long[this.categoricalFeatures.get(i).categories().size()];
      }
      unknown = new long[c];
      categoricalMissing = new long[c];
    }

    /**
     * @param bins histogram bins per numeric feature, 2 to {@link #MAX_BINS} (default 10)
     * @return this
     * @throws IllegalArgumentException if out of range
     */
    public Fitter bins(int bins) {
      if (bins < 2 || bins > MAX_BINS) {
        throw new IllegalArgumentException("bins must be in [2, " + MAX_BINS + "], got " + bins);
      }
      this.bins = bins;
      return this;
    }

    /**
     * @param k KLL sketch parameter, 8 to 65535 (default 200); larger is more accurate and bigger
     * @return this
     * @throws IllegalArgumentException if out of range
     * @throws IllegalStateException if rows were already added
     */
    public Fitter sketchK(int k) {
      if (k < 8 || k > KllSketch.MAX_K) {
        throw new IllegalArgumentException("sketch k must be in [8, " + KllSketch.MAX_K + "], got " + k);
      }
      if (sketches != null) {
        throw new IllegalStateException("sketch k must be set before the first row is added");
      }
      this.sketchK = k;
      return this;
    }

    /**
     * @param share a category needs at least this share of known values for its own bucket,
     *     in [0, 1) (default 0.001); rarer ones go to the other bucket
     * @return this
     * @throws IllegalArgumentException if out of range
     */
    public Fitter minCategoryShare(double share) {
      if (!(share >= 0 && share < 1)) {
        throw new IllegalArgumentException("min category share must be in [0, 1), got " + share);
      }
      this.minCategoryShare = share;
      return this;
    }

    /**
     * @param buckets most categories with their own bucket, 1 to 4096 (default 64)
     * @return this
     * @throws IllegalArgumentException if out of range
     */
    public Fitter maxCategoryBuckets(int buckets) {
      if (buckets < 1 || buckets > 4096) {
        throw new IllegalArgumentException("max category buckets must be in [1, 4096], got " + buckets);
      }
      this.maxCategoryBuckets = buckets;
      return this;
    }

    /**
     * Adds a row of numeric features (a profile without categorical features).
     *
     * @param numeric the row
     * @return this
     * @throws IllegalArgumentException if the row's length differs from the feature count
     */
    public Fitter add(double[] numeric) {
      if (!categoricalFeatures.isEmpty()) {
        throw new IllegalArgumentException("expected " + categoricalFeatures.size()
            + " categorical codes too; use add(double[], int[])");
      }
      return add(numeric, EMPTY_CODES);
    }

    private static final int[] EMPTY_CODES = new int[0];

    /**
     * Adds a row.
     *
     * @param numeric numeric feature values, NaN for missing
     * @param codes categorical codes, negative for missing
     * @return this
     * @throws IllegalArgumentException naming expected and actual counts if a length is wrong
     */
    public Fitter add(double[] numeric, int[] codes) {
      Objects.requireNonNull(numeric, "numeric");
      Objects.requireNonNull(codes, "codes");
      if (numeric.length != numericNames.size()) {
        throw new IllegalArgumentException(
            "expected " + numericNames.size() + " numeric features, got " + numeric.length);
      }
      if (codes.length != categoricalFeatures.size()) {
        throw new IllegalArgumentException(
            "expected " + categoricalFeatures.size() + " categorical features, got " + codes.length);
      }
      if (sketches == null) {
        sketches = new KllDoublesSketch[numeric.length];
        for (int i = 0; i < sketches.length; i++) {
          sketches[i] = KllDoublesSketch.newHeapInstance(sketchK);
        }
      }
      for (int i = 0; i < numeric.length; i++) {
        double v = numeric[i];
        if (Double.isNaN(v)) {
          missing[i]++;
        } else if (Double.isInfinite(v)) {
          infinite[i]++;
        } else {
          long n = ++counts[i];
          // Welford's update; beyond 2^480 the value, mean and m2 are scaled down by a power of two
          // (exactly) so that no difference or square can overflow. With shift 0 it is the plain update.
          int needed = Math.getExponent(v) - NumericFeatureProfile.M2_HEADROOM;
          if (needed > shifts[i]) {
            m2s[i] = Math.scalb(m2s[i], -2 * (needed - shifts[i]));
            shifts[i] = needed;
          }
          int shift = shifts[i];
          double x = Math.scalb(v, -shift);
          double mean = Math.scalb(means[i], -shift);
          double delta = x - mean;
          mean += delta / n;
          m2s[i] += delta * (x - mean);
          means[i] = Math.scalb(mean, shift);
          mins[i] = Math.min(mins[i], v);
          maxs[i] = Math.max(maxs[i], v);
          sketches[i].update(v);
        }
      }
      for (int i = 0; i < codes.length; i++) {
        int code = codes[i];
        if (code < 0) {
          categoricalMissing[i]++;
        } else if (code >= codeCounts[i].length) {
          unknown[i]++;
        } else {
          codeCounts[i][code]++;
        }
      }
      rows++;
      return this;
    }

    /** @return rows added so far */
    public long rows() {
      return rows;
    }

    /**
     * Builds the profile of the rows added so far; the fitter stays usable.
     *
     * @return the profile
     */
    public BaselineProfile build() {
      List<NumericFeatureProfile> numeric = new ArrayList<>();
      for (int i = 0; i < numericNames.size(); i++) {
        KllDoublesSketch copy = KllDoublesSketch.newHeapInstance(sketchK);
        if (sketches != null) {
          copy.merge(sketches[i]);
        }
        numeric.add(numericProfile(numericNames.get(i), counts[i], missing[i], infinite[i], means[i], m2s[i], shifts[i],
            counts[i] == 0 ? 0 : mins[i], counts[i] == 0 ? 0 : maxs[i], copy, bins));
      }
      List<CategoricalFeatureProfile> categorical = new ArrayList<>();
      for (int i = 0; i < categoricalFeatures.size(); i++) {
        categorical.add(new CategoricalFeatureProfile(categoricalFeatures.get(i), codeCounts[i], unknown[i],
            categoricalMissing[i], minCategoryShare, maxCategoryBuckets));
      }
      return new BaselineProfile(numeric, categorical, bins, sketchK, minCategoryShare, maxCategoryBuckets);
    }
  }
}
