"""Parsers for the system, Docker and APT evidence, checked against every real fixture in their dirs.

Expected values below were read from the fixture files by eye (see tests/data/fixtures/SOURCES.md).
"""
import random
from pathlib import Path

import pytest

from dldoctor.errors import ParseError
from dldoctor.parse.apt_sources import AptSources, parse_apt_sources, parse_apt_update
from dldoctor.parse.cgroup import parse_cgroup
from dldoctor.parse.daemon_json import KNOWN_KEYS, RUNTIME_KEYS, parse_daemon_json
from dldoctor.parse.docker_info import DockerInfo, parse_docker_info
from dldoctor.parse.docker_version import parse_docker_version
from dldoctor.parse.dockerd_cmdline import parse_dockerd_cmdline
from dldoctor.parse.dockerd_journal import parse_dockerd_journal
from dldoctor.parse.dpkg import parse_dpkg
from dldoctor.parse.id_group import parse_group, parse_id
from dldoctor.parse.os_release import parse_lsb_release, parse_os_release
from dldoctor.parse.proc_version import parse_proc_version

DATA = Path(__file__).resolve().parents[1] / "data"
FIX = DATA / "fixtures"
CASES = DATA / "cases"


def _read(path):
    with open(str(path), encoding="utf-8", newline="") as fh:
        return fh.read()


def _files(dirname):
    return sorted(p.name for p in (FIX / dirname).iterdir() if p.is_file())


def _check(obj, expected):
    for attr, want in expected.items():
        got = getattr(obj, attr)
        assert got == want, "%s: got %r, want %r" % (attr, got, want)


# --------------------------------------------------------------------------------------------
# os-release: id, version_id, codename, ubuntu_codename, id_like, pretty_name

U = "ubuntu"
OS_RELEASE = {
    "almalinux-10.0": ("almalinux", "10.0", None, None, ("rhel", "centos", "fedora"), "AlmaLinux 10.0 (Purple Lion)"),
    "almalinux-9.1": ("almalinux", "9.1", None, None, ("rhel", "centos", "fedora"), "AlmaLinux 9.1 (Lime Lynx)"),
    "almalinux-9.4": ("almalinux", "9.4", None, None, ("rhel", "centos", "fedora"), "AlmaLinux 9.4 (Seafoam Ocelot)"),
    "alpine-3.23": ("alpine", "3.23.2", None, None, (), "Alpine Linux v3.23"),
    "amazon-linux-2": ("amzn", "2", None, None, ("centos", "rhel", "fedora"), "Amazon Linux 2"),
    "amazon-linux-2023": ("amzn", "2023", None, None, ("fedora",), "Amazon Linux 2023"),
    "amazon-linux-2023.4": ("amzn", "2023", None, None, ("fedora",), "Amazon Linux 2023.4.20240528"),
    "amazon-linux-ami-2016.03": ("amzn", "2016.03", None, None, ("rhel", "fedora"), "Amazon Linux AMI 2016.03"),
    "arch": ("arch", None, None, None, (), "Arch Linux"),
    # VERSION_ID=TEMPLATE_VERSION_ID is a placeholder the image never filled in: no version.
    "arch-docker-2023": ("arch", None, None, None, (), "Arch Linux"),
    "centos-7": ("centos", "7", None, None, ("rhel", "fedora"), "CentOS Linux 7 (Core)"),
    "centos-8": ("centos", "8", None, None, ("rhel", "fedora"), "CentOS Linux 8"),
    "centos-stream-8": ("centos", "8", None, None, ("rhel", "fedora"), "CentOS Stream 8"),
    "centos-stream-9": ("centos", "9", None, None, ("rhel", "fedora"), "CentOS Stream 9"),
    "debian-10": ("debian", "10", "buster", None, (), "Debian GNU/Linux 10 (buster)"),
    "debian-11": ("debian", "11", "bullseye", None, (), "Debian GNU/Linux 11 (bullseye)"),
    "debian-12": ("debian", "12", "bookworm", None, (), "Debian GNU/Linux 12 (bookworm)"),
    "debian-13": ("debian", "13", "trixie", None, (), "Debian GNU/Linux 13 (trixie)"),
    # no VERSION_CODENAME: filled from the table
    "debian-8": ("debian", "8", "jessie", None, (), "Debian GNU/Linux 8 (jessie)"),
    "debian-9": ("debian", "9", "stretch", None, (), "Debian GNU/Linux 9 (stretch)"),
    "fedora-30": ("fedora", "30", None, None, (), "Fedora 30 (Thirty)"),
    "fedora-37-container": ("fedora", "37", None, None, (), "Fedora Linux 37 (Container Image)"),
    "fedora-42": ("fedora", "42", None, None, (), "Fedora Linux 42 (Forty Two)"),
    "kali-2017.1": ("kali", "2017.1", None, None, ("debian",), "Kali GNU/Linux Rolling"),
    "linuxmint-19.2": ("linuxmint", "19.2", "tina", "bionic", (U,), "Linux Mint 19.2"),
    "manjaro": ("manjaro", None, None, None, (), "Manjaro Linux"),
    "manjaro-2023": ("manjaro", None, None, None, ("arch",), "Manjaro Linux"),
    "opensuse-leap-15.2": ("opensuse-leap", "15.2", None, None, ("suse", "opensuse"), "openSUSE Leap 15.2"),
    "opensuse-leap-15.4": ("opensuse-leap", "15.4", None, None, ("suse", "opensuse"), "openSUSE Leap 15.4"),
    "opensuse-leap-42.1": ("opensuse", "42.1", None, None, ("suse",), "openSUSE Leap 42.1 (x86_64)"),
    "opensuse-tumbleweed-20230304": (
        "opensuse-tumbleweed", "20230304", None, None, ("opensuse", "suse"), "openSUSE Tumbleweed"),
    "oracle-7.5": ("ol", "7.5", None, None, (), "Oracle Linux Server 7.5"),
    "pop-os-22.04": ("pop", "22.04", "jammy", "jammy", (U, "debian"), "Pop!_OS 22.04 LTS"),
    "rhel-10.0": ("rhel", "10.0", None, None, ("centos", "fedora"), "Red Hat Enterprise Linux 10.0 (Coughlan)"),
    "rhel-7.0": ("rhel", "7.0", None, None, ("fedora",), "Red Hat Enterprise Linux Server 7.0 (Maipo)"),
    "rhel-7.5-server": ("rhel", "7.5", None, None, ("fedora",), "Red Hat Enterprise Linux Server 7.5 (Maipo)"),
    "rhel-8.10": ("rhel", "8.10", None, None, ("fedora",), "Red Hat Enterprise Linux 8.10 (Ootpa)"),
    "rhel-8.7-ubi8": ("rhel", "8.7", None, None, ("fedora",), "Red Hat Enterprise Linux 8.7 (Ootpa)"),
    "rhel-9.6": ("rhel", "9.6", None, None, ("fedora",), "Red Hat Enterprise Linux 9.6 (Plow)"),
    "rocky-8.4": ("rocky", "8.4", None, None, ("rhel", "centos", "fedora"), "Rocky Linux 8.4 (Green Obsidian)"),
    "rocky-9.3": ("rocky", "9.3", None, None, ("rhel", "centos", "fedora"), "Rocky Linux 9.3 (Blue Onyx)"),
    "sles-12sp1": ("sles", "12.1", None, None, (), "SUSE Linux Enterprise Server 12 SP1"),
    # "14.04.3 LTS, Trusty Tahr" and no codename keys
    "ubuntu-14.04-linuxmint17": (U, "14.04", "trusty", "trusty", ("debian",), "Ubuntu 14.04.3 LTS"),
    # only UBUNTU_CODENAME
    "ubuntu-16.04": (U, "16.04", "xenial", "xenial", ("debian",), "Ubuntu 16.04.1 LTS"),
    "ubuntu-18.04": (U, "18.04", "bionic", "bionic", ("debian",), "Ubuntu 18.04.6 LTS"),
    "ubuntu-20.04": (U, "20.04", "focal", "focal", ("debian",), "Ubuntu 20.04.6 LTS"),
    "ubuntu-22.04": (U, "22.04", "jammy", "jammy", ("debian",), "Ubuntu 22.04.2 LTS"),
    "ubuntu-22.04.0": (U, "22.04", "jammy", "jammy", ("debian",), "Ubuntu 22.04 LTS"),
    "ubuntu-24.04": (U, "24.04", "noble", "noble", ("debian",), "Ubuntu 24.04.3 LTS"),
    "ubuntu-25.04": (U, "25.04", "plucky", "plucky", ("debian",), "Ubuntu 25.04"),
}


@pytest.mark.parametrize("name", _files("os-release"))
def test_os_release_fixture(name):
    assert name in OS_RELEASE, "no expectation for os-release/%s" % name
    distro, version, codename, ubuntu_codename, id_like, pretty = OS_RELEASE[name]
    got = parse_os_release(_read(FIX / "os-release" / name))
    _check(got, dict(id=distro, version_id=version, codename=codename, ubuntu_codename=ubuntu_codename,
                     id_like=id_like, pretty_name=pretty, mentions_wsl=False))


def test_os_release_names():
    assert parse_os_release(_read(FIX / "os-release" / "fedora-30")).name == "Fedora"  # unquoted NAME
    assert parse_os_release(_read(FIX / "os-release" / "sles-12sp1")).name == "SLES"


def test_os_release_lexing():
    text = (
        '# comment line\n'
        'NAME="Foo \\"Bar\\" Linux"\n'
        "ID='foo'\n"
        'ID_LIKE="ubuntu debian"  # trailing comment\n'
        'VERSION_ID=1.2\n'
        'not an assignment\n'
        'PRETTY_NAME="Foo $HOME \\\\ x"\n'
    )
    got = parse_os_release(text)
    assert got.name == 'Foo "Bar" Linux'
    assert got.id == "foo"
    assert got.id_like == ("ubuntu", "debian")
    assert got.version_id == "1.2"
    assert got.pretty_name == "Foo $HOME \\ x"


def test_os_release_unbalanced_quote_is_not_fatal():
    got = parse_os_release('ID=ubuntu\nVERSION_ID="22.04\nNAME="Ubuntu"\n')
    assert got.id == "ubuntu"
    assert got.version_id == "22.04"
    assert got.codename == "jammy"


# --------------------------------------------------------------------------------------------
# lsb-release bodies and `lsb_release -a`: id, version_id, codename, ubuntu_codename, pretty_name

