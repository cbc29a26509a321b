"""Loading libchurnkit.so and declaring the C functions ctypes calls.

The library is found, in order: the path in the CHURNKIT_LIB environment
variable; the source tree's build (build/rel/libchurnkit.so.0 beside this
package's python/ directory); the system's loader (libchurnkit.so.0 after
`make install`: the ld.so paths), then /usr/local/lib/libchurnkit.so.0
(`make install`'s default PREFIX, found even before `ldconfig` has run).

ctypes releases the GIL around every call into a CDLL, so a fit or a
scoring pass in one Python thread lets the others run (tests/test_threads.py).
"""
import ctypes
import os
from ctypes import (POINTER, c_char_p, c_double, c_int, c_int8, c_int32, c_size_t,
                    c_void_p)

SONAME = "libchurnkit.so.0"
ERROR_MAX = 1024


class CkError(ctypes.Structure):
    """ck_error (error.h): the status and one line of text."""
    _fields_ = [("status", c_int), ("message", ctypes.c_char * ERROR_MAX)]


def _candidates():
    env = os.environ.get("CHURNKIT_LIB")
    if env:
        return [env]
    here = os.path.dirname(os.path.abspath(__file__))
    tree = os.path.join(here, os.pardir, os.pardir, "build", "rel", SONAME)
    found = [os.path.normpath(tree)] if os.path.exists(tree) else []
    return found + [SONAME, "/usr/local/lib/" + SONAME]


def _load():
    errors = []
    for path in _candidates():
        try:
            return ctypes.CDLL(path)
        except OSError as e:
            errors.append(f"{path}: {e}")
    raise ImportError("churnkit: cannot load the C library (" + "; ".join(errors) +
                      "). Build it with `make shared` in the source tree, install it "
                      "with `make install`, or set CHURNKIT_LIB to its path.")


lib = _load()
ERR = POINTER(CkError)
TEXT = POINTER(c_char_p)


def _declare(name, restype, *argtypes):
    f = getattr(lib, name)
    f.restype = restype
    f.argtypes = list(argtypes)


# ck_char * strings returned by the library are declared as c_void_p, so that
# ctypes keeps the pointer and we free it with ck_frame_text_free.
_declare("ck_frame_version", c_char_p)
_declare("ck_frame_text_free", None, c_void_p)
_declare("ck_frame_table", c_void_p, c_size_t, c_char_p)
_declare("ck_table_free", None, c_void_p)
_declare("ck_frame_add_numeric", c_int, c_void_p, c_char_p, POINTER(c_double), ERR)
_declare("ck_frame_view_numeric", c_int, c_void_p, c_char_p, POINTER(c_double), ERR)
_declare("ck_frame_add_codes", c_int, c_void_p, c_char_p, POINTER(c_int32), TEXT, c_size_t,
         ERR)
_declare("ck_frame_train_new", c_void_p)
_declare("ck_frame_train_free", None, c_void_p)
_declare("ck_frame_train_set", c_int, c_void_p, c_char_p, c_char_p, ERR)
_declare("ck_frame_train_fit", c_int, c_void_p, c_void_p, POINTER(c_void_p), POINTER(c_void_p),
         ERR)
_declare("ck_frame_predict", c_int, c_void_p, c_void_p, c_size_t, c_int, c_int, c_size_t,
         POINTER(c_double), POINTER(c_int8), POINTER(c_int32), POINTER(c_int32),
         POINTER(c_double), POINTER(c_size_t), ERR)
_declare("ck_frame_reason_label", c_void_p, c_void_p, c_size_t, c_int32)
_declare("ck_frame_nfeatures", c_size_t, c_void_p)
_declare("ck_frame_feature", c_char_p, c_void_p, c_size_t, POINTER(c_int))
_declare("ck_frame_model_json", c_void_p, c_void_p)
_declare("ck_frame_model_report", c_void_p, c_void_p)
_declare("ck_frame_evaluate", c_int, POINTER(c_void_p), c_size_t, c_void_p, c_void_p, TEXT,
         TEXT, c_size_t, POINTER(c_void_p), POINTER(c_void_p), POINTER(c_void_p),
         POINTER(c_void_p), ERR)
_declare("ck_frame_score_csv", c_int, POINTER(c_void_p), c_size_t, c_char_p, c_char_p, TEXT,
         TEXT, c_size_t, POINTER(c_void_p), ERR)
_declare("ck_split_folds", c_int, POINTER(c_size_t), c_size_t, POINTER(c_double), c_size_t,
         ctypes.c_ulong, POINTER(c_size_t), ERR)
_declare("ck_num_parse", c_int, c_char_p, c_size_t, POINTER(c_double))
_declare("ck_model_load", c_int, POINTER(c_void_p), c_char_p, ERR)
_declare("ck_model_parse", c_int, POINTER(c_void_p), c_char_p, c_char_p, ERR)
_declare("ck_model_save", c_int, c_void_p, c_char_p, ERR)
_declare("ck_model_free", None, c_void_p)


def take_text(ptr):
    """The str of a char * the library returned (None for NULL), freed."""
    if not ptr:
        return None
    try:
        return ctypes.string_at(ptr).decode("utf-8")
    finally:
        lib.ck_frame_text_free(ptr)


def strings(values):
    """A char *[] of UTF-8 copies (kept alive by the returned array)."""
    arr = (c_char_p * max(len(values), 1))()
    for i, v in enumerate(values):
        arr[i] = None if v is None else str(v).encode("utf-8")
    return arr
