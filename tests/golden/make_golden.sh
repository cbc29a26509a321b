#!/bin/sh
# Run once with the build at commit c8f3622; do not re-run unless the format is
# deliberately changed.
#
# One deliberate change since: the reason columns became signed (a
# NAME_reasonK_effect column beside each reason; a text column named with
# its level, the reference level too; SVMs, which give no reasons, have no
# reason columns).  The expected/*.reasons3.csv files were remade then by
# the new build, after check_reasons.py had compared them with these
# originals (still in git history): every other column identical, every
# reason the same feature.
#
# A second one: the value groups (value_group and value_play, written last
# when the scored table has nps_avg, active_day_share, core_clicks_per_user
# and feature_breadth).  The seven expected/*.csv files scored from
# data/accounts_score.csv were remade then by the new build, after
# check_value_groups.py had compared them with the files before: every old
# column identical, the two columns appended, each row's group the rule of
# docs/value-model.md recomputed in Python from the data.
#
# A third (issue 18): a penalized logistic or linear model keeps a reference
# level out of each text column, as an unpenalized one does, so that its
# levels are contrasts (before, --l2 gave every level a column).  The four
# penalized models (models/churn_6m.json, churn_3m.json, value_3m.json,
# ridge.json) and what is scored with them (expected/churn_6m*.csv,
# churn_3m*.csv, value_3m*.csv, ridge*.csv, segments.csv; segments.drift.csv
# came out the same) were remade by the new build, running their lines of
# commands, after check_reference.py had compared them with the files
# before: every number of the pipeline the same, each text column's first
# level now the reference, the new scores those of the new model file
# recomputed in Python from its JSON alone (scores moved by at most 0.043 in
# probability, 1.5 and 0.69 in the two regressions' predictions).  The
# files before are kept in legacy/ with the lines that score them
# (legacy/commands): test_golden.sh checks that those model files still
# load and score to the same bytes.  Other model files changed no value;
# they gained keys (the raw scales of each coefficient, a logistic fit's
# rank), which test_golden.sh allows.
#
# A fourth (issue 22): the TSQR under linear regression folds rows into R
# with its own Householder reflections (LAPACK dtpqrt's structure, half the
# flops of GSL's QR of the stacked matrix), so the four linear models'
# numbers moved in their last bits (relative 5.5e-13 at most, on a slope
# of 1.3e-4; logistic models, which use the TSQR only to find aliased
# columns, are unchanged).  models/value_3m.json, ols.json, ridge.json and
# huber.json were remade by the new build, running their lines of commands;
# every expected file scored or evaluated with them came out the same
# bytes.  check_tsqr.py compares the OLS model before (git history) and
# after with the exact least-squares solution in rationals: the largest
# relative error is 1.65e-15 before, 1.69e-15 after (rounding either way).
#
#   tests/golden/make_golden.sh BIN_DIR [--force]
#
# BIN_DIR holds the churnkit programs of that build, made in a separate clone:
#   git clone -q /work/main /tmp/golden-src && cd /tmp/golden-src &&
#   git checkout -q c8f3622 && make -j2 all
#   tests/golden/make_golden.sh /tmp/golden-src/bin
#
# It writes, under tests/golden/:
#   data/      the inputs, cut from tests/data/public/ and
#              tests/fixtures/estimators/regression.csv, or made by churnkit-synth
#              and churnkit-features (the commands are below);
#   models/    the golden model files, and
#   expected/  the expected scores and evaluation JSON,
# by running every line of tests/golden/commands (shared with
# tests/cli/test_golden.sh, which runs the same lines against a new build and
# compares). It refuses to overwrite existing golden files without --force.
set -eu
[ $# -ge 1 ] || { echo "usage: $0 BIN_DIR [--force]" >&2; exit 2; }
BIN=$(cd "$1" && pwd)
G=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$G/../.." && pwd)
PUB="$ROOT/tests/data/public"
for p in churnkit-train churnkit-predict churnkit-eval churnkit-synth churnkit-features; do
  [ -x "$BIN/$p" ] || { echo "$0: no $BIN/$p" >&2; exit 2; }
done
if [ -e "$G/models" ] || [ -e "$G/expected" ] || [ -e "$G/data" ]; then
  if [ "${2:-}" != --force ]; then
    echo "$0: golden files exist; they are regression fixtures, not to be remade (--force to remake)" >&2
    exit 2
  fi
fi
echo "making golden files with $("$BIN/churnkit-train" --version | head -1) from $BIN" >&2

cd "$G"
rm -rf data models expected
mkdir data models expected
W=$(mktemp -d /tmp/churnkit-golden-XXXXXX)
trap 'rm -rf "$W"' EXIT

# ---- inputs ------------------------------------------------------------------
# mlc_churn: the first 2000 training rows (logistic), the first 500 (SVM; at most
# ~600 rows so that libsvm takes well under a second), the first 500 test rows
head -n 2001 "$PUB/mlc_churn.train.csv" > data/mlc_train.csv
head -n 501 "$PUB/mlc_churn.train.csv" > data/mlc_svm.csv
head -n 501 "$PUB/mlc_churn.test.csv" > data/mlc_score.csv
# attrition: the first 500 training rows (linear SVM), all 294 test rows
head -n 501 "$PUB/attrition.train.csv" > data/attr_svm.csv
cp "$PUB/attrition.test.csv" data/attr_score.csv
# the estimator fixtures' regression table (x2 has gaps); to score: the same rows
# with x1 missing on every 37th line and a plan unseen in training ('enterprise')
# on every 50th
cp "$ROOT/tests/fixtures/estimators/regression.csv" data/regression.csv
awk -F, 'BEGIN { OFS = "," } NR > 1 && NR % 37 == 0 { $1 = "NA" } NR > 1 && NR % 50 == 0 { $4 = "enterprise" } { print }' \
  data/regression.csv > data/regression_score.csv
# a synthetic world (1500 accounts, 18 months): account features at 2024-07-01 to
# train on (878 rows; nps_avg has gaps), and every second account at 2024-10-01 to score
"$BIN/churnkit-synth" --accounts 1500 --months 18 --seed 4 --out "$W/world" --quiet
"$BIN/churnkit-features" --world "$W/world" --snapshot 2024-07-01 --out data/accounts_train.csv --quiet
"$BIN/churnkit-features" --world "$W/world" --snapshot 2024-10-01 --out "$W/accounts_later.csv" --quiet
awk 'NR % 2 == 1' "$W/accounts_later.csv" > data/accounts_score.csv

# ---- models, scores, evaluation ---------------------------------------------------
. "$G/lines.sh"
make_line() {
  kind=$1; outs=$2; prog=$3; shift 3
  echo "  $kind $outs" >&2
  case $kind in
    model|scores) "$BIN/$prog" "$@" ;;
    json) "$BIN/$prog" "$@" > "$outs" ;;
    *) echo "$0: unknown kind '$kind'" >&2; return 2 ;;
  esac
  for o in $(echo "$outs" | tr , ' '); do
    [ -s "$o" ] || { echo "$0: '$prog $*' did not write $o" >&2; return 1; }
  done
}
golden_each "$G/commands" make_line
set -- data/* models/* expected/*
echo "done: $# files; now run CK_BIN=$BIN sh $ROOT/tests/cli/test_golden.sh" >&2
