package dev.mlops.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mlops.ArtifactRef;
import dev.mlops.CorruptDataException;
import dev.mlops.Digest;
import dev.mlops.Mlops;
import dev.mlops.Registration;
import dev.mlops.Workspace;
import dev.mlops.spi.ObjectStore;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The contract every storage backend runs for {@link DataQualityStore}: statistics and constraints
 * read back as saved next to a dataset digest and a model version; any change to a stored document
 * (a value edited so the JSON stays valid, a truncation, a flipped byte, appended bytes) is a
 * {@link CorruptDataException} naming the key (or the model version and tag), never data; concurrent
 * saves each get their own number. A backend's test extends this class and implements
 * {@link #newStore()}; it is shipped in mlops-data's test jar ({@code <type>test-jar</type>}), run on
 * {@code mem:} here, on {@code file:} in mlops-registry-fs and on {@code s3:} in mlops-registry-s3.
 * Instances are not thread-safe (one per test, as JUnit makes them).
 */
public abstract class DataQualityStoreContract {
  /** The store under test, fresh for each test. */
  protected ObjectStore store;

  /** For subclasses. */
  protected DataQualityStoreContract() {}

  /**
   * Returns an empty store of the backend under test.
   *
   * @return a fresh store, not shared with another test
   */
  protected abstract ObjectStore newStore();

  /**
   * Replaces the bytes stored under a key behind the library's back; the default deletes and
   * creates it through the store, a backend may write its files directly.
   *
   * @param key the key
   * @param bytes the new content
   * @throws Exception if the backend fails
   */
  protected void replace(String key, byte[] bytes) throws Exception {
    store.delete(key);
    store.create(key, bytes);
  }

  @BeforeEach
  void openStore() {
    store = newStore();
  }

  @AfterEach
  void closeStore() {
    store.close();
  }

  private static DatasetStatistics statistics() {
    List<Map<String, ?>> rows = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      rows.add(Map.of("id", (long) i, "age", 20 + i % 50, "city", i % 3 == 0 ? "Faro" : "Porto", "score", i * 0.25));
    }
    return DataProfiler.create().profile(Records.of(rows));
  }

  private static final Digest DATASET = Digest.of("the training data".getBytes(StandardCharsets.UTF_8));

  @Test
  void documentsReadBackAsSavedNextToADatasetDigest() {
    DatasetStatistics s = statistics();
    Constraints c = ConstraintSuggester.suggest(s);
    DataQualityStore.save(store, DATASET, c);
    String k2 = DataQualityStore.save(store, DATASET, c.without(CheckType.EXTRA_COLUMN, ""));
    DataQualityStore.save(store, DATASET, s);
    assertThat(k2).endsWith("/constraints/0000000002.json");
    assertThat(DataQualityStore.findConstraints(store, DATASET, Map.of())).contains(c.without(CheckType.EXTRA_COLUMN, ""));
    assertSame(DataQualityStore.findStatistics(store, DATASET).orElseThrow(), s);
  }

  @Test
  void documentsReadBackAsSavedNextToAModelVersion() {
    try (Workspace ws = Mlops.open(URI.create("kit:data"), store)) {
      int v = ws.registry().register("churn", Registration.builder().build()).version();
      DatasetStatistics s = statistics();
      DataQualityStore.save(ws, "churn", v, s);
      DataQualityStore.save(ws, "churn", v, ConstraintSuggester.suggest(s));
      assertThat(DataQualityStore.findConstraints(ws, "churn", v, Map.of())).contains(ConstraintSuggester.suggest(s));
      assertSame(DataQualityStore.findStatistics(ws, "churn", v).orElseThrow(), s);
    }
  }

  /** Edits that keep the JSON valid are found too: the stored bytes carry their SHA-256. */
  @Test
  void anyChangeToAStoredDocumentIsCorruptDataNamingTheKey() throws Exception {
    DatasetStatistics s = statistics();
    Constraints c = ConstraintSuggester.suggest(s);
    List<Function<byte[], byte[]>> tampers = List.of(
        b -> text(b).replace("\"minShare\" : 1.0", "\"minShare\" : 0.5").getBytes(StandardCharsets.UTF_8),
        b -> text(b).replace("\"missing\" : 0", "\"missing\" : 0 ").getBytes(StandardCharsets.UTF_8),
        b -> Arrays.copyOf(b, b.length - 10),
        b -> Arrays.copyOf(b, b.length / 2),
        b -> flip(b, b.length / 3),
        b -> (text(b) + "{}").getBytes(StandardCharsets.UTF_8),
        b -> new byte[0]);
    for (int t = 0; t < tampers.size(); t++) {
      Digest dataset = Digest.of(("dataset " + t).getBytes(StandardCharsets.UTF_8));
      String ck = DataQualityStore.save(store, dataset, c);
      String sk = DataQualityStore.save(store, dataset, s);
      byte[] cb = store.get(ck).orElseThrow();
      byte[] sb = store.get(sk).orElseThrow();
      byte[] tc = tampers.get(t).apply(cb);
      byte[] ts = tampers.get(t).apply(sb);
      if (!Arrays.equals(tc, cb)) {
        replace(ck, tc);
        assertThatThrownBy(() -> DataQualityStore.findConstraints(store, dataset, Map.of())).as("tamper %d", t)
            .isInstanceOf(CorruptDataException.class).hasMessageContaining(ck);
      }
      if (!Arrays.equals(ts, sb)) {
        replace(sk, ts);
        assertThatThrownBy(() -> DataQualityStore.findStatistics(store, dataset)).as("tamper %d", t)
            .isInstanceOf(CorruptDataException.class).hasMessageContaining(sk);
      }
    }
  }

  @Test
  void aChangedDocumentNextToAModelVersionIsCorruptDataNamingTheVersion() throws Exception {
    try (Workspace ws = Mlops.open(URI.create("kit:data"), store)) {
      int v = ws.registry().register("churn", Registration.builder().build()).version();
      ArtifactRef ref = DataQualityStore.save(ws, "churn", v, ConstraintSuggester.suggest(statistics()));
      String hex = ref.digest().hex();
      String key = store.listAll("").filter(k -> k.endsWith(hex.substring(0, 2) + "/" + hex.substring(2))).findFirst()
          .orElseThrow(() -> new AssertionError("no stored object for " + ref.digest()));
      byte[] bytes = store.get(key).orElseThrow();
      replace(key, text(bytes).replace("\"minShare\" : 1.0", "\"minShare\" : 0.5").getBytes(StandardCharsets.UTF_8));
      assertThatThrownBy(() -> DataQualityStore.findConstraints(ws, "churn", v, Map.of()))
          .isInstanceOf(CorruptDataException.class).hasMessageContaining("churn/" + v)
          .hasMessageContaining(DataQualityStore.CONSTRAINTS_TAG);
    }
  }

  @Test
  void concurrentSavesEachGetTheirOwnNumber() throws Exception {
    Constraints c = ConstraintSuggester.suggest(statistics());
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<String>> keys = new ArrayList<>();
      for (int i = 0; i < 12; i++) {
        keys.add(pool.submit(() -> DataQualityStore.save(store, DATASET, c)));
      }
      Set<String> distinct = new HashSet<>();
      for (Future<String> f : keys) {
        distinct.add(f.get());
      }
      assertThat(distinct).hasSize(12);
      assertThat(distinct).contains("data-quality/datasets/" + DATASET.hex() + "/constraints/0000000012.json");
    } finally {
      pool.shutdownNow();
    }
    assertThat(DataQualityStore.findConstraints(store, DATASET, Map.of())).contains(c);
  }

  /** Same statistics (the HLL sketch's bytes may be reordered by a round trip, not its content). */
  private static void assertSame(DatasetStatistics actual, DatasetStatistics expected) {
    assertThat(actual.rows()).isEqualTo(expected.rows());
    assertThat(actual.schema()).isEqualTo(expected.schema());
    for (ColumnStatistics c : expected.columns()) {
      ColumnStatistics a = actual.column(c.name());
      assertThat(a.toString()).isEqualTo(c.toString());
      assertThat(a.topValues()).isEqualTo(c.topValues());
      if (c.numericCount() > 0) {
        assertThat(a.quantile(0.5)).isEqualTo(c.quantile(0.5));
        assertThat(a.stdDev()).isEqualTo(c.stdDev());
      }
    }
  }

  private static String text(byte[] b) {
    return new String(b, StandardCharsets.UTF_8);
  }

  private static byte[] flip(byte[] b, int at) {
    byte[] out = b.clone();
    out[at] ^= 0x01;
    return out;
  }
}