LSB = {
    "lsb-release/linuxmint-17.3": ("linuxmint", "17.3", "rosa", "trusty", "Linux Mint 17.3 Rosa"),
    "lsb-release/linuxmint-17.3-upstream": (U, "14.04", "trusty", "trusty", "Ubuntu 14.04 LTS"),
    "lsb-release/ubuntu-16.04": (U, "16.04", "xenial", "xenial", "Ubuntu 16.04.1 LTS"),
    "lsb-release/ubuntu-24.04": (U, "24.04", "noble", "noble", "Ubuntu 24.04.3 LTS"),
    "lsb_release-a/debian-10.txt": ("debian", "10", "buster", None, "Debian GNU/Linux 10 (buster)"),
    "lsb_release-a/debian-13.txt": ("debian", "13", "trixie", None, "Debian GNU/Linux 13 (trixie)"),
    "lsb_release-a/debian-8.2.txt": ("debian", "8.2", "jessie", None, "Debian GNU/Linux 8.2 (jessie)"),
    "lsb_release-a/sles-12sp1.txt": ("sles", "12.1", None, None, "SUSE Linux Enterprise Server 12 SP1"),
    "lsb_release-a/ubuntu-18.04.2.txt": (U, "18.04", "bionic", "bionic", "Ubuntu 18.04.2 LTS"),
}


@pytest.mark.parametrize("rel", ["lsb-release/" + n for n in _files("lsb-release")]
                         + ["lsb_release-a/" + n for n in _files("lsb_release-a")])
def test_lsb_release_fixture(rel):
    assert rel in LSB, "no expectation for %s" % rel
    distro, version, codename, ubuntu_codename, pretty = LSB[rel]
    got = parse_lsb_release(_read(FIX / rel))
    _check(got, dict(id=distro, version_id=version, codename=codename, ubuntu_codename=ubuntu_codename,
                     pretty_name=pretty, mentions_wsl=False))


@pytest.mark.parametrize(
    "text,distro,version,codename,wsl",
    [
        ("ubuntu 21.10", U, "21.10", "impish", False),
        ("CentOS7", "centos", "7", None, False),
        ("Ubuntu 18.04 LTS", U, "18.04", "bionic", False),
        ("WSL2 Ubuntu", U, None, None, True),
        ("Debian 12 bookworm", "debian", "12", "bookworm", False),
        ("debian bullseye", "debian", "11", "bullseye", False),
        ("Ubuntu 20.04 on WSL2", U, "20.04", "focal", True),
        ("Red Hat Enterprise Linux 8.4", "rhel", "8.4", None, False),
        ("rocky linux 9", "rocky", "9", None, False),
        ("Linux Mint 21.2", "linuxmint", "21.2", None, False),
        ("jammy", U, "22.04", "jammy", False),
        ("Ubuntu 26.04", U, "26.04", "resolute", False),
        ("Ubuntu 14.04", U, "14.04", "trusty", False),
        ("Debian 8", "debian", "8", "jessie", False),
        ("Debian 13", "debian", "13", "trixie", False),
    ],
)
def test_lsb_release_prose(text, distro, version, codename, wsl):
    got = parse_lsb_release(text)
    _check(got, dict(id=distro, version_id=version, codename=codename, mentions_wsl=wsl))


def test_lsb_release_description_only():
    got = parse_lsb_release("bob@gpu:~$ lsb_release -d\nDescription:\tUbuntu 22.04.3 LTS\n")
    assert (got.id, got.version_id, got.codename, got.pretty_name) == (U, "22.04", "jammy", "Ubuntu 22.04.3 LTS")


def test_lsb_release_mint_prose_gets_ubuntu_base():
    assert parse_lsb_release("Linux Mint 21.2").ubuntu_codename == "jammy"


@pytest.mark.parametrize("text", ["", "   \n", "my computer is slow", "Windows 11", "No LSB modules are available.\n"])
def test_lsb_release_no_distribution(text):
    with pytest.raises(ParseError):
        parse_lsb_release(text)


def test_lsb_release_accepts_os_release_body():
    got = parse_lsb_release(_read(FIX / "os-release" / "ubuntu-22.04"))
    assert (got.id, got.version_id, got.codename) == (U, "22.04", "jammy")


# --------------------------------------------------------------------------------------------
# /proc/version: release, wsl_version

PROC_VERSION = {
    "wsl1-3.4.0-Microsoft-2016.txt": ("3.4.0-Microsoft", 1),
    "wsl1-4.4.0-18985-Microsoft.txt": ("4.4.0-18985-Microsoft", 1),
    "wsl2-4.19.104-custom-built-kernel.txt": ("4.19.104-microsoft-standard", 2),
    "wsl2-4.19.128-microsoft-standard.txt": ("4.19.128-microsoft-standard", 2),
    "wsl2-5.4.72-microsoft-standard-WSL2.txt": ("5.4.72-microsoft-standard-WSL2", 2),
    "cloud-vm-6.18.44.txt": ("6.18.44-fc-v1252-gpu", None),
}


@pytest.mark.parametrize("name", _files("proc-version"))
def test_proc_version_fixture(name):
    assert name in PROC_VERSION, "no expectation for proc-version/%s" % name
    release, wsl = PROC_VERSION[name]
    got = parse_proc_version(_read(FIX / "proc-version" / name))
    _check(got, dict(release=release, is_wsl=wsl is not None, wsl_version=wsl))
    assert got.raw.startswith("Linux version ")


@pytest.mark.parametrize(
    "text,release,wsl",
    [
        ("5.15.0-91-generic\n", "5.15.0-91-generic", None),
        ("5.15.153.1-microsoft-standard-WSL2", "5.15.153.1-microsoft-standard-WSL2", 2),
        ("4.4.0-19041-Microsoft", "4.4.0-19041-Microsoft", 1),
        ("Linux version 6.8.0-71-generic (buildd@lcy02-amd64-080) (x86_64-linux-gnu-gcc-13) #71-Ubuntu SMP",
         "6.8.0-71-generic", None),
        # custom WSL2 kernel without microsoft in the release: still WSL2 when the text says so
        ("Linux version 6.1.21.2-custom (me@DESKTOP-X) (gcc 12) #1 SMP WSL2", "6.1.21.2-custom", 2),
        ("Linux gpu01 5.4.0-150-generic #167-Ubuntu SMP Mon May 15 17:35:05 UTC 2023 x86_64 GNU/Linux",
         "5.4.0-150-generic", None),
    ],
)
def test_proc_version_forms(text, release, wsl):
    got = parse_proc_version(text)
    _check(got, dict(release=release, wsl_version=wsl, is_wsl=wsl is not None))


# --------------------------------------------------------------------------------------------
# docker version

CONNECT = "Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?"
CE = "Docker Engine - Community"


def _ver(client, server, capi, sapi, platform=CE, context="default", containerd=None, runc=None,
         server_os="linux/amd64", error=None):
    return dict(client_version=client, server_version=server, client_api=capi, server_api=sapi,
                platform_name=platform, context=context, containerd_version=containerd, runc_version=runc,
                server_os=server_os, server_error=error)


DOCKER_VERSION = {
    "1.0.1-old-format-fig-issue.txt": _ver("1.0.1", "1.0.1", "1.12", "1.12", None, None, server_os=None),
    "1.0.1-v1.0.1.txt": _ver("1.0.1", "1.0.1", "1.12", "1.12", None, None, server_os=None),
    "17.06.0-ce-v17.06.0.txt": _ver("17.06.0-ce", "17.06.0-ce", "1.30", "1.30", None, None),
    "17.12.0-ce-tab-separated.txt": _ver("17.12.0-ce", "17.12.0-ce", "1.35", "1.35", None, None),
    "18.06.2-clear-linux.txt": _ver("18.06.2", "18.06.2", "1.38", "1.38", None, None),
    "18.09.6-client-only-cannot-connect-wsl.txt": _ver("18.09.6", None, "1.39", None, None, None,
                                                       server_os=None, error=CONNECT),
    "19.03.13-v19.03.13.txt": _ver("19.03.13", "19.03.13", "1.40", "1.40", CE, None, "1.3.7", "1.0.0-rc10"),
    "19.03.2-client-server.txt": _ver("19.03.2", "19.03.2", "1.40", "1.40", CE, None, "1.2.6", "1.0.0-rc8"),
    "19.03.3-client-server.txt": _ver("19.03.3", "19.03.3", "1.40", "1.40", CE, None, "1.2.6", "1.0.0-rc8"),
    "19.03.9-ce-client-only-permission-denied.txt": _ver(
        "19.03.9-ce", None, "1.40", None, None, None, server_os=None,
        error="Got permission denied while trying to connect to the Docker daemon socket at "
              "unix:///var/run/docker.sock: Get \"http://%2Fvar%2Frun%2Fdocker.soc: dial unix "
              "/var/run/docker.sock: connect: permission denied"),
    "20.10.19-v20.10.19.txt": _ver("20.10.19", "20.10.19", "1.41", "1.41", CE, "default", "1.6.8", "1.1.4"),
    "20.10.2-client-server.txt": _ver("20.10.2", "20.10.2", "1.41", "1.41", CE, "default",
                                      "v1.4.9-8-g780289586.m", "1.0.0-rc92"),
    "20.10.24-v20.10.24.txt": _ver("20.10.24", "20.10.24", "1.41", "1.41", CE, "default", "1.6.16", "1.1.4"),
    "20.10.8+dfsg1-debian-docker.io.txt": _ver("20.10.8+dfsg1", "20.10.8+dfsg1", "1.41", "1.41", None, "default",
                                               "1.5.7~ds1", "1.0.2+ds1"),
    "23.0.6-v23.0.6.txt": _ver("23.0.6", "23.0.6", "1.42", "1.42", CE, "default", "1.6.21", "1.1.7"),
    "26.1.4-client-only-cannot-connect-darwin.txt": _ver("26.1.4", None, "1.45", None, None, "default",
                                                         server_os=None, error=CONNECT),
    "26.1.4-v26.1.4.txt": _ver("26.1.4", "26.1.4", "1.45", "1.45", CE, "default", "1.6.33", "1.1.12"),
    "28.0.4-v28.0.4.txt": _ver("28.0.4", "28.0.4", "1.48", "1.48", CE, "default", "1.7.27", "1.2.5"),
    "28.0.4-v28.0.4_centos-stream9.txt": _ver("28.0.4", "28.0.4", "1.48", "1.48", CE, "default", "1.7.27", "1.2.5"),
    "28.1.1-v28.1.1.txt": _ver("28.1.1", "28.1.1", "1.49", "1.49", CE, "default", "1.7.27", "1.2.5"),
    "28.2.2-v28.2.2_containerd-v2.1.0.txt": _ver("28.2.2", "28.2.2", "1.50", "1.50", CE, "default", "v2.1.0", "1.3.0"),
    "28.3.2-v28.3.2.txt": _ver("28.3.2", "28.3.2", "1.51", "1.51", CE, "default", "1.7.27", "1.2.5"),
    # synthetic EE data: the server's Engine component is 17.06.2-ee-15 in both forms
    "cli-golden-default.txt": _ver("18.99.5-ce", "17.06.2-ee-15", "1.38", "1.30",
                                   "Docker Enterprise Edition (EE) 2.0", "my-context"),
    "cli-golden-format-json.json": _ver("18.99.5-ce", "17.06.2-ee-15", "1.38", "1.30",
                                        "Docker Enterprise Edition (EE) 2.0", "my-context"),
}


