"""Real Debian roots and a real signed apt repository for the provision steps' chroot tests.

Fixtures (re-exported by conftest.py):

- `bookworm_tarball` (session): `debootstrap --variant=minbase bookworm` run ONCE and kept as a
  tarball under /var/cache/dldoctor-test/ (about 25 s the first time); later sessions only extract
  it (a few seconds per root).
- `fresh_root` (function): a new root extracted from that tarball, under tmp; `shared_root`
  (session): one root for the tests that must not write.
- `apt_repo` (session): stand-in docker-ce/containerd.io/.../nvidia-container-toolkit `.deb`s built
  with dpkg-deb, indexed with apt-ftparchive, signed with two throwaway gpg keys (one "Docker", one
  "NVIDIA"; their fingerprints are pinned through FixOptions), laid out as a docker-ce style repo
  (`<base>/linux/debian/dists/bookworm/stable/binary-<arch>/`) and a toolkit style flat repo
  (`<base>/stable/deb/<arch>/`), each with its key where the step fetches it
  (`<base>/linux/debian/gpg`, `<base>/gpgkey`), served by `python3 -m http.server` on 127.0.0.1.

Missing root or tools: the tests skip, but fail when CI=true or DLDOCTOR_REQUIRE_LAB=1.
Every process started here is stopped by its pid.
"""
from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, Iterator, List, Optional

import pytest

from lab import lab_required  # tests/lab.py: one rule for when lab tests may skip

CACHE_DIR = Path(os.environ.get("DLDOCTOR_TEST_CACHE", "/var/cache/dldoctor-test"))
SUITE = "bookworm"
DEBIAN_MIRROR = os.environ.get("DLDOCTOR_DEBIAN_MIRROR", "http://deb.debian.org/debian")

STAND_INS = {
    # package: (Depends, files it installs: path -> (mode, content))
    "containerd.io": ("", {"/usr/bin/containerd": (0o755, "#!/bin/sh\necho 'containerd stand-in'\n")}),
    "docker-ce-cli": ("", {"/usr/bin/docker": (0o755, "#!/bin/sh\necho 'Docker version 99.0.0-dldoctor-test'\n")}),
    "docker-ce": ("docker-ce-cli, containerd.io", {"/usr/bin/dockerd": (0o755, "#!/bin/sh\necho 'dockerd stand-in'\n")}),
    "docker-buildx-plugin": ("", {"/usr/libexec/docker/cli-plugins/docker-buildx": (0o755, "#!/bin/sh\n")}),
    "docker-compose-plugin": ("", {"/usr/libexec/docker/cli-plugins/docker-compose": (0o755, "#!/bin/sh\n")}),
    "nvidia-container-toolkit": ("", {"/usr/bin/nvidia-ctk": (0o755, "#!/bin/sh\necho 'NVIDIA Container Toolkit CLI version 9.9.9-dldoctor-test'\n")}),
}
MARKER_DIR = "/usr/share/dldoctor-test"


def need(condition: bool, why: str) -> None:
    if condition:
        return
    if lab_required():
        pytest.fail("chroot tests cannot run: %s (CI=true or DLDOCTOR_REQUIRE_LAB=1: they must "
                    "not skip)" % why, pytrace=False)
    pytest.skip("chroot tests need %s" % why)


def run(argv: List[str], cwd: Optional[Path] = None, env: Optional[Dict[str, str]] = None,
        input: Optional[bytes] = None, check: bool = True, timeout: float = 300) -> subprocess.CompletedProcess:
    res = subprocess.run(argv, cwd=cwd, env=env, input=input, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, timeout=timeout)
    if check and res.returncode != 0:
        raise AssertionError("%s exited %d:\n%s%s" % (" ".join(argv), res.returncode,
                                                        res.stdout.decode(errors="replace"),
                                                        res.stderr.decode(errors="replace")))
    return res


def host_arch() -> str:
    return run(["dpkg", "--print-architecture"]).stdout.decode().strip()


# --- the Debian root ------------------------------------------------------------------------------


def _tar_name() -> Path:
    return CACHE_DIR / ("debian-%s-minbase-%s.tar" % (SUITE, host_arch()))


