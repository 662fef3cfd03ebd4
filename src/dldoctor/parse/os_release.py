"""Distribution identity from /etc/os-release, /etc/lsb-release, `lsb_release -a`, or a person's prose.

Holds OsRelease, the two parsers, and the Ubuntu/Debian version <-> codename tables used to fill gaps.

Why not python-distro: it reads only files by path, so it would bypass the host layer (snapshot
replay, bounded reads) and, under --root, its root_dir follows an absolute /etc/os-release link to
this machine's own file; its parser is private API, it cannot read what people paste (`lsb_release
-a`, /etc/lsb-release, prose), and importing it costs `check` ~7 ms (argparse, logging).
tests/parse/test_os_release_distro.py holds this reader to distro's reading of every fixture.
"""
from __future__ import annotations

import re
import shlex

from dldoctor.errors import ParseError
from dldoctor.lazy_regex import lazy_compile
from dldoctor.records import frozen_record, replace

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Dict, List, Optional, Tuple

UBUNTU_CODENAMES: Dict[str, str] = {
    "12.04": "precise",
    "14.04": "trusty",
    "14.10": "utopic",
    "15.04": "vivid",
    "15.10": "wily",
    "16.04": "xenial",
    "16.10": "yakkety",
    "17.04": "zesty",
    "17.10": "artful",
    "18.04": "bionic",
    "18.10": "cosmic",
    "19.04": "disco",
    "19.10": "eoan",
    "20.04": "focal",
    "20.10": "groovy",
    "21.04": "hirsute",
    "21.10": "impish",
    "22.04": "jammy",
    "22.10": "kinetic",
    "23.04": "lunar",
    "23.10": "mantic",
    "24.04": "noble",
    "24.10": "oracular",
    "25.04": "plucky",
    "25.10": "questing",
    "26.04": "resolute",
}

DEBIAN_CODENAMES: Dict[str, str] = {
    "7": "wheezy",
    "8": "jessie",
    "9": "stretch",
    "10": "buster",
    "11": "bullseye",
    "12": "bookworm",
    "13": "trixie",
    "14": "forky",
}

# Linux Mint major version -> the Ubuntu release it is built on (what docker's apt repo needs).
_MINT_UBUNTU_BASE: Dict[str, str] = {
    "17": "trusty",
    "18": "xenial",
    "19": "bionic",
    "20": "focal",
    "21": "jammy",
    "22": "noble",
}

# Ubuntu and Debian releases whose suites have left the distribution's own archive (and its mirrors):
# Ubuntu's interim releases and the LTS ones before xenial move to old-releases.ubuntu.com when they
# end (25.04 plucky ended in January 2026); Debian's to archive.debian.org.
ENDED_SUITES = (r"(warty|hoary|breezy|dapper|edgy|feisty|gutsy|hardy|intrepid|jaunty|karmic|lucid|maverick|natty|"
                r"oneiric|precise|quantal|raring|saucy|utopic|vivid|wily|yakkety|zesty|artful|cosmic|disco|eoan|"
                r"groovy|hirsute|impish|kinetic|lunar|mantic|oracular|plucky|squeeze|wheezy|jessie|stretch|buster)"
                r"([-/](updates|security|backports|proposed))?")
# The distribution's own archive hosts and mirrors of them (mirrors.aliyun.com, mirrors.tuna…), not a
# third party's repository laid out like one (a PPA, ROS, GitLab) nor the archives that keep ended
# releases (old-releases.ubuntu.com, archive.debian.org).
DISTRO_ARCHIVE = (r"//(([a-z0-9-]+\.)?([a-z0-9-]+\.)?archive\.ubuntu\.com|security\.ubuntu\.com|ports\.ubuntu\.com|"
                  r"(deb|security|httpredir|cdn-fastly\.deb)\.debian\.org|ftp\.[a-z.]*debian\.org|mirrors?\.[\w.-]+)"
                  r"/(ubuntu|ubuntu-ports|debian|debian-security)/?")
_UBUNTU_BY_CODENAME = {v: k for k, v in UBUNTU_CODENAMES.items()}
_DEBIAN_BY_CODENAME = {v: k for k, v in DEBIAN_CODENAMES.items()}


@frozen_record
class OsRelease:
    """What the distribution says it is; None/empty where the input does not tell.

    codename is VERSION_CODENAME (else UBUNTU_CODENAME, else the Ubuntu/Debian table by version).
    """

    id: Optional[str]
    id_like: Tuple[str, ...]
    version_id: Optional[str]
    codename: Optional[str]
    pretty_name: Optional[str]
    name: Optional[str]
    mentions_wsl: bool = False
    # The Ubuntu release a derivative builds on (Mint/Pop UBUNTU_CODENAME); for Ubuntu itself = codename.
    ubuntu_codename: Optional[str] = None


