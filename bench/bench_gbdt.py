"""Gradient-boosted trees (issue: gbdt): churnkit-train --model gbdt and
churnkit-predict against Python's xgboost 1.7.4 (the same libxgboost that
churnkit links) and scikit-learn, on the same files, in the same run.

  1. Training, 1,000,000 x 20 numeric CSV (bench_train's file, seed 1), 200
     trees of depth 6, eta 0.3, hist, 256 bins, seed 42: churnkit-train's
     whole process against a Python process doing pandas.read_csv +
     xgboost.DMatrix + xgboost.train (+ save_model).  churnkit's time in the
     booster's own training is measured inside its process: a preloaded shim
     (built here from TIMER_C) times every XGBoosterUpdateOneIter call
     (libxgboost builds its histogram index in the first of them, as in
     Python's xgb.train) and stamps the phases; churnkit's time outside
     training = its wall time - that.  The brief's other estimate, from
     --trees 1 against --trees 200, is printed beside it.
  2. Scoring 1,000,000 rows (score_1000000.csv) with that model:
     churnkit-predict's whole process (CSV in, scores CSV out) against
     Booster.predict alone on a DMatrix built beforehand (a fresh one each
     run: xgboost caches the predictions of a DMatrix it has seen).
  3. Exact reasons: churnkit-predict --reasons 3 on 100,000 rows (whole
     process) against Booster.predict(pred_contribs=True) alone.
  4. churnkit-predict's peak RSS scoring 1,000,000 against 5,000,000 rows.
  5. Public data (tests/data/public): test ROC AUC and average precision of
     churnkit gbdt (--cv 5; --cv 5 --tune), logistic and SVM, beside
     scikit-learn's HistGradientBoostingClassifier and xgboost's
     XGBClassifier (defaults; tuned by 5-fold CV with early stopping), all
     scored by churnkit-eval --json (the peers' test probabilities through
     --scores; scikit-learn's roc_auc_score is checked to agree).

Timed parts: median of 3 runs, interleaved; nthread 2 everywhere.  The
machine is shared: before each timed run the script waits (up to a total
budget) for the processors to be idle, records the processor time other
processes took during each run, and runs a disturbed run again (within a
budget).  The whole benchmark takes about 14 minutes on 2 cores."""
import json
import os
import statistics
import subprocess
import threading
import time

import harness as h

BIN = os.path.join(h.ROOT, "bin")
PUBLIC = os.path.join(h.ROOT, "tests", "data", "public")
THREADS = 2
RUNS = 3
TREES, DEPTH, ETA, BINS, SEED = 200, 6, 0.3, 256, 42
REASON_ROWS = 100_000
SETTLE_BUDGET = 90.0  # seconds the whole benchmark may spend waiting for quiet
DISTURBED = 0.10  # a run during which others took more of the processors is repeated
RETRY_BUDGET = 120.0  # seconds of such runs the whole benchmark may throw away
RETRY_LONGEST = 60.0  # runs longer than this are kept whatever (xgboost's pred_contribs)
TARGETS = []  # [target, measured, met], in the order measured

# ------------------------------------------------------------------------
# the shim: times libxgboost's calls inside churnkit-train

TIMER_C = r'''
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
typedef uint64_t bst_ulong;
static double t0, upd, mat, save, mat_start = -1, mat_end, upd_first = -1, upd_last, save_end,
    mat_free, first;
static long rounds;
static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9 - t0;
}
__attribute__((constructor)) static void begin(void) { t0 = now(); }
int XGBoosterUpdateOneIter(void *b, int it, void *d)
{
    static int (*real)(void *, int, void *);
    if (!real) real = (int (*)(void *, int, void *))dlsym(RTLD_NEXT, "XGBoosterUpdateOneIter");
    double t = now();
    if (upd_first < 0) upd_first = t;
    int rc = real(b, it, d);
    upd_last = now();
    upd += upd_last - t;
    if (!rounds) first = upd_last - t;
    rounds++;
    return rc;
}
int XGDMatrixCreateFromMat(const float *x, bst_ulong n, bst_ulong p, float miss, void **out)
{
    static int (*real)(const float *, bst_ulong, bst_ulong, float, void **);
    if (!real) real = (int (*)(const float *, bst_ulong, bst_ulong, float, void **))
                          dlsym(RTLD_NEXT, "XGDMatrixCreateFromMat");
    double t = now();
    if (mat_start < 0) mat_start = t;
    int rc = real(x, n, p, miss, out);
    mat_end = now();
    mat += mat_end - t;
    return rc;
}
/* churnkit builds its DMatrix with the threaded call since 2026-11-30 */
int XGDMatrixCreateFromMat_omp(const float *x, bst_ulong n, bst_ulong p, float miss,
                               void **out, int nthread)
{
    static int (*real)(const float *, bst_ulong, bst_ulong, float, void **, int);
    if (!real) real = (int (*)(const float *, bst_ulong, bst_ulong, float, void **, int))
                          dlsym(RTLD_NEXT, "XGDMatrixCreateFromMat_omp");
    double t = now();
    if (mat_start < 0) mat_start = t;
    int rc = real(x, n, p, miss, out, nthread);
    mat_end = now();
    mat += mat_end - t;
    return rc;
}
int XGBoosterSaveModelToBuffer(void *b, const char *c, bst_ulong *len, const char **out)
{
    static int (*real)(void *, const char *, bst_ulong *, const char **);
    if (!real) real = (int (*)(void *, const char *, bst_ulong *, const char **))
                          dlsym(RTLD_NEXT, "XGBoosterSaveModelToBuffer");
    double t = now();
    int rc = real(b, c, len, out);
    save_end = now();
    save += save_end - t;
    return rc;
}
int XGDMatrixFree(void *d)
{
    static int (*real)(void *);
    if (!real) real = (int (*)(void *))dlsym(RTLD_NEXT, "XGDMatrixFree");
    mat_free = now();
    return real(d);
}
__attribute__((destructor)) static void end(void)
{
    const char *path = getenv("CK_XGB_TIMES");
    FILE *f = path && rounds ? fopen(path, "w") : NULL;
    if (!f) return;
    fprintf(f, "{\"update\": %.6f, \"rounds\": %ld, \"dmatrix\": %.6f, \"save\": %.6f, "
               "\"dmatrix_start\": %.6f, \"dmatrix_end\": %.6f, \"update_first\": %.6f, "
               "\"update_last\": %.6f, \"save_end\": %.6f, \"dmatrix_free\": %.6f, "
               "\"first_round\": %.6f, \"exit\": %.6f}\n",
            upd, rounds, mat, save, mat_start, mat_end, upd_first, upd_last, save_end, mat_free,
            first, now());
    fclose(f);
}
'''

