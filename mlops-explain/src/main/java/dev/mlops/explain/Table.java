package dev.mlops.explain;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A column-oriented data set: named numeric ({@code double}) and categorical ({@code String})
 * columns of equal length. Categorical columns are dictionary-encoded once at build time so
 * that facet and label tests over millions of rows compare integers, not strings.
 *
 * <p>Immutable and thread-safe (the builder copies every array it is given).
 */
public final class Table {
  private final Map<String, Column> columns;
  private final int rows;

  private Table(Map<String, Column> columns, int rows) {
    this.columns = Collections.unmodifiableMap(columns);
    this.rows = rows;
  }

  /**
   * Starts a table.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * The number of rows.
   *
   * @return the row count (0 only for a table without columns)
   */
  public int rowCount() {
    return rows;
  }

  /**
   * The column names in the order they were added.
   *
   * @return the names
   */
  public List<String> columnNames() {
    return List.copyOf(columns.keySet());
  }

  /**
   * Whether the named column is numeric.
   *
   * @param name column name
   * @return true for a numeric column, false for a categorical one
   * @throws IllegalArgumentException if there is no such column
   */
  public boolean isNumeric(String name) {
    return column(name) instanceof NumericColumn;
  }

  /**
   * A copy of a numeric column.
   *
   * @param name column name
   * @return the values
   * @throws IllegalArgumentException if there is no such column or it is categorical
   */
  public double[] numeric(String name) {
    return numericColumn(name).values().clone();
  }

  /**
   * The values of a categorical column.
   *
   * @param name column name
   * @return the values, one per row
   * @throws IllegalArgumentException if there is no such column or it is numeric
   */
  public List<String> categorical(String name) {
    CategoricalColumn c = categoricalColumn(name);
    List<String> out = new ArrayList<>(rows);
    for (int code : c.codes()) {
      out.add(c.levels().get(code));
    }
    return out;
  }

  Column column(String name) {
    Objects.requireNonNull(name, "name");
    Column c = columns.get(name);
    if (c == null) {
      throw new IllegalArgumentException("no column '" + name + "'; the table has " + columns.keySet());
    }
    return c;
  }

  NumericColumn numericColumn(String name) {
    if (column(name) instanceof NumericColumn n) {
      return n;
    }
    throw new IllegalArgumentException("column '" + name + "' is categorical; a numeric column is needed here");
  }

  CategoricalColumn categoricalColumn(String name) {
    if (column(name) instanceof CategoricalColumn c) {
      return c;
    }
    throw new IllegalArgumentException("column '" + name + "' is numeric; a categorical column is needed here");
  }

  @Override
  public String toString() {
    return "Table[rows=" + rows + ", columns=" + columns.keySet() + "]";
  }

  sealed interface Column permits NumericColumn, CategoricalColumn {
    String name();
  }

  /** A numeric column; the array is owned by the table and never exposed. */
  record NumericColumn(String name, double[] values) implements Column {}

  /** A dictionary-encoded categorical column: {@code levels.get(codes[i])} is row i's value. */
  record CategoricalColumn(String name, int[] codes, List<String> levels) implements Column {
    int codeOf(String value) {
      return levels.indexOf(value);
    }
  }

  /**
   * Builds a {@link Table}.
   *
   * <p>Not thread-safe; confine to one thread.
   */
  public static final class Builder {
    private final Map<String, Column> columns = new LinkedHashMap<>();

    private Builder() {}

    /**
     * Adds a numeric column (copied). NaN values are allowed here; the analyses that read a
     * column reject NaN with the column name and row.
     *
     * @param name column name, unique in the table
     * @param values the values
     * @return this builder
     * @throws IllegalArgumentException if the name is blank or already used
     */
    public Builder numeric(String name, double[] values) {
      Objects.requireNonNull(values, "values");
      put(name, new NumericColumn(name, values.clone()));
      return this;
    }

    /**
     * Adds a categorical column, dictionary-encoded.
     *
     * @param name column name, unique in the table
     * @param values the values; none may be null
     * @return this builder
     * @throws IllegalArgumentException if the name is blank or already used, or a value is null
     */
    public Builder categorical(String name, List<String> values) {
      Objects.requireNonNull(values, "values");
      Map<String, Integer> index = new HashMap<>();
      List<String> levels = new ArrayList<>();
      int[] codes = new int[values.size()];
      for (int i = 0; i < codes.length; i++) {
        String v = values.get(i);
        if (v == null) {
          throw new IllegalArgumentException("categorical column '" + name + "' has a null value at row " + i
              + "; use an explicit level such as \"missing\"");
        }
        Integer code = index.get(v);
        if (code == null) {
          code = levels.size();
          index.put(v, code);
          levels.add(v);
        }
        codes[i] = code;
      }
      put(name, new CategoricalColumn(name, codes, List.copyOf(levels)));
      return this;
    }

    /**
     * Adds a categorical column, dictionary-encoded.
     *
     * @param name column name, unique in the table
     * @param values the values; none may be null
     * @return this builder
     * @throws IllegalArgumentException if the name is blank or already used, or a value is null
     */
    public Builder categorical(String name, String... values) {
      return categorical(name, Arrays.asList(values));
    }

    private void put(String name, Column column) {
      Objects.requireNonNull(name, "name");
      if (name.isBlank()) {
        throw new IllegalArgumentException("column name must not be blank");
      }
      if (columns.containsKey(name)) {
        throw new IllegalArgumentException("column '" + name + "' added twice");
      }
      columns.put(name, column);
    }

    /**
     * Builds the table.
     *
     * @return the table
     * @throws IllegalArgumentException if the columns have different lengths (the message names
     *     both columns and their lengths)
     */
    public Table build() {
      int rows = -1;
      String first = null;
      for (Column c : columns.values()) {
        int n = c instanceof NumericColumn nc ? nc.values().length : ((CategoricalColumn) c).codes().length;
        if (rows < 0) {
          rows = n;
          first = c.name();
        } else if (n != rows) {
          throw new IllegalArgumentException("column '" + c.name() + "' has " + n + " rows but column '" + first
              + "' has " + rows + "; all columns must have the same length");
        }
      }
      return new Table(new LinkedHashMap<>(columns), Math.max(rows, 0));
    }
  }
}
