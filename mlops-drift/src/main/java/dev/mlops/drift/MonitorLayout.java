package dev.mlops.drift;

import dev.mlops.Digest;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Where each count of a monitored window lives, derived once from the baseline. Numeric feature
 * {@code f} owns slots {@code [16 f, 16 f + 16)} of the bin arrays, and its interior edges are
 * stored in the same 16 slots padded with +Inf, so the bin of a value is a fixed four-step
 * branch-free search. Categorical feature {@code j} owns slots
 * {@code [offset j, offset j + buckets j + 2)}: its buckets (other last), then missing, then unknown.
 *
 * <p>Immutable and thread-safe.
 */
final class MonitorLayout {
  static final int SLOTS = 16;

  final BaselineProfile profile;
  final long fingerprint;
  final int numeric;
  final double[] edges;
  final int[] bins;
  final int categorical;
  final int[] categoricalOffset;
  final int[] buckets;
  final int[] cardinality;
  final int[] codeOffset;
  final int[] bucketOfCode;
  final int categoricalSlots;
  /** Feature name to input slot: numeric feature f is slot f, categorical feature j is numeric + j. */
  final Map<String, Integer> slotOfName;
  /** Every feature name, numeric ones first, in slot order. */
  final List<String> names;
  /**
   * Per categorical feature, category to code: keyed by the category text, and also by its
   * {@code Long} (and {@code Integer}, if it fits) value when the text is an integer and its
   * {@code Boolean} when it is true/false,
   * so a stored feature value (String, Long, Boolean) finds its code without allocating.
   */
  final List<Map<Object, Integer>> codeOfValue;

  MonitorLayout(BaselineProfile profile) {
    this.profile = profile;
    byte[] sha = Digest.newSha256().digest(profile.toBytes());
    this.fingerprint = ByteBuffer.wrap(sha).getLong();
    List<NumericFeatureProfile> nums = profile.numericFeatures();
    numeric = nums.size();
    edges = new double[numeric * SLOTS];
    Arrays.fill(edges, Double.POSITIVE_INFINITY);
    bins = new int[numeric];
    for (int f = 0; f < numeric; f++) {
      double[] e = nums.get(f).binEdges();
      System.arraycopy(e, 0, edges, f * SLOTS, e.length);
      bins[f] = e.length + 1;
    }
    List<CategoricalFeatureProfile> cats = profile.categoricalFeatures();
    categorical = cats.size();
    categoricalOffset = new int[categorical];
    buckets = new int[categorical];
    cardinality = new int[categorical];
    codeOffset = new int[categorical];
    int slots = 0;
    int codes = 0;
    for (int j = 0; j < categorical; j++) {
      CategoricalFeatureProfile c = cats.get(j);
      categoricalOffset[j] = slots;
      buckets[j] = c.bucketLabels().size();
      slots += buckets[j] + 2;
      cardinality[j] = c.feature().categories().size();
      codeOffset[j] = codes;
      codes += cardinality[j];
    }
    categoricalSlots = slots;
    bucketOfCode = new int[codes];
    for (int j = 0; j < categorical; j++) {
      int[] map = cats.get(j).bucketOfCode();
      System.arraycopy(map, 0, bucketOfCode, codeOffset[j], map.length);
    }
    Map<String, Integer> slots0 = new HashMap<>();
    List<String> names0 = new ArrayList<>();
    for (int f = 0; f < numeric; f++) {
      slots0.put(nums.get(f).name(), f);
      names0.add(nums.get(f).name());
    }
    List<Map<Object, Integer>> codeMaps = new ArrayList<>();
    for (int j = 0; j < categorical; j++) {
      slots0.put(cats.get(j).name(), numeric + j);
      names0.add(cats.get(j).name());
      Map<Object, Integer> codesOf = new HashMap<>();
      List<String> categories = cats.get(j).feature().categories();
      for (int c = 0; c < categories.size(); c++) {
        String category = categories.get(c);
        codesOf.put(category, c);
        try {
          long asLong = Long.parseLong(category);
          codesOf.putIfAbsent(asLong, c);
          if (asLong == (int) asLong) {
            codesOf.putIfAbsent((int) asLong, c);
          }
        } catch (NumberFormatException notAnInteger) {
          // only texts of integers get a Long key
        }
        if (category.equals("true") || category.equals("false")) {
          codesOf.putIfAbsent(Boolean.valueOf(category), c);
        }
      }
      codeMaps.add(Collections.unmodifiableMap(codesOf));
    }
    slotOfName = Collections.unmodifiableMap(slots0);
    names = List.copyOf(names0);
    codeOfValue = List.copyOf(codeMaps);
  }

  /**
   * @param feature a feature name
   * @return its input slot
   * @throws IllegalArgumentException naming the feature and listing the baseline's features if unknown
   */
  int slot(String feature) {
    Integer slot = slotOfName.get(java.util.Objects.requireNonNull(feature, "feature"));
    if (slot == null) {
      throw new IllegalArgumentException("the baseline has no feature '" + feature + "'; its features are " + names);
    }
    return slot;
  }

  String numericName(int f) {
    return profile.numericFeatures().get(f).name();
  }

  String categoricalName(int j) {
    return profile.categoricalFeatures().get(j).name();
  }
}
