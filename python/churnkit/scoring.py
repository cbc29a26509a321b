"""churnkit.score: churnkit-predict's whole pass over several models.

Segments and actions, survival horizons, health bands, value groups and the
agreement of horizons are the streaming scorer's (ck_score): the frame is
written as CSV into an anonymous memory file (memfd), scored into another,
and the output read back, so that the columns and values are exactly the
program's and nothing touches the disk.
"""
import ctypes
import io
import os

import pandas as pd

from . import _lib
from .errors import check
from .model import _option_text, _option_word, _warn

lib = _lib.lib


def _memfd(name):
    fd = os.memfd_create(name)
    return fd, f"/proc/self/fd/{fd}"


def score(df, models, **options):
    """Scores df with every model in one pass, as churnkit-predict --model
    M1 --model M2 ... does: the same columns and values.  Options are the
    program's, as keyword arguments: reasons=3, reasons_direction="up",
    id="account_id", risk_model="cox@6m", growth_threshold=0, horizons=[3, 6,
    12], mrr="mrr", no_segments=True, ...  Returns a DataFrame on df's index:
    the id column as df holds it, numbers as the program's text reads back
    (to the bit), the other columns (labels, reasons, segments) as text."""
    from .model import Model
    models = [m if isinstance(m, Model) else Model.load(m) for m in models]
    words = [(_option_word(k), _option_text(v)) for k, v in options.items() if v is not None]
    names = _lib.strings([k for k, _ in words])
    values = _lib.strings([v for _, v in words])
    arr = (ctypes.c_void_p * len(models))(*[m._ptr.value for m in models])
    fin, pin = _memfd("churnkit-in")
    fout, pout = _memfd("churnkit-out")
    try:
        with os.fdopen(os.dup(fin), "w", encoding="utf-8", newline="") as f:
            df.to_csv(f, index=False)
        err, warn = _lib.CkError(), ctypes.c_void_p()
        st = lib.ck_frame_score_csv(arr, len(models), pin.encode(), pout.encode(), names,
                                    values, len(words), ctypes.byref(warn), ctypes.byref(err))
        warnings = _lib.take_text(warn.value)
        check(st, err)
        os.lseek(fout, 0, os.SEEK_SET)
        with os.fdopen(os.dup(fout), "rb") as f:
            data = f.read()
    finally:
        os.close(fin)
        os.close(fout)
    out = pd.read_csv(io.BytesIO(data), float_precision="round_trip", keep_default_na=False,
                      na_values=[""], dtype=_text_columns(data))
    out.index = df.index
    first = out.columns[0] if len(out.columns) else None
    if first in df.columns and first == options.get("id", first):
        out[first] = df[first].to_numpy()  # the id column as the frame holds it
    out.attrs["warnings"] = warnings.splitlines() if warnings else []
    _warn(out.attrs["warnings"])
    return out


def _text_columns(data):
    """The columns read back as text: ids, labels, reasons, segments."""
    header = data.split(b"\n", 1)[0].decode("utf-8").split(",")
    numeric = ("_prob", "_pred", "_effect", "_months", "_risk", "_clv", "_roi")
    return {c: str for c in header
            if not c.endswith(numeric) and "_churn_" not in c}
