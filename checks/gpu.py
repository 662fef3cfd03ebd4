"""GPU and driver: the card on the bus, the driver that answers nvidia-smi, its kernel modules."""
from __future__ import annotations

import re

from dldoctor.checks import not_managed, ok, problem, quote, skip, unknown_reason
from dldoctor.derived import family, is_wsl, smi_ok
from dldoctor.facts import Facts, known
from dldoctor.i18n import _
from dldoctor.lazy_regex import lazy_compile
from dldoctor.model import WARN, Finding

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import List, Optional

AREA = "gpu"

# Why the driver's module was not built, where a report shows it: the running kernel's headers
# missing (a rebuild without them fails again), or the module's own source not compiling (a kernel
# newer than the driver branch, which no rebuild mends).
NO_HEADERS = lazy_compile(r"kernel headers for kernel \S+ cannot be found|\bkernel-devel\b[^\n]{0,40}\b(mismatch|missing|not installed)|"
                          r"linux-headers-\S+[^\n]{0,20}\b(is not installed|not found|missing)", re.I)
MODULE_WONT_COMPILE = lazy_compile(r"/var/lib/dkms/nvidia[^\s/]*/[^\s/]+/build/\S*\.[ch]:\d+:\d+: (fatal )?error", re.I)


def module_build_fix(line: str) -> Optional[str]:
    """The fix for a module DKMS could not build, where the line says why (None: the catalog's)."""
    if NO_HEADERS.search(line):
        return _("Install the running kernel's headers, then rebuild the driver's module: sudo apt-get install "
                 "linux-headers-$(uname -r) && sudo dkms autoinstall (Fedora/RHEL: sudo dnf install "
                 "kernel-devel-$(uname -r) && sudo akmods --force), then sudo modprobe nvidia.")
    if MODULE_WONT_COMPILE.search(line):
        return _("This driver branch does not build for the running kernel (the kernel is newer than the driver): "
                 "boot the previous kernel from the boot menu, or install a newer driver branch (ubuntu-drivers "
                 "list), then sudo dkms autoinstall.")
    return None


def check_gpu(facts: Facts) -> List[Finding]:
    pci, smi = facts.pci, facts.nvidia_smi
    if smi_ok(facts) and known(smi) and smi.gpus:   # smi_ok: known, and no error
        names = sorted({g.name for g in smi.gpus if g.name})
        return [ok("gpu", AREA, _("{n} NVIDIA GPU(s): {names}").format(
            n=len(smi.gpus), names=", ".join(names) or "?"))]
    if known(pci):
        if pci.has_nvidia_gpu:
            devs = [d.description for d in pci.nvidia_devices]
            return [ok("gpu", AREA, _("NVIDIA GPU on the PCI bus"), evidence=devs[:4])]
        if is_wsl(facts):
            return [skip("gpu", AREA, _("WSL shows no PCI devices; the GPU is checked through nvidia-smi"))]
        if smi_ok(facts):
            return [ok("gpu", AREA, _("nvidia-smi answers (lspci lists no NVIDIA device)"))]
        return [problem("gpu", AREA, "gpu.absent",
                        _("lspci lists no NVIDIA device (vendor 10de)."),
                        [_("lspci: no NVIDIA device")])]
    if known(smi) and smi.error == "no-devices":
        return [problem("gpu", AREA, "gpu.absent", _("nvidia-smi found no devices."),
                        [smi.error_line or "No devices were found"])]
    return [skip("gpu", AREA, _("GPU presence not known"), unknown_reason(pci))]


def _branch(version: Optional[str]) -> Optional[str]:
    return version.split(".")[0] if version else None


def _package_driver_versions(facts: Facts) -> List[str]:
    """Driver versions the installed packages carry (nvidia-utils-525, nvidia-smi, libnvidia-compute...)."""
    out: List[str] = []
    if not known(facts.packages):
        return out
    for name, st in facts.packages.packages.items():
        if not facts.packages.installed(name) or not st.version:
            continue
        if re.match(r"(nvidia-(utils|smi|compute-utils|driver|dkms)|libnvidia-(compute|gl))", name):
            m = re.match(r"(?:\d+:)?(\d{3}\.\d+(?:\.\d+)?)", st.version)
            if m:
                out.append("%s %s" % (name, m.group(1)))
    return out


# NVIDIA's CUDA repository for a dnf release, by os-release ID (NVIDIA's driver installation guide):
# RHEL and its rebuilds share the rhel<N> one.
_CUDA_REPO = {"rhel": "rhel", "rocky": "rhel", "almalinux": "rhel", "fedora": "fedora", "amzn": "amzn"}


def _cuda_repo(facts: Facts) -> Optional[str]:
    """cuda-<this>.repo's name for this release (rhel9, fedora42, amzn2023), where it can be told."""
    os_rel = facts.os
    if not known(os_rel) or not os_rel.version_id or os_rel.id not in _CUDA_REPO:
        return None
    major = os_rel.version_id.split(".")[0]
    if not major.isdigit() or (os_rel.id == "amzn" and major != "2023") or \
            (os_rel.id != "fedora" and int(major) < 8):   # yum releases (RHEL 7, Amazon Linux 2)
        return None
    return _CUDA_REPO[os_rel.id] + major


