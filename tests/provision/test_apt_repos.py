"""apt-repos planning: rendered files, codenames, presets, pinned keys, legacy lists, idempotence.

Facts come from the real parsers over real fixture files (os-release, apt source lists); keys are
Docker's and NVIDIA's real public keys.
"""
from __future__ import annotations

import pytest

from dldoctor import openpgp
from dldoctor.errors import Refused, UsageError
from dldoctor.facts import Unknown
from dldoctor.model import FileRemove, FileWrite, Run
from dldoctor.provision import apt_repos as ar
from dldoctor.provision.options import FixOptions

from provision_fakes import (DOCKER_KEY, NVIDIA_KEY, MemoryHost, apt_fixture, changes_of, http,
                             make_facts)

DEBIAN_SOURCES = ("Types: deb\nURIs: http://deb.debian.org/debian\nSuites: bookworm bookworm-updates\n"
                  "Components: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n")


def inputs(arch="amd64", existing=None, docker=DOCKER_KEY, nvidia=NVIDIA_KEY):
    return ar.AptInputs(ar.KeyMaterial(docker, "test docker key"),
                        ar.KeyMaterial(nvidia, "test nvidia key"), dict(existing or {}), arch)


def plan_for(facts, options=None, **kw):
    return ar.AptRepos(inputs(**kw)).plan(facts, options or FixOptions())


def writes(plan):
    return {c.path: c for c in changes_of(plan, FileWrite)}


# --- rendered files -------------------------------------------------------------------------------


def test_docker_sources_exactly_for_ubuntu_jammy():
    plan = plan_for(make_facts("ubuntu-22.04"))
    assert writes(plan)[ar.DOCKER_SOURCES].after == (
        b"Types: deb\n"
        b"URIs: https://download.docker.com/linux/ubuntu\n"
        b"Suites: jammy\n"
        b"Components: stable\n"
        b"Architectures: amd64\n"
        b"Signed-By: /etc/apt/keyrings/docker.asc\n")
    assert writes(plan)[ar.DOCKER_SOURCES].before is None
    assert writes(plan)[ar.DOCKER_SOURCES].mode == 0o644


def test_docker_sources_for_debian_bookworm_without_known_arch():
    plan = plan_for(make_facts("debian-12"), arch=None)
    assert writes(plan)[ar.DOCKER_SOURCES].after == (
        b"Types: deb\nURIs: https://download.docker.com/linux/debian\nSuites: bookworm\n"
        b"Components: stable\nSigned-By: /etc/apt/keyrings/docker.asc\n")
    assert any("Architectures" in n for n in plan.notes)


def test_toolkit_list_line():
    plan = plan_for(make_facts("debian-12"))
    assert writes(plan)[ar.NVIDIA_LIST].after == (
        b"deb [signed-by=/usr/share/keyrings/nvidia-container-toolkit-keyring.gpg] "
        b"https://nvidia.github.io/libnvidia-container/stable/deb/$(ARCH) /\n"
        b"#deb [signed-by=/usr/share/keyrings/nvidia-container-toolkit-keyring.gpg] "
        b"https://nvidia.github.io/libnvidia-container/experimental/deb/$(ARCH) /\n")
    # The line is what NVIDIA's served list becomes after its own documented sed.
    served = apt_fixture("nvidia-container-toolkit.list.SERVED-stable-deb")
    sedded = served.replace("deb https://", "deb [signed-by=%s] https://" % ar.NVIDIA_KEYRING)
    assert writes(plan)[ar.NVIDIA_LIST].after.decode() == sedded
    assert apt_fixture("nvidia-container-toolkit.list-current-signed-by-as-shown").strip() == \
        writes(plan)[ar.NVIDIA_LIST].after.decode().splitlines()[0]