# ------------------------------------------------------------------------
# the Python peers

PY_TRAIN = r'''
import json, sys, time
t0 = time.perf_counter()
import numpy as np, pandas as pd, xgboost as xgb
t1 = time.perf_counter()
data, rounds, out, nthread = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
d = pd.read_csv(data)
t2 = time.perf_counter()
X, y = d.drop(columns=["y"]), d["y"]
dm = xgb.DMatrix(X, label=y, nthread=nthread)
t3 = time.perf_counter()
params = {"objective": "binary:logistic", "tree_method": "hist", "eta": float(sys.argv[5]),
          "max_depth": int(sys.argv[6]), "min_child_weight": 1, "lambda": 1, "gamma": 0,
          "subsample": 1, "colsample_bytree": 1, "max_bin": int(sys.argv[7]),
          "seed": int(sys.argv[8]), "nthread": nthread}
b = xgb.train(params, dm, num_boost_round=rounds)
t4 = time.perf_counter()
b.save_model(out)
t5 = time.perf_counter()
print(json.dumps({"import": t1 - t0, "read": t2 - t1, "dmatrix": t3 - t2, "train": t4 - t3,
                  "save": t5 - t4}))
'''

# Diagnostic (one process, in-process timings, median of 3): libxgboost's
# first boosting round (where it quantizes the data) on a DMatrix made by
# XGDMatrixCreateFromMat (no thread count), against
# XGDMatrixCreateFromMat_omp with nthread (the call churnkit makes) and
# Python's own DMatrix.
PY_DMATRIX = r'''
import ctypes, json, statistics, sys, time
import numpy as np, pandas as pd, xgboost as xgb
from xgboost.core import _LIB, _check_call, c_bst_ulong
data, nthread, eta, depth, bins, seed = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), \
    int(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6])
d = pd.read_csv(data)
X = np.ascontiguousarray(d.drop(columns=["y"]).to_numpy(np.float32))
y = d["y"].to_numpy(np.float32)
del d
def from_mat(omp):
    h = ctypes.c_void_p()
    args = [X.ctypes.data_as(ctypes.POINTER(ctypes.c_float)), c_bst_ulong(X.shape[0]),
            c_bst_ulong(X.shape[1]), ctypes.c_float(np.nan), ctypes.byref(h)]
    if omp:
        _check_call(_LIB.XGDMatrixCreateFromMat_omp(*args, ctypes.c_int(nthread)))
    else:
        _check_call(_LIB.XGDMatrixCreateFromMat(*args))
    dm = xgb.DMatrix.__new__(xgb.DMatrix)
    dm.handle = h
    dm.set_label(y)
    return dm
makers = {"mat": lambda: from_mat(False), "mat_omp": lambda: from_mat(True),
          "python": lambda: xgb.DMatrix(X, label=y, nthread=nthread)}
params = {"objective": "binary:logistic", "tree_method": "hist", "eta": eta,
          "max_depth": depth, "max_bin": bins, "seed": seed, "nthread": nthread}
res = {k: {"dmatrix": [], "first": []} for k in makers}
for rep in range(3):
    for k, make in makers.items():
        t0 = time.perf_counter()
        dm = make()
        t1 = time.perf_counter()
        b = xgb.Booster(params, [dm])
        b.update(dm, 0)
        t2 = time.perf_counter()
        res[k]["dmatrix"].append(t1 - t0)
        res[k]["first"].append(t2 - t1)
        del b, dm
print(json.dumps({k: {m: statistics.median(v) for m, v in r.items()} for k, r in res.items()}))
'''

# Booster.predict alone (or pred_contribs) on a DMatrix built beforehand,
# from churnkit's model file (its embedded xgboost model).
PY_PREDICT = r'''
import json, sys, time
import numpy as np, pandas as pd, xgboost as xgb
model, data, rows, nthread, contribs = (sys.argv[1], sys.argv[2], int(sys.argv[3]),
                                        int(sys.argv[4]), sys.argv[5] == "1")
b = xgb.Booster()
b.load_model(bytearray(json.load(open(model))["gbdt"]["xgboost_model"], "utf-8"))
b.set_param({"nthread": nthread})
t0 = time.perf_counter()
d = pd.read_csv(data, nrows=rows)
t1 = time.perf_counter()
dm = xgb.DMatrix(d[b.feature_names], nthread=nthread)
t2 = time.perf_counter()
p = b.predict(dm, pred_contribs=contribs)
t3 = time.perf_counter()
print(json.dumps({"read": t1 - t0, "dmatrix": t2 - t1, "predict": t3 - t2, "rows": len(d)}))
'''

