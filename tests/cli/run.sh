#!/bin/sh
# Runs every tests/cli/test_*.sh with CK_BIN pointing at the programs.
# Each script exits non-zero on failure and prints what failed.
set -u
here=$(cd "$(dirname "$0")" && pwd)
: "${CK_BIN:?CK_BIN must name the directory of the churnkit programs}"
export CK_BIN
status=0; n=0
for t in "$here"/test_*.sh; do
  [ -e "$t" ] || continue
  n=$((n + 1))
  if sh "$t"; then echo "ok   $(basename "$t")"; else echo "FAIL $(basename "$t")" >&2; status=1; fi
done
echo "command-line tests: $n run"
exit $status
