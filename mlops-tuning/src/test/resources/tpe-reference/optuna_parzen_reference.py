#!/usr/bin/env python3
"""Reference values for mlops-tuning's TPE tests, computed once with Optuna 3.1's own code.

Run: /usr/bin/python3 optuna_parzen_reference.py > optuna_parzen_reference.txt
(Debian's python3-optuna 3.1.0; see README.md here). Each output line is
  <case> <field> <numbers separated by spaces>
fields: weights (normalized, prior last), mus and sigmas (on Optuna's internal scale: log for log
parameters; prior last), logpdf (the estimator's log_pdf at the points of the `at` line).
gamma lists default_gamma(n) for the n of its `n` line; default_weights lists default_weights(30).
"""
import math

import numpy as np
import optuna
from optuna import distributions as d
from optuna.samplers._tpe import sampler as tpe
from optuna.samplers._tpe.parzen_estimator import _ParzenEstimator, _ParzenEstimatorParameters

assert optuna.__version__ == "3.1.0", optuna.__version__

# the defaults TPESampler() passes: consider_prior, prior_weight 1.0, magic clip on, endpoints off
PARAMS = _ParzenEstimatorParameters(True, 1.0, True, False, tpe.default_weights, False)

CASES = [
    # name, distribution, observations (internal representation), points to evaluate log_pdf at
    ("float", d.FloatDistribution(-5, 10), [-1.0, 2.5, 2.6, 9.0, 0.0], [-4.0, 0.0, 2.55, 7.0, 10.0]),
    ("logfloat", d.FloatDistribution(0.1, 10, log=True), [0.2, 3.0, 5.0], [0.15, 1.0, 4.0]),
    ("int", d.IntDistribution(1, 10), [7.0, 7.0, 3.0, 10.0], [1.0, 3.0, 7.0, 10.0]),
    ("categorical", d.CategoricalDistribution(["quad", "sin", "abs"]), [1.0, 1.0, 0.0], [0.0, 1.0, 2.0]),
    # 30 observations: the old ones' weights ramp down, magic clip range / 32
    ("float30", d.FloatDistribution(0, 1), [math.fmod(0.3 + 0.618034 * i, 1.0) for i in range(30)],
     [0.05, 0.5, 0.93]),
    ("empty", d.FloatDistribution(0, 1), [], [0.0, 0.25, 0.5]),
]


def line(case, field, values):
    print(case, field, " ".join(repr(float(v)) for v in values))


for name, dist, obs, at in CASES:
    pe = _ParzenEstimator({"x": np.asarray(obs, dtype=float)}, {"x": dist}, PARAMS)
    line(name, "obs", obs)
    line(name, "weights", pe._weights)
    if isinstance(dist, d.CategoricalDistribution):
        line(name, "catweights", np.asarray(pe._categorical_weights["x"]).ravel())
        pts = np.asarray(at, dtype=int)
    else:
        line(name, "mus", pe._mus["x"])
        line(name, "sigmas", pe._sigmas["x"])
        pts = np.asarray(at, dtype=float)
    line(name, "at", at)
    line(name, "logpdf", pe.log_pdf({"x": pts}))

ns = [0, 1, 9, 10, 11, 100, 250, 251, 1000]
line("gamma", "n", ns)
line("gamma", "value", [tpe.default_gamma(n) for n in ns])
line("default_weights", "30", tpe.default_weights(30))
