package dev.mlops.drift;

import dev.mlops.Digest;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;

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
  }

  String numericName(int f) {
    return profile.numericFeatures().get(f).name();
  }

  String categoricalName(int j) {
    return profile.categoricalFeatures().get(j).name();
  }
}
