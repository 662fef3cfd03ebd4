"""Shared by the provision unit tests: Facts built with the real parsers from real fixture files,
and an in-memory Host (files under a root, canned HTTP answers) for the prepare phases.

The chroot tests exercise the same code against a real Debian root, real apt and a real HTTP server.
"""
from __future__ import annotations

from pathlib import Path
from typing import Dict, Optional, Sequence, Tuple

from dldoctor.facts import Facts, Unknown
from dldoctor.host import Evidence, Host, HttpResponse
from dldoctor.parse.apt_sources import parse_apt_sources
from dldoctor.parse.dpkg import parse_dpkg
from dldoctor.parse.id_group import parse_group
from dldoctor.parse.os_release import parse_os_release

TESTS = Path(__file__).resolve().parent.parent
FIXTURES = TESTS / "data" / "fixtures"
KEYS = Path(__file__).resolve().parent / "keys"
DOCKER_KEY = (KEYS / "docker-release-ce-deb.asc").read_bytes()
NVIDIA_KEY = (KEYS / "nvidia-container-toolkit.gpgkey").read_bytes()


def os_fixture(name: str) -> str:
    return (FIXTURES / "os-release" / name).read_text()


def apt_fixture(name: str) -> str:
    return (FIXTURES / "apt-sources" / name).read_text()


def make_facts(os_release: Optional[str] = "debian-12", sources: Optional[Dict[str, str]] = None,
               packages: Optional[str] = None, group: Optional[str] = None,
               sudo_user: Optional[str] = None, os_text: Optional[str] = None) -> Facts:
    """Facts as gather would build them: parsed values plus the raw evidence they came from."""
    facts = Facts()
    text = os_text if os_text is not None else (os_fixture(os_release) if os_release else None)
    if text is not None:
        facts.os = parse_os_release(text)
        facts.raw["os-release"] = Evidence("os-release", text, source="/etc/os-release")
    srcs = {"sources.list": ""} if sources is None else sources
    facts.apt_sources = parse_apt_sources(dict(srcs))
    for fname, body in srcs.items():
        path = "/etc/apt/sources.list" if fname == "sources.list" else \
            "/etc/apt/sources.list.d/" + fname
        facts.raw["apt-sources/" + fname] = Evidence("apt-sources/" + fname, body, source=path)
    if packages is not None:
        facts.raw["packages"] = Evidence("packages", packages, exit=0, source="dpkg-query -W")
        try:
            facts.packages = parse_dpkg(packages)
        except Exception as exc:  # empty listing: see provision.packages.installed_packages
            facts.packages = Unknown(str(exc), "packages")
    if group is not None:
        facts.group_db = parse_group(group)
        facts.raw["group"] = Evidence("group", group, source="/etc/group")
    facts.sudo_user = sudo_user
    return facts


def http(url: str, status: Optional[int], body: bytes = b"", headers: Optional[Dict[str, str]] = None,
         elapsed: float = 0.01, error: Optional[str] = None) -> HttpResponse:
    return HttpResponse(url, status, dict(headers or {}), body, elapsed, error)


class MemoryHost(Host):
    """Files keyed by target path, URLs keyed by full URL; every request is recorded in order."""

    is_live = False

    def __init__(self, files: Optional[Dict[str, bytes]] = None,
                 urls: Optional[Dict[str, HttpResponse]] = None, root: str = "/"):
        self.files = dict(files or {})
        self.urls = dict(urls or {})
        self.root = root
        self.requests: list = []

    def read(self, path: str) -> Optional[bytes]:
        return self.files.get(path)

    def listdir(self, path: str) -> Optional[Tuple[str, ...]]:
        prefix = path.rstrip("/") + "/"
        names = sorted({p[len(prefix):].split("/")[0] for p in self.files if p.startswith(prefix)})
        return tuple(names) if names else None

    def http_get(self, url: str, timeout: float = 5.0,
                 headers: Optional[Dict[str, str]] = None) -> HttpResponse:
        self.requests.append(url)
        resp = self.urls.get(url)
        if resp is None:
            return http(url, None, error="Name or service not known")
        return resp


def changes_of(plan, kind) -> Sequence:
    return [c for c in plan.changes if isinstance(c, kind)]


def section(out, step):
    """The lines of one step's part of the rendered plan."""
    lines = out.splitlines()
    start = lines.index("== " + step)
    end = next((i for i in range(start + 1, len(lines)) if not lines[i].startswith(" ")), len(lines))
    return "\n".join(lines[start + 1:end])