# Untimed: churnkit's scores and reasons against xgboost's, and the two
# trained models (churnkit's, Python's) against each other.
PY_CHECK = r'''
import json, sys
import numpy as np, pandas as pd, xgboost as xgb
from sklearn.metrics import roc_auc_score
ck_model, py_model, data, scores, reasons, nthread = sys.argv[1:7]
b = xgb.Booster()
b.load_model(bytearray(json.load(open(ck_model))["gbdt"]["xgboost_model"], "utf-8"))
b.set_param({"nthread": int(nthread)})
bp = xgb.Booster(model_file=py_model)
bp.set_param({"nthread": int(nthread)})
d = pd.read_csv(data)
names = b.feature_names
dm = xgb.DMatrix(d[names], nthread=int(nthread))
p_ck, p_py = b.predict(dm), bp.predict(dm)
s = pd.read_csv(scores)["m_prob"].to_numpy()
r = pd.read_csv(reasons)
n = min(len(r), 5000)
c = b.predict(xgb.DMatrix(d[names].iloc[:n], nthread=int(nthread)), pred_contribs=True)
eff, same = 0.0, 0
for i in range(n):
    got = [r["m_reason%d" % k][i] for k in (1, 2, 3)]
    for k, f in enumerate(got):
        eff = max(eff, abs(r["m_reason%d_effect" % (k + 1)][i] - c[i, names.index(f)]))
    top = [names[j] for j in np.argsort(-np.abs(c[i, :-1]), kind="stable")[:3]]
    same += top == got
print(json.dumps({"score_vs_xgboost": float(np.max(np.abs(s - p_ck))),
                  "ck_vs_py_model": float(np.max(np.abs(p_ck - p_py))),
                  "auc_ck": roc_auc_score(d["y"], p_ck), "auc_py": roc_auc_score(d["y"], p_py),
                  "reason_effect_vs_contribs": eff, "reason_rows": n,
                  "same_top3": same / n}))
'''

# scikit-learn's HistGradientBoostingClassifier and xgboost's XGBClassifier
# on a public table: writes the test probabilities (with the label) to a CSV
# for churnkit-eval --scores, and prints what was chosen.
PY_PUBLIC = r'''
import json, math, sys, time
import numpy as np, pandas as pd, xgboost as xgb
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.metrics import average_precision_score, roc_auc_score
from sklearn.model_selection import StratifiedKFold
from sklearn.preprocessing import OrdinalEncoder
train_path, test_path, label, pos, out, nthread, seed = sys.argv[1:8]
nthread, seed = int(nthread), int(seed)
tr, te = pd.read_csv(train_path), pd.read_csv(test_path)
y, yt = (tr[label] == pos).astype(int), (te[label] == pos).astype(int)
X, Xt = tr.drop(columns=[label]), te.drop(columns=[label])
cat = [c for c in X.columns if X[c].dtype == object]
res, probs = {}, {}
# HistGradientBoostingClassifier: defaults; text columns ordinal-coded and
# declared categorical
enc = OrdinalEncoder(handle_unknown="use_encoded_value", unknown_value=np.nan)
Xh, Xth = X.copy(), Xt.copy()
if cat:
    Xh[cat] = enc.fit_transform(X[cat])
    Xth[cat] = enc.transform(Xt[cat])
t = time.perf_counter()
hgb = HistGradientBoostingClassifier(categorical_features=[c in cat for c in X.columns],
                                     random_state=0).fit(Xh, y)
probs["hgb"] = hgb.predict_proba(Xth)[:, 1]
res["hgb"] = {"fit": time.perf_counter() - t, "iterations": int(hgb.n_iter_)}
# xgboost: text columns as pandas categories (xgboost's own categorical
# splits, its default max_cat_to_onehot 4), hist
Xx, Xtx = X.copy(), Xt.copy()
for c in cat:
    levels = sorted(X[c].dropna().unique())
    Xx[c] = pd.Categorical(X[c], categories=levels)
    Xtx[c] = pd.Categorical(Xt[c], categories=levels)
common = dict(tree_method="hist", enable_categorical=True, n_jobs=nthread, random_state=seed)
t = time.perf_counter()
m = xgb.XGBClassifier(**common).fit(Xx, y)
probs["xgb_default"] = m.predict_proba(Xtx)[:, 1]
res["xgb_default"] = {"fit": time.perf_counter() - t, "trees": 100}
# tuned: 5-fold stratified CV over depth x eta, early stopping after 20
# rounds without gain in the mean out-of-fold log-loss, at most
# max(100, 30/eta) rounds (as churnkit --tune); refit on all of train
t = time.perf_counter()
dtrain = xgb.DMatrix(Xx, label=y, enable_categorical=True, nthread=nthread)
folds = list(StratifiedKFold(5, shuffle=True, random_state=seed).split(Xx, y))
best = None
for depth in (3, 4, 6):
    for eta in (0.05, 0.1, 0.3):
        cv = xgb.cv({"objective": "binary:logistic", "eval_metric": "logloss",
                     "tree_method": "hist", "max_depth": depth, "eta": eta, "seed": seed,
                     "nthread": nthread}, dtrain, num_boost_round=max(100, math.ceil(30 / eta)),
                    folds=folds, early_stopping_rounds=20)
        loss = float(cv["test-logloss-mean"].iloc[-1])
        if best is None or loss < best[0]:
            best = (loss, depth, eta, len(cv))
m = xgb.XGBClassifier(n_estimators=best[3], max_depth=best[1], learning_rate=best[2],
                      **common).fit(Xx, y)
probs["xgb_tuned"] = m.predict_proba(Xtx)[:, 1]
res["xgb_tuned"] = {"fit": time.perf_counter() - t, "depth": best[1], "eta": best[2],
                    "trees": best[3], "cv_logloss": best[0]}
for k, p in probs.items():
    res[k]["sk_auc"] = roc_auc_score(yt, p)
    res[k]["sk_ap"] = average_precision_score(yt, p)
pd.DataFrame({label: te[label], **probs}).to_csv(out, index=False, float_format="%.17g")
print(json.dumps(res))
'''

# ------------------------------------------------------------------------
# timed runs


def cpu_times():
    """(busy, total) seconds of all processors, from /proc/stat."""
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:]]
    hz = os.sysconf("SC_CLK_TCK")
    idle = v[3] + (v[4] if len(v) > 4 else 0)
    return (sum(v[:8]) - idle) / hz, sum(v[:8]) / hz


class Clock:
    waited = 0.0    # seconds spent waiting for quiet
    lost = 0.0      # seconds of disturbed runs thrown away
    repeated = 0


