package dev.mlops.explain;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * The partial counts every bias metric is computed from: per group (of the optional group column)
 * and per facet, the number of rows for each (label, predicted label) pair. One pass over the data
 * fills it ({@link #add}); counts from different partitions, threads or machines combine exactly
 * with {@link #merge}, so metrics over a union equal metrics over the merged counts.
 *
 * <p>Rows are added either all with predictions (post-training and pre-training metrics) or all
 * without (pre-training metrics only); mixing the two is rejected.
 *
 * <p>Not thread-safe; confine to one thread (give each thread its own and merge).
 */
public final class BiasCounts {
  private static final int CELLS = 8; // facet(2) x label(2) x predicted(2)

  private long[] counts;
  private int groups;
  private Mode mode = Mode.EMPTY;

  private enum Mode { EMPTY, LABELS_ONLY, WITH_PREDICTIONS }

  private BiasCounts(long[] counts, int groups, Mode mode) {
    this.counts = counts;
    this.groups = groups;
    this.mode = mode;
  }

  /**
   * Empty counts.
   *
   * @return new counts
   */
  public static BiasCounts create() {
    return new BiasCounts(new long[CELLS], 1, Mode.EMPTY);
  }

  static BiasCounts ofRaw(long[] counts, int groups, boolean withPredictions) {
    long total = 0;
    for (long c : counts) {
      total += c;
    }
    Mode mode = total == 0 ? Mode.EMPTY : withPredictions ? Mode.WITH_PREDICTIONS : Mode.LABELS_ONLY;
    return new BiasCounts(counts, groups, mode);
  }

  static int cell(boolean inFacetD, boolean label, boolean predicted) {
    return (inFacetD ? 4 : 0) | (label ? 2 : 0) | (predicted ? 1 : 0);
  }

  /**
   * Counts one labelled and predicted row of group 0.
   *
   * @param inFacetD whether the row belongs to the sensitive facet d
   * @param labelPositive whether its label is positive
   * @param predictedPositive whether its predicted label is positive
   * @throws IllegalStateException if rows without predictions were added before
   */
  public void add(boolean inFacetD, boolean labelPositive, boolean predictedPositive) {
    add(0, inFacetD, labelPositive, predictedPositive);
  }

  /**
   * Counts one labelled and predicted row.
   *
   * @param group the row's group index (≥ 0) in the conditioning group column
   * @param inFacetD whether the row belongs to the sensitive facet d
   * @param labelPositive whether its label is positive
   * @param predictedPositive whether its predicted label is positive
   * @throws IllegalArgumentException if group is negative
   * @throws IllegalStateException if rows without predictions were added before
   */
  public void add(int group, boolean inFacetD, boolean labelPositive, boolean predictedPositive) {
    if (mode != Mode.WITH_PREDICTIONS) {
      switchMode(Mode.WITH_PREDICTIONS);
    }
    int at = slot(group); // may grow the array: index first, then read the field
    counts[at + cell(inFacetD, labelPositive, predictedPositive)]++;
  }

  /**
   * Counts one labelled row without a prediction (pre-training metrics only).
   *
   * @param group the row's group index (≥ 0)
   * @param inFacetD whether the row belongs to the sensitive facet d
   * @param labelPositive whether its label is positive
   * @throws IllegalArgumentException if group is negative
   * @throws IllegalStateException if rows with predictions were added before
   */
  public void addLabelled(int group, boolean inFacetD, boolean labelPositive) {
    if (mode != Mode.LABELS_ONLY) {
      switchMode(Mode.LABELS_ONLY);
    }
    int at = slot(group);
    counts[at + cell(inFacetD, labelPositive, false)]++;
  }

  private void switchMode(Mode wanted) {
    if (mode != Mode.EMPTY) {
      throw new IllegalStateException("these counts hold rows " + (mode == Mode.LABELS_ONLY ? "without" : "with")
          + " predictions; rows " + (wanted == Mode.LABELS_ONLY ? "without" : "with") + " predictions cannot be mixed in");
    }
    mode = wanted;
  }

  private int slot(int group) {
    if (group < 0) {
      throw new IllegalArgumentException("group index must be >= 0, got " + group);
    }
    if (group >= groups) {
      grow(group + 1);
    }
    return group * CELLS;
  }

  private void grow(int newGroups) {
    counts = Arrays.copyOf(counts, newGroups * CELLS);
    groups = newGroups;
  }

  /**
   * Adds another set of counts to this one (group indexes must mean the same groups in both).
   *
   * @param other the counts to add; unchanged
   * @return this
   * @throws IllegalArgumentException if one holds rows with predictions and the other without
   */
  public BiasCounts merge(BiasCounts other) {
    Objects.requireNonNull(other, "other");
    if (other.mode != Mode.EMPTY && mode != Mode.EMPTY && other.mode != mode) {
      throw new IllegalArgumentException("cannot merge counts with predictions and counts without predictions");
    }
    if (other.groups > groups) {
      grow(other.groups);
    }
    for (int i = 0; i < other.groups * CELLS; i++) {
      counts[i] += other.counts[i];
    }
    if (mode == Mode.EMPTY) {
      mode = other.mode;
    }
    return this;
  }

  /**
   * A copy of these counts.
   *
   * @return an independent copy
   */
  public BiasCounts copy() {
    return new BiasCounts(counts.clone(), groups, mode);
  }

  /**
   * The number of rows counted.
   *
   * @return the row count
   */
  public long rowCount() {
    long n = 0;
    for (int i = 0; i < groups * CELLS; i++) {
      n += counts[i];
    }
    return n;
  }

  /**
   * The number of group indexes seen (highest index + 1; at least 1).
   *
   * @return the group count
   */
  public int groupCount() {
    return groups;
  }

  /**
   * Whether the rows carry predictions (post-training metrics are available).
   *
   * @return true if rows were added with predictions
   */
  public boolean hasPredictions() {
    return mode == Mode.WITH_PREDICTIONS;
  }

  /**
   * The count of one cell.
   *
   * @param group group index
   * @param inFacetD facet d (true) or a (false)
   * @param labelPositive label
   * @param predictedPositive predicted label (false for rows without predictions)
   * @return the count, 0 for a group never seen
   */
  public long count(int group, boolean inFacetD, boolean labelPositive, boolean predictedPositive) {
    if (group < 0 || group >= groups) {
      return 0;
    }
    return counts[group * CELLS + cell(inFacetD, labelPositive, predictedPositive)];
  }

  /** Facet totals summed over groups: [d][label][predicted]. */
  private long[][][] totals() {
    long[][][] t = new long[2][2][2];
    for (int g = 0; g < groups; g++) {
      for (int c = 0; c < CELLS; c++) {
        t[c >> 2][(c >> 1) & 1][c & 1] += counts[g * CELLS + c];
      }
    }
    return t;
  }

  /**
   * The pre-training metrics CI, DPL, KL, JS, LP, TVD, KS and CDDL, in that order.
   *
   * @return one value per metric; undefined ones are NaN with a reason
   */
  public List<MetricValue> preTraining() {
    long[][][] t = totals();
    long na = sum(t[0]);
    long nd = sum(t[1]);
    long na1 = t[0][1][0] + t[0][1][1];
    long nd1 = t[1][1][0] + t[1][1][1];
    List<MetricValue> out = new ArrayList<>(8);
    long n = na + nd;
    out.add(n == 0 ? MetricValue.undefined(BiasMetric.CI, "no rows") : MetricValue.of(BiasMetric.CI, (double) (na - nd) / n));
    String empty = emptyFacet(na, nd);
    if (empty != null) {
      for (BiasMetric m : new BiasMetric[] {BiasMetric.DPL, BiasMetric.KL, BiasMetric.JS, BiasMetric.LP, BiasMetric.TVD, BiasMetric.KS}) {
        out.add(MetricValue.undefined(m, empty));
      }
    } else {
      double qa = (double) na1 / na;
      double qd = (double) nd1 / nd;
      double[] pa = {1 - qa, qa};
      double[] pd = {1 - qd, qd};
      out.add(MetricValue.of(BiasMetric.DPL, qa - qd));
      double kl = kl(pa, pd);
      out.add(Double.isInfinite(kl)
          ? MetricValue.undefined(BiasMetric.KL, "facet d has no label " + (qd == 0 ? "positives" : "negatives")
              + " while facet a has some: the divergence is infinite")
          : MetricValue.of(BiasMetric.KL, kl));
      double[] mid = {(pa[0] + pd[0]) / 2, (pa[1] + pd[1]) / 2};
      out.add(MetricValue.of(BiasMetric.JS, (kl(pa, mid) + kl(pd, mid)) / 2));
      double d0 = pa[0] - pd[0];
      double d1 = pa[1] - pd[1];
      out.add(MetricValue.of(BiasMetric.LP, Math.sqrt(d0 * d0 + d1 * d1)));
      out.add(MetricValue.of(BiasMetric.TVD, (Math.abs(d0) + Math.abs(d1)) / 2));
      out.add(MetricValue.of(BiasMetric.KS, Math.max(Math.abs(d0), Math.abs(d1))));
    }
    out.add(conditionalDisparity(BiasMetric.CDDL, false));
    return List.copyOf(out);
  }

  /**
   * The post-training metrics DPPL, DI, DCA, DCR, RD, DAR, DRR, AD, TE, FT, CDDPL and GE, in that
   * order. FT needs feature values and is always undefined here (see {@link BiasAnalysis}).
   *
   * @return one value per metric; undefined ones are NaN with a reason
   * @throws IllegalStateException if the rows were added without predictions
   */
  public List<MetricValue> postTraining() {
    if (mode == Mode.LABELS_ONLY) {
      throw new IllegalStateException("post-training metrics need predicted labels; these counts hold labels only");
    }
    long[][][] t = totals();
    long na = sum(t[0]);
    long nd = sum(t[1]);
    List<MetricValue> out = new ArrayList<>(12);
    String empty = emptyFacet(na, nd);
    // confusion cells: t[f][label][pred]
    long tpA = t[0][1][1], fpA = t[0][0][1], fnA = t[0][1][0], tnA = t[0][0][0];
    long tpD = t[1][1][1], fpD = t[1][0][1], fnD = t[1][1][0], tnD = t[1][0][0];
    long predPosA = tpA + fpA, predPosD = tpD + fpD;
    long predNegA = tnA + fnA, predNegD = tnD + fnD;
    if (empty != null) {
      out.add(MetricValue.undefined(BiasMetric.DPPL, empty));
      out.add(MetricValue.undefined(BiasMetric.DI, empty));
    } else {
      double qa = (double) predPosA / na;
      double qd = (double) predPosD / nd;
      out.add(MetricValue.of(BiasMetric.DPPL, qa - qd));
      out.add(predPosA == 0
          ? MetricValue.undefined(BiasMetric.DI, "facet a has no predicted positives")
          : MetricValue.of(BiasMetric.DI, qd / qa));
    }
    out.add(difference(BiasMetric.DCA, tpA + fnA, predPosA, tpD + fnD, predPosD, "predicted positives", false));
    out.add(difference(BiasMetric.DCR, tnA + fpA, predNegA, tnD + fpD, predNegD, "predicted negatives", true));
    out.add(difference(BiasMetric.RD, tpA, tpA + fnA, tpD, tpD + fnD, "label positives", false));
    out.add(difference(BiasMetric.DAR, tpA, predPosA, tpD, predPosD, "predicted positives", false));
    out.add(difference(BiasMetric.DRR, tnA, predNegA, tnD, predNegD, "predicted negatives", true));
    out.add(difference(BiasMetric.AD, tpA + tnA, na, tpD + tnD, nd, "rows", false));
    out.add(difference(BiasMetric.TE, fnA, fpA, fnD, fpD, "false positives", true));
    out.add(MetricValue.undefined(BiasMetric.FT, "the flip test needs feature values; name feature columns in BiasSpec.flipTestFeatures"));
    out.add(conditionalDisparity(BiasMetric.CDDPL, true));
    out.add(generalizedEntropy(tpA + tnA + tpD + tnD, fpA + fpD, fnA + fnD));
    return List.copyOf(out);
  }

  /**
   * The pre-training metrics followed by the post-training ones (when the rows carry predictions).
   *
   * @return the values
   */
  public List<MetricValue> all() {
    List<MetricValue> out = new ArrayList<>(preTraining());
    if (hasPredictions()) {
      out.addAll(postTraining());
    }
    return List.copyOf(out);
  }

  private static long sum(long[][] f) {
    return f[0][0] + f[0][1] + f[1][0] + f[1][1];
  }

  private static String emptyFacet(long na, long nd) {
    if (nd == 0 && na == 0) {
      return "no rows";
    }
    if (nd == 0) {
      return "facet d has no rows";
    }
    if (na == 0) {
      return "facet a has no rows (every row is in facet d)";
    }
    return null;
  }

  /** numA/denA - numD/denD, or the reverse order when {@code dMinusA}. */
  private static MetricValue difference(BiasMetric m, long numA, long denA, long numD, long denD, String what, boolean dMinusA) {
    if (denA == 0 || denD == 0) {
      String facet = denA == 0 && denD == 0 ? "facets a and d have" : denA == 0 ? "facet a has" : "facet d has";
      return MetricValue.undefined(m, facet + " no " + what);
    }
    double a = (double) numA / denA;
    double d = (double) numD / denD;
    return MetricValue.of(m, dMinusA ? d - a : a - d);
  }

  private static double kl(double[] p, double[] q) {
    double s = 0;
    for (int i = 0; i < p.length; i++) {
      if (p[i] > 0) {
        if (q[i] == 0) {
          return Double.POSITIVE_INFINITY;
        }
        s += p[i] * Math.log(p[i] / q[i]);
      }
    }
    return s;
  }

  private MetricValue conditionalDisparity(BiasMetric m, boolean predicted) {
    String outcome = predicted ? "predicted" : "label";
    long n = 0;
    double weighted = 0;
    for (int g = 0; g < groups; g++) {
      long[] byOutcomeD = new long[2];
      long[] byOutcome = new long[2];
      for (int c = 0; c < CELLS; c++) {
        long k = counts[g * CELLS + c];
        int outcomeBit = predicted ? c & 1 : (c >> 1) & 1;
        byOutcome[outcomeBit] += k;
        if ((c & 4) != 0) {
          byOutcomeD[outcomeBit] += k;
        }
      }
      long ng = byOutcome[0] + byOutcome[1];
      if (ng == 0) {
        continue; // an index never used: no rows, no weight
      }
      if (byOutcome[0] == 0 || byOutcome[1] == 0) {
        return MetricValue.undefined(m, (groups == 1 ? "the data set" : "group " + g) + " has no " + outcome + " "
            + (byOutcome[0] == 0 ? "negatives" : "positives") + ", so its demographic disparity is undefined");
      }
      double dd = (double) byOutcomeD[0] / byOutcome[0] - (double) byOutcomeD[1] / byOutcome[1];
      weighted += ng * dd;
      n += ng;
    }
    if (n == 0) {
      return MetricValue.undefined(m, "no rows");
    }
    return MetricValue.of(m, weighted / n);
  }

  private static MetricValue generalizedEntropy(long correct, long falsePositives, long falseNegatives) {
    long n = correct + falsePositives + falseNegatives;
    if (n == 0) {
      return MetricValue.undefined(BiasMetric.GE, "no rows");
    }
    // b = 1 for correct rows, 2 for false positives, 0 for false negatives; alpha = 2
    double mu = (correct + 2.0 * falsePositives) / n;
    if (mu == 0) {
      return MetricValue.undefined(BiasMetric.GE, "every row is a false negative (mean benefit 0)");
    }
    double sumSq = (correct + 4.0 * falsePositives) / (mu * mu);
    return MetricValue.of(BiasMetric.GE, (sumSq - n) / (2.0 * n));
  }

  @Override
  public String toString() {
    return "BiasCounts[rows=" + rowCount() + ", groups=" + groups + ", predictions=" + hasPredictions() + "]";
  }
}
