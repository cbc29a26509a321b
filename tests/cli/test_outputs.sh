#!/bin/sh
# Outputs never destroy what they should not (issue 19): a symbolic link
# stays a link, an output is never an input or another output, the umask
# and an existing file's mode are kept, and the outputs of one run are
# committed together or not at all.
. "$(dirname "$0")/lib.sh"
SY="$CK_BIN/churnkit-synth"; FE="$CK_BIN/churnkit-features"; TR="$CK_BIN/churnkit-train"
PR="$CK_BIN/churnkit-predict"; EV="$CK_BIN/churnkit-eval"
IN="$ROOT/tests/bad/inputs"
cp "$IN/base.csv" "$T/in.csv"
cp "$IN/base.json" "$T/model.json"
mode() { stat -c %a "$1"; }
temps() { ls -a "$T" | grep -c '\.tmp-'; }

# --- a symbolic link to a regular file: the link stays, its target is new
printf 'old\n' > "$T/target.csv"
ln -s target.csv "$T/link.csv"
ok "$PR" --model "$T/model.json" --data "$T/in.csv" --out "$T/link.csv" --quiet
[ -L "$T/link.csv" ] || fail "--out onto a link replaced the link with a file"
head -1 "$T/target.csv" | grep -q '^id,base_prob' || fail "the link's target did not get the scores"
ln -s model-target.json "$T/model-link.json"   # a link to nothing: its target is made
ok "$TR" --data "$T/in.csv" --label y --id id --l2 1 --out "$T/model-link.json" --quiet
[ -L "$T/model-link.json" ] && [ -f "$T/model-target.json" ] || fail "train --out onto a dangling link"
# --- a link to something not a regular file: written through
ln -s /dev/stdout "$T/stdout-link"
"$PR" --model "$T/model.json" --data "$T/in.csv" --out "$T/stdout-link" --quiet | cat > "$T/piped.csv"
[ -L "$T/stdout-link" ] && [ "$(wc -l < "$T/piped.csv")" -gt 1 ] || fail "a link to /dev/stdout not written through"
mkfifo "$T/fifo"
ln -s fifo "$T/fifo-link"
cat "$T/fifo" > "$T/from-fifo.csv" &
reader=$!
ok "$PR" --model "$T/model.json" --data "$T/in.csv" --out "$T/fifo-link" --quiet
wait $reader
[ -p "$T/fifo" ] && [ -L "$T/fifo-link" ] || fail "the FIFO or the link to it was replaced"
cmp -s "$T/from-fifo.csv" "$T/piped.csv" || fail "the FIFO did not get the scores"
# /dev/stdout itself, redirected to a file: the file gets the output; the
# system's link stays (this matters as root)
ok "$EV" --model "$T/model.json" --data "$T/in.csv" --json /dev/stdout --quiet
head -c 1 "$T/out" | grep -q '{' || fail "eval --json /dev/stdout wrote no JSON"
[ -L /dev/stdout ] || fail "/dev/stdout is no longer a link"
[ "$(temps)" = 0 ] || fail "temporaries left: $(ls -a "$T" | grep '\.tmp-')"

