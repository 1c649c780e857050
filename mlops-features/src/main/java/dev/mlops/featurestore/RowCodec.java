package dev.mlops.featurestore;

import dev.mlops.CorruptDataException;
import dev.mlops.features.FeatureType;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.List;

/**
 * The compact binary form of a {@link StoredRow}, used for spill runs, online row objects and
 * the content digest that names offline segments. Layout: entity key (length-prefixed UTF-8),
 * event and created micros, segment rank, then per column a presence byte and the value
 * (double, long, boolean, length-prefixed UTF-8, or length-prefixed floats).
 *
 * <p>Immutable and thread-safe.
 */
final class RowCodec {
  private final FeatureType[] types;

  RowCodec(List<FeatureType> types) {
    this.types = types.toArray(new FeatureType[0]);
  }

  void write(DataOutputStream out, StoredRow row) throws IOException {
    writeString(out, row.entityKey());
    out.writeLong(row.eventMicros());
    out.writeLong(row.createdMicros());
    out.writeInt(row.segment());
    Object[] values = row.values();
    for (int i = 0; i < types.length; i++) {
      Object v = values[i];
      if (v == null) {
        out.writeByte(0);
        continue;
      }
      out.writeByte(1);
      switch (types[i]) {
        case DOUBLE -> out.writeDouble((Double) v);
        case LONG -> out.writeLong((Long) v);
        case BOOLEAN -> out.writeBoolean((Boolean) v);
        case STRING -> writeString(out, (String) v);
        case FLOAT_VECTOR -> {
          float[] f = (float[]) v;
          out.writeInt(f.length);
          for (float x : f) {
            out.writeFloat(x);
          }
        }
        default -> throw new IllegalStateException("unknown type " + types[i]);
      }
    }
  }

  StoredRow read(DataInputStream in) throws IOException {
    String key = readString(in);
    long event = in.readLong();
    long created = in.readLong();
    int segment = in.readInt();
    Object[] values = new Object[types.length];
    for (int i = 0; i < types.length; i++) {
      byte present = in.readByte();
      if (present == 0) {
        continue;
      }
      if (present != 1) {
        throw new CorruptDataException("feature row of entity '" + key + "' has a bad presence byte " + present);
      }
      values[i] = switch (types[i]) {
        case DOUBLE -> in.readDouble();
        case LONG -> in.readLong();
        case BOOLEAN -> in.readBoolean();
        case STRING -> readString(in);
        case FLOAT_VECTOR -> {
          int n = in.readInt();
          if (n < 0 || n > 1 << 24) {
            throw new CorruptDataException("feature row of entity '" + key + "' has a vector of length " + n);
          }
          float[] f = new float[n];
          for (int j = 0; j < n; j++) {
            f[j] = in.readFloat();
          }
          yield f;
        }
      };
    }
    return new StoredRow(key, event, created, segment, values);
  }

  // writeUTF is limited to 64 KiB; strings here may be longer.
  static void writeString(DataOutputStream out, String s) throws IOException {
    byte[] b = s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    out.writeInt(b.length);
    out.write(b);
  }

  static String readString(DataInputStream in) throws IOException {
    int n = in.readInt();
    if (n < 0 || n > 1 << 28) {
      throw new CorruptDataException("stored string has length " + n);
    }
    byte[] b = new byte[n];
    in.readFully(b);
    return new String(b, java.nio.charset.StandardCharsets.UTF_8);
  }
}
