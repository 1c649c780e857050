package dev.mlops.benchmarks.tuning;

import dev.mlops.tuning.Pruner;
import dev.mlops.tuning.RandomSampler;
import dev.mlops.tuning.Sampler;
import dev.mlops.tuning.SuccessiveHalvingPruner;
import dev.mlops.tuning.TpeSampler;
import dev.mlops.tuning.TrialState;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The Java half of the side-by-side comparison with Optuna (issue 16, item 6); the Python half is
 * {@code benchmarks/optuna/compare.py}, which defines the same objectives and prints the same
 * tables. Modes:
 *
 * <ul>
 *   <li>{@code quality [seeds] [trials] [samplers]}: per objective and sampler (comma-separated:
 *       {@code random}, {@code tpe} with defaults, {@code tpe-optuna31} with Optuna 3.1's defaults
 *       (our defaults before), {@code tpe-multivariate} = Optuna 3.1's defaults but multivariate
 *       (Optuna's {@code multivariate=True}), {@code tpe-textbook} = Optuna 3.1's defaults but
 *       normalized kernels in the score; default random,tpe),
 *       or a variant {@code tpe/...} (see {@link #variant}),
 *       the median and interquartile range over seeds 0..seeds-1 of the best value after 25, 50
 *       and 100 trials; an optional fifth argument names the objectives (comma-separated, default
 *       or {@code all}: all four), an optional sixth the first seed (default 0; the held-out set
 *       is 1000);
 *   <li>{@code timing [repeats]}: the time to sample one whole trial of Hartmann-6 (6 float
 *       parameters) after 100 and after 1,000 completed trials (a history of random trials, seed
 *       1), median of repeats after as many warm-up samples: wall-clock quartiles, and the
 *       median CPU time of the sampling thread (less sensitive to a loaded machine);
 *   <li>{@code pruning [seeds] [trials] [steps]}: random sampling of the synthetic learning curve
 *       {@link Objectives#curve} with and without {@link SuccessiveHalvingPruner} (first rung 1,
 *       reduction factor 4, no rungs skipped): share of steps saved and median best final value.
 * </ul>
 *
 * <p>Run: {@code java -cp benchmarks/target/benchmarks.jar dev.mlops.benchmarks.tuning.TuningComparison quality 30 100}.
 * Not thread-safe; a command-line program.
 */
public final class TuningComparison {
  private static final int[] CHECKPOINTS = {25, 50, 100};

  private TuningComparison() {
  }

  /**
   * Runs one mode and prints a Markdown table.
   *
   * @param args mode and its numbers (see the class comment)
   */
  public static void main(String[] args) {
    String mode = args.length > 0 ? args[0] : "quality";
    switch (mode) {
      case "quality" -> quality(intArg(args, 1, 30), intArg(args, 2, 100),
          List.of((args.length > 3 ? args[3] : "random,tpe").split(",")),
          args.length > 4 && !args[4].equals("all") ? List.of(args[4].split(","))
              : Objectives.ALL.stream().map(Objectives.Named::name).toList(),
          intArg(args, 5, 0));
      case "timing" -> timing(intArg(args, 1, 30));
      case "pruning" -> pruning(intArg(args, 1, 10), intArg(args, 2, 100), intArg(args, 3, 100));
      default -> throw new IllegalArgumentException("unknown mode '" + mode + "': quality, timing or pruning");
    }
  }

  private static int intArg(String[] args, int i, int dflt) {
    return args.length > i ? Integer.parseInt(args[i]) : dflt;
  }

  static Sampler sampler(String kind, long seed) {
    return switch (kind) {
      case "random" -> new RandomSampler(seed);
      case "tpe" -> new TpeSampler(seed);
      case "tpe-optuna31" -> new TpeSampler(TpeSampler.optuna31Options(seed));
      case "tpe-multivariate" -> new TpeSampler(TpeSampler.optuna31Options(seed).withMultivariate(true));
      case "tpe-c64" -> new TpeSampler(TpeSampler.optuna31Options(seed).withCandidates(64));
      case "tpe-c128" -> new TpeSampler(TpeSampler.optuna31Options(seed).withCandidates(128));
      case "tpe-textbook" -> new TpeSampler(TpeSampler.optuna31Options(seed).withBandwidthWeightedScore(false));
      default -> {
        if (!kind.startsWith("tpe/")) {
          throw new IllegalArgumentException("unknown sampler '" + kind + "'");
        }
        yield new TpeSampler(variant(kind, seed));
      }
    };
  }

  /**
   * A TPE variant for ablations, {@code tpe/} followed by {@code /}-separated changes to Optuna
   * 3.1's defaults ({@link TpeSampler#optuna31Options}; the current default is
   * {@code tpe/mv/nb/tb/ep/pw2/g0.15}): {@code mv} multivariate, {@code jc} joint with categoricals, {@code nb} joint
   * bandwidths from neighbours, {@code nbc} from neighbours in the same categorical cell, {@code scott} joint bandwidths by Scott's rule, {@code ep}
   * endpoints, {@code nomc} no magic clip, {@code tb} textbook score, {@code st<n>} startup trials,
   * {@code c<n>} candidates, {@code pw<x>} prior weight, {@code g<x>} gamma = min(ceil(x n), 25).
   */
  static TpeSampler.Options variant(String kind, long seed) {
    TpeSampler.Options o = TpeSampler.optuna31Options(seed);
    for (String part : kind.substring(4).split("/")) {
      o = switch (part) {
        case "mv" -> o.withMultivariate(true);
        case "uv" -> o.withMultivariate(false).withJointWithCategoricals(false);
        case "jc" -> o.withJointWithCategoricals(true);
        case "nb" -> o.withJointBandwidth(TpeSampler.Bandwidth.NEIGHBOURS);
        case "nbc" -> o.withJointBandwidth(TpeSampler.Bandwidth.NEIGHBOURS_PER_CATEGORY);
        case "scott" -> o.withJointBandwidth(TpeSampler.Bandwidth.SCOTT);
        case "ep" -> o.withEndpoints(true);
        case "nomc" -> o.withMagicClip(false);
        case "tb" -> o.withBandwidthWeightedScore(false);
        default -> {
          if (part.startsWith("st")) {
            yield o.withStartupTrials(Integer.parseInt(part.substring(2)));
          } else if (part.startsWith("c")) {
            yield o.withCandidates(Integer.parseInt(part.substring(1)));
          } else if (part.startsWith("pw")) {
            yield o.withPriorWeight(Double.parseDouble(part.substring(2)));
          } else if (part.startsWith("g")) {
            double g = Double.parseDouble(part.substring(1));
            yield o.withGamma(n -> Math.min((int) Math.ceil(g * n), 25));
          }
          throw new IllegalArgumentException("unknown TPE variant '" + part + "' in '" + kind + "'");
        }
      };
    }
    return o;
  }

  static void quality(int seeds, int trials, List<String> samplers, List<String> objectives, int first) {
    System.out.println("| objective | sampler | best after 25: median [IQR] | after 50 | after 100 |");
    System.out.println("|---|---|---|---|---|");
    for (String name : objectives) {
      Objectives.Named o = Objectives.byName(name);
      for (String kind : samplers) {
        double[][] best = new double[CHECKPOINTS.length][seeds];
        double[] last = new double[seeds];
        for (int s = 0; s < seeds; s++) {
          Harness h = new Harness(sampler(kind, first + s));
          double b = Double.POSITIVE_INFINITY;
          for (int n = 1; n <= trials; n++) {
            b = Math.min(b, h.run(o));
            for (int c = 0; c < CHECKPOINTS.length; c++) {
              if (CHECKPOINTS[c] == n) {
                best[c][s] = b;
              }
            }
          }
          last[s] = b;
        }
        StringBuilder row = new StringBuilder("| " + o.name() + " | " + kind);
        for (int c = 0; c < CHECKPOINTS.length; c++) {
          double[] col = best[c];
          if (CHECKPOINTS[c] > trials) {
            row.append(" | –");
            continue;
          }
          row.append(" | ").append(fmt(quantile(col, 0.5))).append(" [").append(fmt(quantile(col, 0.25)))
              .append(", ").append(fmt(quantile(col, 0.75))).append(']');
        }
        System.out.println(row.append(" |"));
        // per-seed best after the last trial, to stderr: for looking at a spread the quartiles hide
        System.err.println(o.name() + " " + kind + " per-seed best after " + trials + ": "
            + Arrays.toString(Arrays.stream(last)
                .mapToObj(v -> String.format(Locale.ROOT, "%.6g", v)).toArray()));
      }
    }
  }

  static void timing(int repeats) {
    System.out.println("| sampler | completed trials | params | median ms per trial | q1 | q3 | median CPU ms |");
    System.out.println("|---|---|---|---|---|---|---|");
    Objectives.Named o = Objectives.byName("hartmann6");
    ThreadMXBean cpu = ManagementFactory.getThreadMXBean();
    for (int n : new int[] {100, 1000}) {
      Harness fill = new Harness(new RandomSampler(1));
      for (int i = 0; i < n; i++) {
        fill.run(o);
      }
      for (String kind : List.of("random", "tpe", "tpe-optuna31")) {
        Harness h = new Harness(sampler(kind, 7));
        h.trials().addAll(fill.trials());
        double[] ms = new double[repeats];
        double[] cpuMs = new double[repeats];
        for (int r = -repeats; r < repeats; r++) {
          long c0 = cpu.getCurrentThreadCpuTime();
          long t0 = System.nanoTime();
          Harness.Bare t = h.start();
          for (int j = 0; j < 6; j++) {
            t.suggestFloat("x" + j, 0, 1, false);
          }
          long t1 = System.nanoTime();
          long c1 = cpu.getCurrentThreadCpuTime();
          if (r >= 0) {
            ms[r] = (t1 - t0) / 1e6;
            cpuMs[r] = (c1 - c0) / 1e6;
          }
        }
        System.out.println("| " + kind + " | " + n + " | 6 | " + fmt(quantile(ms, 0.5)) + " | "
            + fmt(quantile(ms, 0.25)) + " | " + fmt(quantile(ms, 0.75)) + " | " + fmt(quantile(cpuMs, 0.5)) + " |");
      }
    }
  }

  static void pruning(int seeds, int trials, int steps) {
    long[] run = new long[seeds];
    double[] bestPruned = new double[seeds];
    double[] bestFull = new double[seeds];
    int[] pruned = new int[seeds];
    for (int s = 0; s < seeds; s++) {
      for (boolean prune : new boolean[] {true, false}) {
        Pruner pruner = prune ? new SuccessiveHalvingPruner(1, 4, 0) : Pruner.none();
        Harness h = new Harness(new RandomSampler(s));
        double best = Double.POSITIVE_INFINITY;
        for (int i = 0; i < trials; i++) {
          Harness.Bare t = h.start();
          double x = t.suggestFloat("x", 0, 1, false);
          double r = t.suggestFloat("r", 1e-3, 1, true);
          double v = Double.NaN;
          boolean stopped = false;
          for (long step = 1; step <= steps; step++) {
            v = Objectives.curve(x, r, step);
            t.intermediate.put(step, v);
            if (prune) {
              run[s]++;
            }
            if (pruner.prune(h.history(), t.snapshot(TrialState.RUNNING, Optional.empty())).isPresent()) {
              stopped = true;
              break;
            }
          }
          if (stopped) {
            pruned[s]++;
            h.end(t, TrialState.PRUNED, Optional.empty());
          } else {
            h.end(t, TrialState.COMPLETE, Optional.of(v));
            best = Math.min(best, v);
          }
        }
        if (prune) {
          bestPruned[s] = best;
        } else {
          bestFull[s] = best;
        }
      }
    }
    double[] saved = new double[seeds];
    double[] prunedShare = new double[seeds];
    for (int s = 0; s < seeds; s++) {
      saved[s] = 1 - run[s] / (double) (trials * (long) steps);
      prunedShare[s] = pruned[s] / (double) trials;
    }
    System.out.println("| pruner | seeds | steps saved: median [IQR] | trials pruned | best with pruning: median [IQR] | best without pruning |");
    System.out.println("|---|---|---|---|---|---|");
    System.out.println("| mlops SuccessiveHalvingPruner(1, 4, 0) | " + seeds + " | " + iqr(saved) + " | "
        + iqr(prunedShare) + " | " + iqr(bestPruned) + " | " + iqr(bestFull) + " |");
  }

  private static String iqr(double[] xs) {
    return fmt(quantile(xs, 0.5)) + " [" + fmt(quantile(xs, 0.25)) + ", " + fmt(quantile(xs, 0.75)) + "]";
  }

  /** Linear-interpolation quantile, as numpy's default. */
  static double quantile(double[] xs, double q) {
    double[] s = xs.clone();
    Arrays.sort(s);
    double pos = q * (s.length - 1);
    int lo = (int) Math.floor(pos);
    int hi = Math.min(lo + 1, s.length - 1);
    return s[lo] + (pos - lo) * (s[hi] - s[lo]);
  }

  static String fmt(double v) {
    return String.format(Locale.ROOT, "%.4g", v);
  }
}