def test_keys_docker_armored_nvidia_dearmored():
    plan = plan_for(make_facts("debian-12"))
    w = writes(plan)
    assert w[ar.DOCKER_KEYRING].after == DOCKER_KEY
    assert w[ar.NVIDIA_KEYRING].after == openpgp.dearmor(NVIDIA_KEY)
    assert w[ar.NVIDIA_KEYRING].after[0] & 0x80  # binary OpenPGP, what apt's gpgv needs in a .gpg
    # Order: keys before the sources that name them.
    paths = [c.path for c in plan.changes]
    assert paths.index(ar.DOCKER_KEYRING) < paths.index(ar.DOCKER_SOURCES)
    assert paths.index(ar.NVIDIA_KEYRING) < paths.index(ar.NVIDIA_LIST)


def test_only_the_checked_armor_block_is_written():
    # A second armored block after the pinned key would be read by apt too: it is dropped.
    sneaky = b"Docker's key:\n" + DOCKER_KEY + openpgp.armor(openpgp.dearmor(NVIDIA_KEY))
    plan = plan_for(make_facts("debian-12"), docker=sneaky)
    assert writes(plan)[ar.DOCKER_KEYRING].after == DOCKER_KEY
    # ... and such a file already installed is rewritten.
    plan = plan_for(make_facts("debian-12"), existing={ar.DOCKER_KEYRING: sneaky})
    assert writes(plan)[ar.DOCKER_KEYRING].before == sneaky


def test_binary_docker_key_is_armored_for_docker_asc():
    plan = plan_for(make_facts("debian-12"), docker=openpgp.dearmor(DOCKER_KEY))
    assert writes(plan)[ar.DOCKER_KEYRING].after == DOCKER_KEY


# --- which release, which codename ----------------------------------------------------------------


@pytest.mark.parametrize("fixture, distro, suite", [
    ("ubuntu-22.04", "ubuntu", "jammy"),
    ("ubuntu-24.04", "ubuntu", "noble"),
    ("ubuntu-20.04", "ubuntu", "focal"),
    ("pop-os-22.04", "ubuntu", "jammy"),
    ("debian-11", "debian", "bullseye"),
    ("debian-12", "debian", "bookworm"),
    ("debian-13", "debian", "trixie"),
])
def test_supported_releases(fixture, distro, suite):
    plan = plan_for(make_facts(fixture))
    body = writes(plan)[ar.DOCKER_SOURCES].after.decode()
    assert "URIs: https://download.docker.com/linux/%s\n" % distro in body
    assert "Suites: %s\n" % suite in body


def test_ubuntu_derivative_uses_ubuntu_codename_not_its_own():
    text = ('NAME="Linux Mint"\nVERSION="21.3 (Virginia)"\nID=linuxmint\nID_LIKE="ubuntu debian"\n'
            'VERSION_ID="21.3"\nVERSION_CODENAME=virginia\nUBUNTU_CODENAME=jammy\n'
            'PRETTY_NAME="Linux Mint 21.3"\n')
    plan = plan_for(make_facts(os_text=text))
    assert b"Suites: jammy\n" in writes(plan)[ar.DOCKER_SOURCES].after
    assert b"/linux/ubuntu\n" in writes(plan)[ar.DOCKER_SOURCES].after
    assert "based on Ubuntu jammy" in plan.notes[0]


def test_focal_is_accepted_with_a_warning():
    plan = plan_for(make_facts("ubuntu-20.04"))
    assert any("deprecated" in w for w in plan.warnings)


@pytest.mark.parametrize("fixture, match", [
    ("ubuntu-18.04", r"Ubuntu 18.04 \(bionic\) is end of life"),
    ("ubuntu-16.04", r"Ubuntu 16.04 \(xenial\) is end of life"),
    ("ubuntu-25.04", r"Ubuntu 25.04 \(plucky\) is an interim release that reached its end of life"),
    ("linuxmint-19.2", r"Ubuntu 18.04 \(bionic\)"),
    ("debian-10", r"Debian 10 \(buster\) is end of life"),
    ("debian-9", r"Debian 9 \(stretch\) is end of life"),
    ("centos-7", "is not Debian or Ubuntu"),
    ("fedora-42", "is not Debian or Ubuntu"),
    ("arch", "is not Debian or Ubuntu"),
    ("alpine-3.23", "is not Debian or Ubuntu"),
    ("kali-2017.1", "not a Debian release dldoctor can map"),
])
def test_unsupported_or_eol_releases_are_refused(fixture, match):
    with pytest.raises(Refused, match=match):
        plan_for(make_facts(fixture))


