"""`dldoctor docs ID` and `dldoctor completion SHELL`: help that travels with the program.

The findings pages (docs/findings/<id>.md in the repository) ship as package data
`dldoctor/findings/<id>.md` and are read through pkgutil, so `docs` works the same from a
checkout, a wheel and dldoctor.pyz on a host with no network. Completion is Typer's own
(`_DLDOCTOR_COMPLETE`), printed for the user to source; nothing is written into rc files.
"""
from __future__ import annotations

import difflib
import os
import pkgutil
import re
import sys
from typing import Any, List, Optional

from dldoctor.i18n import _

SHELLS = ("bash", "zsh", "fish")
COMPLETE_VAR = "_DLDOCTOR_COMPLETE"
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


def completion_script(shell: str, prog_name: str = "dldoctor") -> str:
    from typer._completion_shared import get_completion_script

    return get_completion_script(prog_name=prog_name, complete_var=COMPLETE_VAR,
                                 shell=shell)


def register(app: Any) -> None:
    """Add `docs` and `completion` to the typer app."""
    import typer

    from dldoctor.cli import guarded
    from dldoctor.errors import UsageError

    if os.environ.get(COMPLETE_VAR):
        # The shell is asking for completions: Typer answers them in app() once its completion
        # classes are registered (add_completion=False skips that, and its --install-completion).
        from typer._completion_classes import completion_init

        completion_init()

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

    @app.command("completion", help=_("Print the shell completion script for bash, zsh or fish (nothing is installed)."))
    @guarded
    def completion(
        shell: str = typer.Argument(..., metavar="SHELL", help=_("bash, zsh or fish.")),
    ) -> None:
        if shell not in SHELLS:
            raise UsageError(_("unknown shell {shell!r}: choose bash, zsh or fish").format(shell=shell))
        typer.echo(completion_script(shell))
        if sys.stdout.isatty():
            hints = {"bash": "eval \"$(dldoctor completion bash)\"  # ~/.bashrc",
                     "zsh": "eval \"$(dldoctor completion zsh)\"  # ~/.zshrc",
                     "fish": "dldoctor completion fish | source  # ~/.config/fish/config.fish"}
            sys.stderr.write(_("To enable it, add to your shell's start-up file: {line}").format(line=hints[shell]) + "\n")
