package dev.mlops.drift;

import dev.mlops.CorruptDataException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Arrays;
import java.util.Objects;
import java.util.zip.CRC32;

/**
 * The counts of one monitoring window: per numeric feature the values in each baseline bin with
 * their sums, missing and infinite values; per categorical feature each bucket, missing and unknown
 * codes; prediction moments; the late-label quality counters; and, for a monitor with
 * {@link DataQualityRules}, the data-quality counters with the rules' fingerprint. This is everything a drift
 * report is computed from, so the snapshots of a fleet of instances {@link #merge merge} into the
 * snapshot one instance would have seen — exactly for every count (sums of doubles up to rounding)
 * — and {@link PredictionMonitor#evaluate(WindowSnapshot)} turns the merged snapshot into one
 * verdict. Snapshots hold no sketches, so merging adds no approximation.
 *
 * <p>Sums of values (per-bin sums, the prediction sum, the error sum) are kept scaled by
 * {@code 2^-64}, exactly for every value above {@code 2^-958} in magnitude, so a window of values
 * near {@code ±Double.MAX_VALUE} cannot overflow them: means are always finite.
 *
 * <p>Serialized form ({@link #toBytes()}): magic {@code MLWS}, format version 3, the counts, CRC-32.
 * Version 3 appended the data-quality counters (a fingerprint of the rules they were counted
 * under, 0 for none, then the counters); version 2 (without them) and version 1 (sums unscaled,
 * with a prediction sum of squares) are still read, as snapshots without data-quality counts.
 *
 * <p>Data-quality counts merge when both snapshots were counted under the same rules; merging a
 * snapshot without counts gives one without counts (the sum would be incomplete).
 *
 * <p>Immutable and thread-safe.
 */
public final class WindowSnapshot {
  static final byte[] MAGIC = {'M', 'L', 'W', 'S'};
  static final int FORMAT_VERSION = 3;
  /** Sums of raw values are accumulated times this factor (an exact power of two), so they cannot overflow. */
  static final double SUM_SCALE = 0x1p-64;
  /** Undoes {@link #SUM_SCALE}: a mean is {@code sum / count * SUM_UNSCALE}. */
  static final double SUM_UNSCALE = 0x1p64;

  final long fingerprint;
  final long startMillis;
  final long endMillis;
  final long records;
  final long[] binCounts;
  final double[] binSums;
  final long[] missing;
  final long[] infinite;
  final long[] categorical;
  final long predictions;
  final long predictionsInvalid;
  final double predictionSum;
  final long outcomes;
  final double errorSum;
  final long evicted;
  final long unmatched;
  final long conceptDrifts;
  final DriftState detectorState;
  /** The {@link QualityPlan#fingerprint} the quality counts were taken under; 0 = none. */
  final long qualityFingerprint;
  /** Data-quality counters in {@link QualityPlan}'s slot order; empty when qualityFingerprint is 0. */
  final long[] quality;

  WindowSnapshot(long fingerprint, long startMillis, long endMillis, long records, long[] binCounts, double[] binSums,
      long[] missing, long[] infinite, long[] categorical, long predictions, long predictionsInvalid,
      double predictionSum, long outcomes, double errorSum, long evicted,
      long unmatched, long conceptDrifts, DriftState detectorState, long qualityFingerprint, long[] quality) {
    this.fingerprint = fingerprint;
    this.startMillis = startMillis;
    this.endMillis = endMillis;
    this.records = records;
    this.binCounts = binCounts;
    this.binSums = binSums;
    this.missing = missing;
    this.infinite = infinite;
    this.categorical = categorical;
    this.predictions = predictions;
    this.predictionsInvalid = predictionsInvalid;
    this.predictionSum = predictionSum;
    this.outcomes = outcomes;
    this.errorSum = errorSum;
    this.evicted = evicted;
    this.unmatched = unmatched;
    this.conceptDrifts = conceptDrifts;
    this.detectorState = detectorState;
    this.qualityFingerprint = qualityFingerprint;
    this.quality = qualityFingerprint == 0 ? new long[0] : quality;
  }

