"""A plain `fix` keeps the mirror of Docker's / NVIDIA's apt repository a host already uses.

A user trial (Ubuntu 24.04, docker-ce and the toolkit installed, Aliyun's docker-ce and USTC's
libnvidia-container sources, both working): `fix --dry-run --no-probe`, with no --mirror and no
--*-apt-base, planned to replace them with download.docker.com and nvidia.github.io, hosts that are
slow or blocked in China, calling the user's docker.list a duplicate of the docker.sources fix was
about to create. An explicit --mirror or --*-apt-base still switches the base. Real CLI runs on a
--root under tmp_path, no network."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from dldoctor import openpgp

from provision_fakes import DOCKER_KEY, NVIDIA_KEY, os_fixture

REPO = Path(__file__).resolve().parents[2]
ALIYUN = "https://mirrors.aliyun.com/docker-ce/linux/ubuntu"
USTC = "https://mirrors.ustc.edu.cn/libnvidia-container"
TOOLKIT_LIST = ("deb [signed-by=/usr/share/keyrings/nvidia-container-toolkit-keyring.gpg] "
                "%s/stable/deb/$(ARCH) /\n" % USTC)
UBUNTU_SOURCES = ("Types: deb\nURIs: http://mirrors.tuna.tsinghua.edu.cn/ubuntu/\n"
                  "Suites: noble noble-updates noble-backports\n"
                  "Components: main restricted universe multiverse\n"
                  "Signed-By: /usr/share/keyrings/ubuntu-archive-keyring.gpg\n")
DPKG_STATUS = ("Package: dpkg\nStatus: install ok installed\nPriority: required\n"
               "Architecture: amd64\nVersion: 1.22.6ubuntu6\n\n")


def make_root(base: Path, docker_file: str, docker_text: str) -> str:
    """Ubuntu 24.04 with Docker's and NVIDIA's keys installed and mirrored sources (the trial's
    roots: dce with Aliyun's one-line docker.list, dce2 with Docker's deb822 docker.sources)."""
    root = base / "root"
    lists = root / "etc/apt/sources.list.d"
    for d in (lists, root / "etc/apt/keyrings", root / "usr/share/keyrings", root / "etc/docker",
              root / "var/lib/dpkg"):
        d.mkdir(parents=True)
    (root / "etc/os-release").write_text(os_fixture("ubuntu-24.04"))
    (root / "etc/group").write_text("root:x:0:\ndocker:x:999:\n")
    (root / "etc/passwd").write_text("root:x:0:0:root:/root:/bin/bash\n")
    (root / "var/lib/dpkg/status").write_text(DPKG_STATUS)
    (lists / "ubuntu.sources").write_text(UBUNTU_SOURCES)
    (lists / docker_file).write_text(docker_text)
    (lists / "nvidia-container-toolkit.list").write_text(TOOLKIT_LIST)
    (root / "etc/apt/keyrings/docker.asc").write_bytes(openpgp.armor(openpgp.dearmor(DOCKER_KEY)))
    (root / "usr/share/keyrings/nvidia-container-toolkit-keyring.gpg").write_bytes(
        openpgp.dearmor(NVIDIA_KEY))
    return str(root)


@pytest.fixture
def dce(tmp_path):
    """Aliyun's own instructions: a one-line docker.list."""
    return make_root(tmp_path, "docker.list",
                     "deb [arch=amd64 signed-by=/etc/apt/keyrings/docker.asc] %s noble stable\n" % ALIYUN)


@pytest.fixture
def dce2(tmp_path):
    """Docker's deb822 form, on Aliyun's mirror."""
    return make_root(tmp_path, "docker.sources",
                     "Types: deb\nURIs: %s\nSuites: noble\nComponents: stable\n"
                     "Signed-By: /etc/apt/keyrings/docker.asc\n" % ALIYUN)


