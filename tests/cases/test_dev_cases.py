"""Every real failure report in tests/data/cases replayed with `check --snapshot`: the top root
cause must be one the thread established (or one an expert could not tell apart from it)."""
import json
from pathlib import Path

import pytest

from dldoctor import gather
from dldoctor.diagnose import diagnose
from dldoctor.host.snapshot import SnapshotHost

CASES = Path(__file__).resolve().parents[1] / "data" / "cases"
ALL = sorted(p.name for p in CASES.iterdir() if p.is_dir())


@pytest.mark.parametrize("case", ALL)
def test_top_root_cause(case):
    expected = json.loads((CASES / case / "expected.json").read_text())
    ok = set(expected["root_cause"]) | set(expected.get("acceptable", []))
    report = diagnose(gather.collect(SnapshotHost(str(CASES / case))))
    assert report.root_causes, "no root cause for %s" % case
    assert report.root_causes[0] in ok, (case, report.root_causes, expected)