@pytest.mark.parametrize("name", _files("docker-version"))
def test_docker_version_fixture(name):
    assert name in DOCKER_VERSION, "no expectation for docker-version/%s" % name
    _check(parse_docker_version(_read(FIX / "docker-version" / name)), DOCKER_VERSION[name])


def test_docker_version_json_followed_by_error():
    text = (
        '{"Client":{"Version":"27.5.1","ApiVersion":"1.47","Context":"default","Os":"linux","Arch":"amd64"},'
        '"Server":null}\n'
        + CONNECT + "\n"
    )
    got = parse_docker_version(text)
    _check(got, dict(client_version="27.5.1", client_api="1.47", server_version=None, server_error=CONNECT,
                     context="default"))


def test_docker_version_json_with_components():
    text = (
        'bob@gpu:~$ docker version --format \'{{json .}}\'\n'
        '{"Client":{"Platform":{"Name":"Docker Engine - Community"},"Version":"28.0.4","ApiVersion":"1.48"},'
        '"Server":{"Platform":{"Name":"Docker Engine - Community"},"Components":['
        '{"Name":"Engine","Version":"28.0.4","Details":{"ApiVersion":"1.48","Os":"linux","Arch":"amd64"}},'
        '{"Name":"containerd","Version":"1.7.27","Details":{}},'
        '{"Name":"runc","Version":"1.2.5","Details":{}}],'
        '"Version":"28.0.4","ApiVersion":"1.48","Os":"linux","Arch":"amd64"}}\n'
    )
    _check(parse_docker_version(text), _ver("28.0.4", "28.0.4", "1.48", "1.48", CE, None, "1.7.27", "1.2.5"))


def test_docker_version_client_then_daemon_error():
    text = (
        "Client:\n Version:           24.0.7\n API version:       1.43\n"
        "Error response from daemon: client version 1.43 is too new. Maximum supported API version is 1.41\n"
    )
    got = parse_docker_version(text)
    assert got.client_version == "24.0.7"
    assert got.server_version is None
    assert got.server_error.startswith("Error response from daemon: client version 1.43 is too new")


def test_docker_version_rejects_docker_info_and_invalid_json():
    with pytest.raises(ParseError):
        parse_docker_version(_read(FIX / "docker-info" / "24.0.5-nvidia-runtime.txt"))
    with pytest.raises(ParseError):
        parse_docker_version('{"Client": {"Version": "1"')


# --------------------------------------------------------------------------------------------
# docker info

INS = ("127.0.0.0/8",)
INS6 = ("::1/128", "127.0.0.0/8")
AAS = ("apparmor", "seccomp")
AASC = ("apparmor", "seccomp", "cgroupns")
U2204 = "Ubuntu 22.04.5 LTS"
U2404 = "Ubuntu 24.04.2 LTS"
VLD = "/var/lib/docker"
NV3 = ("io.containerd.runc.v2", "nvidia", "runc")


def _info(sv, rt, dr="runc", cd=None, cv=None, sec=(), os_=None, kern=None, root=VLD, ctx="default",
          ins=INS, mir=(), cdi=(), warnings=0, errors=(), has=True):
    return dict(server_version=sv, runtimes=rt, default_runtime=dr, cgroup_driver=cd, cgroup_version=cv,
                security_options=sec, operating_system=os_, kernel_version=kern, docker_root_dir=root,
                context=ctx, insecure_registries=ins, registry_mirrors=mir, cdi_devices=cdi,
                warnings=warnings, server_errors=errors, has_server=has, is_rootless=False, is_desktop=False)


def _no_server(ctx=None, errors=(), warnings=0):
    return _info(None, (), None, root=None, ctx=ctx, ins=(), errors=errors, warnings=warnings, has=False)


# docker/cli golden data (synthetic daemon, real formatting)
def _golden(ctx="default", sec=AAS, cdi=()):
    return _info("17.06.1-ce", ("runc",), "runc", "cgroupfs", None, sec, "Ubuntu 16.04.3 LTS", "4.4.0-87-generic",
                 ctx=ctx, cdi=cdi)


DOCKER_INFO = {
    "1.12.6-old.txt": _info("1.12.6", ("runc",), "runc", "cgroupfs", None, AAS, "Ubuntu 16.04.7 LTS",
                            "4.4.0-210-generic", ctx=None, warnings=1),
    "17.12.0-ce-kata-default-runtime.txt": _info("17.12.0-ce", ("kata-runtime", "runc"), "kata-runtime", "cgroupfs",
                                                 None, AAS, "Ubuntu 16.04.4 LTS", "4.4.0-127-generic", root=None,
                                                 ctx=None, ins=()),
    "18.03.0-ce-centos7-indentation-lost.txt": _info("18.03.0-ce", ("runc",), "runc", "cgroupfs", None, ("seccomp",),
                                                     "CentOS Linux 7 (Core)", "3.10.0-693.el7.x86_64", ctx=None),
    "18.06.2-kata-default-runtime.txt": _info("18.06.2", ("kata-runtime", "runc"), "kata-runtime", "cgroupfs", None,
                                              (), "Clear Linux OS", "5.0.3-315.kvm", root=None, ctx=None, ins=()),
    "19.03.13-cgroupv1-warnings.txt": _info("19.03.13", ("runc",), "runc", "cgroupfs", None, AAS,
                                            "Ubuntu 20.04.6 LTS", "5.4.0-100-generic", ctx=None, warnings=1),
    "19.03.4-registry-mirror-aliyun-insecure-ubuntu18.04.txt": _info(
        "19.03.4", ("runc",), "runc", "cgroupfs", None, AAS, "Ubuntu 18.04.2 LTS", "4.15.0-66-generic", ctx=None,
        ins=("192.168.115.138:5000", "127.0.0.0/8"), mir=("https://87xm9zvi.mirror.aliyuncs.com/",)),
    "19.03.9-ce-client-only-permission-denied.txt": _no_server(errors=(
        'Got permission denied while trying to connect to the Docker daemon socket at unix:///var/run/docker.sock: '
        'Get "http://%2Fvar%2Frun%2Fdocker.sock/v1.40/info": dial unix /var/run/docker.sock: connect: '
        'permission denied',)),
    "20.10.12-warnings.txt": _info("20.10.12", ("runc", "io.containerd.runc.v2", "io.containerd.runtime.v1.linux"),
                                   "runc", "cgroupfs", "1", AAS, "Ubuntu 20.04.6 LTS", "5.4.0-216-generic", warnings=1),
    "20.10.17-nvidia-runtime-cgroupv2.txt": _info(
        "20.10.17", ("nvidia", "runc", "io.containerd.runc.v2", "io.containerd.runtime.v1.linux"), "runc",
        "systemd", "2", AASC, U2204, "5.15.0-151-generic"),
    "23.0.0-devicemapper-warnings.txt": _info("23.0.0", ("io.containerd.runc.v2", "runc"), "runc", "systemd", "2",
                                              AASC, U2204, "5.15.0-156-generic", warnings=2),
    "23.0.0-nvidia-runtime.txt": _info("23.0.0", NV3, "runc", "systemd", "2", AASC, U2204, "5.15.0-151-generic"),
    "23.0.3-nvidia-runtime.txt": _info("23.0.3", NV3, "runc", "systemd", "2", AASC, U2204, "5.15.0-151-generic"),
    "23.0.6-aufs-ubuntu18.04-warnings.txt": _info("23.0.6", ("io.containerd.runc.v2", "runc"), "runc", "cgroupfs",
                                                  "1", AAS, "Ubuntu 18.04.6 LTS", "4.15.0-213-generic", warnings=2),
    "24.0.5-nvidia-runtime.txt": _info("24.0.5", NV3, "runc", "systemd", "2", AASC, U2204, "5.15.0-151-generic"),
    "24.0.5-plain.txt": _info("24.0.5", ("runc", "io.containerd.runc.v2"), "runc", "systemd", "2", AASC, U2204,
                              "5.15.0-144-generic"),
    "24.0.7-registry-mirror-aliyun-centos7-cgroupv1.txt": _info(
        "24.0.7", ("io.containerd.runc.v2", "runc"), "runc", "cgroupfs", "1", ("seccomp",), "CentOS Linux 7 (Core)",
        "3.10.0-1160.102.1.el7.x86_64", mir=("https://ys2mfbsh.mirror.aliyuncs.com/",)),
    "26.1.4-client-only-cannot-connect.txt": _no_server(ctx="default", errors=(CONNECT,)),
    "26.1.4-nvidia-DEFAULT-runtime-aufs-cgroupv1-mirror.txt": _info(
        "26.1.4", NV3, "nvidia", "systemd", "1", AAS, "Ubuntu 20.04.6 LTS", "5.15.0-119-generic",
        root="/data/docker-data/default",
        ins=("ai.idocker.io", "dockerhub.kubekey.local", "idocker.io", "tdocker.io", "127.0.0.0/8"),
        mir=("https://hub.teeeet.top/",)),
    "27.0.3-nvidia-runtime.txt": _info("27.0.3", ("nvidia", "runc", "io.containerd.runc.v2"), "runc", "systemd", "2",
                                       AASC, U2404, "6.8.0-71-generic"),
    "27.1.0-nvidia-runtime.txt": _info("27.1.0", ("runc", "io.containerd.runc.v2", "nvidia"), "runc", "systemd", "2",
                                       AASC, U2404, "6.8.0-71-generic"),
    "27.3.1-nvidia-runtime-warnings.txt": _info("27.3.1", NV3, "runc", "systemd", "2", AASC, U2404, "6.8.0-71-generic",
                                                warnings=2),
    "27.5.0-nvidia-runtime.txt": _info("27.5.0", NV3, "runc", "systemd", "2", AASC, U2404, "6.8.0-71-generic"),
    "27.5.1-nvidia-runtime.txt": _info("27.5.1", ("nvidia", "runc", "io.containerd.runc.v2"), "runc", "systemd", "2",
                                       AASC, U2404, "6.8.0-71-generic"),
    "28.0.0-rc.1-nvidia-runtime.txt": _info("28.0.0-rc.1", ("runc", "io.containerd.runc.v2", "nvidia"), "runc",
                                            "systemd", "2", AASC, U2404, "6.8.0-71-generic", ins=INS6),
    # first line reads "coClient: Docker Engine - Community" (stray characters typed before the paste)
    "28.0.1-nvidia-runtime.txt": _info("28.0.1", NV3, "runc", "systemd", "2", AASC, U2404, "6.8.0-71-generic",
                                       ins=INS6),
    "28.0.4-centos-stream9.txt": _info("28.0.4", ("io.containerd.runc.v2", "runc"), "runc", "systemd", "2",
                                       ("seccomp", "cgroupns"), "CentOS Stream 9", "5.14.0-612.el9.x86_64", ins=INS6),
    "28.1.1-nvidia-ctf.txt": _info("28.1.1", ("runc", "io.containerd.runc.v2", "nvidia"), "runc", "systemd", "2",
                                   AASC, U2404, "6.8.0-71-generic", ins=INS6),
    "28.1.1-nvidia-runtime.txt": _info("28.1.1", NV3, "runc", "systemd", "2", AASC, U2404, "6.8.0-71-generic",
                                       ins=INS6),
    "28.2.0-nvidia-runtime.txt": _info(
        "28.2.0", NV3, "runc", "systemd", "2", AASC, U2404, "6.8.0-71-generic", ins=INS6,
        cdi=("nvidia.com/gpu=0", "nvidia.com/gpu=1", "nvidia.com/gpu=2", "nvidia.com/gpu=3",
             "nvidia.com/gpu=GPU-0-FAKE-UUID", "nvidia.com/gpu=GPU-1-FAKE-UUID", "nvidia.com/gpu=GPU-2-FAKE-UUID",
             "nvidia.com/gpu=GPU-3-FAKE-UUID", "nvidia.com/gpu=all")),
    "28.2.0-plain.txt": _info("28.2.0", ("io.containerd.runc.v2", "runc"), "runc", "systemd", "2", AASC, U2404,
                              "6.8.0-64-generic", ins=INS6),
    "29.3.0-nvidia-default-runtime-cdi-USER-TRIMMED.txt": _info(
        "29.3.0", ("runc", "io.containerd.runc.v2", "nvidia"), "nvidia", None, None, (), U2204, "5.15.0-171-generic",
        root="/media/volume/docker", ctx=None, ins=(),
        cdi=("nvidia.com/gpu=0", "nvidia.com/gpu=GPU-f16021e1-47d4-fdab-f006-f8abd0d87558", "nvidia.com/gpu=all")),
    "cli-18.09-no-swarm.txt": _golden(ctx=None),
    "cli-19.03-no-swarm.txt": _golden(ctx=None),
    "cli-20.10-no-swarm.txt": _golden(),
    "cli-20.10-warnings-stderr.txt": _no_server(warnings=10),
    "cli-20.10-with-swarm.txt": _golden(),
    "cli-24.0-no-swarm.txt": _golden(),
    "cli-25-28-no-swarm.txt": _golden(),
    "cli-27-29-warnings-stderr.txt": _no_server(warnings=8),
    "cli-29-badsec-stderr.txt": _no_server(errors=("a server error occurred",)),
    "cli-29-badsec.txt": _golden(ctx=None, sec=()),
    "cli-29-errors-stderr.txt": _no_server(errors=("a client error occurred", "a server error occurred")),
    "cli-29-errors-stdout.txt": _no_server(),
    "cli-29-no-swarm.txt": _golden(),
    "cli-29-plugins-cdi-nri.txt": _golden(),
    "cli-29-with-devices.txt": _golden(ctx=None, cdi=("com.example.device1", "nvidia.com/gpu=gpu0")),
    "grep-runtime-seccomp-warning-runc-only.txt": _info(None, ("io.containerd.runc.v2", "runc"), "runc", root=None,
                                                        ctx=None, ins=(), warnings=1),
}

