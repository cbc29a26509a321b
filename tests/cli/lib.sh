# Shared helpers for the command-line tests (sourced by tests/cli/test_*.sh).
# Each test script runs with `set -u`, makes its own temporary directory, and
# exits non-zero on the first failure with a line saying what failed.
set -u
: "${CK_BIN:?CK_BIN must name the directory of the churnkit programs}"
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
DATA="$ROOT/tests/data"
T=$(mktemp -d /tmp/churnkit-cli-XXXXXX)
trap 'rm -rf "$T"' EXIT

fail() { echo "FAIL ($(basename "$0")): $*" >&2; exit 1; }

# expect CODE FRAGMENT cmd args...: the command exits with CODE and its
# standard error contains FRAGMENT (empty: anything).
expect() {
  code=$1; frag=$2; shift 2
  "$@" >"$T/out" 2>"$T/err"
  got=$?
  [ "$got" = "$code" ] || fail "'$*' exited $got, expected $code; stderr: $(head -c 400 "$T/err")"
  if [ -n "$frag" ] && ! grep -qF -- "$frag" "$T/err"; then
    fail "'$*' stderr lacks '$frag': $(head -c 400 "$T/err")"
  fi
}

# ok cmd args...: the command succeeds.
ok() { expect 0 "" "$@"; }
