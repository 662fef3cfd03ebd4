"""NVIDIA Container Toolkit's docker-engine tests as a suite for fix's merge.

For each case (tests/data/nvidia_ctk_docker_engine_cases.json), fix's merge adds the same runtime
(and default runtime) to the same daemon.json; the result must be what dockerd reads from
nvidia-ctk's expected output (dockerd reads `runtimeArgs` and ignores `args`, so nvidia-ctk's
`"args": []` and fix's `"runtimeArgs": []` read the same), compared as parsed JSON; and no runtime
fix does not manage may change. fix manages one runtime, named by provision.daemon_json.RUNTIME
(`nvidia`); NVIDIA's engine tests add runtimes of other names, so the suite names it per call.
"""
import json
from pathlib import Path

import pytest

from dldoctor.daemon_judge import judge
from dldoctor.provision import daemon_json as dj

DATA = json.loads((Path(__file__).resolve().parent.parent / "data" /
                   "nvidia_ctk_docker_engine_cases.json").read_text())


def as_dockerd_reads(config):
    """The runtimes as dockerd's Config sees them (api/types/system Runtime json tags)."""
    out = json.loads(json.dumps(config))
    for entry in (out.get("runtimes") or {}).values():
        if isinstance(entry, dict):
            args = entry.pop("args", None)
            if "runtimeArgs" not in entry and "runtimeType" not in entry:
                entry["runtimeArgs"] = []
            del args            # dockerd never reads it
    return out


@pytest.mark.parametrize("case", DATA["cases"], ids=[c["test"].split(" ", 1)[1] for c in DATA["cases"]])
def test_fix_reads_like_nvidia_ctk(case, monkeypatch):
    text = json.dumps(case["before"], indent=4) + "\n"
    for name, path in case["runtimes"].items():
        monkeypatch.setattr(dj, "RUNTIME", name)
        default = case["default"] if case["default"] == name else None
        text = dj.merge(text, (), path, default)
    if case["default"] and case["default"] not in case["runtimes"]:
        text = dj.merge(text, (), None, case["default"])
    got = json.loads(text)
    expected = json.loads(json.dumps(case["expected"]))
    for name in case.get("unmanaged_expected", ()):
        del expected["runtimes"][name]          # nvidia-ctk's installer adds these; fix does not
    assert as_dockerd_reads(got) == as_dockerd_reads(expected)
    # runtimes fix was not asked about come back exactly as they were
    for name, entry in (case["before"].get("runtimes") or {}).items():
        if name not in case["runtimes"]:
            assert got["runtimes"][name] == entry
    # and the managed ones are written the way dockerd reads them
    for name in case["runtimes"]:
        assert "args" not in got["runtimes"][name] and "runtimeArgs" in got["runtimes"][name]
    # dockerd's verdict is the same on both (ALREADY_SET is no runtime: refused either way)
    assert judge(text, (29, 7, 2), {}).refuses == judge(json.dumps(expected), (29, 7, 2), {}).refuses


def test_fix_never_touches_a_shim_runtime_with_args():
    """The bug this suite guards: renaming `args` in every runtime made a runtimeType shim one
    that dockerd 24+ refuses ("args cannot be used with a runtimeType runtime")."""
    text = ('{\n  "runtimes": {\n    "kata": {"runtimeType": "io.containerd.kata.v2", '
            '"args": ["--debug"]}\n  }\n}\n')
    out = dj.merge(text, (), "/usr/bin/nvidia-container-runtime", None)
    assert '"kata": {"runtimeType": "io.containerd.kata.v2", "args": ["--debug"]}' in out
    assert not judge(out, (29, 7, 2), {}).refuses
