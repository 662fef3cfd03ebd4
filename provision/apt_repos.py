"""apt-repos step: Docker's and NVIDIA's apt repositories, signed by pinned keys, on the chosen mirror.

What it writes (the vendors' own current layout):
- /etc/apt/sources.list.d/docker.sources (deb822), `Signed-By: /etc/apt/keyrings/docker.asc`, on
  `<docker base>/linux/<ubuntu|debian>`, suite = UBUNTU_CODENAME (Ubuntu and derivatives) or
  VERSION_CODENAME (Debian);
- /etc/apt/keyrings/docker.asc: Docker's ASCII-armored key;
- /etc/apt/sources.list.d/nvidia-container-toolkit.list:
  `deb [signed-by=/usr/share/keyrings/nvidia-container-toolkit-keyring.gpg] <base>/stable/deb/$(ARCH) /`;
- /usr/share/keyrings/nvidia-container-toolkit-keyring.gpg: NVIDIA's key, dearmored (binary, what
  `gpg --dearmor` gives; done in Python, no gpg needed on the host).
It removes (the executor backs them up first) any other source file that points at a Docker or NVIDIA
toolkit repository: legacy nvidia-docker.list / libnvidia-container.list / nvidia-container-runtime.list,
a docker.list beside docker.sources. These duplicates are what makes apt stop with "Conflicting values
set for option Signed-By". In /etc/apt/sources.list itself, or in a file that also lists other
repositories, only the offending lines are commented out (deb822 stanzas get `Enabled: no`).

Keys are refused unless the primary key's fingerprint equals the pin (Docker 9DC8 5822 9FC7 DD38 854A
E2D8 8D81 803C 0EBF CD88, NVIDIA C95B 321B 61E8 8C18 09C4 F759 DDCA E044 F796 ECB0, or the
--docker-fingerprint/--nvidia-fingerprint override). So a mirror serving a wrong key is refused, and
a key may come from anywhere: the mirror, the vendor, or a file on an offline host.

Design: prepare, then plan.
  `prepare(host, facts, options) -> AptRepos` is the only phase with I/O. It reads the key files
  named by --docker-key/--nvidia-key (on the machine running dldoctor), or fetches the keys with
  `host.http_get` (the chosen base first: `<base>/linux/<distro>/gpg`, `<base>/gpgkey`; then the
  vendor URL), unless the key already installed on the target matches its pin. It also reads the
  exact bytes of the files the plan may replace or remove, and the target's dpkg architecture.
  It returns a step object bound to those inputs. A key it could not get is recorded with the errors,
  not raised: `plan` refuses, so the reasons appear in one place.
  `AptRepos.plan(facts, options) -> Plan` is pure (the Step protocol): no I/O, raises Refused.
The executor calls `step = step.prepare(host, facts, options)` when a step has `prepare`, then
`step.plan(facts, options)`. Tests build `AptRepos(AptInputs(...))` directly.
"""
from __future__ import annotations

import json
import os
import re
from typing import TYPE_CHECKING, Any, Dict, Iterable, List, Optional, Sequence, Tuple
from urllib.parse import urlsplit

from dldoctor import openpgp
from dldoctor.errors import Refused, UsageError
from dldoctor.derived import apt_reads, apt_source_path
from dldoctor.facts import Unknown, known
from dldoctor.host import paths
from dldoctor.i18n import _
from dldoctor.model import FileRemove, FileWrite, Plan, Run
from dldoctor.provision.mirrors import (DOCKER_APT_VENDOR, NVIDIA_APT_VENDOR, PRESETS,
                                        resolve_presets)
from dldoctor.provision.packages import keeps_distro_engine, not_apt_unblock
from dldoctor.records import field, frozen_record
from dldoctor.scrub import text_lines

if TYPE_CHECKING:
    from dldoctor.facts import Facts
    from dldoctor.host import Host
    from dldoctor.plans import Change
    from dldoctor.provision.options import FixOptions

name = "apt-repos"

DOCKER_SOURCES = "/etc/apt/sources.list.d/docker.sources"
DOCKER_KEYRING = "/etc/apt/keyrings/docker.asc"
NVIDIA_LIST = "/etc/apt/sources.list.d/nvidia-container-toolkit.list"
NVIDIA_KEYRING = "/usr/share/keyrings/nvidia-container-toolkit-keyring.gpg"
SOURCES_LIST = "/etc/apt/sources.list"
SOURCES_DIR = "/etc/apt/sources.list.d"

DOCKER_FINGERPRINT = "9DC858229FC7DD38854AE2D88D81803C0EBFCD88"
NVIDIA_FINGERPRINT = "C95B321B61E88C1809C4F759DDCAE044F796ECB0"

KEY_FETCH_TIMEOUT = 15.0
# Docker's docs: `install -m 0755 -d /etc/apt/keyrings` (a minimal Debian 12 has no such directory).
KEYRING_DIRS = ("/etc/apt/keyrings", "/usr/share/keyrings")

# Ubuntu: codename -> version. Supported by Docker's and NVIDIA's repositories (docs, 2026-08).
UBUNTU_SUPPORTED = {"focal": "20.04", "jammy": "22.04", "noble": "24.04", "questing": "25.10",
                    "resolute": "26.04"}
