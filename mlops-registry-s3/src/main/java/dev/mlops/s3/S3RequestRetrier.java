package dev.mlops.s3;

import dev.mlops.MlopsException;
import dev.mlops.StorageException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.Random;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.ApiCallAttemptTimeoutException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkServiceException;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * Runs one logical S3 operation with retries: exponential backoff with full jitter on throttling
 * (503 SlowDown, 429), server errors (5xx), 409 conflicts (S3's ConditionalRequestConflict,
 * OperationAborted), request timeouts and connection errors. Other failures are translated at once
 * into the {@link MlopsException} hierarchy, naming the key and the store.
 *
 * <p>Thread-safe.
 */
final class S3RequestRetrier {
  private static final Logger LOG = LoggerFactory.getLogger(S3RequestRetrier.class);
  private static final Set<String> RETRYABLE_CODES = Set.of(
      "SlowDown", "Throttling", "ThrottlingException", "RequestTimeout", "RequestTimeTooSkewed",
      "InternalError", "ServiceUnavailable", "OperationAborted", "ConditionalRequestConflict");

  /** One attempt of an operation; {@code attempt} counts from 1. */
  @FunctionalInterface
  interface Attempt<T> {
    T run(int attempt);
  }

  /** Thrown by an attempt to ask for another attempt (e.g. the object vanished between two calls). */
  static final class TryAgain extends RuntimeException {
    private static final long serialVersionUID = 1L;

    TryAgain(String message) {
      super(message, null, false, false);
    }
  }

  private final int maxAttempts;
  private final long baseNanos;
  private final long capNanos;
  private final Random jitter;
  private final String location;

  S3RequestRetrier(int maxAttempts, Duration base, Duration cap, long seed, String location) {
    this.maxAttempts = maxAttempts;
    this.baseNanos = base.toNanos();
    this.capNanos = cap.toNanos();
    this.jitter = new Random(seed);
    this.location = location;
  }

  int maxAttempts() {
    return maxAttempts;
  }

  /**
   * Runs {@code op} until it succeeds, fails permanently, or the attempts are used up.
   *
   * @param what the operation, for messages ("create", "get", ...)
   * @param key the storage key concerned, for messages
   * @param op the attempt; {@link MlopsException}s it throws pass through unchanged
   * @return its result
   * @throws StorageException retryable after the last attempt, or not retryable for a permanent
   *     error (access denied, missing bucket, a rejected request)
   */
  <T> T call(String what, String key, Attempt<T> op) {
    RuntimeException last = null;
    for (int attempt = 1; attempt <= maxAttempts; attempt++) {
      try {
        return op.run(attempt);
      } catch (MlopsException e) {
        throw e;
      } catch (TryAgain e) {
        last = e;
      } catch (RuntimeException e) {
        if (!isTransient(e)) {
          throw permanent(what, key, e);
        }
        last = e;
      }
      if (attempt < maxAttempts) {
        LOG.debug("{} of '{}' in {} failed (attempt {} of {}), retrying: {}", what, key, location, attempt,
            maxAttempts, describe(last));
        pause(attempt);
      }
    }
    throw new StorageException(what + " of '" + key + "' in " + location + " failed after " + maxAttempts
        + " attempts; last error: " + describe(last), last, true);
  }

  /** Sleeps before attempt {@code attempt + 1}: uniformly in [0, min(cap, base * 2^(attempt-1))]. */
  void pause(int attempt) {
    long ceiling = Math.min(capNanos, baseNanos << Math.min(attempt - 1, 30));
    long nanos;
    synchronized (jitter) {
      nanos = (long) (jitter.nextDouble() * ceiling);
    }
    try {
      Thread.sleep(nanos / 1_000_000, (int) (nanos % 1_000_000));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StorageException("interrupted while waiting to retry in " + location, e, true);
    }
  }

  /**
   * @param e an exception from the SDK or from reading a response body
   * @return whether the same request may succeed if repeated
   */
  static boolean isTransient(Throwable e) {
    if (e instanceof SdkServiceException se) {
      int status = se.statusCode();
      if (status >= 500 || status == 429 || status == 409 || se.isThrottlingException()) {
        return true;
      }
      if (e instanceof S3Exception s3e && s3e.awsErrorDetails() != null
          && RETRYABLE_CODES.contains(s3e.awsErrorDetails().errorCode())) {
        return true;
      }
      return false;
    }
    if (e instanceof ApiCallAttemptTimeoutException || e instanceof UncheckedIOException) {
      return true;
    }
    if (e instanceof SdkClientException) {
      // No usable answer from the server: a reset, refused or timed-out connection, or a body cut
      // off mid-parse (surfacing as an XML parse error). Missing credentials or region, and
      // invalid arguments, are configuration errors that no retry fixes.
      String m = String.valueOf(e.getMessage()).toLowerCase(java.util.Locale.ROOT);
      if (m.contains("credentials") || m.contains("unable to load region")) {
        return false;
      }
      for (Throwable c = e.getCause(); c != null; c = c.getCause()) {
        if (c instanceof IllegalArgumentException || c instanceof NullPointerException) {
          return false;
        }
      }
      return true;
    }
    return false;
  }

  private StorageException permanent(String what, String key, RuntimeException e) {
    if (e instanceof S3Exception s3e) {
      int status = s3e.statusCode();
      String code = s3e.awsErrorDetails() == null ? "" : s3e.awsErrorDetails().errorCode();
      if ("NoSuchBucket".equals(code)) {
        return new StorageException(what + " of '" + key + "' failed: the bucket of " + location
            + " does not exist (create it first)", e, false);
      }
      if (status == 403) {
        return new StorageException(what + " of '" + key + "' in " + location + " was refused (403 " + code
            + "): check the credentials and the bucket policy", e, false);
      }
      return new StorageException(what + " of '" + key + "' in " + location + " was rejected: HTTP " + status
          + " " + code + ": " + s3e.awsErrorDetails().errorMessage(), e, false);
    }
    return new StorageException(what + " of '" + key + "' in " + location + " failed: " + describe(e), e, false);
  }

  static String describe(Throwable e) {
    if (e == null) {
      return "none";
    }
    if (e instanceof S3Exception s3e && s3e.awsErrorDetails() != null) {
      return "HTTP " + s3e.statusCode() + " " + s3e.awsErrorDetails().errorCode();
    }
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return root == e ? String.valueOf(e) : e.getClass().getSimpleName() + " caused by " + root;
  }
}
