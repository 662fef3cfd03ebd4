"""`dldoctor snapshot OUT`: every piece of evidence, and the mirror probes, that a bug report
carries (gathered like a check does), written by the host layer (host.recorder)."""
from __future__ import annotations

from dldoctor.evidence import RECORD_NAMES
from dldoctor.host.live import LiveHost


def write_snapshot(host: LiveHost, out: str, probe: bool = True) -> str:
    from dldoctor import gather
    from dldoctor.host import recorder

    facts = gather.collect(host, probe_mirrors=probe, names=RECORD_NAMES)
    evidence = {n: ev for n, ev in facts.raw.items() if ":" not in n}
    return recorder.write_evidence(host.root, out, evidence)
