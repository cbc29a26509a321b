"""churnkit.evaluate: the same document as churnkit-eval --json, the same
printed report and HTML page."""
import json

import pytest

import churnkit
from conftest import data_path, run


@pytest.fixture(scope="module")
def models(tmp_path_factory):
    d = tmp_path_factory.mktemp("models")
    src = data_path("mlc_churn.train.csv")
    a, b = d / "logistic.json", d / "trees.json"
    assert run("churnkit-train", "--data", src, "--label", "churn", "--out", a, "--quiet")[0] == 0
    assert run("churnkit-train", "--data", src, "--label", "churn", "--model", "gbdt",
               "--trees", 30, "--name", "trees", "--out", b, "--quiet")[0] == 0
    return a, b


def test_evaluate_is_churnkit_eval(tmp_path, models, mlc_test):
    a, b = models
    data = data_path("mlc_churn.test.csv")
    js, html = tmp_path / "e.json", tmp_path / "e.html"
    code, out, err = run("churnkit-eval", "--model", b, "--baseline", a, "--data", data,
                         "--target", "roc_auc>=0.9", "--top", "5%", "--json", js,
                         "--html", html)
    assert code == 0, err
    ev = churnkit.evaluate([str(b)], mlc_test, baseline=churnkit.Model.load(a), data=data,
                           target="roc_auc>=0.9", top="5%")
    assert ev == json.loads(js.read_text())
    assert ev.text == out
    assert ev.to_html(tmp_path / "py.html") == html.read_text()
    assert (tmp_path / "py.html").read_text() == html.read_text()
    assert ev["models"][0]["verdict"]["met"] is True  # ROC AUC 0.92 >= 0.9


def test_evaluate_errors(models, mlc_test):
    with pytest.raises(churnkit.UsageError, match="--top 'lots'"):
        churnkit.evaluate(str(models[0]), mlc_test, top="lots")
    with pytest.raises(churnkit.DataError, match="churn"):
        churnkit.evaluate(str(models[0]), mlc_test.drop(columns="churn"))
