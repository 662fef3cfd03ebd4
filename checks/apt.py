"""apt sources: docker-ce and toolkit repositories present, no duplicate lists with clashing
Signed-By, no legacy per-distribution NVIDIA repos; and what `apt-get update` said."""
from __future__ import annotations

import re

from dldoctor.checks import ok, problem
from dldoctor.derived import (DOCKER_LINUX, apt_reads, apt_source_path, docker_absent, docker_without_distro, family,
                              is_docker_uri, is_nvidia_uri, toolkit_state, vendor_repos)
from dldoctor.facts import Facts, known
from dldoctor.i18n import _
from dldoctor.lazy_regex import lazy_compile
from dldoctor.model import WARN, Finding
from dldoctor.parse.os_release import DEBIAN_CODENAMES, DISTRO_ARCHIVE, ENDED_SUITES, UBUNTU_CODENAMES
from dldoctor.parse.version import version_tuple

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Dict, List, Optional, Sequence, Set, Tuple

    from dldoctor.parse.apt_sources import AptSource, AptUpdate

AREA = "apt"
# The suites of each distribution family, to tell a source written for the other family.
DEBIAN_SUITES = frozenset(DEBIAN_CODENAMES.values()) | {"sid", "stable", "testing", "unstable", "oldstable"}
UBUNTU_SUITES = frozenset(UBUNTU_CODENAMES.values())
OTHER_FAMILY = {"ubuntu": DEBIAN_SUITES, "debian": UBUNTU_SUITES, "raspbian": UBUNTU_SUITES}
# Old per-distribution repos (nvidia-docker, nvidia-container-runtime, libnvidia-container/<distro>).
LEGACY_NVIDIA = lazy_compile(r"(nvidia\.github\.io|/)(nvidia-docker|nvidia-container-runtime|libnvidia-container)/"
                           r"((stable|experimental)/)?(?P<distro>[a-z]+)(?P<ver>[\d.]+)/", re.I)
# The last releases the per-distribution layout ever published (facts.md §4; dev reports).
LEGACY_SERVED = {"ubuntu": (22, 4), "debian": (11,), "centos": (8,), "rhel": (9,)}


# apt's own wording (English and zh_CN) for a host it could not resolve or connect to.
_UNREACHABLE = lazy_compile(r"temporary failure resolving|could not resolve|暂时不能解析域名|无法解析域名|"
                          r"could not connect to|无法连接|connection timed out|连接超时|unable to connect to|"
                          r"operation timed out|could not handshake|network is unreachable|no route to host|"
                          r"connection failed|连接失败|"
                          # GnuTLS losing the connection mid-handshake (a firewall or proxy cutting it; a
                          # plain "Handshake failed" is as often an old release's GnuTLS)
                          r"gnutls_handshake\(\) failed: error in the (push|pull) function", re.I)
# A suite of an ended release in the distribution's own archive (or a mirror of it).
_ENDED_SUITE = lazy_compile(DISTRO_ARCHIVE + r"dists/" + ENDED_SUITES + r"/", re.I)
_DISTS = lazy_compile(r"/dists/([a-z]+)")


def _suite(uri: str) -> str:
    """The release a URI's suite belongs to ("…/dists/disco-updates/Release" -> "disco")."""
    m = _DISTS.search(uri)
    return m.group(1) if m else ""


_NO_RELEASE = lazy_compile(r"(does not have|no longer has) a Release file|没有 ?Release ?文件", re.I)


# A suite of Docker's repository, as apt names it in an error ("…/linux/debian kali-rolling
# Release") or as the URL it fetched (…/linux/ubuntu/dists/cosmic/Release).
_DOCKER_SUITE = lazy_compile(DOCKER_LINUX + r"/(\w+)(?:/dists/|/?\s+)([\w.~-]+)(?:/|\s+)(?:In)?Release\b")


def _docker_release_not_served(upd: AptUpdate, missing_release: Sequence[str]) -> List[str]:
    """apt's 404 for a Release file of Docker's repository: it has no suite for this release (a
    derivative's own codename such as Mint's vanessa or kali-rolling, a release newer than Docker's
    packages), the catalog's os.unsupported rather than a broken source. An Ubuntu codename under
    /linux/debian (or a Debian one under /linux/ubuntu) is a source written for the other
    distribution, not a release Docker does not serve: that stays a broken source."""
    lines = list(missing_release) + ["%s %s" % (u, s) for u, s in upd.failed_uris if s.startswith("404")]
    out = []
    for line in lines:
        m = _DOCKER_SUITE.search(line)
        if m and m.group(2).lower() not in OTHER_FAMILY.get(m.group(1).lower(), ()):
            out.append(line)
    return out


