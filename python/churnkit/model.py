"""Model, train, score and evaluate: the programs' work on DataFrames.

Everything numeric happens in the C library: training (ck_train), scoring
and reasons (ck_model_score_table's in-memory path, which agrees with
churnkit-predict's streaming pass to the bit), several models with segments
(ck_score itself, over memory files), evaluation (ck_eval_models).  This
module only moves columns in and results out.
"""
import ctypes
import json
import os
import warnings as _warnings
import weakref

import numpy as np
import pandas as pd

from . import _frame, _lib
from .errors import ChurnkitWarning, DataError, UsageError, check

lib = _lib.lib


def _option_word(key):
    """A keyword argument as the program's option: test_fraction -> test-fraction."""
    return key.replace("_", "-")


def _option_text(value):
    """An option value as the program's text: lists comma-joined, flags 1/0."""
    if value is True:
        return "1"
    if value is False:
        return "0"
    if isinstance(value, dict):
        return ",".join(f"{k}={v}" for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return ",".join(str(v) for v in value)
    return str(value)


class Summary:
    """What churnkit-train prints (`str(summary)`, shown as text in a
    notebook), with the coefficient table as a DataFrame (`.frame`: coef,
    se, z or t, p, ci_low, ci_high and the odds or hazard ratio with its
    interval, on the model's scale: a number per standard deviation of its
    column, a level against its reference; then the same per raw unit of a
    number, prefixed `per_unit_`, as the report's raw-scale table prints them;
    None for a model without coefficients)."""

    def __init__(self, text, frame):
        self.text = text
        self.frame = frame

    def __str__(self):
        return self.text

    def __repr__(self):
        return self.text


def _terms_frame(doc):
    coefs = doc.get("coefficients")
    if not coefs or "terms" not in coefs:
        return None
    rows = []
    for t in coefs["terms"]:
        row = {k: v for k, v in t.items() if not isinstance(v, dict)}
        for k, v in (t.get("per_unit") or {}).items():
            row["per_unit_" + k] = v
        rows.append(row)
    df = pd.DataFrame(rows).set_index("term")
    return df.astype({c: float for c in df.columns if c != "aliased"}, errors="ignore")


class Model:
    """A fitted churnkit model (a ck_model), freed when the object is."""

    def __init__(self, ptr, warnings=None):
        if not ptr:
            raise ValueError("churnkit: no model")
        self._ptr = ctypes.c_void_p(ptr)
        self._finalizer = weakref.finalize(self, lib.ck_model_free, self._ptr)
        self._doc = None
        self.warnings = warnings.splitlines() if warnings else []

    # ---- files ----
    @classmethod
    def load(cls, path):
        """Reads a model file (the programs' format, models/FORMAT.md)."""
        out, err = ctypes.c_void_p(), _lib.CkError()
        check(lib.ck_model_load(ctypes.byref(out), os.fsencode(path), ctypes.byref(err)), err)
        return cls(out.value)

    @classmethod
    def from_json(cls, text, source="model"):
        out, err = ctypes.c_void_p(), _lib.CkError()
        check(lib.ck_model_parse(ctypes.byref(out), text.encode("utf-8"), source.encode(),
                                 ctypes.byref(err)), err)
        return cls(out.value)

    def save(self, path):
        """Writes the model file atomically: the same bytes churnkit-train writes."""
        err = _lib.CkError()
        check(lib.ck_model_save(self._ptr, os.fsencode(path), ctypes.byref(err)), err)

    def to_json(self):
        """The model file's text."""
        text = _lib.take_text(lib.ck_frame_model_json(self._ptr))
        if text is None:
            raise MemoryError("churnkit: out of memory")
        return text

    def __getstate__(self):
        return {"json": self.to_json(), "warnings": self.warnings}

    def __setstate__(self, state):
        other = Model.from_json(state["json"])
        self._ptr = other._ptr
        other._finalizer.detach()
        self._finalizer = weakref.finalize(self, lib.ck_model_free, self._ptr)
        self._doc = None
        self.warnings = state.get("warnings", [])

    # ---- facts (from the model file's text) ----
    @property
    def doc(self):
        """The model file as a dict."""
        if self._doc is None:
            self._doc = json.loads(self.to_json())
        return self._doc

    name = property(lambda self: self.doc["name"])
    task = property(lambda self: self.doc["task"])
    estimator = property(lambda self: self.doc["estimator"])
    id = property(lambda self: self.doc.get("id"))
    threshold = property(lambda self: self.doc.get("threshold"))

    @property
    def label(self):
        """The target column (a survival model's time)."""
        return self.doc["label"]["name"]

    @property
    def classes(self):
        """(negative, positive) class text of a classifier, else None."""
        lab = self.doc["label"]
        return (lab["negative"], lab["positive"]) if "positive" in lab else None

    @property
    def metrics(self):
        return self.doc.get("metrics", {})

    @property
    def cv_(self):
        """The cross-validated metrics (folds, seed, and per metric its mean,
        sd and fold values), or None without --cv."""
        return self.metrics.get("cv")

    @property
    def features(self):
        """The input columns the model reads, with True for a text one."""
        out = []
        for k in range(lib.ck_frame_nfeatures(self._ptr)):
            text = ctypes.c_int()
            name = lib.ck_frame_feature(self._ptr, k, ctypes.byref(text))
            out.append((name.decode("utf-8"), bool(text.value)))
        return out

    def summary(self):
        """churnkit-train's report, and the coefficients as a DataFrame."""
        text = _lib.take_text(lib.ck_frame_model_report(self._ptr))
        if text is None:
            raise MemoryError("churnkit: out of memory")
        return Summary(text, _terms_frame(self.doc))

    def __repr__(self):
        return f"<churnkit.Model {self.name!r}: {self.estimator} {self.task}>"

    # ---- scoring ----
    def table(self, df):
        """A ck_table of the columns this model reads, typed as it reads them;
        float64 columns are read in place (the frame's own buffers)."""
        feats = self.features
        missing = [n for n, _ in feats if n not in df.columns]
        if missing:
            from .errors import DataError
            raise DataError("frame: no column " + ", ".join(f"'{m}'" for m in missing) +
                            f" (model '{self.name}' reads it)", 3)
        return _frame.from_frame(df, [n for n, _ in feats], dict(feats), view=True)

    def predict(self, df, reasons=0, reasons_direction="both", id=None, threads=0,
                decimals=6):
        """churnkit-predict's columns for this model on df's rows, the same
        values: the id column (`id`, or the model's when df has it), then
        NAME_prob and NAME_label (a classifier) or NAME_pred, and with
        reasons=K NAME_reason1..K with NAME_reasonK_effect.  Values are
        rounded as the program writes them (decimals=6; None: unrounded).  A
        survival model goes through churnkit.score (its horizons)."""
        if self.task == "survival":
            from . import score as _score
            return _score(df, [self], reasons=reasons, reasons_direction=reasons_direction,
                          id=id)
        if not isinstance(df, pd.DataFrame):
            raise TypeError(f"churnkit: predict takes a pandas DataFrame, not "
                            f"{type(df).__name__}")
        if reasons_direction not in ("both", "up", "down"):
            raise UsageError(f"reasons_direction: '{reasons_direction}' is not up, down or both", 2)
        direction = {"both": 0, "up": 1, "down": -1}[reasons_direction]
        reasons = _whole("reasons", reasons, 0, 100)
        threads = _whole("threads", threads, 0, 1024)
        if decimals is not None:
            decimals = _whole("decimals", decimals, 0, 17)
        n = len(df)
        with self.table(df) as t:
            k = min(reasons, len(self.features))
            if k < reasons:  # as churnkit-predict: a warning, not empty columns
                _warn([f"--reasons {reasons}: model '{self.name}' has {k} features, so "
                       f"{k} reasons"])
            score = np.empty(n, dtype=np.float64)
            label = np.empty(n, dtype=np.int8)
            rfeat = np.empty(max(n * k, 1), dtype=np.int32)
            rlevel = np.empty(max(n * k, 1), dtype=np.int32)
            reff = np.empty(max(n * k, 1), dtype=np.float64)
            unseen = ctypes.c_size_t()
            err = _lib.CkError()
            P = ctypes.POINTER
            check(lib.ck_frame_predict(
                self._ptr, t.ptr, k, direction, -1 if decimals is None else int(decimals),
                threads,
                score.ctypes.data_as(P(ctypes.c_double)), label.ctypes.data_as(P(ctypes.c_int8)),
                rfeat.ctypes.data_as(P(ctypes.c_int32)), rlevel.ctypes.data_as(P(ctypes.c_int32)),
                reff.ctypes.data_as(P(ctypes.c_double)), ctypes.byref(unseen),
                ctypes.byref(err)), err)
        if unseen.value:  # churnkit-predict says so too (by column, with drift)
            _warn([f"{unseen.value} text values were not seen in training (scored as no "
                   "level); churnkit.score(df, models=[m]) names their columns, as "
                   "churnkit-predict does"])
        return self._frame(df, id, score, label, rfeat, rlevel, reff, k)

    def _frame(self, df, id, score, label, rfeat, rlevel, reff, k):
        cols = {}
        idcol = id or (self.id if self.id in df.columns else None)
        if idcol:
            cols[idcol] = df[idcol].to_numpy()
        name = self.name
        if self.task == "classification":
            cols[f"{name}_prob"] = score
            neg, pos = self.classes
            cols[f"{name}_label"] = np.array([neg, pos], dtype=object)[label]
        else:
            cols[f"{name}_pred"] = score
        if k:
            feats = rfeat[:len(df) * k].reshape(-1, k)
            levels = rlevel[:len(df) * k].reshape(-1, k)
            effects = reff[:len(df) * k].reshape(-1, k)
            for r in range(k):
                cols[f"{name}_reason{r + 1}"] = self._reason_names(feats[:, r], levels[:, r])
                cols[f"{name}_reason{r + 1}_effect"] = effects[:, r]
        # copy=False: the arrays become the frame's columns as they are (a
        # dict's default copies and stacks them into blocks)
        return pd.DataFrame(cols, index=df.index, copy=False)

    def _reason_names(self, feats, levels):
        """The reason cells' text: each distinct (feature, level) named once
        by the library (ck_frame_reason_label)."""
        out = np.empty(len(feats), dtype=object)
        pairs = feats.astype(np.int64) * (1 << 32) + (levels.astype(np.int64) + 1)
        uniq, inv = np.unique(pairs, return_inverse=True)
        names = []
        for p in uniq:
            f, lv = int(p >> 32), int(p & 0xFFFFFFFF) - 1
            if f < 0 or feats.size == 0:
                names.append(None)
                continue
            names.append(_lib.take_text(lib.ck_frame_reason_label(self._ptr, f, lv)))
        out[:] = [names[i] for i in inv] if len(feats) else []
        return out


def folds(y, k, seed=42, positive=None):
    """The fold (0..k-1) of each row that churnkit-train --cv K --seed S
    deals (ck_split_folds): stratified on the positive class for a
    classifier (positive: its value; None: regression, unstratified).  Pass
    sklearn.model_selection.PredefinedSplit(folds(...)) to score the same
    folds.  Rows with a missing label must be left out first, as train
    refuses or drops them."""
    n = len(y)
    rows = np.arange(n, dtype=np.uintp)
    fold = np.empty(max(n, 1), dtype=np.uintp)
    P = ctypes.POINTER
    cls = None
    if positive is not None:
        yv = np.asarray(y, dtype=object)
        cls = np.array([1.0 if _same_class(v, positive) else 0.0 for v in yv])
    err = _lib.CkError()
    check(lib.ck_split_folds(rows.ctypes.data_as(P(ctypes.c_size_t)), n,
                             cls.ctypes.data_as(P(ctypes.c_double)) if cls is not None else None,
                             k, seed, fold.ctypes.data_as(P(ctypes.c_size_t)),
                             ctypes.byref(err)), err)
    return fold[:n].astype(np.int64)


def _same_class(v, positive):
    """Whether a label value is the positive class: numbers compare as
    numbers (1.0 names a label written 1), text as text."""
    try:
        return float(v) == float(positive)
    except (TypeError, ValueError):
        return str(v) == str(positive)


def _warn(lines):
    """The program's warnings, through Python's warnings module."""
    for line in lines:
        _warnings.warn(line, ChurnkitWarning, stacklevel=3)


def _whole(name, value, lo, hi):
    """A whole-number option checked as the programs check it."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or \
            not lo <= value <= hi:
        raise UsageError(f"{name}: '{value}' is not a whole number in [{lo}, {hi}]", 2)
    return int(value)


def train(df, label=None, model="logistic", **options):
    """Fits a model on df as churnkit-train does: the program's options as
    keyword arguments (cv=5, l2="auto", class_weight="balanced",
    threshold="precision>=0.85", test_fraction=0.2, exclude=["a", "b"],
    categorical=["area_code"], ...; `time` and `event` for --model cox).
    Returns a Model; its `.warnings` holds what the program would warn."""
    if isinstance(df, pd.DataFrame) and len(df) == 0:
        raise DataError("frame: no rows to train on", 3)
    options = dict(options)
    text_cols = options.pop("categorical", None) or []
    if isinstance(text_cols, str):
        text_cols = text_cols.split(",")
    words = [("model", model)]
    if label is not None:
        words.append(("label", label))
    # None or False: not given (a flag's default is off)
    words += [(_option_word(k), v) for k, v in options.items()
              if v is not None and v is not False]
    ft = lib.ck_frame_train_new()
    if not ft:
        raise MemoryError("churnkit: out of memory")
    try:
        err = _lib.CkError()
        for k, v in words:
            check(lib.ck_frame_train_set(ft, k.encode(), _option_text(v).encode("utf-8"),
                                         ctypes.byref(err)), err)
        with _frame.from_frame(df, text=set(text_cols)) as t:
            out, warn = ctypes.c_void_p(), ctypes.c_void_p()
            st = lib.ck_frame_train_fit(ft, t.ptr, ctypes.byref(out), ctypes.byref(warn),
                                        ctypes.byref(err))
            said = _lib.take_text(warn.value)
            check(st, err)
        m = Model(out.value, said)
        _warn(m.warnings)
        return m
    finally:
        lib.ck_frame_train_free(ft)
