"""`dldoctor completion SHELL`: Typer's own completion (`_DLDOCTOR_COMPLETE`), printed for the
user to source; nothing is written into rc files."""
from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING

from dldoctor.i18n import _

if TYPE_CHECKING:
    import typer

SHELLS = ("bash", "zsh", "fish")
COMPLETE_VAR = "_DLDOCTOR_COMPLETE"


def completion_script(shell: str, prog_name: str = "dldoctor") -> str:
    from typer._completion_shared import get_completion_script

    return str(get_completion_script(prog_name=prog_name, complete_var=COMPLETE_VAR, shell=shell))


def register(app: "typer.Typer") -> None:
    """Add `completion` to the typer app (and answer the shell when it asks for completions)."""
    import typer

    from dldoctor.cli.errors import guarded
    from dldoctor.errors import UsageError

    if os.environ.get(COMPLETE_VAR):
        # The shell is asking for completions: Typer answers them in app() once its completion
        # classes are registered (add_completion=False skips that, and its --install-completion).
        from typer._completion_classes import completion_init

        completion_init()

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
