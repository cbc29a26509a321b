#!/bin/sh
# churnkit-train's options come from the estimator table: an option of
# another estimator, or a classifier's option on a regression, is a usage
# error naming who takes it (never accepted and ignored); --help and the man
# page list every estimator and parameter.
. "$(dirname "$0")/lib.sh"
TR="$CK_BIN/churnkit-train"
PUB="$DATA/public"
D="$PUB/mlc_churn.train.csv"
A="$PUB/attrition.train.csv"

expect 2 "--robust does not apply to --model logistic; it is for --model linear" \
  "$TR" --data "$D" --label churn --out "$T/m.json" --robust
expect 2 "--svm-c does not apply to --model logistic; it is for --model svm" \
  "$TR" --data "$D" --label churn --out "$T/m.json" --svm-c 2
expect 2 "--l2 does not apply to --model svm; it is for --model logistic, linear, cox" \
  "$TR" --data "$D" --label churn --out "$T/m.json" --model svm --l2 1
# the order of --model and its parameters does not matter
expect 2 "--svm-kernel does not apply to --model linear" \
  "$TR" --svm-kernel linear --data "$A" --label MonthlyIncome --out "$T/m.json" --model linear
expect 2 "--class-weight is for classifiers; --model linear here does regression" \
  "$TR" --data "$A" --label MonthlyIncome --out "$T/m.json" --model linear --class-weight balanced
expect 2 "--positive is for classifiers" \
  "$TR" --data "$A" --label MonthlyIncome --out "$T/m.json" --model linear --positive 1
expect 2 "--threshold is for classifiers" \
  "$TR" --data "$A" --label MonthlyIncome --out "$T/m.json" --model linear --threshold 0.5
expect 2 "--threshold is for classifiers" \
  "$TR" --data "$A" --label MonthlyIncome --out "$T/m.json" --model svm --task regression \
  --threshold auto --threshold-metric youden
expect 2 "--threshold-metric goes with --threshold auto" \
  "$TR" --data "$D" --label churn --out "$T/m.json" --cv 3 --threshold-metric youden
expect 2 "--l2 does not go with --robust" \
  "$TR" --data "$A" --label MonthlyIncome --out "$T/m.json" --model linear --robust --l2 1
expect 2 "--svm-epsilon is the tube of epsilon-SVR" \
  "$TR" --data "$D" --label churn --out "$T/m.json" --model svm --svm-epsilon 0.5
expect 2 "--svm-gamma is the RBF kernel's" \
  "$TR" --data "$D" --label churn --out "$T/m.json" --model svm --svm-kernel linear \
  --svm-gamma 0.1
expect 2 "option '--l2' needs a value" "$TR" --data "$D" --label churn --out "$T/m.json" --l2
expect 2 "unknown option '--modle' (closest: '--model'" "$TR" --modle svm
[ "$(grep -c . "$T/err")" = 2 ] || fail "a bad option gives more than one message: $(cat "$T/err")"
expect 2 "--model logistic does not do regression" \
  "$TR" --data "$A" --label MonthlyIncome --out "$T/m.json" --task regression
expect 2 "--svm-c: 0 is outside [1e-09, 1e+09]" \
  "$TR" --data "$D" --label churn --out "$T/m.json" --model svm --svm-c 0
expect 2 "--svm-kernel: unknown value 'poly'" \
  "$TR" --data "$D" --label churn --out "$T/m.json" --model svm --svm-kernel poly
expect 2 "--l2: -1 is outside [0, 1e+12]" "$TR" --data "$D" --label churn --out "$T/m.json" --l2 -1
[ ! -e "$T/m.json" ] || fail "a model was written after a usage error"

# an SVM now honours --class-weight balanced (it was recorded and ignored)
head -401 "$D" > "$T/small.csv"
ok "$TR" --data "$T/small.csv" --label churn --model svm --out "$T/plain.json" --quiet
ok "$TR" --data "$T/small.csv" --label churn --model svm --class-weight balanced \
  --out "$T/bal.json" --quiet
python3 - "$T/plain.json" "$T/bal.json" <<'PY' || fail "balanced SVM: libsvm got no class weights"
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
sys.exit(a["svm"]["libsvm_model"] == b["svm"]["libsvm_model"])
PY

# --help lists every estimator and every parameter once
"$TR" --help > "$T/help" || fail "--help failed"
for w in logistic linear svm --l2 --robust --svm-c --svm-gamma "--svm-kernel rbf|linear" \
  --svm-epsilon; do
  grep -qF -- "$w" "$T/help" || fail "--help lacks '$w'"
done
[ "$(grep -c -- '--l2 L' "$T/help")" = 1 ] || fail "--l2 is listed more than once"

# the man page's estimator list is the table's (man/estimators.sh)
cp "$ROOT/man/churnkit-train.1" "$T/page.1"
sh "$ROOT/man/estimators.sh" "$CK_BIN" "$T/page.1" || fail "man/estimators.sh failed"
cmp -s "$T/page.1" "$ROOT/man/churnkit-train.1" ||
  fail "man/churnkit-train.1 is out of date with the estimator table: run make man"
exit 0
