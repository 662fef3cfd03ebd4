"""`python tests/provision/slow_writes.py SECONDS ARGS...`: dldoctor ARGS with a pause after each
of the journal's steps (the backup, the journal entry, the write or removal), so that a test's
SIGKILL lands inside the write window. Test-only: the product has no such hook."""
from __future__ import annotations

import functools
import runpy
import sys
import time


def _pause_after(owner, name, delay):
    orig = getattr(owner, name)

    @functools.wraps(orig)
    def slowed(*args, **kwargs):
        result = orig(*args, **kwargs)
        time.sleep(delay)
        return result

    setattr(owner, name, slowed)


def main() -> None:
    delay = float(sys.argv[1])
    from dldoctor import journal
    from dldoctor.host import fsops
    from dldoctor.host.writer import HostWriter

    _pause_after(fsops, "backup_copy", delay)
    _pause_after(journal.Transaction, "_append", delay)
    _pause_after(HostWriter, "write_atomic", delay)
    _pause_after(HostWriter, "remove", delay)
    sys.argv = ["dldoctor"] + sys.argv[2:]
    runpy.run_module("dldoctor", run_name="__main__", alter_sys=True)


if __name__ == "__main__":
    main()
