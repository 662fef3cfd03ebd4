"""The one shape every remediation step has, so the executor and the CLI treat them all alike.

A step is planned in two phases:
  prepare(host, facts, options) -> Step   the only phase with I/O (keys fetched, mirrors probed,
                                          an image's config read); returns a step bound to what
                                          it read. A step with nothing to read returns itself.
  plan(facts, options) -> Plan            pure: what the step would change, or Refused.
The executor then turns the Plan into writes and commands; steps never act themselves.
"""
from __future__ import annotations

from typing import Any, Protocol, runtime_checkable

from dldoctor.model import Plan


@runtime_checkable
class Step(Protocol):
    """What `dldoctor fix` (and `verify`'s smoke test) need of a step."""

    name: str

    def prepare(self, host: Any, facts: Any, options: Any) -> "Step":
        ...

    def plan(self, facts: Any, options: Any) -> Plan:
        ...


class PureStep:
    """Base of a step that plans from the facts alone: its prepare phase reads nothing."""

    name = ""

    def prepare(self, host: Any, facts: Any, options: Any) -> "PureStep":
        return self

    def plan(self, facts: Any, options: Any) -> Plan:
        raise NotImplementedError
