package dev.mlops.drift;

import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Data-quality rules a {@link PredictionMonitor} checks on every recorded row and judges per window
 * ({@link PredictionMonitor.Builder#dataQuality(DataQualityRules)}): per numeric feature a range
 * {@code [min, max]}, per categorical feature the allowed categories, per feature a minimum
 * completeness (share of non-missing values in a window), and whether the input's feature set is
 * checked (features absent from a row, features the baseline does not know). Every kind of value
 * outside its rule is counted per window; a feature violates a rule when its share of the window's
 * records exceeds {@link #maxViolationShare()} (default 0: any such value violates).
 *
 * <p>Get sensible rules from the baseline already fitted with
 * {@link #fromBaseline(BaselineProfile, double)}, edit them with {@link #toBuilder()}, or declare
 * them with {@link #builder()}. A plain value: feature names are checked against a baseline only
 * when the rules are given to a monitor.
 *
 * <p>Immutable and thread-safe.
 *
 * @param ranges allowed range per numeric feature; a finite value outside it, and ±Inf, count as out of range
 * @param domains allowed categories per categorical feature (each one of the baseline's
 *     categories); any other category counts as out of domain
 * @param minCompleteness per feature, the least share of a window's records whose value is not
 *     missing, in [0, 1]
 * @param maxViolationShare a feature violates a range, domain or type rule, or the feature-set
 *     rule, when the share of the window's records that break it exceeds this, in [0, 1)
 * @param checkFeatureSet whether features absent from a row and features unknown to the baseline
 *     are judged (they are counted either way, where the input form can express them)
 */
public record DataQualityRules(Map<String, Range> ranges, Map<String, Set<String>> domains,
    Map<String, Double> minCompleteness, double maxViolationShare, boolean checkFeatureSet) {

  /**
   * An allowed range of a numeric feature, bounds included; an infinite bound leaves that side open.
   *
   * <p>Immutable and thread-safe.
   *
   * @param min the least allowed value
   * @param max the greatest allowed value
   */
  public record Range(double min, double max) {
    /** @throws IllegalArgumentException if a bound is NaN or min &gt; max */
    public Range {
      if (Double.isNaN(min) || Double.isNaN(max) || min > max) {
        throw new IllegalArgumentException("range [" + min + ", " + max + "] is invalid: bounds must be numbers with min <= max");
      }
    }

    /**
     * @param value a finite value
     * @return whether it lies in the range
     */
    public boolean contains(double value) {
      return value >= min && value <= max;
    }
  }

  /**
   * Validates and copies.
   *
   * @throws IllegalArgumentException naming the feature and value if a completeness is outside
   *     [0, 1], a domain is empty or holds null, or maxViolationShare is outside [0, 1)
   */
  public DataQualityRules {
    ranges = Map.copyOf(Objects.requireNonNull(ranges, "ranges"));
    Map<String, Set<String>> d = new HashMap<>();
    for (Map.Entry<String, Set<String>> e : Objects.requireNonNull(domains, "domains").entrySet()) {
      Objects.requireNonNull(e.getValue(), () -> "domain of feature '" + e.getKey() + "'");
      if (e.getValue().isEmpty()) {
        throw new IllegalArgumentException("the domain of feature '" + e.getKey() + "' is empty; allow at least one category");
      }
      d.put(e.getKey(), Set.copyOf(e.getValue()));
    }
    domains = Map.copyOf(d);
    minCompleteness = Map.copyOf(Objects.requireNonNull(minCompleteness, "minCompleteness"));
    minCompleteness.forEach((feature, c) -> {
      if (!(c >= 0 && c <= 1)) {
        throw new IllegalArgumentException("minimum completeness of feature '" + feature + "' must be in [0, 1], got " + c);
      }
    });
    if (!(maxViolationShare >= 0 && maxViolationShare < 1)) {
      throw new IllegalArgumentException("max violation share must be in [0, 1), got " + maxViolationShare);
    }
  }

  /**
   * Rules suggested by a baseline: each numeric feature's observed {@code [min, max]} widened on
   * both sides by {@code tolerance} times its span ({@code max - min}); each categorical feature's
   * categories seen in the baseline; per feature a minimum completeness of the baseline's
   * completeness ({@code 1 - missing rate}) less {@code tolerance}, at least 0; the feature set
   * checked; no violation tolerated ({@code maxViolationShare} 0). Features the baseline saw no
   * value of get no range or domain.
   *
   * @param baseline the fitted baseline
   * @param tolerance how much looser than the baseline, finite and &gt;= 0 (e.g. 0.1)
   * @return the rules
   * @throws IllegalArgumentException if tolerance is negative, NaN or infinite
   */
  public static DataQualityRules fromBaseline(BaselineProfile baseline, double tolerance) {
    Objects.requireNonNull(baseline, "baseline");
    BuilderChecks.nonNegative("tolerance", tolerance);
    Builder b = builder();
    for (NumericFeatureProfile f : baseline.numericFeatures()) {
      if (f.count() > 0) {
        double span = f.max() - f.min();
        double widen = tolerance == 0 ? 0 : tolerance * span; // 0 * Inf would be NaN
        b.range(f.name(), f.min() - widen, f.max() + widen);
      }
      b.completeness(f.name(), Math.max(0, 1 - f.missingRate() - tolerance));
    }
    for (CategoricalFeatureProfile f : baseline.categoricalFeatures()) {
      List<String> categories = f.feature().categories();
      Set<String> seen = new LinkedHashSet<>();
      for (int code = 0; code < categories.size(); code++) {
        if (f.countOf(code) > 0) {
          seen.add(categories.get(code));
        }
      }
      if (!seen.isEmpty()) {
        b.domain(f.name(), seen);
      }
      b.completeness(f.name(), Math.max(0, 1 - f.missingRate() - tolerance));
    }
    return b.checkFeatureSet(true).build();
  }

  /** @return a builder with no rules, {@code maxViolationShare} 0 and the feature set checked */
  public static Builder builder() {
    return new Builder();
  }

  /** @return a builder holding these rules, to edit them */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.ranges.putAll(ranges);
    b.domains.putAll(domains);
    b.completeness.putAll(minCompleteness);
    b.maxViolationShare = maxViolationShare;
    b.checkFeatureSet = checkFeatureSet;
    return b;
  }

  /** @return every feature named by a rule */
  public Set<String> features() {
    Set<String> all = new java.util.TreeSet<>(ranges.keySet());
    all.addAll(domains.keySet());
    all.addAll(minCompleteness.keySet());
    return all;
  }

  /**
   * Builds {@link DataQualityRules}; a later rule for the same feature replaces the earlier one.
   *
   * <p>Not thread-safe; confine to one thread.
   */
  public static final class Builder {
    private final Map<String, Range> ranges = new HashMap<>();
    private final Map<String, Set<String>> domains = new HashMap<>();
    private final Map<String, Double> completeness = new HashMap<>();
    private double maxViolationShare;
    private boolean checkFeatureSet = true;

    private Builder() {}

    /**
     * @param feature a numeric feature
     * @param min least allowed value ({@code Double.NEGATIVE_INFINITY}: no lower bound)
     * @param max greatest allowed value ({@code Double.POSITIVE_INFINITY}: no upper bound)
     * @return this
     * @throws IllegalArgumentException if a bound is NaN or min &gt; max
     */
    public Builder range(String feature, double min, double max) {
      ranges.put(Objects.requireNonNull(feature, "feature"), new Range(min, max));
      return this;
    }

    /**
     * @param feature a categorical feature
     * @param categories the allowed categories, at least one
     * @return this
     * @throws IllegalArgumentException if categories is empty
     */
    public Builder domain(String feature, Collection<String> categories) {
      Objects.requireNonNull(feature, "feature");
      if (categories.isEmpty()) {
        throw new IllegalArgumentException("the domain of feature '" + feature + "' is empty; allow at least one category");
      }
      domains.put(feature, Set.copyOf(categories));
      return this;
    }

    /**
     * @param feature a categorical feature
     * @param categories the allowed categories, at least one
     * @return this
     * @throws IllegalArgumentException if no category is given
     */
    public Builder domain(String feature, String... categories) {
      return domain(feature, List.of(categories));
    }

    /**
     * @param feature any feature
     * @param min the least share of a window's records with a value (not missing), in [0, 1]
     * @return this
     * @throws IllegalArgumentException if min is outside [0, 1]
     */
    public Builder completeness(String feature, double min) {
      Objects.requireNonNull(feature, "feature");
      if (!(min >= 0 && min <= 1)) {
        throw new IllegalArgumentException("minimum completeness of feature '" + feature + "' must be in [0, 1], got " + min);
      }
      completeness.put(feature, min);
      return this;
    }

    /**
     * @param share the share of a window's records that may break a range, domain, type or
     *     feature-set rule before the feature violates it, in [0, 1) (default 0)
     * @return this
     * @throws IllegalArgumentException if outside [0, 1)
     */
    public Builder maxViolationShare(double share) {
      if (!(share >= 0 && share < 1)) {
        throw new IllegalArgumentException("max violation share must be in [0, 1), got " + share);
      }
      this.maxViolationShare = share;
      return this;
    }

    /**
     * @param check whether absent and unknown features are judged (default true)
     * @return this
     */
    public Builder checkFeatureSet(boolean check) {
      this.checkFeatureSet = check;
      return this;
    }

    /** @return the rules */
    public DataQualityRules build() {
      return new DataQualityRules(ranges, domains, completeness, maxViolationShare, checkFeatureSet);
    }
  }
}
