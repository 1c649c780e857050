package dev.mlops.drift;

import dev.mlops.Digest;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * {@link DataQualityRules} resolved against a monitor's {@link MonitorLayout}: the arrays
 * {@code record} reads, where each data-quality counter lives, and the judging of a window's
 * counts into a {@link DataQualitySummary} and {@code data-quality-*} check results.
 *
 * <p>Counter slots, for {@code F} features in slot order (numeric, then categorical): {@code [0, F)}
 * out of range (numeric) / out of domain (categorical), {@code [F, 2F)} type mismatches,
 * {@code [2F, 3F)} absent from the input, {@code 3F} extra feature values, {@code 3F + 1} records
 * with extra features.
 *
 * <p>Immutable and thread-safe.
 */
final class QualityPlan {
  /** Check names the monitor reserves: user checks may not start with this. */
  static final String PREFIX = "data-quality-";
  static final String RANGE = PREFIX + "range";
  static final String DOMAIN = PREFIX + "domain";
  static final String TYPE = PREFIX + "type";
  static final String COMPLETENESS = PREFIX + "completeness";
  static final String FEATURES = PREFIX + "features";

  final DataQualityRules rules;
  final MonitorLayout layout;
  /** Identifies the rules in snapshots; never 0 (0 = no counts). */
  final long fingerprint;
  final int features;
  final int slots;
  final int typeBase;
  final int absentBase;
  final int extra;
  /** Per numeric feature, its range; -Inf/+Inf without a rule. */
  final double[] lo;
  final double[] hi;
  /** lo and hi interleaved ({@code [2f] = lo, [2f + 1] = hi}), for {@code record}'s loop. */
  final double[] bounds;
  /** Per category code (at the layout's code offsets), 1 if a domain rule excludes it. */
  final int[] disallowed;
  private final boolean[] hasRange;
  private final boolean[] hasDomain;
  /** Per feature slot, its minimum completeness; NaN without a rule. */
  private final double[] minCompleteness;

  QualityPlan(MonitorLayout layout, DataQualityRules rules) {
    this.rules = rules;
    this.layout = layout;
    features = layout.numeric + layout.categorical;
    typeBase = features;
    absentBase = 2 * features;
    extra = 3 * features;
    slots = 3 * features + 2;
    lo = new double[layout.numeric];
    hi = new double[layout.numeric];
    Arrays.fill(lo, Double.NEGATIVE_INFINITY);
    Arrays.fill(hi, Double.POSITIVE_INFINITY);
    hasRange = new boolean[layout.numeric];
    hasDomain = new boolean[layout.categorical];
    disallowed = new int[layout.bucketOfCode.length];
    minCompleteness = new double[features];
    Arrays.fill(minCompleteness, Double.NaN);
    for (Map.Entry<String, DataQualityRules.Range> e : rules.ranges().entrySet()) {
      int slot = slotOf(e.getKey(), "range");
      if (slot >= layout.numeric) {
        throw new IllegalArgumentException("data-quality range for '" + e.getKey()
            + "': it is a categorical feature; give it a domain instead");
      }
      lo[slot] = e.getValue().min();
      hi[slot] = e.getValue().max();
      hasRange[slot] = true;
    }
    for (Map.Entry<String, Set<String>> e : rules.domains().entrySet()) {
      int slot = slotOf(e.getKey(), "domain");
      if (slot < layout.numeric) {
        throw new IllegalArgumentException("data-quality domain for '" + e.getKey()
            + "': it is a numeric feature; give it a range instead");
      }
      int j = slot - layout.numeric;
      List<String> categories = layout.profile.categoricalFeatures().get(j).feature().categories();
      for (String c : e.getValue()) {
        if (!categories.contains(c)) {
          throw new IllegalArgumentException("data-quality domain of '" + e.getKey() + "' allows '" + c
              + "', which is not one of the baseline's categories " + categories
              + "; the monitor cannot tell it from other unknown categories");
        }
      }
      for (int code = 0; code < categories.size(); code++) {
        disallowed[layout.codeOffset[j] + code] = e.getValue().contains(categories.get(code)) ? 0 : 1;
      }
      hasDomain[j] = true;
    }
    for (Map.Entry<String, Double> e : rules.minCompleteness().entrySet()) {
      minCompleteness[slotOf(e.getKey(), "completeness")] = e.getValue();
    }
    bounds = new double[2 * layout.numeric];
    for (int f = 0; f < layout.numeric; f++) {
      bounds[2 * f] = lo[f];
      bounds[2 * f + 1] = hi[f];
    }
    fingerprint = fingerprintOf(rules);
  }