def test_unknown_os_is_refused():
    facts = make_facts(None)
    facts.os = Unknown("not collected (os-release)")
    with pytest.raises(Refused, match="cannot tell the distribution"):
        plan_for(facts)


# --- mirrors --------------------------------------------------------------------------------------


def test_ustc_preset_sets_both_bases():
    plan = plan_for(make_facts("ubuntu-22.04"), FixOptions(presets=("ustc",)))
    w = writes(plan)
    assert b"URIs: https://mirrors.ustc.edu.cn/docker-ce/linux/ubuntu\n" in w[ar.DOCKER_SOURCES].after
    assert b"] https://mirrors.ustc.edu.cn/libnvidia-container/stable/deb/$(ARCH) /\n" in w[ar.NVIDIA_LIST].after
    assert not plan.warnings


def test_aliyun_toolkit_mirror_is_marked_unverified():
    plan = plan_for(make_facts("debian-12"), FixOptions(presets=("aliyun",)))
    assert b"https://mirrors.aliyun.com/libnvidia-container/stable" in writes(plan)[ar.NVIDIA_LIST].after
    assert any("unverified" in w and "--nvidia-apt-base" in w for w in plan.warnings)


def test_tuna_has_no_toolkit_mirror_so_the_vendor_is_used():
    plan = plan_for(make_facts("debian-12"), FixOptions(presets=("tuna",)))
    w = writes(plan)
    assert b"https://mirrors.tuna.tsinghua.edu.cn/docker-ce/linux/debian" in w[ar.DOCKER_SOURCES].after
    assert b"https://nvidia.github.io/libnvidia-container/stable" in w[ar.NVIDIA_LIST].after
    assert any("tuna has no toolkit mirror" in n for n in plan.notes)


def test_base_options_override_presets():
    opts = FixOptions(presets=("ustc",), docker_apt_base="http://127.0.0.1:8080/docker/",
                      nvidia_apt_base="http://127.0.0.1:8080/nvidia")
    w = writes(plan_for(make_facts("debian-12"), opts))
    assert b"URIs: http://127.0.0.1:8080/docker/linux/debian\n" in w[ar.DOCKER_SOURCES].after
    assert b"] http://127.0.0.1:8080/nvidia/stable/deb/$(ARCH) /\n" in w[ar.NVIDIA_LIST].after


def test_unknown_preset_is_a_usage_error():
    with pytest.raises(UsageError):
        plan_for(make_facts("debian-12"), FixOptions(presets=("nope",)))


# --- pinned keys ----------------------------------------------------------------------------------


def test_wrong_docker_key_is_refused_with_both_fingerprints():
    with pytest.raises(Refused) as exc:
        plan_for(make_facts("debian-12"), docker=NVIDIA_KEY)
    msg = str(exc.value)
    assert "the Docker signing key from test docker key" in msg
    assert "C95B 321B 61E8 8C18 09C4 F759 DDCA E044 F796 ECB0" in msg
    assert "9DC8 5822 9FC7 DD38 854A E2D8 8D81 803C 0EBF CD88" in msg


def test_wrong_nvidia_key_is_refused():
    with pytest.raises(Refused, match="the NVIDIA signing key.*fingerprint mismatch"):
        plan_for(make_facts("debian-12"), nvidia=DOCKER_KEY)


def test_fingerprint_override_pins_another_key():
    nvidia_fpr = openpgp.fingerprint(NVIDIA_KEY)
    opts = FixOptions(docker_fingerprint=nvidia_fpr)
    plan = plan_for(make_facts("debian-12"), opts, docker=NVIDIA_KEY)
    assert writes(plan)[ar.DOCKER_KEYRING].after == NVIDIA_KEY
    assert any("--docker-fingerprint" in w for w in plan.warnings)