_KEY_RE = lazy_compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_WSL_RE = lazy_compile(r"wsl\d?\b|windows subsystem for linux", re.IGNORECASE)


def _mentions_wsl(text: str) -> bool:
    return bool(_WSL_RE.search(text))


def _lex_assignments(text: str) -> Dict[str, str]:
    """KEY=value lines, shell-quoted, '#' comments; invalid lines are skipped (as python-distro does)."""
    props: Dict[str, str] = {}
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        try:
            lexer = shlex.shlex(line, posix=True)
            lexer.whitespace_split = True
            lexer.commenters = "#"
            tokens = list(lexer)
        except ValueError:
            # Unbalanced quote: keep the text after '=' with the stray quote removed.
            key, _, value = line.partition("=")
            tokens = [key + "=" + value.strip().strip("\"'")]
        if not tokens:
            continue
        key, sep, value = tokens[0].partition("=")
        if not sep or not _KEY_RE.match(key):
            continue
        if len(tokens) > 1:
            # `NAME=Foo Bar` unquoted: shells would run a command; take the whole text as the value.
            value = " ".join([value] + tokens[1:])
        props[key.upper()] = value
    return props


def _nonempty(value: Optional[str]) -> Optional[str]:
    if value is None:
        return None
    value = value.strip()
    return value or None


def _version_key(distro: Optional[str], version: Optional[str]) -> Optional[str]:
    if not version:
        return None
    parts = version.split(".")
    if distro == "ubuntu" or distro == "pop":
        return ".".join(parts[:2]) if len(parts) >= 2 else None
    if distro == "debian":
        return parts[0]
    return None


def _fill(
    distro: Optional[str],
    version: Optional[str],
    codename: Optional[str],
    ubuntu_codename: Optional[str],
) -> Tuple[Optional[str], Optional[str], Optional[str]]:
    """Fill codename from version (or version from codename) for Ubuntu/Debian; derive ubuntu_codename."""
    if codename:
        codename = codename.lower()
    if distro in ("ubuntu", "pop"):
        key = _version_key("ubuntu", version)
        if key and version and re.match(r"^\d+\.\d+\.\d+$", version):
            version = key  # "22.04.3" (point release in prose) -> VERSION_ID style "22.04"
        if not codename and key in UBUNTU_CODENAMES:
            codename = UBUNTU_CODENAMES[key]
        if not version and codename in _UBUNTU_BY_CODENAME:
            version = _UBUNTU_BY_CODENAME[codename]
    elif distro == "debian":
        key = _version_key("debian", version)
        if not codename and key in DEBIAN_CODENAMES:
            codename = DEBIAN_CODENAMES[key]
        if not version and codename in _DEBIAN_BY_CODENAME:
            version = _DEBIAN_BY_CODENAME[codename]
    if not ubuntu_codename:
        if distro == "ubuntu":
            ubuntu_codename = codename
        elif distro == "pop":
            ubuntu_codename = UBUNTU_CODENAMES.get(_version_key("ubuntu", version) or "")
        elif distro == "linuxmint" and version:
            ubuntu_codename = _MINT_UBUNTU_BASE.get(version.split(".")[0])
    return version, codename, (ubuntu_codename.lower() if ubuntu_codename else None)


def _from_os_release_props(props: Dict[str, str], text: str) -> OsRelease:
    distro = _nonempty(props.get("ID"))
    distro = distro.lower() if distro else None
    version = _nonempty(props.get("VERSION_ID"))
    if version is not None and not re.search(r"\d", version):
        version = None  # e.g. archlinux image's literal VERSION_ID=TEMPLATE_VERSION_ID
    codename = _nonempty(props.get("VERSION_CODENAME")) or _nonempty(props.get("UBUNTU_CODENAME"))
    if not codename and distro in ("ubuntu", "debian"):
        # Old files: VERSION="16.04.1 LTS (Xenial Xerus)" / "8 (jessie)" / "14.04.3 LTS, Trusty Tahr".
        m = re.search(r"[(,]\s*([A-Za-z]+)", props.get("VERSION", ""))
        if m and (m.group(1).lower() in _UBUNTU_BY_CODENAME or m.group(1).lower() in _DEBIAN_BY_CODENAME):
            codename = m.group(1).lower()
    version, codename, ubuntu_codename = _fill(
        distro, version, codename, _nonempty(props.get("UBUNTU_CODENAME"))
    )
    return OsRelease(
        id=distro,
        id_like=tuple(w.lower() for w in props.get("ID_LIKE", "").split()),
        version_id=version,
        codename=codename,
        pretty_name=_nonempty(props.get("PRETTY_NAME")),
        name=_nonempty(props.get("NAME")),
        ubuntu_codename=ubuntu_codename,
        mentions_wsl=_mentions_wsl(text),
    )


