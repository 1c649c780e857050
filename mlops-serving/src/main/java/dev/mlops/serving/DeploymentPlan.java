package dev.mlops.serving;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * What a deployment does; build one with the static factories. Percentages are of requests, with
 * a resolution of 0.01 %.
 *
 * <p>Immutable and thread-safe.
 *
 * @param strategy the strategy
 * @param variants the versions it routes to with their weights in percent: for A/B every variant
 *     (weights sum to 100); otherwise exactly one, the candidate (its weight is not used)
 * @param percent canary share, linear step size, or shadow sample rate, in percent (0 if unused)
 * @param steps linear: number of steps (1 otherwise)
 * @param bake canary and linear: how long each stage runs before the next; blue/green: how long
 *     the old version stays loaded; zero if unused
 * @param unapprovedOverride if present, the recorded reason for serving versions that are not
 *     Approved; without it only Approved versions are served
 */
public record DeploymentPlan(Strategy strategy, List<Variant> variants, double percent, int steps, Duration bake,
    Optional<String> unapprovedOverride) {

  /**
   * One version and its share.
   *
   * @param version the version, >= 1
   * @param weight its share in percent, 0..100
   */
  public record Variant(int version, double weight) {
    /** Validates. */
    public Variant {
      if (version < 1) {
        throw new IllegalArgumentException("variant version must be >= 1, got " + version);
      }
      if (!(weight >= 0 && weight <= 100)) {
        throw new IllegalArgumentException("variant weight of version " + version + " must be in 0..100, got " + weight);
      }
    }
  }

  /** Validates and copies. */
  public DeploymentPlan {
    Objects.requireNonNull(strategy, "strategy");
    variants = List.copyOf(variants);
    Objects.requireNonNull(bake, "bake");
    Objects.requireNonNull(unapprovedOverride, "unapprovedOverride");
    if (variants.isEmpty()) {
      throw new IllegalArgumentException("a deployment needs at least one version");
    }
    Set<Integer> seen = new HashSet<>();
    for (Variant v : variants) {
      if (!seen.add(v.version())) {
        throw new IllegalArgumentException("version " + v.version() + " is named twice in " + variants);
      }
    }
    if (bake.isNegative()) {
      throw new IllegalArgumentException("bake must not be negative, got " + bake);
    }
    if (steps < 1) {
      throw new IllegalArgumentException("steps must be >= 1, got " + steps);
    }
    if (strategy == Strategy.AB) {
      if (variants.size() < 2) {
        throw new IllegalArgumentException("an A/B deployment needs at least 2 variants, got " + variants);
      }
      long sum = variants.stream().mapToLong(v -> basisPoints(v.weight())).sum();
      if (sum != 10_000) {
        throw new IllegalArgumentException("A/B weights must sum to 100 at the routing resolution of 0.01 %, got "
            + variants.stream().mapToDouble(Variant::weight).sum() + " (" + sum / 100.0 + " after rounding each to"
            + " 0.01) for " + variants);
      }
    } else if (variants.size() != 1) {
      throw new IllegalArgumentException(strategy + " deploys one candidate version, got " + variants);
    }
    boolean needsPercent = strategy == Strategy.CANARY || strategy == Strategy.LINEAR || strategy == Strategy.SHADOW;
    if (needsPercent && !(percent > 0 && percent <= 100)) {
      throw new IllegalArgumentException(strategy + " needs a percentage in (0, 100], got " + percent);
    }
    unapprovedOverride.ifPresent(r -> {
      if (r.isBlank()) {
        throw new IllegalArgumentException("the reason for serving unapproved versions must not be blank");
      }
    });
  }

  /**
   * @param version the candidate
   * @return a plan that sends all traffic to it and moves the alias right away
   */
  public static DeploymentPlan allAtOnce(int version) {
    return new DeploymentPlan(Strategy.ALL_AT_ONCE, List.of(new Variant(version, 100)), 0, 1, Duration.ZERO,
        Optional.empty());
  }

  /**
   * @param version the candidate
   * @param percent its share while baking, (0, 100]
   * @param bake how long before it takes everything
   * @return the plan
   * @throws IllegalArgumentException naming a share that is out of range or, positive, rounds to no
   *     request at the routing resolution of 0.01 %
   */
  public static DeploymentPlan canary(int version, double percent, Duration bake) {
    return new DeploymentPlan(Strategy.CANARY, List.of(new Variant(version, percent)), percent, 1, bake,
        Optional.empty()).requireRoutable();
  }

  /**
   * @param version the candidate
   * @param steps number of steps; step i (from 1) sends {@code min(100, i * percent)} % to it
   * @param percent share added per step
   * @param bake how long each step runs
   * @return the plan
   * @throws IllegalArgumentException naming a share that is out of range or, positive, rounds to no
   *     request at the routing resolution of 0.01 %
   */
  public static DeploymentPlan linear(int version, int steps, double percent, Duration bake) {
    return new DeploymentPlan(Strategy.LINEAR, List.of(new Variant(version, percent)), percent, steps, bake,
        Optional.empty()).requireRoutable();
  }

  /**
   * @param version the candidate (green)
   * @param retention how long the current version (blue) stays loaded after the switch
   * @return the plan
   */
  public static DeploymentPlan blueGreen(int version, Duration retention) {
    return new DeploymentPlan(Strategy.BLUE_GREEN, List.of(new Variant(version, 100)), 0, 1, retention,
        Optional.empty());
  }

  /**
   * @param weights version to weight in percent; weights must sum to 100
   * @return the plan; variants in version order
   * @throws IllegalArgumentException naming a share that is out of range or, positive, rounds to no
   *     request at the routing resolution of 0.01 %
   */
  public static DeploymentPlan ab(Map<Integer, Double> weights) {
    List<Variant> vs = new ArrayList<>();
    new TreeMap<>(weights).forEach((v, w) -> vs.add(new Variant(v, w)));
    return new DeploymentPlan(Strategy.AB, vs, 0, 1, Duration.ZERO, Optional.empty()).requireRoutable();
  }

  /**
   * @param version the candidate that receives mirrored requests
   * @param samplePercent share of requests mirrored, (0, 100]
   * @return the plan
   * @throws IllegalArgumentException naming a share that is out of range or, positive, rounds to no
   *     request at the routing resolution of 0.01 %
   */
  public static DeploymentPlan shadow(int version, double samplePercent) {
    return new DeploymentPlan(Strategy.SHADOW, List.of(new Variant(version, 0)), samplePercent, 1, Duration.ZERO,
        Optional.empty()).requireRoutable();
  }

  /**
   * @param reason why versions that are not Approved may be served; recorded in the log
   * @return a copy of this plan with the override
   */
  public DeploymentPlan allowUnapproved(String reason) {
    return new DeploymentPlan(strategy, variants, percent, steps, bake, Optional.of(reason));
  }

  /**
   * Refuses shares that are positive but round to no request at the routing resolution of 0.01 %
   * (checked when a plan is built by a factory and when it is started, not when a stored plan is
   * read back).
   *
   * @return this
   * @throws IllegalArgumentException naming the share
   */
  DeploymentPlan requireRoutable() {
    boolean usesPercent = strategy == Strategy.CANARY || strategy == Strategy.LINEAR || strategy == Strategy.SHADOW;
    if (usesPercent && basisPoints(percent) < 1) {
      throw new IllegalArgumentException(strategy + " percentage " + percent
          + " is below the routing resolution of 0.01 %: it would route no request; use at least 0.01");
    }
    if (strategy == Strategy.AB) {
      for (Variant v : variants) {
        if (v.weight() > 0 && basisPoints(v.weight()) < 1) {
          throw new IllegalArgumentException("A/B weight of version " + v.version() + " is " + v.weight()
              + " %, below the routing resolution of 0.01 %: it would route no request; use at least 0.01");
        }
      }
    }
    return this;
  }

  /** @return the candidate (the first variant) */
  public int candidate() {
    return variants.get(0).version();
  }

  static int basisPoints(double percent) {
    return (int) Math.round(percent * 100);
  }
}
