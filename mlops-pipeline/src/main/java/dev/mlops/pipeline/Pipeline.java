package dev.mlops.pipeline;

import dev.mlops.Digest;
import dev.mlops.Names;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * A named DAG of {@link Step}s, validated when built: names are unique, every dependency and
 * every output read exists upstream, and there is no cycle. Run it with {@link Pipelines}.
 *
 * <pre>{@code
 * Pipeline p = Pipeline.builder("churn")
 *     .step(Step.task("prepare", ctx -> ctx.artifact("data", bytes)).artifacts("data"))
 *     .step(Step.task("train", ctx -> ctx.artifact("model", train(ctx.inputBytes("prepare.data"))))
 *         .reads("prepare.data").artifacts("model"))
 *     .build();
 * }</pre>
 *
 * <p>Immutable and thread-safe.
 */
public final class Pipeline {
  private final String name;
  private final Map<String, Step> steps;
  private final Map<String, Set<String>> deps;
  private final List<String> order;
  private final String fingerprint;

  private Pipeline(String name, Map<String, Step> steps, Map<String, Set<String>> deps, List<String> order) {
    this.name = name;
    this.steps = Collections.unmodifiableMap(steps);
    this.deps = deps;
    this.order = List.copyOf(order);
    StringBuilder sb = new StringBuilder(name);
    for (String s : order) {
      Step st = steps.get(s);
      sb.append('\n').append(s).append(' ').append(st.kind()).append(" deps=").append(new TreeSet<>(deps.get(s)))
          .append(" out=").append(new java.util.TreeMap<>(st.outputs()));
    }
    this.fingerprint = Digest.of(sb.toString().getBytes(StandardCharsets.UTF_8)).hex();
  }

  /**
   * @param name the pipeline name, a valid {@link Names name} of at most 100 characters
   * @return a builder; not thread-safe
   * @throws IllegalArgumentException if the name is invalid
   */
  public static Builder builder(String name) {
    return new Builder(name);
  }

  /** @return the name */
  public String name() {
    return name;
  }

  /** @return the steps in a topological order (every step after all it depends on) */
  public List<Step> steps() {
    return order.stream().map(steps::get).toList();
  }

  /**
   * @param step a step name
   * @return the names of the steps it depends on (explicit, through reads, and its condition)
   * @throws IllegalArgumentException if there is no such step
   */
  public Set<String> dependencies(String step) {
    Set<String> d = deps.get(step);
    if (d == null) {
      throw new IllegalArgumentException("pipeline '" + name + "' has no step '" + step + "'; it has " + order);
    }
    return d;
  }

  Step step(String name) {
    return steps.get(name);
  }

  List<String> order() {
    return order;
  }

  /** @return a digest of the structure (names, kinds, dependencies, outputs); resume requires it to match */
  String fingerprint() {
    return fingerprint;
  }

  @Override
  public String toString() {
    return "pipeline '" + name + "' " + order;
  }

  /**
   * Builds a {@link Pipeline}; {@link #build()} validates the whole DAG.
   *
   * <p>Not thread-safe; confine to one thread.
   */
  public static final class Builder {
    private final String name;
    private final List<Step> steps = new ArrayList<>();

    private Builder(String name) {
      Names.requireValid("pipeline name", name);
      if (name.length() > 100) {
        throw new IllegalArgumentException("pipeline name '" + name + "' is longer than 100 characters");
      }
      this.name = name;
    }

    /** @param step a step @return this builder */
    public Builder step(Step step) {
      steps.add(Objects.requireNonNull(step, "step"));
      return this;
    }

    /** @param step a step builder, built now @return this builder */
    public Builder step(Step.Builder step) {
      return step(Objects.requireNonNull(step, "step").build());
    }