def apt_repos_plan(root, *args):
    """The apt-repos part of `fix --dry-run --json` (no network, no Docker daemon)."""
    env = dict(os.environ, DOCKER_HOST="unix:///nonexistent/docker.sock", DLDOCTOR_LANG="C",
               HTTPS_PROXY="http://127.0.0.1:9", HTTP_PROXY="http://127.0.0.1:9",
               https_proxy="http://127.0.0.1:9", http_proxy="http://127.0.0.1:9",
               NO_PROXY="127.0.0.1", no_proxy="127.0.0.1", DLDOCTOR_HUB_URL="http://127.0.0.1:9")
    env.pop("SUDO_USER", None)
    r = subprocess.run([sys.executable, "-m", "dldoctor", "fix", "--root", root, "--dry-run",
                        "--json"] + list(args), env=env, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, universal_newlines=True, stdin=subprocess.DEVNULL,
                       timeout=120, cwd=str(REPO))
    plan = [p for p in json.loads(r.stdout)["plan"] if p["step"] == "apt-repos"]
    assert len(plan) == 1 and plan[0]["blocked"] is None, r.stdout + r.stderr
    return plan[0]


def diffs(plan):
    return {c["path"]: c.get("diff", "") for c in plan["changes"]}


def test_plain_fix_keeps_the_aliyun_docker_list_and_the_ustc_toolkit_source(dce):
    plan = apt_repos_plan(dce, "--no-probe")
    d = diffs(plan)
    text = json.dumps(plan)
    assert "download.docker.com" not in text and "nvidia.github.io" not in text, plan
    # the toolkit list already names the USTC mirror and the installed key: left as it is
    assert "/etc/apt/sources.list.d/nvidia-container-toolkit.list" not in d, plan
    # docker.list moves to Docker's current docker.sources, on the same Aliyun base
    assert "+URIs: %s\n" % ALIYUN in d["/etc/apt/sources.list.d/docker.sources"], plan
    assert set(d) == {"/etc/apt/sources.list.d/docker.list", "/etc/apt/sources.list.d/docker.sources"}
    assert not [n for n in plan["notes"] if "duplicated by" in n], plan["notes"]


def test_plain_fix_keeps_the_aliyun_base_of_docker_sources(dce2):
    plan = apt_repos_plan(dce2, "--only", "apt-repos")
    d = diffs(plan)
    assert set(d) == {"/etc/apt/sources.list.d/docker.sources"}, plan
    changed = [line for line in d["/etc/apt/sources.list.d/docker.sources"].splitlines()
               if line[:1] in "+-" and not line.startswith(("+++", "---"))]
    assert changed == ["+Architectures: amd64"], plan
    assert any(n.startswith("docker-ce apt base: https://mirrors.aliyun.com/docker-ce (already used "
                            "by this host") for n in plan["notes"]), plan["notes"]


@pytest.mark.parametrize("which", ["dce", "dce2"])
def test_mirror_preset_still_switches_the_docker_base(which, request):
    root = request.getfixturevalue(which)
    plan = apt_repos_plan(root, "--only", "apt-repos", "--mirror", "tuna")
    docker = diffs(plan)["/etc/apt/sources.list.d/docker.sources"]
    assert "+URIs: https://mirrors.tuna.tsinghua.edu.cn/docker-ce/linux/ubuntu\n" in docker, plan
    # TUNA has no toolkit mirror: the USTC one in use stays, not nvidia.github.io
    assert "nvidia.github.io" not in json.dumps(plan), plan
    assert "NVIDIA Container Toolkit apt base: %s (already used by this host; tuna has no toolkit " \
        "mirror; --nvidia-apt-base URL switches it)" % USTC in plan["notes"], plan["notes"]
    plan = apt_repos_plan(root, "--only", "apt-repos", "--mirror", "aliyun")
    toolkit = diffs(plan)["/etc/apt/sources.list.d/nvidia-container-toolkit.list"]
    assert "+deb [signed-by=/usr/share/keyrings/nvidia-container-toolkit-keyring.gpg] " \
        "https://mirrors.aliyun.com/libnvidia-container/stable/deb/$(ARCH) /\n" in toolkit, plan


