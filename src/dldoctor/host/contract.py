"""The Host contract and its records (CommandResult, Evidence, HttpResponse), imported on first
use through dldoctor.host: importing the package alone (for host.prefetch) stays cheap."""
from __future__ import annotations

import sys
import threading

from dldoctor.records import field, frozen_record

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Dict, Optional, Sequence, Set, Tuple

NOT_FOUND = 127
# Evidence.exit of a file that is a directory (errno EISDIR): dockerd cannot read a daemon.json made
# one (a bind mount of a missing file makes it), and does not start
IS_A_DIRECTORY = 21

_warned: Set[str] = set()
_warn_lock = threading.Lock()


def warn(message: str) -> None:
    """Tell the user (stderr, once per message) what the host layer skipped, cut or refused.

    Messages quote evidence (snapshot member names, paths under a root): shown masked, with
    control characters escaped, like every other line dldoctor prints."""
    from dldoctor.scrub import safe

    message = safe(message)
    with _warn_lock:
        if message in _warned:
            return
        _warned.add(message)
    try:
        sys.stderr.write("dldoctor: %s\n" % message)
    except (OSError, ValueError):
        pass


@frozen_record
class CommandResult:
    """What a command did. rc None = it did not finish (timed out or could not start)."""

    argv: Tuple[str, ...]
    rc: Optional[int]
    stdout: str = ""
    stderr: str = ""
    timed_out: bool = False
    error: Optional[str] = None
    truncated: bool = False         # stopped: its output passed the per-command limit

    @property
    def not_found(self) -> bool:
        return self.rc == NOT_FOUND

    @property
    def ok(self) -> bool:
        return self.rc == 0

    @property
    def output(self) -> str:
        if self.stdout and self.stderr:
            sep = "" if self.stdout.endswith("\n") else "\n"
            return self.stdout + sep + self.stderr
        return self.stdout or self.stderr


@frozen_record
class Evidence:
    """One named piece of evidence (named like the snapshot file). text None = not collected."""

    name: str
    text: Optional[str]
    exit: Optional[int] = None
    source: str = ""
    timed_out: bool = False

    @property
    def collected(self) -> bool:
        return self.text is not None

    @property
    def not_found(self) -> bool:
        return self.exit == NOT_FOUND

    @property
    def missing(self) -> bool:
        """A file looked for and not there, recorded as `cat` answers (exit 1, no text): not the
        same as not collected."""
        return self.exit == 1 and not self.text


@frozen_record
class HttpResponse:
    url: str
    status: Optional[int]
    headers: Dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    elapsed: float = 0.0
    error: Optional[str] = None

    def header(self, name: str) -> Optional[str]:
        low = name.lower()
        for k, v in self.headers.items():
            if k.lower() == low:
                return v
        return None


class Host:
    """Interface. `root` is the filesystem prefix ("/" for the machine itself)."""

    root = "/"
    is_live = False

    def evidence(self, name: str) -> Evidence:  # pragma: no cover - interface
        raise NotImplementedError

    def gather(self, names: Sequence[str]) -> Dict[str, Evidence]:
        """Collect several pieces of evidence (live hosts do this concurrently)."""
        return {n: self.evidence(n) for n in names}

    def evidence_group(self, prefix: str) -> Dict[str, Evidence]:  # pragma: no cover - interface
        """Every piece of evidence under `prefix` (apt-sources/), by snapshot name."""
        raise NotImplementedError

    def read(self, path: str) -> Optional[bytes]:
        """A file's bytes under the root, None when absent or unreadable."""
        raise NotImplementedError

    def listdir(self, path: str) -> Optional[Tuple[str, ...]]:
        raise NotImplementedError

    def run(self, argv: Sequence[str], timeout: Optional[float] = None,
            input: Optional[bytes] = None) -> CommandResult:
        raise NotImplementedError

    def http_get(self, url: str, timeout: float = 5.0,
                 headers: Optional[Dict[str, str]] = None) -> HttpResponse:
        raise NotImplementedError

    def getenv(self, name: str) -> Optional[str]:
        return None
