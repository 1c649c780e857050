package dev.mlops.serving;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BiPredicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Mirrors requests to a shadow candidate on its own thread through a bounded queue: the request
 * thread only offers (never blocks, never sees the candidate's errors), and what does not fit is
 * counted as dropped.
 *
 * <p>Thread-safe.
 */
final class ShadowMirror<I, O> {
  private static final Logger LOG = LoggerFactory.getLogger(ShadowMirror.class);
  final String deployment;
  final Lease<I, O> lease;
  private final BiPredicate<O, O> agreement;
  private final ArrayBlockingQueue<Task<I, O>> queue;
  private final Thread worker;
  private volatile boolean stopped;
  final LongAdder mirrored = new LongAdder();
  final LongAdder dropped = new LongAdder();
  final LongAdder compared = new LongAdder();
  final LongAdder agreed = new LongAdder();
  final LongAdder errors = new LongAdder();
  final LatencyHistogram candidate = new LatencyHistogram();
  final LatencyHistogram primary = new LatencyHistogram();

  private record Task<I, O>(I input, O primaryOutput, long primaryNanos) {}

  ShadowMirror(String deployment, Lease<I, O> lease, BiPredicate<O, O> agreement, int capacity) {
    this.deployment = deployment;
    this.lease = lease;
    this.agreement = agreement;
    this.queue = new ArrayBlockingQueue<>(capacity);
    this.worker = new Thread(this::run, "mlops-shadow-v" + lease.version);
    worker.setDaemon(true);
    worker.start();
  }

  /** Called on the request path: never blocks, never throws. */
  void offer(I input, O primaryOutput, long primaryNanos) {
    if (queue.offer(new Task<>(input, primaryOutput, primaryNanos))) {
      mirrored.increment();
    } else {
      dropped.increment();
    }
  }

  private void run() {
    while (!stopped) {
      Task<I, O> t;
      try {
        t = queue.poll(100, TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        break;
      }
      if (t == null) {
        continue;
      }
      int stripe = lease.acquire();
      if (stripe < 0) {
        dropped.increment();
        continue;
      }
      long t0 = System.nanoTime();
      try {
        O out = lease.predictor.predict(t.input());
        candidate.record(System.nanoTime() - t0);
        primary.record(t.primaryNanos());
        compared.increment();
        if (agreement.test(t.primaryOutput(), out)) {
          agreed.increment();
        }
      } catch (Exception | LinkageError | AssertionError e) {
        candidate.record(System.nanoTime() - t0);
        errors.increment();
        LOG.debug("shadow candidate {} failed: {}", lease.version, e.toString());
      } finally {
        lease.release(stripe);
      }
    }
  }

  void stop() {
    stopped = true;
    worker.interrupt();
  }

  ShadowStats stats() {
    return new ShadowStats(lease.version, mirrored.sum(), dropped.sum(), compared.sum(), agreed.sum(), errors.sum(),
        candidate.percentile(0.5), candidate.percentile(0.99), primary.percentile(0.5), primary.percentile(0.99));
  }
}
