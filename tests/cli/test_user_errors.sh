#!/bin/sh
# The user errors a trial met (issue 18), each with its exit code and
# message: options churnkit-eval would otherwise ignore, two models of one
# name, --id naming no column, outputs checked before the work, a
# semicolon file read without --delim and decimal commas, a table from
# another data set, a missing label (--drop-missing-label), the hold-out
# model (--refit), --no-target, and direction accuracy for value-change
# targets only.
. "$(dirname "$0")/lib.sh"
TR="$CK_BIN/churnkit-train"; PR="$CK_BIN/churnkit-predict"; EV="$CK_BIN/churnkit-eval"
FE="$CK_BIN/churnkit-features"; SY="$CK_BIN/churnkit-synth"
PUB="$DATA/public"; IN="$ROOT/tests/bad/inputs"
D="$PUB/mlc_churn.train.csv"; DT="$PUB/mlc_churn.test.csv"

head -601 "$D" > "$T/small.csv"
ok "$TR" --data "$T/small.csv" --label churn --l2 1 --name lr --out "$T/lr.json" --quiet

# ---- churnkit-eval --model: --threshold refused, --positive honoured only
# when it agrees (a classifier keeps its own class and threshold)
expect 2 "--threshold goes with --scores: a model is judged at its own threshold" \
  "$EV" --model "$T/lr.json" --data "$DT" --threshold 0.3
expect 2 "--positive 'no' differs from the positive class 'yes' of model 'lr', which keeps its own" \
  "$EV" --model "$T/lr.json" --data "$DT" --positive no
ok "$EV" --model "$T/lr.json" --data "$DT" --positive yes --quiet
# survival models alone take it with the horizon label they are judged on
"$SY" --accounts 300 --months 24 --seed 3 --out "$T/w" --quiet || fail "synth"
"$FE" --world "$T/w" --snapshot 2024-10-01 --out "$T/f.csv" --quiet || fail "features"
ok "$TR" --data "$T/f.csv" --time churn_months --event churn_event --id account_id \
  --exclude churned_3m,churned_6m,value_change_3m,value_change_6m,revenue_next_6m,high_value \
  --out "$T/cox.json" --quiet
expect 2 "--positive with survival models goes with --label (the horizon label they are judged on)" \
  "$EV" --model "$T/cox.json" --data "$T/f.csv" --positive 1
ok "$EV" --model "$T/cox.json" --data "$T/f.csv" --label churned_3m --positive 1 --quiet

# ---- --reasons-direction without --reasons would pick among no reasons
expect 2 "--reasons-direction picks which reasons are listed: it goes with --reasons K" \
  "$PR" --model "$T/lr.json" --data "$DT" --reasons-direction up --out "$T/rd.csv"
[ ! -e "$T/rd.csv" ] || fail "--reasons-direction alone left an output"
ok "$PR" --model "$T/lr.json" --data "$DT" --reasons 2 --reasons-direction up --out "$T/rd.csv" --quiet

# ---- cross-validation folds without a positive row: no ROC AUC there; the
# mean is over the folds that have one, and a warning says so
awk -F, 'NR == 1 || ($NF == "no" && n++ < 200) || ($NF == "yes" && p++ < 3)' "$D" > "$T/few.csv"
ok "$TR" --data "$T/few.csv" --label churn --positive yes --cv 5 --l2 1 --out "$T/few.json"
grep -qF "cross-validation: 2 of 5 folds give no roc_auc" "$T/err" \
  || fail "no warning for folds without a ROC AUC: $(cat "$T/err")"
grep -q "roc_auc 0\.[0-9]* +- 0\.[0-9]*" "$T/out" || fail "the CV AUC mean is not a number"

# ---- a header-only input scores no row: no mean, no drift to speak of
head -1 "$DT" > "$T/header_only.csv"
ok "$PR" --model "$T/lr.json" --data "$T/header_only.csv" --out "$T/none.csv"
grep -q "scored 0 rows with 1 model" "$T/err" || fail "header-only: $(cat "$T/err")"
! grep -q "nan\|drift" "$T/err" || fail "header-only input: $(cat "$T/err")"

