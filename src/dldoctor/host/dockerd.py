"""Which process is dockerd: found one way, for the evidence (LiveHost) and for daemon control."""
from __future__ import annotations

import os

from dldoctor.host import proc

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Callable, Optional, Sequence


def is_dockerd(pid: int) -> bool:
    """`pid` is a live (not zombie) process whose argv[0] names dockerd (a stale pidfile's number
    may have been reused by anything)."""
    argv = proc.argv(pid)
    return bool(argv) and b"dockerd" in argv[0] and proc.alive(pid)   # type: ignore[index]


def find_pid(pidfiles: Sequence[str], read: Callable[[str], Optional[bytes]],
             scan: bool = False, docker_host: Optional[str] = None) -> Optional[int]:
    """dockerd's pid from the first pidfile naming a live dockerd (`read` reads one, None when it
    cannot); else, with `scan`, a dockerd from the process list, preferring the one whose command
    line names DOCKER_HOST's socket (several daemons on one machine)."""
    for path in pidfiles:
        data = read(path)
        text = data.strip() if data else b""
        if text.isdigit() and is_dockerd(int(text)):
            return int(text)
    return _scan(_socket_path(docker_host)) if scan else None


def _scan(want: Optional[str]) -> Optional[int]:
    first = None
    for pid in proc.pids():
        argv = proc.argv(pid)
        if not argv or os.path.basename(argv[0]) != b"dockerd":
            continue
        if first is None:
            first = pid
        if want and want.encode() in b"\0".join(argv):
            return pid
    return first


def _socket_path(docker_host: Optional[str]) -> Optional[str]:
    if docker_host and docker_host.startswith("unix://"):
        from urllib.parse import urlparse

        return urlparse(docker_host).path or docker_host[len("unix://"):]
    return None