def test_missing_key_is_refused_with_the_offline_hint():
    inp = ar.AptInputs(ar.KeyMaterial(None, "https://download.docker.com/linux/debian/gpg",
                                      "https://download.docker.com/linux/debian/gpg: timed out"),
                       ar.KeyMaterial(NVIDIA_KEY, "x"), {}, "amd64")
    with pytest.raises(Refused, match="Docker signing key: .*timed out") as exc:
        ar.AptRepos(inp).plan(make_facts("debian-12"), FixOptions())
    assert "--docker-key FILE" in exc.value.unblock and "--skip apt-repos" in exc.value.unblock


def test_plan_without_prepare_is_refused():
    with pytest.raises(Refused, match="prepare"):
        ar.plan(make_facts("debian-12"), FixOptions())


# --- legacy and duplicate lists -------------------------------------------------------------------


def test_legacy_nvidia_lists_and_docker_list_are_removed():
    srcs = {
        "debian.sources": DEBIAN_SOURCES,
        "nvidia-docker.list": apt_fixture("nvidia-docker.list-legacy-2022-tee-output"),
        "libnvidia-container.list": apt_fixture("libnvidia-container.list.SERVED-ubuntu18.04-legacy"),
        "docker.list": apt_fixture("docker.list-2022-signed-by-etc-apt-keyrings-jammy"),
        "docker.list.save": apt_fixture("docker.list-2022-signed-by-etc-apt-keyrings-jammy"),
        "nvidia-container-toolkit.list": apt_fixture("nvidia-container-toolkit.list.SERVED-stable-deb"),
    }
    plan = plan_for(make_facts("ubuntu-22.04", srcs))
    removed = {c.path: c for c in changes_of(plan, FileRemove)}
    assert set(removed) == {"/etc/apt/sources.list.d/nvidia-docker.list",
                            "/etc/apt/sources.list.d/libnvidia-container.list",
                            "/etc/apt/sources.list.d/docker.list"}
    assert removed["/etc/apt/sources.list.d/docker.list"].before == \
        apt_fixture("docker.list-2022-signed-by-etc-apt-keyrings-jammy").encode()
    # The removals come before anything is written.
    kinds = [type(c).__name__ for c in plan.changes]
    assert kinds[:3] == ["FileRemove"] * 3
    # Our own toolkit list is rewritten (it had no signed-by), not removed.
    assert writes(plan)[ar.NVIDIA_LIST].before == \
        apt_fixture("nvidia-container-toolkit.list.SERVED-stable-deb").encode()
    assert any("Conflicting values set for option Signed-By" in n for n in plan.notes)


def test_docker_line_in_sources_list_is_commented_not_the_file_removed():
    main = ("deb http://deb.debian.org/debian bookworm main\n"
            "deb [arch=amd64] https://download.docker.com/linux/debian bookworm stable\n"
            "# deb https://download.docker.com/linux/debian bookworm stable\n")
    plan = plan_for(make_facts("debian-12", {"sources.list": main}))
    assert not changes_of(plan, FileRemove)
    w = writes(plan)["/etc/apt/sources.list"]
    assert w.after.decode() == (
        "deb http://deb.debian.org/debian bookworm main\n"
        "# disabled by dldoctor (duplicate repository): "
        "deb [arch=amd64] https://download.docker.com/linux/debian bookworm stable\n"
        "# deb https://download.docker.com/linux/debian bookworm stable\n")


def test_commenting_a_line_out_keeps_the_other_bytes_and_apts_own_lines():
    """The file was decoded with 'replace' and split with splitlines(): a Latin-1 comment came
    back as U+FFFD, and a U+2028 inside another entry's line ended it there, so that entry was
    commented out with the Docker one."""
    raw = (b"# J\xfcrgen's caf\xe9\n"
           b"deb http://x.example/u bookworm main\xe2\x80\xa8deb https://download.docker.com/linux/debian bookworm stable\n"
           b"deb [arch=amd64] https://download.docker.com/linux/debian bookworm stable\n")
    text = raw.decode("utf-8", "replace")
    plan = plan_for(make_facts("debian-12", {"sources.list": text}),
                    existing={"/etc/apt/sources.list": raw})
    w = writes(plan)["/etc/apt/sources.list"]
    assert w.after == raw.replace(b"deb [arch", b"# disabled by dldoctor (duplicate repository): deb [arch")


