"""packages planning: update first, removals named before they run, only what is missing installed."""
from __future__ import annotations

import pytest

from dldoctor.errors import Refused
from dldoctor.facts import Facts, Unknown
from dldoctor.model import Run
from dldoctor.provision import packages as pk
from dldoctor.provision.options import FixOptions

from provision_fakes import make_facts

ENV = (("DEBIAN_FRONTEND", "noninteractive"),)
OPTS = ("-o", "Dpkg::Options::=--force-confdef", "-o", "Dpkg::Options::=--force-confold")

# `dpkg-query -W -f='${Package} ${Version} ${Status}\n'` lines, as LiveHost collects them.
DISTRO_DOCKER = """docker.io 20.10.24+dfsg1-1+b3 install ok installed
containerd 1.6.20~ds1-1+b1 install ok installed
runc 1.1.5+ds1-1+deb12u1 install ok installed
nvidia-docker2 2.13.0-1 install ok installed
docker-compose 1.29.2-3 deinstall ok config-files
"""
ALL_INSTALLED = "".join("%s %s install ok installed\n" % (p, "1.17.8-1" if p.startswith("nvidia") else "1.0")
                        for p in pk.WANTED)


def test_fresh_host_installs_everything_after_update():
    plan = pk.plan(make_facts(packages=""))
    assert plan.changes == (
        Run(("apt-get", "update"), plan.changes[0].why, None, ENV),
        Run(("apt-get", "install", "-y") + OPTS + pk.WANTED, plan.changes[1].why,
            ("apt-get", "remove", "-y") + OPTS + pk.WANTED, ENV, partial=True),
    )
    assert pk.WANTED == ("docker-ce", "docker-ce-cli", "containerd.io", "docker-buildx-plugin",
                         "docker-compose-plugin", "nvidia-container-toolkit")


def test_working_distro_docker_is_kept_and_only_the_toolkit_added():
    plan = pk.plan(make_facts(packages=DISTRO_DOCKER), FixOptions())
    update, remove, install = plan.changes
    assert remove.argv == ("apt-get", "remove", "-y") + OPTS + ("nvidia-docker2",)  # legacy only
    assert install.argv == ("apt-get", "install", "-y") + OPTS + ("nvidia-container-toolkit",)
    assert plan.notes[0].startswith("keeps docker.io 20.10.24+dfsg1-1+b3: docker.io "
                                    "20.10.24+dfsg1-1+b3 meets the NVIDIA Container Toolkit's needs")
    assert "--engine docker-ce" in plan.notes[0]
    assert not any("stops the Docker daemon" in w for w in plan.warnings)
    assert pk.keeps_distro_engine(make_facts(packages=DISTRO_DOCKER), FixOptions()).package == \
        "docker.io"


def test_distro_docker_too_old_for_cgroup_v2_is_replaced():
    from dldoctor.parse.cgroup import CgroupInfo

    facts = make_facts(packages=DISTRO_DOCKER.replace("20.10.24", "19.03.13"))
    facts.cgroup = CgroupInfo(2)
    found = pk.engine(facts)
    assert found.distro and not found.supported and "cgroup v2" in found.why
    plan = pk.plan(facts, FixOptions())
    assert "docker.io" in plan.changes[1].argv
    assert any(n.startswith("replaces docker.io 19.03.13") and "cgroup v2" in n for n in plan.notes)


def test_conflicting_packages_are_named_and_removed_before_install():
    plan = pk.plan(make_facts(packages=DISTRO_DOCKER), FixOptions(engine="docker-ce"))
    update, remove, install = plan.changes
    assert update.argv == ("apt-get", "update")
    assert remove.argv == ("apt-get", "remove", "-y") + OPTS + (
        "docker.io", "containerd", "runc", "nvidia-docker2")
    # Undo puts the exact versions back.
    assert remove.undo == ("apt-get", "install", "-y") + OPTS + (
        "docker.io=20.10.24+dfsg1-1+b3", "containerd=1.6.20~ds1-1+b1",
        "runc=1.1.5+ds1-1+deb12u1", "nvidia-docker2=2.13.0-1")
    assert remove.env == ENV and "deprecated by NVIDIA" in remove.why
    assert install.argv[-6:] == pk.WANTED
    assert plan.notes[0] == "replaces docker.io 20.10.24+dfsg1-1+b3 with Docker CE: --engine docker-ce"
    assert plan.notes[1] == ("will REMOVE: docker.io 20.10.24+dfsg1-1+b3 containerd 1.6.20~ds1-1+b1 "
                             "runc 1.1.5+ds1-1+deb12u1 nvidia-docker2 2.13.0-1 "
                             "(configuration files are kept)")
    assert any("stops the Docker daemon" in w for w in plan.warnings)


