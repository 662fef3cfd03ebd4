"""Paths under a root (--root): one resolver and no-follow opens, used by every read and write.

dldoctor runs as root, so a link planted in an image or container root must never lead it to the
real /etc/shadow. `resolve` follows symlinks the way the target machine would, with the root as
"/" (absolute link targets are re-rooted) and refuses a `..` that climbs above the root.
`open_beneath` then opens the resolved path walking from the root one directory at a time with
O_NOFOLLOW (openat-style), so a link swapped in after resolving is refused instead of followed.

Reads of evidence are bounded: only regular files, at most READ_LIMIT bytes, never blocking on a
FIFO (O_NONBLOCK) or a device.
"""
from __future__ import annotations

import errno
import os
import stat

from dldoctor.errors import DldoctorError
from dldoctor.i18n import _

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import List, Optional, Tuple

MAX_LINKS = 40
READ_LIMIT = 1024 * 1024            # evidence files: real ones are < 100 KB; parsers are linear but
                                      # not fast (a 4 MiB os-release takes ~5 s to parse)
# Bounds of /etc/apt/sources.list.d (a real one holds a few small files): files read, bytes in all.
APT_SOURCES_MAX_FILES = 256
APT_SOURCES_MAX_BYTES = 8 * 1024 * 1024
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_DIRECTORY = getattr(os, "O_DIRECTORY", 0)
_CLOEXEC = getattr(os, "O_CLOEXEC", 0)


class UnsafePath(DldoctorError):
    """A path under the root leads outside it, or dldoctor's own state is a link: exit 2."""

    exit_code = 2


class NotRegular(OSError):
    """A FIFO, device, socket or directory where a regular file was expected."""


def _norm(target: str) -> str:
    return os.path.normpath("/" + target.lstrip("/"))


def join(root: str, target: str) -> str:
    """`target` joined under `root` lexically (no link followed; '..' cannot climb out)."""
    norm = _norm(target)
    return norm if root == "/" else root + norm


def under(root: str, target: str) -> str:
    """The live path of target path `target`: under a root, symlinks resolved inside it (see
    resolve); with root "/" just normalised (the machine's own links are its own business)."""
    return _norm(target) if root == "/" else resolve(root, target)


def target_of(root: str, live: str) -> str:
    """A live absolute path as the target sees it (the root prefix stripped when inside it)."""
    if root != "/" and (live == root or live.startswith(root + "/")):
        return live[len(root):] or "/"
    return live


def resolve(root: str, target: str) -> str:
    """The live path that target path `target` names, symlinks resolved inside `root`.

    Absolute link targets start again at the root; a `..` above the root is refused (UnsafePath)
    unless the root is "/" itself. A missing component ends the resolution (the rest is joined).
    """
    root = os.path.abspath(root or "/")
    parts = [p for p in _norm(target).split("/") if p]
    done: List[str] = []
    links = 0
    while parts:
        part = parts.pop(0)
        if part == ".":
            continue
        if part == "..":
            if done:
                done.pop()
            elif root != "/":
                raise UnsafePath(_("{path} under {root} leads outside the root (a symbolic link "
                                   "climbs above it); refusing to follow it").format(
                                       path=target, root=root))
            continue
        candidate = join(root, "/" + "/".join(done + [part]))
        try:
            is_link = stat.S_ISLNK(os.lstat(candidate).st_mode)
        except OSError:
            is_link = False
        if not is_link:
            done.append(part)
            continue
        links += 1
        if links > MAX_LINKS:
            raise UnsafePath(_("too many levels of symbolic links: {path}").format(path=target))
        try:
            dest = os.readlink(candidate)
        except OSError:
            done.append(part)
            continue
        if dest.startswith("/"):
            done = []
        parts = [p for p in dest.split("/") if p] + parts
    return join(root, "/" + "/".join(done))


def _rel_parts(root: str, live: str) -> List[str]:
    root = os.path.abspath(root or "/")
    live = os.path.normpath(live)
    if root == "/":
        rel = live.lstrip("/")
    elif live == root:
        rel = ""
    elif live.startswith(root + "/"):
        rel = live[len(root) + 1:]
    else:
        raise UnsafePath(_("{path} is outside the root {root}").format(path=live, root=root))
    return [p for p in rel.split("/") if p and p != "."]


def _refuse_link(live: str, exc: OSError) -> "UnsafePath":
    return UnsafePath(_("{path} is a symbolic link or not a directory where dldoctor expects its "
                        "own directory or file; refusing to follow it ({err})").format(
                            path=live, err=exc.strerror or exc))


