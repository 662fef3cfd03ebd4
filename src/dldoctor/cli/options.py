"""Options several commands share, defined once so that a name means one thing everywhere.

`--timeout` is always the wait for each command dldoctor runs (docker, nvidia-smi...); every
other wait has its own name and its own help: `--daemon-timeout` (Docker coming back after a
reload or restart), `--probe-timeout` (each mirror's answer), `--run-timeout`/`--pull-timeout`
(the smoke test's container and image pull), `fleet --task-timeout` (one run on a remote host).
Every one of them is a finite 0.1..3600 seconds or bad usage (exit 2).
"""
from __future__ import annotations

from typing import Any, Optional

from dldoctor.i18n import LANGS as LANGS
from dldoctor.i18n import _
from dldoctor.i18n import use_language as use_language

DEFAULT_TIMEOUT = 10.0


def root_help() -> str:
    return _("Filesystem root of the host to examine (files are read under it).")


def timeout_help() -> str:
    return _("Seconds to wait for each command dldoctor runs (docker, nvidia-smi...).")


def seconds_error(option: str, value: float) -> Optional[str]:
    """Why `value` is no wait for `option` (None when it is one)."""
    from dldoctor.errors import TIMEOUT_MAX, TIMEOUT_MIN, valid_timeout

    if valid_timeout(value):
        return None
    return _("{option}: {value} is not a number of seconds from {low} to {high}").format(
        option=option, value=value, low=TIMEOUT_MIN, high=int(TIMEOUT_MAX))


def require_seconds(option: str, value: float) -> None:
    """Inside a command body (its --json error form applies): a bad wait is a UsageError."""
    from dldoctor.errors import UsageError

    why = seconds_error(option, value)
    if why:
        raise UsageError(why)


def check_timeout(value: Optional[float]) -> Optional[float]:
    """Option callback: a --timeout that is not a finite 0.1..3600 seconds is bad usage (exit 2)."""
    from dldoctor.errors import TIMEOUT_MAX, TIMEOUT_MIN, valid_timeout

    if value is not None and not valid_timeout(value):
        import typer

        raise typer.BadParameter(_("{value} is not a number of seconds from {low} to {high}").format(
            value=value, low=TIMEOUT_MIN, high=int(TIMEOUT_MAX)))
    return value


def timeout_option(help_text: Optional[str] = None, checked: bool = True) -> Any:
    """--timeout SECONDS: the wait for each command dldoctor runs. checked=False leaves the check
    to the command body (fix, undo: their --json error form)."""
    import typer

    return typer.Option(DEFAULT_TIMEOUT, "--timeout", metavar="SECONDS",
                        help=help_text or timeout_help(),
                        callback=check_timeout if checked else None)


def root_option(help_text: Optional[str] = None) -> Any:
    import typer

    return typer.Option("/", "--root", metavar="DIR", help=help_text or root_help())


def probe_option() -> Any:
    """--probe/--no-probe: check and verify ask the configured registry mirrors over the network."""
    import typer

    return typer.Option(True, "--probe/--no-probe", help=_("Probe configured registry mirrors over the network."))


def verbose_option() -> Any:
    import typer

    return typer.Option(False, "--verbose", "-v", help=_("Show details, evidence and fixes for every finding."))


def report_json_option() -> Any:
    """--json for the commands that print a host report (dldoctor.report/1)."""
    import typer

    return typer.Option(False, "--json", help=_("Print the report as JSON (dldoctor.report/1)."))


def _lang_cb(value: Optional[str]) -> Optional[str]:
    """--lang on the app itself or on a command (the entry point takes it off the command line
    before Typer starts; this serves callers that run the app directly)."""
    if value is not None:
        if value not in LANGS:
            import typer

            raise typer.BadParameter(_("choose one of: {langs}").format(langs=", ".join(LANGS)))
        use_language(value)
    return value


def lang_option() -> Any:
    import typer

    return typer.Option(None, "--lang", metavar="LANG", callback=_lang_cb, is_eager=True,
                        help=_("Language of the output: en or zh_CN (default: DLDOCTOR_LANG, then "
                               "LANGUAGE, LC_ALL, LC_MESSAGES, LANG)."))


def add_lang_option(app: Any) -> None:
    """--lang on every command of `app` and of its sub-apps, so that each help lists it: the entry
    point takes it from any position of any command line (main.take_lang), and a command that
    does not declare it gets it here (it is applied by its callback, never passed on)."""
    import inspect

    for info in app.registered_commands:
        cb = info.callback
        if cb is not None and "lang" not in inspect.signature(cb).parameters:
            info.callback = _with_lang(cb)
    for group in getattr(app, "registered_groups", ()):
        sub = group.typer_instance
        if sub.registered_callback is None:     # a group's own help (`fleet -h`) lists it too
            def group_options(lang: Optional[str] = lang_option()) -> None:
                pass

            sub.callback()(group_options)
        add_lang_option(sub)


def _with_lang(cb: Any) -> Any:
    import functools
    import inspect

    def command(*args: Any, **kwargs: Any) -> Any:
        kwargs.pop("lang", None)
        return cb(*args, **kwargs)

    functools.update_wrapper(command, cb)
    sig = inspect.signature(cb)
    lang = inspect.Parameter("lang", inspect.Parameter.KEYWORD_ONLY, default=lang_option(),
                             annotation=Optional[str])
    command.__signature__ = sig.replace(  # type: ignore[attr-defined]
        parameters=list(sig.parameters.values()) + [lang])
    command.__annotations__ = dict(getattr(cb, "__annotations__", {}), lang=Optional[str])
    return command
