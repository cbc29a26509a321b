#!/bin/sh
# Rewrites the estimator list of man/churnkit-train.1 -- the lines between
# the BEGIN and END ESTIMATORS markers -- from the estimator table, as
# `churnkit-train --estimators-roff` prints it, so that the page cannot
# drift from the program.  `make man` runs it; tests/cli/test_options.sh
# checks that the committed page is up to date.
#   man/estimators.sh BIN_DIR [PAGE]   (PAGE defaults to man/churnkit-train.1)
set -eu
bin=$1
page=${2:-$(dirname "$0")/churnkit-train.1}
tmp=$(mktemp)
trap 'rm -f "$tmp" "$tmp.roff"' EXIT
"$bin/churnkit-train" --estimators-roff > "$tmp.roff"
awk -v roff="$tmp.roff" '
  /^\.\\" BEGIN ESTIMATORS/ { print; while ((getline l < roff) > 0) print l; skip = 1; next }
  /^\.\\" END ESTIMATORS/ { skip = 0 }
  !skip { print }
' "$page" > "$tmp"
grep -q '^\.\\" END ESTIMATORS' "$tmp" || { echo "$0: no ESTIMATORS markers in $page" >&2; exit 1; }
cat "$tmp" > "$page"
