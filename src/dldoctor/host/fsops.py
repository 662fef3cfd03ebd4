"""Crash-safe file operations: a file is always either its old or its new version, never partial.

`atomic_write` is Ansible's `atomic_move` with the fsyncs it leaves out: the new bytes go to a temp
file in the destination's own directory (so the rename cannot cross a filesystem), the temp file is
fsynced, takes the mode and owner of the file it replaces, is optionally validated (`dockerd
--validate --config-file <temp>`: the bytes checked are the bytes moved), renamed over the
destination, and the directory is fsynced so the rename itself survives a power cut.

`root`: every function here takes an optional root directory; given one, the path must lie
inside it and is reached openat-style, one component at a time with O_NOFOLLOW (host.paths): a
link on the way is refused (paths.UnsafePath), never followed out of the root. HostWriter and the
journal always pass their root.
"""
from __future__ import annotations

import hashlib
import os
import stat as _stat

from dldoctor.host import paths
from dldoctor.i18n import _

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import IO, Callable, List, Optional, Tuple

DEFAULT_MODE = 0o644
TEMP_SUFFIX = ".dldoctor-tmp"


def sha256(data: Optional[bytes]) -> Optional[str]:
    """Hex digest of `data`; None for None (a file that does not exist)."""
    return None if data is None else hashlib.sha256(data).hexdigest()


def _open_dir(path: str, root: Optional[str], create: bool = False) -> int:
    if root is not None:
        return paths.open_dir(root, path, create=create)
    return os.open(path, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))


def read_bytes(path: str, root: Optional[str] = None,
               limit: Optional[int] = None) -> Optional[bytes]:
    """The file's bytes, None when it does not exist. With `root`: a regular file reached without
    links (anything else raises); `limit`: more bytes than that raise OSError(EFBIG)."""
    if root is None and limit is None:
        try:
            with open(path, "rb") as f:
                return f.read()
        except FileNotFoundError:
            return None
    try:
        data, cut = paths.read_file(path, limit=limit or (1 << 62), root=root)
    except FileNotFoundError:
        return None
    if cut:
        raise OSError(27, os.strerror(27), path)
    return data


def open_text(root: str, path: str, flags: int = os.O_RDONLY, mode: str = "r") -> IO[str]:
    """A text file of dldoctor's own (the journal), opened beneath `root` without following links;
    anything but a regular file is refused (paths.UnsafePath)."""
    fd = paths.open_beneath(root, path, flags | getattr(os, "O_NONBLOCK", 0), 0o600)
    try:
        if not _stat.S_ISREG(os.fstat(fd).st_mode):
            raise paths.UnsafePath(_("{path} is not a regular file; refusing to use it").format(
                path=path))
        return os.fdopen(fd, mode, encoding="utf-8")
    except BaseException:
        os.close(fd)
        raise


def fsync_dir(path: str, root: Optional[str] = None) -> None:
    """Make a rename or an unlink in directory `path` durable."""
    fd = _open_dir(path, root)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def makedirs(path: str, root: Optional[str] = None, mode: int = 0o755) -> None:
    """os.makedirs(path, exist_ok=True); with `root`, no link on the way is followed."""
    if root is None:
        os.makedirs(path, mode=mode, exist_ok=True)
        return
    os.close(paths.open_dir(root, path, create=True, mode=mode))


