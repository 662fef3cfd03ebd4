"""Every problem ID in the catalog fires from evidence a real host (or a real report) would give.

Each scenario is a small snapshot — real fixture files where the corpus has them, otherwise the
exact text the tool prints — replayed with `check --snapshot`. `root` marks scenarios where the
ID must be the top root cause; the others must at least be reported (warn or fail).
"""
import json
from pathlib import Path

import pytest

from dldoctor import catalog, gather
from dldoctor.diagnose import diagnose
from dldoctor.host.snapshot import SnapshotHost

FIX = Path(__file__).resolve().parents[1] / "data" / "fixtures"


def fx(name):
    return (FIX / name).read_text(encoding="utf-8", errors="replace")


LSPCI_NVIDIA = fx("lspci/4xTITAN-X-pascal-vga-and-audio.txt")
SMI_OK = fx("nvidia-smi/550.127.05-A10.txt")
ID_USER = "uid=1000(alice) gid=1000(alice) groups=1000(alice),27(sudo)\n"
DJ_NVIDIA = '{\n  "runtimes": {\n    "nvidia": {\n      "path": "/usr/bin/nvidia-container-runtime",\n      "runtimeArgs": []\n    }\n  }\n}\n'
TOOLKIT_PKGS = "nvidia-container-toolkit 1.17.8-1 install ok installed\nnvidia-container-toolkit-base 1.17.8-1 install ok installed\n"
INFO_ROOTLESS = json.dumps({"ServerVersion": "27.5.1", "Runtimes": {"runc": {}}, "DefaultRuntime": "runc",
                            "SecurityOptions": ["name=seccomp,profile=builtin", "name=rootless", "name=cgroupns"],
                            "CgroupDriver": "systemd", "CgroupVersion": "2",
                            "DockerRootDir": "/home/alice/.local/share/docker"})
INFO_ROOTFUL = json.dumps({"ServerVersion": "27.5.1", "Runtimes": {"runc": {}, "nvidia": {"path": "nvidia-container-runtime"}},
                           "DefaultRuntime": "runc", "SecurityOptions": ["name=seccomp,profile=builtin"],
                           "CgroupDriver": "cgroupfs", "CgroupVersion": "1", "DockerRootDir": "/var/lib/docker"})
TOML_NO_CGROUPS = '[nvidia-container-cli]\nno-cgroups = true\nldconfig = "@/sbin/ldconfig.real"\n'
TOML_DEFAULT = '[nvidia-container-cli]\n#no-cgroups = false\nldconfig = "@/sbin/ldconfig.real"\n'

