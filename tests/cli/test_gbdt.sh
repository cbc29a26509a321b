#!/bin/sh
# Gradient-boosted trees through the programs: train with early stopping on
# the folds, score with signed TreeSHAP reasons in the streaming pass,
# evaluate with importances; the option errors; a damaged booster refused.
. "$(dirname "$0")/lib.sh"
TR="$CK_BIN/churnkit-train"; PR="$CK_BIN/churnkit-predict"; EV="$CK_BIN/churnkit-eval"
FIX="$ROOT/tests/fixtures/gbdt"

ok "$TR" --data "$FIX/train.csv" --label churn --model gbdt --learning-rate 0.1 --trees 300 \
   --cv 3 --early-stopping 10 --log total_day_minutes --seed 3 --out "$T/g.json"
grep -q "Tuning (early stopping after 10 rounds without gain, 3-fold log-loss)" "$T/out" \
  || fail "no early-stopping table in the report"
grep -q "mean |SHAP|" "$T/out" || fail "no importance table in the report"
grep -q "takes raw inputs: --log and --missing-indicators are ignored" "$T/err" \
  || fail "--log with trees: no warning"
# the same bytes with another thread count
ok "$TR" --data "$FIX/train.csv" --label churn --model gbdt --learning-rate 0.1 --trees 300 \
   --cv 3 --early-stopping 10 --log total_day_minutes --seed 3 --threads 1 --out "$T/g1.json" --quiet
cmp -s "$T/g.json" "$T/g1.json" || fail "the model depends on the thread count"

# --tune: settings that met their cap of trees before the patience ran out
# are counted in a warning (here every one: a patience of 1000)
ok "$TR" --data "$FIX/train.csv" --label churn --model gbdt --cv 3 --tune --early-stopping 1000 \
   --out "$T/tune.json"
grep -qF "gbdt --tune: 8 of the other 8 settings reached their most trees" "$T/err" \
  || fail "--tune: capped settings not counted: $(cat "$T/err")"

# scores with reasons: every raising reason has a positive effect
ok "$PR" --model "$T/g.json" --data "$FIX/test.csv" --reasons 3 --reasons-direction up \
   --out "$T/s.csv" --quiet
head -1 "$T/s.csv" | grep -qx "gbdt_prob,gbdt_label,gbdt_reason1,gbdt_reason1_effect,gbdt_reason2,gbdt_reason2_effect,gbdt_reason3,gbdt_reason3_effect" \
  || fail "score header: $(head -1 "$T/s.csv")"
awk -F, 'NR > 1 && $4 != "" && $4 <= 0 { bad = 1 } END { exit bad }' "$T/s.csv" \
  || fail "--reasons-direction up gave a reason that lowers the risk"
[ "$(($(wc -l < "$T/s.csv") - 1))" = "$(($(wc -l < "$FIX/test.csv") - 1))" ] || fail "row count"

# a value missing at scoring that training never missed takes xgboost's
# default branch, never learned: counted in a warning (international_plan
# was missing in training: its missing rows are not)
awk -F, 'BEGIN { OFS = "," } NR >= 2 && NR <= 4 { $5 = "" } NR == 5 { $10 = ""; $4 = "" } { print }' \
  "$FIX/test.csv" > "$T/holes.csv"
ok "$PR" --model "$T/g.json" --data "$T/holes.csv" --out "$T/holes_scores.csv"
blank=$(awk -F, 'NR > 1 && $5 == ""' "$T/holes.csv" | wc -l)
grep -qF "model 'gbdt': $blank rows have no value of 'voice_mail_plan', never missing in training" \
  "$T/err" || fail "no warning for a text value never missing in training: $(cat "$T/err")"
grep -qF "model 'gbdt': 1 rows have no value of 'total_eve_minutes', never missing in training" "$T/err" \
  || fail "no warning for a number never missing in training"
! grep -qF "no value of 'international_plan'" "$T/err" \
  || fail "a column missing in training was warned about"

