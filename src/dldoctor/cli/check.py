"""`dldoctor check`: diagnose this host (or a snapshot) and render the report.

`run_check` is shared by the Typer command and the fast path of main.py (a plain `check` that
skips Typer's start-up); nothing here is imported at module level beyond what `check` needs, so
a `check` never loads fix, fleet or mirrors code.
"""
from __future__ import annotations

import sys

from dldoctor.i18n import _

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, List, Optional, Sequence

    import typer


def run_check(json_out: bool = False, verbose: bool = False, snapshot: Optional[str] = None,
              root: str = "/", timeout: float = 10.0, probe: bool = True,
              only: Sequence[str] = (), list_checks: bool = False, lang: Optional[str] = None) -> int:
    """Diagnose (host or snapshot), render, return the exit code."""
    from dldoctor import gather
    from dldoctor.checks import CHECKS
    from dldoctor.diagnose import diagnose
    from dldoctor.host.factory import make_host

    if lang:
        from dldoctor.i18n import use_language

        use_language(lang)
    if list_checks:
        list_check_names(json_out)
        return 0
    names = [c.name for c in CHECKS]
    for name in only:
        if name not in names:
            from dldoctor.errors import UsageError

            raise UsageError(_("unknown check {name!r}: dldoctor check --list names them").format(
                name=name))
    host = make_host(root, timeout, snapshot)
    report = diagnose(gather.collect(host, probe_mirrors=probe), only=tuple(only))
    emit(report, json_out, verbose)
    return int(report.exit_code)


def list_check_names(json_out: bool) -> None:
    """`check --list`: every check's name and what it looks at, one line each."""
    from dldoctor.checks import CHECKS

    if json_out:
        import json

        # an object with its schema, as every other --json output (it was a bare array)
        sys.stdout.write(json.dumps({"schema": "dldoctor.checks/1", "checks": [
            {"check": c.name, "area": c.area, "about": _(c.about)} for c in CHECKS]},
            indent=2, ensure_ascii=False) + "\n")
        return
    width = max(len(c.name) for c in CHECKS)
    for c in CHECKS:
        sys.stdout.write("%-*s  %s\n" % (width, c.name, _(c.about)))


def emit(report: Any, json_out: bool, verbose: bool, heading: Optional[str] = None,
         explained: Optional[bool] = None) -> None:
    """explained: None for a host report; for `explain`, whether the text matched a known cause."""
    if json_out:
        from dldoctor.render import json as render_json

        render_json.render(report)
    else:
        from dldoctor.render import human

        human.render(report, verbose=verbose, heading=heading, explained=explained)


def register(app: "typer.Typer") -> None:
    """Add `dldoctor check` to the Typer app."""
    # Typer reads the command's annotations (strings) in this module's namespace; `typing` is
    # imported here, not at the top, so that the fast path of a plain `check` (main.py) never
    # loads it.
    global List, Optional
    from typing import List, Optional

    import typer

    from dldoctor.cli.errors import guarded
    from dldoctor.cli.options import (lang_option, probe_option, report_json_option, root_option,
                                      timeout_option, verbose_option)

    @app.command(help=_('Diagnose this host (or a snapshot): driver, Docker, daemon.json, toolkit, runtime, mirrors.'))
    @guarded
    def check(
        json_out: bool = report_json_option(),
        verbose: bool = verbose_option(),
        snapshot: Optional[str] = typer.Option(None, "--snapshot", metavar="PATH", help=_("Diagnose a snapshot (directory or .tar.gz) instead of this host.")),
        root: str = root_option(),
        timeout: float = timeout_option(),
        probe: bool = probe_option(),
        only: List[str] = typer.Option([], "--only", metavar="CHECK", help=_("Run only this check (repeatable); --list names them.")),
        list_checks: bool = typer.Option(False, "--list", help=_("List the checks, one line each, and exit.")),
        lang: Optional[str] = lang_option(),
    ) -> None:
        raise typer.Exit(run_check(json_out, verbose, snapshot, root, timeout, probe, only=only,
                                   list_checks=list_checks))
