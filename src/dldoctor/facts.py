"""Facts: the typed view of one host's evidence, built once per run by the parsers.

Every field holds a parsed value or an Unknown(reason) (not collected, or unparseable with the
parser's position). A check that needs an Unknown fact returns `skip`, never a false `fail`.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Dict, Optional


@dataclass(frozen=True)
class Unknown:
    """A fact we could not establish; falsy so `if facts.docker_info:` reads naturally."""

    reason: str
    evidence: str = ""

    def __bool__(self) -> bool:
        return False


def known(value: Any) -> bool:
    return value is not None and not isinstance(value, Unknown)


@dataclass
class Facts:
    """Parsed evidence. Field names follow the parsers; raw texts are kept for quoting."""

    os: Any = Unknown("not collected")                 # parse.os_release.OsRelease
    kernel: Any = Unknown("not collected")             # parse.proc_version.KernelVersion
    pci: Any = Unknown("not collected")                # parse.lspci.PciScan
    modules: Any = Unknown("not collected")            # parse.lsmod.Modules
    nvidia_smi: Any = Unknown("not collected")         # parse.nvidia_smi.NvidiaSmi
    kernel_module: Any = Unknown("not collected")      # parse.proc_driver_nvidia_version.KernelModule
    docker_version: Any = Unknown("not collected")     # parse.docker_version.DockerVersion
    docker_info: Any = Unknown("not collected")        # parse.docker_info.DockerInfo
    daemon_json: Any = Unknown("not collected")        # parse.daemon_json.DaemonJson (None: no file)
    dockerd_flags: Any = Unknown("not collected")      # parse.dockerd_cmdline.DockerdFlags
    identity: Any = Unknown("not collected")           # parse.id_group.Identity
    group_db: Any = Unknown("not collected")           # parse.id_group.GroupDb
    apt_sources: Any = Unknown("not collected")        # parse.apt_sources.AptSources
    apt_update: Any = Unknown("not collected")         # parse.apt_sources.AptUpdate
    packages: Any = Unknown("not collected")           # parse.dpkg.Packages
    nvccli: Any = Unknown("not collected")             # parse.nvidia_container_cli.NvccliInfo
    ctk_version: Any = Unknown("not collected")        # parse.toolkit_version.ToolVersion
    toolkit_config: Any = Unknown("not collected")     # parse.toolkit_config.ToolkitConfig
    cgroup: Any = Unknown("not collected")             # parse.cgroup.CgroupInfo
    # Where things are on the target: program name -> absolute path, None when looked for and
    # absent; a name missing from the dict was not looked for.
    binaries: Dict[str, Optional[str]] = field(default_factory=dict)
    # Target paths whose existence matters (runtime programs, Signed-By keys): path -> exists.
    paths: Dict[str, bool] = field(default_factory=dict)
    daemon_json_path: str = "/etc/docker/daemon.json"
    systemd: Optional[bool] = None                      # PID 1 is systemd (reload via systemctl)
    reboot_required: Optional[bool] = None
    # Epoch seconds: when the running dockerd started, and when the NVIDIA hook was installed.
    dockerd_started: Optional[float] = None
    hook_installed: Optional[float] = None
    sudo_user: Optional[str] = None
    root: str = "/"
    # The symptom, when a person or `verify` supplies one: what ran and what it printed.
    command: Optional[str] = None
    error: Optional[str] = None
    notes: Optional[str] = None
    # name -> raw Evidence (dldoctor.host.Evidence) for quoting lines in findings.
    raw: Dict[str, Any] = field(default_factory=dict)

    def text(self, name: str) -> Optional[str]:
        ev = self.raw.get(name)
        return None if ev is None else ev.text
