package dev.mlops.drift;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A lock word padded to its own cache lines, for state that the monitor's hot path guards.
 * Unlike {@code synchronized} (whose monitor may be inflated and deflated under contention) and
 * {@code ReentrantLock} (which enqueues nodes), locking and unlocking never allocate. Holders keep
 * it for tens of nanoseconds; waiters spin, then yield.
 */
abstract class SpinLocked extends SpinLockPadBefore {
  private static final VarHandle LOCK;

  static {
    try {
      LOCK = MethodHandles.lookup().findVarHandle(SpinLockWord.class, "lock", int.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  final boolean tryLock() {
    return lock == 0 && LOCK.compareAndSet(this, 0, 1);
  }

  final void lock() {
    int spins = 0;
    while (!tryLock()) {
      if (++spins < 64) {
        Thread.onSpinWait();
      } else {
        Thread.yield();
      }
    }
  }

  final void unlock() {
    LOCK.setRelease(this, 0);
  }
}

/** Padding: keeps the lock word off the cache line of whatever precedes the object. */
abstract class SpinLockPadBefore extends SpinLockWord {
  long p1, p2, p3, p4, p5, p6, p7, p8, p9, p10, p11, p12, p13, p14, p15;
}

/** The lock word itself (superclass fields are laid out first). */
abstract class SpinLockWord extends SpinLockPadStart {
  volatile int lock;
}

/** Leading padding. */
abstract class SpinLockPadStart {
  long q1, q2, q3, q4, q5, q6, q7, q8, q9, q10, q11, q12, q13, q14, q15;
}
