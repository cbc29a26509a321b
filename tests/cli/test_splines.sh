#!/bin/sh
# Spline terms (--splines, issue 21) as a user meets them on the public
# mlc_churn table (the basis and the fit themselves are checked against R
# and statsmodels by tests/unit/test_spline.c): the report's curves and
# tests, one reason a variable (the sum of its columns), the same scores for
# any thread count, values beyond the training range, the HTML curves, the
# user errors.
. "$(dirname "$0")/lib.sh"
TR="$CK_BIN/churnkit-train"
EV="$CK_BIN/churnkit-eval"
PR="$CK_BIN/churnkit-predict"
D="$DATA/public/mlc_churn"
S=total_day_minutes,number_customer_service_calls

# ---- a fit with two spline variables, penalized, its weight by the folds -------------
ok "$TR" --data "$D.train.csv" --label churn --positive yes --features "$S,international_plan" \
  --splines "$S" --spline-penalty --l2 auto --cv 3 --name sp --out "$T/sp.json" --threads 2
cp "$T/out" "$T/sp.txt"
grep -qF "number_customer_service_calls': tied values repeat its quantiles: its 5 knots are at quantiles of its 10 distinct values" "$T/err" \
  || fail "no warning for the knots lost to ties: $(cat "$T/err")"
grep -qF "Spline terms: the effect on the log-odds" "$T/sp.txt" || fail "no spline curves in the report"
grep -qE "^total_day_minutes: natural cubic spline, 5 knots \(4 columns, curvature penalized, EDF [0-9.]+; Wald chi2\(4\)" "$T/sp.txt" \
  || fail "no EDF and Wald test of the spline: $(grep '^total_day_minutes:' "$T/sp.txt")"
grep -qF "the intercept at the numbers' means and a spline variable at its lowest knot" "$T/sp.txt" \
  || fail "the report misplaces the intercept of a model with splines"
grep -qF "the intercept at every number 0 and every reference level (a spline variable at its lowest knot)" "$T/sp.txt" \
  || fail "the raw-scale table misplaces the intercept of a model with splines"
grep -E "^[a-z_]+__ns[0-9]" "$T/sp.txt" | grep -vE "^[a-z_]+__ns[0-9] .*(\(spline\)|\(spline: its curve below\))$" \
  && fail "a basis column has an odds ratio"
grep -qE "^number_customer_service_calls +4 .* [0-9.]+$" "$T/sp.txt" \
  || fail "the tests table lacks the spline's EDF: $(grep '^number_customer' "$T/sp.txt")"
grep -qF '"basis": "natural_cubic"' "$T/sp.json" || fail "the model file lacks the spline"
grep -qF '"spline_covariance"' "$T/sp.json" || fail "the model file lacks the curves' covariance"
grep -qF '"edf"' "$T/sp.json" || fail "the model file lacks the EDF"
ok "$TR" --data "$D.train.csv" --label churn --positive yes --features "$S,international_plan" \
  --splines "$S" --spline-penalty --l2 auto --cv 3 --name sp --out "$T/sp1.json" --threads 1
cmp -s "$T/sp.json" "$T/sp1.json" || fail "the model file differs between 1 and 2 threads"

# ---- reasons: one a variable, the sum of its columns -----------------------------------
ok "$PR" --model "$T/sp.json" --data "$D.test.csv" --reasons 3 --out "$T/r.csv" --threads 1
grep -q "__ns" "$T/r.csv" && fail "a reason names a basis column: $(grep -o '[a-z_]*__ns[0-9]*' "$T/r.csv" | head -1)"
# the three effects sum to the linear predictor less a constant (that of the
# average row) on every row: each variable's effect is all of its columns'
/usr/bin/python3 - "$T/r.csv" <<'EOF' || fail "the reasons do not sum to the linear predictor"
import math, sys
import pandas as pd
s = pd.read_csv(sys.argv[1])
eta = [math.log(p / (1 - p)) for p in s["sp_prob"]]
rest = [e - sum(s["sp_reason%d_effect" % k][i] for k in (1, 2, 3)) for i, e in enumerate(eta)]
assert max(rest) - min(rest) < 2e-3, (min(rest), max(rest))  # printed to 6 digits
EOF

# ---- the same scores for any thread count, and from eval's in-memory path -------------
ok "$PR" --model "$T/sp.json" --data "$D.test.csv" --out "$T/s1.csv" --threads 1
ok "$PR" --model "$T/sp.json" --data "$D.test.csv" --out "$T/s2.csv" --threads 2
cmp -s "$T/s1.csv" "$T/s2.csv" || fail "scores differ between 1 and 2 threads"
# the sparse path (no reasons) and the dense one (reasons) give the same probabilities
cut -d, -f1 "$T/r.csv" > "$T/rp.csv"
cut -d, -f1 "$T/s1.csv" > "$T/s1p.csv"
cmp -s "$T/rp.csv" "$T/s1p.csv" || fail "the probabilities with --reasons differ from those without"

