#!/bin/sh
# The statistics of issue 18 as a user meets them, on the telco-like
# fixture (tests/fixtures/stats/telco.csv; the numbers themselves are
# checked against R and statsmodels by tests/unit/test_stats.c): aliased
# columns named once and printed NA, the rank's degrees of freedom, the raw
# scales in the report and in eval's JSON, --exclude NAME=LEVEL.
. "$(dirname "$0")/lib.sh"
TR="$CK_BIN/churnkit-train"
EV="$CK_BIN/churnkit-eval"
PR="$CK_BIN/churnkit-predict"
D="$ROOT/tests/fixtures/stats/telco.csv"

# ---- aliased columns -------------------------------------------------------------
ok "$TR" --data "$D" --label churn --exclude spend_change --out "$T/lr.json"
cp "$T/out" "$T/lr.txt"
n=$(grep -c "aliased" "$T/err")
[ "$n" = 1 ] || fail "expected one warning about aliased columns, got $n: $(cat "$T/err")"
grep -qF "rank 11 of 13: 2 columns are an exact linear combination" "$T/err" \
  || fail "the aliasing warning lacks the rank: $(cat "$T/err")"
grep -q "nearly collinear" "$T/err" && fail "the aliased columns were warned about twice"
grep -qE "^online_security=No internet service +NA$" "$T/lr.txt" \
  || fail "an aliased coefficient is not printed NA"
grep -qF "LR chi2(10)" "$T/lr.txt" || fail "the LR test does not count the rank: $(grep LR "$T/lr.txt")"
grep -qF "Reference levels: contract=Month-to-month" "$T/lr.txt" || fail "no reference levels"
grep -qE "^tenure +0\.96546 " "$T/lr.txt" \
  || fail "no odds ratio per month of tenure (R: exp(-0.035153) = 0.96546)"

# eval's HTML draws the estimated coefficients and leaves the NA ones out
ok "$EV" --model "$T/lr.json" --data "$D" --html "$T/lr.html" --quiet
grep -q 'nan' "$T/lr.html" && fail "the HTML coefficient chart draws an aliased (NA) term: $(grep -o '.\{40\}nan.\{20\}' "$T/lr.html" | head -2)"
/usr/bin/python3 "$ROOT/tests/cli/check_html.py" "$T/lr.html" coefficients-0 >/dev/null \
  || fail "no coefficient chart in the HTML report"

# the aliased columns dropped by name: the same fit, no warning
ok "$TR" --data "$D" --label churn \
  --exclude "spend_change,online_security=No internet service,tech_support=No internet service" \
  --out "$T/lr2.json"
grep -q "aliased" "$T/err" && fail "aliased columns left after --exclude NAME=LEVEL: $(cat "$T/err")"
grep -qF "LR chi2(10) = 229.69" "$T/out" || fail "dropping the aliased levels changed the fit"
# and both models score the same (an aliased column scores as 0)
ok "$PR" --model "$T/lr.json" --data "$D" --out "$T/s1.csv" --quiet
ok "$PR" --model "$T/lr2.json" --data "$D" --out "$T/s2.csv" --quiet
/usr/bin/python3 - "$T/s1.csv" "$T/s2.csv" <<'PY' || fail "the two models score differently"
import csv, sys
a, b = ([float(r["logistic_prob"]) for r in csv.DictReader(open(p))] for p in sys.argv[1:])
assert len(a) == len(b) == 1200 and max(abs(x - y) for x, y in zip(a, b)) < 1e-12
PY

expect 2 "--exclude 'online_security=Maybe': column 'online_security' has no level 'Maybe'" \
  "$TR" --data "$D" --label churn --exclude "spend_change,online_security=Maybe" --out "$T/x.json"
expect 2 "column 'tenure' is numeric" \
  "$TR" --data "$D" --label churn --exclude "spend_change,tenure=3" --out "$T/x.json"
[ -e "$T/x.json" ] && fail "a refused run wrote a model"

