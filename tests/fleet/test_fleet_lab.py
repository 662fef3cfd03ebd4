"""`dldoctor fleet` through real ansible-playbook over real ssh (sshd on 127.0.0.1, a port not 22)
to inventory aliases of this machine, each a Docker lab of its own through dldoctor_args (--root)
and dldoctor_env (DOCKER_HOST, PATH):

- healthy: the toolkit's hook and runtime in place before dockerd started -> ok;
- late: the hook installed after dockerd started -> toolkit.daemon-not-restarted (run with
  Python 3.8 on the target where there is one);
- hung: DOCKER_HOST is a socket that never answers, --timeout 3 -> docker.daemon-down, without
  holding the others back;
- down: nothing listens on its port -> unreachable.
Then `fleet merge` of the saved reports, and a rolling `fleet fix` that stops at a host whose
dockerd restart fails, rolled back, before touching the next one.
"""
import json
import os
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path

import pytest

import lab as lablib
from fleetlib import BECOME_UID, fleet_env, free_port, run_fleet, sshd, write_inventory  # noqa: F401 (fixture)
from pyzlib import find_python, pyz  # noqa: F401  (fixture)

pytestmark = pytest.mark.lab

TARGET_PY = "/usr/bin/python3" if os.access("/usr/bin/python3", os.X_OK) else sys.executable


def lab_env(the_lab, **extra):
    env = the_lab.env()
    keep = {k: env[k] for k in ("DOCKER_HOST", "DOCKER_CONFIG", "PATH")}
    if os.environ.get(lablib.RUN_ID_ENV):
        keep[lablib.RUN_ID_ENV] = os.environ[lablib.RUN_ID_ENV]
    keep.update(extra)
    return keep


def install_toolkit(the_lab):
    for src, name in ((the_lab.hookbin / "nvidia-container-runtime-hook", "nvidia-container-runtime-hook"),
                      (the_lab.bin / "nvidia-container-runtime", "nvidia-container-runtime")):
        shutil.copy2(str(src), str(the_lab.root / "usr" / "bin" / name))


RUNTIME = {"runtimes": {"nvidia": {"path": "/usr/bin/nvidia-container-runtime", "runtimeArgs": []}}}


@pytest.fixture(scope="module")
def labs():
    lablib.require_lab()
    made = []
    try:
        healthy = lablib.Lab()
        made.append(healthy)
        install_toolkit(healthy)
        healthy.write_daemon_json(RUNTIME)
        healthy.start_dockerd(hook=True)

        late = lablib.Lab()
        made.append(late)
        hook = late.hookbin / "nvidia-container-runtime-hook"
        saved = hook.read_bytes()
        hook.unlink()
        late.write_daemon_json(RUNTIME)
        late.start_dockerd(hook=True)  # the hook is not there yet when dockerd starts
        # check compares whole seconds and wants the hook more than a second younger than dockerd
        time.sleep(2.5)
        hook.write_bytes(saved)
        hook.chmod(0o755)
        install_toolkit(late)
        yield healthy, late
    finally:
        for the_lab in made:
            the_lab.cleanup()


def target_tmp(tmp_path):
    """The targets' TMPDIR (through dldoctor_env): where the pyz lands and must be gone from."""
    path = tmp_path / "target-tmp"
    path.mkdir(exist_ok=True)
    path.chmod(0o1777)
    return path