  private int slotOf(String feature, String rule) {
    Integer slot = layout.slotOfName.get(feature);
    if (slot == null) {
      throw new IllegalArgumentException("data-quality " + rule + " rule for '" + feature
          + "': the baseline has no such feature; its features are " + layout.names);
    }
    return slot;
  }

  /** A SHA-256 prefix of the rules in a canonical text form (sorted, exact doubles); never 0. */
  private static long fingerprintOf(DataQualityRules rules) {
    StringBuilder sb = new StringBuilder("dq1");
    new TreeMap<>(rules.ranges()).forEach((f, r) -> sb.append("|r:").append(f).append('=')
        .append(Long.toHexString(Double.doubleToLongBits(r.min()))).append(',')
        .append(Long.toHexString(Double.doubleToLongBits(r.max()))));
    new TreeMap<>(rules.domains()).forEach((f, d) -> sb.append("|d:").append(f).append('=')
        .append(String.join("\u0000", new java.util.TreeSet<>(d))));
    new TreeMap<>(rules.minCompleteness()).forEach((f, c) -> sb.append("|c:").append(f).append('=')
        .append(Long.toHexString(Double.doubleToLongBits(c))));
    sb.append("|s:").append(Long.toHexString(Double.doubleToLongBits(rules.maxViolationShare())));
    sb.append("|f:").append(rules.checkFeatureSet());
    long fp = ByteBuffer.wrap(Digest.newSha256().digest(sb.toString().getBytes(StandardCharsets.UTF_8))).getLong();
    return fp == 0 ? 1 : fp;
  }

  /** The window's counts under these rules (only missing values and completeness if it has none). */
  DataQualitySummary summarize(WindowSnapshot s) {
    boolean counted = s.qualityFingerprint == fingerprint && s.quality.length == slots;
    long[] q = counted ? s.quality : new long[slots];
    long records = s.records;
    List<FeatureQuality> out = new ArrayList<>(features);
    for (int f = 0; f < layout.numeric; f++) {
      long missing = s.missing[f];
      long outOfRange = counted ? q[f] + (hasRange[f] ? s.infinite[f] : 0) : 0;
      out.add(new FeatureQuality(layout.names.get(f), false, missing, q[absentBase + f], q[typeBase + f],
          outOfRange, 0, completeness(records, missing)));
    }
    for (int j = 0; j < layout.categorical; j++) {
      int slot = layout.numeric + j;
      long missing = s.categorical[layout.categoricalOffset[j] + layout.buckets[j]];
      out.add(new FeatureQuality(layout.names.get(slot), true, missing, q[absentBase + slot], q[typeBase + slot],
          0, q[slot], completeness(records, missing)));
    }
    return new DataQualitySummary(records, out, q[extra], q[extra + 1], counted);
  }

  private static double completeness(long records, long missing) {
    return records == 0 ? Double.NaN : (double) (records - missing) / records;
  }

