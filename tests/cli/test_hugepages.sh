#!/bin/sh
# The programs re-execute themselves with glibc's malloc asking for
# transparent huge pages (common.h, ck_cli_hugepages): the same process,
# name and outputs, GLIBC_TUNABLES extended rather than replaced, and
# nothing done when CK_HUGEPAGES=0 or when the kernel would not give them.
. "$(dirname "$0")/lib.sh"
B="$CK_BIN"
IN="$ROOT/tests/bad/inputs"
THP=/sys/kernel/mm/transparent_hugepage/enabled
glibc=$(getconf GNU_LIBC_VERSION 2>/dev/null | awk '{ split($2, v, "."); print v[1] * 1000 + v[2] }')
wanted=0
if [ -r "$THP" ] && grep -qF '[madvise]' "$THP" && [ "${glibc:-0}" -ge 2035 ]; then wanted=1; fi

# environ PATTERN [VAR=VALUE...]: the environment of a predict that waits on
# a FIFO, its process name, and then its scores, fed base.csv
mkfifo "$T/in.fifo"
run_waiting() {
  env "$@" "$B/churnkit-predict" --model "$IN/base.json" --data "$T/in.fifo" --out "$T/scores.csv" \
    --quiet 2>"$T/err" &
  pid=$!
  tries=0
  # the exec has happened once the process holds the FIFO open (or waits in open on it)
  until [ "$(cat /proc/$pid/comm 2>/dev/null)" = "churnkit-predic" ] &&
        tr '\0' '\n' < /proc/$pid/environ 2>/dev/null | grep -q '^CK_PROBE=1$' &&
        [ "$(readlink /proc/$pid/exe)" = "$(readlink -f "$B/churnkit-predict")" ] &&
        grep -q 'fifo\|pipe_' /proc/$pid/wchan 2>/dev/null; do
    tries=$((tries + 1)); [ $tries -lt 500 ] || break
    sleep 0.01
  done
  tr '\0' '\n' < /proc/$pid/environ > "$T/environ" 2>/dev/null
  comm=$(cat /proc/$pid/comm)
  cat "$IN/base.csv" > "$T/in.fifo"
  wait $pid || fail "predict failed: $(cat "$T/err")"
}

run_waiting CK_PROBE=1 CK_HUGEPAGES=0
[ "$comm" = "churnkit-predic" ] || fail "process name '$comm'"
grep -q 'glibc.malloc.hugetlb' "$T/environ" && fail "CK_HUGEPAGES=0 still set the tunable"
cp "$T/scores.csv" "$T/plain.csv"

run_waiting CK_PROBE=1
[ "$comm" = "churnkit-predic" ] || fail "process name '$comm' after the exec"
if [ $wanted = 1 ]; then
  grep -qx 'GLIBC_TUNABLES=glibc.malloc.hugetlb=1' "$T/environ" ||
    fail "no huge-page tunable: $(grep GLIBC "$T/environ")"
else
  grep -q 'glibc.malloc.hugetlb' "$T/environ" && fail "tunable set although THP is not 'madvise'"
fi
cmp -s "$T/scores.csv" "$T/plain.csv" || fail "scores differ with huge pages"

run_waiting CK_PROBE=1 GLIBC_TUNABLES=glibc.malloc.arena_max=4
if [ $wanted = 1 ]; then
  # glibc cuts its copy of the variable at the colons, in place, where
  # /proc shows it: the two tunables come out as two lines
  grep -qx 'GLIBC_TUNABLES=glibc.malloc.arena_max=4' "$T/environ" &&
    grep -qx 'glibc.malloc.hugetlb=1' "$T/environ" ||
    fail "the user's tunables were not kept: $(grep glibc "$T/environ")"
fi
cmp -s "$T/scores.csv" "$T/plain.csv" || fail "scores differ with the user's tunables"

# a user's own choice of the tunable is left alone
run_waiting CK_PROBE=1 GLIBC_TUNABLES=glibc.malloc.hugetlb=0
grep -qx 'GLIBC_TUNABLES=glibc.malloc.hugetlb=0' "$T/environ" || fail "the user's hugetlb=0 was changed"

# under a limit on the address space (ulimit -v) nothing changes: 2 MiB
# blocks would reach it sooner (not under ASan, whose shadow needs more)
if ! grep -q __asan_init "$B/churnkit-predict"; then
  ( ulimit -v 8000000 && run_waiting CK_PROBE=1 ) || fail "predict under ulimit -v failed"
  grep -q 'glibc.malloc.hugetlb' "$T/environ" && fail "the tunable was set under ulimit -v"
  cmp -s "$T/scores.csv" "$T/plain.csv" || fail "scores differ under ulimit -v"
fi

# training and its model: the same bytes either way
ok env CK_HUGEPAGES=0 "$B/churnkit-train" --data "$IN/base.csv" --label y --l2 1 --out "$T/a.json" --quiet
ok "$B/churnkit-train" --data "$IN/base.csv" --label y --l2 1 --out "$T/b.json" --quiet
cmp -s "$T/a.json" "$T/b.json" || fail "model files differ with huge pages"
exit 0
