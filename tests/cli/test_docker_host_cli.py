"""A DOCKER_HOST (or a docker context) that points docker away from the system daemon (ux10 F14, F5).

`check` said only "systemctl start docker" when the socket DOCKER_HOST names did not answer: a user with
a leftover DOCKER_HOST started Docker, ran check again and got the same failure; for a rootless daemon's
socket the command is `systemctl --user start docker`, and `fix` wrote /etc/docker/daemon.json, which a
rootless daemon never reads. Real processes with a --root prefix and a fake `docker` on PATH that fails
the way the docker CLI does when nothing answers at DOCKER_HOST."""
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

DATA = Path(__file__).resolve().parents[1] / "data"

# docker up to 28.2 ("Is the docker daemon running?" whatever the cause) and later clients, which
# say why the connection failed.
OLD_WORDS = "Cannot connect to the Docker daemon at $WHERE. Is the docker daemon running?"
NEW_WORDS = ("failed to connect to the docker API at $WHERE; check if the path is correct and if the "
             "daemon is running: dial unix ${WHERE#unix://}: connect: no such file or directory")


def _host(tmp_path: Path, words: str = OLD_WORDS, where: str = "$DOCKER_HOST"):
    """(root, env): an Ubuntu 22.04 root and a `docker` whose daemon does not answer at `where`."""
    root = tmp_path / "root"
    (root / "etc/docker").mkdir(parents=True)
    (root / "etc/os-release").write_text((DATA / "fixtures/os-release/ubuntu-22.04").read_text())
    runtime = root / "usr/bin/nvidia-container-runtime"  # so `fix` plans a daemon.json
    runtime.parent.mkdir(parents=True)
    runtime.write_text("#!/bin/sh\n")
    runtime.chmod(0o755)
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    docker = bin_dir / "docker"
    # `docker info --format '{{json .}}'` with no daemon: the client's half on stdout, the error on stderr
    docker.write_text('#!/bin/sh\nWHERE="%s"\n'
                      'echo "{\\"ClientInfo\\":{\\"Version\\":\\"28.2.2\\",\\"Context\\":\\"${DOCKER_CONTEXT:-default}\\"}}"\n'
                      'echo "%s" >&2\nexit 1\n' % (where, words))
    docker.chmod(0o755)
    env = {"PATH": "%s:/usr/bin:/bin" % bin_dir, "DLDOCTOR_LANG": "C", "NO_COLOR": "1"}
    return root, env


def _run(args, env):
    e = {k: v for k, v in os.environ.items()
         if k not in ("DOCKER_HOST", "DOCKER_CONTEXT", "LANGUAGE", "LC_ALL", "PATH")}
    e.update(env)
    return subprocess.run([sys.executable, "-m", "dldoctor", *args], capture_output=True, text=True,
                          env=e, timeout=60)


def _daemon(root, env):
    res = _run(["check", "--root", str(root), "--no-probe", "--json", "--only", "docker-daemon"], env)
    found = [f for f in json.loads(res.stdout)["findings"] if f["check"] == "docker-daemon"]
    assert len(found) == 1, res.stdout + res.stderr
    return found[0]


def test_a_stale_docker_host_is_named_with_the_socket_the_system_docker_uses(tmp_path):
    root, env = _host(tmp_path)
    env["DOCKER_HOST"] = "unix:///nonexistent.sock"
    f = _daemon(root, env)
    assert f["problem"] == "docker.daemon-down"          # the same problem, told truly
    assert "DOCKER_HOST=unix:///nonexistent.sock" in f["detail"], f
    assert "/var/run/docker.sock" in f["detail"]
    assert f["fix"].startswith("unset DOCKER_HOST"), f["fix"]
    assert "DOCKER_HOST=unix:///nonexistent.sock" in f["evidence"]
    # the human report's next step is the one that mends it
    res = _run(["check", "--root", str(root), "--no-probe", "-v", "--only", "docker-daemon"], env)
    assert "\nNext: unset DOCKER_HOST" in res.stdout, res.stdout


def test_a_client_that_says_the_socket_is_missing_is_believed(tmp_path):
    root, env = _host(tmp_path, NEW_WORDS)
    env["DOCKER_HOST"] = "unix:///tmp/gone/docker.sock"
    f = _daemon(root, env)
    assert "names the socket /tmp/gone/docker.sock, which does not exist here" in f["detail"], f
    assert f["fix"].startswith("unset DOCKER_HOST")


def test_a_docker_context_pointing_elsewhere_is_named(tmp_path):
    """No DOCKER_HOST: the context (here chosen by DOCKER_CONTEXT) names the socket."""
    root, env = _host(tmp_path, where="unix:///home/ann/.docker/desktop/docker.sock")
    env["DOCKER_CONTEXT"] = "desktop-linux"
    f = _daemon(root, env)
    assert "DOCKER_CONTEXT=desktop-linux" in f["detail"] and "/var/run/docker.sock" in f["detail"], f
    assert f["fix"].startswith("unset DOCKER_CONTEXT"), f["fix"]


