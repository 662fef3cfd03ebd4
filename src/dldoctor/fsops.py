"""Crash-safe file operations: a file is always either its old or its new version, never partial.

`atomic_write` is Ansible's `atomic_move` with the fsyncs it leaves out: the new bytes go to a temp
file in the destination's own directory (so the rename cannot cross a filesystem), the temp file is
fsynced, takes the mode and owner of the file it replaces, is optionally validated (`dockerd
--validate --config-file <temp>`: the bytes checked are the bytes moved), renamed over the
destination, and the directory is fsynced so the rename itself survives a power cut.
"""
from __future__ import annotations

import hashlib
import os
import tempfile
from typing import Callable, Optional, Tuple

DEFAULT_MODE = 0o644
TEMP_SUFFIX = ".dldoctor-tmp"


def sha256(data: Optional[bytes]) -> Optional[str]:
    """Hex digest of `data`; None for None (a file that does not exist)."""
    return None if data is None else hashlib.sha256(data).hexdigest()


def read_bytes(path: str) -> Optional[bytes]:
    """The file's bytes, None when it does not exist."""
    try:
        with open(path, "rb") as f:
            return f.read()
    except FileNotFoundError:
        return None


def fsync_dir(path: str) -> None:
    """Make a rename or an unlink in directory `path` durable."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def atomic_write(path: str, data: bytes, mode: Optional[int] = None,
                 validate: Optional[Callable[[str], None]] = None,
                 owner: Optional[Tuple[int, int]] = None) -> None:
    """Replace `path` with `data` atomically.

    Mode and owner: those of the file being replaced; for a new file `mode` (default 0o644) and the
    caller's owner. An explicit `mode` or `owner` (uid, gid) always wins. `validate(temp_path)` runs
    on the finished temp file before the rename and raises to stop the write. The temp file is
    removed on any error. `path` itself is replaced: a symlink there is not followed (callers
    resolve links first; HostWriter does, inside its root).
    """
    directory = os.path.dirname(os.path.abspath(path)) or "."
    try:
        st: Optional[os.stat_result] = os.stat(path)
    except FileNotFoundError:
        st = None
    fd, tmp = tempfile.mkstemp(prefix="." + os.path.basename(path) + ".", suffix=TEMP_SUFFIX,
                               dir=directory)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        want = owner if owner is not None else (
            (st.st_uid, st.st_gid) if st is not None else None)
        if want is not None and want != (os.getuid(), os.getgid()):
            try:
                os.chown(tmp, want[0], want[1])     # before chmod: chown clears set-id bits
            except PermissionError:
                pass    # not root: the file ends up ours, which is all a non-root caller can do
        if mode is None:
            mode = st.st_mode & 0o7777 if st is not None else DEFAULT_MODE
        os.chmod(tmp, mode)
        if validate is not None:
            validate(tmp)
        os.rename(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    fsync_dir(directory)


def temp_files(path: str) -> list:
    """Temp files atomic_write left beside `path` (only a SIGKILL mid-write leaves one)."""
    directory = os.path.dirname(os.path.abspath(path)) or "."
    prefix = "." + os.path.basename(path) + "."
    try:
        names = os.listdir(directory)
    except OSError:
        return []
    return [os.path.join(directory, n) for n in names
            if n.startswith(prefix) and n.endswith(TEMP_SUFFIX)]


def sweep_temps(path: str) -> None:
    """Remove what temp_files(path) finds. Call only under dldoctor's lock (no writer is live)."""
    for tmp in temp_files(path):
        try:
            os.unlink(tmp)
        except OSError:
            pass


def remove(path: str) -> None:
    """Unlink `path` durably; a file already gone is fine."""
    try:
        os.unlink(path)
    except FileNotFoundError:
        return
    fsync_dir(os.path.dirname(os.path.abspath(path)) or ".")


def backup_copy(path: str, dest: str) -> Optional[str]:
    """Copy `path` to `dest` (bytes, mode, owner), fsynced; returns the sha256 of what was copied.

    Returns None (and writes nothing) when `path` does not exist. `dest`'s directory must exist.
    """
    data = read_bytes(path)
    if data is None:
        return None
    st = os.stat(path)
    atomic_write(dest, data, mode=st.st_mode & 0o7777, owner=(st.st_uid, st.st_gid))
    return sha256(data)
