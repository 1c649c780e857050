#!/usr/bin/env python3
"""The Optuna half of the side-by-side comparison (mlops issue 16, item 6).

Defines the same objectives as benchmarks/src/main/java/dev/mlops/benchmarks/tuning/Objectives.java
and prints the same Markdown tables as TuningComparison. A reference run by hand, never by CI.

  /usr/bin/python3 benchmarks/optuna/compare.py quality [seeds] [trials] [samplers] [objectives] [first seed]
  /usr/bin/python3 benchmarks/optuna/compare.py timing [repeats]
  /usr/bin/python3 benchmarks/optuna/compare.py pruning [seeds] [trials] [steps]
"""
import math
import sys
import time
import warnings

import numpy as np
import optuna

optuna.logging.set_verbosity(optuna.logging.WARNING)
warnings.filterwarnings("ignore", category=optuna.exceptions.ExperimentalWarning)

CHECKPOINTS = (25, 50, 100)


def branin(t):
    x1 = t.suggest_float("x1", -5, 10)
    x2 = t.suggest_float("x2", 0, 15)
    b = 5.1 / (4 * math.pi * math.pi)
    c = 5 / math.pi
    s = 10
    tt = 1 / (8 * math.pi)
    u = x2 - b * x1 * x1 + c * x1 - 6
    return u * u + s * (1 - tt) * math.cos(x1) + s


H_ALPHA = [1.0, 1.2, 3.0, 3.2]
H_A = [[10, 3, 17, 3.5, 1.7, 8], [0.05, 10, 17, 0.1, 8, 14], [3, 3.5, 1.7, 10, 17, 8], [17, 8, 0.05, 10, 0.1, 14]]
H_P = [[0.1312, 0.1696, 0.5569, 0.0124, 0.8283, 0.5886], [0.2329, 0.4135, 0.8307, 0.3736, 0.1004, 0.9991],
       [0.2348, 0.1451, 0.3522, 0.2883, 0.3047, 0.6650], [0.4047, 0.8828, 0.8732, 0.5743, 0.1091, 0.0381]]


def hartmann6(t):
    x = [t.suggest_float("x%d" % j, 0, 1) for j in range(6)]
    total = 0.0
    for i in range(4):
        inner = sum(H_A[i][j] * (x[j] - H_P[i][j]) ** 2 for j in range(6))
        total += H_ALPHA[i] * math.exp(-inner)
    return -total


def rosenbrock4(t):
    x = [t.suggest_float("x%d" % j, -5, 10) for j in range(4)]
    return sum(100 * (x[j + 1] - x[j] * x[j]) ** 2 + (1 - x[j]) ** 2 for j in range(3))


def mixed(t):
    x = t.suggest_float("x", -5, 5)
    kind = t.suggest_categorical("kind", ["quad", "sin", "abs"])
    if kind == "quad":
        a = t.suggest_float("a", 0.1, 10, log=True)
        la = math.log10(a) - 0.5
        return (x - 1) ** 2 + la * la
    if kind == "sin":
        b = t.suggest_int("b", 1, 10)
        return 0.5 + 0.1 * (x + 2) ** 2 + 0.1 * abs(b - 7)
    return 1 + abs(x)


def curve(x, r, step):
    lr = math.log10(r) + 2
    fin = (x - 0.3) ** 2 + lr * lr / 4
    return fin + (1 + 2 * x) * math.exp(-r * step)


OBJECTIVES = [("branin", branin), ("hartmann6", hartmann6), ("rosenbrock4", rosenbrock4), ("mixed", mixed)]


def sampler(kind, seed):
    if kind == "random":
        return optuna.samplers.RandomSampler(seed=seed)
    if kind == "tpe-multivariate":
        return optuna.samplers.TPESampler(seed=seed, multivariate=True, warn_independent_sampling=False)
    return optuna.samplers.TPESampler(seed=seed)  # defaults otherwise


def fmt(v):
    return "%.4g" % v


def iqr(xs):
    q1, q2, q3 = np.quantile(np.asarray(xs, dtype=float), [0.25, 0.5, 0.75])
    return "%s [%s, %s]" % (fmt(q2), fmt(q1), fmt(q3))


def quality(seeds, trials, samplers=("random", "tpe"), objectives=None, first=0):
    print("| objective | sampler | best after 25: median [IQR] | after 50 | after 100 |")
    print("|---|---|---|---|---|")
    for name, f in OBJECTIVES:
        if objectives is not None and name not in objectives:
            continue
        for kind in samplers:
            best = [[] for _ in CHECKPOINTS]
            lasts = []
            for s in range(first, first + seeds):
                study = optuna.create_study(sampler=sampler(kind, s), direction="minimize")
                b = math.inf
                for n in range(1, trials + 1):
                    t = study.ask()
                    v = f(t)
                    study.tell(t, v)
                    b = min(b, v)
                    for c, cp in enumerate(CHECKPOINTS):
                        if cp == n:
                            best[c].append(b)
                lasts.append(b)
            print("| %s | %s | %s |" % (name, kind, " | ".join(iqr(col) if col else "–" for col in best)))
            # per-seed best after the last trial, to stderr (as TuningComparison does)
            print("%s %s per-seed best after %d: [%s]" % (name, kind, trials, ", ".join("%.6g" % v for v in lasts)),
                  file=sys.stderr)
            sys.stdout.flush()


