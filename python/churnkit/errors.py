"""Exceptions carrying the C library's message and its exit-code class.

Every failure of the library comes back as a ck_status (error.h) whose value
is the exit code the programs would give; the exception keeps it in
`.status` (and `.exit_code`, 5 for out of memory as the programs report it)
and the one-line message, with FILE:LINE:COL where there is one (a frame's
rows are "frame:ROW:COL", ROW 1-based).
"""


class ChurnkitError(Exception):
    """A churnkit failure: `.status` (ck_status), `.exit_code`, `.message`."""
    status = 0
    exit_code = 0

    def __init__(self, message, status=None):
        super().__init__(message)
        self.message = message
        if status is not None:
            self.status = status
            self.exit_code = 5 if status == 6 else status


class ChurnkitWarning(UserWarning):
    """What the programs print as "warning: ..." (collinear columns, levels
    not seen in training, knots lost to ties...), raised through Python's
    warnings module so that a notebook shows it."""


class TargetMissed(ChurnkitError):
    """Exit code 1: a target or a threshold floor was not reached."""
    status = exit_code = 1


class UsageError(ChurnkitError, ValueError):
    """Exit code 2: a bad option or argument."""
    status = exit_code = 2


class DataError(ChurnkitError, ValueError):
    """Exit code 3: bad input data (a bad value, a missing column, unfit data)."""
    status = exit_code = 3


class ModelFileError(ChurnkitError):
    """Exit code 4: a bad, damaged or too-new model file."""
    status = exit_code = 4


class ChurnkitIOError(ChurnkitError, OSError):
    """Exit code 5: a file cannot be opened, read or written."""
    status = exit_code = 5


class ChurnkitMemoryError(ChurnkitError, MemoryError):
    """Out of memory (exit code 5)."""
    status = 6
    exit_code = 5


_BY_STATUS = {1: TargetMissed, 2: UsageError, 3: DataError, 4: ModelFileError,
              5: ChurnkitIOError, 6: ChurnkitMemoryError}


def from_status(status, message):
    cls = _BY_STATUS.get(status, ChurnkitError)
    return cls(message, status)


def check(status, err):
    """Raises the exception of a failed call (status != 0) with err's text."""
    if status != 0:
        text = err.message.decode("utf-8", "replace") or "failed"
        raise from_status(status, text)
