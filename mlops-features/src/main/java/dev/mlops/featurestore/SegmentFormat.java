package dev.mlops.featurestore;

import dev.mlops.CorruptDataException;
import dev.mlops.StorageException;
import dev.mlops.features.FeatureSpec;
import dev.mlops.features.FeatureView;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.regex.Pattern;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.file.CodecFactory;
import org.apache.avro.file.DataFileStream;
import org.apache.avro.file.DataFileWriter;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;

/**
 * Offline segments as Apache Avro object container files, one record per row:
 * {@code _entity_key} (string), {@code _event_time} and {@code _created_time} (long,
 * {@code timestamp-micros}), then one nullable field per feature ({@code double}, {@code long},
 * {@code boolean}, {@code string}, {@code array<float>}). A feature whose name is not a valid Avro
 * name ({@code .} or {@code -} in it, or a leading digit) is stored as {@code _} followed by an
 * escaped form ({@code _} → {@code __}, {@code .} → {@code _d}, {@code -} → {@code _h}); the real
 * name is kept in the field's {@code mlops.feature} property. Names starting with {@code _} are
 * never user names, so no two fields collide. Compressed with deflate level 1.
 *
 * <p>Immutable and thread-safe.
 */
final class SegmentFormat {
  static final String ENTITY_FIELD = "_entity_key";
  static final String EVENT_FIELD = "_event_time";
  static final String CREATED_FIELD = "_created_time";
  private static final Pattern AVRO_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

  private final Schema schema;
  private final FeatureView view;

  SegmentFormat(FeatureView view) {
    this.view = view;
    Schema timestamp = LogicalTypes.timestampMicros().addToSchema(Schema.create(Schema.Type.LONG));
    Schema string = Schema.create(Schema.Type.STRING);
    GenericData.setStringType(string, GenericData.StringType.String);
    SchemaBuilder.FieldAssembler<Schema> fields = SchemaBuilder.record("feature_row_" + avroName(view.name()))
        .namespace("dev.mlops.features")
        .prop("mlops.view", view.name())
        .prop("mlops.entity", view.entity())
        .fields()
        .name(ENTITY_FIELD).type(string).noDefault()
        .name(EVENT_FIELD).type(timestamp).noDefault()
        .name(CREATED_FIELD).type(timestamp).noDefault();
    for (FeatureSpec f : view.features()) {
      Schema valueType = switch (f.type()) {
        case DOUBLE -> Schema.create(Schema.Type.DOUBLE);
        case LONG -> Schema.create(Schema.Type.LONG);
        case BOOLEAN -> Schema.create(Schema.Type.BOOLEAN);
        case STRING -> string;
        case FLOAT_VECTOR -> Schema.createArray(Schema.create(Schema.Type.FLOAT));
      };
      fields = fields.name(avroName(f.name())).prop("mlops.feature", f.name())
          .type(Schema.createUnion(Schema.create(Schema.Type.NULL), valueType)).withDefault(null);
    }
    this.schema = fields.endRecord();
  }

  Schema schema() {
    return schema;
  }

  /** @return the Avro field name of a feature or view name */
  static String avroName(String name) {
    if (AVRO_NAME.matcher(name).matches()) {
      return name;
    }
    StringBuilder sb = new StringBuilder("_");
    for (char c : name.toCharArray()) {
      switch (c) {
        case '_' -> sb.append("__");
        case '.' -> sb.append("_d");
        case '-' -> sb.append("_h");
        default -> sb.append(c);
      }
    }
    return sb.toString();
  }

  /** Writes rows (values positional in view order) as one container file. */
  void write(List<StoredRow> rows, OutputStream out) throws IOException {
    int n = view.features().size();
    try (DataFileWriter<GenericRecord> writer = new DataFileWriter<>(new GenericDatumWriter<GenericRecord>(schema))) {
      writer.setCodec(CodecFactory.deflateCodec(1));
      writer.create(schema, out);
      for (StoredRow row : rows) {
        GenericData.Record r = new GenericData.Record(schema);
        r.put(0, row.entityKey());
        r.put(1, row.eventMicros());
        r.put(2, row.createdMicros());
        for (int i = 0; i < n; i++) {
          Object v = row.values()[i];
          if (v instanceof float[] f) {
            List<Float> list = new ArrayList<>(f.length);
            for (float x : f) {
              list.add(x);
            }
            v = list;
          }
          r.put(3 + i, v);
        }
        writer.append(r);
      }
    }
  }

  /**
   * Reads a segment as rows, positional in view order.
   *
   * @param key the segment's key, named in errors
   * @param in its content; closed when the iterator is exhausted or fails
   * @param segment the rank recorded on every row
   * @return the rows, lazily
   */
  Iterator<StoredRow> read(String key, InputStream in, int segment) {
    DataFileStream<GenericRecord> stream;
    try {
      stream = new DataFileStream<>(in, new GenericDatumReader<>(null, schema));
    } catch (IOException | RuntimeException e) {
      closeQuietly(in);
      throw new CorruptDataException("offline segment '" + key + "' is not a readable Avro file: " + e.getMessage(), e);
    }
    int n = view.features().size();
    return new Iterator<>() {
      private GenericRecord reuse;
      private boolean open = true;

      @Override
      public boolean hasNext() {
        if (!open) {
          return false;
        }
        boolean more;
        try {
          more = stream.hasNext();
        } catch (RuntimeException e) {
          open = false;
          closeQuietly(stream);
          throw new CorruptDataException("offline segment '" + key + "' is unreadable or corrupt: " + e.getMessage(), e);
        }
        if (more) {
          return true;
        }
        open = false;
        closeQuietly(stream);
        return false;
      }

      @Override
      public StoredRow next() {
        if (!hasNext()) {
          throw new NoSuchElementException();
        }
        try {
          reuse = stream.next(reuse);
        } catch (IOException | RuntimeException e) {
          open = false;
          closeQuietly(stream);
          if (e instanceof StorageException se) {
            throw se;
          }
          throw new CorruptDataException("offline segment '" + key + "' is unreadable or corrupt: " + e.getMessage(), e);
        }
        Object[] values = new Object[n];
        for (int i = 0; i < n; i++) {
          Object v = reuse.get(3 + i);
          if (v instanceof List<?> list) {
            float[] f = new float[list.size()];
            for (int j = 0; j < f.length; j++) {
              f[j] = (Float) list.get(j);
            }
            v = f;
          } else if (v instanceof CharSequence cs && !(v instanceof String)) {
            v = cs.toString();
          }
          values[i] = v;
        }
        Object key0 = reuse.get(0);
        return new StoredRow(key0.toString(), (Long) reuse.get(1), (Long) reuse.get(2), segment, values);
      }
    };
  }

  private static void closeQuietly(AutoCloseable c) {
    try {
      c.close();
    } catch (Exception ignored) {
      // read-only stream
    }
  }
}
