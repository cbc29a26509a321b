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
grep -q "riskiest 10%" "$T/out" || fail "no gains line"
/usr/bin/python3 -c "
import json, sys
d = json.load(open('$T/ev.json'))
assert d['format'] == 'churnkit-eval' and d['rows'] == 1000
assert d['target']['majority_meets_target'] is True
m = d['models'][0]
assert m['name'] == 'churn' and abs(m['metrics']['roc_auc'] - 0.8175) < 0.005
assert 'vs_baseline' in m and 'delong_p' in m['vs_baseline']
assert len(m['roc']['fpr']) == len(m['roc']['tpr']) > 10
" || fail "JSON report"
/usr/bin/python3 "$ROOT/tests/cli/check_html.py" "$T/ev.html" verdict summary paired roc pr \
   reliability gains confusion-0 coefficients-0 >/dev/null || fail "HTML report: $(/usr/bin/python3 "$ROOT/tests/cli/check_html.py" "$T/ev.html" roc 2>&1)"

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
expect 3 "no column 'churn'" "$EV" --model "$T/m.json" --data "$PUB/attrition.test.csv"
head -c 100 "$T/m.json" > "$T/bad.json"
expect 4 "damaged model file" "$EV" --model "$T/bad.json" --data "$PUB/mlc_churn.test.csv"
expect 5 "cannot open" "$EV" --model "$T/m.json" --data "$T/nothing.csv"
exit 0