  static WindowSnapshot empty(MonitorLayout layout, QualityPlan plan, long startMillis, long endMillis) {
    return new WindowSnapshot(layout.fingerprint, startMillis, endMillis, 0, new long[layout.numeric * MonitorLayout.SLOTS],
        new double[layout.numeric * MonitorLayout.SLOTS], new long[layout.numeric], new long[layout.numeric],
        new long[layout.categoricalSlots], 0, 0, 0, 0, 0, 0, 0, 0, DriftState.STABLE,
        plan == null ? 0 : plan.fingerprint, plan == null ? new long[0] : new long[plan.slots]);
  }

  /** @return when the window opened */
  public Instant start() {
    return Instant.ofEpochMilli(startMillis);
  }

  /** @return when the window closed */
  public Instant end() {
    return Instant.ofEpochMilli(endMillis);
  }

  /** @return records (predictions) counted */
  public long records() {
    return records;
  }

  /**
   * The window's counts of one feature in the baseline's bins, for drawing it next to the
   * baseline ({@link NumericFeatureProfile#binProbabilities()},
   * {@link CategoricalFeatureProfile#bucketProbabilities()}): for a numeric feature one count per
   * bin (missing and infinite values are not in any bin); for a categorical feature one count per
   * bucket ("other" last; missing and unknown codes are not in any bucket).
   *
   * @param baseline the profile this snapshot was taken against
   * @param feature a feature of that profile
   * @return a new array of counts
   * @throws IllegalArgumentException if the snapshot was taken against another baseline, or the
   *     profile has no such feature
   */
  public long[] histogram(BaselineProfile baseline, String feature) {
    Objects.requireNonNull(baseline, "baseline");
    Objects.requireNonNull(feature, "feature");
    MonitorLayout layout = new MonitorLayout(baseline);
    if (layout.fingerprint != fingerprint || layout.numeric * MonitorLayout.SLOTS != binCounts.length
        || layout.categoricalSlots != categorical.length) {
      throw new IllegalArgumentException("window snapshot was taken against another baseline (fingerprint "
          + Long.toHexString(fingerprint) + ", the profile's is " + Long.toHexString(layout.fingerprint) + ")");
    }
    Integer slot = layout.slotOfName.get(feature);
    if (slot == null) {
      throw new IllegalArgumentException("feature '" + feature + "' is not in the baseline; it has " + layout.names);
    }
    if (slot < layout.numeric) {
      return Arrays.copyOfRange(binCounts, slot * MonitorLayout.SLOTS, slot * MonitorLayout.SLOTS + layout.bins[slot]);
    }
    int j = slot - layout.numeric;
    int off = layout.categoricalOffset[j];
    return Arrays.copyOfRange(categorical, off, off + layout.buckets[j]);
  }

  /**
   * Combines two windows taken against the same baseline (e.g. the same window on two instances,
   * or two consecutive panes). Counts add exactly; the result spans both time ranges.
   *
   * @param other a snapshot of a monitor built on the same baseline profile
   * @return the combined snapshot
   * @throws IllegalArgumentException if the snapshots come from different baselines, or both carry
   *     data-quality counts taken under different rules
   */
  public WindowSnapshot merge(WindowSnapshot other) {
    Objects.requireNonNull(other, "other");
    if (fingerprint != other.fingerprint || binCounts.length != other.binCounts.length
        || categorical.length != other.categorical.length) {
      throw new IllegalArgumentException("cannot merge window snapshots taken against different baselines (fingerprints "
          + Long.toHexString(fingerprint) + " and " + Long.toHexString(other.fingerprint) + ")");
    }
    long qualityFp = 0;
    long[] q = new long[0];
    if (qualityFingerprint != 0 && other.qualityFingerprint != 0) {
      if (qualityFingerprint != other.qualityFingerprint || quality.length != other.quality.length) {
        throw new IllegalArgumentException("cannot merge window snapshots counted under different data-quality rules"
            + " (fingerprints " + Long.toHexString(qualityFingerprint) + " and "
            + Long.toHexString(other.qualityFingerprint) + "); give every instance the same rules");
      }
      qualityFp = qualityFingerprint;
      q = add(quality, other.quality);
    }
    return new WindowSnapshot(fingerprint, Math.min(startMillis, other.startMillis), Math.max(endMillis, other.endMillis),
        records + other.records, add(binCounts, other.binCounts), add(binSums, other.binSums),
        add(missing, other.missing), add(infinite, other.infinite), add(categorical, other.categorical),
        predictions + other.predictions, predictionsInvalid + other.predictionsInvalid,
        predictionSum + other.predictionSum,
        outcomes + other.outcomes, errorSum + other.errorSum, evicted + other.evicted, unmatched + other.unmatched,
        conceptDrifts + other.conceptDrifts,
        detectorState.compareTo(other.detectorState) >= 0 ? detectorState : other.detectorState, qualityFp, q);
  }

