package dev.mlops.core.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mlops.AlreadyExistsException;
import dev.mlops.CorruptDataException;
import dev.mlops.Digest;
import dev.mlops.VerifyReport;
import dev.mlops.spi.ObjectStore;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;

/**
 * An append-only, hash-chained log of immutable JSON entries under one key prefix:
 * {@code <prefix>/<seq, 20 digits>.json}. Appending is a create-if-absent of the next sequence
 * number, so of two writers racing for one number exactly one wins; the loser re-reads and
 * retries. Each stored entry is a JSON object whose last field is {@code "hash"}: the SHA-256 of the
 * entry's bytes up to that field (the object closed right before it). Each entry also carries
 * {@code "prev"}, the hash of the entry before it (64 zeros for the first), so a changed, removed
 * or inserted entry is found by {@link #verify()}.
 *
 * <p>Thread-safe (stateless over the store).
 */
public final class HashChainedLog {
  /** The previous-hash of the first entry. */
  public static final String GENESIS = "0".repeat(64);

  private static final byte[] HASH_FIELD = ",\"hash\":\"".getBytes(StandardCharsets.US_ASCII);

  private final ObjectStore store;
  private final String prefix;

  /**
   * @param store the store
   * @param prefix key prefix without trailing slash, e.g. {@code models/fraud/log}
   */
  public HashChainedLog(ObjectStore store, String prefix) {
    this.store = store;
    this.prefix = ObjectStore.requireValidKey(prefix) + "/";
  }

  /** One stored entry. @param seq its number @param key storage key @param body parsed JSON (without hash) @param hash its hash @param prev previous hash */
  public record Entry(long seq, String key, ObjectNode body, String hash, String prev) {}

  /**
   * @param seq sequence number, >= 1
   * @return the storage key of that entry
   */
  public String keyOf(long seq) {
    return prefix + String.format("%020d", seq) + ".json";
  }

  /** @return the key prefix, ending with {@code /} */
  public String prefix() {
    return prefix;
  }

  /**
   * Appends entry {@code lastSeq + 1}. Sets {@code seq} and {@code prev} on the body (which must
   * not have them) and adds the hash.
   *
   * @param lastSeq the sequence number of the newest entry the caller has folded (0 if none)
   * @param lastHash that entry's hash ({@link #GENESIS} if none)
   * @param body the entry's fields
   * @return the stored entry
   * @throws AlreadyExistsException if another writer took that number first: re-read and retry
   */
  public Entry append(long lastSeq, String lastHash, ObjectNode body) {
    long seq = lastSeq + 1;
    ObjectNode node = Json.MAPPER.createObjectNode();
    node.put("seq", seq);
    node.put("prev", lastHash);
    node.setAll(body);
    byte[] unhashed = Json.write(node);
    String hash = Digest.of(unhashed).hex();
    byte[] stored = withHash(unhashed, hash);
    String key = keyOf(seq);
    store.create(key, stored);
    return new Entry(seq, key, node, hash, lastHash);
  }

  /**
   * Reads the entries after {@code afterSeq}, checking that they continue the chain.
   *
   * @param afterSeq newest entry already folded (0 for all)
   * @param afterHash its hash
   * @return the new entries, oldest first
   * @throws CorruptDataException naming the key of an entry that is missing, altered or unreadable
   */
  public List<Entry> readAfter(long afterSeq, String afterHash) {
    List<Entry> out = new ArrayList<>();
    long expectSeq = afterSeq + 1;
    String expectPrev = afterHash;
    Iterator<String> keys = store.listAll(prefix, afterSeq == 0 ? "" : keyOf(afterSeq)).iterator();
    while (keys.hasNext()) {
      String key = keys.next();
      if (!key.equals(keyOf(expectSeq))) {
        throw new CorruptDataException("log entry '" + keyOf(expectSeq) + "' is missing (found '" + key + "' next)");
      }
      Optional<byte[]> bytes = store.get(key);
      if (bytes.isEmpty()) {
        throw new CorruptDataException("log entry '" + key + "' disappeared while being read");
      }
      Entry e = parse(key, bytes.get());
      if (e.seq() != expectSeq) {
        throw new CorruptDataException("log entry '" + key + "' claims seq " + e.seq() + ", expected " + expectSeq);
      }
      if (!e.prev().equals(expectPrev)) {
        throw new CorruptDataException("log entry '" + key + "' does not continue the chain: prev "
            + e.prev() + " but the entry before it hashes to " + expectPrev);
      }
      out.add(e);
      expectSeq++;
      expectPrev = e.hash();
    }
    return out;
  }

