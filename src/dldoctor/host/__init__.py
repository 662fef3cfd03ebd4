"""The one door to the machine: every file read, command and HTTP request goes through a Host.

Two faces share this contract: LiveHost (the machine, under a root prefix) and SnapshotHost (a
recorded evidence directory or tarball); recorder writes what a LiveHost collected as a snapshot.

Nothing outside this package opens a file, starts or signals a process or reads /proc
(tests/test_one_door.py). The building blocks: process (the one runner: timeout, output cap,
process-group kill; stream, spawn), paths (a root's paths, bounded no-follow reads), proc (/proc
and signals), dockerd (dockerd's pid), fsops (crash-safe writes), devnull. Two writers change the
machine: HostWriter (files, commands) and daemon_control (the running dockerd).
"""
from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:   # not even typing is imported before the contract is used
    from typing import Any

    from dldoctor.host.contract import IS_A_DIRECTORY as IS_A_DIRECTORY
    from dldoctor.host.contract import NOT_FOUND as NOT_FOUND
    from dldoctor.host.contract import CommandResult as CommandResult
    from dldoctor.host.contract import Evidence as Evidence
    from dldoctor.host.contract import Host as Host
    from dldoctor.host.contract import HttpResponse as HttpResponse
    from dldoctor.host.contract import warn as warn

_CONTRACT = frozenset(("NOT_FOUND", "IS_A_DIRECTORY", "warn", "CommandResult", "Evidence", "HttpResponse", "Host"))


def __getattr__(name: str) -> Any:
    # The contract loads on first use: main starts `docker info` (host.prefetch) before paying
    # for dataclasses and typing, so the probe runs while the rest is imported.
    if name in _CONTRACT:
        from dldoctor.host import contract

        return getattr(contract, name)
    raise AttributeError("module %r has no attribute %r" % (__name__, name))
