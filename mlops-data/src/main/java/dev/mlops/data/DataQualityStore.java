package dev.mlops.data;

import dev.mlops.AlreadyExistsException;
import dev.mlops.ArtifactRef;
import dev.mlops.ArtifactSpec;
import dev.mlops.CorruptDataException;
import dev.mlops.Digest;
import dev.mlops.ModelAttachments;
import dev.mlops.NotFoundException;
import dev.mlops.Workspace;
import dev.mlops.spi.ObjectStore;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * Stores {@code statistics.json} and {@code constraints.json} next to what they describe:
 *
 * <ul>
 *   <li>a <b>model version</b>: the document becomes a content-addressed artifact and the version's
 *       tag {@value #STATISTICS_TAG} or {@value #CONSTRAINTS_TAG} names its digest (as mlops-drift's
 *       {@code Baselines} do); saving again re-links, the registry's log keeps the history;</li>
 *   <li>a <b>dataset digest</b> (the SHA-256 of the data's bytes, as recorded in a run's
 *       {@link dev.mlops.DatasetInput}): numbered, create-if-absent objects
 *       {@code data-quality/datasets/<hex>/<statistics|constraints>/<seq>.json} in an
 *       {@link ObjectStore}; the newest is current, earlier ones stay.</li>
 * </ul>
 *
 * <p>Every read treats the stored bytes as untrusted: a malformed or inconsistent document is a
 * {@link CorruptDataException} naming the key (or the model version and tag) and the field.
 *
 * <p>Thread-safe (stateless; workspaces and object stores are thread-safe). Concurrent saves for
 * one dataset each get their own sequence number.
 */
public final class DataQualityStore {
  /** Model-version tag holding the statistics' digest. */
  public static final String STATISTICS_TAG = "mlops.data.statistics";
  /** Model-version tag holding the constraints' digest. */
  public static final String CONSTRAINTS_TAG = "mlops.data.constraints";
  /** Media type of stored statistics. */
  public static final String STATISTICS_MEDIA_TYPE = "application/vnd.mlops.data-statistics+json";
  /** Media type of stored constraints. */
  public static final String CONSTRAINTS_MEDIA_TYPE = "application/vnd.mlops.data-constraints+json";
  /** Media type of stored violations reports. */
  public static final String VIOLATIONS_MEDIA_TYPE = "application/vnd.mlops.data-violations+json";
  static final String PREFIX = "data-quality/datasets/";
  private static final int MAX_ATTEMPTS = 100;

  private DataQualityStore() {}

  /**
   * Stores statistics next to a model version.
   *
   * @param workspace the workspace
   * @param model model name
   * @param version model version
   * @param statistics the statistics
   * @return the stored artifact
   * @throws NotFoundException if the model version does not exist (nothing is linked)
   */
  public static ArtifactRef save(Workspace workspace, String model, int version, DatasetStatistics statistics) {
    Objects.requireNonNull(statistics, "statistics");
    return ModelAttachments.attach(workspace, model, version, STATISTICS_TAG, statistics.toJson(),
        new ArtifactSpec(STATISTICS_MEDIA_TYPE, Map.of("format-version", Integer.toString(DatasetStatistics.FORMAT_VERSION))));
  }

  /**
   * Stores constraints next to a model version.
   *
   * @param workspace the workspace
   * @param model model name
   * @param version model version
   * @param constraints the constraints (custom predicates by name only)
   * @return the stored artifact
   * @throws NotFoundException if the model version does not exist (nothing is linked)
   */
  public static ArtifactRef save(Workspace workspace, String model, int version, Constraints constraints) {
    Objects.requireNonNull(constraints, "constraints");
    return ModelAttachments.attach(workspace, model, version, CONSTRAINTS_TAG, constraints.toJson(),
        new ArtifactSpec(CONSTRAINTS_MEDIA_TYPE, Map.of("format-version", Integer.toString(Constraints.FORMAT_VERSION))));
  }

  /**
   * @param workspace the workspace
   * @param model model name
   * @param version model version
   * @return the statistics linked to the version, or empty
   * @throws NotFoundException if the version does not exist or the linked artifact is gone
   * @throws CorruptDataException naming the version and tag if the link or document is damaged
   */
  public static Optional<DatasetStatistics> findStatistics(Workspace workspace, String model, int version) {
    String origin = "model version " + model + "/" + version + " tag " + STATISTICS_TAG;
    return attached(workspace, model, version, STATISTICS_TAG, origin).map(b -> DatasetStatistics.fromJson(b, origin));
  }

  /** The linked document; damage found by the artifact store is reported with the version and tag. */
  private static Optional<byte[]> attached(Workspace workspace, String model, int version, String tag, String origin) {
    try {
      return ModelAttachments.find(workspace, model, version, tag);
    } catch (CorruptDataException e) {
      throw e.getMessage() != null && e.getMessage().contains(origin) ? e
          : new CorruptDataException(origin + ": " + e.getMessage(), e);
    }
  }

  /**
   * @param workspace the workspace
   * @param model model name
   * @param version model version
   * @param customs predicates of custom constraints, by name
   * @return the constraints linked to the version, or empty
   * @throws NotFoundException if the version does not exist or the linked artifact is gone
   * @throws CorruptDataException naming the version and tag if the link or document is damaged
   * @throws IllegalArgumentException if a custom constraint has no predicate in {@code customs}
   */
  public static Optional<Constraints> findConstraints(Workspace workspace, String model, int version,
      Map<String, Predicate<Object>> customs) {
    String origin = "model version " + model + "/" + version + " tag " + CONSTRAINTS_TAG;
    return attached(workspace, model, version, CONSTRAINTS_TAG, origin).map(b -> Constraints.fromJson(b, customs, origin));
  }