def settle():
    """Waits until the processors have been idle (< 10% busy) for half a
    second, or the waiting budget is spent; returns the seconds waited."""
    t0 = time.perf_counter()
    while Clock.waited + (time.perf_counter() - t0) < SETTLE_BUDGET:
        b0, a0 = cpu_times()
        time.sleep(0.5)
        b1, a1 = cpu_times()
        if a1 > a0 and (b1 - b0) / (a1 - a0) < 0.10:
            break
    w = time.perf_counter() - t0
    Clock.waited += w
    return w


def timed(cmd, env=None, stdout=None):
    """One timed run: wall, peak RSS (MiB), the child's processor seconds,
    the share of the processors other processes used meanwhile, and its
    standard output (unless sent to a file).  wait4 gives the child's
    rusage, so threads drain its pipes."""
    settle()
    e = dict(os.environ)
    e.update(env or {})
    out = open(stdout, "wb") if stdout else subprocess.PIPE
    b0, _ = cpu_times()
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.PIPE, env=e)
    bufs = {"out": b"", "err": b""}

    def drain(name, f):
        bufs[name] = f.read()
    ts = [threading.Thread(target=drain, args=("err", proc.stderr))]
    if not stdout:
        ts.append(threading.Thread(target=drain, args=("out", proc.stdout)))
    for t in ts:
        t.start()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    b1, _ = cpu_times()
    for t in ts:
        t.join()
    proc.returncode = os.waitstatus_to_exitcode(status)
    if stdout:
        out.close()
    if proc.returncode != 0:
        raise RuntimeError("%s failed (%d): %s" % (" ".join(cmd), proc.returncode,
                                                   bufs["err"].decode(errors="replace").strip()))
    cpu = usage.ru_utime + usage.ru_stime
    ncpu = os.cpu_count() or 1
    return {"wall": wall, "rss": usage.ru_maxrss / 1024.0, "cpu": cpu,
            "others": max(0.0, (b1 - b0) - cpu) / (wall * ncpu),
            "stdout": bufs["out"].decode(errors="replace")}


def interleaved(cmds, runs=RUNS):
    """cmds: {name: (argv, env, stdout, after)}; `after(result)` may add
    fields from the run's own output.  A run during which other processes
    took more than DISTURBED of the processors is run again if it took at
    most RETRY_LONGEST seconds and the time so lost stays within
    RETRY_BUDGET.  Returns {name: [result, ...]}."""
    res = {k: [] for k in cmds}
    for i in range(runs):
        for name, (argv, env, stdout, after) in cmds.items():
            while True:
                r = timed(argv, env, stdout)
                print("  run %d %-12s %7.2f s  %6.0f MiB  others %3.0f%%" % (
                    i + 1, name, r["wall"], r["rss"], 100 * r["others"]), flush=True)
                if r["others"] <= DISTURBED or r["wall"] > RETRY_LONGEST or \
                        Clock.lost + r["wall"] > RETRY_BUDGET:
                    break
                Clock.lost += r["wall"]
                Clock.repeated += 1
                print("    (disturbed: run again)", flush=True)
            if after:
                after(r)
            res[name].append(r)
    return res


def med(results, key):
    return statistics.median(r[key] for r in results)


def others(results):
    v = [r["others"] for r in results]
    return "%.0f%% (max %.0f%%)" % (100 * statistics.median(v), 100 * max(v))


# ------------------------------------------------------------------------
# data and tools


def gen(name, rows, seed, task=None):
    path = os.path.join(h.WORK, name)
    if not os.path.exists(path):
        args = [os.path.join(h.WORK, "gen_numeric"), str(rows), "20", str(seed)]
        with open(path + ".tmp", "wb") as f:
            subprocess.run(args + ([task] if task else []), stdout=f, check=True)
        os.replace(path + ".tmp", path)
    return path


def build_timer():
    src = os.path.join(h.WORK, "xgb_timer.c")
    lib = os.path.join(h.WORK, "xgb_timer.so")
    with open(src, "w") as f:
        f.write(TIMER_C)
    subprocess.run(["cc", "-O2", "-shared", "-fPIC", "-o", lib, src, "-ldl"], check=True)
    return lib


def ck_train(data, out, trees, extra=()):
    return [os.path.join(BIN, "churnkit-train"), "--data", data, "--label", "y", "--model",
            "gbdt", "--trees", str(trees), "--max-depth", str(DEPTH), "--learning-rate",
            str(ETA), "--max-bins", str(BINS), "--seed", str(SEED), "--threads", str(THREADS),
            "--name", "m", "--out", out, "--quiet"] + list(extra)


def ck_predict(model, data, out, extra=()):
    return [os.path.join(BIN, "churnkit-predict"), "--model", model, "--data", data, "--out",
            out, "--threads", str(THREADS), "--quiet"] + list(extra)


def rel(path):
    return os.path.relpath(path, h.ROOT)


# ------------------------------------------------------------------------
# 1. training


