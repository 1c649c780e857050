package dev.mlops.core;

import dev.mlops.CorruptDataException;
import dev.mlops.Digest;
import dev.mlops.Names;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.CRC32;

/**
 * The stored form of a metric segment: many points of one run in one immutable object, so that a
 * million points become a hundred objects, not a million. Layout (big-endian):
 *
 * <pre>
 *   int    magic 0x4D4C4D53 ("MLMS")
 *   short  format version (1)
 *   short  flags (0)
 *   int    key count K, then K times: short byte length, UTF-8 bytes of a metric key
 *   int    point count N, then four columns of N values each:
 *            int[N]  key index (0..K-1)
 *            long[N] value as {@link Double#doubleToRawLongBits} (NaN payloads and infinities exact)
 *            long[N] step
 *            long[N] timestamp, epoch millis
 *   int    CRC-32 of every byte before it
 * </pre>
 *
 * Columns (rather than records) let both directions copy whole arrays at once.
 *
 * A reader refuses an unknown version, a bad checksum, a bad key and any length that does not add
 * up, with a {@link CorruptDataException} naming the storage key.
 *
 * <p>Immutable and thread-safe (static functions only).
 */
final class MetricSegments {
  static final int MAGIC = 0x4D4C4D53;
  static final short FORMAT_VERSION = 1;
  static final String SUFFIX = ".seg";
  private static final int RECORD_BYTES = 4 + 8 + 8 + 8;
  /** A metric writer's id: 16 lowercase hex digits, random per run handle. */
  static final Pattern WRITER = Pattern.compile("[0-9a-f]{16}");
  /** A segment's digest as recorded in a run's END entry ({@link #digestOf}). */
  static final Pattern DIGEST = Pattern.compile("[0-9a-f]{16}");
  /** The last key segment of a metric segment: {@code <writer>-<seq, 10 digits>.seg}. */
  private static final Pattern NAME = Pattern.compile("([0-9a-f]{16})-([0-9]{10})\\.seg");

  /**
   * A segment's place: which writer stored it and its number among that writer's segments.
   * Each writer numbers its segments 1, 2, 3... and stores them strictly in order (a segment is
   * written only after the one before it is stored), so a gap in a writer's numbers means a
   * segment was deleted.
   *
   * @param key the storage key
   * @param writer the writer id
   * @param seq the number, from 1
   */
  record Place(String key, String writer, long seq) {
    /** @return the place, or empty if {@code key} is not a segment key under {@code prefix} */
    static Optional<Place> parse(String prefix, String key) {
      if (!key.startsWith(prefix)) {
        return Optional.empty();
      }
      Matcher m = NAME.matcher(key.substring(prefix.length()));
      if (!m.matches()) {
        return Optional.empty(); // a README or other stray file: not ours, ignored
      }
      return Optional.of(new Place(key, m.group(1), Long.parseLong(m.group(2))));
    }

    static String key(String prefix, String writer, long seq) {
      return prefix + writer + "-" + String.format("%010d", seq) + SUFFIX;
    }
  }

  /**
   * What a run needs to know about a stored segment without reading it again.
   *
   * @param latest the latest point per metric in it
   * @param digest its {@link #digestOf digest}
   */
  record Summary(Map<String, Latest> latest, String digest) {}

  /**
   * @param stored a segment's stored bytes
   * @return the first 16 hex digits (64 bits) of their SHA-256: what a run's END entry records per
   *     segment, so that an altered or swapped segment is found even if its CRC was recomputed
   */
  static String digestOf(byte[] stored) {
    return Digest.of(stored).hex().substring(0, 16);
  }

  private MetricSegments() {}

  /**
   * Decoded points of one segment, column by column.
   *
   * @param keys the segment's key dictionary
   * @param keyIndex per point, an index into keys
   * @param valueBits per point, the raw bits of the value
   * @param steps per point, the step
   * @param timestamps per point, epoch millis
   */
  record Segment(List<String> keys, int[] keyIndex, long[] valueBits, long[] steps, long[] timestamps) {
    int size() {
      return keyIndex.length;
    }

    /** @return the last value of each key: highest step, then latest time, then latest written */
    Map<String, Latest> latest() {
      return MetricSegments.latest(keys, keyIndex, valueBits, steps, timestamps, keyIndex.length);
    }
  }

  /** @return the last of the first {@code n} points for each key: highest step, then latest time, then latest written */
  static Map<String, Latest> latest(List<String> keys, int[] keyIndex, long[] valueBits, long[] steps,
      long[] timestamps, int n) {
    int[] best = new int[keys.size()]; // per key, 1 + the index of its latest point (0: none)
    for (int i = 0; i < n; i++) {
      int k = keyIndex[i];
      int b = best[k] - 1;
      if (b < 0 || steps[i] > steps[b] || (steps[i] == steps[b] && timestamps[i] >= timestamps[b])) {
        best[k] = i + 1;
      }
    }
    Map<String, Latest> out = new HashMap<>();
    for (int k = 0; k < best.length; k++) {
      int b = best[k] - 1;
      if (b >= 0) {
        out.put(keys.get(k), new Latest(Double.longBitsToDouble(valueBits[b]), steps[b], timestamps[b]));
      }
    }
    return Map.copyOf(out);
  }