def test_only_what_is_missing_is_installed():
    listing = "".join("%s 1.0 install ok installed\n" % p for p in pk.WANTED
                      if p not in ("docker-buildx-plugin", "nvidia-container-toolkit"))
    plan = pk.plan(make_facts(packages=listing))
    assert [c.argv[-2:] for c in plan.changes] == [("apt-get", "update"),
                                                   ("docker-buildx-plugin", "nvidia-container-toolkit")]


def test_everything_installed_is_an_empty_plan():
    plan = pk.plan(make_facts(packages=ALL_INSTALLED))
    assert plan.empty and plan.notes


def test_unknown_packages_are_refused():
    facts = Facts()
    facts.packages = Unknown("not collected (packages)")
    with pytest.raises(Refused, match="cannot tell which packages are installed"):
        pk.plan(facts)


def test_step_object():
    assert pk.step.name == "packages" == pk.name
    assert pk.step.plan(make_facts(packages=ALL_INSTALLED), None).empty


def test_check_names_the_engine_package_and_whether_it_is_supported():
    from dldoctor.checks.docker import check_engine
    from dldoctor.host import Evidence
    from dldoctor.parse.cgroup import CgroupInfo

    facts = make_facts(packages=DISTRO_DOCKER)
    facts.raw["docker-version"] = Evidence("docker-version", "", exit=0)   # docker is there
    [finding] = check_engine(facts)
    assert finding.status == "ok"
    assert finding.title == ("Docker Engine 20.10.24+dfsg1-1+b3 (docker.io, the distribution's "
                             "package): supported")
    old = make_facts(packages=DISTRO_DOCKER.replace("20.10.24", "19.03.13"))
    old.raw["docker-version"] = Evidence("docker-version", "", exit=0)
    old.cgroup = CgroupInfo(2)
    [finding] = check_engine(old)
    assert finding.status == "warn" and finding.title.endswith("not supported")
    assert "cgroup v2" in finding.detail


# --- nvidia-docker2 hosts: the runtime program daemon.json names stays (ux10 F1) ----------------

# Ubuntu 20.04 with the classic nvidia-docker2 setup (toolkit 1.4.2: before 1.11,
# /usr/bin/nvidia-container-runtime came from the nvidia-container-runtime package).
NVIDIA_DOCKER2_HOST = {
    "docker.io": "24.0.7-0ubuntu2~20.04.1", "containerd": "1.7.12-0ubuntu2~20.04.1",
    "runc": "1.1.12-0ubuntu2~20.04.1", "nvidia-docker2": "2.5.0-1",
    "nvidia-container-runtime": "3.4.2-1", "nvidia-container-toolkit": "1.4.2-1",
    "libnvidia-container1": "1.3.3-1", "libnvidia-container-tools": "1.3.3-1",
}
LEGACY_AWAY = ("nvidia-docker2-", "nvidia-container-runtime-")


def listing(versions):
    return "".join("%s %s install ok installed\n" % (p, v) for p, v in versions.items())


def test_an_old_toolkit_is_upgraded_in_the_run_that_removes_nvidia_docker2():
    """The plan removed nvidia-docker2 and nvidia-container-runtime (which ships the runtime
    program for toolkit < 1.11) and installed nothing, the toolkit being "installed": Docker's
    default runtime then pointed at a removed file."""
    plan = pk.plan(make_facts(packages=listing(NVIDIA_DOCKER2_HOST), os_release="ubuntu-20.04"),
                   FixOptions())
    update, toolkit = plan.changes                 # no separate `apt-get remove` before it
    assert toolkit.argv == ("apt-get", "install", "-y") + OPTS + (
        "nvidia-container-toolkit", "nvidia-container-toolkit-base") + LEGACY_AWAY
    assert toolkit.undo == ("apt-get", "install", "-y", "--allow-downgrades") + OPTS + (
        "nvidia-docker2=2.5.0-1", "nvidia-container-runtime=3.4.2-1",
        "nvidia-container-toolkit=1.4.2-1", "libnvidia-container1=1.3.3-1",
        "libnvidia-container-tools=1.3.3-1")     # what the toolkit's upgrade took along, put back too
    assert toolkit.partial and toolkit.env == ENV
    assert not any(c.argv[:2] == ("apt-get", "remove") for c in plan.changes)
    assert any(n.startswith("will UPGRADE nvidia-container-toolkit 1.4.2-1") for n in plan.notes)
    assert not any("only the toolkit is added" in n for n in plan.notes)   # it added nothing


@pytest.mark.parametrize("version", ["1.10.0-1", ""])
def test_a_toolkit_before_1_11_or_of_unknown_version_is_upgraded_too(version):
    host = dict(NVIDIA_DOCKER2_HOST, **{"nvidia-container-toolkit": version,
                                        "libnvidia-container1": version or "1.10.0-1",
                                        "libnvidia-container-tools": version or "1.10.0-1"})
    plan = pk.plan(make_facts(packages=listing(host)), FixOptions())
    assert plan.changes[-1].argv[-4:] == ("nvidia-container-toolkit",
                                          "nvidia-container-toolkit-base") + LEGACY_AWAY
    assert ("nvidia-container-toolkit=1.10.0-1" in plan.changes[-1].undo) == bool(version)
    assert "nvidia-container-runtime=3.4.2-1" in plan.changes[-1].undo


