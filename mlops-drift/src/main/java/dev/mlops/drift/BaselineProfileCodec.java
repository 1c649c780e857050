package dev.mlops.drift;

import dev.mlops.CorruptDataException;
import dev.mlops.Names;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32;
import org.apache.datasketches.kll.KllDoublesSketch;
import org.apache.datasketches.memory.Memory;

/**
 * The binary form of a {@link BaselineProfile}. Layout, format version 1 (big-endian):
 * magic {@code MLBP}; u16 version; i32 bins; i32 sketch k; f64 min category share; i32 max
 * category buckets; i32 numeric feature count, then per feature: UTF name, i64 count, missing,
 * infinite, f64 mean, m2, min, max, i32 edge count, f64 edges, f64 bin probabilities, i32 sketch
 * length, the KLL sketch's own serialized bytes; i32 categorical feature count, then per feature:
 * UTF name, i32 category count, UTF categories, i64 per-category counts, i64 unknown, i64
 * missing; finally the CRC-32 of everything before it.
 *
 * <p>Format version 2 is version 1 with an i32 after each numeric feature's m2: the exponent
 * {@code s} of its scale (m2 is in units of {@code 4^s}; non-zero only for values beyond about
 * 3e144, see {@link NumericFeatureProfile#M2_HEADROOM}). A profile is written as version 1
 * whenever every such exponent is 0, so the bytes (and content digests) of ordinary profiles are
 * unchanged; both versions are read.
 */
final class BaselineProfileCodec {
  static final byte[] MAGIC = {'M', 'L', 'B', 'P'};
  static final int FORMAT_VERSION = 2;
  private static final int MAX_FEATURES = 1_000_000;

  private BaselineProfileCodec() {}

