package dev.mlops.featurestore;

import java.time.Clock;
import java.util.concurrent.locks.LockSupport;

/**
 * The feature store's "now" in microseconds. Either exact (the injected {@link Clock}, read per
 * call) or, for the system clock, coarse: the time a daemon thread reads every millisecond, so a
 * lookup reads a volatile field instead of calling {@link Clock#instant()} (a native call costing
 * 58-82 ns on a kvm-clock VM, more than a whole cache hit). A coarse reading lags the system clock
 * by up to about a millisecond (more while the ticking thread waits for a CPU); callers that
 * find a row in the future of a coarse reading must ask again with {@link #exactMicros()}, so that a
 * row stamped with the system time just before a lookup is never reported as not there yet.
 *
 * <p>One ticking thread serves every coarse clock of the JVM; it runs while at least one that has
 * been read is open (a workspace whose feature store is never used starts no thread). Thread-safe.
 */
abstract class LookupClock implements AutoCloseable {
  /** How often the ticking thread reads the system clock. */
  static final long TICK_NANOS = 1_000_000L;

  /**
   * @param clock the feature store's clock
   * @param coarse whether to read a system clock coarsely
   * @return a coarse clock if {@code coarse} and {@code clock} is a system clock, else an exact one
   */
  static LookupClock of(Clock clock, boolean coarse) {
    return coarse && clock.getClass() == Clock.systemUTC().getClass() ? new Coarse() : new Exact(clock);
  }

  /** @return how many coarse clocks have been read and not closed (the ticking thread runs while > 0) */
  static int openCoarseClocks() {
    synchronized (Coarse.LOCK) {
      return Coarse.open;
    }
  }

  /** @return now, possibly up to about a millisecond behind (see {@link #isCoarse()}) */
  abstract long micros();

  /** @return now, read from the clock */
  abstract long exactMicros();

  /** @return whether {@link #micros()} may lag {@link #exactMicros()} */
  abstract boolean isCoarse();

  /** Stops ticking for this clock; idempotent. */
  @Override
  public void close() {}

  private static final class Exact extends LookupClock {
    private final Clock clock;

    Exact(Clock clock) {
      this.clock = clock;
    }

    @Override
    long micros() {
      return exactMicros();
    }

    @Override
    long exactMicros() {
      return Micros.of("clock time", clock.instant());
    }

    @Override
    boolean isCoarse() {
      return false;
    }
  }

  private static final class Coarse extends LookupClock {
    private static final Clock SYSTEM = Clock.systemUTC();
    private static final Object LOCK = new Object();
    private static int open; // guarded by LOCK
    private static volatile Thread ticker;
    private static volatile long now;

    private volatile boolean started;
    private boolean closed; // guarded by LOCK

    /** Counts this clock among the open ones on its first reading, starting the thread if needed. */
    private void start() {
      synchronized (LOCK) {
        if (started || closed) {
          return;
        }
        started = true;
        if (open++ == 0) {
          now = read();
          Thread t = new Thread(Coarse::tick, "mlops-feature-clock");
          t.setDaemon(true);
          ticker = t;
          t.start();
        }
      }
    }

    private static long read() {
      return Micros.of("clock time", SYSTEM.instant());
    }

    private static void tick() {
      Thread self = Thread.currentThread();
      while (ticker == self) {
        now = read();
        LockSupport.parkNanos(TICK_NANOS);
      }
    }

    @Override
    long micros() {
      if (!started) {
        start();
      }
      return now;
    }

    @Override
    long exactMicros() {
      return read();
    }

    @Override
    boolean isCoarse() {
      return true;
    }

    @Override
    public void close() {
      synchronized (LOCK) {
        if (closed) {
          return;
        }
        closed = true;
        if (started && --open == 0) {
          Thread t = ticker;
          ticker = null;
          LockSupport.unpark(t);
        }
      }
    }
  }
}