  /** The {@code data-quality-*} check results of a window, in a fixed order. */
  List<CheckResult> judge(DataQualitySummary sum) {
    List<CheckResult> results = new ArrayList<>();
    boolean anyRange = false;
    for (boolean b : hasRange) {
      anyRange |= b;
    }
    boolean anyDomain = false;
    for (boolean b : hasDomain) {
      anyDomain |= b;
    }
    boolean anyCompleteness = rules.minCompleteness().size() > 0;
    String empty = sum.records() == 0 ? "the window has no records" : null;
    String uncounted = empty != null ? empty : sum.counted() ? null
        : "the window's snapshot carries no data-quality counts under these rules (it was written by a monitor "
            + "without them or with other rules, or in a snapshot format before 3)";
    double max = rules.maxViolationShare();
    if (anyRange) {
      results.add(shares(RANGE, uncounted, sum, f -> !f.categorical() && hasRange[slot(f)], FeatureQuality::outOfRange,
          "out of range", f -> "outside [" + number(lo[slot(f)]) + ", " + number(hi[slot(f)]) + "]", max));
    }
    if (anyDomain) {
      results.add(shares(DOMAIN, uncounted, sum, f -> f.categorical() && hasDomain[slot(f) - layout.numeric],
          FeatureQuality::outOfDomain, "out of domain",
          f -> "outside " + new java.util.TreeSet<>(rules.domains().get(f.name())), max));
    }
    results.add(shares(TYPE, uncounted, sum, f -> true, FeatureQuality::typeMismatches, "type mismatches",
        f -> f.categorical() ? "not a category code or a String/Long/Boolean" : "not a number", max));
    if (anyCompleteness) {
      results.add(completeness(sum, empty));
    }
    if (rules.checkFeatureSet()) {
      CheckResult absent = shares(FEATURES, uncounted, sum, f -> true, FeatureQuality::absent, "absent",
          f -> "absent from the input", max);
      if (absent.verdict() != CheckVerdict.NOT_EVALUATED) {
        List<CheckValue> values = new ArrayList<>(absent.values());
        double share = (double) sum.recordsWithExtraFeatures() / sum.records();
        boolean breached = share > max;
        values.add(new CheckValue("records with extra features", share, max, breached));
        String detail = absent.detail();
        if (breached) {
          String line = String.format(Locale.ROOT, "%d of %d records (%.2f%%) carried %d values of features the baseline "
              + "does not know", sum.recordsWithExtraFeatures(), sum.records(), 100 * share, sum.extraFeatures());
          detail = detail.startsWith("no ") ? line : detail + "\n" + line;
        }
        absent = CheckResult.of(FEATURES, values, detail);
      }
      results.add(absent);
    }
    return results;
  }

  private int slot(FeatureQuality f) {
    return layout.slotOfName.get(f.name());
  }

  private static CheckResult shares(String name, String notEvaluated, DataQualitySummary sum,
      java.util.function.Predicate<FeatureQuality> applies, java.util.function.ToLongFunction<FeatureQuality> count,
      String what, java.util.function.Function<FeatureQuality, String> bound, double max) {
    if (notEvaluated != null) {
      return CheckResult.notEvaluated(name, notEvaluated);
    }
    List<CheckValue> values = new ArrayList<>();
    StringBuilder detail = new StringBuilder();
    for (FeatureQuality f : sum.features()) {
      if (!applies.test(f)) {
        continue;
      }
      long n = count.applyAsLong(f);
      double share = (double) n / sum.records();
      boolean breached = share > max;
      values.add(new CheckValue(f.name() + " " + what, share, max, breached));
      if (breached) {
        detail.append(detail.length() == 0 ? "" : "\n").append(String.format(Locale.ROOT,
            "%s: %d of %d records (%.2f%%) %s", f.name(), n, sum.records(), 100 * share, bound.apply(f)));
      }
    }
    return CheckResult.of(name, values, detail.length() == 0 ? "no feature has " + what + " beyond "
        + String.format(Locale.ROOT, "%.2f%%", 100 * max) + " of records" : detail.toString());
  }

  private CheckResult completeness(DataQualitySummary sum, String notEvaluated) {
    if (notEvaluated != null) {
      return CheckResult.notEvaluated(COMPLETENESS, notEvaluated);
    }
    List<CheckValue> values = new ArrayList<>();
    StringBuilder detail = new StringBuilder();
    for (FeatureQuality f : sum.features()) {
      double min = minCompleteness[slot(f)];
      if (Double.isNaN(min)) {
        continue;
      }
      boolean breached = f.completeness() < min;
      values.add(new CheckValue(f.name() + " completeness", f.completeness(), min, breached));
      if (breached) {
        detail.append(detail.length() == 0 ? "" : "\n").append(String.format(Locale.ROOT,
            "%s: %d of %d records missing, completeness %.4f below %.4f", f.name(), f.missing(), sum.records(),
            f.completeness(), min));
      }
    }
    return CheckResult.of(COMPLETENESS, values,
        detail.length() == 0 ? "every feature is complete enough" : detail.toString());
  }

  private static String number(double v) {
    return Double.isInfinite(v) ? (v > 0 ? "+Inf" : "-Inf") : Double.toString(v);
  }
}
