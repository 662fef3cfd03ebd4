"""Remediation steps. Each step plans (pure: facts + options -> Plan); only the executor acts.

Every step has the shape of `dldoctor.provision.step.Step`. Fix step names are the values of
--only/--skip and equal the module names with '_' -> '-'.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Tuple

if TYPE_CHECKING:
    from dldoctor.provision.step import FixStep, SmokeStep


def steps() -> Tuple[FixStep, ...]:
    """The fix steps in the order they are applied: the repositories before the packages they
    serve, the docker group once the docker package made it, daemon.json last (it points at the
    runtime the packages installed, and ends with a reload of dockerd). Imported here rather than
    at the top, so `dldoctor check` never pays for them; a step that fails to import is an error."""
    from dldoctor.provision import apt_repos, daemon_json, docker_group, packages

    return (apt_repos.step, packages.step, docker_group.step, daemon_json.step)


def smoke_test_step() -> SmokeStep:
    """`verify`'s step: the GPU smoke test, planned like the fix steps and run by the executor."""
    from dldoctor.provision import smoke_test

    return smoke_test.step