@pytest.mark.parametrize("which", ["dce", "dce2"])
def test_apt_base_options_still_switch(which, request):
    root = request.getfixturevalue(which)
    plan = apt_repos_plan(root, "--only", "apt-repos",
                          "--docker-apt-base", "https://apt.corp.example/docker",
                          "--nvidia-apt-base", "https://apt.corp.example/nvidia")
    d = diffs(plan)
    assert "+URIs: https://apt.corp.example/docker/linux/ubuntu\n" in \
        d["/etc/apt/sources.list.d/docker.sources"], plan
    assert "] https://apt.corp.example/nvidia/stable/deb/$(ARCH) /\n" in \
        d["/etc/apt/sources.list.d/nvidia-container-toolkit.list"], plan
    assert ALIYUN not in d["/etc/apt/sources.list.d/docker.sources"].replace("-URIs: " + ALIYUN, ""), plan


def test_a_base_fix_was_given_before_stays_on_a_plain_run(tmp_path):
    """docker.sources and the toolkit list as `fix --docker-apt-base/--nvidia-apt-base` wrote them
    (an internal mirror with no docker-ce in its path): a later plain fix leaves them."""
    root = make_root(tmp_path, "docker.sources",
                     "Types: deb\nURIs: https://apt.corp.example/docker/linux/ubuntu\nSuites: noble\n"
                     "Components: stable\nArchitectures: amd64\nSigned-By: /etc/apt/keyrings/docker.asc\n")
    Path(root, "etc/apt/sources.list.d/nvidia-container-toolkit.list").write_text(
        TOOLKIT_LIST.replace(USTC, "https://apt.corp.example/nvidia"))
    plan = apt_repos_plan(root, "--only", "apt-repos")
    assert plan["changes"] == [], plan


CORP = "https://bob:s3cret@mirror.corp.example/docker-ce/linux/ubuntu"


def test_a_kept_base_with_a_password_is_not_written_world_readable(tmp_path):
    """adv14: docker.list (0600) on a mirror with user:password moved to a docker.sources of mode
    0644: the password became readable by every user."""
    root = make_root(tmp_path, "docker.list",
                     "deb [arch=amd64 signed-by=/etc/apt/keyrings/docker.asc] %s noble stable\n" % CORP)
    os.chmod(os.path.join(root, "etc/apt/sources.list.d/docker.list"), 0o600)
    env = dict(os.environ, DOCKER_HOST="unix:///nonexistent/docker.sock", DLDOCTOR_LANG="C",
               HTTPS_PROXY="http://127.0.0.1:9", https_proxy="http://127.0.0.1:9")
    env.pop("SUDO_USER", None)
    r = subprocess.run([sys.executable, "-m", "dldoctor", "fix", "--root", root, "--yes", "--no-probe",
                        "--only", "apt-repos"], env=env, capture_output=True, text=True, timeout=120,
                       cwd=str(REPO))
    assert r.returncode == 0, r.stdout + r.stderr
    written = Path(root, "etc/apt/sources.list.d/docker.sources")
    assert "URIs: %s\n" % CORP in written.read_text()
    assert written.stat().st_mode & 0o077 == 0, oct(written.stat().st_mode)
    assert "s3cret" not in r.stdout + r.stderr


@pytest.mark.parametrize("options", ["signed-by=/usr/share/keyrings/corp-mirror.gpg", "trusted=yes"])
def test_a_mirror_checked_with_its_own_key_is_not_given_dockers(tmp_path, options):
    """adv14: a mirror that signs with its own key (or an unsigned one, trusted=yes) was kept as the
    base of a docker.sources checked with Docker's key: apt-get update then fails on it."""
    root = make_root(tmp_path, "docker.list", "deb [arch=amd64 %s] %s noble stable\n" % (options, ALIYUN))
    plan = apt_repos_plan(root, "--no-probe", "--only", "apt-repos")
    assert "+URIs: %s\n" % ALIYUN not in diffs(plan).get("/etc/apt/sources.list.d/docker.sources", ""), plan
