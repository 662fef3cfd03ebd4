"""`nvidia-container-cli info` and `nvidia-container-cli -k -d /dev/tty info` (debug log interleaved with the
info block; pasted heads or tails), including its failure line."""
from __future__ import annotations

import re

from dldoctor.errors import ParseError
from dldoctor.lazy_regex import lazy_compile
from dldoctor.records import frozen_record

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import List, Optional, Tuple

__all__ = ["NvccliInfo", "parse_nvidia_container_cli_info"]


@frozen_record
class NvccliInfo:
    """What libnvidia-container saw.

    cli_version: only printed by `--version`-style lines ("cli-version:"), usually None here.
    lib_version: from the debug log's "initializing library context (version=X, ...)".
    driver_version / cuda_version: the info block's "NVRM version:" / "CUDA version:" ("(null)" -> None).
    devices: the "Model:" of each device, in order. error: the "nvidia-container-cli: ... error: ..." line.
    """

    cli_version: Optional[str]
    lib_version: Optional[str]
    driver_version: Optional[str]
    cuda_version: Optional[str]
    devices: Tuple[str, ...]
    error: Optional[str]


_LOG_RE = lazy_compile(r"^[IWEF]\d{4} \d{2}:\d{2}:\d{2}\.\d+\s+\d+\s+[\w.-]+:\d+\]")
_CONTEXT_RE = lazy_compile(r"initializing library context \(version=([^,)\s]+)")
# Values are stripped in Python (_value, .rstrip()): `(.*?)\s*$` rescanned a run of blanks at every step, and
# a search from every "nvidia-container-cli: " on a line rescanned the rest of it (quadratic in its length).
_KV_RE = lazy_compile(r"^\s*(NVRM version|CUDA version|Device Index|Model|cli-version|lib-version):(.*)$")
_ERROR_START_RE = lazy_compile(r"nvidia-container-cli: ", re.I)
_ERROR_RE = lazy_compile(r"(nvidia-container-cli: .*?error.*)$", re.I)


def _error_match(ln: str) -> Optional[re.Match[str]]:
    """_ERROR_RE from the first "nvidia-container-cli: ": when the text after it holds no "error", the
    text after a later one does not either."""
    start = _ERROR_START_RE.search(ln)
    return _ERROR_RE.match(ln, start.start()) if start else None
_NULL = ("", "(null)", "N/A")


def _value(v: Optional[str]) -> Optional[str]:
    if v is None:
        return None
    v = v.strip()
    return None if v in _NULL else v


def parse_nvidia_container_cli_info(text: str) -> NvccliInfo:
    """Parse info output or its debug log; ParseError if neither an info block, a libnvidia-container log
    line nor an nvidia-container-cli error line is present."""
    if not isinstance(text, str):
        raise ParseError("expected text, got %s" % type(text).__name__)
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    recognised = False
    cli = lib = driver = cuda = error = None  # type: Optional[str]
    devices: List[str] = []
    in_device = False
    for ln in lines:
        if _LOG_RE.match(ln):
            recognised = True
            m = _CONTEXT_RE.search(ln)
            if m and lib is None:
                lib = m.group(1)
            continue
        if "the following logs are for debugging purposes only" in ln:
            recognised = True
            continue
        e = _error_match(ln)
        if e and error is None:
            recognised = True
            # inside a docker/runc error the line goes on with escaped quotes and newlines
            error = re.split(r'\\+n|\\+"', e.group(1).rstrip())[0]
            error = re.sub(r'"?:\s*unknown\.?$', "", error.strip()).strip()
            continue
        kv = _KV_RE.match(ln)
        if not kv:
            continue
        key, val = kv.group(1), kv.group(2)
        if key in ("NVRM version", "Device Index", "cli-version", "lib-version"):
            recognised = True
        if key == "NVRM version":
            driver = driver or _value(val)
        elif key == "CUDA version":
            cuda = cuda or _value(val)
        elif key == "Device Index":
            in_device = True
        elif key == "Model" and in_device:
            devices.append(_value(val) or "(null)")
            in_device = False
        elif key == "cli-version":
            cli = cli or _value(val)
        elif key == "lib-version":
            lib = lib or _value(val)
    if not recognised:
        raise ParseError("not nvidia-container-cli info output (no 'NVRM version:', log or error line)")
    return NvccliInfo(
        cli_version=cli,
        lib_version=lib,
        driver_version=driver,
        cuda_version=cuda,
        devices=tuple(devices),
        error=error,
    )