def inventory(tmp_path, sshd, labs, hung_socket=None, with_down=True):
    healthy, late = labs
    tmpdir = str(target_tmp(tmp_path))
    hosts = {
        "healthy": sshd.host_vars(ansible_python_interpreter=TARGET_PY,
                                  dldoctor_args="--no-probe --root %s" % healthy.root,
                                  dldoctor_env=lab_env(healthy, TMPDIR=tmpdir)),
        "late": sshd.host_vars(ansible_python_interpreter=find_python(8) or TARGET_PY,
                               dldoctor_args=["--no-probe", "--root", str(late.root)],
                               dldoctor_env=lab_env(late, TMPDIR=tmpdir)),
    }
    if hung_socket:
        hosts["hung"] = sshd.host_vars(ansible_python_interpreter=TARGET_PY,
                                       dldoctor_args="--no-probe --timeout 3 --root %s" % healthy.root,
                                       dldoctor_env=lab_env(healthy, DOCKER_HOST="unix://" + hung_socket, TMPDIR=tmpdir))
    if with_down:
        hosts["down"] = dict(sshd.host_vars(), ansible_port=free_port())
    return write_inventory(tmp_path / "hosts.yml", hosts)


def test_fleet_check_merges_four_hosts(tmp_path, sshd, labs, pyz):
    healthy, late = labs
    env = fleet_env(tmp_path, sshd, DLDOCTOR_PYZ=str(pyz))
    base = inventory(tmp_path, sshd, labs)
    start = time.monotonic()
    r0 = run_fleet(["check", "-i", base, "--json"], env)
    without_hung = time.monotonic() - start
    assert r0.returncode == 1, r0.stderr

    with healthy.hung_socket() as hung:
        inv = inventory(tmp_path, sshd, labs, hung_socket=hung)
        start = time.monotonic()
        timed = run_fleet(["check", "-i", inv, "--json"], env)
        elapsed = time.monotonic() - start
        out = tmp_path / "out"
        res = run_fleet(["check", "-i", inv, "--json", "--out", out, "--snapshot"], env)
    assert timed.returncode == 1, timed.stderr
    # the hung host costs its --timeout (3 s), not the others' patience
    assert elapsed < without_hung + 3 + 15, (elapsed, without_hung)
    assert json.loads(timed.stdout)["summary"]["causes"] == json.loads(res.stdout)["summary"]["causes"]
    assert res.returncode == 1, res.stderr
    assert res.stderr == ""
    fleet = json.loads(res.stdout)
    assert set(fleet) == {"schema", "dldoctor_version", "hosts", "summary"}
    assert fleet["schema"] == "dldoctor.fleet/1"
    hosts = fleet["hosts"]
    assert list(hosts) == ["healthy", "late", "hung", "down"]
    for entry in hosts.values():
        assert set(entry) == {"status", "report", "error"}
    assert {n: e["status"] for n, e in hosts.items()} == {
        "healthy": "ok", "late": "failing", "hung": "failing", "down": "unreachable"}
    assert hosts["healthy"]["report"]["schema"] == "dldoctor.report/1"
    assert hosts["healthy"]["report"]["root_causes"] == [] and hosts["healthy"]["error"] is None
    assert hosts["late"]["report"]["root_causes"][0] == "toolkit.daemon-not-restarted"
    assert hosts["hung"]["report"]["root_causes"][0] == "docker.daemon-down"
    daemon = [f for f in hosts["hung"]["report"]["findings"] if f["check"] == "docker-daemon"][0]
    assert "does not respond" in daemon["detail"]
    assert hosts["down"]["report"] is None and "Connection refused" in hosts["down"]["error"]
    summary = fleet["summary"]
    assert (summary["hosts"], summary["failing"], summary["unreachable"]) == (4, 2, 1)
    assert summary["causes"]["toolkit.daemon-not-restarted"] == ["late"]
    assert summary["causes"]["docker.daemon-down"] == ["hung"]

    # nothing left on the targets: the private directories with the pyz are gone
    assert not list(target_tmp(tmp_path).iterdir())
    assert not list(Path("/tmp/.dldoctor-fleet-ansible").glob("ansible-tmp-*/*"))
    # saved reports and snapshots, one per reachable host
    assert sorted(p.name for p in out.iterdir()) == [
        "healthy.json", "healthy.tar.gz", "hung.json", "hung.tar.gz", "late.json", "late.tar.gz"]
    snap = lablib.run_dldoctor(["check", "--snapshot", str(out / "late.tar.gz"), "--json"], env=env)
    assert json.loads(snap.stdout)["root_causes"][0] == "toolkit.daemon-not-restarted"

    merged = run_fleet(["merge", "--json"] + sorted(str(p) for p in out.glob("*.json")), env)
    assert merged.returncode == 1, merged.stderr
    m = json.loads(merged.stdout)
    assert m["summary"]["causes"] == summary["causes"]
    assert {n: e["status"] for n, e in m["hosts"].items()} == {"healthy": "ok", "hung": "failing", "late": "failing"}


