#!/bin/sh
# churnkit-train-mpi on 3 processes of one machine against churnkit-train:
# the coefficients (and with --cv / --test-fraction the threshold and the
# metrics) agree to 1e-9, the same shards give a byte-identical model, and
# a bad shard or a refused option ends the whole job with a message from
# the process that failed, and a killed process ends it too, never a hang.
. "$(dirname "$0")/../cli/lib.sh"
B="$CK_BIN"
PUB="$DATA/public"
ROOTFLAG=
[ "$(id -u)" = 0 ] && ROOTFLAG=--allow-run-as-root
mpi() { # np args...: churnkit-train-mpi under mpirun, at most 5 minutes
  np=$1; shift
  timeout 300 mpirun $ROOTFLAG --oversubscribe -np "$np" "$B/churnkit-train-mpi" "$@"
}
same() { # a.json b.json: the coefficients agree to 1e-9
  /usr/bin/python3 - "$1" "$2" <<'PY' || fail "coefficients of $1 and $2 differ"
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
ta, tb = a["coefficients"]["terms"], b["coefficients"]["terms"]
assert [t["term"] for t in ta] == [t["term"] for t in tb], "different terms"
worst = max(abs(x["coef"] - y["coef"]) / max(1.0, abs(x["coef"])) for x, y in zip(ta, tb))
assert a["training"]["rows"] == b["training"]["rows"]
print("  largest relative difference %.2g over %d coefficients" % (worst, len(ta)), file=sys.stderr)
sys.exit(0 if worst <= 1e-9 else 1)
PY
}

# 1. logistic, one file cut into 3 parts; twice: byte-identical
ok "$B/churnkit-train" --data "$PUB/mlc_churn.train.csv" --label churn --l2 1 --name m --out "$T/one.json" --quiet
mpi 3 --data "$PUB/mlc_churn.train.csv" --label churn --l2 1 --name m --out "$T/mpi.json" --quiet \
  2> "$T/err" || fail "mpirun logistic: $(cat "$T/err")"
same "$T/one.json" "$T/mpi.json"
mpi 3 --data "$PUB/mlc_churn.train.csv" --label churn --l2 1 --name m --out "$T/mpi2.json" --quiet \
  2> "$T/err" || fail "mpirun logistic again: $(cat "$T/err")"
cmp -s "$T/mpi.json" "$T/mpi2.json" || fail "the same shards gave different model files"

# 2. unpenalized and class-weighted, with text columns (one level dropped)
ok "$B/churnkit-synth" --accounts 1500 --months 24 --seed 8 --out "$T/w" --quiet
ok "$B/churnkit-features" --world "$T/w" --snapshot 2024-10-01 --out "$T/f.csv" --quiet
LABELS=churned_3m,churned_6m,value_change_3m,value_change_6m,revenue_next_6m,high_value,churn_months,churn_event
ok "$B/churnkit-train" --data "$T/f.csv" --label churned_6m --id account_id --exclude $LABELS \
   --class-weight balanced --name c --out "$T/one_c.json" --quiet
mpi 3 --data "$T/f.csv" --label churned_6m --id account_id --exclude $LABELS \
   --class-weight balanced --name c --out "$T/mpi_c.json" --quiet 2> "$T/err" || fail "mpirun weighted: $(cat "$T/err")"
same "$T/one_c.json" "$T/mpi_c.json"

# 3. robust linear regression on three files, one a process
head -1 "$PUB/attrition.train.csv" > "$T/h"
tail -n +2 "$PUB/attrition.train.csv" > "$T/body"
split -n l/3 "$T/body" "$T/s_"
for s in "$T"/s_a?; do cat "$T/h" "$s" > "$s.csv"; done
ok "$B/churnkit-train" --data "$PUB/attrition.train.csv" --label MonthlyIncome --exclude Attrition \
   --model linear --robust --name r --out "$T/one_r.json" --quiet
mpi 3 --data "$T/s_aa.csv,$T/s_ab.csv,$T/s_ac.csv" --label MonthlyIncome --exclude Attrition \
   --model linear --robust --name r --out "$T/mpi_r.json" --quiet 2> "$T/err" || fail "mpirun robust: $(cat "$T/err")"
