"""`dldoctor snapshot OUT`: record this host's evidence for a bug report (secrets dropped)."""
from __future__ import annotations

from typing import TYPE_CHECKING

from dldoctor.i18n import _

if TYPE_CHECKING:
    import typer


def register(app: "typer.Typer") -> None:
    """Add `dldoctor snapshot` to the Typer app."""
    import typer

    from dldoctor.cli.errors import guarded
    from dldoctor.cli.options import root_option, timeout_option

    @app.command("snapshot", help=_("Record this host's evidence for a bug report (no secrets: credentials and proxy passwords are dropped)."))
    @guarded
    def snapshot_cmd(
        out: str = typer.Argument(..., metavar="OUT", help=_("Directory to create, or a name ending in .tar.gz.")),
        root: str = root_option(),
        timeout: float = timeout_option(),
        probe: bool = typer.Option(True, "--probe/--no-probe", help=_("Probe configured registry mirrors and record the result.")),
    ) -> None:
        from dldoctor.host.factory import make_host
        from dldoctor.record import write_snapshot
        from dldoctor.scrub import safe

        _check_out(out)
        path = write_snapshot(make_host(root, timeout), out, probe)
        typer.echo(safe(_("snapshot written to {path}").format(path=path)))


def _check_out(out: str) -> None:
    """Refuse OUT before the evidence is gathered: empty, or a name that already exists (a link
    counts, even a dangling one: the snapshot is a new name, never a replaced link)."""
    import os

    from dldoctor.errors import UsageError

    if not out:
        raise UsageError(_("OUT is empty: name a directory to create or a file ending in .tar.gz"))
    if os.path.lexists(out) or os.path.lexists(out.rstrip("/") or "/"):   # (`name/` follows a dangling link)
        raise UsageError(_("{path} already exists; choose a new name").format(path=os.path.abspath(out)))
