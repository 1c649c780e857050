package dev.mlops.serving;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Scores a large input with one resolved version's predictor: records are read from the iterator
 * on the calling thread, at most {@code maxInFlight} are held at once (bounded memory), scored on
 * {@code parallelism} threads, and each result is handed to the host's sink. A record whose
 * scoring (or sink) throws is collected with its id and the batch goes on. Progress (records done,
 * rate, ETA when the total is known) is reported every {@code progressEvery} records.
 *
 * <p>A record the iterator fails to produce ({@code next()} throws) is collected as a failure with
 * the id {@code input#<position>} (0-based) and reading goes on; after 100 such failures in a row,
 * or when {@code hasNext()} throws, reading stops and the failure says so. A progress consumer
 * that throws is logged; the batch goes on.
 *
 * <p>Thread-safe: one scorer may run several batches, each on its calling thread.
 *
 * @param <R> record type
 * @param <O> output type
 */
public final class BatchScorer<R, O> {
  private static final Logger LOG = LoggerFactory.getLogger(BatchScorer.class);
  /** Consecutive unreadable records after which the input is taken to be broken, not one bad row. */
  static final int MAX_UNREADABLE_IN_A_ROW = 100;
  private final Predictor<R, O> predictor;
  private final int parallelism;
  private final int maxInFlight;
  private final long progressEvery;
  private final Clock clock;

  /**
   * @param predictor the resolved version's predictor (the caller closes it)
   * @param parallelism scoring threads, >= 1
   * @param maxInFlight records held at once, >= parallelism
   * @param progressEvery report progress every this many records, >= 1
   * @param clock for rates and ETA
   * @throws IllegalArgumentException if a bound is out of range
   */
  public BatchScorer(Predictor<R, O> predictor, int parallelism, int maxInFlight, long progressEvery, Clock clock) {
    this.predictor = Objects.requireNonNull(predictor, "predictor");
    if (parallelism < 1 || maxInFlight < parallelism || progressEvery < 1) {
      throw new IllegalArgumentException("need parallelism >= 1, maxInFlight >= parallelism, progressEvery >= 1; got "
          + parallelism + ", " + maxInFlight + ", " + progressEvery);
    }
    this.parallelism = parallelism;
    this.maxInFlight = maxInFlight;
    this.progressEvery = progressEvery;
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /** Receives each scored record; called from scoring threads, so it must be thread-safe. */
  @FunctionalInterface
  public interface Sink<R, O> {
    /** @param record the input @param output its score @throws Exception counted as that record's failure */
    void accept(R record, O output) throws Exception;
  }

  /**
   * Progress so far. Immutable and thread-safe.
   *
   * @param done records finished (scored or failed)
   * @param failed of those, failed
   * @param perSecond records per second since the start
   * @param eta estimated time left, if the total is known
   */
  public record Progress(long done, long failed, double perSecond, Optional<Duration> eta) {}

  /**
   * One record that failed. Immutable and thread-safe.
   *
   * @param id the record's id
   * @param error what went wrong
   */
  public record Failure(String id, String error) {}

  /**
   * The batch's outcome. Immutable and thread-safe.
   *
   * @param done records finished
   * @param failures records that failed, with their ids
   * @param elapsed wall time
   */
  public record Result(long done, List<Failure> failures, Duration elapsed) {
    /** Copies. */
    public Result {
      failures = List.copyOf(failures);
    }
  }

  /**
   * @param records the input, read once
   * @param id a record's id, for failures
   * @param total the number of records if known, for the ETA
   * @param sink receives outputs
   * @param progress receives progress reports
   * @return the outcome, after every record finished
   * @throws InterruptedException if interrupted while waiting (records in flight still finish)
   */
  public Result score(Iterator<R> records, Function<R, String> id, OptionalLong total, Sink<R, O> sink,
      Consumer<Progress> progress) throws InterruptedException {
    Instant start = clock.instant();
    Semaphore slots = new Semaphore(maxInFlight);
    AtomicLong done = new AtomicLong();
    AtomicLong failed = new AtomicLong();
    List<Failure> failures = Collections.synchronizedList(new ArrayList<>());
    ExecutorService pool = Executors.newFixedThreadPool(parallelism, r -> {
      Thread t = new Thread(r, "mlops-batch");
      t.setDaemon(true);
      return t;
    });
    try {
      long read = 0;
      int unreadable = 0;
      while (true) {
        R r;
        long position = read++;
        try {
          if (!records.hasNext()) {
            break;
          }
        } catch (RuntimeException e) {
          failed.incrementAndGet();
          done.incrementAndGet();
          failures.add(new Failure("input#" + position, "stopped reading: the input failed: " + e));
          break;
        }
        try {
          r = records.next();
          unreadable = 0;
        } catch (RuntimeException e) {
          // a row the input cannot read is that row's failure, not the batch's
          failed.incrementAndGet();
          done.incrementAndGet();
          failures.add(new Failure("input#" + position, e.toString()));
          if (++unreadable >= MAX_UNREADABLE_IN_A_ROW) {
            failures.add(new Failure("input#" + position, "stopped reading: " + unreadable
                + " records in a row could not be read"));
            break;
          }
          continue;
        }
        slots.acquire();
        pool.execute(() -> {
          try {
            sink.accept(r, predictor.predict(r));
          } catch (Exception | LinkageError | AssertionError e) {
            failed.incrementAndGet();
            failures.add(new Failure(String.valueOf(safeId(id, r)), e.toString()));
          } finally {
            long n = done.incrementAndGet();
            slots.release();
            if (n % progressEvery == 0) {
              report(progress, progress(n, failed.get(), start, total));
            }
          }
        });
      }
      slots.acquire(maxInFlight); // every record finished
      slots.release(maxInFlight);
    } finally {
      pool.shutdown();
      pool.awaitTermination(1, TimeUnit.MINUTES);
    }
    report(progress, progress(done.get(), failed.get(), start, total));
    return new Result(done.get(), new ArrayList<>(failures), Duration.between(start, clock.instant()));
  }

  private static void report(Consumer<Progress> progress, Progress p) {
    try {
      progress.accept(p);
    } catch (RuntimeException e) {
      LOG.warn("a batch progress report failed (the batch goes on): {}", e.toString());
    }
  }

  private static <R> String safeId(Function<R, String> id, R r) {
    try {
      return id.apply(r);
    } catch (RuntimeException e) {
      return "<id failed: " + e + ">";
    }
  }

  private Progress progress(long done, long failed, Instant start, OptionalLong total) {
    double secs = Math.max(1e-9, Duration.between(start, clock.instant()).toNanos() / 1e9);
    double rate = done / secs;
    Optional<Duration> eta = total.isPresent() && rate > 0
        ? Optional.of(Duration.ofMillis((long) (Math.max(0, total.getAsLong() - done) / rate * 1000)))
        : Optional.empty();
    return new Progress(done, failed, rate, eta);
  }
}