UBUNTU_DEPRECATED = ("focal",)


def _deprecation_note(codename: str) -> str:
    if codename == "focal":
        return _("Ubuntu 20.04 is past standard support; Docker's installer marks it deprecated "
                 "and new Docker releases may stop being published for it")
    return ""
UBUNTU_EOL = {"warty": "4.10", "hoary": "5.04", "breezy": "5.10", "dapper": "6.06",
              "edgy": "6.10", "feisty": "7.04", "gutsy": "7.10", "hardy": "8.04",
              "intrepid": "8.10", "jaunty": "9.04", "karmic": "9.10", "lucid": "10.04",
              "maverick": "10.10", "natty": "11.04", "oneiric": "11.10", "precise": "12.04",
              "quantal": "12.10", "raring": "13.04", "saucy": "13.10", "trusty": "14.04",
              "utopic": "14.10", "vivid": "15.04", "wily": "15.10", "xenial": "16.04",
              "yakkety": "16.10", "zesty": "17.04", "artful": "17.10", "bionic": "18.04",
              "cosmic": "18.10", "disco": "19.04", "eoan": "19.10", "groovy": "20.10",
              "hirsute": "21.04", "impish": "21.10", "kinetic": "22.10", "lunar": "23.04",
              "mantic": "23.10", "oracular": "24.10", "plucky": "25.04"}
DEBIAN_SUPPORTED = {"bullseye": "11", "bookworm": "12", "trixie": "13"}
DEBIAN_TESTING = {"forky": "14"}
DEBIAN_EOL = {"hamm": "2.0", "slink": "2.1", "potato": "2.2", "woody": "3.0", "sarge": "3.1",
              "etch": "4", "lenny": "5", "squeeze": "6", "wheezy": "7", "jessie": "8",
              "stretch": "9", "buster": "10"}
_DEBIAN_BY_MAJOR = {v: k for k, v in list(DEBIAN_SUPPORTED.items()) + list(DEBIAN_EOL.items())
                    + list(DEBIAN_TESTING.items())}

# Paths of NVIDIA's repositories, old and current, on the vendor host and the mirrors that mirror them.
_NVIDIA_REPO_PATHS = ("/libnvidia-container", "/nvidia-docker", "/nvidia-container-runtime")
_NVIDIA_HOSTS = ("nvidia.github.io",)


@frozen_record
class KeyMaterial:
    """One signing key as obtained by prepare. data None: not obtained (`error` says why)."""

    data: Optional[bytes]
    source: str
    error: str = ""


@frozen_record
class AptInputs:
    """What prepare gathered. `existing`: target path -> current bytes (None: absent)."""

    docker_key: KeyMaterial
    nvidia_key: KeyMaterial
    existing: Dict[str, Optional[bytes]] = field(default_factory=dict)
    arch: Optional[str] = None
    absent_dirs: Tuple[str, ...] = ()   # keyring directories missing on the target


@frozen_record
class AptTarget:
    """Which Docker repository a host uses: distro path, suite, and caveats to show."""

    distro: str          # "ubuntu" | "debian" | "raspbian" (the path under <base>/linux/)
    codename: str
    release: str         # human words: "Ubuntu 22.04 (jammy)"
    warnings: Tuple[str, ...] = ()


@frozen_record
class Bases:
    docker: str
    nvidia: str
    notes: Tuple[str, ...] = ()
    warnings: Tuple[str, ...] = ()


# --- pure pieces ----------------------------------------------------------------------------------


_CODENAME = re.compile(r"[a-z][a-z0-9-]{0,31}")


