#!/bin/sh
# churnkit-synth end to end: files and headers, orders, determinism, usage
# errors (exit 2), outputs that cannot be written (exit 5), --help, --version.
. "$(dirname "$0")/lib.sh"
SY="$CK_BIN/churnkit-synth"

ok "$SY" --help
grep -q "^Usage: churnkit-synth" "$T/out" || fail "--help lacks a usage line"
grep -q -- "--accounts N" "$T/out" || fail "--help does not describe --accounts"
ok "$SY" --version
grep -q "^churnkit-synth (churnkit) " "$T/out" || fail "--version: $(cat "$T/out")"

# a small world, and its files
ok "$SY" --accounts 60 --months 5 --seed 3 --out "$T/a" --quiet
[ -s "$T/err" ] && fail "--quiet printed: $(cat "$T/err")"
header() {
  [ -f "$T/a/$1" ] || fail "$1 missing"
  h=$(head -n 1 "$T/a/$1")
  [ "$h" = "$2" ] || fail "$1 header is '$h', want '$2'"
  [ "$(wc -l <"$T/a/$1")" -gt 1 ] || fail "$1 has no rows"
}
header accounts.csv "account_id,signup_date,plan_tier,industry,company_size,region"
header users.csv "user_id,account_id,created"
header sessions.csv "user_id,date,minutes"
header feature_events.csv "user_id,date,feature,clicks"
header features.csv "feature,is_core"
header nps.csv "user_id,date,score"
header revenue.csv "account_id,month,mrr"
header truth.csv "account_id,segment,depth,satisfaction,fit,churn_month"
[ "$(wc -l <"$T/a/accounts.csv")" -eq 61 ] || fail "accounts.csv should have 60 rows"
awk -F, 'NR > 1 && ($2 < "2024-01" || $2 > "2024-05") { bad = 1 } END { exit bad }' \
  "$T/a/revenue.csv" || fail "a revenue month outside 2024-01..2024-05"
awk -F, 'NR > 1 && ($2 < "2024-01-01" || $2 > "2024-05-31" || $3 < 1) { bad = 1 } END { exit bad }' \
  "$T/a/sessions.csv" || fail "a session outside the world or without minutes"
# the documented orders (byte order)
sorted() { # FILE KEYS...
  f=$1; shift
  tail -n +2 "$T/a/$f" | LC_ALL=C sort -c -s -t, "$@" || fail "$f is not in the documented order"
}
sorted accounts.csv -k2,2 -k1,1
sorted users.csv -k3,3 -k1,1
sorted sessions.csv -k2,2 -k1,1
sorted feature_events.csv -k2,2 -k1,1 -k3,3
sorted nps.csv -k2,2 -k1,1
sorted revenue.csv -k2,2 -k1,1

# the summary line without --quiet; --start moves the calendar
expect 0 "wrote $T/s: 60 accounts" "$SY" --accounts 60 --months 5 --seed 3 --start 2023-07-01 --out "$T/s"
grep -q ",2023-07," "$T/s/revenue.csv" || fail "--start 2023-07-01: no revenue in 2023-07"

# determinism: the same arguments give the same bytes, whatever the thread
# count; another seed gives other data
ok "$SY" --accounts 60 --months 5 --seed 3 --out "$T/b" --quiet --threads 1
for f in accounts users sessions feature_events features nps revenue truth; do
  cmp -s "$T/a/$f.csv" "$T/b/$f.csv" || fail "$f.csv differs between identical runs"
done
ok "$SY" --accounts 60 --months 5 --seed 4 --out "$T/c" --quiet
cmp -s "$T/a/sessions.csv" "$T/c/sessions.csv" && fail "seeds 3 and 4 gave the same sessions"

# rewriting a directory replaces its files and leaves no temporaries
ok "$SY" --accounts 60 --months 5 --seed 3 --out "$T/c" --quiet --no-truth
cmp -s "$T/a/sessions.csv" "$T/c/sessions.csv" || fail "a rewrite did not replace sessions.csv"
[ -z "$(ls -A "$T/c" | grep '^\.')" ] || fail "temporary files left: $(ls -A "$T/c")"

# usage errors: exit 2, one message naming the program, nothing created
expect 2 "churnkit-synth: --out DIR is required" "$SY" --accounts 10
expect 2 "--accounts" "$SY" --accounts 0 --out "$T/u"
expect 2 "--accounts" "$SY" --accounts abc --out "$T/u"
expect 2 "--months" "$SY" --months 0 --out "$T/u"
expect 2 "--months" "$SY" --months 1201 --out "$T/u"
expect 2 "--seed" "$SY" --seed -1 --out "$T/u"
expect 2 "first day of a month" "$SY" --start 2024-01-15 --out "$T/u"
expect 2 "not a date" "$SY" --start 2024-02-30 --out "$T/u"
expect 2 "unknown option '--bogus'" "$SY" --bogus --out "$T/u"
expect 2 "unexpected argument 'extra'" "$SY" --out "$T/u" extra
expect 2 "'--out' needs a value" "$SY" --out
[ -e "$T/u" ] && fail "a usage error created the output directory"

# an output that cannot be created -- a path under a regular file fails for
# root too: exit 5, the path in the message
: >"$T/plainfile"
expect 5 "churnkit-synth: $T/plainfile/world: cannot create directory" \
  "$SY" --accounts 5 --months 2 --out "$T/plainfile/world"
expect 5 "not a directory" "$SY" --accounts 5 --months 2 --out "$T/plainfile"

# a write that fails midway (the file size limit stands in for a full
# disk): exit 5, and the files already there are left as they were
mkdir "$T/full" && echo old >"$T/full/sessions.csv"
(trap '' XFSZ; ulimit -f 1000 && exec "$SY" --accounts 2000 --months 6 --out "$T/full") \
  >"$T/out" 2>"$T/err"
got=$?
[ "$got" = 5 ] || fail "a failed write exited $got, expected 5: $(cat "$T/err")"
grep -q "^churnkit-synth: .*full.*: File too large" "$T/err" || fail "failed write: $(cat "$T/err")"
[ "$(cat "$T/full/sessions.csv")" = old ] || fail "a failed run replaced sessions.csv"
[ "$(ls -A "$T/full")" = sessions.csv ] || fail "a failed run left files: $(ls -A "$T/full")"
exit 0
