#!/bin/sh
# churnkit-synth | churnkit-features end to end: columns, determinism, labels
# at the edge of the data, and errors with exit codes.
. "$(dirname "$0")/lib.sh"
SY="$CK_BIN/churnkit-synth"; FE="$CK_BIN/churnkit-features"

ok "$SY" --accounts 200 --months 14 --seed 9 --out "$T/w" --quiet
ok "$FE" --world "$T/w" --snapshot 2024-07-01 --out "$T/f.csv"
grep -q "accounts paying at the snapshot" "$T/err" || fail "no summary"
head -1 "$T/f.csv" | grep -q "^account_id,plan_tier,.*,recency_days,active_day_share,daily_minutes,users_active,.*,health_score,r_score,f_score,m_score,churned_3m,churned_6m,value_change_3m,value_change_6m,revenue_next_6m,high_value,churn_months,churn_event$" \
  || fail "unexpected header: $(head -1 "$T/f.csv")"
ok "$FE" --world "$T/w" --snapshot 2024-07-01 --out "$T/f2.csv" --quiet
cmp -s "$T/f.csv" "$T/f2.csv" || fail "not deterministic"
# 14 months: from a snapshot in November, 3 months ahead are known, 6 are not
ok "$FE" --world "$T/w" --snapshot 2024-11-01 --out "$T/late.csv" --quiet
awk -F, 'NR > 1 && ($24 == "" || $25 != "") { bad = 1 } END { exit bad }' "$T/late.csv" \
  || fail "labels beyond the data should be empty, those within it filled"

# column groups: the default is the table as it was; --groups names them
ok "$FE" --world "$T/w" --snapshot 2024-07-01 --out "$T/g.csv" --quiet \
   --groups attributes,engagement,scale,depth,legacy,scores,labels
cmp -s "$T/f.csv" "$T/g.csv" || fail "the default groups are not the default table"
ok "$FE" --world "$T/w" --snapshot 2024-07-01 --out "$T/t.csv" --quiet --groups +trend,+trend_labels
head -1 "$T/t.csv" | grep -q ",m_score,active_day_share_change,.*,core_recency_days,churned_3m,.*,churn_event,expanded_3m,expanded_6m,contracted_3m,contracted_6m,nps_change_6m,activity_change_3m,last_paid_m0$" \
  || fail "unexpected trend header: $(head -1 "$T/t.csv")"
# the trend groups add columns and change none of the others
cut -d, -f1-23,34-41 "$T/t.csv" | cmp -s - "$T/f.csv" || fail "--groups +trend changed a default column"
ok "$FE" --world "$T/w" --snapshot 2024-07-01 --out "$T/e.csv" --quiet --groups engagement
[ "$(head -1 "$T/e.csv")" = "account_id,recency_days,active_day_share,daily_minutes" ] \
  || fail "--groups engagement: $(head -1 "$T/e.csv")"
expect 2 "no group 'trnd' (closest: 'trend'" "$FE" --world "$T/w" --snapshot 2024-07-01 --out "$T/x.csv" --groups trnd
expect 2 "an empty group name" "$FE" --world "$T/w" --snapshot 2024-07-01 --out "$T/x.csv" --groups trend,
"$FE" --help | grep -q "trend_labels" || fail "--help lacks the groups"
# the trend columns against an independent pandas reference (docs/features.md's
# definitions), at a month's start and mid-month with the data cut short
/usr/bin/python3 "$HERE/trend_reference.py" "$T/w" 2024-07-01 "$T/t.csv" > "$T/ref" 2>&1 \
  || fail "trend columns differ from the reference: $(head -c 600 "$T/ref")"
ok "$FE" --world "$T/w" --snapshot 2024-09-15 --data-end 2024-12 --out "$T/m.csv" --quiet --groups all
/usr/bin/python3 "$HERE/trend_reference.py" "$T/w" 2024-09-15 "$T/m.csv" 2024-12 > "$T/ref" 2>&1 \
  || fail "trend columns differ from the reference: $(head -c 600 "$T/ref")"

# errors: exit 2 for usage, 3 for bad data (file:line:col), 5 for I/O
expect 2 "--snapshot and --out are required" "$FE" --world "$T/w"
expect 2 "not a date" "$FE" --world "$T/w" --snapshot 2024-13-01 --out "$T/x.csv"
cp -r "$T/w" "$T/bad"
sed -i '3s/^U[^,]*/U999999-9999/' "$T/bad/sessions.csv"
expect 3 "sessions.csv:3:1: unknown user_id 'U999999-9999'" "$FE" --world "$T/bad" --snapshot 2024-07-01 --out "$T/x.csv"
[ ! -e "$T/x.csv" ] || fail "output written despite an error"
# an early row repeated at the end breaks the date order
{ cat "$T/w/sessions.csv"; sed -n 2p "$T/w/sessions.csv"; } > "$T/bad/sessions.csv"
expect 3 "rows must be in date order" "$FE" --world "$T/bad" --snapshot 2025-12-31 --out "$T/x.csv"
expect 5 "cannot open" "$FE" --world "$T/none" --snapshot 2024-07-01 --out "$T/x.csv"
exit 0
