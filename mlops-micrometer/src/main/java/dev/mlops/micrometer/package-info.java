/**
 * Micrometer meter binders: {@link dev.mlops.micrometer.PredictionMonitorMetrics} (per-feature
 * drift statistic, p-value and verdict, missing and invalid counts, records per second, quality and
 * concept-drift detector state, read from the monitor's last closed window at scrape time),
 * {@link dev.mlops.micrometer.OnlineLookupMetrics} (online feature lookups, misses by status,
 * value ages) and {@link dev.mlops.micrometer.ModelRegistryMetrics} (models, aliases and the
 * version each points at, audit log length). Nothing here runs on the monitor's record path.
 */
package dev.mlops.micrometer;
