"""Docker in other forms, as `dldoctor check` and `fix` see them on a --root prefix (ux10 F3, F6):
Docker's snap, whose dockerd reads /var/snap/docker/current/config/daemon.json, and podman's
`docker` shim (podman-docker), which has no Docker daemon behind it."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from provision_fakes import KEYS, section

REPO = Path(__file__).resolve().parents[2]
OPTS = "-o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold"
SNAP_JSON = '{\n    "log-level": "error",\n    "registry-mirrors": ["https://docker.mirrors.ustc.edu.cn"]\n}\n'
PODMAN = (("podman", "4.9.3+ds1-1ubuntu0.2"), ("podman-docker", "4.9.3+ds1-1ubuntu0.2"),
          ("runc", "1.1.12-0ubuntu3.1"))


def base_root(tmp_path: Path, release: str, packages) -> Path:
    if shutil.which("dpkg-query") is None:
        pytest.skip("needs dpkg-query")
    root = tmp_path / "root"
    for sub in ("etc/docker", "etc/apt/sources.list.d", "var/lib/dpkg", "usr/bin"):
        (root / sub).mkdir(parents=True)
    os.chmod(str(tmp_path), 0o755)
    (root / "etc/os-release").write_text(
        (REPO / "tests/data/fixtures/os-release" / release).read_text())
    (root / "etc/group").write_text("root:x:0:\n")
    (root / "etc/apt/sources.list").write_text("")
    (root / "var/lib/dpkg/status").write_text("".join(
        "Package: %s\nStatus: install ok installed\nPriority: optional\nSection: admin\n"
        "Maintainer: x <x@x>\nArchitecture: amd64\nVersion: %s\nDescription: %s\n\n" % (p, v, p)
        for p, v in (("dpkg", "1.21.1ubuntu2"),) + tuple(packages)))
    return root


def executable(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    os.chmod(str(path), 0o755)


def snap_root(tmp_path: Path) -> Path:
    """Ubuntu 22.04 with Docker's snap (revision 2932) and no /etc/docker/daemon.json."""
    root = base_root(tmp_path, "ubuntu-22.04", (("snapd", "2.66.1+22.04"),))
    executable(root / "usr/bin/snap", "#!/bin/sh\nexit 0\n")
    (root / "snap/bin").mkdir(parents=True)
    os.symlink("/usr/bin/snap", str(root / "snap/bin/docker"))
    os.symlink("/usr/bin/snap", str(root / "snap/bin/docker.dockerd"))
    (root / "var/snap/docker/2932/config").mkdir(parents=True)
    os.symlink("2932", str(root / "var/snap/docker/current"))
    (root / "var/snap/docker/2932/config/daemon.json").write_text(SNAP_JSON)
    return root


def podman_root(tmp_path: Path, extra=()) -> Path:
    """Ubuntu 24.04 with podman and podman-docker: /usr/bin/docker runs podman."""
    root = base_root(tmp_path, "ubuntu-24.04", PODMAN + tuple(extra))
    executable(root / "usr/bin/docker", '#!/bin/sh\nexec podman "$@"\n')
    executable(root / "usr/bin/podman", "#!/bin/sh\nexit 0\n")
    return root


def dldoctor(*args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, DOCKER_HOST="unix:///nonexistent/docker.sock", DLDOCTOR_LANG="C",
               HTTPS_PROXY="http://127.0.0.1:9", HTTP_PROXY="http://127.0.0.1:9",
               https_proxy="http://127.0.0.1:9", http_proxy="http://127.0.0.1:9")
    env.pop("SUDO_USER", None)
    return subprocess.run([sys.executable, "-m", "dldoctor"] + list(args), env=env,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True,
                          stdin=subprocess.DEVNULL, timeout=120, cwd=str(REPO))


def fix_dry_run(root: Path, *args: str) -> subprocess.CompletedProcess:
    return dldoctor("fix", "--root", str(root), "--dry-run", "--no-probe",
                    "--nvidia-key", str(KEYS / "nvidia-container-toolkit.gpgkey"),
                    "--docker-key", str(KEYS / "docker-release-ce-deb.asc"), *args)


def check_json(root: Path) -> dict:
    r = dldoctor("check", "--root", str(root), "--json", "--no-probe")
    assert r.returncode in (0, 1), r.stdout + r.stderr
    return json.loads(r.stdout)


def finding(report: dict, check: str) -> dict:
    return next(f for f in report["findings"] if f["check"] == check)


def test_snap_docker_check_reads_the_daemon_json_the_snaps_dockerd_reads(tmp_path):
    """It said "No /etc/docker/daemon.json: dockerd runs on its defaults" and "No registry mirror
    configured" while the snap's file names a mirror closed in 2024."""
    report = check_json(snap_root(tmp_path))
    dj = finding(report, "daemon-json")
    assert "/var/snap/docker/current/config/daemon.json" in dj["title"], dj
    mirrors = [f for f in report["findings"] if f["check"] == "registry-mirrors"]
    assert any(f["problem"] == "mirror.dead" for f in mirrors), mirrors


