"""One exception family; the CLI maps each kind to a message and an exit code (never a traceback)."""
from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
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


TIMEOUT_MIN, TIMEOUT_MAX = 0.1, 3600.0


def valid_timeout(seconds: float) -> bool:
    """A --timeout dldoctor can wait for: finite, 0.1 s .. 1 hour (nan, inf, 1e300 are not)."""
    return TIMEOUT_MIN <= seconds <= TIMEOUT_MAX  # False for nan


def os_error_message(exc: OSError, target: Optional[str] = None) -> str:
    """An OSError as one line that names the file (or `target`: what was being written) and the
    way out ("df -h", "sudo", ...). With neither, the reason alone: no file is made up."""
    name = exc.filename or target
    if not name:
        return os_error_reason(exc)
    return "%s: %s" % (name, os_error_reason(exc))


def os_error_reason(exc: OSError) -> str:
    """What went wrong and what to do about it, without the file name."""
    import errno

    from dldoctor.i18n import _

    reason = exc.strerror or str(exc) or type(exc).__name__
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return reason + " — " + _("free space on that filesystem (df -h shows it) or write elsewhere; "
                                 "nothing was half-written")
    if exc.errno in (errno.EACCES, errno.EPERM) and _is_root():
        return reason + " — " + _("refused even to root: the file or its directory is immutable or "
                                 "append-only (lsattr shows an i or an a; chattr -i or -a clears "
                                 "it), or a security module (AppArmor, SELinux) forbids it")
    if exc.errno in (errno.EACCES, errno.EPERM):
        return reason + " — " + _("run it as root (sudo dldoctor ...) or choose a path you may write")
    if exc.errno == errno.EROFS:
        return reason + " — " + _("that filesystem is read-only: remount it read-write or write elsewhere")
    return reason


def _is_root() -> bool:
    import os

    return hasattr(os, "geteuid") and os.geteuid() == 0


def os_error_exit(exc: OSError) -> int:
    """Permission and missing-path errors are usage (2); a failing disk is a failed action (1)."""
    import errno

    return 2 if exc.errno in (errno.EACCES, errno.EPERM, errno.ENOENT, errno.ENOTDIR, errno.EISDIR) else 1
