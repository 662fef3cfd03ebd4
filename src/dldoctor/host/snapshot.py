"""SnapshotHost: answers from an evidence snapshot (directory or .tar.gz, see snapshot-format.md).

A missing file means "not collected". Commands are never run and nothing is fetched. A snapshot
is untrusted input: only regular files are read (links, FIFOs and devices are skipped and listed
on stderr), each up to MAX_MEMBER bytes, at most MAX_MEMBERS of them and MAX_TOTAL bytes in all;
a tarball is read as a stream under that total (a gzip bomb stops there) and to its end, so a bad
CRC is an error, never ignored.
"""
from __future__ import annotations

import io
import os
import stat
import tarfile

from dldoctor.errors import UsageError
from dldoctor.evidence import APT_SOURCES_DIR, EVIDENCE
from dldoctor.host import CommandResult, Evidence, Host, HttpResponse, paths, warn
from dldoctor.i18n import _
from dldoctor import nesting

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Dict, List, Optional, Sequence, Tuple

# Bounds of a snapshot (docs/security-paths.md): a real one is ~40 files and well under 1 MiB.
MAX_MEMBER = paths.READ_LIMIT         # bytes read of one file (more: truncated, and said so)
MAX_MEMBERS = 10000                   # files or tar members
MAX_TOTAL = 64 * 1024 * 1024          # bytes in all (uncompressed)
MAX_DEPTH = 16                        # directory levels read (a snapshot uses two: apt-sources/)


class SnapshotHost(Host):
    is_live = False

    def __init__(self, path: str):
        self.path = path
        self.root = "/"
        self.files = _load(path)
        self.sources = _recorded_sources(self.files.get("meta.json"), path)

    def read_snapshot_file(self, name: str) -> Optional[str]:
        data = self.files.get(name)
        if data is None:
            return None
        return EVIDENCE[name].decode(data) if name in EVIDENCE else data.decode("utf-8", "replace")

    def evidence(self, name: str) -> Evidence:
        text = self.read_snapshot_file(name)
        exit_code = _exit(self.read_snapshot_file(name + ".exit"))
        if text is None and exit_code is not None:
            text = ""
        # Where the recording host read it (meta.json), else a name that is not a host path.
        source = self.sources.get(name) or "snapshot:%s" % name
        return Evidence(name, text, exit=exit_code, source=source)

    def evidence_group(self, prefix: str) -> Dict[str, Evidence]:
        out = {}
        for name in sorted(self.files):
            if name.startswith(prefix + "/") and not name.endswith(".exit"):
                out[name] = self.evidence(name)
        return out

    def has(self, name: str) -> bool:
        return name in self.files

    def read(self, path: str) -> Optional[bytes]:
        return None

    def listdir(self, path: str) -> Optional[Tuple[str, ...]]:
        return None

    def run(self, argv: Sequence[str], timeout: Optional[float] = None,
            input: Optional[bytes] = None) -> CommandResult:
        return CommandResult(tuple(argv), None, error="a snapshot runs no commands")

    def http_get(self, url: str, timeout: float = 5.0,
                 headers: Optional[Dict[str, str]] = None) -> HttpResponse:
        return HttpResponse(url, None, error="a snapshot makes no requests")


def _recorded_sources(meta: Optional[bytes], snapshot: str = "") -> Dict[str, str]:
    """meta.json's `sources` (evidence name -> where the recording host read it); none without
    a meta.json. One that is there must be a JSON object (whose `sources`, if any, maps names to
    paths): anything else is unreadable input (UsageError, exit 2), JSON nested too deeply for the
    parser included."""
    if meta is None:
        return {}
    why = None
    sources: Any = {}
    try:
        data = nesting.loads(meta.decode("utf-8", "replace"))
    except nesting.TooDeep:
        why = _("nested too deeply")
    except ValueError:
        why = _("not valid JSON")
    else:
        if not isinstance(data, dict):
            why = _("not a JSON object")
        else:
            sources = data.get("sources", {})
            if not (isinstance(sources, dict) and all(isinstance(v, str) for v in sources.values())):
                why = _("its sources are not a map of evidence names to paths")
    if why is not None:
        raise UsageError(_("meta.json in {path} is not dldoctor's metadata ({why}); correct or "
                           "remove it (the evidence does not need it)").format(path=snapshot, why=why))
    return dict(sources)


def _exit(text: Optional[str]) -> Optional[int]:
    if text is None:
        return None
    try:
        return int(text.strip())
    except ValueError:
        return None