same "$T/one_r.json" "$T/mpi_r.json"

# 4. a bad shard: the job ends, the failing process says why
awk -F, 'NR == 7 { NF = NF - 1 } { print }' OFS=, "$T/s_ac.csv" > "$T/bad.csv"
mpi 3 --data "$T/s_aa.csv,$T/s_ab.csv,$T/bad.csv" --label MonthlyIncome --model linear \
   --name r --out "$T/bad.json" --quiet > /dev/null 2> "$T/err"
code=$?
[ "$code" = 3 ] || fail "a bad shard exited $code, expected 3: $(cat "$T/err")"
grep -q "process 2 of 3: .*bad.csv:7:.*row has" "$T/err" || fail "no message from process 2: $(cat "$T/err")"
[ ! -e "$T/bad.json" ] || fail "a failed job wrote a model"

# 5. cross-validation, a hold-out and a threshold chosen on the folds: dealt
# as one process deals them, so the same threshold and metrics
ok "$B/churnkit-train" --data "$PUB/mlc_churn.train.csv" --label churn --l2 1 --cv 4 \
   --test-fraction 0.2 --threshold auto --name v --out "$T/one_v.json" --quiet
mpi 3 --data "$PUB/mlc_churn.train.csv" --label churn --l2 1 --cv 4 --test-fraction 0.2 \
   --threshold auto --name v --out "$T/mpi_v.json" --quiet 2> "$T/err" || fail "mpirun cv: $(cat "$T/err")"
same "$T/one_v.json" "$T/mpi_v.json"
/usr/bin/python3 - "$T/one_v.json" "$T/mpi_v.json" <<'PY' || fail "validation metrics differ"
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
assert abs(a["threshold"] - b["threshold"]) <= 1e-9, (a["threshold"], b["threshold"])
for part, key in [("test", "roc_auc"), ("test", "accuracy"), ("train", "roc_auc")]:
    x, y = a["metrics"][part][key], b["metrics"][part][key]
    assert abs(x - y) <= 1e-9, (part, key, x, y)
x, y = a["metrics"]["cv"]["roc_auc"]["mean"], b["metrics"]["cv"]["roc_auc"]["mean"]
assert abs(x - y) <= 1e-9, ("cv", x, y)
assert a["training"]["test_rows"] == b["training"]["test_rows"] == 800
PY

# 7. a process that dies (here killed while it waits on a shard that never
# comes: a FIFO nobody writes) ends the whole job; the others, already
# waiting in a collective, do not hang
if command -v pgrep > /dev/null && command -v mkfifo > /dev/null; then
  head -300 "$PUB/mlc_churn.train.csv" > "$T/k_a.csv"
  cp "$T/k_a.csv" "$T/k_b.csv"
  mkfifo "$T/k_c.csv"
  ( mpi 3 --data "$T/k_a.csv,$T/k_b.csv,$T/k_c.csv" --label churn --out "$T/k.json" --quiet \
      > /dev/null 2> "$T/k_err"; echo $? > "$T/k_rc" ) &
  pids=
  for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do
    pids=$(pgrep -f "^$B/churnkit-train-mpi --data $T/k_a.csv") # the processes, not mpirun
    [ "$(echo "$pids" | wc -w)" = 3 ] && break
    sleep 0.5
  done
  if [ "$(echo "$pids" | wc -w)" != 3 ]; then
    pkill -9 -f "$T/k_a.csv"
    fail "the 3 processes did not start: $pids"
  fi
  sleep 1
  kill -9 $(echo "$pids" | tail -1)
  wait
  code=$(cat "$T/k_rc")
  [ "$code" != 0 ] && [ "$code" != 124 ] || fail "a killed process: the job exited $code (124: it hung)"
  grep -q "signal 9" "$T/k_err" || fail "a killed process: mpirun did not say so: $(cat "$T/k_err")"
  [ ! -e "$T/k.json" ] || fail "a job with a killed process wrote a model"
else
  echo "  (no pgrep or mkfifo: the killed-process case skipped)" >&2
fi