  /**
   * Stores statistics of a dataset as its newest.
   *
   * @param store the object store
   * @param dataset the dataset's digest
   * @param statistics the statistics
   * @return the key written
   * @throws dev.mlops.StorageException if the store fails
   */
  public static String save(ObjectStore store, Digest dataset, DatasetStatistics statistics) {
    return append(store, dataset, "statistics", Objects.requireNonNull(statistics, "statistics").toJson());
  }

  /**
   * Stores constraints of a dataset as its newest.
   *
   * @param store the object store
   * @param dataset the dataset's digest
   * @param constraints the constraints (custom predicates by name only)
   * @return the key written
   * @throws dev.mlops.StorageException if the store fails
   */
  public static String save(ObjectStore store, Digest dataset, Constraints constraints) {
    return append(store, dataset, "constraints", Objects.requireNonNull(constraints, "constraints").toJson());
  }

  /**
   * @param store the object store
   * @param dataset the dataset's digest
   * @return the dataset's newest statistics, or empty
   * @throws CorruptDataException naming the key if the document is damaged
   */
  public static Optional<DatasetStatistics> findStatistics(ObjectStore store, Digest dataset) {
    return newest(store, dataset, "statistics").map(k -> DatasetStatistics.fromJson(read(store, k), k));
  }

  /**
   * @param store the object store
   * @param dataset the dataset's digest
   * @param customs predicates of custom constraints, by name
   * @return the dataset's newest constraints, or empty
   * @throws CorruptDataException naming the key if the document is damaged
   * @throws IllegalArgumentException if a custom constraint has no predicate in {@code customs}
   */
  public static Optional<Constraints> findConstraints(ObjectStore store, Digest dataset,
      Map<String, Predicate<Object>> customs) {
    return newest(store, dataset, "constraints").map(k -> Constraints.fromJson(read(store, k), customs, k));
  }

  /**
   * The stored document without its checksum line, checked against it. Documents stored before the
   * line was added (session 7) have none and are read as they are.
   */
  private static byte[] read(ObjectStore store, String key) {
    byte[] bytes = store.get(key).orElseThrow(() -> new NotFoundException("object " + key + " was listed but is gone"));
    int at = lastIndexOf(bytes, CHECKSUM_PREFIX);
    if (at < 0) {
      return bytes;
    }
    byte[] body = Arrays.copyOf(bytes, at);
    byte[] expected = checksumLine(body);
    if (!Arrays.equals(expected, Arrays.copyOfRange(bytes, at, bytes.length))) {
      throw new CorruptDataException("key " + key + " does not match the SHA-256 on its last line: it was altered or"
          + " truncated after it was stored");
    }
    return body;
  }

  /** Marks the last line of a stored document: {@code sha256:<hex of the bytes before it>}. */
  private static final byte[] CHECKSUM_PREFIX = "\nsha256:".getBytes(StandardCharsets.US_ASCII);

  private static byte[] checksumLine(byte[] body) {
    return ("\nsha256:" + Digest.of(body).hex() + "\n").getBytes(StandardCharsets.US_ASCII);
  }

  private static byte[] withChecksum(byte[] body) {
    byte[] line = checksumLine(body);
    byte[] all = Arrays.copyOf(body, body.length + line.length);
    System.arraycopy(line, 0, all, body.length, line.length);
    return all;
  }

  private static int lastIndexOf(byte[] bytes, byte[] part) {
    outer:
    for (int i = bytes.length - part.length; i >= 0; i--) {
      for (int j = 0; j < part.length; j++) {
        if (bytes[i + j] != part[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }

  private static String prefix(Digest dataset, String kind) {
    Objects.requireNonNull(dataset, "dataset");
    return PREFIX + dataset.hex() + "/" + kind + "/";
  }

  private static Optional<String> newest(ObjectStore store, Digest dataset, String kind) {
    Objects.requireNonNull(store, "store");
    String prefix = prefix(dataset, kind);
    String last = null;
    List<String> keys = store.listAll(prefix).toList();
    for (String k : keys) {
      String seq = k.substring(prefix.length());
      if (!seq.matches("[0-9]{10}\\.json")) {
        throw new CorruptDataException("key " + k + " is not a numbered " + kind + " document (expected "
            + prefix + "<10 digits>.json)");
      }
      last = k;
    }
    return Optional.ofNullable(last);
  }

  private static String append(ObjectStore store, Digest dataset, String kind, byte[] bytes) {
    String prefix = prefix(dataset, kind);
    for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      long next = newest(store, dataset, kind)
          .map(k -> Long.parseLong(k.substring(prefix.length(), prefix.length() + 10)) + 1).orElse(1L);
      String key = prefix + String.format("%010d", next) + ".json";
      try {
        store.create(key, withChecksum(bytes));
        return key;
      } catch (AlreadyExistsException e) {
        // another writer took this number: re-list and take the next
      }
    }
    throw new dev.mlops.ConflictException("could not store " + kind + " of dataset " + dataset + " after "
        + MAX_ATTEMPTS + " attempts: too many concurrent writers");
  }
}
