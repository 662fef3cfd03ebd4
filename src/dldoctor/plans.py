"""Plans: what a provision step would change (file writes and removals, commands, a daemon
reload), computed before anything is done; only the executor turns a Plan into writes."""
from __future__ import annotations

from typing import Optional, Tuple, Union

from dldoctor.records import frozen_record
from dldoctor.scrub import hide_json_secrets, text_lines


@frozen_record
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
        a = text_lines((self.before or b"").decode("utf-8", "replace"), keepends=True)
        b = text_lines(self.after.decode("utf-8", "replace"), keepends=True)
        src = self.path if self.before is not None else "/dev/null"
        lines = difflib.unified_diff(a, b, fromfile=src, tofile=self.path)
        return _shown("".join(l if l.endswith("\n") else l + "\n\\ No newline at end of file\n"
                              for l in lines), self.path, self.before, self.after)


@frozen_record
class FileRemove:
    path: str
    before: bytes

    def diff(self) -> str:
        import difflib

        if _binary(self.before):
            return _binary_note(self.path, self.before, None)
        a = text_lines(self.before.decode("utf-8", "replace"), keepends=True)
        return _shown("".join(difflib.unified_diff(a, [], fromfile=self.path, tofile="/dev/null")),
                      self.path, self.before, None)


def _shown(diff: str, path: str, *contents: Optional[bytes]) -> str:
    """A JSON file's diff with the secrets its documents hold hidden (the output masks it again
    line by line, which cannot see a value on another line than its key)."""
    if not path.endswith(".json"):
        return diff
    return hide_json_secrets(diff, *(c.decode("utf-8", "replace") for c in contents if c))


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

    from dldoctor.i18n import _

    def one(data: Optional[bytes]) -> str:
        if data is None:
            return _("(none)")
        return _("{n} bytes, sha256 {hash}").format(n=len(data), hash=hashlib.sha256(data).hexdigest()[:16])

    return _("Binary file {path}: {before} -> {after}").format(path=path, before=one(before), after=one(after)) + "\n"


@frozen_record
class Run:
    """A command to run on the target (chrooted under --root). `undo` is the command that reverses it."""

    argv: Tuple[str, ...]
    why: str
    undo: Optional[Tuple[str, ...]] = None
    env: Tuple[Tuple[str, str], ...] = ()
    # Its failure can leave part of it done (apt-get unpacks some packages, then stops): undo
    # still offers `undo`. Otherwise a command that failed changed nothing, and is not undone.
    partial: bool = False


@frozen_record
class DaemonAction:
    """Make dockerd take new configuration: "reload" (SIGHUP, containers keep running) or "restart"."""

    action: str
    why: str


Change = Union[FileWrite, FileRemove, Run, DaemonAction]


@frozen_record
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