# 8. issue 18's statistics across processes: the aliased columns found from
# the gathered R factor, the HC1 meat summed over every process, the drop1
# refits made by all alike
TEL="$ROOT/tests/fixtures/stats/telco.csv"
for extra in --robust-se --drop1; do
  ok "$B/churnkit-train" --data "$TEL" --label churn --exclude spend_change $extra --name t \
    --out "$T/t1.json" --quiet
  mpi 3 --data "$TEL" --label churn --exclude spend_change $extra --name t --out "$T/t3.json" \
    --quiet 2> "$T/err" || fail "telco $extra on 3 processes: $(cat "$T/err")"
  same "$T/t1.json" "$T/t3.json"
  /usr/bin/python3 - "$T/t1.json" "$T/t3.json" <<'PY' || fail "telco $extra: the statistics differ across processes"
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
assert a["fit"]["rank"] == b["fit"]["rank"] == 11
ta, tb = a["coefficients"]["terms"], b["coefficients"]["terms"]
assert [t.get("aliased") for t in ta] == [t.get("aliased") for t in tb]
for x, y in zip(ta, tb):
    if x["se"] is not None:
        assert abs(x["se"] - y["se"]) <= 1e-9 * x["se"], (x["term"], x["se"], y["se"])
sa, sb = a["coefficients"]["tests"]["terms"], b["coefficients"]["tests"]["terms"]
for x, y in zip(sa, sb):
    assert x["df"] == y["df"] and abs(x["p"] - y["p"]) <= 1e-9 * max(x["p"], 1e-300) + 1e-15
PY
done

# 6. what cannot be distributed is refused, by every process alike
mpi 2 --data "$PUB/mlc_churn.train.csv" --label churn --model svm --out "$T/svm.json" --quiet \
  > /dev/null 2> "$T/err"
code=$?
[ "$code" = 2 ] || fail "svm exited $code, expected 2: $(cat "$T/err")"
grep -q -- "--model svm cannot be fitted across processes: use churnkit-train" "$T/err" || fail "svm: $(cat "$T/err")"
mpi 2 --data "$PUB/mlc_churn.train.csv" --label churn --model gbdt --out "$T/gbdt.json" --quiet \
  > /dev/null 2> "$T/err"
code=$?
[ "$code" = 2 ] || fail "gbdt exited $code, expected 2: $(cat "$T/err")"
grep -q -- "--model gbdt cannot be fitted across processes: use churnkit-train; beyond one machine, xgboost's own distributed training" "$T/err" \
  || fail "gbdt: $(cat "$T/err")"
[ ! -e "$T/gbdt.json" ] || fail "a refused gbdt job wrote a model"

# 8. --drop-missing-label with a hold-out and --refit: the rows kept, the
# hold-out drawn over them and the refit on all of them as one process
# does; an output that cannot be written ends the job before the fit
awk -F, 'BEGIN { OFS = "," } NR > 1 && NR % 7 == 0 { $NF = "" } { print }' \
  "$PUB/mlc_churn.train.csv" > "$T/blank.csv"
ok "$B/churnkit-train" --data "$T/blank.csv" --label churn --exclude state --l2 1 --drop-missing-label \
   --test-fraction 0.3 --refit --name d --out "$T/one_d.json" --quiet
mpi 3 --data "$T/blank.csv" --label churn --exclude state --l2 1 --drop-missing-label \
   --test-fraction 0.3 --refit --name d --out "$T/mpi_d.json" --quiet 2> "$T/err" || fail "mpirun drop: $(cat "$T/err")"
same "$T/one_d.json" "$T/mpi_d.json"
/usr/bin/python3 -c "
import json; a, b = (json.load(open(p))['training'] for p in ('$T/one_d.json', '$T/mpi_d.json'))
assert a['rows_missing_label'] == b['rows_missing_label'] == 571 and a['test_rows'] == b['test_rows']" \
  || fail "--drop-missing-label: the counts differ across processes"
mpi 3 --data "$T/blank.csv" --label churn --l2 1 --out /nonexistent-dir/m.json --quiet > /dev/null 2> "$T/err"
[ $? = 5 ] || fail "an unwritable --out did not end the job with exit 5: $(cat "$T/err")"
grep -qF "process 0 of 3: /nonexistent-dir/m.json: cannot create output file" "$T/err" || fail "out: $(cat "$T/err")"
exit 0
