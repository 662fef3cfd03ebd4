"""The entry point (`dldoctor`, `python -m dldoctor`).

`dldoctor check` is what scripts and monitoring run again and again, and the issue sets its cost
next to the raw probes an expert would type (ratio <= 2). Typer and click cost ~35 ms per start,
so a plain `check` whose arguments are all simple is parsed here and runs the same `run_check`
the Typer command runs; anything else (help, errors, other commands) goes to the Typer app, which
owns every message about usage. tests/cli/test_entry.py holds the two paths to the same output.
"""
from __future__ import annotations

import os
import sys
from typing import Dict, List, Optional, Sequence, Tuple

FLAGS = {"--json": ("json_out", True), "--verbose": ("verbose", True), "-v": ("verbose", True),
         "--probe": ("probe", True), "--no-probe": ("probe", False), "--list": ("list_checks", True)}
VALUES = {"--snapshot": "snapshot", "--root": "root", "--timeout": "timeout", "--only": "only",
          "--lang": "lang"}
LANGS = ("en", "zh_CN")


def use_language(lang: str) -> None:
    """Speak `lang` from now on (--lang outranks DLDOCTOR_LANG and the locale variables)."""
    os.environ["DLDOCTOR_LANG"] = lang
    from dldoctor import i18n

    i18n.reset()


def take_lang(argv: Sequence[str]) -> Tuple[List[str], Optional[str], bool]:
    """(argv without --lang LANG, LANG, whether LANG is one dldoctor speaks). --lang is taken
    wherever it stands before `--`, so it works the same for every command, and before Typer
    builds its help texts."""
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


def run_check(json_out: bool = False, verbose: bool = False, snapshot: Optional[str] = None,
              root: str = "/", timeout: float = 10.0, probe: bool = True,
              only: Sequence[str] = (), list_checks: bool = False, lang: Optional[str] = None) -> int:
    """Diagnose (host or snapshot), render, return the exit code."""
    from dldoctor import gather
    from dldoctor.checks import CHECKS
    from dldoctor.diagnose import diagnose
    from dldoctor.host.factory import make_host

    if lang:
        use_language(lang)
    if list_checks:
        list_check_names(json_out)
        return 0
    names = [c.name for c in CHECKS]
    for name in only:
        if name not in names:
            from dldoctor.errors import UsageError
            from dldoctor.i18n import _

            raise UsageError(_("unknown check {name!r}: dldoctor check --list names them").format(
                name=name))
    host = make_host(root, timeout, snapshot)
    report = diagnose(gather.collect(host, probe_mirrors=probe), only=tuple(only))
    emit(report, json_out, verbose)
    return report.exit_code


def list_check_names(json_out: bool) -> None:
    """`check --list`: every check's name and what it looks at, one line each."""
    from dldoctor.checks import CHECKS
    from dldoctor.i18n import _

    if json_out:
        import json

        sys.stdout.write(json.dumps([{"check": c.name, "area": c.area, "about": _(c.about)}
                                     for c in CHECKS], indent=2, ensure_ascii=False) + "\n")
        return
    width = max(len(c.name) for c in CHECKS)
    for c in CHECKS:
        sys.stdout.write("%-*s  %s\n" % (width, c.name, _(c.about)))


def emit(report, json_out: bool, verbose: bool, heading: Optional[str] = None,
         explained: Optional[bool] = None) -> None:
    """explained: None for a host report; for `explain`, whether the text matched a known cause."""
    if json_out:
        from dldoctor.render import json as render_json

        render_json.render(report)
    else:
        from dldoctor.render import human

        human.render(report, verbose=verbose, heading=heading, explained=explained)


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
    args, lang, lang_ok = take_lang(list(sys.argv[1:] if argv is None else argv))
    if lang is not None:
        if not lang_ok:
            from dldoctor.i18n import _

            sys.stderr.write("dldoctor: %s\n" % _("--lang {lang!r}: choose one of: {langs}").format(
                lang=lang, langs=", ".join(LANGS)))
            raise SystemExit(2)
        use_language(lang)
    quick = quick_check_args(args)
    if quick is not None:
        if quick["snapshot"] is None:
            from dldoctor.host import prefetch

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
