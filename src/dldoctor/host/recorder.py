"""`dldoctor snapshot OUT`: write evidence in the snapshot format (what to collect is decided
above the host layer, in dldoctor.record).

Secrets never leave the host: every file goes through dldoctor.scrub.mask (URL passwords,
proxy credentials, `auths`, tokens, Authorization headers), with no exception for any content. The snapshot appears whole or not at all (written to a
temporary name, then renamed).
"""
from __future__ import annotations

import contextlib
import io
import json
import os
import shutil
import tarfile
import tempfile
import time

from dldoctor import __version__
from dldoctor.errors import UsageError, os_error_reason
from dldoctor.host import Evidence
from dldoctor.i18n import _
from dldoctor.scrub import mask, mask_json

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Dict


def redact(name: str, text: str) -> str:
    """What may leave the host: every file masked the same way, whatever it holds (dldoctor.scrub).
    A JSON file stays JSON, so the snapshot replays as the host did."""
    if name.endswith(".json"):
        # masked on its decoded meaning too: a JSON escape (\u0040, "pass\u0077ord") hides
        # nothing, and an invalid file stays as it is (the error position is what matters)
        return mask_json(text)
    return mask(text)


def docker_group_only(text: str) -> str:
    """The `docker:` line of /etc/group: the one group the checks read. The other lines name the
    host's users and who may sudo, which a bug report has no need to carry."""
    return "".join(line + "\n" for line in text.splitlines() if line.startswith("docker:"))


def snapshot_files(root: str, evidence: Dict[str, Evidence]) -> Dict[str, bytes]:
    """The snapshot's files (name -> bytes): each piece of evidence masked, plus meta.json."""
    files: Dict[str, bytes] = {}
    sources = {}
    for name, ev in evidence.items():
        if ev.text is None:
            continue
        text = docker_group_only(ev.text) if name == "group" else ev.text
        files[name] = redact(name, text).encode("utf-8", "surrogateescape")
        if ev.exit is not None and ev.exit != 0:
            files[name + ".exit"] = b"%d\n" % ev.exit
        sources[name] = ev.source
    meta = {"dldoctor": __version__, "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "root": root, "sources": sources}
    files["meta.json"] = (json.dumps(meta, indent=2, sort_keys=True) + "\n").encode()
    return files


def write_evidence(root: str, out: str, evidence: Dict[str, Evidence]) -> str:
    """Write `evidence` (collected from `root`) as snapshot `out`, whole or not at all."""
    files = snapshot_files(root, evidence)
    out = os.path.abspath(out)
    parent = os.path.dirname(out)
    if not os.path.isdir(parent):
        raise UsageError(_("cannot write snapshot: {dir} is not a directory").format(dir=parent))
    if os.path.exists(out):
        raise UsageError(_("{path} already exists; choose a new name").format(path=out))
    try:
        if out.endswith((".tar.gz", ".tgz")):
            fd, tmp = tempfile.mkstemp(dir=parent, prefix=".snapshot-")
            try:
                with os.fdopen(fd, "wb") as raw, tarfile.open(fileobj=raw, mode="w:gz") as tar:
                    top = os.path.basename(out).split(".")[0] or "snapshot"  # .x.tar.gz
                    for name, data in sorted(files.items()):
                        info = tarfile.TarInfo("%s/%s" % (top, name))
                        info.size = len(data)
                        info.mtime = int(time.time())
                        info.mode = 0o644
                        tar.addfile(info, io.BytesIO(data))
                os.rename(tmp, out)
            except BaseException:
                with contextlib.suppress(OSError):
                    os.unlink(tmp)  # a full disk leaves nothing half-written behind
                raise
        else:
            tmp = tempfile.mkdtemp(dir=parent, prefix=".snapshot-")
            try:
                for name, data in files.items():
                    path = os.path.join(tmp, name)
                    os.makedirs(os.path.dirname(path), exist_ok=True)
                    with open(path, "wb") as fh:
                        fh.write(data)
                os.rename(tmp, out)
            except BaseException:
                shutil.rmtree(tmp, ignore_errors=True)
                raise
    except OSError as exc:
        raise UsageError(_("cannot write snapshot {path}: {err}").format(path=out, err=os_error_reason(exc)))
    return out
