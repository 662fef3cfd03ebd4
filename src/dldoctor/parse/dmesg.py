"""Kernel log (dmesg / journalctl -k) lines that concern the NVIDIA driver, nouveau or NVRM, kept verbatim
for quoting as evidence."""
from __future__ import annotations

import re

from dldoctor.errors import ParseError
from dldoctor.lazy_regex import lazy_compile

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Tuple

__all__ = ["parse_dmesg"]

_RELEVANT_RE = lazy_compile(
    r"nvidia|NVRM|nouveau|\bnvlink\b|\bXid\b|Lockdown:.*unsigned module|module verification failed",
    re.I,
)


def parse_dmesg(text: str) -> Tuple[str, ...]:
    """The relevant lines in order (trailing whitespace removed); ParseError only for empty input."""
    if not isinstance(text, str):
        raise ParseError("expected text, got %s" % type(text).__name__)
    if not text.strip():
        raise ParseError("empty kernel log")
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return tuple(ln.rstrip() for ln in lines if _RELEVANT_RE.search(ln))
