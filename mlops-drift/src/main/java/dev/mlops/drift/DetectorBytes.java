package dev.mlops.drift;

import dev.mlops.CorruptDataException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.util.zip.CRC32;

/**
 * The versioned byte form shared by every concept-drift detector.
 *
 * <p>Layout (big-endian): magic {@code "MLCD"} (4 bytes), format version (1 byte), detector kind
 * (1 byte), the detector's body, then a CRC-32 of everything before it (4 bytes). A reader
 * rejects any other magic, a version it does not know, an unknown kind, a checksum mismatch, a
 * truncated body and trailing bytes.
 *
 * <p>Not thread-safe; each instance is used by one call.
 */
final class DetectorBytes {

  static final int MAGIC = 0x4D4C4344; // "MLCD"
  static final byte FORMAT_VERSION = 1;
  static final int HEADER_BYTES = 6;
  static final int TRAILER_BYTES = 4;

  /** Stable codes written into the header; never renumber. */
  enum Kind {
    ADWIN(1, Adwin::read),
    DDM(2, Ddm::read),
    EDDM(3, Eddm::read),
    PAGE_HINKLEY(4, PageHinkley::read),
    HDDM_A(5, HddmA::read),
    HDDM_W(6, HddmW::read),
    KSWIN(7, Kswin::read),
    CUSUM(8, Cusum::read);

    final byte code;
    /** Reads the body of this kind: the parameters, then count and state, then the detector's state. */
    final BodyReader<? extends ConceptDriftDetector> reader;

    Kind(int code, BodyReader<? extends ConceptDriftDetector> reader) {
      this.code = (byte) code;
      this.reader = reader;
    }

    static Kind ofCode(byte code) {
      for (Kind k : values()) {
        if (k.code == code) {
          return k;
        }
      }
      throw new CorruptDataException(
          "concept-drift detector bytes: unknown detector kind " + code + " (known: 1..8)");
    }
  }

  private DetectorBytes() {}

  /** Allocates a buffer for a body of the given size and writes the header. */
  static ByteBuffer begin(Kind kind, int bodyBytes) {
    ByteBuffer buf = ByteBuffer.allocate(HEADER_BYTES + bodyBytes + TRAILER_BYTES);
    buf.putInt(MAGIC).put(FORMAT_VERSION).put(kind.code);
    return buf;
  }

  /** Appends the checksum and returns the array; the body must have filled the buffer. */
  static byte[] finish(ByteBuffer buf) {
    if (buf.remaining() != TRAILER_BYTES) {
      throw new IllegalStateException("body size mismatch: " + buf.remaining() + " bytes left");
    }
    CRC32 crc = new CRC32();
    crc.update(buf.array(), 0, buf.position());
    buf.putInt((int) crc.getValue());
    return buf.array();
  }

  /**
   * Checks header and checksum and returns the kind; the buffer is then positioned at the body
   * and limited to it.
   */
  static Kind open(byte[] bytes, ByteBuffer[] bodyOut) {
    if (bytes.length < HEADER_BYTES + TRAILER_BYTES) {
      throw new CorruptDataException(
          "concept-drift detector bytes: " + bytes.length + " bytes is shorter than the "
              + (HEADER_BYTES + TRAILER_BYTES) + "-byte header and checksum");
    }
    ByteBuffer buf = ByteBuffer.wrap(bytes);
    int magic = buf.getInt();
    if (magic != MAGIC) {
      throw new CorruptDataException(String.format(
          "concept-drift detector bytes: bad magic 0x%08X (expected 0x%08X \"MLCD\")", magic, MAGIC));
    }
    byte version = buf.get();
    if (version != FORMAT_VERSION) {
      throw new CorruptDataException("concept-drift detector bytes: unsupported format version "
          + version + " (this library reads version " + FORMAT_VERSION + ")");
    }
    Kind kind = Kind.ofCode(buf.get());
    int end = bytes.length - TRAILER_BYTES;
    CRC32 crc = new CRC32();
    crc.update(bytes, 0, end);
    int stored = ByteBuffer.wrap(bytes, end, TRAILER_BYTES).getInt();
    if (stored != (int) crc.getValue()) {
      throw new CorruptDataException(String.format(
          "concept-drift detector bytes (%s): checksum mismatch, stored 0x%08X, computed 0x%08X",
          kind, stored, (int) crc.getValue()));
    }
    buf.limit(end);
    bodyOut[0] = buf;
    return kind;
  }

  /** Fails unless the whole body was consumed. */
  static void requireConsumed(Kind kind, ByteBuffer body) {
    if (body.hasRemaining()) {
      throw new CorruptDataException("concept-drift detector bytes (" + kind + "): "
          + body.remaining() + " unexpected trailing bytes in the body");
    }
  }

  /** Reads a body, turning truncation and invalid values into {@link CorruptDataException}. */
  static <T> T decode(Kind kind, ByteBuffer body, BodyReader<T> reader) {
    try {
      T detector = reader.read(body);
      requireConsumed(kind, body);
      return detector;
    } catch (BufferUnderflowException e) {
      throw new CorruptDataException(
          "concept-drift detector bytes (" + kind + "): body is truncated", e);
    } catch (IllegalArgumentException | IllegalStateException e) {
      throw new CorruptDataException(
          "concept-drift detector bytes (" + kind + "): " + e.getMessage(), e);
    }
  }

  /** Reads one detector's body. */
  interface BodyReader<T> {
    T read(ByteBuffer body);
  }

  static void check(boolean ok, String what) {
    if (!ok) {
      throw new IllegalStateException("inconsistent state: " + what);
    }
  }

  static byte state(DriftState s) {
    return (byte) s.ordinal();
  }

  static DriftState state(byte b) {
    DriftState[] all = DriftState.values();
    if (b < 0 || b >= all.length) {
      throw new IllegalStateException("inconsistent state: drift state code " + b);
    }
    return all[b];
  }
}
