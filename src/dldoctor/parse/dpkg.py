"""Installed packages from `dpkg -l`, `dpkg-query -W` (default or ${Package} ${Version} ${Status}),
`apt list --installed` and `rpm -qa`.
"""
from __future__ import annotations

import re

from dldoctor.errors import ParseError
from dldoctor.lazy_regex import lazy_compile
from dldoctor.records import frozen_record

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Dict, List, Optional, Tuple


@frozen_record
class PackageState:
    """One package: status is dpkg's two/three-letter code ("ii", "rc", "un", "hi", ...) from `dpkg -l`,
    else a word: "installed", "config-files", "not-installed", "half-installed", "unpacked", "available".
    """

    name: str
    version: Optional[str]
    status: str

    @property
    def is_installed(self) -> bool:
        """True when the package's files are on the system (dpkg's second status letter 'i')."""
        if self.status == "installed":
            return True
        return len(self.status) >= 2 and self.status[1] == "i" and self.status[0] in "uihrp"


@frozen_record
class Packages:
    """Packages by name (architecture suffix removed); not_found lists names dpkg said it does not know."""

    packages: Dict[str, PackageState]
    not_found: Tuple[str, ...] = ()

    def installed(self, name: str) -> Optional[PackageState]:
        """The package when it is installed, else None."""
        state = self.packages.get(name)
        return state if state is not None and state.is_installed else None

    def find(self, prefix: str) -> Tuple[PackageState, ...]:
        """Every listed package whose name starts with prefix, sorted by name."""
        return tuple(self.packages[n] for n in sorted(self.packages) if n.startswith(prefix))


_DPKG_L_RE = lazy_compile(r"^([uihrp][ncHUFWti][ R]?)\s+(\S+)\s+(\S+)(?:\s+(\S+))?(?:\s+(.*))?$")
_QUERY_STATUS_RE = lazy_compile(
    # the version and its blanks are one optional group: `\s+(\S+)?\s*` split one run of blanks
    # between two quantifiers every way (quadratic in the line's length; a 40 KB line took 25 s)
    r"^(\S+)\s+(?:(\S+)\s*)?(unknown|install|hold|deinstall|purge)\s+(ok|reinstreq)\s+"
    r"(not-installed|config-files|half-installed|unpacked|half-configured|triggers-awaited|triggers-pending"
    r"|installed)\s*$"
)
_APT_LIST_RE = lazy_compile(r"^([a-z0-9][a-z0-9+.-]*)/(\S+)\s+(\S+)\s+(\S+)(?:\s+\[([^\]]*)\])?\s*$")
_RPM_ARCHES = ("x86_64", "noarch", "aarch64", "i686", "i386", "ppc64le", "s390x", "armv7hl", "ppc64", "src")
_RPM_RE = lazy_compile(
    r"^([A-Za-z0-9][A-Za-z0-9._+-]*?)-((?:\d+:)?[0-9][A-Za-z0-9._+~^]*)-([A-Za-z0-9._+~^]+)"
    r"\.(" + "|".join(_RPM_ARCHES) + r")$"
)
_NAME_RE = lazy_compile(r"^[a-z0-9][a-z0-9+.-]+$")
_NOT_FOUND_RE = lazy_compile(r"no packages found matching (\S+)|package '([^']+)' is not installed")
PROMPT_MAX = 512  # a prompt line is short; longer lines are never tried (the pattern backtracks)
_PROMPT_RE = lazy_compile(r"^\s*(?:\S+@\S+[:~]\S*\s*[$#]|[$#])\s")


def _strip_arch(name: str) -> str:
    return name.split(":", 1)[0]


def parse_dpkg(text: str) -> Packages:
    """Parse package listings (dpkg -l, dpkg-query -W, apt list, rpm -qa); ParseError when no line is one."""
    if not isinstance(text, str):
        raise ParseError("package list: expected text")
    packages: Dict[str, PackageState] = {}
    not_found: List[str] = []
    recognised = False

    def put(name: str, version: Optional[str], status: str) -> None:
        name = _strip_arch(name)
        if version in ("<none>", "(none)", ""):
            version = None
        state = PackageState(name=name, version=version, status=status)
        old = packages.get(name)
        if old is None or (state.is_installed and not old.is_installed):
            packages[name] = state

    for raw in text.splitlines():
        line = raw.rstrip()
        if not line.strip() or len(line) <= PROMPT_MAX and _PROMPT_RE.match(line):
            continue
        m = _NOT_FOUND_RE.search(line)
        if m:
            name = m.group(1) or m.group(2)
            if name not in not_found:
                not_found.append(name)
            recognised = True
            continue
        if line.startswith(("Desired=", "| Status=", "|/ Err?=", "||/ Name", "+++-", "Listing...")) or line.startswith(
            "WARNING: apt does not have a stable CLI"
        ):
            recognised = recognised or line.startswith(("Desired=", "||/ Name", "+++-", "Listing..."))
            continue
        m = _DPKG_L_RE.match(line)
        if m and _NAME_RE.match(_strip_arch(m.group(2))):
            put(m.group(2), m.group(3), m.group(1).strip())
            recognised = True
            continue
        m = _QUERY_STATUS_RE.match(line.strip())
        if m:
            put(m.group(1), m.group(2), m.group(5))
            recognised = True
            continue
        m = _APT_LIST_RE.match(line.strip())
        if m and _NAME_RE.match(m.group(1)):
            bracket = m.group(5) or ""
            flags = [f.strip() for f in bracket.split(",")]
            version = m.group(3)
            upgradable_from = re.search(r"upgradable from:\s*(\S+)", bracket)
            if upgradable_from:  # `apt list --upgradable`: the listed version is the candidate
                status, version = "installed", upgradable_from.group(1)
            elif any(f.startswith("installed") for f in flags):
                status = "installed"
            elif "residual-config" in flags:
                status = "config-files"
            else:
                status = "available"
            put(m.group(1), version, status)
            recognised = True
            continue
        if "\t" in raw:  # dpkg-query -W default: name<TAB>version (version empty when not installed)
            name, _, version = raw.rstrip("\r\n").partition("\t")
            if _NAME_RE.match(_strip_arch(name.strip())):
                version = version.strip()
                put(name.strip(), version, "installed" if version else "not-installed")
                recognised = True
                continue
        m = _RPM_RE.match(line.strip())
        if m:
            put(m.group(1), m.group(2) + "-" + m.group(3), "installed")
            recognised = True
            continue
    if not recognised:
        raise ParseError("not a package listing: no dpkg -l / dpkg-query / apt list / rpm -qa line")
    return Packages(packages=packages, not_found=tuple(not_found))
