"""One exception family; the CLI maps each kind to a message and an exit code (never a traceback)."""
from typing import Optional


class DldoctorError(Exception):
    """Base of every error dldoctor reports to a user."""

    exit_code = 1


class UsageError(DldoctorError):
    """Bad option or unreadable input: exit 2."""

    exit_code = 2


class ParseError(DldoctorError):
    """Evidence that could not be parsed; carries the position when one is known (1-based)."""

    def __init__(self, message: str, line: Optional[int] = None, col: Optional[int] = None):
        self.message = message
        self.line = line
        self.col = col
        where = ""
        if line is not None:
            where = " (line %d" % line + (", column %d)" % col if col is not None else ")")
        super().__init__(message + where)


class Refused(DldoctorError):
    """A provision step will not act (invalid daemon.json, wrong key fingerprint, flag conflict).

    `unblock` says how to get past it (an option, a file to correct); `fix` shows the step as
    `blocked: <why> (<unblock>)` and keeps planning the others."""

    def __init__(self, message: str, unblock: Optional[str] = None):
        super().__init__(message)
        self.unblock = unblock


class ApplyFailed(DldoctorError):
    """Applying a plan failed; what was written has been put back."""