def _named(exc: OSError, name: str, full: str) -> OSError:
    """`exc` naming `full` where an openat-style call named only the component `name` (the
    message then says which file: /var/lib/dldoctor/lock, not "lock")."""
    if exc.filename == name and full != name:
        return OSError(exc.errno, exc.strerror, full)
    return exc


def open_dir(root: str, live_dir: str, create: bool = False, mode: int = 0o755) -> int:
    """An fd of directory `live_dir` (inside `root`), reached without following any link.

    create: missing directories are made (with `mode`). A link on the way: UnsafePath.
    """
    try:
        return _open_dir(root, live_dir, create, mode)
    except UnsafePath:
        raise
    except OSError as exc:
        here = os.path.abspath(root or "/")
        for part in _rel_parts(root, live_dir):
            here = os.path.join(here, part)
            if exc.filename == part:
                raise _named(exc, part, here) from None
        raise


def _open_dir(root: str, live_dir: str, create: bool, mode: int) -> int:
    fd = os.open(os.path.abspath(root or "/"), os.O_RDONLY | _DIRECTORY | _CLOEXEC)
    try:
        for part in _rel_parts(root, live_dir):
            if part == "..":
                raise UnsafePath(_("{path} is outside the root {root}").format(
                    path=live_dir, root=root))
            try:
                nfd = os.open(part, os.O_RDONLY | _DIRECTORY | _NOFOLLOW | _CLOEXEC, dir_fd=fd)
            except FileNotFoundError:
                if not create:
                    raise
                try:
                    os.mkdir(part, mode, dir_fd=fd)
                except FileExistsError:
                    pass
                nfd = os.open(part, os.O_RDONLY | _DIRECTORY | _NOFOLLOW | _CLOEXEC, dir_fd=fd)
            except OSError as exc:
                if exc.errno in (errno.ELOOP, errno.ENOTDIR):
                    raise _refuse_link(live_dir, exc) from None
                raise
            os.close(fd)
            fd = nfd
        return fd
    except BaseException:
        os.close(fd)
        raise


def open_beneath(root: str, live: str, flags: int = os.O_RDONLY, mode: int = 0o644) -> int:
    """os.open of `live` inside `root` with O_NOFOLLOW on every component (see open_dir)."""
    dfd = open_dir(root, os.path.dirname(os.path.normpath(live)))
    try:
        try:
            return os.open(os.path.basename(live), flags | _NOFOLLOW | _CLOEXEC, mode, dir_fd=dfd)
        except OSError as exc:
            if exc.errno == errno.ELOOP:
                raise _refuse_link(live, exc) from None
            raise _named(exc, os.path.basename(live), live) from None
    finally:
        os.close(dfd)


def read_fd(fd: int, limit: int = READ_LIMIT) -> Tuple[bytes, bool]:
    """(at most `limit` bytes of regular file `fd`, truncated?); NotRegular for anything else."""
    st = os.fstat(fd)
    if not stat.S_ISREG(st.st_mode):
        raise NotRegular(errno.EINVAL, _("not a regular file"))
    chunks = []
    left = limit + 1
    while left > 0:
        chunk = os.read(fd, min(left, 1024 * 1024))
        if not chunk:
            break
        chunks.append(chunk)
        left -= len(chunk)
    data = b"".join(chunks)
    return (data[:limit], True) if len(data) > limit else (data, False)


def read_file(path: str, limit: int = READ_LIMIT, root: Optional[str] = None
              ) -> Tuple[bytes, bool]:
    """Bytes of regular file `path` (bounded); with `root`, opened beneath it without links.

    Never blocks: a FIFO is opened non-blocking and refused (NotRegular) like a device.
    """
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | _CLOEXEC
    fd = open_beneath(root, path, flags) if root else os.open(path, flags)
    try:
        return read_fd(fd, limit)
    finally:
        os.close(fd)


def read_tail(path: str, offset: int = 0, last: Optional[int] = None,
              limit: int = READ_LIMIT) -> Optional[bytes]:
    """A log file's bytes from `offset` (or its `last` bytes), at most `limit`; None when it
    cannot be read. For dldoctor's own dockerd log and a dockerd's stderr file."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | _CLOEXEC)
    except OSError:
        return None
    try:
        if last is not None:
            offset = max(0, os.fstat(fd).st_size - last)
        os.lseek(fd, offset, os.SEEK_SET)
        return read_fd(fd, limit)[0]
    except OSError:
        return None
    finally:
        os.close(fd)
