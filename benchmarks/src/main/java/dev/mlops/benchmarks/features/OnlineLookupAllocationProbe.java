package dev.mlops.benchmarks.features;

import dev.mlops.Mlops;
import dev.mlops.Workspace;
import dev.mlops.WorkspaceOptions;
import dev.mlops.features.Entity;
import dev.mlops.features.FeatureRef;
import dev.mlops.features.FeatureRow;
import dev.mlops.features.FeatureStore;
import dev.mlops.features.FeatureType;
import dev.mlops.features.FeatureView;
import dev.mlops.features.OnlineReader;
import dev.mlops.features.OnlineVector;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What an {@link OnlineReader} lookup allocates on the reading thread alone, with the defaults
 * (refresh 1 s, so entries go stale and are handed to the refresh threads during the run). JMH's
 * {@code -prof gc} counts every thread of the JVM, the refresh threads included; this counts the
 * looking-up thread with {@code ThreadMXBean.getThreadAllocatedBytes}. 10,000 entities of a
 * 10-feature view, keys cycling, rounds of 20 M lookups (about 2-5 s each, so every entry goes
 * stale several times a round).
 *
 * <pre>{@code java -cp benchmarks/target/benchmarks.jar dev.mlops.benchmarks.features.OnlineLookupAllocationProbe}</pre>
 */
public final class OnlineLookupAllocationProbe {
  private OnlineLookupAllocationProbe() {}

  /** @param args ignored */
  public static void main(String[] args) {
    int entities = 10_000;
    try (Workspace ws = Mlops.open("mem:", WorkspaceOptions.defaults())) {
      FeatureStore fs = ws.features();
      fs.apply(Entity.of("customer", "customer_id"));
      FeatureView.Builder view = FeatureView.builder("stats", "customer").ttl(Duration.ofDays(30));
      List<FeatureRef> refs = new ArrayList<>();
      for (int f = 0; f < 10; f++) {
        view.feature("f" + f, FeatureType.DOUBLE);
        refs.add(new FeatureRef("stats", "f" + f));
      }
      fs.apply(view.build());
      String[] keys = new String[entities];
      List<FeatureRow> rows = new ArrayList<>();
      Instant t = Instant.now().minusSeconds(60);
      for (int i = 0; i < entities; i++) {
        keys[i] = "customer-" + i;
        Map<String, Object> values = new HashMap<>();
        for (int f = 0; f < 10; f++) {
          values.put("f" + f, (double) i);
        }
        rows.add(FeatureRow.of(keys[i], t, values));
      }
      fs.push("stats", rows);
      OnlineReader reader = fs.onlineReader(refs);
      OnlineVector v = new OnlineVector(10);
      com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
      long id = Thread.currentThread().getId();
      int n = 20_000_000;
      for (int round = 1; round <= 5; round++) {
        long b0 = mx.getThreadAllocatedBytes(id);
        long t0 = System.nanoTime();
        long present = 0;
        for (int i = 0; i < n; i++) {
          present += reader.read(keys[i % entities], v);
        }
        long t1 = System.nanoTime();
        long b1 = mx.getThreadAllocatedBytes(id);
        System.out.printf("round %d: %.1f ns/lookup, %.3f B/lookup on the reading thread (%d present)%n", round,
            (t1 - t0) / (double) n, (b1 - b0) / (double) n, present);
      }
    }
  }
}
