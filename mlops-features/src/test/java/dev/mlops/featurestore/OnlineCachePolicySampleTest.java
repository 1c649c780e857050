package dev.mlops.featurestore;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mlops.core.MemObjectStore;
import dev.mlops.features.Entity;
import dev.mlops.features.FeatureRef;
import dev.mlops.features.FeatureRow;
import dev.mlops.features.FeatureType;
import dev.mlops.features.FeatureView;
import dev.mlops.features.OnlineReader;
import dev.mlops.features.OnlineVector;
import dev.mlops.spi.ObjectStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The online cache lets one read in eight inform its eviction policy: on a skewed workload larger
 * than the cache its miss rate must stay close to that of a policy told of every read.
 */
class OnlineCachePolicySampleTest {
  private static final int ENTITIES = 5_000;
  private static final int CACHE = 500;
  private static final int READS = 200_000;
  private static final Instant T0 = Instant.parse("2026-06-01T00:00:00Z");

  /** A mem: store that counts its list calls (one per cache miss), through a proxy. */
  private static ObjectStore counting(ObjectStore inner, AtomicLong lists) {
    return (ObjectStore) java.lang.reflect.Proxy.newProxyInstance(ObjectStore.class.getClassLoader(),
        new Class<?>[] {ObjectStore.class}, (proxy, method, args) -> {
          if (method.getName().equals("list")) {
            lists.incrementAndGet();
          }
          try {
            return method.invoke(inner, args);
          } catch (java.lang.reflect.InvocationTargetException e) {
            throw e.getCause();
          }
        });
  }

  /** Zipf(1.0) over the entities, hot ranks spread over the key space, seeded. */
  private static int[] workload(long seed) {
    double[] cdf = new double[ENTITIES];
    double sum = 0;
    for (int r = 0; r < ENTITIES; r++) {
      sum += 1.0 / (r + 1);
      cdf[r] = sum;
    }
    List<Integer> keyOfRank = new ArrayList<>();
    for (int i = 0; i < ENTITIES; i++) {
      keyOfRank.add(i);
    }
    Random random = new Random(seed);
    Collections.shuffle(keyOfRank, random);
    int[] reads = new int[READS];
    for (int i = 0; i < READS; i++) {
      int rank = java.util.Arrays.binarySearch(cdf, random.nextDouble() * sum);
      reads[i] = keyOfRank.get(rank < 0 ? -rank - 1 : rank);
    }
    return reads;
  }

  private static double missRate(int policySample, int[] reads) {
    AtomicLong lists = new AtomicLong();
    try (ObjectStore store = counting(new MemObjectStore(), lists);
        ObjectStoreFeatureStore features = ObjectStoreFeatureStore.builder(store).clock(Clock.fixed(T0, ZoneId.of("UTC")))
            .cacheMaximumSize(CACHE).refreshInterval(Duration.ofDays(1)).policySample(policySample).build()) {
      features.apply(Entity.of("customer", "customer_id"));
      features.apply(FeatureView.builder("stats", "customer").feature("x", FeatureType.DOUBLE).build());
      List<FeatureRow> rows = new ArrayList<>();
      for (int i = 0; i < ENTITIES; i++) {
        rows.add(FeatureRow.of("c" + i, T0.minusSeconds(60), Map.of("x", (double) i)));
      }
      features.push("stats", rows);
      OnlineReader reader = features.onlineReader(List.of(new FeatureRef("stats", "x")));
      OnlineVector v = new OnlineVector(1);
      String[] keys = new String[ENTITIES];
      for (int i = 0; i < ENTITIES; i++) {
        keys[i] = "c" + i;
      }
      long before = lists.get();
      for (int key : reads) {
        reader.read(keys[key], v);
        if (v.doubleValue(0, -1) != key) {
          throw new AssertionError("entity " + key + " read " + v.value(0));
        }
      }
      return (lists.get() - before) / (double) reads.length;
    }
  }

  @Test
  void aSampledPolicyKeepsTheMissRateOfAFullOneOnASkewedWorkload() {
    int[] reads = workload(7);
    double full = missRate(1, reads);
    double sampled = missRate(OnlineTable.DEFAULT_POLICY_SAMPLE, reads);
    double noPolicy = missRate(1 << 30, reads); // practically no read informs the policy
    System.out.printf("miss rate: every read %.4f, one in %d %.4f, (almost) none %.4f%n", full,
        OnlineTable.DEFAULT_POLICY_SAMPLE, sampled, noPolicy);
    assertThat(full).as("the workload is larger than the cache").isGreaterThan(0.1);
    assertThat(sampled).as("sampled vs full").isLessThan(full * 1.05 + 0.005);
    assertThat(noPolicy).as("reads matter: without them the policy is worse").isGreaterThan(sampled + 0.02);
  }
}
