"""Which face of the host a command talks to: a snapshot, or the live machine under a root."""
from __future__ import annotations

import os

from dldoctor.errors import UsageError
from dldoctor.i18n import _

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Optional


def make_host(root: str = "/", timeout: float = 10.0, snapshot: Optional[str] = None):
    if snapshot is not None:       # "" is a mistake to report, never "check this host"
        if root and os.path.realpath(root) != "/":
            # one or the other: a snapshot is a recorded host, and --root would be ignored untold
            raise UsageError(_("--snapshot and --root name two different hosts: give one of them"))
        from dldoctor.host.snapshot import SnapshotHost

        return SnapshotHost(snapshot)
    if not os.path.isdir(root):
        raise UsageError(_("--root {root} is not a directory").format(root=root))
    if timeout <= 0:
        raise UsageError(_("--timeout must be positive"))
    from dldoctor.host.live import LiveHost

    return LiveHost(root=root, timeout=timeout)
