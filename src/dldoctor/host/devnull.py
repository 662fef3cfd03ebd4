"""/dev/null for the standard streams: where output goes once nobody can read it."""
from __future__ import annotations

import os

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import TextIO


def text_sink() -> TextIO:
    """A text stream that swallows what is written to it (for a closed stdout or stderr)."""
    return open(os.devnull, "w", encoding="utf-8")


def silence_fd(fd: int) -> None:
    """Point file descriptor `fd` at /dev/null (OSError when that cannot be done)."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, fd)
    finally:
        os.close(devnull)
