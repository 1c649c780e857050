package dev.mlops.data;

/**
 * Receives rows from a {@link Records} source: column indices are resolved once per name, values
 * arrive typed (maps, arrays, training sets) or as raw text to be parsed (CSV).
 *
 * <p>Not thread-safe; confine to one thread.
 */
interface RowSink {
  /** @return the index of the named column, registering it when new */
  int column(String name);

  /** Starts row {@code row} (1-based). */
  void beginRow(long row);

  /** A typed value (null = missing) of a column of the current row. */
  void value(int column, Object value);

  /** A fractional value (NaN = missing) of a column of the current row, unboxed. */
  default void doubleValue(int column, double value) {
    value(column, Double.isNaN(value) ? null : (Object) value);
  }

  /** An integral value of a column of the current row, unboxed. */
  default void longValue(int column, long value) {
    value(column, value);
  }

  /** A boolean value of a column of the current row, unboxed. */
  default void booleanValue(int column, boolean value) {
    value(column, value);
  }

  /**
   * Whether this sink takes whole columns ({@link #columnValues}) instead of rows: a sink that
   * needs values in row order says no.
   */
  default boolean acceptsColumns() {
    return false;
  }

  /**
   * All values of one column at once, row 1 first: a {@code double[]} (NaN = missing), {@code long[]},
   * {@code int[]}, {@code boolean[]} or {@code Object[]} (typed values, null = missing). Only when
   * {@link #acceptsColumns()}; every column gets an array of the same length, then
   * {@link #endColumns}.
   */
  default void columnValues(int column, Object values) {
    throw new UnsupportedOperationException("this sink takes rows");
  }

  /** Ends a column-wise feed of {@code rows} rows. */
  default void endColumns(long rows) {
    throw new UnsupportedOperationException("this sink takes rows");
  }

  /**
   * A whole positional row: {@code values[i]} is the typed value (null = missing) of column
   * {@code columns[i]}, the indices distinct (as {@link #column} gives them for distinct names); the
   * same as {@link #beginRow}, {@link #value} for each column in order, then
   * {@link #endRow}, which is what the default does.
   */
  default void row(long row, int[] columns, Object[] values) {
    beginRow(row);
    for (int i = 0; i < columns.length; i++) {
      value(columns[i], values[i]);
    }
    endRow();
  }

  /** Raw text of a column of the current row, parsed by the sink (null-tokens = missing). */
  void text(int column, String text);

  /** Ends the current row; columns not given a value in it count as missing. */
  void endRow();
}
