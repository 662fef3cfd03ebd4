"""moby's own daemon.json test cases as a conformance suite for dldoctor's judge.

tests/data/moby_daemon_json_cases.json holds each input with dockerd's verdict at docker-v29.7.2
and the moby test (file, function, line) it comes from; tests/data/dockerd_20.10_oracle.json holds
what the real dockerd 20.10 (Debian's docker.io) did with the same inputs and flags
(tests/conformance/oracle.py; tests/lab/test_daemon_json_oracle_lab.py re-checks a sample live).
"""
import base64
import json
from pathlib import Path

import pytest

from dldoctor.daemon_judge import REFUSE, WARN, judge
from dldoctor.parse.dockerd_cmdline import flags_by_name

DATA = Path(__file__).resolve().parent.parent / "data"
CASES = json.loads((DATA / "moby_daemon_json_cases.json").read_text())
ORACLE = json.loads((DATA / "dockerd_20.10_oracle.json").read_text())


def case_bytes(case):
    if "input_base64" in case:
        return base64.b64decode(case["input_base64"])
    return case["input"].encode("utf-8")


def verdict(case, version):
    j = judge(case_bytes(case), version, flags_by_name(case.get("flags", ())))
    return "refuse" if j.refuses else "start"


def agreement(version, expected):
    agree, false_refusals, wrong = 0, 0, []
    for i, case in enumerate(CASES):
        got = verdict(case, version)
        if got == expected[i]:
            agree += 1
        else:
            wrong.append((i, case["test"], case.get("input"), expected[i], got))
            false_refusals += got == "refuse"
    return agree / len(CASES), false_refusals, wrong


def test_the_suite_is_moby_s():
    assert len(CASES) >= 188
    for case in CASES:
        assert case["source"].endswith("_test.go") and case["line"] > 0 and case["test"].startswith("Test")
        assert case["verdict"] in ("start", "refuse")
    assert {c["verdict"] for c in CASES} == {"start", "refuse"}


def test_release_29_gets_dockerd_s_verdict():
    rate, false_refusals, wrong = agreement((29, 7, 2), [c["verdict"] for c in CASES])
    assert false_refusals == 0, wrong
    assert rate >= 0.95, wrong


def test_release_20_10_agrees_with_the_real_dockerd():
    assert ORACLE["dockerd"].startswith("20.10")
    expected = {r["index"]: r["verdict"] for r in ORACLE["results"]}
    assert sorted(expected) == list(range(len(CASES)))
    rate, _false, wrong = agreement((20, 10, 24), [expected[i] for i in range(len(CASES))])
    assert rate >= 0.95, wrong


def _by_test(name, **match):
    for case in CASES:
        if case["test"] == name and all(case.get(k) == v for k, v in match.items()):
            return case
    raise KeyError(name)


@pytest.mark.parametrize("test,match,v29,v2010", [
    # UTF-16 with a BOM: decoded since 23.0; 20.10 sees the BOM as a stray character
    ("TestDaemonConfigurationUnicodeVariations", {"note": "UTF-16 (LE with BOM)"}, "start", "refuse"),
    # a mirror with a path: allowed since 24.0
    ("TestValidateMirror", {"input": '{"registry-mirrors": ["https://mirror-1.example.com/v1/"]}'},
     "start", "refuse"),
    # a key new in 29.7
    ("TestDefaultStopTimeout", {"input": '{"default-stop-timeout": 42}'}, "start", "refuse"),
    # the runtime rules of setupRuntimes (24.0+); `runc` is reserved everywhere
    ("TestSetupRuntimes", {"input": '{"runtimes": {"myruntime": {}}}'}, "refuse", "start"),
    ("TestSetupRuntimes", {"input": '{"runtimes": {"runc": {}}}'}, "refuse", "refuse"),
    ("TestSetupRuntimes", {"input": '{"default-runtime": "notdefined"}'}, "refuse", "refuse"),
])
def test_version_decides(test, match, v29, v2010):
    case = _by_test(test, **match)
    assert verdict(case, (29, 7, 2)) == v29
    assert verdict(case, (20, 10, 24)) == v2010


def test_unknown_version_warns_and_names_the_releases():
    j = judge(b'{"default-stop-timeout": 42}', None, {})
    assert not j.refuses
    [v] = j.verdicts
    assert v.severity == WARN and "29" not in v.releases and "20.10" in v.releases
    j = judge(b'{"labels": ["one"]}', None, {})
    assert j.refuses and [v.severity for v in j.verdicts] == [REFUSE]


def test_registry_mirror_is_accepted_and_ignored():
    j = judge(b'{"registry-mirror": ["https://mirror.example.com"]}', (20, 10, 24), {})
    assert not j.refuses
    [v] = j.verdicts
    assert v.severity == "ignored" and v.read_as == "registry-mirrors"


def test_flags_merge_or_conflict_like_dockerd():
    rt = b'{"runtimes": {"nvidia": {"path": "/usr/bin/nvidia-container-runtime"}}}'
    assert not judge(rt, (29, 7, 2), flags_by_name(["--add-runtime", "x=/bin/x"])).refuses
    assert not judge(rt, (18, 9, 0), flags_by_name(["--add-runtime", "x=/bin/x"])).refuses
    # Before 18.09 (moby#37871) the pair stopped dockerd: nvidia-docker2's drop-in and its
    # daemon.json together, as Docker 17.x and 18.06 hosts reported.
    old = judge(rt, (17, 12, 1), flags_by_name(["--add-runtime", "nvidia=/usr/bin/nvidia-container-runtime"]))
    assert old.refuses and [(v.rule, v.key) for v in old.verdicts] == [("flag-conflict", "runtimes")]
    proxies = b'{"proxies": {"http-proxy": "http://127.0.0.1:3128"}}'
    j = judge(proxies, (29, 7, 2), flags_by_name(["--http-proxy", "http://127.0.0.1:3128"]))
    assert [v.rule for v in j.verdicts] == ["flag-conflict"] and j.verdicts[0].key == "http-proxy"


def test_nesting_as_deep_as_go_allows():
    deep = b'{"x": ' + b"[" * 9999 + b"]" * 9999 + b"}"
    j = judge(deep, (29, 7, 2), {})
    assert [v.rule for v in j.verdicts] == ["unknown-key"]      # parsed; `x` is no key of dockerd's
    deeper = b'{"x": ' + b"[" * 10000 + b"]" * 10000 + b"}"
    [v] = judge(deeper, (29, 7, 2), {}).verdicts
    assert v.rule == "syntax" and "exceeded max depth" in v.message
