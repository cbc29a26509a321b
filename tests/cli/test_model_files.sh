#!/bin/sh
# Model files that cannot be read, or read back: the size limit
# (--max-model-size), memory running out while the JSON is parsed (exit 5,
# never a crash or "damaged"), and what train writes, predict reads.
. "$(dirname "$0")/lib.sh"
B="$CK_BIN"
IN="$ROOT/tests/bad/inputs"
D="$IN/base.csv"
PY=/usr/bin/python3

# a copy of base.json with a string of N bytes in training.data
padded() { # N OUT
  "$PY" - "$IN/base.json" "$1" "$2" <<'EOF' || fail "cannot write $3"
import json, sys
d = json.load(open(sys.argv[1]))
d["training"]["data"] = "x" * int(sys.argv[2])
open(sys.argv[3], "w").write(json.dumps(d))
EOF
}

# The limit: checked before the file is read, by predict and eval alike.
padded 1500000 "$T/m15.json"
for p in predict eval; do
  set -- "$B/churnkit-$p" --model "$T/m15.json" --data "$D" --quiet
  [ $p = predict ] && set -- "$@" --out "$T/p.csv"
  expect 4 "m15.json: the model file is larger than 1 MB, the limit (--max-model-size raises it)" \
    "$@" --max-model-size 1
  ok "$@" --max-model-size 2
done
[ ! -e "$T/p.csv" ] || rm -f "$T/p.csv"
expect 2 "--max-model-size" "$B/churnkit-predict" --model "$T/m15.json" --data "$D" \
  --max-model-size 0
# the default, 64 MB: a larger file is refused from its size alone
head -c 68000000 /dev/zero > "$T/huge.json"
expect 4 "larger than 64 MB" "$B/churnkit-predict" --model "$T/huge.json" --data "$D" \
  --out "$T/p.csv"
[ ! -e "$T/p.csv" ] || fail "a refused model left an output"
cat "$T/m15.json" | expect 4 "larger than 1 MB" "$B/churnkit-eval" --model /dev/stdin \
  --data "$D" --quiet --max-model-size 1 || exit 1

# Memory: under a range of address-space limits a model with a 16 MB string
# either loads or fails with exit 5 and "out of memory" -- jansson, given too
# little, used to crash in its lexer or the failure read as a damaged file.
# (Skipped where a limit stops the program itself: sanitizer builds.)
padded 16000000 "$T/m16.json"
if ( ulimit -v 400000 && "$B/churnkit-predict" --version ) >/dev/null 2>&1; then
  seen0=0; seen5=0; lim=60000
  while [ $lim -le 400000 ]; do
    ( ulimit -v $lim; exec "$B/churnkit-predict" --model "$T/m16.json" --data "$D" \
        --out "$T/p.csv" --quiet ) > "$T/out" 2> "$T/err"
    rc=$?
    case $rc in
      0) seen0=1 ;;
      5) grep -q "out of memory" "$T/err" || fail "exit 5 at ulimit -v $lim: $(cat "$T/err")"
         seen5=1 ;;
      *) fail "ulimit -v $lim: exit $rc: $(head -c 300 "$T/err")" ;;
    esac
    [ $seen0 = 1 ] && break
    lim=$((lim + 20000))
  done
  [ $seen5 = 1 ] && [ $seen0 = 1 ] || fail "no limit both ran short and sufficed (up to $lim)"
else
  echo "skip memory limits (the programs do not run under ulimit -v here)" >&2
fi
# Text a model file cannot hold is refused where it is read, never dropped
# from the file (train once exited 0 with a model predict refused).
expect 2 "--name is not valid UTF-8 text" "$B/churnkit-train" --data "$D" --label y --id id \
  --name "$(printf 'Z\374rich')" --out "$T/m.json" --quiet
[ ! -e "$T/m.json" ] || fail "a refused --name left a model"
sed '1s/^id,/\xe9id,/' "$D" > "$T/l1.csv"
expect 3 "l1.csv:1:1: the column name is not valid UTF-8" "$B/churnkit-train" --data "$T/l1.csv" \
  --label y --id "$(printf '\351id')" --out "$T/m.json" --quiet
sed '1s/,y$/,\xfd/' "$D" > "$T/l2.csv"
expect 3 "l2.csv:1:5: the column name is not valid UTF-8" "$B/churnkit-train" --data "$T/l2.csv" \
  --label "$(printf '\375')" --id id --out "$T/m.json" --quiet
[ ! -e "$T/m.json" ] || fail "a refused column name left a model"
exit 0