    /**
     * @return the pipeline
     * @throws IllegalArgumentException naming the problem: no steps, a duplicate name, an unknown
     *     dependency or branch target, a malformed read, an output read that its step does not
     *     declare, a read of a step that is not upstream, or a cycle (named step by step)
     */
    public Pipeline build() {
      if (steps.isEmpty()) {
        throw new IllegalArgumentException("pipeline '" + name + "' has no steps");
      }
      Map<String, Step> byName = new LinkedHashMap<>();
      for (Step s : steps) {
        if (byName.putIfAbsent(s.name(), s) != null) {
          throw new IllegalArgumentException("pipeline '" + name + "' has two steps named '" + s.name() + "'");
        }
      }
      Map<String, Set<String>> deps = new HashMap<>();
      for (Step s : steps) {
        Set<String> d = new LinkedHashSet<>();
        for (String a : s.after()) {
          if (!byName.containsKey(a)) {
            throw new IllegalArgumentException("step '" + s.name() + "' depends on unknown step '" + a
                + "'; the pipeline has " + byName.keySet());
          }
          d.add(a);
        }
        for (String ref : s.reads()) {
          String[] parts = splitRef(s.name(), ref);
          Step up = byName.get(parts[0]);
          if (up == null) {
            throw new IllegalArgumentException("step '" + s.name() + "' reads '" + ref + "' from unknown step '"
                + parts[0] + "'; the pipeline has " + byName.keySet());
          }
          if (!up.outputs().containsKey(parts[1])) {
            throw new IllegalArgumentException("step '" + s.name() + "' reads '" + ref + "' but step '" + parts[0]
                + "' declares no output '" + parts[1] + "' (it declares " + new TreeSet<>(up.outputs().keySet()) + ")");
          }
          d.add(parts[0]);
        }
        deps.put(s.name(), d);
      }
      for (Step s : steps) {
        if (s.kind() == StepKind.CONDITION) {
          for (String target : concat(s.ifTrue(), s.ifFalse())) {
            if (!byName.containsKey(target)) {
              throw new IllegalArgumentException("condition step '" + s.name() + "' branches to unknown step '" + target
                  + "'; the pipeline has " + byName.keySet());
            }
            if (target.equals(s.name())) {
              throw new IllegalArgumentException("condition step '" + s.name() + "' branches to itself");
            }
            deps.get(target).add(s.name());
          }
          Set<String> both = new TreeSet<>(s.ifTrue());
          both.retainAll(s.ifFalse());
          if (!both.isEmpty()) {
            throw new IllegalArgumentException("condition step '" + s.name() + "' lists " + both + " in both branches");
          }
        }
        if (s.kind() == StepKind.REGISTER) {
          for (String ref : s.registerArtifacts().values()) {
            requireKind(byName, s, ref, OutputKind.ARTIFACT);
          }
          for (String ref : s.registerDatasets()) {
            requireKind(byName, s, ref, OutputKind.DATASET);
          }
        }
      }
      List<String> order = topologicalOrder(byName, deps);
      Map<String, Set<String>> frozen = new HashMap<>();
      deps.forEach((k, v) -> frozen.put(k, Collections.unmodifiableSet(new LinkedHashSet<>(v))));
      return new Pipeline(name, byName, frozen, order);
    }

    private static void requireKind(Map<String, Step> byName, Step s, String ref, OutputKind kind) {
      String[] parts = ref.split("\\.", 2);
      OutputKind actual = byName.get(parts[0]).outputs().get(parts[1]);
      if (actual != kind) {
        throw new IllegalArgumentException("register step '" + s.name() + "' takes '" + ref + "' as " + kind
            + " but it is " + actual);
      }
    }

    private static List<String> concat(List<String> a, List<String> b) {
      List<String> out = new ArrayList<>(a);
      out.addAll(b);
      return out;
    }

    private List<String> topologicalOrder(Map<String, Step> byName, Map<String, Set<String>> deps) {
      List<String> order = new ArrayList<>();
      Map<String, Integer> state = new HashMap<>(); // 1 = on the path, 2 = done
      for (String s : byName.keySet()) {
        visit(s, deps, state, new ArrayList<>(), order);
      }
      return order;
    }

    private void visit(String s, Map<String, Set<String>> deps, Map<String, Integer> state, List<String> path,
        List<String> order) {
      Integer st = state.get(s);
      if (st != null && st == 2) {
        return;
      }
      if (st != null) {
        List<String> cycle = new ArrayList<>(path.subList(path.indexOf(s), path.size()));
        cycle.add(s);
        throw new IllegalArgumentException("pipeline '" + name + "' has a cycle (each step depends on the next): " + String.join(" -> ", cycle));
      }
      state.put(s, 1);
      path.add(s);
      for (String d : deps.get(s)) {
        visit(d, deps, state, path, order);
      }
      path.remove(path.size() - 1);
      state.put(s, 2);
      order.add(s);
    }
  }

  static String[] splitRef(String step, String ref) {
    int dot = ref.indexOf('.');
    if (dot <= 0 || dot == ref.length() - 1) {
      throw new IllegalArgumentException("step '" + step + "' reads '" + ref + "': a reference is 'step.output'");
    }
    return new String[] {ref.substring(0, dot), ref.substring(dot + 1)};
  }
}
