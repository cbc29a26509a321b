#!/bin/sh
# Scoring as a streaming stage (a Hadoop Streaming mapper, Spark's
# RDD.pipe()): a file cut into headerless parts, each part scored by its own
# process from standard input to standard output, the outputs concatenated,
# equals one whole run byte for byte -- with several models, segments,
# reasons and quoted fields.
. "$(dirname "$0")/lib.sh"
B="$CK_BIN"
ok "$B/churnkit-synth" --accounts 900 --months 16 --seed 6 --out "$T/w" --quiet
ok "$B/churnkit-features" --world "$T/w" --snapshot 2024-09-01 --out "$T/f.csv" --quiet
LABELS=churned_3m,churned_6m,value_change_3m,value_change_6m,revenue_next_6m,high_value,churn_months,churn_event
ok "$B/churnkit-train" --data "$T/f.csv" --label churned_3m --id account_id --exclude $LABELS \
   --l2 1 --name churn --out "$T/churn.json" --quiet
ok "$B/churnkit-train" --data "$T/f.csv" --label value_change_3m --model linear --robust \
   --id account_id --exclude $LABELS --name value --out "$T/value.json" --quiet
# a quoted id with the delimiter in it must survive the cut
awk -F, 'NR == 5 { $1 = "\"A,quoted\"" } { print }' OFS=, "$T/f.csv" > "$T/in.csv"
MODELS="--model $T/churn.json --model $T/value.json --reasons 2"
ok "$B/churnkit-predict" --data "$T/in.csv" $MODELS --out "$T/whole.csv" --quiet
cols=$(head -1 "$T/in.csv")
tail -n +2 "$T/in.csv" > "$T/body.csv"
split -l 137 "$T/body.csv" "$T/part_"
nparts=0
: > "$T/joined.csv"
for part in "$T"/part_*; do
  "$B/churnkit-predict" --no-header --columns "$cols" $MODELS --data - --out - --quiet \
    < "$part" >> "$T/joined.csv" 2> "$T/err" || fail "part $part: $(cat "$T/err")"
  nparts=$((nparts + 1))
done
[ "$nparts" -ge 5 ] || fail "only $nparts parts"
tail -n +2 "$T/whole.csv" > "$T/whole_body.csv"
[ "$(wc -l < "$T/joined.csv")" = "$(wc -l < "$T/body.csv")" ] || fail "rows lost or added in the parts"
cmp -s "$T/joined.csv" "$T/whole_body.csv" || fail "the parts scored apart differ from the whole run"
grep -q '"A,quoted"' "$T/joined.csv" || fail "the quoted id was lost"
# with no --columns, the column order is the model's own input order
ok "$B/churnkit-predict" --data "$T/in.csv" --model "$T/churn.json" --id account_id --out "$T/w1.csv" --quiet
order=$(/usr/bin/python3 -c 'import json,sys; m=json.load(open(sys.argv[1])); print(",".join([m["id"]] + [f["name"] for f in m["features"]]))' "$T/churn.json")
/usr/bin/python3 - "$T/in.csv" "$order" > "$T/ordered.csv" <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1], newline="")))
w = csv.writer(sys.stdout, lineterminator="\n")
for r in rows:
    w.writerow([r[c] for c in sys.argv[2].split(",")])
PY
"$B/churnkit-predict" --no-header --model "$T/churn.json" --data - --out - --quiet < "$T/ordered.csv" \
  > "$T/o1.csv" 2> "$T/err" || fail "model-order run: $(cat "$T/err")"
tail -n +2 "$T/w1.csv" | cmp -s - "$T/o1.csv" || fail "the model's input order gave different scores"
exit 0
