#!/usr/bin/env python3
"""Independent reference values for mlops-explain's golden tests.

Run once by a developer (not in CI):
    /usr/bin/python3 explain_reference.py      # Debian: python3-numpy python3-pandas python3-sklearn
It writes, next to itself:
  bias_data.csv         a generated credit data set with a planted bias against sex = female
  bias_expected.json    every Clarify bias metric for two specs, computed here from the definitions
  perm_data.csv         features and targets for permutation importance
  perm_expected.json    scikit-learn's permutation_importance of a fixed model on that data

The metric code below is written from the SageMaker Clarify documentation's formulas with
pandas/numpy/scikit-learn primitives; it shares no code with the Java implementation.
"""
import json
import os

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.inspection import permutation_importance
from sklearn.metrics import accuracy_score, confusion_matrix, precision_score, recall_score

HERE = os.path.dirname(os.path.abspath(__file__))
rng = np.random.default_rng(20261203)

# ---------------------------------------------------------------- bias data set
n = 3000
sex = np.where(rng.random(n) < 0.35, "female", "male")
age = np.round(rng.normal(40, 12, n).clip(18, 80), 1)
dept = rng.choice(["A", "B", "C", "D"], size=n, p=[0.4, 0.3, 0.2, 0.1])
income = np.round(rng.lognormal(10.5, 0.5, n), 2)
dept_effect = pd.Series(dept).map({"A": 0.4, "B": 0.0, "C": -0.3, "D": -0.8}).to_numpy()
z = 0.9 * (np.log(income) - 10.5) / 0.5 + 0.02 * (age - 40) + dept_effect - 0.7 * (sex == "female")
y = (rng.random(n) < 1 / (1 + np.exp(-z))).astype(int)
# the model's score: sees income, age, dept and (plantedly) sex
zs = 0.8 * (np.log(income) - 10.5) / 0.5 + 0.015 * (age - 40) + dept_effect - 0.9 * (sex == "female") + rng.normal(0, 0.5, n)
score = np.round(1 / (1 + np.exp(-zs)), 6)
df = pd.DataFrame({"sex": sex, "age": age, "dept": dept, "income": income, "y": y, "score": score})
df.to_csv(os.path.join(HERE, "bias_data.csv"), index=False)


def kl(p, q):
    m = p > 0
    if np.any(q[m] == 0):
        return None
    return float(np.sum(p[m] * np.log(p[m] / q[m])))


def cdd(outcome, d, groups):
    total = 0.0
    for g in pd.unique(groups):
        sel = groups == g
        o, dd = outcome[sel], d[sel]
        n0, n1 = (o == 0).sum(), (o == 1).sum()
        if n0 == 0 or n1 == 0:
            return None
        total += sel.sum() * (((o == 0) & dd).sum() / n0 - ((o == 1) & dd).sum() / n1)
    return float(total / len(outcome))


def flip_test(features, d, yhat, k):
    x = features.to_numpy(dtype=float)
    x = (x - x.mean(axis=0)) / x.std(axis=0)  # population std, as documented
    xa, ya = x[~d], yhat[~d]
    f_plus = f_minus = 0
    for i in np.flatnonzero(d):
        dist = ((xa - x[i]) ** 2).sum(axis=1)
        nearest = np.argsort(dist, kind="stable")[:k]
        votes = ya[nearest].sum()
        if yhat[i] == 0 and 2 * votes > k:
            f_plus += 1
        elif yhat[i] == 1 and 2 * votes < k:
            f_minus += 1
    return (f_plus - f_minus) / d.sum()


