#!/bin/sh
# churnkit-train and churnkit-predict end to end on the public data, their
# determinism, filters, and their errors and exit codes.
. "$(dirname "$0")/lib.sh"
TR="$CK_BIN/churnkit-train"; PR="$CK_BIN/churnkit-predict"
PUB="$DATA/public"

ok "$TR" --help
grep -q -- "--label COLUMN" "$T/out" || fail "train --help lacks --label"
ok "$PR" --version
grep -q "churnkit" "$T/out" || fail "predict --version"

# training: a report on stdout, a model file, byte-identical when repeated
ok "$TR" --data "$PUB/mlc_churn.train.csv" --label churn --l2 1 --cv 5 --seed 7 --name lr --out "$T/lr.json"
grep -q "number_customer_service_calls" "$T/out" || fail "no coefficient table in the train report"
grep -q "CV (5 folds)" "$T/out" || fail "no CV line in the train report"
ok "$TR" --data "$PUB/mlc_churn.train.csv" --label churn --l2 1 --cv 5 --seed 7 --name lr --out "$T/lr2.json" --quiet
cmp -s "$T/lr.json" "$T/lr2.json" || fail "same data, options and seed gave different model files"
[ ! -s "$T/out" ] || fail "--quiet still printed a report"
ok "$TR" --data "$PUB/mlc_churn.train.csv" --label churn --model svm --name svm --out "$T/svm.json" --quiet
ok "$TR" --data "$PUB/mlc_churn.train.csv" --label total_day_minutes --model linear --robust \
   --exclude total_day_charge --name mins --out "$T/mins.json" --quiet

# scoring: header, columns, one row per input row
ok "$PR" --model "$T/lr.json" --model "$T/svm.json" --model "$T/mins.json" \
   --data "$PUB/mlc_churn.test.csv" --reasons 2 --out "$T/scores.csv"
head -1 "$T/scores.csv" | grep -qx "lr_prob,lr_label,lr_reason1,lr_reason1_effect,lr_reason2,lr_reason2_effect,svm_prob,svm_label,mins_pred,mins_reason1,mins_reason1_effect,mins_reason2,mins_reason2_effect,segment,action" \
  || fail "unexpected score header: $(head -1 "$T/scores.csv")"
[ "$(wc -l < "$T/scores.csv")" = 1001 ] || fail "expected 1000 score rows"
grep -q "scored 1000 rows with 3 models" "$T/err" || fail "no summary on stderr"

# a filter: standard input to standard output gives the same bytes
"$PR" --model "$T/lr.json" --data - --out - --quiet < "$PUB/mlc_churn.test.csv" > "$T/piped.csv" || fail "filter mode failed"
ok "$PR" --model "$T/lr.json" --data "$PUB/mlc_churn.test.csv" --out "$T/file.csv" --quiet
cmp -s "$T/piped.csv" "$T/file.csv" || fail "filter output differs from file output"

# --id passes a column through first
awk -F, 'BEGIN{OFS=","} NR==1{print "cid",$0; next} {print "c" NR-1,$0}' "$PUB/mlc_churn.test.csv" > "$T/with_id.csv"
ok "$PR" --model "$T/lr.json" --data "$T/with_id.csv" --id cid --out "$T/ided.csv" --quiet
sed -n 2p "$T/ided.csv" | grep -q "^c1," || fail "--id column not first"

# usage errors: exit 2
expect 2 "--data, --label (or --time and --event) and --out are required" "$TR" --data "$PUB/mlc_churn.train.csv"
expect 2 "unknown estimator 'forest' (logistic|linear|svm|gbdt|cox)" "$TR" --data x --label y --out z --model forest
expect 2 "--l2" "$TR" --data x --label y --out z --l2 -1
expect 2 "add --cv K" "$TR" --data "$PUB/mlc_churn.train.csv" --label churn --threshold auto --out "$T/x.json"

# a precision floor: the threshold with the most recall at precision >= X on
# the out-of-fold predictions, recorded with what it did there
ok "$TR" --data "$PUB/mlc_churn.train.csv" --label churn --cv 5 --threshold 'precision>=0.8' --out "$T/p80.json"
grep -q '"threshold_rule": "precision>=0.8"' "$T/p80.json" || fail "the floor is not the model's threshold_rule"
grep -q '"threshold_cv"' "$T/p80.json" || fail "no threshold_cv in the model"
grep -q "on the out-of-fold predictions it names" "$T/out" || fail "no out-of-fold line for the floor"
/usr/bin/python3 - "$T/p80.json" <<'PY' || fail "the floor's out-of-fold precision is below it"
import json, sys
k = json.load(open(sys.argv[1]))["threshold_cv"]
assert k["precision"] >= 0.8 and 0 < k["named"] <= k["rows"] and 0 < k["recall"] <= 1, k
PY
ok "$TR" --data "$PUB/mlc_churn.train.csv" --label churn --cv 5 --threshold 'recall>=0.5' --out "$T/r50.json" --quiet
ok "$PR" --model "$T/r50.json" --data "$PUB/mlc_churn.test.csv" --out "$T/r50.csv" --quiet
expect 2 "a floor reads precision>=X or recall>=X" \
  "$TR" --data "$PUB/mlc_churn.train.csv" --label churn --cv 5 --threshold 'precision>=2' --out "$T/x.json"
