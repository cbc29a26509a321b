#!/bin/sh
# Seed 004's value groups: churnkit-predict writes value_group and
# value_play last on a feature table, by the documented rule (checked here
# row by row against an awk reading of docs/value-model.md); the cut-offs
# and a plays file change them; a missing column is an error when they are
# asked for, a warning when the table has only some of the columns, silence
# when it has none; --no-value-groups turns them off.
. "$(dirname "$0")/lib.sh"
B="$CK_BIN"
P="$B/churnkit-predict"
ok "$B/churnkit-synth" --accounts 400 --months 18 --seed 5 --out "$T/w" --quiet
ok "$B/churnkit-features" --world "$T/w" --snapshot 2024-07-01 --out "$T/f.csv" --quiet
ok "$B/churnkit-train" --data "$T/f.csv" --label churned_3m --id account_id \
   --features tenure_days,mrr,recency_days --l2 1 --name churn --out "$T/m.json" --quiet

ok "$P" --data "$T/f.csv" --model "$T/m.json" --out "$T/s.csv"
head -1 "$T/s.csv" | grep -q "^account_id,churn_prob,churn_label,health_band,value_group,value_play$" \
  || fail "unexpected header: $(head -1 "$T/s.csv")"
grep -q "value groups (at risk: NPS <= 6 or active-day share < 0.15; high value: NPS >= 9" "$T/err" \
  || fail "no value-group summary: $(cat "$T/err")"

# groups(CUTS...) -- the rule of docs/value-model.md in awk over the feature
# table, one group a row ("" when a usage value is missing): at_risk (NPS
# <= low or activity < cut), else high_value (NPS >= high, depth and
# breadth at their cut-offs), else potential (not deep or not broad), else
# engaged; an empty NPS is neither low nor high.
groups() {
  awk -F, -v lo="$1" -v hi="$2" -v act="$3" -v dep="$4" -v brd="$5" '
    NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
    { n = $c["nps_avg"]; a = $c["active_day_share"]; d = $c["core_clicks_per_user"]; b = $c["feature_breadth"]
      if ((n != "" && n + 0 <= lo) || (a != "" && a + 0 < act)) g = "at_risk"
      else if (a == "" || d == "" || b == "") g = ""
      else if (d + 0 < dep || b + 0 < brd) g = "potential"
      else if (n != "" && n + 0 >= hi) g = "high_value"
      else g = "engaged"
      print g }' "$T/f.csv"
}
# the last-but-one field of the scores (plays have no commas)
scored() { awk -F, 'NR > 1 { print $(NF - 1) }' "$1"; }

groups 6 9 0.15 100 10 > "$T/want"
scored "$T/s.csv" > "$T/got"
cmp -s "$T/want" "$T/got" || fail "value groups differ from the rule: $(diff "$T/want" "$T/got" | head -4)"
for g in high_value potential engaged at_risk; do
  n=$(grep -cx "$g" "$T/want")
  [ "$n" -gt 0 ] || fail "no '$g' row in the test world: pick another seed"
  grep -q "^    $g *$n rows" "$T/err" || fail "the summary does not count $n rows '$g': $(cat "$T/err")"
done
grep -q "^A[0-9]*,.*,at_risk,CSM calls them now" "$T/s.csv" || fail "no built-in play for at_risk"

# other cut-offs, and a plays file replacing two plays
printf 'value_group,value_play\nengaged,Send the NPS survey\nhigh_value,"Invite to the beta, now"\n' \
  > "$T/plays.csv"
ok "$P" --data "$T/f.csv" --model "$T/m.json" --value-nps-low 5 --value-nps-high 8 \
   --value-activity-low 0.3 --value-depth 40 --value-breadth 5 --value-plays "$T/plays.csv" \
   --out "$T/s2.csv"
groups 5 8 0.3 40 5 > "$T/want2"
awk -F, 'NR > 1 { g = $(NF - 1); if ($NF ~ /now"$/) g = $(NF - 2); print g }' "$T/s2.csv" > "$T/got2"
cmp -s "$T/want2" "$T/got2" || fail "groups at other cut-offs differ: $(diff "$T/want2" "$T/got2" | head -4)"
cmp -s "$T/want" "$T/want2" && fail "the cut-offs changed no group"
grep -q ',engaged,Send the NPS survey$' "$T/s2.csv" || fail "the plays file was not used"
grep -q ',high_value,"Invite to the beta, now"$' "$T/s2.csv" || fail "a play with a comma is not quoted"
grep -q ',potential,Guide them to more core features' "$T/s2.csv" || fail "a built-in play was lost"

# bad plays files, bad cut-offs
printf 'value_group,value_play\nloyal,x\n' > "$T/bad.csv"
expect 3 "bad.csv:2:1: unknown value_group 'loyal' (high_value, potential, engaged or at_risk)" \
  "$P" --data "$T/f.csv" --model "$T/m.json" --value-plays "$T/bad.csv" --out "$T/x.csv"
printf 'group,play\npotential,x\n' > "$T/cols.csv"
expect 3 "needs columns 'value_group' and 'value_play'" \
  "$P" --data "$T/f.csv" --model "$T/m.json" --value-plays "$T/cols.csv" --out "$T/x.csv"
expect 2 "--value-nps-low (9) must be below --value-nps-high (9)" \
  "$P" --data "$T/f.csv" --model "$T/m.json" --value-nps-low 9 --out "$T/x.csv"
expect 2 "--value-activity-low" "$P" --data "$T/f.csv" --model "$T/m.json" --value-activity-low 2 \
  --out "$T/x.csv"
expect 2 "--no-value-groups goes with none of" \
  "$P" --data "$T/f.csv" --model "$T/m.json" --no-value-groups --value-depth 5 --out "$T/x.csv"
[ ! -e "$T/x.csv" ] || fail "scores were written after an error"

# a table without feature_breadth: an error when asked for, else a warning
k=$(head -1 "$T/f.csv" | tr , '\n' | grep -nx feature_breadth | cut -d: -f1)
cut -d, --complement -f"$k" "$T/f.csv" > "$T/nob.csv"
head -1 "$T/nob.csv" | grep -q feature_breadth && fail "the column was not cut"
expect 3 "no column 'feature_breadth', which the value groups need" \
  "$P" --data "$T/nob.csv" --model "$T/m.json" --value-groups --out "$T/x.csv"
expect 3 "no column 'feature_breadth', which the value groups need" \
  "$P" --data "$T/nob.csv" --model "$T/m.json" --value-depth 50 --out "$T/x.csv"
[ ! -e "$T/x.csv" ] || fail "scores were written after an error"
expect 0 "no column 'feature_breadth': no value groups" \
  "$P" --data "$T/nob.csv" --model "$T/m.json" --out "$T/n.csv"
head -1 "$T/n.csv" | grep -q value_group && fail "value groups without feature_breadth"

# --no-value-groups: the other columns, the very same bytes
ok "$P" --data "$T/f.csv" --model "$T/m.json" --no-value-groups --out "$T/off.csv" --quiet
head -1 "$T/off.csv" | grep -q value_group && fail "--no-value-groups still wrote value groups"
awk -F, 'BEGIN { OFS = "," } { NF -= 2; print }' "$T/s.csv" > "$T/cut.csv"
cmp -s "$T/cut.csv" "$T/off.csv" || fail "the value groups changed the other columns"
exit 0
