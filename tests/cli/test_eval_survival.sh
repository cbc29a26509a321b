#!/bin/sh
# churnkit-eval on survival models, end to end on a synthetic world: the
# survival report (concordance, time-dependent AUC and Brier at each
# horizon, calibration) checked against numbers computed here from the
# scorer's own churn probabilities and the data's times; the JSON and HTML;
# a mixed run (the Cox model judged as a classifier of churned_3m beside, and
# against, the classifier); generic targets; and the errors, with nothing
# written when a run fails.
. "$(dirname "$0")/lib.sh"
SY="$CK_BIN/churnkit-synth"; FE="$CK_BIN/churnkit-features"
TR="$CK_BIN/churnkit-train"; PR="$CK_BIN/churnkit-predict"; EV="$CK_BIN/churnkit-eval"
LABELS=churned_3m,churned_6m,value_change_3m,value_change_6m,revenue_next_6m,high_value,churn_months,churn_event

ok "$SY" --accounts 1500 --months 24 --seed 3 --out "$T/w" --quiet
ok "$FE" --world "$T/w" --snapshot 2024-10-01 --out "$T/train.csv" --quiet
ok "$FE" --world "$T/w" --snapshot 2025-04-01 --out "$T/eval.csv" --quiet
ok "$TR" --data "$T/train.csv" --time churn_months --event churn_event --id account_id \
   --exclude $LABELS --l2 1 --name cox --out "$T/cox.json" --quiet
ok "$TR" --data "$T/train.csv" --time churn_months --event churn_event --id account_id \
   --features recency_days,active_day_share --name cox_small \
   --out "$T/cox_small.json" --quiet
for h in 3m 6m; do
  ok "$TR" --data "$T/train.csv" --label churned_$h --id account_id --exclude $LABELS --l2 1 \
     --name churn_$h --out "$T/churn_$h.json" --quiet
done

# ---- the survival report ----
ok "$EV" --model "$T/cox.json" --baseline "$T/cox_small.json" --data "$T/eval.csv" \
   --json "$T/s.json" --html "$T/s.html"
for want in "concordance (Harrell)" "At 3 months:" "At 6 months:" "time-dependent AUC" \
            "Brier skill" "null model" "Calibration at 3 months" "Calibration at 6 months" \
            "Against the baseline model 'cox_small'"; do
  grep -qF "$want" "$T/out" || fail "the survival report lacks '$want'"
done
grep -q "^Target" "$T/out" && fail "a survival evaluation has no default target"
# the scorer's churn probabilities (6 decimals) give the same AUC, concordance,
# Kaplan-Meier churn and counts, computed here the plain way: nobody in this
# data is censored before month 9, so at 3 and 6 months the IPCW weights are 1
ok "$PR" --model "$T/cox.json" --data "$T/eval.csv" --id account_id --horizons 3,6 --quiet \
   --out "$T/p.csv"
/usr/bin/python3 - "$T/s.json" "$T/p.csv" "$T/eval.csv" <<'PY' || fail "survival JSON"
import csv, json, sys
d = json.load(open(sys.argv[1]))
p = list(csv.DictReader(open(sys.argv[2])))
f = list(csv.DictReader(open(sys.argv[3])))
assert d["task"] == "survival" and d["rows"] == len(f) == len(p)
assert d["label"] == {"name": "churn_months", "event": "churn_event",
                      "events": sum(r["churn_event"] == "1" for r in f)}, d["label"]
assert d["horizons"] == [3, 6]
T = [float(r["churn_months"]) for r in f]
E = [int(r["churn_event"]) for r in f]
assert min(t for t, e in zip(T, E) if e == 0) > 6      # the premise above
def auc(score, pos):
    cases = [s for s, y in zip(score, pos) if y]
    ctrls = [s for s, y in zip(score, pos) if not y]
    w = sum((c > k) + 0.5 * (c == k) for c in cases for k in ctrls)
    return w / (len(cases) * len(ctrls))
