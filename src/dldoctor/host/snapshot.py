"""SnapshotHost: answers from an evidence snapshot (directory or .tar.gz, see snapshot-format.md).

A missing file means "not collected". Commands are never run and nothing is fetched.
"""
from __future__ import annotations

import json
import os
import tarfile
from typing import Dict, Optional, Sequence, Tuple

from dldoctor.errors import UsageError
from dldoctor.evidence import APT_SOURCES_DIR
from dldoctor.host import CommandResult, Evidence, Host, HttpResponse
from dldoctor.i18n import _

MAX_MEMBER = 16 * 1024 * 1024


class SnapshotHost(Host):
    is_live = False

    def __init__(self, path: str):
        self.path = path
        self.root = "/"
        self.files = _load(path)
        self.sources = _recorded_sources(self.files.get("meta.json"))

    def read_snapshot_file(self, name: str) -> Optional[str]:
        data = self.files.get(name)
        if data is not None and name == "daemon.json":
            from dldoctor.parse.daemon_json import decode_daemon_json

            return decode_daemon_json(data)      # UTF-16 with a BOM, as dockerd 23.0+ reads it
        return None if data is None else data.decode("utf-8", "replace")

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


def _recorded_sources(meta: Optional[bytes]) -> Dict[str, str]:
    try:
        data = json.loads((meta or b"{}").decode("utf-8", "replace"))
        sources = data.get("sources") if isinstance(data, dict) else None
    except ValueError:
        return {}
    return {str(k): str(v) for k, v in sources.items()} if isinstance(sources, dict) else {}


def _exit(text: Optional[str]) -> Optional[int]:
    if text is None:
        return None
    try:
        return int(text.strip())
    except ValueError:
        return None


def _load(path: str) -> Dict[str, bytes]:
    if os.path.isdir(path):
        files: Dict[str, bytes] = {}
        for dirpath, _dirs, names in os.walk(path):
            for n in names:
                full = os.path.join(dirpath, n)
                rel = os.path.relpath(full, path).replace(os.sep, "/")
                try:
                    with open(full, "rb") as fh:
                        files[rel] = fh.read(MAX_MEMBER)
                except OSError as exc:
                    raise UsageError(_("cannot read snapshot file {path}: {err}").format(
                        path=full, err=exc.strerror))
        return files
    if not os.path.exists(path):
        raise UsageError(_("snapshot not found: {path}").format(path=path))
    try:
        with tarfile.open(path, "r:*") as tar:
            files = {}
            for m in tar.getmembers():
                if not m.isfile():
                    continue
                fh = tar.extractfile(m)
                if fh is None:
                    continue
                files[os.path.normpath(m.name).lstrip("./")] = fh.read(MAX_MEMBER)
    except (tarfile.TarError, OSError, EOFError) as exc:
        raise UsageError(_("cannot read snapshot {path}: not a snapshot directory or tarball "
                           "({err})").format(path=path, err=exc))
    # A tarball usually wraps everything in one top-level directory: strip it.
    tops = {n.split("/", 1)[0] for n in files}
    if len(tops) == 1 and all("/" in n for n in files):
        top = tops.pop() + "/"
        files = {n[len(top):]: d for n, d in files.items()}
    return files


def is_apt_name(name: str) -> bool:
    return name.startswith(APT_SOURCES_DIR + "/")