  /**
   * The latest point of one metric.
   *
   * @param value the value
   * @param step its step
   * @param timestamp its time, epoch millis
   */
  record Latest(double value, long step, long timestamp) {
    /** @return whether this point, seen after {@code other}, replaces it as the latest */
    boolean supersedes(Latest other) {
      return step > other.step || (step == other.step && timestamp >= other.timestamp);
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Latest l && Double.compare(value, l.value) == 0 && step == l.step && timestamp == l.timestamp;
    }

    @Override
    public int hashCode() {
      return Double.hashCode(value) * 31 * 31 + Long.hashCode(step) * 31 + Long.hashCode(timestamp);
    }
  }

  /**
   * Encodes the first {@code n} points. Only keys that occur are written to the dictionary.
   *
   * @param dictionary the run's keys; keyIndex values index into it
   * @return the stored bytes
   */
  static byte[] encode(List<String> dictionary, int[] keyIndex, long[] valueBits, long[] steps, long[] timestamps,
      int n) {
    int[] remap = new int[dictionary.size()];
    Arrays.fill(remap, -1);
    List<byte[]> used = new ArrayList<>();
    int keyBytes = 0;
    boolean identity = true;
    for (int i = 0; i < n; i++) {
      int k = keyIndex[i];
      if (remap[k] < 0) {
        remap[k] = used.size();
        identity &= remap[k] == k;
        byte[] b = dictionary.get(k).getBytes(StandardCharsets.UTF_8);
        used.add(b);
        keyBytes += 2 + b.length;
      }
    }
    int[] indices = keyIndex;
    if (!identity) {
      indices = new int[n];
      for (int i = 0; i < n; i++) {
        indices[i] = remap[keyIndex[i]];
      }
    }
    int length = 4 + 2 + 2 + 4 + keyBytes + 4 + n * RECORD_BYTES + 4;
    ByteBuffer buf = ByteBuffer.allocate(length).order(ByteOrder.BIG_ENDIAN);
    buf.putInt(MAGIC).putShort(FORMAT_VERSION).putShort((short) 0).putInt(used.size());
    for (byte[] b : used) {
      buf.putShort((short) b.length).put(b);
    }
    buf.putInt(n);
    buf.asIntBuffer().put(indices, 0, n);
    int at = buf.position() + 4 * n;
    for (long[] column : new long[][] {valueBits, steps, timestamps}) {
      buf.position(at);
      buf.asLongBuffer().put(column, 0, n);
      at += 8 * n;
    }
    CRC32 crc = new CRC32();
    crc.update(buf.array(), 0, length - 4);
    buf.position(at);
    buf.putInt((int) crc.getValue());
    return buf.array();
  }

  /**
   * @param key the storage key, named in errors
   * @param bytes the stored bytes
   * @return the decoded points
   * @throws CorruptDataException naming the key if the bytes are not a valid segment
   */
  static Segment decode(String key, byte[] bytes) {
    try {
      ByteBuffer buf = ByteBuffer.wrap(bytes).order(ByteOrder.BIG_ENDIAN);
      if (bytes.length < 20 || buf.getInt() != MAGIC) {
        throw corrupt(key, "it does not start with the segment magic number");
      }
      short version = buf.getShort();
      if (version != FORMAT_VERSION) {
        throw corrupt(key, "format version " + version + " is not supported (this version reads " + FORMAT_VERSION + ")");
      }
      buf.getShort(); // flags, none defined in version 1
      CRC32 crc = new CRC32();
      crc.update(bytes, 0, bytes.length - 4);
      int stored = ByteBuffer.wrap(bytes, bytes.length - 4, 4).order(ByteOrder.BIG_ENDIAN).getInt();
      if (stored != (int) crc.getValue()) {
        throw corrupt(key, "its checksum does not match its content");
      }
      int keyCount = buf.getInt();
      if (keyCount < 0 || keyCount > bytes.length) {
        throw corrupt(key, "key count " + keyCount + " is impossible");
      }
      List<String> keys = new ArrayList<>(keyCount);
      for (int k = 0; k < keyCount; k++) {
        int len = Short.toUnsignedInt(buf.getShort());
        byte[] b = new byte[len];
        buf.get(b);
        String name = new String(b, StandardCharsets.UTF_8);
        if (!Names.isValid(name)) {
          throw corrupt(key, "it holds an invalid metric key");
        }
        keys.add(name);
      }
      int n = buf.getInt();
      if (n < 0 || (long) n * RECORD_BYTES != buf.remaining() - 4) {
        throw corrupt(key, "point count " + n + " does not match its length");
      }
      int[] idx = new int[n];
      long[] bits = new long[n];
      long[] steps = new long[n];
      long[] ts = new long[n];
      int at = buf.position();
      buf.asIntBuffer().get(idx);
      at += 4 * n;
      for (long[] column : new long[][] {bits, steps, ts}) {
        buf.position(at);
        buf.asLongBuffer().get(column);
        at += 8 * n;
      }
      for (int i = 0; i < n; i++) {
        if (idx[i] < 0 || idx[i] >= keyCount) {
          throw corrupt(key, "point " + i + " refers to key " + idx[i] + " of " + keyCount);
        }
      }
      return new Segment(List.copyOf(keys), idx, bits, steps, ts);
    } catch (BufferUnderflowException | IndexOutOfBoundsException e) {
      throw corrupt(key, "it is truncated");
    }
  }

  private static CorruptDataException corrupt(String key, String why) {
    return new CorruptDataException("metric segment '" + key + "' is unreadable: " + why);
  }
}
