"""`dldoctor fix` killed with SIGKILL at random moments, 50 times: daemon.json is always either the
old or the new version (never partial, mode and owner kept), and `dldoctor undo` then restores the
old one byte for byte.

The real CLI runs (`python -m dldoctor fix --root R --yes --only daemon-json --registry-mirror URL`)
against a tiny registry on loopback (the mirror probe must pass) with no Docker daemon, so a run is
short. The runs go through slow_writes.py (beside this file), which pauses after each of the
journal's steps so that a fair share of the kills land inside the write window; the delays are
drawn from a seeded generator (DLDOCTOR_SIGKILL_SEED, default below) and each run is logged.
"""
from __future__ import annotations

import http.server
import os
import random
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import pytest

RUNS = 50
SLOW = 0.2   # wide enough that kills land inside the write window on a loaded machine too
SEED = int(os.environ.get("DLDOCTOR_SIGKILL_SEED", "20261123"))
REPO = Path(__file__).resolve().parents[2]
OLD = (b'{\n    "live-restore": true,\n    "log-opts": {"max-size": "50m"},\n'
       b'    "registry-mirrors": ["https://mirror.ccs.tencentyun.com"]\n}\n')


class _Registry(http.server.BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802
        self.send_response(200)
        self.send_header("Docker-Distribution-Api-Version", "registry/2.0")
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args):
        pass


@pytest.fixture
def registry():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Registry)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield "http://127.0.0.1:%d" % server.server_address[1]
    server.shutdown()
    server.server_close()


@pytest.fixture
def root():
    d = tempfile.mkdtemp(prefix="dlkill-", dir="/tmp")
    os.makedirs(os.path.join(d, "etc", "docker"))
    yield d
    shutil.rmtree(d, ignore_errors=True)


def _env():
    """The caller's environment (dldoctor importable as installed), no Docker daemon reachable."""
    return dict(os.environ, DOCKER_HOST="unix:///nonexistent/docker.sock")


def _dldoctor(slow=SLOW):
    """The command that runs dldoctor, its journal's steps slowed by `slow` seconds each."""
    return [sys.executable, str(Path(__file__).with_name("slow_writes.py")), str(slow)]


def _journals(root):
    d = os.path.join(root, "var", "lib", "dldoctor", "journal")
    return set(os.listdir(d)) if os.path.isdir(d) else set()


def test_sigkill_at_random_moments(root, registry):
    path = os.path.join(root, "etc", "docker", "daemon.json")
    Path(path).write_bytes(OLD)
    os.chmod(path, 0o640)
    if os.geteuid() == 0:
        os.chown(path, 1234, 5678)
    meta = (stat.S_IMODE(os.stat(path).st_mode), os.stat(path).st_uid, os.stat(path).st_gid)
    env = _env()
    # --keep-mirrors: the configured (public) mirror is not probed, so a run's length does not
    # depend on how long a name lookup takes here and the kills land around the write.
    fix = _dldoctor() + ["fix", "--root", root, "--yes", "--only",
                         "daemon-json", "--keep-mirrors", "--registry-mirror", registry]
    undo = _dldoctor() + ["undo", "--root", root, "--yes"]

    # calibrate: one whole run gives the new version and the time a run takes
    t0 = time.monotonic()
    r = subprocess.run(fix, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                       cwd=str(REPO))
    whole = time.monotonic() - t0
    assert r.returncode == 0, r.stdout + r.stderr
    new = Path(path).read_bytes()
    assert new != OLD and registry.encode() in new
    assert subprocess.run(undo, env=env, stdout=subprocess.DEVNULL, cwd=str(REPO)).returncode == 0
    assert Path(path).read_bytes() == OLD

    rng = random.Random(SEED)
    log = []
    for i in range(RUNS):
        delay = rng.uniform(0.3 * whole, 1.1 * whole)
        seen = _journals(root)
        proc = subprocess.Popen(fix, env=env, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL, cwd=str(REPO))
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        data = Path(path).read_bytes()
        assert data in (OLD, new), "run %d (delay %.3f s): partial daemon.json %r" % (
            i, delay, data)
        assert (stat.S_IMODE(os.stat(path).st_mode), os.stat(path).st_uid,
                os.stat(path).st_gid) == meta
        fresh = _journals(root) - seen
        if not fresh:
            phase = "before-journal"
        elif os.path.exists(os.path.join(root, "var/lib/dldoctor/journal", fresh.pop(),
                                         "COMMITTED")):
            phase = "committed"
        else:
            phase = "interrupted"
        state = "new" if data == new else "old"
        log.append((i, round(delay, 3), proc.returncode, phase, state))

        u = subprocess.run(undo, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           text=True, cwd=str(REPO))
        assert u.returncode == 0, (log[-1], u.stdout, u.stderr)
        assert Path(path).read_bytes() == OLD, (log[-1], u.stdout)
        assert (stat.S_IMODE(os.stat(path).st_mode), os.stat(path).st_uid,
                os.stat(path).st_gid) == meta
        assert [n for n in os.listdir(os.path.dirname(path)) if n != "daemon.json"] == []

    sys.stdout.write("\nseed %d, whole run %.3f s, slow writes %.2f s\n" % (SEED, whole, SLOW))
    for row in log:
        sys.stdout.write("run %2d  kill after %.3f s  rc %d  %-14s  daemon.json %s\n" % row)
    kinds = {(phase, state) for _, _, _, phase, state in log}
    # the kills landed on every side of the write: before it, inside it, and after it
    assert ("interrupted", "old") in kinds or ("before-journal", "old") in kinds
    assert ("interrupted", "new") in kinds, log
    assert all(rc == -signal.SIGKILL for _, _, rc, _, _ in log if rc is not None and rc < 0)


