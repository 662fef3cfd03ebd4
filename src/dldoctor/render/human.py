"""The report for people: findings grouped by area with ✓ ! ✗ –, a one-line summary, details with -v.

Colour is a layer on top: rich drops it when stdout is not a terminal or NO_COLOR is set.
Every line passes `_line` (dldoctor.scrub.safe): secrets masked, control characters shown escaped,
and glyphs the output encoding cannot show replaced by ASCII.
"""
from __future__ import annotations

import os
import sys

from dldoctor import catalog
from dldoctor.i18n import _
from dldoctor.model import FAIL, OK, SKIP, WARN, Finding, Report, guessed
from dldoctor.scrub import one_line, safe

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Dict, List, Optional, TextIO

GLYPH = {OK: "✓", WARN: "!", FAIL: "✗", SKIP: "–"}
ASCII_GLYPH = {OK: "+", WARN: "!", FAIL: "x", SKIP: "-"}
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


FIRST_CAUSES = 3
# A guess the model gives less than this is not named in "Fix first" (it stays in the JSON's
# root_causes and in the table): after "could not select device driver" an unrelated apt source
# at 1% is a line the reader has to skip. The first cause is always named.
SHOW_GUESS = 0.1


def unlikely(report: Report) -> List[Finding]:
    """Failing findings that are only the word model's guess, below SHOW_GUESS and not the first
    cause: shown as possible ("?"), not counted as failures (the JSON keeps them as they are)."""
    failing = [f for f in report.findings if f.status == FAIL]
    only_guessed = guessed((f.problem, f.guess) for f in failing)
    first = report.root_causes[0] if report.root_causes else None
    return [f for f in failing if f.guess and f.problem in only_guessed and f.problem != first
            and (f.confidence or 0.0) < SHOW_GUESS]


def summary_line(report: Report, explained: Optional[bool] = None) -> str:
    """The counts, and the verdict when there is nothing to fix."""
    s = dict(report.summary)
    n = len(unlikely(report))
    s["fail"] -= n
    head = _("{fail} failed, {warn} warnings, {ok} ok, {skip} skipped").format(**s)
    if n:
        head = _("{counts}; unlikely guesses (?): {n}").format(counts=head, n=n)
    if explained is False:
        return head + " — " + _("no known cause found in this text")
    if report.root_causes:
        return head
    return head + (" — " + _("no problems found") if not s["fail"] and not s["warn"] else "")


def encodable(text: str, stream: Optional[TextIO] = None) -> bool:
    """Whether `stream` (stdout) can show `text` in its encoding."""
    enc = getattr(stream or sys.stdout, "encoding", None) or "utf-8"
    try:
        text.encode(enc)
    except (UnicodeEncodeError, LookupError):
        return False
    return True


def _fit(text: str, enc: str) -> str:
    """`text` as `enc` can carry it (backslash escapes for what it cannot): printing never fails."""
    try:
        text.encode(enc)
    except UnicodeEncodeError:
        return text.encode(enc, "backslashreplace").decode(enc, "replace")
    except LookupError:
        pass
    return text


def causes_line(report: Report, explained: Optional[bool] = None) -> Optional[str]:
    """The first root causes by title (with their IDs), the ones to fix first. `explained` as for
    render: the rest of an explained text's causes are in the table above, not on this host."""
    if not report.root_causes:
        return None
    failing = [f for f in report.findings if f.status == FAIL]
    only_guessed = guessed((f.problem, f.guess) for f in failing)
    faint = {f.problem for f in unlikely(report)}
    named = [pid for pid in report.root_causes[:FIRST_CAUSES] if pid not in faint]
    shown = ["%s [%s]%s" % (catalog.title(pid), pid, (" " + _("(a guess)")) if pid in only_guessed else "")
             for pid in named]
    more = len([pid for pid in report.root_causes if pid not in faint]) - len(named)
    text = _("Fix first: {causes}").format(causes=_("; ").join(shown))
    if more > 0:
        text += " " + (_("(and {n} more: dldoctor check -v)") if explained is None
                       else _("(and {n} more, listed above)")).format(n=more)
    return text


