"""Public-data comparison (issue: train/predict): churnkit-train and
churnkit-predict against scikit-learn on the two public churn tables, same
split, same preprocessing (median imputation and standardization of numeric
columns, one-hot of text columns, fitted on train only).  Targets: the
logistic model's test ROC AUC within 0.005 of scikit-learn's
LogisticRegression(C=1), the SVM's within 0.01 of SVC(rbf, probability);
the logistic model with spline terms (--splines all --spline-penalty,
its weight by --l2 auto over 5 folds, issue 21) beside scikit-learn's
SplineTransformer (5 quantile knots, cubic, linear extrapolation) and
LogisticRegression(C=1), and at least 0.86 on mlc_churn."""
import os
import subprocess

import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, SplineTransformer, StandardScaler
from sklearn.svm import SVC

import harness as h

DATA = os.path.join(h.ROOT, "tests", "data", "public")
BIN = os.path.join(h.ROOT, "bin")
SETS = [("mlc_churn", "churn", "yes"), ("attrition", "Attrition", "Yes")]


def sklearn_auc(train, test, label, pos, model, splines=False):
    X, Xt = train.drop(columns=[label]), test.drop(columns=[label])
    num = [c for c in X.columns if X[c].dtype != object]
    cat = [c for c in X.columns if X[c].dtype == object]
    scale = (SplineTransformer(n_knots=5, degree=3, knots="quantile", extrapolation="linear")
             if splines else StandardScaler())
    pre = ColumnTransformer([
        ("num", make_pipeline(SimpleImputer(strategy="median"), scale), num),
        ("cat", OneHotEncoder(handle_unknown="ignore"), cat)])
    pipe = make_pipeline(pre, model).fit(X, train[label] == pos)
    return roc_auc_score(test[label] == pos, pipe.predict_proba(Xt)[:, 1])


def churnkit_auc(name, label, pos, args):
    work = h.WORK
    model = os.path.join(work, "public_%s.json" % name)
    scores = os.path.join(work, "public_%s_scores.csv" % name)
    subprocess.run([os.path.join(BIN, "churnkit-train"), "--data",
                    os.path.join(DATA, name + ".train.csv"), "--label", label, "--name", "m",
                    "--out", model, "--quiet"] + args, check=True)
    subprocess.run([os.path.join(BIN, "churnkit-predict"), "--model", model, "--data",
                    os.path.join(DATA, name + ".test.csv"), "--out", scores, "--quiet"],
                   check=True)
    test = pd.read_csv(os.path.join(DATA, name + ".test.csv"))
    return roc_auc_score(test[label] == pos, pd.read_csv(scores)["m_prob"])


def main():
    rows = []
    worst = {"logistic": 0.0, "svm": 0.0, "logistic + splines": 0.0}
    spline_args = ["--splines", "all", "--spline-penalty", "--l2", "auto", "--cv", "5"]
    for name, label, pos in SETS:
        train = pd.read_csv(os.path.join(DATA, name + ".train.csv"))
        test = pd.read_csv(os.path.join(DATA, name + ".test.csv"))
        for kind, args, peer, tol in [
                ("logistic", ["--l2", "1"], LogisticRegression(C=1.0, max_iter=10000), 0.005),
                ("svm", ["--model", "svm"], SVC(probability=True, random_state=0), 0.01),
                ("logistic + splines", spline_args, LogisticRegression(C=1.0, max_iter=10000),
                 0.02)]:
            ck = churnkit_auc(name, label, pos, args)
            sk = sklearn_auc(train, test, label, pos, peer, splines="splines" in kind)
            worst[kind] = max(worst[kind], abs(ck - sk))
            rows.append([name, kind, "%.4f" % ck, "%.4f" % sk, "%+.4f" % (ck - sk),
                         "%.3f" % tol, "yes" if abs(ck - sk) <= tol else "**no**"])
    body = "\n".join([
        "### Public data: test ROC AUC, churnkit versus scikit-learn on the same split",
        "",
        "churnkit: `churnkit-train --l2 1` (logistic, = LogisticRegression(C=1)) and "
        "`--model svm` (libsvm C-SVC, RBF, gamma = 1/encoded width, C = 1); scikit-learn: the "
        "same preprocessing, LogisticRegression(C=1) and SVC(probability=True) (gamma='scale'). "
        "Splines: `churnkit-train --splines all --spline-penalty --l2 auto --cv 5` (R's ns() "
        "basis, 5 knots at quantiles, of the distinct values where ties repeat one as mgcv places "
        "them; curvature penalty weighted by 5-fold CV; issue 21: at least "
        "0.86 on mlc_churn, where plain logistic gives 0.82) against scikit-learn's "
        "SplineTransformer(n_knots=5, knots='quantile', extrapolation='linear') on the numeric "
        "columns and LogisticRegression(C=1) (a B-spline basis, ridge-penalized, not natural).",
        "",
        h.table(["data", "model", "churnkit AUC", "scikit-learn AUC", "difference",
                 "allowed", "within"], rows),
    ])
    h.write_section("public", body)
    print(body)


if __name__ == "__main__":
    main()
