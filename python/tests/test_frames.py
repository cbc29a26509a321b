"""DataFrame column types: categorical, object, nullable integer, bool and
text columns are read as the CSV file of the same frame would be; datetime
and other types are refused naming the column."""
import io

import numpy as np
import pandas as pd
import pytest

import churnkit


@pytest.fixture(scope="module")
def frame():
    rng = np.random.default_rng(5)
    n = 400
    plan = rng.choice(["basic", "pro", "team"], n)
    seats = pd.array(rng.integers(1, 50, n), dtype="Int64")
    seats[::17] = pd.NA
    usage = rng.normal(size=n)
    usage[::13] = np.nan
    logit = -1 + 0.8 * (plan == "basic") - 0.03 * np.nan_to_num(seats.astype(float), nan=20) \
        - 0.5 * np.nan_to_num(usage)
    y = np.where(rng.random(n) < 1 / (1 + np.exp(-logit)), "yes", "no")
    return pd.DataFrame({"plan": plan, "seats": seats, "usage": usage,
                         "annual": rng.random(n) < 0.3, "churn": y})


def via_csv(df):
    """The frame written and read back as a CSV file would be."""
    return pd.read_csv(io.StringIO(df.to_csv(index=False)), float_precision="round_trip")


def test_types_read_as_the_csv_file(frame):
    cat = frame.assign(plan=frame["plan"].astype("category"))
    a = churnkit.train(cat, label="churn", cv=3)
    b = churnkit.train(via_csv(frame), label="churn", cv=3)
    # nullable Int64 with NA, a categorical, a bool (text True/False): the
    # same fit as from the file's text
    assert a.doc["coefficients"] == b.doc["coefficients"]
    assert [f for f, _ in a.features] == ["plan", "seats", "usage", "annual"]
    assert dict(a.features) == {"plan": True, "seats": False, "usage": False, "annual": True}
    pa = a.predict(cat, reasons=2)
    pb = b.predict(via_csv(frame), reasons=2)
    pd.testing.assert_frame_equal(pa, pb)


def test_object_column_with_missing_values(frame):
    obj = frame.assign(plan=frame["plan"].astype(object))
    obj.loc[::11, "plan"] = None
    m = churnkit.train(obj, label="churn")
    out = m.predict(obj, reasons=4)
    named = set(out[[c for c in out.columns if c.endswith(("1", "2", "3", "4"))]].stack())
    assert "plan=(no level)" in named  # a missing level, named as the program names it


def test_datetime_refused(frame):
    df = frame.assign(signup=pd.Timestamp("2024-01-01") + pd.to_timedelta(
        np.arange(len(frame)), unit="D"))
    with pytest.raises(churnkit.DataError, match="column 'signup' is datetime64") as e:
        churnkit.train(df, label="churn")
    assert "days since" in str(e.value)
    with pytest.raises(churnkit.DataError, match="timedelta"):
        churnkit.train(df.assign(signup=df["signup"] - df["signup"].min()), label="churn")


def test_infinite_value_refused_with_its_row(frame):
    df = frame.copy()
    df.loc[5, "usage"] = np.inf
    with pytest.raises(churnkit.DataError, match=r"frame:6:\d+: value inf in column 'usage'"):
        churnkit.train(df, label="churn")


def test_text_in_a_numeric_feature(frame):
    m = churnkit.train(frame, label="churn")
    bad = frame.assign(usage=frame["usage"].astype(object))
    bad.loc[3, "usage"] = "n/a?"
    with pytest.raises(churnkit.DataError, match="frame:4: text 'n/a\\?' in column 'usage'"):
        m.predict(bad)
    # numbers held as text are numbers, as in a file
    ok = frame.assign(usage=frame["usage"].map(repr).astype(object))
    pd.testing.assert_frame_equal(m.predict(ok), m.predict(frame))


def test_missing_column_named(frame):
    m = churnkit.train(frame, label="churn")
    with pytest.raises(churnkit.DataError, match="no column 'seats'"):
        m.predict(frame.drop(columns="seats"))


def test_not_a_frame():
    m_err = pytest.raises(TypeError, match="expected a pandas DataFrame")
    with m_err:
        churnkit.train([[1, 2]], label="x")
