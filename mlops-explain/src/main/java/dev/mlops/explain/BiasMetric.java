package dev.mlops.explain;

/**
 * The bias metrics of SageMaker Clarify, defined from the public Clarify documentation and paper.
 *
 * <p>Notation: facet <i>d</i> is the sensitive group selected by the facet condition and facet
 * <i>a</i> is every other row; n<sub>a</sub>, n<sub>d</sub> their sizes, n = n<sub>a</sub> +
 * n<sub>d</sub>. Labels y and predicted labels ŷ are 1 (positive, "accepted") or 0.
 * n<sub>a</sub>(1) is the number of label positives in facet a, q<sub>a</sub> = n<sub>a</sub>(1)/n<sub>a</sub>;
 * n̂<sub>a</sub>(1) the number of predicted positives, q̂<sub>a</sub> = n̂<sub>a</sub>(1)/n<sub>a</sub>;
 * TP<sub>a</sub>, FP<sub>a</sub>, FN<sub>a</sub>, TN<sub>a</sub> the confusion counts of facet a; likewise for d.
 * P<sub>a</sub> = (1 − q<sub>a</sub>, q<sub>a</sub>) is facet a's label distribution.
 *
 * <p>A metric that is undefined for the data (a zero denominator, a facet without rows) is
 * reported as NaN with a reason ({@link MetricValue#reason()}), never as an exception or as 0.
 *
 * <p>Immutable and thread-safe.
 */
public enum BiasMetric {
  /**
   * Class imbalance: CI = (n<sub>a</sub> − n<sub>d</sub>) / n. Range [−1, 1]; 0 = no bias.
   * Undefined (NaN) when there are no rows.
   */
  CI(Stage.PRE_TRAINING, "Class imbalance", "(na - nd) / (na + nd)", "[-1, 1]", 0),
  /**
   * Difference in proportions of labels: DPL = q<sub>a</sub> − q<sub>d</sub>. Range [−1, 1];
   * 0 = no bias. Undefined when a facet has no rows.
   */
  DPL(Stage.PRE_TRAINING, "Difference in proportions of labels", "qa - qd", "[-1, 1]", 0),
  /**
   * Kullback–Leibler divergence of the label distributions: KL = Σ<sub>y</sub> P<sub>a</sub>(y)
   * ln(P<sub>a</sub>(y)/P<sub>d</sub>(y)) (natural log; terms with P<sub>a</sub>(y) = 0 are 0).
   * Range [0, ∞); 0 = no bias. Undefined when a facet has no rows, or when P<sub>d</sub>(y) = 0
   * for a y with P<sub>a</sub>(y) &gt; 0 (the divergence is infinite).
   */
  KL(Stage.PRE_TRAINING, "Kullback-Leibler divergence", "sum_y Pa(y) ln(Pa(y)/Pd(y))", "[0, +inf)", 0),
  /**
   * Jensen–Shannon divergence: JS = ½ [KL(P<sub>a</sub> ‖ P) + KL(P<sub>d</sub> ‖ P)] with
   * P = ½ (P<sub>a</sub> + P<sub>d</sub>). Range [0, ln 2]; 0 = no bias. Undefined when a facet has no rows.
   */
  JS(Stage.PRE_TRAINING, "Jensen-Shannon divergence", "(KL(Pa||P) + KL(Pd||P)) / 2, P = (Pa + Pd) / 2", "[0, ln 2]", 0),
  /**
   * L<sub>p</sub>-norm (p = 2) of the difference of the label distributions:
   * LP = (Σ<sub>y</sub> |P<sub>a</sub>(y) − P<sub>d</sub>(y)|²)<sup>½</sup>. Range [0, √2]; 0 = no bias.
   * Undefined when a facet has no rows.
   */
  LP(Stage.PRE_TRAINING, "Lp-norm (p = 2)", "sqrt(sum_y (Pa(y) - Pd(y))^2)", "[0, sqrt 2]", 0),
  /**
   * Total variation distance: TVD = ½ Σ<sub>y</sub> |P<sub>a</sub>(y) − P<sub>d</sub>(y)|. Range [0, 1];
   * 0 = no bias. Undefined when a facet has no rows.
   */
  TVD(Stage.PRE_TRAINING, "Total variation distance", "sum_y |Pa(y) - Pd(y)| / 2", "[0, 1]", 0),
  /**
   * Kolmogorov–Smirnov distance of the label distributions: KS = max<sub>y</sub>
   * |P<sub>a</sub>(y) − P<sub>d</sub>(y)|. Range [0, 1]; 0 = no bias. Undefined when a facet has no rows.
   */
  KS(Stage.PRE_TRAINING, "Kolmogorov-Smirnov", "max_y |Pa(y) - Pd(y)|", "[0, 1]", 0),
  /**
   * Conditional demographic disparity in labels: CDDL = (1/n) Σ<sub>i</sub> n<sub>i</sub> DD<sub>i</sub>
   * over the groups i of the group column (the whole data set is one group when there is none),
   * with DD<sub>i</sub> = n<sub>d,i</sub>(0)/n<sub>i</sub>(0) − n<sub>d,i</sub>(1)/n<sub>i</sub>(1): the share of
   * facet d among the group's rejected minus its share among the group's accepted. Range [−1, 1];
   * 0 = no bias. Undefined when a group has no label positives or no label negatives (the reason
   * names the group).
   */
  CDDL(Stage.PRE_TRAINING, "Conditional demographic disparity in labels", "sum_i n_i (nd_i(0)/n_i(0) - nd_i(1)/n_i(1)) / n", "[-1, 1]", 0),