_OS_RELEASE_KEYS = ("ID", "NAME", "PRETTY_NAME", "VERSION_ID")


def parse_os_release(text: str) -> OsRelease:
    """Parse an os-release body (KEY=value, shell quoting); ParseError if it has no ID/NAME/PRETTY_NAME/VERSION_ID."""
    if not isinstance(text, str):
        raise ParseError("os-release: expected text")
    props = _lex_assignments(text)
    if any(k in props for k in _OS_RELEASE_KEYS):
        return _from_os_release_props(props, text)
    if "DISTRIB_ID" in props:
        return _from_lsb_props(props, text)
    raise ParseError("os-release: no ID=, NAME=, PRETTY_NAME= or VERSION_ID= line")


# --- lsb_release -a / /etc/lsb-release / prose -------------------------------------------------

# Distributor ID (lowercased, spaces removed) -> os-release style id.
_LSB_ID_MAP: Dict[str, str] = {
    "linuxmint": "linuxmint",
    "mint": "linuxmint",
    "redhatenterpriseserver": "rhel",
    "redhatenterpriseworkstation": "rhel",
    "redhatenterprisecomputenode": "rhel",
    "redhatenterprise": "rhel",
    "redhat": "rhel",
    "enterpriseenterpriseserver": "ol",
    "enterpriseenterpriseas": "ol",
    "oracleserver": "ol",
    "amazon": "amzn",
    "amazonami": "amzn",
    "opensuseproject": "opensuse",
    "opensuse": "opensuse",
    "rockylinux": "rocky",
    "rocky": "rocky",
    "almalinux": "almalinux",
    "arch": "arch",
    "archlinux": "arch",
    "manjarolinux": "manjaro",
    "pop": "pop",
    "kali": "kali",
    "centosstream": "centos",
}

# Prose names, longest first within a family: (regex, id).
_PROSE_NAMES: List[Tuple[str, str]] = [
    (r"pop!?[_ ]?os", "pop"),
    (r"linux\s*mint|mint", "linuxmint"),
    (r"ubuntu", "ubuntu"),
    (r"kubuntu|xubuntu|lubuntu", "ubuntu"),
    (r"debian", "debian"),
    (r"raspbian|raspberry\s*pi\s*os", "raspbian"),
    (r"centos", "centos"),
    (r"rocky(?:\s*linux)?", "rocky"),
    (r"alma\s*linux|alma", "almalinux"),
    (r"red\s*hat(?:\s*enterprise(?:\s*linux)?)?|rhel", "rhel"),
    (r"fedora", "fedora"),
    (r"amazon\s*linux|amzn|al2023", "amzn"),
    (r"oracle\s*linux", "ol"),
    (r"opensuse(?:[\s-]*(?:leap|tumbleweed))?", "opensuse"),
    (r"sles|suse\s*linux\s*enterprise(?:\s*server)?", "sles"),
    (r"arch\s*linux|archlinux", "arch"),
    (r"manjaro", "manjaro"),
    (r"kali", "kali"),
    (r"alpine", "alpine"),
    (r"gentoo", "gentoo"),
    (r"nixos", "nixos"),
    (r"elementary\s*os", "elementary"),
    (r"zorin\s*os", "zorin"),
    (r"deepin", "deepin"),
    (r"photon\s*os", "photon"),
    (r"clear\s*linux", "clear-linux-os"),
]

_ID_LIKE: Dict[str, Tuple[str, ...]] = {
    "ubuntu": ("debian",),
    "linuxmint": ("ubuntu", "debian"),
    "pop": ("ubuntu", "debian"),
    "raspbian": ("debian",),
    "kali": ("debian",),
    "centos": ("rhel", "fedora"),
    "rocky": ("rhel", "centos", "fedora"),
    "almalinux": ("rhel", "centos", "fedora"),
    "rhel": ("fedora",),
    "ol": ("fedora",),
    "amzn": ("fedora",),
    "manjaro": ("arch",),
    "opensuse": ("suse",),
    "sles": ("suse",),
}


def _lsb_id(distributor: str, description: Optional[str]) -> str:
    squashed = re.sub(r"[\s_]+", "", distributor).lower()
    if squashed in _LSB_ID_MAP:
        return _LSB_ID_MAP[squashed]
    if squashed in ("suse", "suselinux"):
        desc = (description or "").lower()
        return "sles" if "enterprise" in desc else "opensuse"
    return squashed


