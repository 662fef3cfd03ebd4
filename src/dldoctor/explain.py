"""`dldoctor explain`: an error text, read against this host's evidence, as ranked root causes."""
from __future__ import annotations


from dldoctor.diagnose import (diagnose_symptom, for_this_host, guess_symptom, order_guesses, rank, run_checks,
                                second_opinion)
from dldoctor.facts import Facts
from dldoctor.model import FAIL, Report

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Optional


def explain(text: str, host=None, command: Optional[str] = None) -> Report:
    """Findings from the text (confidence from the signature, refined by host facts) plus the
    host's own failing findings; root causes ranked across both."""
    extra = {"error": text, "command": command or ""}
    if host is not None:
        from dldoctor import gather

        facts = gather.collect(host, extra=extra)
        host_findings = [f for f in run_checks(facts) if f.status == FAIL]
    else:
        facts = Facts(error=text, command=command)
        host_findings = []
    symptom = diagnose_symptom(facts)
    guesses = [] if symptom else guess_symptom(facts, host_findings)
    findings = sorted(symptom, key=lambda f: -(f.confidence or 0)) + guesses + host_findings
    roots = rank(findings, focus=[f.problem for f in symptom or guesses if f.problem])
    if guesses:
        roots = order_guesses(roots, guesses, host_findings)
    else:
        findings, roots = second_opinion(facts, findings, roots)
    return Report(tuple(for_this_host(findings, facts)), roots)