expect 2 "add --cv K" "$TR" --data "$PUB/mlc_churn.train.csv" --label churn --threshold 'precision>=0.8' --out "$T/x.json"
# churn only in the middle of x: every fold's highest scores are at an end of
# x, where no one churns, so no threshold reaches precision 0.9 (exit 1, no model)
awk 'BEGIN{print "x,y"; for(i=0;i<100;i++){x=i%10; print x "," (x==4||x==5)}}' > "$T/middle.csv"
expect 1 "cannot be met on the cross-validated predictions" \
  "$TR" --data "$T/middle.csv" --label y --cv 5 --threshold 'precision>=0.9' --out "$T/x.json"
[ ! -e "$T/x.json" ] || fail "an unmet floor wrote a model"
# the least cost: a contact at 10 that keeps a churner worth 60 is fp 10, fn 50
ok "$TR" --data "$PUB/mlc_churn.train.csv" --label churn --cv 5 --threshold cost --cost-contact 10 \
   --value-saved 60 --out "$T/cost.json" --quiet
grep -q '"threshold_rule": "cost(fp=10,fn=50)"' "$T/cost.json" || fail "the cost rule is not recorded"
/usr/bin/python3 - "$T/cost.json" <<'PY' || fail "a cheaper threshold than the cost rule's"
import json, sys
k = json.load(open(sys.argv[1]))["threshold_cv"]
# at most the cost of naming nobody (every churner missed) or everybody
pos = k["recall"] and k["named"] * k["precision"] / k["recall"]
fp, fn = k["named"] * (1 - k["precision"]), pos * (1 - k["recall"])
assert 10 * fp + 50 * fn <= min(50 * pos, 10 * (k["rows"] - pos)) + 1e-6, (fp, fn, pos)
PY
expect 2 "--threshold cost needs --cost-fp and --cost-fn" \
  "$TR" --data "$PUB/mlc_churn.train.csv" --label churn --cv 5 --threshold cost --cost-fp 1 --out "$T/x.json"
expect 2 "go with --threshold cost" \
  "$TR" --data "$PUB/mlc_churn.train.csv" --label churn --cv 5 --cost-fp 1 --cost-fn 2 --out "$T/x.json"
# calibration: class weights shift the probabilities; a map fitted on the
# out-of-fold predictions brings the hold-out's calibration error down, and
# predict applies the same map
for c in none platt isotonic; do
  cal=""; [ $c = none ] || cal="--calibrate $c"
  ok "$TR" --data "$PUB/mlc_churn.train.csv" --label churn --cv 5 --class-weight balanced $cal \
     --name m --out "$T/cal_$c.json" --quiet
  ok "$CK_BIN/churnkit-eval" --model "$T/cal_$c.json" --data "$PUB/mlc_churn.test.csv" --json "$T/cal_$c.eval.json" --quiet
done
grep -q '"method": "isotonic"' "$T/cal_isotonic.json" || fail "no calibration in the model file"
/usr/bin/python3 - "$T" <<'PY' || fail "calibration did not bring the calibration error down"
import json, sys
e = {c: json.load(open("%s/cal_%s.eval.json" % (sys.argv[1], c)))["models"][0]["metrics"]["ece"]
     for c in ("none", "platt", "isotonic")}
assert e["none"] > 0.15 and e["platt"] < 0.05 and e["isotonic"] < 0.05, e
# eval measures a calibrated model before its map too: the uncalibrated model's figure
u = json.load(open("%s/cal_platt.eval.json" % sys.argv[1]))["models"][0]["uncalibrated"]
assert abs(u["ece"] - e["none"]) < 1e-12 and u["method"] == "platt", (u, e)
PY
ok "$CK_BIN/churnkit-eval" --model "$T/cal_isotonic.json" --data "$PUB/mlc_churn.test.csv" --html "$T/cal.html"
grep -q "is calibrated (isotonic): calibration error here" "$T/out" || fail "no calibration line in eval's report"
grep -q "m before calibration" "$T/cal.html" || fail "the reliability chart lacks the curve before calibration"
ok "$PR" --model "$T/cal_platt.json" --data "$PUB/mlc_churn.test.csv" --out "$T/cal.csv" --quiet
/usr/bin/python3 - "$T/cal.csv" "$T/cal_platt.eval.json" <<'PY' || fail "predict and eval disagree on a calibrated model"
import csv, json, sys
p = [float(r["m_prob"]) for r in csv.DictReader(open(sys.argv[1]))]
m = json.load(open(sys.argv[2]))["models"][0]["metrics"]
pos = m["positives"]
# the mean calibrated probability is near the test's churn rate, as eval's Brier agrees
assert abs(sum(p) / len(p) - pos / m["rows"]) < 0.03, (sum(p) / len(p), pos / m["rows"])
PY
expect 2 "--calibrate fits its map on the cross-validated predictions: add --cv K" \
  "$TR" --data "$PUB/mlc_churn.train.csv" --label churn --calibrate platt --out "$T/x.json"
