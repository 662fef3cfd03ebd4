"""Kernel identity from /proc/version, `uname -r` or `uname -a`, with WSL1/WSL2 detection."""
from __future__ import annotations

import re

from dldoctor.errors import ParseError
from dldoctor.lazy_regex import lazy_compile
from dldoctor.records import frozen_record

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Optional


@frozen_record
class KernelVersion:
    """Kernel release string and whether it is a WSL kernel (wsl_version 1 or 2, None when not WSL)."""

    release: Optional[str]
    is_wsl: bool
    wsl_version: Optional[int]
    raw: str


_PROC_RE = lazy_compile(r"Linux version (\S+)")
# `\d[\w.+~-]*`, not `\d+[\w.+~-]*` (the same strings: \w holds \d): two quantifiers over one run of digits
# split it every way when the line failed at its end (quadratic in its length).
_RELEASE_RE = lazy_compile(r"^\d+\.\d[\w.+~-]*$")
_UNAME_A_RE = lazy_compile(r"^Linux\s+\S+\s+(\d+\.\d[\w.+~-]*)\s")


def _find_release(text: str) -> Optional[str]:
    m = _PROC_RE.search(text)
    if m:
        return m.group(1)
    for line in text.splitlines():
        line = line.strip()
        if _RELEASE_RE.match(line):
            return line
        m = _UNAME_A_RE.match(line)
        if m:
            return m.group(1)
    return None


def parse_proc_version(text: str) -> KernelVersion:
    """Parse /proc/version, `uname -r` or `uname -a` -> KernelVersion with WSL1/2 flagged; ParseError if no release."""
    # WSL1 releases end in "-Microsoft" (capital M); WSL2 ones say "microsoft-standard"/"WSL2"; a custom WSL2
    # kernel that only mentions WSL or microsoft elsewhere in the text still counts as WSL2.
    if not isinstance(text, str):
        raise ParseError("/proc/version: expected text")
    release = _find_release(text)
    if release is None:
        raise ParseError("/proc/version: no 'Linux version X' and no kernel release line")
    wsl_version: Optional[int] = None
    if re.search(r"-Microsoft\b", release) and "microsoft-standard" not in release:
        wsl_version = 1
    elif re.search(r"microsoft|wsl", release, re.IGNORECASE):
        wsl_version = 2
    elif re.search(r"\bWSL2?\b|microsoft", text, re.IGNORECASE):
        wsl_version = 2
    return KernelVersion(
        release=release,
        is_wsl=wsl_version is not None,
        wsl_version=wsl_version,
        raw=text.strip(),
    )