def _load(path: str) -> Dict[str, bytes]:
    if path == "":
        raise UsageError(_("--snapshot needs a path (a snapshot directory or .tar.gz); it was "
                           "given an empty one"))
    if os.path.isdir(path):
        files = _load_dir(path)
    elif not os.path.lexists(path):
        raise UsageError(_("snapshot not found: {path}").format(path=path))
    else:
        files = _load_tar(path)
        # A tarball usually wraps everything in one top-level directory: strip it.
        tops = {n.split("/", 1)[0] for n in files}
        if len(tops) == 1 and all("/" in n for n in files) and tops != {APT_SOURCES_DIR}:
            top = tops.pop() + "/"
            files = {n[len(top):]: d for n, d in files.items()}
    if not any(_is_evidence(n) for n in files):
        raise UsageError(_("no dldoctor evidence in {path}: none of the files a snapshot holds "
                           "(os-release, daemon.json, docker-info.json, meta.json...) is there; "
                           "make one with `dldoctor snapshot OUT.tar.gz`").format(path=path))
    return files


# Names of snapshot-format.md that no live host records (a person's report gives them).
REPORT_NAMES = ("lsb-release", "docker-version", "docker-info", "apt-update", "command", "error",
                "notes", "paths", "mirror-probe")


def _is_evidence(name: str) -> bool:
    if name.endswith(".exit"):
        name = name[:-len(".exit")]
    return name in EVIDENCE or name in REPORT_NAMES or name == "meta.json" or (
        name.startswith(APT_SOURCES_DIR + "/") and len(name) > len(APT_SOURCES_DIR) + 1)


def _kind(mode: int) -> str:
    if stat.S_ISLNK(mode):
        return _("symbolic link")
    if stat.S_ISFIFO(mode):
        return _("FIFO")
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return _("device")
    if stat.S_ISSOCK(mode):
        return _("socket")
    return _("not a regular file")


def _report(path: str, skipped: List[Tuple[str, str]], cut: List[str]) -> None:
    """Say on stderr what was not read: a snapshot is evidence, and evidence is never silently
    dropped."""
    if skipped:
        shown = ", ".join("%s (%s)" % (n, k) for n, k in skipped[:20])
        more = len(skipped) - 20
        warn(_("snapshot {path}: skipped {n} member(s) that are not regular files: {list}").format(
            path=path, n=len(skipped), list=shown + (" ..." if more > 0 else "")))
    if cut:
        warn(_("snapshot {path}: truncated at {limit} bytes: {list}").format(
            path=path, limit=MAX_MEMBER, list=", ".join(cut[:20])))


def _too_big(path: str, what: str) -> UsageError:
    return UsageError(_("cannot read snapshot {path}: {what}; a dldoctor snapshot is far "
                        "smaller (limits: {count} files, {member} bytes each, {total} bytes in "
                        "all)").format(path=path, what=what, count=MAX_MEMBERS,
                                      member=MAX_MEMBER, total=MAX_TOTAL))


def _load_dir(path: str) -> Dict[str, bytes]:
    """Regular files of a snapshot directory; links, FIFOs and devices are skipped and listed."""
    files: Dict[str, bytes] = {}
    skipped: List[Tuple[str, str]] = []
    cut: List[str] = []
    total = 0
    seen = 0
    shown_path, path = path, os.path.abspath(path)
    for dirpath, dirs, names in os.walk(path):      # os.walk never descends into a linked dir
        seen += len(dirs) + len(names)
        if seen > MAX_MEMBERS:
            raise _too_big(shown_path, _("more than {n} files").format(n=MAX_MEMBERS))
        depth = os.path.relpath(dirpath, path).count(os.sep) + 1
        for d in list(dirs):
            full = os.path.join(dirpath, d)
            if os.path.islink(full):
                skipped.append((os.path.relpath(full, path), _kind(stat.S_IFLNK)))
                dirs.remove(d)
            elif depth >= MAX_DEPTH:        # os.walk recurses: a deep tree would overflow it
                skipped.append((os.path.relpath(full, path), _("too deep")))
                dirs.remove(d)
        for n in sorted(names):
            full = os.path.join(dirpath, n)
            rel = os.path.relpath(full, path).replace(os.sep, "/")
            try:
                mode = os.lstat(full).st_mode
            except OSError:
                continue
            if not stat.S_ISREG(mode):
                skipped.append((rel, _kind(mode)))
                continue
            try:
                data, truncated = paths.read_file(full, limit=MAX_MEMBER, root=path)
            except paths.NotRegular:
                skipped.append((rel, _kind(stat.S_IFIFO)))
                continue
            except paths.UnsafePath:
                skipped.append((rel, _kind(stat.S_IFLNK)))
                continue
            except OSError as exc:
                raise UsageError(_("cannot read snapshot file {path}: {err}").format(
                    path=full, err=exc.strerror or exc))
            if truncated:
                cut.append(rel)
            total += len(data)
            if total > MAX_TOTAL:
                raise _too_big(shown_path, _("more than {n} bytes in all").format(n=MAX_TOTAL))
            files[rel] = data
    _report(shown_path, skipped, cut)
    return files


