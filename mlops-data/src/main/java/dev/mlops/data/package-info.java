/**
 * Batch data validation: infer a schema and compute mergeable, bounded-memory column statistics
 * ({@link dev.mlops.data.DataProfiler}), get suggested constraints
 * ({@link dev.mlops.data.ConstraintSuggester}), edit them ({@link dev.mlops.data.Constraints}),
 * verify batches ({@link dev.mlops.data.DataValidator}) and store it all next to a model version or
 * a dataset digest ({@link dev.mlops.data.DataQualityStore}). Inputs are
 * {@link dev.mlops.data.Records}: maps, arrays, CSV files, the feature store's training rows.
 * Formats are documented in {@code docs/data-validation.md}.
 */
package dev.mlops.data;
