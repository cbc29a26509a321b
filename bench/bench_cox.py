"""Cox proportional hazards from CSV (issue 16): churnkit-train --time --event
against statsmodels' PHReg (pandas.read_csv + PHReg(...).fit()) and R's
survival::coxph (read.csv + coxph), on the same seeded files, in the same run.

Data (bench/gen_survival, never committed): 1,000,000 rows, 20 standard-normal
features x1..x20, a Weibull proportional-hazards time to churn driven by
x1..x5, censored at random and at 24 months; once in whole months (24
distinct times, heavy ties) and once unrounded (no ties among the events).
Efron's ties everywhere, no penalty.

Timed: whole processes (wall time from start to exit, peak RSS from the
kernel), median of 3 runs, all programs interleaved; a program whose first
run takes longer than SLOW seconds runs once (the table says so).  churnkit
runs with --threads 2 and --threads 1 (the peers use one core; numpy's BLAS
is single-threaded here, and PHReg's work is mostly not BLAS).  The peers'
parts (read, fit) are timed inside their processes.  Untimed: the fits'
coefficients and log-likelihoods against each other, and churnkit's phases
from one extra run under gdb (breakpoints on entry to its functions).

Target: churnkit's whole-process time at most 0.3x the faster peer's."""
import json
import os
import statistics
import subprocess
import sys
import time

import harness as h

ROWS = 1_000_000
SEED = 1
RUNS = 3
SLOW = 300.0          # a run longer than this is not repeated
TOO_SLOW = 600.0      # a peer slower than this also runs on SMALL rows
SMALL = 100_000
CK = os.path.join(h.ROOT, "bin", "churnkit-train")

PHREG = r'''
import json, sys, time
t0 = time.perf_counter()
import numpy as np
import pandas as pd
from statsmodels.duration.hazard_regression import PHReg
t1 = time.perf_counter()
d = pd.read_csv(sys.argv[1])
t2 = time.perf_counter()
X = d.drop(columns=["time", "event"])
r = PHReg(d["time"].to_numpy(), X.to_numpy(), status=d["event"].to_numpy(), ties="efron").fit()
t3 = time.perf_counter()
llf = float(r.llf)
t4 = time.perf_counter()
print(json.dumps({"imports": t1 - t0, "read": t2 - t1, "fit": t3 - t2, "loglik_eval": t4 - t3,
                  "names": list(X.columns), "coef": [float(b) for b in r.params],
                  "se": [float(s) for s in r.bse], "loglik": llf}))
'''

COXPH = r'''
t_lib <- system.time(suppressMessages(library(survival)))[["elapsed"]]
f <- commandArgs(trailingOnly = TRUE)[1]
t_read <- system.time(d <- read.csv(f, colClasses = "numeric"))[["elapsed"]]
t_fit <- system.time(fit <- coxph(Surv(time, event) ~ ., data = d, ties = "efron"))[["elapsed"]]
num <- function(x) paste0("[", paste(sprintf("%.17g", x), collapse = ","), "]")
cat(sprintf('{"library": %.4f, "read": %.4f, "fit": %.4f, "names": [%s], "coef": %s, "se": %s, "loglik": %.17g, "loglik_null": %.17g, "iter": %d, "concordance": %.17g}\n',
            t_lib, t_read, t_fit, paste0('"', names(coef(fit)), '"', collapse = ","),
            num(coef(fit)), num(sqrt(diag(vcov(fit)))), fit$loglik[2], fit$loglik[1],
            as.integer(fit$iter), fit$concordance[["concordance"]]))
'''

GDB_PHASES = r'''
set pagination off
set confirm off
python
import time
T = []
class B(gdb.Breakpoint):
    def stop(self):
        T.append((self.location, time.perf_counter()))
        return False
for f in ["main", "ck_table_read_csv", "ck_pipeline_fit", "ck_cox_fit", "derivatives",
          "concordance_core", "ck_cox_concordance", "ck_model_save", "exit"]:
    B(f)
end
run
python
for name, t in T: print("PHASE %s %.6f" % (name, t - T[0][1]))
end
'''


# ---------------------------------------------------------------- machine

def binary_stamp():
    st = os.stat(CK)
    return (st.st_mtime_ns, st.st_size)


# ---------------------------------------------------------------- programs

