"""churnkit from Python: the C library's models on pandas DataFrames.

    import churnkit
    m = churnkit.train(df, label="churn", model="logistic", cv=5)
    print(m.summary())
    scores = m.predict(new_df, reasons=3)

See docs/python.md.  Nothing here re-implements a model: fitting, scoring,
reasons and evaluation are the C library's (libchurnkit.so through ctypes).
"""
from ._lib import lib as _clib
from .errors import (ChurnkitError, ChurnkitIOError, ChurnkitMemoryError, ChurnkitWarning,
                     DataError, ModelFileError, TargetMissed, UsageError)
from .model import Model, Summary, folds, train
from .evaluate import Evaluation, evaluate
from .scoring import score
from .csvout import to_csv

__version__ = _clib.ck_frame_version().decode()

__all__ = ["Model", "Summary", "train", "folds", "score", "to_csv", "evaluate", "Evaluation",
           "ChurnkitError", "UsageError", "DataError", "ModelFileError", "ChurnkitIOError",
           "ChurnkitMemoryError", "ChurnkitWarning", "TargetMissed", "__version__"]
