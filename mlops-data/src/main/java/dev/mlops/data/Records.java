package dev.mlops.data;

import dev.mlops.features.FeatureValue;
import dev.mlops.features.TrainingRow;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;

/**
 * A source of records for {@link DataProfiler} and {@link DataValidator}: maps of column name to
 * value, positional arrays, CSV files, or the feature store's training rows.
 *
 * <p>Typed values: {@code null} and NaN are missing; {@link Long}, {@link Integer}, {@link Short},
 * {@link Byte} are integral; {@link Double}, {@link Float}, {@link java.math.BigDecimal} fractional;
 * {@link Boolean} boolean; {@link CharSequence}, {@link Character} and enums text;
 * {@link java.time.Instant}, {@link java.time.OffsetDateTime}, {@link java.time.ZonedDateTime},
 * {@link java.util.Date}, and {@link java.time.LocalDateTime}/{@link java.time.LocalDate} (taken as
 * UTC) timestamps. Any other type is a {@link MalformedDataException} naming the row and column.
 * CSV cells are text and are parsed: see {@link #csv(Path, char, Set)}.
 *
 * <p>Sources built on an iterator or a stream can be read once; reading them again throws
 * {@link IllegalStateException}. Sources built on an {@link Iterable} or a file can be read any
 * number of times. Not thread-safe; confine to one thread.
 */
public abstract class Records {
  /** Text read as missing in CSV cells unless told otherwise (a subset of pandas' defaults). */
  public static final Set<String> DEFAULT_NULL_TOKENS = Set.of("", "NA", "N/A", "NaN", "nan", "null", "NULL", "None");

  Records() {}

  /** Feeds every row to the sink. */
  abstract void feed(RowSink sink);

  /** @return a short description for messages, e.g. the file name */
  abstract String describe();

  /**
   * Records held in a re-iterable collection.
   *
   * @param rows one map per row, column name to value (absent key or null = missing)
   * @return the source (readable many times)
   */
  public static Records of(Iterable<? extends Map<String, ?>> rows) {
    Objects.requireNonNull(rows, "rows");
    Iterable<Map<String, ?>> it = () -> upcast(rows.iterator());
    return new MapRecords("records", it, false);
  }

  /**
   * Records from an iterator.
   *
   * @param rows one map per row
   * @return the source (readable once)
   */
  public static Records of(Iterator<? extends Map<String, ?>> rows) {
    Objects.requireNonNull(rows, "rows");
    Iterator<Map<String, ?>> it = upcast(rows);
    return new MapRecords("iterator", () -> it, true);
  }

  /**
   * Records from a stream (closed after reading).
   *
   * @param rows one map per row
   * @return the source (readable once)
   */
  public static Records of(Stream<? extends Map<String, ?>> rows) {
    Objects.requireNonNull(rows, "rows");
    Iterable<Map<String, ?>> it = () -> upcast(rows.iterator());
    return new MapRecords("stream", it, true) {
      @Override
      void feed(RowSink sink) {
        try (rows) {
          super.feed(sink);
        }
      }
    };
  }

  /**
   * Positional records: every array has one value per column, in {@code columns}' order. The
   * fastest input (no per-value name lookup).
   *
   * @param columns column names, distinct
   * @param rows the rows (re-iterable)
   * @return the source (readable many times)
   * @throws IllegalArgumentException if a column name repeats
   */
  public static Records ofArrays(List<String> columns, Iterable<Object[]> rows) {
    List<String> names = List.copyOf(columns);
    if (Set.copyOf(names).size() != names.size()) {
      throw new IllegalArgumentException("column names repeat: " + names);
    }
    Objects.requireNonNull(rows, "rows");
    return new Records() {
      @Override
      void feed(RowSink sink) {
        int[] index = new int[names.size()];
        for (int i = 0; i < index.length; i++) {
          index[i] = sink.column(names.get(i));
        }
        long row = 0;
        for (Object[] values : rows) {
          row++;
          if (values.length != index.length) {
            throw new MalformedDataException("row " + row + " has " + values.length + " values, expected "
                + index.length + " (one per column " + names + ")", row, "", null);
          }
          sink.row(row, index, values);
        }
      }

      @Override
      String describe() {
        return "arrays";
      }
    };
  }

