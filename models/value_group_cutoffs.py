#!/usr/bin/python3
"""The figures behind the value groups' default cut-offs (docs/value-model.md):
the demo world's distributions of the four columns the rule reads, 3-month
churn by band at the training snapshot, and the groups' outcomes out of time
at the evaluation snapshot.  Reads what `make demo` leaves in build/demo
(features_train.csv at 2024-10-01, features_eval.csv at 2025-04-01,
world/truth.csv); the rule is computed here with pandas, independently of
value_group.c.  Usage: models/value_group_cutoffs.py [DEMO_DIR]"""
import sys

import numpy as np
import pandas as pd

DEMO = sys.argv[1] if len(sys.argv) > 1 else "build/demo"
QUANTILES = [0.1, 0.2, 0.25, 0.5, 0.75, 0.8, 0.9]
BANDS = {
    "active_day_share": [0, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.4, 0.5, 0.7, 1.01],
    "core_clicks_per_user": [0, 1, 10, 25, 50, 75, 100, 150, 200, 300, np.inf],
    "feature_breadth": [0, 2, 4, 6, 8, 10, 12, 14, 21],
}


def groups(f, lo=6, hi=9, act=0.15, depth=100, breadth=10):
    """at_risk, high_value, potential, engaged: the first that holds; an
    empty NPS is neither low nor high (NaN compares false)."""
    risk = (f.nps_avg <= lo) | (f.active_day_share < act)
    deep = (f.core_clicks_per_user >= depth) & (f.feature_breadth >= breadth)
    return pd.Series(np.where(risk, "at_risk", np.where(~deep, "potential", np.where(
        f.nps_avg >= hi, "high_value", "engaged"))), index=f.index)


truth = pd.read_csv("%s/world/truth.csv" % DEMO)[["account_id", "segment"]]
train = pd.read_csv("%s/features_train.csv" % DEMO)
print("training snapshot: %d accounts, 3-month churn %.1f%%, no NPS answer %.1f%%"
      % (len(train), 100 * train.churned_3m.mean(), 100 * train.nps_avg.isna().mean()))
for col, bands in BANDS.items():
    x = train[col]
    print("\n%s: %s" % (col, ", ".join("q%02d %.3g" % (100 * q, x.quantile(q)) for q in QUANTILES)))
    by = train.groupby(pd.cut(x, bands, right=False), observed=True)
    print(by.agg(accounts=("account_id", "size"), churn_3m=("churned_3m", "mean"),
                 mean_nps=("nps_avg", "mean")).round(3).to_string())
print("\nat the defaults: %.1f%% below 0.15 active-day share, %.1f%% at 100+ core clicks per user,"
      " %.1f%% at 10+ features" % (100 * (train.active_day_share < 0.15).mean(),
                                   100 * (train.core_clicks_per_user >= 100).mean(),
                                   100 * (train.feature_breadth >= 10).mean()))

for name in ("train", "eval"):
    f = pd.read_csv("%s/features_%s.csv" % (DEMO, name)).merge(truth, on="account_id")
    f["group"] = groups(f)
    t = f.groupby("group").agg(accounts=("account_id", "size"), churn_3m=("churned_3m", "mean"),
                               churn_6m=("churned_6m", "mean"),
                               value_change_6m=("value_change_6m", "mean"),
                               high_value_label=("high_value", "mean"),
                               no_nps=("nps_avg", lambda s: s.isna().mean()),
                               pseudo_active=("segment", lambda s: (s == "pseudo_active").sum()))
    t.insert(1, "share", t.accounts / len(f))
    print("\nvalue groups at the %s snapshot (%d accounts; 3-month churn %.1f%%, 6-month %.1f%%, "
          "mean 6-month MRR change %+.1f):" % (name, len(f), 100 * f.churned_3m.mean(),
                                               100 * f.churned_6m.mean(), f.value_change_6m.mean()))
    print(t.round(3).to_string())