def apt_target(os_release: object) -> AptTarget:
    """Map os-release facts to Docker's repository, or refuse (non-apt, unknown, end of life)."""
    if not known(os_release):
        reason = getattr(os_release, "reason", "not collected")
        raise Refused(_("apt-repos: cannot tell the distribution (os-release: %s)") % reason)
    oid = (getattr(os_release, "id", None) or "").lower()
    like = tuple(x.lower() for x in (getattr(os_release, "id_like", None) or ()))
    pretty = getattr(os_release, "pretty_name", None) or oid or "this system"
    codename = (getattr(os_release, "codename", None) or "").lower() or None
    ubuntu_codename = (getattr(os_release, "ubuntu_codename", None) or "").lower() or None
    version = getattr(os_release, "version_id", None)

    if oid == "ubuntu" or "ubuntu" in like or (ubuntu_codename and oid != "debian"):
        cn = ubuntu_codename or (codename if oid == "ubuntu" else None)
        if not cn:
            raise Refused(_("apt-repos: %s is Ubuntu-based but names no Ubuntu release "
                            "(UBUNTU_CODENAME is missing from os-release)") % pretty)
        base = "" if oid == "ubuntu" else _(" (based on Ubuntu %s)") % cn
        if cn in UBUNTU_SUPPORTED:
            warnings = (_deprecation_note(cn),) if cn in UBUNTU_DEPRECATED else ()
            return AptTarget("ubuntu", cn, "%s%s" % (pretty, base), warnings)
        if cn in UBUNTU_EOL:
            ver = UBUNTU_EOL[cn]
            kind = _("an interim release that reached its end of life") if _interim(ver) else \
                _("end of life")
            raise Refused(_("apt-repos: Ubuntu %s (%s) is %s: Docker and NVIDIA no longer publish "
                            "packages for it. Upgrade to Ubuntu 22.04 or 24.04 LTS first.%s")
                          % (ver, cn, kind, "" if oid == "ubuntu" else " (%s)" % pretty))
        if not _CODENAME.fullmatch(cn):
            # it would be written as the Suites: of docker.sources (`jammy; rm -rf /`, `../x`)
            raise Refused(_("apt-repos: os-release names the Ubuntu release %s, which is no "
                            "release codename") % json.dumps(cn))
        return AptTarget("ubuntu", cn, "%s%s" % (pretty, base), (
            _("Ubuntu '%s' is newer than the releases dldoctor knows; Docker may not publish it "
              "yet (apt-get update then fails with a missing Release file)") % cn,))

    if oid in ("debian", "raspbian") or "debian" in like:
        cn = codename
        if not cn and version:
            cn = _DEBIAN_BY_MAJOR.get(str(version).split(".")[0])
        if cn in ("sid", "unstable") or (oid == "debian" and not cn):
            raise Refused(_("apt-repos: %s (unstable) has no Docker repository; use a Debian "
                            "stable release") % pretty)
        if oid != "debian" and oid != "raspbian" and cn not in DEBIAN_SUPPORTED \
                and cn not in DEBIAN_TESTING and cn not in DEBIAN_EOL:
            raise Refused(_("apt-repos: %s is Debian-based, but its release %r is not a Debian "
                            "release dldoctor can map to Docker's repository") % (pretty, cn))
        if cn in DEBIAN_EOL:
            raise Refused(_("apt-repos: Debian %s (%s) is end of life: Docker and NVIDIA no longer "
                            "publish packages for it. Upgrade to Debian 12 or 13 first.")
                          % (DEBIAN_EOL[cn], cn))
        # Raspbian (32-bit) has its own Docker repository up to bookworm (get.docker.com).
        distro = "raspbian" if oid == "raspbian" and cn in ("bullseye", "bookworm") else "debian"
        if cn in DEBIAN_SUPPORTED:
            return AptTarget(distro, cn, pretty)
        if cn in DEBIAN_TESTING:
            return AptTarget(distro, cn, pretty, (
                _("Debian %s is the testing release; Docker may not publish it yet") % cn,))
        raise Refused(_("apt-repos: unknown Debian release %r (%s)") % (cn, pretty))

    raise Refused(_("apt-repos: %s is not Debian or Ubuntu: this step sets up apt repositories, "
                    "which only Debian/Ubuntu-family systems use") % pretty, unblock=not_apt_unblock())


def _interim(version: str) -> bool:
    major, _sep, minor = version.partition(".")
    return minor != "04" or int(major) % 2 == 1


def choose_bases(options: Optional[FixOptions], facts: object = None) -> Bases:
    """The docker-ce and toolkit apt bases: explicit options, then the first preset that has one,
    then the mirror of the vendor's repository the host's sources already use (a working Aliyun or
    USTC source is not swapped for a vendor host that is slow or blocked there), then the vendor."""
    presets = resolve_presets(getattr(options, "presets", ()) or ())
    notes: List[str] = []
    warnings: List[str] = []
    in_use_docker, in_use_nvidia = bases_in_use(facts)
    docker = getattr(options, "docker_apt_base", None)
    if docker:
        notes.append(_("docker-ce apt base: %s (--docker-apt-base)") % docker)
    else:
        for p in presets:
            docker = p.docker_apt_base
            notes.append(_("docker-ce apt base: %s (--mirror %s)") % (docker, p.name))
            if not p.docker_apt_verified:
                warnings.append(_("the %s docker-ce mirror is known from secondary sources only; "
                                  "if apt-get update fails, try another --mirror") % p.name)
            break
        else:
            docker = in_use_docker or DOCKER_APT_VENDOR
            if docker != DOCKER_APT_VENDOR:
                notes.append(_("docker-ce apt base: %s (already used by this host; --mirror NAME or "
                               "--docker-apt-base URL switches it)") % docker)
    nvidia = getattr(options, "nvidia_apt_base", None)
    if nvidia:
        notes.append(_("NVIDIA Container Toolkit apt base: %s (--nvidia-apt-base)") % nvidia)
    else:
        for p in presets:
            if p.nvidia_apt_base:
                nvidia = p.nvidia_apt_base
                notes.append(_("NVIDIA Container Toolkit apt base: %s (--mirror %s)") % (nvidia, p.name))
                if not p.nvidia_apt_verified:
                    warnings.append(_("the %s libnvidia-container mirror is unverified; if apt-get "
                                      "update fails on it, use --nvidia-apt-base %s")
                                    % (p.name, NVIDIA_APT_VENDOR))
                break
        else:
            nvidia = in_use_nvidia or NVIDIA_APT_VENDOR
            if nvidia != NVIDIA_APT_VENDOR and presets:
                notes.append(_("NVIDIA Container Toolkit apt base: %s (already used by this host; %s "
                               "has no toolkit mirror; --nvidia-apt-base URL switches it)")
                             % (nvidia, ", ".join(p.name for p in presets)))
            elif nvidia != NVIDIA_APT_VENDOR:
                notes.append(_("NVIDIA Container Toolkit apt base: %s (already used by this host; "
                               "--mirror NAME or --nvidia-apt-base URL switches it)") % nvidia)
            elif presets:
                notes.append(_("NVIDIA Container Toolkit apt base: the vendor's %s (%s has no "
                               "toolkit mirror)") % (nvidia, ", ".join(p.name for p in presets)))
    return Bases(_strip(docker), _strip(nvidia), tuple(notes), tuple(warnings))


