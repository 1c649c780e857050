package dev.mlops.data;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mlops.CorruptDataException;
import dev.mlops.NotFoundException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The profile of a dataset: its row count and one {@link ColumnStatistics} per column, in the
 * order the columns were first seen. Computed by {@link DataProfiler}; statistics of disjoint
 * partitions {@link #merge(DatasetStatistics) merge}.
 *
 * <p>Serialized form ({@link #toJson()}): {@code statistics.json}, format
 * {@code mlops.data.statistics}, format version {@value #FORMAT_VERSION}, documented in
 * {@code docs/data-validation.md}; it carries the sketches, so statistics read back still merge
 * and still serve as a drift baseline.
 *
 * <p>Immutable and thread-safe.
 */
public final class DatasetStatistics {
  /** Format name in {@code statistics.json}. */
  public static final String FORMAT = "mlops.data.statistics";
  /** Current format version. */
  public static final int FORMAT_VERSION = 1;

  private final long rows;
  private final List<ColumnStatistics> columns;
  private final Map<String, ColumnStatistics> byName;
  private final SketchSettings settings;

  DatasetStatistics(long rows, List<ColumnStatistics> columns, SketchSettings settings) {
    this.rows = rows;
    this.columns = List.copyOf(columns);
    this.settings = settings;
    Map<String, ColumnStatistics> m = new LinkedHashMap<>();
    for (ColumnStatistics c : columns) {
      m.put(c.name(), c);
    }
    this.byName = m;
  }

  /** @return the number of rows */
  public long rows() {
    return rows;
  }

  /** @return the columns, in first-seen order */
  public List<ColumnStatistics> columns() {
    return columns;
  }

  /** @return the column names, in first-seen order */
  public List<String> columnNames() {
    return columns.stream().map(ColumnStatistics::name).toList();
  }

  /**
   * @param name a column name
   * @return its statistics, or empty
   */
  public Optional<ColumnStatistics> find(String name) {
    return Optional.ofNullable(byName.get(name));
  }

  /**
   * @param name a column name
   * @return its statistics
   * @throws NotFoundException if there is no such column
   */
  public ColumnStatistics column(String name) {
    return find(name).orElseThrow(() -> new NotFoundException("no column '" + name + "'; columns are "
        + columnNames()));
  }

  /** @return the inferred schema: column name to type, in column order */
  public Map<String, ColumnType> schema() {
    Map<String, ColumnType> m = new LinkedHashMap<>();
    columns.forEach(c -> m.put(c.name(), c.type()));
    return m;
  }

  SketchSettings settings() {
    return settings;
  }

  /**
   * Combines statistics of two disjoint partitions of a dataset. A column present in only one
   * counts as missing in every row of the other. Exact fields stay exact (see
   * {@link ColumnStatistics}); sketches merge with their single-sketch error bounds.
   *
   * @param other statistics computed with the same profiler settings
   * @return statistics of both partitions
   * @throws IllegalArgumentException if the sketch settings differ
   */
  public DatasetStatistics merge(DatasetStatistics other) {
    Objects.requireNonNull(other, "other");
    if (!settings.equals(other.settings)) {
      throw new IllegalArgumentException("cannot merge statistics computed with different sketch settings: "
          + settings + " and " + other.settings);
    }
    List<ColumnStatistics> merged = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    for (ColumnStatistics c : columns) {
      seen.add(c.name());
      ColumnStatistics o = other.byName.get(c.name());
      merged.add(c.merge(o != null ? o : ColumnStatistics.absent(c.name(), settings, other.rows)));
    }
    for (ColumnStatistics o : other.columns) {
      if (!seen.contains(o.name())) {
        merged.add(ColumnStatistics.absent(o.name(), settings, rows).merge(o));
      }
    }
    return new DatasetStatistics(rows + other.rows, merged, settings);
  }

  /** @return {@code statistics.json} (UTF-8) */
  public byte[] toJson() {
    ObjectNode root = JsonFields.MAPPER.createObjectNode();
    root.put("format", FORMAT);
    root.put("formatVersion", FORMAT_VERSION);
    root.put("rows", rows);
    root.putObject("sketches").put("kllK", settings.kllK()).put("hllLgK", settings.hllLgK())
        .put("itemsMapSize", settings.itemsMapSize()).put("topValues", settings.topValues());
    ArrayNode cols = root.putArray("columns");
    for (ColumnStatistics c : columns) {
      cols.add(c.toJson());
    }
    return JsonFields.write(root);
  }

  /**
   * Reads {@code statistics.json}, checking every field.
   *
   * @param bytes the document
   * @return the statistics
   * @throws CorruptDataException naming the field if the document is malformed, inconsistent or of
   *     a newer format version
   */
  public static DatasetStatistics fromJson(byte[] bytes) {
    return fromJson(bytes, "statistics.json");
  }

  static DatasetStatistics fromJson(byte[] bytes, String origin) {
    Objects.requireNonNull(bytes, "bytes");
    JsonFields f = new JsonFields(origin);
    JsonNode root = f.parse(bytes, FORMAT, FORMAT_VERSION);
    long rows = f.integer(root, "rows", "rows", 0, Long.MAX_VALUE);
    JsonNode sk = f.object(root, "sketches", "sketches");
    int kllK = (int) f.integer(sk, "kllK", "sketches.kllK", 8, 65535);
    int lgK = (int) f.integer(sk, "hllLgK", "sketches.hllLgK", 4, 21);
    int mapSize = (int) f.integer(sk, "itemsMapSize", "sketches.itemsMapSize", 8, 1 << 26);
    if (Integer.bitCount(mapSize) != 1) {
      throw f.corrupt("sketches.itemsMapSize", "is " + mapSize + ", not a power of two");
    }
    int top = (int) f.integer(sk, "topValues", "sketches.topValues", 1, mapSize);
    SketchSettings settings = new SketchSettings(kllK, lgK, mapSize, top);
    JsonNode cols = f.array(root, "columns", "columns");
    List<ColumnStatistics> list = new ArrayList<>();
    Set<String> names = new HashSet<>();
    for (int i = 0; i < cols.size(); i++) {
      JsonNode c = cols.get(i);
      if (!c.isObject()) {
        throw f.corrupt("columns[" + i + "]", "must be an object");
      }
      ColumnStatistics s = ColumnStatistics.fromJson(c, "columns[" + i + "]", settings, f);
      if (!names.add(s.name())) {
        throw f.corrupt("columns[" + i + "].name", "repeats column '" + s.name() + "'");
      }
      if (s.rows() != rows) {
        throw f.corrupt("columns[" + i + "]", "column '" + s.name() + "' has " + s.rows()
            + " values (present + missing), the dataset " + rows + " rows");
      }
      list.add(s);
    }
    return new DatasetStatistics(rows, list, settings);
  }

  @Override
  public String toString() {
    return "DatasetStatistics[rows=" + rows + ", columns=" + schema() + "]";
  }
}