# ---- beyond the training range: a straight line, finite scores ------------------------
/usr/bin/python3 - "$D.test.csv" "$T/far.csv" <<'EOF'
import sys
import pandas as pd
d = pd.read_csv(sys.argv[1]).head(4)
d["total_day_minutes"] = [-100.0, -20.0, -40.0, -60.0]  # training range 0 to 351.5
d["number_customer_service_calls"] = 1
d.to_csv(sys.argv[2], index=False)
EOF
ok "$PR" --model "$T/sp.json" --data "$T/far.csv" --out "$T/far_s.csv"
/usr/bin/python3 - "$T/far_s.csv" <<'EOF' || fail "scores beyond the range are not a straight line in the log-odds"
import math, sys
import pandas as pd
p = pd.read_csv(sys.argv[1])["sp_prob"]
eta = [math.log(v / (1 - v)) for v in p[1:]]   # -20, -40, -60: equal steps
# equal differences to the printed precision (the unit test has 1e-12)
assert abs((eta[2] - eta[1]) - (eta[1] - eta[0])) < 1e-3, eta
assert abs(eta[1] - eta[0]) > 0.05, eta
EOF

# ---- the HTML curves ------------------------------------------------------------------
ok "$EV" --model "$T/sp.json" --data "$D.test.csv" --html "$T/sp.html" --quiet
/usr/bin/python3 "$ROOT/tests/cli/check_html.py" "$T/sp.html" spline-0-1 spline-0-2 >/dev/null \
  || fail "no spline curve charts in the HTML report"
grep -q "nan" "$T/sp.html" && fail "a spline chart draws NaN"
# the coefficient forest leaves the basis columns out (its caption says why), the
# band follows the curve's own points (no staircase: no two band vertices share an x
# on the upper edge), and the rug draws tied deciles once
grep -q "__ns" "$T/sp.html" && fail "the HTML draws a basis column: $(grep -o '[a-z_]*__ns[0-9]' "$T/sp.html" | head -1)"
grep -qF "Spline variables are drawn as curves below, not here" "$T/sp.html" \
  || fail "the coefficient chart's caption does not say where the spline variables are"
