package dev.mlops.core;

import dev.mlops.AlreadyExistsException;
import dev.mlops.ConflictException;
import dev.mlops.CorruptDataException;
import dev.mlops.Names;
import dev.mlops.RunId;
import dev.mlops.StorageException;
import dev.mlops.spi.ObjectStore;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The metric points one run handle has logged and not yet stored. {@link #log} appends to
 * primitive arrays under a short lock and returns; a full chunk is sealed and handed to the
 * workspace's writer thread, which encodes it as one {@link MetricSegments segment} and creates
 * {@code runs/<runId>/metrics/<writerId>-<seq, 10 digits>.seg}. The writer id is random per
 * handle, so handles in many processes never compete for a key. A writer numbers its segments
 * from 1 without gaps and stores them strictly in order, so a reader can tell a deleted segment
 * from one never written.
 *
 * <p>Memory is bounded: when {@code maxPendingChunks} sealed chunks wait for the writer,
 * {@link #log} blocks until one is stored. A partly filled chunk is written by the timer: after one
 * flush interval if it holds a tenth of a chunk, else after {@value #MAX_DELAY_INTERVALS} intervals,
 * so slow logging does not produce one object per point. A failed write is retried with backoff; after
 * {@code writeAttempts} failures in a row the chunk is kept (never dropped), the failure is
 * reported to the next {@link #flush} (and to a {@link #log} that would have to wait for it) as
 * a {@link StorageException}, and the next flush or timer tick tries again.
 *
 * <p>Thread-safe.
 */
final class MetricBuffer {
  private static final Logger LOG = LoggerFactory.getLogger(MetricBuffer.class);
  private static final long WAIT_SLICE_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
  /** Points the arrays of a new buffer hold before they grow (doubling up to a chunk). */
  static final int INITIAL_CAPACITY = 64;

  /** A part chunk waits at most this many flush intervals before it is written. */
  static final int MAX_DELAY_INTERVALS = 30;

  /**
   * How metrics are buffered and written.
   *
   * @param chunkSize points per segment, 1..10,000,000
   * @param maxPendingChunks sealed chunks allowed to wait for the writer before logging blocks, >= 1
   * @param flushInterval a chunk at least a tenth full is written after about this long; a chunk
   *     with fewer points after 30 times this long
   * @param writeAttempts attempts per segment before a failure is reported, >= 1
   * @param retryBackoff pause after the first failed attempt, doubled after each further one
   */
  record Settings(int chunkSize, int maxPendingChunks, Duration flushInterval, int writeAttempts, Duration retryBackoff) {
    static final Settings DEFAULTS = new Settings(10_000, 8, Duration.ofSeconds(1), 4, Duration.ofMillis(50));

    Settings {
      if (chunkSize < 1 || chunkSize > 10_000_000) {
        throw new IllegalArgumentException("chunkSize must be in 1..10000000, got " + chunkSize);
      }
      if (maxPendingChunks < 1) {
        throw new IllegalArgumentException("maxPendingChunks must be >= 1, got " + maxPendingChunks);
      }
      if (flushInterval.isNegative() || flushInterval.isZero()) {
        throw new IllegalArgumentException("flushInterval must be positive, got " + flushInterval);
      }
      if (writeAttempts < 1) {
        throw new IllegalArgumentException("writeAttempts must be >= 1, got " + writeAttempts);
      }
      if (retryBackoff.isNegative()) {
        throw new IllegalArgumentException("retryBackoff must not be negative, got " + retryBackoff);
      }
    }
  }

  /** A sealed chunk waiting to be stored. Its arrays are never written again. */
  private static final class Chunk {
    final String key;
    final List<String> dictionary;
    final int[] keyIndex;
    final long[] valueBits;
    final long[] steps;
    final long[] timestamps;
    final int size;
    private byte[] encoded; // only touched by the one running drain

    Chunk(String key, List<String> dictionary, int[] keyIndex, long[] valueBits, long[] steps, long[] timestamps, int size) {
      this.key = key;
      this.dictionary = dictionary;
      this.keyIndex = keyIndex;
      this.valueBits = valueBits;
      this.steps = steps;
      this.timestamps = timestamps;
      this.size = size;
    }

    byte[] bytes() {
      if (encoded == null) {
        encoded = MetricSegments.encode(dictionary, keyIndex, valueBits, steps, timestamps, size);
      }
      return encoded;
    }
  }

  private final ObjectStore store;
  private final RunId run;
  private final String keyPrefix;
  private final Clock clock;
  private final ScheduledExecutorService writer;
  private final Settings settings;
  private final BiConsumer<String, MetricSegments.Summary> onStored;

  private final ReentrantLock lock = new ReentrantLock();
  private final Condition progress = lock.newCondition();
  // guarded by lock
  private final Map<String, Integer> keyIndex = new HashMap<>();
  private final List<String> keys = new ArrayList<>();
  private int[] idx;
  private long[] bits;
  private long[] steps;
  private long[] times;
  private int size;
  private long firstPointNanos;
  private long nextSeq = 1;
  private final ArrayDeque<Chunk> pending = new ArrayDeque<>();
  private final ArrayDeque<Chunk> spares = new ArrayDeque<>(); // stored chunks whose arrays are reused
  private boolean draining;
  private int failedAttempts;
  private long failures;
  private StorageException lastFailure;
  private Optional<String> endedBecause = Optional.empty();

  /**
   * @param writerId 16 random hex digits, unique per handle
   * @param onStored told each stored segment's key, digest and the latest point per metric in it
   */
  MetricBuffer(ObjectStore store, RunId run, String writerId, Clock clock, ScheduledExecutorService writer,
      Settings settings, BiConsumer<String, MetricSegments.Summary> onStored) {
    this.store = store;
    this.run = run;
    this.keyPrefix = segmentPrefix(run) + writerId + "-";
    this.clock = clock;
    this.writer = writer;
    this.settings = settings;
    this.onStored = onStored;
    newArrays();
  }

  /** @return the key prefix of every segment of the run */
  static String segmentPrefix(RunId run) {
    return "runs/" + run.value() + "/metrics/";
  }

  /**
   * Buffers one point; blocks only while the writer is {@code maxPendingChunks} chunks behind.
   *
   * @throws IllegalArgumentException if the key is invalid (nothing is buffered)
   * @throws ConflictException if the run has ended
   * @throws StorageException if the writer keeps failing while the buffer is full (the point is not logged)
   * @throws IllegalStateException if the workspace is closed
   */
  void log(String key, double value, long step) {
    long ts = clock.millis();
    long raw = Double.doubleToRawLongBits(value);
    lock.lock();
    try {
      if (endedBecause.isPresent()) {
        throw new ConflictException(endedBecause.get());
      }
      if (writer.isShutdown()) {
        throw new IllegalStateException("the workspace is closed; metric '" + key + "' of run " + run + " not logged");
      }
      Integer k = keyIndex.get(key);
      if (k == null) {
        Names.requireValid("metric key", key);
        k = keys.size();
        keys.add(key);
        keyIndex.put(key, k);
      }
      if (size == idx.length) {
        if (idx.length < settings.chunkSize()) {
          growLocked();
        } else {
          awaitRoomLocked();
          sealLocked();
        }
      }
      if (size == 0) {
        firstPointNanos = System.nanoTime();
      }
      idx[size] = k;
      bits[size] = raw;
      steps[size] = step;
      times[size] = ts;
      size++;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Stores every point buffered so far and waits until it is stored.
   *
   * @throws StorageException if the writer failed to store a segment after its attempts; the
   *     points are kept and the next flush tries again
   */
  void flush() {
    lock.lock();
    try {
      sealLocked();
      long failuresBefore = failures;
      if (!pending.isEmpty()) {
        requestDrainLocked();
      }
      while (!pending.isEmpty()) {
        if (failures != failuresBefore) {
          throw new StorageException(pending.size() + " metric segment(s) of run " + run
              + " could not be stored; the points are kept and the next flush tries again: "
              + lastFailure.getMessage(), lastFailure, true);
        }
        awaitProgressLocked("flushing metrics");
      }
    } finally {
      lock.unlock();
    }
  }

  /** Timer tick: writes a chunk that has waited for the flush interval, and restarts a stopped writer. */
  void tick() {
    lock.lock();
    try {
      if (size > 0 && pending.size() < settings.maxPendingChunks()) {
        // A slow logger must not get one object per point: after one interval a part chunk is
        // written only if it holds a tenth of a chunk; any part chunk after 30 intervals.
        long age = System.nanoTime() - firstPointNanos;
        long interval = settings.flushInterval().toNanos();
        if ((age >= interval / 2 && size >= Math.max(1, settings.chunkSize() / 10)) || age >= MAX_DELAY_INTERVALS * interval) {
          sealLocked();
        }
      }
      if (!pending.isEmpty() && !draining) {
        requestDrainLocked();
      }
    } finally {
      lock.unlock();
    }
  }

  /** From now on {@link #log} throws {@link ConflictException} with this message. */
  void refuseFurtherPoints(String why) {
    lock.lock();
    try {
      endedBecause = Optional.of(why);
    } finally {
      lock.unlock();
    }
  }

  /** @return whether points are buffered or waiting for the writer */
  boolean hasUnstored() {
    lock.lock();
    try {
      return size > 0 || !pending.isEmpty();
    } finally {
      lock.unlock();
    }
  }

  private void newArrays() {
    Chunk spare = spares.pollFirst();
    if (spare != null) {
      idx = spare.keyIndex;
      bits = spare.valueBits;
      steps = spare.steps;
      times = spare.timestamps;
    } else {
      // start small and grow up to a chunk: most runs log few points (an empty pipeline step
      // logs none), and a full chunk is 280 KB at the default size
      int n = Math.min(settings.chunkSize(), INITIAL_CAPACITY);
      idx = new int[n];
      bits = new long[n];
      steps = new long[n];
      times = new long[n];
    }
    size = 0;
  }

  /** Doubles the current arrays, up to a chunk. */
  private void growLocked() {
    int n = (int) Math.min(settings.chunkSize(), 2L * idx.length);
    idx = Arrays.copyOf(idx, n);
    bits = Arrays.copyOf(bits, n);
    steps = Arrays.copyOf(steps, n);
    times = Arrays.copyOf(times, n);
  }

  private void awaitRoomLocked() {
    long failuresBefore = failures;
    while (pending.size() >= settings.maxPendingChunks()) {
      requestDrainLocked();
      if (failures != failuresBefore) {
        throw new StorageException("metric point not logged: " + pending.size() + " segment(s) of run " + run
            + " wait for storage, which keeps failing: " + lastFailure.getMessage(), lastFailure, true);
      }
      awaitProgressLocked("waiting for the metric writer");
    }
  }

  private void awaitProgressLocked(String what) {
    if (writer.isShutdown() && !draining) {
      throw new IllegalStateException("the workspace is closed; " + pending.size()
          + " metric segment(s) of run " + run + " were not stored");
    }
    try {
      progress.awaitNanos(WAIT_SLICE_NANOS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StorageException("interrupted while " + what + " of run " + run
          + "; buffered points stay queued for the writer", e, true);
    }
  }

  private void sealLocked() {
    if (size == 0) {
      return;
    }
    // numbered 1, 2, 3... without gaps and stored strictly in order (see MetricSegments.Place)
    String key = keyPrefix + String.format("%010d", nextSeq++) + MetricSegments.SUFFIX;
    pending.addLast(new Chunk(key, List.copyOf(keys), idx, bits, steps, times, size));
    newArrays();
    requestDrainLocked();
  }

  private void requestDrainLocked() {
    if (draining) {
      return;
    }
    draining = true;
    try {
      writer.execute(this::drain);
    } catch (RejectedExecutionException e) {
      draining = false;
      throw new IllegalStateException("the workspace is closed; " + pending.size()
          + " metric segment(s) of run " + run + " cannot be stored", e);
    }
  }

  /** Runs on the writer thread; one drain at a time per buffer. */
  private void drain() {
    while (true) {
      Chunk c;
      lock.lock();
      try {
        c = pending.peekFirst();
        if (c == null) {
          draining = false;
          progress.signalAll();
          return;
        }
      } finally {
        lock.unlock();
      }
      try {
        write(c);
      } catch (RuntimeException e) {
        retryLater(c, e);
        return;
      }
      onStored.accept(c.key, new MetricSegments.Summary(
          MetricSegments.latest(c.dictionary, c.keyIndex, c.valueBits, c.steps, c.timestamps, c.size),
          MetricSegments.digestOf(c.bytes())));
      c.encoded = null;
      lock.lock();
      try {
        pending.removeFirst();
        if (spares.size() < 2 && c.keyIndex.length == settings.chunkSize()) {
          spares.addLast(c);
        }
        failedAttempts = 0;
        lastFailure = null;
        progress.signalAll();
      } finally {
        lock.unlock();
      }
    }
  }

  private void write(Chunk c) {
    byte[] bytes = c.bytes();
    try {
      store.create(c.key, bytes);
    } catch (AlreadyExistsException e) {
      // Our own earlier attempt may have landed even though it reported a failure.
      Optional<byte[]> there = store.get(c.key);
      if (there.isEmpty() || !Arrays.equals(there.get(), bytes)) {
        throw new CorruptDataException("metric segment key '" + c.key + "' is taken by other content");
      }
    }
  }

  private void retryLater(Chunk c, RuntimeException e) {
    lock.lock();
    try {
      failedAttempts++;
      if (failedAttempts >= settings.writeAttempts()) {
        lastFailure = e instanceof StorageException se ? se
            : new StorageException("storing metric segment '" + c.key + "' failed: " + e, e, true);
        failures++;
        failedAttempts = 0;
        draining = false;
        progress.signalAll();
        LOG.warn("storing metric segment {} failed {} times; {} segment(s) kept for the next flush: {}",
            c.key, settings.writeAttempts(), pending.size(), e.toString());
        return;
      }
      long delay = settings.retryBackoff().toMillis() << Math.min(failedAttempts - 1, 10);
      try {
        writer.schedule(this::drain, delay, TimeUnit.MILLISECONDS);
      } catch (RejectedExecutionException closed) {
        lastFailure = new StorageException("storing metric segment '" + c.key + "' failed and the workspace "
            + "closed before a retry: " + e, e, true);
        failures++;
        draining = false;
        progress.signalAll();
      }
    } finally {
      lock.unlock();
    }
  }
}
