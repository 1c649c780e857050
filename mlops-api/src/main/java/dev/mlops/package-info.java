/**
 * The mlops public API: open a {@link dev.mlops.Workspace} with {@link dev.mlops.Mlops#open},
 * then version artifacts, govern models and track experiments.
 */
package dev.mlops;