# evaluation: importances in the JSON, a chart in the HTML
ok "$EV" --model "$T/g.json" --data "$FIX/test.csv" --json "$T/e.json" --html "$T/e.html" --quiet
/usr/bin/python3 - "$T/e.json" <<'PY' || fail "eval JSON lacks the importances"
import json, sys
m = json.load(open(sys.argv[1]))["models"][0]
imp = m["importance"]
assert m["estimator"] == "gbdt" and len(imp) == 19, m.keys()
assert all(t["value"] >= 0 and t["total_gain"] >= 0 for t in imp)
assert max(t["value"] for t in imp) > 0
PY
grep -q "Feature importance (mean |SHAP|)" "$T/e.html" || fail "no importance chart"

# errors: options, monotone constraints, a damaged booster
expect 2 "--l2 does not apply to --model gbdt; it is for --model logistic, linear, cox (--model gbdt has --lambda: L2 penalty on leaf weights)" \
  "$TR" --data "$FIX/train.csv" --label churn --model gbdt --l2 1 --out "$T/x.json"
expect 2 "--monotone: 'state' is a text column" \
  "$TR" --data "$FIX/train.csv" --label churn --model gbdt --monotone state=1 --out "$T/x.json"
expect 2 "--max-depth: 0 is outside [1, 16]" \
  "$TR" --data "$FIX/train.csv" --label churn --model gbdt --max-depth 0 --out "$T/x.json"
[ ! -e "$T/x.json" ] || fail "a model was written after a usage error"
sed 's/\\"split_indices\\":\[/\\"split_indices\\":[99999,/' "$T/g.json" > "$T/bad.json"
cmp -s "$T/bad.json" "$T/g.json" && fail "the damaging edit did nothing"
expect 4 "bad.json" "$PR" --model "$T/bad.json" --data "$FIX/test.csv" --out "$T/b.csv"
[ ! -e "$T/b.csv" ] || fail "scores were written with a damaged model"
expect 2 "--early-stopping acts on the cross-validation folds: add --cv K" \
  "$CK_BIN/churnkit-train" --data "$DATA/public/mlc_churn.train.csv" --label churn --model gbdt \
  --early-stopping 5 --out "$T/x.json"

# --no-train-metrics: the same model, less its in-sample record and report line
ok "$TR" --data "$FIX/train.csv" --label churn --model gbdt --trees 20 --out "$T/tm.json" --quiet
ok "$TR" --data "$FIX/train.csv" --label churn --model gbdt --trees 20 --no-train-metrics \
   --out "$T/ntm.json"
grep -q "^Train " "$T/out" && fail "--no-train-metrics: the report still has a Train line"
/usr/bin/python3 - "$T/tm.json" "$T/ntm.json" <<'PY' || fail "--no-train-metrics: the models differ beyond metrics.train"
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:])
assert "train" in a["metrics"] and "train" not in b["metrics"], (a["metrics"].keys(), b["metrics"].keys())
del a["metrics"]["train"]
assert a == b
PY
ok "$PR" --model "$T/ntm.json" --data "$FIX/test.csv" --out "$T/ntm.csv" --quiet

# a value a float cannot hold (xgboost compares in float): refused with its
# line and column in training, scoring and evaluation, and no output
awk -F, -v OFS=, 'NR == 4 { $7 = "1e300" } { print }' "$FIX/test.csv" > "$T/huge.csv"
expect 3 "huge.csv:4:7: value" "$PR" --model "$T/g.json" --data "$T/huge.csv" --out "$T/h.csv"
grep -q "beyond the range of a 32-bit float" "$T/err" || fail "predict: $(cat "$T/err")"
[ ! -e "$T/h.csv" ] || fail "predict left an output for a value beyond float"
expect 3 "beyond the range of a 32-bit float" "$EV" --model "$T/g.json" --data "$T/huge.csv"
grep -q "huge.csv:4:7" "$T/err" || fail "eval: $(cat "$T/err")"
expect 3 "huge.csv:4:7: value 1e+300 in column 'total_day_minutes'" \
  "$TR" --data "$T/huge.csv" --label churn --model gbdt --trees 2 --out "$T/h.json"
[ ! -e "$T/h.json" ] || fail "train left a model for a value beyond float"
# a logistic model reads the same file (it computes in double)
ok "$TR" --data "$T/huge.csv" --label churn --l2 1 --quiet --out "$T/hl.json"
exit 0
