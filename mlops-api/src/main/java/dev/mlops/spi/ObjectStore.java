package dev.mlops.spi;

import dev.mlops.AlreadyExistsException;
import dev.mlops.CorruptDataException;
import dev.mlops.StorageException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * The storage SPI: a narrow object store that every backend implements and over which all of
 * mlops's semantics are written once. Users never call it directly.
 *
 * <p>Correctness rests on one primitive, {@link #create}: an atomic create-if-absent. Of any
 * number of concurrent creates of one key — threads, processes, machines — exactly one succeeds
 * and every other fails with {@link AlreadyExistsException}; a reader sees either no object or the
 * whole object, never a part. There is deliberately no overwrite and no compare-and-set: every
 * mutable thing is modelled above this SPI as a log of immutable, numbered objects.
 *
 * <p>Keys are {@code /}-separated segments of {@code [A-Za-z0-9._-]}, at most
 * {@value #MAX_KEY_LENGTH} characters; empty segments, {@code .}, {@code ..}, leading or trailing
 * {@code /} and any other character are rejected with {@link IllegalArgumentException}
 * ({@link #requireValidKey}).
 *
 * <p>Errors: storage failures are {@link StorageException} (with {@link StorageException#retryable()}
 * set for transient ones); data that fails a check (an object outside the root, a short read) is
 * {@link CorruptDataException}. After {@link #close()}, every method but close throws
 * {@link IllegalStateException}.
 *
 * <p>Implementations are thread-safe.
 */
public interface ObjectStore extends AutoCloseable {
  /** Longest allowed key. */
  int MAX_KEY_LENGTH = 1024;

  /** Largest page {@link #list} may be asked for. */
  int MAX_LIST_LIMIT = 1000;

  /**
   * Reads a whole object.
   *
   * @param key the key
   * @return its bytes, or empty if absent
   */
  Optional<byte[]> get(String key);

  /**
   * Opens an object for streaming in constant memory.
   *
   * @param key the key
   * @return a stream the caller closes, or empty if absent
   */
  Optional<InputStream> openStream(String key);

  /**
   * Atomically creates an object if and only if the key is absent.
   *
   * @param key the key
   * @param bytes the whole content
   * @throws AlreadyExistsException if the key exists (whoever wrote it)
   */
  void create(String key, byte[] bytes);

  /**
   * Like {@link #create}, for content of any size read from {@code in} to its end in constant
   * memory. The stream is not closed. Nothing is visible under the key until all of it is stored.
   *
   * @param key the key
   * @param in the content
   * @throws AlreadyExistsException if the key exists
   */
  void createFromStream(String key, InputStream in);

  /**
   * Lists keys that start with {@code prefix} and sort after {@code startAfter}, in ascending
   * {@link String#compareTo} order (for valid keys, the same as byte order).
   *
   * @param prefix key prefix; may be empty or end with {@code /}
   * @param startAfter exclusive lower bound; empty to start at the beginning
   * @param limit at most this many keys, 1..{@value #MAX_LIST_LIMIT}
   * @return a page; {@link ListPage#truncated()} says whether more keys follow
   */
  ListPage list(String prefix, String startAfter, int limit);

  /**
   * Deletes an object. Used only for garbage collection and clean-up, never for state changes.
   *
   * @param key the key
   * @return whether an object was deleted
   */
  boolean delete(String key);

  /** @return what this store guarantees beyond the contract */
  StoreCapabilities capabilities();

  /** Releases resources. Idempotent. */
  @Override
  void close();

  /**
   * Opens a sink for content whose key is chosen only after it has been written (content
   * addressing: the key is the digest). The default spools to a local temporary file and then
   * calls {@link #createFromStream}; backends override it to write in place.
   *
   * @return a new sink; close it
   */
  default BlobSink newBlobSink() {
    return new SpoolingBlobSink(this);
  }

  /**
   * Lists every key under a prefix, paging lazily.
   *
   * @param prefix key prefix
   * @return keys in ascending order
   */
  default Stream<String> listAll(String prefix) {
    return listAll(prefix, "");
  }

  /**
   * Lists every key under a prefix after {@code startAfter}, paging lazily.
   *
   * @param prefix key prefix
   * @param startAfter exclusive lower bound
   * @return keys in ascending order
   */
  default Stream<String> listAll(String prefix, String startAfter) {
    Iterator<String> it = new Iterator<>() {
      private ListPage page = list(prefix, startAfter, MAX_LIST_LIMIT);
      private int i;

      @Override
      public boolean hasNext() {
        while (i >= page.keys().size()) {
          if (!page.truncated() || page.keys().isEmpty()) {
            return false;
          }
          page = list(prefix, page.keys().get(page.keys().size() - 1), MAX_LIST_LIMIT);
          i = 0;
        }
        return true;
      }

      @Override
      public String next() {
        if (!hasNext()) {
          throw new NoSuchElementException();
        }
        return page.keys().get(i++);
      }
    };
    return StreamSupport.stream(
        Spliterators.spliteratorUnknownSize(it, Spliterator.ORDERED | Spliterator.SORTED | Spliterator.DISTINCT
            | Spliterator.NONNULL), false);
  }

  /**
   * Checks a key against the key rule.
   *
   * @param key the key
   * @return key, unchanged
   * @throws IllegalArgumentException naming the key and the rule if it is invalid
   */
  static String requireValidKey(String key) {
    if (key == null) {
      throw new NullPointerException("key");
    }
    if (!KeyRule.isValid(key)) {
      throw new IllegalArgumentException("storage key " + KeyRule.quote(key) + " is invalid: "
          + KeyRule.DESCRIPTION);
    }
    return key;
  }

  /**
   * Checks a list prefix: empty, or a valid key, optionally followed by {@code /}.
   *
   * @param prefix the prefix
   * @return prefix, unchanged
   * @throws IllegalArgumentException if invalid
   */
  static String requireValidPrefix(String prefix) {
    if (prefix == null) {
      throw new NullPointerException("prefix");
    }
    if (prefix.isEmpty()) {
      return prefix;
    }
    String body = prefix.endsWith("/") ? prefix.substring(0, prefix.length() - 1) : prefix;
    if (!KeyRule.isValid(body)) {
      throw new IllegalArgumentException("storage key prefix " + KeyRule.quote(prefix) + " is invalid: "
          + KeyRule.DESCRIPTION);
    }
    return prefix;
  }

  /** The key rule, kept in one place. */
  final class KeyRule {
    static final String DESCRIPTION = "keys are '/'-separated segments of [A-Za-z0-9._-], 1-"
        + MAX_KEY_LENGTH + " characters, no empty, '.' or '..' segments, no leading or trailing '/'";

    private KeyRule() {}

    /** One pass over the chars (every store operation checks its key: no regex, no split). */
    static boolean isValid(String key) {
      int n = key.length();
      if (n == 0 || n > MAX_KEY_LENGTH) {
        return false;
      }
      int start = 0;
      for (int i = 0; i <= n; i++) {
        char c = i < n ? key.charAt(i) : '/';
        if (c == '/') {
          int len = i - start;
          if (len == 0 || (key.charAt(start) == '.' && (len == 1 || (len == 2 && key.charAt(start + 1) == '.')))) {
            return false; // empty, '.' or '..'
          }
          start = i + 1;
        } else if (!segmentChar(c)) {
          return false;
        }
      }
      return true;
    }

    /** @return whether c is one of {@code [A-Za-z0-9._-]} */
    private static boolean segmentChar(char c) {
      return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_'
          || c == '-';
    }

    static String quote(String key) {
      StringBuilder sb = new StringBuilder("'");
      int n = Math.min(key.length(), 200);
      for (int i = 0; i < n; i++) {
        char c = key.charAt(i);
        sb.append(c < 0x20 || c == 0x7f ? String.format("\\u%04x", (int) c) : String.valueOf(c));
      }
      return sb.append(n < key.length() ? "...'" : "'").toString();
    }
  }

  /** The default {@link BlobSink}: a local temp file, then {@link #createFromStream}. */
  final class SpoolingBlobSink implements BlobSink {
    private final ObjectStore store;
    private final Path file;
    private final OutputStream out;
    private boolean done;

    SpoolingBlobSink(ObjectStore store) {
      this.store = store;
      try {
        this.file = Files.createTempFile("mlops-blob-", ".tmp");
        this.out = Files.newOutputStream(file);
      } catch (IOException e) {
        throw new StorageException("cannot create a temporary file to spool a blob", e, false);
      }
    }

    @Override
    public OutputStream stream() {
      return out;
    }

    @Override
    public void publish(String key) {
      if (done) {
        throw new IllegalStateException("blob sink already published or closed");
      }
      done = true;
      try {
        out.close();
        try (InputStream in = Files.newInputStream(file)) {
          store.createFromStream(key, in);
        }
      } catch (IOException e) {
        throw new StorageException("spooling blob for " + key + " failed", e, false);
      } finally {
        deleteQuietly();
      }
    }

    @Override
    public void close() {
      if (!done) {
        done = true;
        try {
          out.close();
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        } finally {
          deleteQuietly();
        }
      }
    }

    private void deleteQuietly() {
      try {
        Files.deleteIfExists(file);
      } catch (IOException ignored) {
        // a leftover temp file in the OS temp dir is harmless
      }
    }
  }
}
