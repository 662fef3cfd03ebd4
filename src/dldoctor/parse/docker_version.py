"""`docker version` output of every era (1.0 key lines, 17.x+ Client:/Server: blocks, the JSON form),
including client-only output where the daemon could not be reached.
"""
from __future__ import annotations

import re

from dldoctor.errors import ParseError
from dldoctor.lazy_regex import lazy_compile
from dldoctor import nesting
from dldoctor.records import frozen_record

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Dict, List, Optional, Tuple


@frozen_record
class DockerVersion:
    """Client and server versions as printed ("20.10.8+dfsg1", "17.12.0-ce" kept verbatim).

    server_os is "os/arch" as docker prints it ("linux/amd64"); server_error is the line saying why the
    daemon did not answer (None when it did).
    """

    client_version: Optional[str]
    server_version: Optional[str]
    client_api: Optional[str]
    server_api: Optional[str]
    server_error: Optional[str]
    server_os: Optional[str]
    platform_name: Optional[str]
    context: Optional[str]
    containerd_version: Optional[str]
    runc_version: Optional[str]


# --- helpers shared with docker_info ----------------------------------------------------------

# A prompt line is short: longer lines are never tried (the pattern backtracks on long ones).
PROMPT_MAX = 512
_PROMPT_RE = lazy_compile(
    r"^\s*(?:"
    r"(?:\([^)]*\)\s*)?(?:\[[^\]]*\]\s*)?[\w.-]+@[\w.-]+(?::\S*)?\s*[$#%>]\s"  # bob@host:~$ cmd
    r"|[$#]\s+(?:sudo\s+)?(?:docker|dockerd|cat|sudo|systemctl|journalctl|dpkg|apt|id|groups)\b"  # $ docker info
    r"|PS [A-Za-z]:\\[^>]*>\s"  # PS C:\> docker info
    r"|[A-Za-z]:\\[^>]*>\s*docker\b"  # C:\Users\x>docker version
    r")"
)


def is_prompt_line(line: str) -> bool:
    """True for a pasted shell prompt line ("bob@host:~$ docker info", "$ docker version")."""
    return len(line) <= PROMPT_MAX and bool(_PROMPT_RE.match(line))


# Connection-level failures: the client printed these because it could not talk to the daemon.
_CONNECT_ERROR_RE = lazy_compile(
    r"Cannot connect to the Docker daemon"
    r"|permission denied while trying to connect to the Docker daemon"
    r"|error during connect"
    r"|Is the docker daemon running"
    r"|docker daemon is not running"
    r"|failed to connect to the docker API",
    re.IGNORECASE,
)
_DAEMON_ERROR_RE = lazy_compile(r"Error response from daemon", re.IGNORECASE)


def is_connect_error(line: str) -> bool:
    """True when a line is the docker client's "could not reach the daemon" error."""
    return bool(_CONNECT_ERROR_RE.search(line))


def first_json_object(text: str) -> Optional[Tuple[Dict[str, object], str]]:
    """(first JSON object from the first line opening with '{', text after it); None if none; ParseError if invalid."""
    start = None
    offset = 0
    for line in text.splitlines(True):
        stripped = line.lstrip()
        if stripped.startswith("{"):
            start = offset + (len(line) - len(stripped))
            break
        offset += len(line)
    if start is None:
        return None
    try:
        value, end = nesting.raw_decode(text, start)
    except nesting.TooDeep:
        raise ParseError("invalid JSON: nested too deeply")
    except ValueError as exc:
        lineno = getattr(exc, "lineno", None)
        colno = getattr(exc, "colno", None)
        raise ParseError("invalid JSON: %s" % getattr(exc, "msg", str(exc)), lineno, colno)
    if not isinstance(value, dict):
        raise ParseError("expected a JSON object")
    return value, text[end:]


def _s(value: object) -> Optional[str]:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return None


def _d(value: object) -> Dict[str, object]:
    return value if isinstance(value, dict) else {}


# --- JSON form --------------------------------------------------------------------------------


def _from_json(data: Dict[str, object], rest: str) -> DockerVersion:
    if "Client" not in data and "Server" not in data:
        raise ParseError("docker version JSON: no Client or Server object")
    client = _d(data.get("Client"))
    server = _d(data.get("Server"))
    engine: Dict[str, object] = {}
    containerd: Dict[str, object] = {}
    runc: Dict[str, object] = {}
    components = server.get("Components")
    if isinstance(components, list):
        for comp in components:
            comp = _d(comp)
            name = (_s(comp.get("Name")) or "").lower()
            if name == "engine" and not engine:
                engine = comp
            elif name == "containerd" and not containerd:
                containerd = comp
            elif name == "runc" and not runc:
                runc = comp
    details = _d(engine.get("Details"))
    server_os = None
    os_ = _s(details.get("Os")) or _s(server.get("Os"))
    arch = _s(details.get("Arch")) or _s(server.get("Arch"))
    if os_:
        server_os = os_ + ("/" + arch if arch else "")
    error = None
    for line in rest.splitlines():
        if line.strip():
            error = line.strip()
            break
    platform = _s(_d(server.get("Platform")).get("Name")) or _s(_d(client.get("Platform")).get("Name"))
    return DockerVersion(
        client_version=_s(client.get("Version")),
        server_version=_s(engine.get("Version")) or _s(server.get("Version")),
        client_api=_s(client.get("ApiVersion")),
        server_api=_s(details.get("ApiVersion")) or _s(server.get("ApiVersion")),
        server_error=error,
        server_os=server_os,
        platform_name=platform,
        context=_s(client.get("Context")),
        containerd_version=_s(containerd.get("Version")),
        runc_version=_s(runc.get("Version")),
    )


