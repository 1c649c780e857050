package dev.mlops.governance;

import dev.mlops.featurestore.OnlineRowRetention;
import dev.mlops.spi.ObjectStore;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * The one place the collector touches mlops-features (an optional dependency): loaded only when
 * {@link #available()} says the feature store is on the classpath.
 *
 * <p>Thread-safe (stateless).
 */
final class FeatureRowSweeps {
  private static final boolean AVAILABLE = load();

  private FeatureRowSweeps() {}

  /** What a sweep of online rows deleted (or would) and how many rows wait for the grace period. */
  record Result(List<String> deleted, long waiting) {
    static final Result NONE = new Result(List.of(), 0);
  }

  private static boolean load() {
    try {
      Class.forName("dev.mlops.featurestore.OnlineRowRetention", false, FeatureRowSweeps.class.getClassLoader());
      return true;
    } catch (ClassNotFoundException | LinkageError absent) {
      return false;
    }
  }

  /** @return whether mlops-features is on the classpath */
  static boolean available() {
    return AVAILABLE;
  }

  /** Sweeps superseded online rows beyond each view's retention ({@link OnlineRowRetention}). */
  static Result sweep(ObjectStore store, Instant now, Duration grace, boolean dryRun) {
    if (!AVAILABLE) {
      return Result.NONE;
    }
    OnlineRowRetention.Sweep s = OnlineRowRetention.of(store).sweep(now, grace, dryRun);
    return new Result(s.deleted(), s.waiting());
  }
}
