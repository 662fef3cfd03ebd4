"""The one shape every remediation step has, so the executor and the CLI treat them all alike.

A step is planned in two phases:
  prepare(host, facts, options) -> Step   the only phase with I/O (keys fetched, mirrors probed,
                                          an image's config read); returns a step bound to what
                                          it read. A step with nothing to read returns itself.
  plan(facts, options) -> Plan            pure: what the step would change, or Refused.
The executor then turns the Plan into writes and commands; steps never act themselves.
The fix steps plan from FixOptions (FixStep); the smoke test plans from SmokeOptions and, once
its plan ran, judges what the commands printed (SmokeStep).
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Dict, Protocol, Sequence, TypeVar, runtime_checkable

if TYPE_CHECKING:
    from dldoctor.facts import Facts
    from dldoctor.host import CommandResult, Host
    from dldoctor.model import Finding
    from dldoctor.plans import Plan
    from dldoctor.provision.options import FixOptions
    from dldoctor.provision.smoke_test import SmokeOptions

O = TypeVar("O", contravariant=True)   # what the user asked the step for


@runtime_checkable
class Step(Protocol[O]):
    """What `dldoctor fix` (and `verify`'s smoke test) need of a step."""

    name: str

    def prepare(self, host: Host, facts: Facts, options: O) -> Step[O]:
        ...

    def plan(self, facts: Facts, options: O) -> Plan:
        ...


# A fix step (apt-repos, packages, docker-group, daemon-json): --only/--skip name it.
FixStep = Step["FixOptions"]


class SmokeStep(Step["SmokeOptions"], Protocol):
    """`verify`'s smoke test: a step whose plan, once run, is judged into a finding."""

    def prepare(self, host: Host, facts: Facts, options: SmokeOptions) -> SmokeStep:
        ...

    def judge(self, host: Host, facts: Facts, results: Dict[str, CommandResult],
              checks: Sequence[Finding] = ()) -> Finding:
        ...

    def to_json(self) -> Dict[str, object]:
        ...


class PureStep:
    """Base of a fix step that plans from the facts alone: its prepare phase reads nothing."""

    name = ""

    def prepare(self, host: Host, facts: Facts, options: FixOptions) -> PureStep:
        return self

    def plan(self, facts: Facts, options: FixOptions) -> Plan:
        raise NotImplementedError
