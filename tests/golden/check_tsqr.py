#!/usr/bin/python3
"""The fourth deliberate change of the golden files (see make_golden.sh):
issue 22's TSQR folds rows into R with its own Householder reflections
(LAPACK dtpqrt's structure) instead of GSL's QR of the stacked matrix, so
the linear models' numbers move in their last bits.  This compares the OLS
golden model before and after with the exact least-squares solution on the
same standardized design (the doubles (x - mean) / scale that churnkit
builds, as rationals; Gaussian elimination in fractions):

    check_tsqr.py OLD_ols.json NEW_ols.json data/regression.csv

It prints each file's largest relative error; measured when the files were
remade: before 1.65e-15, after 1.69e-15 (the same accuracy, rounding)."""
import csv
import json
import sys
from fractions import Fraction as F


def design(model, path):
    feats = model["features"]
    X, Y = [], []
    for r in csv.DictReader(open(path)):
        x = [1.0]
        for f in feats[:3]:
            v = r[f["name"]]
            v = float(v) if v not in ("NA", "") else f["impute"]
            x.append((v - f["mean"]) / f["scale"])
        x += [1.0 if r["plan"] == "pro" else 0.0, 1.0 if r["plan"] == "team" else 0.0]
        X.append([F(a) for a in x])
        Y.append(F(float(r["value_change"])))
    return X, Y


def exact_ls(X, Y):
    p = len(X[0])
    M = [[sum(row[a] * row[b] for row in X) for b in range(p)] +
         [sum(row[a] * y for row, y in zip(X, Y))] for a in range(p)]
    for i in range(p):
        for j in range(i + 1, p):
            f = M[j][i] / M[i][i]
            M[j] = [M[j][k] - f * M[i][k] for k in range(p + 1)]
    b = [F(0)] * p
    for i in reversed(range(p)):
        b[i] = (M[i][p] - sum(M[i][k] * b[k] for k in range(i + 1, p))) / M[i][i]
    return b


def main():
    old, new = (json.load(open(p)) for p in sys.argv[1:3])
    assert old["features"] == new["features"], "the pipelines differ"
    b = exact_ls(*design(old, sys.argv[3]))
    for name, m in (("before", old), ("after", new)):
        co = [t["coef"] for t in m["coefficients"]["terms"]]
        err = max(abs(float(F(c) - e)) / abs(float(e)) for c, e in zip(co, b))
        print("%s: largest relative error %.3g" % (name, err))


if __name__ == "__main__":
    main()
