"""Round trips with the programs: a model trained in Python scores the same
in churnkit-predict, a model from churnkit-train the same in Python, and
the model files are the same bytes."""
import os

import numpy as np
import pandas as pd
import pytest

import churnkit
from conftest import data_path, run


def program_scores(model_path, data, tmp_path, *extra):
    out = tmp_path / "scores.csv"
    code, _, err = run("churnkit-predict", "--model", model_path, "--data", data, "--out", out,
                       "--quiet", *extra)
    assert code == 0, err
    return pd.read_csv(out, float_precision="round_trip", keep_default_na=False,
                       dtype=str), out.read_text()


def assert_same(py, text_frame):
    """Every cell of the program's output equals the DataFrame's: numbers
    to the bit (the text read back), text exactly."""
    assert list(py.columns) == list(text_frame.columns)
    for c in py.columns:
        got, want = py[c].to_numpy(), text_frame[c].to_numpy()
        if py[c].dtype == object:
            assert [("" if v is None else str(v)) for v in got] == list(want), c
        else:
            want = np.array([float(v) if v != "" else np.nan for v in want])
            assert np.array_equal(got, want, equal_nan=True), c


@pytest.mark.parametrize("model,extra", [
    ("logistic", {"cv": 5, "threshold": "auto"}),
    ("gbdt", {"trees": 30, "max_depth": 3}),
    ("linear", {}),
])
def test_program_model_scores_the_same_in_python(tmp_path, mlc_test, model, extra):
    path = tmp_path / "m.json"
    args = ["--data", data_path("mlc_churn.train.csv"), "--model", model, "--out", path,
            "--quiet"]
    if model == "linear":
        args += ["--label", "total_day_charge", "--exclude", "total_day_minutes,churn"]
    else:
        args += ["--label", "churn"]
    for k, v in extra.items():
        args += [f"--{k.replace('_', '-')}", v]
    code, _, err = run("churnkit-train", *args)
    assert code == 0, err
    m = churnkit.Model.load(path)
    want, text = program_scores(path, data_path("mlc_churn.test.csv"), tmp_path, "--reasons", 3)
    got = m.predict(mlc_test, reasons=3)
    assert_same(got, want)
    assert churnkit.to_csv(got) == text  # the program's file, byte for byte
    # and the file read and written back is the same bytes
    again = tmp_path / "again.json"
    m.save(again)
    assert again.read_bytes() == path.read_bytes()


def test_python_model_scores_the_same_in_the_program(tmp_path, mlc_train, mlc_test):
    m = churnkit.train(mlc_train, label="churn", model="logistic", l2=1, cv=5,
                       class_weight="balanced", name="churn")
    path = tmp_path / "py.json"
    m.save(path)
    want, text = program_scores(path, data_path("mlc_churn.test.csv"), tmp_path, "--reasons", 2,
                                "--reasons-direction", "up")
    got = m.predict(mlc_test, reasons=2, reasons_direction="up")
    assert_same(got, want)
    assert churnkit.to_csv(got) == text


@pytest.mark.parametrize("args,options", [
    (["--cv", 5, "--l2", "auto"], dict(cv=5, l2="auto")),
    (["--splines", "total_day_minutes,number_customer_service_calls", "--spline-knots", 4,
      "--spline-penalty", "--l2", "auto", "--cv", 3, "--no-train-metrics"],
     dict(splines=["total_day_minutes", "number_customer_service_calls"], spline_knots=4,
          spline_penalty=True, l2="auto", cv=3, no_train_metrics=True)),
    (["--model", "gbdt", "--trees", 40, "--cv", 3, "--monotone",
      "number_customer_service_calls=1", "--categorical", "area_code"],
     dict(model="gbdt", trees=40, cv=3, monotone={"number_customer_service_calls": 1},
          categorical=["area_code"])),
], ids=["l2-auto", "splines", "gbdt"])
def test_python_and_program_train_the_same_model(tmp_path, mlc_train, args, options):
    """The same data and options give the same model file but for the
    record of where the data came from (the file's name; a frame has none)."""
    path = tmp_path / "prog.json"
    code, _, err = run("churnkit-train", "--data", data_path("mlc_churn.train.csv"), "--label",
                       "churn", *args, "--out", path, "--quiet")
    assert code == 0, err
    m = churnkit.train(mlc_train, label="churn", **options)
    prog = churnkit.Model.load(path).doc
    mine = m.doc
    prog["training"].pop("data")
    mine["training"].pop("data")
    assert mine == prog


def test_score_several_models_is_the_program(tmp_path, attrition):
    """churnkit.score goes through churnkit-predict's own pass: the same
    text, segments included."""
    churn = tmp_path / "churn.json"
    value = tmp_path / "value.json"
    src = data_path("attrition.train.csv")
    assert run("churnkit-train", "--data", src, "--label", "Attrition", "--name", "churn",
               "--out", churn, "--quiet")[0] == 0
    assert run("churnkit-train", "--data", src, "--label", "MonthlyIncome", "--model",
               "linear", "--exclude", "Attrition", "--name", "value", "--out", value,
               "--quiet")[0] == 0
    got = churnkit.score(attrition, [str(churn), churnkit.Model.load(value)], reasons=2,
                         growth_threshold=5000, risk_model="churn")
    want, text = program_scores(churn, src, tmp_path, "--model", value, "--reasons", 2,
                             "--growth-threshold", 5000, "--risk-model", "churn")
    assert "segment" in got.columns
    assert_same(got, want)
    assert churnkit.to_csv(got) == text