def training(timer):
    w = h.WORK
    data = gen("train_logistic_1000000_1.csv", 1_000_000, 1, "logistic")
    ck200, ck1 = os.path.join(w, "gbdt_ck200.json"), os.path.join(w, "gbdt_ck1.json")
    pym = os.path.join(w, "gbdt_py200.json")
    times = os.path.join(w, "gbdt_timer.json")

    def shim(r):
        with open(times) as f:
            r.update({"x_" + k: v for k, v in json.load(f).items()})
        os.remove(times)

    def pyout(r):
        r.update({"py_" + k: v for k, v in json.loads(r["stdout"]).items()})

    env = {"LD_PRELOAD": timer, "CK_XGB_TIMES": times}
    print("gbdt benchmark: training, 1,000,000 rows, %d trees" % TREES, flush=True)
    res = interleaved({
        "churnkit": (ck_train(data, ck200, TREES), env, None, shim),
        "python": ([h.PY, "-c", PY_TRAIN, data, str(TREES), pym, str(THREADS), str(ETA),
                    str(DEPTH), str(BINS), str(SEED)], None, None, pyout),
        "churnkit-1": (ck_train(data, ck1, 1), env, None, shim),
    })
    print("gbdt benchmark: DMatrix diagnostic", flush=True)
    settle()
    diag = json.loads(subprocess.run(
        [h.PY, "-c", PY_DMATRIX, data, str(THREADS), str(ETA), str(DEPTH), str(BINS), str(SEED)],
        check=True, capture_output=True, text=True).stdout)
    c, p, c1 = res["churnkit"], res["python"], res["churnkit-1"]
    cw, pw = med(c, "wall"), med(p, "wall")
    c_train = med(c, "x_update")
    c_rest = statistics.median(r["wall"] - r["x_update"] for r in c)
    p_read = med(p, "py_read")
    p_dm = med(p, "py_dmatrix")
    p_rd = statistics.median(r["py_read"] + r["py_dmatrix"] for r in p)
    p_train = med(p, "py_train")
    p_start = statistics.median(r["wall"] - r["py_read"] - r["py_dmatrix"] - r["py_train"] -
                                r["py_save"] for r in p)
    # the brief's other estimate: T(n) = a + b n through n = 1 and 200
    c1w = med(c1, "wall")
    slope = (cw - c1w) / (TREES - 1)
    rest_linear = c1w - slope
    phases = {
        "start to the DMatrix call: read the CSV, fit the pipeline, rows to floats":
            med(c, "x_dmatrix_start"),
        "XGDMatrixCreateFromMat_omp": med(c, "x_dmatrix"),
        "boosting: %d XGBoosterUpdateOneIter calls" % TREES: c_train,
        "after training: save and read back the booster, mean |SHAP| of 2,000 rows "
        "(the importance, on the threads in chunks of 64 rows), the training rows' scores "
        "from libxgboost's cache (checked against churnkit's walk on those rows)":
            statistics.median(r["x_dmatrix_free"] - r["x_update_last"] for r in c),
        "then: the training metrics, write the model, read it back, exit":
            statistics.median(r["wall"] - r["x_dmatrix_free"] for r in c),
    }
    t1 = h.table(
        ["program", "wall (median of 3)", "peak RSS", "processor s", "others' load",
         "read + DMatrix", "training", "rest"],
        [["churnkit-train --model gbdt", "%.2f s" % cw, "%.0f MiB" % med(c, "rss"),
          "%.1f" % med(c, "cpu"), others(c), "%.2f s (to the first boosting round)"
          % med(c, "x_update_first"), "%.2f s" % c_train,
          "%.2f s outside training in all" % c_rest],
         ["Python: read_csv + DMatrix + xgb.train + save_model", "%.2f s" % pw,
          "%.0f MiB" % med(p, "rss"), "%.1f" % med(p, "cpu"), others(p),
          "%.2f s (read %.2f + DMatrix %.2f)" % (p_rd, p_read, p_dm), "%.2f s" % p_train,
          "%.2f s interpreter and imports, %.2f s save" % (p_start, med(p, "py_save"))],
         ["churnkit-train --trees 1", "%.2f s" % c1w, "%.0f MiB" % med(c1, "rss"),
          "%.1f" % med(c1, "cpu"), others(c1), "", "%.2f s" % med(c1, "x_update"), ""]])
    t2 = h.table(["churnkit-train phase (median of 3)", "seconds", "share"],
                 [[k, "%.2f" % v, "%.0f%%" % (100 * v / cw)] for k, v in phases.items()])
    ok1 = cw < pw
    ok2 = c_rest <= 0.5 * p_rd
    lines = [
        "#### 1. Training: 1,000,000 x 20 numeric, %d trees, depth %d, eta %g, hist, %d bins, "
        "seed %d, 2 threads" % (TREES, DEPTH, ETA, BINS, SEED),
        "", t1, "", t2, "",
        "churnkit's time outside the booster's training = its wall time minus the time spent "
        "inside XGBoosterUpdateOneIter (timed in its own process by a preloaded shim, "
        "TIMER_C in bench_gbdt.py; libxgboost quantizes the data in the first round, in "
        "churnkit as in Python's xgb.train). The brief's other estimate, a straight line "
        "through --trees 1 (%.2f s) and --trees %d (%.2f s), puts it at %.2f s (%.3f s a tree), "
        "lower because it counts the per-tree work after training (scoring the training rows, "
        "the SHAP importance) as training." % (c1w, TREES, cw, rest_linear, slope),
        "",
        "- whole process, churnkit faster than Python: **%s** (%.2f s against %.2f s, %.2fx "
        "Python's time)" % ("met" if ok1 else "not met", cw, pw, cw / pw),
        "- churnkit outside training at most half of Python's read + DMatrix: **%s** "
        "(%.2f s against %.2f s: %.2fx; the target is 0.5x)" % (
            "met" if ok2 else "not met", c_rest, p_rd, c_rest / p_rd),
        "- inside the booster: churnkit %.2f s, Python's xgb.train %.2f s (%.2fx). Part 2 "
        "compares the two models' predictions; the difference in time is in the data handed "
        "over. libxgboost quantizes the data in the first round: %.2f s in churnkit "
        "(median), and in a separate diagnostic process (median of 3, in-process timings) "
        "%.2f s on a DMatrix from XGDMatrixCreateFromMat without a thread count (which "
        "itself takes %.2f s), against %.2f s from XGDMatrixCreateFromMat_omp with nthread 2, "
        "the call churnkit makes (%.2f s), and %.2f s from Python's DMatrix(nthread=2) "
        "(%.2f s): the thread count saves about %.1f s." % (
            c_train, p_train, c_train / p_train, med(c, "x_first_round"),
            diag["mat"]["first"], diag["mat"]["dmatrix"], diag["mat_omp"]["first"],
            diag["mat_omp"]["dmatrix"], diag["python"]["first"], diag["python"]["dmatrix"],
            diag["mat"]["first"] + diag["mat"]["dmatrix"] - diag["mat_omp"]["first"] -
            diag["mat_omp"]["dmatrix"]),
    ]
    TARGETS.append(["training, whole process: churnkit faster than Python",
                    "%.2f s against %.2f s (%.2fx)" % (cw, pw, cw / pw), ok1])
    TARGETS.append(["training: churnkit outside the booster's training at most 0.5x Python's "
                    "read + DMatrix", "%.2f s against %.2f s (%.2fx)" % (c_rest, p_rd,
                                                                         c_rest / p_rd), ok2])
    return "\n".join(lines), {"ck200": ck200, "ck1": ck1, "py": pym, "data": data}


