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
ALL_INSTALLED = "".join("%s 1.0 install ok installed\n" % p for p in pk.WANTED)


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
