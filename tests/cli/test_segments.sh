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

# a trend label taken as a feature (the usual --exclude list misses them) is warned of
ok "$B/churnkit-features" --world "$T/w" --snapshot 2024-07-01 --groups +trend_labels --out "$T/ft.csv" --quiet
ok "$B/churnkit-train" --data "$T/ft.csv" --label churned_3m --id account_id --exclude $LABELS --l2 1 \
   --out "$T/leak.json" --quiet
grep -q "features 'expanded_3m', .*'last_paid_m0': churnkit-features writes them as labels" "$T/err" \
  || fail "no warning of label columns taken as features: $(cat "$T/err")"
# growth from an expansion classifier: growing at or above its own threshold
ok "$B/churnkit-features" --world "$T/w" --snapshot 2024-07-01 --groups +trend_labels --out "$T/ft.csv" --quiet
TL=$LABELS,expanded_3m,expanded_6m,contracted_3m,contracted_6m,nps_change_6m,activity_change_3m,last_paid_m0
ok "$B/churnkit-train" --data "$T/ft.csv" --label expanded_6m --id account_id --exclude $TL --l2 1 \
   --threshold 0.3 --name grow --out "$T/grow.json" --quiet
ok "$B/churnkit-predict" --data "$T/ft.csv" --model "$T/churn_3m.json" --model "$T/grow.json" \
   --growth-model grow --out "$T/g.csv"
grep -q "growth: grow >= 0.3)" "$T/err" || fail "no growth classifier in the segment summary: $(cat "$T/err")"
grep -q "mean growth probability" "$T/err" || fail "the summary speaks of value change for a classifier"
# columns: account_id, churn_3m_prob, churn_3m_label, grow_prob, grow_label, segment
awk -F, 'NR > 1 { growing = ($4 >= 0.3); s = $6
  if (growing != (s == "star" || s == "opportunity")) bad = 1 } END { exit bad }' "$T/g.csv" \
  || fail "a segment disagrees with the growth classifier's threshold"
expect 2 "--growth-model 'churn_3m' is the risk model too" "$B/churnkit-predict" --data "$T/ft.csv" \
   --model "$T/churn_3m.json" --model "$T/grow.json" --risk-model churn_3m --growth-model churn_3m --out "$T/x.csv"
expect 2 "--growth-model 'churn_3m' predicts churn" "$B/churnkit-predict" --data "$T/ft.csv" \
   --model "$T/churn_3m.json" --model "$T/grow.json" --growth-model churn_3m --out "$T/x.csv"
# no churn model among them: an expansion classifier is never the risk by default
ok "$B/churnkit-predict" --data "$T/ft.csv" --model "$T/grow.json" --model "$T/value_3m.json" --out "$T/x.csv"
head -1 "$T/x.csv" | grep -q segment && fail "an expansion classifier was taken for the risk model"
# the horizon rule is for cumulative (churn) labels: expanded_6m is the state at month 6
ok "$B/churnkit-train" --data "$T/ft.csv" --label expanded_3m --id account_id --exclude $TL --l2 1 \
   --name grow3 --out "$T/grow3.json" --quiet
ok "$B/churnkit-predict" --data "$T/ft.csv" --model "$T/grow3.json" --model "$T/grow.json" --out "$T/x.csv"
grep -q "raised to the shorter" "$T/err" && fail "expansion probabilities were raised like churn's"
exit 0