DOCKER_INFO_JSON = {
    "cli-19.03-no-swarm.json": _golden(ctx=None),
    "cli-20.10-no-swarm.json": _golden(),
    "cli-29-daemon-warnings.json": dict(_golden(), warnings=8),
    "cli-29-no-swarm.json": _golden(),
    "cli-29-with-swarm.json": _golden(),
}


def _check_info(got, expected):
    expected = dict(expected)
    warnings = expected.pop("warnings")
    _check(got, expected)
    assert len(got.warnings) == warnings
    assert all(w.startswith("WARNING: ") for w in got.warnings)


@pytest.mark.parametrize("name", _files("docker-info"))
def test_docker_info_fixture(name):
    assert name in DOCKER_INFO, "no expectation for docker-info/%s" % name
    _check_info(parse_docker_info(_read(FIX / "docker-info" / name)), DOCKER_INFO[name])


@pytest.mark.parametrize("name", _files("docker-info-json"))
def test_docker_info_json_fixture(name):
    assert name in DOCKER_INFO_JSON, "no expectation for docker-info-json/%s" % name
    _check_info(parse_docker_info(_read(FIX / "docker-info-json" / name)), DOCKER_INFO_JSON[name])


def test_docker_info_warning_continuation_lines_joined():
    got = parse_docker_info(_read(FIX / "docker-info" / "23.0.0-devicemapper-warnings.txt"))
    assert got.warnings[0].startswith("WARNING: The devicemapper storage-driver is deprecated")
    assert got.warnings[0].endswith("https://docs.docker.com/go/storage-driver/")


def test_docker_info_rootless_desktop_proxies():
    text = (
        "Client:\n Context:    desktop-linux\n\nServer:\n Server Version: 27.0.3\n Runtimes: runc\n"
        " Default Runtime: runc\n Security Options:\n  seccomp\n   Profile: unconfined\n  rootless\n  cgroupns\n"
        " Operating System: Docker Desktop\n Docker Root Dir: /home/bob/.local/share/docker\n"
        " HTTP Proxy: http://proxy:3128\n HTTPS Proxy: http://proxy:3128\n No Proxy: localhost,127.0.0.1\n"
    )
    got = parse_docker_info(text)
    assert got.security_options == ("seccomp", "rootless", "cgroupns")
    assert got.is_rootless and got.is_desktop and got.has_server
    assert (got.http_proxy, got.https_proxy, got.no_proxy) == ("http://proxy:3128", "http://proxy:3128",
                                                                "localhost,127.0.0.1")


def test_docker_info_rootless_by_data_root_only():
    got = parse_docker_info("Server Version: 24.0.7\nDocker Root Dir: /home/ai/.local/share/docker\n")
    assert got.is_rootless
    # a rootful data-root that merely lives under /home is not rootless
    assert not parse_docker_info("Server Version: 24.0.7\nDocker Root Dir: /home/docker\n").is_rootless


def test_docker_info_json_rootless_and_server_errors():
    text = (
        '{"ID":"","ServerVersion":"","Runtimes":null,"SecurityOptions":null,'
        '"ServerErrors":["Cannot connect to the Docker daemon at unix:///run/user/1000/docker.sock. '
        'Is the docker daemon running?"],"ClientInfo":{"Context":"rootless"}}'
    )
    got = parse_docker_info(text)
    assert not got.has_server
    assert got.context == "rootless"
    assert got.server_errors[0].startswith("Cannot connect to the Docker daemon at unix:///run/user/1000/")
    text = ('{"ServerVersion":"25.0.3",'
            '"Runtimes":{"nvidia":{"path":"nvidia-container-runtime"},"runc":{"path":"runc"}},'
            '"DefaultRuntime":"nvidia","SecurityOptions":["name=seccomp,profile=builtin","name=rootless",'
            '"name=cgroupns"],"RegistryConfig":{"Mirrors":["https://m.example/"],"InsecureRegistryCIDRs":[]},'
            '"CgroupVersion":"2","DiscoveredDevices":[{"Source":"cdi","ID":"nvidia.com/gpu=all"}],'
            '"HttpProxy":"http://p:1"}')
    got = parse_docker_info(text)
    _check(got, dict(runtimes=("nvidia", "runc"), default_runtime="nvidia", is_rootless=True,
                     security_options=("seccomp", "rootless", "cgroupns"), registry_mirrors=("https://m.example/",),
                     cgroup_version="2", cdi_devices=("nvidia.com/gpu=all",), http_proxy="http://p:1"))


def test_docker_info_rejects_docker_version():
    with pytest.raises(ParseError):
        parse_docker_info(_read(FIX / "docker-version" / "28.3.2-v28.3.2.txt"))
    with pytest.raises(ParseError):
        parse_docker_info(_read(FIX / "docker-version" / "cli-golden-format-json.json"))


def test_docker_info_default_is_empty():
    assert not DockerInfo().has_server


# --------------------------------------------------------------------------------------------
# docker client errors: both parsers carry the line; no server

CLIENT_ERRORS = {
    "cannot-connect-2016-on-this-host.txt":
        "Cannot connect to the Docker daemon. Is the docker daemon running on this host?",
    "docker-info-18.09-cannot-connect-one-line.txt": CONNECT,
    "docker-ps-permission-denied-custom-socket.txt":
        "Got permission denied while trying to connect to the Docker daemon socket at "
        "unix:///run/docker/docker.sock: Get \"http://%2Frun%2Fdocker%2Fdocker.sock/v1.24/containers/json\": "
        "dial unix /run/docker/docker.sock: connect: permission denied",
    "docker-run-got-permission-denied-2021.txt":
        "docker: Got permission denied while trying to connect to the Docker daemon socket at "
        "unix:///var/run/docker.sock: Post http://%2Fvar%2Frun%2Fdocker.sock/v1.24/containers/create: "
        "dial unix /var/run/docker.sock: connect: permission denied.",
    "docker-run-permission-denied-2024.txt":
        "docker: permission denied while trying to connect to the Docker daemon socket at "
        "unix:///var/run/docker.sock: Head \"http://%2Fvar%2Frun%2Fdocker.sock/_ping\": "
        "dial unix /var/run/docker.sock: connect: permission denied.",
}


@pytest.mark.parametrize("name", _files("docker-client-errors"))
def test_docker_client_error_fixture(name):
    assert name in CLIENT_ERRORS, "no expectation for docker-client-errors/%s" % name
    text = _read(FIX / "docker-client-errors" / name)
    info = parse_docker_info(text)
    assert info.server_errors == (CLIENT_ERRORS[name],)
    assert not info.has_server
    version = parse_docker_version(text)
    assert version.server_error == CLIENT_ERRORS[name]
    assert version.server_version is None and version.client_version is None


# --------------------------------------------------------------------------------------------
# docker run --gpus errors: daemon errors of another command, never docker info/version output

