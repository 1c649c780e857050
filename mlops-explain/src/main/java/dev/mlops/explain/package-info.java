/**
 * Bias metrics and explainability: SageMaker Clarify's pre-training and post-training bias
 * metrics over a facet (computed in one pass from mergeable counts, {@link dev.mlops.explain.BiasCounts}),
 * exact Shapley values and Kernel SHAP for any {@code double[] -> double} model
 * ({@link dev.mlops.explain.ShapExplainer}), permutation feature importance
 * ({@link dev.mlops.explain.PermutationImportance}), and immutable reports with a versioned JSON
 * form stored next to a model version ({@link dev.mlops.explain.ExplainReports}).
 *
 * <p>The metric definitions follow the public SageMaker Clarify documentation and the paper
 * "Amazon SageMaker Clarify: Machine Learning Bias Detection and Explainability in the Cloud"
 * (Hardt et al., KDD 2021); Kernel SHAP follows Lundberg and Lee, "A Unified Approach to
 * Interpreting Model Predictions" (NeurIPS 2017). See docs/explain.md for the table of metrics.
 */
package dev.mlops.explain;
