"""The command line. Wiring only: options in, one domain call, a rendered result, an exit code.

Exit codes: 0 no finding fails, 1 a finding fails (or an action failed), 2 bad usage or
unreadable input. A DldoctorError becomes one clear line on stderr; never a traceback.
"""
from __future__ import annotations

import sys
from typing import List, Optional

import typer

from dldoctor import __version__
from dldoctor.errors import DldoctorError, UsageError
from dldoctor.host.factory import make_host  # re-exported: commands build hosts the same way
from dldoctor.i18n import _
from dldoctor.main import emit as _emit, internal_error

app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                  help=_("Diagnose, fix and verify GPU deep-learning hosts that run their work in Docker."))

ROOT_HELP = _("Filesystem root of the host to examine (files are read under it).")
TIMEOUT_HELP = _("Seconds to wait for each command (docker, nvidia-smi...).")


def _err(message: str) -> None:
    sys.stderr.write("dldoctor: %s\n" % message)


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
        except Exception as exc:
            raise typer.Exit(internal_error(exc))

    return wrapper


def _version_cb(value: bool) -> None:
    if value:
        typer.echo("dldoctor %s" % __version__)
        raise typer.Exit(0)


@app.callback()
def main_options(version: bool = typer.Option(False, "--version", callback=_version_cb, is_eager=True,
                                              help=_("Print the version and exit."))) -> None:
    """dldoctor: tells exactly what stands between this host and a working GPU container."""


@app.command(help=_('Diagnose this host (or a snapshot): driver, Docker, daemon.json, toolkit, runtime, mirrors.'))
@guarded
def check(
    json_out: bool = typer.Option(False, "--json", help=_("Print the report as JSON (dldoctor.report/1).")),
    verbose: bool = typer.Option(False, "--verbose", "-v", help=_("Show details, evidence and fixes for every finding.")),
    snapshot: Optional[str] = typer.Option(None, "--snapshot", help=_("Diagnose a snapshot (directory or .tar.gz) instead of this host.")),
    root: str = typer.Option("/", "--root", help=ROOT_HELP),
    timeout: float = typer.Option(10.0, "--timeout", help=TIMEOUT_HELP),
    probe: bool = typer.Option(True, "--probe/--no-probe", help=_("Probe configured registry mirrors over the network.")),
) -> None:
    from dldoctor.main import run_check

    raise typer.Exit(run_check(json_out, verbose, snapshot, root, timeout, probe))


@app.command("snapshot", help=_("Record this host's evidence for a bug report (no secrets: credentials and proxy passwords are dropped)."))
@guarded
def snapshot_cmd(
    out: str = typer.Argument(..., help=_("Directory to create, or a name ending in .tar.gz.")),
    root: str = typer.Option("/", "--root", help=ROOT_HELP),
    timeout: float = typer.Option(10.0, "--timeout", help=TIMEOUT_HELP),
    probe: bool = typer.Option(True, "--probe/--no-probe", help=_("Probe configured registry mirrors and record the result.")),
) -> None:
    from dldoctor.host.recorder import write_snapshot

    path = write_snapshot(make_host(root, timeout), out, probe)
    typer.echo(_("snapshot written to {path}").format(path=path))


@app.command(help=_('Name the likely root causes of an error message, ranked, each with why and the fix.'))
@guarded
def explain(
    text: Optional[str] = typer.Argument(None, help=_("The error text, or - to read it from stdin.")),
    json_out: bool = typer.Option(False, "--json", help=_("Print the result as JSON.")),
    no_host: bool = typer.Option(False, "--no-host", help=_("Use the text alone, not this host's evidence.")),
    command: Optional[str] = typer.Option(None, "--command", help=_("The command that printed the error.")),
    root: str = typer.Option("/", "--root", help=ROOT_HELP),
    timeout: float = typer.Option(10.0, "--timeout", help=TIMEOUT_HELP),
    verbose: bool = typer.Option(False, "--verbose", "-v"),
) -> None:
    from dldoctor.explain import explain as run_explain

    if text is None:
        raise UsageError(_("give the error text as an argument, or - to read it from stdin"))
    if text == "-":
        text = sys.stdin.read()
    if not text.strip():
        raise UsageError(_("the error text is empty"))
    host = None if no_host else make_host(root, timeout)
    report = run_explain(text, host, command=command)
    _emit(report, json_out, verbose)
    raise typer.Exit(0 if report.root_causes else 1)


@app.command(help=_('Run the checks, then prove it: docker run --gpus all <cuda image> nvidia-smi.'))
@guarded
def verify(
    json_out: bool = typer.Option(False, "--json", help=_("Print the report as JSON (dldoctor.report/1).")),
    verbose: bool = typer.Option(False, "--verbose", "-v"),
    image: Optional[str] = typer.Option(None, "--image", help=_("Image for the smoke test (default: an nvidia/cuda base tag the driver can run).")),
    root: str = typer.Option("/", "--root", help=ROOT_HELP),
    timeout: float = typer.Option(10.0, "--timeout", help=TIMEOUT_HELP),
    run_timeout: float = typer.Option(120.0, "--run-timeout", help=_("Seconds to allow the container run.")),
    pull_timeout: float = typer.Option(900.0, "--pull-timeout", help=_("Seconds to allow the image pull.")),
) -> None:
    from dldoctor.verify import verify as run_verify

    host = make_host(root, timeout)
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


def main(argv: Optional[List[str]] = None) -> None:
    from dldoctor.main import main as entry

    entry(argv)
