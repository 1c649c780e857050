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

  /** Raw text of a column of the current row, parsed by the sink (null-tokens = missing). */
  void text(int column, String text);

  /** Ends the current row; columns not given a value in it count as missing. */
  void endRow();
}
