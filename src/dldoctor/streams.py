"""Standard streams at the edges: closed, broken or narrow ones never become a traceback.

A closed stdout (`dldoctor check >&-`) is /dev/null; a reader that goes away (`| head -1`) ends the
run quietly with EPIPE_EXIT (1, as click and rich end on EPIPE, whichever notices first); text an
encoding cannot carry is written as backslash escapes (i18n falls back to English first).
"""
from __future__ import annotations

import sys

from dldoctor.host import devnull

EPIPE_EXIT = 1


def prepare() -> None:
    """Make stdout/stderr safe to write before anything is printed."""
    for name in ("stdout", "stderr"):
        stream = getattr(sys, name)
        if stream is None:
            setattr(sys, name, devnull.text_sink())
            continue
        try:
            stream.reconfigure(errors="backslashreplace")
        except (AttributeError, ValueError, OSError):
            pass


def silence_stdout() -> None:
    """After EPIPE: later writes and the interpreter's last flush go to /dev/null, not to stderr."""
    try:
        devnull.silence_fd(sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):
        sys.stdout = devnull.text_sink()
