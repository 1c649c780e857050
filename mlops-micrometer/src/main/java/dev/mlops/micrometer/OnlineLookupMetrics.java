package dev.mlops.micrometer;

import dev.mlops.features.FeatureRef;
import dev.mlops.features.FeatureStatus;
import dev.mlops.features.OnlineReader;
import dev.mlops.features.OnlineVector;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import java.util.List;
import java.util.Objects;

/**
 * Counts what a serving process's online feature lookups find: wrap the {@link OnlineReader} the
 * feature store gave you, and use the wrapper in its place.
 *
 * <p>Meters (tagged with the tags given here; per-feature ones also {@code feature}):
 * {@code mlops.features.lookups} (entities read), {@code mlops.features.values} (per feature and
 * {@code status}: PRESENT, EXPIRED, NOT_FOUND — the two last are the misses), and
 * {@code mlops.features.age} (seconds; the age of each row a value came from). The meters are
 * registered once, when wrapping; each read then adds a few counter increments and one
 * distribution sample per feature, with no allocation.
 *
 * <p>Thread-safe (the wrapper is as thread-safe as the reader it wraps).
 */
public final class OnlineLookupMetrics {
  private OnlineLookupMetrics() {}

  /**
   * @param reader the reader to count
   * @param registry where the meters go
   * @param tags tags on every meter, e.g. {@code Tags.of("view", "customer_stats")}
   * @return a reader that reads through {@code reader} and counts
   */
  public static OnlineReader metered(OnlineReader reader, MeterRegistry registry, Iterable<Tag> tags) {
    return new Metered(Objects.requireNonNull(reader, "reader"), Objects.requireNonNull(registry, "registry"),
        Tags.of(Objects.requireNonNull(tags, "tags")));
  }

  /** The wrapper. */
  private static final class Metered implements OnlineReader {
    private final OnlineReader reader;
    private final Counter lookups;
    private final Counter[][] values;
    private final DistributionSummary[] ages;

    Metered(OnlineReader reader, MeterRegistry registry, Tags tags) {
      this.reader = reader;
      this.lookups = Counter.builder("mlops.features.lookups").description("entities read online").tags(tags)
          .register(registry);
      List<FeatureRef> features = reader.features();
      FeatureStatus[] statuses = FeatureStatus.values();
      this.values = new Counter[features.size()][statuses.length];
      this.ages = new DistributionSummary[features.size()];
      for (int i = 0; i < features.size(); i++) {
        Tags ft = tags.and("feature", features.get(i).toString());
        for (FeatureStatus s : statuses) {
          values[i][s.ordinal()] = Counter.builder("mlops.features.values")
              .description("feature values read online, by status (EXPIRED and NOT_FOUND are misses)")
              .tags(ft.and("status", s.name())).register(registry);
        }
        ages[i] = DistributionSummary.builder("mlops.features.age").baseUnit("seconds")
            .description("age of the stored row each value came from").tags(ft).register(registry);
      }
    }

    @Override
    public List<FeatureRef> features() {
      return reader.features();
    }

    @Override
    public int read(String entityKey, OnlineVector into) {
      int present = reader.read(entityKey, into);
      lookups.increment();
      for (int i = 0; i < values.length; i++) {
        values[i][into.status(i).ordinal()].increment();
        long micros = into.ageMicros(i);
        if (micros >= 0) {
          ages[i].record(micros / 1e6);
        }
      }
      return present;
    }
  }
}