def test_snap_docker_fix_edits_the_snaps_daemon_json_under_the_root(tmp_path):
    root = snap_root(tmp_path)
    mirror = "https://mirror.example.com"
    r = dldoctor("fix", "--root", str(root), "--yes", "--no-probe", "--only", "daemon-json",
                 "--registry-mirror", mirror)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "edit /var/snap/docker/current/config/daemon.json" in r.stdout
    written = json.loads((root / "var/snap/docker/2932/config/daemon.json").read_text())
    assert written["registry-mirrors"] == [mirror]
    assert os.path.islink(str(root / "var/snap/docker/current"))     # the revision link stays
    assert not (root / "etc/docker/daemon.json").exists()


def test_a_docker_ce_dockerd_beside_the_snap_keeps_etc_docker_daemon_json(tmp_path):
    root = snap_root(tmp_path)
    executable(root / "usr/bin/dockerd", "#!/bin/sh\nexit 0\n")
    assert finding(check_json(root), "daemon-json")["title"].startswith("No /etc/docker/daemon.json")


def test_fix_does_not_install_docker_ce_beside_the_snap(tmp_path):
    r = fix_dry_run(snap_root(tmp_path))
    assert r.returncode in (0, 1), r.stdout + r.stderr
    pk = section(r.stdout, "packages")
    assert pk.strip().startswith("blocked: Docker is the snap package (/snap/bin/docker)"), pk
    assert "sudo snap remove docker, then run fix again, or --skip packages" in pk
    assert "apt-get install" not in r.stdout


def test_podman_docker_is_named_not_sent_to_systemctl_start_docker(tmp_path):
    report = check_json(podman_root(tmp_path))
    engine = finding(report, "docker-engine")
    assert engine["problem"] == "docker.missing", engine
    assert "podman-docker" in engine["detail"]
    assert "nvidia-ctk cdi generate --output=/etc/cdi/nvidia.yaml" in engine["fix"]
    # a cause is podman's docker, not a daemon to start
    assert "docker.missing" in report["root_causes"], report["root_causes"]
    assert "docker.daemon-down" not in report["root_causes"], report["root_causes"]
    assert not [f for f in report["findings"] if "systemctl start docker" in (f.get("fix") or "")]


def test_fix_does_not_remove_podman_through_runc_unasked(tmp_path):
    """The plan was `apt-get remove -y podman-docker runc` with a warning about stopping a Docker
    daemon there is none of; podman, which depends on crun | runc, went too, unnamed."""
    root = podman_root(tmp_path)
    r = fix_dry_run(root)
    assert r.returncode in (0, 1), r.stdout + r.stderr
    pk = section(r.stdout, "packages")
    assert pk.strip().startswith("blocked: removing runc"), pk
    assert "removes podman too" in pk and "--engine docker-ce" in pk
    assert "apt-get remove" not in r.stdout

    r = fix_dry_run(root, "--engine", "docker-ce")
    assert r.returncode == 0, r.stdout + r.stderr
    pk = section(r.stdout, "packages")
    assert "run: apt-get remove -y %s podman-docker runc podman\n" % OPTS in pk + "\n", pk
    assert "will REMOVE: podman-docker 4.9.3+ds1-1ubuntu0.2 runc 1.1.12-0ubuntu3.1 podman " \
           "4.9.3+ds1-1ubuntu0.2" in pk
    assert "warning: removing runc removes podman too" in pk
    assert "stops the Docker daemon" not in pk


def test_with_crun_podman_stays_and_no_docker_daemon_is_said_to_stop(tmp_path):
    root = podman_root(tmp_path, extra=(("crun", "1.14.1-1"),))
    r = fix_dry_run(root)
    assert r.returncode == 0, r.stdout + r.stderr
    pk = section(r.stdout, "packages")
    assert "run: apt-get remove -y %s podman-docker runc\n" % OPTS in pk + "\n", pk
    assert "podman too" not in pk and "stops the Docker daemon" not in pk


def test_a_snap_link_leaving_the_root_is_refused_by_the_snaps_path(tmp_path):
    """adv14: `current` climbing out of --root was refused (good), but fix's block named
    /etc/docker/daemon.json, a file it never tried."""
    root = snap_root(tmp_path)
    os.unlink(str(root / "var/snap/docker/current"))
    os.symlink("../../../../../../../../../../tmp", str(root / "var/snap/docker/current"))
    r = fix_dry_run(root, "--only", "daemon-json", "--registry-mirror", "https://m.example.com")
    assert r.returncode == 1, r.stdout + r.stderr
    assert "cannot read /var/snap/docker/current/config/daemon.json" in r.stdout, r.stdout
    assert "outside the root" in r.stderr, r.stderr
