#!/usr/bin/python3
"""Generates edge.csv (numbers at the edges of double arithmetic and of CSV number syntax) and
edge-expected.json, its reference statistics, for mlops-data's GoldenEdgeStatisticsTest.

Run once with Debian's python3-pandas (apt-get install -y python3-pandas), from this directory:
    /usr/bin/python3 make_edge.py
Not run in CI. The reference covers the finite numbers of each column (mlops-data counts
infinities apart and leaves them out of the moments), read back from the file by pandas.
"""
import json
import math

import numpy as np
import pandas as pd

rng = np.random.default_rng(20261204)
n = 8000


def fmt(x):
    return repr(float(x))


offset = 1e9 + rng.normal(0.0, 1.0, n)            # cancellation: a naive sum of squares loses it all
tiny = rng.normal(0.0, 1.0, n) * 1e-150            # squares near 1e-300
huge = rng.normal(0.0, 1.0, n) * 1e150             # squares near 1e300
bigint = rng.integers(2**60, 2**62, n)             # 19-digit whole numbers, sums beyond 2^53
const = np.full(n, 0.1)                            # mean of equal values: must be the value
withinf = rng.normal(5.0, 2.0, n)
tokens = rng.random(n)
withinf_text = []
for v, t in zip(withinf, tokens):
    if t < 0.004:
        withinf_text.append("inf")
    elif t < 0.008:
        withinf_text.append("-Infinity")
    elif t < 0.012:
        withinf_text.append("Infinity")
    elif t < 0.03:
        withinf_text.append("NaN")
    elif t < 0.04:
        withinf_text.append("")
    else:
        withinf_text.append(fmt(v))
counts = rng.geometric(0.2, n) - 1                 # few distinct values: counted exactly

with open("edge.csv", "w", newline="") as f:
    f.write("offset,tiny,huge,bigint,const,withinf,counts\r\n")     # CRLF line ends
    for i in range(n):
        f.write(",".join([fmt(offset[i]), fmt(tiny[i]), fmt(huge[i]), str(int(bigint[i])), fmt(const[i]),
                          withinf_text[i], str(int(counts[i]))]) + "\r\n")

back = pd.read_csv("edge.csv", float_precision="round_trip", keep_default_na=False,
                   na_values=["", "NA", "N/A", "NaN", "nan", "null", "NULL", "None"])
ranks = [i / 1000 for i in range(1001)]
out = {"rows": int(len(back)), "columns": {}}
for col in back.columns:
    s = back[col]
    if s.dtype == object:   # pandas leaves "Infinity" as text: parse the column's words itself
        s = s.map(lambda x: float(x) if isinstance(x, str) else x).astype(float)
    missing = int(s.isna().sum())
    finite = s[np.isfinite(s.astype(float))]
    values = finite.astype(float).to_numpy()
    exact_sum = math.fsum(values)
    c = {"missing": missing, "numeric": int(len(values)), "infinite": int(len(s) - missing - len(values)),
         "sum": exact_sum, "mean": exact_sum / len(values),
         "std": float(np.std(values, ddof=1)),
         "min": float(values.min()), "max": float(values.max()),
         "distinct": int(len(set(values.tolist())) + (1 if (s == np.inf).any() else 0) + (1 if (s == -np.inf).any() else 0)),
         "quantiles": [float(np.quantile(values, r, method="inverted_cdf")) for r in ranks]}
    if col == "bigint":
        c["sum"] = float(sum(int(v) for v in back[col]))   # exact integer sum, rounded once
        c["mean"] = c["sum"] / len(values)
        # std of the exact integers: two-pass over Python ints, rounded once
        ints = [int(v) for v in back[col]]
        m = sum(ints) / len(ints)
        c["std"] = math.sqrt(math.fsum((v - m) ** 2 for v in ints) / (len(ints) - 1))
    out["columns"][col] = c
out["provenance"] = {"pandas": pd.__version__, "numpy": np.__version__, "seed": 20261204, "script": "make_edge.py"}
with open("edge-expected.json", "w") as f:
    json.dump(out, f, indent=1)
print("wrote edge.csv and edge-expected.json with pandas", pd.__version__, "numpy", np.__version__)