def _fix_inside_write_window(root, registry, path):
    """Start a slowed `fix` of daemon.json and return once it is inside its write window (entry
    journaled, file being written): the moment a signal tests the rollback."""
    Path(path).write_bytes(OLD)
    proc = subprocess.Popen(_dldoctor(0.6) + ["fix", "--root", root, "--yes", "--only",
                                              "daemon-json", "--registry-mirror", registry],
                            env=_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            cwd=str(REPO))
    journal = os.path.join(root, "var", "lib", "dldoctor", "journal")
    deadline = time.monotonic() + 30
    while not (os.path.isdir(journal) and any(
            os.path.getsize(os.path.join(journal, d, "journal.jsonl")) for d in os.listdir(journal)
            if os.path.exists(os.path.join(journal, d, "journal.jsonl")))):
        assert time.monotonic() < deadline and proc.poll() is None
        time.sleep(0.02)
    time.sleep(0.9)                     # inside the write window: entry journaled, file written
    return proc, journal


def test_sigterm_mid_write_rolls_back(root, registry):
    """SIGTERM (unlike SIGKILL) can be caught: fix puts the old file back itself and says so."""
    path = os.path.join(root, "etc", "docker", "daemon.json")
    proc, journal = _fix_inside_write_window(root, registry, path)
    proc.send_signal(signal.SIGTERM)
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 1, out + err
    assert "interrupted (everything written so far was put back)" in err
    assert "restored: /etc/docker/daemon.json" in out
    assert Path(path).read_bytes() == OLD
    (name,) = os.listdir(journal)
    assert os.path.exists(os.path.join(journal, name, "ROLLED_BACK"))


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["TERM", "INT"])
def test_a_second_signal_does_not_cut_the_rollback_short(root, registry, sig):
    """An impatient second Ctrl-C (or SIGTERM) while fix puts the files back: the rollback still
    finishes and is recorded, instead of "Putting the files back failed too"."""
    path = os.path.join(root, "etc", "docker", "daemon.json")
    proc, journal = _fix_inside_write_window(root, registry, path)
    proc.send_signal(sig)
    time.sleep(0.3)                     # the rollback's own (slowed) write is under way
    if proc.poll() is None:
        proc.send_signal(sig)
    out, err = proc.communicate(timeout=30)
    assert "failed too" not in out + err, out + err
    assert "restored: /etc/docker/daemon.json" in out
    assert Path(path).read_bytes() == OLD
    (name,) = os.listdir(journal)
    assert os.path.exists(os.path.join(journal, name, "ROLLED_BACK"))
