package dev.mlops.features;

import java.time.Duration;
import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;

/**
 * A reusable buffer that an {@link OnlineReader} fills with one entity's features, positionally
 * in the reader's feature order, so that a serving loop allocates nothing per lookup. After a read,
 * for each position {@code i}: {@link #status(int)}, {@link #value(int)} (the stored object, null
 * unless PRESENT; a {@code float[]} must not be modified) and {@link #ageMicros(int)} (-1 when
 * there was no row).
 *
 * <p>A read does not copy the features: the vector keeps, per stored row it read (one per feature
 * view), the row's values and how the row stands (live or expired, and its age); each position
 * knows its row and column, so a read costs a few stores per view, not per feature, and the
 * accessors derive a position's status and value from its row. A new vector reports NOT_FOUND
 * with age -1 everywhere.
 *
 * <p>Not thread-safe; confine to one thread (one buffer per serving thread).
 */
public final class OnlineVector {
  private static final FeatureStatus[] STATUSES = FeatureStatus.values();
  private static final byte NOT_FOUND = (byte) FeatureStatus.NOT_FOUND.ordinal();

  private final int size;
  // The layout, set by the reader: position -> (row, column). Replaced, never modified.
  private int[] rowOf;
  private int[] columnOf;
  // Per row, after a read: its values (null if there was no row), the status of a position whose
  // value is present / absent, and the row's age.
  private Object[][] rowValues;
  private byte[] statusWithValue;
  private byte[] statusWithoutValue;
  private long[] rowAgeMicros;

  /**
   * @param size the number of features of the reader it is used with
   * @throws IllegalArgumentException if size is not positive
   */
  public OnlineVector(int size) {
    if (size < 1) {
      throw new IllegalArgumentException("size must be positive, got " + size);
    }
    this.size = size;
    layout(1, new int[size], new int[size]);
  }

  /** @return the number of positions */
  public int size() {
    return size;
  }

  /** @param i position @return its status */
  public FeatureStatus status(int i) {
    int r = rowOf[i];
    return STATUSES[valueOf(r, i) != null ? statusWithValue[r] : statusWithoutValue[r]];
  }

  /** @param i position @return the value if PRESENT, else null */
  public Object value(int i) {
    int r = rowOf[i];
    Object v = valueOf(r, i);
    return v != null && statusWithValue[r] == FeatureStatus.PRESENT.ordinal() ? v : null;
  }

  private Object valueOf(int r, int i) {
    Object[] values = rowValues[r];
    return values == null ? null : values[columnOf[i]];
  }

  /**
   * @param i position of a DOUBLE or LONG feature
   * @param absent returned unless PRESENT
   * @return the value as a double, or {@code absent}
   */
  public double doubleValue(int i, double absent) {
    return value(i) instanceof Number n ? n.doubleValue() : absent;
  }

  /** @param i position @return age in microseconds of the row the status was decided by, or -1 if none */
  public long ageMicros(int i) {
    return rowAgeMicros[rowOf[i]];
  }

  /** @param i position @return the age, or empty if there was no row */
  public Optional<Duration> age(int i) {
    long micros = ageMicros(i);
    return micros < 0 ? Optional.empty() : Optional.of(Duration.ofNanos(micros * 1000));
  }

  /**
   * Sets which stored row and which column of it each position reads; for {@link OnlineReader}
   * implementations. The arrays are kept, not copied, and must not be modified afterwards; passing
   * the arrays already in place costs two comparisons. Every row reads NOT_FOUND until
   * {@link #setRow} fills it.
   *
   * @param rows how many rows a read fills, positive
   * @param rowOfPosition per position, its row in {@code 0..rows-1}
   * @param columnOfPosition per position, its column in that row's values
   * @throws IllegalArgumentException if the arrays do not have {@link #size()} entries or a row is out of range
   */
  public void layout(int rows, int[] rowOfPosition, int[] columnOfPosition) {
    if (rowOfPosition == rowOf && columnOfPosition == columnOf && rowValues.length == rows) {
      return;
    }
    Objects.requireNonNull(rowOfPosition, "rowOfPosition");
    Objects.requireNonNull(columnOfPosition, "columnOfPosition");
    if (rows < 1 || rowOfPosition.length != size || columnOfPosition.length != size) {
      throw new IllegalArgumentException("a layout of a " + size + "-position vector needs " + size
          + " rows and columns and at least one row, got " + rowOfPosition.length + " rows, "
          + columnOfPosition.length + " columns, " + rows + " distinct rows");
    }
    for (int i = 0; i < size; i++) {
      if (rowOfPosition[i] < 0 || rowOfPosition[i] >= rows || columnOfPosition[i] < 0) {
        throw new IllegalArgumentException("position " + i + " reads row " + rowOfPosition[i] + ", column "
            + columnOfPosition[i] + "; rows are 0.." + (rows - 1) + " and columns are not negative");
      }
    }
    rowOf = rowOfPosition;
    columnOf = columnOfPosition;
    rowValues = new Object[rows][];
    statusWithValue = new byte[rows];
    statusWithoutValue = new byte[rows];
    rowAgeMicros = new long[rows];
    Arrays.fill(statusWithValue, NOT_FOUND);
    Arrays.fill(statusWithoutValue, NOT_FOUND);
    Arrays.fill(rowAgeMicros, -1);
  }

  /**
   * Fills one row of the {@link #layout}; for {@link OnlineReader} implementations. A position
   * whose column holds a non-null value gets {@code withValue}, the others {@code withoutValue}.
   *
   * @param row the row, in {@code 0..rows-1} of the layout
   * @param values the stored row's values, indexed by column (kept, not copied), or null if there
   *     was no row (every position of the row is then NOT_FOUND with age -1)
   * @param withValue the status of a position whose value is present (PRESENT if the row is live)
   * @param withoutValue the status of a position whose value is absent
   * @param ageMicros the row's age, -1 if there was no row
   */
  public void setRow(int row, Object[] values, FeatureStatus withValue, FeatureStatus withoutValue, long ageMicros) {
    rowValues[row] = values;
    if (values == null) {
      statusWithValue[row] = NOT_FOUND;
      statusWithoutValue[row] = NOT_FOUND;
      rowAgeMicros[row] = -1;
    } else {
      statusWithValue[row] = (byte) withValue.ordinal();
      statusWithoutValue[row] = (byte) withoutValue.ordinal();
      rowAgeMicros[row] = ageMicros;
    }
  }
}
