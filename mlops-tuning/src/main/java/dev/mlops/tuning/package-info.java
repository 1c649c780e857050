/**
 * Hyperparameter tuning whose trials are experiment runs: search spaces (declared or
 * define-by-run), samplers (grid, random, Sobol, TPE), pruners (median rule, successive halving
 * / ASHA, Hyperband) and a {@link dev.mlops.tuning.Study}, kept in memory or in the object store
 * ({@link dev.mlops.tuning.StoreStudyLog}) so several threads and processes work one study.
 *
 * <p>See {@code docs/tuning.md} for the design, the stored format and the comparison with
 * Optuna.
 */
package dev.mlops.tuning;