  /**
   * Difference in positive proportions in predicted labels: DPPL = q̂<sub>a</sub> − q̂<sub>d</sub>.
   * Range [−1, 1]; 0 = no bias. Undefined when a facet has no rows.
   */
  DPPL(Stage.POST_TRAINING, "Difference in positive proportions in predicted labels", "q^a - q^d", "[-1, 1]", 0),
  /**
   * Disparate impact: DI = q̂<sub>d</sub> / q̂<sub>a</sub>. Range [0, ∞); 1 = no bias. Undefined when
   * facet a has no predicted positives.
   */
  DI(Stage.POST_TRAINING, "Disparate impact", "q^d / q^a", "[0, +inf)", 1),
  /**
   * Difference in conditional acceptance: DCA = c<sub>a</sub> − c<sub>d</sub> with c = n(1)/n̂(1),
   * observed over predicted positives. Range (−∞, ∞); 0 = no bias. Undefined when a facet has no
   * predicted positives.
   */
  DCA(Stage.POST_TRAINING, "Difference in conditional acceptance", "na(1)/n^a(1) - nd(1)/n^d(1)", "(-inf, +inf)", 0),
  /**
   * Difference in conditional rejection: DCR = r<sub>d</sub> − r<sub>a</sub> with r = n(0)/n̂(0),
   * observed over predicted negatives. Range (−∞, ∞); 0 = no bias. Undefined when a facet has no
   * predicted negatives.
   */
  DCR(Stage.POST_TRAINING, "Difference in conditional rejection", "nd(0)/n^d(0) - na(0)/n^a(0)", "(-inf, +inf)", 0),
  /**
   * Recall difference: RD = TP<sub>a</sub>/(TP<sub>a</sub> + FN<sub>a</sub>) − TP<sub>d</sub>/(TP<sub>d</sub> + FN<sub>d</sub>).
   * Range [−1, 1]; 0 = no bias. Undefined when a facet has no label positives.
   */
  RD(Stage.POST_TRAINING, "Recall difference", "TPa/(TPa+FNa) - TPd/(TPd+FNd)", "[-1, 1]", 0),
  /**
   * Difference in acceptance rates (precision difference): DAR = TP<sub>a</sub>/(TP<sub>a</sub> + FP<sub>a</sub>)
   * − TP<sub>d</sub>/(TP<sub>d</sub> + FP<sub>d</sub>). Range [−1, 1]; 0 = no bias. Undefined when a facet
   * has no predicted positives.
   */
  DAR(Stage.POST_TRAINING, "Difference in acceptance rates", "TPa/(TPa+FPa) - TPd/(TPd+FPd)", "[-1, 1]", 0),
  /**
   * Difference in rejection rates: DRR = TN<sub>d</sub>/(TN<sub>d</sub> + FN<sub>d</sub>) −
   * TN<sub>a</sub>/(TN<sub>a</sub> + FN<sub>a</sub>). Range [−1, 1]; 0 = no bias. Undefined when a facet
   * has no predicted negatives.
   */
  DRR(Stage.POST_TRAINING, "Difference in rejection rates", "TNd/(TNd+FNd) - TNa/(TNa+FNa)", "[-1, 1]", 0),
  /**
   * Accuracy difference: AD = ACC<sub>a</sub> − ACC<sub>d</sub>, ACC = (TP + TN)/n. Range [−1, 1];
   * 0 = no bias. Undefined when a facet has no rows.
   */
  AD(Stage.POST_TRAINING, "Accuracy difference", "(TPa+TNa)/na - (TPd+TNd)/nd", "[-1, 1]", 0),
  /**
   * Treatment equality: TE = FN<sub>d</sub>/FP<sub>d</sub> − FN<sub>a</sub>/FP<sub>a</sub>. Range (−∞, ∞);
   * 0 = no bias. Undefined when a facet has no false positives.
   */
  TE(Stage.POST_TRAINING, "Treatment equality", "FNd/FPd - FNa/FPa", "(-inf, +inf)", 0),
  /**
   * Counterfactual flip test: FT = (F<sup>+</sup> − F<sup>−</sup>)/n<sub>d</sub>, where for each row of
   * facet d the majority predicted label of its k nearest neighbours in facet a (Euclidean
   * distance over the chosen feature columns, standardised) is compared with its own:
   * F<sup>+</sup> counts rows predicted negative whose neighbours are predicted positive, F<sup>−</sup>
   * the reverse. Range [−1, 1]; 0 = no bias. Needs feature columns
   * ({@link BiasSpec#flipTestFeatures()}); undefined (NaN) without them, from counts alone, or
   * when a facet has no rows. Cost O(n<sub>d</sub> · n<sub>a</sub>) distance evaluations.
   */
  FT(Stage.POST_TRAINING, "Counterfactual flip test", "(F+ - F-) / nd over k nearest facet-a neighbours", "[-1, 1]", 0),
  /**
   * Conditional demographic disparity in predicted labels: CDDPL, the same as {@link #CDDL} with
   * the predicted labels ŷ in place of y. Range [−1, 1]; 0 = no bias. Undefined when a group has
   * no predicted positives or no predicted negatives.
   */
  CDDPL(Stage.POST_TRAINING, "Conditional demographic disparity in predicted labels", "sum_i n_i (nd_i^(0)/n_i^(0) - nd_i^(1)/n_i^(1)) / n", "[-1, 1]", 0),
  /**
   * Generalized entropy index (α = 2) over all rows: GE = 1/(n α(α−1)) Σ<sub>i</sub> [(b<sub>i</sub>/μ)<sup>α</sup> − 1]
   * with b<sub>i</sub> = ŷ<sub>i</sub> − y<sub>i</sub> + 1 and μ the mean of b. Range [0, 0.5] for α = 2;
   * 0 = no bias (every row equally well served). Undefined when μ = 0 (every row is a false negative).
   */
  GE(Stage.POST_TRAINING, "Generalized entropy (alpha = 2)", "sum_i ((b_i/mu)^2 - 1) / (2n), b_i = yhat_i - y_i + 1", "[0, 0.5]", 0);

  /** Whether a metric needs only labels (pre-training) or also predicted labels (post-training). */
  public enum Stage {
    /** Computed from the labelled data set alone. */
    PRE_TRAINING,
    /** Computed from labels and the model's predicted labels. */
    POST_TRAINING
  }

  private final Stage stage;
  private final String title;
  private final String formula;
  private final String range;
  private final double noBias;

  BiasMetric(Stage stage, String title, String formula, String range, double noBias) {
    this.stage = stage;
    this.title = title;
    this.formula = formula;
    this.range = range;
    this.noBias = noBias;
  }

  /**
   * Pre- or post-training.
   *
   * @return the stage
   */
  public Stage stage() {
    return stage;
  }

  /**
   * The metric's full name, e.g. "Class imbalance".
   *
   * @return the title
   */
  public String title() {
    return title;
  }

  /**
   * The formula in plain text.
   *
   * @return the formula
   */
  public String formula() {
    return formula;
  }

  /**
   * The range of values, in interval notation.
   *
   * @return the range
   */
  public String range() {
    return range;
  }

  /**
   * The value meaning "no bias" (0, or 1 for {@link #DI}).
   *
   * @return the value
   */
  public double noBiasValue() {
    return noBias;
  }
}
