"""The command line. Wiring only: options in, one domain call, a rendered result, an exit code.

Exit codes: 0 no finding fails, 1 a finding fails (or an action failed), 2 bad usage or
unreadable input. A DldoctorError becomes one clear line on stderr; never a traceback.
"""
from __future__ import annotations

import sys
from typing import Any, List, Optional

import typer

from dldoctor import __version__, cli_i18n
from dldoctor.cli_help import add_examples
from dldoctor.errors import DldoctorError, UsageError
from dldoctor.host.factory import make_host  # re-exported: commands build hosts the same way
from dldoctor.i18n import _
from dldoctor.main import LANGS, emit as _emit, internal_error, use_language

# -h beside --help: the context setting is inherited by every subcommand, whoever registers it.
app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                  context_settings={"help_option_names": ["-h", "--help"]},
                  help=_("Diagnose, fix and verify GPU deep-learning hosts that run their work in Docker."))

ROOT_HELP = _("Filesystem root of the host to examine (files are read under it).")
TIMEOUT_HELP = _("Seconds to wait for each command dldoctor runs (docker, nvidia-smi...).")
LANG_HELP = _("Language of the output: en or zh_CN (default: DLDOCTOR_LANG, then LANG).")


def _err(message: str) -> None:
    from dldoctor.scrub import safe

    sys.stderr.write("dldoctor: %s\n" % safe(message))


def check_timeout(value: float) -> float:
    """Option callback: a --timeout that is not a finite 0.1..3600 seconds is bad usage (exit 2)."""
    from dldoctor.errors import TIMEOUT_MAX, TIMEOUT_MIN, valid_timeout

    if value is not None and not valid_timeout(value):
        raise typer.BadParameter(_("{value} is not a number of seconds from {low} to {high}").format(
            value=value, low=TIMEOUT_MIN, high=int(TIMEOUT_MAX)))
    return value


def guarded(fn):
    """Run a command body; map domain errors to exit codes (no tracebacks, unless --debug)."""
    import functools

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except (typer.Exit, typer.Abort, SystemExit):
            raise
        except DldoctorError as exc:
            _err(str(exc))
            raise typer.Exit(exc.exit_code)
        except KeyboardInterrupt:
            _err(_("interrupted"))
            raise typer.Exit(130)
        except OSError as exc:
            from dldoctor import streams
            from dldoctor.errors import os_error_exit, os_error_message

            if isinstance(exc, BrokenPipeError):
                streams.silence_stdout()  # the reader went away (| head): nothing more to say
                raise typer.Exit(streams.EPIPE_EXIT)
            _err(os_error_message(exc))
            raise typer.Exit(os_error_exit(exc))
        except Exception as exc:
            raise typer.Exit(internal_error(exc))

    return wrapper


def _version_cb(value: bool) -> None:
    if value:
        typer.echo("dldoctor %s" % __version__)
        raise typer.Exit(0)


def _lang_cb(value: Optional[str]) -> Optional[str]:
    """--lang on the app itself or on a command (the entry point takes it off the command line
    before Typer starts; this serves callers that run the app directly)."""
    if value is not None:
        if value not in LANGS:
            raise typer.BadParameter(_("choose one of: {langs}").format(langs=", ".join(LANGS)))
        use_language(value)
    return value


def lang_option() -> Any:
    return typer.Option(None, "--lang", metavar="LANG", callback=_lang_cb, is_eager=True,
                        help=LANG_HELP)


@app.callback()
def main_options(version: bool = typer.Option(False, "--version", callback=_version_cb, is_eager=True,
                                              help=_("Print the version and exit.")),
                 lang: Optional[str] = lang_option()) -> None:
    """dldoctor: tells exactly what stands between this host and a working GPU container."""


@app.command(help=_('Diagnose this host (or a snapshot): driver, Docker, daemon.json, toolkit, runtime, mirrors.'))
@guarded
def check(
    json_out: bool = typer.Option(False, "--json", help=_("Print the report as JSON (dldoctor.report/1).")),
    verbose: bool = typer.Option(False, "--verbose", "-v", help=_("Show details, evidence and fixes for every finding.")),
    snapshot: Optional[str] = typer.Option(None, "--snapshot", metavar="PATH", help=_("Diagnose a snapshot (directory or .tar.gz) instead of this host.")),
    root: str = typer.Option("/", "--root", metavar="DIR", help=ROOT_HELP),
    timeout: float = typer.Option(10.0, "--timeout", metavar="SECONDS", help=TIMEOUT_HELP, callback=check_timeout),
    probe: bool = typer.Option(True, "--probe/--no-probe", help=_("Probe configured registry mirrors over the network.")),
    only: List[str] = typer.Option([], "--only", metavar="CHECK", help=_("Run only this check (repeatable); --list names them.")),
    list_checks: bool = typer.Option(False, "--list", help=_("List the checks, one line each, and exit.")),
    lang: Optional[str] = lang_option(),
) -> None:
    from dldoctor.main import run_check

    raise typer.Exit(run_check(json_out, verbose, snapshot, root, timeout, probe, only=only,
                               list_checks=list_checks))