RUN_GPUS_ERRORS = {
    "19.03-initialization-error-driver-failed-to-process-request.txt",
    "2017-exec-nvidia-smi-not-found-plain-ubuntu-image.txt",
    "2018-exec-nvidia-smi-not-found-runc-rc5.txt",
    "2020-docker-build-prestart-hook-1-unsatisfied-cuda-10.2.txt",
    "2021-docker-19.03-unsatisfied-cuda-11.0.txt",
    "2022-exec-nvidia-smi-not-found-no-gpus-flag.txt",
    "2024-exec-nvidia-smi-not-found-snap-docker.txt",
    "2025-compose-unsatisfied-cuda-12.8-legacy-mode.txt",
    "2025-docker-run-unsatisfied-cuda-12.8-legacy-mode.txt",
    "compose-could-not-select-device-driver-nvidia.txt",
    "could-not-select-device-driver-empty-with-ERRO.txt",
    "could-not-select-device-driver-no-quotes-snap-docker.txt",
    "ctk1.12.0-runc-create-failed-hook-ld.so.conf.txt",
    "unknown-or-invalid-runtime-name-nvidia-compose.txt",
    "unknown-runtime-specified-nvidia.txt",
}


@pytest.mark.parametrize("name", _files("docker-run-gpus-errors"))
def test_docker_run_gpus_errors_not_mistaken(name):
    assert name in RUN_GPUS_ERRORS, "no expectation for docker-run-gpus-errors/%s" % name
    text = _read(FIX / "docker-run-gpus-errors" / name)
    try:
        info = parse_docker_info(text)
    except ParseError:
        pass
    else:
        assert not info.has_server and info.server_version is None and not info.runtimes
    try:
        version = parse_docker_version(text)
    except ParseError:
        pass
    else:
        assert version.client_version is None and version.server_version is None
    journal = parse_dockerd_journal(text)
    assert journal.conflicting_directives == () and journal.unknown_directives == ()


# --------------------------------------------------------------------------------------------
# daemon.json

DAEMON_JSON = {
    # (indent, keys in order) or ("ERROR", line, col, message)
    "INVALID-aliyun-mirror-stray-brace-graph.json": ("ERROR", 3, 54, "invalid character ',' after top-level value"),
    "INVALID-trailing-comma-nvidia.json": ("ERROR", 9, 1,
                                           "invalid character '}' looking for beginning of object key string"),
    "aliyun-mirror-cgroupdriver-trailing-tabs.json": (
        "  ", ["exec-opts", "registry-mirrors", "live-restore", "log-driver", "log-opts", "max-concurrent-downloads",
               "max-concurrent-uploads", "storage-driver"]),
    "cgroupdriver-systemd-data-root-dns-logopts-mirrors-163-baidu.json": (
        "   ", ["exec-opts", "data-root", "live-restore", "dns", "log-driver", "log-opts", "registry-mirrors"]),
    "data-root-nvidia-default-runtime.json": ("    ", ["data-root", "default-runtime", "runtimes"]),
    "hosts-tcp-unix-tab-indented-CONFLICTS-with-fd-unit.json": ("\t", ["hosts"]),
    "insecure-registries-nvidia-default-generic-resources.json": (
        "  ", ["insecure-registries", "default-runtime", "runtimes", "node-generic-resources"]),
    "nvidia-ctk-runtime-configure-generated.json": ("    ", ["runtimes"]),
    "nvidia-default-runtime-relative-path.json": ("  ", ["default-runtime", "runtimes"]),
    "nvidia-default-shm-size.json": ("    ", ["default-runtime", "default-shm-size", "runtimes"]),
    "nvidia-docker2-package-installed.json": ("    ", ["runtimes"]),
    "one-line-nvidia-default-runtime.json": ("", ["default-runtime", "runtimes"]),
}


@pytest.mark.parametrize("name", _files("daemon-json"))
def test_daemon_json_fixture(name):
    assert name in DAEMON_JSON, "no expectation for daemon-json/%s" % name
    text = _read(FIX / "daemon-json" / name)
    want = DAEMON_JSON[name]
    if want[0] == "ERROR":
        with pytest.raises(ParseError) as info:
            parse_daemon_json(text)
        assert (info.value.line, info.value.col, info.value.message) == want[1:]
        return
    got = parse_daemon_json(text)
    assert got.indent == want[0]
    assert list(got.data) == want[1]
    assert got.newline_at_end is True
    assert got.duplicate_keys == ()
    assert set(got.data) <= KNOWN_KEYS


def test_daemon_json_values():
    def load(name):
        return parse_daemon_json(_read(FIX / "daemon-json" / name)).data

    assert load("aliyun-mirror-cgroupdriver-trailing-tabs.json")["log-opts"] == {"max-size": "50m", "max-file": "3"}
    assert load("cgroupdriver-systemd-data-root-dns-logopts-mirrors-163-baidu.json")["registry-mirrors"] == [
        "https://hub-mirror.c.163.com", "https://mirror.baidubce.com"]
    assert load("hosts-tcp-unix-tab-indented-CONFLICTS-with-fd-unit.json")["hosts"] == [
        "tcp://127.0.0.1:2375", "unix:///var/run/docker.sock"]
    assert load("nvidia-default-runtime-relative-path.json")["runtimes"]["nvidia"]["path"] == "nvidia-container-runtime"
    assert load("nvidia-ctk-runtime-configure-generated.json")["runtimes"]["nvidia"] == {
        "args": [], "path": "nvidia-container-runtime"}
    assert load("nvidia-default-shm-size.json")["default-shm-size"] == "8G"
    assert load("insecure-registries-nvidia-default-generic-resources.json")["node-generic-resources"] == [
        "gpu=GPU-d53fc9bd"]
    runtime = load("nvidia-docker2-package-installed.json")["runtimes"]["nvidia"]
    assert set(runtime) <= RUNTIME_KEYS


@pytest.mark.parametrize(
    "text,line,col,message",
    [
        ('{"a": [1,]}', 1, 10, "invalid character ']' looking for beginning of value"),
        ('{"a": 1,\n}', 2, 1, "invalid character '}' looking for beginning of object key string"),
        ('{"a" 1}', 1, 6, "invalid character '1' after object key"),
        ('{\n  "a": 1\n  "b": 2\n}', 3, 3, "invalid character '\"' after object key:value pair"),
        ('{"a": [1 2]}', 1, 10, "invalid character '2' after array element"),
        ('{"a": "x\n"}', 1, 9, "invalid character '\\n' in string literal"),
        ('{"a": "x', 1, 7, "unexpected end of JSON input"),
        ('{"a": 1', 1, 8, "unexpected end of JSON input"),
        ('{"a": "\\q"}', 1, 8, "invalid character 'q' in string escape code"),
        ("{'a': 1}", 1, 2, "invalid character '\\'' looking for beginning of object key string"),
        ('{"a": NaN}', 1, 7, "invalid character 'N' looking for beginning of value"),
        ("<html>", 1, 1, "invalid character '<' looking for beginning of value"),
        ("[1, 2]", 1, 1, "json: cannot unmarshal array into Go value of type map[string]interface {}"),
    ],
)
def test_daemon_json_go_errors(text, line, col, message):
    with pytest.raises(ParseError) as info:
        parse_daemon_json(text)
    assert (info.value.line, info.value.col, info.value.message) == (line, col, message)


def test_daemon_json_layout():
    empty = parse_daemon_json("")
    assert empty.data == {} and empty.indent == ""
    assert parse_daemon_json("  \n").data == {}
    got = parse_daemon_json('{"b": 1, "a": 2, "b": 3}')
    assert list(got.data) == ["b", "a"] and got.data["b"] == 3
    assert got.duplicate_keys == ("b",)
    assert got.newline_at_end is False and got.indent == ""
    assert parse_daemon_json("\ufeff{}\n").data == {}
    # nested duplicates are not top-level duplicates
    assert parse_daemon_json('{"runtimes": {"x": {}, "x": {}}}').duplicate_keys == ()


def test_known_keys_cover_docs_and_removed_keys():
    for key in ["registry-mirrors", "insecure-registries", "runtimes", "default-runtime", "exec-opts", "data-root",
                "graph", "log-driver", "log-opts", "features", "cdi-spec-dirs", "proxies", "hosts", "tls",
                "tlsverify", "tlscacert", "tlscert", "tlskey", "default-address-pools", "userns-remap",
                "node-generic-resources", "cgroup-parent", "default-cgroupns-mode", "host-gateway-ip",
                "host-gateway-ips", "containerd-namespace", "containerd-plugin-namespace", "ip6tables", "log-format",
                "builder", "default-network-opts", "cluster-store", "api-cors-header", "userland-proxy-path"]:
        assert key in KNOWN_KEYS, key
    assert "runtime" not in KNOWN_KEYS and "registry-mirror" not in KNOWN_KEYS
    assert RUNTIME_KEYS == {"path", "runtimeArgs", "runtimeType", "options"}


# --------------------------------------------------------------------------------------------
# dockerd journal

DOCKERD_JOURNAL = {
    # journal width cut the message before the directive names
    "daemon-json-conflict-start-limit-ubuntu.txt": dict(
        errors=("unable to configure the Docker daemon with file /etc/docker/daemon.json: the following directives "
                "are specified both as a flag and in the conf",),
        conflicting_directives=(), unknown_directives=(), warnings=()),
    "hosts-flag-conflict-fd.txt": dict(
        errors=("unable to configure the Docker daemon with file /etc/docker/daemon.json: the following directives "
                "are specified both as a flag and in the configuration file: hosts: (from flag: [fd://], from file: "
                "[tcp://0.0.0.0:2376 fd://])",),
        conflicting_directives=("hosts",), unknown_directives=(), warnings=()),
    "insecure-registries-flag-conflict-sysconfig.txt": dict(
        conflicting_directives=("insecure-registries",), unknown_directives=(), warnings=()),
    "nvidia-container-runtime-unknown-output-format.txt": dict(
        errors=(), conflicting_directives=(), unknown_directives=()),
}


@pytest.mark.parametrize("name", _files("dockerd-journal"))
def test_dockerd_journal_fixture(name):
    assert name in DOCKERD_JOURNAL, "no expectation for dockerd-journal/%s" % name
    got = parse_dockerd_journal(_read(FIX / "dockerd-journal" / name))
    _check(got, DOCKERD_JOURNAL[name])
    if name.startswith("insecure"):
        assert len(got.errors) == 1 and got.errors[0].startswith("unable to configure the Docker daemon")
    if name.startswith("nvidia"):
        assert len(got.warnings) == 1
        assert got.warnings[0].startswith("failed to retrieve /usr/bin/nvidia-container-runtime version: "
                                          "unknown output format: runc version 1.0.2")


