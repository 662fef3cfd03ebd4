"""EVIDENCE: the one table of what dldoctor looks at, named like the snapshot files.

Each entry says where the live host finds it. Kinds:
- file: a path on the target filesystem (relocated under --root);
- kernel: a /proc or /sys path, always the running kernel's (a root prefix is a filesystem, not a kernel);
- host-cmd: a program that reports on the machine; under a --root other than / it runs chrooted
  when it exists inside the root, otherwise the evidence is not collected (never answers about the
  wrong machine);
- docker-cmd: the docker CLI, which talks to the daemon named by DOCKER_HOST / the context, as the
  user's own `docker` does;
- internal: computed in-process by the live host (id, which, cgroup, dockerd-cmdline...).

The host collects evidence and does not interpret it; where reading it needs knowledge of its
format (daemon.json's byte order mark, the --config-file of dockerd's command line) the entry
carries that knowledge as a function (`decode`, `config_file`), which the host calls.
"""
from __future__ import annotations


from dldoctor.probe_argv import DOCKER_INFO
from dldoctor.records import frozen_record

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Callable, Optional, Tuple


def _utf8(data: bytes) -> str:
    return data.decode("utf-8", "replace")


def _daemon_json_text(data: bytes) -> str:
    from dldoctor.parse.daemon_json import decode_daemon_json

    return decode_daemon_json(data)      # UTF-16 with a BOM, as dockerd 23.0+ reads it


def _no_config_file(text: str) -> Optional[str]:
    return None


def _dockerd_config_file(cmdline: str) -> Optional[str]:
    """The --config-file a dockerd command line names (as dockerd sees it), None when none."""
    from dldoctor.errors import ParseError
    from dldoctor.parse.dockerd_cmdline import parse_dockerd_cmdline

    try:
        return parse_dockerd_cmdline(cmdline).config_file or None
    except ParseError:
        return None


@frozen_record
class Source:
    kind: str
    what: Tuple[str, ...]
    decode: Callable[[bytes], str] = _utf8                    # the file's bytes as evidence text
    config_file: Callable[[str], Optional[str]] = _no_config_file


def _file(*paths: str) -> Source:
    return Source("file", paths)


EVIDENCE = {
    "os-release": _file("/etc/os-release", "/usr/lib/os-release"),
    "proc-version": Source("kernel", ("/proc/version",)),
    "uname-r": Source("internal", ("uname",)),
    "lspci": Source("host-cmd", ("lspci", "-nn")),
    "lsmod": Source("kernel", ("/proc/modules",)),
    "proc-driver-nvidia-version": Source("kernel", ("/proc/driver/nvidia/version",)),
    "nvidia-smi": Source("host-cmd", ("nvidia-smi",)),
    "docker-version.json": Source("docker-cmd", ("docker", "version", "--format", "{{json .}}")),
    "docker-info.json": Source("docker-cmd", DOCKER_INFO),
    "daemon.json": Source("internal", ("daemon.json",), decode=_daemon_json_text),
    "dockerd-cmdline": Source("internal", ("dockerd-cmdline",), config_file=_dockerd_config_file),
    "id": Source("internal", ("id",)),
    "group": _file("/etc/group"),
    "packages": Source("internal", ("dpkg-query",)),
    "nvidia-container-cli-info": Source("host-cmd", ("nvidia-container-cli", "info")),
    "nvidia-ctk-version": Source("host-cmd", ("nvidia-ctk", "--version")),
    "nvidia-container-runtime-config.toml": _file("/etc/nvidia-container-runtime/config.toml"),
    "cgroup": Source("internal", ("cgroup",)),
    # dldoctor's own additions to the snapshot format (readers ignore names they do not know):
    "which": Source("internal", ("which",)),
    "reboot-required": _file("/var/run/reboot-required", "/run/reboot-required"),
    "systemd": Source("internal", ("systemd",)),
    "gpu-hook": Source("internal", ("gpu-hook",)),
    "env": Source("internal", ("env",)),
    # the engine's own version, for judging daemon.json by its release when Docker is down
    "dockerd-version": Source("host-cmd", ("dockerd", "--version")),
}

# Written by `dldoctor snapshot`: everything.
RECORD_NAMES = tuple(EVIDENCE)
# Collected by a live `check`: `docker version` adds nothing the checks need beyond `docker info`
# (which carries the server version and the daemon's errors), and costs a process per run.
LIVE_NAMES = tuple(n for n in EVIDENCE if n != "docker-version.json")

# Programs whose location matters to the checks (resolved under --root, like a shell would).
PROGRAMS = (
    "docker",
    "dockerd",
    "nvidia-smi",
    "nvidia-container-runtime",
    "nvidia-container-runtime-hook",
    "nvidia-container-toolkit",
    "nvidia-ctk",
    "nvidia-container-cli",
    "nvidia-docker",
    "ldconfig",
    "ldconfig.real",
    "sudo",                     # advice says `sudo ...` only where there is one to run
)

# Variables that change what docker and the checks see; recorded in the `env` evidence.
ENV_VARS = ("DOCKER_HOST", "DOCKER_CONTEXT", "SUDO_USER", "HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY",
            "http_proxy", "https_proxy", "no_proxy", "XDG_RUNTIME_DIR")

APT_SOURCES_DIR = "apt-sources"
