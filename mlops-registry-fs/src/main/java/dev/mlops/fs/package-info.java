/**
 * The {@code file:} storage provider: {@link dev.mlops.fs.FsObjectStore}, an object store in a
 * directory that is safe for many processes and crash-safe at every instant (temp file, fsync,
 * hard-link publish, directory fsync), and {@link dev.mlops.fs.FsObjectStoreProvider}, which
 * {@code Mlops.open("file:/path")} finds through {@link java.util.ServiceLoader}. The on-disk
 * layout is described in {@code docs/storage-format.md}.
 */
package dev.mlops.fs;
