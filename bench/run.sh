#!/bin/sh
# make bench: builds the benchmark programs, then runs every bench/bench_*.py
# (or only those named: bench/run.sh reader train ...).  Data is generated
# under build/bench (never committed); results go to bench/RESULTS.md.
set -eu
cd "$(dirname "$0")/.."
mkdir -p build/bench
export CK_BENCH_DIR="$PWD/build/bench"
if [ $# -eq 0 ]; then
  set -- $(ls bench/bench_*.py | sed 's/.*bench_\(.*\)\.py/\1/')
fi
for b in "$@"; do
  echo "== bench: $b"
  (cd bench && /usr/bin/python3 "bench_$b.py")
done