def check_sources(facts: Facts) -> List[Finding]:
    src = facts.apt_sources
    if not known(src):
        return []
    # what apt reads: enabled entries of sources.list, *.list and *.sources (not .save, ...)
    entries = [e for e in src.entries if e.enabled and apt_reads(e.file)]
    out: List[Finding] = []
    # Same repository, different keys -> apt refuses every update.
    where: Dict[Tuple[str, str], List[Tuple[str, str]]] = {}
    for e in entries:
        for uri in e.uris:
            for suite in e.suites or ("",):
                where.setdefault((uri.rstrip("/"), suite), []).append(
                    ("%s:%d" % (e.file, e.line), e.signed_by or ""))
    for k, places in where.items():
        if len({key for _w, key in places}) > 1:
            out.append(problem("apt-sources", AREA, "apt.signed-by-conflict",
                               _("{uri} is listed in several files with different Signed-By keys; apt "
                                 "refuses to update.").format(uri=k[0]),
                               ["%s (Signed-By: %s)" % (w, key or "-") for w, key in places]))
    legacy_seen: Set[str] = set()
    for e in entries:
        for uri in e.uris:
            m = LEGACY_NVIDIA.search(uri)
            if not m or e.file in legacy_seen:
                continue
            legacy_seen.add(e.file)
            distro, ver = m.group("distro").lower(), version_tuple(m.group("ver"))
            last = LEGACY_SERVED.get(distro)
            if last and ver > last:
                out.append(problem("apt-sources", AREA, "apt.repo-unsupported-distro",
                                   _("{file} uses the old per-distribution NVIDIA repository for {d}{v}, which "
                                     "was never published.").format(file=e.file, d=distro, v=m.group("ver")),
                                   ["%s:%d: %s" % (e.file, e.line, uri)]))
            else:
                out.append(problem("apt-sources", AREA, "toolkit.legacy",
                                   _("{file} is a legacy NVIDIA repository list.").format(file=e.file),
                                   ["%s:%d: %s" % (e.file, e.line, uri)], status=WARN))
        if e.signed_by and e.signed_by.startswith("/") and facts.paths.get(e.signed_by) is False:
            out.append(problem("apt-sources", AREA, "apt.no-pubkey",
                               _("{file} names the key {key}, which does not exist.").format(
                                   file=e.file, key=e.signed_by),
                               ["%s:%d: Signed-By: %s" % (e.file, e.line, e.signed_by)],
                               fix=_unmanaged_key_fix(e)))
    for e in entries:
        for uri in e.uris:
            if docker_without_distro(uri):
                out.append(_no_distro("apt-sources", ["%s:%d: %s" % (e.file, e.line, uri)]))
    apt_host = family(facts.os) in ("debian", "ubuntu") if known(facts.os) else True
    has_docker, has_nvidia = vendor_repos(facts) or (False, False)
    installed, _ev = toolkit_state(facts)
    looked = [_("apt sources read: {files}").format(files=", ".join(sorted({e.file for e in src.entries})) or "-")]
    # an absence is not shown by sources read only in part (sources.list.d past the read bound)
    apt_host = apt_host and not getattr(src, "cut", False)
    if apt_host and not has_docker and docker_absent(facts):
        out.append(problem("apt-sources", AREA, "apt.docker-repo-missing",
                           _("No docker-ce repository in apt sources."), looked, status=WARN))
    if apt_host and not has_nvidia and installed is False:
        out.append(problem("apt-sources", AREA, "apt.nvidia-repo-missing",
                           _("No NVIDIA Container Toolkit repository in apt sources."), looked, status=WARN))
    if not out:
        out.append(ok("apt-sources", AREA, _("{n} apt source entries; no conflicts").format(n=len(entries))))
    return out


def _unmanaged_key_fix(entry: AptSource) -> Optional[str]:
    """The fix for a missing key of a source `fix --only apt-repos` does not manage (it writes
    Docker's and NVIDIA's toolkit repositories with their pinned keys, and leaves the others):
    the catalog's fix there would send the user to a step that never touches it. None: the
    catalog's."""
    if any(is_docker_uri(u) or is_nvidia_uri(u) for u in entry.uris):
        return None
    path = apt_source_path(entry.file)
    if any("/compute/cuda/repos/" in u for u in entry.uris):
        return _("Install NVIDIA's CUDA keyring, which puts the key where {file} expects it (sudo apt-get "
                 "install ./cuda-keyring_1.1-1_all.deb, downloaded from the repository's directory), or "
                 "comment out {file}; then sudo apt-get update. dldoctor fix does not manage this "
                 "repository.").format(file=path)
    return _("Put the repository's key at {key} as its vendor documents (often a *-keyring package), or "
             "comment out {file}; then sudo apt-get update. dldoctor fix manages only Docker's and NVIDIA's "
             "toolkit repositories.").format(key=entry.signed_by, file=path)


def _no_distro(check: str, evidence: List[str]) -> Finding:
    return problem(check, AREA, "apt.docker-repo-missing",
                   _("Docker's repository is listed without its distribution: the URL must end in "
                     "/linux/debian, /linux/ubuntu or /linux/raspbian, so apt finds no docker-ce there."), evidence)


