"""NVIDIA Container Toolkit: installed (and not the legacy nvidia-docker), its config, the
`nvidia` runtime as dockerd sees it, and the cgroup v2 NVML risk."""
from __future__ import annotations

import re
from typing import List, Optional, Tuple

from dldoctor.checks import ok, problem, skip
from dldoctor.checks.daemon_json import runtime_entries
from dldoctor.checks.docker import has_server
from dldoctor.checks.gpu import smi_ok
from dldoctor.facts import Facts, known
from dldoctor.i18n import _
from dldoctor.model import WARN, Finding
from dldoctor.parse.version import version_tuple

AREA = "toolkit"
TOOLKIT_PACKAGES = ("nvidia-container-toolkit", "nvidia-container-toolkit-base",
                    "libnvidia-container-tools", "libnvidia-container1")
LEGACY_PACKAGES = ("nvidia-docker2", "nvidia-docker", "nvidia-container-runtime")
TOOLKIT_PROGRAMS = ("nvidia-container-runtime-hook", "nvidia-container-toolkit", "nvidia-ctk",
                    "nvidia-container-cli")
CGROUP_V2_SINCE = (1, 8)


def _installed(facts: Facts, names) -> List[str]:
    if not known(facts.packages):
        return []
    out = []
    for n in names:
        st = facts.packages.installed(n)
        if st:
            out.append("%s %s" % (n, st.version or ""))
    return out


def toolkit_state(facts: Facts) -> Tuple[Optional[bool], List[str]]:
    """(installed?, evidence). None when nothing that would tell was collected."""
    ev = _installed(facts, TOOLKIT_PACKAGES)
    ev += ["%s: %s" % (p, facts.binaries[p]) for p in TOOLKIT_PROGRAMS if facts.binaries.get(p)]
    if known(facts.nvccli) and (facts.nvccli.cli_version or facts.nvccli.driver_version):
        ev.append("nvidia-container-cli info: %s" % (facts.nvccli.cli_version or "ok"))
    if known(facts.ctk_version):
        ev.append("nvidia-ctk %s" % facts.ctk_version.version)
    if ev:
        return True, ev
    looked = known(facts.packages) or any(p in facts.binaries for p in TOOLKIT_PROGRAMS)
    return (False, []) if looked else (None, [])


def toolkit_version(facts: Facts) -> Optional[Tuple[int, ...]]:
    cands = []
    if known(facts.nvccli):
        cands += [facts.nvccli.cli_version, facts.nvccli.lib_version]
    if known(facts.ctk_version):
        cands.append(facts.ctk_version.version)
    if known(facts.packages):
        for n in TOOLKIT_PACKAGES + ("libnvidia-container0",):
            st = facts.packages.installed(n)
            if st and st.version:
                cands.append(st.version)
    m = re.search(r"cli-version:\s*([\d.]+)", facts.notes or "")
    if m:
        cands.append(m.group(1))
    for c in cands:
        parsed = version_tuple(c)
        if parsed and len(parsed) >= 2:
            return parsed
    return None


def cgroup_v2(facts: Facts) -> Optional[bool]:
    if known(facts.cgroup):
        return facts.cgroup.version == 2
    if known(facts.docker_info) and facts.docker_info.cgroup_version:
        return str(facts.docker_info.cgroup_version) == "2"
    return None


def check_toolkit(facts: Facts) -> List[Finding]:
    out: List[Finding] = []
    legacy = _installed(facts, LEGACY_PACKAGES[:2])
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


def _registered_in_daemon(facts: Facts) -> Optional[bool]:
    info = facts.docker_info
    if known(info) and info.has_server:
        return "nvidia" in info.runtimes
    return None


def runtime_path(facts: Facts) -> Optional[str]:
    entry = runtime_entries(facts).get("nvidia")
    if entry is not None:
        return str(entry.get("path") or "")
    return None


def check_runtime(facts: Facts) -> List[Finding]:
    entry = runtime_entries(facts).get("nvidia")
    in_daemon = _registered_in_daemon(facts)
    dj = facts.daemon_json
    default_rt = dj.data.get("default-runtime") if known(dj) else None
    out: List[Finding] = []
    if entry is not None and in_daemon is False:
        out.append(problem("nvidia-runtime", AREA, "toolkit.daemon-not-restarted",
                           _("daemon.json registers the nvidia runtime but the running dockerd does not "
                             "list it: dockerd has not been restarted or reloaded since."),
                           ['"runtimes": {"nvidia": ...} in %s' % facts.daemon_json_path,
                            "Runtimes: %s" % " ".join(facts.docker_info.runtimes)]))
    if entry is not None or in_daemon:
        path = runtime_path(facts) or "nvidia-container-runtime"
        exists = _program_exists(facts, path)
        if exists is False:
            out.append(problem("nvidia-runtime", AREA, "runtime.binary-missing",
                               _("The nvidia runtime points at {path}, which does not exist.").format(path=path),
                               ['"nvidia": {"path": "%s"}' % path]))
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


def hook_newer_than_daemon(facts: Facts) -> Optional[bool]:
    """The NVIDIA hook arrived after the running dockerd started (so --gpus is not registered)."""
    if facts.dockerd_started is None or facts.hook_installed is None:
        return None
    return facts.hook_installed > facts.dockerd_started + 1


def check_gpu_hook(facts: Facts) -> List[Finding]:
    newer = hook_newer_than_daemon(facts)
    if newer is None or has_server(facts) is False:
        return []
    import time

    def when(t: float) -> str:
        return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(t))

    ev = ["dockerd started %s" % when(facts.dockerd_started),
          "%s installed %s" % (facts.binaries.get("nvidia-container-runtime-hook") or "hook",
                               when(facts.hook_installed))]
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
