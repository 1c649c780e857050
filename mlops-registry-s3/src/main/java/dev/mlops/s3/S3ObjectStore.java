package dev.mlops.s3;

import dev.mlops.AlreadyExistsException;
import dev.mlops.CorruptDataException;
import dev.mlops.StorageException;
import dev.mlops.spi.BlobSink;
import dev.mlops.spi.ListPage;
import dev.mlops.spi.ObjectStore;
import dev.mlops.spi.StoreCapabilities;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.channels.FileChannel;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.WeakHashMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.core.sync.ResponseTransformer;
import software.amazon.awssdk.http.apache5.Apache5HttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.NoSuchUploadException;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * The {@code s3:} backend: an {@link ObjectStore} in one bucket under one key prefix, on Amazon
 * S3 or any S3-compatible server that honours {@code If-None-Match: *} (MinIO, Ceph RGW, S3Proxy
 * 4). Many processes on many machines may share one bucket and prefix.
 *
 * <p><b>Create-if-absent.</b> {@link #create} is a {@code PutObject} with {@code If-None-Match: *};
 * large content ({@link #createFromStream}, {@link #newBlobSink}) is a multipart upload completed
 * with {@code If-None-Match: *}. The server refuses the second of two creates of one key with
 * 412, which becomes {@link AlreadyExistsException}. Every object carries a random commit id in
 * its user metadata ({@code x-amz-meta-mlops-commit}); when a create is retried because its answer
 * was lost although the server had applied it, the retry's 412 is recognised as our own earlier
 * success by that id and reported as success: no false conflict, nothing written twice.
 *
 * <p><b>Capability probe.</b> {@link Builder#build()} creates one probe key twice (once with
 * {@code PutObject}, once with a multipart upload) and deletes it. A server that accepts the
 * second create ignores conditional writes, and the store refuses to open with a
 * {@link StorageException} naming the endpoint: on such a server two writers could both "win" the
 * same log entry and silently lose one's update.
 *
 * <p><b>Integrity.</b> The SHA-256 of the content is computed by this client and stored in the
 * metadata ({@code x-amz-meta-mlops-sha256}); every read recomputes it while streaming and throws
 * {@link CorruptDataException} naming the key on a mismatch, on a short body, or when the digest
 * is missing (an object not written by mlops). The server's own checksums are not relied on.
 *
 * <p><b>Retries.</b> Throttling (503 SlowDown, 429), 5xx, 409, timeouts and connection errors are
 * retried with exponential backoff and full jitter ({@link Builder#retries}); when the attempts
 * are used up, a {@link StorageException} with {@code retryable() == true}. A read stream that
 * breaks midway resumes with a range request pinned to the object's ETag. Other errors (access
 * denied, missing bucket) are non-retryable {@link StorageException}s naming the key and store.
 *
 * <p>Large content above the part size is staged in a temporary file while its digest is
 * computed, then uploaded in parts; memory stays bounded by one part. Aborted multipart uploads
 * are cleaned up on failure; a process killed mid-upload leaves an incomplete upload, which an
 * {@code AbortIncompleteMultipartUpload} lifecycle rule on the bucket removes.
 *
 * <p>Thread-safe.
 */
public final class S3ObjectStore implements ObjectStore {
  static final String COMMIT_METADATA = "mlops-commit";
  static final String SHA256_METADATA = "mlops-sha256";
  static final String PROBE_PREFIX = "_mlops-probe/";
  /**
   * Appended to every key to form the object name. Servers that keep objects as files (MinIO,
   * S3Proxy's nio2 stores) cannot hold both {@code a/b} and {@code a/b/c}; {@code a/b!} and
   * {@code a/b/c!} coexist everywhere. {@code '!'} sorts below every key character and {@code '/'},
   * so the server's listing order is still the keys' order.
   */
  static final String KEY_TERMINATOR = "!";
  /** S3's smallest part (all but the last). */
  static final int MIN_PART_SIZE = 5 * 1024 * 1024;
  static final int MAX_PART_SIZE = 512 * 1024 * 1024;
  static final int DEFAULT_PART_SIZE = 8 * 1024 * 1024;
  /** Larger arrays than this cannot be allocated on common JVMs. */
  private static final long MAX_ARRAY_LENGTH = Integer.MAX_VALUE - 8;

  /** Clients that passed the probe, with the buckets they passed it on (see {@link Builder#build()}). */
  private static final Map<S3Client, Set<String>> PROBED =
      Collections.synchronizedMap(new WeakHashMap<>());

  private final S3Client s3;
  private final boolean ownsClient;
  private final String bucket;
  private final String root;
  private final String location;
  private final S3RequestRetrier retrier;
  private final int partSize;
  private final Path spoolDirectory;
  private final AtomicBoolean closed = new AtomicBoolean();

  private S3ObjectStore(Builder b, S3Client s3, boolean ownsClient, String location) {
    this.s3 = s3;
    this.ownsClient = ownsClient;
    this.bucket = b.bucket;
    this.root = b.prefix.isEmpty() ? "" : b.prefix + "/";
    this.location = location;
    this.retrier = new S3RequestRetrier(b.maxAttempts, b.baseBackoff, b.maxBackoff, b.jitterSeed, location);
    this.partSize = b.partSize;
    this.spoolDirectory = b.spoolDirectory;
  }

  /** @return a builder; {@link Builder#bucket} is required */
  public static Builder builder() {
    return new Builder();
  }

  /** @return where this store lives, e.g. {@code s3://bucket/prefix at http://127.0.0.1:9000} */
  @Override
  public String toString() {
    return location;
  }

  @Override
  public Optional<byte[]> get(String key) {
    checkOpen();
    ObjectStore.requireValidKey(key);
    String objectKey = objectKey(key);
    return retrier.call("get", key, attempt -> {
      WholeBody got;
      try {
        got = s3.getObject(r -> r.bucket(bucket).key(objectKey), READ_WHOLE_BODY);
      } catch (NoSuchKeyException e) {
        return Optional.empty();
      }
      String expected = expectedDigest(key, got.response().metadata());
      long length = got.response().contentLength() == null ? -1 : got.response().contentLength();
      if (length > MAX_ARRAY_LENGTH) {
        throw new StorageException("object '" + key + "' in " + location + " has " + length
            + " bytes, too many to read into memory; use openStream", null, false);
      }
      byte[] bytes = got.body();
      if (length >= 0 && bytes.length != length) {
        throw new UncheckedIOException(new IOException("short body: " + bytes.length + " of " + length + " bytes"));
      }
      byte[] actual = SpooledContent.newSha256().digest(bytes);
      if (!MessageDigest.isEqual(actual, HexFormat.of().parseHex(expected))) {
        throw corrupt(key, expected, HexFormat.of().formatHex(actual));
      }
      return Optional.of(bytes);
    });
  }

  @Override
  public Optional<InputStream> openStream(String key) {
    checkOpen();
    ObjectStore.requireValidKey(key);
    String objectKey = objectKey(key);
    return retrier.call("openStream", key, attempt -> {
      ResponseInputStream<GetObjectResponse> in;
      try {
        in = s3.getObject(r -> r.bucket(bucket).key(objectKey));
      } catch (NoSuchKeyException e) {
        return Optional.empty();
      }
      GetObjectResponse response = in.response();
      String expected;
      try {
        expected = expectedDigest(key, response.metadata());
      } catch (RuntimeException e) {
        in.abort();
        throw e;
      }
      long length = response.contentLength() == null ? -1 : response.contentLength();
      return Optional.of(new VerifyingStream(key, objectKey, in, response.eTag(), length, expected));
    });
  }

  @Override
  public void create(String key, byte[] bytes) {
    checkOpen();
    ObjectStore.requireValidKey(key);
    Objects.requireNonNull(bytes, "bytes");
    String sha = HexFormat.of().formatHex(SpooledContent.newSha256().digest(bytes));
    putIfAbsent(key, bytes, bytes.length, sha, newCommitId());
  }

  @Override
  public void createFromStream(String key, InputStream in) {
    checkOpen();
    ObjectStore.requireValidKey(key);
    Objects.requireNonNull(in, "in");
    try (SpooledContent content = new SpooledContent(spoolDirectory, partSize)) {
      try {
        content.readFrom(in);
        content.finish();
      } catch (IOException e) {
        throw new StorageException("reading the content for '" + key + "' failed; nothing was stored", e, false);
      }
      publish(key, content);
    }
  }

  @Override
  public BlobSink newBlobSink() {
    checkOpen();
    return new MultipartBlobSink();
  }

  @Override
  public ListPage list(String prefix, String startAfter, int limit) {
    checkOpen();
    ObjectStore.requireValidPrefix(prefix);
    Objects.requireNonNull(startAfter, "startAfter");
    if (limit < 1 || limit > MAX_LIST_LIMIT) {
      throw new IllegalArgumentException("limit must be in 1.." + MAX_LIST_LIMIT + ", got " + limit);
    }
    return retrier.call("list", prefix.isEmpty() ? "(all keys)" : prefix + "*", attempt -> {
      List<String> keys = new ArrayList<>();
      String token = null;
      while (true) {
        String continuation = token;
        ListObjectsV2Response page = s3.listObjectsV2(r -> {
          r.bucket(bucket).prefix(root + prefix).maxKeys(limit - keys.size());
          if (continuation != null) {
            r.continuationToken(continuation);
          } else if (!startAfter.isEmpty()) {
            r.startAfter(objectKey(startAfter));
          }
        });
        for (S3Object o : page.contents()) {
          String name = o.key();
          // Objects not written through mlops (console "folders", foreign names) are not keys.
          if (!name.endsWith(KEY_TERMINATOR)) {
            continue;
          }
          String key = name.substring(root.length(), name.length() - KEY_TERMINATOR.length());
          if (isValidKey(key) && key.compareTo(startAfter) > 0) {
            keys.add(key);
          }
        }
        if (!Boolean.TRUE.equals(page.isTruncated()) || page.nextContinuationToken() == null) {
          return new ListPage(keys, false);
        }
        if (keys.size() >= limit) {
          return new ListPage(keys, true);
        }
        // Skipped foreign objects left room: fill the page from where the server stopped.
        token = page.nextContinuationToken();
      }
    });
  }

  @Override
  public boolean delete(String key) {
    checkOpen();
    ObjectStore.requireValidKey(key);
    String objectKey = objectKey(key);
    AtomicBoolean sent = new AtomicBoolean();
    return retrier.call("delete", key, attempt -> {
      // S3's DeleteObject answers 204 whether or not the key existed; ask first. If an earlier
      // attempt's DELETE was sent, its answer may have been lost after it took effect.
      if (head(objectKey).isEmpty()) {
        return sent.get();
      }
      sent.set(true);
      s3.deleteObject(r -> r.bucket(bucket).key(objectKey));
      return true;
    });
  }

  @Override
  public StoreCapabilities capabilities() {
    return new StoreCapabilities(true, true);
  }

  @Override
  public void close() {
    if (closed.compareAndSet(false, true) && ownsClient) {
      s3.close();
    }
  }

  // ---------------------------------------------------------------------------------------------

  private void publish(String key, SpooledContent content) {
    String commit = newCommitId();
    if (content.inMemory()) {
      putIfAbsent(key, content.memory(), (int) content.size(), content.sha256Hex(), commit);
    } else {
      multipartIfAbsent(key, content, commit);
    }
  }

  private void putIfAbsent(String key, byte[] bytes, int length, String sha, String commit) {
    String objectKey = objectKey(key);
    Map<String, String> metadata = Map.of(COMMIT_METADATA, commit, SHA256_METADATA, sha);
    retrier.call("create", key, attempt -> {
      try {
        s3.putObject(r -> r.bucket(bucket).key(objectKey).ifNoneMatch("*").metadata(metadata)
                .contentLength((long) length).contentType("application/octet-stream"),
            RequestBody.fromContentProvider(() -> new ByteArrayInputStream(bytes, 0, length), length,
                "application/octet-stream"));
        return null;
      } catch (S3Exception e) {
        if (e.statusCode() != 412) {
          throw e;
        }
        return resolvePreconditionFailure(key, objectKey, commit);
      }
    });
  }

  /**
   * A create was refused with 412: the key exists. If it holds our own commit, an earlier attempt
   * of this same create succeeded but its answer was lost — that is success.
   */
  private Void resolvePreconditionFailure(String key, String objectKey, String commit) {
    Optional<HeadObjectResponse> existing = head(objectKey);
    if (existing.isEmpty()) {
      throw new S3RequestRetrier.TryAgain("'" + key + "' was refused as existing but is gone now");
    }
    if (commit.equals(existing.get().metadata().get(COMMIT_METADATA))) {
      return null;
    }
    throw new AlreadyExistsException("storage key '" + key + "' already exists in " + location);
  }

  private void multipartIfAbsent(String key, SpooledContent content, String commit) {
    String objectKey = objectKey(key);
    if (retrier.call("create", key, attempt -> head(objectKey)).isPresent()) {
      // Fail fast instead of uploading many parts that the completion would refuse.
      throw new AlreadyExistsException("storage key '" + key + "' already exists in " + location);
    }
    Map<String, String> metadata = Map.of(COMMIT_METADATA, commit, SHA256_METADATA, content.sha256Hex());
    String uploadId = retrier.call("create (start multipart upload)", key, attempt ->
        s3.createMultipartUpload(r -> r.bucket(bucket).key(objectKey).metadata(metadata)
            .contentType("application/octet-stream")).uploadId());
    boolean completed = false;
    try {
      List<CompletedPart> parts = uploadParts(key, objectKey, uploadId, content.file(), content.size());
      retrier.call("create (complete multipart upload)", key, attempt -> {
        try {
          s3.completeMultipartUpload(r -> r.bucket(bucket).key(objectKey).uploadId(uploadId).ifNoneMatch("*")
              .multipartUpload(m -> m.parts(parts)));
          return null;
        } catch (NoSuchUploadException e) {
          // An earlier attempt completed the upload and its answer was lost — or it is gone.
          Optional<HeadObjectResponse> existing = head(objectKey);
          if (existing.isPresent() && commit.equals(existing.get().metadata().get(COMMIT_METADATA))) {
            return null;
          }
          if (existing.isPresent()) {
            throw new AlreadyExistsException("storage key '" + key + "' already exists in " + location);
          }
          throw new StorageException("multipart upload of '" + key + "' in " + location
              + " vanished before it completed (aborted by a lifecycle rule?); nothing was stored", e, true);
        } catch (S3Exception e) {
          if (e.statusCode() != 412) {
            throw e;
          }
          return resolvePreconditionFailure(key, objectKey, commit);
        }
      });
      completed = true;
    } finally {
      if (!completed) {
        abortQuietly(objectKey, uploadId);
      }
    }
  }

  private List<CompletedPart> uploadParts(String key, String objectKey, String uploadId, Path file, long size) {
    List<CompletedPart> parts = new ArrayList<>();
    byte[] buffer = new byte[(int) Math.min(partSize, size)];
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
      long offset = 0;
      int partNumber = 1;
      while (offset < size) {
        int length = (int) Math.min(partSize, size - offset);
        ByteBuffer target = ByteBuffer.wrap(buffer, 0, length);
        while (target.hasRemaining()) {
          if (channel.read(target, offset + target.position()) < 0) {
            throw new IOException("staged file " + file + " is shorter than expected");
          }
        }
        int number = partNumber;
        String etag = retrier.call("create (upload part " + number + ")", key, attempt ->
            s3.uploadPart(r -> r.bucket(bucket).key(objectKey).uploadId(uploadId).partNumber(number)
                    .contentLength((long) length),
                RequestBody.fromContentProvider(() -> new ByteArrayInputStream(buffer, 0, length), length,
                    "application/octet-stream")).eTag());
        parts.add(CompletedPart.builder().partNumber(number).eTag(etag).build());
        offset += length;
        partNumber++;
      }
    } catch (IOException e) {
      throw new StorageException("reading the staged content of '" + key + "' from " + file + " failed", e, false);
    }
    return parts;
  }

  private void abortQuietly(String objectKey, String uploadId) {
    try {
      retrier.call("abort multipart upload", objectKey, attempt -> {
        try {
          s3.abortMultipartUpload(r -> r.bucket(bucket).key(objectKey).uploadId(uploadId));
        } catch (NoSuchUploadException e) {
          // already gone
        }
        return null;
      });
    } catch (RuntimeException e) {
      // The upload stays incomplete; a lifecycle rule removes it. The original error matters more.
    }
  }

  /** @return the object name of a key (see {@link #KEY_TERMINATOR}) */
  String objectKey(String key) {
    return root + key + KEY_TERMINATOR;
  }

  private Optional<HeadObjectResponse> head(String objectKey) {
    try {
      return Optional.of(s3.headObject(r -> r.bucket(bucket).key(objectKey)));
    } catch (NoSuchKeyException e) {
      return Optional.empty();
    } catch (S3Exception e) {
      if (e.statusCode() == 404) {
        return Optional.empty();
      }
      throw e;
    }
  }

  /** What one GetObject of {@link #get} read; {@code body} is empty when the object was refused unread. */
  private record WholeBody(GetObjectResponse response, byte[] body) {}

  /**
   * Reads a whole object into one array sized from its Content-Length. {@link #get} reads through
   * this transformer rather than {@code getObject}'s {@code ResponseInputStream}, which schedules a
   * 60 s abort task on a shared executor for every call and cancels it on the first read; cancelled
   * tasks stay queued for their 60 s, so from the second minute on that executor's thread wakes
   * about once per earlier get (measured: 15-35 µs of CPU per get on that thread, plus about 5 µs
   * on the caller's), more than the store's own work on a small object.
   *
   * <p>Errors are not thrown here (the SDK would wrap them in a {@code NonRetryableException}): an
   * object without a well-formed digest, or one too large for an array, is refused unread, its
   * connection aborted rather than drained, and {@link #get} reports it. I/O errors while reading
   * do propagate, wrapped by the SDK, and are retried like a cut connection.
   */
  private static final ResponseTransformer<GetObjectResponse, WholeBody> READ_WHOLE_BODY = (response, in) -> {
    Long length = response.contentLength();
    if (!isWellFormedDigest(response.metadata().get(SHA256_METADATA))
        || (length != null && length > MAX_ARRAY_LENGTH)) {
      in.abort();
      return new WholeBody(response, new byte[0]);
    }
    if (length == null) {
      return new WholeBody(response, in.readAllBytes());
    }
    byte[] body = new byte[(int) (long) length];
    int n = in.readNBytes(body, 0, body.length);
    return new WholeBody(response, n == body.length ? body : Arrays.copyOf(body, n));
  };

  private String expectedDigest(String key, Map<String, String> metadata) {
    String expected = metadata.get(SHA256_METADATA);
    if (!isWellFormedDigest(expected)) {
      throw new CorruptDataException("object '" + key + "' in " + location + " has no valid "
          + "x-amz-meta-" + SHA256_METADATA + " metadata (found " + expected
          + "); it was not written by mlops or its metadata was lost in a copy");
    }
    return expected;
  }

  /** @return whether {@code digest} is 64 lowercase hex digits (no regex: this runs on every read) */
  private static boolean isWellFormedDigest(String digest) {
    if (digest == null || digest.length() != 64) {
      return false;
    }
    for (int i = 0; i < 64; i++) {
      char c = digest.charAt(i);
      if ((c < '0' || c > '9') && (c < 'a' || c > 'f')) {
        return false;
      }
    }
    return true;
  }

  private CorruptDataException corrupt(String key, String expected, String actual) {
    return new CorruptDataException("object '" + key + "' in " + location + " is corrupt: its content has SHA-256 "
        + actual + " but it was stored with SHA-256 " + expected);
  }

  private static boolean isValidKey(String key) {
    try {
      ObjectStore.requireValidKey(key);
      return true;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  static String newCommitId() {
    return UUID.randomUUID().toString().replace("-", "");
  }

  private void checkOpen() {
    if (closed.get()) {
      throw new IllegalStateException("s3: store " + location + " is closed");
    }
  }

  /** Runs the capability probe; see the class javadoc. */
  private void probe() {
    String key = PROBE_PREFIX + newCommitId();
    byte[] content = ("mlops capability probe " + key).getBytes(StandardCharsets.US_ASCII);
    create(key, content);
    try {
      boolean putIgnored;
      try {
        create(key, content);
        putIgnored = true;
      } catch (AlreadyExistsException expected) {
        putIgnored = false;
      }
      if (putIgnored) {
        throw refusal("PutObject", key);
      }
      boolean completeIgnored = probeMultipart(key);
      if (completeIgnored) {
        throw refusal("CompleteMultipartUpload", key);
      }
    } finally {
      try {
        delete(key);
      } catch (RuntimeException e) {
        // a leftover probe object is harmless; the open outcome matters
      }
    }
  }

  /** @return whether a multipart upload onto the existing probe key was (wrongly) completed */
  private boolean probeMultipart(String key) {
    String objectKey = objectKey(key);
    Map<String, String> metadata = Map.of(COMMIT_METADATA, newCommitId(),
        SHA256_METADATA, HexFormat.of().formatHex(SpooledContent.newSha256().digest(new byte[1])));
    String uploadId = retrier.call("capability probe (start multipart upload)", key, attempt ->
        s3.createMultipartUpload(r -> r.bucket(bucket).key(objectKey).metadata(metadata)).uploadId());
    try {
      String etag = retrier.call("capability probe (upload part)", key, attempt ->
          s3.uploadPart(r -> r.bucket(bucket).key(objectKey).uploadId(uploadId).partNumber(1).contentLength(1L),
              RequestBody.fromBytes(new byte[1])).eTag());
      return retrier.call("capability probe (complete multipart upload)", key, attempt -> {
        try {
          s3.completeMultipartUpload(r -> r.bucket(bucket).key(objectKey).uploadId(uploadId).ifNoneMatch("*")
              .multipartUpload(m -> m.parts(CompletedPart.builder().partNumber(1).eTag(etag).build())));
          return true;
        } catch (S3Exception e) {
          if (e.statusCode() == 412) {
            return false;
          }
          throw e;
        }
      });
    } finally {
      abortQuietly(objectKey, uploadId);
    }
  }

  private StorageException refusal(String operation, String key) {
    return new StorageException("refusing to open " + location + ": the server ignores 'If-None-Match: *' on "
        + operation + " (a second create of probe key '" + key + "' succeeded), so concurrent writers could "
        + "overwrite each other's commits. Use a server that supports conditional writes (Amazon S3, MinIO, "
        + "Ceph RGW, S3Proxy 4+)", null, false);
  }

  /** Reads an object, checking its SHA-256 at the end; resumes with a range request after an I/O error. */
  private final class VerifyingStream extends InputStream {
    private final String key;
    private final String objectKey;
    private final String etag;
    private final long length;
    private final String expected;
    private final MessageDigest sha256 = SpooledContent.newSha256();
    private InputStream in;
    private long position;
    private int failures;
    private boolean verified;
    private boolean closed;

    VerifyingStream(String key, String objectKey, InputStream in, String etag, long length, String expected) {
      this.key = key;
      this.objectKey = objectKey;
      this.in = in;
      this.etag = etag;
      this.length = length;
      this.expected = expected;
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      int n = read(one, 0, 1);
      return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      Objects.checkFromIndexSize(off, len, b.length);
      if (closed) {
        throw new IOException("stream of '" + key + "' is closed");
      }
      if (len == 0) {
        return 0;
      }
      while (true) {
        int n;
        try {
          n = in.read(b, off, len);
        } catch (IOException | SdkClientException e) {
          resume(e);
          continue;
        }
        if (n < 0) {
          if (length >= 0 && position < length) {
            resume(new IOException("body ended after " + position + " of " + length + " bytes"));
            continue;
          }
          verify();
          return -1;
        }
        sha256.update(b, off, n);
        position += n;
        return n;
      }
    }

    private void verify() {
      if (!verified) {
        verified = true;
        String actual = HexFormat.of().formatHex(sha256.digest());
        if (!actual.equals(expected)) {
          throw corrupt(key, expected, actual);
        }
      }
    }

    private void resume(Exception cause) {
      try {
        in.close();
      } catch (IOException | RuntimeException ignored) {
        // replaced below
      }
      failures++;
      if (failures >= retrier.maxAttempts()) {
        throw new StorageException("reading '" + key + "' in " + location + " failed at byte " + position
            + " after " + failures + " attempts: " + S3RequestRetrier.describe(cause), cause, true);
      }
      retrier.pause(failures);
      in = retrier.call("read (resume at byte " + position + ")", key, attempt -> {
        GetObjectRequest.Builder r = GetObjectRequest.builder().bucket(bucket).key(objectKey)
            .range("bytes=" + position + "-");
        if (etag != null) {
          r.ifMatch(etag);
        }
        try {
          return s3.getObject(r.build());
        } catch (S3Exception e) {
          if (e.statusCode() == 412 || e.statusCode() == 404) {
            throw new StorageException("object '" + key + "' in " + location + " changed or vanished while it was "
                + "being read", e, false);
          }
          if (e.statusCode() == 416) {
            // Nothing after position: the object is shorter than announced.
            throw corrupt(key, expected, "of a shorter body (" + position + " bytes)");
          }
          throw e;
        }
      });
    }

    @Override
    public void close() throws IOException {
      if (!closed) {
        closed = true;
        if (in instanceof ResponseInputStream<?> r && (length < 0 || position < length)) {
          r.abort(); // do not drain the rest of a large body just to reuse the connection
        }
        in.close();
      }
    }
  }

  /** Content staged locally (memory, then a temp file), published with create-if-absent. */
  private final class MultipartBlobSink implements BlobSink {
    private final SpooledContent content = new SpooledContent(spoolDirectory, partSize);
    private boolean done;

    @Override
    public OutputStream stream() {
      return content.stream();
    }

    @Override
    public void publish(String key) {
      ObjectStore.requireValidKey(key);
      checkOpen();
      if (done) {
        throw new IllegalStateException("blob sink already published or closed");
      }
      done = true;
      try (content) {
        try {
          content.finish();
        } catch (IOException e) {
          throw new StorageException("staging the content for '" + key + "' failed; nothing was stored", e, false);
        }
        S3ObjectStore.this.publish(key, content);
      }
    }

    @Override
    public void close() {
      done = true;
      content.close();
    }
  }

  /**
   * Builds an {@link S3ObjectStore}. Either give the store's location ({@link #region},
   * {@link #endpoint}, {@link #pathStyle}; credentials come from the AWS default chain) and the
   * store builds and owns its own client, or pass your own {@link S3Client} with {@link #client},
   * which the store uses but never closes.
   *
   * <p>Not thread-safe; confine to one thread.
   */
  public static final class Builder {
    private String bucket;
    private String prefix = "";
    private String region;
    private URI endpoint;
    private Boolean pathStyle;
    private S3Client client;
    private int maxAttempts = 10;
    private Duration baseBackoff = Duration.ofMillis(25);
    private Duration maxBackoff = Duration.ofSeconds(2);
    private Duration requestTimeout = Duration.ofSeconds(60);
    private int partSize = DEFAULT_PART_SIZE;
    private Path spoolDirectory;
    private long jitterSeed = System.nanoTime();

    private Builder() {}

    /**
     * @param bucket the bucket, which must exist
     * @return this
     * @throws IllegalArgumentException if it is not a valid S3 bucket name
     */
    public Builder bucket(String bucket) {
      Objects.requireNonNull(bucket, "bucket");
      if (!bucket.matches("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")) {
        throw new IllegalArgumentException("bucket name '" + bucket + "' is invalid: 3-63 characters of "
            + "[a-z0-9.-], starting and ending with a letter or digit");
      }
      this.bucket = bucket;
      return this;
    }

    /**
     * @param prefix key prefix inside the bucket, e.g. {@code teams/fraud}; empty for the whole
     *     bucket; leading and trailing {@code /} are ignored
     * @return this
     * @throws IllegalArgumentException if it is not made of valid key segments
     */
    public Builder prefix(String prefix) {
      Objects.requireNonNull(prefix, "prefix");
      String p = prefix;
      while (p.startsWith("/")) {
        p = p.substring(1);
      }
      while (p.endsWith("/")) {
        p = p.substring(0, p.length() - 1);
      }
      if (!p.isEmpty()) {
        try {
          ObjectStore.requireValidKey(p);
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException("S3 key prefix '" + prefix + "' is invalid: " + e.getMessage(), e);
        }
      }
      this.prefix = p;
      return this;
    }

    /**
     * @param region e.g. {@code eu-west-1}; default: the AWS default region chain, or
     *     {@code us-east-1} with an explicit endpoint
     * @return this
     */
    public Builder region(String region) {
      Objects.requireNonNull(region, "region");
      if (!region.matches("[a-z0-9-]+")) {
        throw new IllegalArgumentException("region '" + region + "' is invalid: expected e.g. eu-west-1");
      }
      this.region = region;
      return this;
    }

    /**
     * @param endpoint an S3-compatible server, e.g. {@code http://127.0.0.1:9000}; default: AWS
     * @return this
     * @throws IllegalArgumentException unless an absolute http or https URI without path or query
     */
    public Builder endpoint(URI endpoint) {
      Objects.requireNonNull(endpoint, "endpoint");
      String scheme = endpoint.getScheme() == null ? "" : endpoint.getScheme().toLowerCase(Locale.ROOT);
      if (!(scheme.equals("http") || scheme.equals("https")) || endpoint.getHost() == null
          || endpoint.getRawQuery() != null || !(endpoint.getRawPath() == null || endpoint.getRawPath().isEmpty()
              || endpoint.getRawPath().equals("/"))) {
        throw new IllegalArgumentException("S3 endpoint '" + endpoint + "' is invalid: expected http(s)://host[:port]");
      }
      this.endpoint = endpoint;
      return this;
    }

    /**
     * @param pathStyle address the bucket in the path ({@code http://host/bucket/key}) instead of
     *     the host name; default true with an explicit endpoint, false for AWS
     * @return this
     */
    public Builder pathStyle(boolean pathStyle) {
      this.pathStyle = pathStyle;
      return this;
    }

    /**
     * Uses your own client (credentials, HTTP client, proxy, metrics as you configured them). The
     * store never closes it. Its own retry policy, if any, runs inside each of the store's attempts.
     *
     * @param client the client
     * @return this
     */
    public Builder client(S3Client client) {
      this.client = Objects.requireNonNull(client, "client");
      return this;
    }

    /**
     * @param maxAttempts attempts per operation, 1..100 (default 10)
     * @param baseBackoff the first backoff ceiling, doubled per attempt (default 25 ms)
     * @param maxBackoff the largest backoff ceiling (default 2 s); each pause is uniform in [0, ceiling]
     * @return this
     * @throws IllegalArgumentException if out of range
     */
    public Builder retries(int maxAttempts, Duration baseBackoff, Duration maxBackoff) {
      if (maxAttempts < 1 || maxAttempts > 100) {
        throw new IllegalArgumentException("maxAttempts must be in 1..100, got " + maxAttempts);
      }
      if (baseBackoff.isNegative() || maxBackoff.compareTo(baseBackoff) < 0) {
        throw new IllegalArgumentException("backoff must satisfy 0 <= base <= max, got base " + baseBackoff
            + ", max " + maxBackoff);
      }
      this.maxAttempts = maxAttempts;
      this.baseBackoff = baseBackoff;
      this.maxBackoff = maxBackoff;
      return this;
    }

    /**
     * @param seed seed of the backoff jitter (default: the time)
     * @return this
     */
    public Builder jitterSeed(long seed) {
      this.jitterSeed = seed;
      return this;
    }

    /**
     * @param timeout the longest one HTTP attempt may take, for the client the store builds
     *     (default 60 s); ignored with {@link #client}
     * @return this
     */
    public Builder requestTimeout(Duration timeout) {
      if (timeout.isNegative() || timeout.isZero()) {
        throw new IllegalArgumentException("request timeout must be positive, got " + timeout);
      }
      this.requestTimeout = timeout;
      return this;
    }

    /**
     * @param bytes multipart part size and the largest content sent in one PutObject,
     *     5 MiB..512 MiB (default 8 MiB); also the memory one upload may hold
     * @return this
     * @throws IllegalArgumentException if out of range
     */
    public Builder partSize(int bytes) {
      if (bytes < MIN_PART_SIZE || bytes > MAX_PART_SIZE) {
        throw new IllegalArgumentException("part size must be in " + MIN_PART_SIZE + ".." + MAX_PART_SIZE
            + " bytes (S3's minimum part is 5 MiB), got " + bytes);
      }
      this.partSize = bytes;
      return this;
    }

    /**
     * @param directory where content larger than a part is staged before upload (default: the
     *     JVM's temporary directory)
     * @return this
     */
    public Builder spoolDirectory(Path directory) {
      this.spoolDirectory = Objects.requireNonNull(directory, "directory");
      return this;
    }

    /**
     * Builds the store and runs the capability probe. The probe runs at every open with a client
     * the store builds (so at every {@code Mlops.open("s3://...")}); with your own
     * {@link #client}, once per client and bucket in this JVM.
     *
     * @return the open store
     * @throws IllegalStateException if no bucket was set, or a location option was combined with
     *     {@link #client}
     * @throws StorageException if the bucket cannot be reached, or the server ignores conditional
     *     writes (not retryable; the message names the endpoint)
     */
    public S3ObjectStore build() {
      if (bucket == null) {
        throw new IllegalStateException("S3ObjectStore.builder(): bucket(...) is required");
      }
      if (client != null && (region != null || endpoint != null || pathStyle != null)) {
        throw new IllegalStateException("S3ObjectStore.builder(): region, endpoint and pathStyle configure the "
            + "client the store builds; with client(...) configure your own client instead");
      }
      S3Client s3 = client;
      boolean owns = false;
      String where = "s3://" + bucket + (prefix.isEmpty() ? "" : "/" + prefix);
      if (s3 == null) {
        s3 = newClient();
        owns = true;
      }
      where += s3.serviceClientConfiguration().endpointOverride().map(e -> " at " + e).orElse("")
          + Optional.ofNullable(s3.serviceClientConfiguration().region()).map(r -> " (region " + r.id() + ")").orElse("");
      S3ObjectStore store = new S3ObjectStore(this, s3, owns, where);
      Set<String> probed = PROBED.computeIfAbsent(s3, c -> ConcurrentHashMap.newKeySet());
      if (!probed.contains(bucket)) {
        try {
          store.probe();
        } catch (RuntimeException e) {
          store.close();
          throw e;
        }
        probed.add(bucket);
      }
      return store;
    }

    private S3Client newClient() {
      S3ClientBuilder b = S3Client.builder()
          .httpClient(Apache5HttpClient.builder()
              .connectionTimeout(Duration.ofSeconds(5))
              .socketTimeout(requestTimeout)
              .build())
          .credentialsProvider(DefaultCredentialsProvider.builder().build())
          // Retries are the store's own, so that a retried create can recognise its own commit.
          .overrideConfiguration(c -> c.retryStrategy(AwsRetryStrategy.doNotRetry())
              .apiCallAttemptTimeout(requestTimeout))
          // Integrity is the store's own SHA-256; no trailing CRC (aws-chunked) that some servers reject.
          .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
          .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
          .serviceConfiguration(c -> c.expectContinueEnabled(false));
      if (endpoint != null) {
        b.endpointOverride(endpoint);
      }
      b.forcePathStyle(pathStyle != null ? pathStyle : endpoint != null);
      if (region != null) {
        b.region(Region.of(region));
      } else if (endpoint != null) {
        b.region(Region.US_EAST_1);
      }
      try {
        return b.build();
      } catch (SdkClientException e) {
        throw new StorageException("cannot build an S3 client for s3://" + bucket + ": " + e.getMessage()
            + " (set region=... in the URI or AWS_REGION)", e, false);
      }
    }
  }
}
