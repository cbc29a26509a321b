#!/bin/sh
# Golden files (tests/golden/, made once by the build at commit c8f3622 with
# tests/golden/make_golden.sh; the four deliberate changes since, signed
# reasons, value groups, penalized models keeping a reference level and the
# linear models' last bits under a new TSQR, are told there; the model files from before the third are kept in
# tests/golden/legacy and scored too): every golden model still loads and scores to
# the same bytes, re-training with the same command (same data, options, seed
# and name) writes the same bytes, and the evaluation JSON has the same values
# (key order free). The commands come from tests/golden/commands, the very
# lines make_golden.sh ran. Every mismatch is listed before the test fails.
. "$(dirname "$0")/lib.sh"
G="$ROOT/tests/golden"
[ -f "$G/commands" ] && [ -f "$G/lines.sh" ] || fail "no tests/golden/commands or lines.sh"
[ -x /usr/bin/python3 ] || fail "/usr/bin/python3 is needed to compare the evaluation JSON"
. "$G/lines.sh"
B=$(cd "$CK_BIN" && pwd) || fail "no directory CK_BIN=$CK_BIN"

# re-training runs in train/ (data/ and an empty models/), scoring in score/
# (data/, the golden models/ and an empty expected/): the same relative paths
# as make_golden.sh, which ran in tests/golden/
mkdir "$T/train" "$T/score" "$T/train/models" "$T/score/expected" || fail "mkdir"
cp -R "$G/data" "$T/train/data" && cp -R "$G/data" "$T/score/data" && cp -R "$G/models" "$T/score/models" \
  || fail "cannot copy tests/golden"

bad=0; checked=0; made=" "
mismatch() { echo "FAIL (test_golden.sh): $*" >&2; bad=$((bad + 1)); }

# json_same NEW GOLDEN: the same JSON values, whatever the key order.  Keys
# may be added (the eval report and the model file's metrics share one
# writer since the estimator interface, which gave eval's metrics rows,
# positives and majority_accuracy; the generic target gave eval's target
# metric, op, value and baseline_meets_target, and the verdict met; the
# precision floor gave precision and recall intervals, the top rows'
# precision and recall, and the model file's threshold_cv; issue 18's
# statistics gave every coefficient its raw scales, per_unit and per_sd, an
# aliased flag, the logistic fit its rank, AIC and BIC, each column's tests,
# the --drop1 and --robust-se options, and eval's coefficients_approximate);
# none may go or change.
json_same() {
  /usr/bin/python3 - "$1" "$2" <<'PY'
import json, sys
new, old = (json.load(open(p)) for p in sys.argv[1:3])
diffs = []
ADDED = {"rows", "positives", "majority_accuracy", "metric", "op", "value",
         "baseline_meets_target", "met", "threshold_cv",
         "precision_ci_low", "precision_ci_high", "recall_ci_low", "recall_ci_high",
         "top_named", "precision_at_top", "precision_at_top_ci_low",
         "precision_at_top_ci_high", "recall_at_top", "recall_at_top_ci_low",
         "recall_at_top_ci_high",
         "per_unit", "per_sd", "rank", "aliased", "coefficients_approximate",
         "tests", "aic", "bic", "drop1", "robust_se"}
def num(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool)
def walk(a, b, path):
    if len(diffs) >= 10:
        return
    if isinstance(b, dict) and isinstance(a, dict):
        for k in b:
            if k in a:
                walk(a[k], b[k], path + "/" + k)
            else:
                diffs.append("%s/%s: missing (golden %s)" % (path, k, json.dumps(b[k])[:60]))
        for k in a:
            if k not in b and k not in ADDED:
                diffs.append("%s/%s: new key" % (path, k))
    elif isinstance(b, list) and isinstance(a, list):
        if len(a) != len(b):
            diffs.append("%s: %d elements, golden %d" % (path, len(a), len(b)))
        else:
            for i, (x, y) in enumerate(zip(a, b)):
                walk(x, y, "%s[%d]" % (path, i))
    elif (num(a) and num(b) and a == b) or (not num(a) and not num(b) and type(a) is type(b) and a == b):
        pass
    else:
        diffs.append("%s: %s, golden %s" % (path or "/", json.dumps(a)[:60], json.dumps(b)[:60]))
walk(new, old, "")
for d in diffs:
    print("  " + d, file=sys.stderr)
sys.exit(1 if diffs else 0)
PY
}