# ---- eval's JSON carries the raw scales -----------------------------------------
ok "$EV" --model "$T/lr.json" --data "$D" --json "$T/ev.json" --quiet
/usr/bin/python3 - "$T/ev.json" <<'PY' || fail "eval's coefficients lack the raw scales"
import json, math, sys
e = json.load(open(sys.argv[1]))["models"][0]
c = {t["term"]: t for t in e["coefficients"]}
assert e["coefficients_approximate"] is False
assert c["online_security=No internet service"]["aliased"] is True
assert c["online_security=No internet service"]["coef"] is None
t = c["tenure"]
assert abs(t["per_unit"]["coef"] - -0.035153103565496759) < 1e-9          # R, glm on raw tenure
assert abs(t["per_unit"]["odds_ratio"] - math.exp(t["per_unit"]["coef"])) < 1e-15
assert t["per_sd"]["coef"] == t["coef"]
assert "per_sd" not in c["(intercept)"] and "per_unit" in c["(intercept)"]
PY

# ---- each column's tests, AIC and BIC --------------------------------------------
grep -qF "AIC 1165.5454, BIC 1221.5362" "$T/lr.txt" || fail "no AIC and BIC (R: 1165.5454, 1221.5362)"
grep -qE "^contract +2 +49\.034" "$T/lr.txt" || fail "no Wald test of contract (R: chi2 49.034 on 2)"
ok "$TR" --data "$D" --label churn --exclude spend_change --drop1 --out "$T/d1.json"
grep -qF "R's drop1" "$T/out" || fail "--drop1 printed no likelihood-ratio tests"
grep -qE "^internet_service +1 +1151\.31 +1171\.31 +7\.7659 " "$T/out" \
  || fail "drop1 of internet_service is not R's (Df 1, deviance 1151.31, AIC 1171.31, LRT 7.7659)"
# a penalty chosen by --tune makes the LR tests invalid: said, Wald instead
ok "$TR" --data "$D" --label churn --exclude spend_change --drop1 --tune --cv 3 --out "$T/d1t.json"
grep -qF -- "--drop1: the fit is penalized" "$T/err" || fail "--drop1 --tune: no warning of Wald tests"
grep -qF "R's drop1" "$T/out" && fail "--drop1 --tune: the report claims drop1's tests"
expect 2 "--drop1 does not apply to --model linear; it is for --model logistic" \
  "$TR" --data "$D" --label spend_change --model linear --drop1 --out "$T/x.json"
ok "$TR" --data "$D" --label spend_change --model linear --exclude churn --out "$T/lm.json"
grep -qE "^contract +2 +3254\.65 +21435\.9 +106\.42 " "$T/out" \
  || fail "the F test of contract is not R's drop1 (3254.65, 21435.9, 106.42)"

# ---- HC1 standard errors ---------------------------------------------------------
ok "$TR" --data "$D" --label spend_change --model linear --exclude churn --robust-se --out "$T/hc.json"
grep -qF "Standard errors HC1" "$T/out" || fail "--robust-se does not say its errors are HC1"
grep -qF "with the HC1 covariance" "$T/out" || fail "--robust-se: the column tests are not Wald with HC1"
/usr/bin/python3 -c "import json, sys; sys.exit(json.load(open('$T/hc.json'))['coefficients']['covariance'] != 'hc1')" \
  || fail "the model file does not record the HC1 covariance"
expect 2 "--robust-se does not go with --robust" \
  "$TR" --data "$D" --label spend_change --model linear --robust --robust-se --out "$T/x.json"
expect 2 "--drop1 does not go with --l2: a likelihood-ratio test is of an unpenalized fit" \
  "$TR" --data "$D" --label churn --l2 1 --drop1 --out "$T/x.json"
expect 2 "--drop1 does not go with --l2" \
  "$TR" --data "$D" --label churn --l2 auto --cv 3 --drop1 --out "$T/x.json"
