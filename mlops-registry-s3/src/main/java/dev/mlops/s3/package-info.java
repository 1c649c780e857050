/**
 * The {@code s3:} storage backend: {@link dev.mlops.s3.S3ObjectStore} (Amazon S3 and
 * S3-compatible servers, AWS SDK v2) and its URI provider {@link dev.mlops.s3.S3ObjectStoreProvider}.
 */
package dev.mlops.s3;
