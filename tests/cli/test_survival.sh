#!/bin/sh
# Time to churn through the programs: churn_months and churn_event from the
# feature builder, a Cox model trained on them (report as R prints it, the
# same bytes for any thread count), the survival columns of the scorer
# (monotone horizons, revenue at risk, CLV, ROI, segments at a horizon), and
# the usage errors.
. "$(dirname "$0")/lib.sh"
SY="$CK_BIN/churnkit-synth"; FE="$CK_BIN/churnkit-features"
TR="$CK_BIN/churnkit-train"; PR="$CK_BIN/churnkit-predict"
LABELS=churned_3m,churned_6m,value_change_3m,value_change_6m,revenue_next_6m,high_value,churn_months,churn_event

ok "$SY" --accounts 1500 --months 24 --seed 3 --out "$T/w" --quiet
ok "$FE" --world "$T/w" --snapshot 2024-10-01 --out "$T/f.csv" --quiet

ok "$TR" --data "$T/f.csv" --time churn_months --event churn_event --id account_id \
   --exclude $LABELS --log mrr,tenure_days --cv 3 --out "$T/cox.json"
for want in "Cox proportional hazards (ties: efron)" "Concordance = " \
            "Likelihood ratio test" "Wald test" "Score (logrank) test" "per raw unit" \
            "CV (3 folds): concordance"; do
  grep -qF "$want" "$T/out" || fail "the report lacks '$want'"
done
# a spline term in the Cox model: its curve table, and no per-unit hazard
# ratio for its basis columns (they are not the value per SD)
ok "$TR" --data "$T/f.csv" --time churn_months --event churn_event --id account_id \
   --exclude $LABELS --splines tenure_days --out "$T/coxsp.json"
grep -qF "Spline terms: the effect on the log relative hazard" "$T/out" \
  || fail "cox with --splines: no spline table in the report"
awk '/^hazard ratio/ { r = 1 } r && /^tenure_days__ns/ && NF > 4 { bad = 1 } END { exit bad }' "$T/out" \
  || fail "cox with --splines: a basis column has a per-unit hazard ratio"
ok "$TR" --data "$T/f.csv" --time churn_months --event churn_event --id account_id \
   --exclude $LABELS --log mrr,tenure_days --cv 3 --threads 1 --out "$T/cox1.json" --quiet
cmp -s "$T/cox.json" "$T/cox1.json" || fail "the model depends on the thread count"
/usr/bin/python3 - "$T/cox.json" <<'PY' || fail "model file"
import json, sys
m = json.load(open(sys.argv[1]))
assert m["task"] == "survival" and m["estimator"] == "cox", m["task"]
assert m["label"] == {"name": "churn_months", "event": "churn_event"}, m["label"]
b = m["baseline"]
assert len(b["time"]) == len(b["cumulative_hazard"]) > 3
assert all(x < y for x, y in zip(b["time"], b["time"][1:]))
assert all(x <= y for x, y in zip(b["cumulative_hazard"], b["cumulative_hazard"][1:]))
assert "intercept" not in json.dumps(m["coefficients"])
assert all("hazard_ratio" in t for t in m["coefficients"]["terms"])
PY

# Breslow ties and a penalty are options; the value-change model for segments
ok "$TR" --data "$T/f.csv" --time churn_months --event churn_event --id account_id \
   --exclude $LABELS --ties breslow --l2 1 --out "$T/coxb.json"
grep -qF "(ties: breslow)" "$T/out" || fail "--ties breslow not reported"
ok "$TR" --data "$T/f.csv" --label value_change_6m --model linear --id account_id \
   --exclude $LABELS --name value --out "$T/v.json" --quiet

ok "$PR" --model "$T/cox.json" --model "$T/v.json" --data "$T/f.csv" --horizons 3,6,12 \
   --mrr mrr --acquisition-cost mrr --risk-model cox@6m --reasons 2 --out "$T/s.csv"
head -1 "$T/s.csv" | grep -q "^account_id,cox_churn_3m,cox_churn_6m,cox_churn_12m,cox_expected_months,cox_revenue_at_risk,cox_clv,cox_roi,cox_reason1,cox_reason1_effect,cox_reason2,cox_reason2_effect,value_pred,value_reason1,value_reason1_effect,value_reason2,value_reason2_effect,segment,action" \
  || fail "score header: $(head -1 "$T/s.csv")"