def _result(
    distro: str,
    version: Optional[str],
    codename: Optional[str],
    pretty: Optional[str],
    name: Optional[str],
    text: str,
) -> OsRelease:
    version, codename, ubuntu_codename = _fill(distro, version, codename, None)
    return OsRelease(
        id=distro,
        id_like=_ID_LIKE.get(distro, ()),
        version_id=version,
        codename=codename,
        pretty_name=pretty,
        name=name,
        ubuntu_codename=ubuntu_codename,
        mentions_wsl=_mentions_wsl(text),
    )


def _from_lsb_props(props: Dict[str, str], text: str) -> OsRelease:
    distributor = _nonempty(props.get("DISTRIB_ID"))
    if not distributor:
        raise ParseError("lsb-release: empty DISTRIB_ID")
    description = _nonempty(props.get("DISTRIB_DESCRIPTION"))
    codename = _nonempty(props.get("DISTRIB_CODENAME"))
    if codename and codename.lower() == "n/a":
        codename = None
    return _result(
        _lsb_id(distributor, description),
        _nonempty(props.get("DISTRIB_RELEASE")),
        codename,
        description,
        distributor,
        text,
    )


# The value is stripped in Python: `:\s*(.*?)\s*$` rescanned a run of blanks at every step (quadratic in
# the line's length; a 40 KB line took 15 s).
_LSB_A_RE = lazy_compile(r"^\s*(Distributor ID|Description|Release|Codename|LSB Version)\s*:(.*)$")


def _from_lsb_a(text: str) -> Optional[OsRelease]:
    fields: Dict[str, str] = {}
    for line in text.splitlines():
        m = _LSB_A_RE.match(line)
        if m:
            fields[m.group(1)] = m.group(2).strip()
    distributor = _nonempty(fields.get("Distributor ID"))
    if not distributor or distributor.lower() == "n/a":
        description = _nonempty(fields.get("Description"))
        if description and description.lower() != "n/a":  # `lsb_release -d` alone
            found = _from_prose(description)
            if found is not None:
                return replace(found, mentions_wsl=_mentions_wsl(text))
        return None

    def field(name: str) -> Optional[str]:
        value = _nonempty(fields.get(name))
        return None if value is None or value.lower() == "n/a" else value

    description = field("Description")
    return _result(
        _lsb_id(distributor, description),
        field("Release"),
        field("Codename"),
        description,
        distributor,
        text,
    )


_VERSION_AFTER = (
    r"(?:[\s_-]*(?:gnu/linux|linux|enterprise|server|stream|desktop|release|version|os))*"
    r"[\s_-]*v?(\d+(?:\.\d+)*)"
)


def _from_prose(text: str) -> Optional[OsRelease]:
    best = None  # (position, id, match)
    for pattern, distro in _PROSE_NAMES:
        for m in re.finditer(r"(?<![A-Za-z])(?:" + pattern + r")(?![a-z])", text, re.IGNORECASE):
            if best is None or m.start() < best[0]:
                best = (m.start(), distro, m)
            break
    lowered = text.lower()
    words = re.findall(r"[a-z]+", lowered)
    codename = None
    for w in words:
        if w in _UBUNTU_BY_CODENAME or w in _DEBIAN_BY_CODENAME:
            codename = w
            break
    if best is None:
        if codename is None:
            return None
        distro = "ubuntu" if codename in _UBUNTU_BY_CODENAME else "debian"
        return _result(distro, None, codename, None, None, text)
    _, distro, m = best
    version = None
    vm = re.match(_VERSION_AFTER, text[m.end():], re.IGNORECASE)
    if vm:
        version = vm.group(1)
    if codename is not None:
        table = _UBUNTU_BY_CODENAME if distro in ("ubuntu", "pop") else _DEBIAN_BY_CODENAME
        if distro not in ("ubuntu", "pop", "debian", "raspbian") or codename not in table:
            codename = None
    pretty = text.strip().splitlines()[0].strip() if text.strip() else None
    return _result(distro, version, codename, pretty, None, text)


def parse_lsb_release(text: str) -> OsRelease:
    """Parse `lsb_release -a`, /etc/lsb-release, os-release or prose -> OsRelease ; ParseError if no distro named."""
    if not isinstance(text, str):
        raise ParseError("lsb-release: expected text")
    if not text.strip():
        raise ParseError("lsb-release: empty input")
    result = _from_lsb_a(text)
    if result is not None:
        return result
    props = _lex_assignments(text)
    if _nonempty(props.get("DISTRIB_ID")):
        return _from_lsb_props(props, text)
    if _nonempty(props.get("ID")) or _nonempty(props.get("NAME")):
        return _from_os_release_props(props, text)
    result = _from_prose(text)
    if result is not None:
        return result
    raise ParseError("lsb-release: no distribution named")
