"""/proc/driver/nvidia/version: which NVIDIA kernel module is loaded (version, proprietary or open flavor,
and the GCC that built it)."""
from __future__ import annotations

import re

from dldoctor.errors import ParseError
from dldoctor.lazy_regex import lazy_compile
from dldoctor.records import frozen_record

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Optional

__all__ = ["KernelModule", "parse_proc_driver_nvidia_version"]


@frozen_record
class KernelModule:
    """The loaded NVIDIA kernel module.

    version: as printed ("580.173.02"; on Jetson the L4T release, e.g. "35.3.1").
    flavor: "proprietary" ("Kernel Module") or "open" ("Open Kernel Module").
    gcc: the text after "GCC version:" ("gcc version 12.2.0 (GCC)"), None when that line is absent.
    """

    version: str
    flavor: str
    gcc: Optional[str]


_OPEN_RE = lazy_compile(r"NVRM version:\s*NVIDIA UNIX\s+Open\s+Kernel\s+Module\b.*?\s(\d+(?:\.\d+)+)(?:\s|$)")
_PROPRIETARY_RE = lazy_compile(r"NVRM version:\s*NVIDIA UNIX\s+(?!Open\b)\S+\s+Kernel\s+Module\s+(\d+(?:\.\d+)+)(?:\s|$)")
_GENERIC_RE = lazy_compile(r"NVRM version:.*?Kernel\s+Module\b.*?\s(\d+\.\d+(?:\.\d+)*)(?:\s|$)")
# a real NVRM line is under 200 characters; the patterns above, searched from every "NVRM version:"
# of a long hostile line, grow faster than its square (20 s at 20 KB)
NVRM_MAX = 512
_GCC_RE = lazy_compile(r"^\s*GCC version:(.*)$")  # stripped in Python: `(.*?)\s*$` was quadratic in a blank run


def parse_proc_driver_nvidia_version(text: str) -> KernelModule:
    """Read the 'NVRM version:' line (and 'GCC version:' if present); ParseError if there is no NVRM line."""
    if not isinstance(text, str):
        raise ParseError("expected text, got %s" % type(text).__name__)
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    version = None
    flavor = None
    gcc = None
    for number, ln in enumerate(lines, 1):
        if version is None and "NVRM version:" in ln:
            head = ln[:NVRM_MAX]
            m = _OPEN_RE.search(head)
            if m:
                version, flavor = m.group(1), "open"
                continue
            m = _PROPRIETARY_RE.search(head)
            if m:
                version, flavor = m.group(1), "proprietary"
                continue
            m = _GENERIC_RE.search(head)
            if m:
                version = m.group(1)
                flavor = "open" if re.search(r"\bOpen\b", head) else "proprietary"
                continue
            raise ParseError("unrecognised NVRM version line: %r" % ln.strip()[:120], line=number)
        g = _GCC_RE.match(ln)
        if g and gcc is None:
            gcc = g.group(1).strip() or None
    if version is None or flavor is None:
        raise ParseError("no 'NVRM version:' line (not /proc/driver/nvidia/version)")
    return KernelModule(version=version, flavor=flavor, gcc=gcc)