  /**
   * Columnar records held in arrays, one array per column, all of the same length (row i = the
   * i-th element of every array). The fastest input: values of {@code double[]}, {@code long[]},
   * {@code int[]} and {@code boolean[]} columns reach the statistics unboxed, without a per-value
   * type test. Missing values: NaN in a {@code double[]}, null in a {@code String[]} or
   * {@code Object[]}; an {@code Object[]} column holds any supported typed value (see the class
   * comment). The arrays are read, not copied: do not change them while a profile runs.
   *
   * <pre>{@code
   * Map<String, Object> columns = new LinkedHashMap<>();
   * columns.put("age", new long[] {34, 51, 27});
   * columns.put("income", new double[] {52_000, Double.NaN, 48_500});
   * columns.put("city", new String[] {"Lyon", "Oslo", null});
   * DatasetStatistics stats = DataProfiler.create().profile(Records.ofColumns(columns));
   * }</pre>
   *
   * @param columns column name to array, in column order (use a {@link java.util.LinkedHashMap}
   *     to keep yours); copied, the arrays themselves are not
   * @return the source (readable many times)
   * @throws IllegalArgumentException if an array is of another type (naming the column and type),
   *     arrays differ in length (naming the columns and lengths), or a name or array is null
   */
  public static Records ofColumns(Map<String, ?> columns) {
    Objects.requireNonNull(columns, "columns");
    List<String> names = new ArrayList<>(columns.size());
    List<Object> arrays = new ArrayList<>(columns.size());
    int length = -1;
    String first = null;
    for (Map.Entry<String, ?> e : columns.entrySet()) {
      String name = e.getKey();
      Object array = e.getValue();
      if (name == null) {
        throw new IllegalArgumentException("a column name is null");
      }
      int n;
      if (array instanceof double[] a) {
        n = a.length;
      } else if (array instanceof long[] a) {
        n = a.length;
      } else if (array instanceof int[] a) {
        n = a.length;
      } else if (array instanceof boolean[] a) {
        n = a.length;
      } else if (array instanceof Object[] a) {
        n = a.length;
      } else {
        throw new IllegalArgumentException("column '" + name + "' is a "
            + (array == null ? "null" : array.getClass().getSimpleName())
            + "; expected double[], long[], int[], boolean[], String[] or Object[]");
      }
      if (length >= 0 && n != length) {
        throw new IllegalArgumentException("column '" + name + "' has " + n + " values, column '" + first
            + "' has " + length + "; every column needs one value per row");
      }
      if (length < 0) {
        length = n;
        first = name;
      }
      names.add(name);
      arrays.add(array);
    }
    int rowCount = Math.max(length, 0);
    return new Records() {
      @Override
      void feed(RowSink sink) {
        int width = names.size();
        int[] index = new int[width];
        for (int i = 0; i < width; i++) {
          index[i] = sink.column(names.get(i));
        }
        if (sink.acceptsColumns()) {
          for (int i = 0; i < width; i++) {
            sink.columnValues(index[i], arrays.get(i));
          }
          sink.endColumns(rowCount);
          return;
        }
        double[][] doubles = new double[width][];
        long[][] longs = new long[width][];
        int[][] ints = new int[width][];
        boolean[][] booleans = new boolean[width][];
        Object[][] objects = new Object[width][];
        byte[] kind = new byte[width];
        for (int i = 0; i < width; i++) {
          Object a = arrays.get(i);
          if (a instanceof double[] d) {
            doubles[i] = d;
            kind[i] = 0;
          } else if (a instanceof long[] l) {
            longs[i] = l;
            kind[i] = 1;
          } else if (a instanceof int[] n) {
            ints[i] = n;
            kind[i] = 2;
          } else if (a instanceof boolean[] b) {
            booleans[i] = b;
            kind[i] = 3;
          } else {
            objects[i] = (Object[]) a;
            kind[i] = 4;
          }
        }
        for (int r = 0; r < rowCount; r++) {
          sink.beginRow(r + 1L);
          for (int i = 0; i < width; i++) {
            switch (kind[i]) {
              case 0 -> sink.doubleValue(index[i], doubles[i][r]);
              case 1 -> sink.longValue(index[i], longs[i][r]);
              case 2 -> sink.longValue(index[i], ints[i][r]);
              case 3 -> sink.booleanValue(index[i], booleans[i][r]);
              default -> sink.value(index[i], objects[i][r]);
            }
          }
          sink.endRow();
        }
      }

      @Override
      String describe() {
        return "columns";
      }
    };
  }

