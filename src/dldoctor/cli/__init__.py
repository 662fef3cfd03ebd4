"""The command line: one module per command (or group), wired in cli/commands.py.

Wiring only: options in, one domain call, a rendered result, an exit code (cli/errors.py is the
one place an exception becomes a message). Importing this package loads nothing: the fast path
of `check` (main.py) uses cli/check.py without Typer.
"""
from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


def __getattr__(name: str) -> Any:
    """`from dldoctor.cli import app`: the Typer app, built on first use."""
    if name == "app":
        from dldoctor.cli.commands import app

        return app
    raise AttributeError(name)
