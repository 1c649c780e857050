#!/usr/bin/python3
"""Generates the golden data set and its reference statistics for mlops-data's GoldenStatisticsTest.

Run once with Debian's python3-pandas (apt-get install -y python3-pandas), from this directory:
    /usr/bin/python3 make_golden.py
It writes mixed.csv (the data) and mixed-expected.json (the reference). Not run in CI.
"""
import json
import math

import numpy as np
import pandas as pd

rng = np.random.default_rng(20261203)
n = 5000
letters = list("abcdefghijklmnopqrstuvwxyzé")
df = pd.DataFrame({
    "id": np.arange(1, n + 1),
    "normal": rng.normal(50.0, 10.0, n),
    "lognormal": rng.lognormal(0.0, 1.0, n) * 1000.0,
    "small_int": rng.integers(0, 10, n),
    "category": rng.choice(["red", "green", "blue", "yellow"], n, p=[0.4, 0.3, 0.2, 0.1]),
    "flag": rng.random(n) < 0.3,
    "name": ["".join(rng.choice(letters, int(rng.integers(3, 13)))) for _ in range(n)],
    "ts": [(pd.Timestamp("2024-01-01T00:00:00Z") + pd.Timedelta(seconds=int(s))).strftime("%Y-%m-%dT%H:%M:%SZ")
           for s in rng.integers(0, 86400 * 365, n)],
})
df.loc[rng.random(n) < 0.03, "normal"] = np.nan
df["category"] = df["category"].astype(object)
df.loc[rng.random(n) < 0.02, "category"] = None
df.to_csv("mixed.csv", index=False, lineterminator="\n")

# Read back exactly as a user would, so the reference sees the file's values.
back = pd.read_csv("mixed.csv", float_precision="round_trip", keep_default_na=False,
                   na_values=["", "NA", "N/A", "NaN", "nan", "null", "NULL", "None"])
ranks = [i / 1000 for i in range(1001)]
out = {"rows": int(len(back)), "columns": {}}
for col in back.columns:
    s = back[col]
    present = s.dropna()
    c = {"count": int(present.shape[0]), "missing": int(s.isna().sum()), "distinct": int(present.nunique())}
    if col in ("id", "normal", "lognormal", "small_int"):
        values = present.astype(float).to_numpy()
        exact_sum = math.fsum(values)
        c.update({
            "sum": exact_sum,
            "mean": exact_sum / len(values),
            "std": float(present.astype(float).std(ddof=1)),
            "min": float(values.min()),
            "max": float(values.max()),
            # numpy's inverted_cdf is the smallest value whose CDF >= rank: the KLL sketch's
            # INCLUSIVE quantile when the sketch is exact.
            "quantiles": [float(np.quantile(values, r, method="inverted_cdf")) for r in ranks],
        })
    if col in ("category", "name"):
        lengths = present.str.len()
        c.update({"minLength": int(lengths.min()), "maxLength": int(lengths.max())})
        vc = present.value_counts()
        c["valueCounts"] = {str(k): int(v) for k, v in vc.items()} if col == "category" else {}
    if col == "flag":
        c["trueCount"] = int(present.sum())
    if col == "ts":
        c["first"] = str(present.min())
        c["last"] = str(present.max())
    out["columns"][col] = c
out["provenance"] = {"pandas": pd.__version__, "numpy": np.__version__, "seed": 20261203,
                     "script": "make_golden.py"}
with open("mixed-expected.json", "w") as f:
    json.dump(out, f, indent=1)
print("wrote mixed.csv and mixed-expected.json with pandas", pd.__version__, "numpy", np.__version__)
