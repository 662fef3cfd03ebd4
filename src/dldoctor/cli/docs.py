"""`dldoctor docs ID`: the page of a finding, help that travels with the program.

The findings pages (docs/findings/<id>.md in the repository) ship as package data
`dldoctor/findings/<id>.md` and are read through pkgutil, so `docs` works the same from a
checkout, a wheel and dldoctor.pyz on a host with no network.
"""
from __future__ import annotations

import difflib
import pkgutil
import re
import sys
from typing import TYPE_CHECKING, List, Optional

from dldoctor.i18n import _

if TYPE_CHECKING:
    import typer

_ID = re.compile(r"^[a-z0-9][a-z0-9.-]{0,80}$")


def page(problem_id: str) -> Optional[str]:
    """The findings page of one problem ID, or None when there is none."""
    if not _ID.match(problem_id) or ".." in problem_id:
        return None
    try:
        raw = pkgutil.get_data("dldoctor", "findings/%s.md" % problem_id)
    except (OSError, ValueError):
        return None
    return None if raw is None else raw.decode("utf-8", "replace")


def known_ids() -> List[str]:
    from dldoctor import catalog

    return sorted(catalog.PROBLEMS)


def register(app: "typer.Typer") -> None:
    """Add `docs` to the typer app."""
    import typer

    from dldoctor.cli.errors import guarded
    from dldoctor.errors import UsageError

    @app.command("docs", help=_("Print the page of a finding (what it means, how to fix it); without an ID, list them."))
    @guarded
    def docs(
        problem_id: Optional[str] = typer.Argument(None, metavar="ID", help=_("A problem ID, as `check` prints it (e.g. toolkit.missing).")),
    ) -> None:
        from dldoctor import catalog

        if problem_id is None:
            for pid in known_ids():
                typer.echo("%-32s %s" % (pid, catalog.title(pid)))
            return
        text = page(problem_id)
        if text is None:
            hint = difflib.get_close_matches(problem_id, known_ids(), n=3)
            msg = _("no page for {id!r}").format(id=problem_id)
            if hint:
                msg += "; " + _("did you mean: {ids}?").format(ids=", ".join(hint))
            else:
                msg += "; " + _("`dldoctor docs` lists every ID")
            raise UsageError(msg)
        if sys.stdout.isatty():
            from rich.console import Console
            from rich.markdown import Markdown

            Console().print(Markdown(text))
        else:
            sys.stdout.write(text if text.endswith("\n") else text + "\n")
