package dev.mlops.drift;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * The baseline of one categorical feature: how often each declared category occurred, how often
 * an unknown code or a missing (negative) code was seen, and the buckets the drift tests use —
 * each category at least {@code minShare} of the known values (at most {@code maxBuckets} of them,
 * most frequent first) gets its own bucket, the rest share the last, "other", bucket with unknown
 * codes. All counts are exact.
 *
 * <p>Immutable and thread-safe.
 */
public final class CategoricalFeatureProfile {
  /** Label of the bucket that gathers rare and unknown categories. */
  public static final String OTHER = "__other__";

  private final CategoricalFeature feature;
  private final long[] codeCounts;
  private final long unknown;
  private final long missing;
  private final double minShare;
  private final int maxBuckets;
  private final int[] bucketOfCode;
  private final List<String> bucketLabels;
  private final double[] bucketProbabilities;
  private final long count;
  private final BinnedBaseline binned;

  CategoricalFeatureProfile(CategoricalFeature feature, long[] codeCounts, long unknown, long missing,
      double minShare, int maxBuckets) {
    this.feature = Objects.requireNonNull(feature, "feature");
    this.codeCounts = codeCounts.clone();
    this.unknown = unknown;
    this.missing = missing;
    this.minShare = minShare;
    this.maxBuckets = maxBuckets;
    long known = 0;
    for (long c : codeCounts) {
      known += c;
    }
    this.count = known + unknown;
    List<Integer> order = new ArrayList<>();
    for (int i = 0; i < codeCounts.length; i++) {
      order.add(i);
    }
    order.sort((a, b) -> codeCounts[b] != codeCounts[a] ? Long.compare(codeCounts[b], codeCounts[a]) : Integer.compare(a, b));
    this.bucketOfCode = new int[codeCounts.length];
    java.util.Arrays.fill(bucketOfCode, -1);
    List<String> labels = new ArrayList<>();
    for (int code : order) {
      if (labels.size() < maxBuckets && known > 0 && codeCounts[code] > 0
          && codeCounts[code] >= minShare * known) {
        bucketOfCode[code] = labels.size();
        labels.add(feature.categories().get(code));
      }
    }
    int other = labels.size();
    for (int i = 0; i < bucketOfCode.length; i++) {
      if (bucketOfCode[i] < 0) {
        bucketOfCode[i] = other;
      }
    }
    labels.add(OTHER);
    this.bucketLabels = Collections.unmodifiableList(labels);
    this.bucketProbabilities = new double[labels.size()];
    if (count > 0) {
      for (int code = 0; code < codeCounts.length; code++) {
        bucketProbabilities[bucketOfCode[code]] += (double) codeCounts[code] / count;
      }
      bucketProbabilities[other] += (double) unknown / count;
    }
    this.binned = new BinnedBaseline(new double[0], bucketProbabilities, new double[0], count, 0, false);
  }

  /** @return the feature name */
  public String name() {
    return feature.name();
  }

  /** @return the declaration (name and categories) */
  public CategoricalFeature feature() {
    return feature;
  }

  /**
   * @param code a category code
   * @return how often it occurred
   * @throws IndexOutOfBoundsException if code is not a declared category
   */
  public long countOf(int code) {
    Objects.checkIndex(code, codeCounts.length);
    return codeCounts[code];
  }

  /** @return number of non-missing values, known and unknown */
  public long count() {
    return count;
  }

  /** @return number of codes outside the declared categories */
  public long unknownCount() {
    return unknown;
  }

  /** @return number of missing (negative) codes */
  public long missingCount() {
    return missing;
  }

  /** @return missing / all values, 0 when there were none */
  public double missingRate() {
    long total = count + missing;
    return total == 0 ? 0 : (double) missing / total;
  }

  /** @return bucket labels; the last is {@link #OTHER} */
  public List<String> bucketLabels() {
    return bucketLabels;
  }

  /** @return each bucket's probability (a copy) */
  public double[] bucketProbabilities() {
    return bucketProbabilities.clone();
  }

  /**
   * @param code any code
   * @return its bucket index; unknown and missing codes map to the other bucket
   */
  public int bucketOf(int code) {
    return code >= 0 && code < bucketOfCode.length ? bucketOfCode[code] : bucketLabels.size() - 1;
  }

  long[] codeCounts() {
    return codeCounts.clone();
  }

  int[] bucketOfCode() {
    return bucketOfCode.clone();
  }

  double minShare() {
    return minShare;
  }

  int maxBuckets() {
    return maxBuckets;
  }

  BinnedBaseline binned() {
    return binned;
  }

  @Override
  public String toString() {
    return "CategoricalFeatureProfile[" + name() + ", n=" + count + ", buckets=" + bucketLabels
        + ", missing=" + missing + "]";
  }
}
