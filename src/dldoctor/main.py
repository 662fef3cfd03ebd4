"""The entry point (`dldoctor`, `python -m dldoctor`).

`dldoctor check` is what scripts and monitoring run again and again, and the issue sets its cost
next to the raw probes an expert would type (ratio <= 2). Typer and click cost ~35 ms per start,
so a plain `check` whose arguments are all simple is parsed here and runs the same `run_check`
the Typer command runs (cli/check.py); anything else (help, errors, other commands) goes to the
Typer app (cli/commands.py), which owns every message about usage; cli/errors.py words every
failure for both. tests/cli/test_entry.py holds the two paths to the same output.
"""
from __future__ import annotations

import sys

TYPE_CHECKING = False
if TYPE_CHECKING:   # typing costs milliseconds that `docker info` could already be running in
    from typing import Dict, List, Optional, Sequence, Tuple

FLAGS = {"--json": ("json_out", True), "--verbose": ("verbose", True), "-v": ("verbose", True),
         "--probe": ("probe", True), "--no-probe": ("probe", False), "--list": ("list_checks", True)}
VALUES = {"--snapshot": "snapshot", "--root": "root", "--timeout": "timeout", "--only": "only",
          "--lang": "lang"}
def take_lang(argv: Sequence[str]) -> Tuple[List[str], Optional[str], bool]:
    """(argv without --lang LANG, LANG, whether LANG is one dldoctor speaks). --lang is taken
    wherever it stands before `--`, so it works the same for every command, and before Typer
    builds its help texts."""
    from dldoctor.i18n import LANGS

    out: List[str] = []
    lang: Optional[str] = None
    ok = True
    i = 0
    while i < len(argv):
        arg = argv[i]
        if arg == "--":
            out.extend(argv[i:])
            break
        if arg == "--lang" or arg.startswith("--lang="):
            if arg == "--lang":
                i += 1
                value = argv[i] if i < len(argv) else ""
            else:
                value = arg.partition("=")[2]
            lang = value
            ok = ok and value in LANGS
        else:
            out.append(arg)
        i += 1
    return out, lang, ok


def quick_check_args(argv: List[str]) -> Optional[Dict[str, object]]:
    """The keyword arguments of run_check for a simple `check` command line, else None."""
    from dldoctor.i18n import LANGS

    if not argv or argv[0] != "check":
        return None
    out: Dict[str, object] = {"json_out": False, "verbose": False, "snapshot": None, "root": "/",
                              "timeout": 10.0, "probe": True, "only": [], "list_checks": False}
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
            elif name == "--only":
                out["only"] = list(out["only"]) + [value]  # type: ignore[call-overload]
            elif name == "--lang":
                if value not in LANGS:
                    return None
                out["lang"] = value
            else:
                out[VALUES[name]] = value
        else:
            return None
        i += 1
    return out


def main(argv: Optional[List[str]] = None) -> None:
    """Run one command; whatever happens to stdout on the way, end with an exit code, not a traceback."""
    from dldoctor import streams

    streams.prepare()
    try:
        try:
            _main(argv)
        finally:
            sys.stdout.flush()
    except OSError as exc:  # stdout on a full disk (> /dev/full) or a closed pipe, at the last flush
        from dldoctor.cli.errors import at_exit

        raise SystemExit(at_exit(exc))


def _wants_docker_info(argv: Sequence[str]) -> bool:
    """A `check` of the live host (no --snapshot, no help or --list): it will run `docker info`."""
    if not argv or argv[0] != "check":
        return False
    return not any(a in ("-h", "--help", "--list", "--") or a == "--snapshot" or
                   a.startswith("--snapshot=") for a in argv[1:])


def _leave_now(code: int) -> None:
    """End a live `check` run from the command line without the interpreter's teardown.

    By now the report is flushed, every command the host ran has ended or been killed, the
    prefetch is reaped and nothing was written to disk, so finalising every module and object
    (about a fifth of the run's CPU) changes nothing anyone sees. Not for in-process callers
    (they pass argv) nor for a snapshot (a .tar.gz is unpacked into a directory removed at exit)."""
    import os

    try:
        sys.stderr.flush()
    except (OSError, ValueError):
        pass
    os._exit(code)


def _main(argv: Optional[List[str]] = None) -> None:
    raw = list(sys.argv[1:] if argv is None else argv)
    early = _wants_docker_info(raw)
    if early:
        if argv is None:
            import gc

            # A live check from the command line is short and ends without teardown
            # (_leave_now): the collector's ~20 passes over what the imports allocate would
            # cost a few milliseconds of every run and free nothing that matters.
            gc.disable()
        from dldoctor.host import prefetch

        # The slowest probe runs while the rest of dldoctor is imported (the host package imports
        # nothing heavy until its contract is used).
        prefetch.start(prefetch.DOCKER_INFO)
    from dldoctor.i18n import LANGS, use_language

    args, lang, lang_ok = take_lang(raw)
    if lang is not None:
        if not lang_ok:
            from dldoctor.cli.errors import say
            from dldoctor.i18n import _

            if early:
                prefetch.discard_all()
            say(_("--lang {lang!r}: choose one of: {langs}").format(lang=lang, langs=", ".join(LANGS)))
            raise SystemExit(2)
        use_language(lang)
    quick = quick_check_args(args)
    if quick is None and early:
        prefetch.discard_all()   # Typer parses this one (an error, or an option it alone knows)
    if quick is not None:
        from dldoctor.cli.check import run_check

        try:
            code = run_check(**quick)  # type: ignore[arg-type]
        except OSError:
            raise  # main() quiets stdout first: the error may be stdout's own
        except (Exception, KeyboardInterrupt) as exc:
            from dldoctor.cli.errors import report

            code = report(exc)
        finally:
            if early:
                prefetch.discard_all()  # not taken (a bad --root, say): never left running
        sys.stdout.flush()
        if early and argv is None:
            _leave_now(code)
        raise SystemExit(code)
    from dldoctor.cli.commands import app

    app(args=args, prog_name="dldoctor")