@pytest.mark.parametrize("host", ["unix:///run/user/1000/docker.sock",
                                  "unix:///var/run/user/1000/docker.sock",     # adv14: as written too
                                  "unix:///run/user/1000//docker.sock"])
def test_a_rootless_socket_gets_the_user_units_commands(tmp_path, host):
    root, env = _host(tmp_path)
    env["DOCKER_HOST"] = host
    f = _daemon(root, env)
    assert f["problem"] == "docker.daemon-down"
    assert "rootless" in f["detail"] and "uid 1000" in f["detail"], f
    assert f["fix"].startswith("systemctl --user start docker"), f["fix"]
    assert "journalctl --user -u docker" in f["fix"] and "sudo" not in f["fix"]
    assert "unset DOCKER_HOST" in f["fix"]       # for whom the rootless trial was a leftover


@pytest.mark.parametrize("host", ["unix:///var/run/docker.sock", None])
def test_the_system_socket_keeps_the_systemctl_advice(tmp_path, host):
    """Guard: docker talking to the system daemon's own socket is still sent to `systemctl start docker`."""
    root, env = _host(tmp_path, where=host or "unix:///var/run/docker.sock")
    if host:
        env["DOCKER_HOST"] = host
    f = _daemon(root, env)
    assert f["detail"] == "The Docker daemon is not running or not reachable.", f
    assert "systemctl start docker" in f["fix"] and "DOCKER_HOST" not in f["fix"]


@pytest.mark.parametrize("host, warned", [("unix:///run/user/1000/docker.sock", True),
                                          ("unix:///nonexistent.sock", False)])
def test_fix_warns_that_a_rootless_daemon_never_reads_the_file_it_plans(tmp_path, host, warned):
    root, env = _host(tmp_path)
    env["DOCKER_HOST"] = host
    res = _run(["fix", "--dry-run", "--no-probe", "--root", str(root), "--only", "daemon-json",
                "--registry-mirror", "https://docker.m.daocloud.io"], env)
    assert res.returncode == 0, res.stdout + res.stderr
    assert "create /etc/docker/daemon.json" in res.stdout       # what is written does not change
    said = [l for l in res.stdout.splitlines() if "warning:" in l and "~/.config/docker/daemon.json" in l]
    if warned:
        assert said and "uid 1000" in said[0] and "/etc/docker/daemon.json" in said[0], res.stdout
    else:
        assert not said, res.stdout


@pytest.mark.parametrize("host, wanted", [("/var/run/docker.sock", "unix:///var/run/docker.sock"),
                                          ("unix:/var/run/docker.sock", "unix:///var/run/docker.sock"),
                                          ("localhost:2375", "tcp://localhost:2375")])
def test_a_docker_host_without_its_scheme_is_named_with_the_form_docker_reads(tmp_path, host, wanted):
    """adv14: a socket's path as DOCKER_HOST (docker reads it as TCP) still got systemctl start docker."""
    words = ('error during connect: Get "http://localhost:2375/var/run/docker.sock/v1.50/info": dial tcp '
             '[::1]:2375: connect: connection refused')
    root, env = _host(tmp_path, words=words)
    env["DOCKER_HOST"] = host
    f = _daemon(root, env)
    assert f["problem"] == "docker.daemon-down" and "DOCKER_HOST=%s has no scheme" % host in f["detail"], f
    assert f["fix"].startswith("unset DOCKER_HOST") and f["fix"].endswith("DOCKER_HOST=" + wanted), f


def test_a_docker_host_the_client_refuses_is_named(tmp_path):
    """adv14: `DOCKER_HOST=ssh://bob:pw@host` ("Failed to initialize: … plain-text password is not
    supported") left the daemon line "state not known", with no word of DOCKER_HOST."""
    words = ("Failed to initialize: ssh host connection is not valid: invalid SSH URL: plain-text "
             "password is not supported")
    root, env = _host(tmp_path, words=words)
    docker = tmp_path / "bin" / "docker"        # it prints no client half: it stops at the URL
    docker.write_text('#!/bin/sh\necho "%s" >&2\nexit 1\n' % words)
    env["DOCKER_HOST"] = "ssh://bob:pw@127.0.0.1"
    f = _daemon(root, env)
    assert f["status"] == "fail" and f["problem"] == "docker.daemon-down", f
    assert "docker refuses DOCKER_HOST=ssh://bob:***@127.0.0.1" in f["detail"] and "pw@" not in json.dumps(f)
    assert f["fix"].startswith("unset DOCKER_HOST"), f
