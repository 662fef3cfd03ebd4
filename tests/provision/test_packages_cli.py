"""`dldoctor fix --dry-run` on an nvidia-docker2 host (a --root prefix with a dpkg status file):
the packages step upgrades an old toolkit in the same apt-get run that removes nvidia-docker2 and
nvidia-container-runtime, so daemon.json's "nvidia" runtime still has its program (ux10 F1)."""
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
# As nvidia-docker2's own package wrote it.
CLASSIC_DAEMON_JSON = {"default-runtime": "nvidia",
                       "runtimes": {"nvidia": {"path": "nvidia-container-runtime",
                                               "runtimeArgs": []}}}
PACKAGES = (("dpkg", "1.19.7ubuntu3.2"), ("docker.io", "24.0.7-0ubuntu2~20.04.1"),
            ("containerd", "1.7.12-0ubuntu2~20.04.1"), ("runc", "1.1.12-0ubuntu2~20.04.1"),
            ("nvidia-docker2", "2.5.0-1"), ("nvidia-container-runtime", "3.4.2-1"),
            ("nvidia-container-toolkit", "1.4.2-1"), ("libnvidia-container1", "1.3.3-1"),
            ("libnvidia-container-tools", "1.3.3-1"))


def make_root(base: Path, toolkit: str = "1.4.2-1") -> Path:
    if shutil.which("dpkg-query") is None:
        pytest.skip("needs dpkg-query")
    root = base / "root"
    for sub in ("etc/docker", "etc/apt/sources.list.d", "var/lib/dpkg"):
        (root / sub).mkdir(parents=True)
    os.chmod(str(base), 0o755)
    (root / "etc/os-release").write_text(
        (REPO / "tests/data/fixtures/os-release/ubuntu-20.04").read_text())
    (root / "etc/group").write_text("root:x:0:\n")
    (root / "etc/apt/sources.list").write_text("")
    (root / "etc/apt/sources.list.d/nvidia-docker.list").write_text(
        "deb https://nvidia.github.io/libnvidia-container/stable/ubuntu18.04/$(ARCH) /\n"
        "deb https://nvidia.github.io/nvidia-container-runtime/stable/ubuntu18.04/$(ARCH) /\n"
        "deb https://nvidia.github.io/nvidia-docker/ubuntu18.04/$(ARCH) /\n")
    (root / "etc/docker/daemon.json").write_text(json.dumps(CLASSIC_DAEMON_JSON, indent=4) + "\n")
    # the program nvidia-container-runtime 3.4.2 ships, which daemon.json's runtime names
    (root / "usr/bin").mkdir(parents=True)
    (root / "usr/bin/nvidia-container-runtime").write_text("#!/bin/sh\nexit 0\n")
    os.chmod(str(root / "usr/bin/nvidia-container-runtime"), 0o755)
    lib = "1.3.3-1" if toolkit == "1.4.2-1" else toolkit      # the libraries of that toolkit
    versions = dict(PACKAGES, **{"nvidia-container-toolkit": toolkit, "libnvidia-container1": lib,
                                 "libnvidia-container-tools": lib})
    (root / "var/lib/dpkg/status").write_text("".join(
        "Package: %s\nStatus: install ok installed\nPriority: optional\nSection: admin\n"
        "Maintainer: x <x@x>\nArchitecture: amd64\nVersion: %s\nDescription: %s\n\n" % (p, v, p)
        for p, v in versions.items()))
    return root


def fix_dry_run(root: Path, *args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, DOCKER_HOST="unix:///nonexistent/docker.sock", DLDOCTOR_LANG="C",
               HTTPS_PROXY="http://127.0.0.1:9", HTTP_PROXY="http://127.0.0.1:9",
               https_proxy="http://127.0.0.1:9", http_proxy="http://127.0.0.1:9")
    env.pop("SUDO_USER", None)
    return subprocess.run([sys.executable, "-m", "dldoctor", "fix", "--root", str(root),
                           "--dry-run", "--no-probe",
                           "--nvidia-key", str(KEYS / "nvidia-container-toolkit.gpgkey")] + list(args),
                          env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          universal_newlines=True, stdin=subprocess.DEVNULL, timeout=120,
                          cwd=str(REPO))


def test_nvidia_docker2_host_gets_the_current_toolkit_in_the_run_that_removes_the_old_packages(tmp_path):
    """The plan was `apt-get remove nvidia-docker2 nvidia-container-runtime` and no install, while
    daemon-json kept "default-runtime": "nvidia" at /usr/bin/nvidia-container-runtime, the file
    that removal takes away with toolkit 1.4.2: every `docker run` failed after the fix."""
    root = make_root(tmp_path)
    r = fix_dry_run(root)
    assert r.returncode == 0, r.stdout + r.stderr
    pk = section(r.stdout, "packages")
    assert "run: apt-get install -y %s nvidia-container-toolkit nvidia-container-toolkit-base " \
           "nvidia-docker2- nvidia-container-runtime-\n" % OPTS in pk + "\n"
    assert "apt-get remove" not in pk
    assert "will UPGRADE nvidia-container-toolkit 1.4.2-1" in pk
    assert "only the toolkit is added" not in pk
    assert "keeps docker.io 24.0.7-0ubuntu2~20.04.1" in pk
    # what the toolkit now ships is what daemon.json's runtime runs
    assert '"path": "/usr/bin/nvidia-container-runtime"' in section(r.stdout, "daemon-json")


def test_with_a_current_toolkit_the_deprecated_packages_are_only_removed(tmp_path):
    root = make_root(tmp_path, toolkit="1.17.8-1")
    r = fix_dry_run(root)
    assert r.returncode == 0, r.stdout + r.stderr
    pk = section(r.stdout, "packages")
    assert "run: apt-get remove -y %s nvidia-docker2 nvidia-container-runtime" % OPTS in pk
    assert "apt-get install" not in pk and "UPGRADE" not in pk
