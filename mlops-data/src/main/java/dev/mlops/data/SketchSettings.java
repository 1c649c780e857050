package dev.mlops.data;

/**
 * Sketch sizes of a profile; statistics merge only when they match.
 *
 * @param kllK KLL quantile sketch parameter k
 * @param hllLgK log2 of the HLL distinct-count sketch's bucket count
 * @param itemsMapSize frequent-items sketch map size (a power of two)
 * @param topValues how many frequent values a column reports
 */
record SketchSettings(int kllK, int hllLgK, int itemsMapSize, int topValues) {}
