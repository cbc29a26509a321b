"""DataFrame columns into a ck_table (frame.h), without files.

Numbers go in as one float64 array a column (NaN missing): the table's own
copy is the one column-major buffer.  Text goes in as pandas' factorize
codes and the distinct values, never one C string a row.  What churnkit
cannot read is refused with the column named: datetimes, timedeltas,
periods, intervals, complex numbers and lists.
"""
import ctypes

import numpy as np
import pandas as pd

from . import _lib
from .errors import DataError, check

_REFUSED = ("datetime", "timedelta", "period", "interval", "complex")


class Table:
    """A ck_table owned by this object (freed when it is)."""

    def __init__(self, nrows, source=None, view=False):
        self.ptr = _lib.lib.ck_frame_table(nrows, source.encode("utf-8") if source else None)
        self.view = view    # numeric columns read in place (scoring only)
        self._keep = []     # the arrays the table reads in place
        if not self.ptr:
            raise MemoryError("churnkit: out of memory")
        self.nrows = nrows

    def close(self):
        if self.ptr:
            _lib.lib.ck_table_free(self.ptr)
            self.ptr = None
        self._keep = []

    def __del__(self):
        self.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def add_numeric(self, name, values):
        arr = np.ascontiguousarray(values, dtype=np.float64)
        err = _lib.CkError()
        add = _lib.lib.ck_frame_add_numeric
        if self.view:  # no copy: the table reads arr, kept alive with it
            add = _lib.lib.ck_frame_view_numeric
            self._keep.append(arr)
        check(add(
            self.ptr, name.encode("utf-8"),
            arr.ctypes.data_as(ctypes.POINTER(ctypes.c_double)), ctypes.byref(err)), err)

    def add_codes(self, name, codes, levels):
        codes = np.ascontiguousarray(codes, dtype=np.int32)
        lv = _lib.strings(levels)
        err = _lib.CkError()
        check(_lib.lib.ck_frame_add_codes(
            self.ptr, name.encode("utf-8"),
            codes.ctypes.data_as(ctypes.POINTER(ctypes.c_int32)), lv, len(levels),
            ctypes.byref(err)), err)


def _refused(name, dtype):
    kind = str(dtype)
    if any(k in kind for k in _REFUSED):
        hint = (" (a date: convert it to a number first, e.g. days since a reference: "
                "(df[c] - pd.Timestamp('2024-01-01')).dt.days)") if "date" in kind else ""
        raise DataError(f"frame: column '{name}' is {kind}: churnkit reads numbers and text "
                        f"only{hint}", 3)


def _text_of(v):
    """A cell as the CSV file would hold it (pandas' to_csv spelling)."""
    if isinstance(v, bytes):
        return v.decode("utf-8")
    return str(v)


def _is_numeric(s):
    return (pd.api.types.is_numeric_dtype(s.dtype) and not pd.api.types.is_bool_dtype(s.dtype))


def _parse_cell(v):
    """A text cell read as the CSV reader reads it (ck_num_parse): a number,
    NaN for a missing spelling ("", NA, NaN, null, N/A, ?), or None for
    text; an infinite value is refused as in a file."""
    if v is None or (isinstance(v, float) and np.isnan(v)):
        return np.nan
    if isinstance(v, (int, float, np.number)) and not isinstance(v, bool):
        return float(v)
    b = _text_of(v).encode("utf-8")
    out = ctypes.c_double()
    kind = _lib.lib.ck_num_parse(b, len(b), ctypes.byref(out))
    return out.value if kind == 0 else np.nan if kind == 1 else np.inf if kind == 3 else None


def numeric_values(name, s, source=None):
    """A column as float64 with NaN missing: numbers, nullable integers, and
    text that is all numbers (as the CSV reader would read it)."""
    _refused(name, s.dtype)
    if isinstance(s.dtype, np.dtype) and s.dtype.kind in "fiu":
        return s.to_numpy(dtype=np.float64, copy=False)  # a view when float64 already
    if _is_numeric(s):  # pandas' nullable Int64, Float64: pd.NA to NaN
        return s.to_numpy(dtype=np.float64, na_value=np.nan)
    codes, uniques = pd.factorize(s, use_na_sentinel=True)
    values = np.empty(len(uniques) + 1, dtype=np.float64)
    values[-1] = np.nan  # code -1: missing
    for j, u in enumerate(uniques):
        v = _parse_cell(u)
        if v is None:
            i = int(np.flatnonzero(codes == j)[0])
            raise DataError(f"{source or 'frame'}:{i + 1}: text '{_text_of(u)[:40]}' in column "
                            f"'{name}', which the model reads as a number", 3)
        values[j] = v
    return values[codes]


def text_codes(name, s):
    """A column as factorize codes and the levels' text."""
    _refused(name, s.dtype)
    if isinstance(s.dtype, pd.CategoricalDtype):
        codes = s.cat.codes.to_numpy()
        levels = [_text_of(c) for c in s.cat.categories]
        return codes, levels
    codes, uniques = pd.factorize(s, use_na_sentinel=True)
    return codes, [_text_of(u) for u in uniques]


def add_column(table, name, s, as_text=None, source=None):
    """Adds s under name: numeric unless as_text (None: by its dtype)."""
    if as_text is None:
        _refused(name, s.dtype)
        as_text = not _is_numeric(s)
    if as_text:
        try:
            codes, levels = text_codes(name, s)
        except TypeError:  # unhashable cells: dicts, lists, sets
            bad = next(v for v in s if not isinstance(v, (str, int, float, bool, type(None))))
            raise DataError(f"{source or 'frame'}: column '{name}' holds {type(bad).__name__} "
                            "values, neither numbers nor text", 3) from None
        table.add_codes(name, codes, levels)
    else:
        table.add_numeric(name, numeric_values(name, s, source))


def from_frame(df, columns=None, types=None, text=(), source=None, view=False):
    """A Table of df's columns (all, or `columns`); types maps a name to
    True (text) or False (number) as a model reads it; `text` names columns
    read as text whatever their dtype (churnkit-train --categorical);
    source names the data in messages and reports (default "frame"); with
    view, float64 columns are read in place, not copied (the table must not
    outlive df's arrays: Table keeps them)."""
    if not isinstance(df, pd.DataFrame):
        raise TypeError(f"churnkit: expected a pandas DataFrame, got {type(df).__name__}")
    names = list(df.columns) if columns is None else list(columns)
    for c in names:
        if not isinstance(c, str):
            raise DataError(f"frame: column name {c!r} is not a string", 3)
    dup = df.columns[df.columns.duplicated()]
    if len(dup):
        raise DataError(f"frame: column '{dup[0]}' appears twice", 3)
    t = Table(len(df), source, view)
    try:
        for c in names:
            as_text = True if c in text else (types or {}).get(c)
            add_column(t, c, df[c], as_text, source)
    except BaseException:
        t.close()
        raise
    return t
