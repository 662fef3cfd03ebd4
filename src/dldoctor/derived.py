"""Derived facts: what the checks, gather, provision and verify all conclude from Facts the same
way (is this WSL, is the toolkit installed, which mirrors are configured, which dockerd runs...).

Pure functions of Facts, kept apart from the checks so that a provision step or the gatherer can
ask them without importing a check (and so that every layer reaches the same answer).
"""
from __future__ import annotations

import re

from dldoctor import nesting
from dldoctor.facts import Facts, known
from dldoctor.i18n import _
from dldoctor.lazy_regex import lazy_compile
from dldoctor.mirror_urls import normalize_mirror_url
from dldoctor.parse.version import version_tuple
from dldoctor.records import frozen_record

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Dict, List, Optional, Protocol, Sequence, Tuple

    from dldoctor.daemon_judge import Judgement
    from dldoctor.facts import Fact
    from dldoctor.parse.dpkg import PackageState, Packages
    from dldoctor.parse.os_release import OsRelease

    class InstalledPackages(Protocol):
        """What installed_state asks of a package list: dpkg's Packages, or "none installed"."""

        def installed(self, name: str) -> Optional[PackageState]:
            ...

# --- system ----------------------------------------------------------------------------------------


# The package families beside apt's, by os-release ID or ID_LIKE: each installs NVIDIA's packages its
# own way (dnf, zypper, pacman), so the advice a check gives differs.
OTHER_FAMILIES = (("rhel", ("rhel", "centos", "fedora", "rocky", "almalinux", "ol", "amzn")),
                  ("suse", ("suse", "opensuse", "opensuse-leap", "opensuse-tumbleweed", "sles", "sled")),
                  ("arch", ("arch", "manjaro", "endeavouros")))


def family(os_rel: Optional[Fact[OsRelease]]) -> Optional[str]:
    """'ubuntu', 'debian' (apt families), 'rhel' (dnf: RHEL, its rebuilds, Fedora, Amazon Linux),
    'suse' or 'arch' (derivatives mapped through ID_LIKE), else the plain id."""
    if not known(os_rel):
        return None
    ids = [os_rel.id or ""] + list(os_rel.id_like or ())
    for fam in ("ubuntu", "debian"):
        if fam in ids:
            return fam
    for fam, members in OTHER_FAMILIES:
        if any(i in members for i in ids):
            return fam
    return os_rel.id


def is_wsl(facts: Facts) -> bool:
    """WSL, from the kernel (/proc/version) or from how the reporter described the OS."""
    return (known(facts.kernel) and facts.kernel.is_wsl) or (
        known(facts.os) and getattr(facts.os, "mentions_wsl", False))


# --- GPU and Docker ---------------------------------------------------------------------------------


def smi_ok(facts: Facts) -> bool:
    smi = facts.nvidia_smi
    return known(smi) and not smi.error and bool(smi.driver_version or smi.gpus)


def server_error(facts: Facts) -> Tuple[Optional[str], bool]:
    """The daemon error docker printed (and whether it was a time-out), from info or version."""
    timed_out = False
    for name in ("docker-info.json", "docker-info", "docker-version.json", "docker-version"):
        ev = facts.raw.get(name)
        if ev is not None and ev.timed_out:
            timed_out = True
    for fact in (facts.docker_info, facts.docker_version):
        if known(fact):
            errs = getattr(fact, "server_errors", None) or (
                (getattr(fact, "server_error"),) if getattr(fact, "server_error", None) else ())
            if errs:
                return errs[0], timed_out
    if timed_out:
        return None, True
    return None, False


def has_server(facts: Facts) -> Optional[bool]:
    if known(facts.docker_info) and facts.docker_info.has_server:
        return True
    if known(facts.docker_version) and facts.docker_version.server_version:
        return True
    err, timed_out = server_error(facts)
    if err or timed_out:
        return False
    return None


# A rootless Docker daemon's socket, in its user's runtime directory (group 1: the uid).
_ROOTLESS_SOCKET = lazy_compile(r"^/run/user/(\d+)/docker\.sock$")


