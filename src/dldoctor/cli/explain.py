"""`dldoctor explain TEXT`: the likely root causes of an error message, ranked."""
from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Optional

from dldoctor.i18n import _

if TYPE_CHECKING:
    import typer

# What `explain -` reads of stdin: a pasted log is far smaller; a stream that never ends
# (`journalctl -f | dldoctor explain -`) is read up to here, not waited on forever.
STDIN_LIMIT = 1024 * 1024


def _read_stdin() -> str:
    """At most STDIN_LIMIT bytes of stdin (said on stderr when there was more), as text; bytes
    that are not UTF-8 are kept as \\xNN (surrogateescape), never an error."""
    from dldoctor.cli.errors import say
    from dldoctor.errors import UsageError

    if sys.stdin is None:
        raise UsageError(_("standard input is closed: give the error text as an argument, or "
                           "pipe it in"))
    data = sys.stdin.buffer.read(STDIN_LIMIT + 1)
    if len(data) > STDIN_LIMIT:
        data = data[:STDIN_LIMIT]
        say(_("standard input holds more than {n} bytes: only the first {n} were read").format(
            n=STDIN_LIMIT))
    return data.decode("utf-8", "surrogateescape")


def register(app: "typer.Typer") -> None:
    """Add `dldoctor explain` to the Typer app."""
    import typer

    from dldoctor.cli.errors import guarded
    from dldoctor.cli.options import (root_option, timeout_option,
                                      verbose_option)

    @app.command(help=_('Name the likely root causes of an error message, ranked, each with why and the fix.'))
    @guarded
    def explain(
        text: Optional[str] = typer.Argument(None, metavar="TEXT", help=_("The error text, or - to read it from stdin.")),
        json_out: bool = typer.Option(False, "--json", help=_("Print the result as JSON.")),
        no_host: bool = typer.Option(False, "--no-host", help=_("Use the text alone, not this host's evidence.")),
        command: Optional[str] = typer.Option(None, "--command", metavar="COMMAND", help=_("The command that printed the error.")),
        root: str = root_option(),
        timeout: float = timeout_option(),
        verbose: bool = verbose_option(),
    ) -> None:
        from dldoctor.cli.check import emit
        from dldoctor.diagnose import SYMPTOM_CHECK
        from dldoctor.errors import UsageError
        from dldoctor.explain import explain as run_explain
        from dldoctor.host.factory import make_host

        if text is None:
            raise UsageError(_("give the error text as an argument, or - to read it from stdin"))
        if text == "-":
            text = _read_stdin()
        if not text.strip():
            raise UsageError(_("the error text is empty"))
        from dldoctor.catalog import PROBLEMS

        if text.strip() in PROBLEMS:
            # an ID copied from check's output: its page says what it means, the model would guess
            raise UsageError(_("{id} is a problem ID, not an error text: `dldoctor docs {id}` explains it").format(
                id=text.strip()))
        host = None if no_host else make_host(root, timeout)
        report = run_explain(text, host, command=command)
        # a cause the rules read in the text, or the word model's guess when it is fairly sure (its
        # guesses at 0.5 or more are right 82% of the time); a 4% guess on noise names nothing
        matched = any(f.check == SYMPTOM_CHECK and (not f.guess or (f.confidence or 0.0) >= 0.5)
                      for f in report.findings)
        emit(report, json_out, verbose, explained=matched)
        raise typer.Exit(0 if matched and report.root_causes else 1)
