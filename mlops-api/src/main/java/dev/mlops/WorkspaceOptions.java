package dev.mlops;

import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * How a workspace behaves, independent of where its store lives: who is recorded as acting, the
 * clock, how stale cached reads may be, whether the store is opened read-only and whether aliases
 * may point at versions that are not yet Approved. Pass to {@link Mlops#open(URI, WorkspaceOptions)},
 * or set the same options as URI query parameters ({@link #URI_PARAMETERS}), e.g.
 * {@code file:/var/lib/mlops?readOnly=true&actor=ci-bot&refreshInterval=PT5S}.
 *
 * <pre>{@code
 * Workspace ws = Mlops.open("file:/var/lib/mlops",
 *     WorkspaceOptions.builder().actor("trainer@ci").refreshInterval(Duration.ofMillis(200)).build());
 * }</pre>
 *
 * <p>Immutable and thread-safe.
 */
public final class WorkspaceOptions {
  /**
   * Query parameters every provider accepts and leaves to the workspace: {@code actor},
   * {@code refreshInterval} (ISO-8601, e.g. {@code PT5S}), {@code readOnly} ({@code true}/{@code false}),
   * {@code aliasesRequireApproval} ({@code true}/{@code false}) and {@code featureCacheSize}.
   */
  public static final Set<String> URI_PARAMETERS =
      Set.of("actor", "refreshInterval", "readOnly", "aliasesRequireApproval", "featureCacheSize");

  private static final WorkspaceOptions DEFAULTS = new Builder().build();

  private final Optional<String> actor;
  private final Optional<Principal> principal;
  private final Clock clock;
  private final Duration refreshInterval;
  private final boolean readOnly;
  private final boolean aliasesRequireApproval;
  private final long featureCacheSize;

  private WorkspaceOptions(Builder b) {
    this.actor = b.actor;
    this.principal = b.principal;
    this.clock = b.clock;
    this.refreshInterval = b.refreshInterval;
    this.readOnly = b.readOnly;
    this.aliasesRequireApproval = b.aliasesRequireApproval;
    this.featureCacheSize = b.featureCacheSize;
  }

  /** @return the defaults: OS user as actor, system UTC clock, 1 s refresh, writable, aliases require Approved */
  public static WorkspaceOptions defaults() {
    return DEFAULTS;
  }

  /** @return a builder starting from the defaults */
  public static Builder builder() {
    return new Builder();
  }

  /** @return a builder starting from these options */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.actor = actor;
    b.principal = principal;
    b.clock = clock;
    b.refreshInterval = refreshInterval;
    b.readOnly = readOnly;
    b.aliasesRequireApproval = aliasesRequireApproval;
    b.featureCacheSize = featureCacheSize;
    return b;
  }

  /**
   * @return who is recorded as performing registry and run changes; empty means the OS user
   *     ({@code user.name}), or {@code unknown} when that is blank
   */
  public Optional<String> actor() {
    return actor;
  }

  /**
   * @return who is acting, when the host supplies an identity: its name is the actor recorded, and
   *     its key (if any) signs review decisions, alias moves and policy changes
   */
  public Optional<Principal> principal() {
    return principal;
  }

  /** @return the actor to record: {@link #actor()}, else the principal's name, else the OS user */
  public String actorOrDefault() {
    return actor.or(() -> principal.map(Principal::name)).orElseGet(() -> {
      String user = System.getProperty("user.name");
      return user == null || user.isBlank() ? "unknown" : user;
    });
  }

  /** @return the source of every timestamp the workspace records and of TTL/age decisions */
  public Clock clock() {
    return clock;
  }

  /** @return how stale a cached read (alias resolution, online features) may be before it is refreshed */
  public Duration refreshInterval() {
    return refreshInterval;
  }

  /** @return whether the store is opened for reading only: nothing is written, not even at open */
  public boolean readOnly() {
    return readOnly;
  }

  /** @return whether an alias may only point at an Approved version (default {@code true}) */
  public boolean aliasesRequireApproval() {
    return aliasesRequireApproval;
  }

  /** @return how many (feature view, entity) rows the feature store's online cache holds at most */
  public long featureCacheSize() {
    return featureCacheSize;
  }

  /**
   * Applies the workspace parameters of a URI's query ({@link #URI_PARAMETERS}) on top of these
   * options; other parameters are left to the provider.
   *
   * @param parameters a URI's query parameters
   * @return the combined options
   * @throws IllegalArgumentException naming the parameter and its bad value
   */
  public WorkspaceOptions withUriParameters(Map<String, String> parameters) {
    Objects.requireNonNull(parameters, "parameters");
    Builder b = toBuilder();
    for (Map.Entry<String, String> e : parameters.entrySet()) {
      String value = e.getValue();
      switch (e.getKey()) {
        case "actor" -> b.actor(value);
        case "refreshInterval" -> {
          try {
            b.refreshInterval(Duration.parse(value));
          } catch (DateTimeParseException ex) {
            throw new IllegalArgumentException("URI parameter refreshInterval='" + value
                + "' is not an ISO-8601 duration such as PT1S or PT0.2S", ex);
          }
        }
        case "readOnly" -> b.readOnly(parseBoolean("readOnly", value));
        case "aliasesRequireApproval" -> b.aliasesRequireApproval(parseBoolean("aliasesRequireApproval", value));
        case "featureCacheSize" -> {
          try {
            b.featureCacheSize(Long.parseLong(value));
          } catch (NumberFormatException ex) {
            throw new IllegalArgumentException("URI parameter featureCacheSize='" + value
                + "' is not a whole number", ex);
          }
        }
        default -> { /* a provider's own parameter */ }
      }
    }
    return b.build();
  }

  private static boolean parseBoolean(String name, String value) {
    return switch (value.toLowerCase(Locale.ROOT)) {
      case "true", "" -> true;
      case "false" -> false;
      default -> throw new IllegalArgumentException("URI parameter " + name + "='" + value
          + "' must be true or false");
    };
  }

  @Override
  public String toString() {
    return "WorkspaceOptions[actor=" + actor.orElse("<OS user>") + principal.map(p -> ", principal=" + p).orElse("") + ", clock=" + clock + ", refreshInterval="
        + refreshInterval + ", readOnly=" + readOnly + ", aliasesRequireApproval=" + aliasesRequireApproval
        + ", featureCacheSize=" + featureCacheSize + "]";
  }

  /** Builds {@link WorkspaceOptions}. Not thread-safe; confine to one thread. */
  public static final class Builder {
    private Optional<String> actor = Optional.empty();
    private Optional<Principal> principal = Optional.empty();
    private Clock clock = Clock.systemUTC();
    private Duration refreshInterval = Duration.ofSeconds(1);
    private boolean readOnly;
    private boolean aliasesRequireApproval = true;
    private long featureCacheSize = 100_000;

    private Builder() {}

    /**
     * @param actor who is recorded as performing registry and run changes (default: the OS user)
     * @return this
     * @throws IllegalArgumentException if blank
     */
    public Builder actor(String actor) {
      Objects.requireNonNull(actor, "actor");
      if (actor.isBlank()) {
        throw new IllegalArgumentException("actor must not be blank");
      }
      this.actor = Optional.of(actor);
      return this;
    }

    /**
     * @param principal who is acting (default none: the free-text actor is recorded and nothing is
     *     signed); if an actor is also set, it must be the principal's name
     * @return this
     */
    public Builder principal(Principal principal) {
      this.principal = Optional.of(Objects.requireNonNull(principal, "principal"));
      return this;
    }

    /** @param clock source of all timestamps (default system UTC) @return this */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * @param interval how stale a cached read may be before it is refreshed from storage; writes
     *     through the same workspace are visible at once. Positive, default 1 s
     * @return this
     * @throws IllegalArgumentException if not positive
     */
    public Builder refreshInterval(Duration interval) {
      Objects.requireNonNull(interval, "interval");
      if (interval.isNegative() || interval.isZero()) {
        throw new IllegalArgumentException("refreshInterval must be positive, got " + interval);
      }
      this.refreshInterval = interval;
      return this;
    }

    /**
     * @param readOnly open for reading only (default false): nothing is written, not even at open;
     *     every command fails with a {@link StorageException} saying the store is read-only
     * @return this
     */
    public Builder readOnly(boolean readOnly) {
      this.readOnly = readOnly;
      return this;
    }

    /**
     * @param require whether {@code setAlias}/{@code moveAlias} refuse a version that is not
     *     Approved (default true). Set false to let aliases such as {@code staging} point at
     *     versions still PendingManualApproval; a Rejected version never holds an alias
     * @return this
     */
    public Builder aliasesRequireApproval(boolean require) {
      this.aliasesRequireApproval = require;
      return this;
    }

    /**
     * @param entries how many (feature view, entity) rows the online cache holds, {@code >= 0},
     *     default 100,000
     * @return this
     * @throws IllegalArgumentException if negative
     */
    public Builder featureCacheSize(long entries) {
      if (entries < 0) {
        throw new IllegalArgumentException("featureCacheSize must be >= 0, got " + entries);
      }
      this.featureCacheSize = entries;
      return this;
    }

    /**
     * @return the options
     * @throws IllegalArgumentException if both an actor and a principal of another name are set
     */
    public WorkspaceOptions build() {
      if (actor.isPresent() && principal.isPresent() && !actor.get().equals(principal.get().name())) {
        throw new IllegalArgumentException("actor '" + actor.get() + "' differs from principal '"
            + principal.get().name() + "'; set one, or the same name for both");
      }
      return new WorkspaceOptions(this);
    }
  }
}
