"""churnkit.train: the program's options as keyword arguments, its report,
its errors (the same messages, the exit-code class)."""
import numpy as np
import pytest

import churnkit
from conftest import data_path, run


def test_summary_is_the_programs_report(tmp_path, mlc_train):
    path = tmp_path / "m.json"
    code, out, err = run("churnkit-train", "--data", data_path("mlc_churn.train.csv"),
                         "--label", "churn", "--cv", 5, "--threshold", "auto", "--out", path)
    assert code == 0, err
    m = churnkit.train(mlc_train, label="churn", cv=5, threshold="auto")
    report = out.replace(f"Model written to {path}\n", "")
    assert str(m.summary()) == report
    assert m.threshold == churnkit.Model.load(path).threshold
    assert m.cv_["folds"] == 5 and len(m.cv_["roc_auc"]["folds"]) == 5


def test_summary_frame_has_the_coefficient_table(mlc_train):
    m = churnkit.train(mlc_train, label="churn", features=["international_plan",
                                                           "number_customer_service_calls"])
    f = m.summary().frame
    assert list(f.index) == ["(intercept)", "international_plan=yes",
                             "number_customer_service_calls"]
    for c in ("coef", "se", "z", "p", "ci_low", "ci_high", "odds_ratio"):
        assert c in f.columns
    # properties: z = coef / se; the odds ratio is exp(coef)
    assert np.allclose(f["z"], f["coef"] / f["se"], rtol=1e-12)
    assert np.allclose(f["odds_ratio"], np.exp(f["coef"]), rtol=1e-12)
    assert m.summary().frame.loc["international_plan=yes", "coef"] > 0
    # the raw-scale columns: a number's per-unit coefficient is its per-SD one
    # over the column's SD; a level's is the same on both scales
    sd = mlc_train["number_customer_service_calls"].std(ddof=0)  # the pipeline's scale
    calls = f.loc["number_customer_service_calls"]
    assert np.isclose(calls["per_unit_coef"], calls["coef"] / sd, rtol=1e-9)
    assert np.isclose(calls["per_unit_odds_ratio"], np.exp(calls["per_unit_coef"]), rtol=1e-12)
    plan = f.loc["international_plan=yes"]
    assert np.isclose(plan["per_unit_coef"], plan["coef"], rtol=1e-12)


def test_options_as_keywords(mlc_train):
    m = churnkit.train(mlc_train, label="churn", model="gbdt", trees=20, max_depth=3,
                       learning_rate=0.3, test_fraction=0.2, seed=7, name="trees",
                       categorical=["area_code"])
    assert m.name == "trees" and m.estimator == "gbdt"
    assert m.doc["training"]["test_rows"] == 800
    assert "test" in m.metrics


def test_wrong_option_is_the_programs_usage_error(mlc_train):
    with pytest.raises(churnkit.UsageError) as e:
        churnkit.train(mlc_train, label="churn", svm_c=2)
    assert str(e.value) == "--svm-c does not apply to --model logistic; it is for --model svm"
    assert e.value.exit_code == 2
    with pytest.raises(churnkit.UsageError, match="--threshold is for classifiers; --model "
                                                  "linear here does regression"):
        churnkit.train(mlc_train, label="total_day_charge", model="linear", threshold=0.3)
    with pytest.raises(churnkit.UsageError, match="unknown option 'no-such-thing'"):
        churnkit.train(mlc_train, label="churn", no_such_thing=1)
    with pytest.raises(churnkit.UsageError, match="unknown estimator 'forest'"):
        churnkit.train(mlc_train, label="churn", model="forest")


def test_bad_data_is_a_data_error(mlc_train):
    with pytest.raises(churnkit.DataError, match="no column 'chrun'") as e:
        churnkit.train(mlc_train, label="chrun")
    assert e.value.exit_code == 3
    three = mlc_train.assign(churn=np.arange(len(mlc_train)) % 3)
    with pytest.raises(churnkit.DataError, match="frame:3:20: the label 'churn' has more "
                                                 "than two values"):
        churnkit.train(three, label="churn")


def test_threshold_floor_missed_is_exit_code_1(mlc_train):
    with pytest.raises(churnkit.TargetMissed):
        churnkit.train(mlc_train, label="churn", cv=3, threshold="precision>=0.999999",
                       features=["account_length"])


def test_bad_model_file(tmp_path):
    p = tmp_path / "bad.json"
    p.write_text("{\"format\": \"something else\"}")
    with pytest.raises(churnkit.ModelFileError) as e:
        churnkit.Model.load(p)
    assert str(p) in str(e.value) and e.value.exit_code == 4
    with pytest.raises(churnkit.ChurnkitIOError):
        churnkit.Model.load(tmp_path / "missing.json")


# ---- what a trial as a data scientist tripped on ---------------------------------------------

def test_warnings_reach_python(mlc_train, mlc_test):
    """The program's warnings are Python warnings (a notebook shows them)."""
    with pytest.warns(churnkit.ChurnkitWarning, match="nearly collinear"):
        m = churnkit.train(mlc_train, label="churn", splines="all")
    unseen = mlc_test.copy()
    unseen["international_plan"] = unseen["international_plan"].map({"yes": "YES", "no": "no"})
    with pytest.warns(churnkit.ChurnkitWarning, match=r"^93 text values were not seen"):
        m.predict(unseen)
    with pytest.warns(churnkit.ChurnkitWarning, match="has 19 features, so 19 reasons"):
        m.predict(mlc_test.head(5), reasons=50)


@pytest.mark.parametrize("bad, message", [
    ({"reasons": -1}, "reasons: '-1' is not a whole number in \\[0, 100\\]"),
    ({"reasons": 2.7}, "reasons: '2.7' is not a whole number"),
    ({"reasons_direction": "UP"}, "reasons_direction: 'UP' is not up, down or both"),
    ({"decimals": -3}, "decimals: '-3' is not a whole number"),
    ({"threads": -1}, "threads: '-1' is not a whole number"),
])
def test_predict_options_checked(mlc_train, mlc_test, bad, message):
    """Checked before the library sees them: a negative count was a size_t."""
    m = churnkit.train(mlc_train, label="churn", l2=1)
    with pytest.raises(churnkit.UsageError, match=message):
        m.predict(mlc_test, **bad)


def test_frames_a_user_gets_wrong(mlc_train, mlc_test):
    m = churnkit.train(mlc_train, label="churn", l2=1)
    with pytest.raises(TypeError, match="predict takes a pandas DataFrame, not ndarray"):
        m.predict(mlc_test.values)
    objects = mlc_train.copy()
    objects["extra"] = [{"a": 1}] * len(objects)
    with pytest.raises(churnkit.DataError, match="column 'extra' holds dict values"):
        churnkit.train(objects, label="churn")
    with pytest.raises(churnkit.DataError, match="no rows to train on"):
        churnkit.train(mlc_train.iloc[:0], label="churn")
