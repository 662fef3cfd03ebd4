"""The cached verdicts of the real dockerd 20.10 (tests/data/dockerd_20.10_oracle.json) re-checked
live on a sample of the moby cases: the lab's dockerd started on each input, refused or not."""
import json
import sys
from pathlib import Path

import pytest

import lab as lablib

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "conformance"))
import oracle  # noqa: E402  (tests/conformance/oracle.py)

from dldoctor.daemon_judge import judge  # noqa: E402
from dldoctor.parse.dockerd_cmdline import flags_by_name  # noqa: E402

pytestmark = pytest.mark.lab

DATA = Path(__file__).resolve().parent.parent / "data"
CASES = json.loads((DATA / "moby_daemon_json_cases.json").read_text())
CACHED = {r["index"]: r["verdict"] for r in
          json.loads((DATA / "dockerd_20.10_oracle.json").read_text())["results"]}
SAMPLE = list(range(0, len(CASES), 13))          # 16 cases spread over every test file


def test_sample_still_gets_the_cached_verdict():
    lablib.require_lab()
    version = oracle.dockerd_version()
    if not version.startswith("20.10"):
        pytest.skip("the cached oracle is dockerd 20.10's; this host has %s" % version)
    wrong = []
    with lablib.Lab() as lab:
        for i in SAMPLE:
            live, why = oracle.run_case(lab, CASES[i])
            if live != CACHED[i]:
                wrong.append((i, CASES[i]["test"], live, CACHED[i], why))
    assert wrong == []


def test_the_judge_agrees_with_the_sample():
    got = {i: judge(oracle.case_bytes(CASES[i]), (20, 10, 24),
                    flags_by_name(CASES[i].get("flags", ()))).refuses for i in SAMPLE}
    assert {i: ("refuse" if r else "start") for i, r in got.items()} == {i: CACHED[i] for i in SAMPLE}
    assert len({CACHED[i] for i in SAMPLE}) == 2           # both verdicts are in the sample