# --- text form --------------------------------------------------------------------------------

_SECTION_RE = lazy_compile(r"^\S*?(Client|Server)\s*:(.*)$")
# A key ends on a non-blank and a value is stripped in Python: a lazy key or value beside `\s*` rescanned
# a run of blanks at every step (quadratic in the line's length).
_KV_RE = lazy_compile(r"^(\s*)([A-Za-z](?:[A-Za-z0-9 ()/._-]*[A-Za-z0-9()/._-])?)\s*:(?:[ \t]+(.*))?\s*$")
_OLD_RE = lazy_compile(r"^\s*(Client|Server) (version|API version)\s*:\s*(\S+)")
# Lines only `docker info` prints: text holding them is not `docker version` output.
_INFO_MARKER_RE = lazy_compile(
    r"^\s*(?:Server Version|Storage Driver|Runtimes|Default Runtime|Docker Root Dir|Containers|Debug Mode"
    r"|Security Options|Cgroup Driver|Kernel Version|Operating System|Plugins|Insecure Registries)\s*:"
    r"|^\s*ERROR: |^errors pretty printing info"
)


_VALUE_KEYS = frozenset(
    ["version", "api version", "go version", "git commit", "gitcommit", "built", "os/arch",
     "experimental", "context", "debug mode", "apiversion", "arch", "buildtime", "goversion",
     "minapiversion", "os"]
)


def _api(value: Optional[str]) -> Optional[str]:
    if value is None:
        return None
    return value.split("(")[0].strip() or None


def _from_text(text: str) -> DockerVersion:
    client: Dict[str, str] = {}
    server_direct: Dict[str, str] = {}
    components: Dict[str, Dict[str, str]] = {}
    client_platform = None
    server_platform = None
    section = None  # "client" | "server"
    component = None
    errors: List[str] = []
    old: Dict[str, str] = {}
    seen_structure = False

    for raw in text.splitlines():
        line = raw.rstrip()
        if not line.strip() or is_prompt_line(line):
            continue
        stripped = line.strip()
        if _INFO_MARKER_RE.match(line):
            raise ParseError("this is docker info output, not docker version")
        m = _OLD_RE.match(line)
        if m:
            old[(m.group(1) + " " + m.group(2)).lower()] = m.group(3)
            seen_structure = True
            continue
        if is_connect_error(stripped) or _DAEMON_ERROR_RE.search(stripped):
            errors.append(stripped)
            continue
        m = _SECTION_RE.match(line)
        if m and not line[:1].isspace():
            section = m.group(1).lower()
            component = None
            seen_structure = True
            if section == "client":
                client_platform = m.group(2).strip() or None
            else:
                server_platform = m.group(2).strip() or None
            continue
        m = _KV_RE.match(line)
        if not m or section is None:
            continue
        key = m.group(2).strip().lower()
        value = (m.group(3) or "").rstrip()
        if not value:
            if section == "server" and key not in _VALUE_KEYS:
                component = key
                components.setdefault(component, {})
            continue
        if section == "client":
            client.setdefault(key, value)
        elif component is None:
            server_direct.setdefault(key, value)
        else:
            components[component].setdefault(key, value)

    if old and not client and not server_direct and not components:
        return DockerVersion(
            client_version=old.get("client version"),
            server_version=old.get("server version"),
            client_api=old.get("client api version"),
            server_api=old.get("server api version"),
            server_error=errors[0] if errors else None,
            server_os=None,
            platform_name=None,
            context=None,
            containerd_version=None,
            runc_version=None,
        )

    engine = components.get("engine") or server_direct
    has_client = bool(client.get("version"))
    connect_errors = [e for e in errors if is_connect_error(e)]
    if not has_client and not engine.get("version"):
        # Without a Client block only a connection failure is a `docker version` answer; a bare
        # "Error response from daemon" is some other command's failure.
        if not connect_errors:
            if seen_structure:
                raise ParseError("docker version: Client:/Server: headers but no Version line")
            raise ParseError("not docker version output: no Client/Server version found")
    return DockerVersion(
        client_version=client.get("version"),
        server_version=engine.get("version"),
        client_api=_api(client.get("api version")),
        server_api=_api(engine.get("api version")),
        server_error=errors[0] if errors else None,
        server_os=engine.get("os/arch"),
        platform_name=server_platform or client_platform,
        context=client.get("context"),
        containerd_version=components.get("containerd", {}).get("version"),
        runc_version=components.get("runc", {}).get("version"),
    )


def parse_docker_version(text: str) -> DockerVersion:
    """Parse `docker version` (any era, text or JSON+error); connect errors -> server_error; else ParseError."""
    if not isinstance(text, str):
        raise ParseError("docker version: expected text")
    found = first_json_object(text)
    if found is not None:
        return _from_json(found[0], found[1])
    return _from_text(text)
