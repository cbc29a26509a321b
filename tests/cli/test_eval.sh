#!/bin/sh
# churnkit-eval end to end: text, JSON and HTML reports, the target verdict
# and --fail-under, a baseline model, evaluating a scores file, and errors.
. "$(dirname "$0")/lib.sh"
TR="$CK_BIN/churnkit-train"; PR="$CK_BIN/churnkit-predict"; EV="$CK_BIN/churnkit-eval"
PUB="$DATA/public"

ok "$TR" --data "$PUB/mlc_churn.train.csv" --label churn --l2 1 --name churn --out "$T/m.json" --quiet
ok "$TR" --data "$PUB/mlc_churn.train.csv" --label churn --features total_day_minutes,number_customer_service_calls \
   --name legacy --out "$T/legacy.json" --quiet
ok "$EV" --model "$T/m.json" --baseline "$T/legacy.json" --data "$PUB/mlc_churn.test.csv" \
   --json "$T/ev.json" --html "$T/ev.html"
grep -q "Target: accuracy >= 0.850" "$T/out" || fail "no target verdict"
grep -q "accuracy is no evidence of skill" "$T/out" || fail "no majority warning (85.9% are 'no')"
grep -q "DeLong" "$T/out" || fail "no paired test against the baseline"
grep -q "ROC AUC [+-]0\.[0-9]* (95% CI [+-]0\.[0-9]* to [+-]0\.[0-9]*, SE" "$T/out" \
  || fail "no interval for the AUC difference"
grep -q "riskiest 10%" "$T/out" || fail "no gains line"
/usr/bin/python3 -c "
import json, sys
d = json.load(open('$T/ev.json'))
assert d['format'] == 'churnkit-eval' and d['rows'] == 1000
assert d['target']['majority_meets_target'] is True
m = d['models'][0]
assert m['name'] == 'churn' and abs(m['metrics']['roc_auc'] - 0.8175) < 0.005
assert 'vs_baseline' in m and 'delong_p' in m['vs_baseline']
v = m['vs_baseline']   # the 95% interval of the AUC difference: diff -+ 1.96 SE
assert abs(v['auc_diff_ci_low'] - (v['auc_diff'] - 1.959963984540054 * v['auc_diff_se'])) < 1e-12
assert abs(v['auc_diff_ci_high'] - (v['auc_diff'] + 1.959963984540054 * v['auc_diff_se'])) < 1e-12
assert v['auc_diff_ci_low'] < v['auc_diff'] < v['auc_diff_ci_high']
assert len(m['roc']['fpr']) == len(m['roc']['tpr']) > 10
" || fail "JSON report"
/usr/bin/python3 "$ROOT/tests/cli/check_html.py" "$T/ev.html" verdict summary paired roc pr \
   reliability gains confusion-0 coefficients-0 >/dev/null || fail "HTML report: $(/usr/bin/python3 "$ROOT/tests/cli/check_html.py" "$T/ev.html" roc 2>&1)"

# naming the top rows: by default 10% (100 of 1000); the baseline's count;
# their precision recomputed from the scores by hand (ties: none here)
/usr/bin/python3 - "$T/ev.json" <<'PY' || fail "precision at the top 10%"
import json, sys
d = json.load(open(sys.argv[1]))
m = d["models"][0]["metrics"]
assert m["top_named"] == 100 and 0 < m["precision_at_top"] <= 1, m
assert m["precision_at_top_ci_low"] <= m["precision_at_top"] <= m["precision_at_top_ci_high"]
assert abs(d["baselines"]["majority"]["precision_at_top"] - d["label"]["positives"] / 1000) < 1e-12
PY
ok "$EV" --model "$T/m.json" --baseline "$T/legacy.json" --data "$PUB/mlc_churn.test.csv" --top baseline \
   --target 'precision_at_top>=0.1' --json "$T/top.json"
grep -q "naming the top" "$T/out" || fail "no top rows in the text report"
ok "$PR" --model "$T/m.json" --data "$PUB/mlc_churn.test.csv" --out "$T/top_scores.csv" --quiet
/usr/bin/python3 - "$T/top.json" "$T/top_scores.csv" "$PUB/mlc_churn.test.csv" <<'PY' || fail "--top baseline"
import csv, json, sys
d = json.load(open(sys.argv[1]))
b = d["baseline_model"]["metrics"]
named = b["confusion"]["tp"] + b["confusion"]["fp"]
m = d["models"][0]["metrics"]
assert m["top_named"] == named == b["top_named"], (m["top_named"], named)
assert b["precision_at_top"] == b["precision"]   # the baseline's own rows, no tie at its cut
p = [float(r["churn_prob"]) for r in csv.DictReader(open(sys.argv[2]))]
y = [r["churn"] == "yes" for r in csv.DictReader(open(sys.argv[3]))]
# the printed probabilities are rounded, so rows may tie there that do not
# in the model: allow one row either way
top = sorted(range(len(p)), key=lambda i: -p[i])[:named]
assert abs(m["precision_at_top"] - sum(y[i] for i in top) / named) <= 1 / named, m["precision_at_top"]
assert d["target"]["metric"] == "precision_at_top"
PY
expect 2 "--top baseline names as many rows as the --baseline model" \
  "$EV" --model "$T/m.json" --data "$PUB/mlc_churn.test.csv" --top baseline
