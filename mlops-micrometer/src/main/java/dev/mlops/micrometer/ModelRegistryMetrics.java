package dev.mlops.micrometer;

import dev.mlops.ModelRegistry;
import dev.mlops.RegistryCacheStats;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.Objects;
import java.util.function.ToDoubleFunction;

/**
 * Binds a {@link ModelRegistry}'s cache counters ({@link ModelRegistry#cacheStats()}) to a
 * Micrometer registry, read at scrape time: {@code mlops.registry.cache.hits},
 * {@code mlops.registry.cache.misses}, {@code mlops.registry.cache.loads},
 * {@code mlops.registry.cache.load.failures} (counters), {@code mlops.registry.cache.models} and
 * {@code mlops.registry.refresh.lag} (seconds since the least recently synchronised cached model
 * was read from the store; gauges).
 *
 * <p>Thread-safe.
 */
public final class ModelRegistryMetrics implements MeterBinder {
  private final ModelRegistry registry;
  private final Tags tags;

  /**
   * @param registry the model registry, e.g. {@code workspace.registry()}
   * @param tags tags on every meter
   */
  public ModelRegistryMetrics(ModelRegistry registry, Iterable<Tag> tags) {
    this.registry = Objects.requireNonNull(registry, "registry");
    this.tags = Tags.of(Objects.requireNonNull(tags, "tags"));
  }

  @Override
  public void bindTo(MeterRegistry meters) {
    counter(meters, "mlops.registry.cache.hits", "registry lookups answered from memory", RegistryCacheStats::hits);
    counter(meters, "mlops.registry.cache.misses", "registry lookups that read a model from the store",
        RegistryCacheStats::misses);
    counter(meters, "mlops.registry.cache.loads", "reads of a model's state from the store (cold and refresh)",
        RegistryCacheStats::loads);
    counter(meters, "mlops.registry.cache.load.failures", "failed reads of a model's state",
        RegistryCacheStats::loadFailures);
    Gauge.builder("mlops.registry.cache.models", registry, r -> r.cacheStats().cachedModels())
        .description("models held in memory").tags(tags).strongReference(true).register(meters);
    Gauge.builder("mlops.registry.refresh.lag", registry, r -> r.cacheStats().maxStaleness().toNanos() / 1e9)
        .description("seconds since the least recently synchronised cached model was read from the store")
        .baseUnit("seconds").tags(tags).strongReference(true).register(meters);
  }

  private void counter(MeterRegistry meters, String name, String help, ToDoubleFunction<RegistryCacheStats> f) {
    FunctionCounter.builder(name, registry, r -> f.applyAsDouble(r.cacheStats())).description(help).tags(tags)
        .register(meters);
  }
}
