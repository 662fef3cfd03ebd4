"""The values that flow through dldoctor: findings and reports (the JSON contract in types).

Checks return Findings; provision steps return Plans (dldoctor.plans, loaded only by the commands
that plan: a `check` builds none of them).
"""
from __future__ import annotations


from dldoctor.records import frozen_record

TYPE_CHECKING = False
if TYPE_CHECKING:  # the plan types, as the lazy __getattr__ below hands them out at run time
    from typing import Dict, Iterable, Optional, Set, Tuple

    from dldoctor.plans import Change as Change
    from dldoctor.plans import DaemonAction as DaemonAction
    from dldoctor.plans import FileRemove as FileRemove
    from dldoctor.plans import FileWrite as FileWrite
    from dldoctor.plans import Plan as Plan
    from dldoctor.plans import Run as Run

SCHEMA = "dldoctor.report/1"

OK, WARN, FAIL, SKIP = "ok", "warn", "fail", "skip"
STATUSES = (OK, WARN, FAIL, SKIP)


def guessed(failing: Iterable[Tuple[object, bool]]) -> Set[str]:
    """The problems that only the word model names: every failing finding of theirs is a guess.
    `failing`: (problem, guess) of each failing finding, from Findings or from report JSON."""
    only: Dict[str, bool] = {}
    for pid, guess in failing:
        if isinstance(pid, str):
            only[pid] = only.get(pid, True) and guess
    return {pid for pid, g in only.items() if g}


@frozen_record
class Finding:
    """One check's verdict. `problem` is a catalog ID (dldoctor.catalog) or None when ok/skip."""

    check: str
    status: str
    problem: Optional[str]
    title: str
    detail: str = ""
    evidence: Tuple[str, ...] = ()
    fix: Optional[str] = None
    area: str = ""
    confidence: Optional[float] = None
    # The learned word model's guess, not a reading of the evidence (diagnose._guess_finding): the
    # human summary says so, and the JSON has "guess": true (a field added to dldoctor.report/1).
    guess: bool = False

    def to_json(self) -> Dict[str, object]:
        out: Dict[str, object] = {
            "check": self.check,
            "status": self.status,
            "problem": self.problem,
            "title": self.title,
            "detail": self.detail,
            "evidence": list(self.evidence),
            "fix": self.fix,
        }
        if self.area:
            out["area"] = self.area
        if self.confidence is not None:
            out["confidence"] = round(self.confidence, 2)
        if self.guess:
            out["guess"] = True
        return out


@frozen_record
class Report:
    findings: Tuple[Finding, ...]
    root_causes: Tuple[str, ...]

    @property
    def summary(self) -> Dict[str, int]:
        counts = {s: 0 for s in STATUSES}
        for f in self.findings:
            counts[f.status] += 1
        return counts

    @property
    def exit_code(self) -> int:
        return 1 if any(f.status == FAIL for f in self.findings) else 0

    def to_json(self) -> Dict[str, object]:
        from dldoctor import __version__

        return {
            "schema": SCHEMA,
            "dldoctor_version": __version__,  # which release judged (bug reports, fleets)
            "findings": [f.to_json() for f in self.findings],
            "root_causes": list(self.root_causes),
            "summary": self.summary,
        }


_PLANS = ("FileWrite", "FileRemove", "Run", "DaemonAction", "Change", "Plan")


def __getattr__(name: str) -> object:
    """The plan types, still importable from here (they live in dldoctor.plans)."""
    if name in _PLANS:
        from dldoctor import plans

        return getattr(plans, name)
    raise AttributeError("module %r has no attribute %r" % (__name__, name))
