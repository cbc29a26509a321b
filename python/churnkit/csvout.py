"""to_csv: a scores DataFrame written as churnkit-predict writes it.

Model.predict's and churnkit.score's numbers are already the program's
(rounded to 6 decimals and read back); written here as the program writes
them -- the shortest fixed-point text, trailing zeros dropped, "-0" as "0",
a missing value as an empty cell, fields quoted when they hold the
delimiter, a quote, a line end or an edge space -- the file is the
program's, byte for byte (python/tests/test_roundtrip.py).
"""
import numpy as np
import pandas as pd


def _quote(s, delim):
    if s and (s[0] == " " or s[-1] == " " or any(c in s for c in (delim, '"', "\n", "\r"))):
        return '"' + s.replace('"', '""') + '"'
    return s


def _fixed(values, decimals):
    """Numbers as ck_num_format_fixed writes values already rounded to
    `decimals` places: printf's correctly rounded digits of n / 10^d are n."""
    out = np.char.mod(f"%.{decimals}f", np.where(np.isnan(values), 0.0, values))
    if decimals:
        out = np.char.rstrip(np.char.rstrip(out, "0"), ".")
    out = np.where(out == "-0", "0", out)
    return np.where(np.isnan(values), "", out)


def _cells(s, delim, decimals):
    if pd.api.types.is_float_dtype(s.dtype):
        return _fixed(s.to_numpy(dtype=np.float64), decimals)
    if pd.api.types.is_integer_dtype(s.dtype) and not s.isna().any():
        return s.astype(str).to_numpy()
    return np.array(["" if (v is None or (isinstance(v, float) and np.isnan(v)) or v is pd.NA)
                     else _quote(str(v), delim) for v in s], dtype=object)


def to_csv(scores, path=None, delim=",", decimals=6, header=True):
    """Writes scores (Model.predict's or churnkit.score's DataFrame) as
    churnkit-predict writes its output; returns the text when path is None."""
    cols = [_cells(scores[c], delim, decimals) for c in scores.columns]
    lines = [delim.join(_quote(str(c), delim) for c in scores.columns)] if header else []
    if cols:
        lines += [delim.join(row) for row in zip(*cols)]
    text = "".join(line + "\n" for line in lines)
    if path is None:
        return text
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write(text)
    return None