def check_apt_update(facts: Facts) -> List[Finding]:
    upd = facts.apt_update
    if not known(upd):
        return []
    out: List[Finding] = []
    if upd.no_pubkey:
        out.append(problem("apt-update", AREA, "apt.no-pubkey",
                           _("apt cannot verify a repository: key {k} is not available.").format(
                               k=", ".join(upd.no_pubkey)), ["NO_PUBKEY %s" % k for k in upd.no_pubkey]))
    if upd.expired_keys:
        out.append(problem("apt-update", AREA, "apt.no-pubkey",
                           _("apt cannot verify a repository: its signing key {k} has expired.").format(
                               k=", ".join(upd.expired_keys)), ["EXPKEYSIG %s" % k for k in upd.expired_keys]))
    # apt's verifier since Debian 13 (sqv) refusing a signature or a keyring it cannot read
    refused = [(uri, st) for uri, st in upd.failed_uris if "/usr/bin/sqv returned an error code" in st]
    if refused:
        out.append(problem("apt-update", AREA, "apt.no-pubkey",
                           _("apt cannot verify {uri}: its signature or keyring was refused.").format(uri=refused[0][0]),
                           ["%s: %s" % item for item in refused]))
    if upd.signed_by_conflicts:
        out.append(problem("apt-update", AREA, "apt.signed-by-conflict",
                           _("apt reports conflicting Signed-By values."), list(upd.signed_by_conflicts)))
    raw = facts.text("apt-update") or ""
    if upd.unsupported_distribution and "unsupported distribution" in raw.lower():
        out.append(problem("apt-update", AREA, "apt.repo-unsupported-distro",
                           _("The NVIDIA repository answered 'Unsupported distribution'."), []))
    unreachable = [line.strip() for line in raw.splitlines() if _UNREACHABLE.search(line)]
    if unreachable:
        out.append(problem("apt-update", AREA, "apt.repo-unreachable",
                           _("apt cannot reach a repository host from this network (name resolution or connection failed)."),
                           unreachable[:3]))
    # The distribution's own archive without an ended release's suites (Ubuntu moves them to
    # old-releases.ubuntu.com, Debian to archive.debian.org): the release ended, no source is broken.
    # (the host's own release, where its os-release tells it: a stray line for another release is a
    # broken source of its own)
    own = facts.os.codename if known(facts.os) and facts.os.codename else None
    ended = [(u, s) for u, s in upd.failed_uris if "404" in s and _ENDED_SUITE.search(u)
             and (own is None or _suite(u) == own)]
    if ended:
        out.append(problem("apt-update", AREA, "os.unsupported",
                           _("This release has ended: the distribution's archive no longer serves it (its "
                             "packages moved to old-releases.ubuntu.com or archive.debian.org)."),
                           ["%s %s" % (u, s) for u, s in ended[:3]]))
    broken = [(u, s) for u, s in upd.failed_uris
              if not is_docker_uri(u) and not is_nvidia_uri(u) and not _UNREACHABLE.search(s) and (u, s) not in ended]
    if broken:
        out.append(problem("apt-update", AREA, "apt.broken-source",
                           _("An unrelated apt source fails, so `apt-get update` fails."),
                           ["%s %s" % (u, s) for u, s in broken]))
    for u, s in upd.failed_uris:
        if is_nvidia_uri(u) and "404" in s:
            out.append(problem("apt-update", AREA, "apt.repo-unsupported-distro",
                               _("The NVIDIA repository URL does not exist for this release."), ["%s %s" % (u, s)]))
            break
    # token by token: a search for the pattern's leading \S* would be quadratic in a long line
    no_distro = sorted({tok for line in raw.splitlines() for tok in line.split() if docker_without_distro(tok)})
    if no_distro:
        out.append(_no_distro("apt-update", no_distro[:3]))
    missing_release = [line for line in upd.errors if _NO_RELEASE.search(line)]
    not_served = _docker_release_not_served(upd, missing_release)
    if not_served:
        out.append(problem("apt-update", AREA, "os.unsupported",
                           _("Docker's repository has no packages for this release (apt finds no Release file for it)."),
                           not_served[:3]))
    # "The repository '…libnvidia-container/…/ubuntu18.04/amd64 Release' does not have a Release file":
    # apt's wording of the 404 that a per-distribution NVIDIA URL gets for a release it never served
    # (an unrelated source failing is apt.broken-source).
    if not out and missing_release and all(is_nvidia_uri(line) for line in missing_release):
        out.append(problem("apt-update", AREA, "apt.repo-unsupported-distro",
                           _("The NVIDIA repository URL does not exist for this release."), missing_release[:3]))
    if not out and upd.errors:
        out.append(problem("apt-update", AREA, "apt.broken-source", _("apt-get update reported errors."),
                           list(upd.errors[:3])))
    if not out:
        out.append(ok("apt-update", AREA, _("apt-get update succeeded")))
    return out