m = d["models"][0]["metrics"]
base = d["baseline_model"]["metrics"]
null = d["baselines"]["null"]
assert 0.5 < m["concordance"] < 1, m["concordance"]
assert m["concordance_ci_low"] < m["concordance"] < m["concordance_ci_high"]
assert null["concordance"] == 0.5
for h in (3, 6):
    r = [float(x["cox_churn_%dm" % h]) for x in p]
    case = [e == 1 and t <= h for t, e in zip(T, E)]
    k = "_%dm" % h
    assert m["cases" + k] == sum(case) and m["controls" + k] == sum(t > h for t in T)
    a = auc(r, case)
    assert abs(m["auc" + k] - a) < 2e-3, (h, m["auc" + k], a)
    assert 0.5 < m["auc" + k] < 1
    km = sum(case) / len(f)
    assert abs(m["observed_churn" + k] - km) < 1e-12, (m["observed_churn" + k], km)
    assert m["observed_churn" + k + "_ci_low"] < km < m["observed_churn" + k + "_ci_high"]
    assert abs(m["predicted_churn" + k] - sum(r) / len(r)) < 1e-5
    brier = sum((ri - c) ** 2 for ri, c in zip(r, case)) / len(r)
    assert abs(m["brier" + k] - brier) < 1e-5, (m["brier" + k], brier)
    assert abs(m["brier_null" + k] - km * (1 - km)) < 1e-12
    assert null["auc" + k] == 0.5 and abs(null["brier" + k] - m["brier_null" + k]) < 1e-12
    assert abs(m["brier_skill" + k] - (1 - m["brier" + k] / m["brier_null" + k])) < 1e-12
    cal = [c for c in d["models"][0]["calibration"] if c["months"] == h][0]
    assert sum(cal["rows"]) == len(f) and len(cal["predicted"]) == 10
    assert all(x < y for x, y in zip(cal["predicted"], cal["predicted"][1:]))
    vs = d["models"][0]["vs_baseline"]
    assert abs(vs["auc_diff" + k] - (m["auc" + k] - base["auc" + k])) < 1e-12
# Harrell's C from the 6-month churn (a monotone function of eta), O(n^2)
r = [float(x["cox_churn_6m"]) for x in p]
num = den = 0.0
for i in range(len(T)):
    if not E[i]:
        continue
    for j in range(len(T)):
        if T[j] > T[i] or (T[j] == T[i] and not E[j]):
            den += 1
            num += (r[i] > r[j]) + 0.5 * (r[i] == r[j])
assert abs(m["concordance"] - num / den) < 2e-3, (m["concordance"], num / den)
km = d["kaplan_meier"]
assert km["time"] == sorted(set(t for t, e in zip(T, E) if e)) and km["survival"][0] < 1
assert all(lo <= s <= hi for lo, s, hi in zip(km["ci_low"], km["survival"], km["ci_high"]))
ms = d["models"][0]["mean_survival"]
assert ms["time"][0] == 0 and ms["survival"][0] == 1 and ms["time"][1:] == km["time"]
assert all(x >= y for x, y in zip(ms["survival"], ms["survival"][1:]))
PY
/usr/bin/python3 "$ROOT/tests/cli/check_html.py" "$T/s.html" survival calibration-3m calibration-6m \
   summary paired coefficients-0 >/dev/null \
  || fail "survival HTML: $(/usr/bin/python3 "$ROOT/tests/cli/check_html.py" "$T/s.html" survival 2>&1)"
grep -qF "Kaplan-Meier, 95% band" "$T/s.html" || fail "the survival chart has no Kaplan-Meier legend"
# the same bytes for any thread count
ok "$EV" --model "$T/cox.json" --baseline "$T/cox_small.json" --data "$T/eval.csv" --threads 1 \
   --json "$T/s1.json" --quiet
cmp -s "$T/s.json" "$T/s1.json" || fail "the survival evaluation depends on the thread count"

# ---- the horizon at the data's follow-up ----
# eval.csv ends 9 months after the snapshot: every row not churned by month 9
# is censored at 9 (it paid month 9), so G(9) = 0, but whether each row
# churned by 9 is known; the horizon 9 is measured, and with nobody censored
# earlier its AUC and Brier score are the plain ones of that label
ok "$EV" --model "$T/cox.json" --data "$T/eval.csv" --horizons 3,9 --json "$T/f.json" --quiet
ok "$PR" --model "$T/cox.json" --data "$T/eval.csv" --id account_id --horizons 9 --quiet \
   --out "$T/p9.csv"
