/**
 * Serving around the host's own predictor: registry events ({@link dev.mlops.serving.ModelWatcher}),
 * an {@link dev.mlops.serving.Endpoint} that serves the version an alias points at and hot-swaps
 * when it moves, deployments (all-at-once, canary, linear, blue/green, A/B, shadow) stored as a
 * hash-chained log per endpoint so every serving process converges
 * ({@link dev.mlops.serving.Deployments}), guardrails that roll a deployment back in every process,
 * and batch scoring ({@link dev.mlops.serving.BatchScorer}).
 */
package dev.mlops.serving;