def test_mixed_deb822_file_gets_enabled_no_on_the_docker_stanza():
    mixed = DEBIAN_SOURCES + "\nTypes: deb\nURIs: https://mirrors.aliyun.com/docker-ce/linux/debian\n" \
        "Suites: bookworm\nComponents: stable\nSigned-By: /etc/apt/keyrings/docker.gpg\n"
    plan = plan_for(make_facts("debian-12", {"all.sources": mixed}))
    w = writes(plan)["/etc/apt/sources.list.d/all.sources"]
    assert w.after.decode() == DEBIAN_SOURCES + "\nEnabled: no\nTypes: deb\n" \
        "URIs: https://mirrors.aliyun.com/docker-ce/linux/debian\nSuites: bookworm\n" \
        "Components: stable\nSigned-By: /etc/apt/keyrings/docker.gpg\n"


def test_mirror_copies_of_the_repositories_count_as_duplicates():
    srcs = {"ustc-nvidia.list": "deb https://mirrors.ustc.edu.cn/libnvidia-container/stable/deb/$(ARCH) /\n",
            "tuna-docker.sources": "Types: deb\nURIs: https://mirrors.tuna.tsinghua.edu.cn/docker-ce/linux/debian\n"
                                   "Suites: bookworm\nComponents: stable\n",
            "other.list": "deb https://packages.microsoft.com/repos/code stable main\n"}
    plan = plan_for(make_facts("debian-12", srcs))
    assert {c.path for c in changes_of(plan, FileRemove)} == {
        "/etc/apt/sources.list.d/ustc-nvidia.list", "/etc/apt/sources.list.d/tuna-docker.sources"}


def test_disabled_entries_are_left_alone():
    srcs = {"old.sources": "Enabled: no\nTypes: deb\nURIs: https://download.docker.com/linux/debian\n"
                           "Suites: bookworm\nComponents: stable\n"}
    plan = plan_for(make_facts("debian-12", srcs))
    assert not changes_of(plan, FileRemove)
    assert "/etc/apt/sources.list.d/old.sources" not in writes(plan)


def test_unknown_apt_sources_are_refused():
    facts = make_facts("debian-12")
    facts.apt_sources = Unknown("not collected (apt-sources/)")
    with pytest.raises(Refused, match="cannot read the existing apt sources"):
        plan_for(facts)


# --- idempotence ----------------------------------------------------------------------------------


def test_second_run_is_an_empty_plan():
    facts = make_facts("ubuntu-24.04")
    first = plan_for(facts, FixOptions(presets=("ustc",)))
    after = {c.path: c.after for c in changes_of(first, FileWrite)}
    srcs = {"sources.list": "", "docker.sources": after[ar.DOCKER_SOURCES].decode(),
            "nvidia-container-toolkit.list": after[ar.NVIDIA_LIST].decode()}
    again = plan_for(make_facts("ubuntu-24.04", srcs), FixOptions(presets=("ustc",)),
                     existing=after, docker=None, nvidia=None)
    assert again.changes == ()


def test_an_installed_key_that_fails_the_pin_is_replaced():
    existing = {ar.DOCKER_KEYRING: NVIDIA_KEY, ar.NVIDIA_KEYRING: NVIDIA_KEY}  # armored in a .gpg
    plan = plan_for(make_facts("debian-12"), existing=existing)
    w = writes(plan)
    assert w[ar.DOCKER_KEYRING].before == NVIDIA_KEY and w[ar.DOCKER_KEYRING].after == DOCKER_KEY
    assert w[ar.NVIDIA_KEYRING].after == openpgp.dearmor(NVIDIA_KEY)


# --- prepare: where keys come from ----------------------------------------------------------------


def _host(urls=None, files=None):
    base = {"/var/lib/dpkg/status": b"Package: bash\nArchitecture: amd64\n\nPackage: dpkg\n"
                                    b"Status: install ok installed\nArchitecture: arm64\n"}
    base.update(files or {})
    return MemoryHost(files=base, urls=urls)