/usr/bin/python3 - "$T/sp.html" <<'EOF' || fail "the spline charts' band or rug is wrong"
import re, sys
html = open(sys.argv[1]).read()
for k in (1, 2):
    svg = re.search(r'<svg[^>]*id="spline-0-%d".*?</svg>' % k, html, re.S).group(0)
    pts = re.search(r'<polygon[^>]*points="([^"]*)"', svg).group(1).split()
    xs = [float(p.split(",")[0]) for p in pts[:len(pts) // 2]]
    assert len(xs) == len(set(xs)), "a staircase band"
    dots = re.findall(r'<circle cx="([0-9.]+)"', svg)
    assert len(dots) == len(set(dots)), "tied deciles drawn twice"
EOF

# ---- a damaged spline in a model file: refused (4), naming the field -----------------
/usr/bin/python3 - "$T/sp.json" "$T/bad.json" <<'EOF'
import json, sys
m = json.load(open(sys.argv[1]))
f = next(f for f in m["features"] if "spline" in f)
f["spline"]["knots"][1] = f["spline"]["knots"][2]  # no longer increasing
json.dump(m, open(sys.argv[2], "w"))
EOF
expect 4 "spline.knots" "$PR" --model "$T/bad.json" --data "$D.test.csv" --out "$T/bad.csv"
[ -e "$T/bad.csv" ] && fail "a bad model file left scores"
# knots finite but so far apart that the basis overflows: refused at load, not at a row
/usr/bin/python3 - "$T/sp.json" "$T/bad.json" <<'EOF'
import json, sys
m = json.load(open(sys.argv[1]))
f = next(f for f in m["features"] if "spline" in f)
f["spline"]["knots"][0], f["spline"]["knots"][-1] = -1e308, 1e308
json.dump(m, open(sys.argv[2], "w"))
EOF
expect 4 "spline.knots' is refused: spline knots too far apart" \
  "$PR" --model "$T/bad.json" --data "$D.test.csv" --out "$T/bad.csv"
[ -e "$T/bad.csv" ] && fail "a bad model file left scores"
# a spline on a categorical feature would be ignored: refused, the field named
/usr/bin/python3 - "$T/sp.json" "$T/bad.json" <<'EOF'
import json, sys
m = json.load(open(sys.argv[1]))
s = next(f for f in m["features"] if "spline" in f)["spline"]
next(f for f in m["features"] if f["type"] == "categorical")["spline"] = s
json.dump(m, open(sys.argv[2], "w"))
EOF
expect 4 "spline' is for numeric features" \
  "$PR" --model "$T/bad.json" --data "$D.test.csv" --out "$T/bad.csv"
[ -e "$T/bad.csv" ] && fail "a bad model file left scores"

# ---- user errors -------------------------------------------------------------------------
expect 2 "--splines: column 'state' holds text" \
  "$TR" --data "$D.train.csv" --label churn --positive yes --splines state --out "$T/x.json"
expect 2 "--splines: " \
  "$TR" --data "$D.train.csv" --label churn --positive yes --splines no_such --out "$T/x.json"
expect 2 "--spline-penalty needs its weight" \
  "$TR" --data "$D.train.csv" --label churn --positive yes --splines all --spline-penalty \
  --out "$T/x.json"
expect 2 "--spline-penalty needs --splines" \
  "$TR" --data "$D.train.csv" --label churn --positive yes --spline-penalty --l2 1 --out "$T/x.json"
expect 2 "--spline-knots" \
  "$TR" --data "$D.train.csv" --label churn --positive yes --splines all --spline-knots 2 \
  --out "$T/x.json"
expect 2 "raw inputs" \
  "$TR" --data "$D.train.csv" --label churn --positive yes --model gbdt --splines all \
  --out "$T/x.json"
expect 2 "--spline-penalty is logistic and linear regression's" \
  "$TR" --data "$ROOT/tests/fixtures/cox/mixed.csv" --time time --event event --splines tenure \
  --spline-penalty --l2 1 --out "$T/x.json"
# options that would be accepted and do nothing
expect 2 "--spline-knots needs --splines" \
  "$TR" --data "$D.train.csv" --label churn --positive yes --spline-knots 4 --out "$T/x.json"
expect 2 "--spline-knots needs --splines" \
  "$TR" --data "$D.train.csv" --label churn --positive yes --model gbdt --spline-knots 4 \
  --out "$T/x.json"
expect 2 "--splines names no column" \
  "$TR" --data "$D.train.csv" --label churn --positive yes --splines "" --out "$T/x.json"
[ -e "$T/x.json" ] && fail "a refused run wrote a model"

# linear regression: penalized splines too, and the curve in its report
ok "$TR" --data "$D.train.csv" --label total_day_minutes --model linear \
  --features total_eve_minutes,total_night_minutes --splines all --spline-penalty --l2 10 \
  --out "$T/lin.json"
grep -qE "^total_night_minutes: natural cubic spline, 5 knots \(4 columns, curvature penalized, EDF [0-9.]+; Wald" "$T/out" \
  || fail "no spline curve (with its EDF) in the linear model's report: $(grep '^total_night' "$T/out")"
# --l2 auto too: the EDF of each spline, between the straight line's 1 and its 4 columns
ok "$TR" --data "$D.train.csv" --label total_day_minutes --model linear \
  --features total_eve_minutes,total_night_minutes --splines all --spline-penalty --l2 auto --cv 3 \
  --out "$T/lina.json"
edf=$(sed -n 's/^total_eve_minutes: natural cubic spline.*EDF \([0-9.]*\);.*/\1/p' "$T/out")
/usr/bin/python3 -c "import sys; e = float(sys.argv[1]); assert 1 < e < 4, e" "$edf" \
  || fail "no EDF for linear --spline-penalty --l2 auto: '$edf'"
# unpenalized least squares: the joint test and the non-linearity test both F tests,
# on the residual df, p-values from the F distribution
ok "$TR" --data "$D.train.csv" --label total_day_minutes --model linear \
  --features total_eve_minutes,total_night_minutes --splines all --out "$T/lin0.json"
line=$(grep '^total_night_minutes: natural cubic spline' "$T/out")
echo "$line" | grep -qE "; F\(4, 3991\) = [0-9.]+, p [0-9.e-]+; non-linear: F\(3, 3991\) = [0-9.]+, p [0-9.e-]+\)$" \
  || fail "linear's spline tests are not F tests: $line"
/usr/bin/python3 - "$line" <<'EOF' || fail "the non-linear F test's p-value is not F(3, 3991)'s"
import re, sys
from scipy.stats import f
F, p = re.search(r"non-linear: F\(3, 3991\) = ([0-9.]+), p ([0-9.e-]+)", sys.argv[1]).groups()
assert abs(f.sf(float(F), 3, 3991) - float(p)) < 0.006, (F, p, f.sf(float(F), 3, 3991))
EOF

# Cox: each spline variable's joint Wald test beside its non-linearity test, and no
# hazard ratio for a basis column
ok "$TR" --data "$ROOT/tests/fixtures/cox/mixed.csv" --time time --event event --splines tenure \
  --out "$T/cox.json"
grep -qE "^tenure: natural cubic spline, 5 knots \(4 columns; Wald chi2\(4\) = [0-9.]+, p [^;]+; non-linear: chi2\(3\)" "$T/out" \
  || fail "Cox gives no joint Wald test of a spline: $(grep '^tenure:' "$T/out")"
grep "^tenure__ns" "$T/out" | grep -v "(spline)$" \
  && fail "Cox's report gives a basis column a hazard ratio"
grep -qE "^tenure +\(spline: its curve below\)" "$T/out" || fail "Cox's ratios do not send to the curve"

# unpenalized, minutes and charges' splines are collinear many times over: one
# warning line, with the count and the strongest groups
ok "$TR" --data "$D.train.csv" --label churn --positive yes --splines all --out "$T/unpen.json"
[ "$(grep -c "nearly collinear" "$T/err")" = 1 ] \
  || fail "not one collinearity warning: $(grep -c "nearly collinear" "$T/err") lines"
grep -qE "warning: [0-9]+ groups of columns are nearly collinear \(condition numbers [0-9.e+]+ down to [0-9.e+]+\).*'total_day_charge__ns3', 'total_day_minutes__ns3'.*; \.\.\.$" "$T/err" \
  || fail "the grouped collinearity warning lacks its count or groups: $(cat "$T/err")"

# --splines all with no numeric feature left: a warning
ok "$TR" --data "$D.train.csv" --label churn --positive yes --features international_plan,state \
  --splines all --out "$T/nonum.json"
grep -qF -- "--splines all: no numeric feature is left to give a spline" "$T/err" \
  || fail "no warning for --splines all without numeric features: $(cat "$T/err")"

# --tune chooses the penalty's weight as --l2 auto does
ok "$TR" --data "$D.train.csv" --label churn --positive yes --features "$S" --splines "$S" \
  --spline-penalty --tune --cv 3 --out "$T/tune.json"
grep -q "<- kept" "$T/out" || fail "--tune chose no --l2 for the spline penalty"
grep -qF '"penalty": "second_difference"' "$T/tune.json" || fail "the tuned spline is not penalized"

# a column with too few distinct values stays linear, with a warning
ok "$TR" --data "$D.train.csv" --label churn --positive yes --features number_vmail_messages,total_intl_calls \
  --splines all --spline-knots 20 --out "$T/few.json"
grep -qF "number_vmail_messages': tied values repeat its quantiles: its 20 knots are at quantiles of its" "$T/err" \
  || fail "no warning for a column with tied values: $(cat "$T/err")"

# a column with 4 distinct non-missing values gets 4 knots (not 5 interpolated
# between them, a saturated spline), and one with 2 stays linear, with warnings
/usr/bin/python3 - "$D.train.csv" "$T/miss.csv" <<'EOF'
import sys
import pandas as pd
d = pd.read_csv(sys.argv[1])[["churn", "total_day_minutes"]]
d["mostlymiss"] = float("nan")
d.loc[[10, 20, 30, 40], "mostlymiss"] = [1.0, 5.0, 2.0, 9.0]
d["two"] = [i % 2 for i in range(len(d))]
d.to_csv(sys.argv[2], index=False)
EOF
ok "$TR" --data "$T/miss.csv" --label churn --positive yes --splines mostlymiss,two \
  --out "$T/miss.json"
grep -qF "column 'mostlymiss': 4 distinct non-missing values, fewer than 5 knots: its spline has 4 knots (3 columns)" "$T/err" \
  || fail "no warning for a spline with fewer values than knots: $(cat "$T/err")"
grep -qF "column 'two': 2 distinct non-missing values, too few for a spline (3 knots): kept linear" "$T/err" \
  || fail "no warning for a column kept linear: $(cat "$T/err")"
/usr/bin/python3 - "$T/miss.json" <<'EOF' || fail "the mostly missing column's knots are not its 4 values"
import json, sys
f = {x["name"]: x for x in json.load(open(sys.argv[1]))["features"]}
assert f["mostlymiss"]["spline"]["knots"] == [1, 2, 5, 9], f["mostlymiss"]["spline"]
assert "spline" not in f["two"] or f["two"]["spline"] is None
EOF
exit 0
