"""HostWriter: the one narrow door through which dldoctor changes a machine.

Only the executor (and undo) hold one. Paths are target paths ("/etc/docker/daemon.json"), joined
under the root; symlinks are followed inside the root, as the target machine itself would follow
them (host.paths.resolve: absolute links re-rooted, a `..` above the root refused), and every
open walks from the root without following links (fsops with root=...). Commands run chrooted
into the root when it is not "/".
"""
from __future__ import annotations

import errno
import os

from dldoctor.errors import ApplyFailed
from dldoctor.host import CommandResult, fsops, paths, process
from dldoctor.i18n import _

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Callable, Dict, Optional, Sequence, Tuple

EDIT_LIMIT = 16 << 20    # bytes of a file dldoctor edits, backs up or restores (real ones: < 100 KB)


class HostWriter:
    def __init__(self, root: str = "/", env: Optional[Dict[str, str]] = None,
                 timeout: float = 120.0):
        self.root = os.path.abspath(root or "/")
        self.env = dict(os.environ if env is None else env)
        self.timeout = timeout

    # --- paths -----------------------------------------------------------------------------------

    def live_path(self, target: str) -> str:
        """The path on this machine that `target` names on the target, symlinks resolved in root
        (paths.UnsafePath when a link would lead out of it)."""
        return paths.resolve(self.root, target)

    def target_path(self, live: str) -> str:
        """A live path as the target sees it (the root prefix stripped)."""
        return paths.target_of(self.root, live)

    # --- files -----------------------------------------------------------------------------------
    def read(self, path: str) -> Optional[bytes]:
        """Bytes of target `path`, None when it does not exist. A file over EDIT_LIMIT is never
        read into memory: ApplyFailed (its plan came from the first 1 MiB, so it could not be
        edited anyway)."""
        try:
            return fsops.read_bytes(self.live_path(path), root=self.root, limit=EDIT_LIMIT)
        except OSError as exc:
            if exc.errno != errno.EFBIG:
                raise
            raise ApplyFailed(_("{path} is larger than {n} MiB; dldoctor does not edit a file "
                                "that large").format(path=path, n=EDIT_LIMIT >> 20)) from None

    def stat(self, path: str) -> Optional[os.stat_result]:
        try:
            return os.lstat(self.live_path(path))
        except FileNotFoundError:
            return None

    def write_atomic(self, path: str, data: bytes, mode: Optional[int] = None,
                     owner: Optional[Tuple[int, int]] = None,
                     validate: Optional[Sequence[str]] = None) -> None:
        """Replace target `path` atomically (fsops.atomic_write), creating its directory.

        `validate`: argv run on the finished temp file before the rename, "{path}" standing for
        the temp file's target path; a non-zero exit stops the write (ApplyFailed with its output).
        """
        live = self.live_path(path)
        fsops.makedirs(os.path.dirname(live), root=self.root)
        check = self._validator(path, validate) if validate else None
        fsops.atomic_write(live, data, mode=mode, validate=check, owner=owner, root=self.root)

    def _validator(self, path: str, argv: Sequence[str]) -> Callable[[str], None]:
        def check(tmp: str) -> None:
            res = self.run([a.replace("{path}", self.target_path(tmp)) for a in argv], timeout=60)
            if not res.ok:
                raise ApplyFailed(_("{argv} rejected the new {path}: {output}").format(
                    argv=" ".join(argv[:2]), path=path,
                    output=(res.output or res.error or "").strip()))
        return check

    def remove(self, path: str) -> None:
        fsops.remove(self.live_path(path), root=self.root)

    # --- commands --------------------------------------------------------------------------------
    def run(self, argv: Sequence[str], timeout: Optional[float] = None,
            env: Optional[Dict[str, str]] = None, input: Optional[bytes] = None) -> CommandResult:
        """Run `argv` on the target (chrooted when root is not "/"); never hangs past `timeout`."""
        real = tuple(argv) if self.root == "/" else ("chroot", self.root) + tuple(argv)
        return process.run(real, timeout=self.timeout if timeout is None else timeout,
                           input=input, env=env or self.env)
