"""Start the slowest probe (the docker CLI) before the rest of dldoctor is even imported.

`docker info` takes about as long as importing dldoctor does; started first, the two overlap. The
process is handed to host.process.run, which treats it as if it had started it (same argv, same
environment, same time limit counted from the real start). Only os, subprocess and dldoctor.probe_argv are imported here.
"""
from __future__ import annotations

import os
import subprocess
import time

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Dict, Optional, Sequence, Tuple

from dldoctor.probe_argv import DOCKER_INFO  # noqa: F401  (main starts it: the docker-info.json evidence)

_started: Dict[Tuple[str, ...], Tuple["subprocess.Popen[bytes]", float]] = {}


def start(argv: Sequence[str]) -> None:
    """Start `argv` now, with this process's environment; quietly nothing if it cannot start."""
    key = tuple(argv)
    try:
        proc = subprocess.Popen(key, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, env=dict(os.environ), start_new_session=True)
    except OSError:
        return
    _started[key] = (proc, time.monotonic())


def take(argv: Sequence[str], env: Dict[str, str]) -> Optional[Tuple["subprocess.Popen[bytes]", float]]:
    """The process started for `argv` (and when), if it ran with `env`; each is taken once."""
    found = _started.pop(tuple(argv), None)
    if found is not None and env != dict(os.environ):
        _discard(found[0])
        return None
    return found


def discard_all() -> None:
    """Stop and reap whatever was started and not taken (the command line went another way)."""
    while _started:
        _discard(_started.popitem()[1][0])


def _discard(proc: "subprocess.Popen[bytes]") -> None:
    try:
        proc.kill()
        proc.communicate(timeout=1)
    except (OSError, subprocess.TimeoutExpired):
        pass
