"""`docker info` output (plain text of every era, grep excerpts, the --format '{{json .}}' form) and the
client's "cannot reach the daemon" errors, as one DockerInfo.
"""
from __future__ import annotations

import re

from dldoctor.errors import ParseError
from dldoctor.lazy_regex import lazy_compile
from dldoctor.parse.docker_version import first_json_object, is_connect_error, is_prompt_line
from dldoctor.records import frozen_record

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Dict, List, Optional, Tuple


@frozen_record
class DockerInfo:
    """The daemon facts dldoctor reasons about; tuples keep the printed order.

    security_options holds option names only ("apparmor", "seccomp", "rootless", "cgroupns");
    server_errors holds why the daemon did not answer ("ERROR: " prefix removed), warnings the WARNING
    lines as printed.
    """

    server_version: Optional[str] = None
    runtimes: Tuple[str, ...] = ()
    default_runtime: Optional[str] = None
    registry_mirrors: Tuple[str, ...] = ()
    insecure_registries: Tuple[str, ...] = ()
    cgroup_driver: Optional[str] = None
    cgroup_version: Optional[str] = None
    security_options: Tuple[str, ...] = ()
    operating_system: Optional[str] = None
    kernel_version: Optional[str] = None
    docker_root_dir: Optional[str] = None
    context: Optional[str] = None
    server_errors: Tuple[str, ...] = ()
    warnings: Tuple[str, ...] = ()
    http_proxy: Optional[str] = None
    https_proxy: Optional[str] = None
    no_proxy: Optional[str] = None
    cdi_devices: Tuple[str, ...] = ()

    @property
    def has_server(self) -> bool:
        """True when the output carries data the daemon returned."""
        return any(
            (
                self.server_version,
                self.runtimes,
                self.default_runtime,
                self.cgroup_driver,
                self.cgroup_version,
                self.operating_system,
                self.kernel_version,
                self.docker_root_dir,
                self.security_options,
            )
        )

    @property
    def is_rootless(self) -> bool:
        """True for a rootless daemon: "rootless" security option, or a data root under ~/.local/share/docker."""
        if "rootless" in self.security_options:
            return True
        root = self.docker_root_dir or ""
        return "/.local/share/docker" in root

    @property
    def is_desktop(self) -> bool:
        """True for Docker Desktop (its VM's Operating System, or the desktop-linux context)."""
        return "docker desktop" in (self.operating_system or "").lower() or self.context == "desktop-linux"


# Keys whose presence marks text as docker info (lowercased).
_DISTINCTIVE = frozenset(
    [
        "server version",
        "storage driver",
        "logging driver",
        "cgroup driver",
        "cgroup version",
        "runtimes",
        "default runtime",
        "docker root dir",
        "kernel version",
        "operating system",
        "ostype",
        "insecure registries",
        "registry mirrors",
        "live restore enabled",
        "security options",
        "init binary",
        "containerd version",
        "runc version",
        "swarm",
        "cdi spec directories",
        "discovered devices",
    ]
)

# Every top-level key docker info prints (ends a list whose items lost their indentation).
_TOP_KEYS = _DISTINCTIVE | frozenset(
    [
        "containers",
        "images",
        "plugins",
        "init version",
        "architecture",
        "cpus",
        "total memory",
        "name",
        "id",
        "debug mode",
        "debug mode (client)",
        "debug mode (server)",
        "registry",
        "labels",
        "experimental",
        "default address pools",
        "product license",
        "http proxy",
        "https proxy",
        "no proxy",
        "username",
        "default isolation",
        "firewall backend",
        "nri",
        "context",
        "isolation",
    ]
)

# Keys only `docker version` prints.
_VERSION_KEYS = frozenset(["api version", "git commit", "go version", "os/arch", "built", "gitcommit"])

# docker 1.0-1.x `docker version` lines (note the lowercase "version").
_OLD_VERSION_KEYS = frozenset(["Client version", "Server version", "Client API version", "Server API version"])

_LIST_KEYS = frozenset(["security options", "insecure registries", "registry mirrors", "discovered devices"])

_SECTION_RE = lazy_compile(r"^\S*?(Client|Server)\s*:(?!\S)")  # only ever tested, never read
# A key ends on a non-blank and a value is stripped in Python: a lazy key or value beside `\s*` rescanned
# a run of blanks at every step (quadratic in the line's length).
_KV_RE = lazy_compile(r"^(\s*)([A-Za-z](?:[A-Za-z0-9 ()/._-]*[A-Za-z0-9()/._-])?)\s*:(?:[ \t]+(.*))?\s*$")