def test_dockerd_journal_unknown_and_multiple_conflicts():
    text = (
        "Mar 01 10:00:00 host dockerd[1]: unable to configure the Docker daemon with file /etc/docker/daemon.json: "
        "the following directives don't match any configuration option: runtime, registry-mirror\n"
        "Mar 01 10:00:01 host dockerd[2]: unable to configure the Docker daemon with file /etc/docker/daemon.json: "
        "the following directives are specified both as a flag and in the configuration file: "
        "hosts: (from flag: [fd://], from file: [unix:///var/run/docker.sock]), "
        "default-runtime: (from flag: runc, from file: nvidia)\n"
        "Mar 01 10:00:02 host systemd[1]: docker.service: Failed with result 'exit-code'.\n"
        'Mar 01 10:00:03 host dockerd[3]: time="2024-03-01T10:00:03Z" level=error msg="failed to start daemon: x"\n'
        "failed to start daemon: error initializing graphdriver: driver not supported: overlay2\n"
    )
    got = parse_dockerd_journal(text)
    assert got.unknown_directives == ("runtime", "registry-mirror")
    assert got.conflicting_directives == ("hosts", "default-runtime")
    assert len(got.errors) == 4
    assert got.errors[-1].startswith("failed to start daemon: error initializing graphdriver")


# --------------------------------------------------------------------------------------------
# dockerd command line

def test_dockerd_proc_cmdline():
    got = parse_dockerd_cmdline("/usr/bin/dockerd\x00-H\x00fd://\x00--containerd=/run/containerd/containerd.sock\x00")
    assert got.argv == ("/usr/bin/dockerd", "-H", "fd://", "--containerd=/run/containerd/containerd.sock")
    assert got.flags == {"hosts": ("fd://",), "containerd": ("/run/containerd/containerd.sock",)}
    assert got.config_file is None


def test_dockerd_plain_command_line():
    got = parse_dockerd_cmdline(
        "$ sudo dockerd --add-runtime=nvidia=/usr/bin/nvidia-container-runtime --default-runtime nvidia -D "
        "-H unix:///var/run/docker.sock -Htcp://0.0.0.0:2375 --live-restore --iptables=false "
        "--registry-mirror https://m.example --insecure-registry 10.0.0.1:5000 --exec-opt native.cgroupdriver=systemd "
        "-g /data/docker -s overlay2 -G docker -b none -p /run/d.pid --feature cdi=true "
        "--config-file /etc/docker/other.json --tlsverify --tlscacert=/ca.pem"
    )
    assert got.argv[0] == "dockerd"
    assert got.flags == {
        "runtimes": ("nvidia=/usr/bin/nvidia-container-runtime",),
        "default-runtime": ("nvidia",),
        "debug": ("true",),
        "hosts": ("unix:///var/run/docker.sock", "tcp://0.0.0.0:2375"),
        "live-restore": ("true",),
        "iptables": ("false",),
        "registry-mirrors": ("https://m.example",),
        "insecure-registries": ("10.0.0.1:5000",),
        "exec-opts": ("native.cgroupdriver=systemd",),
        "data-root": ("/data/docker",),
        "storage-driver": ("overlay2",),
        "group": ("docker",),
        "bridge": ("none",),
        "pidfile": ("/run/d.pid",),
        "features": ("cdi=true",),
        "tlsverify": ("true",),
        "tlscacert": ("/ca.pem",),
    }
    assert got.config_file == "/etc/docker/other.json"
    assert got.get("hosts") == ("unix:///var/run/docker.sock", "tcp://0.0.0.0:2375")
    assert got.get("dns") == ()


def test_dockerd_systemctl_cat_effective_execstart():
    text = (
        "# /lib/systemd/system/docker.service\n"
        "[Unit]\nDescription=Docker Application Container Engine\n\n"
        "[Service]\nType=notify\n"
        "ExecStart=/usr/bin/dockerd -H fd:// --containerd=/run/containerd/containerd.sock\n"
        "ExecReload=/bin/kill -s HUP $MAINPID\n\n"
        "# /etc/systemd/system/docker.service.d/override.conf\n"
        "[Service]\nExecStart=\n"
        "ExecStart=/usr/bin/dockerd \\\n    --data-root=/mnt/docker \\\n    $OPTIONS $DOCKER_STORAGE_OPTIONS\n"
    )
    got = parse_dockerd_cmdline(text)
    assert got.argv == ("/usr/bin/dockerd", "--data-root=/mnt/docker", "$OPTIONS", "$DOCKER_STORAGE_OPTIONS")
    assert got.flags == {"data-root": ("/mnt/docker",)}
    assert got.env_refs == ("$OPTIONS", "$DOCKER_STORAGE_OPTIONS")


def test_dockerd_unit_later_execstart_wins_and_prefix():
    text = "[Service]\nExecStart=/usr/bin/dockerd -H fd://\nExecStart=-/usr/bin/dockerd --debug\n"
    assert parse_dockerd_cmdline(text).flags == {"debug": ("true",)}
    with pytest.raises(ParseError):
        parse_dockerd_cmdline("[Service]\nExecStart=/usr/bin/dockerd -H fd://\nExecStart=\n")


def test_dockerd_ps_output_skips_grep():
    text = (
        "USER PID %CPU %MEM VSZ RSS TTY STAT START TIME COMMAND\n"
        "bob 999 0.0 0.0 6000 700 pts/0 S+ 10:00 0:00 grep --color=auto dockerd\n"
        "root 1234 0.1 1.2 1882516 98000 ? Ssl Jan01 5:00 /usr/bin/dockerd -H fd:// "
        "--containerd=/run/containerd/containerd.sock\n"
    )
    got = parse_dockerd_cmdline(text)
    assert got.argv[0] == "/usr/bin/dockerd"
    assert got.flags["hosts"] == ("fd://",)


def test_dockerd_old_docker_daemon_form():
    got = parse_dockerd_cmdline("/usr/bin/docker daemon -H fd:// --storage-driver=devicemapper")
    assert got.flags == {"hosts": ("fd://",), "storage-driver": ("devicemapper",)}


@pytest.mark.parametrize("text", ["containerd --config /etc/containerd/config.toml", "[Service]\nExecStart=/bin/true\n",
                                  "grep dockerd", "/usr/bin/containerd\x00--log-level\x00info\x00"])
def test_dockerd_cmdline_not_dockerd(text):
    with pytest.raises(ParseError):
        parse_dockerd_cmdline(text)


# --------------------------------------------------------------------------------------------
# id / groups / /etc/group

def test_parse_id_forms():
    got = parse_id("uid=1000(bob) gid=1000(bob) groups=1000(bob),4(adm),27(sudo),999(docker)\n")
    assert (got.uid, got.user, got.gid) == (1000, "bob", 1000)
    assert got.groups == ((1000, "bob"), (4, "adm"), (27, "sudo"), (999, "docker"))
    assert got.in_group("docker") and not got.in_group("video")
    got = parse_id("uid=1001(alice) gid=1001(alice) groups=1001(alice),10(wheel) "
                   "context=unconfined_u:unconfined_r:unconfined_t:s0-s0:c0.c1023")
    assert got.in_group("wheel") and not got.in_group("docker")
    got = parse_id("bob@box:~$ id\nuid=0(root) gid=0(root) groups=0(root)\n")
    assert got.uid == 0 and got.groups == ((0, "root"),)
    got = parse_id("bob sudo docker\n")
    assert got.uid is None and got.user is None
    assert got.groups == ((None, "bob"), (None, "sudo"), (None, "docker"))
    assert got.in_group("docker")
    got = parse_id("bob : bob adm sudo\n")
    assert got.user == "bob" and not got.in_group("docker")
    got = parse_id("1000 27 999")
    assert got.in_gid(999) and got.gid == 1000


def test_parse_group_forms():
    db = parse_group("root:x:0:\nsudo:x:27:bob\ndocker:x:999:alice,bob\n# comment\nvideo:x:44:\n")
    assert db.members("docker") == ("alice", "bob")
    assert db.members("video") == ()
    assert db.members("nope") == ()
    assert db.gid("docker") == 999 and db.gid("nope") is None
    assert parse_group("docker:x:998:ubuntu").groups == {"docker": (998, ("ubuntu",))}


# --------------------------------------------------------------------------------------------
# apt sources

def _src(enabled, uri, suite, components=(), signed_by=None, arch=()):
    return (enabled, (uri,), (suite,), components, signed_by, arch)


NV = "https://nvidia.github.io/"
APT_SOURCES = {
    "docker-ansible-role-unsigned-arch-only-jammy.list": [
        _src(True, "https://download.docker.com/linux/ubuntu", "jammy", ("stable",), None, ("amd64",))],
    "docker.list-2021-signed-by-usr-share-keyrings-debian-buster": [
        _src(True, "https://download.docker.com/linux/debian", "buster", ("stable",),
             "/usr/share/keyrings/docker-archive-keyring.gpg", ("amd64",))],
    "docker.list-2022-signed-by-etc-apt-keyrings-jammy": [
        _src(True, "https://download.docker.com/linux/ubuntu", "jammy", ("stable",), "/etc/apt/keyrings/docker.gpg",
             ("amd64",))],
    "libnvidia-container.list.SERVED-ubuntu18.04-legacy": [
        _src(True, NV + "libnvidia-container/ubuntu18.04/$(ARCH)", "/")],
    "nvidia-container-toolkit.list-current-signed-by-as-shown": [
        _src(True, NV + "libnvidia-container/stable/deb/$(ARCH)", "/", (),
             "/usr/share/keyrings/nvidia-container-toolkit-keyring.gpg")],
    "nvidia-container-toolkit.list.SERVED-stable-deb": [
        _src(True, NV + "libnvidia-container/stable/deb/$(ARCH)", "/"),
        _src(False, NV + "libnvidia-container/experimental/deb/$(ARCH)", "/")],
    "nvidia-container-toolkit.list.SERVED-stable-ubuntu18.04": [
        _src(True, NV + "libnvidia-container/stable/ubuntu18.04/$(ARCH)", "/"),
        _src(False, NV + "libnvidia-container/experimental/deb/$(ARCH)", "/"),
        _src(False, NV + "libnvidia-container/experimental/ubuntu18.04/$(ARCH)", "/")],
    "nvidia-docker.list-legacy-2022-tee-output": [
        _src(True, NV + "libnvidia-container/stable/ubuntu18.04/$(ARCH)", "/"),
        _src(False, NV + "libnvidia-container/experimental/ubuntu18.04/$(ARCH)", "/"),
        _src(True, NV + "nvidia-container-runtime/stable/ubuntu18.04/$(ARCH)", "/"),
        _src(False, NV + "nvidia-container-runtime/experimental/ubuntu18.04/$(ARCH)", "/"),
        _src(True, NV + "nvidia-docker/ubuntu18.04/$(ARCH)", "/")],
    "nvidia-docker.list.SERVED-ubuntu18.04-legacy": [
        _src(True, NV + "libnvidia-container/stable/ubuntu18.04/$(ARCH)", "/"),
        _src(False, NV + "libnvidia-container/experimental/ubuntu18.04/$(ARCH)", "/"),
        _src(True, NV + "nvidia-container-runtime/ubuntu18.04/$(ARCH)", "/"),
        _src(True, NV + "nvidia-docker/ubuntu18.04/$(ARCH)", "/")],
}