def _strip(url: str) -> str:
    return url.strip().rstrip("/")


# A base as it stands in a source (no blank, no bracket: it is written back into a source line).
_DOCKER_IN_USE = re.compile(r"(https?://[^\s\[\]]+?)/linux(?:/[a-z]+)?", re.IGNORECASE)
_NVIDIA_IN_USE = re.compile(r"(https?://[^\s\[\]]+?/libnvidia-container)(?:/\S*)?", re.IGNORECASE)
_NVIDIA_OWN = re.compile(r"(https?://[^\s\[\]]+?)/(?:stable|experimental)/deb(?:/\S*)?", re.IGNORECASE)


def bases_in_use(facts: object) -> Tuple[Optional[str], Optional[str]]:
    """(docker-ce base, toolkit base) of the enabled binary sources apt reads that are the vendors'
    repositories or a mirror of them: the vendor's host, a preset's base, any `.../docker-ce` base
    (`<base>/linux/<distro>`) or `.../libnvidia-container` base. Our own two files count first,
    with any base in the form fix writes (an earlier --*-apt-base: an internal mirror)."""
    srcs = getattr(facts, "apt_sources", None)
    if facts is None or not known(srcs):
        return None, None
    known_docker = {b.lower() for b in _docker_bases(DOCKER_APT_VENDOR)}
    ours = (os.path.basename(DOCKER_SOURCES), os.path.basename(NVIDIA_LIST))
    entries = [e for e in _entries(srcs)
               if getattr(e, "enabled", True) is not False
               and "deb" in (getattr(e, "types", None) or ("deb",))
               and apt_reads(os.path.basename(str(getattr(e, "file", "") or "")))]
    entries.sort(key=lambda e: os.path.basename(str(getattr(e, "file", ""))) not in ours)  # stable
    docker: Optional[str] = None
    nvidia: Optional[str] = None
    for e in entries:
        fname = os.path.basename(str(getattr(e, "file", "")))
        if fname not in ours and not _checked_like_fix(e):
            continue        # its own key (a mirror that signs), or none: fix's key would not fit it
        for uri in _uris(e):
            u = _norm_uri(uri)
            m = _DOCKER_IN_USE.fullmatch(u)
            if docker is None and m and (fname == ours[0] or m.group(1).lower() in known_docker or
                                         urlsplit(m.group(1)).path.lower().endswith("/docker-ce")):
                docker = m.group(1)
            m = _NVIDIA_IN_USE.fullmatch(u) or (_NVIDIA_OWN.fullmatch(u) if fname == ours[1] else None)
            if nvidia is None and m:
                nvidia = m.group(1)
    return docker, nvidia


def _checked_like_fix(entry: object) -> bool:
    """Whether apt checks `entry` as fix writes it: with Docker's or NVIDIA's key (or the default
    keyring), not with a mirror's own key or `trusted=yes`."""
    options = {k.lower(): v for k, v in (getattr(entry, "options", None) or {}).items()}
    if "trusted" in options:
        return False
    key = os.path.basename(str(getattr(entry, "signed_by", None) or "")).lower()
    return not key or "docker" in key or "nvidia" in key


def render_docker_sources(base: str, target: AptTarget, arch: Optional[str]) -> bytes:
    """docker.sources exactly as Docker's install docs write it (deb822)."""
    lines = [
        "Types: deb",
        "URIs: %s/linux/%s" % (_strip(base), target.distro),
        "Suites: %s" % target.codename,
        "Components: stable",
    ]
    if arch:
        lines.append("Architectures: %s" % arch)
    lines.append("Signed-By: %s" % DOCKER_KEYRING)
    return ("\n".join(lines) + "\n").encode("utf-8")


def render_toolkit_list(base: str) -> bytes:
    """nvidia-container-toolkit.list as NVIDIA's install guide leaves it (after its sed)."""
    b = _strip(base)
    return ("deb [signed-by=%s] %s/stable/deb/$(ARCH) /\n"
            "#deb [signed-by=%s] %s/experimental/deb/$(ARCH) /\n"
            % (NVIDIA_KEYRING, b, NVIDIA_KEYRING, b)).encode("utf-8")


def docker_key_urls(base: str, distro: str) -> Tuple[str, ...]:
    urls = ["%s/linux/%s/gpg" % (_strip(base), distro)]
    vendor = "%s/linux/%s/gpg" % (DOCKER_APT_VENDOR, distro)
    if vendor not in urls:
        urls.append(vendor)
    return tuple(urls)


