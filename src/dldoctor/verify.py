"""`dldoctor verify`: the checks, then the proof: a container that sees the host's GPUs.

verify(host) gathers the facts (probing the configured registry mirrors), runs every check, then
the GPU smoke test (dldoctor.provision.smoke_test) as one more finding (check `smoke-test`). When a
check already fails at a layer that makes the smoke test pointless (no docker, the daemon down,
the socket refused), the smoke test is `skip` with that reason instead (the report fails anyway).
Root causes are ranked over all findings, so a failing smoke test caused by a failing check names
that check's problem. A smoke test that crashes is an internal error (exit 1), never a pass.
"""
from __future__ import annotations

from typing import List, Optional

from dldoctor import gather
from dldoctor.diagnose import rank, run_checks
from dldoctor.errors import UsageError
from dldoctor.i18n import _
from dldoctor.model import FAIL, Finding, Report

# A failing check on one of these makes `docker run` pointless: say why instead of running it.
BLOCKING = ("docker.missing", "docker.daemon-down", "docker.permission-denied",
            "docker.group-not-active")


def blocking_reason(findings: List[Finding]) -> Optional[str]:
    """Why the smoke test cannot run, from the checks' findings (None when it can)."""
    for f in findings:
        if f.status == FAIL and f.problem in BLOCKING:
            return _("{check} failed ({problem}): {title}. Fix that first; then verify again.").format(
                check=f.check, problem=f.problem, title=f.title)
    return None


def verify(host, image: Optional[str] = None, run_timeout: float = 120.0,
           pull_timeout: float = 900.0, progress: bool = True) -> Report:
    """Checks + smoke test as one Report. A snapshot cannot run containers: UsageError."""
    if not getattr(host, "is_live", False):
        raise UsageError(_("verify runs a container on this host; a snapshot cannot be verified "
                           "(use `dldoctor check --snapshot` instead)"))
    if run_timeout <= 0 or pull_timeout <= 0:
        raise UsageError(_("--run-timeout and --pull-timeout must be positive"))
    from dldoctor.provision import smoke_test

    facts = gather.collect(host, probe_mirrors=True)
    findings = run_checks(facts)
    reason = blocking_reason(findings)
    if reason is not None:
        findings.append(smoke_test.skipped(reason))
    else:
        findings.append(smoke_test.run_smoke_test(host, facts, image=image, run_timeout=run_timeout,
                                                  pull_timeout=pull_timeout, progress=progress,
                                                  checks=tuple(findings)))
    return Report(tuple(findings), rank(findings))
