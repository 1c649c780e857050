/**
 * Pipelines and continuous training, run inside the host JVM on the workspace's store: a typed
 * DAG of named steps, step caching keyed by code version, parameters and input digests, durable
 * executions whose state is a hash-chained log (resumable after a crash), quality gates, and
 * retrain triggers (package {@code dev.mlops.pipeline.trigger}).
 */
package dev.mlops.pipeline;
