"""The entry point (`dldoctor`, `python -m dldoctor`).

`dldoctor check` is what scripts and monitoring run again and again, and the issue sets its cost
next to the raw probes an expert would type (ratio <= 2). Typer and click cost ~35 ms per start,
so a plain `check` whose arguments are all simple is parsed here and runs the same `run_check`
the Typer command runs; anything else (help, errors, other commands) goes to the Typer app, which
owns every message about usage. tests/cli/test_entry.py holds the two paths to the same output.
"""
from __future__ import annotations

import sys
from typing import Dict, List, Optional

FLAGS = {"--json": ("json_out", True), "--verbose": ("verbose", True), "-v": ("verbose", True),
         "--probe": ("probe", True), "--no-probe": ("probe", False)}
VALUES = {"--snapshot": "snapshot", "--root": "root", "--timeout": "timeout"}


def quick_check_args(argv: List[str]) -> Optional[Dict[str, object]]:
    """The keyword arguments of run_check for a simple `check` command line, else None."""
    if not argv or argv[0] != "check":
        return None
    out: Dict[str, object] = {"json_out": False, "verbose": False, "snapshot": None, "root": "/",
                              "timeout": 10.0, "probe": True}
    i = 1
    while i < len(argv):
        arg = argv[i]
        name, eq, value = arg.partition("=")
        if arg in FLAGS:
            key, val = FLAGS[arg]
            out[key] = val
        elif name in VALUES:
            if not eq:
                i += 1
                if i >= len(argv):
                    return None
                value = argv[i]
            if name == "--timeout":
                from dldoctor.errors import valid_timeout

                try:
                    out["timeout"] = float(value)
                except ValueError:
                    return None
                if not valid_timeout(out["timeout"]):  # type: ignore[arg-type]
                    return None  # the Typer app says what is wrong
            else:
                out[VALUES[name]] = value
        else:
            return None
        i += 1
    return out


def run_check(json_out: bool = False, verbose: bool = False, snapshot: Optional[str] = None,
              root: str = "/", timeout: float = 10.0, probe: bool = True) -> int:
    """Diagnose (host or snapshot), render, return the exit code."""
    from dldoctor import gather
    from dldoctor.diagnose import diagnose
    from dldoctor.host.factory import make_host

    host = make_host(root, timeout, snapshot)
    report = diagnose(gather.collect(host, probe_mirrors=probe))
    emit(report, json_out, verbose)
    return report.exit_code


def emit(report, json_out: bool, verbose: bool, heading: Optional[str] = None) -> None:
    if json_out:
        from dldoctor.render import json as render_json

        render_json.render(report)
    else:
        from dldoctor.render import human

        human.render(report, verbose=verbose, heading=heading)


def internal_error(exc: Exception) -> int:
    """A bug, not a user error: one line (the traceback only with DLDOCTOR_DEBUG=1); exit 1."""
    import os

    if os.environ.get("DLDOCTOR_DEBUG"):
        raise exc
    from dldoctor.i18n import _

    from dldoctor.scrub import safe

    sys.stderr.write("dldoctor: %s\n" % safe(_("internal error: {err!r} (set DLDOCTOR_DEBUG=1 for details)")
                                             .format(err=exc)))
    return 1


def main(argv: Optional[List[str]] = None) -> None:
    """Run one command; whatever happens to stdout on the way, end with an exit code, not a traceback."""
    from dldoctor import streams

    streams.prepare()
    try:
        try:
            _main(argv)
        finally:
            sys.stdout.flush()
    except BrokenPipeError:
        streams.silence_stdout()
        raise SystemExit(streams.EPIPE_EXIT)
    except OSError as exc:  # stdout on a full disk (> /dev/full) fails at the last flush
        from dldoctor.errors import os_error_exit, os_error_message

        streams.silence_stdout()
        sys.stderr.write("dldoctor: %s\n" % os_error_message(exc))
        raise SystemExit(os_error_exit(exc))


def _main(argv: Optional[List[str]] = None) -> None:
    args = list(sys.argv[1:] if argv is None else argv)
    quick = quick_check_args(args)
    if quick is not None:
        if quick["snapshot"] is None:
            from dldoctor import prefetch

            prefetch.start(prefetch.DOCKER_INFO)  # overlaps the slowest probe with the imports below
        from dldoctor.errors import DldoctorError

        try:
            code = run_check(**quick)  # type: ignore[arg-type]
        except DldoctorError as exc:
            from dldoctor.scrub import safe

            sys.stderr.write("dldoctor: %s\n" % safe(str(exc)))
            code = exc.exit_code
        except KeyboardInterrupt:
            code = 130
        except OSError:
            raise  # main() names the file and the way out
        except Exception as exc:
            code = internal_error(exc)
        sys.stdout.flush()
        raise SystemExit(code)
    from dldoctor.cli import app

    app(args=args, prog_name="dldoctor")