@pytest.fixture(scope="session")
def bookworm_tarball() -> Path:
    need(os.geteuid() == 0, "root (debootstrap, chroot)")
    for tool in ("chroot", "tar", "dpkg"):
        need(shutil.which(tool) is not None, tool)
    tar = _tar_name()
    if tar.exists():
        return tar
    need(shutil.which("debootstrap") is not None, "debootstrap (apt-get install debootstrap)")
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    with open(CACHE_DIR / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # another session may be building it right now
        if tar.exists():
            return tar
        build = Path(tempfile.mkdtemp(prefix="build-", dir=CACHE_DIR))
        try:
            root = build / "root"
            res = run(["debootstrap", "--variant=minbase", SUITE, str(root), DEBIAN_MIRROR],
                      check=False, timeout=900)
            need(res.returncode == 0, "a working debootstrap (%s): %s" % (
                DEBIAN_MIRROR, res.stderr.decode(errors="replace")[-500:]))
            # Leave no downloaded .debs or index files in the cached image.
            for sub in ("var/cache/apt/archives", "var/lib/apt/lists"):
                for p in (root / sub).glob("*"):
                    if p.is_file():
                        p.unlink()
            partial = build / "root.tar"
            run(["tar", "--numeric-owner", "-C", str(root), "-cf", str(partial), "."])
            os.replace(partial, tar)
        finally:
            shutil.rmtree(build, ignore_errors=True)
    return tar


def extract_root(tarball: Path, dest: Path) -> Path:
    dest.mkdir(parents=True)
    run(["tar", "--numeric-owner", "-C", str(dest), "-xf", str(tarball)])
    # Only the local repository: no deb.debian.org (the tests must not need the internet).
    (dest / "etc/apt/sources.list").write_text("")
    return dest


@pytest.fixture
def fresh_root(bookworm_tarball: Path, tmp_path: Path) -> Path:
    """A root of its own, for a test that changes it."""
    return extract_root(bookworm_tarball, tmp_path / "root")


@pytest.fixture(scope="session")
def shared_root(bookworm_tarball: Path, tmp_path_factory) -> Path:
    """One root for the tests that only read (each asserts it wrote nothing)."""
    return extract_root(bookworm_tarball, tmp_path_factory.mktemp("shared") / "root")


def chroot(root: Path, *argv: str, env: Optional[Dict[str, str]] = None,
           check: bool = True, timeout: float = 300) -> subprocess.CompletedProcess:
    base = {"PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
            "LANG": "C.UTF-8", "DEBIAN_FRONTEND": "noninteractive"}
    base.update(env or {})
    return run(["chroot", str(root)] + list(argv), env=base, check=check, timeout=timeout)


# --- the signed apt repository --------------------------------------------------------------------


@dataclass
class AptRepo:
    url: str                  # http://127.0.0.1:PORT
    docker_base: str          # url + "/docker"  (docker-ce style: <base>/linux/debian/...)
    nvidia_base: str          # url + "/nvidia"  (toolkit style: <base>/stable/deb/<arch>/)
    docker_fpr: str
    nvidia_fpr: str
    docker_key: bytes         # armored public keys, as served
    nvidia_key: bytes
    wrong_key: bytes          # a third throwaway key, pinned nowhere
    wrong_fpr: str
    serve_dir: Path


def _gpg(home: Path, *args: str, input: Optional[bytes] = None) -> bytes:
    env = dict(os.environ, GNUPGHOME=str(home))
    return run(["gpg", "--batch", "--quiet", "--yes", "--pinentry-mode", "loopback",
                "--passphrase", ""] + list(args), env=env, input=input).stdout


def _new_key(home: Path, uid: str) -> str:
    _gpg(home, "--quick-gen-key", uid, "ed25519", "sign", "never")
    out = _gpg(home, "--with-colons", "--list-keys", uid).decode()
    return next(l.split(":")[9] for l in out.splitlines() if l.startswith("fpr:"))


def _build_deb(work: Path, pkg: str, arch: str) -> Path:
    depends, files = STAND_INS[pkg]
    tree = work / ("%s-tree" % pkg)
    (tree / "DEBIAN").mkdir(parents=True)
    control = ["Package: %s" % pkg, "Version: 99.0.0-dldoctor1", "Architecture: %s" % arch,
               "Maintainer: dldoctor tests <tests@dldoctor.invalid>", "Priority: optional",
               "Section: admin"]
    if depends:
        control.append("Depends: %s" % depends)
    control.append("Description: dldoctor stand-in for %s\n a marker file and a tiny script" % pkg)
    (tree / "DEBIAN/control").write_text("\n".join(control) + "\n")
    all_files = dict(files)
    all_files["%s/%s.marker" % (MARKER_DIR, pkg)] = (0o644, "%s 99.0.0-dldoctor1\n" % pkg)
    for path, (mode, content) in all_files.items():
        f = tree / path.lstrip("/")
        f.parent.mkdir(parents=True, exist_ok=True)
        f.write_text(content)
        f.chmod(mode)
    out = work / ("%s_99.0.0-dldoctor1_%s.deb" % (pkg, arch))
    run(["dpkg-deb", "--root-owner-group", "--build", str(tree), str(out)])
    return out


def _release(directory: Path, home: Path, key: str, fields: Dict[str, str],
             target: Path) -> None:
    """apt-ftparchive release over `directory`, written to `target` dir, then signed."""
    opts: List[str] = []
    for k, v in fields.items():
        opts += ["-o", "APT::FTPArchive::Release::%s=%s" % (k, v)]
    text = run(["apt-ftparchive"] + opts + ["release", str(directory)]).stdout
    (target / "Release").write_bytes(text)
    _gpg(home, "--local-user", key, "--clearsign", "--digest-algo", "SHA256",
         "--output", str(target / "InRelease"), str(target / "Release"))
    _gpg(home, "--local-user", key, "--armor", "--detach-sign", "--digest-algo", "SHA256",
         "--output", str(target / "Release.gpg"), str(target / "Release"))


def _free_port() -> int:
    with contextlib.closing(socket.socket()) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def apt_repo(tmp_path_factory) -> Iterator[AptRepo]:
    for tool in ("gpg", "apt-ftparchive", "dpkg", "dpkg-deb", "gzip"):
        need(shutil.which(tool) is not None, tool)
    arch = host_arch()
    work = tmp_path_factory.mktemp("aptrepo")
    home = work / "gnupg"
    home.mkdir(mode=0o700)
    docker_fpr = _new_key(home, "dldoctor test Docker <docker@dldoctor.invalid>")
    nvidia_fpr = _new_key(home, "dldoctor test NVIDIA <nvidia@dldoctor.invalid>")
    wrong_fpr = _new_key(home, "dldoctor test WRONG <wrong@dldoctor.invalid>")
    keys = {f: _gpg(home, "--armor", "--export", f) for f in (docker_fpr, nvidia_fpr, wrong_fpr)}

    srv = work / "srv"
    debs = work / "debs"
    debs.mkdir()
    # docker-ce style: <base>/linux/debian/{pool/stable,dists/bookworm/stable/binary-ARCH}, gpg
    dbase = srv / "docker" / "linux" / "debian"
    pool = dbase / "pool" / "stable"
    pool.mkdir(parents=True)
    for pkg in ("containerd.io", "docker-ce-cli", "docker-ce", "docker-buildx-plugin",
                "docker-compose-plugin"):
        shutil.copy(_build_deb(debs, pkg, arch), pool)
    binary = dbase / "dists" / SUITE / "stable" / ("binary-%s" % arch)
    binary.mkdir(parents=True)
    packages = run(["apt-ftparchive", "packages", "pool/stable"], cwd=dbase).stdout
    (binary / "Packages").write_bytes(packages)
    run(["gzip", "-k9n", str(binary / "Packages")])
    _release(dbase / "dists" / SUITE, home, docker_fpr,
             {"Origin": "Docker", "Label": "Docker CE", "Suite": SUITE, "Codename": SUITE,
              "Architectures": arch, "Components": "stable"}, dbase / "dists" / SUITE)
    (dbase / "gpg").write_bytes(keys[docker_fpr])
    # toolkit style flat repo: <base>/stable/deb/ARCH/{*.deb,Packages,InRelease}, <base>/gpgkey
    nbase = srv / "nvidia"
    flat = nbase / "stable" / "deb" / arch
    flat.mkdir(parents=True)
    shutil.copy(_build_deb(debs, "nvidia-container-toolkit", arch), flat)
    (flat / "Packages").write_bytes(run(["apt-ftparchive", "packages", "."], cwd=flat).stdout)
    run(["gzip", "-k9n", str(flat / "Packages")])
    staging = work / "flat-release"
    staging.mkdir()
    _release(flat, home, nvidia_fpr, {"Origin": "https://nvidia.github.io/libnvidia-container/stable/deb",
                                      "Label": "NVIDIA CORPORATION"}, staging)
    for f in ("Release", "InRelease", "Release.gpg"):
        shutil.move(str(staging / f), str(flat / f))
    (nbase / "gpgkey").write_bytes(keys[nvidia_fpr])
    # Every key is made and every release signed: the gpg-agent that key generation started
    # would outlive the test run.
    subprocess.run(["gpgconf", "--kill", "gpg-agent"], env=dict(os.environ, GNUPGHOME=str(home)),
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=30, check=False)

    port = _free_port()
    log = open(work / "http.log", "wb")
    proc = subprocess.Popen([sys.executable, "-m", "http.server", "--bind", "127.0.0.1",
                             "--directory", str(srv), str(port)], stdout=log, stderr=log,
                            start_new_session=True)
    url = "http://127.0.0.1:%d" % port
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                urllib.request.urlopen(url + "/nvidia/gpgkey", timeout=1).read()
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError("http.server did not start: %s" %
                                         (work / "http.log").read_text())
                time.sleep(0.05)
        yield AptRepo(url, url + "/docker", url + "/nvidia", docker_fpr, nvidia_fpr,
                      keys[docker_fpr], keys[nvidia_fpr], keys[wrong_fpr], wrong_fpr, srv)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()