def _security_name(item: str) -> Optional[str]:
    item = item.strip()
    if not item:
        return None
    if "=" in item:
        for part in item.split(","):
            key, _, value = part.partition("=")
            if key.strip() == "name":
                return value.strip() or None
        return None
    return item


def _add(items: List[str], value: Optional[str]) -> None:
    if value and value not in items:
        items.append(value)


class _TextScan:
    """What `docker info` text has said so far, read line by line."""

    def __init__(self) -> None:
        self.values: Dict[str, str] = {}
        self.lists: Dict[str, List[str]] = {k: [] for k in _LIST_KEYS}
        self.warnings: List[str] = []
        self.errors: List[str] = []
        self.recognised = False
        self.distinctive = False
        self.version_markers = False
        self.list_key: Optional[str] = None
        self.list_indent = 0
        self.list_mode: Optional[str] = None  # "indented" | "flat"
        self.last_was_warning = False

    def feed(self, raw: str) -> None:
        line = raw.rstrip()
        stripped = line.strip()
        if not stripped:
            self.list_key = None
            self.last_was_warning = False
            return
        if is_prompt_line(line):
            return
        indent = len(line) - len(line.lstrip())
        if self._message(stripped, indent):
            return
        kv = _KV_RE.match(line)
        key = kv.group(2).strip().lower() if kv else None
        value = kv.group(3) if kv else None
        if value is not None:
            value = value.rstrip()
        if self.list_key is not None:
            if self._list_item(line, stripped, indent, kv, key, value):
                return
            self.list_key = None
        self._entry(line, indent, kv, key, value)

    def _message(self, stripped: str, indent: int) -> bool:
        """WARNING and ERROR lines (a warning's indented continuation too) and daemon errors."""
        if stripped.startswith("WARNING:"):
            self.warnings.append(stripped)
            self.recognised = True
            self.last_was_warning = True
            self.list_key = None
            return True
        if self.last_was_warning and indent >= 4:
            self.warnings[-1] = self.warnings[-1] + " " + stripped
            return True
        self.last_was_warning = False
        if stripped.startswith("ERROR:"):
            _add(self.errors, stripped[len("ERROR:"):].strip())
            self.recognised = True
            self.list_key = None
            return True
        if stripped == "errors pretty printing info":
            self.recognised = True
            return True
        if is_connect_error(stripped):
            _add(self.errors, stripped)
            self.recognised = True
            self.list_key = None
            return True
        return False

    def _in_list(self, line: str, indent: int, key: Optional[str]) -> bool:
        """Whether `line` continues the open list (indented under its header, or flat)."""
        if self.list_mode is None:
            if indent > self.list_indent:
                self.list_mode = "indented"
            elif key not in _TOP_KEYS and not _SECTION_RE.match(line):
                self.list_mode = "flat"
        if self.list_mode == "indented":
            return indent > self.list_indent
        if self.list_mode == "flat":
            return key not in _TOP_KEYS and not _SECTION_RE.match(line)
        return False

    def _list_item(self, line: str, stripped: str, indent: int, kv: Optional[re.Match[str]],
                   key: Optional[str], value: Optional[str]) -> bool:
        if not self._in_list(line, indent, key):
            return False
        bucket = self.lists.get(self.list_key or "")
        if bucket is not None:
            if self.list_key == "security options":
                if kv is None:
                    _add(bucket, _security_name(stripped))
            elif self.list_key == "discovered devices":
                if kv is not None and key == "cdi" and value:
                    _add(bucket, value)
            elif kv is None:
                _add(bucket, stripped)
        return True

    def _entry(self, line: str, indent: int, kv: Optional[re.Match[str]], key: Optional[str],
               value: Optional[str]) -> None:
        if indent == 0 and _SECTION_RE.match(line):
            self.recognised = True
            return
        if kv is None or key is None:
            return
        if kv.group(2).strip() in _OLD_VERSION_KEYS:
            self.version_markers = True
            return
        if key in _DISTINCTIVE:
            self.recognised = True
            self.distinctive = True
        elif key in _VERSION_KEYS:
            self.version_markers = True
        if not value:
            # A header: its indented children are a list (or a sub-block we skip).
            self.list_key = key
            self.list_indent = indent
            self.list_mode = None
            return
        if key == "security options":
            for word in value.split():
                _add(self.lists["security options"], _security_name(word))
            return
        self.values.setdefault(key, value)