def test_fleet_check_human_output(tmp_path, sshd, labs, pyz):
    env = fleet_env(tmp_path, sshd, DLDOCTOR_PYZ=str(pyz))
    res = run_fleet(["check", "-i", inventory(tmp_path, sshd, labs)], env)
    assert res.returncode == 1, res.stderr
    lines = res.stdout.splitlines()
    assert lines[0] == "✓ healthy: all checks pass"
    assert lines[1] == "! late: toolkit.daemon-not-restarted"
    assert lines[2].startswith("✗ down: unreachable: ")
    assert "toolkit.daemon-not-restarted on 1 of 3 hosts: late" in lines
    assert "    fix: sudo systemctl restart docker" in lines
    assert lines[-1] == "1 of 3 hosts pass, 1 failing, 1 unreachable"
    zh = run_fleet(["check", "-i", inventory(tmp_path, sshd, labs), "--limit", "healthy"],
                   dict(env, DLDOCTOR_LANG="zh_CN"))
    assert zh.returncode == 0, zh.stderr
    assert "healthy" in zh.stdout and "全部检查通过" in zh.stdout


def test_rolling_fix_stops_at_the_first_failure_and_rolls_it_back(tmp_path, sshd, pyz):
    lablib.require_lab()
    with lablib.Lab() as first, lablib.Lab() as second:
        url = first.start_registry()
        first.write_daemon_json({})
        first.start_dockerd()
        old_first = b'{\n    "log-driver": "local"\n}\n'
        first.write_daemon_json(old_first)   # needs a restart to apply ...
        first.wrap_dockerd(["--registry-mirror", "http://127.0.0.1:9"])  # ... which will fail
        second.write_daemon_json(b"{}\n")
        second.start_dockerd()
        pid1, pid2 = first.dockerd_pid(), second.dockerd_pid()
        inv = write_inventory(tmp_path / "hosts.yml", {
            name: sshd.host_vars(ansible_python_interpreter=TARGET_PY,
                                 dldoctor_args=["--root", str(the_lab.root)], dldoctor_env=lab_env(the_lab))
            for name, the_lab in (("first", first), ("second", second))})
        env = fleet_env(tmp_path, sshd, DLDOCTOR_PYZ=str(pyz))
        fix_args = ["-i", inv, "--only", "daemon-json", "--restart", "--registry-mirror", url]

        plan = run_fleet(["fix", "--dry-run", "--json"] + fix_args, env)
        assert plan.returncode == 0, plan.stdout + plan.stderr
        plans = json.loads(plan.stdout)["hosts"]
        assert list(plans) == ["first", "second"] and all(p["status"] == "ok" for p in plans.values())
        assert all(p["plan"]["schema"] == "dldoctor.fix/1" for p in plans.values())
        human = run_fleet(["fix", "--dry-run"] + fix_args, env)
        assert human.returncode == 0, human.stderr
        assert "== first" in human.stdout and "== second" in human.stdout
        assert human.stdout.count(url) >= 2                   # each host's diff adds the mirror
        assert first.read_daemon_json() == old_first and first.dockerd_pid() == pid1

        res = run_fleet(["fix", "--yes", "--serial", "1", "--json"] + fix_args, env)
        assert res.returncode == 1, res.stdout + res.stderr
        fleet = json.loads(res.stdout)
        assert fleet["hosts"]["first"]["status"] == "error"
        assert "Docker did not come back after the restart" in fleet["hosts"]["first"]["error"]
        assert fleet["hosts"]["second"] == {
            "status": "error", "report": None, "error": "not run: the rolling fix stopped at first"}
        assert first.read_daemon_json() == old_first          # rolled back, byte for byte
        assert first.dockerd_pid() not in (None, pid1)         # and running again (restarted)
        assert second.read_daemon_json() == b"{}\n"            # never touched
        assert second.dockerd_pid() == pid2