expect 2 "--top '0%'" "$EV" --model "$T/m.json" --data "$PUB/mlc_churn.test.csv" --top 0%
expect 2 "--top '1.5'" "$EV" --model "$T/m.json" --data "$PUB/mlc_churn.test.csv" --top 1.5

# the target: missed with --fail-under exits 1, met exits 0
expect 1 "accuracy target 0.990 missed" "$EV" --model "$T/m.json" --data "$PUB/mlc_churn.test.csv" \
   --target-accuracy 0.99 --fail-under --quiet
ok "$EV" --model "$T/m.json" --data "$PUB/mlc_churn.test.csv" --target-accuracy 0.5 --fail-under --quiet

# a scores file made by anything: same AUC as scoring the model
"$PR" --model "$T/m.json" --data "$PUB/mlc_churn.test.csv" --quiet > "$T/s.csv" || fail "predict"
cut -d, -f20 "$PUB/mlc_churn.test.csv" | paste -d, - "$T/s.csv" > "$T/labelled.csv"
ok "$EV" --scores "$T/labelled.csv" --label churn --prob churn_prob --json "$T/s.json" --quiet
/usr/bin/python3 -c "
import json
a = json.load(open('$T/ev.json'))['models'][0]['metrics']['roc_auc']
b = json.load(open('$T/s.json'))['models'][0]['metrics']['roc_auc']
assert abs(a - b) < 1e-4, (a, b)
" || fail "scores-file AUC differs from the model's"

# errors
expect 2 "give --model and --data" "$EV" --data "$PUB/mlc_churn.test.csv"
expect 2 "--scores needs --label" "$EV" --scores "$T/labelled.csv" --prob churn_prob
expect 3 "attrition.test.csv: the table does not look like the data model 'churn' was trained on (mlc_churn.train.csv): it lacks 20 of the 20 columns the model reads: 'state', 'account_length'," \
  "$EV" --model "$T/m.json" --data "$PUB/attrition.test.csv"
head -c 100 "$T/m.json" > "$T/bad.json"
expect 4 "damaged model file" "$EV" --model "$T/bad.json" --data "$PUB/mlc_churn.test.csv"
expect 5 "cannot open" "$EV" --model "$T/m.json" --data "$T/nothing.csv"

# the HTML charts (issue 18; check_html.py checks the PR legend -- average
# precision, covering no curve -- and the reliability bin counts in every
# report above): a term name of 70 characters is not clipped on the left,
# and a regression's predictions are not laid flat by a few large actual
# values (value_change = x / 10 + noise, and +-1000 on every 50th row)
long=a_very_long_column_name_that_goes_on_and_on_for_the_sake_of_testing_Age
sed "1s/^Age,/$long,/" "$PUB/attrition.train.csv" > "$T/long.csv"
sed "1s/^Age,/$long,/" "$PUB/attrition.test.csv" > "$T/long_test.csv"
ok "$TR" --data "$T/long.csv" --label Attrition --l2 1 --out "$T/long.json" --quiet
ok "$EV" --model "$T/long.json" --data "$T/long_test.csv" --html "$T/long.html" --quiet
grep -qF "<title>$long</title>" "$T/long.html" || fail "the long name is not whole in its tooltip"
/usr/bin/python3 "$ROOT/tests/cli/check_html.py" "$T/long.html" pr reliability coefficients-0 >/dev/null \
  || fail "HTML charts: $(/usr/bin/python3 "$ROOT/tests/cli/check_html.py" "$T/long.html" 2>&1)"
awk 'BEGIN { print "x,noise,value_change"
  for (i = 1; i <= 300; i++) { x = (i * 7919) % 101; n = (i * 37) % 21 - 10
    printf "%d,%d,%g\n", x, (i * 13) % 17, x / 10 + n + (i % 50 ? 0 : i % 100 ? -1000 : 1000) } }' > "$T/flat.csv"
ok "$TR" --data "$T/flat.csv" --label value_change --model linear --out "$T/flat.json" --quiet
ok "$EV" --model "$T/flat.json" --data "$T/flat.csv" --html "$T/flat.html" --quiet
/usr/bin/python3 "$ROOT/tests/cli/check_html.py" "$T/flat.html" summary scatter-0 >/dev/null \
  || fail "regression HTML: $(/usr/bin/python3 "$ROOT/tests/cli/check_html.py" "$T/flat.html" 2>&1)"
exit 0
