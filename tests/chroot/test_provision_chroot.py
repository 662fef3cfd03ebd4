"""The apt-repos, packages and docker-group steps against a real Debian 12 root with real apt,
dpkg, groupadd and usermod, applied through dldoctor's own executor (HostWriter chrooted into
--root, journal, undo), from facts gathered by dldoctor's own gather.collect(LiveHost(root)).
"""
from __future__ import annotations

from pathlib import Path
from typing import List, Sequence

import pytest

from dldoctor import gather
from dldoctor.errors import Refused
from dldoctor.executor import apply, undo
from dldoctor.host.live import LiveHost
from dldoctor.host.writer import HostWriter
from dldoctor.journal import Journal
from dldoctor.model import FileRemove, FileWrite, Plan, Run
from dldoctor.provision import apt_repos, docker_group, packages
from dldoctor.provision.options import FixOptions

from chroot_lab import MARKER_DIR, STAND_INS, AptRepo, chroot

pytestmark = pytest.mark.chroot

NVIDIA_DOCKER_LIST = (
    "deb https://nvidia.github.io/libnvidia-container/stable/ubuntu18.04/$(ARCH) /\n"
    "#deb https://nvidia.github.io/libnvidia-container/experimental/ubuntu18.04/$(ARCH) /\n"
    "deb https://nvidia.github.io/nvidia-container-runtime/stable/ubuntu18.04/$(ARCH) /\n"
    "deb https://nvidia.github.io/nvidia-docker/ubuntu18.04/$(ARCH) /\n")


def options_for(repo: AptRepo, **kw) -> FixOptions:
    return FixOptions(docker_apt_base=repo.docker_base, nvidia_apt_base=repo.nvidia_base,
                      docker_fingerprint=repo.docker_fpr, nvidia_fingerprint=repo.nvidia_fpr, **kw)


def facts_of(root: Path, sudo_user: str = None):
    facts = gather.collect(LiveHost(root=str(root)))
    if sudo_user is not None:
        facts.sudo_user = sudo_user
    return facts


def apply_plans(root: Path, plans: Sequence[Plan]):
    """dldoctor's executor, as `fix --yes --root ROOT` drives it (no Docker daemon to reload)."""
    writer = HostWriter(str(root))
    lines: List[str] = []
    outcome = apply(plans, writer, Journal(writer), None, lambda p: True, lines.append)
    assert outcome.status in ("applied", "nothing-to-do"), (outcome.error, lines)
    return outcome


def write(root: Path, path: str, text: str) -> None:
    f = root / path.lstrip("/")
    f.parent.mkdir(parents=True, exist_ok=True)
    f.write_text(text)


def test_apt_repos_then_packages_with_real_apt(fresh_root: Path, apt_repo: AptRepo):
    root = fresh_root
    # Leftovers that make apt fail: a docker.list for the same repository with another Signed-By,
    # a libnvidia-container.list likewise, and the legacy nvidia-docker.list.
    write(root, "/etc/apt/sources.list.d/docker.list",
          "deb [signed-by=/usr/share/keyrings/docker-archive-keyring.gpg] %s/linux/debian bookworm stable\n"
          % apt_repo.docker_base)
    write(root, "/etc/apt/sources.list.d/libnvidia-container.list",
          "deb [signed-by=/usr/share/keyrings/libnvidia.gpg] %s/stable/deb/$(ARCH) /\n" % apt_repo.nvidia_base)
    write(root, "/etc/apt/sources.list.d/nvidia-docker.list", NVIDIA_DOCKER_LIST)
    write(root, "/etc/apt/sources.list.d/unrelated.list.save", "deb http://example.invalid x y\n")
    # Older releases (Ubuntu 20.04, Debian 11) have no /etc/apt/keyrings: the plan creates it.
    (root / "etc/apt/keyrings").rmdir()
    opts = options_for(apt_repo)

    host = LiveHost(root=str(root))
    facts = gather.collect(host)
    step = apt_repos.step.prepare(host, facts, opts)
    plan = step.plan(facts, opts)
    removed = {c.path for c in plan.changes if isinstance(c, FileRemove)}
    assert removed == {"/etc/apt/sources.list.d/docker.list",
                       "/etc/apt/sources.list.d/libnvidia-container.list",
                       "/etc/apt/sources.list.d/nvidia-docker.list"}
    written = {c.path: c.after for c in plan.changes if isinstance(c, FileWrite)}
    assert written[apt_repos.DOCKER_KEYRING] == apt_repo.docker_key  # fetched from <base>/linux/debian/gpg
    assert any(isinstance(c, Run) and c.argv == ("install", "-m", "0755", "-d", "/etc/apt/keyrings")
               for c in plan.changes)

    # Proof that the leftovers matter: our files beside them make apt refuse to read its sources.
    without_removals = Plan(plan.step, tuple(c for c in plan.changes
                                             if not isinstance(c, FileRemove)))
    apply_plans(root, [without_removals])
    res = chroot(root, "apt-get", "update", check=False)
    assert res.returncode != 0
    assert b"Conflicting values set for option Signed-By" in res.stderr
    # Put the root back as it was (dldoctor undo), then apply the real plan.
    undo_all(root)
    assert not (root / "etc/apt/sources.list.d/docker.sources").exists()
    assert (root / "etc/apt/sources.list.d/docker.list").exists()

    apply_plans(root, [plan])
    for p in removed:
        assert not (root / p.lstrip("/")).exists()
    assert (root / "etc/apt/sources.list.d/unrelated.list.save").exists()
    assert (root / "etc/apt/keyrings/docker.asc").read_bytes() == apt_repo.docker_key
    assert (root / apt_repos.NVIDIA_KEYRING.lstrip("/")).read_bytes()[:1] != b"-"  # binary
    res = chroot(root, "apt-get", "update")
    assert b"W:" not in res.stderr and b"E:" not in res.stderr, res.stderr.decode()

    # packages: planned from fresh facts (nothing installed yet), applied for real.
    facts = facts_of(root)
    pplan = packages.plan(facts, opts)
    assert [c.argv[:3] for c in pplan.changes] == [("apt-get", "update"), ("apt-get", "install", "-y")]
    apply_plans(root, [pplan])
    for pkg in STAND_INS:
        assert (root / MARKER_DIR.lstrip("/") / ("%s.marker" % pkg)).exists(), pkg
    assert chroot(root, "docker", "--version").stdout == b"Docker version 99.0.0-dldoctor-test\n"
    assert b"9.9.9-dldoctor-test" in chroot(root, "nvidia-ctk", "--version").stdout
    policy = chroot(root, "apt-cache", "policy", "docker-ce", "nvidia-container-toolkit").stdout.decode()
    assert apt_repo.docker_base in policy and apt_repo.nvidia_base in policy

    # Second run: nothing to do for either step.
    host = LiveHost(root=str(root))
    facts = gather.collect(host)
    assert apt_repos.step.prepare(host, facts, opts).plan(facts, opts).changes == ()
    assert packages.plan(facts, opts).empty


