#!/bin/sh
# SVM model files need no temporary file: libsvm's text is written and read
# in memory (svm_text.c), so an SVM trains, saves, loads and scores with
# TMPDIR pointing nowhere and with /tmp read-only.  (The damaged SVM texts
# are in the hostile corpus, tests/bad/cases.)
. "$(dirname "$0")/lib.sh"
B="$CK_BIN"
IN="$ROOT/tests/bad/inputs"

TMPDIR=/nonexistent
export TMPDIR
ok "$B/churnkit-train" --data "$IN/base.csv" --label y --id id --model svm --out "$T/m.json" --quiet
ok "$B/churnkit-predict" --model "$T/m.json" --data "$IN/base.csv" --out "$T/p.csv" --quiet
ok "$B/churnkit-eval" --model "$T/m.json" --data "$IN/base.csv" --quiet
unset TMPDIR

# /tmp read-only: in a private mount namespace (root, or a user namespace),
# the programs and data moved beside it first, as /tmp is hidden.
if unshare -m true 2>/dev/null || unshare -rm true 2>/dev/null; then
  flag=-m; unshare -m true 2>/dev/null || flag=-rm
  mkdir -p "$T/ro/bin" && cp "$B"/churnkit-train "$B"/churnkit-predict "$T/ro/bin/" &&
    cp "$IN/base.csv" "$T/ro/" || fail "cannot copy the programs"
  unshare $flag sh -c '
    mount --bind "$1" /mnt && mount -t tmpfs -o ro,size=4k tmpfs /tmp || exit 99
    touch /tmp/probe 2>/dev/null && exit 98
    /mnt/bin/churnkit-train --data /mnt/base.csv --label y --id id --model svm \
      --out /mnt/m.json --quiet &&
    /mnt/bin/churnkit-predict --model /mnt/m.json --data /mnt/base.csv --out /mnt/p.csv --quiet
  ' sh "$T/ro" > "$T/out" 2> "$T/err"
  rc=$?
  case $rc in
    0) cmp -s "$T/ro/m.json" "$T/m.json" || fail "the model trained without /tmp differs" ;;
    99|98) echo "skip read-only /tmp (cannot mount here)" >&2 ;;
    *) fail "SVM with a read-only /tmp exited $rc: $(head -c 400 "$T/err")" ;;
  esac
else
  echo "skip read-only /tmp (no mount namespace)" >&2
fi
exit 0