# ------------------------------------------------------------------------
# 2 to 4. scoring, reasons, memory


def scoring(models):
    w = h.WORK
    d1 = gen("score_1000000.csv", 1_000_000, 7)
    d5 = gen("score_5000000.csv", 5_000_000, 7)
    dr = gen("score_100000.csv", REASON_ROWS, 7)
    out1, outr = os.path.join(w, "gbdt_scores.csv"), os.path.join(w, "gbdt_reasons.csv")
    outx = os.path.join(w, "gbdt_scores_x.csv")

    def pyout(r):
        r.update({"py_" + k: v for k, v in json.loads(r["stdout"]).items()})

    def py(rows, contribs):
        return ([h.PY, "-c", PY_PREDICT, models["ck200"], d1 if rows == 1_000_000 else dr,
                 str(rows), str(THREADS), "1" if contribs else "0"], None, None, pyout)

    print("gbdt benchmark: scoring 1,000,000 rows", flush=True)
    s = interleaved({
        "churnkit": (ck_predict(models["ck200"], d1, out1), None, None, None),
        "xgboost": py(1_000_000, False),
        "churnkit-1": (ck_predict(models["ck1"], d1, outx), None, None, None),
    })
    print("gbdt benchmark: --reasons 3 on %d rows" % REASON_ROWS, flush=True)
    r = interleaved({
        "churnkit": (ck_predict(models["ck200"], dr, outr, ["--reasons", "3"]), None, None,
                     None),
        "xgboost": py(REASON_ROWS, True),
    })
    print("gbdt benchmark: scoring 5,000,000 rows", flush=True)
    m5 = interleaved({"1,000,000": (ck_predict(models["ck200"], d1, outx), None, None, None),
                      "5,000,000": (ck_predict(models["ck200"], d5, outx), None, None, None)})
    chk = json.loads(subprocess.run(
        [h.PY, "-c", PY_CHECK, models["ck200"], models["py"], d1, out1, outr, str(THREADS)],
        check=True, capture_output=True, text=True).stdout)
    for p in (out1, outr, outx):
        os.remove(p)

    sc, sx, s1 = s["churnkit"], s["xgboost"], s["churnkit-1"]
    ck_rate = 1e6 / med(sc, "wall")
    x_rate = 1e6 / med(sx, "py_predict")
    rc, rx = r["churnkit"], r["xgboost"]
    rc_rate = REASON_ROWS / med(rc, "wall")
    rx_rate = REASON_ROWS / med(rx, "py_predict")
    walk = med(sc, "wall") - med(s1, "wall")
    rows = [
        ["scores, 1,000,000 rows", "churnkit-predict, whole process (CSV in, CSV out)",
         "%.2f s" % med(sc, "wall"), "{:,.0f}".format(ck_rate), "%.0f MiB" % med(sc, "rss"),
         others(sc)],
        ["", "xgboost Booster.predict alone (DMatrix built before: read %.2f s, DMatrix "
         "%.2f s)" % (med(sx, "py_read"), med(sx, "py_dmatrix")),
         "%.2f s" % med(sx, "py_predict"), "{:,.0f}".format(x_rate), "", others(sx)],
        ["", "churnkit-predict with the 1-tree model (reading and writing, almost no walk)",
         "%.2f s" % med(s1, "wall"), "{:,.0f}".format(1e6 / med(s1, "wall")),
         "%.0f MiB" % med(s1, "rss"), others(s1)],
        ["exact SHAP, %s rows" % "{:,}".format(REASON_ROWS),
         "churnkit-predict --reasons 3, whole process", "%.2f s" % med(rc, "wall"),
         "{:,.0f}".format(rc_rate), "%.0f MiB" % med(rc, "rss"), others(rc)],
        ["", "xgboost Booster.predict(pred_contribs=True) alone", "%.2f s" % med(rx, "py_predict"),
         "{:,.0f}".format(rx_rate), "", others(rx)],
    ]
    t1 = h.table(["workload", "program", "time (median of 3)", "rows/s", "peak RSS",
                  "others' load"], rows)
    mem = h.table(["rows", "input", "wall (median of 3)", "rows/s", "peak RSS", "others' load"],
                  [[n, "%.0f MiB" % (os.path.getsize(f) / 2**20), "%.2f s" % med(m5[n], "wall"),
                    "{:,.0f}".format(k / med(m5[n], "wall")), "%.1f MiB" % med(m5[n], "rss"),
                    others(m5[n])]
                   for n, f, k in [("1,000,000", d1, 1e6), ("5,000,000", d5, 5e6)]])
    ok_s = ck_rate >= 1.5 * x_rate
    ok_r = rc_rate >= 5 * rx_rate
    grow = med(m5["5,000,000"], "rss") / med(m5["1,000,000"], "rss")
    TARGETS.append(["scoring 1,000,000 rows: churnkit-predict (whole process) at least 1.5x "
                    "xgboost's Booster.predict rows/s", "{:,.0f} against {:,.0f} rows/s "
                    "({:.2f}x)".format(ck_rate, x_rate, ck_rate / x_rate), ok_s])
    TARGETS.append(["exact reasons on 100,000 rows: --reasons 3 at least 5x pred_contribs' "
                    "rows/s", "{:,.0f} against {:,.0f} rows/s ({:.2f}x)".format(
                        rc_rate, rx_rate, rc_rate / rx_rate), ok_r])
    TARGETS.append(["scoring memory flat in the row count (1,000,000 against 5,000,000 rows)",
                    "%.1f MiB and %.1f MiB" % (med(m5["1,000,000"], "rss"),
                                               med(m5["5,000,000"], "rss")), grow < 1.1])
    lines = [
        "#### 2-3. Scoring and exact reasons with the %d-tree model" % TREES,
        "", t1, "",
        "Checks (untimed): churnkit-predict's probabilities against xgboost's predict on the "
        "same model: max |difference| %.1e (churnkit writes 6 decimals); the model churnkit "
        "trained against the one Python trained: max |difference| %.1e in probability, test "
        "AUC on the 1,000,000 rows %.5f and %.5f; churnkit's reason effects against xgboost's "
        "pred_contribs on the first %d rows: max |difference| %.1e, the same three features "
        "in the same order in %.1f%% of rows." % (
            chk["score_vs_xgboost"], chk["ck_vs_py_model"], chk["auc_ck"], chk["auc_py"],
            chk["reason_rows"], chk["reason_effect_vs_contribs"], 100 * chk["same_top3"]),
        "",
        "- scoring at least 1.5x xgboost's rows/s: **%s** (%s rows/s against %s: %.2fx). "
        "Reading and writing alone (the 1-tree model) take %.2f s, so churnkit's walk of the "
        "%d trees costs about %.2f s against xgboost's %.2f s for its predict." % (
            "met" if ok_s else "not met", "{:,.0f}".format(ck_rate), "{:,.0f}".format(x_rate),
            ck_rate / x_rate, med(s1, "wall"), TREES, walk, med(sx, "py_predict")),
        "- reasons at least 5x xgboost's rows/s: **%s** (%s rows/s against %s: %.2fx)" % (
            "met" if ok_r else "not met", "{:,.0f}".format(rc_rate), "{:,.0f}".format(rx_rate),
            rc_rate / rx_rate),
        "",
        "#### 4. Scoring memory against row count (the %d-tree model)" % TREES,
        "", mem, "",
        "- memory flat in the row count: **%s** (peak RSS %.1f MiB at 5,000,000 rows, %.2fx "
        "that at 1,000,000; runs interleaved)" % (
            "met" if grow < 1.1 else "not met", med(m5["5,000,000"], "rss"), grow),
    ]
    return "\n".join(lines)