expect 2 "--exclude 'online_securty=No internet service': expected COLUMN=LEVEL, and no column of $D is named before an '=' (closest: 'online_security')" \
  "$TR" --data "$D" --label churn --exclude "online_securty=No internet service" --out "$T/x.json"
expect 2 "--drop1 does not go with --robust-se" \
  "$TR" --data "$D" --label churn --drop1 --robust-se --out "$T/x.json"
expect 2 "--robust-se does not apply to --model svm" \
  "$TR" --data "$D" --label churn --model svm --robust-se --out "$T/x.json"

# ---- reference levels ---------------------------------------------------------
ok "$TR" --data "$D" --label churn --exclude spend_change --reference "contract=Two year" \
  --out "$T/ref.json"
grep -qE "^contract=Month-to-month +1\.523" "$T/out" \
  || fail "--reference contract=Two year: no contrast of Month-to-month (R: 1.5234)"
grep -qF "Reference levels: contract=Two year, internet_service=DSL" "$T/out" \
  || fail "the chosen reference is not listed"
expect 2 "--reference 'contract=Three year': column 'contract' has no level 'Three year' (its levels: 'Month-to-month', 'One year', 'Two year')" \
  "$TR" --data "$D" --label churn --reference "contract=Three year" --out "$T/x.json"
expect 2 "this model takes raw inputs" \
  "$TR" --data "$D" --label churn --model gbdt --reference "contract=Two year" --out "$T/x.json"
[ -e "$T/x.json" ] && fail "a refused run wrote a model"

# a penalized model keeps a reference level too, and says its errors are
# approximate before its table (and in eval's JSON)
ok "$TR" --data "$D" --label churn --exclude spend_change --l2 1 --out "$T/l2.json"
grep -qE "^contract=Month-to-month " "$T/out" && fail "--l2 gave the reference level a column"
awk '/^term/ { exit } /approximate/ { found = 1 } END { exit !found }' "$T/out" \
  || fail "a penalized model's table does not say first that its errors are approximate"
ok "$EV" --model "$T/l2.json" --data "$D" --json "$T/ev2.json" --quiet
/usr/bin/python3 -c "import json, sys; sys.exit(json.load(open('$T/ev2.json'))['models'][0]['coefficients_approximate'] is not True)" \
  || fail "eval's JSON does not say a penalized model's intervals are approximate"

# ---- aliasing under a penalty, weights, the Wald table, the charts' words ------
# a penalized fit leaves the aliased columns out too (NA), with the same
# warning and the degrees of freedom counting the rank
ok "$TR" --data "$D" --label churn --exclude spend_change --l2 1 --out "$T/l2.json"
grep -qF "rank 11 of 13" "$T/err" || fail "--l2 gave no aliasing warning: $(cat "$T/err")"
grep -qF "LR chi2(10)" "$T/out" || fail "--l2: the LR test does not count the rank: $(grep LR "$T/out")"
grep -qE "^online_security=No internet service +NA$" "$T/out" \
  || fail "--l2 estimated an aliased column (a penalty would split one effect among copies)"
grep -qE "^internet_service=No +-0\.78" "$T/out" \
  || fail "--l2: internet_service=No does not carry the effect its copies would share: $(grep '^internet_service=No' "$T/out")"
# weighted: AIC, BIC and the LR test are of the weighted likelihood
ok "$TR" --data "$D" --label churn --exclude spend_change --class-weight balanced --out "$T/cw.json"
grep -qF "The fit is weighted" "$T/out" || fail "a class-weighted fit's AIC has no caveat"
grep -qF "The fit is weighted" "$T/lr.txt" && fail "an unweighted fit got the weights' caveat"
# Wald: all of internet_service's coefficients 0 (R's vcov test, 2 df) also
# removes what the aliased "No internet service" levels duplicate; left out,
# it takes rank 1 (R's drop1): the table says so beside the test
grep -qE "^internet_service +2 +7\.6505 +0\.022 \*$" "$T/lr.txt" \
  || fail "the Wald test of internet_service is not marked: $(grep '^internet_service ' "$T/lr.txt")"
