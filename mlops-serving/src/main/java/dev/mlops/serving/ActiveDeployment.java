package dev.mlops.serving;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * A deployment that has started and not yet ended, as folded from the alias's deployment log.
 *
 * <p>Immutable and thread-safe.
 *
 * @param id the deployment id
 * @param alias the alias it moves when it completes
 * @param plan what it does
 * @param baseline the version the alias pointed at when it started, if any
 * @param step the current stage, 0 for the first (linear: step {@code step + 1} of {@code steps})
 * @param startedAt when it started
 * @param stageStartedAt when the current stage started
 */
public record ActiveDeployment(String id, String alias, DeploymentPlan plan, Optional<Integer> baseline, int step,
    Instant startedAt, Instant stageStartedAt) {
  /** Validates. */
  public ActiveDeployment {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(alias, "alias");
    Objects.requireNonNull(plan, "plan");
    Objects.requireNonNull(baseline, "baseline");
    Objects.requireNonNull(startedAt, "startedAt");
    Objects.requireNonNull(stageStartedAt, "stageStartedAt");
  }

  /**
   * @return the candidate's share in the current stage, in basis points (1/100 %): canary the
   *     canary share, linear {@code (step + 1) * percent} capped at 100 %, otherwise 100 %
   */
  int candidateBasisPoints() {
    return switch (plan.strategy()) {
      case CANARY -> DeploymentPlan.basisPoints(plan.percent());
      case LINEAR -> Math.min(10_000, (step + 1) * DeploymentPlan.basisPoints(plan.percent()));
      case SHADOW -> 0;
      default -> 10_000;
    };
  }
}