def distro_driver_fix(facts: Facts, problem_id: str) -> Optional[str]:
    """The distribution's own way to install or load the driver (None on Ubuntu and where the OS is
    not known: the catalog's Ubuntu commands). Debian has no ubuntu-drivers and no
    nvidia-driver-<branch> packages (its driver comes from the non-free component); dnf, zypper and
    pacman hosts have no apt at all."""
    fam = family(facts.os)
    if fam == "debian":
        if problem_id == "driver.missing":
            return _("Add the contrib, non-free and non-free-firmware components to the Debian apt sources, then: "
                     "sudo apt-get update && sudo apt-get install linux-headers-$(dpkg --print-architecture) "
                     "nvidia-driver firmware-misc-nonfree, then reboot.")
        return _("Rebuild and load the module for the running kernel: sudo apt-get install linux-headers-$(uname -r) "
                 "&& sudo apt-get install --reinstall nvidia-kernel-dkms (or `sudo dkms autoinstall`), then sudo "
                 "modprobe nvidia, or reboot.")
    if fam is None or fam == "ubuntu":
        return None
    if problem_id == "driver.missing":
        return not_managed(_driver_install_fix(facts, fam))
    if fam == "rhel":
        fix = _("Rebuild and load the module for the running kernel: sudo dnf install kernel-devel-$(uname -r) "
                "kernel-headers && sudo dkms autoinstall (RPM Fusion's akmod-nvidia: sudo akmods --force), then "
                "sudo modprobe nvidia, or reboot.")
    elif fam == "suse":
        fix = _("Load the module for the running kernel: reboot into the kernel the driver was built for, or "
                "reinstall the driver's kernel module package for this kernel (a DKMS driver: sudo zypper install "
                "kernel-default-devel && sudo dkms autoinstall), then sudo modprobe nvidia.")
    elif fam == "arch":
        fix = _("Load the module for the running kernel: after a kernel update, reboot (nvidia-open follows the "
                "linux package); with nvidia-open-dkms or another kernel: sudo pacman -S linux-headers (that "
                "kernel's headers package) && sudo dkms autoinstall, then sudo modprobe nvidia.")
    else:
        fix = _("Rebuild and load the NVIDIA module for the running kernel the way your distribution does (its "
                "kernel headers and a DKMS rebuild, or its driver package for this kernel), then sudo modprobe "
                "nvidia, or reboot.")
    return not_managed(fix)


def _driver_install_fix(facts: Facts, fam: str) -> str:
    """How a dnf, zypper, pacman or unknown host installs the driver (NVIDIA's driver installation
    guide; the distribution's own packages beside it)."""
    if fam == "rhel":
        repo = _cuda_repo(facts)
        if repo is None:
            return _("Install the driver from NVIDIA's CUDA repository as NVIDIA's driver installation guide "
                     "says for this release (sudo dnf install nvidia-open once the repository is added), or the "
                     "way your distribution does (Fedora: RPM Fusion's akmod-nvidia); then reboot.")
        url = "https://developer.download.nvidia.com/compute/cuda/repos/{r}/x86_64/cuda-{r}.repo".format(r=repo)
        # Fedora 41 moved to dnf5, whose config-manager takes a subcommand instead of --add-repo
        dnf5 = repo.startswith("fedora") and int(repo[len("fedora"):]) >= 41
        add = ("sudo dnf config-manager addrepo --from-repofile=" if dnf5 else
               "sudo dnf config-manager --add-repo ") + url
        # RHEL 8/9 and Amazon Linux 2023 pick the driver through a module stream; 10 and Fedora do not
        stream = repo in ("rhel8", "rhel9", "amzn2023")
        install = ("sudo dnf module enable -y nvidia-driver:open-dkms && sudo dnf install -y nvidia-open"
                   if stream else "sudo dnf install -y nvidia-open")
        return _("Install the driver from NVIDIA's CUDA repository (NVIDIA's driver installation guide; sbsa "
                 "instead of x86_64 on Arm servers): {add} && {install}, or the way your distribution does "
                 "(Fedora: RPM Fusion's akmod-nvidia); then reboot.").format(add=add, install=install)
    if fam == "suse":
        return _("Install the driver from NVIDIA's CUDA repository for SUSE "
                 "(https://developer.download.nvidia.com/compute/cuda/repos/opensuse15/ or sles15/, as NVIDIA's "
                 "driver installation guide says) or from openSUSE's own NVIDIA repository (YaST, zypper); then "
                 "reboot.")
    if fam == "arch":
        return _("sudo pacman -S nvidia-open (Turing and newer GPUs; nvidia-open-dkms for a kernel other than "
                 "linux; older GPUs: the Arch Wiki's NVIDIA page), then reboot.")
    return _("Install NVIDIA's driver the way your distribution does (or NVIDIA's .run installer from "
             "https://www.nvidia.com/drivers), then reboot.")