def undo_all(root: Path) -> None:
    writer = HostWriter(str(root))
    lines: List[str] = []
    result = undo(Journal(writer), None, lambda record: True, lines.append)
    assert getattr(result, "exit_code", 0) == 0, lines


def test_wrong_fingerprint_is_refused_and_nothing_written(shared_root: Path, apt_repo: AptRepo,
                                                          tmp_path: Path):
    root = shared_root
    before = sorted(p.name for p in (root / "etc/apt/sources.list.d").iterdir())
    host = LiveHost(root=str(root))
    facts = gather.collect(host)
    # Key files, so that nothing reaches for the vendor's URL (the tests stay offline).
    real = tmp_path / "docker-real.asc"
    real.write_bytes(apt_repo.docker_key)
    wrong = tmp_path / "docker-wrong.asc"
    wrong.write_bytes(apt_repo.wrong_key)
    # The repository's own key, but the pin names another one.
    opts = options_for(apt_repo, docker_key=str(real))
    opts = FixOptions(**dict(opts.__dict__, docker_fingerprint=apt_repo.wrong_fpr))
    with pytest.raises(Refused) as exc:
        apt_repos.step.prepare(host, facts, opts).plan(facts, opts)
    msg = str(exc.value)
    assert "fingerprint mismatch" in msg
    assert _grouped(apt_repo.docker_fpr) in msg and _grouped(apt_repo.wrong_fpr) in msg
    # Another key than the pinned one.
    opts = options_for(apt_repo, docker_key=str(wrong))
    with pytest.raises(Refused, match="--docker-key .*fingerprint mismatch"):
        apt_repos.step.prepare(host, facts, opts).plan(facts, opts)
    assert sorted(p.name for p in (root / "etc/apt/sources.list.d").iterdir()) == before
    assert not (root / "etc/apt/keyrings/docker.asc").exists()
    assert not (root / apt_repos.NVIDIA_KEYRING.lstrip("/")).exists()
    assert not (root / "var/lib/dldoctor").exists()


def _grouped(fpr: str) -> str:
    return " ".join(fpr[i:i + 4] for i in range(0, len(fpr), 4))


