"""packages step: Docker CE and the NVIDIA Container Toolkit from the repositories apt-repos set up.

The plan, in the order it runs:
1. `apt-get update` (the sources apt-repos wrote must be read before anything installs);
2. `apt-get remove -y` of what conflicts, each package named in the plan before anything runs:
   the distribution's Docker packages (docker.io docker-compose docker-compose-v2 docker-doc
   podman-docker containerd runc: Docker's install docs remove these first) and the deprecated
   nvidia-docker2 / nvidia-container-runtime. `remove`, not `purge`: configuration files such as
   /etc/docker/daemon.json stay. Undo reinstalls the exact versions that were removed;
3. `apt-get install -y` of what is missing from docker-ce docker-ce-cli containerd.io
   docker-buildx-plugin docker-compose-plugin nvidia-container-toolkit. Undo removes them again.
   When nvidia-docker2 / nvidia-container-runtime go and the toolkit is older than 1.11 (or
   missing beside nvidia-container-runtime), they are removed in the `apt-get install` that
   installs or upgrades the toolkit instead, so the step does not end with the runtime program
   gone (_toolkit_with_legacy).
apt runs non-interactively (DEBIAN_FRONTEND=noninteractive; an existing changed conffile is kept,
--force-confold) and its own error text is what the executor shows when it fails.
Nothing installed and nothing conflicting means an empty plan (no `apt-get update` either).
When apt-repos is left out of the run or blocked, the step refuses to install what no listed
repository serves (Docker's, NVIDIA's, or a mirror of them).

A distribution Docker (docker.io) that meets the toolkit's needs (--gpus: 19.03; cgroup v2: 20.10)
is kept: then only the toolkit is installed, and apt-repos leaves Docker's repository out.
`--engine docker-ce` replaces it anyway (removing docker.io stops running containers).
Docker CE is not installed beside Docker's snap (refused until `snap remove docker`). Removing runc
removes podman too (it depends on crun | runc) unless crun is installed: refused without
`--engine docker-ce`, and with it podman is named in the removal (and put back by undo).

Pure: `plan(facts, options)` reads `facts.packages` (`.installed(name)` -> state or None) only.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, List, Optional, Sequence, Tuple, Union

from dldoctor.derived import Engine, engine, family, installed_state, state_version, vendor_repos
from dldoctor.errors import Refused
from dldoctor.facts import Facts, known
from dldoctor.i18n import _
from dldoctor.parse.version import version_tuple
from dldoctor.plans import Plan, Run
from dldoctor.provision.step import PureStep

if TYPE_CHECKING:
    from dldoctor.parse.dpkg import Packages as DpkgPackages  # the class below is the step
    from dldoctor.provision.options import FixOptions

name = "packages"

DOCKER_PACKAGES = ("docker-ce", "docker-ce-cli", "containerd.io", "docker-buildx-plugin",
                   "docker-compose-plugin")
TOOLKIT_PACKAGES = ("nvidia-container-toolkit",)
WANTED = DOCKER_PACKAGES + TOOLKIT_PACKAGES
# Docker's install docs: "Uninstall all conflicting packages" (engine/install/ubuntu.md, debian.md).
DISTRO_CONFLICTS = ("docker.io", "docker-compose", "docker-compose-v2", "docker-doc",
                    "podman-docker", "containerd", "runc")
# Deprecated by NVIDIA (CTK v1.15.0: "Remove nvidia-container-runtime and nvidia-docker2 packages").
NVIDIA_DEPRECATED = ("nvidia-docker2", "nvidia-container-runtime")
# nvidia-container-toolkit-base, which ships /usr/bin/nvidia-container-runtime (the program
# daemon.json's "nvidia" runtime runs) whatever else is removed, first came with toolkit 1.11.
TOOLKIT_BASE_SINCE = (1, 11)
# libnvidia-container before 1.8 cannot set up a container's devices on a cgroup v2 host (the
# catalog's toolkit.too-old-for-cgroup-v2, whose fix is this step): such a toolkit is upgraded.
CGROUP_V2_SINCE = (1, 8)
LIBS = ("libnvidia-container1", "libnvidia-container-tools")

APT_ENV: Tuple[Tuple[str, str], ...] = (("DEBIAN_FRONTEND", "noninteractive"),)
APT_OPTS: Tuple[str, ...] = ("-o", "Dpkg::Options::=--force-confdef",
                             "-o", "Dpkg::Options::=--force-confold")


class Packages(PureStep):
    name = name

    def plan(self, facts: Facts, options: Optional[FixOptions]) -> Plan:
        return plan(facts, options)


class _NoneInstalled:
    """dpkg-query ran and listed nothing: none of the docker/containerd/nvidia packages exist."""

    @staticmethod
    def installed(name: str) -> None:
        return None


def installed_packages(facts: Facts) -> Union[DpkgPackages, _NoneInstalled]:
    """facts.packages, or "none installed" when dpkg-query was run and printed no line at all.

    (dpkg-query -W prints nothing on stdout when no pattern matches, which the dpkg parser cannot
    tell from garbage; an empty, collected `packages` evidence means exactly that.)
    """
    pkgs = getattr(facts, "packages", None)
    if known(pkgs):
        return pkgs
    ev = (getattr(facts, "raw", None) or {}).get("packages")
    if ev is not None and getattr(ev, "text", None) is not None and not ev.text.strip() \
            and getattr(ev, "exit", None) in (0, 1, None) and "dpkg-query" in (ev.source or ""):
        return _NoneInstalled()
    reason = getattr(pkgs, "reason", "not collected")
    raise Refused(_("packages: cannot tell which packages are installed ({reason}); refusing to "
                    "run apt without knowing what it would remove").format(reason=reason))


def keeps_distro_engine(facts: Facts, options: Optional[FixOptions]) -> Optional[Engine]:
    """The working distribution Docker fix keeps (None: Docker CE is installed or wanted)."""
    if getattr(options, "engine", None) == "docker-ce":
        return None
    found = engine(facts)
    return found if found is not None and found.distro and found.supported else None


def _require_repos(facts: Facts, missing: List[str], options: Optional[FixOptions]) -> None:
    """Refuse to install from a vendor repository the host does not list when apt-repos is not
    adding it in this run: apt would remove the conflicting packages, then find nothing to install."""
    found = vendor_repos(facts, [b for b in [getattr(options, "docker_apt_base", None)] if b],
                         [b for b in [getattr(options, "nvidia_apt_base", None)] if b])
    lacking = []
    if any(p in DOCKER_PACKAGES for p in missing) and not (found and found[0]):
        lacking.append(_("Docker's (for {packages})").format(
            packages=" ".join(p for p in missing if p in DOCKER_PACKAGES)))
    if any(p in TOOLKIT_PACKAGES for p in missing) and not (found and found[1]):
        lacking.append(_("NVIDIA's (for {packages})").format(
            packages=" ".join(p for p in missing if p in TOOLKIT_PACKAGES)))
    if not lacking:
        return
    src = facts.apt_sources
    if found is None:
        why = _("the apt sources were not read")
    elif getattr(src, "cut", False):
        why = _("the apt sources were read only in part (sources.list.d holds more files than "
                "dldoctor reads), and none read is one of them")
    else:
        why = _("no source apt reads is one of them (an internal mirror: give its base with "
                "--docker-apt-base or --nvidia-apt-base)")
    raise Refused(_("packages: needs the apt repositories {repos}, which apt-repos is not adding in "
                    "this run, and {why}").format(repos=_(", ").join(lacking), why=why),
                  unblock=_("let apt-repos add them (run fix without --skip apt-repos, or mend what "
                            "blocked it), or add them yourself"))


def _snap_docker(facts: Facts) -> Optional[str]:
    """Evidence that Docker is the snap (check's docker.snap): its docker on PATH, the daemon.json
    its dockerd reads, or its daemon's data root."""
    docker = (getattr(facts, "binaries", None) or {}).get("docker") or ""
    if docker.startswith("/snap/"):
        return docker
    path = getattr(facts, "daemon_json_path", None) or ""
    if path.startswith("/var/snap/docker/"):
        return path
    info = getattr(facts, "docker_info", None)
    root_dir = (getattr(info, "docker_root_dir", None) if known(info) else None) or ""
    return root_dir if root_dir.startswith("/var/snap/docker/") else None


def _refuse_beside_snap(facts: Facts, missing: List[str]) -> None:
    """Docker CE installed beside Docker's snap is a second Docker daemon, and the snap's, which
    the NVIDIA toolkit does not configure, stays: the snap goes first (check's docker.snap)."""
    snap = _snap_docker(facts)
    if snap is None or not any(p in DOCKER_PACKAGES for p in missing):
        return
    raise Refused(_("packages: Docker is the snap package ({evidence}); Docker CE installed beside it "
                    "would be a second Docker daemon, and the NVIDIA Container Toolkit does not "
                    "configure the snap's").format(evidence=snap),
                  unblock=_("sudo snap remove docker, then run fix again, or --skip packages"))


def _podman_goes(pkgs: Union[DpkgPackages, _NoneInstalled], removed: List[str]) -> bool:
    """Removing runc removes podman too: podman depends on crun | runc, and crun is not there."""
    return "runc" in removed and installed_state(pkgs, "podman") is not None \
        and installed_state(pkgs, "crun") is None


def _toolkit_with_legacy(legacy: List[Tuple[str, Optional[str]]], toolkit: Optional[str],
                         libs: Sequence[Tuple[str, str]] = ()) -> Tuple[Run, str]:
    """One `apt-get install` that installs (or upgrades) the toolkit and removes the deprecated
    packages: before 1.11 the runtime program daemon.json names may be the nvidia-container-runtime
    package's, so removing it first (or alone) leaves Docker's "nvidia" runtime a missing file.

    One transaction, not install-then-remove: the current toolkit Breaks nvidia-container-runtime
    (<= 3.5.0-1), so apt would remove it during a plain install anyway, without the plan naming it;
    and when apt cannot resolve or fetch the install (an unreachable repository) it stops before
    dpkg runs, so nothing is removed (within the run dpkg removes, then unpacks, in moments).
    nvidia-container-toolkit-base is named so that apt refuses the whole transaction when the
    repository has no toolkit new enough to ship the program.
    `toolkit`: the installed version being upgraded ("" when unknown; None when not installed);
    `libs`: the libnvidia-container packages installed beside it, with their versions. With no
    `legacy` it is the upgrade of a toolkit too old for cgroup v2. Undo puts back the exact
    versions (a downgrade; apt drops the newer toolkit packages whose Breaks forbid them)."""
    argv = ("apt-get", "install", "-y") + APT_OPTS + TOOLKIT_PACKAGES + (
        "nvidia-container-toolkit-base",) + tuple(p + "-" for p, _v in legacy)
    back = ["%s=%s" % (p, v) if v else p for p, v in legacy]
    if toolkit:
        back += ["%s=%s" % (p, toolkit) for p in TOOLKIT_PACKAGES]
    if toolkit is not None:         # an upgrade takes the libraries along: they go back too
        back += ["%s=%s" % (p, v) for p, v in libs if v]
    names = ", ".join(p for p, _v in legacy)
    if not legacy:
        why = _("upgrade nvidia-container-toolkit {v} to the current release").format(
            v=toolkit or _("(version unknown)"))
        note = _("will UPGRADE nvidia-container-toolkit {v} (and the libnvidia-container packages it "
                 "needs) to the current release: before 1.8, libnvidia-container cannot set up a "
                 "container's GPUs on a cgroup v2 host").format(v=toolkit or _("(version unknown)"))
    elif toolkit is None:
        why = _("install nvidia-container-toolkit and remove {packages} in one apt-get run "
                "(deprecated by NVIDIA; the toolkit replaces them)").format(packages=names)
        note = _("will install nvidia-container-toolkit in the same apt-get run that removes "
                 "{packages}, so the run does not end with /usr/bin/nvidia-container-runtime "
                 "(Docker's \"nvidia\" runtime) missing").format(packages=names)
    else:
        why = _("upgrade nvidia-container-toolkit and remove {packages} in one apt-get run "
                "(deprecated by NVIDIA; the toolkit replaces them)").format(packages=names)
        note = _("will UPGRADE nvidia-container-toolkit {v} (and the libnvidia-container packages it "
                 "needs) to the current release in the same apt-get run that removes {packages}: "
                 "before 1.11 /usr/bin/nvidia-container-runtime, which Docker's \"nvidia\" runtime "
                 "runs, can come from those packages; from 1.11 nvidia-container-toolkit-base ships "
                 "it").format(v=toolkit or _("(version unknown)"), packages=names)
    undo = ("apt-get", "install", "-y", "--allow-downgrades") + APT_OPTS + tuple(back)
    return Run(argv, why, undo, APT_ENV, partial=True), note


def not_apt_unblock() -> str:
    """The way out of an apt step on a host without apt ("correct that" would send the user to mend
    what is not wrong): leave the apt steps out."""
    return _("dldoctor fix manages apt only: leave the step out with --only daemon-json or with "
             "--skip apt-repos --skip packages, and install packages the way your distribution "
             "does, as `dldoctor check` says")


def plan(facts: Facts, options: Optional[FixOptions] = None) -> Plan:
    os_rel = getattr(facts, "os", None)
    if known(os_rel) and family(os_rel) not in ("debian", "ubuntu"):
        shown = getattr(os_rel, "pretty_name", None) or getattr(os_rel, "id", None) or "?"
        raise Refused(_("packages: {name} is not Debian or Ubuntu: this step installs with apt and "
                        "dpkg").format(name=shown),
                      unblock=not_apt_unblock())
    pkgs = installed_packages(facts)
    kept = keeps_distro_engine(facts, options)
    wanted = TOOLKIT_PACKAGES if kept else WANTED
    missing = [p for p in wanted if installed_state(pkgs, p) is None]
    _refuse_beside_snap(facts, missing)
    conflicts: List[Tuple[str, Optional[str]]] = []
    for p in (() if kept else DISTRO_CONFLICTS) + NVIDIA_DEPRECATED:
        state = installed_state(pkgs, p)
        if state is not None:
            conflicts.append((p, state_version(state)))
    if _podman_goes(pkgs, [p for p, _v in conflicts]):
        if getattr(options, "engine", None) != "docker-ce":
            raise Refused(_("packages: removing runc, which Docker CE's containerd.io replaces, "
                            "removes podman too (it depends on crun or runc, and crun is not "
                            "installed)"),
                          unblock=_("--engine docker-ce replaces podman with Docker CE; to keep "
                                    "podman, --skip packages, install nvidia-container-toolkit and use "
                                    "CDI as NVIDIA documents it for podman: nvidia-ctk cdi generate "
                                    "--output=/etc/cdi/nvidia.yaml"))
        # named in the plan and put back by undo at its version, like the rest
        conflicts.append(("podman", state_version(installed_state(pkgs, "podman"))))
    # The deprecated packages go in the toolkit's own apt-get run when the toolkit is older than
    # 1.11 (or of unknown version), or missing while nvidia-container-runtime goes (a pre-toolkit
    # setup): see _toolkit_with_legacy. nvidia-docker2 alone ships no runtime program.
    deprecated = [(p, v) for p, v in conflicts if p in NVIDIA_DEPRECATED]
    toolkit_state = installed_state(pkgs, TOOLKIT_PACKAGES[0])
    toolkit_v = state_version(toolkit_state) or ""
    libs = [(p, state_version(installed_state(pkgs, p)) or "") for p in LIBS
            if installed_state(pkgs, p) is not None]
    versions = [version_tuple(v)[:2] for v in [toolkit_v] + [v for _p, v in libs] if version_tuple(v)]
    too_old = toolkit_state is not None and bool(versions) and min(versions) < CGROUP_V2_SINCE
    upgrade = toolkit_state is not None and (too_old or bool(deprecated)
                                             and version_tuple(toolkit_v)[:2] < TOOLKIT_BASE_SINCE)
    together = upgrade or (TOOLKIT_PACKAGES[0] in missing
                           and any(p == "nvidia-container-runtime" for p, _v in deprecated))
    keep_note: Tuple[str, ...] = ()
    if kept:
        keep_note = (_("keeps {pkg} {v}: {why}; --engine docker-ce replaces it with Docker CE "
                       "(running containers stop)").format(
                           pkg=kept.package, v=kept.version or "", why=kept.why),)
    if not missing and not conflicts and not upgrade:
        if kept:
            return Plan(step=name, notes=keep_note + (
                _("the NVIDIA Container Toolkit is installed"),))
        return Plan(step=name, notes=(_("Docker CE and the NVIDIA Container Toolkit are installed"),))

    repos_now = "apt-repos" not in getattr(options, "running", ("apt-repos",))
    if repos_now and (missing or upgrade):
        _require_repos(facts, missing + (list(TOOLKIT_PACKAGES) if upgrade else []), options)
    changes: List[Run] = [Run(("apt-get", "update"), _("read the package lists") if repos_now else
                              _("read the package lists of the repositories just configured"), None, APT_ENV)]
    notes: List[str] = list(keep_note)
    warnings: List[str] = []
    found = engine(facts)
    if found is not None and found.distro and not kept:
        notes.append(_("replaces {pkg} {v} with Docker CE: {why}").format(
            pkg=found.package, v=found.version or "",
            why=found.why if not found.supported else _("--engine docker-ce")))
    removed = [c for c in conflicts if not together or c[0] not in NVIDIA_DEPRECATED]
    if removed:
        names = tuple(p for p, _ in removed)
        reinstall = tuple("%s=%s" % (p, v) if v else p for p, v in removed)
        distro = [p for p in names if p in DISTRO_CONFLICTS]
        legacy = [p for p in names if p in NVIDIA_DEPRECATED]
        why = []
        if distro:
            why.append(_("{packages} conflict with Docker CE's packages").format(
                packages=", ".join(distro)))
        if legacy:
            why.append(_("{packages}: deprecated by NVIDIA (replaced by nvidia-container-toolkit)")
                       .format(packages=", ".join(legacy)))
        if "podman" in names:
            why.append(_("podman: depends on runc"))
        changes.append(Run(("apt-get", "remove", "-y") + APT_OPTS + names, _("; ").join(why),
                           ("apt-get", "install", "-y") + APT_OPTS + reinstall, APT_ENV, partial=True))
        if "podman" in names:
            warnings.append(_("removing runc removes podman too, which depends on it (and whatever "
                              "depends on podman)"))
        if any(p in ("docker.io", "containerd") for p in names) or (
                "runc" in names and found is not None):   # a podman host's runc runs no Docker
            warnings.append(_("removing {packages} stops the Docker daemon: running containers "
                              "stop. Images, containers and volumes under /var/lib/docker are kept "
                              "and Docker CE uses them.").format(
                packages=", ".join(p for p in names if p in ("docker.io", "containerd", "runc"))))
    if conflicts:
        notes.append(_("will REMOVE: {packages} (configuration files are kept)").format(
            packages=" ".join("%s %s" % (p, v) if v else p for p, v in conflicts)))
    if together:           # the toolkit's own run; Docker CE's packages keep theirs (below)
        missing = [p for p in missing if p not in TOOLKIT_PACKAGES]
    if missing:
        changes.append(Run(("apt-get", "install", "-y") + APT_OPTS + tuple(missing),
                           _("install {packages}").format(packages=" ".join(missing)),
                           ("apt-get", "remove", "-y") + APT_OPTS + tuple(missing), APT_ENV, partial=True))
        notes.append(_("will install: {packages}").format(packages=" ".join(missing)))
    if together:
        run, note = _toolkit_with_legacy(deprecated, toolkit_v if upgrade else None, libs)
        changes.append(run)
        notes.append(note)
    return Plan(step=name, changes=tuple(changes), notes=tuple(notes), warnings=tuple(warnings))


step = Packages()