# ---- two models of one name: refused, as churnkit-predict refuses them
expect 2 "two models are named 'lr': their report columns would clash (train one with another --name)" \
  "$EV" --model "$T/lr.json" --model "$T/lr.json" --data "$DT"
expect 2 "two models are named 'lr': their score columns would clash" \
  "$PR" --model "$T/lr.json" --model "$T/lr.json" --data "$DT"

# ---- --id must name a column (as a missing label does: bad data, exit 3)
expect 3 "--id: $T/small.csv: no column 'acount_id'" \
  "$TR" --data "$T/small.csv" --label churn --id acount_id --out "$T/x.json"
[ ! -e "$T/x.json" ] || fail "a model was written for a missing --id column"

# ---- outputs checked before the work: a missing directory is an I/O error
# before the data is even opened (the data here does not exist: reading it
# first would say 'cannot open'); an empty path is a usage error everywhere
for p in "train --data /nonexistent/d.csv --label churn --out" \
         "predict --model $T/lr.json --data /nonexistent/d.csv --out" \
         "predict --model $T/lr.json --data /nonexistent/d.csv --drift-report" \
         "eval --model $T/lr.json --data /nonexistent/d.csv --json" \
         "eval --model $T/lr.json --data /nonexistent/d.csv --html" \
         "features --world /nonexistent --snapshot 2024-07-01 --out"; do
  set -- $p
  prog=$1; shift
  expect 5 "/nonexistent-dir/out: cannot create output file: No such file or directory" \
    "$CK_BIN/churnkit-$prog" "$@" /nonexistent-dir/out
  expect 5 "$T: is a directory" "$CK_BIN/churnkit-$prog" "$@" "$T"
  opt=$(eval echo "\${$#}")
  expect 2 "$opt: the output path is empty" "$CK_BIN/churnkit-$prog" "$@" ""
done
expect 2 "--out: the output path is empty" "$SY" --accounts 10 --out ""
# an SVM fit is not wasted: the error comes at once (no fit ran)
start=$(date +%s)
expect 5 "cannot create output file" "$TR" --data "$D" --label churn --model svm --cv 5 \
  --out /nonexistent-dir/svm.json
[ $(( $(date +%s) - start )) -lt 5 ] || fail "the output path was checked after the fit"

# ---- a semicolon file read without --delim, and decimal commas
/usr/bin/python3 - "$T/small.csv" "$T/semi.csv" <<'PY' || fail "cannot write semi.csv"
import csv, sys
rows = list(csv.reader(open(sys.argv[1])))
with open(sys.argv[2], "w") as f:
    for r in rows:
        f.write(";".join(x.replace(".", ",") for x in r) + "\n")
PY
hint="the file looks separated by ';' -- use --delim ';'"
expect 3 "semi.csv:2:2: row has 9 fields but the header has 1: the header is one column, 'state;account_length;" \
  "$TR" --data "$T/semi.csv" --label churn --out "$T/x.json"
grep -qF -- "$hint" "$T/err" || fail "train: no --delim hint: $(cat "$T/err")"
expect 3 "$hint" "$EV" --model "$T/lr.json" --data "$T/semi.csv"
expect 3 "no column 'state', which model 'lr' needs: the header is one column" \
  "$PR" --model "$T/lr.json" --data "$T/semi.csv" --out "$T/x.csv"
grep -qF -- "$hint" "$T/err" || fail "predict: no --delim hint: $(cat "$T/err")"
expect 3 "no column 'y': the header is one column, 'id;x1;x2;plan;y': $hint" \
  "$TR" --data "$IN/wrong_delimiter.csv" --label y --out "$T/x.json"
comma="a number with a decimal comma? churnkit reads decimal points only: convert the file first (in a ';'-separated file, tr ',' '.' < IN > OUT does it)"
expect 3 "semi.csv:2:7: column 'total_day_minutes' holds '171,5', read as text: $comma" \
  "$TR" --data "$T/semi.csv" --delim ';' --label churn --exclude state --out "$T/x.json"
expect 3 "semi.csv:2:7: text '171,5' in column 'total_day_minutes', which a model reads as a number: $comma" \
  "$PR" --model "$T/lr.json" --data "$T/semi.csv" --delim ';' --out "$T/x.csv"
