"""The bootstrap that `dldoctor fleet` runs on each target (BOOT in
src/dldoctor/fleet/plugins/action/dldoctor_run.py), fed here as the action feeds it, without Ansible
or ssh: a command runs as `python3 dldoctor.pyz ARGS` would (same argv, sys.path, exit code,
output), forked from the bootstrap's interpreter or, when the host's environment sets what a
Python reads at start-up, in a fresh one; a run past its timeout is killed and said so; a failed
run stops the ones after it; the temporary directory is gone at the end. Also the runs each mode
asks for (dldoctor.fleet.runner.runs)."""
import ast
import base64
import json
import os
import subprocess
import sys
import time
import zipfile

import pytest

from dldoctor.fleet.runner import runs
from pyzlib import REPO, find_python

PLUGIN = REPO / "src" / "dldoctor" / "fleet" / "plugins" / "action" / "dldoctor_run.py"

# The pyz: what `python3 dldoctor.pyz ARGS` would see, as JSON; then the action its ARGS ask for.
MAIN = r'''
import json, os, sys, time
what, arg = sys.argv[1], sys.argv[2]
print(json.dumps({"argv0": sys.argv[0], "path": sys.path, "name": __name__,
                  "stdin": sys.stdin.read(), "env": os.environ.get("FLEET_T"),
                  "encoding": sys.stdout.encoding}))
sys.stdout.flush()
if what == "exit":
    sys.exit(int(arg))
if what == "osexit":
    os._exit(int(arg))
if what == "sleep":
    time.sleep(float(arg))
if what == "raise":
    raise ValueError(arg)
if what == "write":
    with open(arg, "wb") as fh:
        fh.write(b"snapshot bytes")
'''


def _plugin_strings():
    """BOOT and LAUNCH, read from the plugin's source (it imports ansible, which need not be here)."""
    out = {}
    for node in ast.parse(PLUGIN.read_text()).body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            if node.targets[0].id in ("BOOT", "LAUNCH"):
                out[node.targets[0].id] = ast.literal_eval(node.value)
    return out["BOOT"], out["LAUNCH"]


@pytest.fixture(scope="module")
def fake_pyz(tmp_path_factory):
    path = tmp_path_factory.mktemp("boot") / "fake.pyz"
    with zipfile.ZipFile(str(path), "w") as zf:
        zf.writestr("__main__.py", MAIN)
    return path.read_bytes()


def boot(python, pyz, run_list, env=None, timeout=60):
    """Run the bootstrap as the action does (stdin: its length, itself, the header, the pyz)."""
    code, launch = _plugin_strings()
    code = code.encode("utf-8")
    head = json.dumps({"runs": run_list, "env": env or {}, "timeout": timeout}).encode("utf-8")
    data = str(len(code)).encode("ascii") + b"\n" + code + head + b"\n" + pyz
    start = time.monotonic()
    res = subprocess.run([python, "-c", launch], input=data, capture_output=True, timeout=120,
                         env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": os.environ.get("HOME", "/")})
    assert res.returncode == 0, res.stderr
    return json.loads(res.stdout.decode("utf-8")), time.monotonic() - start


def seen(run):
    return json.loads(run["stdout"].splitlines()[0])


def pythons():
    found = [sys.executable]
    for minor in (8, 13):
        py = find_python(minor)
        if py:
            found.append(py)
    return found


@pytest.mark.parametrize("python", pythons(), ids=os.path.basename)
def test_a_forked_run_sees_what_a_fresh_python_sees(python, fake_pyz):
    todo = [{"name": "one", "argv": ["exit", "3"], "ok": [3]}, {"name": "two", "argv": ["osexit", "0"], "ok": [0]}]
    forked, _ = boot(python, fake_pyz, todo, env={"FLEET_T": "x"})
    # LC_* in the host's environment: each run starts its own interpreter, as `python3 pyz` would
    fresh, _ = boot(python, fake_pyz, todo, env={"FLEET_T": "x", "LC_FLEET_T": "y"})
    for out in (forked, fresh):
        assert [out["runs"][n]["rc"] for n in ("one", "two")] == [3, 0]
        assert out["runs"]["one"]["stderr"] == "" and out["snapshot"] is None
    a, b = seen(forked["runs"]["one"]), seen(fresh["runs"]["one"])
    assert a["argv0"].endswith("/dldoctor.pyz") and a["path"][0] == a["argv0"] and "" not in a["path"]
    assert a["name"] == "__main__" and a["stdin"] == "" and a["env"] == "x"
    assert a["path"][1:] == b["path"][1:]  # [0]: each run's own temporary directory
    for key in ("name", "stdin", "env", "encoding"):
        assert a[key] == b[key], key
    assert not os.path.exists(os.path.dirname(a["argv0"]))  # the temporary directory is gone


def test_a_failed_run_stops_the_next_and_a_crash_is_its_traceback(fake_pyz):
    out, _ = boot(sys.executable, fake_pyz, [{"name": "one", "argv": ["raise", "boom"], "ok": [0]},
                                             {"name": "two", "argv": ["exit", "0"], "ok": [0]}])
    assert list(out["runs"]) == ["one"]
    one = out["runs"]["one"]
    assert one["rc"] == 1 and "Traceback" in one["stderr"] and "ValueError: boom" in one["stderr"]


def test_a_run_past_its_timeout_is_killed(fake_pyz):
    out, took = boot(sys.executable, fake_pyz, [{"name": "one", "argv": ["sleep", "60"], "ok": [0]}], timeout=1)
    one = out["runs"]["one"]
    assert one["rc"] is None and "stopped after 1 s (--task-timeout)" in one["stderr"]
    assert took < 30
    assert not os.path.exists(os.path.dirname(seen(one)["argv0"]))


def test_the_snapshot_comes_back_base64(fake_pyz):
    out, _ = boot(sys.executable, fake_pyz, [{"name": "check", "argv": ["exit", "1"], "ok": [0, 1]},
                                             {"name": "snapshot", "argv": ["write", "@TMP@/snapshot.tar.gz"],
                                              "ok": [0], "snapshot": True}])
    assert out["runs"]["check"]["rc"] == 1 and out["runs"]["snapshot"]["rc"] == 0
    assert base64.b64decode(out["snapshot"]) == b"snapshot bytes"


def test_the_runs_of_each_mode():
    assert runs("check") == [{"name": "check", "argv": ["check", "--json"], "ok": [0, 1]}]
    assert [r["name"] for r in runs("check", snapshot=True)] == ["check", "snapshot"]
    assert runs("check", snapshot=True)[1] == {"name": "snapshot", "argv": ["snapshot", "@TMP@/snapshot.tar.gz"],
                                               "ok": [0], "snapshot": True}
    assert runs("plan", fix_argv=["fix", "--dry-run"]) == [{"name": "fix", "argv": ["fix", "--dry-run"], "ok": [0, 1]}]
    assert runs("fix", fix_argv=["fix", "--yes"]) == [{"name": "fix", "argv": ["fix", "--yes"], "ok": [0]},
                                                      {"name": "check", "argv": ["check", "--json"], "ok": [0]}]