/usr/bin/python3 - "$T/f.json" "$T/p9.csv" "$T/eval.csv" <<'PY' || fail "the follow-up horizon"
import csv, json, sys
d = json.load(open(sys.argv[1]))
p = list(csv.DictReader(open(sys.argv[2])))
f = list(csv.DictReader(open(sys.argv[3])))
T = [float(r["churn_months"]) for r in f]
E = [int(r["churn_event"]) for r in f]
assert max(T) == 9 and all(t == 9 for t, e in zip(T, E) if e == 0)   # the premise
assert d["horizons"] == [3, 9]
m, null = d["models"][0]["metrics"], d["baselines"]["null"]
r = [float(x["cox_churn_9m"]) for x in p]
cases = [x for x, e in zip(r, E) if e]
ctrls = [x for x, e in zip(r, E) if not e]
assert m["cases_9m"] == len(cases) and m["controls_9m"] == len(ctrls) == sum(t == 9 and e == 0 for t, e in zip(T, E))
a = sum((c > k) + 0.5 * (c == k) for c in cases for k in ctrls) / (len(cases) * len(ctrls))
assert abs(m["auc_9m"] - a) < 2e-3 and m["auc_9m"] > 0.5, (m["auc_9m"], a)
brier = sum((ri - e) ** 2 for ri, e in zip(r, E)) / len(r)
assert abs(m["brier_9m"] - brier) < 1e-5, (m["brier_9m"], brier)
km = len(cases) / len(f)
assert abs(m["observed_churn_9m"] - km) < 1e-12
assert abs(m["brier_null_9m"] - km * (1 - km)) < 1e-12 and abs(null["brier_9m"] - km * (1 - km)) < 1e-12
PY

# ---- a mixed run: the Cox model as a classifier of churned_3m ----
ok "$EV" --model "$T/churn_3m.json" --model "$T/cox.json" --data "$T/eval.csv" --json "$T/m.json" \
   --html "$T/m.html"
grep -qF "cox@3m" "$T/out" || fail "the mixed report does not name cox@3m"
ok "$EV" --model "$T/cox.json" --baseline "$T/churn_6m.json" --data "$T/eval.csv" --json "$T/m6.json" \
   --quiet
ok "$EV" --model "$T/cox.json" --label churned_3m --data "$T/eval.csv" --json "$T/l.json" --quiet
/usr/bin/python3 - "$T/m.json" "$T/m6.json" "$T/l.json" "$T/s.json" "$T/p.csv" "$T/eval.csv" \
   "$T/cox.json" <<'PY' || fail "mixed JSON"
import csv, json, math, sys
m, m6, l, s = (json.load(open(a)) for a in sys.argv[1:5])
p = list(csv.DictReader(open(sys.argv[5])))
f = list(csv.DictReader(open(sys.argv[6])))
cox = json.load(open(sys.argv[7]))
def auc(score, pos):
    cases = [x for x, y in zip(score, pos) if y]
    ctrls = [x for x, y in zip(score, pos) if not y]
    return sum((c > k) + 0.5 * (c == k) for c in cases for k in ctrls) / (len(cases) * len(ctrls))
assert m["task"] == "classification" and m["horizon"] == 3 and m["label"]["name"] == "churned_3m"
c = m["models"][1]
assert c["name"] == "cox@3m" and c["horizon"] == 3 and c["estimator"] == "cox"
r = [float(x["cox_churn_3m"]) for x in p]
y = [x["churned_3m"] == "1" for x in f]
assert abs(c["metrics"]["roc_auc"] - auc(r, y)) < 2e-3
# here nobody is censored before 3 months: the same as the survival run's auc_3m
assert abs(c["metrics"]["roc_auc"] - s["models"][0]["metrics"]["auc_3m"]) < 1e-12
# the threshold: the training population's Kaplan-Meier churn by 3 months
b = cox["baseline"]
S = 1.0
for t, n, e in zip(b["time"], b["at_risk"], b["events"]):
    if t <= 3:
        S *= 1 - e / n
assert abs(c["metrics"]["threshold"] - (1 - S)) < 1e-12, (c["metrics"]["threshold"], 1 - S)
assert m["target"]["metric"] == "accuracy" and "verdict" in c
# against the 6-month classifier as the baseline: DeLong's test
e = m6["models"][0]
assert e["name"] == "cox@6m" and m6["baseline_model"]["name"] == "churn_6m"
vs = e["vs_baseline"]
assert abs(vs["auc_diff"] - (e["metrics"]["roc_auc"] - m6["baseline_model"]["metrics"]["roc_auc"])) < 1e-12
assert 0 <= vs["delong_p"] <= 1
# --label with the survival model alone: the same AUC as beside the classifier
assert l["models"][0]["metrics"]["roc_auc"] == c["metrics"]["roc_auc"]
PY
/usr/bin/python3 "$ROOT/tests/cli/check_html.py" "$T/m.html" roc summary verdict confusion-1 >/dev/null \
  || fail "mixed HTML"

# ---- targets ----
ok "$EV" --model "$T/cox.json" --data "$T/eval.csv" --target 'concordance>=0.55' --fail-under \
   --json "$T/t.json"
