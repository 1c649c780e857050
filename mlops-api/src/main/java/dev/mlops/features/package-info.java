/**
 * The feature store: entities and typed, versioned feature views; push ingestion into an offline
 * log of Avro segments and an online table; in-process online lookup that reports, per feature,
 * {@link dev.mlops.features.FeatureStatus PRESENT, EXPIRED or NOT_FOUND} and the value's age; and
 * point-in-time-correct training sets streamed out of an external-sort merge join. One TTL rule
 * serves both paths. Obtain it from {@link dev.mlops.Workspace#features()}.
 */
package dev.mlops.features;
