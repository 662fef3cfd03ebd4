"""NVIDIA Container Toolkit: installed (and not the legacy nvidia-docker), its config, the
`nvidia` runtime as dockerd sees it, and the cgroup v2 NVML risk."""
from __future__ import annotations

import re

from dldoctor.checks import not_managed, ok, problem, skip
from dldoctor.derived import (cgroup_v2, family, has_server, hook_newer_than_daemon, installed_versions,
                              registered_in_daemon, runtime_entries, runtime_path, smi_ok,
                              toolkit_state, toolkit_version)
from dldoctor.facts import Facts, known
from dldoctor.i18n import _
from dldoctor.model import WARN, Finding

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import List, Optional

AREA = "toolkit"
LEGACY_PACKAGES = ("nvidia-docker2", "nvidia-docker", "nvidia-container-runtime")
CGROUP_V2_SINCE = (1, 8)
# NVIDIA's repository file for dnf and zypper (the toolkit's install guide, "With dnf" and "With zypper").
RPM_REPO = "https://nvidia.github.io/libnvidia-container/stable/rpm/nvidia-container-toolkit.repo"
CONFIGURE = "sudo nvidia-ctk runtime configure --runtime=docker && sudo systemctl restart docker"


def toolkit_install(facts: Facts) -> Optional[str]:
    """How this host installs the toolkit and registers it with Docker where `dldoctor fix` cannot
    (it manages apt only); None on apt hosts and where the OS is not known (fix's own steps)."""
    fam = family(facts.os)
    if fam is None or fam in ("debian", "ubuntu"):
        return None
    if fam == "rhel":
        how = _("curl -s -L {repo} | sudo tee /etc/yum.repos.d/nvidia-container-toolkit.repo && sudo dnf "
                "install -y nvidia-container-toolkit (yum where there is no dnf), then {configure}.")
    elif fam == "suse":
        how = _("sudo zypper ar {repo} && sudo zypper --gpg-auto-import-keys install -y "
                "nvidia-container-toolkit, then {configure}.")
    elif fam == "arch":
        how = _("sudo pacman -S nvidia-container-toolkit, then {configure}.")
    else:
        how = _("Install the NVIDIA Container Toolkit the way your distribution does (NVIDIA's install guide "
                "covers apt, dnf and zypper), then {configure}.")
    return not_managed(how.format(repo=RPM_REPO, configure=CONFIGURE))


def check_toolkit(facts: Facts) -> List[Finding]:
    out: List[Finding] = []
    legacy = installed_versions(facts, LEGACY_PACKAGES[:2])
    if facts.binaries.get("nvidia-docker"):
        legacy.append("nvidia-docker: %s" % facts.binaries["nvidia-docker"])
    installed, ev = toolkit_state(facts)
    if legacy:
        out.append(problem("nvidia-toolkit", AREA, "toolkit.legacy",
                           _("The deprecated nvidia-docker setup is installed; current Docker uses "
                             "nvidia-container-toolkit with --gpus."), legacy, status=WARN))
    if installed is None:
        out.append(skip("nvidia-toolkit", AREA, _("NVIDIA Container Toolkit state not known")))
        return out
    if not installed:
        if not legacy:
            gpu_host = smi_ok(facts) or (known(facts.pci) and facts.pci.has_nvidia_gpu)
            out.append(problem("nvidia-toolkit", AREA, "toolkit.missing",
                               _("No nvidia-container-toolkit package or program found."),
                               [_("not installed: nvidia-container-toolkit")],
                               fix=toolkit_install(facts),
                               status="fail" if gpu_host or not known(facts.pci) else WARN))
        return out
    ver = toolkit_version(facts)
    if ver is not None and ver < CGROUP_V2_SINCE and cgroup_v2(facts):
        out.append(problem("nvidia-toolkit", AREA, "toolkit.too-old-for-cgroup-v2",
                           _("libnvidia-container {v} predates cgroup v2 support (1.8) and this host uses "
                             "cgroup v2.").format(v=".".join(map(str, ver))), ev + ["cgroup v2"]))
    nvccli = facts.nvccli
    if known(nvccli) and nvccli.error and re.search(r"libnvidia-ml|load library", nvccli.error):
        out.append(problem("nvidia-toolkit", AREA, "toolkit.libs-not-found",
                           _("nvidia-container-cli cannot load the driver's NVML library."), [nvccli.error]))
    if not [f for f in out if f.status == "fail"]:
        out.append(ok("nvidia-toolkit", AREA, _("NVIDIA Container Toolkit installed{v}").format(
            v=" (%s)" % ".".join(map(str, ver)) if ver else ""), evidence=ev[:4]))
    return out


