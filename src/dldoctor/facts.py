"""Facts: the typed view of one host's evidence, built once per run by the parsers.

Every field holds a parsed value or an Unknown(reason) (not collected, or unparseable with the
parser's position). A check that needs an Unknown fact returns `skip`, never a false `fail`.
"""
from __future__ import annotations


from dldoctor.records import field, frozen_record, record

TYPE_CHECKING = False
if TYPE_CHECKING:  # the parsers' types, for readers and type checkers; not imported at run time
    from typing import Dict, Optional, TypeVar, Union

    from typing_extensions import TypeGuard  # typing has it from 3.10; mypy ships the stub

    from dldoctor.host import Evidence
    from dldoctor.parse.apt_sources import AptSources, AptUpdate
    from dldoctor.parse.cgroup import CgroupInfo
    from dldoctor.parse.daemon_json import DaemonJson
    from dldoctor.parse.docker_info import DockerInfo
    from dldoctor.parse.docker_version import DockerVersion
    from dldoctor.parse.dockerd_cmdline import DockerdFlags
    from dldoctor.parse.dpkg import Packages
    from dldoctor.parse.id_group import GroupDb, Identity
    from dldoctor.parse.lsmod import Modules
    from dldoctor.parse.lspci import PciScan
    from dldoctor.parse.nvidia_container_cli import NvccliInfo
    from dldoctor.parse.nvidia_smi import NvidiaSmi
    from dldoctor.parse.os_release import OsRelease
    from dldoctor.parse.proc_driver_nvidia_version import KernelModule
    from dldoctor.parse.proc_version import KernelVersion
    from dldoctor.parse.toolkit_config import ToolkitConfig
    from dldoctor.parse.toolkit_version import ToolVersion


# Unknown.evidence of a file read only up to the read bound (its end, and so its meaning, unknown)
CUT_SHORT = "cut-short"
# Unknown.evidence of a daemon.json that is a directory (dockerd does not start)
A_DIRECTORY = "a-directory"


@frozen_record
class Unknown:
    """A fact we could not establish; falsy so `if facts.docker_info:` reads naturally.

    `evidence` names the evidence it comes from; for an unparseable one, `message` is the parser's
    own words and `line`/`column` (1-based) where it stopped, when it says."""

    reason: str
    evidence: str = ""
    message: Optional[str] = None
    line: Optional[int] = None
    column: Optional[int] = None

    def __bool__(self) -> bool:
        return False


if TYPE_CHECKING:
    T = TypeVar("T")
    # A fact: the parser's value, or why it is not known.
    Fact = Union[T, Unknown]


def known(value: Optional[Fact[T]]) -> TypeGuard[T]:
    """The fact was established (neither Unknown nor None); type checkers narrow on it."""
    return value is not None and not isinstance(value, Unknown)


@record
class Facts:
    """Parsed evidence. Field names follow the parsers; raw texts are kept for quoting."""

    os: Fact[OsRelease] = Unknown("not collected")
    kernel: Fact[KernelVersion] = Unknown("not collected")
    pci: Fact[PciScan] = Unknown("not collected")
    modules: Fact[Modules] = Unknown("not collected")
    nvidia_smi: Fact[NvidiaSmi] = Unknown("not collected")
    kernel_module: Fact[KernelModule] = Unknown("not collected")
    docker_version: Fact[DockerVersion] = Unknown("not collected")
    docker_info: Fact[DockerInfo] = Unknown("not collected")
    daemon_json: Optional[Fact[DaemonJson]] = Unknown("not collected")   # None: no file
    dockerd_flags: Fact[DockerdFlags] = Unknown("not collected")
    identity: Fact[Identity] = Unknown("not collected")
    group_db: Fact[GroupDb] = Unknown("not collected")
    apt_sources: Fact[AptSources] = Unknown("not collected")
    apt_update: Fact[AptUpdate] = Unknown("not collected")
    packages: Fact[Packages] = Unknown("not collected")
    nvccli: Fact[NvccliInfo] = Unknown("not collected")
    ctk_version: Fact[ToolVersion] = Unknown("not collected")
    toolkit_config: Fact[ToolkitConfig] = Unknown("not collected")
    cgroup: Fact[CgroupInfo] = Unknown("not collected")
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
    # name -> raw Evidence for quoting lines in findings.
    raw: Dict[str, Evidence] = field(default_factory=dict)

    def text(self, name: str) -> Optional[str]:
        ev = self.raw.get(name)
        return None if ev is None else ev.text
