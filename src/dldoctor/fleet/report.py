"""The merged fleet report: per-host status, causes ranked by how many hosts share them.

Shape (`dldoctor.fleet/1`): {"schema", "dldoctor_version", "hosts": {NAME: {"status": ok |
failing | unreachable | error, "report": <dldoctor.report/1 or null>, "error": <text or null>}},
"summary": {"hosts", "failing", "unreachable", "causes": {ID: [hosts]}}}. Exit code: 0 when every
host is ok, 1 otherwise (a failing, unreachable or error host).
"""
from __future__ import annotations

import json
import re

from dldoctor import __version__
from dldoctor.i18n import _
from dldoctor import nesting

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Dict, List, Optional, Tuple

SCHEMA = "dldoctor.fleet/1"
REPORT_SCHEMA = "dldoctor.report/1"
STATUSES = ("ok", "failing", "unreachable", "error")
MAX_ERROR = 2000  # characters of an error kept per host: a wall of stderr is not a report
MAX_ID = 64       # characters of a problem ID (the catalog's longest has 29)
MAX_CAUSES = 16   # root causes taken from one host's report
MAX_DEPTH = 64    # levels of nesting in a host's report (a real one has fewer than 10): deeper is
                  # no report, and could not be written back out (json.dumps recurses)


def host_entry(status: str, report: Optional[Dict[str, Any]] = None,
               error: Optional[str] = None) -> Dict[str, Any]:
    assert status in STATUSES
    if error is not None:
        error = error.strip()[-MAX_ERROR:] or None
    return {"status": status, "report": report, "error": error}


def parse_report(text: str) -> Optional[Dict[str, Any]]:
    """A dldoctor.report/1 object from `check --json` output, or None when it is not one."""
    try:
        data = nesting.loads(text)
    except ValueError:
        return None
    if not isinstance(data, dict) or data.get("schema") != REPORT_SCHEMA or not nesting.shallow(data, MAX_DEPTH):
        return None
    if not isinstance(data.get("findings"), list) or not isinstance(data.get("root_causes", []), list):
        return None
    return data


def failing(report: Dict[str, Any]) -> bool:
    return any(isinstance(f, dict) and f.get("status") == "fail" for f in report.get("findings", ()))


_SSH_NOISE = re.compile(r"^(Shared connection to \S+ closed\.|Connection to \S+ closed\.)\s*$", re.M)


# The lines the fleet bootstrap itself writes on a target (BOOT in plugins/action/dldoctor_run.py),
# where no catalog is: put in the controller's language here, when the host's error is composed.
_BOOT_LINE = re.compile(r"^dldoctor: (?:stopped after (?P<seconds>\d{1,9}) s \(--task-timeout\)"
                        r"|cannot start (?P<python>[^\n]+?): (?P<error>[^\n]*))$", re.M)


def _boot_line(m: "re.Match[str]") -> str:
    if m.group("seconds") is not None:
        return _("dldoctor: stopped after {seconds} s (--task-timeout)").format(
            seconds=m.group("seconds"))
    return _("dldoctor: cannot start {python}: {error}").format(python=m.group("python"),
                                                              error=m.group("error"))


def remote_text(stdout: str, stderr: str) -> str:
    """What a failed run said: over ssh with a tty, stderr arrives in stdout and ssh adds its own
    closing line to stderr, which says nothing about the host. The bootstrap's own lines are
    translated."""
    err = _SSH_NOISE.sub("", stderr.replace("\r\n", "\n")).strip()
    out = stdout.replace("\r\n", "\n").strip()
    err, out = _BOOT_LINE.sub(_boot_line, err), _BOOT_LINE.sub(_boot_line, out)
    return "\n".join(t for t in (out[-MAX_ERROR:], err) if t)


def from_check(rc: Optional[int], stdout: str, stderr: str) -> Dict[str, Any]:
    """One host's entry from the exit code and output of `dldoctor check --json` there."""
    report = parse_report(stdout)
    if report is None or rc not in (0, 1):
        err = (remote_text("" if report is not None else stdout, stderr)
               or _("dldoctor exited with {rc} and printed no report").format(rc=rc))
        return host_entry("error", report, err)
    return host_entry("failing" if (rc == 1 or failing(report)) else "ok", report)