class _Bounded(io.RawIOBase):
    """A decompressed stream that refuses to give more than `limit` bytes (a gzip bomb stops
    here, whatever tarfile asks for: member data, pax or long-name headers, padding)."""

    def __init__(self, inner, limit: int, path: str):
        self.inner = inner
        self.left = limit
        self.path = path

    def readable(self) -> bool:
        return True

    def read(self, n: int = -1) -> bytes:
        if n is None or n < 0:
            n = self.left + 1
        if n > self.left:
            data = self.inner.read(self.left + 1)
            if len(data) > self.left:
                raise _too_big(self.path, _("it holds more than {n} bytes uncompressed").format(
                    n=MAX_TOTAL))
        else:
            data = self.inner.read(n)
        self.left -= len(data)
        return data

    def readinto(self, buf) -> int:
        data = self.read(len(buf))
        buf[:len(data)] = data
        return len(data)


def _open_stream(path: str, raw):
    """The decompressed stream of a snapshot file (gzip, bzip2, xz or plain tar), by magic."""
    head = raw.read(6)
    raw.seek(0)
    if head[:2] == b"\x1f\x8b":
        import gzip

        return gzip.GzipFile(fileobj=raw, mode="rb")
    if head[:3] == b"BZh":
        import bz2

        return bz2.BZ2File(raw, "rb")
    if head == b"\xfd7zXZ\x00":
        import lzma

        return lzma.LZMAFile(raw, "rb")
    return raw


def _load_tar(path: str) -> Dict[str, bytes]:
    """Regular members of a snapshot tarball, read as a stream under the limits; any damage
    (bad CRC, truncated or corrupt compressed data, a non-tar file) is a plain-words UsageError."""
    import zlib

    files: Dict[str, bytes] = {}
    skipped: List[Tuple[str, str]] = []
    cut: List[str] = []
    count = 0
    try:
        # O_NONBLOCK: a FIFO given as the snapshot must not wait for a writer (refused below).
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
        raw = os.fdopen(fd, "rb", buffering=0)
    except OSError as exc:
        raise UsageError(_("cannot read snapshot {path}: {err}").format(
            path=path, err=exc.strerror or exc))
    try:
        st = os.fstat(raw.fileno())
        if not stat.S_ISREG(st.st_mode):
            raise UsageError(_("cannot read snapshot {path}: it is not a directory nor a "
                               "regular file").format(path=path))
        compressed = False
        try:
            inner = _open_stream(path, raw)
            compressed = inner is not raw
            stream = _Bounded(inner, MAX_TOTAL + 1024 * 1024, path)
            buffered = io.BufferedReader(stream, 65536)
            with tarfile.open(fileobj=buffered, mode="r|") as tar:
                for m in tar:
                    count += 1
                    if count > MAX_MEMBERS:
                        raise _too_big(path, _("more than {n} members").format(n=MAX_MEMBERS))
                    name = os.path.normpath(m.name).lstrip("./")
                    if not m.isreg():
                        skipped.append((name, _("symbolic link") if m.issym() or m.islnk()
                                        else _("FIFO") if m.isfifo()
                                        else _("device") if m.ischr() or m.isblk()
                                        else _("not a regular file")))
                        continue
                    if m.size > MAX_MEMBER:
                        cut.append(name)
                    fh = tar.extractfile(m)
                    if fh is None:
                        continue
                    files[name] = fh.read(MAX_MEMBER)
            # tarfile stops at the end-of-archive blocks; the gzip trailer (CRC, length) is
            # only checked once the stream is read to its end.
            while buffered.read(65536):
                pass
        except UsageError:
            raise
        except (tarfile.TarError, OSError, EOFError, zlib.error, ValueError) as exc:
            raise UsageError(_unreadable(path, exc, count, compressed)) from None
        except Exception as exc:  # lzma/bz2 raise their own kinds on damaged data
            raise UsageError(_unreadable(path, exc, count, compressed)) from None
    finally:
        raw.close()
    _report(path, skipped, cut)
    return files


def _unreadable(path: str, exc: BaseException, members: int, compressed: bool) -> str:
    text = str(exc)
    if members == 0 and not compressed and isinstance(exc, tarfile.ReadError):
        return _("cannot read snapshot {path}: it is neither a snapshot directory nor a "
                 "snapshot tarball (.tar.gz)").format(path=path)
    if "not a gzip file" in text.lower():
        return _("cannot read snapshot {path}: it is neither a snapshot directory nor a "
                 "snapshot tarball (.tar.gz)").format(path=path)
    if isinstance(exc, EOFError) or "end-of-stream" in text or "unexpected end" in text.lower():
        return _("cannot read snapshot {path}: the file is cut short (an incomplete download "
                 "or copy?)").format(path=path)
    return _("cannot read snapshot {path}: the file is damaged ({err})").format(
        path=path, err=text[:200] or type(exc).__name__)


def is_apt_name(name: str) -> bool:
    return name.startswith(APT_SOURCES_DIR + "/")