def nvidia_key_urls(base: str) -> Tuple[str, ...]:
    urls = ["%s/gpgkey" % _strip(base)]
    vendor = "%s/gpgkey" % NVIDIA_APT_VENDOR
    if vendor not in urls:
        urls.append(vendor)
    return tuple(urls)


def pinned(options: Optional[FixOptions]) -> Tuple[str, str]:
    d = getattr(options, "docker_fingerprint", None) or DOCKER_FINGERPRINT
    n = getattr(options, "nvidia_fingerprint", None) or NVIDIA_FINGERPRINT
    return openpgp.normalize_fingerprint(d), openpgp.normalize_fingerprint(n)


def _key_ok(data: Optional[bytes], pin: str) -> bool:
    if not data:
        return False
    try:
        openpgp.check_pinned(data, pin)
    except Refused:
        return False
    return True


# --- which existing sources conflict --------------------------------------------------------------


@frozen_record
class _Offence:
    file: str        # basename as in facts.apt_sources ("docker.list", "sources.list")
    uri: str
    kind: str        # "docker" | "nvidia"
    form: str        # "one-line" | "deb822"


def _norm_uri(uri: str) -> str:
    return uri.strip().rstrip("/")


def _docker_bases(chosen: str) -> Tuple[str, ...]:
    out = [DOCKER_APT_VENDOR] + [p.docker_apt_base for p in PRESETS] + [chosen]
    return tuple(dict.fromkeys(_strip(b) for b in out))


def _nvidia_prefixes(chosen: str) -> Tuple[str, ...]:
    out = [_strip(chosen)]
    for p in PRESETS:
        if p.nvidia_apt_base:
            out.append(_strip(p.nvidia_apt_base))
            host = urlsplit(p.nvidia_apt_base)
            for path in _NVIDIA_REPO_PATHS:  # USTC also redirects the old repository paths
                out.append("%s://%s%s" % (host.scheme, host.netloc, path))
    return tuple(dict.fromkeys(out))


def _uri_kind(uri: str, docker_bases: Sequence[str], nvidia_prefixes: Sequence[str]) -> Optional[str]:
    """"docker" or "nvidia" for a URI that fix may comment out as a duplicate of what it writes.
    Narrower than derived.vendor_repos on purpose: that one asks whether any source serves the
    packages (mirrors by their paths, NVIDIA's CUDA repository); this one edits the user's files,
    so only the vendors' hosts and the bases fix knows (presets, --*-apt-base) count."""
    u = _norm_uri(uri)
    low = u.lower()
    for b in docker_bases:
        if low.startswith(b.lower() + "/linux/") or low == b.lower() + "/linux":
            return "docker"
    parts = urlsplit(u)
    if (parts.hostname or "").lower() in _NVIDIA_HOSTS and \
            any(parts.path.startswith(p) for p in _NVIDIA_REPO_PATHS):
        return "nvidia"
    for p in nvidia_prefixes:
        if low == p.lower() or low.startswith(p.lower() + "/"):
            return "nvidia"
    return None


def _entries(apt_sources: object) -> List[object]:
    for attr in ("entries", "sources"):
        val = getattr(apt_sources, attr, None)
        if val is not None:
            return list(val)
    return []


def _uris(entry: object) -> Tuple[str, ...]:
    u = getattr(entry, "uris", None)
    if u is None:
        u = getattr(entry, "uri", None)
    if u is None:
        return ()
    return (u,) if isinstance(u, str) else tuple(u)


def _file_path(fname: str, raw: Dict[str, object]) -> str:
    ev = raw.get("apt-sources/" + fname)
    src = getattr(ev, "source", "") if ev is not None else ""
    if src and src.startswith("/"):
        return src
    return apt_source_path(fname)


def find_conflicts(facts: object, docker_base: str, nvidia_base: str) -> List[_Offence]:
    """Enabled entries outside our two files that point at a Docker or NVIDIA toolkit repository."""
    srcs = getattr(facts, "apt_sources", None)
    if not known(srcs):
        reason = getattr(srcs, "reason", "not collected")
        raise Refused(_("apt-repos: cannot read the existing apt sources (%s); refusing to add "
                        "repositories that could duplicate one and break apt") % reason)
    dbases = _docker_bases(docker_base)
    nprefixes = _nvidia_prefixes(nvidia_base)
    ours = {os.path.basename(DOCKER_SOURCES), os.path.basename(NVIDIA_LIST)}
    out: List[_Offence] = []
    for e in _entries(srcs):
        fname = os.path.basename(str(getattr(e, "file", "") or ""))
        if not fname or fname in ours or not apt_reads(fname):
            continue
        if getattr(e, "enabled", True) is False:
            continue
        for uri in _uris(e):
            kind = _uri_kind(uri, dbases, nprefixes)
            if kind:
                out.append(_Offence(fname, _norm_uri(uri), kind,
                                    str(getattr(e, "form", "") or "one-line")))
    return out


