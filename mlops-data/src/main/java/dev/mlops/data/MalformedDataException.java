package dev.mlops.data;

/**
 * Input data that cannot be read at all: a ragged CSV row, bytes that are not valid in the
 * declared encoding, a value of a Java type the profiler does not know, an empty file without a
 * header. The message names the source, the row (1-based, the header being row 0 of a CSV file)
 * and, where there is one, the column. Values that can be read but break a constraint are not
 * errors: they are {@link Violation}s.
 *
 * <p>Immutable and thread-safe.
 */
public final class MalformedDataException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  private final long row;
  private final String column;

  MalformedDataException(String message, long row, String column, Throwable cause) {
    super(message, cause);
    this.row = row;
    this.column = column == null ? "" : column;
  }

  /** @return the 1-based row number the problem is in (0 for the header or the whole input) */
  public long row() {
    return row;
  }

  /** @return the column concerned, or an empty string if the problem is not in one column */
  public String column() {
    return column;
  }
}
