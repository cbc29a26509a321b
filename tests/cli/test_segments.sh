#!/bin/sh
# The nightly batch: churn and value-change models scored together give
# segments, actions, health bands, value groups and a drift report;
# horizons agree.
. "$(dirname "$0")/lib.sh"
B="$CK_BIN"
ok "$B/churnkit-synth" --accounts 400 --months 18 --seed 4 --out "$T/w" --quiet
ok "$B/churnkit-features" --world "$T/w" --snapshot 2024-07-01 --out "$T/f.csv" --quiet
LABELS=churned_3m,churned_6m,value_change_3m,value_change_6m,revenue_next_6m,high_value,churn_months,churn_event
for h in 3m 6m; do
  ok "$B/churnkit-train" --data "$T/f.csv" --label churned_$h --id account_id --exclude $LABELS \
     --l2 1 --name churn_$h --out "$T/churn_$h.json" --quiet
done
ok "$B/churnkit-train" --data "$T/f.csv" --label value_change_3m --model linear --l2 1 --id account_id \
   --exclude $LABELS --name value_3m --out "$T/value_3m.json" --quiet
printf 'segment,action\ncritical,Phone the champion today\n' > "$T/actions.csv"
ok "$B/churnkit-predict" --data "$T/f.csv" --model "$T/churn_6m.json" --model "$T/churn_3m.json" \
   --model "$T/value_3m.json" --actions "$T/actions.csv" --drift-report "$T/drift.csv" --out "$T/s.csv"
head -1 "$T/s.csv" | grep -q "^account_id,churn_6m_prob,churn_6m_label,churn_3m_prob,churn_3m_label,value_3m_pred,segment,action,health_band,value_group,value_play$" \
  || fail "unexpected header: $(head -1 "$T/s.csv")"
grep -q "segments (risk: churn_6m >= 0\.[0-9]*, growth: value_3m > 0)" "$T/err" || fail "no segment summary"
awk -F, 'NR > 1 && $2 < $4 { bad = 1 } END { exit bad }' "$T/s.csv" || fail "a 6-month probability below the 3-month one"
awk -F, 'NR > 1 && $7 == "critical" && $8 != "Phone the champion today" { bad = 1 } END { exit bad }' "$T/s.csv" \
  || fail "the actions file was not used"
awk -F, 'NR > 1 && $7 == "star" && $8 == "" { bad = 1 } END { exit bad }' "$T/s.csv" || fail "a built-in play is missing"
awk -F, 'NR > 1 && $9 != "high" && $9 != "medium" && $9 != "low" { bad = 1 } END { exit bad }' "$T/s.csv" \
  || fail "health bands missing"
head -1 "$T/drift.csv" | grep -qx "model,feature,psi" || fail "no drift report"
[ "$(grep -c '^churn_6m,' "$T/drift.csv")" -gt 10 ] || fail "drift report lacks features"
ok "$B/churnkit-predict" --data "$T/f.csv" --model "$T/churn_3m.json" --model "$T/value_3m.json" \
   --no-segments --out "$T/n.csv" --quiet
head -1 "$T/n.csv" | grep -q segment && fail "--no-segments still segmented"
printf 'segment,action\nlukewarm,x\n' > "$T/bad.csv"
expect 3 "unknown segment 'lukewarm'" "$B/churnkit-predict" --data "$T/f.csv" --model "$T/churn_3m.json" \
   --actions "$T/bad.csv" --out "$T/x.csv"
expect 2 "is not a classifier or a survival model being scored" "$B/churnkit-predict" --data "$T/f.csv" --model "$T/churn_3m.json" \
   --model "$T/value_3m.json" --risk-model value_3m --out "$T/x.csv"
exit 0