def next_command(report: Report, explained: Optional[bool] = None) -> Optional[str]:
    """The one command to run next: the first cause's fix, else a closer look or the proof."""
    if explained is False:
        return "dldoctor check -v  " + _("(what this host shows; add the whole error text to explain)")
    if report.root_causes:
        pid = report.root_causes[0]
        fix = next((f.fix for f in report.findings if f.problem == pid and f.fix), None)
        return (fix or catalog.fix(pid)).splitlines()[0]
    if report.summary["warn"]:       # the first warning's own fix, shown beside it
        fix = next((f.fix for f in report.findings if f.status == WARN and f.fix), None)
        return fix.splitlines()[0] if fix else "dldoctor check -v  " + _("(the warnings in detail)")
    if any(f.area == "smoke-test" for f in report.findings):
        return None  # verify already proved it
    return "dldoctor verify  " + _("(prove it: a GPU container runs nvidia-smi)")


def render(report: Report, verbose: bool = False, out: Optional[TextIO] = None,
           heading: Optional[str] = None, explained: Optional[bool] = None) -> None:
    """explained: None for a host report; for `explain`, whether the text matched a known cause."""
    from rich.markup import escape as markup_escape

    stream = out or sys.stdout
    enc = getattr(stream, "encoding", None) or "utf-8"
    glyphs = GLYPH if encodable("".join(GLYPH.values()), stream) else ASCII_GLYPH

    def escape(text: str) -> str:       # one line each: a key "x\nDry run" stays in its line
        return markup_escape(_fit(safe(one_line(text)), enc))

    con = console(stream)
    if heading:
        con.print(escape(heading), style="bold")
    groups: Dict[str, List[Finding]] = {}
    for f in report.findings:
        groups.setdefault(f.area or "other", []).append(f)
    faint = {id(f) for f in unlikely(report)}
    for area, items in groups.items():
        con.print(escape(_(AREA_TITLES.get(area, area))), style="bold")
        for f in items:
            glyph = "?" if id(f) in faint else glyphs[f.status]
            line = "  %s %-16s %s" % (glyph, f.check, clip(f.title, PROSE_SHOWN))
            if f.problem and f.status in (FAIL, WARN):
                line += "  [%s]" % f.problem
            con.print(escape(line), style="dim" if id(f) in faint else STYLE[f.status])
            show_detail = verbose or f.status in (FAIL, WARN, SKIP)
            if show_detail and f.detail and f.detail != f.title:
                con.print(escape("      " + clip(f.detail, PROSE_SHOWN)))
            if verbose or f.status == FAIL:
                for ev in f.evidence[: (8 if verbose else 2)]:
                    con.print(escape("      > " + clip(ev)), style="dim")
            if f.fix and (verbose or f.status in (FAIL, WARN)):
                con.print(escape("      " + _("fix: ") + f.fix), style="cyan")
    con.print()
    style = "bold red" if report.exit_code else "bold green"
    con.print(escape(summary_line(report, explained)), style=style)
    causes = causes_line(report, explained)
    if causes:
        con.print(escape(causes), style=style)
    if report.root_causes and verbose:
        for pid in report.root_causes:
            con.print(escape("  %s: %s (dldoctor docs %s)" % (pid, catalog.title(pid), pid)))
    nxt = next_command(report, explained)
    if nxt:
        con.print(escape(_("Next: {command}").format(command=nxt)), style="bold")


# Bound of one evidence line in the table: a one-line file (an invalid daemon.json of 400 KB)
# is quoted as its head; --json keeps it whole. A title or detail quotes values from the host (a
# mirror's URL, a runtime's path): the same, with room for a real sentence.
EVIDENCE_SHOWN = 400
PROSE_SHOWN = 1000


def clip(line: str, limit: int = EVIDENCE_SHOWN) -> str:
    if len(line) <= limit:
        return line
    return line[:limit] + " " + _("… ({n} more characters; --json has them all)").format(n=len(line) - limit)
