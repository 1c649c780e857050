package dev.mlops.tuning;

import dev.mlops.CorruptDataException;
import dev.mlops.RunId;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The stored form of a {@link TrialEvent}: a version byte, a kind byte, then the fields in
 * {@link DataOutputStream} encoding (doubles bit-exact). Immutable and thread-safe.
 */
final class TrialEventCodec {
  static final int VERSION = 1;
  private static final int MAX_TEXT = 4096;

  private TrialEventCodec() {}

  static byte[] encode(TrialEvent event) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeByte(VERSION);
      if (event instanceof TrialEvent.Started s) {
        out.writeByte('S');
        out.writeInt(s.number());
        out.writeUTF(s.run().value());
        writeInstant(out, s.at());
      } else if (event instanceof TrialEvent.Suggested s) {
        out.writeByte('P');
        out.writeInt(s.number());
        writeParam(out, s.param());
        out.writeDouble(s.value());
      } else if (event instanceof TrialEvent.Reported r) {
        out.writeByte('R');
        out.writeInt(r.number());
        out.writeLong(r.step());
        out.writeDouble(r.value());
      } else if (event instanceof TrialEvent.Heartbeat h) {
        out.writeByte('H');
        out.writeInt(h.number());
        writeInstant(out, h.at());
      } else if (event instanceof TrialEvent.Expired x) {
        out.writeByte('X');
        out.writeInt(x.number());
        out.writeUTF(x.reason().length() <= MAX_TEXT ? x.reason() : x.reason().substring(0, MAX_TEXT));
        writeInstant(out, x.at());
      } else {
        TrialEvent.Ended e = (TrialEvent.Ended) event;
        out.writeByte('E');
        out.writeInt(e.number());
        out.writeUTF(e.state().name());
        out.writeBoolean(e.value().isPresent());
        out.writeDouble(e.value().orElse(0.0));
        out.writeBoolean(e.reason().isPresent());
        String reason = e.reason().orElse("");
        out.writeUTF(reason.length() <= MAX_TEXT ? reason : reason.substring(0, MAX_TEXT));
        writeInstant(out, e.at());
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  static TrialEvent decode(String key, byte[] bytes) {
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
      int version = in.readUnsignedByte();
      if (version != VERSION) {
        throw new CorruptDataException("trial event " + key + " has format version " + version + "; this build reads "
            + VERSION);
      }
      int kind = in.readUnsignedByte();
      int number = in.readInt();
      return switch (kind) {
        case 'S' -> new TrialEvent.Started(number, RunId.of(in.readUTF()), readInstant(in));
        case 'P' -> new TrialEvent.Suggested(number, readParam(in), in.readDouble());
        case 'R' -> new TrialEvent.Reported(number, in.readLong(), in.readDouble());
        case 'H' -> new TrialEvent.Heartbeat(number, readInstant(in));
        case 'X' -> new TrialEvent.Expired(number, in.readUTF(), readInstant(in));
        case 'E' -> {
          TrialState state = TrialState.valueOf(in.readUTF());
          boolean hasValue = in.readBoolean();
          double value = in.readDouble();
          boolean hasReason = in.readBoolean();
          String reason = in.readUTF();
          yield new TrialEvent.Ended(number, state, hasValue ? Optional.of(value) : Optional.empty(),
              hasReason ? Optional.of(reason) : Optional.empty(), readInstant(in));
        }
        default -> throw new CorruptDataException("trial event " + key + " has unknown kind " + kind);
      };
    } catch (IOException | IllegalArgumentException e) {
      throw new CorruptDataException("trial event " + key + " cannot be read: " + e.getMessage());
    }
  }

  private static void writeInstant(DataOutputStream out, Instant at) throws IOException {
    out.writeLong(at.getEpochSecond());
    out.writeInt(at.getNano());
  }

  private static Instant readInstant(DataInputStream in) throws IOException {
    return Instant.ofEpochSecond(in.readLong(), in.readInt());
  }

  private static void writeParam(DataOutputStream out, Param p) throws IOException {
    if (p instanceof FloatParam f) {
      out.writeByte('F');
      out.writeUTF(f.name());
      out.writeDouble(f.low());
      out.writeDouble(f.high());
      out.writeBoolean(f.log());
    } else if (p instanceof IntParam i) {
      out.writeByte('I');
      out.writeUTF(i.name());
      out.writeLong(i.low());
      out.writeLong(i.high());
      out.writeLong(i.step());
      out.writeBoolean(i.log());
    } else {
      CategoricalParam c = (CategoricalParam) p;
      out.writeByte('C');
      out.writeUTF(c.name());
      out.writeInt(c.choices().size());
      for (String choice : c.choices()) {
        out.writeUTF(choice);
      }
    }
  }

  private static Param readParam(DataInputStream in) throws IOException {
    int kind = in.readUnsignedByte();
    String name = in.readUTF();
    return switch (kind) {
      case 'F' -> new FloatParam(name, in.readDouble(), in.readDouble(), in.readBoolean());
      case 'I' -> new IntParam(name, in.readLong(), in.readLong(), in.readLong(), in.readBoolean());
      case 'C' -> {
        int n = in.readInt();
        if (n < 0 || n > 1_000_000) {
          throw new IOException("categorical '" + name + "' claims " + n + " choices");
        }
        List<String> choices = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
          choices.add(in.readUTF());
        }
        yield new CategoricalParam(name, choices);
      }
      default -> throw new IOException("unknown parameter kind " + kind);
    };
  }
}
