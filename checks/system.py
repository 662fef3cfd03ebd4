"""OS and host: supported release, WSL, pending reboot."""
from __future__ import annotations


from dldoctor.checks import ok, problem, skip, unknown_reason
from dldoctor.derived import OTHER_FAMILIES as FAMILIES_BESIDE_APT, family, is_wsl
from dldoctor.facts import Facts, known
from dldoctor.i18n import _
from dldoctor.model import WARN, Finding
from dldoctor.parse.version import version_tuple

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import List

AREA = "system"
# Oldest release each apt family is still served on by docker-ce and the toolkit (facts.md §3, §8).
MIN_RELEASE = {"ubuntu": (20, 4), "debian": (11,)}
APT_FAMILY = ("debian", "ubuntu")
OTHER_FAMILIES = tuple(f for f, _ids in FAMILIES_BESIDE_APT)   # known to family(), not apt
EOL_RPM = {"centos": (8, 99), "rhel": (7, 99)}  # CentOS Linux 7/8 and RHEL 7 are end of life


def check_os(facts: Facts) -> List[Finding]:
    os_rel = facts.os
    if not known(os_rel):
        release, lsb = facts.raw.get("os-release"), facts.raw.get("lsb-release")
        if release is not None and release.missing and not (lsb is not None and lsb.text):
            return [skip("os", AREA, _("Operating system not known"),
                         _("This host has no /etc/os-release (nor /usr/lib/os-release)."))]
        return [skip("os", AREA, _("Operating system not known"), unknown_reason(os_rel))]
    name = os_rel.pretty_name or " ".join(x for x in (os_rel.id, os_rel.version_id) if x)
    fam = family(os_rel)
    ev = [_("OS: {name}").format(name=name)]
    if os_rel.id in MIN_RELEASE and os_rel.version_id:
        ver = version_tuple(os_rel.version_id)
        if ver and ver < MIN_RELEASE[os_rel.id]:
            return [problem("os", AREA, "os.unsupported",
                            _("{name} is end of life: docker-ce and the NVIDIA Container Toolkit no "
                              "longer publish packages for it.").format(name=name), ev, status=WARN)]
    if os_rel.id in EOL_RPM and os_rel.version_id:
        ver = version_tuple(os_rel.version_id)
        if ver and ver[0] <= 8 and (os_rel.id != "rhel" or ver[0] <= 7):
            return [problem("os", AREA, "os.unsupported",
                            _("{name} is end of life.").format(name=name), ev, status=WARN)]
    if fam not in APT_FAMILY + OTHER_FAMILIES:
        # an ID that names no family dldoctor knows (nor does its ID_LIKE): nothing here can say
        # that Docker's or NVIDIA's packages exist for it, and fix's apt steps do not apply
        return [problem("os", AREA, "os.unsupported",
                        _("{name} is a distribution dldoctor does not know: docker-ce and the NVIDIA "
                          "Container Toolkit may not publish packages for it, and `fix` manages only "
                          "Debian and Ubuntu.").format(name=name), ev, status=WARN,
                        fix=_("Install Docker, the NVIDIA driver and the NVIDIA Container Toolkit the way "
                              "your distribution does; dldoctor fix only manages Debian and Ubuntu."))]
    if fam not in APT_FAMILY:
        return [ok("os", AREA, _("{name} (not an apt distribution: `fix` apt steps do not apply)")
                   .format(name=name), evidence=ev)]
    return [ok("os", AREA, name, evidence=ev)]


def check_wsl(facts: Facts) -> List[Finding]:
    if not is_wsl(facts):
        return []
    kern = facts.kernel
    ev = [kern.raw.strip()] if known(kern) and getattr(kern, "raw", None) else []
    linux_driver = []
    if known(facts.packages):
        linux_driver = sorted(n for n in facts.packages.packages
                              if n.startswith(("nvidia-driver-", "nvidia-dkms-", "nvidia-kernel-"))
                              and facts.packages.installed(n))
    if known(kern) and getattr(kern, "wsl_version", None) == 1:
        return [problem("wsl", AREA, "os.wsl-gpu-unsupported",
                        _("This is WSL 1 (kernel release ending in -Microsoft): WSL 1 has no GPU support; "
                          "convert the distribution to WSL 2."), ev)]
    if linux_driver:
        return [problem("wsl", AREA, "os.wsl",
                        _("A Linux NVIDIA driver is installed inside WSL ({pkgs}); under WSL the "
                          "driver must come from Windows only.").format(pkgs=", ".join(linux_driver)),
                        ev + linux_driver)]
    return [ok("wsl", AREA, _("WSL 2: the GPU driver is the Windows one (do not install a Linux driver)"),
               evidence=ev)]


def check_reboot(facts: Facts) -> List[Finding]:
    if facts.reboot_required:
        ev = facts.raw.get("reboot-required")
        return [problem("reboot", AREA, "os.reboot-required",
                        _("{path} exists: packages were updated that need a reboot.").format(
                            path=ev.source if ev else "/var/run/reboot-required"),
                        [ev.text if ev and ev.text else "*** System restart required ***"], status=WARN)]
    return []