  /**
   * Reads the whole log from storage and checks every entry's own hash, its sequence number and
   * the chain. Names the first entry that is missing, altered or unreadable.
   *
   * @return the report
   */
  public VerifyReport verify() {
    long expectSeq = 1;
    String expectPrev = GENESIS;
    String previousKey = null;
    Iterator<String> keys = store.listAll(prefix).iterator();
    while (keys.hasNext()) {
      String key = keys.next();
      String expectedKey = keyOf(expectSeq);
      if (!key.equals(expectedKey)) {
        return broken(expectSeq - 1, expectedKey, "missing (the next entry found is '" + key + "')");
      }
      Optional<byte[]> bytes = store.get(key);
      if (bytes.isEmpty()) {
        return broken(expectSeq - 1, key, "listed but unreadable");
      }
      Entry e;
      try {
        e = parse(key, bytes.get());
      } catch (CorruptDataException ex) {
        return broken(expectSeq - 1, key, ex.getMessage());
      }
      if (e.seq() != expectSeq) {
        return broken(expectSeq - 1, key, "claims seq " + e.seq() + ", expected " + expectSeq);
      }
      if (!e.prev().equals(expectPrev)) {
        // The entry itself is intact (its own hash matched), so the one before it was rewritten
        // with a recomputed hash.
        return broken(expectSeq - 1, previousKey != null ? previousKey : key,
            "rewritten: its hash no longer matches the prev hash recorded by '" + key + "'");
      }
      expectSeq++;
      expectPrev = e.hash();
      previousKey = key;
    }
    return VerifyReport.clean(expectSeq - 1);
  }

  private static VerifyReport broken(long good, String key, String problem) {
    return new VerifyReport(good, Optional.of(key), Optional.of(problem));
  }

  /**
   * Parses and checks one stored entry's own hash.
   *
   * @param key where it is stored
   * @param stored its bytes
   * @return the entry
   * @throws CorruptDataException naming the key if it is unreadable or its hash does not match
   */
  public static Entry parse(String key, byte[] stored) {
    int at = lastIndexOf(stored, HASH_FIELD);
    // stored = unhashed[0..len-1) + ,"hash":"<64 hex>"}
    if (at < 0 || stored.length != at + HASH_FIELD.length + 64 + 2
        || stored[stored.length - 2] != '"' || stored[stored.length - 1] != '}') {
      throw new CorruptDataException("log entry '" + key + "' is malformed: no trailing hash field");
    }
    String hash = new String(stored, at + HASH_FIELD.length, 64, StandardCharsets.US_ASCII);
    byte[] unhashed = new byte[at + 1];
    System.arraycopy(stored, 0, unhashed, 0, at);
    unhashed[at] = '}';
    String actual = Digest.of(unhashed).hex();
    if (!actual.equals(hash)) {
      throw new CorruptDataException("log entry '" + key + "' is altered: its content hashes to " + actual
          + " but it records " + hash);
    }
    JsonNode node;
    try {
      node = Json.MAPPER.readTree(unhashed);
    } catch (IOException e) {
      throw new CorruptDataException("log entry '" + key + "' is not valid JSON: " + e.getMessage(), e);
    }
    if (!(node instanceof ObjectNode obj) || !node.path("seq").canConvertToLong() || !node.path("prev").isTextual()) {
      throw new CorruptDataException("log entry '" + key + "' lacks seq or prev");
    }
    return new Entry(obj.get("seq").asLong(), key, obj, hash, obj.get("prev").asText());
  }

  private static byte[] withHash(byte[] unhashed, String hash) {
    byte[] h = hash.getBytes(StandardCharsets.US_ASCII);
    int base = unhashed.length - 1; // drop the closing brace
    byte[] out = new byte[base + HASH_FIELD.length + h.length + 2];
    System.arraycopy(unhashed, 0, out, 0, base);
    System.arraycopy(HASH_FIELD, 0, out, base, HASH_FIELD.length);
    System.arraycopy(h, 0, out, base + HASH_FIELD.length, h.length);
    out[out.length - 2] = '"';
    out[out.length - 1] = '}';
    return out;
  }

  private static int lastIndexOf(byte[] data, byte[] pattern) {
    outer:
    for (int i = data.length - pattern.length; i >= 0; i--) {
      for (int j = 0; j < pattern.length; j++) {
        if (data[i + j] != pattern[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }
}
