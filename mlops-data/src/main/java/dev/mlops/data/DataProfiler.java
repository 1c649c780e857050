package dev.mlops.data;

import java.util.Objects;
import org.apache.datasketches.kll.KllSketch;

/**
 * Computes {@link DatasetStatistics} in one pass over {@link Records}, with memory bounded per
 * column (whatever the row count): a KLL quantile sketch, an HLL distinct-count sketch and a
 * frequent-items sketch, each created only when the column has a value of its kind.
 *
 * <pre>{@code
 * DatasetStatistics stats = DataProfiler.builder().build().profile(Records.csv(path));
 * }</pre>
 *
 * <p>Immutable and thread-safe: one profiler may profile many sources at once, each call on its
 * own thread (for partitions, profile each and {@link DatasetStatistics#merge merge}).
 */
public final class DataProfiler {
  /** Default KLL parameter k: rank error about 1.3% (99% confidence), as mlops-drift's baselines. */
  public static final int DEFAULT_SKETCH_K = KllSketch.DEFAULT_K;
  /** Default HLL lgK: 4096 buckets, relative standard error about 1.6%. */
  public static final int DEFAULT_HLL_LG_K = 12;
  /** Default frequent-items map size: counts exact up to 96 distinct texts per column. */
  public static final int DEFAULT_ITEMS_MAP_SIZE = 128;
  /** Default number of frequent values reported per column. */
  public static final int DEFAULT_TOP_VALUES = 32;

  private final SketchSettings settings;

  private DataProfiler(SketchSettings settings) {
    this.settings = settings;
  }

  /** @return a builder with the defaults */
  public static Builder builder() {
    return new Builder();
  }

  /** @return a profiler with the default settings */
  public static DataProfiler create() {
    return builder().build();
  }

  /**
   * Profiles every record of the source.
   *
   * @param data the records (a single-use source is consumed)
   * @return the statistics; a source with no record gives zero rows (and, for CSV, the header's
   *     columns, all empty)
   * @throws MalformedDataException naming the row and column if the data cannot be read
   * @throws IllegalStateException if a single-use source was already read
   */
  public DatasetStatistics profile(Records data) {
    Objects.requireNonNull(data, "data");
    ProfilingSink sink = new ProfilingSink(settings, data.describe(), null);
    data.feed(sink);
    return sink.statistics();
  }

  SketchSettings settings() {
    return settings;
  }

  /**
   * Configures a {@link DataProfiler}.
   *
   * <p>Not thread-safe; confine to one thread.
   */
  public static final class Builder {
    private int sketchK = DEFAULT_SKETCH_K;
    private int hllLgK = DEFAULT_HLL_LG_K;
    private int itemsMapSize = DEFAULT_ITEMS_MAP_SIZE;
    private int topValues = DEFAULT_TOP_VALUES;

    private Builder() {}

    /**
     * @param k KLL parameter, 8 to 65535 (rank error roughly {@code 2.6 / k^0.9})
     * @return this builder
     * @throws IllegalArgumentException if out of range
     */
    public Builder sketchK(int k) {
      if (k < 8 || k > 65535) {
        throw new IllegalArgumentException("sketch k must be in [8, 65535], got " + k);
      }
      this.sketchK = k;
      return this;
    }

    /**
     * @param lgK log2 of HLL buckets, 4 to 21 (relative error {@code 1.04 / sqrt(2^lgK)})
     * @return this builder
     * @throws IllegalArgumentException if out of range
     */
    public Builder distinctLgK(int lgK) {
      if (lgK < 4 || lgK > 21) {
        throw new IllegalArgumentException("distinct lgK must be in [4, 21], got " + lgK);
      }
      this.hllLgK = lgK;
      return this;
    }

    /**
     * @param mapSize frequent-items map size, a power of two from 8 to 2^26; counts are exact up
     *     to {@code 3/4 * mapSize} distinct texts
     * @param reported how many frequent values to report per column, 1 to mapSize
     * @return this builder
     * @throws IllegalArgumentException if out of range
     */
    public Builder topValues(int mapSize, int reported) {
      if (mapSize < 8 || mapSize > (1 << 26) || Integer.bitCount(mapSize) != 1) {
        throw new IllegalArgumentException("map size must be a power of two in [8, 2^26], got " + mapSize);
      }
      if (reported < 1 || reported > mapSize) {
        throw new IllegalArgumentException("reported values must be in [1, " + mapSize + "], got " + reported);
      }
      this.itemsMapSize = mapSize;
      this.topValues = reported;
      return this;
    }

    /** @return the profiler */
    public DataProfiler build() {
      return new DataProfiler(new SketchSettings(sketchK, hllLgK, itemsMapSize, topValues));
    }
  }
}