def data_file(mode, rows):
    path = os.path.join(h.WORK, "cox_%s_%d_%d.csv" % (mode, rows, SEED))
    if not os.path.exists(path):
        with open(path + ".tmp", "wb") as f:
            subprocess.run([os.path.join(h.WORK, "gen_survival"), str(rows), "20", str(SEED),
                            mode], stdout=f, check=True)
        os.replace(path + ".tmp", path)
    return path


def ck_cmd(data, threads, model, extra=()):
    return [CK, "--data", data, "--time", "time", "--event", "event", "--threads",
            str(threads), "--out", model, "--quiet"] + list(extra)


def programs(data):
    w = h.WORK
    return {
        "churnkit --threads 2": (ck_cmd(data, 2, os.path.join(w, "cox_ck2.json")), None),
        "churnkit --threads 1": (ck_cmd(data, 1, os.path.join(w, "cox_ck1.json")), None),
        "statsmodels PHReg": ([h.PY, "-c", PHREG, data], os.path.join(w, "cox_phreg.out")),
        "R coxph": (["Rscript", "-e", COXPH, data], os.path.join(w, "cox_coxph.out")),
    }


def churnkit_fit(model):
    m = json.load(open(model))
    scale = {f["name"]: f["scale"] for f in m["features"]}
    terms = m["coefficients"]["terms"]
    return {"names": [t["term"] for t in terms],
            "coef": [t["coef"] / scale[t["term"]] for t in terms],
            "se": [t["se"] / scale[t["term"]] for t in terms],
            "loglik": m["fit"]["loglik"], "loglik_null": m["fit"]["loglik_null"],
            "iter": m["fit"]["iterations"], "concordance": m["fit"]["concordance"],
            "events": m["fit"]["events"], "rows": m["fit"]["rows"]}


def measure(data):
    """Runs every program RUNS times, interleaved (one run for those slower
    than SLOW); returns ({name: [run dicts]}, {peer: [its parts]})."""
    progs = programs(data)
    res = {k: [] for k in progs}
    parts = {k: [] for k in progs}
    for i in range(RUNS):
        for name, (cmd, out) in progs.items():
            if i > 0 and res[name][0]["wall"] > SLOW:
                continue
            stamp = binary_stamp()
            r = h.run_measured(cmd, stdout=out)
            if binary_stamp() != stamp:
                sys.exit("bench: bin/churnkit-train changed during the benchmark; run it again")
            res[name].append(r)
            if out:
                parts[name].append(json.loads(open(out).read().strip().splitlines()[-1]))
            print("  %s: run %d, %.2f s, %.0f MiB, others' load %.0f%%"
                  % (name, i + 1, r["wall"], r["rss"], 100 * r["others"]), flush=True)
    return res, parts


def phases(data):
    """churnkit's phases, from one run (--threads 2) under gdb: seconds from
    main to each function's first entry."""
    script = os.path.join(h.WORK, "cox_phases.gdb")
    with open(script, "w") as f:
        f.write(GDB_PHASES)
    out = subprocess.run(["gdb", "-q", "-batch", "-x", script, "--args"] +
                         ck_cmd(data, 2, os.path.join(h.WORK, "cox_ck_gdb.json")),
                         capture_output=True, text=True)
    hits = []
    for line in out.stdout.splitlines():
        if line.startswith("PHASE "):
            _, name, t = line.split()
            hits.append((name, float(t)))
    return hits


def phase_rows(hits):
    """Named intervals from the breakpoint hits (see phases)."""
    first = {}
    for name, t in hits:
        first.setdefault(name, t)
    conc = [t for n, t in hits if n == "concordance_core"]
    iters = sum(1 for n, _ in hits if n == "derivatives")
    need = ["ck_table_read_csv", "ck_pipeline_fit", "ck_cox_fit", "derivatives",
            "ck_cox_concordance", "ck_model_save", "exit"]
    if any(k not in first for k in need) or len(conc) < 2:
        return None, iters
    rows = [
        ("start of main to reading the CSV", first["ck_table_read_csv"]),
        ("reading the CSV into the table", first["ck_pipeline_fit"] - first["ck_table_read_csv"]),
        ("the pipeline: fit it (means, scales), encode the rows",
         first["ck_cox_fit"] - first["ck_pipeline_fit"]),
        ("Cox: setup (sort by time, tie blocks, column means)",
         first["derivatives"] - first["ck_cox_fit"]),
        ("Cox: Newton-Raphson (%d derivative passes), tests, baseline hazard" % iters,
         conc[0] - first["derivatives"]),
        ("Cox: the fit's concordance; then scoring the training rows",
         first["ck_cox_concordance"] - conc[0]),
        ("train metrics: concordance of the scores (again), the rest before saving",
         first["ck_model_save"] - first["ck_cox_concordance"]),
        ("the model file: build the JSON, read it back, write it; to exit()",
         first["exit"] - first["ck_model_save"]),
    ]
    return rows, iters


