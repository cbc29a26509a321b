#!/usr/bin/python3
"""The check made once before the golden files of the four penalized models
(churn_6m, churn_3m, value_3m, ridge) were remade for issue 18, when a
penalized model began to keep a reference level out of each text column as
an unpenalized one does.  OLD_DIR holds the golden files as they were (kept
in tests/golden/legacy/, where test_golden.sh still scores them), NEW_DIR
the new build's, DATA_DIR the golden inputs.

For each model: the pipeline must be the old one but for the reference
levels (every text column's first level now without a column, every number
as it was); the new expected scores must be what the new model file says,
recomputed here from its JSON alone (symlog, imputation, standardization,
one-hot with the reference left out, the linear predictor, the logistic
function; to the 6 decimals churnkit-predict writes); and the old and new
scores are compared (printed: a penalty's split of a level effect between
the intercept and the levels moves the predictions a little).
Usage: check_reference.py OLD_DIR NEW_DIR DATA_DIR (exits 1 on any problem)."""
import csv
import json
import math
import os
import sys

MODELS = {"churn_6m": "accounts_score.csv", "churn_3m": "accounts_score.csv",
          "value_3m": "accounts_score.csv", "ridge": "regression_score.csv"}


def load(d, name):
    with open(os.path.join(d, "models", name + ".json")) as f:
        return json.load(f)


def check_pipeline(old, new, problems, name):
    want = list(old["encoded"])
    for fo, fn in zip(old["features"], new["features"]):
        if fo["type"] == "numeric":
            if fo != fn:
                problems.append("%s: numeric feature %s changed" % (name, fo["name"]))
            continue
        if fo["drop_first"] or not fn["drop_first"] or fo["levels"] != fn["levels"]:
            problems.append("%s: %s: expected the first level as the new reference" %
                            (name, fo["name"]))
        want.remove("%s=%s" % (fo["name"], fo["levels"][0]))
    if want != new["encoded"]:
        problems.append("%s: encoded columns are not the old ones less the first levels" % name)


def encode(model, row):
    x = []
    for f in model["features"]:
        v = row.get(f["name"], "")
        if f["type"] == "numeric":
            miss = v in ("", "NA")
            t = f["impute"] if miss else float(v)
            if not miss and f["transform"] == "symlog":
                t = math.copysign(math.log1p(abs(t)), t)
            x.append((t - f["mean"]) / f["scale"])
            if f["missing_indicator"]:
                x.append(1.0 if miss else 0.0)
        else:
            levels = f["levels"][1:] if f["drop_first"] else f["levels"]
            x += [1.0 if v == lv else 0.0 for lv in levels]
    return x


def score(model, row):
    beta = [t["coef"] for t in model["coefficients"]["terms"]]
    eta = beta[0] + sum(b * v for b, v in zip(beta[1:], encode(model, row)))
    return 1 / (1 + math.exp(-eta)) if model["task"] == "classification" else eta


def column(path, name):
    with open(path) as f:
        return [float(r[name]) for r in csv.DictReader(f)]


def main(old_dir, new_dir, data_dir):
    problems = []
    for name, data in MODELS.items():
        old, new = load(old_dir, name), load(new_dir, name)
        check_pipeline(old, new, problems, name)
        col = name + ("_prob" if new["task"] == "classification" else "_pred")
        with open(os.path.join(data_dir, data)) as f:
            rows = list(csv.DictReader(f))
        got = column(os.path.join(new_dir, "expected", name + ".csv"), col)
        was = column(os.path.join(old_dir, "expected", name + ".csv"), col)
        mine = [score(new, r) for r in rows]
        worst = max(abs(a - b) for a, b in zip(got, mine))
        if len(got) != len(rows) or worst > 5.1e-7:
            problems.append("%s: the new scores are not the new model's (%.3g)" % (name, worst))
        moved = max(abs(a - b) for a, b in zip(got, was))
        print("%-9s %d rows: new scores = the model file's to %.2g; moved from the old by at "
              "most %.4g" % (name, len(rows), worst, moved))
    for p in problems:
        print("PROBLEM:", p, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    sys.exit(main(*sys.argv[1:]))
