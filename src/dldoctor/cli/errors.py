"""The CLI's one error boundary: every exception that ends a command becomes a message and an exit
code here, whichever door it came through (the fast `check` path of main.py, a Typer command, the
final flush of stdout), so a user never sees a traceback and two commands never word the same
failure differently.

Exit codes: 0 ok, 1 a finding fails or an action failed, 2 bad usage or unreadable input, 130
interrupted. A command with --json (fix, undo) gets its error as a JSON document on stdout.
"""
from __future__ import annotations

import contextlib
import functools
import json
import os
import sys
from typing import Any, Callable, Iterator, Optional, TypeVar

from dldoctor.errors import DldoctorError, Refused

F = TypeVar("F", bound=Callable[..., Any])


def say(message: str) -> None:
    """`dldoctor: message` on stderr, terminal-safe; later lines indented under the first."""
    from dldoctor.scrub import safe, text_lines

    for i, line in enumerate(text_lines(message) or [""]):
        sys.stderr.write(("dldoctor: " if i == 0 else "  ") + safe(line) + "\n")


def internal_message(exc: BaseException) -> str:
    from dldoctor.i18n import _

    return _("internal error: {err!r} (set DLDOCTOR_DEBUG=1 for details)").format(err=exc)


def internal_error(exc: Exception) -> int:
    """A bug, not a user error: one line (the traceback only with DLDOCTOR_DEBUG=1); exit 1."""
    if os.environ.get("DLDOCTOR_DEBUG"):
        raise exc
    say(internal_message(exc))
    return 1


def _as_json(exc: DldoctorError, schema: str) -> None:
    from dldoctor.scrub import safe

    status = "refused" if isinstance(exc, Refused) else "error"
    sys.stdout.write(safe(json.dumps({"schema": schema, "status": status,
                                      "exit_code": exc.exit_code, "error": str(exc)},
                                     indent=2)) + "\n")


def _stdout_fails() -> bool:
    """stdout cannot take what it holds (a full disk behind `> file`): the one stream whose
    OSError names no file."""
    try:
        sys.stdout.flush()
    except OSError:
        return True
    except (ValueError, AttributeError):   # closed, or not a stream
        pass
    return False


def report(exc: BaseException, json_schema: Optional[str] = None,
           target: Optional[str] = None) -> int:
    """Say what ended the command (as a `json_schema` document when given); its exit code.
    `target`: what an OSError without a file name was writing. Re-raises an internal error when
    DLDOCTOR_DEBUG is set."""
    from dldoctor import streams
    from dldoctor.i18n import _

    if isinstance(exc, KeyboardInterrupt):
        sys.stderr.write("dldoctor: %s\n" % _("interrupted"))
        return 130
    if isinstance(exc, BrokenPipeError):
        streams.silence_stdout()  # the reader went away (| head): nothing more to say
        return streams.EPIPE_EXIT
    if isinstance(exc, OSError):
        from dldoctor.errors import os_error_exit, os_error_message

        if exc.filename is None and target is None and _stdout_fails():
            target = _("standard output")
        err = DldoctorError(os_error_message(exc, target))
        err.exit_code = os_error_exit(exc)
        exc = err
    elif not isinstance(exc, DldoctorError):
        if os.environ.get("DLDOCTOR_DEBUG"):
            raise exc
        exc = DldoctorError(internal_message(exc))
    assert isinstance(exc, DldoctorError)
    if json_schema:
        _as_json(exc, json_schema)
    else:
        say(str(exc))
    return exc.exit_code


def _passes(exc: BaseException) -> bool:
    """An exit the command chose (typer.Exit, Abort, SystemExit) passes the boundary untouched."""
    if isinstance(exc, SystemExit):
        return True
    import typer

    return isinstance(exc, (typer.Exit, typer.Abort))


@contextlib.contextmanager
def boundary(json_schema: Optional[str] = None) -> Iterator[None]:
    """Around a Typer command's body: an exception ends it as report() says (typer.Exit)."""
    try:
        yield
    except BaseException as exc:
        if _passes(exc):
            raise
        import typer

        raise typer.Exit(report(exc, json_schema)) from None


def guarded(fn: F) -> F:
    """A Typer command whose whole body runs inside boundary()."""
    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with boundary():
            return fn(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


def at_exit(exc: OSError) -> int:
    """stdout failed at the last flush (a full disk, a closed pipe): quiet stdout, say why."""
    from dldoctor import streams

    from dldoctor.i18n import _

    streams.silence_stdout()
    if isinstance(exc, BrokenPipeError):
        return streams.EPIPE_EXIT
    return report(exc, target=_("standard output"))