grep -qF "* internet_service: an aliased column duplicates part of it" "$T/lr.txt" \
  || fail "no note on the Wald test that covers aliased columns"
grep -qF "takes rank 1, which is what --drop1 tests" "$T/lr.txt" || fail "the note lacks the rank"
grep -qE "^contract .*\*$" "$T/lr.txt" && fail "contract, which no aliased column duplicates, is marked"
/usr/bin/python3 -c "
import json; t = {x['term']: x for x in json.load(open('$T/lr.json'))['coefficients']['tests']['terms']}
assert t['internet_service']['rank_df'] == 1 and 'rank_df' not in t['contract']" \
  || fail "the model file does not record the rank internet_service takes"
grep -qF "a symlog number" "$T/lr.txt" && fail "the raw-scale header speaks of symlog without --log"
ok "$TR" --data "$D" --label churn --exclude spend_change --log monthly_charges --out "$T/lg.json"
grep -qF "of a --log number" "$T/out" || fail "the raw-scale header does not say what a --log number's unit is"
# the HTML: what the axis measures, approximate when penalized, NA named
grep -qF "standardized scale" "$T/lr.html" && fail "the forest axis still says standardized scale"
grep -qF "a level against its reference" "$T/lr.html" || fail "the forest axis does not say levels are contrasts"
grep -qF "Not drawn, aliased" "$T/lr.html" || fail "the HTML leaves the aliased terms out silently"
ok "$EV" --model "$T/l2.json" --data "$D" --html "$T/l2.html" --quiet
grep -qF "approximate (penalized or weighted)" "$T/l2.html" || fail "the HTML does not say a penalized model's intervals are approximate"
/usr/bin/python3 "$ROOT/tests/cli/check_html.py" "$T/l2.html" coefficients-0 >/dev/null \
  || fail "the penalized model's HTML is not well formed"

# ---- --l2 auto --------------------------------------------------------------------
ok "$TR" --data "$D" --label churn --exclude spend_change --l2 auto --cv 5 --seed 3 --out "$T/auto.json"
grep -qF "Tuning (grid search, 5-fold log-loss)" "$T/out" || fail "--l2 auto printed no table"
[ "$(grep -cE '^ +(0\.001|0\.01|0\.1|1|10|100) +[0-9.]+' "$T/out")" = 6 ] \
  || fail "--l2 auto did not try the documented grid: $(grep -A8 Tuning "$T/out")"
[ "$(grep -c '<- kept' "$T/out")" = 1 ] || fail "--l2 auto kept no value"
ok "$TR" --data "$D" --label churn --exclude spend_change --l2 auto --cv 5 --seed 3 --out "$T/auto2.json"
cmp -s "$T/auto.json" "$T/auto2.json" || fail "--l2 auto with the same seed gave another model"
expect 2 "--l2 auto is chosen by cross-validation: add --cv K" \
  "$TR" --data "$D" --label churn --l2 auto --out "$T/x.json"
expect 2 "--l2: 'often' is not a number or auto" \
  "$TR" --data "$D" --label churn --l2 often --cv 5 --out "$T/x.json"
[ -e "$T/x.json" ] && fail "a refused run wrote a model"

# ---- the model file: the old key meanings kept ---------------------------------
/usr/bin/python3 - "$T/lr.json" <<'PY' || fail "the model file's coefficients are not as FORMAT.md says"
import json, sys
m = json.load(open(sys.argv[1]))
t = {x["term"]: x for x in m["coefficients"]["terms"]}
a = t["tech_support=No internet service"]
assert a["aliased"] is True and a["coef"] == 0 and a["se"] is None
assert m["fit"]["rank"] == 11 and m["fit"]["lr_df"] == 10
PY
exit 0
