"""Checks: pure functions of Facts that return Findings, registered as named records.

`CHECKS` is the ordered registry; each record names the JSON `check` field and the report area.
Helpers here build Findings so every check speaks the same way (catalog title and fix by default).
"""
from __future__ import annotations

import importlib

from dldoctor import catalog
from dldoctor.facts import Facts, Unknown
from dldoctor.model import FAIL, OK, SKIP, Finding
from dldoctor.records import frozen_record

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Iterable, List, Optional, Sequence, Tuple


@frozen_record
class Check:
    name: str
    area: str
    target: str  # "module:function" inside dldoctor.checks, imported when run
    about: str = ""  # one line for `check --list` (translated when shown)

    def run(self, facts: Facts) -> List[Finding]:
        mod, fn = self.target.split(":")
        func = getattr(importlib.import_module("dldoctor.checks." + mod), fn)
        return list(func(facts))


CHECKS: Tuple[Check, ...] = (
    Check("os", "system", "system:check_os",
          "The Linux distribution, and whether Docker and the toolkit still publish packages for it."),
    Check("wsl", "system", "system:check_wsl", "Whether this is WSL, and whether its GPU support can work."),
    Check("reboot", "system", "system:check_reboot", "Whether the system waits for a reboot (a new kernel or driver)."),
    Check("gpu", "gpu", "gpu:check_gpu", "An NVIDIA GPU on the PCI bus."),
    Check("nvidia-driver", "gpu", "gpu:check_driver",
          "The NVIDIA driver: nvidia-smi answers, and the loaded module matches the installed libraries."),
    Check("kernel-modules", "gpu", "gpu:check_modules", "The nvidia kernel modules are loaded, and nouveau is not."),
    Check("docker-engine", "docker", "docker:check_engine",
          "Docker is installed, recent enough for --gpus, and not the snap, Desktop or an unsupported flavour."),
    Check("docker-daemon", "docker", "docker:check_daemon", "The Docker daemon answers."),
    Check("docker-group", "docker", "docker:check_group", "This user may use the Docker socket (the docker group)."),
    Check("daemon-json", "daemon-json", "daemon_json:check_daemon_json",
          "/etc/docker/daemon.json is valid and agrees with dockerd's flags."),
    Check("registry-mirrors", "registry", "mirrors:check_mirrors",
          "The configured registry mirrors (and Docker Hub) answer."),
    Check("nvidia-toolkit", "toolkit", "toolkit:check_toolkit", "The NVIDIA Container Toolkit is installed."),
    Check("toolkit-config", "toolkit", "toolkit:check_toolkit_config",
          "The toolkit's config.toml suits this daemon (cgroups, ldconfig)."),
    Check("nvidia-runtime", "toolkit", "toolkit:check_runtime",
          "dockerd has the nvidia runtime registered, and its program exists."),
    Check("gpu-hook", "toolkit", "toolkit:check_gpu_hook", "dockerd started after the toolkit was installed (else it does not know the GPUs yet)."),
    Check("cgroup", "toolkit", "toolkit:check_cgroup", "The cgroup setup: with cgroup v2 and the systemd driver, containers can lose their GPUs."),
    Check("apt-sources", "apt", "apt:check_sources",
          "The apt sources for docker-ce and the toolkit: present, signed, not in conflict."),
    Check("apt-update", "apt", "apt:check_apt_update", "apt-get update's errors (missing keys, unreachable hosts)."),
)

AREAS = ("system", "gpu", "docker", "daemon-json", "registry", "toolkit", "apt", "image",
         "container", "symptom")


def _ev(lines: Iterable[Optional[str]]) -> Tuple[str, ...]:
    return tuple(l.rstrip() for l in lines if l and l.strip())


def ok(check: str, area: str, title: str, detail: str = "", evidence: Sequence[str] = ()) -> Finding:
    return Finding(check, OK, None, title, detail, _ev(evidence), None, area)


def skip(check: str, area: str, title: str, detail: str = "") -> Finding:
    return Finding(check, SKIP, None, title, detail, (), None, area)


def problem(check: str, area: str, problem_id: str, detail: str = "",
            evidence: Sequence[str] = (), fix: Optional[str] = None, status: str = FAIL,
            title: Optional[str] = None, confidence: Optional[float] = None,
            guess: bool = False) -> Finding:
    assert problem_id in catalog.PROBLEMS, problem_id
    return Finding(check, status, problem_id, title or catalog.title(problem_id), detail,
                   _ev(evidence), fix if fix is not None else catalog.fix(problem_id), area,
                   confidence, guess)


def unknown_reason(value: object) -> str:
    return value.reason if isinstance(value, Unknown) else ""


def not_managed(fix: str) -> str:
    """`fix`, advice for a host whose packages `fix` cannot install (it manages apt only), saying so."""
    from dldoctor.i18n import _

    return _("{fix} dldoctor fix only manages Debian and Ubuntu.").format(fix=fix)


def quote(text: Optional[str], *needles: str, limit: int = 3) -> List[str]:
    """Lines of `text` that contain any needle (case-insensitive): evidence quoted as read."""
    if not text:
        return []
    out = []
    for line in text.splitlines():
        low = line.lower()
        if any(n.lower() in low for n in needles):
            out.append(line.strip())
            if len(out) >= limit:
                break
    return out