# GOLD: where the golden outputs are; SCORE: where scores and json run
GOLD=$G; SCORE="$T/score"
check_line() {
  kind=$1; outs=$2; prog=$3; shift 3
  case $kind in
    model) dir="$T/train" ;;
    scores|json) dir=$SCORE ;;
    *) mismatch "tests/golden/commands: unknown kind '$kind'"; return 0 ;;
  esac
  if [ "$kind" = json ]; then
    (cd "$dir" && "$B/$prog" "$@" > "$outs") 2> "$T/err"
  else
    (cd "$dir" && "$B/$prog" "$@") > /dev/null 2> "$T/err"
  fi
  rc=$?
  if [ $rc != 0 ]; then
    mismatch "'$prog $*' exited $rc: $(head -c 400 "$T/err")"; return 0
  fi
  for o in $(echo "$outs" | tr , ' '); do
    checked=$((checked + 1))
    if [ "$GOLD" = "$G" ]; then made="$made$o "; else made="$made${GOLD#"$G/"}/$o "; fi
    if [ ! -f "$GOLD/$o" ]; then mismatch "no golden file ${GOLD#"$ROOT/"}/$o"; continue; fi
    if [ ! -f "$dir/$o" ]; then mismatch "'$prog $*' wrote no $o"; continue; fi
    if [ "$kind" = json ]; then
      json_same "$dir/$o" "$GOLD/$o" || mismatch "$o: values differ from the golden JSON ('$prog $*'; differences above)"
    elif [ "$kind" = model ] && ! cmp -s "$dir/$o" "$GOLD/$o" && json_same "$dir/$o" "$GOLD/$o" 2>/dev/null; then
      : # the same model, keys added since (every value the same, exactly)
    elif ! cmp -s "$dir/$o" "$GOLD/$o"; then
      if [ "$kind" = model ]; then what="re-training gave a different model file"; else what="scores differ"; fi
      mismatch "$o: $what ('$prog $*'): $(cmp "$dir/$o" "$GOLD/$o" 2>&1 | head -1); diff (< golden, > now):"
      diff "$GOLD/$o" "$dir/$o" | head -6 | sed 's/^/  /' >&2   # < golden, > now
    fi
  done
  return 0
}

golden_each "$G/commands" check_line || fail "cannot read tests/golden/commands"

# The model files of the four penalized models from before issue 18 (a
# column for every level; tests/golden/legacy, see make_golden.sh) still load
# and score to the same bytes: legacy/commands scored in legacy/ (data/, the
# legacy models/ and an empty expected/).
L="$G/legacy"
mkdir "$T/legacy" "$T/legacy/expected" && cp -R "$G/data" "$T/legacy/data" \
  && cp -R "$L/models" "$T/legacy/models" || fail "cannot copy tests/golden/legacy"
GOLD=$L; SCORE="$T/legacy"
golden_each "$L/commands" check_line || fail "cannot read tests/golden/legacy/commands"
for f in "$L"/expected/*; do
  rel=${f#"$G/"}
  case $made in *" $rel "*) ;; *) mismatch "tests/golden/$rel is made by no line of tests/golden/legacy/commands" ;; esac
done

# every golden file is checked by some line
for f in "$G"/models/* "$G"/expected/*; do
  rel=${f#"$G/"}
  case $made in *" $rel "*) ;; *) mismatch "tests/golden/$rel is made by no line of tests/golden/commands" ;; esac
done
[ "$checked" -gt 0 ] || fail "tests/golden/commands has no lines"
[ "$bad" = 0 ] || fail "$bad mismatches over $checked golden files (listed above; the golden files were made by the build at c8f3622)"
exit 0
