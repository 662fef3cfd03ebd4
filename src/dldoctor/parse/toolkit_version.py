"""`--version` output of the NVIDIA Container Toolkit tools: nvidia-ctk, nvidia-container-toolkit (the runtime
hook), nvidia-container-runtime (with the wrapped runc's block) and nvidia-container-cli."""
from __future__ import annotations

import re

from dldoctor.errors import ParseError
from dldoctor.lazy_regex import lazy_compile
from dldoctor.records import field, frozen_record

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Dict, List, Optional, Tuple

__all__ = ["ToolVersion", "parse_tool_version", "TOOLS"]

TOOLS = ("nvidia-ctk", "nvidia-container-runtime-hook", "nvidia-container-runtime", "nvidia-container-cli")


@frozen_record
class ToolVersion:
    """tool: one of TOOLS; version as printed ("1.17.0-rc.1"); extra: the other 'key: value' lines
    ("commit", "spec", "lib-version", "build date", ...); the runc block of nvidia-container-runtime goes
    in as "runc.version", "runc.commit", "runc.spec", "runc.go", "runc.libseccomp"."""

    tool: str
    version: str
    extra: Dict[str, str] = field(default_factory=dict)


_BANNERS = (
    ("nvidia-ctk", lazy_compile(r"^\s*NVIDIA Container Toolkit CLI version\s+(\S+)")),
    ("nvidia-container-runtime-hook", lazy_compile(r"^\s*NVIDIA Container Runtime Hook version\s+(\S+)")),
    ("nvidia-container-runtime", lazy_compile(r"^\s*NVIDIA Container Runtime version\s+(\S+)")),
)
# A key ends on a non-blank and a value is stripped in Python: a lazy key or value beside `\s*` rescanned a
# run of blanks at every step (quadratic in the line's length).
_KV_RE = lazy_compile(r"^\s*([A-Za-z](?:[A-Za-z0-9 _-]*[A-Za-z0-9_-])?)\s*:(.*)$")
_RUNC_RE = lazy_compile(r"^\s*runc version\s+(\S+)")


def _lines(text: object) -> List[str]:
    if not isinstance(text, str):
        raise ParseError("expected text, got %s" % type(text).__name__)
    return text.replace("\r\n", "\n").replace("\r", "\n").split("\n")


def parse_tool_version(text: str) -> ToolVersion:
    """Recognise which tool printed the version text and read its version; ParseError if none did."""
    lines = _lines(text)
    for i, ln in enumerate(lines):
        for tool, rx in _BANNERS:
            m = rx.match(ln)
            if m:
                return ToolVersion(tool=tool, version=m.group(1), extra=_extra(lines[i + 1:]))
    cli = _parse_cli(lines)
    if cli is not None:
        return cli
    if any(_RUNC_RE.match(ln) for ln in lines):
        raise ParseError(
            "only a runc version block: nvidia-container-runtime before 1.x passed --version through to runc, "
            "so the text does not say which toolkit tool or version printed it"
        )
    raise ParseError("no NVIDIA Container Toolkit version line")


def _extra(lines: List[str]) -> Dict[str, str]:
    """'key: value' lines after the banner; after 'runc version X' keys are prefixed 'runc.'."""
    extra = {}  # type: Dict[str, str]
    prefix = ""
    for ln in lines:
        r = _RUNC_RE.match(ln)
        if r:
            prefix = "runc."
            extra["runc.version"] = r.group(1)
            continue
        kv = _KV_RE.match(ln)
        if kv:
            extra.setdefault(prefix + kv.group(1).strip().lower(), kv.group(2).strip())
    return extra


def _parse_cli(lines: List[str]) -> Optional[ToolVersion]:
    """`nvidia-container-cli --version`: 'cli-version: X' / 'lib-version: Y' (1.1+), or 'version: X' plus
    'build ...' lines (1.0.x)."""
    pairs: List[Tuple[str, str]] = []
    for ln in lines:
        kv = _KV_RE.match(ln)
        if kv:
            pairs.append((kv.group(1).strip().lower(), kv.group(2).strip()))
    keys = dict(pairs[::-1])  # first occurrence wins
    version = keys.get("cli-version")
    if version is None and "version" in keys and any(k.startswith("build ") for k in keys):
        version = keys["version"]
    if not version or not re.match(r"^\d+(\.\d+)+", version):
        return None
    extra = {}  # type: Dict[str, str]
    for k, v in pairs:
        if k not in ("cli-version", "version"):
            extra.setdefault(k, v)
    return ToolVersion(tool="nvidia-container-cli", version=version, extra=extra)
