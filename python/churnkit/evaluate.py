"""churnkit.evaluate: churnkit-eval on a DataFrame (ck_eval_models)."""
import ctypes
import json

from . import _frame, _lib
from .errors import check
from .model import Model, _option_text, _option_word, _warn

lib = _lib.lib


class Evaluation(dict):
    """churnkit-eval --json's document as a dict, with `.text` (the printed
    report) and `.to_html(path)` (the --html page)."""

    def __init__(self, doc, text, html, warnings):
        super().__init__(doc)
        self.text = text
        self._html = html
        self.warnings = warnings

    def to_html(self, path=None):
        """Writes the self-contained HTML report to path; returns its text."""
        if path is not None:
            with open(path, "w", encoding="utf-8") as f:
                f.write(self._html)
        return self._html

    def __str__(self):
        return self.text


def _columns(models, df, label):
    """The frame's columns the evaluation reads: every model's features (as
    it reads them), the label, a survival model's time and event."""
    types, extra = {}, set()
    for m in models:
        types.update(dict(m.features))
        lab = m.doc["label"]
        extra.add(lab["name"])
        if lab.get("event"):
            extra.add(lab["event"])
    if label:
        extra.add(label)
    cols = list(types) + [c for c in extra if c not in types and c in df.columns]
    return cols, types


def evaluate(models, df, label=None, baseline=None, data="frame", **options):
    """Evaluates models (Model objects or model file paths) on df as
    churnkit-eval does, with an optional baseline model, and its options as
    keyword arguments (target="roc_auc>=0.8", top="10%", horizons=[3, 6],
    no_target=True, ...); `data` names the rows in the reports (churnkit-eval
    gives the file's path).  Returns an Evaluation: the --json dict."""
    if isinstance(models, (Model, str)):
        models = [models]
    models = [m if isinstance(m, Model) else Model.load(m) for m in models]
    base = baseline if isinstance(baseline, Model) or baseline is None else Model.load(baseline)
    words = [(_option_word(k), _option_text(v)) for k, v in options.items() if v is not None]
    if label is not None:
        words.append(("label", label))
    names = _lib.strings([k for k, _ in words])
    values = _lib.strings([v for _, v in words])
    cols, types = _columns(models + ([base] if base else []), df, label)
    arr = (ctypes.c_void_p * len(models))(*[m._ptr.value for m in models])
    with _frame.from_frame(df, cols, types, source=data) as t:
        js, text, html, warn = (ctypes.c_void_p() for _ in range(4))
        err = _lib.CkError()
        st = lib.ck_frame_evaluate(arr, len(models), base._ptr if base else None, t.ptr,
                                   names, values, len(words), ctypes.byref(js),
                                   ctypes.byref(text), ctypes.byref(html), ctypes.byref(warn),
                                   ctypes.byref(err))
        out = [_lib.take_text(p.value) for p in (js, text, html, warn)]
        check(st, err)
    said = out[3].splitlines() if out[3] else []
    _warn(said)
    return Evaluation(json.loads(out[0]), out[1], out[2], said)
