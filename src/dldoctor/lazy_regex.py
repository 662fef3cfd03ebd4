"""Regular expressions compiled on first use.

`check` imports every parser and reader it might need, and compiling all their patterns cost more
than the run that uses a few of them. A module-level `NAME = lazy_compile(r"...", flags)` costs
nothing until a run calls one of its methods; then it is compiled once and kept.
"""
from __future__ import annotations

import re


class LazyPattern:
    """A compiled pattern's methods, compiling on the first call (a race compiles it twice: same)."""

    __slots__ = ("_source", "_flags", "_compiled")

    def __init__(self, source: str, flags: int = 0) -> None:
        self._source = source
        self._flags = flags
        self._compiled: Optional[Pattern[str]] = None

    def compiled(self) -> Pattern[str]:
        found = self._compiled
        if found is None:
            found = self._compiled = re.compile(self._source, self._flags)
        return found

    def __getattr__(self, name: str) -> Any:     # match, search, finditer, sub, pattern...
        return getattr(self.compiled(), name)

    def __repr__(self) -> str:
        return "lazy_compile(%r, %d)" % (self._source, self._flags)


TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Optional, Pattern

    def lazy_compile(source: str, flags: int = 0) -> Pattern[str]:
        ...
else:
    lazy_compile = LazyPattern