def _disable_lines(text: str, uris: Iterable[str]) -> Tuple[str, int]:
    """Comment out one-line entries naming any of `uris`; deb822 stanzas get `Enabled: no`."""
    wanted = {u.lower() for u in uris}
    out: List[str] = []
    changed = 0
    lines = text_lines(text, keepends=True)     # apt's lines: \n only (not \f or U+2028)
    # One-line form.
    for line in lines:
        s = line.strip()
        if s.startswith(("deb ", "deb-src ", "deb\t", "deb-src\t")):
            # `deb [options] URI suite components`: the URI only (words split as the parser does)
            tokens = re.sub(r"\[[^\]]*\]", " ", s).split()
            if len(tokens) > 1 and _norm_uri(tokens[1]).lower() in wanted:
                out.append("# disabled by dldoctor (duplicate repository): " + line.lstrip())
                changed += 1
                continue
        out.append(line)
    if changed:
        return "".join(out), changed
    # deb822 form: stanzas separated by blank lines.
    stanzas = re.split(r"(\n[ \t]*\n)", text)
    for i in range(0, len(stanzas), 2):
        st = stanzas[i]
        m = re.search(r"^URIs:[ \t]*(.*)$", st, re.MULTILINE | re.IGNORECASE)
        if not m:
            continue
        if any(_norm_uri(u).lower() in wanted for u in m.group(1).split()):
            if re.search(r"^Enabled:", st, re.MULTILINE | re.IGNORECASE):
                st = re.sub(r"^Enabled:.*$", "Enabled: no", st, flags=re.MULTILINE | re.IGNORECASE)
            else:
                space = re.match(r"\s*", st)   # always matches, perhaps empty
                lead = space.group(0) if space else ""
                st = lead + "Enabled: no\n" + st[len(lead):]
            stanzas[i] = st
            changed += 1
    return "".join(stanzas), changed


# --- the step -------------------------------------------------------------------------------------