def metrics(d, y, yhat, groups, ft_features, k=5):
    a = ~d
    na, nd = a.sum(), d.sum()
    qa, qd = y[a].mean(), y[d].mean()
    pa, pd_ = np.array([1 - qa, qa]), np.array([1 - qd, qd])
    mid = (pa + pd_) / 2
    out = {
        "CI": (na - nd) / (na + nd),
        "DPL": qa - qd,
        "KL": kl(pa, pd_),
        "JS": 0.5 * (kl(pa, mid) + kl(pd_, mid)),
        "LP": float(np.linalg.norm(pa - pd_, 2)),
        "TVD": 0.5 * float(np.abs(pa - pd_).sum()),
        "KS": float(np.abs(pa - pd_).max()),
        "CDDL": cdd(y, d, groups),
    }
    tn_a, fp_a, fn_a, tp_a = confusion_matrix(y[a], yhat[a], labels=[0, 1]).ravel()
    tn_d, fp_d, fn_d, tp_d = confusion_matrix(y[d], yhat[d], labels=[0, 1]).ravel()
    b = yhat - y + 1
    mu = b.mean()
    out.update({
        "DPPL": yhat[a].mean() - yhat[d].mean(),
        "DI": yhat[d].mean() / yhat[a].mean(),
        "DCA": y[a].sum() / yhat[a].sum() - y[d].sum() / yhat[d].sum(),
        "DCR": (1 - y[d]).sum() / (1 - yhat[d]).sum() - (1 - y[a]).sum() / (1 - yhat[a]).sum(),
        "RD": recall_score(y[a], yhat[a]) - recall_score(y[d], yhat[d]),
        "DAR": precision_score(y[a], yhat[a]) - precision_score(y[d], yhat[d]),
        "DRR": tn_d / (tn_d + fn_d) - tn_a / (tn_a + fn_a),
        "AD": accuracy_score(y[a], yhat[a]) - accuracy_score(y[d], yhat[d]),
        "TE": fn_d / fp_d - fn_a / fp_a,
        "FT": flip_test(ft_features, d, yhat, k) if ft_features is not None else None,
        "CDDPL": cdd(yhat, d, groups),
        "GE": float(((b / mu) ** 2 - 1).mean() / 2),
    })
    return {key: (None if v is None else float(v)) for key, v in out.items()}


yv = df["y"].to_numpy()
yhat = (df["score"].to_numpy() > 0.5).astype(int)
expected = {
    # facet sex = female, label y = 1, prediction score > 0.5, CDDL/CDDPL by dept, FT on age and income (k = 5)
    "sex_female": metrics((df["sex"] == "female").to_numpy(), yv, yhat, df["dept"].to_numpy(), df[["age", "income"]]),
    # facet age > 50 (threshold), no group column (CDD over the whole data set), no flip test
    "age_over_50": metrics((df["age"] > 50).to_numpy(), yv, yhat, np.zeros(n, dtype=int), None),
}
with open(os.path.join(HERE, "bias_expected.json"), "w") as f:
    json.dump(expected, f, indent=2, sort_keys=True)

# ---------------------------------------------------------------- permutation importance
m = 400
X = rng.normal(0, 1, (m, 5))
X[:, 2] = rng.uniform(-2, 2, m)
target = 1.0 * X[:, 0] - 2.0 * X[:, 1] + 0.5 * X[:, 2] * X[:, 3] + 0.3 + rng.normal(0, 0.5, m)


class FixedModel(RegressorMixin, BaseEstimator):
    """f(x) = 0.3 + 1.0 x0 - 2.0 x1 + 0.5 x2 x3 + 0 x4; the Java test implements the same formula."""

    def fit(self, X, y):
        self.fitted_ = True
        return self

    def predict(self, X):
        X = np.asarray(X)
        return 0.3 + 1.0 * X[:, 0] - 2.0 * X[:, 1] + 0.5 * X[:, 2] * X[:, 3] + 0.0 * X[:, 4]


model = FixedModel().fit(X, target)
repeats = 30
result = permutation_importance(model, X, target, scoring="r2", n_repeats=repeats, random_state=0)
pd.DataFrame(np.column_stack([X, target]), columns=["x0", "x1", "x2", "x3", "x4", "y"]).to_csv(
    os.path.join(HERE, "perm_data.csv"), index=False)
with open(os.path.join(HERE, "perm_expected.json"), "w") as f:
    json.dump({
        "scoring": "r2",
        "n_repeats": repeats,
        "baseline_score": float(model.score(X, target)),
        "importances_mean": result.importances_mean.tolist(),
        "importances_std": result.importances_std.tolist(),
    }, f, indent=2)
print("wrote", sorted(p for p in os.listdir(HERE) if not p.endswith(".py")))
