"""scikit-learn estimators over churnkit: ChurnClassifier and ValueRegressor.

They fit and score through the C library (churnkit.train, Model.predict
unrounded), so they work in cross_val_score, GridSearchCV and Pipeline.
X is a DataFrame (text columns become one-hot levels as churnkit-train
makes them) or an array (columns x0, x1, ...).  The parameters are
churnkit-train's options: `model` (the estimator), the common tuning knobs
as named arguments, and any other option in `options` (a dict, e.g.
{"missing_indicators": True, "reference": "plan=basic"}).

churnkit.folds(y, k, seed, positive) gives the folds churnkit-train --cv
deals, for sklearn.model_selection.PredefinedSplit.
"""
import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin
from sklearn.utils.multiclass import type_of_target
from sklearn.utils.validation import check_array, check_is_fitted, column_or_1d

from .model import train

_LABEL = "__churnkit_label__"


def _frame(X, names=None):
    """X as a DataFrame: a frame as it is (its text columns stay text), an
    array checked as scikit-learn checks one (numbers, NaN allowed as
    missing: churnkit imputes it) with columns x0, x1, ..."""
    if isinstance(X, pd.DataFrame) and all(isinstance(c, str) for c in X.columns):
        if X.shape[0] < 1:
            raise ValueError(f"Found array with 0 sample(s) (shape={X.shape}) while a minimum "
                             "of 1 is required.")
        return X.reset_index(drop=True)
    arr = check_array(X, dtype="numeric", force_all_finite="allow-nan")
    cols = [f"x{j}" for j in range(arr.shape[1])]
    if names is not None and len(names) == arr.shape[1]:
        cols = list(names)
    return pd.DataFrame(arr, columns=cols)


def _target(y):
    if y is None:
        raise ValueError("requires y to be passed, but the target y is None")
    return column_or_1d(y, warn=True)


class _ChurnkitEstimator(BaseEstimator):
    _task = None

    def __init__(self, model="logistic", l2=None, cv=None, seed=42, threads=0,
                 svm_c=None, svm_gamma=None, trees=None, learning_rate=None, max_depth=None,
                 options=None):
        self.model = model
        self.l2 = l2
        self.cv = cv
        self.seed = seed
        self.threads = threads
        self.svm_c = svm_c
        self.svm_gamma = svm_gamma
        self.trees = trees
        self.learning_rate = learning_rate
        self.max_depth = max_depth
        self.options = options

    def _options(self):
        o = {k: getattr(self, k) for k in ("l2", "cv", "svm_c", "svm_gamma", "trees",
                                           "learning_rate", "max_depth")}
        o.update(seed=self.seed, threads=self.threads)
        o.update(self.options or {})
        return {k: v for k, v in o.items() if v is not None}

    def _fit_frame(self, X, y, extra):
        df = _frame(X)
        self._check_feature_names(X, reset=True)
        self.n_features_in_ = df.shape[1]
        if len(y) != len(df):
            raise ValueError(f"Found input variables with inconsistent numbers of samples: "
                             f"[{len(df)}, {len(y)}]")
        df[_LABEL] = y
        self.model_ = train(df, label=_LABEL, model=self.model, **extra, **self._options())
        return self

    def _scores(self, X):
        check_is_fitted(self, "model_")
        self._check_feature_names(X, reset=False)
        df = _frame(X, getattr(self, "feature_names_in_", None))
        if df.shape[1] != self.n_features_in_:
            raise ValueError(f"X has {df.shape[1]} features, but {type(self).__name__} is "
                             f"expecting {self.n_features_in_} features as input")
        out = self.model_.predict(df, decimals=None, threads=self.threads)
        return out.iloc[:, 0].to_numpy(dtype=np.float64)


class ChurnClassifier(ClassifierMixin, _ChurnkitEstimator):
    """A binary classifier (default: churnkit's logistic regression).
    predict_proba gives churnkit's probability of classes_[1] unrounded;
    predict applies the model's threshold (0.5 unless options set one:
    {"threshold": "auto"} with cv, or "precision>=0.85")."""

    def fit(self, X, y):
        y = _target(y)
        kind = type_of_target(y)
        if kind not in ("binary", "multiclass") and not (kind == "unknown" and y.dtype == object):
            raise ValueError(f"Unknown label type: {kind}")
        self.classes_ = np.unique(y)
        if len(self.classes_) != 2:
            raise ValueError(f"churnkit classifies two classes; y has {len(self.classes_)} "
                             f"class{'es' if len(self.classes_) != 1 else ''}")
        return self._fit_frame(X, y, {"positive": str(self.classes_[1])})

    def predict_proba(self, X):
        p = self._scores(X)
        return np.column_stack([1 - p, p])

    def decision_function(self, X):
        """The log-odds of classes_[1] (logit of predict_proba)."""
        p = np.clip(self._scores(X), 1e-300, 1 - 1e-16)
        return np.log(p) - np.log1p(-p)

    def predict(self, X):
        p = self._scores(X)
        return np.where(p >= self.model_.threshold, self.classes_[1], self.classes_[0])

    def _more_tags(self):
        return {"binary_only": True, "allow_nan": True}


class ValueRegressor(RegressorMixin, _ChurnkitEstimator):
    """A regression of value change (default: churnkit's linear model)."""

    def __init__(self, model="linear", l2=None, cv=None, seed=42, threads=0, svm_c=None,
                 svm_gamma=None, trees=None, learning_rate=None, max_depth=None, options=None):
        super().__init__(model=model, l2=l2, cv=cv, seed=seed, threads=threads, svm_c=svm_c,
                         svm_gamma=svm_gamma, trees=trees, learning_rate=learning_rate,
                         max_depth=max_depth, options=options)

    def fit(self, X, y):
        y = _target(y).astype(np.float64)
        if not np.isfinite(y).all():
            raise ValueError("Input y contains NaN or infinity.")
        extra = {} if self.model == "linear" else {"task": "regression"}
        return self._fit_frame(X, y, extra)

    def predict(self, X):
        return self._scores(X)

    def _more_tags(self):
        return {"allow_nan": True}