expect 2 "--calibrate 'beta': platt or isotonic" \
  "$TR" --data "$PUB/mlc_churn.train.csv" --label churn --cv 3 --calibrate beta --out "$T/x.json"
expect 2 "must exceed --cost-contact" \
  "$TR" --data "$PUB/mlc_churn.train.csv" --label churn --cv 5 --threshold cost --cost-contact 10 \
  --value-saved 5 --out "$T/x.json"
expect 2 "--model and --data are required" "$PR" --data x

# bad data: exit 3, named file/line/column, no output
printf 'a,b,churn\n1,2,yes\n3,4\n' > "$T/ragged.csv"
expect 3 "ragged.csv:3:3: row has 2 fields" "$TR" --data "$T/ragged.csv" --label churn --out "$T/r.json"
[ ! -e "$T/r.json" ] || fail "a model was written from bad data"
printf 'x,churn\n1,no\n2,no\n' > "$T/oneclass.csv"
expect 3 "only one value" "$TR" --data "$T/oneclass.csv" --label churn --out "$T/o.json"
expect 3 "no column 'chrun' (closest: 'churn'" "$TR" --data "$PUB/mlc_churn.train.csv" --label chrun --out "$T/o.json"
# a column the model needs is missing: an error before any output
cut -d, -f1-5,7- "$PUB/mlc_churn.test.csv" > "$T/narrow.csv"
expect 3 "no column 'number_vmail_messages', which model 'lr' needs" "$PR" --model "$T/lr.json" --data "$T/narrow.csv" --out "$T/n.csv"
[ ! -e "$T/n.csv" ] || fail "a partial score file was left"
# a few missing: every one listed, with the near names that may be the typo
sed '1s/total_day_calls/total_day_cals/' "$PUB/mlc_churn.test.csv" | cut -d, -f1-5,7- > "$T/narrow.csv"
expect 3 "no columns 'number_vmail_messages' and 'total_day_calls' (closest: 'total_day_cals'," \
  "$PR" --model "$T/lr.json" --data "$T/narrow.csv" --out "$T/n.csv"
# most missing: another table, all of them listed
cut -d, -f1-5 "$PUB/mlc_churn.test.csv" > "$T/narrow.csv"
expect 3 "narrow.csv: the table does not look like the data model 'lr' was trained on (mlc_churn.train.csv): it lacks 14 of the 19 columns the model reads: 'number_vmail_messages'," \
  "$PR" --model "$T/lr.json" --data "$T/narrow.csv" --out "$T/n.csv"
grep -qF "'total_intl_charge' and 'number_customer_service_calls'" "$T/err" || fail "not every missing column listed: $(cat "$T/err")"
[ ! -e "$T/n.csv" ] || fail "a partial score file was left"
# text in a numeric column, far into the file
awk -F, 'BEGIN{OFS=","} NR==700{$2="abc"} {print}' "$PUB/mlc_churn.test.csv" > "$T/text.csv"
expect 3 "text.csv:700:2: text 'abc' in column 'account_length'" "$PR" --model "$T/lr.json" --data "$T/text.csv" --out "$T/t.csv"
[ ! -e "$T/t.csv" ] || fail "a partial score file was left"

# bad model files: exit 4; missing files: exit 5
head -c 300 "$T/lr.json" > "$T/truncated.json"
expect 4 "truncated.json:" "$PR" --model "$T/truncated.json" --data "$PUB/mlc_churn.test.csv"
sed 's/"version": 1/"version": 9/' "$T/lr.json" > "$T/newer.json"
expect 4 "model file version 9 is newer" "$PR" --model "$T/newer.json" --data "$PUB/mlc_churn.test.csv"
expect 5 "cannot open" "$PR" --model "$T/none.json" --data "$PUB/mlc_churn.test.csv"
expect 5 "cannot open" "$TR" --data "$T/none.csv" --label churn --out "$T/x.json"
expect 5 "cannot create output file" "$TR" --data "$PUB/mlc_churn.train.csv" --label churn --out /nonexistent/m.json
exit 0
