package dev.mlops.core.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mlops.AlreadyExistsException;
import dev.mlops.CorruptDataException;
import dev.mlops.Digest;
import dev.mlops.LogAnchor;
import dev.mlops.VerifyReport;
import dev.mlops.spi.ObjectStore;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

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
    if (seq < 0) {
      return prefix + String.format("%020d", seq) + ".json";
    }
    String digits = Long.toString(seq); // zero-padded to 20 as "%020d" does, without a Formatter
    return prefix + "00000000000000000000".substring(Math.min(20, digits.length())) + digits + ".json";
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
   * <p>A listing may miss an entry that is being created while it runs (a directory read
   * concurrent with a create is not a snapshot on every file system), so a gap in a listing is
   * never taken for corruption on its own: the missing entry is read directly, and the log is
   * listed again, before an entry is reported missing. Keys under the prefix that are not entry
   * names (say a {@code README}) are ignored.
   *
   * @param afterSeq newest entry already folded (0 for all)
   * @param afterHash its hash
   * @return the new entries, oldest first
   * @throws CorruptDataException naming the key of an entry that is missing, altered or unreadable
   */
  public List<Entry> readAfter(long afterSeq, String afterHash) {
    List<Entry> out = new ArrayList<>();
    try {
      walk(afterSeq, afterHash, out::add);
    } catch (BrokenEntry b) {
      throw new CorruptDataException(b.getMessage(), b.getCause());
    }
    return out;
  }

  /**
   * Reads the whole log from storage and checks every entry's own hash, its sequence number and
   * the chain. Names the first entry that is missing, altered or unreadable.
   *
   * @return the report; {@link VerifyReport#head()} is the newest entry checked
   */
  public VerifyReport verify() {
    return verify(e -> { });
  }

  /**
   * {@link #verify()}, handing every good entry to {@code sink} in order.
   *
   * @param sink receives each entry that checked out
   * @return the report; {@link VerifyReport#head()} is the newest entry checked
   */
  public VerifyReport verify(Consumer<Entry> sink) {
    long[] good = {0};
    String[] head = {GENESIS};
    try {
      walk(0, GENESIS, e -> {
        good[0] = e.seq();
        head[0] = e.hash();
        sink.accept(e);
      });
    } catch (BrokenEntry b) {
      return new VerifyReport(good[0], Optional.of(b.key), Optional.of(b.problem));
    }
    return VerifyReport.clean(good[0], good[0] == 0 ? Optional.empty() : Optional.of(new LogAnchor(good[0], head[0])));
  }

  /**
   * Reads entries {@code afterSeq + 1 .. upTo} by their keys, without listing, checking each one's
   * hash and link; stops early at the first that does not exist. For a caller that knows entries
   * up to {@code upTo} were written (a checkpoint names them) when a listing came up short.
   *
   * @param afterSeq newest entry already read
   * @param afterHash its hash
   * @param upTo the last entry wanted
   * @return the entries found, oldest first
   * @throws CorruptDataException naming an entry that is altered or does not continue the chain
   */
  public List<Entry> readDirect(long afterSeq, String afterHash, long upTo) {
    List<Entry> out = new ArrayList<>();
    String prev = afterHash;
    for (long seq = afterSeq + 1; seq <= upTo; seq++) {
      String key = keyOf(seq);
      Optional<byte[]> bytes = store.get(key);
      if (bytes.isEmpty()) {
        break;
      }
      Entry e = parse(key, bytes.get());
      if (e.seq() != seq || !e.prev().equals(prev)) {
        throw new CorruptDataException("log entry '" + key + "' does not continue the chain after entry " + (seq - 1));
      }
      out.add(e);
      prev = e.hash();
    }
    return out;
  }

  /**
   * Checks that the entry {@code anchor.seq()} exists and has the anchor's hash: a log truncated
   * below it, or rewritten up to it, fails this check even when its chain is intact.
   *
   * @param anchor a head recorded earlier, outside the store
   * @return empty if it matches, else what is wrong
   */
  public Optional<String> checkAnchor(LogAnchor anchor) {
    String key = keyOf(anchor.seq());
    Optional<byte[]> bytes = store.get(key);
    if (bytes.isEmpty()) {
      return Optional.of("entry " + anchor.seq() + " recorded by the anchor is missing: the log was truncated");
    }
    Entry e;
    try {
      e = parse(key, bytes.get());
    } catch (CorruptDataException ex) {
      return Optional.of(ex.getMessage());
    }
    if (!e.hash().equals(anchor.hash())) {
      return Optional.of("entry " + anchor.seq() + " hashes to " + e.hash() + " but the anchor records "
          + anchor.hash() + ": history up to it was rewritten");
    }
    return Optional.empty();
  }

  /** How often a gap seen in a listing is re-checked before it is reported. */
  private static final int GAP_CHECKS = 4;

  /** A problem found while walking; {@link #readAfter} turns it into a {@link CorruptDataException}. */
  private static final class BrokenEntry extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final transient String key;
    final transient String problem;

    BrokenEntry(String key, String problem, Throwable cause) {
      this(key, problem, "log entry '" + key + "' is " + problem, cause);
    }

    BrokenEntry(String key, String problem, String message, Throwable cause) {
      super(message, cause, false, false);
      this.key = key;
      this.problem = problem;
    }
  }

  /**
   * Walks the entries after {@code afterSeq} in order, checking each one's hash, number and link
   * to the one before, and hands them to {@code sink}. A gap in a listing is filled by reading the
   * missing entry directly; only an entry that is absent from repeated listings and from direct
   * reads, while a later one exists, is reported missing.
   */
  private void walk(long afterSeq, String afterHash, Consumer<Entry> sink) {
    long expectSeq = afterSeq + 1;
    String expectPrev = afterHash;
    String previousKey = afterSeq == 0 ? null : keyOf(afterSeq);
    int gapChecks = 0;
    Iterator<String> keys = entryKeys(afterSeq);
    while (listed(keys, expectSeq)) {
      String listed = keys.next();
      String expectedKey = keyOf(expectSeq);
      byte[] bytes;
      if (listed.equals(expectedKey)) {
        bytes = read(expectedKey);
        if (bytes == null) {
          throw new BrokenEntry(expectedKey, "listed but gone when read (deleted while being read)", null);
        }
      } else {
        // The listing skipped the expected entry. A later entry exists, and a later entry is only
        // ever written by a writer that read this one, so it must exist unless it was deleted.
        bytes = read(expectedKey);
        if (bytes == null) {
          if (++gapChecks > GAP_CHECKS) {
            throw new BrokenEntry(expectedKey, "missing (the next entry found is '" + listed + "')", null);
          }
          LockSupport.parkNanos(1_000_000L << gapChecks);
          keys = entryKeys(expectSeq - 1);  // list again from where we are
          continue;
        }
        // found directly: process it, then look at the listed key again
        keys = prepend(listed, keys);
      }
      Entry e;
      try {
        e = parse(expectedKey, bytes);
      } catch (CorruptDataException ex) {
        throw new BrokenEntry(expectedKey, ex.getMessage(), ex.getMessage(), ex);
      }
      if (e.seq() != expectSeq) {
        throw new BrokenEntry(expectedKey, "claiming seq " + e.seq() + ", expected " + expectSeq, null);
      }
      if (!e.prev().equals(expectPrev)) {
        // The entry itself is intact (its own hash matched), so the one before it was rewritten
        // with a recomputed hash (or, after a cached position, the log was replaced).
        if (previousKey != null) {
          throw new BrokenEntry(previousKey, "rewritten: its hash no longer matches the prev hash recorded by '"
              + expectedKey + "'", null);
        }
        throw new BrokenEntry(expectedKey, "not continuing the chain: prev " + e.prev() + ", expected " + expectPrev, null);
      }
      sink.accept(e);
      gapChecks = 0;
      expectSeq++;
      expectPrev = e.hash();
      previousKey = expectedKey;
    }
  }

  /**
   * Whether the listing has another key; a store that finds an object it cannot list (a link or a
   * special file where an entry should be) reports it as the next expected entry being broken.
   */
  private boolean listed(Iterator<String> keys, long expectSeq) {
    try {
      return keys.hasNext();
    } catch (CorruptDataException damaged) {
      throw new BrokenEntry(damagedKey(damaged, expectSeq), damaged.getMessage(), damaged.getMessage(), damaged);
    }
  }

  /**
   * @return the entry key a listing's damage report names (stores name the key in the message),
   *     else the key of entry {@code expectSeq}
   */
  private String damagedKey(CorruptDataException damaged, long expectSeq) {
    String message = String.valueOf(damaged.getMessage());
    for (int at = message.indexOf(prefix); at >= 0; at = message.indexOf(prefix, at + 1)) {
      int end = at + prefix.length() + 25;
      if (end <= message.length() && isEntryKey(message.substring(at, end))) {
        return message.substring(at, end);
      }
    }
    return keyOf(expectSeq);
  }

  /**
   * Reads one entry's bytes; a store that finds the object damaged (say a directory or a link
   * where the file should be) reports it as a broken entry, so {@link #verify()} names it in its
   * report rather than throwing.
   */
  private byte[] read(String key) {
    try {
      return store.get(key).orElse(null);
    } catch (CorruptDataException damaged) {
      throw new BrokenEntry(key, damaged.getMessage(), damaged.getMessage(), damaged);
    }
  }

  /** Entry keys after {@code afterSeq}, skipping anything under the prefix that is not an entry name. */
  private Iterator<String> entryKeys(long afterSeq) {
    try {
      return store.listAll(prefix, afterSeq == 0 ? "" : keyOf(afterSeq)).filter(this::isEntryKey).iterator();
    } catch (CorruptDataException damaged) {
      throw new BrokenEntry(damagedKey(damaged, afterSeq + 1), damaged.getMessage(), damaged.getMessage(), damaged);
    }
  }

  /** @return whether {@code key} names an entry: the prefix, 20 digits, {@code .json} */
  boolean isEntryKey(String key) {
    if (key.length() != prefix.length() + 25 || !key.startsWith(prefix) || !key.endsWith(".json")) {
      return false;
    }
    for (int i = prefix.length(); i < prefix.length() + 20; i++) {
      char c = key.charAt(i);
      if (c < '0' || c > '9') {
        return false;
      }
    }
    return true;
  }

  private static Iterator<String> prepend(String first, Iterator<String> rest) {
    return new Iterator<>() {
      boolean taken;

      @Override
      public boolean hasNext() {
        return !taken || rest.hasNext();
      }

      @Override
      public String next() {
        if (!taken) {
          taken = true;
          return first;
        }
        return rest.next();
      }
    };
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