SCENARIOS = {
    "os.unsupported": ({"os-release": fx("os-release/ubuntu-18.04")}, False),
    "os.wsl": ({"proc-version": fx("proc-version/wsl2-5.4.72-microsoft-standard-WSL2.txt"),
                "packages": "nvidia-driver-535 535.183.01-0ubuntu1 install ok installed\n"}, True),
    "os.wsl-gpu-unsupported": ({"proc-version": "Linux version 4.4.0-19041-Microsoft (Microsoft@Microsoft.com) (gcc version 5.4.0 (GCC) ) #1237-Microsoft Sat Sep 11 14:32:00 PST 2021\n",
                                "error": "nvidia-container-cli: initialization error: WSL environment detected but no adapters were found: unknown.\n"}, True),
    "os.reboot-required": ({"reboot-required": "*** System restart required ***\n"}, False),
    "os.selinux": ({"error": "type=AVC msg=audit(1): avc:  denied  { read } for pid=9 comm=\"nvidia-container\" "
                             "scontext=system_u:system_r:container_t:s0 tclass=chr_file permissive=0\n"}, True),
    "gpu.absent": ({"lspci": "00:02.0 VGA compatible controller [0300]: Intel Corporation UHD Graphics 630 [8086:3e92]\n",
                    "nvidia-smi": "nvidia-smi: command not found\n", "nvidia-smi.exit": "127\n"}, True),
    "driver.missing": ({"lspci": LSPCI_NVIDIA, "nvidia-smi": fx("nvidia-smi-errors/bash-command-not-found.txt"),
                        "nvidia-smi.exit": "127\n"}, True),
    "driver.nouveau": ({"lspci": LSPCI_NVIDIA, "nvidia-smi": fx("nvidia-smi-errors/couldnt-communicate-with-driver.txt"),
                        "lsmod": "Module                  Size  Used by\nnouveau              2433024  3\nttm 86016 1 nouveau\n"}, True),
    "driver.secure-boot": ({"lspci": LSPCI_NVIDIA, "nvidia-smi": fx("nvidia-smi-errors/couldnt-communicate-with-driver.txt"),
                            "dmesg": "[    5.1] Lockdown: modprobe: unsigned module loading is restricted\n"
                                     "[    5.2] modprobe: ERROR: could not insert 'nvidia': Key was rejected by service\n"}, True),
    "driver.not-loaded": ({"lspci": LSPCI_NVIDIA, "nvidia-smi": fx("nvidia-smi-errors/couldnt-communicate-with-driver.txt")}, True),
    "driver.version-mismatch": ({"nvidia-smi": fx("nvidia-smi-errors/nvml-mismatch-nvml-library-570.124.txt")}, True),
    "driver.uvm-missing": ({"nvidia-smi": SMI_OK, "lspci": LSPCI_NVIDIA,
                            "lsmod": "nvidia_drm 77824 0\nnvidia_modeset 1306624 1 nvidia_drm\nnvidia 56422400 1 nvidia_modeset\n"}, False),
    "driver.too-old-for-image": ({"nvidia-smi": fx("nvidia-smi/510.47.03-host-RTX3090.txt"),
                                  "error": fx("docker-run-gpus-errors/2025-docker-run-unsatisfied-cuda-12.8-legacy-mode.txt")}, True),
    "driver.too-old-for-toolkit": ({"error": "nvidia-container-cli: initialization error: nvml error: function not found: unknown\n"}, True),
    "gpu.mig-device-id": ({"error": "docker: Error response from daemon: unknown device MIG-GPU-5c89852c-d268-c3f3-1b07-005d5ae1dc3f/7/0\n"}, True),
    "docker.missing": ({"docker-version": "bash: docker: command not found\n", "docker-version.exit": "127\n"}, True),
    "docker.daemon-down": ({"docker-info": fx("docker-info/26.1.4-client-only-cannot-connect.txt")}, True),
    "docker.permission-denied": ({"docker-info": fx("docker-client-errors/docker-run-permission-denied-2024.txt"),
                                  "id": ID_USER, "group": "sudo:x:27:alice\ndocker:x:998:\n"}, True),
    "docker.group-not-active": ({"docker-info": fx("docker-client-errors/docker-run-permission-denied-2024.txt"),
                                 "id": ID_USER, "group": "sudo:x:27:alice\ndocker:x:998:alice\n"}, True),
    "docker.too-old": ({"docker-version": fx("docker-version/18.06.2-clear-linux.txt")}, True),
    "docker.snap": ({"which": "docker: /snap/bin/docker\ndockerd: /snap/bin/dockerd\n"}, True),
    "docker.desktop": ({"docker-info.json": json.dumps({"ServerVersion": "27.2.0", "OperatingSystem": "Docker Desktop",
                                                        "Runtimes": {"runc": {}}, "ClientInfo": {"Context": "desktop-linux"}})}, True),
    "docker.rootless": ({"docker-info.json": INFO_ROOTLESS}, False),
    "docker.proxy-misconfigured": ({"error": "Error response from daemon: Get \"https://registry-1.docker.io/v2/\": proxyconnect tcp: "
                                             "tls: first record does not look like a TLS handshake\n"}, True),
    "daemon-json.invalid": ({"daemon.json": fx("daemon-json/INVALID-trailing-comma-nvidia.json")}, True),
    "daemon-json.flag-conflict": ({"daemon.json": fx("daemon-json/hosts-tcp-unix-tab-indented-CONFLICTS-with-fd-unit.json"),
                                   "dockerd-cmdline": "[Service]\nExecStart=/usr/bin/dockerd -H fd:// --containerd=/run/containerd/containerd.sock\n"}, True),
    "daemon-json.unknown-key": ({"daemon.json": '{\n  "registry-mirrorz": ["https://docker.m.daocloud.io"]\n}\n'}, True),
    "toolkit.missing": ({"lspci": LSPCI_NVIDIA, "nvidia-smi": SMI_OK, "packages": "docker-ce 5:27.5.1-1~ubuntu.22.04~jammy install ok installed\n",
                         "which": "nvidia-container-runtime-hook: -\nnvidia-ctk: -\nnvidia-container-cli: -\n"}, True),
    "toolkit.daemon-not-restarted": ({"daemon.json": DJ_NVIDIA, "docker-info": fx("docker-info/grep-runtime-seccomp-warning-runc-only.txt"),
                                      "paths": "/usr/bin/nvidia-container-runtime\tyes\n"}, True),
    "toolkit.legacy": ({"packages": TOOLKIT_PKGS + "nvidia-docker2 2.13.0-1 install ok installed\n"}, False),
    "toolkit.too-old-for-cgroup-v2": ({"packages": "libnvidia-container-tools 1.3.3-1 install ok installed\nlibnvidia-container1 1.3.3-1 install ok installed\n",
                                       "cgroup": "cgroup2fs\n"}, True),
    "toolkit.libs-not-found": ({"nvidia-container-cli-info": "nvidia-container-cli: initialization error: load library failed: "
                                                             "libnvidia-ml.so.1: cannot open shared object file: no such file or directory\n",
                                "packages": TOOLKIT_PKGS}, True),
    "toolkit.ldconfig": ({"nvidia-container-runtime-config.toml": TOML_DEFAULT, "paths": "/sbin/ldconfig.real\tno\n"}, True),
    "toolkit.rootless-cgroups": ({"docker-info.json": INFO_ROOTLESS, "nvidia-container-runtime-config.toml": TOML_DEFAULT,
                                  "paths": "/sbin/ldconfig.real\tyes\n"}, True),
    "toolkit.no-cgroups-rootful": ({"docker-info.json": INFO_ROOTFUL, "nvidia-container-runtime-config.toml": TOML_NO_CGROUPS,
                                    "paths": "/sbin/ldconfig.real\tyes\n"}, True),
    "runtime.not-registered": ({"daemon.json": '{\n  "default-runtime": "nvidia"\n}\n'}, True),
    "runtime.binary-missing": ({"daemon.json": DJ_NVIDIA, "packages": TOOLKIT_PKGS,
                                "paths": "/usr/bin/nvidia-container-runtime\tno\n"}, True),
    "cgroup.nvml-unknown-error": ({"docker-info": fx("docker-info/20.10.17-nvidia-runtime-cgroupv2.txt")}, False),
    "apt.docker-repo-missing": ({"os-release": fx("os-release/ubuntu-22.04"), "apt-sources/sources.list":
                                 "deb http://archive.ubuntu.com/ubuntu jammy main restricted\n",
                                 "docker-version": "docker: command not found\n", "docker-version.exit": "127\n"}, False),
    "apt.nvidia-repo-missing": ({"os-release": fx("os-release/ubuntu-22.04"), "apt-sources/sources.list":
                                 "deb http://archive.ubuntu.com/ubuntu jammy main restricted\n",
                                 "packages": "docker-ce 5:27.5.1-1 install ok installed\n", "which": "nvidia-ctk: -\n"}, False),
    "apt.no-pubkey": ({"apt-update": fx("apt-errors/docker-repo-no-pubkey-focal.txt")}, True),
    "apt.signed-by-conflict": ({"apt-sources/docker.list": "deb [arch=amd64 signed-by=/etc/apt/keyrings/docker.gpg] https://download.docker.com/linux/ubuntu jammy stable\n",
                                "apt-sources/docker.sources": "Types: deb\nURIs: https://download.docker.com/linux/ubuntu\nSuites: jammy\n"
                                                              "Components: stable\nSigned-By: /etc/apt/keyrings/docker.asc\n"}, True),
    "apt.repo-unsupported-distro": ({"apt-sources/nvidia-docker.list": "deb https://nvidia.github.io/libnvidia-container/stable/ubuntu24.04/$(ARCH) /\n"}, True),
    "apt.broken-source": ({"apt-update": "Err:7 https://packagecloud.io/slacktechnologies/slack/debian jessie InRelease\n"
                                         "  403  Forbidden [IP: 1.2.3.4 443]\nReading package lists... Done\n"
                                         "E: Failed to fetch https://packagecloud.io/slacktechnologies/slack/debian/dists/jessie/InRelease  403  Forbidden [IP: 1.2.3.4 443]\n"
                                         "E: The repository 'https://packagecloud.io/slacktechnologies/slack/debian jessie InRelease' is no longer signed.\n"}, True),
    "registry.unreachable": ({"error": fx("docker-run-gpus-errors/could-not-select-device-driver-empty-with-ERRO.txt").replace(
        "could not select device driver \"\" with capabilities: [[gpu]]", "Get \"https://registry-1.docker.io/v2/\": net/http: TLS handshake timeout")}, True),
    "mirror.restricted": ({"error": "Error response from daemon: pull access denied for hello-world: denied: not in the allowlist\n"}, True),
    "apt.repo-unreachable": ({"apt-update": "Err:5 https://nvidia.github.io/libnvidia-container/stable/deb/amd64  InRelease\n  暂时不能解析域名“nvidia.github.io”\n"}, True),
    "mirror.dead": ({"daemon.json": '{"registry-mirrors": ["https://docker.mirrors.ustc.edu.cn"]}\n'}, True),
    "mirror.invalid": ({"daemon.json": '{"registry-mirrors": ["docker.m.daocloud.io"]}\n'}, True),
    "image.tag-missing": ({"error": "Error response from daemon: manifest for nvidia/cuda:latest not found: manifest unknown: manifest unknown\n"}, True),
    "container.shm-too-small": ({"error": "RuntimeError: DataLoader worker (pid 47) is killed by signal: Bus error. It is possible that dataloader's workers are out of shared memory.\n"}, True),
    "container.root-owned-files": ({"error": "PermissionError: [Errno 13] Permission denied: 'runs/exp1/ckpt.pt' — the files written by the container are owned by root on the host bind mount\n"}, True),
    "container.no-gpu-request": ({"error": fx("docker-run-gpus-errors/2022-exec-nvidia-smi-not-found-no-gpus-flag.txt")}, True),
    "container.run-mount-conflict": ({"error": "nvidia-container-cli: mount error: file creation failed: /var/lib/docker/overlay2/x/merged/run/nvidia-persistenced/socket: no such device or address: unknown\n"}, True),
    "image.bundles-driver-libs": ({"error": "nvidia-container-cli: mount error: file creation failed: /var/lib/docker/overlay2/x/merged/usr/lib/x86_64-linux-gnu/libnvidia-ml.so.1: file exists: unknown\n"}, True),
}