grep -q "^Target: concordance >= 0.550" "$T/out" || fail "no concordance verdict"
grep -q "PASS" "$T/out" || fail "concordance >= 0.55 not a PASS"
/usr/bin/python3 - "$T/t.json" <<'PY' || fail "target JSON"
import json, sys
d = json.load(open(sys.argv[1]))
t, v, m = d["target"], d["models"][0]["verdict"], d["models"][0]["metrics"]
assert t["metric"] == "concordance" and t["op"] == ">=" and t["value"] == 0.55, t
assert t["baseline_meets_target"] is False and t["all_pass"] is True and "accuracy" not in t
assert v["pass"] is True and v["met"] is True
assert v["confirmed"] is (m["concordance_ci_low"] >= 0.55)
PY
expect 1 "concordance target 0.990 missed" "$EV" --model "$T/cox.json" --data "$T/eval.csv" \
   --target 'concordance>=0.99' --fail-under --quiet
expect 1 "auc_6m target 0.990 missed" "$EV" --model "$T/cox.json" --data "$T/eval.csv" \
   --target 'auc_6m>=0.99' --fail-under --quiet
# the null model meets brier_3m <= 0.5 as well: no evidence, no PASS, no miss
ok "$EV" --model "$T/cox.json" --data "$T/eval.csv" --target 'brier_3m<=0.5' --fail-under
grep -q "MET, but so does the null model alone: no evidence of skill" "$T/out" || fail "no-evidence verdict"
grep -q "brier_3m is no evidence of skill" "$T/out" || fail "no-evidence note"
grep -q "PASS" "$T/out" && fail "a target the null model meets gave a PASS"
# the old spelling on classifiers, and roc_auc on a mixed run
expect 1 "accuracy target 0.990 missed" "$EV" --model "$T/churn_3m.json" --data "$T/eval.csv" \
   --target-accuracy 0.99 --fail-under --quiet
ok "$EV" --model "$T/churn_3m.json" --model "$T/cox.json" --data "$T/eval.csv" --target 'roc_auc>=0.6' \
   --fail-under --quiet
expect 2 "unknown target metric 'foo'; the metrics of this evaluation are: rows, events, concordance" \
   "$EV" --model "$T/cox.json" --data "$T/eval.csv" --target 'foo>=1' --json "$T/e1.json"
expect 2 "unknown target metric 'accuracy'" "$EV" --model "$T/cox.json" --data "$T/eval.csv" \
   --target-accuracy 0.85 --html "$T/e2.html"
expect 2 "write METRIC>=VALUE or METRIC<=VALUE" "$EV" --model "$T/cox.json" --data "$T/eval.csv" \
   --target 'roc_auc=0.8'
expect 2 "'abc' is not a number" "$EV" --model "$T/cox.json" --data "$T/eval.csv" --target 'x>=abc'
expect 2 "give one target" "$EV" --model "$T/cox.json" --data "$T/eval.csv" --target 'auc_3m>=0.7' \
   --target-accuracy 0.8

# ---- errors, and nothing written ----
# a horizon past the follow-up: nobody is followed up to it, G(t-) = 0
expect 3 "eval.csv: the horizon 12 months: survival metrics at t = 12: the censoring survival G(t-) is 0" \
   "$EV" --model "$T/cox.json" --data "$T/eval.csv" --horizons 3,12 --json "$T/e3.json" --html "$T/e3.html"
grep -qF "choose a horizon of at most 9" "$T/err" || fail "the refusal of 12 months does not name 9: $(cat "$T/err")"
cut -d, -f1-30 "$T/eval.csv" > "$T/noevent.csv"
head -1 "$T/noevent.csv" | grep -q churn_event && fail "the test file still has churn_event"
expect 3 "no column 'churn_event'" "$EV" --model "$T/cox.json" --data "$T/noevent.csv" \
   --json "$T/e4.json" --html "$T/e4.html"
sed '5s/,0$/,maybe/' "$T/eval.csv" > "$T/badevent.csv"
expect 3 "badevent.csv:5:31: text 'maybe' in numeric column 'churn_event'" "$EV" --model "$T/cox.json" \
   --data "$T/badevent.csv" --json "$T/e5.json"
expect 2 "names a horizon (like churned_3m), and 'churn_event' does not" "$EV" --model "$T/cox.json" \
   --label churn_event --data "$T/eval.csv" --json "$T/e6.json"
expect 2 "--horizons does not go with the label 'churned_3m'" "$EV" --model "$T/churn_3m.json" \
   --model "$T/cox.json" --data "$T/eval.csv" --horizons 6
expect 2 "--horizons must increase" "$EV" --model "$T/cox.json" --data "$T/eval.csv" --horizons 6,3
for f in e1.json e2.html e3.json e3.html e4.json e4.html e5.json e6.json; do
  [ -e "$T/$f" ] && fail "a failed run left $f"
done
ls "$T" | grep -q '\.tmp' && fail "a failed run left a temporary file: $(ls "$T")"
exit 0
