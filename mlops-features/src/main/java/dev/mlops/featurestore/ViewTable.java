package dev.mlops.featurestore;

import dev.mlops.features.FeatureRef;
import dev.mlops.features.FeatureSpec;
import dev.mlops.features.FeatureType;
import dev.mlops.features.FeatureViewVersion;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * Where and how one data version of a view is stored:
 * <pre>
 * features/&lt;view&gt;/v&lt;dataVersion&gt;/segments/&lt;sha256 of rows&gt;.avro     offline segments
 * features/&lt;view&gt;/v&lt;dataVersion&gt;/segment-log/&lt;seq&gt;.json               their manifest ({@link SegmentLog})
 * features/&lt;view&gt;/v&lt;dataVersion&gt;/online/&lt;2 hex&gt;/&lt;entity hex&gt;/&lt;inverted event&gt;-&lt;inverted created&gt;
 * features/&lt;view&gt;/v&lt;dataVersion&gt;/materializations/&lt;seq&gt;.json            watermark log
 * features/&lt;view&gt;/v&lt;dataVersion&gt;/retention/&lt;inverted horizon&gt;            retention records ({@link OnlineRowRetention})
 * features/&lt;view&gt;/v&lt;dataVersion&gt;/retention-candidates/&lt;online key rest&gt;  when a superseded row was first seen
 * </pre>
 * Online row keys invert the times so that an entity's newest row is the first key listed.
 * {@code offline/} held the unrecorded segments of storage format 1, which is not read.
 *
 * <p>Thread-safe (immutable but for the lazily set cache reference).
 */
final class ViewTable {
  /** Longest entity key in UTF-8 bytes; the key becomes part of storage keys (hex-encoded). */
  static final int MAX_ENTITY_KEY_BYTES = 256;

  private static final HexFormat HEX = HexFormat.of();

  final FeatureViewVersion version;
  final String root;
  final List<FeatureType> types;
  final long ttlMicros;
  /** The view's online retention in microseconds, 0 to keep every row. */
  final long retentionMicros;
  final RowCodec codec;
  final SegmentFormat format;
  private final Map<String, Integer> columns = new HashMap<>();
  /** The online cache of {@link #root}, set by {@link OnlineTable} on first use. */
  volatile OnlineTable.TableCache onlineCache;

  ViewTable(FeatureViewVersion version) {
    this.version = version;
    this.root = "features/" + version.name() + "/v" + version.dataVersion();
    this.types = version.definition().features().stream().map(FeatureSpec::type).toList();
    this.ttlMicros = RowVisibility.ttlMicros(version.definition().ttl());
    this.retentionMicros = RowVisibility.ttlMicros(version.definition().onlineRetention());
    this.codec = new RowCodec(types);
    this.format = new SegmentFormat(version.definition());
    List<FeatureSpec> features = version.definition().features();
    for (int i = 0; i < features.size(); i++) {
      columns.put(features.get(i).name(), i);
    }
  }

  String name() {
    return version.name();
  }

  /** @return where offline segments are stored */
  String offlinePrefix() {
    return root + "/segments/";
  }

  /** @return the prefix of the segment manifest log */
  String segmentLog() {
    return root + "/segment-log";
  }

  /** @return where storage format 1 kept offline segments (no manifest); not read */
  String format1OfflinePrefix() {
    return root + "/offline/";
  }

  String onlinePrefix() {
    return root + "/online/";
  }

  /** @return where retention records are stored, newest horizon first */
  String retentionPrefix() {
    return root + "/retention/";
  }

  /** @return the key of the retention record of a horizon */
  String retentionKey(long horizonMicros) {
    return retentionPrefix() + inverted(horizonMicros);
  }

  /** @return where the first sighting of each superseded row is kept */
  String candidatePrefix() {
    return root + "/retention-candidates/";
  }

  /** @return the candidate marker of an online row key */
  String candidateKey(String onlineRowKey) {
    return candidatePrefix() + onlineRowKey.substring(onlinePrefix().length());
  }

  String materializationLog() {
    return root + "/materializations";
  }

  /** @return the column of a feature, or -1 */
  int column(String feature) {
    Integer c = columns.get(feature);
    return c == null ? -1 : c;
  }

  int column(FeatureRef ref) {
    int c = column(ref.feature());
    if (c < 0) {
      throw new dev.mlops.NotFoundException("feature view '" + name() + "' (version " + version.version()
          + ") has no feature '" + ref.feature() + "'; its features are "
          + version.definition().features().stream().map(FeatureSpec::name).toList());
    }
    return c;
  }

  /** @return the key prefix (ending with '/') of one entity's online rows */
  String onlineEntityPrefix(String entityKey) {
    byte[] utf8 = entityKey.getBytes(StandardCharsets.UTF_8);
    int h = entityKey.hashCode();
    return onlinePrefix() + HEX.toHexDigits((byte) (h ^ (h >>> 8) ^ (h >>> 16) ^ (h >>> 24))) + "/"
        + HEX.formatHex(utf8) + "/";
  }

  String onlineRowKey(StoredRow row) {
    return onlineEntityPrefix(row.entityKey()) + inverted(row.eventMicros()) + "-" + inverted(row.createdMicros());
  }

  /**
   * The event time an online row key names, read from the key alone.
   *
   * @param key an online row key ({@link #onlineRowKey})
   * @return its event time in microseconds
   * @throws dev.mlops.CorruptDataException naming the key if it does not end in two inverted times
   */
  static long eventMicrosOfKey(String key) {
    int slash = key.lastIndexOf('/');
    String rest = key.substring(slash + 1);
    if (rest.length() != 33 || rest.charAt(16) != '-') {
      throw new dev.mlops.CorruptDataException("online row key '" + key + "' does not end in <event>-<created>");
    }
    try {
      return uninverted(rest.substring(0, 16));
    } catch (IllegalArgumentException e) {
      throw new dev.mlops.CorruptDataException("online row key '" + key + "' has a malformed event time", e);
    }
  }

  /** The inverse of {@link #inverted}. */
  static long uninverted(String hex) {
    if (hex.length() != 16) {
      throw new IllegalArgumentException("not 16 hex digits: " + hex);
    }
    return ~HexFormat.fromHexDigitsToLong(hex) ^ Long.MIN_VALUE;
  }

  /** Hex of the time with its order reversed, so that later times sort first. */
  private static String inverted(long micros) {
    return HEX.toHexDigits(~(micros ^ Long.MIN_VALUE));
  }
}