  /**
   * The rows of a training set (the feature store's offline, point-in-time-correct rows): one
   * column per requested feature, named {@code view:feature}; a feature whose status is not
   * PRESENT is missing. Vector features ({@code float[]}) are rejected with a
   * {@link MalformedDataException}: leave them out of the request to profile the rest.
   *
   * @param rows the training set
   * @return the source (readable once; the stream is closed after reading)
   */
  public static Records trainingSet(Stream<TrainingRow> rows) {
    Objects.requireNonNull(rows, "rows");
    AtomicBoolean used = new AtomicBoolean();
    return new Records() {
      @Override
      void feed(RowSink sink) {
        if (used.getAndSet(true)) {
          throw new IllegalStateException("this training set was already read; build a new source");
        }
        try (rows) {
          long[] row = {0};
          Iterator<TrainingRow> it = rows.iterator();
          Map<String, Integer> index = new java.util.HashMap<>();
          while (it.hasNext()) {
            TrainingRow r = it.next();
            row[0]++;
            sink.beginRow(row[0]);
            for (FeatureValue v : r.values()) {
              String name = v.ref().toString();
              int column = index.computeIfAbsent(name, sink::column);
              sink.value(column, v.isPresent() ? v.value().get() : null);
            }
            sink.endRow();
          }
        }
      }

      @Override
      String describe() {
        return "training set";
      }
    };
  }

  /**
   * A UTF-8 CSV file with a header row, comma-separated, RFC 4180 quoting, and
   * {@link #DEFAULT_NULL_TOKENS}.
   *
   * @param file the file
   * @return the source (readable many times)
   */
  public static Records csv(Path file) {
    return csv(file, ',', DEFAULT_NULL_TOKENS);
  }

