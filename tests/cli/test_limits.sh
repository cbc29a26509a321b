#!/bin/sh
# Issue 19's silent wrong results and limits: what each program does at the
# edges of its input (line ends, thread counts, sizes), checked on outputs.
. "$(dirname "$0")/lib.sh"
B="$CK_BIN"
IN="$ROOT/tests/bad/inputs"

# CR-only line ends in a file big enough for train's parallel parts: every
# row is read, as with LF.
awk 'BEGIN { print "x1,x2,plan,y"
  for (i = 0; i < 200000; i++) printf "%.3f,%.3f,%s,%s\n", (i % 89) / 10 - 4, (i % 97) / 10, (i % 3 ? "basic" : "pro"), (i % 5 < 2 ? "yes" : "no") }' \
  > "$T/lf.csv"
tr '\n' '\r' < "$T/lf.csv" > "$T/cr.csv"
for f in lf cr; do
  ok "$B/churnkit-train" --data "$T/$f.csv" --label y --l2 1 --threads 2 --out "$T/$f.json" --quiet
  grep -q '"rows": 200000' "$T/$f.json" || fail "train on $f line ends: not 200000 rows"
done

# --threads 1 starts no thread: not the CSV reader's, the pipeline's or the
# hash's (counted with strace when there is one).
if command -v strace >/dev/null 2>&1; then
  strace -f -e trace=clone,clone3 -o "$T/strace" "$B/churnkit-train" --data "$T/lf.csv" --label y \
    --l2 1 --threads 1 --out "$T/one.json" --quiet || fail "train --threads 1 under strace"
  grep -q clone "$T/strace" && fail "train --threads 1 started threads: $(grep -c clone "$T/strace")"
  cmp -s "$T/one.json" "$T/lf.json" || fail "train --threads 1 and 2 differ"
fi
exit 0