def check_toolkit_config(facts: Facts) -> List[Finding]:
    cfg = facts.toolkit_config
    if not known(cfg):
        return []
    rootless = known(facts.docker_info) and facts.docker_info.is_rootless
    out: List[Finding] = []
    if cfg.no_cgroups is True and known(facts.docker_info) and facts.docker_info.has_server and not rootless:
        out.append(problem("toolkit-config", AREA, "toolkit.no-cgroups-rootful",
                           _("no-cgroups = true on a rootful daemon: containers see the GPUs, then NVML "
                             "fails with Unknown Error."), ["no-cgroups = true"]))
    if rootless and cfg.no_cgroups is not True:
        out.append(problem("toolkit-config", AREA, "toolkit.rootless-cgroups",
                           _("Rootless Docker needs no-cgroups = true in the toolkit config."),
                           ["no-cgroups = %s" % cfg.no_cgroups]))
    ld = cfg.ldconfig
    if ld:
        prog = ld.lstrip("@")
        name = prog.rsplit("/", 1)[-1]
        where = facts.paths.get(prog)
        if where is False or (where is None and facts.binaries.get(name, "x") is None):
            out.append(problem("toolkit-config", AREA, "toolkit.ldconfig",
                               _("The toolkit runs {prog}, which does not exist on this host.").format(prog=prog),
                               ['ldconfig = "%s"' % ld]))
    if not out:
        out.append(ok("toolkit-config", AREA, _("Toolkit configuration is consistent")))
    return out


def check_runtime(facts: Facts) -> List[Finding]:
    entry = runtime_entries(facts).get("nvidia")
    in_daemon = registered_in_daemon(facts)
    dj = facts.daemon_json
    default_rt = dj.data.get("default-runtime") if known(dj) else None
    out: List[Finding] = []
    info = facts.docker_info
    if entry is not None and in_daemon is False and known(info):   # False: dockerd answered
        out.append(problem("nvidia-runtime", AREA, "toolkit.daemon-not-restarted",
                           _("daemon.json registers the nvidia runtime but the running dockerd does not "
                             "list it: dockerd has not been restarted or reloaded since."),
                           ['"runtimes": {"nvidia": ...} in %s' % facts.daemon_json_path,
                            "Runtimes: %s" % " ".join(info.runtimes)]))
    if entry is not None or in_daemon:
        path = runtime_path(facts) or "nvidia-container-runtime"
        exists = _program_exists(facts, path)
        if exists is False:
            install = toolkit_install(facts)
            out.append(problem("nvidia-runtime", AREA, "runtime.binary-missing",
                               _("The nvidia runtime points at {path}, which does not exist.").format(path=path),
                               ['"nvidia": {"path": "%s"}' % path],
                               fix=_("Correct the runtime path in daemon.json, or install the toolkit: {how}")
                               .format(how=install) if install else None))
    if default_rt == "nvidia" and entry is None and not in_daemon:
        out.append(problem("nvidia-runtime", AREA, "runtime.not-registered",
                           _("default-runtime is nvidia but no nvidia runtime is registered."),
                           ['"default-runtime": "nvidia"']))
    if out:
        return out
    if entry is not None or in_daemon:
        return [ok("nvidia-runtime", AREA, _("nvidia runtime registered ({path})").format(
            path=runtime_path(facts) or "nvidia-container-runtime"))]
    if in_daemon is False or (known(dj) or dj is None):
        return [ok("nvidia-runtime", AREA,
                   _("No nvidia runtime registered (not needed for --gpus; `fix` registers it)"))]
    return []


def check_gpu_hook(facts: Facts) -> List[Finding]:
    newer = hook_newer_than_daemon(facts)
    started, installed = facts.dockerd_started, facts.hook_installed
    if newer is None or started is None or installed is None or has_server(facts) is False:
        return []   # (newer is None exactly when either time is None)
    import time

    def when(t: float) -> str:
        return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(t))

    ev = ["dockerd started %s" % when(started),
          "%s installed %s" % (facts.binaries.get("nvidia-container-runtime-hook") or "hook",
                               when(installed))]
    if newer:
        return [problem("gpu-hook", AREA, "toolkit.daemon-not-restarted",
                        _("The NVIDIA hook was installed after dockerd started; dockerd registers the "
                          "--gpus device driver only at start-up, so `--gpus` fails until Docker "
                          "restarts."), ev, fix=_("sudo systemctl restart docker  (or: sudo dldoctor fix "
                                                  "--restart)"))]
    return [ok("gpu-hook", AREA, _("dockerd started after the NVIDIA hook was installed (--gpus is "
                                  "registered)"), evidence=ev)]


def _program_exists(facts: Facts, path: str) -> Optional[bool]:
    if path.startswith("/"):
        if path in facts.paths:
            return facts.paths[path]
        name = path.rsplit("/", 1)[-1]
        found = facts.binaries.get(name, "unknown")
        if found == "unknown":
            return None
        return found == path if found else False
    if path in facts.binaries:
        return facts.binaries[path] is not None
    return None


def check_cgroup(facts: Facts) -> List[Finding]:
    v2 = cgroup_v2(facts)
    info = facts.docker_info
    if v2 is None or not known(info) or not info.cgroup_driver:
        return []
    if v2 and info.cgroup_driver == "systemd":
        return [problem("cgroup", AREA, "cgroup.nvml-unknown-error",
                        _("cgroup v2 with the systemd cgroup driver: GPUs can vanish from running "
                          "containers after `systemctl daemon-reload` (NVML Unknown Error)."),
                        ["Cgroup Driver: systemd", "Cgroup Version: 2"], status=WARN)]
    return [ok("cgroup", AREA, _("cgroup {v} with the {d} driver").format(
        v="v2" if v2 else "v1", d=info.cgroup_driver))]