def atomic_write(path: str, data: bytes, mode: Optional[int] = None,
                 validate: Optional[Callable[[str], None]] = None,
                 owner: Optional[Tuple[int, int]] = None, root: Optional[str] = None) -> None:
    """Replace `path` with `data` atomically.

    Mode and owner: those of the file being replaced; for a new file `mode` (default 0o644) and the
    caller's owner. An explicit `mode` or `owner` (uid, gid) always wins. `validate(temp_path)` runs
    on the finished temp file before the rename and raises to stop the write. The temp file is
    removed on any error. `path` itself is replaced: a symlink there is not followed (callers
    resolve links first; HostWriter does, inside its root). The directory is opened once and
    every step works relative to it (openat-style), so it cannot be swapped midway.
    """
    directory = os.path.dirname(os.path.abspath(path)) or "."
    name = os.path.basename(path)
    dfd = _open_dir(directory, root)
    try:
        try:
            st: Optional[os.stat_result] = os.stat(name, dir_fd=dfd,
                                                   follow_symlinks=root is None)
        except FileNotFoundError:
            st = None
        if st is not None and root is not None and not _stat.S_ISREG(st.st_mode):
            raise paths.UnsafePath(_("{path} is not a regular file; refusing to replace it")
                                   .format(path=path))
        tmp_name, fd = _create_temp(dfd, name)
        tmp = os.path.join(directory, tmp_name)
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(data)
                f.flush()
                os.fsync(f.fileno())
                want = owner if owner is not None else (
                    (st.st_uid, st.st_gid) if st is not None else None)
                if want is not None and want != (os.getuid(), os.getgid()):
                    try:
                        os.fchown(f.fileno(), want[0], want[1])  # before chmod: clears set-id
                    except PermissionError:
                        pass    # not root: the file ends up ours, all a non-root caller can do
                if mode is None:
                    mode = st.st_mode & 0o7777 if st is not None else DEFAULT_MODE
                os.fchmod(f.fileno(), mode)
            if validate is not None:
                validate(tmp)
            os.rename(tmp_name, name, src_dir_fd=dfd, dst_dir_fd=dfd)
        except BaseException as exc:
            try:
                os.unlink(tmp_name, dir_fd=dfd)
            except FileNotFoundError:
                pass
            if isinstance(exc, OSError) and (exc.filename is None or exc.filename == tmp_name):
                # a write or fsync error names no file, a rename its temp (".x.dldoctor-tmp"): say
                # which file, in full (not "standard output")
                raise OSError(exc.errno, exc.strerror, path) from exc
            raise
        os.fsync(dfd)
    finally:
        os.close(dfd)


def _create_temp(dfd: int, name: str) -> Tuple[str, int]:
    """A new temp file beside `name` (O_EXCL|O_NOFOLLOW: never an existing file or link)."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | \
        getattr(os, "O_CLOEXEC", 0)
    for _attempt in range(100):
        tmp = ".%s.%s%s" % (name, os.urandom(6).hex(), TEMP_SUFFIX)
        try:
            return tmp, os.open(tmp, flags, 0o600, dir_fd=dfd)
        except FileExistsError:
            continue
    raise FileExistsError(17, "no free temporary name", name)


def temp_files(path: str, root: Optional[str] = None) -> List[str]:
    """Temp files atomic_write left beside `path` (only a SIGKILL mid-write leaves one)."""
    directory = os.path.dirname(os.path.abspath(path)) or "."
    prefix = "." + os.path.basename(path) + "."
    try:
        dfd = _open_dir(directory, root)
    except (OSError, paths.UnsafePath):
        return []
    try:
        names = os.listdir(dfd)
    except OSError:
        return []
    finally:
        os.close(dfd)
    return [os.path.join(directory, n) for n in names
            if n.startswith(prefix) and n.endswith(TEMP_SUFFIX)]


def sweep_temps(path: str, root: Optional[str] = None) -> None:
    """Remove what temp_files(path) finds. Call only under dldoctor's lock (no writer is live)."""
    for tmp in temp_files(path, root):
        try:
            dfd = _open_dir(os.path.dirname(tmp), root)
        except (OSError, paths.UnsafePath):
            return
        try:
            os.unlink(os.path.basename(tmp), dir_fd=dfd)
        except OSError:
            pass
        finally:
            os.close(dfd)


def remove(path: str, root: Optional[str] = None) -> None:
    """Unlink `path` durably; a file already gone is fine."""
    directory = os.path.dirname(os.path.abspath(path)) or "."
    try:
        dfd = _open_dir(directory, root)
    except FileNotFoundError:
        return
    try:
        try:
            os.unlink(os.path.basename(path), dir_fd=dfd)
        except FileNotFoundError:
            return
        os.fsync(dfd)
    finally:
        os.close(dfd)


def backup_copy(path: str, dest: str, root: Optional[str] = None,
                dest_root: Optional[str] = None) -> Optional[str]:
    """Copy `path` to `dest` (bytes, mode, owner), fsynced; returns the sha256 of what was copied.

    Returns None (and writes nothing) when `path` does not exist. `dest`'s directory must exist.
    `root`/`dest_root`: the roots each lies in (no link followed on the way, see module doc).
    """
    data = read_bytes(path, root=root)
    if data is None:
        return None
    st = os.stat(path) if root is None else os.lstat(path)
    atomic_write(dest, data, mode=st.st_mode & 0o7777, owner=(st.st_uid, st.st_gid),
                 root=dest_root)
    return sha256(data)