expect 3 "semi.csv:2:7: text '171,5' in numeric column 'total_day_minutes': $comma" \
  "$EV" --model "$T/lr.json" --data "$T/semi.csv" --delim ';'
# the fix named works
tr ',' '.' < "$T/semi.csv" > "$T/dot.csv"
ok "$PR" --model "$T/lr.json" --data "$T/dot.csv" --delim ';' --out "$T/x.csv" --quiet
# unknown options: the near ones only
expect 2 "unknown option '--thresold' (closest: '--threshold')" "$TR" --thresold 0.3
expect 2 "unknown option '--no-targt' (closest: '--no-target')" "$EV" --no-targt
expect 2 "unknown option '--jsn=x.json' (closest: '--json')" "$EV" --jsn=x.json
# a short option, alone or in a cluster, is named as such (not the program)
expect 2 "unknown option '-j' (the options are long: --name)" "$EV" -josn x.json
expect 2 "option '--json' needs a value" "$EV" --json
expect 2 "unknown option '--xyzzy'" "$PR" --xyzzy
grep -q closest "$T/err" && fail "a meaningless suggestion: $(cat "$T/err")"

# headerless rows whose names do not cover every column: --columns named
tail -n +2 "$DT" | head -20 > "$T/part"
expect 3 "row has 20 fields but the header has 19: the 19 names given for the headerless input (--columns, else the model's inputs) must name every column" \
  "$PR" --model "$T/lr.json" --data "$T/part" --no-header --out "$T/x.csv"
ok "$PR" --model "$T/lr.json" --data "$T/part" --no-header --columns "$(head -1 "$DT")" --out "$T/x.csv"

# ---- a table from another data set: every missing column, and said so
expect 3 "attrition.test.csv: the table does not look like the data model 'lr' was trained on (small.csv): it lacks 19 of the 19 columns the model reads: 'state', 'account_length'," \
  "$PR" --model "$T/lr.json" --data "$PUB/attrition.test.csv" --out "$T/x.csv"
grep -qF "'total_intl_charge' and 'number_customer_service_calls'" "$T/err" || fail "not every column listed"

# ---- a missing label: an error by default, dropped and counted on request
expect 3 "missing_label_value.csv:13:5: the label 'y' is missing (--drop-missing-label leaves such rows out)" \
  "$TR" --data "$IN/missing_label_value.csv" --label y --out "$T/x.json"
ok "$TR" --data "$IN/missing_label_value.csv" --label y --drop-missing-label --out "$T/drop.json"
grep -qF "1 row with a missing label left out (--drop-missing-label)." "$T/out" || fail "no dropped count in the report"
awk 'NR != 13' "$IN/missing_label_value.csv" > "$T/without.csv"
ok "$TR" --data "$T/without.csv" --label y --out "$T/without.json" --quiet
/usr/bin/python3 - "$T/drop.json" "$T/without.json" <<'PY' || fail "--drop-missing-label: not the fit without the row"
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
assert a["training"]["rows_missing_label"] == 1 and "rows_missing_label" not in b["training"]
assert a["training"]["options"]["drop_missing_label"] is True
assert a["training"]["rows"] == b["training"]["rows"] == 40
assert a["coefficients"] == b["coefficients"], "coefficients differ"
PY

# eval drops them on request too, counted in the report and the JSON
expect 3 "missing_label_value.csv:13:5: the label 'y' is missing (--drop-missing-label leaves such rows out)" \
  "$EV" --model "$T/without.json" --data "$IN/missing_label_value.csv"
