"""scikit-learn compatibility: cross_val_score equals churnkit-train --cv on
the same folds; GridSearchCV and Pipeline work; check_estimator passes but
for the checks listed in docs/python.md."""
import warnings

import numpy as np
import pytest
from sklearn.model_selection import GridSearchCV, PredefinedSplit, cross_val_score
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer
from sklearn.utils.estimator_checks import check_estimator

import churnkit
from churnkit.sklearn import ChurnClassifier, ValueRegressor
from conftest import data_path, run

# the checks that do not apply, and why (docs/python.md)
NOT_APPLICABLE = {
    "ValueRegressor": {"check_fit2d_1sample"},  # churnkit says "too few training rows (1)"
}


def test_cross_val_score_equals_churnkit_train_cv(tmp_path, mlc_train):
    path = tmp_path / "m.json"
    code, _, err = run("churnkit-train", "--data", data_path("mlc_churn.train.csv"), "--label",
                       "churn", "--cv", 5, "--seed", 11, "--out", path, "--quiet")
    assert code == 0, err
    cv = churnkit.Model.load(path).cv_
    X, y = mlc_train.drop(columns="churn"), mlc_train["churn"]
    split = PredefinedSplit(churnkit.folds(y, 5, seed=11, positive="yes"))
    clf = ChurnClassifier(seed=11)
    auc = cross_val_score(clf, X, y, cv=split, scoring="roc_auc")
    acc = cross_val_score(clf, X, y, cv=split, scoring="accuracy")
    ll = -cross_val_score(clf, X, y, cv=split, scoring="neg_log_loss")
    # the same folds, fits and scores: equal to rounding in the metrics' sums
    np.testing.assert_allclose(auc, cv["roc_auc"]["folds"], rtol=0, atol=1e-12)
    np.testing.assert_array_equal(acc, cv["accuracy"]["folds"])
    np.testing.assert_allclose(ll, cv["log_loss"]["folds"], rtol=1e-12)


def test_regression_folds(mlc_train):
    X = mlc_train.drop(columns=["total_day_charge", "total_day_minutes", "churn"])
    y = mlc_train["total_day_charge"]
    m = churnkit.train(mlc_train.drop(columns=["total_day_minutes", "churn"]),
                       label="total_day_charge", model="linear", cv=4)
    split = PredefinedSplit(churnkit.folds(y, 4))
    rmse = -cross_val_score(ValueRegressor(), X, y, cv=split,
                            scoring="neg_root_mean_squared_error")
    np.testing.assert_allclose(rmse, m.cv_["rmse"]["folds"], rtol=1e-10)


def test_grid_search_and_pipeline(mlc_train):
    X, y = mlc_train.drop(columns="churn").head(1500), mlc_train["churn"].head(1500)
    g = GridSearchCV(ChurnClassifier(), {"l2": [0.01, 100]}, cv=3, scoring="neg_log_loss")
    g.fit(X, y)
    assert g.best_params_["l2"] in (0.01, 100)
    assert list(g.best_estimator_.feature_names_in_) == list(X.columns)
    pipe = Pipeline([("drop", FunctionTransformer(lambda d: d.drop(columns=["state"]))),
                     ("clf", ChurnClassifier(model="gbdt", trees=20))])
    pipe.fit(X, y)
    p = pipe.predict_proba(X)
    assert p.shape == (len(X), 2) and np.allclose(p.sum(axis=1), 1)
    assert set(pipe.predict(X)) <= {"yes", "no"}
    assert list(pipe.classes_) == ["no", "yes"]


def test_pickle_and_parallel_jobs(mlc_train):
    """Models pickle as their model file's text, so joblib's workers work."""
    import pickle
    X, y = mlc_train.drop(columns="churn"), mlc_train["churn"]
    clf = ChurnClassifier().fit(X, y)
    again = pickle.loads(pickle.dumps(clf))
    np.testing.assert_array_equal(again.predict_proba(X), clf.predict_proba(X))
    assert again.model_.to_json() == clf.model_.to_json()
    split = PredefinedSplit(churnkit.folds(y, 3, positive="yes"))
    np.testing.assert_array_equal(cross_val_score(ChurnClassifier(), X, y, cv=split, n_jobs=2),
                                  cross_val_score(ChurnClassifier(), X, y, cv=split))


def test_decision_function_is_the_log_odds(mlc_train):
    X, y = mlc_train.drop(columns="churn"), mlc_train["churn"]
    clf = ChurnClassifier().fit(X, y)
    p = clf.predict_proba(X)[:, 1]
    np.testing.assert_allclose(clf.decision_function(X), np.log(p / (1 - p)), rtol=1e-9)
    # unrounded: the model's own probabilities, of which predict's 6 decimals are the rounding
    shown = clf.model_.predict(X)["logistic_prob"].to_numpy()
    assert np.abs(shown - p).max() <= 5e-7 and not np.array_equal(shown, p)


@pytest.mark.parametrize("est", [ChurnClassifier(), ValueRegressor()],
                         ids=lambda e: type(e).__name__)
def test_check_estimator(est):
    skip = NOT_APPLICABLE.get(type(est).__name__, set())
    failed = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for e, check in check_estimator(est, generate_only=True):
            name = getattr(check, "func", check).__name__
            try:
                check(e)
            except Exception as ex:  # noqa: BLE001 -- collected, then reported
                if name not in skip:
                    failed.append(f"{name}: {ex}")
                continue
            assert name not in skip, f"{name} passes now: take it off NOT_APPLICABLE"
    assert not failed, "\n".join(failed)
