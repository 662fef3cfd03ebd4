"""A command started early is used only for the same argv and environment, and only once; the
time limit counts from its real start."""
import os
import subprocess
import sys
import time

import pytest

from dldoctor.host import prefetch
from dldoctor.host.live import LiveHost

SLEEP = (sys.executable, "-c", "import time; time.sleep(5)")
ECHO = (sys.executable, "-c", "print('early')")


def test_taken_once_with_the_same_environment():
    prefetch.start(ECHO)
    host = LiveHost()
    res = host.run(ECHO, timeout=10)
    assert res.ok and res.stdout == "early\n"
    assert prefetch.take(ECHO, dict(os.environ)) is None  # already used


def test_other_environment_is_not_served_the_early_process():
    prefetch.start(ECHO)
    env = dict(os.environ, DOCKER_HOST="unix:///elsewhere.sock")
    assert prefetch.take(ECHO, env) is None


def test_time_limit_counts_from_the_real_start():
    prefetch.start(SLEEP)
    time.sleep(0.6)
    start = time.monotonic()
    res = LiveHost().run(SLEEP, timeout=1.0)
    assert res.timed_out and time.monotonic() - start < 0.9


def _fake_docker(tmp_path):
    """A `docker` that records its pid and hangs, as the CLI does on a daemon that never answers."""
    bindir = tmp_path / "bin"
    bindir.mkdir()
    pidfile = tmp_path / "docker.pid"
    script = bindir / "docker"
    # written whole or not at all: a docker killed between the shell's `>` and its echo left an
    # empty pid file behind, read as a pid (a flaky failure under load)
    script.write_text("#!/bin/sh\necho $$ > %s.tmp && mv %s.tmp %s\nexec sleep 60\n" % (pidfile, pidfile, pidfile))
    script.chmod(0o755)
    return bindir, pidfile


def _alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    with open("/proc/%d/stat" % pid) as f:          # a zombie is not running
        return f.read().rsplit(")", 1)[1].split()[0] != "Z"


@pytest.mark.parametrize("argv", [
    ["check", "--root", "/nonexistent/dldoctor-root", "--no-probe"],   # the check itself refuses
    ["check", "--no-probe", "--bogus-option"],                         # Typer refuses
])
def test_an_early_docker_info_nobody_takes_is_not_left_running(tmp_path, argv):
    bindir, pidfile = _fake_docker(tmp_path)
    env = dict(os.environ, PATH="%s:%s" % (bindir, os.environ.get("PATH", "")))
    res = subprocess.run([sys.executable, "-m", "dldoctor"] + argv, env=env, capture_output=True,
                         text=True, timeout=60)
    assert res.returncode == 2, res.stderr
    time.sleep(0.5)                       # a docker left running has written its pid by now
    if not pidfile.exists():
        return                            # none started, or stopped before it could say
    pid = int(pidfile.read_text())
    try:
        assert not _alive(pid), "docker info (pid %d) outlived dldoctor" % pid
    finally:
        if _alive(pid):
            os.kill(pid, 9)