ok "$EV" --model "$T/without.json" --data "$IN/missing_label_value.csv" --drop-missing-label --json "$T/dm.json"
grep -qF "1 row with a missing label left out (--drop-missing-label)." "$T/out" || fail "eval: no dropped count"
ok "$EV" --model "$T/without.json" --data "$T/without.csv" --json "$T/dw.json" --quiet
/usr/bin/python3 - "$T/dm.json" "$T/dw.json" <<'PY' || fail "eval --drop-missing-label: not the evaluation without the row"
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
assert a["rows_missing_label_dropped"] == 1 and "rows_missing_label_dropped" not in b
assert a["rows"] == b["rows"] == 40
assert a["models"][0]["metrics"] == b["models"][0]["metrics"], "metrics differ"
PY
awk -F, 'NR == 1 { print $0 ",p"; next } { print $0 "," (NR % 10) / 10 }' "$IN/missing_label_value.csv" > "$T/sc.csv"
ok "$EV" --scores "$T/sc.csv" --label y --prob p --drop-missing-label --no-target
grep -qF "1 row with a missing label left out" "$T/out" || fail "eval --scores: no dropped count"

# ---- --id on a column that does not tell the rows apart: said, not refused
ok "$TR" --data "$T/small.csv" --label churn --l2 1 --id area_code --out "$T/x.json" --quiet
grep -qF "warning: --id 'area_code' does not tell the rows apart: of 600 rows, 597 repeat" "$T/err" \
  || fail "--id on a repeated column gave no warning: $(cat "$T/err")"
rm -f "$T/x.json"
# ---- --reference with a misspelt column: the closest named
expect 2 "--reference 'internationl_plan=yes': expected COLUMN=LEVEL, and no column of $T/small.csv is named before an '=' (closest: 'international_plan')" \
  "$TR" --data "$T/small.csv" --label churn --reference internationl_plan=yes --out "$T/x.json"

# ---- a threshold by cost: its cost beside contacting everyone and no one
ok "$TR" --data "$T/small.csv" --label churn --l2 1 --cv 5 --threshold cost --cost-fp 1 --cost-fn 5 --out "$T/cost.json"
/usr/bin/python3 - "$T/out" <<'PY' || fail "the cost threshold's report does not add up: $(grep -A3 'Decision' "$T/out")"
import re, sys
t = open(sys.argv[1]).read()
named, rows, prec, rec = re.search(r"names (\d+) of (\d+) rows .*precision ([\d.]+) .*recall ([\d.]+)", t).groups()
cost, fp, fn, every, none = re.search(r"its cost there ([\d.]+) \((\d+) false alarms at 1, (\d+) missed at 5\), against ([\d.]+) contacting every account and ([\d.]+) contacting none", t).groups()
named, rows, cost, fp, fn, every, none = map(float, (named, rows, cost, fp, fn, every, none))
tp = named - fp
pos = tp + fn
assert abs(tp / named - float(prec)) < 1e-4 and abs(tp / pos - float(rec)) < 1e-4
assert cost == fp * 1 + fn * 5 and every == rows - pos and none == 5 * pos
assert cost <= min(every, none)
PY

expect 2 "--threshold cost takes one pair: --cost-fp and --cost-fn, or --cost-contact and --value-saved, not both" \
  "$TR" --data "$T/small.csv" --label churn --cv 5 --threshold cost --cost-fp 1 --cost-fn 5 \
  --cost-contact 1 --value-saved 5 --out "$T/x.json"
# isotonic calibration never says 0 or 1: n out-of-fold rows cannot show a certainty
ok "$TR" --data "$T/small.csv" --label churn --l2 1 --cv 5 --class-weight balanced --calibrate isotonic --out "$T/iso.json" --quiet
ok "$PR" --model "$T/iso.json" --data "$DT" --out "$T/iso.csv" --quiet
/usr/bin/python3 - "$T/iso.csv" <<'PY' || fail "isotonic calibration scored a probability of 0 or 1"
import csv, sys
p = [float(r["iso_prob"] if "iso_prob" in r else next(v for k, v in r.items() if k.endswith("_prob"))) for r in csv.DictReader(open(sys.argv[1]))]
assert len(p) == 1000 and 0 < min(p) and max(p) < 1, (min(p), max(p))
PY
# its reliability chart counts the rows of each bin before the map too
ok "$EV" --model "$T/iso.json" --data "$DT" --html "$T/iso.html" --quiet
[ "$(grep -c 'class="bincount"' "$T/iso.html")" = 2 ] || fail "the curve before calibration has no bin counts"
/usr/bin/python3 "$ROOT/tests/cli/check_html.py" "$T/iso.html" reliability >/dev/null || fail "iso.html: $(/usr/bin/python3 "$ROOT/tests/cli/check_html.py" "$T/iso.html" reliability 2>&1)"