def host_causes(report: Optional[Dict[str, Any]]) -> List[str]:
    """A host report's root causes, less the word model's guesses where the rules found a cause
    (a guess counted on many hosts would read as a fleet-wide fault)."""
    from dldoctor.model import guessed

    # a problem ID is a short name, and a report names a few: a host's odd answer (a 5 MB "ID",
    # 16000 of them) took the merge 17 s and 25 MB of output; what is beyond is no cause
    roots = [p for p in (report or {}).get("root_causes") or () if isinstance(p, str)
             and 0 < len(p) <= MAX_ID][:MAX_CAUSES]
    only_guessed = guessed((f.get("problem"), f.get("guess") is True)
                           for f in (report or {}).get("findings") or ()
                           if isinstance(f, dict) and f.get("status") == "fail")
    found = [p for p in roots if p not in only_guessed]
    return found or roots


def merge(hosts: Dict[str, Dict[str, Any]]) -> Dict[str, Any]:
    """The fleet report from per-host entries (host_entry), hosts kept in the order given."""
    causes: Dict[str, List[str]] = {}
    for name, entry in hosts.items():
        rep = entry.get("report")
        if entry["status"] == "failing" and rep:
            for pid in host_causes(rep):
                causes.setdefault(pid, []).append(name)
    ranked = dict(sorted(causes.items(), key=lambda kv: (-len(kv[1]), kv[0])))
    return {
        "schema": SCHEMA,
        "dldoctor_version": __version__,
        "hosts": hosts,
        "summary": {
            "hosts": len(hosts),
            "failing": sum(1 for e in hosts.values() if e["status"] in ("failing", "error")),
            "unreachable": sum(1 for e in hosts.values() if e["status"] == "unreachable"),
            "causes": ranked,
        },
    }


def exit_code(fleet: Dict[str, Any]) -> int:
    return 0 if all(e["status"] == "ok" for e in fleet["hosts"].values()) else 1


def clean(text: str) -> str:
    """Text from a remote host, safe for a terminal: control characters shown as \\xNN, BiDi
    overrides as \\u202e (dldoctor.scrub.terminal, what every other output uses)."""
    from dldoctor.scrub import terminal

    return terminal(text)


def _host_names(names: List[str], limit: int = 8) -> str:
    shown = ", ".join(names[:limit])
    return shown + (", …" if len(names) > limit else "")


def render_lines(fleet: Dict[str, Any]) -> List[Tuple[str, str]]:
    """(style, text) lines: one per host, then the causes ranked by host count with their fix."""
    from dldoctor import catalog

    out: List[Tuple[str, str]] = []
    marks = {"ok": ("green", "✓"), "failing": ("red", "!"), "unreachable": ("red", "✗"), "error": ("red", "✗")}
    for name, entry in fleet["hosts"].items():
        style, mark = marks[entry["status"]]
        if entry["status"] == "ok":
            text = _("{mark} {host}: all checks pass").format(mark=mark, host=name)
        elif entry["status"] == "failing":
            roots = host_causes(entry.get("report"))
            text = _("{mark} {host}: {causes}").format(
                mark=mark, host=name, causes=", ".join(roots[:3]) or _("a check fails"))
        elif entry["status"] == "unreachable":
            text = _("{mark} {host}: unreachable: {error}").format(mark=mark, host=name, error=entry.get("error") or "")
        else:
            text = _("{mark} {host}: error: {error}").format(mark=mark, host=name, error=entry.get("error") or "")
        out.append((style, clean(text.splitlines()[0] if text else text)))
    summary = fleet["summary"]
    total = summary["hosts"]
    if summary["causes"]:
        out.append(("", ""))
    for pid, names in summary["causes"].items():
        title = catalog.title(pid) if pid in catalog.PROBLEMS else pid
        out.append(("bold", clean(_("{id} on {n} of {total} hosts: {hosts}").format(
            id=pid, n=len(names), total=total, hosts=_host_names(names)))))
        out.append(("", clean("    " + title)))
        if pid in catalog.PROBLEMS:
            out.append(("cyan", clean("    " + _("fix: ") + catalog.fix(pid))))
    out.append(("", ""))
    ok = sum(1 for e in fleet["hosts"].values() if e["status"] == "ok")
    out.append(("bold green" if ok == total else "bold red", _(
        "{ok} of {total} hosts pass, {failing} failing, {unreachable} unreachable").format(
        ok=ok, total=total, failing=summary["failing"], unreachable=summary["unreachable"])))
    return out


def render_human(fleet: Dict[str, Any]) -> None:
    from rich.console import Console
    from rich.markup import escape

    con = Console(highlight=False)
    for style, text in render_lines(fleet):
        con.print(escape(text), style=style or None)


def render_json(fleet: Dict[str, Any]) -> None:
    import sys

    from dldoctor.scrub import json_text

    sys.stdout.write(json_text(json.dumps(fleet, indent=2, ensure_ascii=False)) + "\n")
