/**
 * Hyperparameter tuning whose trials are experiment runs: search spaces (declared or
 * define-by-run), samplers (grid, random, Sobol, TPE), pruners (median rule, successive halving
 * / ASHA, Hyperband) and a single-process {@link dev.mlops.tuning.Study}.
 *
 * <p>Work in progress: see {@code docs/tuning.md} for what is built and what is still missing
 * (studies shared by several processes through the store).
 */
package dev.mlops.tuning;