grep -q "segments (risk: cox churn within 6m >= " "$T/err" || fail "no survival risk in the summary"
grep -q "revenue at risk .*mean CLV" "$T/err" || fail "no revenue at risk per segment"
/usr/bin/python3 - "$T/s.csv" "$T/f.csv" <<'PY' || fail "survival scores"
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
feat = {r["account_id"]: r for r in csv.DictReader(open(sys.argv[2]))}
assert len(rows) == len(feat)
for r in rows:
    p = [float(r["cox_churn_%dm" % h]) for h in (3, 6, 12)]
    assert 0 <= p[0] <= p[1] <= p[2] <= 1, p        # monotone by construction
    e = float(r["cox_expected_months"])
    assert 0 < e <= 12
    mrr = float(feat[r["account_id"]]["mrr"])
    assert abs(float(r["cox_revenue_at_risk"]) - mrr * (12 - e)) < 0.01 + 1e-6 * mrr
    assert abs(float(r["cox_roi"]) - float(r["cox_clv"]) / mrr) < 1e-3
    assert r["segment"] in ("star", "opportunity", "stable", "critical")
PY

# undiscounted over the horizon, CLV and revenue at risk add up to 6 x MRR
ok "$PR" --model "$T/cox.json" --data "$T/f.csv" --horizons 6 --mrr mrr --clv-months 6 \
   --discount-rate 0 --out "$T/s6.csv" --quiet
/usr/bin/python3 - "$T/s6.csv" "$T/f.csv" <<'PY' || fail "CLV + revenue at risk != 6 x MRR"
import csv, sys
feat = {r["account_id"]: float(r["mrr"]) for r in csv.DictReader(open(sys.argv[2]))}
for r in csv.DictReader(open(sys.argv[1])):
    mrr = feat[r["account_id"]]
    assert abs(float(r["cox_clv"]) + float(r["cox_revenue_at_risk"]) - 6 * mrr) < 0.011, r
PY

# the same bytes with one thread
ok "$PR" --model "$T/cox.json" --model "$T/v.json" --data "$T/f.csv" --horizons 3,6,12 \
   --mrr mrr --acquisition-cost mrr --risk-model cox@6m --reasons 2 --threads 1 \
   --out "$T/s1.csv" --quiet
cmp -s "$T/s.csv" "$T/s1.csv" || fail "scores depend on the thread count"

# usage errors, and nothing written
expect 2 "--time needs --event" "$TR" --data "$T/f.csv" --time churn_months --out "$T/x.json"
expect 2 "give --time COLUMN and --event COLUMN instead of --label" \
  "$TR" --data "$T/f.csv" --label churn_months --model cox --out "$T/x.json"
expect 2 "--event goes with --time" \
  "$TR" --data "$T/f.csv" --label churned_3m --event churn_event --out "$T/x.json"
expect 2 "--model logistic does not do survival" \
  "$TR" --data "$T/f.csv" --time churn_months --event churn_event --model logistic --out "$T/x.json"
expect 2 "--ties: unknown value 'exact'" \
  "$TR" --data "$T/f.csv" --time churn_months --event churn_event --ties exact --out "$T/x.json"
expect 3 "f.csv:2:2: the event 'plan_tier' must be 1 (seen) or 0" \
  "$TR" --data "$T/f.csv" --time churn_months --event plan_tier --out "$T/x.json"
[ ! -e "$T/x.json" ] || fail "a model was written after an error"
expect 2 "--horizons must increase" \
  "$PR" --model "$T/cox.json" --data "$T/f.csv" --horizons 6,3 --out "$T/y.csv"
expect 2 "a horizon is written NAME@6m" \
  "$PR" --model "$T/cox.json" --model "$T/v.json" --data "$T/f.csv" --risk-model cox@six --out "$T/y.csv"
expect 3 "no MRR column 'revenue'" \
  "$PR" --model "$T/cox.json" --data "$T/f.csv" --mrr revenue --out "$T/y.csv"
[ ! -e "$T/y.csv" ] || fail "scores were written after an error"
exit 0
