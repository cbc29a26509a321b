"""Train and predict N times on a small frame and report the resident set
size: memory from the C side must be freed with the Python objects.

    PYTHONPATH=python python3 python/tests/leak_check.py 1000

prints the RSS after a warm-up of N/10 cycles and after all N, in MB.
"""
import gc
import os
import sys

import numpy as np
import pandas as pd

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, os.pardir))
import churnkit  # noqa: E402


def rss_mb():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def frame(n=300, seed=3):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 4))
    plan = rng.choice(["a", "b", "c"], n)
    y = np.where(rng.random(n) < 1 / (1 + np.exp(-(x[:, 0] - x[:, 1]))), "yes", "no")
    df = pd.DataFrame(x, columns=["u", "v", "w", "z"])
    return df.assign(plan=pd.Categorical(plan), churn=y)


def cycle(df):
    m = churnkit.train(df, label="churn", cv=2)
    m.predict(df, reasons=2)
    m.summary()
    try:
        churnkit.train(df, label="nope")
    except churnkit.DataError:
        pass


def run(n):
    df = frame()
    warm = max(n // 10, 1)
    for _ in range(warm):
        cycle(df)
    gc.collect()
    before = rss_mb()
    for _ in range(n - warm):
        cycle(df)
    gc.collect()
    return before, rss_mb()


if __name__ == "__main__":
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    b, a = run(n)
    print(f"{n} train/predict cycles: RSS {b:.1f} MB after {max(n // 10, 1)}, {a:.1f} MB "
          f"after {n} ({a - b:+.2f} MB)")