# ------------------------------------------------------------------------
# 5. public data

CK_MODELS = [
    ("gbdt_cv", "gbdt --cv 5 --learning-rate 0.1 --trees 500",
     ["--model", "gbdt", "--cv", "5", "--learning-rate", "0.1", "--trees", "500"]),
    ("gbdt_tune", "gbdt --cv 5 --tune", ["--model", "gbdt", "--cv", "5", "--tune"]),
    ("logistic", "logistic --l2 1", ["--l2", "1"]),
    ("svm", "svm (defaults)", ["--model", "svm"]),
    ("svm_tune", "svm --cv 5 --tune", ["--model", "svm", "--cv", "5", "--tune"]),
]
PEERS = [("hgb", "scikit-learn HistGradientBoostingClassifier (defaults)"),
         ("xgb_default", "xgboost XGBClassifier (defaults)"),
         ("xgb_tuned", "xgboost XGBClassifier, 5-fold CV over depth x eta, early stopping")]


def chosen(model_path, name):
    m = json.load(open(model_path))
    o = m["training"]["options"]
    if name.startswith("gbdt"):
        return "depth %d, eta %g, %d trees" % (o["max_depth"], o["learning_rate"], o["trees"])
    if name == "svm_tune":
        keys = [k for k in o if k.startswith("svm")]
        return ", ".join("%s %g" % (k.replace("svm_", ""), o[k]) for k in keys
                         if isinstance(o[k], (int, float)) and k in ("svm_c", "svm_gamma"))
    return ""


def evaluate(args):
    out = os.path.join(h.WORK, "gbdt_eval.json")
    subprocess.run([os.path.join(BIN, "churnkit-eval"), "--quiet", "--json", out] + args,
                   check=True, capture_output=True)
    e = json.load(open(out))
    os.remove(out)
    return {m["name"]: m["metrics"] for m in e["models"]}