def rootless_uid(socket: str) -> Optional[str]:
    """The uid whose rootless daemon listens at `socket` (a path, or a unix:// URL; /var/run and
    doubled slashes as the kernel reads them), else None."""
    import posixpath

    path = socket[len("unix://"):] if socket.startswith("unix://") else socket
    path = posixpath.normpath(path) if path.startswith("/") else path
    if path.startswith("/var/run/"):
        path = path[len("/var"):]
    found = _ROOTLESS_SOCKET.match(path)
    return found.group(1) if found else None


def env_var(facts: Facts, name: str) -> Optional[str]:
    """A variable of the environment docker ran in, as the `env` evidence recorded it."""
    for line in (facts.text("env") or "").splitlines():
        key, sep, value = line.partition("=")
        if sep and key.strip() == name and value.strip():
            return value.strip()
    return None


def docker_absent(facts: Facts) -> bool:
    """The docker CLI is not installed: its run said so, or (not run) neither program is on PATH."""
    evs = [facts.raw.get(n) for n in ("docker-version.json", "docker-info.json", "docker-version", "docker-info")]
    if any(ev is not None and ev.not_found for ev in evs):
        return True
    if any(ev is not None and ev.collected for ev in evs):
        return False
    return facts.binaries.get("docker", "x") is None and facts.binaries.get("dockerd", "x") is None


# --- daemon.json and dockerd ------------------------------------------------------------------------

# Packages that install dockerd (Debian/Ubuntu's and Docker's own, Fedora's).
_ENGINE_PACKAGES = ("docker-ce", "docker.io", "moby-engine", "docker-engine", "docker")


def runtime_entries(facts: Facts) -> Dict[str, Dict[str, Any]]:
    dj = facts.daemon_json
    if not known(dj):
        return {}
    rts = dj.data.get("runtimes")
    return {k: v for k, v in rts.items() if isinstance(v, dict)} if isinstance(rts, dict) else {}


def dockerd_version(facts: Facts) -> Tuple[Tuple[int, ...], str]:
    """The host's dockerd version and where it came from: `docker version`, `docker info`,
    `dockerd --version` (under the root), else the package database. ((), "") when none says."""
    for fact, where in ((getattr(facts, "docker_version", None), "docker version"),
                        (getattr(facts, "docker_info", None), "docker info")):
        v = getattr(fact, "server_version", None) if known(fact) else None
        if v and version_tuple(v)[:1]:
            return version_tuple(v), where
    text = facts.text("dockerd-version") if hasattr(facts, "text") else None
    m = re.search(r"version v?(\d+\.\d+(?:\.\d+)?)", text or "")
    if m:
        return version_tuple(m.group(1)), "dockerd --version"
    pkgs: Optional[Fact[Packages]] = getattr(facts, "packages", None)
    if known(pkgs) and hasattr(pkgs, "installed"):
        for name in _ENGINE_PACKAGES:
            state = pkgs.installed(name)
            if state is not None and state.version and version_tuple(state.version)[:1]:
                return version_tuple(state.version), name
    return (), ""


def judge_facts(facts: Facts, text: Optional[str] = None) -> Judgement:
    """dockerd's verdict on daemon.json `text` (default: the host's) for the host's release and
    command line."""
    from dldoctor.daemon_judge import judge

    if text is None:
        text = facts.text("daemon.json") or ""
    version, _where = dockerd_version(facts)
    flags = facts.dockerd_flags
    names = flags.names if known(flags) and hasattr(flags, "names") else {}
    return judge(text, version or None, names)


def configured_mirrors(facts: Facts) -> Tuple[str, ...]:
    """daemon.json's registry-mirrors, then the ones `docker info` reports that it lacks."""
    out: List[str] = []
    dj = facts.daemon_json
    found = dj.data.get("registry-mirrors") if known(dj) else None
    if isinstance(found, list):
        out.extend(nesting.text_of(m) for m in found)
    if known(facts.docker_info):
        out.extend(m for m in facts.docker_info.registry_mirrors if normalize_mirror_url(m) not in
                   {normalize_mirror_url(o) for o in out})
    return tuple(out)


def daemon_json_mirrors(facts: Facts) -> Tuple[str, ...]:
    """The registry-mirrors strings of daemon.json as read (none when it is unreadable)."""
    dj = getattr(facts, "daemon_json", None)
    data = getattr(dj, "data", None) if known(dj) else None
    found = data.get("registry-mirrors") if isinstance(data, dict) else None
    return tuple(u for u in found if isinstance(u, str)) if isinstance(found, list) else ()