def check_driver(facts: Facts) -> List[Finding]:
    smi, kmod = facts.nvidia_smi, facts.kernel_module
    if not known(smi):
        if known(kmod):
            return [ok("nvidia-driver", AREA, _("NVIDIA kernel module {v} loaded").format(v=kmod.version),
                       evidence=["NVRM version: %s" % kmod.version])]
        return [skip("nvidia-driver", AREA, _("NVIDIA driver state not known"), unknown_reason(smi))]
    err = smi.error
    line = [smi.error_line] if smi.error_line else []
    if err == "not-found":
        if is_wsl(facts):
            return [problem("nvidia-driver", AREA, "os.wsl",
                            _("nvidia-smi is missing inside WSL: install or update the NVIDIA driver on "
                              "Windows (it provides /usr/lib/wsl/lib/nvidia-smi)."), line)]
        return [problem("nvidia-driver", AREA, "driver.missing",
                        _("nvidia-smi is not installed."), line or ["nvidia-smi: command not found"],
                        fix=distro_driver_fix(facts, "driver.missing"))]
    if err in ("no-driver", "lib-not-found"):
        mods = facts.modules
        if known(mods) and mods.has("nouveau") and not mods.has("nvidia"):
            return [problem("nvidia-driver", AREA, "driver.nouveau",
                            _("nouveau is loaded and holds the GPU."), line + ["lsmod: nouveau"])]
        blob = "\n".join(t for t in (facts.notes, facts.text("dmesg"), facts.error) if t)
        sb = quote(blob, "Required key not available", "Key was rejected", "module verification failed")
        if sb:
            return [problem("nvidia-driver", AREA, "driver.secure-boot",
                            _("The kernel refused the NVIDIA module (Secure Boot)."), line + sb)]
        if err == "lib-not-found":
            return [problem("nvidia-driver", AREA, "driver.missing",
                            _("nvidia-smi cannot find the driver's NVML library: the driver is missing or "
                              "half-installed."), line, fix=distro_driver_fix(facts, "driver.missing"))]
        return [problem("nvidia-driver", AREA, "driver.not-loaded",
                        _("nvidia-smi cannot talk to the driver: the kernel module is not loaded "
                          "(often a kernel update without a DKMS rebuild)."), line,
                        fix=distro_driver_fix(facts, "driver.not-loaded"))]
    if err in ("version-mismatch", "function-not-found"):
        ev = line + _package_driver_versions(facts)
        if known(kmod):
            ev.append("kernel module: %s" % kmod.version)
        return [problem("nvidia-driver", AREA, "driver.version-mismatch",
                        _("The loaded kernel module and the installed NVIDIA libraries are different "
                          "versions (driver updated, host not rebooted)."), ev)]
    if err == "nvml-unknown":
        return [problem("nvidia-driver", AREA, "driver.not-loaded",
                        _("NVML cannot initialise on the host."), line, status=WARN)]
    if err == "no-devices":
        return [skip("nvidia-driver", AREA, _("nvidia-smi found no devices"))]
    if err:
        return [problem("nvidia-driver", AREA, "driver.not-loaded",
                        _("nvidia-smi failed."), line, status=WARN)]
    # nvidia-smi works: does the loaded module agree with it?
    if known(kmod) and smi.driver_version and kmod.version != smi.driver_version and not is_wsl(facts):
        return [problem("nvidia-driver", AREA, "driver.version-mismatch",
                        _("nvidia-smi reports driver {a}, the loaded kernel module is {b}.").format(
                            a=smi.driver_version, b=kmod.version),
                        ["Driver Version: %s" % smi.driver_version, "NVRM version: %s" % kmod.version])]
    cuda = smi.cuda_version or "?"
    return [ok("nvidia-driver", AREA, _("NVIDIA driver {v} (supports CUDA up to {c})").format(
        v=smi.driver_version or "?", c=cuda),
        evidence=["Driver Version: %s  CUDA Version: %s" % (smi.driver_version, cuda)])]


def check_modules(facts: Facts) -> List[Finding]:
    mods = facts.modules
    if not known(mods):
        return []
    has_gpu = smi_ok(facts) or (known(facts.pci) and facts.pci.has_nvidia_gpu)
    if mods.has("nouveau") and not mods.has("nvidia") and (has_gpu or not known(facts.pci)):
        return [problem("kernel-modules", AREA, "driver.nouveau",
                        _("The nouveau module is loaded and nvidia is not."), ["lsmod: nouveau"])]
    if mods.has("nvidia") and not mods.has("nvidia_uvm"):
        return [problem("kernel-modules", AREA, "driver.uvm-missing",
                        _("nvidia is loaded but nvidia_uvm is not: CUDA in containers fails until it "
                          "loads."), ["lsmod: nvidia (no nvidia_uvm)"], status=WARN)]
    if mods.has("nvidia"):
        return [ok("kernel-modules", AREA, _("nvidia and nvidia_uvm modules loaded"))]
    return []