# --- an output that is an input, or another output: exit 2 naming both,
# before any work, nothing written
cp "$T/in.csv" "$T/in.orig"; cp "$T/model.json" "$T/model.orig"
unchanged() {
  cmp -s "$T/in.csv" "$T/in.orig" && cmp -s "$T/model.json" "$T/model.orig" || fail "an input was changed: $*"
  [ ! -e "$T/new.out" ] || fail "an output was written: $*"
  [ "$(temps)" = 0 ] || fail "a temporary was left: $*"
}
same() { # OPT1 OPT2 cmd...: refused, both options named
  o1=$1; o2=$2; shift 2
  expect 2 "are the same file" "$@"
  grep -qF -- "$o1 '" "$T/err" && grep -qF -- "$o2 '" "$T/err" || fail "'$*' does not name $o1 and $o2: $(cat "$T/err")"
  unchanged "$@"
}
ln -s in.csv "$T/in-link.csv"
ln "$T/in.csv" "$T/in-hard.csv"
same --out --data "$PR" --model "$T/model.json" --data "$T/in.csv" --out "$T/in.csv"
same --out --data "$PR" --model "$T/model.json" --data "$T/in.csv" --out "$T/./in.csv"
same --out --data "$PR" --model "$T/model.json" --data "$T/in.csv" --out "$T/in-link.csv"
same --out --data "$PR" --model "$T/model.json" --data "$T/in.csv" --out "$T/in-hard.csv"
same --out --model "$PR" --model "$T/model.json" --data "$T/in.csv" --out "$T/model.json"
same --drift-report --data "$PR" --model "$T/model.json" --data "$T/in.csv" --drift-report "$T/in.csv"
same --out --drift-report "$PR" --model "$T/model.json" --data "$T/in.csv" --out "$T/new.out" --drift-report "$T/./new.out"
printf 'segment,action\n' > "$T/actions.csv"; cp "$T/actions.csv" "$T/actions.orig"
same --out --actions "$PR" --model "$T/model.json" --data "$T/in.csv" --actions "$T/actions.csv" --out "$T/actions.csv"
cmp -s "$T/actions.csv" "$T/actions.orig" || fail "--actions was overwritten"
same --out --data "$TR" --data "$T/in.csv" --label y --l2 1 --out "$T/in.csv"
same --out --data "$TR" --data "$T/in-link.csv" --label y --l2 1 --out "$T/in.csv"
same --json --data "$EV" --model "$T/model.json" --data "$T/in.csv" --json "$T/in.csv"
same --html --model "$EV" --model "$T/model.json" --data "$T/in.csv" --html "$T/model.json"
same --html --baseline "$EV" --model "$T/in.orig" --baseline "$T/model.json" --data "$T/in.csv" --html "$T/model.json"
same --json --html "$EV" --model "$T/model.json" --data "$T/in.csv" --json "$T/new.out" --html "$T/new.out"
same --json --scores "$EV" --scores "$T/in.csv" --label y --prob x1 --json "$T/in.csv"
ok "$SY" --accounts 50 --months 6 --seed 3 --out "$T/w" --quiet
cp "$T/w/accounts.csv" "$T/accounts.orig"
same --out --accounts "$FE" --world "$T/w" --snapshot 2024-04-01 --out "$T/w/accounts.csv"
same --out --catalogue "$FE" --world "$T/w" --snapshot 2024-04-01 --out "$T/w/features.csv"
cmp -s "$T/w/accounts.csv" "$T/accounts.orig" || fail "features overwrote its --accounts"
# churnkit-synth reads no file: its one output (a directory) meets no input.
# Two inputs may be one file, and /dev/null twice loses nothing
ok "$EV" --model "$T/model.json" --baseline "$T/model.json" --data "$T/in.csv" --json /dev/null --html /dev/null --quiet

# --- modes: the umask for a new file, the old mode for a replaced one
rm -f "$T/u.csv"
(umask 077; "$PR" --model "$T/model.json" --data "$T/in.csv" --out "$T/u.csv" --quiet) || fail "umask 077 run"
[ "$(mode "$T/u.csv")" = 600 ] || fail "umask 077 gave $(mode "$T/u.csv")"
rm -f "$T/u.csv"
(umask 022; "$PR" --model "$T/model.json" --data "$T/in.csv" --out "$T/u.csv" --quiet) || fail "umask 022 run"
[ "$(mode "$T/u.csv")" = 644 ] || fail "umask 022 gave $(mode "$T/u.csv")"
chmod 600 "$T/u.csv"
(umask 022; "$PR" --model "$T/model.json" --data "$T/in.csv" --out "$T/u.csv" --quiet) || fail "a rerun"
[ "$(mode "$T/u.csv")" = 600 ] || fail "an 0600 output became $(mode "$T/u.csv")"
(umask 077; "$TR" --data "$T/in.csv" --label y --l2 1 --out "$T/u.json" --quiet) || fail "train umask 077"
[ "$(mode "$T/u.json")" = 600 ] || fail "train under umask 077 gave $(mode "$T/u.json")"
(umask 077; "$EV" --model "$T/model.json" --data "$T/in.csv" --json "$T/u-ev.json" --html "$T/u-ev.html" --quiet) \
  || fail "eval umask 077"
[ "$(mode "$T/u-ev.json")$(mode "$T/u-ev.html")" = 600600 ] || fail "eval under umask 077"

# --- standard input and output (the second trial): "-" as an input is what
# the shell opened, and an output onto it is refused like any other
cp "$T/in.csv" "$T/stdin.csv"
"$PR" --model "$T/model.json" --data - --out "$T/stdin.csv" --quiet < "$T/stdin.csv" > "$T/out" 2> "$T/err"
[ $? = 2 ] && grep -qF -- "--out '$T/stdin.csv' and --data '-' are the same file" "$T/err" \
  || fail "--data - onto --out: $(cat "$T/err")"