# --- NVIDIA Container Toolkit -----------------------------------------------------------------------

TOOLKIT_PACKAGES = ("nvidia-container-toolkit", "nvidia-container-toolkit-base",
                    "libnvidia-container-tools", "libnvidia-container1")
TOOLKIT_PROGRAMS = ("nvidia-container-runtime-hook", "nvidia-container-toolkit", "nvidia-ctk",
                    "nvidia-container-cli")


def installed_versions(facts: Facts, names: Sequence[str]) -> List[str]:
    """`name version` of each of `names` the package database lists as installed."""
    if not known(facts.packages):
        return []
    out = []
    for n in names:
        st = facts.packages.installed(n)
        if st:
            out.append("%s %s" % (n, st.version or ""))
    return out


def toolkit_state(facts: Facts) -> Tuple[Optional[bool], List[str]]:
    """(installed?, evidence). None when nothing that would tell was collected."""
    ev = installed_versions(facts, TOOLKIT_PACKAGES)
    ev += ["%s: %s" % (p, facts.binaries[p]) for p in TOOLKIT_PROGRAMS if facts.binaries.get(p)]
    if known(facts.nvccli) and (facts.nvccli.cli_version or facts.nvccli.driver_version):
        ev.append("nvidia-container-cli info: %s" % (facts.nvccli.cli_version or "ok"))
    if known(facts.ctk_version):
        ev.append("nvidia-ctk %s" % facts.ctk_version.version)
    if ev:
        return True, ev
    looked = known(facts.packages) or any(p in facts.binaries for p in TOOLKIT_PROGRAMS)
    return (False, []) if looked else (None, [])


def toolkit_version(facts: Facts) -> Optional[Tuple[int, ...]]:
    cands = []
    if known(facts.nvccli):
        cands += [facts.nvccli.cli_version, facts.nvccli.lib_version]
    if known(facts.ctk_version):
        cands.append(facts.ctk_version.version)
    if known(facts.packages):
        for n in TOOLKIT_PACKAGES + ("libnvidia-container0",):
            st = facts.packages.installed(n)
            if st and st.version:
                cands.append(st.version)
    m = re.search(r"cli-version:\s*([\d.]+)", facts.notes or "")
    if m:
        cands.append(m.group(1))
    for c in cands:
        parsed = version_tuple(c)
        if parsed and len(parsed) >= 2:
            return parsed
    return None


def cgroup_v2(facts: Facts) -> Optional[bool]:
    if known(facts.cgroup):
        return facts.cgroup.version == 2
    if known(facts.docker_info) and facts.docker_info.cgroup_version:
        return str(facts.docker_info.cgroup_version) == "2"
    return None


def registered_in_daemon(facts: Facts) -> Optional[bool]:
    info = facts.docker_info
    if known(info) and info.has_server:
        return "nvidia" in info.runtimes
    return None


def runtime_path(facts: Facts) -> Optional[str]:
    entry = runtime_entries(facts).get("nvidia")
    if entry is not None:
        return nesting.text_of(entry.get("path") or "")
    return None


def hook_newer_than_daemon(facts: Facts) -> Optional[bool]:
    """The NVIDIA hook arrived after the running dockerd started (so --gpus is not registered)."""
    if facts.dockerd_started is None or facts.hook_installed is None:
        return None
    return facts.hook_installed > facts.dockerd_started + 1


# --- apt sources -----------------------------------------------------------------------------------

# Docker's repository under its own host or a mirror's docker-ce path.
DOCKER_LINUX = r"(?:download\.docker\.com|/docker-ce)/linux"
# Docker's repository named without its distribution ("…/linux stretch" for "…/linux/debian
# stretch"): apt finds no suite there, so docker-ce has no installation candidate.
_DOCKER_NO_DISTRO = lazy_compile(r"\S*" + DOCKER_LINUX + r"/?(?=\s|$)")


def is_docker_uri(uri: str) -> bool:
    return "download.docker.com" in uri or "/docker-ce" in uri


def is_nvidia_uri(uri: str) -> bool:
    return "libnvidia-container" in uri or "nvidia-docker" in uri or "nvidia-container-runtime" in uri


def docker_without_distro(uri: str) -> bool:
    return bool(_DOCKER_NO_DISTRO.fullmatch(uri.strip()))