@app.command("snapshot", help=_("Record this host's evidence for a bug report (no secrets: credentials and proxy passwords are dropped)."))
@guarded
def snapshot_cmd(
    out: str = typer.Argument(..., metavar="OUT", help=_("Directory to create, or a name ending in .tar.gz.")),
    root: str = typer.Option("/", "--root", metavar="DIR", help=ROOT_HELP),
    timeout: float = typer.Option(10.0, "--timeout", metavar="SECONDS", help=TIMEOUT_HELP, callback=check_timeout),
    probe: bool = typer.Option(True, "--probe/--no-probe", help=_("Probe configured registry mirrors and record the result.")),
) -> None:
    from dldoctor.record import write_snapshot

    path = write_snapshot(make_host(root, timeout), out, probe)
    typer.echo(_("snapshot written to {path}").format(path=path))


@app.command(help=_('Name the likely root causes of an error message, ranked, each with why and the fix.'))
@guarded
def explain(
    text: Optional[str] = typer.Argument(None, metavar="TEXT", help=_("The error text, or - to read it from stdin.")),
    json_out: bool = typer.Option(False, "--json", help=_("Print the result as JSON.")),
    no_host: bool = typer.Option(False, "--no-host", help=_("Use the text alone, not this host's evidence.")),
    command: Optional[str] = typer.Option(None, "--command", metavar="COMMAND", help=_("The command that printed the error.")),
    root: str = typer.Option("/", "--root", metavar="DIR", help=ROOT_HELP),
    timeout: float = typer.Option(10.0, "--timeout", metavar="SECONDS", help=TIMEOUT_HELP, callback=check_timeout),
    verbose: bool = typer.Option(False, "--verbose", "-v", help=_("Show details, evidence and fixes for every finding.")),
) -> None:
    from dldoctor.diagnose import SYMPTOM_CHECK
    from dldoctor.explain import explain as run_explain

    if text is None:
        raise UsageError(_("give the error text as an argument, or - to read it from stdin"))
    if text == "-":
        text = sys.stdin.read()
    if not text.strip():
        raise UsageError(_("the error text is empty"))
    host = None if no_host else make_host(root, timeout)
    report = run_explain(text, host, command=command)
    matched = any(f.check == SYMPTOM_CHECK for f in report.findings)
    _emit(report, json_out, verbose, explained=matched)
    raise typer.Exit(0 if matched and report.root_causes else 1)


@app.command(help=_('Run the checks, then prove it: docker run --gpus all <cuda image> nvidia-smi.'))
@guarded
def verify(
    json_out: bool = typer.Option(False, "--json", help=_("Print the report as JSON (dldoctor.report/1).")),
    verbose: bool = typer.Option(False, "--verbose", "-v", help=_("Show details, evidence and fixes for every finding.")),
    image: Optional[str] = typer.Option(None, "--image", metavar="IMAGE", help=_("Image for the smoke test (default: an nvidia/cuda base tag the driver can run).")),
    root: str = typer.Option("/", "--root", metavar="DIR", help=ROOT_HELP),
    timeout: float = typer.Option(10.0, "--timeout", metavar="SECONDS", help=TIMEOUT_HELP, callback=check_timeout),
    run_timeout: float = typer.Option(120.0, "--run-timeout", metavar="SECONDS", help=_("Seconds to allow the container run.")),
    pull_timeout: float = typer.Option(900.0, "--pull-timeout", metavar="SECONDS", help=_("Seconds to allow the image pull.")),
    dry_run: bool = typer.Option(False, "--dry-run", help=_("Print the smoke test's plan (the image and why, the preflight verdict, the pull and the docker run) and pull or run nothing.")),
) -> None:
    from dldoctor.verify import verify as run_verify

    host = make_host(root, timeout)
    if dry_run:
        from dldoctor.scrub import safe
        from dldoctor.verify import dry_run as plan_only

        text, code = plan_only(host, image=image, json_out=json_out)
        typer.echo(safe(text))
        raise typer.Exit(code)
    report = run_verify(host, image=image, run_timeout=run_timeout, pull_timeout=pull_timeout,
                        progress=not json_out)
    _emit(report, json_out, verbose)
    raise typer.Exit(report.exit_code)


def _register_optional() -> None:
    for mod in ("dldoctor.cli_fix", "dldoctor.cli_mirrors", "dldoctor.cli_docs", "dldoctor.cli_fleet"):
        try:
            module = __import__(mod, fromlist=["register"])
        except ImportError:
            continue
        module.register(app)


_register_optional()
add_examples(app)
cli_i18n.install()


def main(argv: Optional[List[str]] = None) -> None:
    from dldoctor.main import main as entry

    entry(argv)
