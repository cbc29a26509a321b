#!/usr/bin/env python3
"""A valid logistic model whose text column 'acct' has N levels (one
encoded column each), and rows to score with the scores they must get.

usage: wide_model.py BASE.json N OUT.json DATA.csv EXPECTED.csv

The model is base.json (x1, x2, plan) with 'acct' added; each level's
coefficient is a fixed function of its number, so that the expected
probability of a row is computed here independently of churnkit:
sigmoid(b0 + sum of b_j x_j) over the encoded row."""
import json
import math
import sys

base, n, out, data, expected = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5]
m = json.load(open(base))
levels = ["L%d" % i for i in range(n)]
m["features"].append({"name": "acct", "type": "categorical", "levels": levels,
                      "drop_first": False, "train_missing_share": 0.0,
                      "train_level_shares": [1.0 / n] * n})
m["encoded"] += ["acct=" + l for l in levels]


def coef(i):
    return ((i * 7919) % 1000) / 500.0 - 1.0


terms = m["coefficients"]["terms"]
m["coefficients"] = {"statistic": "z", "approximate": True,
                     "terms": [{"term": t["term"], "coef": t["coef"]} for t in terms] +
                              [{"term": "acct=" + l, "coef": coef(i)} for i, l in enumerate(levels)]}
json.dump(m, open(out, "w"))

feat = {f["name"]: f for f in m["features"]}
b = {t["term"]: t["coef"] for t in m["coefficients"]["terms"]}
with open(data, "w") as d, open(expected, "w") as e:
    d.write("id,x1,x2,plan,acct\n")
    for r in range(2000):
        i = (r * 499979) % n
        x1, x2, plan = (r % 17) / 4.0 - 2, (r % 13) / 2.0, ("basic", "pro")[r % 2]
        eta = b["(intercept)"] + b["plan=" + plan] + b["acct=L%d" % i]
        for name, v in (("x1", x1), ("x2", x2)):
            f = feat[name]
            eta += b[name] * (v - f["mean"]) / f["scale"]
        d.write("r%d,%g,%g,%s,L%d\n" % (r, x1, x2, plan, i))
        e.write("r%d,%.6f\n" % (r, 1 / (1 + math.exp(-eta))))