def public():
    rows = []
    for name, label, pos in [("mlc_churn", "churn", "yes"), ("attrition", "Attrition", "Yes")]:
        train = os.path.join(PUBLIC, name + ".train.csv")
        test = os.path.join(PUBLIC, name + ".test.csv")
        print("gbdt benchmark: public data, %s" % name, flush=True)
        paths, fit = {}, {}
        for key, _, args in CK_MODELS:
            paths[key] = os.path.join(h.WORK, "gbdt_public_%s_%s.json" % (name, key))
            fit[key] = timed([os.path.join(BIN, "churnkit-train"), "--data", train, "--label",
                              label, "--positive", pos, "--threads", str(THREADS), "--name",
                              key, "--out", paths[key], "--quiet"] + args)
        ck = evaluate(sum([["--model", paths[k]] for k, _, _ in CK_MODELS], []) +
                      ["--data", test])
        probs = os.path.join(h.WORK, "gbdt_public_%s_peers.csv" % name)
        pr = timed([h.PY, "-c", PY_PUBLIC, train, test, label, pos, probs, str(THREADS),
                    str(SEED)])
        peer = json.loads(pr["stdout"])
        px = evaluate(["--scores", probs, "--label", label, "--positive", pos] +
                      sum([["--prob", k] for k, _ in PEERS], []))
        for key, desc, _ in CK_MODELS:
            mt = ck[key]
            rows.append([name, "churnkit " + desc, "%.4f" % mt["roc_auc"],
                         "%.4f" % mt["average_precision"], chosen(paths[key], key),
                         "%.1f s (others %.0f%%)" % (fit[key]["wall"],
                                                     100 * fit[key]["others"])])
        for key, desc in PEERS:
            mt, info = px[key], peer[key]
            if abs(mt["roc_auc"] - info["sk_auc"]) > 1e-9 or \
                    abs(mt["average_precision"] - info["sk_ap"]) > 1e-9:
                print("note: churnkit-eval and scikit-learn differ on %s %s" % (name, key))
            what = ""
            if key == "xgb_tuned":
                what = "depth %d, eta %g, %d trees" % (info["depth"], info["eta"], info["trees"])
            elif key == "hgb":
                what = "%d iterations" % info["iterations"]
            rows.append([name, desc, "%.4f" % mt["roc_auc"], "%.4f" % mt["average_precision"],
                         what, "%.1f s (fit only; others %.0f%%)" % (info["fit"],
                                                                      100 * pr["others"])])
        os.remove(probs)
        for p in paths.values():
            os.remove(p)
    lines = [
        "#### 5. Public data: test ROC AUC and average precision",
        "",
        h.table(["data", "model", "test ROC AUC", "average precision", "chosen",
                 "training time"], rows),
        "",
        "All scored by churnkit-eval --json on the test split (the peers' probabilities "
        "through --scores; scikit-learn's roc_auc_score and average_precision_score agree). "
        "churnkit's rows are whole processes with --threads 2 and the default --seed 42; "
        "training times are single runs, with the share of the processors other processes "
        "took meanwhile (for the peers, over their whole Python process): with 2 threads on a "
        "table of a few thousand rows libxgboost's OpenMP threads mostly wait on each other, "
        "and other load on the machine can stretch these times several-fold. "
        "HistGradientBoostingClassifier: scikit-learn's defaults (100 iterations, learning "
        "rate 0.1, 31 leaves, no early stopping at this size), text columns ordinal-coded and "
        "passed as categorical_features. XGBClassifier: tree_method hist, text columns as "
        "pandas categories with enable_categorical (xgboost's own categorical splits, its "
        "default max_cat_to_onehot 4; churnkit's default is 64), n_jobs 2, random_state 42; "
        "tuned: xgb.cv over 5 stratified folds (scikit-learn's StratifiedKFold, shuffled, seed "
        "42: the same folds for every setting, not churnkit's own) for each depth {3, 4, 6} x eta "
        "{0.05, 0.1, 0.3}, early stopping after 20 rounds on the mean out-of-fold log-loss, at "
        "most max(100, 30/eta) rounds (churnkit --tune's grid and caps), then refit on all of "
        "train with the best. churnkit logistic and SVM take churnkit's own preprocessing "
        "(bench_public.py has them against scikit-learn's).",
    ]
    return "\n".join(lines)


# ------------------------------------------------------------------------


def versions():
    v = subprocess.run([h.PY, "-c", "import numpy, xgboost; print(numpy.__version__, "
                        "xgboost.__version__)"], capture_output=True, text=True).stdout.split()
    lib = h.sh("dpkg-query -W -f='${Version}' libxgboost0") or "?"
    return "libxgboost %s (Debian), Python xgboost %s, numpy %s" % (
        lib, v[1] if len(v) > 1 else "?", v[0] if v else "?")


def main():
    for p in ("gen_numeric",):
        h.need(os.path.join(h.WORK, p))
    t0 = time.perf_counter()
    load0 = open("/proc/loadavg").read().split()[:3]
    timer = build_timer()
    train_text, models = training(timer)
    score_text = scoring(models)
    public_text = public()
    total = time.perf_counter() - t0
    load1 = open("/proc/loadavg").read().split()[:3]
    body = "\n".join([
        "### Gradient-boosted trees: churnkit gbdt against xgboost and scikit-learn",
        "",
        "Method: `bench/bench_gbdt.py` (`make bench BENCH=gbdt`). Timed parts are whole "
        "processes (wall time from start to exit, peak RSS from the kernel), median of 3 "
        "runs, churnkit and its peers interleaved; 2 threads everywhere (churnkit --threads 2, "
        "xgboost nthread 2). %s. The machine is shared with other work: before each run the "
        "script waits for the processors to be idle (it waited %.0f s in all, of at most "
        "%.0f), a run during which other processes took more than %.0f%% of the two processors "
        "is thrown away and run again when it took at most %.0f s and the time so lost stays "
        "under %.0f s (%d run%s, %.0f s, here), and each table gives the share of the processors other processes used "
        "during the runs kept (median, max); load average %s at the start, %s at the end; the "
        "whole benchmark took %.1f minutes. Data: `bench/gen_numeric` (20 standard-normal "
        "features, a logistic label): `train_logistic_1000000_1.csv` (as bench_train), "
        "`score_{100000,1000000,5000000}.csv` (seed 7, as bench_scoring). churnkit's programs "
        "re-execute themselves with glibc's malloc asking for transparent huge pages "
        "(src/cli/common.h; libxgboost's own allocations included); the Python peers run as "
        "installed." % (
            versions(), Clock.waited, SETTLE_BUDGET, 100 * DISTURBED, RETRY_LONGEST,
            RETRY_BUDGET, Clock.repeated, "" if Clock.repeated == 1 else "s", Clock.lost, " ".join(load0), " ".join(load1),
            total / 60),
        "",
        "Commands (churnkit; the Python peers are the scripts in bench_gbdt.py):",
        "",
        "```",
        " ".join(rel(a) if a.startswith(h.ROOT) else a for a in
                 ck_train("build/bench/train_logistic_1000000_1.csv", "m.json", TREES)),
        "bin/churnkit-predict --model m.json --data build/bench/score_1000000.csv --out s.csv "
        "--threads 2 --quiet [--reasons 3]",
        "bin/churnkit-train --data tests/data/public/mlc_churn.train.csv --label churn "
        "--positive yes --threads 2 --model gbdt --cv 5 [--learning-rate 0.1 --trees 500 | "
        "--tune] --out m.json",
        "bin/churnkit-eval --model m.json --data tests/data/public/mlc_churn.test.csv --json e.json",
        "```",
        "",
        "Targets:",
        "",
        h.table(["target", "measured", "met"],
                [[t, m, "yes" if ok else "**no**"] for t, m, ok in TARGETS]),
        "",
        train_text, "", score_text, "", public_text,
    ])
    h.write_section("gbdt", body)
    print(body)


if __name__ == "__main__":
    main()
