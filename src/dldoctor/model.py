"""The values that flow through dldoctor: findings and reports (the JSON contract in types), and plans.

Checks return Findings; provision steps return Plans; only the executor turns a Plan into writes.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Dict, Optional, Tuple, Union

SCHEMA = "dldoctor.report/1"

OK, WARN, FAIL, SKIP = "ok", "warn", "fail", "skip"
STATUSES = (OK, WARN, FAIL, SKIP)


@dataclass(frozen=True)
class Finding:
    """One check's verdict. `problem` is a catalog ID (dldoctor.catalog) or None when ok/skip."""

    check: str
    status: str
    problem: Optional[str]
    title: str
    detail: str = ""
    evidence: Tuple[str, ...] = ()
    fix: Optional[str] = None
    area: str = ""
    confidence: Optional[float] = None

    def to_json(self) -> Dict[str, object]:
        out: Dict[str, object] = {
            "check": self.check,
            "status": self.status,
            "problem": self.problem,
            "title": self.title,
            "detail": self.detail,
            "evidence": list(self.evidence),
            "fix": self.fix,
        }
        if self.area:
            out["area"] = self.area
        if self.confidence is not None:
            out["confidence"] = round(self.confidence, 2)
        return out


@dataclass(frozen=True)
class Report:
    findings: Tuple[Finding, ...]
    root_causes: Tuple[str, ...]

    @property
    def summary(self) -> Dict[str, int]:
        counts = {s: 0 for s in STATUSES}
        for f in self.findings:
            counts[f.status] += 1
        return counts

    @property
    def exit_code(self) -> int:
        return 1 if any(f.status == FAIL for f in self.findings) else 0

    def to_json(self) -> Dict[str, object]:
        from dldoctor import __version__

        return {
            "schema": SCHEMA,
            "dldoctor_version": __version__,  # which release judged (bug reports, fleets)
            "findings": [f.to_json() for f in self.findings],
            "root_causes": list(self.root_causes),
            "summary": self.summary,
        }


# --- plans -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FileWrite:
    """Write `after` to `path` (a path on the target host, relative to --root). `before` None = new file."""

    path: str
    before: Optional[bytes]
    after: bytes
    mode: Optional[int] = None
    # Checked on the temp file before the rename (argv, "{path}" = the temp file), as ansible's
    # `validate: dockerd --validate --config-file %s`.
    validate: Optional[Tuple[str, ...]] = None

    def diff(self) -> str:
        import difflib

        if _binary(self.before) or _binary(self.after):
            return _binary_note(self.path, self.before, self.after)
        a = (self.before or b"").decode("utf-8", "replace").splitlines(keepends=True)
        b = self.after.decode("utf-8", "replace").splitlines(keepends=True)
        src = self.path if self.before is not None else "/dev/null"
        lines = difflib.unified_diff(a, b, fromfile=src, tofile=self.path)
        return "".join(l if l.endswith("\n") else l + "\n\\ No newline at end of file\n" for l in lines)


@dataclass(frozen=True)
class FileRemove:
    path: str
    before: bytes

    def diff(self) -> str:
        import difflib

        if _binary(self.before):
            return _binary_note(self.path, self.before, None)
        a = self.before.decode("utf-8", "replace").splitlines(keepends=True)
        return "".join(difflib.unified_diff(a, [], fromfile=self.path, tofile="/dev/null"))


def _binary(data: Optional[bytes]) -> bool:
    if not data:
        return False
    if b"\0" in data:
        return True
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return True
    return False


def _binary_note(path: str, before: Optional[bytes], after: Optional[bytes]) -> str:
    """A binary file (a dearmored keyring) shown as sizes and hashes, not as bytes."""
    import hashlib

    def one(data: Optional[bytes]) -> str:
        if data is None:
            return "(none)"
        return "%d bytes, sha256 %s" % (len(data), hashlib.sha256(data).hexdigest()[:16])

    return "Binary file %s: %s -> %s\n" % (path, one(before), one(after))


@dataclass(frozen=True)
class Run:
    """A command to run on the target (chrooted under --root). `undo` is the command that reverses it."""

    argv: Tuple[str, ...]
    why: str
    undo: Optional[Tuple[str, ...]] = None
    env: Tuple[Tuple[str, str], ...] = ()


@dataclass(frozen=True)
class DaemonAction:
    """Make dockerd take new configuration: "reload" (SIGHUP, containers keep running) or "restart"."""

    action: str
    why: str


Change = Union[FileWrite, FileRemove, Run, DaemonAction]


@dataclass(frozen=True)
class Plan:
    """What one provision step would do. An empty `changes` means nothing to do."""

    step: str
    changes: Tuple[Change, ...] = ()
    notes: Tuple[str, ...] = ()
    warnings: Tuple[str, ...] = ()
    blocked: str = ""        # why the step could not be planned ("": it was)
    unblock: str = ""        # how to get past that (an option, a file to correct)
    not_needed: str = ""     # why there is nothing for this step to do, when that needs saying

    @property
    def empty(self) -> bool:
        """Nothing to do: no change, and not blocked."""
        return not self.changes and not self.blocked
