#!/bin/sh
# Runs each Check test program given; with CK_VALGRIND=1, under valgrind
# (no fork, so valgrind sees every test's allocations).  Fails if any fails.
set -u
status=0
for t in "$@"; do
  if [ "${CK_VALGRIND:-0}" = 1 ]; then
    CK_FORK=no valgrind -q --error-exitcode=1 --leak-check=full --errors-for-leak-kinds=definite,indirect \
      "$t" || { echo "FAILED under valgrind: $t" >&2; status=1; }
  else
    "$t" || { echo "FAILED: $t" >&2; status=1; }
  fi
done
exit $status
