"""`dldoctor verify`: the checks, then the proof: a container that sees the host's GPUs.

verify(host) gathers the facts (probing the configured registry mirrors), runs every check, then
the GPU smoke test (dldoctor.provision.smoke_test) as one more finding (check `smoke-test`). When a
check already fails at a layer that makes the smoke test pointless (no docker, the daemon down,
the socket refused), the smoke test is `skip` with that reason instead (the report fails anyway).
Root causes are ranked over all findings, so a failing smoke test caused by a failing check names
that check's problem. A smoke test that crashes is an internal error (exit 1), never a pass.

The smoke test is planned like a fix step (prepare, plan) and its plan run by the smoke runner;
dry_run(host) stops after the plan: the image and why, the preflight verdict, the pull and the
`docker run` it would do, and nothing pulled or run.
"""
from __future__ import annotations

import json

from dldoctor import gather
from dldoctor.diagnose import for_this_host, rank, run_checks
from dldoctor.errors import UsageError
from dldoctor.i18n import _
from dldoctor.model import FAIL, Finding, Plan, Report

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Dict, List, Optional, Sequence, Tuple

DRY_RUN_SCHEMA = "dldoctor.verify-plan/1"

# A failing check on one of these makes `docker run` pointless: say why instead of running it.
BLOCKING = ("docker.missing", "docker.daemon-down", "docker.permission-denied",
            "docker.group-not-active")


# ... and on one of these, when the daemon is this host's own: no driver here means no GPU in a
# container (a pull of several GB first, on a slow link, for a run certain to fail). A remote
# DOCKER_HOST or Docker Desktop's VM brings its own driver, and a missing toolkit is left to the
# smoke test to prove (Desktop and WSL need none on this side).
BLOCKING_LOCAL = ("driver.missing", "driver.not-loaded")


def blocking_reason(findings: List[Finding], local_daemon: bool = False) -> Optional[str]:
    """Why the smoke test cannot run, from the checks' findings (None when it can)."""
    blocking: Tuple[str, ...] = BLOCKING
    if local_daemon and not any(f.problem == "docker.desktop" for f in findings):
        blocking = BLOCKING + BLOCKING_LOCAL
    for f in findings:
        if f.status == FAIL and f.problem in blocking:
            return _("{check} failed ({problem}): {title}. Fix that first; then verify again.").format(
                check=f.check, problem=f.problem, title=f.title)
    return None


def _local_daemon(host: Any) -> bool:
    """Whether docker talks to this host's own dockerd (DOCKER_HOST unset or a unix socket, no
    other DOCKER_CONTEXT)."""
    where = (host.getenv("DOCKER_HOST") or "").strip()
    context = (host.getenv("DOCKER_CONTEXT") or "default").strip()
    return (not where or where.startswith("unix://")) and context in ("", "default")


def _usable(host: Any, run_timeout: float, pull_timeout: float) -> None:
    if not getattr(host, "is_live", False):
        raise UsageError(_("verify runs a container on this host; a snapshot cannot be verified "
                           "(use `dldoctor check --snapshot` instead)"))
    if run_timeout <= 0 or pull_timeout <= 0:
        raise UsageError(_("--run-timeout and --pull-timeout must be positive"))


def verify(host: Any, image: Optional[str] = None, run_timeout: float = 120.0,
           pull_timeout: float = 900.0, progress: bool = True, probe: bool = True) -> Report:
    """Checks + smoke test as one Report. A snapshot cannot run containers: UsageError."""
    _usable(host, run_timeout, pull_timeout)
    facts = gather.collect(host, probe_mirrors=probe)
    findings = run_checks(facts)
    reason = blocking_reason(findings, _local_daemon(host))
    if reason is not None:
        from dldoctor.provision import smoke_test

        findings.append(smoke_test.skipped(reason))
    else:
        findings.append(run_smoke_test(host, facts, image=image, run_timeout=run_timeout,
                                       pull_timeout=pull_timeout, progress=progress,
                                       checks=tuple(findings)))
    findings = for_this_host(findings, facts)
    return Report(tuple(findings), rank(findings))


def run_smoke_test(host: Any, facts: Any, image: Optional[str] = None,
                   run_timeout: float = 120.0, pull_timeout: float = 900.0,
                   progress: bool = False, checks: Sequence[Finding] = ()) -> Finding:
    """The smoke-test finding: the step planned, its plan run by the smoke runner, judged."""
    from dldoctor.provision import smoke_test_step
    from dldoctor.provision.smoke_test import SmokeOptions
    from dldoctor.smoke_runner import run_plan

    options = SmokeOptions(image, run_timeout, pull_timeout, progress)
    bound = smoke_test_step().prepare(host, facts, options)
    plan = bound.plan(facts, options)
    results = {} if plan.blocked else run_plan(plan, host, pull_timeout=pull_timeout,
                                               run_timeout=run_timeout, progress=progress)
    found: Finding = bound.judge(host, facts, results, checks)
    return found


def dry_run(host: Any, image: Optional[str] = None, json_out: bool = False,
            probe: bool = True) -> Tuple[str, int]:
    """The smoke test's plan as text (or JSON) and the exit code: 0, or 1 when it is blocked
    (a check that makes it pointless, or an image the driver cannot run). Nothing is pulled or
    run; the image's configuration is read, as the real run reads it before pulling."""
    _usable(host, 1.0, 1.0)
    from dldoctor.executor import plan_to_json, render_plans
    from dldoctor.provision import smoke_test_step
    from dldoctor.provision.smoke_test import CHECK, SmokeOptions

    facts = gather.collect(host, probe_mirrors=probe)
    reason = blocking_reason(run_checks(facts), _local_daemon(host))
    options = SmokeOptions(image)
    about: Dict[str, Any] = {}
    if reason is not None:
        plan = Plan(step=CHECK, blocked=reason, unblock=_("dldoctor check names what to fix"))
    else:
        bound = smoke_test_step().prepare(host, facts, options)
        plan = bound.plan(facts, options)
        about = bound.to_json()
    code = 1 if plan.blocked else 0
    if json_out:
        doc = dict({"schema": DRY_RUN_SCHEMA, "status": "blocked" if plan.blocked else "dry-run",
                    "exit_code": code}, **about)
        doc["plan"] = [plan_to_json(plan)]
        return json.dumps(doc, indent=2), code
    return render_plans([plan]) + "\n" + _("Dry run: nothing was pulled or run."), code
