package dev.mlops.serving;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * What an endpoint serves right now, in this process.
 *
 * <p>Immutable and thread-safe.
 *
 * @param endpoint {@code model@alias}
 * @param aliasTarget where the alias points, as last read
 * @param active the running deployment, if any
 * @param routes version to share of requests in percent
 * @param shadow the shadow candidate, if mirroring
 * @param loaded versions with a loaded predictor (serving, shadowing or kept warm)
 * @param lastFailure why the latest load, warm-up or refresh failed, if one did since the last success
 * @param variants measurements per routed version
 * @param refreshes how many refreshes have run
 */
public record EndpointStatus(String endpoint, Optional<Integer> aliasTarget, Optional<ActiveDeployment> active,
    Map<Integer, Double> routes, Optional<Integer> shadow, Set<Integer> loaded, Optional<String> lastFailure,
    List<VariantStats> variants, long refreshes) {
  /** Validates and copies. */
  public EndpointStatus {
    Objects.requireNonNull(endpoint, "endpoint");
    Objects.requireNonNull(aliasTarget, "aliasTarget");
    Objects.requireNonNull(active, "active");
    routes = Map.copyOf(routes);
    Objects.requireNonNull(shadow, "shadow");
    loaded = Set.copyOf(loaded);
    Objects.requireNonNull(lastFailure, "lastFailure");
    variants = List.copyOf(variants);
  }
}
