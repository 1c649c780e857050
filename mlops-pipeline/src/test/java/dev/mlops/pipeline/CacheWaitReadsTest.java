package dev.mlops.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mlops.Mlops;
import dev.mlops.Workspace;
import dev.mlops.core.MemObjectStore;
import dev.mlops.spi.ForwardingObjectStore;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * An execution that reaches a cached step another execution is running waits, polling whether
 * the owner still holds the step. The owner's log is long (a wide fan-out before the step): each
 * poll must read only the entries appended since the last one, not the whole log again.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class CacheWaitReadsTest {
  private static final int ITEMS = 60;

  /** The in-memory store, counting reads of one execution's log entries. */
  private static final class CountingReads extends ForwardingObjectStore {
    volatile String watched = "\0";
    final AtomicInteger reads = new AtomicInteger();

    CountingReads() {
      super(new MemObjectStore());
    }

    @Override
    public Optional<byte[]> get(String key) {
      if (key.startsWith(watched)) {
        reads.incrementAndGet();
      }
      return super.get(key);
    }
  }

  @Test
  void aWaiterReadsTheOwnersLogOnceNotOncePerPoll() throws Exception {
    CountDownLatch running = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    AtomicInteger sharedRuns = new AtomicInteger();
    List<String> items = new ArrayList<>();
    for (int i = 0; i < ITEMS; i++) {
      items.add("i" + i);
    }
    Pipeline p = Pipeline.builder("long")
        .step(Step.map("fan", items, ctx -> ctx.output("v", ctx.item().orElseThrow())).parameters("v").noCache())
        .step(Step.task("shared", ctx -> {
          sharedRuns.incrementAndGet();
          running.countDown();
          assertThat(release.await(30, TimeUnit.SECONDS)).isTrue();
          ctx.output("r", "x");
        }).reads("fan.v").parameters("r"))
        .build();
    CountingReads store = new CountingReads();
    try (Workspace ws = Mlops.open(URI.create("mem:long"), store);
        Pipelines one = Pipelines.builder(ws).pollInterval(Duration.ofMillis(5)).build();
        Pipelines two = Pipelines.builder(ws).pollInterval(Duration.ofMillis(5)).build()) {
      Execution owner = one.start(p, Map.of());
      assertThat(running.await(30, TimeUnit.SECONDS)).isTrue();
      String prefix = ExecutionLog.prefix("long", owner.id()) + "/";
      long ownerEntries = store.listAll(prefix).count();
      Execution waiter = two.start(p, Map.of());
      // the waiter runs its own fan-out, then waits on the owner's cache claim for 'shared'
      while (two.status("long", waiter.id()).steps().get("shared") == null) {
        Thread.sleep(5);
      }
      store.reads.set(0);
      store.watched = prefix;
      Thread.sleep(400); // about 80 polls of the owner's log
      int readsWhileWaiting = store.reads.get();
      release.countDown();
      ExecutionResult r1 = owner.await();
      ExecutionResult r2 = waiter.await();
      assertThat(r1.status()).as(r1.reason()).isEqualTo(ExecutionStatus.SUCCEEDED);
      assertThat(r2.status()).as(r2.reason()).isEqualTo(ExecutionStatus.SUCCEEDED);
      assertThat(r2.step("shared").cacheHit()).isTrue();
      assertThat(sharedRuns.get()).isEqualTo(1);
      assertThat(readsWhileWaiting).as("reads of the owner's %d log entries while waiting", ownerEntries)
          .isLessThan(3 * (int) ownerEntries); // one whole read, then a probe for the next entry per poll
    }
  }
}
