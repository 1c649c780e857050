package dev.mlops.data;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Feeds values to per-column accumulators, and non-missing values to an optional
 * {@link ValueListener} (the validator's per-value checks).
 *
 * <p>Not thread-safe; confine to one thread.
 */
final class ProfilingSink implements RowSink {
  /** Per-value hook. */
  interface ValueListener {
    /** A new column appeared (index = previous column count). */
    void column(int index, String name);

    /** A non-missing, normalized value (Long, Double, String, Boolean, Instant). */
    void value(long row, int column, Object value);
  }

  private final SketchSettings settings;
  private final String source;
  private final ValueListener listener;
  final List<ColumnAccumulator> columns = new ArrayList<>();
  private final Map<String, Integer> index = new HashMap<>();
  private long row;
  long rows;

  ProfilingSink(SketchSettings settings, String source, ValueListener listener) {
    this.settings = settings;
    this.source = source;
    this.listener = listener;
  }

  @Override
  public int column(String name) {
    Integer i = index.get(name);
    if (i != null) {
      return i;
    }
    int n = columns.size();
    index.put(name, n);
    columns.add(new ColumnAccumulator(name, settings, rows));
    if (listener != null) {
      listener.column(n, name);
    }
    return n;
  }

  @Override
  public void beginRow(long row) {
    this.row = row;
  }

  @Override
  public void value(int column, Object value) {
    ColumnAccumulator c = columns.get(column);
    c.lastRow = row;
    if (value == null) {
      c.addMissing();
      return;
    }
    Object v = value instanceof Double || value instanceof Long || value instanceof String ? value
        : Values.normalize(value);
    if (v == null) {
      throw new MalformedDataException(source + ": row " + row + ", column '" + c.name + "' holds a "
          + value.getClass().getName() + ", which is not a supported value type (numbers, text, booleans, "
          + "date-times)", row, c.name, null);
    }
    if (v instanceof Double d && d.isNaN()) {
      c.addMissing();
      return;
    }
    addNormalized(c, v);
    if (listener != null) {
      listener.value(row, column, v);
    }
  }

  @Override
  public void text(int column, String text) {
    if (text == null) {
      value(column, null);
      return;
    }
    Object v = Values.parse(text);
    ColumnAccumulator c = columns.get(column);
    c.lastRow = row;
    addNormalized(c, v);
    if (listener != null) {
      listener.value(row, column, v);
    }
  }

  private static void addNormalized(ColumnAccumulator c, Object v) {
    if (v instanceof Double d) {
      c.addDouble(d);
    } else if (v instanceof Long l) {
      c.addLong(l);
    } else if (v instanceof String s) {
      c.addString(s);
    } else if (v instanceof Boolean b) {
      c.addBoolean(b);
    } else {
      c.addInstant((Instant) v);
    }
  }

  @Override
  public void endRow() {
    for (int i = 0, n = columns.size(); i < n; i++) {
      ColumnAccumulator c = columns.get(i);
      if (c.lastRow != row) {
        c.addMissing();
        c.lastRow = row;
      }
    }
    rows++;
  }

  DatasetStatistics statistics() {
    List<ColumnStatistics> stats = new ArrayList<>(columns.size());
    for (ColumnAccumulator c : columns) {
      stats.add(c.toStatistics());
    }
    return new DatasetStatistics(rows, stats, settings);
  }
}