class AptRepos:
    """The apt-repos step. Unprepared (`AptRepos()`) it can only prepare; see the module doc."""

    name = name

    def __init__(self, inputs: Optional[AptInputs] = None):
        self.inputs = inputs

    # I/O phase -------------------------------------------------------------------------------
    def prepare(self, host: Host, facts: Facts, options: FixOptions) -> AptRepos:
        target = apt_target(getattr(facts, "os", Unknown("not collected")))
        bases = choose_bases(options, facts)
        docker_pin, nvidia_pin = pinned(options)
        existing: Dict[str, Optional[bytes]] = {}
        for path in (DOCKER_SOURCES, DOCKER_KEYRING, NVIDIA_LIST, NVIDIA_KEYRING, SOURCES_LIST):
            existing[path] = host.read(path)
        # Every source is checked for another Docker or NVIDIA entry (a duplicate breaks apt-get
        # update): one not read whole, or past the bounds, could hide one.
        names = host.listdir(SOURCES_DIR) or ()
        too_many = _("{dir} holds more than {n} files or {size} MiB: dldoctor cannot check them "
                     "all for another Docker or NVIDIA repository").format(
                         dir=SOURCES_DIR, n=paths.APT_SOURCES_MAX_FILES,
                         size=paths.APT_SOURCES_MAX_BYTES >> 20)
        if len(names) > paths.APT_SOURCES_MAX_FILES:
            raise Refused(too_many)
        total = 0
        for path in [SOURCES_LIST] + ["%s/%s" % (SOURCES_DIR, f) for f in names]:
            if path not in existing:
                existing[path] = host.read(path)
            size = len(existing[path] or b"")
            if size >= paths.READ_LIMIT:            # read up to the bound, and cut there
                raise Refused(_("{path} is larger than {n} MiB: dldoctor cannot check all of it "
                                "for another Docker or NVIDIA repository").format(
                                    path=path, n=paths.READ_LIMIT >> 20))
            total += size
            if total > paths.APT_SOURCES_MAX_BYTES:
                raise Refused(too_many)
        if keeps_distro_engine(facts, options) is not None:
            docker_key = KeyMaterial(None, "", _("not needed: the distribution's Docker is kept"))
        else:
            docker_key = _obtain_key(host, getattr(options, "docker_key", None), "--docker-key",
                                     existing[DOCKER_KEYRING], DOCKER_KEYRING, docker_pin,
                                     docker_key_urls(bases.docker, target.distro))
        nvidia_key = _obtain_key(host, getattr(options, "nvidia_key", None), "--nvidia-key",
                                 existing[NVIDIA_KEYRING], NVIDIA_KEYRING, nvidia_pin,
                                 nvidia_key_urls(bases.nvidia))
        absent = tuple(d for d in KEYRING_DIRS
                       if host.listdir(d) is None)
        return AptRepos(AptInputs(docker_key, nvidia_key, existing, _dpkg_arch(host), absent))

    # pure phase ------------------------------------------------------------------------------
    def plan(self, facts: Facts, options: FixOptions) -> Plan:
        if self.inputs is None:
            raise Refused(_("apt-repos: the signing keys were not obtained (the step's prepare "
                            "phase did not run)"))
        inp = self.inputs
        target = apt_target(getattr(facts, "os", Unknown("not collected")))
        bases = choose_bases(options, facts)
        docker_pin, nvidia_pin = pinned(options)
        notes: List[str] = list(bases.notes)
        warnings: List[str] = list(target.warnings) + list(bases.warnings)
        if getattr(options, "docker_fingerprint", None):
            warnings.append(_("Docker key pinned to %s by --docker-fingerprint instead of Docker's "
                              "own key") % openpgp.format_fingerprint(docker_pin))
        if getattr(options, "nvidia_fingerprint", None):
            warnings.append(_("NVIDIA key pinned to %s by --nvidia-fingerprint instead of NVIDIA's "
                              "own key") % openpgp.format_fingerprint(nvidia_pin))

        # A working distribution Docker is kept (packages step): Docker's repository is not added.
        kept = keeps_distro_engine(facts, options)
        # Keys first: a refused key means nothing at all is written.
        docker_asc = None if kept else _keyring(DOCKER_KEYRING, inp.docker_key, docker_pin, inp,
                                                True, "Docker", "--docker-key")
        nvidia_gpg = _keyring(NVIDIA_KEYRING, inp.nvidia_key, nvidia_pin, inp, False, "NVIDIA",
                              "--nvidia-key")

        changes: List[Change] = []
        raw = getattr(facts, "raw", {}) or {}

        def before(path: str, fname: Optional[str] = None) -> Optional[bytes]:
            if path in inp.existing:
                return inp.existing[path]
            ev = raw.get("apt-sources/" + (fname or os.path.basename(path)))
            text = getattr(ev, "text", None) if ev is not None else None
            return None if text is None else text.encode("utf-8")

        # Conflicting sources go first: apt must never see both at once.
        conflicts = [c for c in find_conflicts(facts, bases.docker, bases.nvidia)
                     if not (kept and c.kind == "docker")]
        by_file: Dict[str, List[_Offence]] = {}
        for c in conflicts:
            by_file.setdefault(c.file, []).append(c)
        srcs = getattr(facts, "apt_sources", None)
        for fname, offs in sorted(by_file.items()):
            path = _file_path(fname, raw)
            old = before(path, fname)
            if old is None:
                continue
            what = ", ".join(sorted({o.uri for o in offs}))
            kinds = sorted({o.kind for o in offs})
            if kinds == ["docker"]:
                why = _("Docker repository, duplicated by %s") % DOCKER_SOURCES
            elif kinds == ["nvidia"]:
                why = _("NVIDIA repository (legacy or duplicate), replaced by %s") % NVIDIA_LIST
            else:
                why = _("Docker/NVIDIA repositories duplicated by docker.sources and "
                        "nvidia-container-toolkit.list")
            others = [e for e in _entries(srcs)
                      if os.path.basename(str(getattr(e, "file", ""))) == fname
                      and getattr(e, "enabled", True) is not False
                      and not any(_norm_uri(u) in {o.uri for o in offs} for u in _uris(e))]
            moved = kinds == ["docker"] and before(DOCKER_SOURCES) is None and all(
                o.uri.lower().startswith(bases.docker.lower() + "/linux") for o in offs)
            if fname != "sources.list" and not others and moved:
                # no duplicate: the same repository, on the same base, in Docker's current file
                changes.append(FileRemove(path, old))
                notes.append(_("move %s (backed up) to %s, Docker's current form, on the same "
                               "base (%s)") % (path, DOCKER_SOURCES, what))
            elif fname != "sources.list" and not others:
                changes.append(FileRemove(path, old))
                notes.append(_("remove %s (backed up): %s (%s). Duplicates make apt stop with "
                               "'Conflicting values set for option Signed-By'.") % (path, why, what))
            else:
                # bytes that are not UTF-8 (a Latin-1 comment) go back as they were
                text, n = _disable_lines(old.decode("utf-8", "surrogateescape"), {o.uri for o in offs})
                if n:
                    changes.append(FileWrite(path, old, text.encode("utf-8", "surrogateescape")))
                    notes.append(_("disable in %s: %s (%s)") % (path, why, what))

        # Keys, then the sources that name them.
        for d in inp.absent_dirs:
            if (d == os.path.dirname(DOCKER_KEYRING) and docker_asc is not None) or \
                    (d == os.path.dirname(NVIDIA_KEYRING) and nvidia_gpg is not None):
                changes.append(Run(("install", "-m", "0755", "-d", d),
                                   _("create %s for the signing keys") % d, ("rmdir", d)))
        if docker_asc is not None:
            changes.append(FileWrite(DOCKER_KEYRING, inp.existing.get(DOCKER_KEYRING), docker_asc,
                                     0o644))
            notes.append(_("Docker's key %s from %s") % (openpgp.format_fingerprint(docker_pin),
                                                      inp.docker_key.source))
        if nvidia_gpg is not None:
            changes.append(FileWrite(NVIDIA_KEYRING, inp.existing.get(NVIDIA_KEYRING), nvidia_gpg,
                                     0o644))
            notes.append(_("NVIDIA's key %s from %s (written dearmored)") % (
                openpgp.format_fingerprint(nvidia_pin), inp.nvidia_key.source))
        for path, content in ((DOCKER_SOURCES, render_docker_sources(bases.docker, target, inp.arch)),
                              (NVIDIA_LIST, render_toolkit_list(bases.nvidia))):
            if kept and path == DOCKER_SOURCES:
                continue
            old = before(path)
            if old != content and not _same_entries(old, content):
                # a base kept from the host may carry a password (user:pw@): not for every reader
                secret = b"@" in content and any("@" in urlsplit(b).netloc for b in (bases.docker, bases.nvidia))
                changes.append(FileWrite(path, old, content, 0o600 if secret else 0o644))
        if not inp.arch and not kept:
            notes.append(_("the target's dpkg architecture is unknown: docker.sources has no "
                           "Architectures: line (apt then asks for every configured architecture)"))
        if kept:
            notes.insert(0, _("{release}: Docker's repository is left out: {pkg} {v} is kept "
                              "(--engine docker-ce adds it and Docker CE)").format(
                                  release=target.release, pkg=kept.package, v=kept.version or ""))
        else:
            notes.insert(0, _("%s: Docker repository %s/linux/%s, suite %s") % (
                target.release, bases.docker, target.distro, target.codename))
        return Plan(step=name, changes=tuple(changes), notes=tuple(notes),
                    warnings=tuple(warnings))