cmp -s "$T/stdin.csv" "$T/in.csv" || fail "--data - < f --out f destroyed f"
# /dev/stdout is the shell's stream itself: >> appends, a > file is not cut again
printf 'l1\nl2\n' > "$T/app.log"
"$PR" --model "$T/model.json" --data "$T/in.csv" --out /dev/stdout --quiet >> "$T/app.log" || fail "--out /dev/stdout >>"
[ "$(head -2 "$T/app.log" | tr '\n' ' ')" = "l1 l2 " ] && grep -q '^id,base_prob' "$T/app.log" \
  || fail "--out /dev/stdout >> log cut the log: $(head -3 "$T/app.log")"
( echo HEADER; "$PR" --model "$T/model.json" --data "$T/in.csv" --out /dev/stdout --quiet ) > "$T/hdr.csv"
[ "$(head -1 "$T/hdr.csv")" = HEADER ] || fail "--out /dev/stdout cut what the shell had written"
# two outputs to one stream are refused; the report leaves a JSON on stdout alone
expect 2 "--out '-' and --drift-report '-' are the same file" \
  "$PR" --model "$T/model.json" --data "$T/in.csv" --out - --drift-report -
expect 2 "--json '-' and --html '/dev/stdout' are the same file" \
  "$EV" --model "$T/model.json" --data "$T/in.csv" --json - --html /dev/stdout
"$TR" --data "$T/in.csv" --label y --id id --l2 1 --out /dev/stdout > "$T/tm.json" 2>/dev/null || fail "train --out /dev/stdout"
/usr/bin/python3 -c "import json, sys; json.load(open(sys.argv[1]))" "$T/tm.json" || fail "train --out /dev/stdout mixed the report into the model"
# write errors give the output's path and the system's reason, not a stale one
expect 5 "/dev/full: write error: No space left on device" \
  "$EV" --model "$T/model.json" --data "$T/in.csv" --json /dev/full --html "$T/j.html" --quiet
for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do tail -n +2 "$IN/base.csv"; done > "$T/body"
cat "$T/in.csv" "$T/body" "$T/body" "$T/body" > "$T/many.csv"
expect 5 "/dev/full: write error: No space left on device" \
  "$PR" --model "$T/model.json" --data "$T/many.csv" --out /dev/full --quiet
# a hand-edited model with one class twice (or none) is damaged, not scored
/usr/bin/python3 - "$T/model.json" "$T/oneclass.json" <<'PY'
import json, sys
m = json.load(open(sys.argv[1])); m["label"]["negative"] = m["label"]["positive"]
json.dump(m, open(sys.argv[2], "w"))
PY
expect 4 "field 'label.negative' must differ from label.positive" \
  "$PR" --model "$T/oneclass.json" --data "$T/in.csv" --out "$T/x.csv" --quiet
# --- one run's outputs: all or none
expect 5 "/dev/full" "$EV" --model "$T/model.json" --data "$T/in.csv" --json "$T/ev.json" --html /dev/full --quiet
[ ! -e "$T/ev.json" ] || fail "eval left --json when --html failed"
printf 'old json\n' > "$T/ev.json"
expect 5 "/dev/full" "$EV" --model "$T/model.json" --data "$T/in.csv" --json "$T/ev.json" --html /dev/full --quiet
[ "$(cat "$T/ev.json")" = "old json" ] || fail "eval replaced --json when --html failed"
expect 5 "/dev/full" "$PR" --model "$T/model.json" --data "$T/in.csv" --out "$T/s.csv" --drift-report /dev/full --quiet
[ ! -e "$T/s.csv" ] || fail "predict left --out when --drift-report failed"
printf 'old scores\n' > "$T/s.csv"
expect 5 "/dev/full" "$PR" --model "$T/model.json" --data "$T/in.csv" --out "$T/s.csv" --drift-report /dev/full --quiet
[ "$(cat "$T/s.csv")" = "old scores" ] || fail "predict replaced --out when --drift-report failed"
ok "$PR" --model "$T/model.json" --data "$T/in.csv" --out "$T/s.csv" --drift-report "$T/d.csv" --quiet
head -1 "$T/d.csv" | grep -q '^model,feature,psi$' && head -1 "$T/s.csv" | grep -q '^id,' || fail "both outputs"
[ "$(temps)" = 0 ] || fail "temporaries left: $(ls -a "$T" | grep '\.tmp-')"
exit 0