# ---------------------------------------------------------------- report

def med(xs):
    return statistics.median(xs)


def agreement(fits):
    """The largest relative difference of churnkit's coefficients (and
    log-likelihood) from each peer's, and in standard errors."""
    ck = fits["churnkit --threads 2"]
    out = {}
    for peer in ("statsmodels PHReg", "R coxph", "churnkit --threads 1"):
        if peer not in fits:
            continue
        p = fits[peer]
        assert p["names"] == ck["names"], (p["names"], ck["names"])
        rel = max(abs(a - b) / abs(b) for a, b in zip(ck["coef"], p["coef"]))
        worst = max(range(len(ck["coef"])),
                    key=lambda j: abs(ck["coef"][j] - p["coef"][j]) / abs(p["coef"][j]))
        inse = max(abs(a - b) / s for a, b, s in zip(ck["coef"], p["coef"], ck["se"]))
        big = [j for j in range(len(ck["coef"])) if abs(ck["coef"][j]) > 0.05]
        relbig = max(abs(ck["coef"][j] - p["coef"][j]) / abs(p["coef"][j]) for j in big)
        ll = abs(ck["loglik"] - p["loglik"]) / abs(p["loglik"])
        out[peer] = {"rel": rel, "worst": ck["names"][worst], "worst_coef": p["coef"][worst],
                     "relbig": relbig, "inse": inse, "ll": ll,
                     "se_rel": max(abs(a - b) / b for a, b in zip(ck["se"], p["se"]))}
    return out


def fmt_s(x):
    return "%.2f s" % x if x < 100 else "%.0f s" % x


def workload(mode, rows, label):
    data = data_file(mode, rows)
    size = os.path.getsize(data) / 2**20
    print("cox benchmark: %s, %d rows (%.0f MiB)" % (mode, rows, size), flush=True)
    res, parts = measure(data)
    w = h.WORK
    fits = {"churnkit --threads 2": churnkit_fit(os.path.join(w, "cox_ck2.json")),
            "churnkit --threads 1": churnkit_fit(os.path.join(w, "cox_ck1.json"))}
    fits["statsmodels PHReg"] = parts["statsmodels PHReg"][-1]
    fits["R coxph"] = parts["R coxph"][-1]
    walls = {k: med([r["wall"] for r in v]) for k, v in res.items()}
    faster = min(("statsmodels PHReg", "R coxph"), key=lambda k: walls[k])
    table_rows = []
    for name, runs in res.items():
        wall = walls[name]
        if name == "statsmodels PHReg":
            ps = parts[name]
            part = "imports %.2f, read_csv %.2f, PHReg fit %.2f, llf %.2f" % (
                med([p["imports"] for p in ps]), med([p["read"] for p in ps]),
                med([p["fit"] for p in ps]), med([p["loglik_eval"] for p in ps]))
        elif name == "R coxph":
            ps = parts[name]
            part = "library(survival) %.2f, read.csv %.2f, coxph %.2f" % (
                med([p["library"] for p in ps]), med([p["read"] for p in ps]),
                med([p["fit"] for p in ps]))
        else:
            part = "see the phases below" if name.endswith("2") else ""
        table_rows.append([
            label, name, "%s (%d)" % (fmt_s(wall), len(runs)),
            "**%.3f**" % (wall / walls[faster]) if name.startswith("churnkit") else
            "%.2f" % (wall / walls[faster]),
            "%.0f MiB" % med([r["rss"] for r in runs]),
            "%.1f" % med([r["cpu"] for r in runs]),
            "%.0f%% (max %.0f%%)" % (100 * med([r["others"] for r in runs]),
                                     100 * max(r["others"] for r in runs)),
            part])
    return {"mode": mode, "rows": rows, "label": label, "data": data, "size": size,
            "walls": walls, "faster": faster, "table": table_rows, "fits": fits,
            "agree": agreement(fits), "res": res}