def test_prepare_fetches_from_the_mirror_first():
    ustc_docker = "https://mirrors.ustc.edu.cn/docker-ce/linux/ubuntu/gpg"
    ustc_nvidia = "https://mirrors.ustc.edu.cn/libnvidia-container/gpgkey"
    host = _host({ustc_docker: http(ustc_docker, 200, DOCKER_KEY),
                  ustc_nvidia: http(ustc_nvidia, 200, NVIDIA_KEY)})
    facts = make_facts("ubuntu-22.04")
    opts = FixOptions(presets=("ustc",))
    step = ar.prepare(host, facts, opts)
    assert host.requests == [ustc_docker, ustc_nvidia]
    assert step.inputs.arch == "arm64"
    plan = step.plan(facts, opts)
    assert b"Architectures: arm64\n" in writes(plan)[ar.DOCKER_SOURCES].after
    assert any("from " + ustc_docker in n for n in plan.notes)


def test_prepare_falls_back_to_the_vendor_when_the_mirror_key_is_wrong_or_missing():
    mirror = "https://mirrors.aliyun.com/docker-ce/linux/debian/gpg"
    vendor = "https://download.docker.com/linux/debian/gpg"
    nv_mirror = "https://mirrors.aliyun.com/libnvidia-container/gpgkey"
    nv_vendor = "https://nvidia.github.io/libnvidia-container/gpgkey"
    host = _host({mirror: http(mirror, 200, NVIDIA_KEY), vendor: http(vendor, 200, DOCKER_KEY),
                  nv_mirror: http(nv_mirror, 404, b"not found"),
                  nv_vendor: http(nv_vendor, 200, NVIDIA_KEY)})
    step = ar.prepare(host, make_facts("debian-12"), FixOptions(presets=("aliyun",)))
    assert step.inputs.docker_key.source == vendor
    assert step.inputs.nvidia_key.source == nv_vendor
    assert host.requests == [mirror, vendor, nv_mirror, nv_vendor]


def test_prepare_offline_then_plan_refuses_with_every_url_tried():
    host = _host()
    step = ar.prepare(host, make_facts("debian-12"), FixOptions())
    with pytest.raises(Refused) as exc:
        step.plan(make_facts("debian-12"), FixOptions())
    assert "https://download.docker.com/linux/debian/gpg: Name or service not known" in str(exc.value)
    assert "--docker-key FILE" in exc.value.unblock


def test_prepare_only_mirror_serves_a_wrong_key_then_plan_refuses():
    url = "https://download.docker.com/linux/debian/gpg"
    host = _host({url: http(url, 200, NVIDIA_KEY)})
    step = ar.prepare(host, make_facts("debian-12"), FixOptions(nvidia_key=None))
    with pytest.raises(Refused, match="fingerprint mismatch"):
        step.plan(make_facts("debian-12"), FixOptions())


def test_prepare_reads_key_files_and_does_not_touch_the_network(tmp_path):
    d = tmp_path / "docker.gpg"
    d.write_bytes(openpgp.dearmor(DOCKER_KEY))
    n = tmp_path / "nvidia.asc"
    n.write_bytes(NVIDIA_KEY)
    host = _host()
    opts = FixOptions(docker_key=str(d), nvidia_key=str(n))
    step = ar.prepare(host, make_facts("debian-12"), opts)
    assert host.requests == []
    plan = step.plan(make_facts("debian-12"), opts)
    assert writes(plan)[ar.DOCKER_KEYRING].after == DOCKER_KEY  # re-armored for .asc
    with pytest.raises(UsageError, match="--docker-key"):
        ar.prepare(host, make_facts("debian-12"), FixOptions(docker_key=str(tmp_path / "missing")))


def test_prepare_skips_the_download_when_the_installed_keys_match():
    host = _host(files={ar.DOCKER_KEYRING: DOCKER_KEY,
                        ar.NVIDIA_KEYRING: openpgp.dearmor(NVIDIA_KEY)})
    step = ar.prepare(host, make_facts("debian-12"), FixOptions())
    assert host.requests == []
    plan = step.plan(make_facts("debian-12"), FixOptions())
    assert ar.DOCKER_KEYRING not in writes(plan) and ar.NVIDIA_KEYRING not in writes(plan)


