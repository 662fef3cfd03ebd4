"""What /proc says about a process, and the signals dldoctor sends: the one place for either.

Every read is bounded (paths.read_file) and every failure is an absent answer (None), never an
exception: a process may end between two reads.
"""
from __future__ import annotations

import os

from dldoctor.host import paths

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Dict, List, Optional


def read(pid: int, name: str) -> Optional[bytes]:
    """/proc/PID/<name> ("cmdline", "environ", "stat", ...), None when it cannot be read."""
    return _read_file("/proc/%d/%s" % (pid, name))


def _read_file(path: str) -> Optional[bytes]:
    try:
        return paths.read_file(path)[0]
    except (OSError, paths.UnsafePath):
        return None


def pids() -> List[int]:
    """Every process id /proc lists (unsorted, as the kernel gives them)."""
    try:
        return [int(e) for e in os.listdir("/proc") if e.isdigit()]
    except OSError:
        return []


def argv(pid: int) -> Optional[List[bytes]]:
    """Its command line as bytes, None when gone or a kernel thread (empty cmdline)."""
    raw = read(pid, "cmdline")
    return raw.rstrip(b"\0").split(b"\0") if raw else None


def alive(pid: int) -> bool:
    """Alive and not a zombie (a zombie has exited; its parent just has not reaped it)."""
    raw = read(pid, "stat")
    try:
        state = raw.decode("ascii", "replace").rsplit(")", 1)[1].split()[0] if raw else "X"
    except IndexError:
        return False
    return state not in ("Z", "X")


def environ(pid: int) -> Dict[str, str]:
    env: Dict[str, str] = {}
    for item in (read(pid, "environ") or b"").split(b"\0"):
        if b"=" in item:
            k, v = item.split(b"=", 1)
            env[k.decode("utf-8", "surrogateescape")] = v.decode("utf-8", "surrogateescape")
    return env


def link(pid: int, name: str) -> Optional[str]:
    """Where /proc/PID/<name> points ("cwd", "fd/2", "ns/mnt"), None when it cannot be read."""
    try:
        return os.readlink("/proc/%d/%s" % (pid, name))
    except OSError:
        return None


def foreign_mount_ns(pid: int) -> Optional[int]:
    """An fd of `pid`'s mount namespace when it is not ours (for process.spawn), else None."""
    theirs = link(pid, "ns/mnt")
    if theirs is None or theirs == link(os.getpid(), "ns/mnt"):
        return None
    try:
        return os.open("/proc/%d/ns/mnt" % pid, os.O_RDONLY)
    except OSError:
        return None


def start_time(pid: int) -> Optional[float]:
    """Epoch seconds when `pid` started (/proc/PID/stat starttime + the boot time)."""
    raw, boot = read(pid, "stat"), _read_file("/proc/stat")
    if raw is None or boot is None:
        return None
    try:
        fields = raw.decode("ascii", "replace").rsplit(")", 1)[1].split()
        btime = next(int(line.split()[1]) for line in boot.decode("ascii", "replace").splitlines()
                     if line.startswith("btime "))
        return btime + int(fields[19]) / os.sysconf("SC_CLK_TCK")
    except (IndexError, ValueError, StopIteration):
        return None


def send(pid: int, sig: int) -> None:
    """Signal one process; ProcessLookupError when it is gone (callers decide if that matters)."""
    os.kill(pid, sig)


def owner(pid: int) -> Optional[int]:
    """Its real uid (/proc/PID/status), None when gone."""
    for line in (read(pid, "status") or b"").splitlines():
        if line.startswith(b"Uid:"):
            try:
                return int(line.split()[1])
            except (IndexError, ValueError):
                return None
    return None


def kill_chrooted(root: str, uid: int) -> int:
    """SIGKILL every process of `uid` whose root directory is `root`: what a program run chrooted
    there as that user left behind, a child that left its session (setsid) included. The count."""
    import signal

    real = os.path.realpath(root)
    killed = 0
    for pid in pids():
        if pid == os.getpid() or link(pid, "root") != real or owner(pid) != uid:
            continue
        try:
            send(pid, signal.SIGKILL)
            killed += 1
        except OSError:
            pass
    return killed