  /**
   * A UTF-8 CSV file with a header row and RFC 4180 quoting. Each cell is parsed: a null token is
   * missing; {@code -12} integral (up to 19 digits, within a long's range); {@code 1.5},
   * {@code -3e7} fractional ({@code 1e400} and {@code inf}, {@code -Infinity} in any case are
   * infinite); {@code true}/{@code false} (any case) boolean; ISO-8601 instants, offset or local
   * date-times and dates (local ones taken as UTC) timestamps; anything else text. Cells are not
   * trimmed. A UTF-8 byte order mark at the start is skipped; blank lines that end a file of two or
   * more columns are not rows.
   *
   * <p>Errors, each a {@link MalformedDataException} naming the file, row and line: a row with more
   * or fewer cells than the header (a blank line before more data included); bytes that are not
   * valid UTF-8; a NUL character (UTF-16 text read as UTF-8); broken quoting; an empty file (no
   * header); a header with a repeated or empty column name.
   *
   * @param file the file
   * @param delimiter the cell separator
   * @param nullTokens cell texts read as missing
   * @return the source (readable many times)
   */
  public static Records csv(Path file, char delimiter, Set<String> nullTokens) {
    Objects.requireNonNull(file, "file");
    Set<String> nulls = Set.copyOf(nullTokens);
    int longestNull = nulls.stream().mapToInt(String::length).max().orElse(-1);
    CSVFormat format = CSVFormat.RFC4180.builder().setDelimiter(delimiter).get();
    return new Records() {
      @Override
      void feed(RowSink sink) {
        // Malformed bytes decode to MALFORMED (a noncharacter), found per cell, so that the error names
        // the row and column: a reporting decoder would fail chunks ahead of the parser.
        var decoder = StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPLACE).onUnmappableCharacter(CodingErrorAction.REPLACE)
            .replaceWith(MALFORMED);
        long row = 0;
        CSVParser parser = null;
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(Files.newInputStream(file), decoder), 1 << 16)) {
          reader.mark(1);
          if (reader.read() != BYTE_ORDER_MARK) { // a UTF-8 byte order mark is not part of the first name
            reader.reset();
          }
          parser = CSVParser.builder().setReader(reader).setFormat(format).get();
          Iterator<CSVRecord> it = parser.iterator();
          if (!it.hasNext()) {
            throw new MalformedDataException("CSV file " + file + " is empty: expected a header row", 0, "", null);
          }
          CSVRecord header = it.next();
          List<String> names = new ArrayList<>();
          for (int i = 0; i < header.size(); i++) {
            String name = header.get(i);
            if (name.indexOf(MALFORMED_CHAR) >= 0) {
              throw malformed(file, 0, "header column " + (i + 1));
            }
            if (name.indexOf('\0') >= 0) {
              throw nul(file, 0, "header column " + (i + 1));
            }
            if (name.isEmpty() || names.contains(name)) {
              throw new MalformedDataException("CSV file " + file + ": header column " + (i + 1) + " is "
                  + (name.isEmpty() ? "empty" : "'" + name + "', which repeats an earlier column")
                  + "; every column needs a distinct name", 0, name, null);
            }
            names.add(name);
          }
          int[] index = new int[names.size()];
          for (int i = 0; i < index.length; i++) {
            index[i] = sink.column(names.get(i));
          }
          // Blank lines in a file of several columns: rows of one empty cell, so ragged, unless they only end
          // the file (as many writers leave them), where they are not rows.
          long blankRow = 0;
          long blankLine = 0;
          while (it.hasNext()) {
            CSVRecord record = it.next();
            row++;
            if (record.size() != index.length) {
              if (index.length > 1 && record.size() == 1 && record.get(0).isEmpty()) {
                if (blankRow == 0) {
                  blankRow = row;
                  blankLine = parser.getCurrentLineNumber();
                }
                continue;
              }
              throw ragged(file, row, parser.getCurrentLineNumber(), record.size(), index.length);
            }
            if (blankRow != 0) {
              throw ragged(file, blankRow, blankLine, 1, index.length);
            }
            sink.beginRow(row);
            for (int i = 0; i < index.length; i++) {
              String cell = record.get(i);
              if (cell.indexOf(MALFORMED_CHAR) >= 0) {
                throw malformed(file, row, "column '" + names.get(i) + "'");
              }
              if (cell.indexOf('\0') >= 0) {
                throw nul(file, row, "column '" + names.get(i) + "'");
              }
              sink.text(index[i], cell.length() <= longestNull && nulls.contains(cell) ? null : cell);
            }
            sink.endRow();
          }
        } catch (UncheckedIOException e) {
          throw readError(file, row + 1, parser, e.getCause());
        } catch (IOException e) {
          throw readError(file, row + 1, parser, e);
        }
      }

      @Override
      String describe() {
        return file.toString();
      }
    };
  }

  @SuppressWarnings("unchecked")
  private static Iterator<Map<String, ?>> upcast(Iterator<? extends Map<String, ?>> it) {
    return (Iterator<Map<String, ?>>) it; // read-only use
  }

  private static final char MALFORMED_CHAR = '\uFFFF';
  private static final String MALFORMED = String.valueOf(MALFORMED_CHAR);

  private static MalformedDataException malformed(Path file, long row, String where) {
    return new MalformedDataException("CSV file " + file + ": row " + row + ", " + where
        + " has bytes that are not valid UTF-8 (or the character U+FFFF); re-encode the file as UTF-8", row,
        where.startsWith("column '") ? where.substring(8, where.length() - 1) : "", null);
  }

  private static final int BYTE_ORDER_MARK = '\uFEFF';

  private static MalformedDataException ragged(Path file, long row, long line, int cells, int columns) {
    return new MalformedDataException("CSV file " + file + ": row " + row + " (line " + line + ") has " + cells
        + " cells, the header has " + columns, row, "", null);
  }

  private static MalformedDataException nul(Path file, long row, String where) {
    return new MalformedDataException("CSV file " + file + ": row " + row + ", " + where
        + " has a NUL character: the file looks like UTF-16 (or another encoding with NUL bytes), not UTF-8;"
        + " re-encode it as UTF-8", row, where.startsWith("column '") ? where.substring(8, where.length() - 1) : "", null);
  }

  private static MalformedDataException readError(Path file, long row, CSVParser parser, IOException e) {
    String line = parser == null ? "" : " (near line " + (parser.getCurrentLineNumber() + 1) + ")";
    return new MalformedDataException("CSV file " + file + ": cannot read row " + row + line + ": " + e,
        row, "", e);
  }

  /** Records from maps; single-use when built on an iterator or stream. */
  private static class MapRecords extends Records {
    private final String description;
    private final Iterable<Map<String, ?>> rows;
    private final boolean once;
    private final AtomicBoolean used = new AtomicBoolean();

    MapRecords(String description, Iterable<Map<String, ?>> rows, boolean once) {
      this.description = description;
      this.rows = rows;
      this.once = once;
    }

    @Override
    void feed(RowSink sink) {
      if (once && used.getAndSet(true)) {
        throw new IllegalStateException("this " + description + " was already read; build a new source");
      }
      Map<String, Integer> index = new java.util.HashMap<>();
      long row = 0;
      for (Map<String, ?> record : rows) {
        row++;
        if (record == null) {
          throw new MalformedDataException(description + ": row " + row + " is null", row, "", null);
        }
        sink.beginRow(row);
        for (Map.Entry<String, ?> e : record.entrySet()) {
          String name = e.getKey();
          if (name == null) {
            throw new MalformedDataException(description + ": row " + row + " has a null column name", row, "", null);
          }
          Integer column = index.get(name);
          if (column == null) {
            column = sink.column(name);
            index.put(name, column);
          }
          sink.value(column, e.getValue());
        }
        sink.endRow();
      }
    }

    @Override
    String describe() {
      return description;
    }
  }
}
