"""`nvidia-ctk cdi list` and `nvidia-ctk cdi generate` output: the CDI devices a host offers
(`docker run --device nvidia.com/gpu=all` needs them) and what the generator saw."""
from __future__ import annotations

import re

from dldoctor.errors import ParseError
from dldoctor.lazy_regex import lazy_compile
from dldoctor.records import frozen_record

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Optional, Tuple

# msg is stripped in Python: `\s*(?P<msg>.*?)\s*$` rescanned a run of blanks at every step (quadratic).
_LOG = lazy_compile(r"^(INFO|WARN|WARNING|ERRO|ERROR|DEBU)\[\d+\](?P<msg>.*)$")
_DEVICE = lazy_compile(r"^(?P<dev>[a-z0-9.-]+\.[a-z]+/[a-z0-9-]+=\S+)\s*$", re.I)


@frozen_record
class CdiList:
    devices: Tuple[str, ...]      # e.g. "nvidia.com/gpu=0", "nvidia.com/gpu=all"
    announced: Optional[int]      # "Found N CDI devices", when printed


@frozen_record
class CdiGenerate:
    driver_version: Optional[str]
    mode: Optional[str]           # "nvml", "wsl", ... ("Auto-detected mode as ...")
    warnings: Tuple[str, ...]
    errors: Tuple[str, ...]


def parse_cdi_list(text: str) -> CdiList:
    """The device names `nvidia-ctk cdi list` printed; ParseError when it printed none of its lines."""
    devices, announced, seen = [], None, False
    for line in (text or "").splitlines():
        log = _LOG.match(line.strip())
        if log:
            m = re.match(r"Found (\d+) CDI devices", log.group("msg").strip())
            if m:
                announced, seen = int(m.group(1)), True
            continue
        dev = _DEVICE.match(line.strip())
        if dev:
            devices.append(dev.group("dev"))
            seen = True
    if not seen:
        raise ParseError("not nvidia-ctk cdi list output")
    return CdiList(tuple(devices), announced)


def parse_cdi_generate(text: str) -> CdiGenerate:
    """What `nvidia-ctk cdi generate` logged (the spec itself goes to stdout or --output)."""
    driver = mode = None
    warnings, errors, seen = [], [], False
    for line in (text or "").splitlines():
        log = _LOG.match(line.strip())
        if not log:
            continue
        seen = True
        level, msg = log.group(1), log.group("msg").strip()
        m = re.match(r"Using driver version (\S+)", msg)
        if m:
            driver = m.group(1)
        m = re.match(r"Auto-detected mode as '?([\w-]+)'?", msg)
        if m:
            mode = m.group(1)
        if level.startswith("WARN"):
            warnings.append(msg)
        elif level.startswith("ERR"):
            errors.append(msg)
    if not seen:
        raise ParseError("not nvidia-ctk cdi generate output")
    return CdiGenerate(driver, mode, tuple(warnings), tuple(errors))