def test_every_catalog_id_has_a_scenario():
    assert set(SCENARIOS) == set(catalog.PROBLEMS)


@pytest.mark.parametrize("pid", sorted(SCENARIOS))
def test_problem_fires_from_evidence(pid, tmp_path):
    files, must_lead = SCENARIOS[pid]
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    report = diagnose(gather.collect(SnapshotHost(str(tmp_path))))
    fired = [f for f in report.findings if f.problem == pid and f.status in ("warn", "fail")]
    assert fired, (pid, [(f.check, f.status, f.problem) for f in report.findings if f.problem])
    assert fired[0].fix and fired[0].evidence, fired[0]
    if must_lead:
        assert report.root_causes and report.root_causes[0] == pid, (pid, report.root_causes)


def _sources_findings(tmp_path, files):
    for name, text in files.items():
        p = tmp_path / "apt-sources" / name
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text)
    (tmp_path / "os-release").write_text('ID=ubuntu\nVERSION_ID="22.04"\nVERSION_CODENAME=jammy\n')
    report = diagnose(gather.collect(SnapshotHost(str(tmp_path))))
    return [f for f in report.findings if f.check == "apt-sources"]


def test_apt_sources_apt_does_not_read_are_not_judged(tmp_path):
    """A docker.list.save and a disabled copy made a Signed-By conflict and a missing key that apt
    never sees, and that fix (which reads what apt reads) could never clear."""
    found = _sources_findings(tmp_path, {
        "docker.list": "deb [signed-by=/etc/apt/keyrings/docker.asc] https://download.docker.com/linux/ubuntu jammy stable\n",
        "docker.list.save": "deb https://download.docker.com/linux/ubuntu jammy stable\n",
        "docker.sources.disabled": "Types: deb\nURIs: https://download.docker.com/linux/ubuntu\nSuites: jammy\n"
                                   "Components: stable\nSigned-By: /usr/share/keyrings/old.gpg\n"})
    assert not [f.problem for f in found if f.problem in ("apt.signed-by-conflict", "apt.no-pubkey")], found


