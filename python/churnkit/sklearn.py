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
from sklearn.utils.validation import check_is_fitted

from .model import train

_LABEL = "__churnkit_label__"


def _frame(X, names=None):
    if isinstance(X, pd.DataFrame):
        return X.reset_index(drop=True)
    arr = np.asarray(X)
    if arr.ndim != 2:
        raise ValueError(f"Expected 2D array, got {arr.ndim}D array instead")
    cols = names if names is not None else [f"x{j}" for j in range(arr.shape[1])]
    return pd.DataFrame(arr, columns=list(cols))


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
        if df.shape[0] < 1:
            raise ValueError("Found array with 0 sample(s) while a minimum of 1 is required.")
        self.feature_names_in_ = np.asarray(df.columns, dtype=object) \
            if isinstance(X, pd.DataFrame) else None
        if self.feature_names_in_ is None:
            del self.feature_names_in_
        self.n_features_in_ = df.shape[1]
        df[_LABEL] = np.asarray(y)
        self.model_ = train(df, label=_LABEL, model=self.model, **extra, **self._options())
        return self

    def _scores(self, X):
        check_is_fitted(self, "model_")
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
        y = np.asarray(y)
        kind = type_of_target(y)
        if kind not in ("binary", "multiclass") and not (kind == "unknown" and y.dtype == object):
            raise ValueError(f"Unknown label type: {kind}")
        self.classes_ = np.unique(y)
        if len(self.classes_) != 2:
            raise ValueError(f"churnkit classifies two classes; y has {len(self.classes_)}")
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
        return {"binary_only": True}


class ValueRegressor(RegressorMixin, _ChurnkitEstimator):
    """A regression of value change (default: churnkit's linear model)."""

    def __init__(self, model="linear", l2=None, cv=None, seed=42, threads=0, svm_c=None,
                 svm_gamma=None, trees=None, learning_rate=None, max_depth=None, options=None):
        super().__init__(model=model, l2=l2, cv=cv, seed=seed, threads=threads, svm_c=svm_c,
                         svm_gamma=svm_gamma, trees=trees, learning_rate=learning_rate,
                         max_depth=max_depth, options=options)

    def fit(self, X, y):
        y = np.asarray(y, dtype=np.float64)
        extra = {} if self.model == "linear" else {"task": "regression"}
        return self._fit_frame(X, y, extra)

    def predict(self, X):
        return self._scores(X)

    def decision_function(self, X):
        return self.predict(X)
