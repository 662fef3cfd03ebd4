"""The report for people: findings grouped by area with ✓ ! ✗ –, a one-line summary, details with -v.

Colour is a layer on top: rich drops it when stdout is not a terminal or NO_COLOR is set.
"""
from __future__ import annotations

import os
import sys
from typing import Dict, List, Optional, TextIO

from dldoctor import catalog
from dldoctor.i18n import _
from dldoctor.model import FAIL, OK, SKIP, WARN, Finding, Report

GLYPH = {OK: "✓", WARN: "!", FAIL: "✗", SKIP: "–"}
STYLE = {OK: "green", WARN: "yellow", FAIL: "bold red", SKIP: "dim"}
AREA_TITLES = {
    "system": "System", "gpu": "GPU and driver", "docker": "Docker engine", "daemon-json": "daemon.json",
    "registry": "Registry and mirrors", "toolkit": "NVIDIA Container Toolkit", "apt": "apt repositories",
    "image": "Image", "container": "Container", "symptom": "Reported error", "smoke-test": "GPU smoke test",
}


def console(out: Optional[TextIO] = None):
    from rich.console import Console

    stream = out or sys.stdout
    plain = bool(os.environ.get("NO_COLOR")) or not (hasattr(stream, "isatty") and stream.isatty())
    return Console(file=stream, highlight=False, soft_wrap=True,
                   no_color=plain, color_system=None if plain else "auto",
                   force_terminal=False if plain else None)


def summary_line(report: Report) -> str:
    s = report.summary
    head = _("{fail} failed, {warn} warnings, {ok} ok, {skip} skipped").format(**s)
    if report.root_causes:
        return head + " — " + _("fix first: {ids}").format(ids=", ".join(report.root_causes))
    return head + (" — " + _("no problems found") if not s["fail"] and not s["warn"] else "")


def render(report: Report, verbose: bool = False, out: Optional[TextIO] = None,
           heading: Optional[str] = None) -> None:
    from rich.markup import escape

    con = console(out)
    if heading:
        con.print(escape(heading), style="bold")
    groups: Dict[str, List[Finding]] = {}
    for f in report.findings:
        groups.setdefault(f.area or "other", []).append(f)
    for area, items in groups.items():
        con.print(escape(_(AREA_TITLES.get(area, area))), style="bold")
        for f in items:
            line = "  %s %-16s %s" % (GLYPH[f.status], f.check, f.title)
            if f.problem and f.status in (FAIL, WARN):
                line += "  [%s]" % f.problem
            con.print(escape(line), style=STYLE[f.status])
            show_detail = verbose or f.status in (FAIL, WARN)
            if show_detail and f.detail and f.detail != f.title:
                con.print(escape("      " + f.detail))
            if verbose or f.status == FAIL:
                for ev in f.evidence[: (8 if verbose else 2)]:
                    con.print(escape("      > " + ev), style="dim")
            if f.fix and (verbose or f.status in (FAIL, WARN)):
                con.print(escape("      " + _("fix: ") + f.fix), style="cyan")
    con.print()
    style = "bold red" if report.exit_code else "bold green"
    con.print(escape(summary_line(report)), style=style)
    if report.root_causes and verbose:
        for pid in report.root_causes:
            con.print(escape("  %s: %s (dldoctor docs %s)" % (pid, catalog.title(pid), pid)))
