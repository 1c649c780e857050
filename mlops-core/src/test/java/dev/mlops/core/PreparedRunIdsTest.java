package dev.mlops.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mlops.Run;
import dev.mlops.RunId;
import dev.mlops.spi.ForwardingObjectStore;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Run ids whose log directories the store prepared in the background ({@code ObjectStore#prepare}):
 * used while fresh, dropped when stale, and not asked for again from a store that gains nothing.
 */
class PreparedRunIdsTest {
  /** A real mem: store that records the prefixes it is asked to prepare and says it prepared them. */
  static final class Preparing extends ForwardingObjectStore {
    final List<String> prepared = new CopyOnWriteArrayList<>();
    final AtomicInteger asked = new AtomicInteger();
    final boolean prepares;

    Preparing(boolean prepares) {
      super(new MemObjectStore());
      this.prepares = prepares;
    }

    @Override
    public boolean prepare(String prefix) {
      asked.incrementAndGet();
      boolean gains = super.prepare(prefix) || prepares; // validates the prefix; mem: gains nothing
      if (gains) {
        prepared.add(prefix);
      }
      return gains;
    }
  }

  static final class SettableClock extends Clock {
    volatile Instant now = Instant.parse("2026-01-02T03:04:05Z");

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }

  private static void await(java.util.function.BooleanSupplier done) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!done.getAsBoolean()) {
      assertThat(System.nanoTime()).as("waited 10 s").isLessThan(deadline);
      Thread.sleep(5);
    }
  }

  private static RunId idOf(String prefix) {
    return RunId.of(prefix.substring("runs/".length(), prefix.length() - "/log/".length()));
  }

  @Test
  void aRunStartsWithAnIdWhoseLogDirectoryTheStorePrepared() throws InterruptedException {
    Preparing store = new Preparing(true);
    SettableClock clock = new SettableClock();
    try (CoreExperiments ex = new CoreExperiments(store, clock, "tester")) {
      Run first = ex.startRun("e", "r1");
      await(() -> !store.prepared.isEmpty());
      assertThat(store.prepared.get(0)).matches("runs/[0-9a-f]{29}/log/");
      assertThat(idOf(store.prepared.get(0))).isNotEqualTo(first.id());

      Run second = ex.startRun("e", "r2");

      assertThat(second.id()).isEqualTo(idOf(store.prepared.get(0)));
      assertThat(second.id().value()).startsWith(String.format("%013x", clock.millis()));
      assertThat(store.listAll("runs/" + second.id() + "/log/").count()).isEqualTo(1);
      assertThat(ex.findRun(second.id())).hasValueSatisfying(r -> assertThat(r.name()).isEqualTo("r2"));
    }
  }

  @Test
  void aPreparedIdOlderThanASecondIsNotUsed() throws InterruptedException {
    Preparing store = new Preparing(true);
    SettableClock clock = new SettableClock();
    try (CoreExperiments ex = new CoreExperiments(store, clock, "tester")) {
      ex.startRun("e", "r1");
      await(() -> store.prepared.size() >= 2);
      clock.now = clock.now.plusMillis(CoreExperiments.PREPARED_ID_MAX_AGE_MS + 1);

      Run late = ex.startRun("e", "r2");

      assertThat(store.prepared.stream().map(PreparedRunIdsTest::idOf)).doesNotContain(late.id());
      assertThat(late.id().value()).startsWith(String.format("%013x", clock.millis()));
    }
  }

  @Test
  void aStoreThatGainsNothingFromPreparingIsAskedOnce() throws InterruptedException {
    Preparing store = new Preparing(false);
    try (CoreExperiments ex = new CoreExperiments(store, new SettableClock(), "tester")) {
      ex.startRun("e", "r1");
      await(() -> store.asked.get() == 1);
      for (int i = 0; i < 5; i++) {
        ex.startRun("e", "r" + i);
      }
      Thread.sleep(50); // a preparation submitted by one of these starts would have asked by now

      assertThat(store.asked.get()).isEqualTo(1);
      assertThat(store.prepared).isEmpty();
    }
  }
}