def main():
    for p in ("gen_survival",):
        h.need(os.path.join(h.WORK, p))
    h.need(CK)
    waited, still = h.wait_for_others()
    t_start = time.time()
    load0 = open("/proc/loadavg").read().split()[:3]
    versions = {
        "statsmodels": h.sh(h.PY + " -c 'import statsmodels; print(statsmodels.__version__)'"),
        "numpy": h.sh(h.PY + " -c 'import numpy; print(numpy.__version__)'"),
        "R": h.sh("Rscript -e 'cat(R.version$major, R.version$minor, sep=\".\")'"),
        "survival": h.sh("Rscript -e 'cat(as.character(packageVersion(\"survival\")))'"),
        "churnkit": h.sh("git -C %s log -1 --format=%%h" % h.ROOT) +
                    (" (work tree with uncommitted changes)"
                     if h.sh("git -C %s status --porcelain --untracked-files=no -- src include"
                             % h.ROOT) else ""),
    }
    for mode in ("months", "continuous"):
        data_file(mode, ROWS)
    work = []
    for mode in ("months", "continuous"):
        label = "%s, %s" % ("{:,}".format(ROWS),
                            "whole months" if mode == "months" else "continuous times")
        wl = workload(mode, ROWS, label)
        work.append(wl)
        if wl["walls"]["statsmodels PHReg"] > TOO_SLOW:
            work.append(workload(mode, SMALL, "%s, %s" % ("{:,}".format(SMALL), label.split(", ")[1])))

    # --cv 5 once, informational
    months = data_file("months", ROWS)
    cv = h.run_measured(ck_cmd(months, 2, os.path.join(h.WORK, "cox_cv.json"), ["--cv", "5"]))
    cvm = json.load(open(os.path.join(h.WORK, "cox_cv.json")))["metrics"].get("cv", {})
    cv_c = cvm.get("concordance", {}).get("mean")

    # churnkit's phases, one run under gdb for each 1M file (untimed)
    ph = {}
    for wl in work:
        if wl["rows"] == ROWS:
            ph[wl["mode"]] = phase_rows(phases(wl["data"]))
    load1 = open("/proc/loadavg").read().split()[:3]
    minutes = (time.time() - t_start) / 60

    # ------------------------------------------------------------ the section
    L = []
    L.append("### Cox proportional hazards from CSV: churnkit-train against statsmodels' "
             "PHReg and R's coxph")
    L.append("")
    L.append(
        "Method: `bench/bench_cox.py` (`make bench BENCH=cox`). Whole processes (wall time "
        "from start to exit, peak RSS from the kernel, the child's processor seconds), median "
        "of %d runs (the count is beside each time; a program whose first run took over %.0f s "
        "ran once), the four programs interleaved. Others' load: the share of the %d processors "
        "other processes used during the runs (median, max). Data (`bench/gen_survival`, seed "
        "%d): %s rows, 20 standard-normal features x1..x20 (6 significant digits), time to "
        "churn from a Weibull proportional-hazards model (shape 0.8, scale 30 months, log "
        "hazard ratios 0.5, -0.4, 0.3, -0.2, 0.1 on x1..x5, none on the rest), censored "
        "uniformly on (0, 48) months and at 24 months; `time`, `event`. Whole months: times "
        "and censoring rounded up to months, 24 distinct times; continuous: the same draws "
        "unrounded (15 significant digits, no tied events). All three fit Efron's ties "
        "without a penalty. Versions: churnkit %s; statsmodels %s, numpy %s, pandas (machine "
        "block); R %s, survival %s (R has no data.table, readr or vroom here: read.csv with "
        "colClasses = \"numeric\"). bin/churnkit-train as built at %s (unchanged during the "
        "runs)."
        % (RUNS, SLOW, os.cpu_count(), SEED, "{:,}".format(ROWS), versions["churnkit"],
           versions["statsmodels"], versions["numpy"], versions["R"], versions["survival"],
           time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(os.stat(CK).st_mtime))))
    L.append("")
    wait_note = ("Before timing, the script waited %.0f s for other benchmarks to finish" % waited
                 if waited >= 1 else "No other benchmark was running at the start")
    if still:
        wait_note += "; still running when it went ahead: %s" % "; ".join(still)
    L.append("%s. Load average %s at the start, %s at the end; the whole benchmark took "
             "%.1f minutes." % (wait_note, " ".join(load0), " ".join(load1), minutes))
    L.append("")
    L.append("Commands:")
    L.append("")
    L.append("```")
    L.append("bin/churnkit-train --data build/bench/cox_months_1000000_1.csv --time time "
             "--event event --threads 2 --out m.json --quiet        # and --threads 1")
    L.append("python3: t = pandas.read_csv(f); PHReg(t.time, t[x1..x20], status=t.event, "
             "ties=\"efron\").fit(); .llf")
    L.append("Rscript: d <- read.csv(f, colClasses = \"numeric\"); "
             "coxph(Surv(time, event) ~ ., data = d, ties = \"efron\")")
    L.append("```")
    L.append("")
    L.append("Target: churnkit's whole-process time at most 0.3x the faster peer's.")
    L.append("")
    tgt = []
    for wl in work:
        peer = wl["faster"]
        for name in ("churnkit --threads 2", "churnkit --threads 1"):
            r = wl["walls"][name] / wl["walls"][peer]
            tgt.append([wl["label"], name, "%s against %s's %s" % (
                fmt_s(wl["walls"][name]), peer, fmt_s(wl["walls"][peer])),
                "%.3f" % r, "yes" if r <= 0.3 else "**no**"])
    L.append(h.table(["data", "program", "time", "ratio", "at most 0.3"], tgt))
    L.append("")
    L.append(h.table(["data", "program", "wall (median (runs))", "time / faster peer's",
                      "peak RSS", "processor s", "others' load", "parts (median, s)"],
                     [r for wl in work for r in wl["table"]]))
    L.append("")
    L.append("The peers' parts are timed inside their processes; the rest of their wall time "
             "is starting the interpreter (and, for R, its exit). PHReg's row includes one "
             "extra log-likelihood evaluation at the estimate (`llf`, for the check below); "
             "coxph and churnkit compute the concordance as part of the fit (churnkit twice: "
             "the fit's, and the training metrics'), PHReg does not.")
    L.append("")
    L.append("Agreement (untimed; from the last timed run of each program; churnkit's "
             "coefficients per raw unit, its per-SD coefficient / the feature's scale):")
    L.append("")
    arows = []
    for wl in work:
        ck = wl["fits"]["churnkit --threads 2"]
        for peer, a in wl["agree"].items():
            f = wl["fits"][peer]
            arows.append([wl["label"], peer, "%.1e (%s, %.4f)" % (a["rel"], a["worst"],
                                                                 a["worst_coef"]),
                          "%.1e" % a["relbig"], "%.1e" % a["inse"], "%.1e" % a["se_rel"],
                          "%.6f" % f["loglik"], "%.1e" % a["ll"]])
        arows.append([wl["label"], "churnkit (itself)", "", "", "", "", "%.6f" % ck["loglik"],
                      "%d events, %d Newton iterations, concordance %.6f (coxph %.6f)" % (
                          ck["events"], ck["iter"], ck["concordance"],
                          wl["fits"]["R coxph"]["concordance"])])
    L.append(h.table(["data", "against", "largest relative coefficient difference "
                      "(term, its value)", "same, |coef| > 0.05", "largest difference in SEs",
                      "largest relative SE difference", "log-likelihood", "relative difference"],
                     arows))
    L.append("")
    L.append("x6..x20 have no effect (true coefficient 0): their estimates are near 0, where "
             "a relative difference is large for a tiny absolute one; the next column keeps the "
             "coefficients larger than 0.05, the one after gives the largest difference in "
             "units of churnkit's standard error.")
    L.append("")
    L.append("Cross-validation (informational): `--cv 5` on the %s whole-month rows, "
             "--threads 2, one run: %s, peak RSS %.0f MiB%s." % (
                 "{:,}".format(ROWS), fmt_s(cv["wall"]), cv["rss"],
                 ", out-of-fold concordance %.4f" % cv_c if cv_c else ""))
    L.append("")
    for mode, (rows, iters) in ph.items():
        if rows is None:
            L.append("churnkit's phases (%s): gdb did not report them." % mode)
            continue
        total = sum(s for _, s in rows)
        L.append("churnkit's phases on the %s %s rows (--threads 2; one run under gdb, "
                 "breakpoints on entry to churnkit's functions, timed from main; the "
                 "interval is to the next phase's entry):" % (
                     "{:,}".format(ROWS), "whole-month" if mode == "months" else "continuous-time"))
        L.append("")
        L.append(h.table(["phase", "seconds", "share"],
                         [[n, "%.2f" % s, "%.0f%%" % (100 * s / total)] for n, s in rows]))
        L.append("")
    body = "\n".join(L)
    h.wait_for_others()  # another benchmark may be writing RESULTS.md
    h.write_section("cox", body)
    print(body)


if __name__ == "__main__":
    main()
