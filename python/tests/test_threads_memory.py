"""The GIL is released during fits and scoring (ctypes releases it around
every call into a CDLL), results do not depend on threads, and C memory is
freed with the Python objects."""
import gc
import threading
import time

import numpy as np
import pandas as pd

import churnkit
import leak_check


def big(n=300_000, seed=1):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 8))
    df = pd.DataFrame(x, columns=[f"f{j}" for j in range(8)])
    return df.assign(churn=np.where(rng.random(n) < 1 / (1 + np.exp(-x[:, 0])), 1, 0))


def test_gil_released_during_a_fit():
    df = big()
    done = threading.Event()
    box = {}

    def fit():
        box["model"] = churnkit.train(df, label="churn", cv=3, threads=1)
        done.set()

    t = threading.Thread(target=fit)
    start = time.perf_counter()
    t.start()
    ticks = 0
    while not done.is_set():  # runs only while the fit does not hold the GIL
        ticks += 1
        time.sleep(0.001)
    t.join()
    elapsed = time.perf_counter() - start
    assert elapsed > 0.1
    # at least a tick every 10 ms of the fit: with the GIL held, none
    assert ticks > elapsed * 100 * 0.5, (ticks, elapsed)


def test_threads_score_the_same():
    df = big(50_000)
    m = churnkit.train(df, label="churn")
    want = m.predict(df, reasons=2)
    out = [None] * 4

    def score(i):
        out[i] = m.predict(df, reasons=2, threads=1 + i % 2)

    ts = [threading.Thread(target=score, args=(i,)) for i in range(4)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    for o in out:
        pd.testing.assert_frame_equal(o, want)


def test_model_freed_with_the_object():
    m = churnkit.train(leak_check.frame(), label="churn")
    fin = m._finalizer
    assert fin.alive
    del m
    gc.collect()
    assert not fin.alive  # ck_model_free has run


def test_no_leak_over_cycles():
    before, after = leak_check.run(300)
    # 270 cycles after the warm-up; a model a cycle left behind is ~30 KB
    # (8 MB in all), a frame's table more
    assert after - before < 2.0, (before, after)