def test_a_signed_by_conflict_names_each_file_with_its_own_key(tmp_path):
    found = _sources_findings(tmp_path, {
        "a.list": "deb [signed-by=/etc/apt/keyrings/docker.asc] https://download.docker.com/linux/ubuntu jammy stable\n",
        "b.list": "deb https://download.docker.com/linux/ubuntu jammy stable\n"})
    (conflict,) = [f for f in found if f.problem == "apt.signed-by-conflict"]
    assert sorted(conflict.evidence) == ["a.list:1 (Signed-By: /etc/apt/keyrings/docker.asc)",
                                         "b.list:1 (Signed-By: -)"], conflict.evidence


@pytest.mark.parametrize("n,told", [(10, True), (255, False), (256, False)])
def test_no_repository_is_called_missing_from_sources_read_only_in_part(tmp_path, n, told):
    """sources.list.d is read to 256 files: the Docker repository may be in one past them, so
    its absence is not claimed then (a host with ten files still hears it). Without a
    sources.list the host stops at 255 files of sources.list.d."""
    files = {"a%03d.list" % i: "deb http://deb.example.org/x%d stable main\n" % i for i in range(n)}
    (tmp_path / "docker-version").write_text("docker: command not found\n")
    (tmp_path / "docker-version.exit").write_text("127\n")
    found = _sources_findings(tmp_path, files)
    assert ("apt.docker-repo-missing" in [f.problem for f in found]) is told, found
