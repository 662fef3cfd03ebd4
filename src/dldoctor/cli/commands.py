"""The Typer app: the global options and every command, registered here and only here.

Each command lives in its own module (check, snapshot, explain, verify, fix/undo, mirrors, docs,
completion, fleet) whose `register(app)` defines it; importing one costs only its option
definitions, the work is imported when the command runs. Building the app fixes the language of
every help text, so main.py applies --lang before it imports this module.
"""
from __future__ import annotations

from typing import Optional

import typer

from dldoctor import __version__
from dldoctor.cli import (check, completion, docs, explain, fix, fleet, mirrors, snapshot,
                          verify)
from dldoctor.cli.help import add_examples
from dldoctor.cli.i18n import install as translate_click
from dldoctor.cli.options import add_lang_option, lang_option
from dldoctor.i18n import _

# -h beside --help: the context setting is inherited by every subcommand, whoever registers it.
app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                  context_settings={"help_option_names": ["-h", "--help"]},
                  help=_("Diagnose, fix and verify GPU deep-learning hosts that run their work in Docker."))


def _version_cb(value: bool) -> None:
    if value:
        typer.echo("dldoctor %s" % __version__)
        raise typer.Exit(0)


@app.callback()
def main_options(version: bool = typer.Option(False, "--version", callback=_version_cb, is_eager=True,
                                              help=_("Print the version and exit.")),
                 lang: Optional[str] = lang_option()) -> None:
    """dldoctor: tells exactly what stands between this host and a working GPU container."""


# The order of `dldoctor --help`.
for command in (check, snapshot, explain, verify, fix, mirrors, docs, completion, fleet):
    command.register(app)
add_lang_option(app)
add_examples(app)
translate_click()