def _same_entries(old: Optional[bytes], new: bytes) -> bool:
    """Whether apt reads the same from both: they differ only in comments or blanks within a line
    (the commented-out experimental line NVIDIA's guide adds is no reason to rewrite a file)."""
    if old is None:
        return False

    def active(data: bytes) -> List[str]:
        lines = [" ".join(re.split(r"[ \t]+", line.strip(" \t"))) for line in
                 text_lines(data.decode("utf-8", "surrogateescape"))
                 if not line.lstrip(" \t").startswith("#")]
        while lines and not lines[-1]:
            lines.pop()
        while lines and not lines[0]:
            lines.pop(0)
        return lines
    return active(old) == active(new)


def _canonical_asc(data: bytes) -> bytes:
    """One armored block holding exactly the key's packets (Docker's own file is already this).

    Armor text around the block, or a second block after it, is dropped: apt would read those
    too, and trust a key nobody checked.
    """
    return openpgp.armor(openpgp.dearmor(data))


def _keyring(path: str, key: Any, pin: str, inp: AptInputs, armored: bool, who: str,
             option: str) -> Optional[bytes]:
    """The bytes to write at `path` (armored for Docker's .asc, binary as gpg --dearmor writes for
    NVIDIA's .gpg), None when the file there already holds the pinned key in that form."""
    current = inp.existing.get(path)
    form = _canonical_asc if armored else openpgp.dearmor
    if current is not None and openpgp.is_armored(current) == armored and _key_ok(current, pin) \
            and form(current) == current:
        return None
    if key.data is None:
        raise Refused(_("apt-repos: could not get the %s signing key: %s") % (
            who, key.error or key.source),
            unblock=_("on an offline host pass the key file with {option} FILE, or leave the "
                      "step out with --skip apt-repos").format(option=option))
    openpgp.check_pinned(key.data, pin, _("the %s signing key from %s") % (who, key.source))
    return form(key.data)


# --- prepare helpers (I/O) ------------------------------------------------------------------------


def _obtain_key(host: Host, path: Optional[str], flag: str, installed: Optional[bytes],
                installed_at: str, pin: str, urls: Sequence[str]) -> KeyMaterial:
    if path:
        try:       # bounded, and a FIFO is refused rather than waited on
            return KeyMaterial(paths.read_file(path)[0], "%s %s" % (flag, path))
        except OSError as exc:
            raise UsageError(_("%s %s: %s") % (flag, path, exc.strerror or exc)) from None
    if installed is not None and _key_ok(installed, pin):
        return KeyMaterial(installed, _("the key already installed at %s") % installed_at)
    errors: List[str] = []
    first: Optional[KeyMaterial] = None
    for url in urls:
        resp = host.http_get(url, timeout=KEY_FETCH_TIMEOUT)
        status = getattr(resp, "status", None)
        if status != 200 or not getattr(resp, "body", b""):
            errors.append("%s: %s" % (url, getattr(resp, "error", None) or "HTTP %s" % status))
            continue
        got = KeyMaterial(resp.body, url)
        if _key_ok(resp.body, pin):
            return got
        errors.append(_("%s: not the pinned key") % url)
        first = first or got
    if first is not None:
        return first  # plan refuses it with both fingerprints
    return KeyMaterial(None, urls[0] if urls else "", "; ".join(errors))


_ARCH_RE = re.compile(r"^Architecture:\s*(\S+)", re.MULTILINE)


def _dpkg_arch(host: Host) -> Optional[str]:
    """The target's native dpkg architecture: the Architecture of the installed `dpkg` package."""
    data = host.read("/var/lib/dpkg/status")
    if not data:
        return None
    for stanza in data.decode("utf-8", "replace").split("\n\n"):
        if re.search(r"^Package:\s*dpkg\s*$", stanza, re.MULTILINE):
            m = _ARCH_RE.search(stanza)
            if m and m.group(1) != "all":
                return m.group(1)
    return None


step = AptRepos()


def prepare(host: Host, facts: Facts, options: FixOptions) -> AptRepos:
    """Module-level door to AptRepos.prepare (a module can serve as the step object)."""
    return step.prepare(host, facts, options)


def plan(facts: Facts, options: FixOptions, inputs: Optional[AptInputs] = None) -> Plan:
    """Pure planning from prepared inputs (see the module doc); Refused without them."""
    return AptRepos(inputs).plan(facts, options)