# ---- --test-fraction: the report says which rows the model saw; --refit
# refits on all of them after the test metrics, as a fit without a hold-out
ok "$TR" --data "$T/small.csv" --label churn --l2 1 --test-fraction 0.25 --out "$T/part.json"
grep -qF "The model is fitted on the training part only (450 rows; the 150 test rows held out); --refit refits it on all rows after the test metrics." "$T/out" \
  || fail "no training-part line: $(tail -3 "$T/out")"
ok "$TR" --data "$T/small.csv" --label churn --l2 1 --test-fraction 0.25 --refit --out "$T/refit.json"
grep -qF "The test metrics are of the model fitted on the training part (450 rows); the model saved was then refitted on all 600 rows (--refit)." "$T/out" \
  || fail "no refit line: $(tail -3 "$T/out")"
ok "$TR" --data "$T/small.csv" --label churn --l2 1 --out "$T/all.json" --quiet
/usr/bin/python3 - "$T/refit.json" "$T/all.json" "$T/part.json" <<'PY' || fail "--refit: not the fit on every row"
import json, sys
r, a, p = (json.load(open(x)) for x in sys.argv[1:4])
assert r["training"]["refit"] is True and r["training"]["options"]["refit"] is True
assert r["training"]["rows"] == 600 and r["training"]["test_rows"] == 150
assert r["coefficients"] == a["coefficients"], "coefficients differ from the fit on every row"
assert r["metrics"]["test"] == p["metrics"]["test"], "the test metrics are not the training part's"
PY
expect 2 "--refit fits again on every row after the test metrics: it goes with --test-fraction" \
  "$TR" --data "$T/small.csv" --label churn --refit --out "$T/x.json"

# ---- --no-target: no verdict at all
ok "$EV" --model "$T/lr.json" --data "$DT" --no-target --json "$T/nt.json"
grep -q "Target" "$T/out" && fail "--no-target still printed a verdict"
/usr/bin/python3 -c "
import json; d = json.load(open('$T/nt.json'))
assert 'target' not in d and 'verdict' not in d['models'][0]" || fail "--no-target: JSON has a target"
expect 2 "--no-target goes with neither --target, --target-accuracy nor --fail-under" \
  "$EV" --model "$T/lr.json" --data "$DT" --no-target --fail-under

# ---- direction accuracy: for value-change targets only
A="$PUB/attrition.train.csv"
ok "$TR" --data "$A" --label MonthlyIncome --model linear --name income --out "$T/income.json" --quiet
ok "$EV" --model "$T/income.json" --data "$PUB/attrition.test.csv" --json "$T/inc.json"
grep -q "direction" "$T/out" && fail "direction accuracy shown for an income regression"
/usr/bin/python3 -c "
import json; d = json.load(open('$T/inc.json'))
assert 'direction_accuracy' not in d['models'][0]['metrics']" || fail "direction accuracy in the JSON"
ok "$EV" --model "$T/income.json" --data "$PUB/attrition.test.csv" --value-change --json "$T/inc.json"
grep -q "direction accuracy" "$T/out" || fail "--value-change: no direction accuracy"
# a label that names a change: shown without the option, JSON keys kept
sed '1s/MonthlyIncome/income_change/' "$A" > "$T/change.csv"
sed '1s/MonthlyIncome/income_change/' "$PUB/attrition.test.csv" > "$T/change_test.csv"
ok "$TR" --data "$T/change.csv" --label income_change --model linear --out "$T/change.json" --quiet
ok "$EV" --model "$T/change.json" --data "$T/change_test.csv" --json "$T/ch.json"
grep -q "direction accuracy" "$T/out" || fail "no direction accuracy for a change target"
/usr/bin/python3 -c "
import json; m = json.load(open('$T/ch.json'))['models'][0]['metrics']
assert 'direction_accuracy' in m and 'direction_accuracy_changed' in m" || fail "change target: JSON keys lost"
exit 0
