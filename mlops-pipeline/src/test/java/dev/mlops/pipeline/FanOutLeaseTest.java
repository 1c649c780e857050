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
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A wide map step on a store whose creates take a few milliseconds (as a durable create does on a
 * disk or S3), driven by two processes at once (two {@link Pipelines} on one store, each with
 * its own owner and threads) with a lease (2 s) shorter than it takes to append one claim per item
 * (2.5 s). No process dies, so no item may run twice, and no two processes may run one item at
 * once. The items' work keeps the execution log about 60 % busy: with 1 s leases and a log kept
 * busy all the time (each append waiting behind the other process's), live drivers' renewals were
 * late on a loaded CI machine, which the lease's documented limit allows.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class FanOutLeaseTest {
  private static final int ITEMS = 500;

  /** The in-memory store, each create of an execution log entry taking 5 ms. */
  private static final class SlowCreates extends ForwardingObjectStore {
    SlowCreates() {
      super(new MemObjectStore());
    }

    @Override
    public void create(String key, byte[] bytes) {
      if (key.startsWith("pipelines/") && key.contains("/log/")) {
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
      }
      super.create(key, bytes);
    }
  }

  @Test
  void twoProcessesOnAWideFanOutNeverRunAnItemTwiceWhenClaimingAllItemsOutlastsTheLease() throws Exception {
    Map<String, AtomicInteger> runs = new ConcurrentHashMap<>();
    Map<String, AtomicInteger> running = new ConcurrentHashMap<>();
    AtomicInteger overlaps = new AtomicInteger();
    List<String> items = new ArrayList<>();
    for (int i = 0; i < ITEMS; i++) {
      items.add("i" + i);
    }
    Pipeline p = Pipeline.builder("wide")
        .step(Step.map("fan", items, ctx -> {
          String item = ctx.item().orElseThrow();
          runs.computeIfAbsent(item, k -> new AtomicInteger()).incrementAndGet();
          if (running.computeIfAbsent(item, k -> new AtomicInteger()).incrementAndGet() > 1) {
            overlaps.incrementAndGet();
          }
          try {
            Thread.sleep(80);
          } finally {
            running.get(item).decrementAndGet();
          }
          ctx.output("v", item);
        }).parameters("v").noCache())
        .build();
    ExecutorService a = Executors.newFixedThreadPool(2);
    ExecutorService b = Executors.newFixedThreadPool(2);
    try (Workspace ws = Mlops.open(URI.create("mem:wide"), new SlowCreates());
        Pipelines one = Pipelines.builder(ws).executor(a).lease(Duration.ofSeconds(2))
            .pollInterval(Duration.ofMillis(10)).build();
        Pipelines two = Pipelines.builder(ws).executor(b).lease(Duration.ofSeconds(2))
            .pollInterval(Duration.ofMillis(10)).build()) {
      Execution e = one.start(p, Map.of());
      Execution again = two.resume(p, e.id());
      ExecutionResult r = e.await();
      again.await();
      assertThat(r.status()).as(r.reason()).isEqualTo(ExecutionStatus.SUCCEEDED);
      assertThat(r.step("fan").output("v").list()).isEqualTo(items);
      assertThat(overlaps.get()).as("items run by two processes at once").isZero();
      assertThat(runs).as("body runs per item").allSatisfy((item, n) -> assertThat(n.get()).as(item).isEqualTo(1));
      assertThat(one.verify("wide", e.id()).ok()).isTrue();
    } finally {
      a.shutdownNow();
      b.shutdownNow();
    }
  }
}
