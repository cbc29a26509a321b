#!/bin/sh
# Installs the Debian packages churnkit needs, if any are missing.
#   .ci/deps.sh build|demo|check|ci|bench|notebooks|fuzz|mpi|python|all
# As root it runs apt-get directly; otherwise through sudo when sudo works
# without a password; otherwise it prints the exact command and fails.
set -eu

build="gcc make pkg-config libc6-dev libgsl-dev libsvm-dev libcsv-dev libjansson-dev libxgboost-dev"
# the Python package (python/) and its tests, which make check runs
python="$build python3 python3-numpy python3-pandas python3-sklearn python3-pytest python3-pip python3-venv python3-wheel python3-setuptools"
check="$build check libsvm-tools python3 python3-numpy python3-pandas python3-sklearn python3-pytest"
demo="$build python3"
ci="$check valgrind"
bench="$build python3 python3-pandas python3-sklearn python3-xgboost liblinear-tools libsvm-tools"
notebooks="$build python3 python3-numpy python3-pandas python3-matplotlib python3-sklearn python3-xgboost python3-nbconvert python3-ipykernel jupyter-nbconvert"
fuzz="$build clang libclang-rt-14-dev"
mpi="$check libopenmpi-dev openmpi-bin"

case "${1:-build}" in
  build) want=$build ;;
  demo) want=$demo ;;
  check) want=$check ;;
  ci) want=$ci ;;
  bench) want=$bench ;;
  notebooks) want=$notebooks ;;
  fuzz) want=$fuzz ;;
  mpi) want=$mpi ;;
  python) want=$python ;;
  all) want="$ci $bench $notebooks $fuzz $mpi $python" ;;
  *) echo "usage: $0 build|demo|check|ci|bench|notebooks|fuzz|mpi|python|all" >&2; exit 2 ;;
esac

missing=
for p in $want; do
  case " $missing " in *" $p "*) continue ;; esac
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing="$missing $p"
  fi
done
[ -z "$missing" ] && exit 0

echo "churnkit: installing missing Debian packages:$missing" >&2
if [ "$(id -u)" = 0 ]; then
  run=""
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  run="sudo"
else
  echo "churnkit: cannot install packages (not root, no password-less sudo). Run:" >&2
  echo "  sudo apt-get update && sudo apt-get install -y$missing" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
# A fresh machine may have empty package lists: update once, then install.
$run apt-get install -y -q $missing >/dev/null 2>&1 || {
  $run apt-get update -q >/dev/null &&
  $run apt-get install -y -q $missing >/dev/null
} || {
  echo "churnkit: apt-get install failed for:$missing" >&2
  exit 1
}