def _from_text(text: str) -> DockerInfo:
    scan = _TextScan()
    for raw in text.splitlines():
        scan.feed(raw)
    values, lists, warnings, errors = scan.values, scan.lists, scan.warnings, scan.errors
    recognised, distinctive, version_markers = scan.recognised, scan.distinctive, scan.version_markers

    if version_markers and not distinctive:
        raise ParseError("this is docker version output, not docker info")
    if not recognised:
        raise ParseError("not docker info output: no docker info key, WARNING/ERROR line or daemon error")

    def get(key: str) -> Optional[str]:
        value = values.get(key)
        return value.strip() or None if value is not None else None

    return DockerInfo(
        server_version=get("server version"),
        runtimes=tuple(dict.fromkeys((get("runtimes") or "").split())),
        default_runtime=get("default runtime"),
        registry_mirrors=tuple(lists["registry mirrors"]),
        insecure_registries=tuple(lists["insecure registries"]),
        cgroup_driver=get("cgroup driver"),
        cgroup_version=get("cgroup version"),
        security_options=tuple(lists["security options"]),
        operating_system=get("operating system"),
        kernel_version=get("kernel version"),
        docker_root_dir=get("docker root dir"),
        context=get("context"),
        server_errors=tuple(errors),
        warnings=tuple(warnings),
        http_proxy=get("http proxy"),
        https_proxy=get("https proxy"),
        no_proxy=get("no proxy"),
        cdi_devices=tuple(lists["discovered devices"]),
    )


def _str(value: object) -> Optional[str]:
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    return None


def _strs(value: object) -> Tuple[str, ...]:
    if not isinstance(value, list):
        return ()
    out: List[str] = []
    for item in value:
        s = _str(item)
        if s:
            _add(out, s)
    return tuple(out)


def _obj(value: object) -> Dict[str, object]:
    return value if isinstance(value, dict) else {}


def _from_json(data: Dict[str, object], rest: str) -> DockerInfo:
    markers = ("ServerVersion", "Runtimes", "DefaultRuntime", "ServerErrors", "ClientInfo", "Driver", "ID")
    if not any(k in data for k in markers):
        raise ParseError("docker info JSON: none of ServerVersion/Runtimes/ClientInfo/ServerErrors")
    runtimes = data.get("Runtimes")
    registry = _obj(data.get("RegistryConfig"))
    client = _obj(data.get("ClientInfo"))
    security: List[str] = []
    for item in _strs(data.get("SecurityOptions")):
        _add(security, _security_name(item))
    devices: List[str] = []
    discovered = data.get("DiscoveredDevices")
    if isinstance(discovered, list):
        for dev in discovered:
            if isinstance(dev, dict) and str(dev.get("Source", "cdi")).lower() == "cdi":
                _add(devices, _str(dev.get("ID")))
    errors = list(_strs(data.get("ServerErrors")))
    for line in rest.splitlines():
        line = line.strip()
        if line:
            _add(errors, line[len("ERROR:"):].strip() if line.startswith("ERROR:") else line)
    return DockerInfo(
        server_version=_str(data.get("ServerVersion")),
        runtimes=tuple(k for k in runtimes.keys() if isinstance(k, str)) if isinstance(runtimes, dict) else (),
        default_runtime=_str(data.get("DefaultRuntime")),
        registry_mirrors=_strs(registry.get("Mirrors")),
        insecure_registries=_strs(registry.get("InsecureRegistryCIDRs")),
        cgroup_driver=_str(data.get("CgroupDriver")),
        cgroup_version=_str(data.get("CgroupVersion")),
        security_options=tuple(security),
        operating_system=_str(data.get("OperatingSystem")),
        kernel_version=_str(data.get("KernelVersion")),
        docker_root_dir=_str(data.get("DockerRootDir")),
        context=_str(client.get("Context")),
        server_errors=tuple(errors),
        warnings=_strs(data.get("Warnings")),
        http_proxy=_str(data.get("HttpProxy")),
        https_proxy=_str(data.get("HttpsProxy")),
        no_proxy=_str(data.get("NoProxy")),
        cdi_devices=tuple(devices),
    )


def parse_docker_info(text: str) -> DockerInfo:
    """Parse `docker info` (text, grep excerpt, or JSON) or a client connection error; ParseError otherwise."""
    if not isinstance(text, str):
        raise ParseError("docker info: expected text")
    found = first_json_object(text)
    if found is not None:
        return _from_json(found[0], found[1])
    return _from_text(text)
