package dev.mlops.pipeline;

import dev.mlops.Names;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * One named step of a {@link Pipeline}: its kind, the steps it runs after, the outputs it reads
 * ({@code step.output}) and declares, and how it runs (retry, timeout, caching). Built with the
 * static factories ({@link #task}, {@link #condition}, {@link #register}, {@link #fail},
 * {@link #map}, {@link #callback}) and handed to {@link Pipeline.Builder#step}.
 *
 * <p>Immutable and thread-safe (the body and condition must be too).
 */
public final class Step {
  private final String name;
  private final StepKind kind;
  private final Set<String> after;
  private final List<String> reads;
  private final Map<String, OutputKind> outputs;
  private final Optional<StepBody> body;
  private final Optional<Condition> condition;
  private final List<String> ifTrue;
  private final List<String> ifFalse;
  private final RetryPolicy retry;
  private final Optional<Duration> timeout;
  private final boolean cached;
  private final Optional<Duration> cacheFor;
  private final Optional<String> codeVersion;
  private final String model;
  private final Map<String, String> registerArtifacts;
  private final List<String> registerDatasets;
  private final Optional<String> trainingStep;
  private final String message;
  private final List<String> items;
  private final Optional<String> itemsFrom;

  private Step(Builder b) {
    this.name = b.name;
    this.kind = b.kind;
    this.after = Set.copyOf(new LinkedHashSet<>(b.after));
    this.reads = List.copyOf(new LinkedHashSet<>(b.reads));
    this.outputs = Map.copyOf(b.outputs);
    this.body = Optional.ofNullable(b.body);
    this.condition = Optional.ofNullable(b.condition);
    this.ifTrue = List.copyOf(b.ifTrue);
    this.ifFalse = List.copyOf(b.ifFalse);
    this.retry = b.retry;
    this.timeout = Optional.ofNullable(b.timeout);
    this.cached = b.cached;
    this.cacheFor = Optional.ofNullable(b.cacheFor);
    this.codeVersion = Optional.ofNullable(b.codeVersion);
    this.model = b.model;
    this.registerArtifacts = Map.copyOf(b.registerArtifacts);
    this.registerDatasets = List.copyOf(b.registerDatasets);
    this.trainingStep = Optional.ofNullable(b.trainingStep);
    this.message = b.message;
    this.items = List.copyOf(b.items);
    this.itemsFrom = Optional.ofNullable(b.itemsFrom);
  }

  /**
   * A plain step running {@code body}. Cached by default.
   *
   * @param name the step name, a valid {@link Names name}
   * @param body the work
   * @return a builder; not thread-safe
   */
  public static Builder task(String name, StepBody body) {
    Builder b = new Builder(name, StepKind.TASK);
    b.body = Objects.requireNonNull(body, "body");
    return b;
  }

  /**
   * A condition step: runs the steps named by {@link Builder#ifTrue} when the condition holds and
   * those named by {@link Builder#ifFalse} otherwise (the others are skipped, with every step that
   * depends on them). Never cached: a gate is re-decided in every execution.
   *
   * @param name the step name
   * @param condition the decision
   * @return a builder; not thread-safe
   */
  public static Builder condition(String name, Condition condition) {
    Builder b = new Builder(name, StepKind.CONDITION);
    b.condition = Objects.requireNonNull(condition, "condition");
    b.reads.addAll(condition.reads());
    b.cached = false;
    return b;
  }

  /**
   * A register step: registers a version of {@code model} (status PendingManualApproval) with the
   * artifacts named by {@link Builder#artifact}, the datasets named by {@link Builder#dataset}, the
   * training run of the step named by {@link Builder#trainingRunOf}, and tags naming the
   * execution and its step runs. Its output {@code version} is the new version number. At most one
   * version is registered per execution and step, also across a crash and resume. Never cached.
   *
   * @param name the step name
   * @param model the model name
   * @return a builder; not thread-safe
   */
  public static Builder register(String name, String model) {
    Builder b = new Builder(name, StepKind.REGISTER);
    b.model = Names.requireValid("model name", model);
    b.outputs.put("version", OutputKind.PARAMETER);
    b.cached = false;
    return b;
  }

  /**
   * A fail step: when reached, fails the execution with {@code message}.
   *
   * @param name the step name
   * @param message why
   * @return a builder; not thread-safe
   */
  public static Builder fail(String name, String message) {
    Builder b = new Builder(name, StepKind.FAIL);
    b.message = Objects.requireNonNull(message, "message");
    b.cached = false;
    return b;
  }

  /**
   * A map step over a fixed list: {@code body} runs once per item ({@link StepContext#item()}),
   * in parallel, each item cached and retried on its own; each declared output becomes a
   * {@link OutputKind#LIST} of the items' values, in item order.
   *
   * @param name the step name
   * @param items the items, each without a line break
   * @param body the work per item
   * @return a builder; not thread-safe
   */
  public static Builder map(String name, List<String> items, StepBody body) {
    Builder b = new Builder(name, StepKind.MAP);
    b.body = Objects.requireNonNull(body, "body");
    for (String item : items) {
      if (Objects.requireNonNull(item, "item").contains("\n")) {
        throw new IllegalArgumentException("map step '" + name + "': item '" + item + "' contains a line break");
      }
      b.items.add(item);
    }
    return b;
  }

  /**
   * A map step over the lines of an upstream {@link OutputKind#PARAMETER} or
   * {@link OutputKind#LIST} output, resolved when the step is reached and recorded in the log.
   *
   * @param name the step name
   * @param itemsRef the output holding the items, as {@code step.output}; read by this step
   * @param body the work per item
   * @return a builder; not thread-safe
   */
  public static Builder mapOver(String name, String itemsRef, StepBody body) {
    Builder b = new Builder(name, StepKind.MAP);
    b.body = Objects.requireNonNull(body, "body");
    b.itemsFrom = Objects.requireNonNull(itemsRef, "itemsRef");
    b.reads.add(itemsRef);
    return b;
  }

  /**
   * A callback step: {@code body} submits work to an external system and hands it
   * {@link StepContext#callbackToken()}; the step then waits — without a lease, across restarts —
   * until someone calls {@link Pipelines#completeCallback} or {@link Pipelines#failCallback} with
   * that token, from any process. The outputs reported with the token are the step's outputs.
   * Never cached. If the process running the body dies before the step is recorded as waiting, a
   * report under its token still completes the step and the body is not run again when the body
   * had returned (its run ended); only a holder that died inside the body, with no report yet,
   * has its step taken over and the body run again with a new token (docs/pipelines.md).
   *
   * @param name the step name
   * @param body submits the external work
   * @return a builder; not thread-safe
   */
  public static Builder callback(String name, StepBody body) {
    Builder b = new Builder(name, StepKind.CALLBACK);
    b.body = Objects.requireNonNull(body, "body");
    b.cached = false;
    return b;
  }

  /** @return the name */
  public String name() {
    return name;
  }

  /** @return the kind */
  public StepKind kind() {
    return kind;
  }

  /** @return the steps named explicitly as predecessors (reads and branches add more) */
  public Set<String> after() {
    return after;
  }

  /** @return the outputs read, as {@code step.output} */
  public List<String> reads() {
    return reads;
  }

  /** @return the declared outputs by name */
  public Map<String, OutputKind> outputs() {
    return outputs;
  }

  /** @return the retry policy */
  public RetryPolicy retry() {
    return retry;
  }

  /** @return the timeout of one attempt, if any */
  public Optional<Duration> timeout() {
    return timeout;
  }

  /** @return whether results are cached */
  public boolean cached() {
    return cached;
  }

  /** @return how long a cached result is reused; empty = forever */
  public Optional<Duration> cacheFor() {
    return cacheFor;
  }

  /** @return the explicit code version, if given */
  public Optional<String> codeVersion() {
    return codeVersion;
  }

  Optional<StepBody> body() {
    return body;
  }

  Optional<Condition> condition() {
    return condition;
  }

  List<String> ifTrue() {
    return ifTrue;
  }

  List<String> ifFalse() {
    return ifFalse;
  }

  String model() {
    return model;
  }

  Map<String, String> registerArtifacts() {
    return registerArtifacts;
  }

  List<String> registerDatasets() {
    return registerDatasets;
  }

  Optional<String> trainingStep() {
    return trainingStep;
  }

  String message() {
    return message;
  }

  List<String> items() {
    return items;
  }

  Optional<String> itemsFrom() {
    return itemsFrom;
  }

  @Override
  public String toString() {
    return kind.name().toLowerCase(java.util.Locale.ROOT) + " step '" + name + "'";
  }

  /**
   * Builds one {@link Step}. Every setter throws {@link IllegalArgumentException} naming the bad
   * value and {@link NullPointerException} for nulls.
   *
   * <p>Not thread-safe; confine to one thread.
   */
  public static final class Builder {
    private final String name;
    private final StepKind kind;
    private final List<String> after = new ArrayList<>();
    private final List<String> reads = new ArrayList<>();
    private final Map<String, OutputKind> outputs = new LinkedHashMap<>();
    private StepBody body;
    private Condition condition;
    private final List<String> ifTrue = new ArrayList<>();
    private final List<String> ifFalse = new ArrayList<>();
    private RetryPolicy retry = RetryPolicy.NONE;
    private Duration timeout;
    private boolean cached = true;
    private Duration cacheFor;
    private String codeVersion;
    private String model = "";
    private final Map<String, String> registerArtifacts = new LinkedHashMap<>();
    private final List<String> registerDatasets = new ArrayList<>();
    private String trainingStep;
    private String message = "";
    private final List<String> items = new ArrayList<>();
    private String itemsFrom;

    private Builder(String name, StepKind kind) {
      this.name = Names.requireValid("step name", name);
      if (name.contains(".")) {
        throw new IllegalArgumentException("step name '" + name + "' contains '.', which separates step and output in 'step.output'");
      }
      this.kind = kind;
    }

    /** @param steps steps that must succeed before this one @return this builder */
    public Builder after(String... steps) {
      for (String s : steps) {
        after.add(Objects.requireNonNull(s, "step"));
      }
      return this;
    }

    /**
     * Declares outputs this step reads, as {@code step.output}; each makes the step depend on
     * that step, and each output's digest is part of this step's cache key.
     *
     * @param refs the references
     * @return this builder
     */
    public Builder reads(String... refs) {
      for (String r : refs) {
        reads.add(Objects.requireNonNull(r, "ref"));
      }
      return this;
    }

    /**
     * Declares outputs this step records.
     *
     * @param kind their kind
     * @param names output names, each a valid {@link Names name}
     * @return this builder
     */
    public Builder outputs(OutputKind kind, String... names) {
      Objects.requireNonNull(kind, "kind");
      if (kind == OutputKind.LIST) {
        throw new IllegalArgumentException("step '" + name + "': LIST outputs are made by map steps; declare the item's kind");
      }
      for (String n : names) {
        Names.requireValid("output name", n);
        OutputKind before = outputs.putIfAbsent(n, kind);
        if (before != null) {
          throw new IllegalArgumentException("step '" + name + "' declares output '" + n + "' twice");
        }
      }
      return this;
    }

    /** @param names artifact outputs @return this builder */
    public Builder artifacts(String... names) {
      return outputs(OutputKind.ARTIFACT, names);
    }

    /** @param names metric outputs @return this builder */
    public Builder metrics(String... names) {
      return outputs(OutputKind.METRIC, names);
    }

    /** @param names dataset outputs @return this builder */
    public Builder datasets(String... names) {
      return outputs(OutputKind.DATASET, names);
    }

    /** @param names parameter outputs (strings for later steps) @return this builder */
    public Builder parameters(String... names) {
      return outputs(OutputKind.PARAMETER, names);
    }

    /** @param policy the retry policy of each attempt @return this builder */
    public Builder retry(RetryPolicy policy) {
      this.retry = Objects.requireNonNull(policy, "policy");
      return this;
    }

    /**
     * @param timeout the longest one attempt may run; then it is cancelled (interrupted) and
     *     counted as a failed attempt ({@link StepTimeoutException})
     * @return this builder
     */
    public Builder timeout(Duration timeout) {
      if (Objects.requireNonNull(timeout, "timeout").isNegative() || timeout.isZero()) {
        throw new IllegalArgumentException("step '" + name + "': timeout must be positive, got " + timeout);
      }
      this.timeout = timeout;
      return this;
    }

    /** Turns caching off: the step runs in every execution. @return this builder */
    public Builder noCache() {
      this.cached = false;
      return this;
    }

    /** @param ttl how long a cached result is reused (by the injected clock) @return this builder */
    public Builder cacheFor(Duration ttl) {
      if (Objects.requireNonNull(ttl, "ttl").isNegative() || ttl.isZero()) {
        throw new IllegalArgumentException("step '" + name + "': cache expiry must be positive, got " + ttl);
      }
      this.cacheFor = ttl;
      return this;
    }

    /**
     * @param version the step's code version in its cache key; without it, the digest of the
     *     bytecode of the body's class (for a lambda: of the class that declares it) is used
     * @return this builder
     */
    public Builder codeVersion(String version) {
      if (Objects.requireNonNull(version, "version").isBlank()) {
        throw new IllegalArgumentException("step '" + name + "': code version must not be blank");
      }
      this.codeVersion = version;
      return this;
    }

    /** @param steps steps run when the condition holds @return this builder (condition steps only) */
    public Builder ifTrue(String... steps) {
      requireKind(StepKind.CONDITION, "ifTrue");
      ifTrue.addAll(List.of(steps));
      return this;
    }

    /** @param steps steps run when the condition does not hold @return this builder (condition steps only) */
    public Builder ifFalse(String... steps) {
      requireKind(StepKind.CONDITION, "ifFalse");
      ifFalse.addAll(List.of(steps));
      return this;
    }

    /**
     * @param name the artifact name on the model version
     * @param ref an artifact output, as {@code step.output}
     * @return this builder (register steps only)
     */
    public Builder artifact(String name, String ref) {
      requireKind(StepKind.REGISTER, "artifact");
      Names.requireValidPath("artifact name", name);
      registerArtifacts.put(name, Objects.requireNonNull(ref, "ref"));
      reads.add(ref);
      return this;
    }

    /** @param ref a dataset output, as {@code step.output} @return this builder (register steps only) */
    public Builder dataset(String ref) {
      requireKind(StepKind.REGISTER, "dataset");
      registerDatasets.add(Objects.requireNonNull(ref, "ref"));
      reads.add(ref);
      return this;
    }

    /** @param step the step whose run is the version's training run @return this builder (register steps only) */
    public Builder trainingRunOf(String step) {
      requireKind(StepKind.REGISTER, "trainingRunOf");
      this.trainingStep = Objects.requireNonNull(step, "step");
      after.add(step);
      return this;
    }

    private void requireKind(StepKind wanted, String method) {
      if (kind != wanted) {
        throw new IllegalArgumentException(method + " applies to " + wanted + " steps, not to " + kind + " step '" + name + "'");
      }
    }

    /** @return the step */
    public Step build() {
      return new Step(this);
    }
  }
}