def test_docker_group_with_real_groupadd_and_usermod(fresh_root: Path):
    root = fresh_root
    chroot(root, "useradd", "--create-home", "alice")
    assert chroot(root, "getent", "group", "docker", check=False).returncode == 2
    facts = facts_of(root, sudo_user="alice")
    plan = docker_group.plan(facts, FixOptions())
    assert [c.argv for c in plan.changes] == [("groupadd", "--system", "docker"),
                                              ("usermod", "-aG", "docker", "alice")]
    assert plan.warnings and "root-level privileges" in plan.warnings[0]
    apply_plans(root, [plan])
    line = chroot(root, "getent", "group", "docker").stdout.decode().strip()
    name, _, gid, members = line.split(":")
    assert name == "docker" and int(gid) < 1000 and members.split(",") == ["alice"]
    assert "docker" in chroot(root, "id", "-nG", "alice").stdout.decode().split()
    # Idempotent, then undone with the real gpasswd/groupdel.
    assert docker_group.plan(facts_of(root, sudo_user="alice"), FixOptions()).empty
    undo_all(root)
    assert chroot(root, "getent", "group", "docker", check=False).returncode == 2
    assert "docker" not in chroot(root, "id", "-nG", "alice").stdout.decode().split()


def test_existing_group_gets_only_the_user(fresh_root: Path):
    root = fresh_root
    chroot(root, "groupadd", "--system", "docker")
    chroot(root, "useradd", "bob")
    plan = docker_group.plan(facts_of(root), FixOptions(user="bob"))
    assert [c.argv for c in plan.changes] == [("usermod", "-aG", "docker", "bob")]
    apply_plans(root, [plan])
    assert chroot(root, "getent", "group", "docker").stdout.decode().strip().endswith(":bob")


@pytest.mark.parametrize("os_release, match", [
    ('PRETTY_NAME="Debian GNU/Linux 10 (buster)"\nNAME="Debian GNU/Linux"\nVERSION_ID="10"\n'
     'VERSION="10 (buster)"\nVERSION_CODENAME=buster\nID=debian\n', r"Debian 10 \(buster\) is end of life"),
    ('NAME="Ubuntu"\nVERSION="18.04.6 LTS (Bionic Beaver)"\nID=ubuntu\nID_LIKE=debian\n'
     'VERSION_ID="18.04"\nVERSION_CODENAME=bionic\nUBUNTU_CODENAME=bionic\n', r"Ubuntu 18.04 \(bionic\)"),
])
def test_eol_release_in_the_root_is_refused(shared_root: Path, tmp_path: Path, apt_repo: AptRepo,
                                            os_release: str, match: str):
    # The shared root's files, but another os-release: a small root of its own is enough.
    root = tmp_path / "eol"
    for d in ("etc/apt/sources.list.d", "var/lib/dpkg"):
        (root / d).mkdir(parents=True)
    for f in ("etc/group", "etc/passwd", "etc/apt/sources.list", "var/lib/dpkg/status"):
        (root / f).write_bytes((shared_root / f).read_bytes())
    (root / "etc/os-release").write_text(os_release)
    host = LiveHost(root=str(root))
    facts = gather.collect(host)
    opts = options_for(apt_repo)
    with pytest.raises(Refused, match=match):
        apt_repos.step.prepare(host, facts, opts)
    with pytest.raises(Refused, match=match):
        apt_repos.AptRepos(apt_repos.AptInputs(
            apt_repos.KeyMaterial(apt_repo.docker_key, "x"),
            apt_repos.KeyMaterial(apt_repo.nvidia_key, "x"))).plan(facts, opts)


def test_dldoctor_fix_cli_end_to_end(fresh_root: Path, apt_repo: AptRepo):
    """`dldoctor fix --root ROOT` with the three steps, then a second run with nothing to do."""
    import json
    import subprocess
    import sys

    root = fresh_root
    chroot(root, "useradd", "alice")
    write(root, "/etc/apt/sources.list.d/nvidia-docker.list", NVIDIA_DOCKER_LIST)
    argv = [sys.executable, "-m", "dldoctor", "fix", "--root", str(root), "--json",
            "--only", "apt-repos", "--only", "packages", "--only", "docker-group",
            "--docker-apt-base", apt_repo.docker_base, "--nvidia-apt-base", apt_repo.nvidia_base,
            "--docker-fingerprint", apt_repo.docker_fpr, "--nvidia-fingerprint", apt_repo.nvidia_fpr,
            "--user", "alice"]

    def fix(*extra: str) -> dict:
        res = subprocess.run(argv + list(extra), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             timeout=600)
        try:
            return json.loads(res.stdout)
        except ValueError:
            raise AssertionError("fix printed no JSON (rc %d):\n%s%s" % (
                res.returncode, res.stdout.decode(errors="replace"),
                res.stderr.decode(errors="replace")))

    out = fix("--yes")
    assert out["status"] == "applied", out
    assert [p["step"] for p in out["plan"]] == ["apt-repos", "packages", "docker-group"]
    assert not (root / "etc/apt/sources.list.d/nvidia-docker.list").exists()
    assert (root / MARKER_DIR.lstrip("/") / "nvidia-container-toolkit.marker").exists()
    assert chroot(root, "getent", "group", "docker").stdout.decode().strip().endswith(":alice")
    again = fix("--dry-run")
    assert again["status"] == "nothing-to-do", again
