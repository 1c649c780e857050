/**
 * The storage SPI that backends implement: {@link dev.mlops.spi.ObjectStore} with atomic
 * create-if-absent as its one correctness primitive, and {@link dev.mlops.spi.ObjectStoreProvider}
 * found by URI scheme. Users never import this package.
 */
package dev.mlops.spi;
