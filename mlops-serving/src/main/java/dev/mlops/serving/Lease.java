package dev.mlops.serving;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A loaded predictor with a count of the requests using it. Once retired it takes no new requests
 * and is closed exactly once, by whoever brings the count to zero (the last request, or the
 * retirer if none is in flight).
 *
 * <p>The count is striped by thread (padded slots, so request threads do not share a cache line)
 * and each request releases the stripe it acquired, so every stripe stays non-negative and a
 * request in flight keeps its stripe above zero. A sum of zero read after {@code retired} was set
 * therefore means no request is using the predictor: one that acquires afterwards sees
 * {@code retired} and backs out without using it.
 *
 * <p>Thread-safe.
 */
final class Lease<I, O> {
  private static final Logger LOG = LoggerFactory.getLogger(Lease.class);
  private static final int STRIPES = 16;
  /** 16 longs = 128 bytes between stripes: no false sharing. */
  private static final int PAD = 16;
  final int version;
  final Predictor<I, O> predictor;
  private final AtomicLongArray inFlight = new AtomicLongArray(STRIPES * PAD);
  private volatile boolean retired;
  private final AtomicBoolean closed = new AtomicBoolean();
  /** Bounded calls still running after their caller timed out (they hold a request thread each). */
  final AtomicInteger stuckCalls = new AtomicInteger();

  Lease(int version, Predictor<I, O> predictor) {
    this.version = version;
    this.predictor = predictor;
  }

  /**
   * @return the stripe to pass to {@link #release(int)} if the caller may use the predictor;
   *     -1 if it is retired (use the new routing instead)
   */
  @SuppressWarnings("deprecation") // Thread.getId: fine on 17, and cheap
  int acquire() {
    int s = (int) (Thread.currentThread().getId() & (STRIPES - 1)) * PAD;
    inFlight.getAndIncrement(s);
    if (retired) {
      release(s);
      return -1;
    }
    return s;
  }

  void release(int stripe) {
    inFlight.getAndDecrement(stripe);
    if (retired && sum() == 0) {
      closeOnce();
    }
  }

  void retire() {
    retired = true;
    if (sum() == 0) {
      closeOnce();
    }
  }

  private long sum() {
    long n = 0;
    for (int i = 0; i < STRIPES; i++) {
      n += inFlight.get(i * PAD);
    }
    return n;
  }

  boolean isClosed() {
    return closed.get();
  }

  private void closeOnce() {
    if (closed.compareAndSet(false, true)) {
      try {
        predictor.close();
      } catch (Exception | LinkageError | AssertionError e) {
        // never into the request (or refresh) thread that happened to release it last
        LOG.warn("closing the predictor of version {} failed: {}", version, e.toString(), e);
      }
    }
  }
}