def test_a_toolkit_from_1_11_keeps_the_plain_removal():
    """From 1.11 nvidia-container-toolkit-base ships the program: removing the deprecated
    packages alone is safe and nothing is upgraded."""
    host = dict(NVIDIA_DOCKER2_HOST, **{"nvidia-container-toolkit": "1.13.5-1",
                                        "nvidia-container-toolkit-base": "1.13.5-1",
                                        "libnvidia-container1": "1.13.5-1",
                                        "libnvidia-container-tools": "1.13.5-1"})
    plan = pk.plan(make_facts(packages=listing(host)), FixOptions())
    update, remove = plan.changes
    assert remove.argv == ("apt-get", "remove", "-y") + OPTS + ("nvidia-docker2",
                                                                "nvidia-container-runtime")
    assert not any("UPGRADE" in n for n in plan.notes)


def test_a_pre_toolkit_runtime_is_removed_in_the_run_that_installs_the_toolkit():
    """nvidia-container-runtime 3.1 with its hook and no toolkit package (a 2019 setup): it was
    removed in one apt-get run and the toolkit installed in the next, leaving no runtime program
    in between (and for good when the install failed)."""
    host = {"docker.io": "20.10.21-0ubuntu1~20.04.2", "nvidia-docker2": "2.2.2-1",
            "nvidia-container-runtime": "3.1.4-1", "nvidia-container-runtime-hook": "1.4.0-1"}
    plan = pk.plan(make_facts(packages=listing(host)), FixOptions())
    update, toolkit = plan.changes
    assert toolkit.argv[-4:] == ("nvidia-container-toolkit", "nvidia-container-toolkit-base") \
        + LEGACY_AWAY
    assert toolkit.undo[-2:] == ("nvidia-docker2=2.2.2-1", "nvidia-container-runtime=3.1.4-1")
    assert any(n.startswith("will install nvidia-container-toolkit in the same apt-get run")
               for n in plan.notes)


def test_docker_ce_replacement_keeps_its_own_runs_beside_the_toolkit_upgrade():
    plan = pk.plan(make_facts(packages=listing(NVIDIA_DOCKER2_HOST)), FixOptions(engine="docker-ce"))
    update, remove, install, toolkit = plan.changes
    assert remove.argv[-3:] == ("docker.io", "containerd", "runc")     # the distribution's only
    assert install.argv[-5:] == pk.DOCKER_PACKAGES
    assert install.undo == ("apt-get", "remove", "-y") + OPTS + pk.DOCKER_PACKAGES
    assert toolkit.argv[-4:] == ("nvidia-container-toolkit", "nvidia-container-toolkit-base") \
        + LEGACY_AWAY
    [removing] = [n for n in plan.notes if n.startswith("will REMOVE")]
    assert "nvidia-docker2 2.5.0-1 nvidia-container-runtime 3.4.2-1" in removing


def test_the_upgrade_needs_nvidias_repository_when_apt_repos_is_not_adding_it():
    """Without it apt finds only the installed 1.4.2, removes the deprecated packages and
    upgrades nothing."""
    with pytest.raises(Refused, match=r"NVIDIA's \(for nvidia-container-toolkit\)"):
        pk.plan(make_facts(packages=listing(NVIDIA_DOCKER2_HOST)), FixOptions(running=("packages",)))


@pytest.mark.parametrize("toolkit, lib, upgraded", [("1.7.0-1", "1.7.0-1", True), ("", "1.5.1-1", True),
                                                    ("1.8.0-1", "1.8.0-1", False)])
def test_a_toolkit_too_old_for_cgroup_v2_is_upgraded(toolkit, lib, upgraded):
    """toolkit.too-old-for-cgroup-v2's fix is `fix --only apt-repos --only packages`, and the
    packages step left an installed toolkit of any version alone: the fix did nothing."""
    host = {p: "5:27.5.1-1~ubuntu.22.04~jammy" for p in pk.DOCKER_PACKAGES}
    host.update({"nvidia-container-toolkit": toolkit, "libnvidia-container1": lib,
                 "libnvidia-container-tools": lib})
    plan = pk.plan(make_facts(packages=listing(host)), FixOptions())
    if not upgraded:
        assert not plan.changes, plan
        return
    update, run = plan.changes
    assert run.argv == ("apt-get", "install", "-y") + OPTS + ("nvidia-container-toolkit",
                                                              "nvidia-container-toolkit-base")
    assert run.undo[-2:] == ("libnvidia-container1=" + lib, "libnvidia-container-tools=" + lib)
    assert any(n.startswith("will UPGRADE nvidia-container-toolkit") and "cgroup v2" in n
               for n in plan.notes), plan.notes

