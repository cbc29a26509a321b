"""The Python package's scoring speed (issue 20): churnkit.Model.predict on
a DataFrame against scikit-learn's predict_proba on the same frame, in one
process, the data already in memory (no files on either side).

Workload: ROWS rows (default 1,000,000; CK_BENCH_PY_ROWS to change) of 20
numeric features from a seeded generator; a logistic model fitted on the
first 100,000 rows by each (churnkit.train; StandardScaler +
LogisticRegression, scikit-learn's C = 1/L with L = 1).  Timed: predict
(probabilities and labels, 6 decimals as churnkit-predict writes them),
predict with 3 reasons, and predict_proba; median of 5 runs, interleaved.
Target: Model.predict at most scikit-learn's time.  The frame's columns are
copied once, into the table's column-major buffer (8 bytes a cell); the
resident set size before and after each call is reported.
The section of RESULTS.md is written only at a million rows or more."""
import os
import statistics
import sys
import time

import numpy as np
import pandas as pd
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

import harness as h

sys.path.insert(0, os.path.join(h.ROOT, "python"))
import churnkit  # noqa: E402


def rss_mb():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def frame(rows, seed=42):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(rows, 20))
    beta = np.linspace(-1, 1, 20)
    y = (rng.random(rows) < 1 / (1 + np.exp(-(x @ beta - 1.5)))).astype(np.int64)
    # column by column, as pandas.read_csv (or a Parquet reader) lays a frame
    # out: each column one contiguous array.  A frame made from a row-major
    # 2D array (pd.DataFrame(x)) holds strided columns instead, which the
    # table copies once into its column-major buffer.
    cols = {f"x{j}": np.ascontiguousarray(x[:, j]) for j in range(20)}
    cols["y"] = y
    return pd.DataFrame(cols)


def timed(fn, runs):
    out = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t)
    return out


def main():
    rows = int(os.environ.get("CK_BENCH_PY_ROWS", "1000000"))
    runs = 5
    df = frame(rows)
    fit_rows = df.head(min(rows, 100_000))
    X = df.drop(columns=["y"])
    ck = churnkit.train(fit_rows, label="y", l2=1)
    sk = make_pipeline(StandardScaler(), LogisticRegression(C=1.0)).fit(
        fit_rows.drop(columns=["y"]), fit_rows["y"])
    jobs = {
        "churnkit Model.predict": lambda: ck.predict(X),
        "churnkit Model.predict, 3 reasons": lambda: ck.predict(X, reasons=3),
        "scikit-learn predict_proba": lambda: sk.predict_proba(X),
    }
    times = {k: [] for k in jobs}
    mem = {}
    for _ in range(runs):
        for k, fn in jobs.items():
            before = rss_mb()
            times[k] += timed(fn, 1)
            mem[k] = max(mem.get(k, 0), rss_mb() - before)
    base = statistics.median(times["scikit-learn predict_proba"])
    out_rows = []
    for k in jobs:
        t = statistics.median(times[k])
        out_rows.append([k, "%.3f" % t, "%.2fx" % (t / base), "%.0f" % (rows / t),
                         "%+.0f" % mem[k]])
    body = ("%d rows x 20 numeric features in a DataFrame, median of %d runs (interleaved); "
            "`bench/bench_python.py`.\n\n" % (rows, runs) +
            h.table(["call", "seconds", "vs scikit-learn", "rows/s", "RSS growth (MB)"],
                    out_rows))
    print(body)
    if rows >= 1_000_000:
        h.write_section("python", body)


if __name__ == "__main__":
    main()