  static byte[] write(BaselineProfile profile) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      boolean scaled = profile.numericFeatures().stream().anyMatch(f -> f.m2Shift() != 0);
      out.write(MAGIC);
      out.writeShort(scaled ? 2 : 1);
      out.writeInt(profile.bins());
      out.writeInt(profile.sketchK());
      out.writeDouble(profile.minCategoryShare());
      out.writeInt(profile.maxCategoryBuckets());
      out.writeInt(profile.numericFeatures().size());
      for (NumericFeatureProfile f : profile.numericFeatures()) {
        out.writeUTF(f.name());
        out.writeLong(f.count());
        out.writeLong(f.missingCount());
        out.writeLong(f.infiniteCount());
        out.writeDouble(f.rawMean());
        out.writeDouble(f.m2());
        if (scaled) {
          out.writeInt(f.m2Shift());
        }
        out.writeDouble(f.rawMin());
        out.writeDouble(f.rawMax());
        double[] edges = f.binEdges();
        out.writeInt(edges.length);
        for (double e : edges) {
          out.writeDouble(e);
        }
        for (double p : f.binProbabilities()) {
          out.writeDouble(p);
        }
        byte[] sketch = f.sketch().toByteArray();
        out.writeInt(sketch.length);
        out.write(sketch);
      }
      out.writeInt(profile.categoricalFeatures().size());
      for (CategoricalFeatureProfile f : profile.categoricalFeatures()) {
        out.writeUTF(f.name());
        List<String> categories = f.feature().categories();
        out.writeInt(categories.size());
        for (String c : categories) {
          out.writeUTF(c);
        }
        for (long c : f.codeCounts()) {
          out.writeLong(c);
        }
        out.writeLong(f.unknownCount());
        out.writeLong(f.missingCount());
      }
    } catch (IOException e) {
      throw new UncheckedIOException("writing to memory cannot fail", e);
    }
    byte[] body = bytes.toByteArray();
    CRC32 crc = new CRC32();
    crc.update(body);
    return ByteBuffer.allocate(body.length + 4).put(body).putInt((int) crc.getValue()).array();
  }

  static BaselineProfile read(byte[] bytes) {
    if (bytes.length < MAGIC.length + 2 + 4) {
      throw corrupt("is " + bytes.length + " bytes long, too short to be one");
    }
    for (int i = 0; i < MAGIC.length; i++) {
      if (bytes[i] != MAGIC[i]) {
        throw corrupt("does not start with the magic bytes 'MLBP'");
      }
    }
    int version = ((bytes[4] & 0xff) << 8) | (bytes[5] & 0xff);
    if (version != 1 && version != FORMAT_VERSION) {
      throw corrupt("has format version " + version + "; this library reads version 1 and version " + FORMAT_VERSION);
    }
    CRC32 crc = new CRC32();
    crc.update(bytes, 0, bytes.length - 4);
    int stored = ByteBuffer.wrap(bytes, bytes.length - 4, 4).getInt();
    if (stored != (int) crc.getValue()) {
      throw corrupt("fails its CRC-32 check (stored " + Integer.toHexString(stored) + ", computed "
          + Long.toHexString(crc.getValue()) + "): the bytes are damaged");
    }
    DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes, 6, bytes.length - 10));
    try {
      int bins = in.readInt();
      check(bins >= 2 && bins <= BaselineProfile.MAX_BINS, "bins " + bins + " outside [2, 16]");
      int k = in.readInt();
      check(k >= 8 && k <= 65535, "sketch k " + k + " outside [8, 65535]");
      double minShare = in.readDouble();
      check(minShare >= 0 && minShare < 1, "min category share " + minShare + " outside [0, 1)");
      int maxBuckets = in.readInt();
      check(maxBuckets >= 1 && maxBuckets <= 4096, "max category buckets " + maxBuckets + " outside [1, 4096]");
      int numericCount = in.readInt();
      check(numericCount >= 0 && numericCount <= MAX_FEATURES, "numeric feature count " + numericCount);
      List<NumericFeatureProfile> numeric = new ArrayList<>();
      for (int f = 0; f < numericCount; f++) {
        numeric.add(readNumeric(in, bins, version));
      }
      int categoricalCount = in.readInt();
      check(categoricalCount >= 0 && categoricalCount <= MAX_FEATURES, "categorical feature count " + categoricalCount);
      List<CategoricalFeatureProfile> categorical = new ArrayList<>();
      for (int f = 0; f < categoricalCount; f++) {
        categorical.add(readCategorical(in, minShare, maxBuckets));
      }
      check(in.available() == 0, in.available() + " unexpected trailing bytes");
      check(numericCount + categoricalCount > 0, "no features");
      return new BaselineProfile(numeric, categorical, bins, k, minShare, maxBuckets);
    } catch (EOFException e) {
      throw new CorruptDataException("baseline profile is truncated", e);
    } catch (IOException e) {
      throw new CorruptDataException("baseline profile is malformed: " + e.getMessage(), e);
    } catch (IllegalArgumentException e) {
      throw new CorruptDataException("baseline profile is malformed: " + e.getMessage(), e);
    }
  }

  private static NumericFeatureProfile readNumeric(DataInputStream in, int bins, int version) throws IOException {
    String name = in.readUTF();
    check(Names.isValid(name), "numeric feature name '" + name + "' is invalid");
    long count = in.readLong();
    long missing = in.readLong();
    long infinite = in.readLong();
    check(count >= 0 && missing >= 0 && infinite >= 0, "feature '" + name + "' has a negative count");
    double mean = in.readDouble();
    double m2 = in.readDouble();
    int m2Shift = version >= 2 ? in.readInt() : 0;
    check(m2Shift >= 0 && m2Shift <= 1100, "feature '" + name + "' has m2 scale exponent " + m2Shift);
    double min = in.readDouble();
    double max = in.readDouble();
    check(Double.isFinite(mean) && m2 >= 0 && Double.isFinite(m2) && Double.isFinite(min) && Double.isFinite(max)
        && min <= max, "feature '" + name + "' has invalid moments");
    int edgeCount = in.readInt();
    check(edgeCount >= 0 && edgeCount < bins, "feature '" + name + "' has " + edgeCount + " edges for " + bins + " bins");
    double[] edges = new double[edgeCount];
    for (int i = 0; i < edgeCount; i++) {
      edges[i] = in.readDouble();
      check(Double.isFinite(edges[i]) && (i == 0 || edges[i] > edges[i - 1]),
          "feature '" + name + "' has edges that are not finite and strictly increasing");
    }
    double[] probabilities = new double[edgeCount + 1];
    double sum = 0;
    for (int i = 0; i <= edgeCount; i++) {
      probabilities[i] = in.readDouble();
      check(probabilities[i] >= 0 && probabilities[i] <= 1, "feature '" + name + "' has a bin probability outside [0, 1]");
      sum += probabilities[i];
    }
    check(Math.abs(sum - 1) < 1e-6, "feature '" + name + "' has bin probabilities summing to " + sum);
    int sketchLength = in.readInt();
    check(sketchLength > 0 && sketchLength <= in.available(), "feature '" + name + "' sketch length " + sketchLength);
    byte[] sketchBytes = in.readNBytes(sketchLength);
    KllDoublesSketch sketch;
    try {
      sketch = KllDoublesSketch.heapify(Memory.wrap(sketchBytes));
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("feature '" + name + "' has an unreadable KLL sketch: " + e.getMessage(), e);
    }
    check(sketch.getN() == count, "feature '" + name + "' sketch holds " + sketch.getN() + " values, count is " + count);
    return new NumericFeatureProfile(name, count, missing, infinite, mean, m2, m2Shift, min, max, edges, probabilities,
        sketch);
  }

  private static CategoricalFeatureProfile readCategorical(DataInputStream in, double minShare, int maxBuckets)
      throws IOException {
    String name = in.readUTF();
    int size = in.readInt();
    check(size >= 1 && size <= in.available(), "categorical feature '" + name + "' has " + size + " categories");
    List<String> categories = new ArrayList<>();
    for (int i = 0; i < size; i++) {
      categories.add(in.readUTF());
    }
    CategoricalFeature feature = new CategoricalFeature(name, categories);
    long[] counts = new long[size];
    for (int i = 0; i < size; i++) {
      counts[i] = in.readLong();
      check(counts[i] >= 0, "categorical feature '" + name + "' has a negative count");
    }
    long unknown = in.readLong();
    long missing = in.readLong();
    check(unknown >= 0 && missing >= 0, "categorical feature '" + name + "' has a negative count");
    return new CategoricalFeatureProfile(feature, counts, unknown, missing, minShare, maxBuckets);
  }

  private static void check(boolean ok, String problem) {
    if (!ok) {
      throw new IllegalArgumentException(problem);
    }
  }

  private static CorruptDataException corrupt(String problem) {
    return new CorruptDataException("baseline profile " + problem);
  }
}