def test_missing_keyring_directory_is_created_first():
    # MemoryHost lists no /etc/apt/keyrings (Ubuntu 20.04, Debian 11 have none); /usr/share/keyrings
    # exists. The directory is made, as Docker's docs do, before the key is written into it.
    url = "https://download.docker.com/linux/debian/gpg"
    host = _host({url: http(url, 200, DOCKER_KEY)},
                 files={ar.NVIDIA_KEYRING: openpgp.dearmor(NVIDIA_KEY)})
    step = ar.prepare(host, make_facts("debian-12"), FixOptions())
    assert step.inputs.absent_dirs == ("/etc/apt/keyrings",)
    plan = step.plan(make_facts("debian-12"), FixOptions())
    (mkdir,) = changes_of(plan, Run)
    assert mkdir.argv == ("install", "-m", "0755", "-d", "/etc/apt/keyrings")
    assert mkdir.undo == ("rmdir", "/etc/apt/keyrings")
    paths = [getattr(c, "path", None) or c.argv for c in plan.changes]
    assert paths.index(mkdir.argv) < paths.index(ar.DOCKER_KEYRING)


def test_prepare_reads_exact_bytes_of_files_it_may_remove():
    legacy = b"deb https://nvidia.github.io/nvidia-docker/ubuntu18.04/$(ARCH) /\n\xff\n"
    host = _host(files={"/etc/apt/sources.list.d/nvidia-docker.list": legacy,
                        ar.DOCKER_KEYRING: DOCKER_KEY, ar.NVIDIA_KEYRING: openpgp.dearmor(NVIDIA_KEY)})
    facts = make_facts("debian-12", {"nvidia-docker.list": legacy.decode("utf-8", "replace")})
    plan = ar.prepare(host, facts, FixOptions()).plan(facts, FixOptions())
    (rm,) = changes_of(plan, FileRemove)
    assert rm.before == legacy


def test_kept_distro_docker_needs_no_docker_repository_or_key():
    facts = make_facts("debian-12", packages="docker.io 20.10.24+dfsg1-1+b3 install ok installed\n",
                       sources={"sources.list": "", "docker.list":
                                "deb [signed-by=/etc/apt/keyrings/docker.asc] "
                                "https://download.docker.com/linux/debian bookworm stable\n"})
    inp = ar.AptInputs(ar.KeyMaterial(None, "", "not needed"), ar.KeyMaterial(NVIDIA_KEY, "x"),
                       {}, "amd64")
    plan = ar.AptRepos(inp).plan(facts, FixOptions())
    assert set(writes(plan)) == {ar.NVIDIA_KEYRING, ar.NVIDIA_LIST}
    assert not changes_of(plan, FileRemove)              # the existing docker.list is left alone
    assert "docker.io 20.10.24+dfsg1-1+b3 is kept" in plan.notes[0]
    with pytest.raises(Refused, match="Docker signing key"):   # --engine docker-ce needs it
        ar.AptRepos(inp).plan(facts, FixOptions(engine="docker-ce"))


def test_kept_distro_docker_has_no_note_about_docker_sources():
    """docker.sources is not written when docker.io is kept: no note about its Architectures:."""
    facts = make_facts("debian-12", packages="docker.io 20.10.24+dfsg1-1+b3 install ok installed\n")
    inp = ar.AptInputs(ar.KeyMaterial(None, "", "not needed"), ar.KeyMaterial(NVIDIA_KEY, "x"),
                       {}, None)
    plan = ar.AptRepos(inp).plan(facts, FixOptions())
    assert ar.DOCKER_SOURCES not in writes(plan)
    assert not any("docker.sources" in n for n in plan.notes), plan.notes


def test_a_duplicate_line_is_found_whatever_blank_apt_reads_between_its_words():
    line = "deb\thttps://download.docker.com/linux/debian\x0bbookworm\x0cstable\r\n"
    text, n = ar._disable_lines(line, {"https://download.docker.com/linux/debian"})
    assert n == 1 and text == "# disabled by dldoctor (duplicate repository): " + line