@pytest.mark.parametrize("name", _files("apt-sources"))
def test_apt_sources_fixture(name):
    assert name in APT_SOURCES, "no expectation for apt-sources/%s" % name
    got = parse_apt_sources({name: _read(FIX / "apt-sources" / name)})
    assert got.errors == ()
    summary = [(e.enabled, e.uris, e.suites, e.components, e.signed_by, e.architectures) for e in got.entries]
    assert summary == APT_SOURCES[name]
    assert all(e.form == "one-line" and e.types == ("deb",) and e.file == name for e in got.entries)
    # the Ansible role file starts with a comment line naming the file
    if name.startswith("docker-ansible"):
        assert got.entries[0].line == 2


def test_apt_sources_deb822_and_errors():
    files = {
        "docker.sources": (
            "Types: deb\nURIs: https://download.docker.com/linux/ubuntu\nSuites: noble\nComponents: stable\n"
            "Architectures: amd64\nSigned-By: /etc/apt/keyrings/docker.asc\n\n"
            "# disabled\nTypes: deb deb-src\nURIs: http://archive.ubuntu.com/ubuntu/\nSuites: noble noble-updates\n"
            "Components: main restricted\nEnabled: no\nSigned-By:\n -----BEGIN PGP PUBLIC KEY BLOCK-----\n .\n"
            " mQINBFit2ioBEADhWpZ8/wvZ6hUTiXOwQHXMAlaFHcPH9hAtr4F1y2+OYdbtMuth\n -----END PGP PUBLIC KEY BLOCK-----\n\n"
            "URIs: https://x.example\nSuites: stable\n"
        ),
        "sources.list": "deb http://mirror.example/ubuntu\nfoo bar baz\n"
                        "deb [arch=amd64,arm64 signed-by=/k.gpg] http://a.example b c # note\n",
    }
    got = parse_apt_sources(files)
    assert isinstance(got, AptSources)
    first, second, third = got.entries
    assert first.form == "deb822" and first.line == 1
    assert (first.uris, first.suites, first.components, first.signed_by, first.architectures, first.enabled) == (
        ("https://download.docker.com/linux/ubuntu",), ("noble",), ("stable",), "/etc/apt/keyrings/docker.asc",
        ("amd64",), True)
    assert second.types == ("deb", "deb-src") and second.suites == ("noble", "noble-updates")
    assert second.signed_by == "inline" and second.enabled is False and second.line == 9
    assert third.form == "one-line" and third.architectures == ("amd64", "arm64") and third.signed_by == "/k.gpg"
    assert third.options == {"arch": "amd64,arm64", "signed-by": "/k.gpg"} and third.line == 3
    assert got.errors == (
        "docker.sources:20: malformed stanza (missing Types)",
        "sources.list:1: malformed entry (missing suite)",
        "sources.list:2: malformed entry (type 'foo' is not deb or deb-src)",
    )
    assert got.enabled() == (first, third)


@pytest.mark.parametrize("sep", ["\u2028", "\x85", "\x0b", "\x0c", "\x1c"])
def test_sources_and_groups_are_split_into_lines_as_apt_and_libc_split_them(sep):
    """str.splitlines() also breaks at these: a commented-out apt line with one inside read as an
    enabled Docker repository, and a group line as a docker group apt and libc never see."""
    text = "# was: x%sdeb https://download.docker.com/linux/ubuntu jammy stable\n" % sep
    src = parse_apt_sources({"sources.list": text, "ok.list": "deb http://archive.ubuntu.com/ubuntu jammy main\n"})
    assert [e.uris for e in src.entries] == [("http://archive.ubuntu.com/ubuntu",)]
    db = parse_group("users:x:100:bob%sdocker:x:999:alice\nroot:x:0:\n" % sep)
    assert "docker" not in db.groups and "root" in db.groups


def test_apt_sources_empty_and_garbage():
    assert parse_apt_sources({}) == AptSources(entries=(), errors=())
    assert parse_apt_sources({"sources.list": "# only comments\n\n"}).entries == ()
    with pytest.raises(ParseError):
        parse_apt_sources({"docker.list": "<html><body>404</body></html>\n"})


APT_ERRORS = {
    "conflicting-signed-by-docker.txt": dict(
        no_pubkey=(), signed_by_conflicts=("https://download.docker.com/linux/ubuntu/",), failed_uris=(),
        unsupported_distribution=False, unsupported_architectures=(),
        errors=("E: Conflicting values set for option Signed-By regarding source https://download.docker.com/linux/"
                "ubuntu/ jammy: /usr/share/keyrings/docker-archive-keyring.gpg != "
                "/usr/share/keyrings/docker-archive-keyring.asc",
                "E: The list of sources could not be read.")),
    "conflicting-signed-by-nvidia.txt": dict(
        no_pubkey=(), signed_by_conflicts=("https://nvidia.github.io/libnvidia-container/stable/ubuntu18.04/amd64/",),
        failed_uris=(), unsupported_distribution=False),
    "docker-repo-no-pubkey-focal.txt": dict(
        no_pubkey=("7EA0A9C3F273FCD8",), signed_by_conflicts=(), unsupported_distribution=False,
        failed_uris=(("https://download.docker.com/linux/ubuntu/dists/focal/InRelease",
                      "The following signatures couldn't be verified because the public key is not available: "
                      "NO_PUBKEY 7EA0A9C3F273FCD8"),),
        errors=("W: GPG error: https://download.docker.com/linux/ubuntu focal InRelease: The following signatures "
                "couldn't be verified because the public key is not available: NO_PUBKEY 7EA0A9C3F273FCD8",
                "E: The repository 'https://download.docker.com/linux/ubuntu focal InRelease' is not signed.")),
    "docker-sources-deb822-no-i386.txt": dict(
        no_pubkey=(), signed_by_conflicts=(), failed_uris=(), unsupported_distribution=False, errors=(),
        unsupported_architectures=("i386",)),
    "target-configured-multiple-times.txt": dict(
        no_pubkey=(), signed_by_conflicts=(), failed_uris=(), unsupported_distribution=False,
        errors=("W: Target Packages (main/binary-amd64/Packages) is configured multiple times in "
                "/etc/apt/sources.list:57 and /etc/apt/sources.list.d/lambda-repository.list:1",
                "W: Target Packages (main/binary-i386/Packages) is configured multiple times in "
                "/etc/apt/sources.list:57 and /etc/apt/sources.list.d/lambda-repository.list:1")),
}


@pytest.mark.parametrize("name", _files("apt-errors"))
def test_apt_errors_fixture(name):
    assert name in APT_ERRORS, "no expectation for apt-errors/%s" % name
    _check(parse_apt_update(_read(FIX / "apt-errors" / name)), APT_ERRORS[name])


def test_apt_update_404_unsupported_distribution():
    text = (
        "Hit:1 http://archive.ubuntu.com/ubuntu noble InRelease\n"
        "Err:5 https://nvidia.github.io/libnvidia-container/stable/ubuntu24.04/amd64  InRelease\n"
        "  404  Not Found [IP: 185.199.108.153 443]\n"
        "Err:6 https://download.docker.com/linux/ubuntu oracular Release 404  Not Found [IP: 3.1.2.3 443]\n"
        "E: The repository 'https://download.docker.com/linux/ubuntu oracular Release' does not have a Release file.\n"
        "E: Failed to fetch https://example.com/dists/x/InRelease  403  Forbidden [IP: 1.2.3.4 443]\n"
    )
    got = parse_apt_update(text)
    assert got.unsupported_distribution
    assert got.failed_uris == (
        ("https://nvidia.github.io/libnvidia-container/stable/ubuntu24.04/amd64/InRelease", "404  Not Found"),
        ("https://download.docker.com/linux/ubuntu/dists/oracular/Release", "404  Not Found"),
        ("https://example.com/dists/x/InRelease", "403  Forbidden"),
    )
    assert len(got.errors) == 2


def test_apt_update_in_apt3_and_zh_cn_wording():
    # apt 3 (Debian trixie, Ubuntu 25.04) spells its prefixes out
    err = "Error: The repository 'https://download.docker.com/linux/debian kali-rolling Release' does not have a Release file."
    got = parse_apt_update("Err:2 https://download.docker.com/linux/debian kali-rolling Release\n"
                           "  404  Not Found [IP: 2600:9000:2475:6e00:3:db06:4200:93a1 443]\n" + err + "\n"
                           "Notice: Updating from such a repository can't be done securely, and is therefore disabled.\n")
    assert got.errors == (err,)
    # apt in a zh_CN locale translates Hit, Err and the rest; the key is the same
    got = parse_apt_update(
        "命中:1 https://mirrors.tuna.tsinghua.edu.cn/ros2/ubuntu jammy InRelease\n"
        "获取:5 https://download.docker.com/linux/ubuntu jammy InRelease [48.5 kB]\n"
        "错误:5 https://download.docker.com/linux/ubuntu jammy InRelease\n"
        "  由于没有公钥，无法验证下列签名： NO_PUBKEY 7EA0A9C3F273FCD8\n"
        "正在读取软件包列表... 完成\n")
    assert got.no_pubkey == ("7EA0A9C3F273FCD8",)
    assert got.failed_uris == (("https://download.docker.com/linux/ubuntu/dists/jammy/InRelease",
                                "由于没有公钥，无法验证下列签名： NO_PUBKEY 7EA0A9C3F273FCD8"),)


# --------------------------------------------------------------------------------------------
# dpkg / apt list / rpm

