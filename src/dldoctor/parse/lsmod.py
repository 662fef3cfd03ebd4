"""Loaded kernel modules from `lsmod`, /proc/modules, or a grep excerpt of either."""
from __future__ import annotations


from dldoctor.errors import ParseError
from dldoctor.lazy_regex import lazy_compile
from dldoctor.records import frozen_record

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import FrozenSet

__all__ = ["Modules", "parse_lsmod"]


def _norm(name: str) -> str:
    # the kernel treats '-' and '_' in module names alike; lsmod prints '_'
    return name.strip().replace("-", "_")


@frozen_record
class Modules:
    """The module names listed (as printed, '_' spelling)."""

    names: FrozenSet[str]

    def has(self, name: str) -> bool:
        """Whether module `name` is listed ('nvidia-uvm' and 'nvidia_uvm' are the same module)."""
        return _norm(name) in self.names


# lsmod:        "nvidia_uvm           1982464  0"  /  "nvidia_drm   122880  3 nvidia_modeset"
# /proc/modules: "nvidia_uvm 1982464 0 - Live 0x0000000000000000 (POE)"
_LINE_RE = lazy_compile(r"^\s*([A-Za-z0-9_-]+)\s+(\d+)\s+(\d+|-)(?:\s+\S.*)?$")
_HEADER_RE = lazy_compile(r"^\s*Module\s+Size\s+Used by\s*$")


def parse_lsmod(text: str) -> Modules:
    """Module names from every module line; ParseError when no line is an lsmod or /proc/modules line."""
    if not isinstance(text, str):
        raise ParseError("expected text, got %s" % type(text).__name__)
    names = set()
    header = False
    for ln in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        if _HEADER_RE.match(ln):
            header = True
            continue
        m = _LINE_RE.match(ln)
        if m:
            names.add(_norm(m.group(1)))
    if not names and not header:
        raise ParseError("no lsmod or /proc/modules line (expected 'name size used-by ...')")
    return Modules(names=frozenset(names))
