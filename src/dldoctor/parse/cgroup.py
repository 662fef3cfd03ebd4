"""The cgroup version of a host, from `stat -fc %T /sys/fs/cgroup`, mount lines, /proc/self/cgroup or
docker info's "Cgroup Version:" line.
"""
from __future__ import annotations

import re

from dldoctor.errors import ParseError
from dldoctor.lazy_regex import lazy_compile
from dldoctor.records import frozen_record


@frozen_record
class CgroupInfo:
    """version is 1 (v1 or hybrid: docker uses the v1 hierarchy) or 2 (unified)."""

    version: int


_MOUNT_RE = lazy_compile(r"^\S+\s+(?:on\s+)?(/\S*)\s+(?:type\s+)?(cgroup2?|tmpfs)\b")


def parse_cgroup(text: str) -> CgroupInfo:
    """Parse cgroup2fs (2), tmpfs/cgroupfs (1), mounts, /proc/self/cgroup, "Cgroup Version: N"; else ParseError."""
    if not isinstance(text, str):
        raise ParseError("cgroup: expected text")
    stripped = text.strip()
    word = stripped.lower()
    if word == "cgroup2fs":
        return CgroupInfo(version=2)
    if word in ("tmpfs", "cgroupfs"):
        return CgroupInfo(version=1)
    m = re.search(r"^[ \t]*Cgroup Version:[ \t]*([12])[ \t]*$", text, re.MULTILINE)  # [ \t]: \s* spans lines, quadratic
    if m:
        return CgroupInfo(version=int(m.group(1)))
    v1 = v2 = False
    proc_v1 = proc_v2 = False
    for line in text.splitlines():
        line = line.strip()
        if not line:
            continue
        mm = _MOUNT_RE.match(line)
        if mm and mm.group(1).startswith("/sys/fs/cgroup"):
            kind = mm.group(2)
            if kind == "cgroup":
                v1 = True
            elif kind == "cgroup2":
                v2 = True
            elif kind == "tmpfs" and mm.group(1).rstrip("/") == "/sys/fs/cgroup":
                v1 = True
            continue
        pm = re.match(r"^(\d+):([^:]*):(/.*)$", line)
        if pm:
            if pm.group(1) == "0" and pm.group(2) == "":
                proc_v2 = True
            else:
                proc_v1 = True
    if v1 or proc_v1:
        return CgroupInfo(version=1)
    if v2 or proc_v2:
        return CgroupInfo(version=2)
    raise ParseError("cgroup: no cgroup2fs/tmpfs, mount line or Cgroup Version")
