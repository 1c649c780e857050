package dev.mlops.data;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
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

    /** A non-missing value parsed from the CSV cell {@code raw} (text checks see the cell as written). */
    default void value(long row, int column, Object value, String raw) {
      value(row, column, value);
    }
  }

  private final SketchSettings settings;
  private final String source;
  private final ValueListener listener;
  final List<ColumnAccumulator> columns = new ArrayList<>();
  /** The same accumulators by index, for the per-value path. */
  private ColumnAccumulator[] byIndex = new ColumnAccumulator[16];
  /** Columns given a value in the current row (each counted once). */
  private int given;
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
    ColumnAccumulator acc = new ColumnAccumulator(name, settings, rows, n < ColumnAccumulator.CACHED_COLUMNS);
    columns.add(acc);
    if (n == byIndex.length) {
      byIndex = Arrays.copyOf(byIndex, 2 * n);
    }
    byIndex[n] = acc;
    if (listener != null) {
      listener.column(n, name);
    }
    return n;
  }

  /** @return the column's accumulator, marked as given a value in the current row */
  private ColumnAccumulator mark(int column) {
    ColumnAccumulator c = byIndex[column];
    if (c == null) {
      throw new IndexOutOfBoundsException("no column " + column);
    }
    if (c.lastRow != row) {
      c.lastRow = row;
      given++;
    }
    return c;
  }

  @Override
  public void beginRow(long row) {
    this.row = row;
    this.given = 0;
  }

  @Override
  public void value(int column, Object value) {
    ColumnAccumulator c = mark(column);
    // the common types first, each tested once
    if (value instanceof Double d) {
      double x = d;
      if (Double.isNaN(x)) {
        c.addMissing();
        return;
      }
      c.addDouble(x);
    } else if (value instanceof Long l) {
      c.addLong(l);
    } else if (value instanceof String s) {
      c.addString(s);
    } else if (value instanceof Boolean b) {
      c.addBoolean(b);
    } else if (value == null) {
      c.addMissing();
      return;
    } else {
      Object v = Values.normalize(value);
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
      value = v;
    }
    if (listener != null) {
      listener.value(row, column, value);
    }
  }

  /**
   * A whole positional row, for a sink without listener whose every column is in the row: one loop
   * over the values with the common types tested inline and no per-value bookkeeping of which columns
   * were given (all are). Each column's accumulator gets the same calls in the same order as through
   * {@link #value}, so the statistics are identical; any other type goes through {@link #value}.
   */
  @Override
  public void row(long row, int[] columns, Object[] values) {
    ColumnAccumulator[] acc = byIndex;
    if (listener != null || columns.length != this.columns.size() || values.length != columns.length) {
      RowSink.super.row(row, columns, values);
      return;
    }
    this.row = row;
    this.given = 0;
    for (int i = 0; i < columns.length; i++) {
      Object v = values[i];
      ColumnAccumulator c = acc[columns[i]];
      if (v instanceof Double d) {
        c.addDouble(d); // NaN counts as missing
      } else if (v instanceof Long l) {
        c.addLong(l);
      } else if (v instanceof String s) {
        c.addString(s);
      } else if (v instanceof Boolean b) {
        c.addBoolean(b);
      } else if (v == null) {
        c.addMissing();
      } else {
        value(columns[i], v);
      }
    }
    rows++;
  }

  @Override
  public void doubleValue(int column, double value) {
    ColumnAccumulator c = mark(column);
    if (Double.isNaN(value)) {
      c.addMissing();
      return;
    }
    c.addDouble(value);
    if (listener != null) {
      listener.value(row, column, value);
    }
  }

  @Override
  public void longValue(int column, long value) {
    ColumnAccumulator c = mark(column);
    c.addLong(value);
    if (listener != null) {
      listener.value(row, column, value);
    }
  }

  @Override
  public void booleanValue(int column, boolean value) {
    ColumnAccumulator c = mark(column);
    c.addBoolean(value);
    if (listener != null) {
      listener.value(row, column, value);
    }
  }

  @Override
  public void text(int column, String text) {
    if (text == null) {
      value(column, null);
      return;
    }
    Object v = Values.parse(text);
    ColumnAccumulator c = mark(column);
    addNormalized(c, v);
    if (listener != null) {
      listener.value(row, column, v, text);
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
  public boolean acceptsColumns() {
    return listener == null && rows == 0;
  }

  @Override
  public void columnValues(int column, Object values) {
    ColumnAccumulator c = columns.get(column);
    if (values instanceof double[] a) {
      c.addDoubles(a);
    } else if (values instanceof long[] a) {
      c.addLongs(a);
    } else if (values instanceof int[] a) {
      c.addInts(a);
    } else if (values instanceof boolean[] a) {
      c.addBooleans(a);
    } else {
      Object[] a = (Object[]) values;
      for (int i = 0; i < a.length; i++) {
        row = i + 1L;
        value(column, a[i]);
      }
    }
  }

  @Override
  public void endColumns(long rowCount) {
    for (ColumnAccumulator c : columns) {
      c.lastRow = rowCount;
    }
    row = rowCount;
    rows = rowCount;
  }

  @Override
  public void endRow() {
    int width = columns.size();
    if (given == width) {
      rows++;
      return;
    }
    for (int i = 0, n = width; i < n; i++) {
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