def timing(repeats):
    print("| sampler | completed trials | params | median ms per trial | q1 | q3 | median CPU ms |")
    print("|---|---|---|---|---|---|---|")
    dists = {"x%d" % j: optuna.distributions.FloatDistribution(0, 1) for j in range(6)}
    for n in (100, 1000):
        fill = optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=1))
        for _ in range(n):
            t = fill.ask()
            fill.tell(t, hartmann6(t))
        completed = fill.get_trials(deepcopy=False)
        for kind in ("random", "tpe"):
            study = optuna.create_study(sampler=sampler(kind, 7))
            study.add_trials(completed)
            ms = []
            cpu_ms = []
            for r in range(-repeats, repeats):
                c0 = time.thread_time()
                t0 = time.perf_counter()
                # fixed_distributions makes ask() sample all six parameters, as a suggest_* each would
                t = study.ask(fixed_distributions=dists)
                t1 = time.perf_counter()
                c1 = time.thread_time()
                # FAIL: TPE does not read failed trials, so the history stays at n completed trials
                study.tell(t, state=optuna.trial.TrialState.FAIL)
                if r >= 0:
                    ms.append((t1 - t0) * 1e3)
                    cpu_ms.append((c1 - c0) * 1e3)
            q1, q2, q3 = np.quantile(ms, [0.25, 0.5, 0.75])
            print("| %s | %d | 6 | %s | %s | %s | %s |"
                  % (kind, n, fmt(q2), fmt(q1), fmt(q3), fmt(np.median(cpu_ms))))
            sys.stdout.flush()


def pruning(seeds, trials, steps):
    saved, pruned_share, best_pruned, best_full = [], [], [], []
    for s in range(seeds):
        for prune in (True, False):
            pruner = (optuna.pruners.SuccessiveHalvingPruner(min_resource=1, reduction_factor=4,
                                                             min_early_stopping_rate=0)
                      if prune else optuna.pruners.NopPruner())
            study = optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=s), pruner=pruner)
            run = 0
            npruned = 0
            best = math.inf
            for _ in range(trials):
                t = study.ask()
                x = t.suggest_float("x", 0, 1)
                r = t.suggest_float("r", 1e-3, 1, log=True)
                v = math.nan
                stopped = False
                for step in range(1, steps + 1):
                    v = curve(x, r, step)
                    t.report(v, step)
                    run += 1
                    if t.should_prune():
                        stopped = True
                        break
                if stopped:
                    npruned += 1
                    study.tell(t, state=optuna.trial.TrialState.PRUNED)
                else:
                    study.tell(t, v)
                    best = min(best, v)
            if prune:
                saved.append(1 - run / (trials * steps))
                pruned_share.append(npruned / trials)
                best_pruned.append(best)
            else:
                best_full.append(best)
    print("| pruner | seeds | steps saved: median [IQR] | trials pruned | best with pruning: median [IQR] | best without pruning |")
    print("|---|---|---|---|---|---|")
    print("| Optuna SuccessiveHalvingPruner(1, 4, 0) | %d | %s | %s | %s | %s |"
          % (seeds, iqr(saved), iqr(pruned_share), iqr(best_pruned), iqr(best_full)))


def main(argv):
    mode = argv[1] if len(argv) > 1 else "quality"
    nums = [int(a) for a in argv[2:] if a.isdigit()]
    print("optuna %s" % optuna.__version__, file=sys.stderr)
    if mode == "quality":
        # optional third argument: comma-separated samplers (random, tpe, tpe-multivariate)
        # optional fourth argument: comma-separated objectives (default all four)
        kinds = argv[4].split(",") if len(argv) > 4 else ("random", "tpe")
        objectives = argv[5].split(",") if len(argv) > 5 and argv[5] != "all" else None
        # optional fifth argument: the first seed (default 0; 1000 for the held-out seeds)
        first = int(argv[6]) if len(argv) > 6 else 0
        nums = [int(a) for a in argv[2:4]]
        quality(*(nums or [30, 100]), samplers=kinds, objectives=objectives, first=first)
    elif mode == "timing":
        timing(*(nums or [30]))
    elif mode == "pruning":
        pruning(*(nums or [10, 100, 100]))
    else:
        raise SystemExit("unknown mode %r: quality, timing or pruning" % mode)


if __name__ == "__main__":
    main(sys.argv)