class TmpWatch:
    """Polls a directory while a fleet run works: the private directories the targets made there
    (name -> owner uid, whether a dldoctor.pyz was seen inside)."""

    def __init__(self, path):
        self.path, self.seen, self._stop = path, {}, threading.Event()
        self.thread = threading.Thread(target=self._poll, daemon=True)

    def _poll(self):
        while not self._stop.is_set():
            for d in list(self.path.iterdir()) if self.path.is_dir() else []:
                try:
                    has = (d / "dldoctor.pyz").exists()
                    uid = d.stat().st_uid
                except OSError:
                    continue
                self.seen[d.name] = (uid, has or self.seen.get(d.name, (0, False))[1])
            time.sleep(0.005)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self.thread.join(5)


@pytest.fixture
def open_tmp():
    """A TMPDIR every user can reach (pytest's tmp_path is root's alone, and tempfile would
    quietly fall back to /tmp)."""
    path = Path(tempfile.mkdtemp(prefix="dlfleet-tmp."))
    path.chmod(0o1777)
    try:
        yield path
    finally:
        shutil.rmtree(str(path), ignore_errors=True)


def test_become_with_an_unprivileged_ssh_user(tmp_path, sshd, labs, pyz, open_tmp):
    """ansible_become with a login user that is not root: dldoctor runs as root (sudo) and its
    files are gone after; the same user without become is refused Docker's socket."""
    if sshd.become_user is None:
        pytest.skip("needs sudo and a private mount namespace for the test's sshd")
    healthy, _late = labs
    tmpdir = open_tmp
    common = dict(ansible_python_interpreter=TARGET_PY, ansible_user=sshd.become_user,
                  dldoctor_args="--no-probe --root %s" % healthy.root,
                  dldoctor_env=lab_env(healthy, TMPDIR=str(tmpdir)))
    inv = write_inventory(tmp_path / "hosts.yml", {
        "as-root": dict(sshd.host_vars(**common), ansible_become=True),
        "as-user": sshd.host_vars(**common)})
    env = fleet_env(tmp_path, sshd, DLDOCTOR_PYZ=str(pyz))
    with TmpWatch(tmpdir) as watch:
        res = run_fleet(["check", "-i", inv, "--json"], env)
    assert res.returncode == 1, res.stdout + res.stderr
    hosts = json.loads(res.stdout)["hosts"]
    # the socket is root:docker 0660: only a dldoctor running as root sees a healthy Docker
    assert hosts["as-root"]["status"] == "ok", hosts["as-root"]
    assert hosts["as-user"]["report"]["root_causes"][0] == "docker.permission-denied"
    owners = sorted(uid for uid, has_pyz in watch.seen.values() if has_pyz)
    assert owners == [0, BECOME_UID], watch.seen       # one pyz per host, root's and the user's
    assert not list(tmpdir.iterdir())                  # and both removed


def test_a_host_without_the_python_is_an_error_with_the_reason(tmp_path, sshd, pyz):
    inv = write_inventory(tmp_path / "hosts.yml", {
        "nopy": sshd.host_vars(dldoctor_python="/nonexistent/python3")})
    res = run_fleet(["check", "-i", inv, "--json"], fleet_env(tmp_path, sshd, DLDOCTOR_PYZ=str(pyz)))
    assert res.returncode == 1, res.stdout + res.stderr
    entry = json.loads(res.stdout)["hosts"]["nopy"]
    assert entry["status"] == "error" and entry["report"] is None
    assert "/nonexistent/python3" in entry["error"] and "not found" in entry["error"], entry