  private static long[] add(long[] a, long[] b) {
    long[] out = a.clone();
    for (int i = 0; i < out.length; i++) {
      out[i] += b[i];
    }
    return out;
  }

  private static double[] add(double[] a, double[] b) {
    double[] out = a.clone();
    for (int i = 0; i < out.length; i++) {
      out[i] += b[i];
    }
    return out;
  }

  /** @return the versioned binary form, readable by {@link #fromBytes(byte[])} */
  public byte[] toBytes() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.write(MAGIC);
      out.writeShort(FORMAT_VERSION);
      out.writeLong(fingerprint);
      out.writeLong(startMillis);
      out.writeLong(endMillis);
      out.writeLong(records);
      out.writeInt(missing.length);
      out.writeInt(categorical.length);
      for (long v : binCounts) {
        out.writeLong(v);
      }
      for (double v : binSums) {
        out.writeDouble(v);
      }
      for (int f = 0; f < missing.length; f++) {
        out.writeLong(missing[f]);
        out.writeLong(infinite[f]);
      }
      for (long v : categorical) {
        out.writeLong(v);
      }
      out.writeLong(predictions);
      out.writeLong(predictionsInvalid);
      out.writeDouble(predictionSum);
      out.writeLong(outcomes);
      out.writeDouble(errorSum);
      out.writeLong(evicted);
      out.writeLong(unmatched);
      out.writeLong(conceptDrifts);
      out.writeByte(detectorState.ordinal());
      out.writeLong(qualityFingerprint);
      out.writeInt(quality.length);
      for (long v : quality) {
        out.writeLong(v);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("writing to memory cannot fail", e);
    }
    byte[] body = bytes.toByteArray();
    CRC32 crc = new CRC32();
    crc.update(body);
    return ByteBuffer.allocate(body.length + 4).put(body).putInt((int) crc.getValue()).array();
  }

  /**
   * @param bytes a snapshot written by {@link #toBytes()}
   * @return the snapshot
   * @throws CorruptDataException naming the problem if the bytes are not a snapshot, are damaged
   *     or truncated, or carry an unknown format version
   */
  public static WindowSnapshot fromBytes(byte[] bytes) {
    Objects.requireNonNull(bytes, "bytes");
    if (bytes.length < 10) {
      throw new CorruptDataException("window snapshot is " + bytes.length + " bytes long, too short to be one");
    }
    for (int i = 0; i < MAGIC.length; i++) {
      if (bytes[i] != MAGIC[i]) {
        throw new CorruptDataException("window snapshot does not start with the magic bytes 'MLWS'");
      }
    }
    int version = ((bytes[4] & 0xff) << 8) | (bytes[5] & 0xff);
    if (version < 1 || version > FORMAT_VERSION) {
      throw new CorruptDataException("window snapshot has format version " + version
          + "; this library reads versions 1 to " + FORMAT_VERSION);
    }
    // Version 1 stored sums unscaled and a prediction sum of squares.
    double sumScale = version == 1 ? SUM_SCALE : 1;
    CRC32 crc = new CRC32();
    crc.update(bytes, 0, bytes.length - 4);
    if (ByteBuffer.wrap(bytes, bytes.length - 4, 4).getInt() != (int) crc.getValue()) {
      throw new CorruptDataException("window snapshot fails its CRC-32 check: the bytes are damaged");
    }
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes, 6, bytes.length - 10))) {
      long fingerprint = in.readLong();
      long start = in.readLong();
      long end = in.readLong();
      long records = nonNegative(in.readLong(), "records");
      int numeric = in.readInt();
      int categoricalSlots = in.readInt();
      if (numeric < 0 || categoricalSlots < 0 || (long) numeric * (MonitorLayout.SLOTS * 16 + 16) + categoricalSlots * 8L > in.available()) {
        throw new CorruptDataException("window snapshot declares " + numeric + " numeric features and "
            + categoricalSlots + " categorical slots, more than its " + bytes.length + " bytes hold");
      }
      long[] binCounts = new long[numeric * MonitorLayout.SLOTS];
      for (int i = 0; i < binCounts.length; i++) {
        binCounts[i] = nonNegative(in.readLong(), "bin count");
      }
      double[] binSums = new double[binCounts.length];
      for (int i = 0; i < binSums.length; i++) {
        binSums[i] = in.readDouble() * sumScale;
      }
      long[] missing = new long[numeric];
      long[] infinite = new long[numeric];
      for (int f = 0; f < numeric; f++) {
        missing[f] = nonNegative(in.readLong(), "missing count");
        infinite[f] = nonNegative(in.readLong(), "infinite count");
      }
      long[] categorical = new long[categoricalSlots];
      for (int i = 0; i < categoricalSlots; i++) {
        categorical[i] = nonNegative(in.readLong(), "category count");
      }
      long predictions = nonNegative(in.readLong(), "predictions");
      long predictionsInvalid = nonNegative(in.readLong(), "invalid predictions");
      double predictionSum = in.readDouble() * sumScale;
      if (version == 1) {
        in.readDouble(); // the sum of squares, no longer kept
      }
      long outcomes = nonNegative(in.readLong(), "outcomes");
      double errorSum = in.readDouble() * sumScale;
      long evicted = nonNegative(in.readLong(), "evicted");
      long unmatched = nonNegative(in.readLong(), "unmatched");
      long conceptDrifts = nonNegative(in.readLong(), "concept drifts");
      int state = in.readUnsignedByte();
      if (state >= DriftState.values().length) {
        throw new CorruptDataException("window snapshot has unknown detector state " + state);
      }
      long qualityFp = 0;
      long[] quality = new long[0];
      if (version >= 3) {
        qualityFp = in.readLong();
        int slots = in.readInt();
        if (slots < 0 || slots * 8L > in.available() || (qualityFp == 0) != (slots == 0)) {
          throw new CorruptDataException("window snapshot declares " + slots + " data-quality counters under rules "
              + Long.toHexString(qualityFp) + ", which its " + bytes.length + " bytes do not hold consistently");
        }
        quality = new long[slots];
        for (int i = 0; i < slots; i++) {
          quality[i] = nonNegative(in.readLong(), "data-quality count");
        }
      }
      if (in.available() != 0) {
        throw new CorruptDataException("window snapshot has " + in.available() + " unexpected trailing bytes");
      }
      return new WindowSnapshot(fingerprint, start, end, records, binCounts, binSums, missing, infinite, categorical,
          predictions, predictionsInvalid, predictionSum, outcomes, errorSum, evicted, unmatched,
          conceptDrifts, DriftState.values()[state], qualityFp, quality);
    } catch (EOFException e) {
      throw new CorruptDataException("window snapshot is truncated", e);
    } catch (IOException e) {
      throw new CorruptDataException("window snapshot is malformed: " + e.getMessage(), e);
    }
  }

  private static long nonNegative(long v, String what) {
    if (v < 0) {
      throw new CorruptDataException("window snapshot has a negative " + what + ": " + v);
    }
    return v;
  }

  @Override
  public String toString() {
    return "WindowSnapshot[" + start() + " .. " + end() + ", records=" + records + ", outcomes=" + outcomes + "]";
  }
}