def test_dpkg_forms():
    got = parse_dpkg(
        "bob@gpu:~$ dpkg -l | grep -E 'nvidia|docker'\n"
        "ii  docker-ce                5:24.0.7-1~ubuntu.22.04~jammy  amd64  Docker: the open-source application\n"
        "rc  nvidia-docker2           2.13.0-1                       all    nvidia-docker CLI wrapper\n"
        "ii  libnvidia-container1:amd64 1.14.3-1                     amd64  NVIDIA container runtime library\n"
        "hi  nvidia-driver-535        535.129.03-0ubuntu1            amd64  NVIDIA driver metapackage\n"
        "un  nvidia-container-runtime <none>                         <none> (no description available)\n"
    )
    assert got.installed("docker-ce").version == "5:24.0.7-1~ubuntu.22.04~jammy"
    assert got.installed("nvidia-docker2") is None and got.packages["nvidia-docker2"].status == "rc"
    assert got.installed("libnvidia-container1").version == "1.14.3-1"
    assert got.installed("nvidia-driver-535") is not None  # held, still installed
    assert got.packages["nvidia-container-runtime"].version is None
    assert [p.name for p in got.find("nvidia-")] == ["nvidia-container-runtime", "nvidia-docker2", "nvidia-driver-535"]

    got = parse_dpkg("docker-ce 5:27.5.1-1~ubuntu.24.04~noble install ok installed\n"
                     "nvidia-docker2  unknown ok not-installed\n"
                     "containerd.io 1.7.25-1 deinstall ok config-files\n")
    assert got.installed("docker-ce").status == "installed"
    assert got.installed("nvidia-docker2") is None and got.installed("containerd.io") is None

    got = parse_dpkg("docker-ce\t5:27.5.1-1~ubuntu.24.04~noble\nnvidia-docker2\t\n")
    assert got.installed("docker-ce") and not got.installed("nvidia-docker2")

    got = parse_dpkg("WARNING: apt does not have a stable CLI interface. Use with caution in scripts.\n\n"
                     "Listing... Done\n"
                     "docker-ce/jammy,now 5:24.0.7-1~ubuntu.22.04~jammy amd64 [installed]\n"
                     "nvidia-container-toolkit/unknown,now 1.14.3-1 amd64 [installed,automatic]\n"
                     "docker-ce-cli/jammy 5:25.0.0-1~ubuntu.22.04~jammy amd64 [upgradable from: 5:24.0.7-1]\n"
                     "nvidia-docker2/unknown 2.14.0-1 all\n")
    assert got.installed("nvidia-container-toolkit").version == "1.14.3-1"
    assert got.installed("docker-ce-cli").version == "5:24.0.7-1"
    assert got.installed("nvidia-docker2") is None

    got = parse_dpkg("nvidia-container-toolkit-1.14.3-1.x86_64\ndocker-ce-3:24.0.7-1.el7.x86_64\n"
                     "libnvidia-container-tools-1.14.3-1.x86_64\n")
    assert got.installed("nvidia-container-toolkit").version == "1.14.3-1"
    assert got.installed("docker-ce").version == "3:24.0.7-1.el7"
    assert got.installed("libnvidia-container-tools") is not None

    got = parse_dpkg("dpkg-query: no packages found matching nvidia-docker2\n")
    assert got.packages == {} and got.not_found == ("nvidia-docker2",)


# --------------------------------------------------------------------------------------------
# cgroup

@pytest.mark.parametrize(
    "text,version",
    [
        ("cgroup2fs\n", 2),
        ("tmpfs\n", 1),
        ("cgroupfs", 1),
        (" Cgroup Version: 2\n", 2),
        ("cgroup2 on /sys/fs/cgroup type cgroup2 (rw,nosuid,nodev,noexec,relatime,nsdelegate)\n", 2),
        ("cgroup2 /sys/fs/cgroup cgroup2 rw,nosuid,nodev,noexec,relatime 0 0\n", 2),
        ("tmpfs on /sys/fs/cgroup type tmpfs (ro,nosuid,nodev,noexec,mode=755)\n"
         "cgroup2 on /sys/fs/cgroup/unified type cgroup2 (rw,nosuid,nodev,noexec,relatime)\n"
         "cgroup on /sys/fs/cgroup/memory type cgroup (rw,nosuid,nodev,noexec,relatime,memory)\n", 1),
        ("0::/user.slice/user-1000.slice/session-3.scope\n", 2),
        ("12:memory:/user.slice\n1:name=systemd:/user.slice\n0::/user.slice\n", 1),
    ],
)
def test_cgroup_forms(text, version):
    assert parse_cgroup(text).version == version


def test_cgroup_from_docker_info_fixture():
    assert parse_cgroup(_read(FIX / "docker-info" / "20.10.17-nvidia-runtime-cgroupv2.txt")).version == 2
    assert parse_cgroup(_read(FIX / "docker-info" / "23.0.6-aufs-ubuntu18.04-warnings.txt")).version == 1


# --------------------------------------------------------------------------------------------
# every fixture file of the covered dirs has an expectation

COVERED = {
    "os-release": set(OS_RELEASE),
    "lsb-release": {k.split("/", 1)[1] for k in LSB if k.startswith("lsb-release/")},
    "lsb_release-a": {k.split("/", 1)[1] for k in LSB if k.startswith("lsb_release-a/")},
    "proc-version": set(PROC_VERSION),
    "docker-version": set(DOCKER_VERSION),
    "docker-info": set(DOCKER_INFO),
    "docker-info-json": set(DOCKER_INFO_JSON),
    "docker-client-errors": set(CLIENT_ERRORS),
    "daemon-json": set(DAEMON_JSON),
    "dockerd-journal": set(DOCKERD_JOURNAL),
    "apt-sources": set(APT_SOURCES),
    "apt-errors": set(APT_ERRORS),
    "docker-run-gpus-errors": set(RUN_GPUS_ERRORS),
}


@pytest.mark.parametrize("dirname", sorted(COVERED))
def test_every_fixture_has_an_expectation(dirname):
    assert set(_files(dirname)) == COVERED[dirname]


# --------------------------------------------------------------------------------------------
# case files (real reports): lsb-release prose, docker-info excerpts, daemon.json, package lists

CASE_EXPECT = {
    ("dev-002", "lsb-release"): dict(id="centos", version_id="7"),
    ("dev-004", "lsb-release"): dict(id=U, version_id="21.10", codename="impish"),
    ("dev-013", "lsb-release"): dict(id=U, version_id="18.04", codename="bionic", pretty_name="Ubuntu 18.04 LTS"),
    ("dev-018", "lsb-release"): dict(id=U, version_id=None, mentions_wsl=True),
    # prompt line + WARNING lines + a grep excerpt: the daemon still lists runc only
    ("dev-018", "docker-info"): dict(runtimes=("io.containerd.runc.v2", "runc"), default_runtime="runc",
                                     has_server=True, server_version=None),
    # leading space before '{'; valid
    ("dev-018", "daemon.json"): dict(indent="  ", newline_at_end=True),
    ("dev-033", "daemon.json"): dict(indent="        "),
}
CASE_DAEMON_ERRORS = {
    # missing comma after "nvidia" on line 2: the next key's quote is the offending character
    "dev-020": (3, 5, "invalid character '\"' after object key:value pair"),
}
CASE_PARSERS = {
    "lsb-release": parse_lsb_release,
    "docker-info": parse_docker_info,
    "daemon.json": parse_daemon_json,
    "packages": parse_dpkg,
}
CASE_FILES = sorted(
    (p.parent.name, p.name) for kind in CASE_PARSERS for p in CASES.glob("*/" + kind) if p.is_file()
)


@pytest.mark.parametrize("case,kind", CASE_FILES)
def test_case_files_parse(case, kind):
    text = _read(CASES / case / kind)
    if kind == "daemon.json" and case in CASE_DAEMON_ERRORS:
        with pytest.raises(ParseError) as info:
            parse_daemon_json(text)
        assert (info.value.line, info.value.col, info.value.message) == CASE_DAEMON_ERRORS[case]
        return
    got = CASE_PARSERS[kind](text)
    if (case, kind) in CASE_EXPECT:
        _check(got, CASE_EXPECT[(case, kind)])


def test_case_daemon_json_values():
    data = parse_daemon_json(_read(CASES / "dev-018" / "daemon.json")).data
    assert data["default-runtime"] == "nvidia"
    assert data["runtimes"]["nvidia"] == {"path": "nvidia-container-runtime", "runtimeArgs": []}
    data = parse_daemon_json(_read(CASES / "dev-033" / "daemon.json")).data
    assert data == {"registry-mirrors": ["http://192.168.1.201:8081/repository/docker-public/"]}


def test_case_packages():
    got = parse_dpkg(_read(CASES / "dev-021" / "packages"))
    assert got.installed("nvidia-smi").version == "525.85.12-1"
    assert list(got.packages) == ["nvidia-smi"]
    got = parse_dpkg(_read(CASES / "dev-024" / "packages"))
    assert got.installed("nvidia-utils-470").version == "470.103.01-0ubuntu0.20.04.1"
    assert [p.name for p in got.find("nvidia-")] == ["nvidia-compute-utils-470", "nvidia-utils-470"]
    assert got.installed("xserver-xorg-video-nvidia-470") is not None


# --------------------------------------------------------------------------------------------
# garbage: ParseError and nothing else (or the documented empty result)

def _garbage():
    rnd = random.Random(20240601)
    samples = {
        "empty": "",
        "html": "<html><head><title>502 Bad Gateway</title></head><body><center>nginx</center></body></html>\n",
        "nvidia-smi": _read(FIX / "nvidia-smi" / "535.129.03-2xQuadro-RTX4000.txt"),
    }
    for i in range(8):
        raw = bytes(rnd.randrange(256) for _ in range(rnd.randrange(1, 600)))
        samples["random-%d" % i] = raw.decode("utf-8", errors="replace")
    return samples


GARBAGE = _garbage()
PARSERS = {
    "os_release": parse_os_release,
    "lsb_release": parse_lsb_release,
    "proc_version": parse_proc_version,
    "docker_version": parse_docker_version,
    "docker_info": parse_docker_info,
    "daemon_json": parse_daemon_json,
    "dockerd_cmdline": parse_dockerd_cmdline,
    "dockerd_journal": parse_dockerd_journal,
    "id": parse_id,
    "group": parse_group,
    "apt_sources_list": lambda text: parse_apt_sources({"sources.list": text}),
    "apt_sources_deb822": lambda text: parse_apt_sources({"docker.sources": text}),
    "apt_update": parse_apt_update,
    "dpkg": parse_dpkg,
    "cgroup": parse_cgroup,
}
# Documented to accept this input: the expected (empty) result.
ACCEPTS = {
    ("daemon_json", "empty"): lambda r: r.data == {} and r.indent == "" and r.duplicate_keys == (),
    ("apt_sources_list", "empty"): lambda r: r == AptSources(entries=(), errors=()),
    ("apt_sources_deb822", "empty"): lambda r: r == AptSources(entries=(), errors=()),
}


@pytest.mark.parametrize("parser", sorted(PARSERS))
@pytest.mark.parametrize("sample", sorted(GARBAGE))
def test_garbage(parser, sample):
    fn = PARSERS[parser]
    text = GARBAGE[sample]
    if parser == "dockerd_journal":  # accepts any text; finds nothing here
        got = fn(text)
        assert (got.errors, got.conflicting_directives, got.unknown_directives, got.warnings) == ((), (), (), ())
        return
    if (parser, sample) in ACCEPTS:
        assert ACCEPTS[(parser, sample)](fn(text))
        return
    with pytest.raises(ParseError):
        fn(text)


@pytest.mark.parametrize("parser", sorted(PARSERS))
def test_non_text_input_is_parse_error(parser):
    with pytest.raises(ParseError):
        PARSERS[parser](b"\x00\x01" if not parser.startswith("apt_sources") else None)
