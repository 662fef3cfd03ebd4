"""`check` builds and compiles only what its run uses (issue 11: start-up).

Not a timing test (speed lives in scripts/bench): what a run loads is deterministic. A check of a
host with no reported error loads no planning code, no text readers and no daemon.json judge
when there is no daemon.json, and compiles a pattern only when a parser uses it.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys

from dldoctor.lazy_regex import LazyPattern, lazy_compile

PROBE = r"""
import contextlib, io, json, sys
sys.argv = ["dldoctor", "check", "--snapshot", sys.argv[1], "--json"]
from dldoctor.main import main
out = io.StringIO()
with contextlib.redirect_stdout(out):
    try:
        main()
    except SystemExit:
        pass
from dldoctor.lazy_regex import LazyPattern
lazy = [v for m in list(sys.modules.values()) if (getattr(m, "__name__", "") or "").startswith("dldoctor")
        for v in vars(m).values() if isinstance(v, LazyPattern)]
print(json.dumps({"modules": sorted(m for m in sys.modules if m.startswith("dldoctor")),
                  "lazy": len(lazy), "compiled": sum(1 for p in lazy if p._compiled is not None),
                  "report": json.loads(out.getvalue())["schema"]}))
"""


def _run_check(snapshot) -> dict:
    res = subprocess.run([sys.executable, "-c", PROBE, str(snapshot)], capture_output=True,
                         text=True, timeout=120)
    assert res.returncode == 0, res.stderr
    return json.loads(res.stdout)


def test_a_check_without_a_reported_error_loads_no_planning_reading_or_judging_code(tmp_path):
    (tmp_path / "os-release").write_text('ID=ubuntu\nVERSION_ID="22.04"\nPRETTY_NAME="Ubuntu 22.04"\n')
    (tmp_path / "proc-version").write_text("Linux version 5.15.0-91-generic (buildd@lcy02) #101-Ubuntu\n")
    got = _run_check(tmp_path)
    assert got["report"] == "dldoctor.report/1"
    loaded = set(got["modules"])
    for unused in ("dldoctor.plans", "dldoctor.signatures", "dldoctor.prose", "dldoctor.readers",
                   "dldoctor.cuda_images", "dldoctor.daemon_judge", "dldoctor.mirror_probe",
                   "dldoctor.parse.nvidia_smi", "dldoctor.parse.dockerd_journal",
                   "dldoctor.wordmodel", "dldoctor.word_weights"):
        assert unused not in loaded, unused
    assert not [m for m in loaded if m.startswith("dldoctor.provision")]
    assert "dldoctor.parse.os_release" in loaded      # the parsers it needs do load
    assert got["lazy"] >= 10 and got["compiled"] <= got["lazy"] // 2, got     # the rest never ran


def test_a_lazy_pattern_compiles_once_on_first_use():
    pat = lazy_compile(r"(?P<word>h\w+)", 0)
    assert isinstance(pat, LazyPattern) and pat._compiled is None
    assert pat.search("say hello").group("word") == "hello"
    first = pat._compiled
    assert first is not None and pat.pattern == r"(?P<word>h\w+)"
    assert pat.sub("x", "hi ho") == "x x" and pat._compiled is first
    assert [m.group(0) for m in pat.finditer("ha he")] == ["ha", "he"]


LIVE_PROBE = r"""
import contextlib, io, json, sys
from dldoctor.main import main
out = io.StringIO()
with contextlib.redirect_stdout(out):
    try:
        main(["check", "--json", "--no-probe", "--root", sys.argv[1]])
    except SystemExit:
        pass
print(json.dumps({"modules": sorted(sys.modules), "report": json.loads(out.getvalue())["schema"]}))
"""


def test_a_live_check_imports_neither_typing_nor_dataclasses(tmp_path):
    """The start-up that scripts/bench times: `check --json --root R` of a live host. typing,
    dataclasses (with inspect, ast, dis) and pkgutil cost milliseconds that are not the check's;
    records are dldoctor.records, annotations are strings, catalogs are read by the loader."""
    (tmp_path / "etc").mkdir()
    (tmp_path / "etc" / "os-release").write_text('ID=ubuntu\nVERSION_ID="22.04"\n')
    (tmp_path / "etc" / "docker").mkdir()
    (tmp_path / "etc" / "docker" / "daemon.json").write_text(
        '{"registry-mirrors": ["https://mirror.example"], "insecure-registries": ["10.0.0.0/8"]}\n')
    env = dict(os.environ, DOCKER_HOST="unix://%s" % (tmp_path / "no-docker.sock"), LANG="C.UTF-8")
    for var in ("DLDOCTOR_LANG", "LANGUAGE", "LC_ALL", "LC_MESSAGES"):
        env.pop(var, None)
    res = subprocess.run([sys.executable, "-c", LIVE_PROBE, str(tmp_path)], capture_output=True,
                         text=True, timeout=120, env=env)
    assert res.returncode == 0, res.stderr
    got = json.loads(res.stdout.splitlines()[-1])
    assert got["report"] == "dldoctor.report/1"
    loaded = set(got["modules"])
    assert "dldoctor.gather" in loaded and "dldoctor.records" in loaded    # it did run the check
    for unused in ("typing", "dataclasses", "inspect", "pkgutil", "dldoctor.cli.options",
                   "dldoctor.cli.commands", "typer", "click"):
        assert unused not in loaded, unused
