package dev.mlops.serving;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A loaded predictor with a count of the requests using it. Once retired it takes no new requests
 * and is closed exactly once, by whoever brings the count to zero (the last request, or the
 * retirer if none is in flight).
 *
 * <p>Thread-safe.
 */
final class Lease<I, O> {
  private static final Logger LOG = LoggerFactory.getLogger(Lease.class);
  final int version;
  final Predictor<I, O> predictor;
  private final AtomicLong inFlight = new AtomicLong();
  private volatile boolean retired;
  private final AtomicBoolean closed = new AtomicBoolean();

  Lease(int version, Predictor<I, O> predictor) {
    this.version = version;
    this.predictor = predictor;
  }

  /** @return true if the caller may use the predictor and must {@link #release()}; false if retired */
  boolean acquire() {
    inFlight.incrementAndGet();
    if (retired) {
      release();
      return false;
    }
    return true;
  }

  void release() {
    if (inFlight.decrementAndGet() == 0 && retired) {
      closeOnce();
    }
  }

  void retire() {
    retired = true;
    if (inFlight.get() == 0) {
      closeOnce();
    }
  }

  boolean isClosed() {
    return closed.get();
  }

  private void closeOnce() {
    if (closed.compareAndSet(false, true)) {
      try {
        predictor.close();
      } catch (Exception e) {
        LOG.warn("closing the predictor of version {} failed: {}", version, e.toString(), e);
      }
    }
  }
}