# The files of sources.list.d apt reads (apt-pkg's sourcelist: *.list and *.sources, names of
# letters, digits, "_", "." and "-"); it ignores the rest (.save, .distUpgrade, .disabled...).
_APT_FILE = lazy_compile(r"[A-Za-z0-9_.-]+\.(?:list|sources)")


def apt_reads(fname: str) -> bool:
    return fname == "sources.list" or bool(_APT_FILE.fullmatch(fname))


def apt_source_path(fname: str) -> str:
    """The file an apt-sources/ evidence name stands for (sources.list or one of sources.list.d)."""
    return "/etc/apt/sources.list" if fname == "sources.list" else "/etc/apt/sources.list.d/" + fname


def _under(uri: str, bases: Sequence[str]) -> bool:
    low = uri.strip().rstrip("/").lower()
    return any(b and (low == b or low.startswith(b + "/"))
               for b in (b.strip().rstrip("/").lower() for b in bases))


def vendor_repos(facts: Facts, docker_bases: Sequence[str] = (),
                 nvidia_bases: Sequence[str] = ()) -> Optional[Tuple[bool, bool]]:
    """(Docker's repository, one serving the NVIDIA Container Toolkit) among the binary sources
    apt reads: the vendors', a mirror of them, the given bases (--docker-apt-base, an internal
    mirror), or NVIDIA's CUDA repository (which carries the toolkit since 1.13); None when the
    sources were not read."""
    src = facts.apt_sources
    if not known(src):
        return None
    uris = [u for e in src.entries if e.enabled and "deb" in e.types and apt_reads(e.file)
            for u in e.uris]
    docker = any(is_docker_uri(u) and not docker_without_distro(u) or
                 _under(u, [b.rstrip("/") + "/linux" for b in docker_bases]) for u in uris)
    nvidia = any("libnvidia-container" in u or "/compute/cuda/repos/" in u or _under(u, nvidia_bases)
                 for u in uris)
    return docker, nvidia


# --- the Docker engine package --------------------------------------------------------------------


def installed_state(pkgs: InstalledPackages, pkg: str) -> Optional[PackageState]:
    state = pkgs.installed(pkg)
    return state or None


def state_version(state: Optional[PackageState]) -> Optional[str]:
    v = getattr(state, "version", None)
    return v if isinstance(v, str) and v else None


# The toolkit's needs of the engine (reference facts 3.1): `docker run --gpus` since 19.03; on a
# cgroup v2 host, Docker 20.10 (the first release that supports cgroup v2).
GPUS_SINCE = (19, 3)
CGROUP_V2_SINCE = (20, 10)


@frozen_record
class Engine:
    """The Docker engine package installed, and whether the NVIDIA Container Toolkit can use it."""

    package: str                 # docker-ce | docker.io | moby-engine | ...
    version: Optional[str]
    distro: bool                 # the distribution's package, not Docker CE
    supported: bool
    why: str                     # a sentence: why it is (not) supported


def engine(facts: Facts) -> Optional[Engine]:
    """The installed engine from the package list (None: no engine package, or unknown)."""
    pkgs = getattr(facts, "packages", None)
    if not known(pkgs):
        return None
    for pkg, distro in (("docker-ce", False), ("docker.io", True), ("moby-engine", True)):
        state = installed_state(pkgs, pkg)
        if state is None:
            continue
        version = state_version(state)
        have = version_tuple(version)
        cgroup = getattr(facts, "cgroup", None)
        v2 = known(cgroup) and getattr(cgroup, "version", None) == 2
        if have and have < GPUS_SINCE:
            why = _("{pkg} {v} predates Docker 19.03, which introduced --gpus").format(
                pkg=pkg, v=version)
            return Engine(pkg, version, distro, False, why)
        if have and v2 and have < CGROUP_V2_SINCE:
            why = _("{pkg} {v} predates Docker 20.10, the first release that supports this "
                    "host's cgroup v2").format(pkg=pkg, v=version)
            return Engine(pkg, version, distro, False, why)
        why = _("{pkg} {v} meets the NVIDIA Container Toolkit's needs (--gpus since 19.03{v2})"
                ).format(pkg=pkg, v=version or "?",
                         v2=_(", cgroup v2 since 20.10") if v2 else "")
        return Engine(pkg, version, distro, bool(have), why)
    return None
