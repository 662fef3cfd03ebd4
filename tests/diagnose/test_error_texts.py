"""Real error texts (fixtures collected from public reports) explained to the catalog ID an
expert would name. These are not the dev cases: they are the wider corpus the signatures must
generalise to, in every wording era (runc/containerd/toolkit versions)."""
from pathlib import Path

import pytest

from dldoctor.explain import explain

FIX = Path(__file__).resolve().parents[1] / "data" / "fixtures"

EXPECTED = {
    "docker-run-gpus-errors/19.03-initialization-error-driver-failed-to-process-request.txt": None,
    "docker-run-gpus-errors/2017-exec-nvidia-smi-not-found-plain-ubuntu-image.txt": "container.no-gpu-request",
    "docker-run-gpus-errors/2018-exec-nvidia-smi-not-found-runc-rc5.txt": "container.no-gpu-request",
    "docker-run-gpus-errors/2020-docker-build-prestart-hook-1-unsatisfied-cuda-10.2.txt": "driver.too-old-for-image",
    "docker-run-gpus-errors/2021-docker-19.03-unsatisfied-cuda-11.0.txt": "driver.too-old-for-image",
    "docker-run-gpus-errors/2022-exec-nvidia-smi-not-found-no-gpus-flag.txt": "container.no-gpu-request",
    "docker-run-gpus-errors/2024-exec-nvidia-smi-not-found-snap-docker.txt": "container.no-gpu-request",
    "docker-run-gpus-errors/2025-compose-unsatisfied-cuda-12.8-legacy-mode.txt": "driver.too-old-for-image",
    "docker-run-gpus-errors/2025-docker-run-unsatisfied-cuda-12.8-legacy-mode.txt": "driver.too-old-for-image",
    "docker-run-gpus-errors/compose-could-not-select-device-driver-nvidia.txt": "toolkit.missing",
    "docker-run-gpus-errors/could-not-select-device-driver-empty-with-ERRO.txt": "toolkit.missing",
    "docker-run-gpus-errors/could-not-select-device-driver-no-quotes-snap-docker.txt": "toolkit.missing",
    "docker-run-gpus-errors/ctk1.12.0-runc-create-failed-hook-ld.so.conf.txt": None,
    "docker-run-gpus-errors/unknown-or-invalid-runtime-name-nvidia-compose.txt": "runtime.not-registered",
    "docker-run-gpus-errors/unknown-runtime-specified-nvidia.txt": "runtime.not-registered",
    "dockerd-journal/daemon-json-conflict-start-limit-ubuntu.txt": "daemon-json.flag-conflict",
    "dockerd-journal/hosts-flag-conflict-fd.txt": "daemon-json.flag-conflict",
    "dockerd-journal/insecure-registries-flag-conflict-sysconfig.txt": "daemon-json.flag-conflict",
    "dockerd-journal/nvidia-container-runtime-unknown-output-format.txt": None,
    "apt-errors/conflicting-signed-by-docker.txt": "apt.signed-by-conflict",
    "apt-errors/conflicting-signed-by-nvidia.txt": "apt.signed-by-conflict",
    "apt-errors/docker-repo-no-pubkey-focal.txt": "apt.no-pubkey",
    "apt-errors/docker-sources-deb822-no-i386.txt": None,
    "apt-errors/target-configured-multiple-times.txt": None,
    "docker-client-errors/cannot-connect-2016-on-this-host.txt": "docker.daemon-down",
    "docker-client-errors/docker-info-18.09-cannot-connect-one-line.txt": "docker.daemon-down",
    "docker-client-errors/docker-ps-permission-denied-custom-socket.txt": "docker.permission-denied",
    "docker-client-errors/docker-run-got-permission-denied-2021.txt": "docker.permission-denied",
    "docker-client-errors/docker-run-permission-denied-2024.txt": "docker.permission-denied",
    "nvidia-smi-errors/bash-command-not-found.txt": "driver.missing",
    "nvidia-smi-errors/couldnt-communicate-MANGLED-curly-quote-two-lines.txt": "driver.not-loaded",
    "nvidia-smi-errors/couldnt-communicate-with-driver.txt": "driver.not-loaded",
    "nvidia-smi-errors/nvml-mismatch-nvml-library-550.144.txt": "driver.version-mismatch",
    "nvidia-smi-errors/nvml-mismatch-nvml-library-570.124.txt": "driver.version-mismatch",
    "nvidia-smi-errors/nvml-mismatch-nvml-library-580.178-kmod-580.173.02.txt": "driver.version-mismatch",
    "nvidia-smi-errors/nvml-mismatch-old-one-line.txt": "driver.version-mismatch",
    "nvidia-smi-errors/nvml-unknown-error-in-container.txt": "cgroup.nvml-unknown-error",
}

# Other wordings of the same problems, as they appear across versions and in people's words.
VARIANTS = [
    ("E: 无法定位软件包 nvidia-container-toolkit", "apt.nvidia-repo-missing"),
    ("E: 无法定位软件包 docker-ce", "apt.docker-repo-missing"),
    ("W: GPG 错误：https://download.docker.com/linux/ubuntu jammy InRelease: 由于没有公钥，无法验证下列签名： "
     "NO_PUBKEY 7EA0A9C3F273FCD8", "apt.no-pubkey"),
    ("stderr: Auto-detected mode as 'legacy' nvidia-container-cli: requirement error: unsatisfied condition: "
     "brand = tesla: unknown.", "driver.too-old-for-image"),
    ("dpkg: error processing archive /var/cache/apt/archives/nvidia-container-toolkit_1.17.8-1_amd64.deb (--unpack):\n"
     " trying to overwrite '/usr/bin/nvidia-container-runtime-hook', which is also in package "
     "nvidia-container-runtime 3.4.2-1", "toolkit.legacy"),
    ("NVIDIA-SMI couldn't find libnvidia-ml.so library in your system. Please make sure that the NVIDIA Display "
     "Driver is properly installed and present in your system.", "driver.missing"),
    ("Error response from daemon: toomanyrequests: You have reached your pull rate limit. You may increase the "
     "limit by authenticating and upgrading: https://www.docker.com/increase-rate-limit", "registry.unreachable"),
    ("nvidia-container-cli: initialization error: nvml error: driver not loaded: unknown.", "driver.not-loaded"),
    ("modprobe: FATAL: Module nvidia not found in directory /lib/modules/5.15.0-91-generic", "driver.not-loaded"),
    ("E: Unable to locate package nvidia-container-toolkit", "apt.nvidia-repo-missing"),
    ("E: Package 'docker-ce' has no installation candidate", "apt.docker-repo-missing"),
    ("E: The repository 'https://nvidia.github.io/libnvidia-container/stable/ubuntu22.04/amd64  Release' does not "
     "have a Release file.", "apt.repo-unsupported-distro"),
    ("ERROR: failed to solve: nvidia/cuda:11.3.0-cudnn8-runtime-ubuntu20.04: failed to resolve source metadata for "
     "docker.io/nvidia/cuda:11.3.0-cudnn8-runtime-ubuntu20.04: docker.io/nvidia/cuda:11.3.0-cudnn8-runtime-ubuntu20.04: "
     "not found", "image.tag-missing"),
    ("WARNING: The NVIDIA Driver was not detected.  GPU functionality will not be available.\n   Use the NVIDIA "
     "Container Toolkit to start this container with GPU support; see https://docs.nvidia.com/datacenter/cloud-native/ .",
     "container.no-gpu-request"),
    ("nvidia-container-cli: initialization error: WSL environment detected but no adapters were found: unknown.", "os.wsl-gpu-unsupported"),
    ("bash: nvidia-docker: command not found", "toolkit.legacy"),
    ("nvidia-container-cli: mount error: failed to add device rules: unable to find any existing device filters "
     "attached to the cgroup: bpf_prog_query(BPF_CGROUP_DEVICE) failed: operation not permitted: unknown.",
     "toolkit.rootless-cgroups"),
    ("unable to configure the Docker daemon with file /etc/docker/daemon.json: EOF", "daemon-json.invalid"),
    ("Error response from daemon: Get \"https://registry-1.docker.io/v2/\": EOF", "registry.unreachable"),
    ("docker: Error response from daemon: failed to create task for container: ... error running hook #0: "
     "error running hook: exec: \"nvidia-container-runtime-hook\": executable file not found in $PATH: unknown.",
     "toolkit.missing"),
    ("docker: Error response from daemon: failed to create task for container: failed to create shim task: "
     "OCI runtime create failed: unable to retrieve OCI runtime error (open /run/containerd/io.containerd."
     "runtime.v2.task/moby/x/log.json: no such file or directory): fork/exec /usr/bin/nvidia-container-runtime: "
     "no such file or directory: unknown.", "runtime.binary-missing"),
    ("Error response from daemon: manifest for nvidia/cuda:11.0-base not found: manifest unknown: manifest unknown",
     "image.tag-missing"),
    ("Error response from daemon: Get \"https://registry-1.docker.io/v2/\": net/http: request canceled while "
     "waiting for connection (Client.Timeout exceeded while awaiting headers)", "registry.unreachable"),
    ("Error response from daemon: Get \"https://registry-1.docker.io/v2/\": dial tcp 54.236.113.205:443: i/o timeout",
     "registry.unreachable"),
    ("failed to start daemon: Error initializing network controller ... unable to configure the Docker daemon with "
     "file /etc/docker/daemon.json: invalid character '}' looking for beginning of object key string",
     "daemon-json.invalid"),
    ("Error response from daemon: Get \"https://registry-1.docker.io/v2/\": dial tcp: lookup "
     "registry-1.docker.io on 127.0.0.53:53: server misbehaving", "registry.unreachable"),
    ("Error response from daemon: Get \"https://nvcr.io/v2/\": dial tcp: lookup nvcr.io: no such host",
     "registry.unreachable"),
    ("docker: unknown flag: --gpus.\nSee 'docker run --help'.", "docker.too-old"),
    ("nvidia-container-cli: initialization error: load library failed: libnvidia-ml.so.1: cannot open shared "
     "object file: no such file or directory: unknown", "toolkit.libs-not-found"),
    ("modprobe: ERROR: could not insert 'nvidia': Key was rejected by service", "driver.secure-boot"),
    ("ERROR: Unable to load the kernel module 'nvidia.ko'. ... Required key not available", "driver.secure-boot"),
    ("E: Conflicting values set for option Signed-By regarding source https://nvidia.github.io/libnvidia-container/"
     "stable/deb/amd64/ /: /usr/share/keyrings/nvidia-container-toolkit-keyring.gpg != ", "apt.signed-by-conflict"),
    ("W: GPG error: https://nvidia.github.io/libnvidia-container/stable/deb/amd64  InRelease: The following "
     "signatures couldn't be verified because the public key is not available: NO_PUBKEY DDCAE044F796ECB0",
     "apt.no-pubkey"),
    ("RuntimeError: unable to write to file </torch_123_456>: No space left on device (28)", "container.shm-too-small"),
    ("ERROR: Unexpected bus error encountered in worker. This might be caused by insufficient shared memory (shm).",
     "container.shm-too-small"),
    ("docker: Error response from daemon: OCI runtime create failed: ... nvidia-container-cli: mount error: "
     "file creation failed: /var/lib/docker/overlay2/x/merged/usr/lib/x86_64-linux-gnu/libcuda.so.1: file exists: unknown.",
     "image.bundles-driver-libs"),
    ("Error response from daemon: Get \"https://registry-1.docker.io/v2/\": proxyconnect tcp: tls: first record does "
     "not look like a TLS handshake", "docker.proxy-misconfigured"),
    ("docker: Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?.",
     "docker.daemon-down"),
    ("Aug 30 avc:  denied  { execute } for  pid=1 comm=\"nvidia-container\" scontext=system_u:system_r:container_t:s0",
     "os.selinux"),
    ("nvidia-container-cli: ldcache error: open failed: /sbin/ldconfig.real: no such file or directory: unknown",
     "toolkit.ldconfig"),
    # curl failing against an image registry is the registry's network, not a package repository
    ("curl: (28) Failed to connect to registry-1.docker.io port 443: Connection timed out", "registry.unreachable"),
    ("curl: (7) Failed to connect to ghcr.io port 443 after 21057 ms: Couldn't connect to server",
     "registry.unreachable"),
    ("curl: (35) Recv failure: Connection reset by peer in connection to get.docker.com:443", "apt.repo-unreachable"),
    # a proxy given to the docker CLI only: dockerd does the pull and never sees it
    ("$ https_proxy=http://127.0.0.1:7890 docker pull ubuntu:22.04\nError response from daemon: Get "
     "\"https://registry-1.docker.io/v2/\": net/http: TLS handshake timeout", "docker.proxy-misconfigured"),
    # GPU device nodes passed by hand: no driver libraries inside the container
    ("$ docker run --device /dev/nvidia0 --device /dev/nvidiactl --device /dev/nvidia-uvm -it nvidia/cuda:12.2.0-base "
     "./deviceQuery\ncudaGetDeviceCount returned 35\n-> CUDA driver version is insufficient for CUDA runtime version",
     "container.no-gpu-request"),
    # the daemon not going through a proxy that works for everything else, in Chinese
    ("设置了全局代理，浏览器和 curl 都正常，但是无法代理 docker 的镜像拉取", "docker.proxy-misconfigured"),
    # the restart that makes dockerd pick up the toolkit, as a fix
    ("Restart the docker daemon after installing nvidia-container-toolkit in the setup role",
     "toolkit.daemon-not-restarted"),
    # a package repository on a mirror timing out, in Chinese
    ("添加了 https://mirrors.ustc.edu.cn/docker-ce/linux/centos/docker-ce.repo 之后安装 docker 一直超时",
     "apt.repo-unreachable"),
    # containerd's CRI asked for a runtime handler its config does not define (escaped, as journald logs it)
    ('level=error msg="RunPodSandbox for &PodSandboxMetadata{Name:gpu-feature-discovery-qfjgk,Attempt:2,} failed, '
     'error" error="failed to get sandbox runtime: no runtime for \\"nvidia\\" is configured"', "runtime.not-registered"),
    # a GPU pod's own hint that it ran without the nvidia runtime
    ("E0104 07:22:39.590393   36682 factory.go:132] If this is a GPU node, did you configure the NVIDIA Container Toolkit?",
     "container.no-gpu-request"),
    ("I0212 plugin.go:91] NVML not detected: could not load NVML library: libnvidia-ml.so.1", "container.no-gpu-request"),
    # the kernel refusing an unsigned module (not the installer's wording)
    ("[   12.345678] Loading of unsigned module is rejected", "driver.secure-boot"),
    # an old per-distribution repository URL for a distribution NVIDIA never built for
    ("curl -s -L https://nvidia.github.io/libnvidia-container/openeuler22.03/libnvidia-container.repo returns a 404 page",
     "apt.repo-unsupported-distro"),
    ("There are no packages available for openEuler 22.03 on that page", "apt.repo-unsupported-distro"),
]


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_fixture_error_texts(name):
    text = (FIX / name).read_text(encoding="utf-8", errors="replace")
    report = explain(text, host=None)
    want = EXPECTED[name]
    if want is None:
        return
    assert report.root_causes, name
    assert report.root_causes[0] == want, (name, report.root_causes)


def test_every_error_fixture_is_listed():
    dirs = ("docker-run-gpus-errors", "dockerd-journal", "apt-errors", "docker-client-errors", "nvidia-smi-errors")
    found = {"%s/%s" % (d, p.name) for d in dirs for p in (FIX / d).iterdir()}
    assert found == set(EXPECTED)


@pytest.mark.parametrize("text,want", VARIANTS, ids=[w for _t, w in VARIANTS])
def test_variant_wordings(text, want):
    report = explain(text, host=None)
    assert report.root_causes and report.root_causes[0] == want, report.root_causes


def test_pasted_toolkit_config_turns_nvml_unknown_error_into_no_cgroups():
    from dldoctor.diagnose import diagnose
    from dldoctor.facts import Facts

    facts = Facts(error="Failed to initialize NVML: Unknown Error",
                  notes="/etc/nvidia-container-runtime/config.toml:\n[nvidia-container-cli]\nno-cgroups = true\n")
    assert diagnose(facts).root_causes[0] == "toolkit.no-cgroups-rootful"
    facts = Facts(error="Failed to initialize NVML: Unknown Error",
                  notes="[nvidia-container-cli]\n#no-cgroups = false\n")
    assert diagnose(facts).root_causes[0] == "cgroup.nvml-unknown-error"


def test_findings_quote_the_error_and_give_a_fix():
    text = "docker: Error response from daemon: Unknown runtime specified nvidia."
    report = explain(text, host=None)
    top = report.findings[0]
    assert top.problem == "runtime.not-registered"
    assert "Unknown runtime specified nvidia" in top.evidence[0]
    assert "dldoctor fix" in top.fix
    assert 0 < top.confidence <= 1


def test_runtime_listed_by_docker_info_means_the_toolkit_is_there(tmp_path):
    """`could not select device driver` while `docker info` lists the nvidia runtime: the toolkit is
    installed, dockerd just started before its hook (not toolkit.missing)."""
    from dldoctor import gather
    from dldoctor.diagnose import diagnose
    from dldoctor.host.snapshot import SnapshotHost

    (tmp_path / "docker-info").write_text((FIX / "docker-info/24.0.5-nvidia-runtime.txt").read_text())
    (tmp_path / "error").write_text(
        (FIX / "docker-run-gpus-errors/compose-could-not-select-device-driver-nvidia.txt").read_text())
    report = diagnose(gather.collect(SnapshotHost(str(tmp_path))))
    assert report.root_causes[0] == "toolkit.daemon-not-restarted"


def test_end_of_life_release_explains_a_missing_package(tmp_path):
    from dldoctor import gather
    from dldoctor.diagnose import diagnose
    from dldoctor.host.snapshot import SnapshotHost

    (tmp_path / "error").write_text("E: Unable to locate package nvidia-container-toolkit\n")
    report = diagnose(gather.collect(SnapshotHost(str(tmp_path))))
    assert report.root_causes[0] == "apt.nvidia-repo-missing"
    # what follows it is the word model's, marked as a guess
    guessed = {f.problem for f in report.findings if f.guess}
    assert set(report.root_causes[1:]) <= guessed and "os.unsupported" not in report.root_causes
    (tmp_path / "lsb-release").write_text("Ubuntu 16.04.7 LTS\n")
    report = diagnose(gather.collect(SnapshotHost(str(tmp_path))))
    assert report.root_causes[0] == "os.unsupported"


def _apt_update_report(tmp_path, text):
    """The report on a snapshot holding only this `apt-get update` output."""
    from dldoctor import gather
    from dldoctor.diagnose import diagnose
    from dldoctor.host.snapshot import SnapshotHost

    (tmp_path / "apt-update").write_text(text, encoding="utf-8")
    return diagnose(gather.collect(SnapshotHost(str(tmp_path))))


def test_a_release_dockers_repository_does_not_serve(tmp_path):
    def roots(apt_update):
        return _apt_update_report(tmp_path, apt_update).root_causes

    # a derivative's own codename or a release newer than Docker's packages: no Release file there
    for suite, path in (("kali-rolling", "debian"), ("cosmic", "ubuntu"), ("vanessa", "ubuntu")):
        assert roots("Ign:1 https://download.docker.com/linux/%s %s InRelease\n"
                     "Err:2 https://download.docker.com/linux/%s %s Release\n  404  Not Found [IP: 1.2.3.4 443]\n"
                     "E: The repository 'https://download.docker.com/linux/%s %s Release' does not have a Release "
                     "file.\n" % (path, suite, path, suite, path, suite))[0] == "os.unsupported", suite
    # a Docker mirror answers the same, and apt 3 says Error:
    assert roots("Error: The repository 'https://mirrors.aliyun.com/docker-ce/linux/ubuntu plucky Release' does not "
                 "have a Release file.\n")[0] == "os.unsupported"
    # an Ubuntu codename under /linux/debian is a source written for the other distribution
    assert roots("E: The repository 'https://download.docker.com/linux/debian focal Release' does not have a Release "
                 "file.\n")[0] != "os.unsupported"
    # any other source without a Release file is an unrelated broken source
    assert roots("E: The repository 'http://ppa.launchpad.net/old/ppa/ubuntu cosmic Release' does not have a Release "
                 "file.\n")[0] == "apt.broken-source"


def test_apt_s_verifier_refusing_a_keyring_is_a_missing_key(tmp_path):
    # Debian 13's apt verifies with sqv, which words a missing keyring file its own way
    report = _apt_update_report(
        tmp_path, "Hit:2 http://deb.debian.org/debian trixie InRelease\n"
        "Err:4 https://nvidia.github.io/libnvidia-container/stable/deb/amd64  InRelease\n"
        "  Sub-process /usr/bin/sqv returned an error code (1), error message is: Error: Failed to parse keyring "
        "\"/usr/share/keyrings/nvidia-container-toolkit-keyring.gpg\"\n"
        "Hit:5 https://download.docker.com/linux/debian trixie InRelease\n")
    assert report.root_causes[0] == "apt.no-pubkey"
    found = [f for f in report.findings if f.check == "apt-update" and f.problem == "apt.no-pubkey"]
    assert found and "libnvidia-container/stable/deb/amd64/InRelease" in found[0].detail


@pytest.mark.parametrize("text,want", [
    # libnvidia-container on WSL when the GPU is not handed to Linux
    ("I0727 12:00:00.000000 1234 dxcore.c:227] dxcore initialization failed, continuing assuming a non-WSL environment",
     "os.wsl-gpu-unsupported"),
    # NCCL's system error inside a container (a 64 MB /dev/shm), as pasted without the space
    ("VllM : NCCLerror: unhandled system error (run withNCCL DEBUG=INFo for details)", "container.shm-too-small"),
])
def test_read_not_guessed(text, want):
    # the word model has seen these reports; the rules must read them too, not leave them to a guess
    rep = explain(text, host=None)
    assert rep.root_causes[0] == want
    assert any(f.problem == want and not f.guess for f in rep.findings)


def test_install_scripts_and_docker_py_in_their_own_words():
    def read(text):
        rep = explain(text, host=None)
        assert not any(f.guess for f in rep.findings if f.problem == rep.root_causes[0]), rep.root_causes
        return rep.root_causes[0]

    # get.docker.com for a distribution it has no packages for; NVIDIA's repository's own words differ
    assert read("# Executing docker install script, commit: e5543d4\nERROR: Unsupported distribution 'openeuler'") == \
        "os.unsupported"
    assert read("# Unsupported distribution!\n# Check https://nvidia.github.io/nvidia-docker") == \
        "apt.repo-unsupported-distro"
    # docker-py (docker-compose v1, Ansible) wraps the socket's errno, in any locale
    py = "docker.errors.DockerException: Error while fetching server API version: ('Connection aborted.', %s)"
    assert read(py % "PermissionError(13, 'Keine Berechtigung')") == "docker.permission-denied"
    assert read(py % "FileNotFoundError(2, 'No such file or directory')") == "docker.daemon-down"
    assert read(py % "ConnectionRefusedError(111, 'Connection refused')") == "docker.daemon-down"


def test_chinese_notes_carry_the_same_hints():
    from dldoctor.diagnose import diagnose
    from dldoctor.facts import Facts

    denied = ("docker: permission denied while trying to connect to the Docker daemon socket at "
              "unix:///var/run/docker.sock: connect: permission denied")
    assert diagnose(Facts(error=denied, notes="已经把用户加入 docker 组了，重新登录之后就好了")).root_causes[0] \
        == "docker.group-not-active"
    assert diagnose(Facts(error=denied)).root_causes[0] == "docker.permission-denied"
    gpu = 'docker: Error response from daemon: could not select device driver "" with capabilities: [[gpu]].'
    assert diagnose(Facts(error=gpu, notes="我已经安装了 nvidia-container-toolkit")).root_causes[0] \
        == "toolkit.daemon-not-restarted"
    assert diagnose(Facts(error=gpu, notes="docker 是用 snap 安装的")).root_causes[0] == "docker.snap"


def test_kubernetes_pods_without_the_nvidia_runtime():
    from dldoctor.diagnose import diagnose
    from dldoctor.facts import Facts

    # the pod fails while the same image run by hand with a GPU request works
    notes = ("The gpu-feature-discovery daemonset keeps restarting on the node, although "
             "`nerdctl run --gpus all nvcr.io/nvidia/cuda:12.2.0-base-ubuntu22.04 nvidia-smi` works fine there.")
    assert diagnose(Facts(notes=notes)).root_causes[0] == "container.no-gpu-request"
    # Kubernetes on containerd, the GPU missing inside the pod
    assert diagnose(Facts(notes="On our kubernetes cluster with containerd the GPU is not visible inside pods")
                    ).root_causes[0] == "container.no-gpu-request"
    # the pod spec left without a RuntimeClass, in English and in Chinese
    assert diagnose(Facts(notes="The dcgm-exporter pod was created without a runtimeClassName, so it ran under runc")
                    ).root_causes[0] == "container.no-gpu-request"
    assert diagnose(Facts(notes="部署 vllm 的 pod 忘了设置 runtimeClass，容器里看不到显卡")
                    ).root_causes[0] == "container.no-gpu-request"


def _read(error="", notes="", **facts):
    """The first cause and whether the rules read it (not the word model's guess)."""
    from dldoctor.diagnose import diagnose
    from dldoctor.facts import Facts

    rep = diagnose(Facts(error=error or None, notes=notes or None, **facts))
    first = rep.root_causes[0] if rep.root_causes else None
    return first, not any(f.guess for f in rep.findings if f.problem == first)


FRESH_WORDINGS = [
    # the sixth session's fresh batches (2026-12-04)
    # containerd's (kubelet's) wording of a tag that is not there
    ('Failed to pull image "nvcr.io/nvidia/driver:580.105.08-debian13": rpc error: code = NotFound desc = failed to '
     'pull and unpack image "nvcr.io/nvidia/driver:580.105.08-debian13": failed to resolve image: '
     'nvcr.io/nvidia/driver:580.105.08-debian13: not found', "[Feature]: Support for Debian 13 (Trixie)",
     "image.tag-missing"),
    # a bus error in a container: its 64 MB /dev/shm
    ("", "Mars workers launched in kubernetes sometimes terminate with SIGBUS when load is heavy.",
     "container.shm-too-small"),
    # snap's confinement refusing a bind mount's source outside $HOME
    ("Error response from daemon: error while creating mount source path '/var/lib/plexmediaserver/Logs': mkdir "
     "/var/lib/plexmediaserver: permission denied", "", "docker.snap"),
    # the driver upgraded under the running module: its /proc files are not where the libraries look
    ("nvidia-container-cli: mount error: mount operation failed: /var/lib/docker/overlay2/b9f5/merged/proc/driver/"
     "nvidia/params/version/registry: no such file or directory", "", "os.reboot-required"),
    # Docker never built i386 packages; get.docker.com writes the source anyway
    ('+ sh -c echo "deb [arch=i386] https://download.docker.com/linux/debian buster stable" > '
     "/etc/apt/sources.list.d/docker.list\nE: Package 'docker-ce' has no installation candidate", "", "os.unsupported"),
    # docker-ce's RHEL 7 RPM needs CentOS's container-selinux: not an SELinux denial
    ("Error: Package: 3:docker-ce-20.10.8-3.el7.x86_64 (docker-ce-stable)\n  Requires: container-selinux >= 2:2.74",
     "Target Distro: Redhat Enterprise Linux 7.9", "os.unsupported"),
    # Docker's first repositories, retired in 2020 (apt's own "Failed to fetch … 403" is a broken source first)
    ("", "yum.dockerproject.org and apt.dockerproject.org are returning 403 errors", "apt.docker-repo-missing"),
    # the seventh session's fresh batch (2026-12-04)
    # a CI action, or a Go program, looking for the docker CLI on PATH
    ("Error: Unable to locate executable file: docker. Please verify either the file path exists or the file can "
     "be found within a directory specified by the PATH environment variable.", "Error to login in mac-os action",
     "docker.missing"),
    ('Error: exec: "docker": executable file not found in $PATH', "act fails on a fresh laptop", "docker.missing"),
    # users an Ansible role put in the docker group, in a session that predates it
    ("Couldn't connect to Docker daemon at http+docker://localhost - is it running?",
     "Reboot required when using docker_users feature\nA later playbook without become fails", "docker.group-not-active"),
    # a Chinese report saying only that pulling the image failed
    ("", "镜像拉取不成功\n### Running Xinference with Docker?\n- [x] docker", "registry.unreachable"),
    # Docker Hub's export-control page, around which clients print a mirror's or a name's error
    ("ERROR: Service 'mysql' failed to build: error parsing HTTP 403 response body: invalid character '<' looking "
     "for beginning of value: \"<html><body><h1>403 Forbidden</h1>\\nSince Docker is a US company, we must comply "
     "with US export control regulations. In an effort to comply with these, we now block all IP addresses that "
     "are located in Cuba, Iran", "", "registry.unreachable"),
    ("Error response from daemon: pull access denied for matrixdotorg/dendrite-monolith, repository does not exist "
     "or may require 'docker login': denied: <html><body><h1>403 Forbidden</h1>\nSince Docker is a US company, we "
     "must comply with US export control regulations.", "", "registry.unreachable"),
    # ghcr.io's bare "denied" for a package path it does not serve
    ('Error response from daemon: Head "https://ghcr.io/v2/corentin-th/enclosed/manifests/latest": denied', "",
     "image.tag-missing"),
    # a Python program running docker or docker-compose that is not there
    ("FileNotFoundError: [Errno 2] No such file or directory: 'docker'", "", "docker.missing"),
    ("No such file or directory: 'docker-compose'", "./control.py start --fast", "docker.missing"),
    # a Hub mirror whose /v2/ does not answer: that mirror is down, not Docker Hub
    ('docker: Error response from daemon: Get "https://m.daocloud.io/v2/": dial tcp 8.217.45.147:443: connect: '
     "connection refused.", "", "mirror.dead"),
    ('Error response from daemon: Get "https://dockerproxy.com/v2/": net/http: TLS handshake timeout', "",
     "mirror.dead"),
    # an old client's "Cannot connect" while the daemon runs: the socket refused this user
    ("Cannot connect to the Docker daemon. Is the docker daemon running on this host?",
     "I'm on Ubuntu 16.04. With the Docker daemon already running:", "docker.permission-denied"),
    # the third round: snap's own /tmp, an SDK's API version the daemon lacks, a rootless socket
    ('unable to prepare context: path "/tmp/vsch" not found', "remote-containers on Ubuntu 20.04", "docker.snap"),
    ('ERROR: command "docker save -o /tmp/images-tar389269045/images.tar postgres:13.4" failed with error: exit '
     'status 1\nCommand Output: failed to save image: invalid output path: directory "/tmp/images-tar389269045" '
     "does not exist", "", "docker.snap"),
    ("requests.exceptions.HTTPError: 400 Client Error: Bad Request for url: http+docker://localhost/v1.39/_ping",
     "", "docker.too-old"),
    ("Cannot connect to the Docker daemon at unix:///run/user/0/docker.sock. Is the docker daemon running?",
     "But /var/run/docker.sock is still there and works", "docker.rootless"),
    # Portuguese: "running docker gives a permission error ... I still always need sudo"
    ("", "Ao executar os comando para executar o docker, ocorre erro de permissão.\nnão, ainda preciso do sudo sempre",
     "docker.permission-denied"),
]


@pytest.mark.parametrize("notes,want", [
    ("I try changing the `data-root` in the daemon.json file but when I restart docker it fails to start as the "
     "`data-root` is already defined by a flag when starting the engine.", "daemon-json.flag-conflict"),
    ('We use "hosts" in /etc/docker/daemon.json. Unfortunately, the systemd service file contains the `-H` '
     "parameter, which seems to conflict with above setting. This leads to docker not starting.",
     "daemon-json.flag-conflict"),
    ('daemon.json配置文件"graph"已被"data-root"替代，配置"graph"无法启动docker。', "daemon-json.unknown-key"),
    ("`graph` no longer valid: replaced with `data-root` in the latest dockerd release", "daemon-json.unknown-key"),
    ("bugfix: registry mirrors is an array in daemon.json", "daemon-json.invalid"),
    ("按照帮助指引无法引入gpgkey，在添加key之前没有创建文件夹，导致导入失败", "apt.no-pubkey"),
    ("I couldn't import the GPG key: the /etc/apt/keyrings directory did not exist", "apt.no-pubkey"),
    ("This PR fixes an issue that the $USER cannot run `docker` command without sudo even after the setup script.",
     "docker.group-not-active"),
    ("Behind a corporate proxy I cannot pull.\n$ systemctl show --property=Environment docker\nEnvironment=\n",
     "docker.proxy-misconfigured"),
    ("Docker-CE is unavailable for raspbian buster. I would request an update.", "os.unsupported"),
    ("docker-machine fails on a ubuntu-xenial (Beta 1) host: the apt repository answers 403", "os.unsupported"),
    ("nvidia-container-cli: initialization error: cuda error: unknown error on a k8s CPU node with nvidia as the "
     "default runtime", "gpu.absent"),
])
def test_what_reporters_say_is_read(notes, want):
    assert _read(notes=notes) == (want, True)


NOT_A_CAUSE = [
    # a setting that turns SELinux off is no SELinux denial
    ("Failed to initialize NVML in K3s\n[plugins.cri]\n  enable_selinux = false\nSELINUX=disabled", "os.selinux"),
    # "runs CPU-only" is the symptom of a GPU the container did not get, not a host without one
    ("Ollama runs CPU-only after the migration; the NVIDIA hardware is detected on the host", "gpu.absent"),
    # the stock /etc/default/docker only mentions a proxy in its comments
    ("cat /etc/default/docker\n# If you need Docker to use an HTTP proxy, it can also be specified here.\n"
     "#export http_proxy=\"http://127.0.0.1:3128/\"\n", "docker.proxy-misconfigured"),
    # "系统信息" (system information) is not 统信 UOS
    ("请提供您使用的操作系统信息；docker安装后运行报错", "os.unsupported"),
    # prime-select intel on a hybrid laptop: the NVIDIA card is still there
    ("I switched to Intel graphics with prime-select intel to keep the NVIDIA card for compute", "gpu.absent"),
    # a tool not installed yet is no host without a GPU
    ("I don't have nvidia-smi installed yet, the repository step fails first", "gpu.absent"),
    # denied, or on the host: no driver the image installed
    ("I installed the NVIDIA driver on the host, not in the container. After an upgrade nvidia-smi prints: "
     "Failed to initialize NVML: Driver/library version mismatch", "image.bundles-driver-libs"),
    ("My Dockerfile does not install the NVIDIA driver. nvidia-smi: Failed to initialize NVML: Driver/library "
     "version mismatch", "image.bundles-driver-libs"),
    # a Windows laptop reaching a Linux GPU server
    ("I connect from my Windows 10 laptop over SSH to our CentOS 7 GPU server; docker run --gpus all fails with: "
     "docker: Error response from daemon: unknown runtime specified nvidia.", "docker.desktop"),
    # Docker installed fine on a distribution get.docker.com does not know
    ("欧拉系统安装docker成功，但容器内无法使用GPU", "os.unsupported"),
    ("Rocky Linux 9 host, I install docker with dnf from download.docker.com, that worked. docker run --gpus all "
     "fails: could not select device driver \"\" with capabilities: [[gpu]]", "os.unsupported"),
    # a framework's "it does not have a GPU" inside a container
    ("Inside docker, PyTorch says it does not have a GPU, although nvidia-smi works on the host", "gpu.absent"),
    # a GPU that fell off the bus or ran out of memory is no cgroup reload
    ("The container stops using the GPU after 2 days; dmesg shows NVRM: Xid 79, GPU has fallen off the bus.",
     "cgroup.nvml-unknown-error"),
    # an image missing a library is no missing tag
    ("The docker image is missing libcuda.so.1 in version 12.2; cannot open shared object file", "image.tag-missing"),
    # ghcr.io refusing a private layer is no restricted mirror
    ("unexpected status from GET request to https://ghcr.io/v2/myorg/private-model/blobs/sha256:abcd: 403 Forbidden",
     "mirror.restricted"),
    # sudo for something else than docker
    ("I had to use sudo to install the NVIDIA driver. Inside docker, torch.cuda.is_available() returns False.",
     "docker.permission-denied"),
    ("There are no conflicting options in daemon.json, dockerd still fails to start", "daemon-json.flag-conflict"),
    # a pull that failed for a stated reason: the reason, not the network
    ("拉取镜像失败：manifest unknown，这个标签不存在", "registry.unreachable"),
    # a docker group named as a setting, with no session that predates it
    ("docker_users is empty in my inventory and the role still installs docker fine", "docker.group-not-active"),
]


def test_dockers_repository_without_its_distribution(tmp_path):
    rep = _apt_update_report(
        tmp_path, "Hit:1 http://security.debian.org/debian-security stretch/updates InRelease\n"
        "Ign:5 https://download.docker.com/linux stretch InRelease\n"
        "Ign:6 https://download.docker.com/linux stretch Release\n"
        "Ign:7 https://download.docker.com/linux stretch/stable amd64 Packages\n")
    assert rep.root_causes[0] == "apt.docker-repo-missing"
    found = [f for f in rep.findings if f.problem == "apt.docker-repo-missing"]
    assert found and list(found[0].evidence) == ["https://download.docker.com/linux"]
    # the same source written whole is no finding
    rep = _apt_update_report(tmp_path, "Ign:5 https://download.docker.com/linux/debian stretch InRelease\n")
    assert not any(f.problem == "apt.docker-repo-missing" for f in rep.findings)


def test_dockers_source_file_without_its_distribution(tmp_path):
    # the same mistake read from the host's own sources list, before any apt-get update
    from dldoctor import gather
    from dldoctor.diagnose import diagnose
    from dldoctor.host.snapshot import SnapshotHost

    (tmp_path / "apt-sources").mkdir()
    (tmp_path / "apt-sources" / "docker.list").write_text(
        "deb [arch=amd64] https://download.docker.com/linux stretch stable\n", encoding="utf-8")
    found = [f for f in diagnose(gather.collect(SnapshotHost(str(tmp_path)))).findings
             if f.problem == "apt.docker-repo-missing"]
    assert [f.check for f in found] == ["apt-sources"]
    assert "docker.list:1" in found[0].evidence[0]
    (tmp_path / "apt-sources" / "docker.list").write_text(
        "deb [arch=amd64] https://download.docker.com/linux/debian stretch stable\n", encoding="utf-8")
    assert not any(f.problem == "apt.docker-repo-missing"
                   for f in diagnose(gather.collect(SnapshotHost(str(tmp_path)))).findings)


SELECT = 'Error response from daemon: could not select device driver "nvidia" with capabilities: [[gpu]]'


@pytest.mark.parametrize("error,notes,want", [
    # a host without an NVIDIA GPU: the missing toolkit there is no package to install
    (SELECT, "the dev stack doesnt start without nvidia graphics card", "gpu.absent"),
    (SELECT, "Error when starting container in the CPU mode, on a CPU-only machine", "gpu.absent"),
    (SELECT, "Does it work on mac book pro?", "docker.desktop"),
    # CUDA's numbered errors and TensorFlow's libcuda check
    ("[TensorRT] INTERNAL ERROR: Error Code 6: Internal Error (CUDA initialization failure with error 804. Please "
     "check your CUDA installation)", "", "driver.too-old-for-image"),
    ("RuntimeError: Unexpected error from cudaGetDeviceCount(). Error 803: system has unsupported display driver / "
     "cuda driver combination", "", "image.bundles-driver-libs"),
    ("kernel version 450.66.0 does not match DSO version 450.142.0 -- cannot find working devices in this "
     "configuration", "I run torch inside a docker container", "image.bundles-driver-libs"),
    ("kernel version 450.66.0 does not match DSO version 450.142.0 -- cannot find working devices in this "
     "configuration", "", "driver.version-mismatch"),
    # nvidia-docker 1 compared the image's CUDA with the driver's itself
    ("nvidia-docker | 2016/04/09 00:07:59 Error: unsupported CUDA version: 7.5 < 6.5", "", "driver.too-old-for-image"),
    # Docker Desktop's message in a WSL 1 distro
    ("The command 'docker' could not be found in this WSL 1 distro.\nWe recommend to convert this distro to WSL 2 "
     "and activate the WSL integration in Docker Desktop settings.", "", "docker.missing"),
    # the driver installed inside the container instead of asking for the GPU
    ("Failed to initialize NVML: Unknown Error", "it shows I don't have nvidia-driver, which I have in my local "
     "system. I try to install the driver in the container", None),
])
def test_second_fresh_batch_wordings(error, notes, want):
    got, read = _read(error, notes)
    if want is None:  # only what it must not be
        from dldoctor.diagnose import diagnose
        from dldoctor.facts import Facts

        rep = diagnose(Facts(error=error, notes=notes))
        assert "gpu.absent" not in rep.root_causes[:1]
        assert any(f.problem == "container.no-gpu-request" and not f.guess for f in rep.findings)
        return
    assert (got, read) == (want, True)


def test_a_gpu_less_host_does_not_explain_a_run_without_gpus():
    # the failing run asked for no GPU (another run with --gpus works): CUDA found no device in it
    from dldoctor.diagnose import diagnose
    from dldoctor.facts import Facts

    rep = diagnose(Facts(
        command="docker run -it -p 8888:8888 tensorflow/tensorflow:latest-gpu-jupyter",
        error="E tensorflow/stream_executor/cuda/cuda_driver.cc:313] failed call to cuInit: UNKNOWN ERROR (-1)\n"
              "I cuda_diagnostics.cc:163] no NVIDIA GPU device is present: /dev/nvidia0 does not exist",
        notes="Running\n    docker run --gpus all nvidia/cuda:10.0-base nvidia-smi\ngives me the usual table."))
    assert rep.root_causes[0] == "container.no-gpu-request"


@pytest.mark.parametrize("notes", [
    "### Are you using WSL 1 or WSL 2?\n- [x] WSL 2\n- [ ] WSL 1\ndocker service doesn't auto-start",
    "### WSL Version\n- [X] WSL 2\n- [ ] WSL 1\nthe docker daemon is not running after reboot",
])
def test_an_issue_templates_unticked_wsl_1_is_not_wsl_1(notes):
    from dldoctor.diagnose import diagnose
    from dldoctor.facts import Facts

    rep = diagnose(Facts(notes=notes))
    assert not any(f.problem == "os.wsl-gpu-unsupported" and not f.guess for f in rep.findings)
    assert any(f.problem == "os.wsl-gpu-unsupported" and not f.guess
               for f in diagnose(Facts(notes="I'm on WSL 1 and the GPU is not seen")).findings)


def test_an_old_engine_is_context_not_the_fault(tmp_path):
    # Docker before 19.03 cannot run --gpus, but a report about a pull that hangs is about the network:
    # the old engine ranks after what the report's own words point at, even when only a guess does
    from dldoctor import gather
    from dldoctor.diagnose import diagnose
    from dldoctor.host.snapshot import SnapshotHost

    (tmp_path / "docker-info").write_text("Containers: 0\nServer Version: 1.11.1\nOperating System: CentOS Linux 7 "
                                          "(Core)\n", encoding="utf-8")
    (tmp_path / "error").write_text("error parsing HTTP 408 response body: invalid character '<' looking for "
                                    "beginning of value: \"<html><body><h1> 408 Request Time-out </h1>\"",
                                    encoding="utf-8")
    # (a 408 page is the network between, not a dead mirror)
    assert diagnose(gather.collect(SnapshotHost(str(tmp_path)))).root_causes[0] == "registry.unreachable"
    (tmp_path / "error").unlink()
    (tmp_path / "notes").write_text("docker server in a CentOS 7 vm: docker pull hangs forever, every image, "
                                    "provisioned with docker-machine", encoding="utf-8")
    rep = diagnose(gather.collect(SnapshotHost(str(tmp_path))))
    # the model's likeliest cause first, then the host's own failure before any further guess
    assert rep.root_causes[1] == "docker.too-old"
    assert [f.guess for f in rep.findings if f.problem == rep.root_causes[0]] == [True]
    # with nothing reported, the old engine is the host's failure
    (tmp_path / "notes").unlink()
    assert diagnose(gather.collect(SnapshotHost(str(tmp_path)))).root_causes[0] == "docker.too-old"


def test_a_long_apt_line_is_read_in_linear_time(tmp_path):
    # A hostile or broken apt-get update output with one endless line: looking for a Docker source
    # without its distribution took a minute for 60 KB (quadratic); the snapshot reader keeps 1 MB,
    # which must still be read in seconds, and the source on the next line still found.
    import time

    from dldoctor import gather
    from dldoctor.diagnose import diagnose
    from dldoctor.host.snapshot import SnapshotHost

    (tmp_path / "apt-update").write_text("E: " + "a" * (1024 * 1024 - 200) + "\n"
                                         "Ign:5 https://download.docker.com/linux stretch InRelease\n",
                                         encoding="utf-8")
    t = time.perf_counter()
    rep = diagnose(gather.collect(SnapshotHost(str(tmp_path))))
    assert time.perf_counter() - t < 20.0
    assert any(f.problem == "apt.docker-repo-missing" and list(f.evidence) == ["https://download.docker.com/linux"]
               for f in rep.findings)


SIXTH_SESSION_WORDINGS = [
    # a mirror refusing one layer of an image it otherwise serves
    ("failed to copy: httpReadSeeker: failed open: unexpected status from GET request to "
     "https://hub.example-mirror.cn/v2/library/redis/blobs/sha256:0123abcd?ns=docker.io: 403 Forbidden", "",
     "mirror.restricted"),
    # RHEL's own docker 1.13 and its signature policy
    ("Trying to pull repository docker.io/library/nginx ...\n/usr/bin/docker-current: missing signature key.", "",
     "docker.too-old"),
    ("Status code: 404 for https://download.docker.com/linux/rhel/7/x86_64/stable/repodata/repomd.xml", "",
     "os.unsupported"),
    ("PermissionError: [Errno 13] Permission denied: '/workspace/outputs/sample.png'", "running it with docker compose",
     "container.root-owned-files"),
    ("docker: Cannot connect to the Docker daemon. Is the docker daemon running on this host?",
     "Inside screen it fails; the same command works directly from the terminal.", "docker.group-not-active"),
    ("", "How do I change daemon options with the docker snap? There is no docker.service to edit.", "docker.snap"),
    ("", "My docker was installed by snap, so systemctl cannot restart it", "docker.snap"),
    ("", "I always have to sudo nvidia-docker, otherwise nothing runs", "docker.permission-denied"),
    ("", "Our build starts dockerd and fails when there are conflicting directives in /etc/docker/daemon.json",
     "daemon-json.flag-conflict"),
    ("", "我在校园网，docker hub 打不开，拉取镜像不能拉", "registry.unreachable"),
    ("", "Elementary OS: the $distribution variable gives a name nvidia.github.io has no list for",
     "apt.repo-unsupported-distro"),
    ("", "[Bug] 面板安装一直卡在docker这一步", "apt.repo-unreachable"),
    ("", "AlmaLinux 9: installing docker from the panel fails", "os.unsupported"),
    ("", "用docker部署ollama以后只调用cpu，无法调用显卡", "container.no-gpu-request"),
    ("", "After running for several hours the container stops using the GPU and falls back to CPU. "
         "Deployed with docker compose.", "cgroup.nvml-unknown-error"),
    ("", "There is no image for org/server:v2.4.1 on Docker Hub yet", "image.tag-missing"),
    ('Driver Failure: failed to create container configuration for image "nvidia/cuda:12.4.0-base-ubuntu22.04": '
     'requested docker runtime "nvidia" was not found', "", "runtime.not-registered"),
    ("slurmstepd: error: pyxis:     [ERROR] Command not found: nvidia-container-cli", "", "toolkit.missing"),
    ("", "After the reboot the job complains that the nvidia-uvm module is not being loaded", "driver.uvm-missing"),
    ("", "I'm on Windows 10 and the container from the image cannot see my RTX 3060", "docker.desktop"),
    ("", "The image file cannot be found: the compose file asks for version 3.1.0-snapshot", "image.tag-missing"),
    ("", "docker image 拉取失败，dockerhub里好像没有这个镜像", "image.tag-missing"),
    ("", "The registry doesn't have a 2.3.1 release yet, so the update fails to pull", "image.tag-missing"),
    ("", "It tries to launch the GPU image although I don't have GPU on this laptop (docker)", "gpu.absent"),
    ("Failed to initialize NVML: Driver/library version mismatch",
     "In my Dockerfile I first install the NVIDIA graphics drivers 470.82, then CUDA", "image.bundles-driver-libs"),
    ("curl: (22) The requested URL returned error: 404 for "
     "https://nvidia.github.io/nvidia-docker/amzn2023/nvidia-docker.repo", "", "apt.repo-unsupported-distro"),
    ("failed to solve with frontend dockerfile.v0: failed to create LLB definition: unexpected status code "
     "[manifests nonroot]: 403 Forbidden", "", "mirror.restricted"),
    ('docker: Error response from daemon: OCI runtime create failed: container_linux.go:345: starting container '
     'process caused "process_linux.go:430: container init caused \\"write /proc/self/attr/keycreate: '
     'permission denied\\"": unknown.', "", "os.selinux"),
    # an image's own script calling nvidia-smi ran inside the container
    ("/usr/local/bin/gpu-exporter: line 40: nvidia-smi: command not found",
     "Deployed the exporter as a pod on kubernetes following the README", "container.no-gpu-request"),
]


EIGHTH_SESSION_WORDINGS = [
    # minikube's and kind's wordings of a docker CLI that found no daemon
    ('X Exiting due to PROVIDER_DOCKER_NOT_RUNNING: deadline exceeded running "docker version --format -": '
     "signal: killed", "", "docker.daemon-down"),
    ("Error: could not list clusters: failed to list nodes: exit status 1", "", "docker.daemon-down"),
    # snap's Docker cannot see removable media until its interface is connected
    ("error checking context: 'can't stat '/media/alice/usb/project''.", "", "docker.snap"),
    # CUDA's error 804, named without its words
    ("", "Training crashes with error 804 after docker compose up, torch in the container", "driver.too-old-for-image"),
    # dnf: Docker's repository has no tree for the release a RHEL clone's $releasever names
    ("Errors during downloading metadata for repository 'docker-ce-stable':\n  - Status code: 404 for "
     "https://download.docker.com/linux/fedora/9/x86_64/stable/repodata/repomd.xml (IP: 1.2.3.4)\n"
     "Error: Failed to download metadata for repo 'docker-ce-stable': Cannot download repomd.xml: Cannot download "
     "repodata/repomd.xml: All mirrors were tried", "", "os.unsupported"),
    # CentOS 8 after its end of life: its own repositories are gone from the mirrors
    ("Error: Failed to download metadata for repo 'appstream': Cannot prepare internal mirrorlist: No URLs in mirrorlist",
     "", "os.unsupported"),
    ("E: Malformed entry 1 in list file /etc/apt/sources.list.d/nvidia-container-toolkit.list (Component)\n"
     "E: The list of sources could not be read.", "", "apt.broken-source"),
    ("", "curl https://nvidia.github.io/nvidia-docker/$distribution/nvidia-docker.list gives a 404 page for my release",
     "apt.repo-unsupported-distro"),
    ("", "alice needs to be in the docker group, otherwise: dial unix /var/run/docker.sock: connect: permission denied",
     "docker.permission-denied"),
    ("", "GPU containers stop using CUDA after the laptop resumes from suspend; nvidia-smi still lists the card",
     "driver.uvm-missing"),
    ("", "After adding my registry to insecure-registries in the settings, Docker tries to restart & fails",
     "daemon-json.invalid"),
    ("", "The tool refuses to run because the docker engine version is lower than 20.10 on this server", "docker.too-old"),
    # a container given docker.sock on CentOS, root inside, refused: SELinux
    ("dial unix /var/run/docker.sock: connect: permission denied",
     "CentOS 7.9, the agent runs with -v /var/run/docker.sock:/var/run/docker.sock and is root inside", "os.selinux"),
    # added to the group, told to be in it, refused in the same terminal: a stale session
    ('Got permission denied while trying to connect to the Docker daemon socket at unix:///var/run/docker.sock',
     "The docs say the user needs to be in the docker group, so I did sudo usermod -aG docker $USER but it still "
     "fails in this terminal", "docker.group-not-active"),
    # the second round: an end-of-life release gone from the distribution's own archive
    ("E: The repository 'http://archive.ubuntu.com/ubuntu kinetic-updates Release' does not have a Release file.",
     "", "os.unsupported"),
    ("E: Failed to fetch http://deb.debian.org/debian/dists/buster/main/binary-amd64/Packages  404  Not Found", "",
     "os.unsupported"),
    # the compose plugin missing: the top-level docker parsed `compose`'s flags
    ("unknown shorthand flag: 'd' in -d\nSee 'docker --help'.", "$ docker compose up -d", "docker.missing"),
    # apt never reached the archive: DNS first, whatever the release
    ("Err:1 http://archive.ubuntu.com/ubuntu kinetic InRelease\n  Temporary failure resolving 'archive.ubuntu.com'\n"
     "E: The repository 'http://archive.ubuntu.com/ubuntu kinetic Release' does not have a Release file.", "",
     "apt.repo-unreachable"),
    ("docker: 'compose' is not a docker command.", "", "docker.missing"),
    ('ERROR: Version in "./docker-compose.yml" is unsupported. You might be seeing this error because you\'re using '
     "the wrong Compose file version.", "", "docker.too-old"),
    # docker-compose v1 run with sudo could not reach the daemon: no socket refused a user
    ("ERROR: Couldn't connect to Docker daemon at http+docker://localhost - is it running?",
     "$ sudo docker-compose up -d", "docker.daemon-down"),
    ('Error trying v2 registry: Error parsing HTTP response: invalid character \'<\' looking for beginning of value: '
     '"<html><body><h1>408 Request Time-out</h1>', "", "registry.unreachable"),
    ('ERROR: Head "https://ghcr.io/v2/someone/app/manifests/beta": unauthorized', "", "image.tag-missing"),
    ("", "The wiki has you pulling a docker image which was not published for this release", "image.tag-missing"),
    # dockerd has a proxy (docker info) yet dialled the registry itself
    ('docker: Error response from daemon: Get https://registry-1.docker.io/v2/: dial tcp 52.72.232.213:443: connect: '
     "connection refused.", "docker info:\n HTTP Proxy: http://user:p@ss@proxy.corp:3128\n", "docker.proxy-misconfigured"),
    # the third round: a relative bind mount refused on CentOS; a chown refused on Fedora under sudo
    ("touch: cannot touch '/data/foo': Permission denied", "CentOS 7 host\n$ docker run -v `pwd`/data:/data -ti ubuntu bash",
     "os.selinux"),
    ("chown: changing ownership of '/home/app/data/x': Permission denied",
     "Fedora Atomic host: sudo docker run -v /home/fedora/data:/home/app/data app", "os.selinux"),
    # a CI workspace the next job cannot clean: a container left root's files there
    ("Error: File was unable to be removed Error: EACCES: permission denied, unlink "
     "'/home/a/actions-runner/_work/repo/out.pdf'", "", "container.root-owned-files"),
    ("java.nio.file.FileSystemException: /var/lib/jenkins/workspace/job_ws-cleanup_123/tmp/x.go: Operation not permitted",
     "", "container.root-owned-files"),
    # the image resolves libcuda to CUDA's stub (and nvidia-docker asked for the GPU)
    ("libcuda.so.1 => /usr/local/cuda/lib64/stubs/libcuda.so.1 (0x00007f9de7215000)\nfailed call to cuInit: CUresult(-1)",
     "$ nvidia-docker run -ti tensorflow/tensorflow:1.4.0-devel-gpu bash", "image.bundles-driver-libs"),
    # libcuda at two driver versions in one listing: one of them came with the image
    ("", "inside the container ls shows\nlibcuda.so.1 -> libcuda.so.535.54.03\nlibcuda.so.535.54.03\n"
     "libcuda.so.470.82.01", "image.bundles-driver-libs"),
]

NINTH_SESSION_WORDINGS = [
    # toolkit 1.17 refusing a config.toml whose ldconfig is not written host-relative ('@')
    ('ERRO[0000] error loading config: nvidia-container-cli.ldconfig value "/usr/sbin/ldconfig" is not host-relative '
     "(does not start with a '@')\ninvalid config value", "", "toolkit.ldconfig"),
    # the tag exists, but not for this machine's platform
    ("no matching manifest for linux/arm/v8 in the manifest list entries", "Raspberry Pi 4, 32-bit Bookworm",
     "image.tag-missing"),
    # the reporter's network reaches registries only through a proxy dockerd was never told of
    ('Error response from daemon: Get "https://ghcr.io/v2/": net/http: request canceled while waiting for connection '
     "(Client.Timeout exceeded while awaiting headers)",
     "When using k8s behind a corporate proxy, we need to configure docker daemon in dind container to use this proxy.",
     "docker.proxy-misconfigured"),
    ("", "newbie issue: docker-compose fails when behind http_proxy\nit cannot reach https://registry-1.docker.io/v2/",
     "docker.proxy-misconfigured"),
    # Windows 10 1809 has no WSL 2: dockerd in its WSL 1 Ubuntu runs no container
    ('docker: Error response from daemon: OCI runtime create failed: container_linux.go:344: starting container process '
     'caused "process_linux.go:297: getting the final child\'s pid from pipe caused \\"EOF\\"": unknown.',
     "Microsoft Windows [Version 10.0.17763.379]\n$ cat /etc/issue\nUbuntu 18.04.2 LTS", "os.wsl-gpu-unsupported"),
    # a 32-bit x86 host: no Docker or NVIDIA packages were ever built for it
    ("", "Error: Unable to install nvidia-docker or nvidia-docker2 on i386 Ubuntu-mate 18.04", "os.unsupported"),
    # (the second round) dockerd failing to come up for reasons of its own host
    ("failed to start daemon: Error initializing network controller: failed to register \"bridge\" driver: failed to "
     "create NAT chain DOCKER: iptables failed: iptables --wait -t nat -N DOCKER", "", "docker.daemon-down"),
    ("Unit docker.service is masked.", "", "docker.daemon-down"),
    ("ServeAPI error: No sockets found", "Docker on CentOS 7.1 fails to start", "docker.daemon-down"),
    ('Failed to connect to containerd: failed to dial "/run/containerd/containerd.sock": context deadline exceeded', "",
     "docker.daemon-down"),
    # "hosts" in daemon.json against the unit's -H fd://
    ("docker.socket: Failed with result 'service-start-limit-hit'.",
     'I created file deamon.json with content:\n{\n "hosts": ["unix:///var/run/docker.sock", "tcp://0.0.0.0:2375"]\n}',
     "daemon-json.flag-conflict"),
    # Kubernetes: the device plugin under runc, the nvidia runtime not the default
    ("2017/11/29 01:54:30 Loading NVML\n2017/11/29 01:54:30 could not load NVML library",
     "nvidia-device-plugin container CrashLoopBackOff error", "container.no-gpu-request"),
    ('fatal: [w1]: FAILED! => {"msg": "The following requirements are not met: The default runtime is not set correctly"}',
     "", "container.no-gpu-request"),
    # Docker Desktop's socket or context, where the client did not look
    ("Error: Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?",
     "act on macOS while docker commands are working\nSockets found:\n\t/Users/lena/.docker/run/docker.sock",
     "docker.desktop"),
    ("docker.errors.DockerException: Error while fetching server API version: ('Connection aborted.', "
     "FileNotFoundError(2, 'No such file or directory'))", "Problems on Linux running desktop-linux context",
     "docker.desktop"),
    # in the group, and docker still wants sudo
    ("", "Not really sure why it requires sudo right now. I am in the docker group at least.", "docker.group-not-active"),
    # a mirror that went down
    ("", "Can not pull image again if registry mirror down suddenly", "mirror.dead"),
    # FFmpeg's NVENC in the image needs a newer driver
    ("[hevc_nvenc @ 0x5626962d7ec0] Driver does not support the required nvenc API version. Required: 12.0 Found: 11.1",
     "", "driver.too-old-for-image"),
    # (the third round) Docker Desktop on a Mac with no /var/run/docker.sock link
    ("getting imageID: Cannot connect to the Docker daemon at unix:///var/run/docker. sock. Is the docker daemon running?",
     "After a clean install of Docker at version v4.13.0\n  - macOS Version: 13.0\n  - Docker Desktop Version: 4.13.0",
     "docker.desktop"),
    # dockerd said not to start, nothing of its configuration blamed
    ("", "Docker cannot start on a K3 PicoITX board because the shipped kernel package is missing the iptables modules",
     "docker.daemon-down"),
    # (a review of the session's rows) what they missed
    ("docker: Error response from daemon: no match for platform in manifest: not found.", "", "image.tag-missing"),
    ("E: Unable to locate package docker-ce", "This is an old netbook; uname -m prints i686 and dpkg "
     "--print-architecture prints i386.", "os.unsupported"),
    ("docker: Error response from daemon: OCI runtime create failed: container_linux.go:344: starting container "
     "process caused \"process_linux.go:297: getting the final child's pid from pipe caused \\\"EOF\\\"\": unknown.",
     "Ubuntu under WSL on Windows 10 version 1803", "os.wsl-gpu-unsupported"),
    ("Error response from daemon: Get \"https://registry-1.docker.io/v2/\": net/http: request canceled while waiting for connection (Client.Timeout exceeded while awaiting headers)", "We are behind a corporate firewall/proxy. docker pull times out.", "docker.proxy-misconfigured"),
    ("failed to start daemon: Error initializing network controller: Error creating default \"bridge\" network: "
     "failed to parse pool request", 'I added "bip": "10.10.0.1/16" to /etc/docker/daemon.json', "daemon-json.invalid"),
]


# Three more reviews of the rows, by cluster (pulls and registries; the socket and the GPU runtime;
# packages, the OS, the driver and WSL): common wordings that a rule read wrongly, or that no rule read.
REVIEW_WORDINGS = [
    # Windows' pipe refusing a user who is not elevated
    ("error during connect: Get http://%2F%2F.%2Fpipe%2Fdocker_engine/v1.40/containers/json: open //./pipe/docker_engine: "
     "Access is denied. In the default daemon configuration on Windows, the docker client must be run elevated to connect.",
     "", "docker.permission-denied"),
    # nvidia-docker 1.0's plugin socket, not dockerd's
    ("docker: Error response from daemon: Post http://%2Frun%2Fdocker%2Fplugins%2Fnvidia-docker.sock/VolumeDriver.Mount: "
     "dial unix /run/docker/plugins/nvidia-docker.sock: connect: no such file or directory.", "", "toolkit.legacy"),
    # Docker 1.8/1.9: the errno, then the hints it prints after every socket error
    ("Get http:///var/run/docker.sock/v1.20/version: dial unix /var/run/docker.sock: permission denied.\n* Are you trying "
     "to connect to a TLS-enabled daemon without TLS?\n* Is your docker daemon up and running?", "", "docker.permission-denied"),
    # in the group already, told otherwise
    ("Got permission denied while trying to connect to the Docker daemon socket at unix:///var/run/docker.sock: Get \"http://%2Fvar%2Frun%2Fdocker.sock/v1.24/containers/json\": dial unix /var/run/docker.sock: connect: permission denied", "I already did sudo gpasswd -a $USER docker, still the same.", "docker.group-not-active"),
    ("Got permission denied while trying to connect to the Docker daemon socket at unix:///var/run/docker.sock: Get \"http://%2Fvar%2Frun%2Fdocker.sock/v1.24/containers/json\": dial unix /var/run/docker.sock: connect: permission denied", "我已经在docker组里了，还是需要sudo", "docker.group-not-active"),
    # nvidia-smi missing inside the container
    ("/bin/sh: 1: nvidia-smi: not found", "Inside the docker container.", "container.no-gpu-request"),
    # rootless: the system daemon's runtime and socket are not its own
    ("docker: Error response from daemon: unknown or invalid runtime name: nvidia.", "Rootless docker. I ran sudo nvidia-ctk "
     "runtime configure --runtime=docker and restarted docker with sudo systemctl restart docker.", "docker.rootless"),
    ("Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?",
     "I installed Docker in rootless mode with dockerd-rootless-setuptool.sh install.", "docker.rootless"),
    # no GPU on the machine, in words
    ("docker: Error response from daemon: could not select device driver \"\" with capabilities: [[gpu]].", "Running on an AWS t3.large EC2 instance (no GPU) just to test the compose file.", "gpu.absent"),
    ("docker: Error response from daemon: could not select device driver \"\" with capabilities: [[gpu]].", "这台服务器没有GPU", "gpu.absent"),
    # default-runtime naming a runtime never registered; --gpus refused in csv mode; CDI without a spec
    ("failed to start daemon: specified default runtime 'nvidia' does not exist", "", "runtime.not-registered"),
    ("stderr: Auto-detected mode as 'csv'\ninvoking the NVIDIA Container Runtime Hook directly (e.g. specifying the docker "
     "--gpus flag) is not supported. Please use the NVIDIA Container Runtime (e.g. specify the --runtime=nvidia flag) "
     "instead.: unknown.", "", "runtime.not-registered"),
    ("docker: Error response from daemon: CDI device injection failed: unresolvable CDI devices nvidia.com/gpu=all.", "",
     "toolkit.missing"),
    # restarting docker fixed a GPU failure
    ("docker: Error response from daemon: Unknown runtime specified nvidia.", "sudo systemctl restart docker fixed it.",
     "toolkit.daemon-not-restarted"),
    ("docker: Error response from daemon: could not select device driver \"\" with capabilities: [[gpu]].", "重启docker服务后解决了", "toolkit.daemon-not-restarted"),
    # journald's escaped quotes; PTX newer than the driver
    ('exec: \\"nvidia-container-runtime\\": executable file not found in $PATH: <nil>: unknown', "", "runtime.binary-missing"),
    ("the provided PTX was compiled with an unsupported toolchain.", "in the container", "driver.too-old-for-image"),
    # a proxy set where dockerd never reads it
    ("Error response from daemon: Get \"https://registry-1.docker.io/v2/\": net/http: request canceled while waiting for connection (Client.Timeout exceeded while awaiting headers)", "I set http_proxy and https_proxy in /etc/environment and rebooted. curl and apt work fine, only docker pull fails.",
     "docker.proxy-misconfigured"),
    ("Error response from daemon: Get \"https://registry-1.docker.io/v2/\": net/http: request canceled while waiting for connection (Client.Timeout exceeded while awaiting headers)", "设置了 export http_proxy=http://127.0.0.1:7890 https_proxy=http://127.0.0.1:7890，curl google 可以，但是 docker pull 还是超时",
     "docker.proxy-misconfigured"),
    ("Error response from daemon: Get \"https://registry-1.docker.io/v2/\": net/http: request canceled while waiting for connection (Client.Timeout exceeded while awaiting headers)", "Our server can only access the internet via a proxy (http://10.1.2.3:8080). docker pull hangs.",
     "docker.proxy-misconfigured"),
    # the proxy refusing CONNECT, bare
    ('Error response from daemon: Get "https://registry-1.docker.io/v2/": Proxy Authentication Required', "",
     "docker.proxy-misconfigured"),
    # a mirror said dead in Chinese
    ("Error response from daemon: Get \"https://registry-1.docker.io/v2/\": net/http: request canceled while waiting for connection (Client.Timeout exceeded while awaiting headers)", "之前配置的镜像源挂了，现在拉不了镜像", "mirror.dead"),
    # containerd's, BuildKit's and Podman's "pull access denied"
    ("ERROR: failed to solve: myimage:latest: failed to resolve source metadata for docker.io/library/myimage:latest: pull "
     "access denied, repository does not exist or may require authorization: server message: insufficient_scope", "",
     "image.tag-missing"),
    ("Error: initializing source docker://foo/bar:latest: reading manifest latest in docker.io/foo/bar: requested access "
     "to the resource is denied", "", "image.tag-missing"),
    # an OCI index an old engine does not ask for
    ("Error response from daemon: manifest unknown: OCI index found, but accept header does not support OCI indexes", "",
     "docker.too-old"),
    # (a third review: packages, the OS, the driver and WSL)
    ("zsh: command not found: docker", "", "docker.missing"),
    ("bash: docker: 未找到命令", "", "docker.missing"),
    ("docker : The term 'docker' is not recognized as the name of a cmdlet, function, script file, or operable program.",
     "", "docker.missing"),
    ("E: 软件包 docker-ce 没有可安装候选", "", "apt.docker-repo-missing"),
    ("", "我在 WSL2 的 Ubuntu 里装了 nvidia-driver-535，结果 nvidia-smi 报错", "os.wsl"),
    ("E: The repository 'https://nvidia.github.io/libnvidia-container/stable/ubuntu18.04/amd64  Release' no longer has a "
     "Release file.", "", "apt.repo-unsupported-distro"),
]


TENTH_SESSION_WORDINGS = [
    # Ansible's get_url says the 404 first, then the per-release URL NVIDIA never served
    ('fatal: [gpu-1]: FAILED! => {"changed": false, "dest": "/etc/apt/sources.list.d/nvidia-docker.list", "msg": '
     '"Request failed", "response": "HTTP Error 404: Not Found", "status_code": 404, '
     '"url": "https://nvidia.github.io/nvidia-docker/ubuntu19.10/nvidia-docker.list"}', "", "apt.repo-unsupported-distro"),
    # a framework in an image counting no GPU
    ("Device id must be less than GPU count, but received id is: 0. GPU count is: 0",
     "把推理部署打成了docker镜像，运行该镜像后出现了下面的错误", "container.no-gpu-request"),
    ("", "Inside the container the trainer logs 'Number of GPUs: 0' although the host has four", "container.no-gpu-request"),
]


ELEVENTH_SESSION_WORDINGS = [
    # yum and dnf not finding NVIDIA's packages: its repository was never added
    ("Loading mirror speeds from cached hostfile\nNo package nvidia-container-toolkit available.\nError: Nothing to do",
     "", "apt.nvidia-repo-missing"),
    ("No match for argument: nvidia-docker2\nError: Unable to find a match: nvidia-docker2", "", "apt.nvidia-repo-missing"),
    # systemctl where systemd is not PID 1: dockerd is not started that way
    ("System has not been booted with systemd as init system (PID 1). Can't operate.\n"
     "Failed to connect to bus: Host is down", "sudo systemctl restart docker", "docker.daemon-down"),
    # CUDA gone after the machine slept
    ("", "Since my laptop woke up from suspension, torch in the container says no CUDA GPUs are available",
     "driver.uvm-missing"),
    ("", "cuda inside docker breaks every time after the machine resumes; nvidia-smi still lists the GPU",
     "driver.uvm-missing"),
    ("", "电脑从休眠唤醒以后 docker 里的 cuda 就用不了了，nvidia-smi 还能看到显卡", "driver.uvm-missing"),
    # the toolkit's libraries, and the runtime's binary, missing in words
    ("", "docker --gpus all fails on my NixOS box, libnvidia-ml.so.1 cannot be found by the container toolkit",
     "toolkit.libs-not-found"),
    ("", "dnf install nvidia-container-toolkit did not install the nvidia-container-runtime binary",
     "runtime.binary-missing"),
    # dockerd not starting, in words
    ("", "After every reboot the docker service doesn't auto-start, I have to run service docker start",
     "docker.daemon-down"),
    ("", "I installed docker-ce on Ubuntu 24.04 and was not able to start the docker daemon", "docker.daemon-down"),
    # an end-of-life release's Release file, 404 on the distribution's own archive in apt 1.x's form
    ("Err:6 http://archive.ubuntu.com/ubuntu groovy Release\n  404  Not Found [IP: 185.125.190.36 80]\n"
     "E: The repository 'http://archive.ubuntu.com/ubuntu groovy Release' no longer has a Release file.", "",
     "os.unsupported"),
    # ... on a cloud's own Ubuntu archive host, and for InRelease
    ("Err:5 http://us-east-1.ec2.archive.ubuntu.com/ubuntu impish Release\n  404  Not Found [IP: 52.0.0.1 80]", "",
     "os.unsupported"),
    ("Err:1 http://archive.ubuntu.com/ubuntu lunar InRelease\n  404  Not Found [IP: 185.125.190.39 80]", "",
     "os.unsupported"),
    # zypper not finding NVIDIA's package
    ("No provider of 'nvidia-container-toolkit' found.", "openSUSE Leap 15.5", "apt.nvidia-repo-missing"),
    # Docker 1.12's client not reaching the daemon a leftover DOCKER_HOST names
    ("docker: An error occurred trying to connect: Post https://192.168.99.100:2376/v1.24/containers/create: dial tcp "
     "192.168.99.100:2376: connectex: A connection attempt failed", "", "docker.daemon-down"),
    # installing the toolkit where the repositories cannot be reached
    ("", "Our GPU servers are air-gapped. How do I install nvidia-container-toolkit and its dependencies there?",
     "apt.repo-unreachable"),
    ("", "服务器在内网，无法联网，怎么离线安装 nvidia-container-toolkit？", "apt.repo-unreachable"),
    # a request to add the user to the group: not in it yet
    ("Got permission denied while trying to connect to the Docker daemon socket at unix:///var/run/docker.sock",
     "Add the `ubuntu` user to the group `docker` in the provisioning script\n$ docker ps\nGot permission denied while "
     "trying to connect to the Docker daemon socket at unix:///var/run/docker.sock", "docker.permission-denied"),
    # files a container made that the user cannot delete
    ("", "Running the docker image with --volumes leaves a folder on the host that can not be deleted without sudo",
     "container.root-owned-files"),
    # the runtime's binary, in words
    ("", "daemon.json registers the nvidia runtime but the nvidia-container-runtime executable isn't there",
     "runtime.binary-missing"),
    # no GPU while an image builds
    ("", "deviceQuery fails in a RUN step of my Dockerfile: there is no GPU access during the docker build",
     "container.no-gpu-request"),
    ("#9 0.512 CUDA error: no CUDA-capable device is detected", "The GPU is not available during build with BuildKit",
     "container.no-gpu-request"),
    ("", "nvcc builds fine but cmake could not find libcuda while building the image; in docker run --gpus it works",
     "container.no-gpu-request"),
    # `docker run` pulls too: a proxy set only for the shell
    ("Unable to find image 'registry.example.com/app:1.0' locally\ndocker: Error response from daemon: Get "
     "https://registry.example.com/v2/: net/http: request canceled while waiting for connection",
     "export https_proxy=http://10.0.0.5:3128 is in my .bashrc and curl works through it", "docker.proxy-misconfigured"),
    # the host's socket mounted into a CI agent: the group inside has its own ID
    ("Got permission denied while trying to connect to the Docker daemon socket at unix:///var/run/docker.sock",
     "Our Jenkins agent container mounts the host's /var/run/docker.sock; the jenkins user was added to the "
     "docker group in the image", "docker.permission-denied"),
    # dockerd refusing an insecure-registries entry it cannot parse
    ('failed to start daemon: insecure registry registry.example.com/team is not valid: invalid host '
     '"registry.example.com/team"', "", "daemon-json.invalid"),
    # "没有 nvidia-docker.service" says nothing about the card
    ("Failed to start nvidia-docker.service: Unit nvidia-docker.service not found.",
     "机器上确实没有nvidia-docker.service这个文件，但 nvidia-docker run 可以显示信息", "toolkit.legacy"),
    # a Mac: Docker runs in a Linux VM without an NVIDIA GPU
    ('docker: Error response from daemon: could not select device driver "" with capabilities: [[gpu]].',
     "Trying the vllm image with --gpus all under OrbStack on my Mac", "docker.desktop"),
]


CLOSED_MIRRORS_PASTED = ('\n$ cat /etc/docker/daemon.json\n{\n  "registry-mirrors": ["https://docker.mirrors.ustc.edu.cn", '
                         '"https://hub-mirror.c.163.com"]\n}\n')
TWELFTH_SESSION_WORDINGS = [
    # not in the group at all, said with "belong"
    ("", "docker run hello-world says permission denied: my user doesn't belong to the docker group on this new "
     "install.", "docker.permission-denied"),
    ("", "当前用户不属于 docker 组，运行 docker ps 提示权限不够", "docker.permission-denied"),
    # From probes written the way reporters write (tests/corpus/README.md, "Probes"; tests/corpus/probes):
    # wanting docker without sudo says nothing of having been added to the group
    ("docker: Got permission denied while trying to connect to the Docker daemon socket at "
     "unix:///var/run/docker.sock: Post http://%2Fvar%2Frun%2Fdocker.sock/v1.40/containers/create: dial unix "
     "/var/run/docker.sock: connect: permission denied.",
     "with sudo it works. without sudo error above. I dont want use sudo everytime because jupyter.",
     "docker.permission-denied"),
    # the stock ldconfig line in a pasted config.toml, and "works" in another sentence
    ("nvidia-container-cli: mount error: failed to add device rules: unable to find any existing device filters "
     "attached to the cgroup: bpf_prog_query(BPF_CGROUP_DEVICE) failed: operation not permitted: unknown.",
     "I run docker in rootless mode.\n[nvidia-container-cli]\nldconfig = \"@/sbin/ldconfig.real\"\n"
     "load-kmods = true\nUbuntu 22.04. Host nvidia-smi works.", "toolkit.rootless-cgroups"),
    # a closed mirror configured, and a container that fails to start after its image was there
    ("docker: Error response from daemon: unknown or invalid runtime name: nvidia.",
     "重装 docker 后把镜像加速写进了 daemon.json：\n{\n  \"registry-mirrors\": [\"https://hub-mirror.c.163.com\", "
     "\"https://docker.mirrors.ustc.edu.cn\"]\n}\n现在 --runtime=nvidia 就报上面这个。", "runtime.not-registered"),
    # in the docker group and able to use it; what fails is removing what a container wrote
    ("rm: 无法删除 'runs/train/exp3/weights/best.pt': 权限不够",
     "我在服务器上没有 sudo 权限（但是在 docker 组里可以用 docker）。训练完生成的文件在宿主机上删不掉。",
     "container.root-owned-files"),
    # Ubuntu's command-not-found in zh_CN: no nvidia-smi on the host
    ("nvidia-container-cli: initialization error: load library failed: libnvidia-ml.so.1: cannot open shared "
     "object file: no such file or directory: unknown.",
     "$ nvidia-smi\n找不到命令 “nvidia-smi”，但可以通过以下软件包安装它：\nsudo apt install nvidia-utils-535",
     "driver.missing"),
    # nvidia-docker 1.0's plugin not answering on localhost:3476
    ("nvidia-docker | 2020/05/14 11:02:33 Error: Post http://localhost:3476/docker/cli: dial tcp 127.0.0.1:3476: "
     "getsockopt: connection refused", "nvidia-docker run stopped working after the upgrade", "toolkit.legacy"),
    # closed mirrors left in a pasted daemon.json, next to an error that is not a pull's
    ("RuntimeError: DataLoader worker (pid 47) is killed by signal: Bus error. It is possible that dataloader's "
     "workers are out of shared memory. Please try to raise your shared memory limit.",
     "训练时报错" + CLOSED_MIRRORS_PASTED, "container.shm-too-small"),
    ("Error: Failed to download metadata for repo 'nvidia-container-toolkit': Cannot download repomd.xml: Curl "
     "error (28): Timeout was reached", "dnf install fails" + CLOSED_MIRRORS_PASTED, "apt.repo-unreachable"),
    ("E: Failed to fetch https://nvidia.github.io/libnvidia-container/stable/deb/amd64/InRelease  Could not "
     "resolve 'nvidia.github.io'", "apt-get update fails." + CLOSED_MIRRORS_PASTED, "apt.repo-unreachable"),
    # ... but a pull stuck on its layers with them configured is theirs; a pull that completed is not
    ("Using default tag: latest\nlatest: Pulling from library/ubuntu\n7b1a6ab2e44d: Pulling fs layer",
     "docker pull 一直卡住不动" + CLOSED_MIRRORS_PASTED, "mirror.dead"),
    ("Unable to find image 'debian:10-slim' locally\n10-slim: Pulling from library/debian\nf7ec5a41d630: Pull "
     "complete\nStatus: Downloaded newer image for debian:10-slim\nnvidia-container-cli: initialization error: nvml "
     "error: function not found: unknown.", "GT 730, driver 340" + CLOSED_MIRRORS_PASTED, "driver.too-old-for-toolkit"),
    # no-cgroups = true shown by `grep -n` on a rootful daemon
    ("Failed to initialize NVML: Unknown Error",
     "Fails in a brand new container, every time.\n$ grep -n cgroups /etc/nvidia-container-runtime/config.toml\n"
     "9:no-cgroups = true\nnormal docker (rootful, systemd service)", "toolkit.no-cgroups-rootful"),
]


THIRTEENTH_SESSION_WORDINGS = [
    # dockerd's refusal with its "unknown or" dropped, as titles quote it
    ("", "invalid runtime name: nvidia\nC:\\work\\app>docker-compose up -d", "runtime.not-registered"),
    ("docker: Error response from daemon: invalid runtime name: nvidia.", "", "runtime.not-registered"),
    # CUDA with no libcuda in a container that was given no GPU says the driver is "insufficient"
    ("RuntimeError: CUDA driver version is insufficient for CUDA runtime version",
     "I start the container with:\ndocker run -it -v $PWD:/workspace nvcr.io/nvidia/pytorch:23.10-py3 bash",
     "container.no-gpu-request"),
    ("cudaGetDeviceCount returned 35 -> CUDA driver version is insufficient for CUDA runtime version",
     "按照文档启动容器：docker run -d -p 8080:8080 --name asr myorg/asr:cuda12 然后报错", "container.no-gpu-request"),
    # the reporter says the host has no driver at all
    ("nvidia-container-cli: initialization error: driver error: failed to process request",
     "I thought everything runs in containers, so there is no nvidia driver on the host.", "driver.missing"),
]

_INSUFFICIENT = "RuntimeError: CUDA error: CUDA driver version is insufficient for CUDA runtime version"
_SMI_470 = "| NVIDIA-SMI 470.199.02   Driver Version: 470.199.02   CUDA Version: 11.4     |"
# From an adversarial review of the thirteenth session's rows: reports each row misread before it was
# narrowed, as (error, notes, command, the right first cause).
THIRTEENTH_REVIEW_WORDINGS = [
    # "insufficient" beside a docker run without --gpus, where the GPU is asked for another way or a
    # driver version shows the driver may be too old
    (_INSUFFICIENT, "I use docker compose with GPU reservation:\n    deploy:\n      resources:\n        reservations:\n"
     "          devices:\n            - driver: nvidia\n              capabilities: [gpu]\nnvidia-smi on the host:\n"
     + _SMI_470, 'docker compose run --rm app python -c "import torch; torch.zeros(1).cuda()"',
     "driver.too-old-for-image"),
    (_INSUFFICIENT, 'My /etc/docker/daemon.json:\n{\n    "default-runtime": "nvidia",\n    "runtimes": {"nvidia": '
     '{"path": "nvidia-container-runtime"}}\n}\nso I just run `docker run -it --rm nvidia/cuda:12.2.0-devel-ubuntu22.04 '
     './deviceQuery`', "docker run -it --rm nvidia/cuda:12.2.0-devel-ubuntu22.04 ./deviceQuery",
     "driver.too-old-for-image"),
    ("CUDA driver version is insufficient for CUDA runtime version",
     "启动命令：docker run \u2013gpus all -it -v /data:/data paddlepaddle/paddle:2.5.1-gpu-cuda12.0-cudnn8.9-trt8.6 /bin/bash\n"
     "宿主机 nvidia-smi 显示 Driver Version: 450.102.04  CUDA Version: 11.0", "", "driver.too-old-for-image"),
    (_INSUFFICIENT, "Inside the container nvidia-smi works:\n" + _SMI_470 + "\nI start it with: docker run -it --ipc=host "
     "my-registry/train:cu121 bash", "docker run -it --ipc=host my-registry/train:cu121 bash", "driver.too-old-for-image"),
    ("NVIDIA-SMI couldn't find libnvidia-ml.so library in your system. Please make sure that the NVIDIA Display Driver "
     "is properly installed and present in your system.", "Fresh Ubuntu 22.04 server with an RTX 3090. I want to run "
     "`docker run -it tensorflow/tensorflow:latest-gpu` but first I checked nvidia-smi on the host and it says the above.",
     "", "driver.missing"),
    # "no driver on the host" as a step before a reinstall, by design (a driver container), denied, quoted
    ("Failed to initialize NVML: Driver/library version mismatch", "I purged all nvidia packages until there were no "
     "more nvidia drivers on the host, then installed nvidia-driver-550 from the graphics-drivers PPA.", "",
     "driver.version-mismatch"),
    ("nvidia-container-cli: initialization error: nvml error: driver/library version mismatch: unknown",
     "We run the GPU Operator and have no nvidia drivers on the host (the driver daemonset provides them).", "",
     "driver.version-mismatch"),
    ("Failed to initialize NVML: Unknown Error", "Using the GPU Operator (no driver installed on the host, driver "
     "container). After a few hours pods lose the GPU and nvidia-smi inside them says the error above.", "",
     "cgroup.nvml-unknown-error"),
    ("nvidia-container-cli: initialization error: nvml error: driver not loaded: unknown.", "To be clear, there is not "
     "no driver on the host \u2014 the 535 driver was installed but after the kernel update nvidia-smi fails.", "",
     "driver.not-loaded"),
    # dockerd's refusal told as fixed, before the fault that came next
    (_INSUFFICIENT, "I fixed the `invalid runtime name: nvidia` error by running nvidia-ctk runtime configure and "
     "restarting docker. Now docker run --runtime=nvidia -it myimg:cu121 python train.py fails. Host driver 470.",
     "docker run --runtime=nvidia -it myimg:cu121 python train.py", "driver.too-old-for-image"),
    ("Failed to initialize NVML: Unknown Error", "The invalid runtime name: nvidia error went away after restarting "
     "dockerd. But after some hours nvidia-smi inside the running container prints the error above (systemd cgroup "
     "driver).", "docker run -d --runtime=nvidia --name w myimg", "cgroup.nvml-unknown-error"),
]


FOURTEENTH_SESSION_WORDINGS = [
    # a setting put in daemon.json that the system's unit already passes to dockerd, told in words
    ("", "After adding log-driver and storage-driver to /etc/docker/daemon.json the docker daemon never comes back: "
     "those options are already passed to dockerd on its command line by the appliance.", "daemon-json.flag-conflict"),
    ("", "Following the wiki I put storage-driver into daemon.json and now docker.service fails at boot. That "
     "option is already set on the command line by the appliance's wrapper.", "daemon-json.flag-conflict"),
    # a dev container's GPU request
    ("", "\"hostRequirements\": {\"gpu\": true} does nothing on Debian 12\nThe dev container comes up but has no "
     "GPU. docker info lists the nvidia runtime.", "container.no-gpu-request"),
]


FIFTEENTH_SESSION_WORDINGS = [
    # the way out is a proxy, told without "behind": dockerd is what must be told of it
    ('Error response from daemon: Get "https://registry-1.docker.io/v2/": net/http: request canceled while waiting '
     'for connection (Client.Timeout exceeded while awaiting headers)', "Pulls fail on every machine here; browsers work "
     "fine. Is it because of our corporate proxy?", "docker.proxy-misconfigured"),
    ("Get https://registry-1.docker.io/v2/: x509: certificate signed by unknown authority", "docker pull alpine "
     "fails at the office. HTTPS is intercepted by a transparent proxy that re-signs certificates.",
     "docker.proxy-misconfigured"),
    ("Error response from daemon: Get https://registry-1.docker.io/v2/: net/http: TLS handshake timeout",
     "docker pull stops there. Could this be because we are under a proxy?", "docker.proxy-misconfigured"),
    # nvidia-smi missing in a shell inside an image: no GPU was asked for
    ("bash: nvidia-smi: command not found", "Training is slow.\n(base) root@3f9c2a7b1d0e:/workspace# nvidia-smi\nbash: "
     "nvidia-smi: command not found", "container.no-gpu-request"),
    ("bash: nvidia-smi: command not found", "进入镜像之后执行 nvidia-smi 提示找不到命令，宿主机上 nvidia-smi 正常",
     "container.no-gpu-request"),
    ("bash: nvidia-smi: command not found", 'nvidia-smi inside the "immich-ml" container shows nothing: command not '
     "found. Transcoding falls back to the CPU.", "container.no-gpu-request"),
    # nvidia-smi failing in WSL 2: a Linux driver package inside, or a login without /usr/lib/wsl/lib
    ("NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver. Make sure that the latest "
     "NVIDIA driver is installed and running.", "nvidia-smi broken in WSL\nUbuntu 22.04 under WSL2, the Windows "
     "side shows the card in nvidia-smi.exe.", "os.wsl"),
    ("zsh: command not found: nvidia-smi", "### WSL Version\n- [x] WSL 2\n- [ ] WSL 1\nAfter logging in over SSH "
     "nvidia-smi is gone; in Windows Terminal it works.", "os.wsl"),
    # yum's and dnf's words for a repository key
    ("https://nvidia.github.io/libnvidia-container/stable/rpm/x86_64/repodata/repomd.xml: [Errno -1] repomd.xml "
     "signature could not be verified for libnvidia-container", "", "apt.no-pubkey"),
    ("", "On Rocky 9 the nvidia-container-toolkit repository keeps failing signature checks when I run dnf install.",
     "apt.no-pubkey"),
    # a Node client's refusal on the socket
    ("Error: connect EACCES /var/run/docker.sock", "The extension shows no containers on Ubuntu 24.04.",
     "docker.permission-denied"),
    # CUDA failing on a line of BuildKit's log: a RUN step, which gets no GPU
    ("#9 41.7 RuntimeError: No CUDA GPUs are available\n------\nfailed to solve: process \"/bin/sh -c python "
     "warmup.py\" did not complete successfully: exit code: 1", "", "container.no-gpu-request"),
    # docker.socket with SocketGroup=docker on a host that has no docker group
    ("docker.socket: Control process exited, code=exited, status=216/GROUP\nFailed to listen on Docker Socket for "
     "the API.", "", "docker.daemon-down"),
    # Docker Desktop dialing the registry directly, with no proxy set
    ('failed to do request: Head "https://registry-1.docker.io/v2/library/python/manifests/3.11": dialing '
     "registry-1.docker.io:443 container via direct connection because app settings has no HTTPS proxy: "
     "connecting to registry-1.docker.io:443: dial tcp 54.1.2.3:443", "docker compose build on Docker Desktop "
     "4.30 (Windows 11)", "registry.unreachable"),
    # nvidia-ctk on the host finding no NVML
    ("ERRO[0000] failed to generate CDI spec: failed to create device CDI specs: failed to initialize NVML: "
     "ERROR_LIBRARY_NOT_FOUND", "sudo nvidia-ctk cdi generate --output=/etc/cdi/nvidia.yaml on an image-based OS "
     "with the driver in a container.", "toolkit.libs-not-found"),
    # the toolkit's own library gone
    ("stderr: Auto-detected mode as 'legacy'\n/usr/bin/nvidia-container-cli: error while loading shared libraries: "
     "libnvidia-container.so.1: cannot open shared object file: No such file or directory: unknown", "",
     "toolkit.missing"),
    # apt's verifier since Debian 13, pasted in the report
    ("E: Sub-process /usr/bin/sqv returned an error code (1), error message is: Missing key "
     "C95B321B61E88C1809C4F759DDCAE044F796ECB0, which is needed to verify signature.", "", "apt.no-pubkey"),
    # NVML told the driver is not loaded, by nvidia-ctk at boot
    ('level=warning msg="Could not determine driver version: failed to initialize nvml: Driver Not Loaded"', "",
     "driver.not-loaded"),
    # a container that lost its GPU and got it back by its own restart
    ("", "After a day the pose containers cannot find a CUDA device any more; restarting the containers fixes it "
     "until next time.", "cgroup.nvml-unknown-error"),
    # the GPU's device nodes are there and nvidia-smi is not: devices handed in without the runtime
    ("bash: nvidia-smi: command not found", "dev@ws:~$ ls -la /dev/nvidia*\ncrw-rw-rw- 1 root root 195,   0 Apr 22 "
     "11:11 /dev/nvidia0\ncrw-rw-rw- 1 root root 195, 255 Apr 22 11:11 /dev/nvidiactl\ndev@ws:~$ nvidia-smi\nbash: "
     "nvidia-smi: command not found", "container.no-gpu-request"),
    # GnuTLS losing the connection to a repository host mid-handshake
    ("E: Failed to fetch https://nvidia.github.io/libnvidia-container/stable/deb/amd64/Packages  gnutls_handshake() "
     "failed: Error in the push function.", "", "apt.repo-unreachable"),
    # a pre-release named on the release's own line
    ("", "Ubuntu 25.04 beta here: apt install docker-ce fails with unmet dependencies.", "os.unsupported"),
]
FIFTEENTH_SESSION_NOT = [
    # a pull that works through the company proxy leaves it out of the GPU failure
    ('docker: Error response from daemon: could not select device driver "" with capabilities: [[gpu]].',
     "docker pull works fine through our corporate proxy, but any --gpus run fails.", "docker.proxy-misconfigured"),
    # nvidia-smi missing on the host itself, at a prompt that names the machine
    ("bash: nvidia-smi: command not found", "user@gpu-server-01:~$ nvidia-smi\nbash: nvidia-smi: command not found\n"
     "I want to run containers with the GPU later.", "container.no-gpu-request"),
    # nvidia-smi failing inside a container that runs on WSL is the container's, not the Linux driver in WSL
    ("bash: nvidia-smi: command not found", "WSL2 with Docker Engine inside it; docker run --rm ubuntu nvidia-smi",
     "os.wsl"),
    # an image's signature (cosign, content trust) is no repository key
    ("", "cosign says it is unable to verify the signatures of the image we pull from our registry", "apt.no-pubkey"),
    # a container restart that fixed a port clash says nothing of lost GPUs
    ("Error starting userland proxy: listen tcp4 0.0.0.0:8080: bind: address already in use", "The GPU works; "
     "restarting the container fixes it after I stop nginx.", "cgroup.nvml-unknown-error"),
    # a tool's beta branch on another line is no pre-release of the OS
    ("Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?",
     "- DietPi version | v8.13.2 (MichaIng/beta)\n- Pre-image      | Raspberry Pi OS Lite 64-bit\n- Command        | "
     "docker volume create portainer_data", "os.unsupported"),
]



# An adversarial review of the fifteenth session's rows (each failed on the unnarrowed row): a company
# network or a proxy that pulls go through, the host's own nvidia-smi or a system container, WSL named
# as somewhere else, a rootless socket, a build known to have no GPU, a restart that fixed nothing or
# an out-of-memory, an image's trust data, nvidia-ctk before any driver.
FIFTEENTH_REVIEW_NOT = [
    ("docker: Error response from daemon: failed to create task for container: failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: error during container init: error running hook #0: error running hook: exit status 1, stdout: , stderr: Auto-detected mode as 'legacy'\nnvidia-container-cli: initialization error: load library failed: libnvidia-ml.so.1: cannot open shared object file: no such file or directory: unknown.", "Our network has a transparent proxy, so pulling images is fine. Running with GPU fails though.", "docker run --gpus all pytorch/pytorch", "docker.proxy-misconfigured"),
    ("Error response from daemon: Get \"https://docker.mirrors.ustc.edu.cn/v2/\": dial tcp: lookup docker.mirrors.ustc.edu.cn: no such host", "We are in a company network; registry-mirrors points to ustc mirror in daemon.json.", "docker pull ubuntu:22.04", "docker.proxy-misconfigured"),
    ("docker: Error response from daemon: unknown or invalid runtime name: nvidia.", "Our corporate proxy is configured in /etc/systemd/system/docker.service.d/http-proxy.conf and pulls go through it. Running with --runtime=nvidia fails.", "docker run --runtime=nvidia nvidia/cuda:12.0.0-base-ubuntu22.04 nvidia-smi", "docker.proxy-misconfigured"),
    ("bash: nvidia-smi: command not found", "On the host, nvidia-smi is not found, so the GPU is not usable in the comfyui container either. I never installed a driver on this fresh Ubuntu 22.04 server.", "nvidia-smi", "container.no-gpu-request"),
    ("nvidia-smi: command not found", "宿主机上 nvidia-smi 找不到，想先装驱动再进入镜像跑训练。", "", "container.no-gpu-request"),
    ("nvidia-smi: command not found", "Running in a Proxmox LXC container (unprivileged). I passed /dev/nvidia0 through but nvidia-smi is missing inside.", "", "container.no-gpu-request"),
    ("NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver. Make sure that the latest NVIDIA driver is installed and running.", "Native Ubuntu 22.04 server (not WSL). After apt upgrade pulled kernel 6.5 nvidia-smi stopped working.", "nvidia-smi", "os.wsl"),
    ("NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver. Make sure that the latest NVIDIA driver is installed and running.", "I moved from WSL to a dual-boot Ubuntu 22.04 install because of performance. After the kernel update today nvidia-smi fails.", "nvidia-smi", "os.wsl"),
    ("NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver. Make sure that the latest NVIDIA driver is installed and running.", "Ubuntu 20.04 on a physical server. The same image works on my WSL laptop.", "nvidia-smi", "os.wsl"),
    ("NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver.", "WSL2 下进入镜像后 nvidia-smi 报错", "", "os.wsl"),
    ("connect EACCES /run/user/1000/docker.sock", "rootless docker, testcontainers-node", "", "docker.permission-denied"),
    ("#12 3.02 torch.cuda.is_available() False\n#12 DONE 3.4s\nAfter docker run --gpus all: RuntimeError: CUDA driver version is insufficient for CUDA runtime version", "The image builds OK (the build just prints False, expected). At run time CUDA says driver too old; host driver 470.", "docker run --gpus all myimg", "container.no-gpu-request"),
    ("RuntimeError: Found no NVIDIA driver on your system.", "The app container can't find a CUDA device after I edited docker-compose.yml and ran docker compose up -d; restarting the container fixes nothing. I removed the deploy: resources: devices block by mistake.", "docker compose up -d", "cgroup.nvml-unknown-error"),
    ("RuntimeError: CUDA error: out of memory\nCUDA kernel errors might be asynchronously reported", "After a few hours the service can't use the GPU anymore; restarting the container fixes it (memory leak in our worker?).", "", "cgroup.nvml-unknown-error"),
    ("Error: remote trust data does not exist for docker.io/library/ubuntu: notary.docker.io does not have trust data for docker.io/library/ubuntu", "DOCKER_CONTENT_TRUST=1 set by our corporate policy; signature verification failed for the repository.", "docker pull ubuntu:22.04", "apt.no-pubkey"),
    ("ERRO[0000] failed to generate CDI spec: failed to create device CDI specs: failed to initialize NVML: ERROR_LIBRARY_NOT_FOUND", "Fresh Ubuntu 24.04 host, I haven't installed the NVIDIA driver yet, only the container toolkit. lspci shows the RTX 4090.", "sudo nvidia-ctk cdi generate --output=/etc/cdi/nvidia.yaml", "toolkit.libs-not-found"),
]


@pytest.mark.parametrize("error,notes,command,wrong", FIFTEENTH_REVIEW_NOT)
def test_the_fifteenth_session_rows_keep_to_their_evidence(error, notes, command, wrong):
    assert _read(error, notes, command=command or None) != (wrong, True)


def test_the_classic_builder_running_nvidia_smi_has_no_gpu():
    assert _read("/bin/sh: 1: nvidia-smi: not found\nThe command '/bin/sh -c nvidia-smi' returned a non-zero code: 127", "Building the container image with docker build, the RUN nvidia-smi step fails.", command="docker build -t myimg .") == ("container.no-gpu-request", True)

@pytest.mark.parametrize("error,notes,command,want", THIRTEENTH_REVIEW_WORDINGS)
def test_the_thirteenth_session_rows_keep_to_their_evidence(error, notes, command, want):
    assert _read(error, notes, command=command or None)[0] == want

@pytest.mark.parametrize("error,notes,want", FRESH_WORDINGS + SIXTH_SESSION_WORDINGS + EIGHTH_SESSION_WORDINGS
                         + NINTH_SESSION_WORDINGS + REVIEW_WORDINGS + TENTH_SESSION_WORDINGS
                         + ELEVENTH_SESSION_WORDINGS + TWELFTH_SESSION_WORDINGS + THIRTEENTH_SESSION_WORDINGS
                         + FOURTEENTH_SESSION_WORDINGS)
def test_fresh_wordings_are_read(error, notes, want):
    assert _read(error, notes) == (want, True)


@pytest.mark.parametrize("error,notes,not_this", [
    # a container, or a compose service, that did not start is no daemon that did not
    ('standard_init_linux.go:178: exec user process caused "permission denied"',
     "I added the nvidia runtime to daemon.json last week. After the Centos7 update the container did not start.",
     "daemon-json.invalid"),
    ("ERROR: for web  Cannot start service web: error while creating mount source path '/srv/web': mkdir /srv: "
     "read-only file system", "docker-compose up fails" + CLOSED_MIRRORS_PASTED, "mirror.dead"),
    # the set-up steps pasted (usermod), and files a container wrote that cannot be removed
    ("rm: cannot remove 'tmpfUhBgD/.ipynb_checkpoints/notebook-checkpoint.ipynb': Permission denied",
     "Permissions inside container result in root owned files externally.\n$ rm -rf *\nrm: cannot remove "
     "'tmpfUhBgD/.ipynb_checkpoints/notebook-checkpoint.ipynb': Permission denied\nSteps I did:\nsudo usermod -aG "
     "docker $USER\nsudo systemctl restart docker", "docker.group-not-active"),
    # "empty" somewhere in a long report is no empty daemon.json
    ("", "Dev Container fails to build when Docker is installed using an Ubuntu snap. The updateUID build fails and "
     "the output folder stays empty.\n$ cat /etc/docker/daemon.json\n{\n  \"registry-mirrors\": "
     "[\"https://docker.m.daocloud.io\"]\n}", "daemon-json.invalid"),
    # a daemon-reload is a step of every set-up guide, no sign of the cgroup driver losing the GPUs
    ("", "我按教程执行了 sudo systemctl daemon-reload，然后 docker pull 一直超时", "cgroup.nvml-unknown-error"),
    ("", "Our registry-mirrors entry points at the office cache. docker-compose up says: ERROR: for app  Cannot start "
     "service app: Bind for 0.0.0.0:8080 failed: port is already allocated", "mirror.invalid"),
])
def test_a_setting_pasted_beside_another_failure_is_not_read_as_its_cause(error, notes, not_this):
    # (found by adding realistic distractors to train reports the rules read right; the word model
    # may still guess it, a rule must not read it)
    assert _read(error, notes) != (not_this, True)


# An adversarial review of the twelfth session's rows: realistic wordings each of them read worse
# than before (BuildKit's pull through a closed mirror, the post-install steps named, `groups`
# checked after usermod, "the service won't start", a fix told in the next sentence, a kubelet
# back-off) and siblings they missed (/work/wt is not in the project: the review's cases are here).
SOCKET_REFUSED = ('Got permission denied while trying to connect to the Docker daemon socket at unix:///var/run/docker.sock: '
                  'Get "http://%2Fvar%2Frun%2Fdocker.sock/v1.24/containers/json": dial unix /var/run/docker.sock: connect: '
                  'permission denied')
TWELFTH_REVIEW_WORDINGS = [
    ("failed to solve: rpc error: code = Unknown desc = failed to solve with frontend dockerfile.v0: failed to "
     "create LLB definition: failed to authorize: rpc error: code = Unknown desc = failed to fetch anonymous "
     "token: unexpected status: 403 Forbidden",
     'My /etc/docker/daemon.json has {"registry-mirrors": ["https://registry.docker-cn.com"]}',
     "mirror.dead"),
    (" => ERROR [internal] load metadata for docker.io/nvidia/cuda:12.1.0-devel-ubuntu22.04   "
     "30.0s\nDockerfile:1\n--------------------\n   1 | >>> FROM nvidia/cuda:12.1.0-devel-ubuntu22.04\n   2 |  "
     "   RUN apt-get update && apt-get install -y python3-pip\n--------------------\nERROR: failed to solve: "
     "DeadlineExceeded: context deadline exceeded",
     'daemon.json: {"registry-mirrors": ["https://hub-mirror.c.163.com"]}',
     "mirror.dead"),
    (SOCKET_REFUSED,
     "I followed the post-installation steps to run docker without sudo, but I still get this error.",
     "docker.group-not-active"),
    (SOCKET_REFUSED,
     "按照官方 post-install 步骤配置了，docker 命令不加 sudo 还是不行。",
     "docker.group-not-active"),
    (SOCKET_REFUSED,
     "I added my user to the docker group with usermod. When I type `groups` it shows that I do not belong to "
     "the docker group.",
     "docker.group-not-active"),
    (SOCKET_REFUSED,
     "当前用户没有加入docker用户组。",
     "docker.permission-denied"),
    ("",
     "Edited daemon.json as in the install guide; now the service won't start.",
     "daemon-json.invalid"),
    ("",
     "I updated daemon.json with the data-root option. docker.service won't start now.",
     "daemon-json.invalid"),
    ("ImportError: libcuda.so.1: cannot open shared object file: No such file or directory",
     "Running ldconfig inside the container. After that it works.",
     "toolkit.ldconfig"),
    ("Warning  Failed     12s   kubelet  Error: ImagePullBackOff\n  Normal   BackOff    12s   kubelet  "
     'Back-off pulling image "nvidia/cuda:12.2.0-base-ubuntu22.04"',
     'daemon.json:\n{ "registry-mirrors": ["https://docker.mirrors.ustc.edu.cn", '
     '"https://hub-mirror.c.163.com"] }\n\nk8s 节点拉不下镜像',
     "mirror.dead"),
    ("",
     "Every time I run `sudo systemctl daemon-reload` on the host, nvidia-smi inside my running containers "
     "stops working until I restart the container.",
     "cgroup.nvml-unknown-error"),
    ("",
     "执行 systemctl daemon-reload 之后，正在运行的容器里 nvidia-smi 就用不了了，重启容器就好。",
     "cgroup.nvml-unknown-error"),
    ("zsh: command not found: nvidia-smi",
     "fresh Ubuntu 22.04 with an RTX 4090",
     "driver.missing"),
    ("curl: (7) Failed to connect to localhost port 3476: Connection refused",
     "curl -s http://localhost:3476/v1.0/docker/cli",
     "toolkit.legacy"),
    ("Failed to initialize NVML: Unknown Error",
     "$ grep -rn cgroups "
     "/etc/nvidia-container-runtime/\n/etc/nvidia-container-runtime/config.toml:13:no-cgroups = true\nrootful "
     "docker",
     "toolkit.no-cgroups-rootful"),
]


@pytest.mark.parametrize("error,notes,want", TWELFTH_REVIEW_WORDINGS)
def test_the_twelfth_sessions_review_wordings(error, notes, want):
    assert _read(error, notes) == (want, True)


def test_a_chinese_permission_word_on_the_socket_is_no_file_a_container_left():
    # 创建容器 ("creating a container") and 权限不够 ("permission denied") around docker.sock
    assert _read("", "使用docker创建容器时提示/var/run/docker.sock文件权限不够。") != ("container.root-owned-files", True)


# An adversarial review of the eleventh session's rows: wordings next to which a new row must not
# decide (a passing remark, a Mac used to reach a server, a shell proxy next to the registry's own
# answer, a blacklist that did not take, Docker Desktop under WSL, a repository there but failing).
ELEVENTH_REVIEW_WORDINGS = [
    ("",
     "I added blacklist nouveau to /etc/modprobe.d but nouveau is still loaded and the nvidia driver won't "
     "load.",
     "driver.nouveau"),
    ('docker: Error response from daemon: could not select device driver "" with capabilities: [[gpu]].',
     "I know the GPU is not available during docker build, so I moved the CUDA check to docker run --gpus "
     "all, which fails as above. I installed nvidia-container-toolkit yesterday.",
     "toolkit.daemon-not-restarted"),
    ("Unable to find image 'nvidia/cuda:latest' locally\ndocker: Error response from daemon: manifest for "
     "nvidia/cuda:latest not found: manifest unknown: manifest unknown.\nSee 'docker run --help'.",
     "I have export https_proxy=http://10.0.0.1:3128 in my .bashrc. docker run fails.",
     "image.tag-missing"),
    ('docker: Error response from daemon: Get "https://mirror.ccs.tencentyun.com/v2/": dial tcp: lookup '
     "mirror.ccs.tencentyun.com: no such host.",
     "daemon.json has registry-mirrors https://mirror.ccs.tencentyun.com; I also export "
     "https_proxy=http://127.0.0.1:7890 in the shell. fails",
     "mirror.dead"),
    ('docker: Error response from daemon: could not select device driver "" with capabilities: [[gpu]].',
     "I ssh from my Mac into our lab box (RTX 4090, driver 550) and docker run --gpus all fails with could "
     "not select device driver.",
     "toolkit.missing"),
    ('docker: Error response from daemon: could not select device driver "" with capabilities: [[gpu]].',
     "I built the image on my mac and pushed it; the gpu box pulls it and fails.",
     "toolkit.missing"),
    ("",
     "Inside the container, libnvidia-ml.so.1 not found; I started it with plain docker run without --gpus.",
     "container.no-gpu-request"),
    ("Errors during downloading metadata for repository 'libnvidia-container':\n  - Curl error (6): "
     "Couldn't resolve host name for "
     "https://nvidia.github.io/libnvidia-container/stable/rpm/x86_64/repodata/repomd.xml [Could not resolve "
     "host: nvidia.github.io]\nError: Failed to download metadata for repo 'libnvidia-container': Cannot "
     "download repomd.xml\nIgnoring repositories: libnvidia-container\nNo match for argument: "
     "nvidia-container-toolkit\nError: Unable to find a match: nvidia-container-toolkit",
     "",
     "apt.repo-unreachable"),
    ("Status code: 404 for "
     "https://nvidia.github.io/libnvidia-container/stable/rpm/fc40/x86_64/repodata/repomd.xml\nNo match for "
     "argument: nvidia-container-toolkit",
     "Fedora 40",
     "apt.repo-unsupported-distro"),
    ("nvidia-container-cli: initialization error: load library failed: libnvidia-ml.so.1: cannot open "
     "shared object file: no such file or directory: unknown.",
     "Since the GPU isn't available during the build, I run my CUDA check at container start instead; "
     "docker run --gpus all gives the error above.",
     "toolkit.libs-not-found"),
    ("Failed to initialize NVML: Unknown Error",
     "GPUs are passed in with --gpus all and it works for a few hours, then nvidia-smi in the container "
     "fails as above. (I know there's no GPU access during docker build, that part is fine.)",
     "cgroup.nvml-unknown-error"),
    ('docker: Error response from daemon: could not select device driver "" with capabilities: [[gpu]].',
     "there's no nvidia card at all in this VM, just the virtio display.",
     "gpu.absent"),
    ("docker: Error response from daemon: failed to create task for container: failed to create shim task: "
     "OCI runtime create failed: nvidia-container-cli: initialization error: nvml error: driver not loaded: "
     "unknown.",
     "lspci | grep -i nvidia shows nothing: there is no NVIDIA GPU at all on this Hetzner box.",
     "gpu.absent"),
    ("NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver. Make sure that the "
     "latest NVIDIA driver is installed and running.",
     "I blacklisted nouveau but nouveau is still loaded, so nvidia can't load.",
     "driver.nouveau"),
    ("System has not been booted with systemd as init system (PID 1). Can't operate.\nFailed to connect to "
     "bus: Host is down",
     "Windows 11 with Docker Desktop (WSL2 backend). Following the NVIDIA container toolkit guide inside "
     "Ubuntu I ran sudo systemctl restart docker.",
     "docker.desktop"),
    ("",
     "The device plugin pod logs say libnvidia-ml.so.1 not found, so the node shows no nvidia.com/gpu; "
     "containerd default runtime is runc.",
     "container.no-gpu-request"),
]


@pytest.mark.parametrize("error,notes,want", ELEVENTH_REVIEW_WORDINGS)
def test_the_eleventh_sessions_rows_step_aside(error, notes, want):
    assert _read(error, notes)[0] == want


def test_a_blacklist_of_both_nouveau_and_nvidia_is_no_fault_of_nouveau():
    # an Optimus laptop switching the card off blacklists both; blacklisting nouveau alone still
    # points at nouveau (it was there to be blacklisted, and may still be loaded)
    both = 'boot.blacklistedKernelModules = [ "nouveau" "nvidia" ];\nnvidia-smi works on the host'
    assert _read("", both) != ("driver.nouveau", True)  # (the word model may still guess it)
    assert _read("", "blacklist nouveau is in /etc/modprobe.d/blacklist.conf\nnvidia-smi fails") == ("driver.nouveau", True)


def test_no_gpu_access_or_support_is_not_a_host_without_a_card():
    # "no NVIDIA GPU access/support" (in a build, a container) says nothing of the host's hardware
    assert _read("", "there is no nvidia gpu support inside my container yet") != ("gpu.absent", True)
    assert _read("", "this server has no nvidia gpu, only the onboard one") == ("gpu.absent", True)


def test_yum_missing_a_local_rpm_is_not_a_missing_repository():
    assert _read("No package nvidia-container-toolkit-1.13.5-1.x86_64.rpm available.")[0] != "apt.nvidia-repo-missing"


def test_an_end_of_life_release_under_docker_desktop_is_not_the_cause(tmp_path):
    # Docker Desktop brings its own engine: the WSL distribution's release serves nothing to it
    from dldoctor import gather
    from dldoctor.diagnose import diagnose
    from dldoctor.host.snapshot import SnapshotHost

    (tmp_path / "lsb-release").write_text("Ubuntu 18.04 LTS\n", encoding="utf-8")
    (tmp_path / "error").write_text('docker: Error response from daemon: could not select device driver "" with '
                                    'capabilities: [[gpu]]\n', encoding="utf-8")
    (tmp_path / "notes").write_text("WSL 2 with Docker Desktop 2.3.0.3 on Windows 10\n", encoding="utf-8")
    rep = diagnose(gather.collect(SnapshotHost(str(tmp_path))))
    assert rep.root_causes[0] == "docker.desktop"
    assert "os.unsupported" not in rep.root_causes
    # On a workstation the toolkit that is not there is the cause: the old release explains a package
    # that would not install, one step down, not a runtime that was never installed two steps down
    (tmp_path / "notes").write_text("Ubuntu on a workstation\n", encoding="utf-8")
    assert diagnose(gather.collect(SnapshotHost(str(tmp_path)))).root_causes[0] == "toolkit.missing"
    (tmp_path / "error").write_text("E: Unable to locate package nvidia-container-toolkit\n", encoding="utf-8")
    assert diagnose(gather.collect(SnapshotHost(str(tmp_path)))).root_causes[0] == "os.unsupported"


def test_an_end_of_life_release_does_not_explain_a_refused_socket(tmp_path):
    # An old release is promoted for what it makes fail to install (one step down the chain), not
    # for every failure further down: docker.sock refused to a user outside the group is the group.
    from dldoctor import gather
    from dldoctor.diagnose import diagnose
    from dldoctor.host.snapshot import SnapshotHost

    (tmp_path / "lsb-release").write_text("ubuntu 16.04\n", encoding="utf-8")
    (tmp_path / "error").write_text("Got permission denied while trying to connect to the Docker daemon socket at "
                                    "unix:///var/run/docker.sock: connect: permission denied\n"
                                    " ERROR:  Current user is not part of the docker group.\n", encoding="utf-8")
    rep = diagnose(gather.collect(SnapshotHost(str(tmp_path))))
    # the user is not in the group at all: the socket refuses them (no stale session)
    assert rep.root_causes[0] == "docker.permission-denied"
    assert "os.unsupported" not in rep.root_causes[:2]
    # what the old release does explain: a package its repository never had
    (tmp_path / "error").write_text("E: Unable to locate package nvidia-container-toolkit\n", encoding="utf-8")
    assert diagnose(gather.collect(SnapshotHost(str(tmp_path)))).root_causes[0] == "os.unsupported"


def test_pairs_of_words_need_three_documents_single_words_two():
    from dldoctor import wordmodel

    samples = [("alpha beta", "docker.snap"), ("alpha beta", "docker.snap"), ("gamma delta", "docker.desktop"),
               ("gamma delta", "docker.desktop"), ("gamma delta", "docker.desktop")]
    model = wordmodel.train(samples)
    assert {"alpha", "beta", "gamma", "delta", "gamma_delta"} <= set(model.counts)
    assert "alpha_beta" not in model.counts
    assert wordmodel._is_pair("no_such") and not wordmodel._is_pair("nvidia_uvm.ko")


def test_descendants_within_a_depth_do_not_depend_on_set_order():
    # depth first marked a problem seen at depth 2 and never expanded it when it was also at depth 1;
    # which came first followed the hash seed
    import subprocess
    import sys

    code = ("from dldoctor import catalog; print(sorted(catalog.descendants('apt.repo-unreachable', depth=2)), "
            "sorted(catalog.descendants('os.wsl', depth=2)))")
    outs = {subprocess.run([sys.executable, "-c", code], env={"PYTHONHASHSEED": str(seed)}, check=True,
                           capture_output=True, text=True).stdout for seed in range(8)}
    assert len(outs) == 1
    from dldoctor import catalog

    assert {"docker.daemon-down", "docker.group-not-active", "runtime.not-registered"} <= \
        catalog.descendants("apt.repo-unreachable", depth=2)
    assert catalog.descendants("apt.repo-unreachable", depth=1) == {"toolkit.missing", "docker.missing",
                                                                     "apt.no-pubkey"}


def test_a_structure_is_not_glued_across_the_cut_of_a_long_report():
    from dldoctor import readers
    from dldoctor.signatures import TEXT_MAX

    # a valid daemon.json echoed across the middle of a long log: the head holds its start, the tail
    # its end; glued together they made a JSON text that does not parse
    entries = ",\n".join('  "label-%d": "value"' % i for i in range(TEXT_MAX // 20))
    json_text = '{\n"labels-note": "x",\n' + entries + "\n}"
    notes = ("log line\n" * (TEXT_MAX // 20) + "echo '" + json_text + "' > /etc/docker/daemon.json\n"
             + "log line\n" * 10)
    assert len(notes) > TEXT_MAX and notes.index("echo '") < TEXT_MAX // 2
    assert not [m for m in readers.read({"notes": notes}) if m.problem == "daemon-json.invalid"]


SMI_GONE = ("NVIDIA-SMI couldn't find libnvidia-ml.so library in your system. Please make sure that the NVIDIA "
            "Display Driver is properly installed and present in your system.")


@pytest.mark.parametrize("error,notes", [
    (SMI_GONE, "When I run `nvidia-smi` in the docker image I get the error. I can run `nvidia-smi` outside the "
               "docker container."),
    (SMI_GONE, "nvidia-smi works fine on the host, Ubuntu 18.04 with a V100."),
    ("bash: nvidia-smi: command not found", "The GPU is there:\n$ nvidia-smi\n| NVIDIA-SMI 535.129.03   "
                                            "Driver Version: 535.129.03   CUDA Version: 12.2     |"),
    ("bash: nvidia-smi: command not found", "宿主机上 nvidia-smi 正常显示，容器里找不到"),
])
def test_no_driver_where_nvidia_smi_ran_is_not_the_host_once_the_report_shows_its_driver(error, notes):
    # the failing nvidia-smi ran in a container: the host's driver answers in the same report
    from dldoctor.diagnose import diagnose
    from dldoctor.facts import Facts

    assert "driver.missing" not in diagnose(Facts(error=error, notes=notes)).root_causes[:1]


@pytest.mark.parametrize("notes", [
    "Fresh Ubuntu 22.04 server with an RTX 3090.",
    "nvidia-smi doesn't work on the host either.",
    "nvidia-smi did not work on the host after the kernel update",
])
def test_no_driver_stays_the_reading_when_nothing_shows_the_driver_working(notes):
    assert _read("bash: nvidia-smi: command not found", notes) == ("driver.missing", True)


@pytest.mark.parametrize("error", [
    'Error response from daemon: Get "https://registry-1.docker.io/v2/": dial tcp 54.1.2.3:443: connect: '
    "connection refused",
    # the proxy on the way is named like a mirror; the registry asked for is Docker Hub
    'Error response from daemon: Get "https://registry-1.docker.io/v2/": proxyconnect tcp: dial tcp '
    "mirror-proxy.corp.example:3128: connect: connection refused",
])
def test_docker_hub_not_answering_is_no_mirror_down(error):
    from dldoctor.readers import mirror_down

    assert mirror_down({"error": error}) == []
    assert _read(error)[0] != "mirror.dead"


def test_cannot_connect_with_the_daemon_said_not_running_is_the_daemon():
    error = "Cannot connect to the Docker daemon. Is the docker daemon running on this host?"
    assert _read(error, "The docker daemon is not running after the upgrade, systemctl shows it inactive")[0] \
        == "docker.daemon-down"


# Sentences an adversarial review of the seventh session's rows found misread, held as they should read.
@pytest.mark.parametrize("notes", [
    "nvidia-smi stopped working on the host after the kernel update.",
    "nvidia-smi no longer works on the host after apt upgrade.",
    "nvidia-smi used to work on the host but now it says command not found",
    "nvidia-smi fails to show anything on the host.",
    "Does nvidia-smi work on the host? No.",
    "Neither inside nor outside docker does nvidia-smi work.",
    "宿主机上 nvidia-smi 也不正常",
    "主机上nvidia-smi无法正常运行",
    "Before the upgrade nvidia-smi showed Driver Version: 535.129.03, now it is gone.",
    "ls /proc/driver/nvidia/gpus/: No such file or directory",
])
def test_a_driver_said_broken_or_gone_keeps_the_no_driver_reading(notes):
    assert _read("bash: nvidia-smi: command not found", notes)[0] == "driver.missing"


SEVENTH_SESSION_MISREADINGS = [
    # a client of today prints "permission denied" for a refused socket: its "Cannot connect" is not that
    ("Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?",
     "systemctl status docker shows Active: active (running) since Mon", "docker.permission-denied"),
    ("Cannot connect to the Docker daemon. Is the docker daemon running on this host?",
     "I thought the daemon is running, but systemctl status docker says Active: failed (Result: exit-code).",
     "docker.permission-denied"),
    ("Cannot connect to the Docker daemon. Is the docker daemon running on this host?",
     "I ran it with sudo; the docker service is running.", "docker.permission-denied"),
    # a word or a tag that contains EOF or 502 is no gateway failure
    ('Error response from daemon: Head "https://mirror.gcr.io/v2/geoffh/app/manifests/latest": unauthorized: '
     "authentication required", "", "mirror.dead"),
    ('Error response from daemon: Head "https://registry-mirror.corp.com/v2/library/app/manifests/1.502": '
     "unauthorized", "", "mirror.dead"),
    # the mirror and Docker Hub both out of reach: the network
    ('Get "https://docker.m.daocloud.io/v2/": dial tcp 1.2.3.4:443: i/o timeout\nGet '
     '"https://registry-1.docker.io/v2/": dial tcp 5.6.7.8:443: i/o timeout', "", "mirror.dead"),
    # DaoCloud's own registry is no Hub mirror
    ('Get "https://daocloud.io/v2/": dial tcp 1.2.3.4:443: i/o timeout', "", "mirror.dead"),
    # a file under a folder named docker
    ("FileNotFoundError: [Errno 2] No such file or directory: 'docker/entrypoint.sh'", "", "docker.missing"),
    # an image pulled fine, a GPU error after it
    ("", "镜像拉下来了，运行时报错 could not select device driver，启动失败", "registry.unreachable"),
]


EIGHTH_SESSION_MISREADINGS = [
    # a container refused a bind mount on Ubuntu: no SELinux there
    ("mkdir /data: permission denied", "Ubuntu 22.04, docker run -v /srv/data:/data app", "os.selinux"),
    # the host's docker CLI refused the socket on CentOS: the group, not SELinux
    ("Got permission denied while trying to connect to the Docker daemon socket at unix:///var/run/docker.sock",
     "CentOS 7, running docker run -v /a:/b img as my user", "os.selinux"),
    # one driver version listed twice
    ("", "libcuda.so.535.54.03\nlibnvidia-ml.so.535.54.03\nlibcuda.so.535.54.03", "image.bundles-driver-libs"),
    # a container suspended by its orchestrator, nothing about the GPU
    ("", "The container gets suspended by the orchestrator when idle, then Redis fails", "driver.uvm-missing"),
    # Docker's repository timing out is the network, not the release
    ("Error: Failed to download metadata for repo 'docker-ce-stable': Cannot download repomd.xml: Curl error (28): "
     "Timeout was reached", "", "os.unsupported"),
    ("", "The API answered error 8041", "driver.too-old-for-image"),
    # the script that fetched the per-distribution list is only named; apt update itself failed
    ("", "Unable to install from the NVIDIA repository: curl -s -L "
     "https://nvidia.github.io/nvidia-docker/$distribution/nvidia-docker.list | sudo tee list; apt update fails",
     "apt.repo-unsupported-distro"),
    # the user was added, and still refused: a stale session, not a missing membership
    ("", "I already added bob, yet docker says he needs to be in the docker group", "docker.permission-denied"),
    # found by a review of these rows: a host's own libraries at two versions after an upgrade
    ("Failed to initialize NVML: Driver/library version mismatch", "ls /usr/lib/x86_64-linux-gnu/libnvidia-ml.so* "
     "shows libnvidia-ml.so.535.104.05 and libnvidia-ml.so.545.23.08 after apt upgrade", "image.bundles-driver-libs"),
    # other reasons for a refusal on a Red Hat host: a user id, a missing execute bit; an image's distribution
    ("mkdir /data/out: permission denied", "CentOS 7, docker run --user 1000:1000 -v /srv/data:/data img; /srv/data "
     "is owned by root with mode 700", "os.selinux"),
    ("exec /app/start.sh: permission denied", "RHEL 8 host, docker logs app shows it", "os.selinux"),
    ("mkdir /data/out: permission denied", "Ubuntu 22.04 host, my Dockerfile:\nFROM centos:7\n"
     "and docker run -v /srv/data:/data img", "os.selinux"),
    # a repository of a supported release behind a proxy
    ("Error: Failed to download metadata for repo 'updates': Cannot download repomd.xml: Curl error (28): "
     "Timeout was reached", "Fedora 39 behind the office proxy", "os.unsupported"),
    # not restarted is no failed restart
    ("http: server gave HTTP response to HTTPS client",
     "I added 10.0.0.5:5000 to insecure registries in the settings, I didn't restart docker yet", "daemon-json.invalid"),
    # 挂起 is "hangs"; a job suspended by its shell
    ("", "程序挂起后 GPU 利用率为 0，nvidia-smi 正常", "driver.uvm-missing"),
    ("", "I suspended the job with ctrl-z and resumed it; CUDA out of memory", "driver.uvm-missing"),
    # the per-distribution URL in a report whose failure is elsewhere
    ("bash: curl: command not found", "curl -s -L https://nvidia.github.io/nvidia-docker/$distribution/nvidia-docker.list"
     " | sudo tee /etc/apt/sources.list.d/nvidia-docker.list, the list is missing", "apt.repo-unsupported-distro"),
    ("", "docker version 24, nvidia driver version lower than what cuda 12 needs", "docker.too-old"),
    ("", "Docker Desktop on Windows: Windows Update error 804 with my nvidia gpu", "driver.too-old-for-image"),
    # a supported release's archive failing is the network, not the release
    ("E: The repository 'http://archive.ubuntu.com/ubuntu jammy-updates Release' does not have a Release file.", "",
     "os.unsupported"),
    # a wrong flag to a real subcommand points at that subcommand's help
    ("unknown shorthand flag: 'x' in -x\nSee 'docker run --help'.", "", "docker.missing"),
    # docker-compose without sudo: the socket may be refusing the user
    ("ERROR: Couldn't connect to Docker daemon at http+docker://localhost - is it running?", "docker-compose up",
     "docker.daemon-down"),
    # found by a review of the second round's rows: a proxy that is none, Docker Desktop's own
    ('Get "https://registry-1.docker.io/v2/": dial tcp 54.236.113.205:443: i/o timeout',
     "docker info:\n No Proxy: localhost,127.0.0.1", "docker.proxy-misconfigured"),
    ('Get "https://registry-1.docker.io/v2/": dial tcp 54.236.113.205:443: i/o timeout',
     "docker info:\n HTTP Proxy: http.docker.internal:3128\n HTTPS Proxy: http.docker.internal:3128",
     "docker.proxy-misconfigured"),
    # a third party's repository laid out like Ubuntu's: not the release's archive
    ("E: The repository 'http://ppa.launchpad.net/deadsnakes/ppa/ubuntu kinetic Release' does not have a Release file.",
     "", "os.unsupported"),
    ("curl: (7) Failed to connect to localhost port 8888", "The container is running but the port was not published, "
     "I forgot -p 8888:8888 in my docker run command", "image.tag-missing"),
    ("unknown shorthand flag: 'g' in -gpus\nSee 'docker --help'.", "$ docker -gpus all run nvidia/cuda nvidia-smi",
     "docker.missing"),
    ("ERROR: Couldn't connect to Docker daemon at http+docker://localhost - is it running?",
     "docker-compose up fails, but sudo docker-compose up works fine", "docker.daemon-down"),
    ("< HTTP/1.1 408 Request Timeout\ngpg: no valid OpenPGP data found.",
     "curl -fsSL https://nvidia.github.io/libnvidia-container/gpgkey", "registry.unreachable"),
    # a named volume is labelled by Docker: no relabel missing
    ("mkdir /data/x: permission denied", "CentOS 7 host, docker run -v mydata:/data app", "os.selinux"),
    # the workspace cleaned fine; the job failed elsewhere
    ("listen tcp :80: bind: permission denied", "the ws-cleanup step passed", "container.root-owned-files"),
    # the registry answered the parse error, not daemon.json
    ("Error parsing HTTP response: invalid character '<' looking for beginning of value", "", "daemon-json.invalid"),
]

NINTH_SESSION_MISREADINGS = [
    # a hint at a proxy, or its absence, is not a proxy dockerd was not told of
    ("Get https://index.docker.io/v1/repositories/library/python/images: dial tcp: i/o timeout",
     "You may want to check your internet connection or if you are behind a proxy.", "docker.proxy-misconfigured"),
    ("", "quay.io is slow from China even without being behind a firewall or using a proxy when pulling images",
     "docker.proxy-misconfigured"),
    # Windows 1809 running Docker Desktop's own VM (Hyper-V): not WSL 1
    ("Cannot connect to the Docker daemon at tcp://localhost:2375. Is the docker daemon running?",
     "Docker Desktop on Windows 10 version 10.0.17763, Hyper-V enabled, from Ubuntu on WSL", "os.wsl-gpu-unsupported"),
    # an i386 image, or apt's multiarch lines, on an amd64 host
    ("", "how do I install docker-ce for a 32-bit image? I run an i386 image inside docker", "os.unsupported"),
    # a Mac whose Docker is not running is the daemon, not Desktop's socket
    ("Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?",
     "Issue running on Mac OS X Mojave; there is no such file /var/run/docker.sock", "docker.desktop"),
    # "hosts" with the unit's flags cleared: no conflict left
    ("Job for docker.service failed because the control process exited with error code.",
     '[Service]\nExecStart=\nExecStart=/usr/bin/dockerd\n\n{"hosts": ["fd://"]} and docker fails to start',
     "daemon-json.flag-conflict"),
    # NVML missing on a plain docker host is the toolkit's libraries, not Kubernetes' default runtime
    ("nvidia-container-cli: initialization error: load library failed: libnvidia-ml.so.1: cannot open shared object "
     "file: no such file or directory", "docker run --gpus all ubuntu nvidia-smi on my workstation",
     "container.no-gpu-request"),
    # someone else not in the group
    ("", "Bob is not in the docker group, so docker needs sudo for him", "docker.group-not-active"),
    # a rootless daemon in a container on a Mac: not Desktop's socket
    ("ERROR: Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?",
     "DinD Rootless does not work on macOS\n- M1 Max Macbook Pro\n- Docker for Mac 4.27.1", "docker.desktop"),
    # a GPU container that does not start is no daemon down
    ("", "After upgrading, my gpu docker does not start.", "docker.daemon-down"),
    # (a review of the session's rows) a proxy denied or doubted, or in front of a server
    ("Error response from daemon: Get \"https://registry-1.docker.io/v2/\": net/http: request canceled while waiting for connection (Client.Timeout exceeded while awaiting headers)", "The server isn't behind a proxy, yet docker pull nvidia/cuda times out.", "docker.proxy-misconfigured"),
    ("Error response from daemon: Get \"https://registry-1.docker.io/v2/\": net/http: request canceled while waiting for connection (Client.Timeout exceeded while awaiting headers)", "Not sure whether we are behind a proxy; docker pull times out.", "docker.proxy-misconfigured"),
    ("x509: certificate signed by unknown authority", "Our private registry is behind a proxy (nginx terminates TLS), "
     "docker pull from it fails", "docker.proxy-misconfigured"),
    # an Ubuntu VM on, or a server reached from, an old Windows: no WSL in it
    ("Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?",
     "Ubuntu 20.04 VM running in VMware on a Windows Server 2019 (build 17763) host. sudo systemctl start docker fails.",
     "os.wsl-gpu-unsupported"),
    # docker starting something else, while docker itself works
    ("", "docker can't start jupyter lab: the port 8888 is already in use, docker ps works fine.", "docker.daemon-down"),
    ("", "Docker Desktop won't start on Windows 10 21H2 after the update.", "docker.daemon-down"),
    # Node refused a low port, or npm its own cache, in a container on a Red Hat host
    ("web_1  | Error: listen EACCES: permission denied 0.0.0.0:80", "CentOS 7 host, docker-compose up, USER node",
     "os.selinux"),
    # containerd up, its socket refused to a user
    ('ctr: failed to dial "/run/containerd/containerd.sock": connection error: desc = "transport: error while dialing: '
     'dial unix /run/containerd/containerd.sock: connect: permission denied"', "running ctr images ls as my user",
     "docker.daemon-down"),
    # Docker Hub down, or no mirror at all
    ("", "没有配置镜像加速，Docker Hub is unreachable from our office.", "mirror.dead"),
    ("", "Our Harbor pull-through cache mirror is up, but Docker Hub itself went down yesterday and pulls failed.",
     "mirror.dead"),
    # FFmpeg's requirement line when libnvidia-encode did not load (no video capability)
    ("[h264_nvenc @ 0x5633] Cannot load libnvidia-encode.so.1\n[h264_nvenc @ 0x5633] The minimum required Nvidia driver "
     "for nvenc is 470.57.02 or newer", "Host driver 535.104.", "driver.too-old-for-image"),
    # 32-bit that is not the host: a precision, 32-bit ARM (which Docker serves)
    ("CUDA out of memory", "Training with 32-bit precision inside docker (docker run --gpus all).", "os.unsupported"),
    ("", "Raspberry Pi 3 running 32-bit Raspbian buster; apt install docker-ce fails with the debian repo.",
     "os.unsupported"),
    # "hosts" with the unit already overridden, the failure a missing certificate
    ("Job for docker.service failed because the control process exited with error code.",
     '{"hosts": ["unix:///var/run/docker.sock", "tcp://0.0.0.0:2376"], "tlsverify": true}\nI already removed -H fd:// '
     "with a drop-in (sudo systemctl edit docker). docker fails to start: could not load X509 key pair",
     "daemon-json.flag-conflict"),
    # a CPU-only node's NVML missing is no runtime setting
    ("Failed to initialize NVML: ERROR_LIBRARY_NOT_FOUND", "k8s node is CPU-only, no NVIDIA GPU; the device plugin "
     "daemonset crashes there", "container.no-gpu-request"),
    # in the group and using sudo anyway: no stale session said
    ("nvidia-container-cli: initialization error: nvml error: driver not loaded",
     "I am in the docker group, but I run everything with sudo anyway.", "docker.group-not-active"),
]


REVIEW_MISREADINGS = [
    # SELinux said off, and docker info's list of security options
    ("docker: Error response from daemon: could not select device driver \"\" with capabilities: [[gpu]].", "SELinux is disabled on this host.", "os.selinux"),
    ("docker: Error response from daemon: could not select device driver \"\" with capabilities: [[gpu]].", "Security Options:\n  seccomp\n   Profile: builtin\n  selinux\n", "os.selinux"),
    # `wsl --version` prints the package's version, not WSL 1
    ("Failed to initialize NVML: Driver/library version mismatch", "wsl --version\nWSL version: 1.2.5.0\nKernel version: 5.15.90.1", "os.wsl-gpu-unsupported"),
    # lspci -k names nouveau among the modules that could drive the card; nvidia drives it
    ("Failed to initialize NVML: Driver/library version mismatch", "01:00.0 VGA compatible controller: NVIDIA Corporation GA102\n\tKernel driver in use: nvidia\n"
     "\tKernel modules: nvidiafb, nouveau, nvidia_drm, nvidia", "driver.nouveau"),
    # Docker Desktop said not used
    ("docker: Error response from daemon: could not select device driver \"\" with capabilities: [[gpu]].", "WSL2 Ubuntu 22.04 with docker-ce installed natively, not using Docker Desktop.", "docker.desktop"),
    # the module loaded with Secure Boot off: the kernel only taints itself
    ("NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver.",
     "nvidia: module verification failed: signature and/or required key missing - tainting kernel", "driver.secure-boot"),
    # a kernel module or an image "not signed" is no apt key
    ("", "the nvidia kernel module is not signed, so I signed it myself", "apt.no-pubkey"),
]


@pytest.mark.parametrize("error,notes,not_want", [("", n, w) for n, w in NOT_A_CAUSE] + SEVENTH_SESSION_MISREADINGS
                         + EIGHTH_SESSION_MISREADINGS + NINTH_SESSION_MISREADINGS + REVIEW_MISREADINGS)
def test_words_that_look_like_a_cause_but_are_not(error, notes, not_want):
    from dldoctor.diagnose import diagnose
    from dldoctor.facts import Facts

    rep = diagnose(Facts(error=error or None, notes=notes or None))
    assert not any(f.problem == not_want and not f.guess for f in rep.findings)


def test_a_configured_mirror_that_does_not_answer_is_the_mirror(tmp_path):
    from dldoctor import gather
    from dldoctor.diagnose import diagnose
    from dldoctor.host.snapshot import SnapshotHost

    (tmp_path / "daemon.json").write_text('{"registry-mirrors": ["https://hub.example-mirror.icu"]}', encoding="utf-8")
    (tmp_path / "error").write_text('Error response from daemon: Get "https://hub.example-mirror.icu/v2/": net/http: request '
                                    'canceled while waiting for connection (Client.Timeout exceeded while awaiting headers)',
                                    encoding="utf-8")
    assert diagnose(gather.collect(SnapshotHost(str(tmp_path)))).root_causes[0] == "mirror.dead"


@pytest.mark.parametrize("error,notes,want", [
    # a closed mirror named, the image simply not on Docker Hub ("other images work")
    ("docker: Error response from daemon: manifest for nvidia/cuda:11.0-base not found: manifest unknown: manifest unknown.",
     "registry-mirrors in my daemon.json is https://docker.mirrors.ustc.edu.cn . docker pull ubuntu:22.04 and other images "
     "work fine, only this one fails.", "image.tag-missing"),
    # a cloud registry's 403 is its login, not a mirror's allowlist
    ("ERROR: failed to solve: 123456789012.dkr.ecr.us-east-1.amazonaws.com/base/cuda:12.4: failed to resolve source metadata "
     "for 123456789012.dkr.ecr.us-east-1.amazonaws.com/base/cuda:12.4: unexpected status from HEAD request to "
     "https://123456789012.dkr.ecr.us-east-1.amazonaws.com/v2/base/cuda/manifests/12.4: 403 Forbidden", "",
     "image.tag-missing"),
])
def test_reviewed_rankings(error, notes, want):
    assert _read(error, notes)[0] == want


def test_a_repository_that_never_served_the_release_explains_its_own_404_lines_only():
    """NVIDIA's per-distribution URL answering 404 prints lines that do not name it; those are not
    another broken source. A third party's source named failing next to it still is one."""
    from dldoctor.diagnose import diagnose
    from dldoctor.facts import Facts

    nvidia = ("Err:14 https://nvidia.github.io/nvidia-container-runtime/ubuntu18.04/arm64  Release\n"
              "  404  Not Found [IP: 185.199.111.153 443]\n"
              "E: The repository 'https://nvidia.github.io/nvidia-container-runtime/ubuntu18.04/arm64  Release' does not "
              "have a Release file.")
    def read(error):
        rep = diagnose(Facts(error=error, notes="arm64 board, Ubuntu 18.04"))
        return {f.problem for f in rep.findings if f.problem and not f.guess}

    assert read(nvidia) == {"apt.repo-unsupported-distro"}
    pgdg = "E: The repository 'https://apt.postgresql.org/pub/repos/apt noble-pgdg Release' does not have a Release file."
    assert "apt.broken-source" in read(nvidia + "\n" + pgdg)


@pytest.mark.parametrize("error,notes", [
    # a Mac reaching a remote daemon, or colima's: the daemon meant is not Desktop's (Desktop, named,
    # stays a remark about the host)
    ("Cannot connect to the Docker daemon at tcp://gpu-server.lab:2375. Is the docker daemon running?",
     "On my MacBook Pro; Docker Desktop is running locally. I exported DOCKER_HOST=tcp://gpu-server.lab:2375"),
    ("Cannot connect to the Docker daemon at unix:///Users/joe/.colima/default/docker.sock. Is the docker daemon running?",
     "macOS Sonoma, M2. I uninstalled Docker Desktop last week and switched to colima."),
])
def test_a_mac_client_meant_for_another_daemon_is_not_desktops_socket(error, notes):
    assert _read(error, notes)[0] == "docker.daemon-down"


def test_an_selinux_host_is_read_from_its_own_files_too():
    """What the host is comes from its files as well as from the words: CentOS's own docker package
    in `docker version`, a container's log refusing a path it was given."""
    from dldoctor.host.contract import Evidence

    ver = "Client:\n Version:         1.13.1\n Package version: docker-1.13.1-102.git7f2769b.el7.centos.x86_64\n"
    raw = {"docker-version": Evidence("docker-version", ver, source="user")}
    command = "docker-compose up -d portainer && docker logs 76404341fae4"
    assert _read("mkdir /data/tls: permission denied", "", command=command, raw=raw) == ("os.selinux", True)
    ubuntu = {"lsb-release": Evidence("lsb-release", "Ubuntu 22.04.3 LTS", source="user")}
    # (the word model may still guess it; the reading is what the host's files decide)
    assert _read("mkdir /data/tls: permission denied", "", command=command, raw=ubuntu) != ("os.selinux", True)


def test_an_end_of_life_release_does_not_explain_an_old_engine(tmp_path):
    # Promotion is for a failure the release causes, not for another setting of the host: RHEL 7's
    # own docker 1.13 is too old for the tool in front of it, whatever the release's support.
    from dldoctor import gather
    from dldoctor.diagnose import diagnose
    from dldoctor.host.snapshot import SnapshotHost

    (tmp_path / "lsb-release").write_text("Distributor ID: RedHatEnterpriseServer\nDescription:    Red Hat Enterprise "
                                          "Linux Server release 7.7 (Maipo)\nRelease:        7.7\n", encoding="utf-8")
    (tmp_path / "docker-info").write_text("Server Version: 1.13.1\n", encoding="utf-8")
    (tmp_path / "notes").write_text("The extension refuses to attach when the docker daemon version detected is lower "
                                    "than 17.12.0\n", encoding="utf-8")
    assert diagnose(gather.collect(SnapshotHost(str(tmp_path)))).root_causes[0] == "docker.too-old"


def test_a_message_broken_across_two_lines_is_still_read():
    # a pasted report wraps at its width: the message is read with the soft break joined
    wrapped = ("sudo nvidia-docker run --rm nvidia/cuda nvidia-smi\n"
               "nvidia-docker | 2018/06/29 01:40:55 Error: Could not load UVM kernel\n"
               "module. Is nvidia-modprobe installed?\n")
    assert _read(notes="nvidia-docker run fails\n" + wrapped) == ("driver.uvm-missing", True)
    # a line that starts a new sentence or a log line is not glued to the one before
    from dldoctor import signatures

    found = {m.problem for m in signatures.match({"notes": "it could not load\nUVM kernel module is fine"})}
    assert "driver.uvm-missing" not in found


# An adversarial review of the fourteenth session's changes (each failed on the unnarrowed change):
# a wrapped paragraph is not one long line; "already passed" said of run options, the runtime or
# compose is not dockerd's flags; hostRequirements next to the host's own fault; an old release
# where the report tells the install failing.
FOURTEENTH_REVIEW_WORDINGS = [
    ("", "I edited daemon.json to add the nvidia runtime and dockerd restarted fine,\nbut docker run --runtime=nvidia "
     "says unknown or invalid runtime name: nvidia. no syntax error\nin the log.", "", "runtime.not-registered"),
    ("Got permission denied while trying to connect to the Docker daemon socket at unix:///var/run/docker.sock: Post "
     "\"http://%2Fvar%2Frun%2Fdocker.sock/v1.24/containers/create\": dial unix /var/run/docker.sock: connect: "
     "permission denied", "This is a fresh VM, I only added\nthe repos and installed docker-ce. I have not touched the "
     "docker group.", "docker run hello-world", "docker.permission-denied"),
    ("", "daemon.json: default-runtime nvidia. The nvidia runtime arguments are already passed by the daemon, yet inside "
     "the container nvidia-smi says Failed to initialize NVML: Unknown Error after systemctl daemon-reload", "",
     "cgroup.nvml-unknown-error"),
]
FOURTEENTH_REVIEW_NOT = [
    # no rule reads these as the row's cause (the word model may still guess it)
    ("", "devcontainer.json: \"hostRequirements\": { \"gpu\": \"optional\" }. The container starts but has no GPU. "
     "docker info | grep -i runtime shows only io.containerd.runc.v2 runc; I installed nvidia-container-toolkit but "
     "never ran nvidia-ctk runtime configure.", "", "container.no-gpu-request"),
    ("", "The container sees no GPU. The run options are already given in the compose file "
     "(deploy.resources.reservations.devices), and daemon.json has the nvidia runtime. torch.cuda.is_available() "
     "returns False in the container.", "docker compose up", "daemon-json.flag-conflict"),
    ("", "dockerd won't start after I merged two daemon.json snippets; I think there are duplicate config keys (two "
     "registry-mirrors entries and a missing comma).", "", "daemon-json.flag-conflict"),
    ("", "hostRequirements: gpu true in devcontainer.json, WSL2 Ubuntu with Docker inside WSL. ls /dev/dxg: No such "
     "file or directory", "", "container.no-gpu-request"),
]


@pytest.mark.parametrize("error,notes,command,want", FOURTEENTH_REVIEW_WORDINGS)
def test_the_fourteenth_session_rows_keep_to_their_evidence(error, notes, command, want):
    assert _read(error, notes, command=command or None)[0] == want


@pytest.mark.parametrize("error,notes,command,wrong", FOURTEENTH_REVIEW_NOT)
def test_the_fourteenth_session_rows_do_not_claim_other_faults(error, notes, command, wrong):
    assert _read(error, notes, command=command or None) != (wrong, True)


@pytest.mark.parametrize("os_release,error,notes,want", [
    # a bare "could not select device driver" on an old release: the toolkit that is not there
    ('NAME="Ubuntu"\nVERSION_ID="18.04"\nID=ubuntu\nPRETTY_NAME="Ubuntu 18.04.6 LTS"',
     'docker: Error response from daemon: could not select device driver "" with capabilities: [[gpu]].', "",
     "toolkit.missing"),
    # the report tells the install failing on it: the release, two steps down
    ('NAME="Ubuntu"\nVERSION_ID="18.04"\nID=ubuntu\nPRETTY_NAME="Ubuntu 18.04.6 LTS"',
     'docker: Error response from daemon: could not select device driver "" with capabilities: [[gpu]].',
     "Ubuntu 18.04 装 nvidia-container-toolkit 的时候 apt 报依赖错误装不上", "os.unsupported"),
    ('NAME="CentOS Linux"\nVERSION="8"\nID="centos"\nVERSION_ID="8"\nPRETTY_NAME="CentOS Linux 8"',
     "-bash: docker: command not found", "yum install docker-ce failed earlier", "os.unsupported"),
    ('PRETTY_NAME="Debian GNU/Linux 9 (stretch)"\nNAME="Debian GNU/Linux"\nVERSION_ID="9"\nID=debian',
     "bash: docker: command not found", "the get.docker.com script says the distro is not supported any more",
     "os.unsupported"),
])
def test_an_old_release_explains_a_tool_only_where_its_install_failed(os_release, error, notes, want):
    from dldoctor.parse.os_release import parse_os_release

    assert _read(error, notes, os=parse_os_release(os_release))[0] == want


SIXTEENTH_SESSION_WORDINGS = [
    # an install script building NVIDIA's CUDA repository URL from a release it does not serve
    ("Status code: 404 for https://developer.download.nvidia.com/compute/cuda/repos/fedora41/x86_64/cuda-fedora41.repo "
     "(IP: 152.195.19.142)\nError: Configuration of repo failed", "", "apt.repo-unsupported-distro"),
    ("E: Failed to fetch https://developer.download.nvidia.com/compute/cuda/repos/ubuntu2510/x86_64/InRelease  404  "
     "Not Found [IP: 152.195.19.142 443]", "", "apt.repo-unsupported-distro"),
    ("Err:5 https://developer.download.nvidia.com/compute/cuda/repos/debian13/x86_64  InRelease\n  404  Not Found "
     "[IP: 152.195.19.142 443]", "", "apt.repo-unsupported-distro"),
    # a docker client older than registry API v2, pulling from Docker Hub
    ('Pulling repository acme/tools\nFATA[0003] Error: Status 410 trying to pull repository acme/tools: "<html>'
     '<head><title>410 Gone</title></head></html>"', "", "docker.too-old"),
    # a proxy Docker Desktop ignores is the proxy's fault, not the VM's
    ("", "Docker Desktop ignores my manual proxy settings\nI configured the http and https proxy in the "
     "Resources > Proxies page, but docker pull still fails.\n  - Docker Desktop Version: 4.20.1",
     "docker.proxy-misconfigured"),
    # an image reference said missing from the registry
    ("", "The 'acme/trainer:2.3.0-gpu' is missing on Docker Hub\nAll other tags are there.", "image.tag-missing"),
    # a rootless daemon's socket refusing a user other than its own
    ('Got permission denied while trying to connect to the Docker daemon socket at unix:///run/user/1002/docker.sock: '
     'Get "http://%2Frun%2Fuser%2F1002%2Fdocker.sock/v1.24/containers/json": dial unix /run/user/1002/docker.sock: '
     "connect: permission denied", "The runner works when run by hand but not as a service.", "docker.rootless"),
    # a CI job's container said to lack NVIDIA_VISIBLE_DEVICES, its nvidia-smi missing
    ("/__w/_temp/job.sh: line 1: nvidia-smi: command not found\n##[error]Process completed with exit code 127.",
     "GPU job fails on its first step: the job container is missing NVIDIA_VISIBLE_DEVICES", "container.no-gpu-request"),
]
SIXTEENTH_SESSION_NOT = [
    # a file missing from a release NVIDIA serves is not said by the CUDA row unless a 404 is printed
    ("E: Unable to locate package cuda-toolkit-12-4", "I added https://developer.download.nvidia.com/compute/cuda/"
     "repos/ubuntu2204/x86_64/cuda-keyring_1.1-1_all.deb first.", "apt.repo-unsupported-distro"),
    # Docker Desktop with its GPU, and a proxy that is fine, stays Docker Desktop's
    ('docker: Error response from daemon: could not select device driver "" with capabilities: [[gpu]].',
     "Docker Desktop on macOS, pulls work through our proxy.", "docker.proxy-misconfigured"),
    # a registry's host and port said unavailable is no missing tag
    ("", "localhost:5000 is not available after the registry container restarted, docker push fails",
     "image.tag-missing"),
    # the system daemon's socket refusing a user is no rootless daemon
    ('Got permission denied while trying to connect to the Docker daemon socket at unix:///var/run/docker.sock: '
     'Get "http://%2Fvar%2Frun%2Fdocker.sock/v1.24/containers/json": dial unix /var/run/docker.sock: connect: '
     "permission denied", "XDG_RUNTIME_DIR=/run/user/1000 is set in my shell.", "docker.rootless"),
    # NVIDIA_VISIBLE_DEVICES set (to all) is no missing request
    ("Failed to initialize NVML: Unknown Error", "NVIDIA_VISIBLE_DEVICES is set to all and the GPUs vanish after a "
     "while.", "container.no-gpu-request"),
]



# An adversarial review of the sixteenth session's rows (each failed on the row's first version): a
# "not found" or a package's 404 next to the CUDA repository of a served release, a proxy mentioned in
# a Docker Desktop report about GPUs or daemon.json, a file, library or device "in" an image, a
# package's architecture or a MIG device's index.
SIXTEENTH_REVIEW_NOT = [
    ("", "I installed cuda 12.2 from https://developer.download.nvidia.com/compute/cuda/repos/ubuntu2204/x86_64/ but in "
     "docker the GPU is not found. docker run --gpus all nvidia/cuda:12.2.0-base-ubuntu22.04 nvidia-smi",
     "apt.repo-unsupported-distro"),
    ("docker: Error response from daemon: unknown or invalid runtime name: nvidia.", "Set up the repo https://developer."
     "download.nvidia.com/compute/cuda/repos/ubuntu2004/x86_64/ and installed cuda-drivers, then docker run "
     "--runtime=nvidia, runtime not found.", "apt.repo-unsupported-distro"),
    ("Err:1 https://developer.download.nvidia.com/compute/cuda/repos/ubuntu2204/x86_64  cuda-toolkit-12-2 12.2.1-1\n"
     "  404  Not Found [IP: 152.199.39.144 443]\nE: Failed to fetch https://developer.download.nvidia.com/compute/cuda/"
     "repos/ubuntu2204/x86_64/cuda-toolkit-12-2_12.2.1-1_amd64.deb  404  Not Found [IP: 152.199.39.144 443]",
     "Dockerfile based on ubuntu:22.04, installing cuda-toolkit-12-2 from NVIDIA's repo.", "apt.repo-unsupported-distro"),
    ('docker: Error response from daemon: could not select device driver "" with capabilities: [[gpu]].',
     "I'm on a MacBook Pro (M2) with Docker Desktop 4.25. I am behind a corporate proxy, which I configured in Docker "
     "Desktop settings and pulling images works fine. But docker run --gpus all nvidia/cuda:12.2.0-base-ubuntu22.04 "
     "nvidia-smi fails.", "docker.proxy-misconfigured"),
    ("", "Windows 11 上用 Docker Desktop，公司网络必须通过代理上网，代理已经在 Docker Desktop 里设置好了，拉取镜像正常。我在 WSL 的 "
     "Ubuntu 里改了 /etc/docker/daemon.json 加了 nvidia runtime，重启后 docker info 里还是没有 nvidia。",
     "docker.proxy-misconfigured"),
    ("", "nvidia-smi in ollama/ollama:0.1.32 is not found, and ollama only uses the CPU. I pulled the image yesterday.",
     "image.tag-missing"),
    ("ImportError: libcuda.so.1: cannot open shared object file: No such file or directory", "libcuda.so.1 in "
     "tensorflow/tensorflow:2.4.0-gpu is missing when I run the image with docker run --runtime=nvidia.",
     "image.tag-missing"),
    ("E: Package 'libnvidia-gl-535:i386' has no installation candidate", "I need the driver on the host before I can "
     "use the nvidia/cuda image. apt says: Package libnvidia-gl-535:i386 is not available, but is referred to by "
     "another package.", "image.tag-missing"),
    ("", "A100 with MIG enabled. MIG device 0:1 is not available in the container; I run the nvidia/cuda image with "
     "--gpus device=0:1", "image.tag-missing"),
    # a rootless context listed beside a refusal of the system daemon's socket
    ("$ docker context ls\nNAME         DESCRIPTION                               DOCKER ENDPOINT\ndefault *    Current "
     "DOCKER_HOST based configuration   unix:///var/run/docker.sock\nrootless     Rootless mode                             "
     "unix:///run/user/1000/docker.sock\n$ docker ps\npermission denied while trying to connect to the Docker daemon "
     "socket at unix:///var/run/docker.sock: Get \"http://%2Fvar%2Frun%2Fdocker.sock/v1.24/containers/json\": dial unix "
     "/var/run/docker.sock: connect: permission denied", "I tried rootless docker a while ago and then uninstalled it. "
     "I ran sudo usermod -aG docker $USER.", "docker.rootless"),
    # the host's own nvidia-smi missing, the variable mentioned in passing
    ("", "On the host, nvidia-smi: command not found. Fresh Ubuntu 22.04 server with an RTX 3090, only installed docker "
     "and nvidia-container-toolkit. My containers have no NVIDIA_VISIBLE_DEVICES either.", "container.no-gpu-request"),
    ("", "I added my user to the docker group but still get permission denied unless I log out and log in again. Also "
     "the container is missing NVIDIA_VISIBLE_DEVICES, is that related?", "container.no-gpu-request"),
]



# The seventeenth session's rows, from its collection round (2026-12-06): a program's log line is not
# a sentence of the report (an ollama INFO line saying "total unused blobs removed" is no image
# removed), modprobe refusing the NVIDIA module, GPU access lost on a daemon-reload told as "not be
# able to access", Docker Desktop's docker-users group, Linux installed on a MacBook, systemd's build
# features naming SELinux.
SEVENTEENTH_SESSION_WORDINGS = [
    ("modprobe: ERROR: could not insert 'nvidia_535': Unknown symbol in module, or unknown parameter (see dmesg)",
     "It worked fine yesterday.", "driver.not-loaded"),
    ("insmod: ERROR: could not insert module nvidia.ko: Invalid module format", "", "driver.not-loaded"),
    ("FATAL: Error inserting nvidia (/lib/modules/4.4.0-21-generic/updates/dkms/nvidia.ko): Unknown symbol in module, "
     "or unknown parameter (see dmesg)", "", "driver.not-loaded"),
    ("", "If we run `systemctl daemon-reload`, the device will not be able to access anymore from the running "
     "container.", "cgroup.nvml-unknown-error"),
    ('You are not allowed to use Docker. You must be in the "docker-users" group.', "Docker Desktop 4.12 on Windows 10 "
     "will not start.", "docker.permission-denied"),
    # ... by a user already added (Windows reads groups at sign-in too)
    ('You are not allowed to use Docker, you must be in the "docker-users" group.', "Windows 11, Docker Desktop 4.26. I "
     "added my account with net localgroup docker-users me /add but it still says this.", "docker.group-not-active"),
    ('You are not allowed to use Docker, you must be in the “docker-users” group.', "I added my user to docker-users. "
     "After I sign out and sign back in it works.", "docker.group-not-active"),
]
SEVENTEENTH_SESSION_NOT = [
    ('time=2024-02-16T15:55:38.880Z level=INFO source=gpu.go:308 msg="Discovered GPU libraries: []"',
     'Ollama in docker does not see the GPU\ntime=2024-02-16T15:55:33.866Z level=INFO source=images.go:713 '
     'msg="total unused blobs removed: 0"\nThe container is started with --runtime=nvidia only.',
     "image.tag-missing"),
    # ... nor dockerd's own logfmt line
    ("", 'time="2024-05-01T10:00:00.000000000Z" level=info msg="image removed from cache. Layer cleanup done."\nThe '
     "GPU is not used inside the container.", "image.tag-missing"),
    # a MacBook running Linux Mint has its own driver, not Docker Desktop's VM
    ("failed call to cuInit: CUDA_ERROR_UNKNOWN", "Macbook Pro (Late 2013) with Linux Mint 17, GeForce GT 750M, "
     "running the GPU image with docker.", "docker.desktop"),
    # systemd's feature list names SELinux support, not SELinux refusing anything
    ("Failed to initialize NVML: Unknown Error", "GPU lost inside the container after a while.\n$ systemctl --version\n"
     "systemd 249 (v249-48)\n+PAM +AUDIT +SELINUX -APPARMOR +IMA -SMACK +SECCOMP", "os.selinux"),
    # a modprobe refusal of another module is no NVIDIA driver fault
    ("modprobe: ERROR: could not insert 'kvm_intel': Operation not supported", "", "driver.not-loaded"),
    # the host's driver shown answering (nvidia-smi's header, told with commas): "no CUDA-capable
    # device" then ran where no GPU was passed, not on a host without one
    ("E external/xla/xla/stream_executor/cuda/cuda_driver.cc:152] failed call to cuInit: INTERNAL: CUDA error: Failed "
     "call to cuInit: CUDA_ERROR_NO_DEVICE: no CUDA-capable device is detected", "jax not installed properly\nBuilt the "
     "docker container. On our GPU node (NVIDIA RTX A5000, NVIDIA-SMI 550.120, Driver Version: 550.120, CUDA Version: "
     "12.4) I'm getting xla and jax errors.", "gpu.absent"),
]




def test_docker_desktop_refusing_a_windows_user_gets_the_windows_fix():
    """Not Linux's `newgrp docker`: Docker Desktop's group on Windows is docker-users."""
    from dldoctor.diagnose import diagnose
    from dldoctor.facts import Facts

    rep = diagnose(Facts(error='You are not allowed to use Docker. You must be in the "docker-users" group.'))
    fixes = [f.fix for f in rep.findings if f.problem == "docker.permission-denied" and not f.guess]
    assert fixes and "net localgroup docker-users" in fixes[0], fixes
    # ... and so does the stale session the word model adds beside it
    guessed = [f.fix or "" for f in rep.findings if f.problem == "docker.group-not-active"]
    assert guessed and all("net localgroup docker-users" in g for g in guessed), guessed

@pytest.mark.parametrize("error", [
    "docker: Error response from daemon: Mounts denied: \\r\\nThe path /Users/me/data\\r\\nis not shared from OS X and "
    "is not known to Docker.",
    "C:\\Program Files\\Docker\\Docker\\resources\\bin\\docker.exe: Error response from daemon: status code not OK "
    "but 500: Unhandled exception: Filesharing has been cancelled.",
])
def test_docker_desktop_refusing_a_folder_gets_the_file_sharing_fix(error):
    """Not `docker context use default`: the folder is missing from Docker Desktop's shared list."""
    from dldoctor.diagnose import diagnose
    from dldoctor.facts import Facts

    rep = diagnose(Facts(error=error))
    found = [f for f in rep.findings if f.problem == "docker.desktop" and not f.guess]
    assert found and "File sharing" in (found[0].fix or ""), [(f.problem, f.fix) for f in rep.findings]
    assert "file-sharing list" in found[0].detail


def test_docker_desktop_on_linux_keeps_the_context_fix():
    from dldoctor.diagnose import diagnose
    from dldoctor.facts import Facts

    rep = diagnose(Facts(error="docker: Error response from daemon: could not select device driver \"\" with "
                               "capabilities: [[gpu]].", notes="I use Docker Desktop on Ubuntu 22.04, context desktop-linux"))
    found = [f for f in rep.findings if f.problem == "docker.desktop" and not f.guess]
    assert found and "File sharing" not in (found[0].fix or "")


# An adversarial review of the seventeenth session's rows (each misread by the row's first version):
# NVIDIA's helper modules failing beside a loaded driver, the GPU shown on the bus beside "No such
# device", a proxy or a toolkit install "not able to access" after a daemon-reload, Linux containers
# on a Mac, a person's `--log-level=debug`, a CI runner's timestamps before a script's own words,
# SELinux named with a "+".
SEVENTEENTH_REVIEW_NOT = [
    ('docker: Error response from daemon: could not select device driver "" with capabilities: [[gpu]].',
     "nvidia-smi works fine on the host (driver 535.129.03, 2x A100). The only other error I see at boot is from the "
     "nvidia-peermem service:\nmodprobe: ERROR: could not insert 'nvidia_peermem': Invalid argument\nWe don't use "
     "InfiniBand on this box.", "driver.not-loaded"),
    ("RuntimeError: CUDA error: unknown error\n$ ls /dev/nvidia-uvm\nls: cannot access '/dev/nvidia-uvm': No such file "
     "or directory\n$ sudo modprobe nvidia_uvm\nmodprobe: ERROR: could not insert 'nvidia_uvm': Invalid argument",
     "nvidia-smi works.", "driver.not-loaded"),
    ("nvidia-smi works.\n$ sudo modprobe nvidia_fs\nmodprobe: ERROR: could not insert 'nvidia_fs': Unknown symbol in "
     "module, or unknown parameter (see dmesg)", "GDS (gdscheck) inside the container says nvidia_fs is not loaded.",
     "driver.not-loaded"),
    ("modprobe: ERROR: could not insert 'nvidia': No such device", "The card shows up in lspci (10de:2204, RTX 3090). "
     "Driver 550 installed via the .run file.", "gpu.absent"),
    ("", "I set HTTP_PROXY in a systemd drop-in for docker.service and ran systemctl daemon-reload, but docker pull "
     "still times out. It seems dockerd is not able to access the proxy at all.", "cgroup.nvml-unknown-error"),
    ("", "Ubuntu 22.04, RTX 3090. I installed nvidia-container-toolkit and did sudo systemctl daemon-reload. Now my "
     "containers are not able to access the GPU, torch.cuda.is_available() returns False.",
     "cgroup.nvml-unknown-error"),
    ('docker: Error response from daemon: could not select device driver "" with capabilities: [[gpu]].',
     "I'm on a MacBook Pro M1. I built the image with linux/amd64 as the platform and tried docker run --gpus all to "
     "use CUDA.", "toolkit.missing"),
    ('docker: Error response from daemon: could not select device driver "" with capabilities: [[gpu]].',
     "macOS Sonoma 14.2, Docker 24.0.6. I'm running linux containers and want them to use the GPU.",
     "toolkit.missing"),
    ("", "Since last week the aliyun mirror stopped working for me, I restarted dockerd with --log-level=debug but there "
     "is nothing useful.", "mirror.invalid"),
    ("[2024-03-01T10:15:02.123Z] + ./scripts/check_docker.sh\n[2024-03-01T10:15:02.223Z] ERROR: user jenkins needs to "
     "be in the docker group to run the GPU tests\n[2024-03-01T10:15:02.323Z] script returned exit code 1",
     "Jenkins agent on our DGX.", "docker.group-not-active"),
]



# The eighteenth session's rows, from its two collection rounds (2026-12-06): a mirror failing in a
# pull's request where containerd's `?ns=docker.io` names the host a mirror, or the host is a sibling
# of a listed mirror (read beside the network's failure, not above it: containerd shows only its
# first host's error), the CLI's --gpus refused by an API before 1.40, a Mac told by its paths, a
# compose service shown whole that asks no GPU; then Docker's closed dockerproject.org repositories
# and BuildKit's base image that took a registry's timeout to fail.
EIGHTEENTH_MIRRORS = [
    ('failed to solve: php:7.4.33-fpm-alpine: failed to copy: httpReadSeeker: failed open: failed to do request: Get '
     '"https://f1361db2.m.daocloud.io/v2/library/php/blobs/sha256:37edad271fae45db83e0506c50a87da66f54cbda29ce8d1197ad6'
     '1d215def79c?ns=docker.io": dial tcp: lookup f1361db2.m.daocloud.io: no such host', ""),
    # a host named like nothing dldoctor lists, asked as a mirror
    ('failed to resolve reference "docker.io/library/nginx:latest": failed to do request: Head '
     '"https://hub.example-cache.cn/v2/library/nginx/manifests/latest?ns=docker.io": dial tcp 10.1.2.3:443: i/o timeout',
     ""),
]
EIGHTEENTH_SESSION_WORDINGS = [
    ('docker: "--gpus" requires API version 1.40, but the Docker daemon API version is 1.39', "", "docker.too-old"),
    # a Mac told only by its paths (a per-user temporary folder): Docker Desktop's VM, which has no GPU
    ("nvidia-container-cli: initialization error: load library failed: libnvidia-ml.so.1: cannot open shared object "
     "file: no such file or directory", "Dockerfile created successfully in /var/folders/7f/xb01fy750wgczjwyw164pch0000"
     "0gq/T/tmp.A8IWK2zsAd/Dockerfile\ndocker run -it -p 4001:4001 --gpus=all llamastack-test python -m server",
     "docker.desktop"),
    ("CUDA driver version is insufficient for CUDA runtime version", "GPU not used\nUbuntu 22.04, GTX 1660 Ti, driver "
     "535.54.03 (CUDA 12.2)\n```\nservices:\n  viseron:\n    image: roflcoopter/amd64-cuda-viseron\n    volumes:\n      - "
     "/config:/config\n    environment:\n      - PUID=1000\n```", "container.no-gpu-request"),
    # ... a reservation only in a comment, a pasted file with Windows line ends, named volumes at its end
    ("RuntimeError: CUDA error: no CUDA-capable device is detected", "services:\r\n  whisper:  # the GPU one\r\n    "
     "image: onerahmet/openai-whisper-asr-webservice:latest-gpu\r\n    # runtime: nvidia\r\n    volumes:\r\n      - "
     "cache:/root/.cache\r\nvolumes:\r\n  cache:\r\n", "container.no-gpu-request"),
    # (the second round)
    # Docker's repositories before download.docker.com, shut down: the URL in the command, the page below
    ("<head><title>403 Forbidden</title></head>\n<li>Code: AllAccessDisabled</li>\n<li>Message: All access to this "
     "object has been disabled</li>", "Default Docker yum repo has been disabled\n$ curl https://yum.dockerproject.org/"
     "repo/main/centos/7/repodata/repomd.xml", "apt.docker-repo-missing"),
    # BuildKit's base image not resolved after half a minute: the registry never answered
    (" => ERROR [internal] load metadata for docker.io/library/ros:noetic                      30.0s", "docker build "
     "-t gril-calib .", "registry.unreachable"),
    # ... the same from a Compose build (the service named before "internal")
    ("=> ERROR [web internal] load metadata for docker.io/library/python:3.10-slim   30.1s", "", "registry.unreachable"),
    # a network that reaches out only through a proxy, told in other words (an ingress-nginx image is
    # no reverse proxy in front of a server)
    ('Failed to pull image "registry.k8s.io/ingress-nginx/controller:v1.11.2": rpc error: code = DeadlineExceeded desc '
     '= failed to pull and unpack image: failed to do request: Head "https://us-west2-docker.pkg.dev/v2/k8s-artifacts-'
     'prod/images/ingress-nginx/controller/manifests/v1.11.2": dial tcp 74.125.203.82:443: i/o timeout',
     "Bug: Pull image error behind proxy registry.k8s.io\n  Warning  Failed  2s  kubelet  Failed to pull image "
     "\"registry.k8s.io/ingress-nginx/controller:v1.11.2\"", "docker.proxy-misconfigured"),
    ("Error while pulling image: Get https://index.docker.io/v1/repositories/x/y/images: dial tcp 52.207.178.113:443: "
     "getsockopt: connection refused", "Connection refused on a proxy network when I pull.", "docker.proxy-misconfigured"),
    ("Error response from daemon: Get https://registry-1.docker.io/v2/: net/http: TLS handshake timeout", "Our lab "
     "server needs a proxy to reach the internet; docker pull fails every time.", "docker.proxy-misconfigured"),
]
EIGHTEENTH_SESSION_NOT = [
    # Docker Hub itself failing is the network's, not a mirror's
    ('Error response from daemon: Get "https://registry-1.docker.io/v2/": dial tcp: lookup registry-1.docker.io: '
     'no such host', "", "mirror.dead"),
    # ... as is a listed mirror that the host's own resolver cannot look up, and a bare daocloud.io
    ('Error response from daemon: Get "https://docker.m.daocloud.io/v2/": dial tcp: lookup docker.m.daocloud.io on '
     '127.0.0.53:53: server misbehaving', "", "mirror.dead"),
    ('Error response from daemon: Get "https://daocloud.io/v2/": dial tcp 120.92.1.1:443: connect: connection refused',
     "docker pull daocloud.io/library/centos:7", "mirror.dead"),
    # ... or a private registry k3s lists under `mirrors:` (asked with its own name)
    ('Failed to pull image "registry.home.lan:5000/myapp:1.2": failed to do request: Head "http://192.168.1.50:5000/v2/'
     'myapp/manifests/1.2?ns=registry.home.lan%3A5000": dial tcp 192.168.1.50:5000: connect: no route to host', "",
     "mirror.dead"),
    # the compose service asks for the GPU (a device reservation)
    ("CUDA driver version is insufficient for CUDA runtime version", "driver 535.54.03\n```\nservices:\n  app:\n    "
     "image: myorg/app:cuda12.4\n    deploy:\n      resources:\n        reservations:\n          devices:\n            - "
     "driver: nvidia\n              capabilities: [gpu]\n```", "container.no-gpu-request"),
    # ... or the paste was cut where the request may be (a key with nothing under it, an ellipsis)
    ("CUDA driver version is insufficient for CUDA runtime version", "nvidia-smi: NVIDIA-SMI 550.120 Driver Version: "
     "550.120 CUDA Version: 12.4\n```bash\nservices:\n  faster-whisper:\n    image: lscr.io/linuxserver/faster-whisper:"
     "gpu\n    environment:\n      - PUID=1000\n    volumes:\n```", "container.no-gpu-request"),
    ("CUDA driver version is insufficient for CUDA runtime version", "Driver Version: 470.57.02 CUDA Version: 11.4\n```\n"
     "services:\n  comfyui:\n    image: yanwk/comfyui-boot:cu124\n    ...\n```", "container.no-gpu-request"),
    # ... or it extends a file not shown
    ("CUDA failure 35: CUDA driver version is insufficient for CUDA runtime version ; GPU=0", "services:\n  immich-"
     "machine-learning:\n    image: ghcr.io/immich-app/immich-machine-learning:release-cuda\n    extends:\n      file: "
     "hwaccel.ml.yml\n      service: cuda\n    restart: always\nDriver Version: 470.239.06   CUDA Version: 11.4",
     "container.no-gpu-request"),
    # ... or the driver did reach it (PyTorch read its version), or there is no NVIDIA GPU at all
    ("app-1  | RuntimeError: The NVIDIA driver on your system is too old (found version 11040).", "services:\n  app:\n"
     "    image: pytorch/pytorch:2.4.0-cuda12.4-cudnn9-runtime\n    command: python train.py\n", "container.no-gpu-request"),
    ("app-1  | RuntimeError: CUDA error: no CUDA-capable device is detected", "AMD Radeon RX 7900 XTX, ROCm 6.1\n"
     "services:\n  app:\n    image: ghcr.io/some/sd-webui:cuda\n    ports:\n      - 7860:7860\n",
     "container.no-gpu-request"),
    # ... or nvidia-smi answered at the container's own prompt (the request was made where not shown)
    ("CUDA driver version is insufficient for CUDA runtime version", "services:\n  app:\n    image: myorg/app:cuda12.4\n"
     "    command: python train.py\n\n$ docker exec -it app bash\nroot@3f2a1b4c5d6e:/app# nvidia-smi\n| NVIDIA-SMI "
     "470.182.03   Driver Version: 470.182.03   CUDA Version: 11.4 |", "container.no-gpu-request"),
    # ... nor is nvidia-smi missing at the host's prompt a container's
    ("user@ubuntu:~$ nvidia-smi\nnvidia-smi: command not found", "fresh Ubuntu 22.04 with an RTX 3090, want to run:\n```"
     "\nservices:\n  ollama:\n    image: ollama/ollama\n    ports:\n      - 11434:11434\n```", "container.no-gpu-request"),
    # (the second round)
    # a Mac (told by its paths) that only drives a Linux cluster's GPUs
    ("Error from server: pod gpu-test: 0/3 nodes are available: 3 Insufficient nvidia.com/gpu.", "$ kubectl apply -f "
     "/Users/bob/work/gpu-pod.yaml\nThe pod asks for one GPU with CUDA.", "docker.desktop"),
    # the registry answered after all (a login refused), whatever the time
    (" => ERROR [internal] load metadata for registry.example.com/team/app:1.0                  31.2s\n------\n > "
     "[internal] load metadata for registry.example.com/team/app:1.0:\n------\nfailed to solve: unexpected status: 401 "
     "Unauthorized", "", "registry.unreachable"),
    # apt's byte counts and dockerd's shutdown are no closed repository
    ("E: Unable to locate package nvidia-docker2", "Hit:4 https://apt.dockerproject.org/repo ubuntu-xenial InRelease\n"
     "Fetched 1,403 kB in 2s (701 kB/s)\nDaemon shutdown complete", "apt.docker-repo-missing"),
    # docker-compose v1 pins the API from its file's version: the engine may be new
    ("ERROR: for cvat_redis  device_requests param is not supported in API versions < 1.40", "Docker version 20.10.5\n"
     "docker-compose version 1.28.5", "docker.too-old"),
    # answered at once: the image is not there (or refused), not a registry out of reach
    (" => ERROR [internal] load metadata for docker.io/library/ros:noetik                       0.9s", "",
     "registry.unreachable"),
]


@pytest.mark.parametrize("error,notes", EIGHTEENTH_MIRRORS)
def test_a_mirror_failing_in_a_pull_is_read_as_one(error, notes):
    from dldoctor.diagnose import diagnose
    from dldoctor.facts import Facts

    rep = diagnose(Facts(error=error, notes=notes or None))
    read = [f.problem for f in rep.findings if f.problem and not f.guess]
    assert "mirror.dead" in read and "mirror.dead" in rep.root_causes[:2], (rep.root_causes, read)




def test_a_long_compose_paste_without_an_image_is_read_in_bounded_time():
    """A compose service of deeply indented lines and no `image:` (the first version of the compose
    reading split each line's indent between two repeats, and backtracked without end on such a
    report). Run apart, so that a relapse fails instead of hanging the suite."""
    import subprocess
    import sys

    notes = "services:\n  app:\n" + "".join("            key%d: value %d\n" % (i, i) for i in range(60))
    code = ("from dldoctor.diagnose import diagnose; from dldoctor.facts import Facts; "
            "print(diagnose(Facts(error='CUDA driver version is insufficient for CUDA runtime version', "
            "notes=%r)).root_causes[:1])" % notes)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0 and "driver.too-old-for-image" in out.stdout, out.stderr


def test_an_ended_release_missing_from_the_distribution_archive_is_no_broken_source(tmp_path):
    """Ubuntu 19.04 after its end: archive.ubuntu.com answers 404 for its suites (they moved to
    old-releases.ubuntu.com). The check of `apt-get update` says the release ended, not that an
    unrelated source is broken; a third party's 404 still is one."""
    eol = ("Err:6 http://archive.ubuntu.com/ubuntu disco Release\n  404  Not Found [IP: 91.189.88.152 80]\n"
           "Err:7 http://archive.ubuntu.com/ubuntu disco-updates Release\n  404  Not Found [IP: 91.189.88.152 80]\n"
           "E: The repository 'http://archive.ubuntu.com/ubuntu disco Release' does not have a Release file.\n")
    report = _apt_update_report(tmp_path, eol)
    checked = {f.problem for f in report.findings if f.check == "apt-update" and f.problem}
    assert report.root_causes[0] == "os.unsupported" and "apt.broken-source" not in checked, report.root_causes
    # ... but on a host that says it runs another release, a stray line for an ended one is a broken source
    (tmp_path / "os-release").write_text('NAME="Ubuntu"\nVERSION_ID="22.04"\nVERSION_CODENAME=jammy\nID=ubuntu\n')
    report = _apt_update_report(tmp_path, eol)
    assert "os.unsupported" not in {f.problem for f in report.findings if f.check == "apt-update"}
    (tmp_path / "os-release").unlink()
    # a supported release's suite missing on a mirror is no ended release
    report = _apt_update_report(tmp_path, "Err:6 http://mirrors.example.cn/ubuntu jammy Release\n  404  Not Found "
                                          "[IP: 10.0.0.1 80]\n")
    assert "os.unsupported" not in {f.problem for f in report.findings if f.check == "apt-update"}


def test_a_compose_file_pasted_into_explain_is_read_too():
    """`dldoctor explain` takes the whole paste as the error: the compose service in it is read there."""
    from dldoctor.explain import explain

    rep = explain("CUDA driver version is insufficient for CUDA runtime version\nservices:\n  viseron:\n    image: "
                  "roflcoopter/amd64-cuda-viseron\n    volumes:\n      - /config:/config\n")
    assert rep.root_causes[0] == "container.no-gpu-request"


# The nineteenth session's rows (2026-12-06), each in a wording of its own, not a case's text.
NINETEENTH_SESSION_WORDINGS = [
    # Docker Desktop named, its engine not starting after its daemon settings were edited: the edit
    ("", "Docker Desktop will not start after I added \"hosts\": [\"tcp://0.0.0.0:2375\"] in Settings > Docker "
     "Engine. It crashes on every restart.", "daemon-json.flag-conflict"),
    ("", "Docker for Windows fails to start since I put \"hosts\": \"127.0.0.1\" in daemon.json", "daemon-json.flag-conflict"),
    ("", "Docker Desktop on my Mac crashes on start after adding 10.1.1.1:5000 to the insecure registries in "
     "Preferences.", "daemon-json.invalid"),
    # yum's curl failures in its older form
    ("https://mirrors.example.cn/docker-ce/linux/centos/7/x86_64/stable/repodata/repomd.xml: [Errno 14] curl#7 - "
     "\"Failed to connect to 2001:db8::1: Network is unreachable\"", "", "apt.repo-unreachable"),
    # Docker's .repo file refused: the network, whatever the release
    ("Could not fetch/save url https://download.docker.com/linux/fedora/docker-ce.repo to file "
     "/etc/yum.repos.d/docker-ce.repo: [Errno 14] HTTPS Error 403 - Forbidden", "", "apt.repo-unreachable"),
    # containerd's resolver naming the mirror it dialled
    ('failed to resolve source metadata for docker.io/library/python:3.11: failed to do request: Head '
     '"https://hub.mirror.example.org/v2/library/python/manifests/3.11?ns=docker.io": dialing hub.mirror.example.org:443',
     "", "mirror.dead"),
    # docker-py's traceback cut before its "fetching server API version" line
    ('  File "/usr/lib/python3/dist-packages/docker/transport/unixconn.py", line 30, in connect\n'
     "    sock.connect(self.unix_socket)\nFileNotFoundError: [Errno 2] No such file or directory", "",
     "docker.daemon-down"),
    # the reporter says Desktop runs, the client finds no socket: Desktop's socket is elsewhere
    ("docker.errors.DockerException: Error while fetching server API version: ('Connection aborted.', "
     "FileNotFoundError(2, 'No such file or directory'))", "Docker Desktop is running and docker ps works in my "
     "terminal, but the SDK cannot connect.", "docker.desktop"),
    ("requests.exceptions.ConnectionError: ('Connection aborted.', FileNotFoundError(2, 'No such file or directory'))",
     "Running on my MacBook with docker-desktop installed.", "docker.desktop"),
    # a GPU a long-running container had, then lost
    ("", "The GPU is not found inside long-running containers: after a few days torch says no CUDA device until "
     "I restart the compose service.", "cgroup.nvml-unknown-error"),
    ("", "Initially using the GPU, but not using it after a period of time; the ollama container falls back to CPU.",
     "cgroup.nvml-unknown-error"),
    # a playbook that adds the user to the group and uses docker in the same connection
    ("", "On the first run of the playbook the docker tasks fail with permission denied on /var/run/docker.sock; "
     "running it again works.", "docker.group-not-active"),
    # apt's own words quoted on a supported release are no release without packages
    ("E: Package 'docker-ce' has no installation candidate", "Ubuntu 24.04 : Package 'docker-ce' unavailable",
     "apt.docker-repo-missing"),
    # a Windows proxy tool the engine cannot reach through WSL's mirrored networking
    ("", "With networkingMode=mirrored in .wslconfig, docker pull through my Clash proxy on 127.0.0.1:7890 fails "
     "unless the proxy starts before Docker.", "docker.proxy-misconfigured"),
    # a VirtualBox VM passes no NVIDIA GPU through; a Mac named in Chinese is Docker Desktop's VM
    ("", "minikube start --driver=virtualbox, then the nvidia device plugin reports no GPU on the node",
     "gpu.absent"),
    ("", "在mac上运行 docker compose，报错 could not select device driver \"nvidia\" with capabilities: [[gpu]]",
     "docker.desktop"),
]
NINETEENTH_SESSION_NOT = [
    # a VirtualBox VM given the card by PCI passthrough may have it
    ("", "Ubuntu guest in VirtualBox with PCI passthrough of the RTX 3060; nvidia-smi in a container fails",
     "gpu.absent"),
    # Windows Server's own dockerd service reads "hosts" from ProgramData: that is how it is set there
    ("", "On Windows Server 2019, dockerd fails to start after I set \"hosts\": [\"npipe://\"] in daemon.json",
     "daemon-json.flag-conflict"),
    # a repository's package file for a release it does not serve answers 404, not 403: no network reading
    ("Err:5 https://download.docker.com/linux/ubuntu plucky InRelease\n  404  Not Found", "", "apt.repo-unreachable"),
    # the client's own hint, not the reporter saying Desktop runs
    ("docker.errors.DockerException: Error while fetching server API version: ('Connection aborted.', "
     "FileNotFoundError(2, 'No such file or directory'))", "Hint: Is docker or Docker Desktop running?",
     "docker.desktop"),
    # a GPU never seen in a container is no GPU lost over time
    ("", "The GPU is not found inside the container; I started it with docker run without any flags.",
     "cgroup.nvml-unknown-error"),
    # a first run that failed for another reason than the socket
    ("", "On the first run of the playbook apt fails to fetch https://download.docker.com, the second run works.",
     "docker.group-not-active"),
]

TWENTIETH_SESSION_WORDINGS = [
    # a repository whose metadata came but whose signature did not verify is its key, not the network
    ("Error: Failed to download metadata for repo 'libnvidia-container': repomd.xml GPG signature verification "
     "error: Bad GPG signature", "dnf install nvidia-container-toolkit on Rocky 8", "apt.no-pubkey"),
    # Node's docker clients: the socket's errno, above the client's own guess printed beside it
    ("Error: Unable to connect to Docker, is the Docker daemon running?\nOutput from Docker: connect EACCES "
     "/var/run/docker.sock", "", "docker.permission-denied"),
    ("Error Message: connect ENOENT //./pipe/docker_engine", "VS Code on Windows 10", "docker.daemon-down"),
    ("Error: connect ECONNREFUSED /var/run/docker.sock", "", "docker.daemon-down"),
    # docker-machine's VM (Docker Toolbox, Kitematic) not answering at its address
    ("ETIMEDOUT\nETIMEDOUT\nconnect\n192.168.99.100\n2376", "Kitematic cannot connect", "docker.daemon-down"),
    ("error during pull: dial tcp 192.168.99.101:2376: i/o timeout", "", "docker.daemon-down"),
    ("Error: connect EHOSTDOWN 192.168.99.100:2376", "", "docker.daemon-down"),
    # no docker group to add the user to
    ("usermod: group 'docker' does not exist", "trying to use docker without sudo on Fedora", "docker.permission-denied"),
    # the toolkit's own CLI absent
    ("bash: nvidia-ctk: command not found", "sudo nvidia-ctk runtime configure --runtime=docker", "toolkit.missing"),
    # the NVML return code's name
    ("ERRO[0000] failed to generate CDI spec: failed to initialize NVML: ERROR_LIB_RM_VERSION_MISMATCH", "",
     "driver.version-mismatch"),
    # ARG before FROM on a builder older than 17.05
    ("Step 1/12 : ARG BASE=nvidia/cuda:11.8.0-runtime-ubuntu22.04\nPlease provide a source image with `from` prior "
     "to commit", "", "docker.too-old"),
    # a CDN in front of Docker's repository refusing a whole country
    ("The Amazon CloudFront distribution is configured to block access from your country.",
     "curl https://download.docker.com/linux/ubuntu/gpg fails in our CI", "apt.repo-unreachable"),
    # compose v2 missing where the engine came from the distribution's own packages
    ("docker: 'compose' is not a docker command.", "Ubuntu 24.04: sudo apt install -y docker.io docker-compose, then "
     "./start.sh", "apt.docker-repo-missing"),
    ("unknown shorthand flag: 'd' in -d\nSee 'docker --help'.", "docker compose up -d on Debian 12; docker came with "
     "sudo apt-get install -y docker.io", "apt.docker-repo-missing"),
    # the same wordings as the review found them missed
    ("EACCES: connect EACCES //./pipe/docker_engine", "", "docker.permission-denied"),
    ("sudo: nvidia-ctk：找不到命令", "", "toolkit.missing"),
    ("Command 'nvidia-ctk' not found, did you mean:", "", "toolkit.missing"),
    # get.docker.com's older refusal, wrapped across lines, outranks the group it never made
    ("  Either your platform is not easily detectable, is not supported by this\n  installer script (yet - PRs "
     "welcome! [hack/install.sh]), or does not yet have\n  a package for Docker.\nusermod: group 'docker' does not "
     "exist", "", "os.unsupported"),
    # an HTTP proxy's status page in place of the daemon's answer on its TCP port
    ("An error occurred trying to connect: Get https://192.168.99.101:2376/v1.21/info: Forbidden", "",
     "docker.proxy-misconfigured"),
    ("error during connect: Post https://10.0.0.5:2376/v1.40/containers/create: Service Unavailable", "",
     "docker.proxy-misconfigured"),
    # a container given the socket by a bind mount on an SELinux host
    ("Got permission denied while trying to connect to the Docker daemon socket at unix:///var/run/docker.sock",
     "On Fedora 39 traefik runs with -v /var/run/docker.sock:/var/run/docker.sock:ro and cannot read the socket",
     "os.selinux"),
    # the Go client's words for Docker Desktop's pipe that is not there: its engine is not running
    ("error during pull: open \\\\.\\pipe\\docker_engine: The system cannot find the file specified.", "",
     "docker.daemon-down"),
    ("open //./pipe/docker_engine: The system cannot find the file specified.", "Docker Desktop on Windows 11",
     "docker.daemon-down"),
    # Docker Desktop's notice that the docker-users membership takes effect at the next login
    ("", "Docker for Windows - Requires log out\nYou need to log out of Windows\nThen your \"docker-users\" membership "
     "will be taken into account\n- [x] I have tried with the latest version of Docker Desktop", "docker.group-not-active"),
    # a loopback proxy given to Docker Desktop's VM
    ("Error response from daemon: Get https://registry-1.docker.io/v2/: net/http: request canceled (Client.Timeout "
     "exceeded while awaiting headers)", "Docker for Mac: I set the proxy in its settings to localhost:3128 (my cntlm)",
     "docker.proxy-misconfigured"),
    # Docker Desktop's engine hanging after "hosts" was added to its daemon settings
    ("", "After adding \"hosts\": [\"tcp://0.0.0.0:2375\"] in Docker Desktop's Docker Engine settings, the docker "
     "engine hangs on restart.", "daemon-json.flag-conflict"),
    # docker-compose v1 newer than the engine
    ("ERROR: client is newer than server (client API version: 1.22, server API version: 1.21)", "", "docker.too-old"),
    ("ERROR: client and server don't have same version (client : 1.21, server: 1.18)", "", "docker.too-old"),
    # compose v1's one wording for the socket, told to happen only without sudo
    ("ERROR: Couldn't connect to Docker daemon at http+docker://localunixsocket - is it running?",
     "I get this without `sudo` when I run docker-compose up; with sudo it works", "docker.permission-denied"),
    # Docker Desktop's own pipes missing, or the app stuck starting: its engine is not running
    ("docker: Error response from daemon: open \\\\.\\pipe\\docker_engine_linux: The system cannot find the file "
     "specified.", "- [x] I have tried with the latest version of Docker Desktop", "docker.daemon-down"),
    ("[FAIL] DD0004: is the Docker engine running? Get \"http://ipc/docker\": open \\\\.\\pipe\\dockerLifecycleServer: "
     "The system cannot find the file specified.", "Cannot start Docker Desktop on Windows", "docker.daemon-down"),
    ("", "Docker Desktop stuck at \"Docker engine is starting\" since the update; I have tried with the latest version "
     "of Docker Desktop", "docker.daemon-down"),
]
TWENTIETH_SESSION_NOT = [
    # a repository that could not be fetched at all is still the network
    ("Error: Failed to download metadata for repo 'docker-ce-stable': Cannot download repomd.xml: Curl error (28): "
     "Timeout was reached", "", "apt.no-pubkey"),
    # a VirtualBox address on another port is no docker-machine daemon
    ("ECONNREFUSED 192.168.99.100:8080", "my web app in the VM", "docker.daemon-down"),
    # an install that failed before it made the group: the install's own error is surer
    ("E: Package 'docker-ce' has no installation candidate\nusermod: group 'docker' does not exist", "",
     "docker.permission-denied"),
    # compose v2 missing with no word of where the engine came from: compose itself
    ("docker: 'compose' is not a docker command.", "running ./start.sh", "apt.docker-repo-missing"),
    # Docker's own docker-ce installed from its repository is not the distribution's package
    ("docker: 'compose' is not a docker command.", "sudo apt-get install docker-ce docker-ce-cli containerd.io",
     "apt.docker-repo-missing"),
    # a country block in front of a registry, not a package repository
    ("The Amazon CloudFront distribution is configured to block access from your country.",
     "docker pull from our registry fails", "apt.repo-unreachable"),
    # ... even where the report pastes the toolkit's install steps too
    ("Error response from daemon: Get \"https://public.ecr.aws/v2/\": The Amazon CloudFront distribution is "
     "configured to block access from your country.", "I set up the toolkit from nvidia.github.io first, then the "
     "pull of our image failed", "apt.repo-unreachable"),
    # compose's plugin missing beside Docker's own packages (its plugins named), snap's docker, or a denial
    ("docker: 'compose' is not a docker command.", "sudo apt-get install docker-ce-cli containerd.io "
     "docker-buildx-plugin; then docker compose up", "apt.docker-repo-missing"),
    ("docker: 'compose' is not a docker command.", "Docker from sudo snap install docker; I removed the apt "
     "install docker.io one before", "apt.docker-repo-missing"),
    ("docker: 'compose' is not a docker command.", "I did not apt install docker.io, compose v1 is from pip",
     "apt.docker-repo-missing"),
    # a configure step that worked, after the toolkit was installed, is not undone by an earlier not-found
    ("", "First `nvidia-ctk: command not found`, so I installed nvidia-container-toolkit; then sudo nvidia-ctk runtime "
     "configure --runtime=docker wrote /etc/docker/daemon.json. docker: Error response from daemon: could not select "
     "device driver \"\" with capabilities: [[gpu]].", "toolkit.missing"),
    # a daemon's port that did not answer at all is no proxy's page
    ("error during connect: Get https://192.168.99.100:2376/v1.40/info: dial tcp 192.168.99.100:2376: i/o timeout",
     "", "docker.proxy-misconfigured"),
    # the socket mounted on Fedora for a user outside the docker group, or on a host without SELinux
    ("Got permission denied while trying to connect to the Docker daemon socket at unix:///var/run/docker.sock",
     "Fedora 39: docker run -v /var/run/docker.sock:/var/run/docker.sock portainer; my user is not in the docker "
     "group yet", "os.selinux"),
    ("Got permission denied while trying to connect to the Docker daemon socket at unix:///var/run/docker.sock",
     "Ubuntu 22.04: docker run -v /var/run/docker.sock:/var/run/docker.sock portainer as my user", "os.selinux"),
    # a pull that hangs beside a daemon.json that listens on TCP is not the daemon refusing to start
    ("", "daemon.json has \"hosts\": [\"unix:///var/run/docker.sock\", \"tcp://0.0.0.0:2375\"] and it works; "
     "but docker pull hangs at 50%.", "daemon-json.flag-conflict"),
    # a proxy reached through the host's name, not loopback
    ("Error response from daemon: Get https://registry-1.docker.io/v2/: net/http: request canceled", "Docker Desktop "
     "proxy set to http.docker.internal:3128, which forwards to localhost:3128 on the Mac", "docker.proxy-misconfigured"),
    # the second review's: a registry on localhost with no proxy in use; the user's own nginx in front of
    # the API with the daemon behind it down; SELinux said to be disabled; a daemon that ran for hours
    ("Error response from daemon: Get http://localhost:5000/v2/: dial tcp 127.0.0.1:5000: connect: connection "
     "refused", "Docker Desktop on Mac. I do not use any proxy; localhost:5000 is my local registry.",
     "docker.proxy-misconfigured"),
    ("error during connect: Get https://docker.example.lan:2376/v1.41/info: Bad Gateway", "nginx in front of the "
     "remote engine's API", "docker.proxy-misconfigured"),
    ("Got permission denied while trying to connect to the Docker daemon socket at unix:///var/run/docker.sock",
     "Fedora 39, SELinux is disabled (getenforce says Disabled); docker run -v /var/run/docker.sock:/var/run/docker.sock "
     "portainer as my user", "os.selinux"),
    ("docker: Error response from daemon: unknown or invalid runtime name: nvidia.", "daemon.json has \"hosts\": "
     "[\"tcp://0.0.0.0:2375\"]; the docker daemon hangs sometimes after running for days", "daemon-json.flag-conflict"),
    # the same wording where sudo fails as well is no refusal of the user
    ("ERROR: Couldn't connect to Docker daemon at http+docker://localunixsocket - is it running?",
     "It fails with or without sudo, docker ps says the daemon is not running", "docker.permission-denied"),
    # the Linux engine's pipe is missing while Desktop runs Windows containers: Desktop's mode, not a stopped engine
    ("open //./pipe/docker_engine_linux: The system cannot find the file specified.", "Docker Desktop is running, "
     "I switched to Windows containers yesterday", "docker.daemon-down"),
    # a client looking at the default socket while rootless Docker listens under /run/user
    ("Error: connect ENOENT /var/run/docker.sock", "I use rootless Docker; docker ps works in my shell",
     "docker.daemon-down"),
]


# Each session's rows (the fifteenth on): the wordings each must read, and the faults each must not
# claim, in one pair of tests.
TWENTYFIRST_SESSION_WORDINGS = [
    # nvidia-installer's failed module load, whose hint lists every cause (nouveau, an unsupported GPU):
    # the failure is read, not the list
    ("ERROR: Unable to load the kernel module 'nvidia.ko'.  This happens most frequently when this kernel module "
     "was built against\n       the wrong or improperly configured kernel sources, with a version of gcc that differs "
     "from the one used to build the\n       target kernel, or if a driver such as rivafb, nvidiafb, or nouveau is "
     "present and prevents the NVIDIA kernel module\n       from obtaining ownership of the NVIDIA graphics device(s), "
     "or no NVIDIA GPU installed in this system is supported by\n       this NVIDIA Linux graphics driver release.",
     "docker run --privileged cuda on CoreOS", "driver.not-loaded"),
    # DKMS failing to build the driver's module, in its own and in dpkg's words
    ("Error! Bad return status for module build on kernel: 6.8.0-45-generic (x86_64)\nConsult "
     "/var/lib/dkms/nvidia/535.183.01/build/make.log for more information.", "", "driver.not-loaded"),
    ("/var/lib/dkms/nvidia/560.35.03/build/nvidia-drm/nvidia-drm-drv.c:207:6: error: 'const struct "
     "drm_mode_config_funcs' has no member named 'output_poll_changed'", "Update to kernel 6.12 fails", "driver.not-loaded"),
    ("dpkg: error processing package nvidia-dkms-390 (--configure):\n installed nvidia-dkms-390 package "
     "post-installation script subprocess returned error exit status 10", "", "driver.not-loaded"),
    ("", "Cannot build nvidia driver via dkms because compiler doesn't match kernel", "driver.not-loaded"),
    # the kernel refusing a module built for another kernel; nvidia-smi's failure in people's words
    ("[ 1291.199013] nvidia: Unknown symbol drm_gem_prime_handle_to_fd (err 0)", "", "driver.not-loaded"),
    ("", "After the upgrade nvidia-smi cannot communicate with the driver.", "driver.not-loaded"),
    ("", "NVIDIA driver `nvidia-driver-525-server` won't load on kernel 6.5.4", "driver.not-loaded"),
    ("ERROR (dkms apport): kernel package linux-headers-5.11.0-7614-generic is not supported",
     "Fail on apt upgrade\nnvidia-dkms-460:\n  Installed: 460.73.01-0ubuntu0.20.10.1", "driver.not-loaded"),
    ("", "nvidia GPU stopped working after upgrade to kernel 6", "driver.not-loaded"),
    # signal 7 (a bus error) in a launcher's words, from a multi-GPU job in a container
    ("ERROR:torch.distributed.elastic.multiprocessing.api:failed (exitcode: -7) local_rank: 0 (pid: 53138) of binary: "
     "/usr/bin/python", "单机多卡运行报错", "container.shm-too-small"),
    ("[launch.py:178:sigkill_handler] ['/usr/bin/python', '-u', 'train.py'] exits with return code = -7", "",
     "container.shm-too-small"),
    ("Fatal Python error: Bus error: nonexistent physical address", "", "container.shm-too-small"),
    # kernel lockdown refusing the unsigned module
    ("Lockdown: modprobe: unsigned module loading is restricted; see man kernel_lockdown.7", "", "driver.secure-boot"),
    ("modprobe: ERROR: could not insert 'nvidia': Operation not permitted",
     "Unable to use lockdown mode with NVIDIA module: with kernel lockdown = integrity the module does not load",
     "driver.secure-boot"),
    # CUDA's runtime error 30 ("unknown error") where nvidia_uvm is not loaded
    ("RuntimeError: CUDA unknown error - this may be due to an incorrectly set up environment, e.g. changing env "
     "variable CUDA_VISIBLE_DEVICES after program start. Setting the available devices to be zero.", "",
     "driver.uvm-missing"),
    ("F0528 22:26:23.117558 13844 syncedmem.hpp:18] Check failed: error == cudaSuccess (30 vs. 0) unknown error", "",
     "driver.uvm-missing"),
    ("", "CUDA doesn't work in containers until after use in host OS", "driver.uvm-missing"),
    # a modprobe.d file's usual "blacklist nouveau", pasted beside the fault, is no nouveau complaint
    ("", "nvidia-uvm is not loaded at boot\n\n### Expected behavior\nnvidia-uvm is loaded\n\n"
         "cat /etc/modprobe.d/nixos.conf\nblacklist nouveau\nblacklist nvidiafb\n", "driver.uvm-missing"),
    # the review's: the installer's hint as it wraps at 80 columns, the canonical blacklist file, CUDA's
    # 999 (error 30's number since CUDA 10.1) in deviceQuery's words, dpkg in Chinese, akmods, and the rest
    ("ERROR: Unable to load the kernel module 'nvidia.ko'.  This happens most\n       frequently when this kernel "
     "module was built against the wrong or\n       improperly configured kernel sources, with a version of gcc that\n"
     "       differs from the one used to build the target kernel, or if another\n       driver, such as nouveau, is "
     "present and prevents the NVIDIA kernel\n       module from obtaining ownership of the NVIDIA device(s), or no "
     "NVIDIA\n       device installed in this system is supported by this NVIDIA Linux\n       graphics driver release.",
     "", "driver.not-loaded"),
    ("", "nvidia-uvm is not loaded at boot\n\n### Expected behavior\nnvidia-uvm is loaded\n\n"
         "cat /etc/modprobe.d/blacklist-nouveau.conf\nblacklist nouveau\noptions nouveau modeset=0\n", "driver.uvm-missing"),
    ("cudaGetDeviceCount returned 999\n-> unknown error\nResult = FAIL", "", "driver.uvm-missing"),
    ("dpkg: 处理软件包 nvidia-dkms-535 (--configure)时出错：\n 已安装 nvidia-dkms-535 软件包 post-installation 脚本 子进程返回错误状态 10",
     "", "driver.not-loaded"),
    ("akmods: Building rpms failed; see /var/cache/akmods/nvidia/560.35.03-1-for-6.11.4-301.fc41.x86_64.failed.log "
     "for details", "", "driver.not-loaded"),
    ("", "nvidia-smi 无法与驱动通信", "driver.not-loaded"),
    ("Error! Your kernel headers for kernel 5.15.0-91-generic cannot be found.", "installing nvidia-driver-535",
     "driver.not-loaded"),
    ("", "CUDA works in the container only if I first run a CUDA program on the host.", "driver.uvm-missing"),
    ("", "NVIDIA kernel module nvidia_uvm is not loaded after reboot, so CUDA fails in containers; nvidia-smi works.",
     "driver.uvm-missing"),
    ("nvidia-smi: cannot communicate with the driver", "Ubuntu 22.04 under WSL 2", "os.wsl"),
    # a report that says the module is fine is not read as a module DKMS could not build
    ("nvidia-container-cli: initialization error: load library failed: libnvidia-ml.so.1: cannot open shared "
     "object file: no such file or directory: unknown.",
     "nvidia kernel modules are loaded fine, nvidia-smi works, only the docker container fails to start.",
     "toolkit.libs-not-found"),
    ("Failed to initialize NVML: Unknown Error",
     "The nvidia module is loaded and nvidia-smi works, but the docker container fails.", "cgroup.nvml-unknown-error"),
]

TWENTYFIRST_SESSION_NOT = [
    # the toolkit's "cuda error: unknown error" at container start and cuInit's CUDA_ERROR_UNKNOWN have other causes
    ("nvidia-container-cli: initialization error: cuda error: unknown error", "", "driver.uvm-missing"),
    ("E tensorflow/stream_executor/cuda/cuda_driver.cc:491] failed call to cuInit: CUDA_ERROR_UNKNOWN", "",
     "driver.uvm-missing"),
    # another DKMS module's build failure (GPUDirect Storage) is no failed driver module
    ("Consult /var/lib/dkms/nvidia-fs/2.17.5/build/make.log for more information.", "", "driver.not-loaded"),
    # another module's DKMS build, and a kernel update said of Docker rather than of the driver
    ("Error! Bad return status for module build on kernel: 6.8.0-45-generic (x86_64)\nConsult "
     "/var/lib/dkms/virtualbox/7.0.14/build/make.log for more information.", "VirtualBox host", "driver.not-loaded"),
    ("", "After the kernel update docker containers no longer start with --gpus all", "driver.not-loaded"),
    # a lockdown that is no kernel's
    ("", "During the lockdown I set up a home server with an NVIDIA card and Docker.", "driver.secure-boot"),
    # the review's: CUDA's unknown error under WSL 2 or beside a GPU fallen off the bus is no nvidia_uvm
    ("RuntimeError: CUDA error: unknown error\nCUDA kernel errors might be asynchronously reported at some other API "
     "call", "Running PyTorch in WSL2 Ubuntu 22.04 on Windows 11", "driver.uvm-missing"),
    ("RuntimeError: CUDA error: unknown error", "Training runs for 3 hours then crashes. dmesg shows NVRM: Xid "
     "(PCI:0000:01:00): 79, GPU has fallen off the bus.", "driver.uvm-missing"),
    # ... nor something else run on the host, or the host's network
    ("", "The GPU is not available in the container until I run sudo systemctl restart docker on the host.",
     "driver.uvm-missing"),
    ("", "Building the CUDA image fails to download packages unless I run docker build in the host network mode.",
     "driver.uvm-missing"),
    # a system locked down by people, or lockdown turned off, is no kernel lockdown
    ("", "The system is locked down by our IT department, so I can't install the nvidia container toolkit with sudo.",
     "driver.secure-boot"),
    ("", "I added lockdown=none to the kernel command line and the nvidia module still refuses to load: Unknown symbol "
         "in module.", "driver.secure-boot"),
    ("", "During the covid lockdown: my nvidia GPU box stopped running docker containers.", "driver.secure-boot"),
    # DKMS's line for another module's build, beside its log's path
    ("Error! Bad return status for module build on kernel: 6.8.0-45-generic (x86_64)\nConsult "
     "/var/lib/dkms/nvidia-fs/2.17.5/build/make.log for more information.", "", "driver.not-loaded"),
    # nouveau said to be gone, beside the nvidia module said to be loaded
    ('could not select device driver "" with capabilities: [[gpu]]',
     "nouveau seems to be gone; nvidia is loaded but docker can't see the GPU", "driver.nouveau"),
]

TWENTYSECOND_SESSION_WORDINGS = [
    # a bare "denied" from a registry no mirror stands in for: a private or unpublished package
    ("Error response from daemon: denied", "docker pull ghcr.io/acme/webapp:1.2 fails while logged in",
     "image.tag-missing"),
    ("Error response from daemon: denied\n", "Pulling quay.io/acme/private-model:24.01 on a fresh host",
     "image.tag-missing"),
    # ghcr.io refusing even an anonymous token for the name, and its refusal inside a client's JSON
    ("failed to resolve source metadata for ghcr.io/acme/tool:dev: failed to authorize: failed to fetch anonymous "
     "token: unexpected status from GET request to https://ghcr.io/token?scope=repository%3Aacme%2Ftool%3Apull"
     "&service=ghcr.io: 401 Unauthorized", "", "image.tag-missing"),
    ('Deploy failed: {"message":"Head \\"https://ghcr.io/v2/acme/bot/manifests/2.0.0\\": unauthorized"}', "",
     "image.tag-missing"),
    # an image reference said not to exist, in Chinese
    ("", "镜像 registry.cn-beijing.aliyuncs.com/acme/server:v1.2.3 不存在，请问什么时候上传", "image.tag-missing"),
    # an issue template's list of systems is not the reporter's Mac
    ("The NVIDIA Driver was not detected.  GPU functionality will not be available.",
     "2. 请提供您使用的操作系统信息，如Linux/Windows/MacOS", "container.no-gpu-request"),
    # the empty driver library an image keeps from a container the toolkit had served
    ("ImportError: /usr/lib/x86_64-linux-gnu/libcuda.so.1: file too short", "import tensorflow in the docker image",
     "container.no-gpu-request"),
    ("./server: error while loading shared libraries: /usr/lib/x86_64-linux-gnu/libnvidia-ml.so.1: file too short",
     "", "container.no-gpu-request"),
    # the second round's: no engine where something wants one (a node on containerd, Java finding no
    # executable, systemd no unit), the toolkit's condition retyped without spaces, a registry's own
    # "repository not found", dockerd not started at boot
    ('Warning  FailedMount  MountVolume.SetUp failed for volume "docker-sock" : hostPath type check failed: '
     "/var/run/docker.sock is not a socket file", "", "docker.missing"),
    ("Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?",
     "Our Kubernetes cluster uses containerd instead of Docker and the workflow's docker executor fails.",
     "docker.missing"),
    ('java.io.IOException: Cannot run program "docker": error=2, No such file or directory',
     "Jenkins pipeline with a docker agent", "docker.missing"),
    ("Unit docker.service could not be found.", "systemctl status docker on a fresh Rocky Linux 9", "docker.missing"),
    ("OCI runtime create failed: failed to create NVIDIA Container Runtime:failed to construct OCI spec modifier:"
     "requirements not met:unsatisfied condition:cuda>=12.2(cuda=11.4): unknown.", "", "driver.too-old-for-image"),
    ("Error response from daemon: unknown: repository acme/exporter not found", "", "image.tag-missing"),
    ("", "服务器重启之后服务都起不来，检查发现docker服务没有自动启动", "docker.daemon-down"),
    # the review's: the short form of "started at boot", and containers named beside it; SELinux after a
    # slash in prose; ghcr.io's token refused by a firewall that answers for it
    ("", "docker服务没有设置开机自启，重启后 docker ps 报错，手动启动后正常", "docker.daemon-down"),
    ("", "服务器重启后docker服务没有自动启动，导致GPU容器都没起来，需要手动systemctl start docker", "docker.daemon-down"),
    ("nvidia-container-cli: initialization error: load library failed: /usr/lib64/libnvidia-ml.so.1: cannot open "
     "shared object file: permission denied", "RHEL 8.8/SELinux enforcing. With setenforce 0 it works.", "os.selinux"),
    ("Error response from daemon: failed to fetch anonymous token: unexpected status from GET request to "
     "https://ghcr.io/token?scope=repository%3Aacme%2Ftool%3Apull&service=ghcr.io: 403 Forbidden",
     "At work Docker Hub pulls work, but our firewall blocks ghcr.io (curl shows the Zscaler block page).",
     "registry.unreachable"),
    # the third round's: a Mac that only launches cloud machines runs no Docker Desktop behind their error
    ("nvidia-container-cli: initialization error: nvml error: driver not loaded",
     "I'm on a macOS client launching GPU clusters in the cloud; the workers exit at startup.", "driver.not-loaded"),
    # the kernel refusing the driver's module for want of a device: no supported GPU there
    ("FATAL: Error inserting nvidia (/lib/modules/5.4.0-42-generic/kernel/drivers/video/nvidia.ko): No such device", "",
     "gpu.absent"),
    ("$ sudo modprobe nvidia\nmodprobe: ERROR: could not insert 'nvidia': No such device", "a fresh cloud VM", "gpu.absent"),
    # Docker's own proxy said set, and pulls still failing on the network
    ('Error response from daemon: Get "https://registry-1.docker.io/v2/": net/http: TLS handshake timeout',
     "I have set up my docker proxy config as shown in the docs, still the same.", "docker.proxy-misconfigured"),
    ("Error response from daemon: Get https://registry-1.docker.io/v2/: net/http: request canceled (Client.Timeout "
     "exceeded while awaiting headers)", "I set docker to use the company proxy last week.", "docker.proxy-misconfigured"),
    # the second review's: lspci said to show nothing is the absence itself; a Mac's own local instances run on
    # Docker Desktop
    ("modprobe: ERROR: could not insert 'nvidia': No such device", "lspci | grep -i nvidia prints nothing on this VM.",
     "gpu.absent"),
    ('docker: Error response from daemon: could not select device driver "" with capabilities: [[gpu]].',
     "I'm on a MacBook Pro M2, launching two instances of the container with --gpus all.", "docker.desktop"),
]

TWENTYSECOND_SESSION_NOT = [
    # a bare "denied" for an image behind a mirror's prefix stays the mirror's
    ("Error response from daemon: denied", "docker pull m.daocloud.io/ghcr.io/acme/x:1", "image.tag-missing"),
    # the toolkit's own load of a host library is no empty file in an image
    ("nvidia-container-cli: initialization error: load library failed: /usr/lib/x86_64-linux-gnu/nvidia/current/"
     "libnvidia-ml.so.1: file too short", "", "container.no-gpu-request"),
    # an install script's trace naming SELinux in a function and a path is no SELinux denial
    ("+ disable_selinux\n+ '[' -s /etc/selinux/config ']'\n+ systemctl restart docker.service\nJob for "
     "docker.service failed because the control process exited with error code.", "", "os.selinux"),
    # the review's: containerd named beside a daemon that is down, a docker-in-docker service, a rootless
    # engine's missing system unit, a kubelet beside a stopped dockerd, Java's PATH on a Mac, an image that
    # lost its error, a truncated driver library on the host itself
    ("$ docker ps\nCannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?",
     "containerd is running fine, but containerd is not docker, and docker itself won't answer since I edited "
     "daemon.json.", "docker.missing"),
    ("ERROR: Cannot connect to the Docker daemon at tcp://docker:2375. Is the docker daemon running?",
     "Our Kubernetes runners use containerd instead of docker, so we run the docker:24-dind service in the job.",
     "docker.missing"),
    ("Failed to restart docker.service: Unit docker.service not found.",
     "I set up rootless docker with dockerd-rootless-setuptool.sh install, then ran nvidia-ctk runtime configure.",
     "docker.missing"),
    ('MountVolume.SetUp failed for volume "docker-sock" : hostPath type check failed: /var/run/docker.sock is not a '
     "socket file", "The node does run Docker (cri-dockerd), but dockerd failed to start after I edited daemon.json.",
     "docker.missing"),
    ('java.io.IOException: Cannot run program "docker": error=2, No such file or directory',
     "Jenkins on my Mac: docker works in Terminal, but the Jenkins agent's PATH doesn't include /usr/local/bin.",
     "docker.missing"),
    ("nvidia-container-cli: requirement error: unsatisfied condition: cuda>=12.4, please update your driver",
     "驱动是 470。用 nvidia/cuda:12.4.1-base-ubuntu22.04 报上面的错，换成 nvidia/cuda:11.4.3-base-ubuntu20.04 没有了这个报错。",
     "image.tag-missing"),
    ("ImportError: /usr/lib/x86_64-linux-gnu/libcuda.so.1: file too short",
     "On the host itself, not in a container: the disk filled up during the driver upgrade.", "container.no-gpu-request"),
    # a reverse proxy in front of a registry is not Docker's way out
    ('Error response from daemon: Get "https://registry.corp/v2/": net/http: TLS handshake timeout',
     "Our registry sits behind a reverse proxy; I configured the proxy settings for docker anyway.",
     "docker.proxy-misconfigured"),
    # the second review's: a proxy said absent or taken away, a closed mirror that failed, a card named by its
    # model or refused by the open module (GSP): then the driver does not drive a card that is there
    ('Error response from daemon: Get "https://registry-1.docker.io/v2/": net/http: TLS handshake timeout',
     "I have not set up any docker proxy config, we don't use a proxy here.", "docker.proxy-misconfigured"),
    ('Error response from daemon: Get "https://registry-1.docker.io/v2/": net/http: TLS handshake timeout',
     "I updated docker's proxy settings to remove the old proxy.", "docker.proxy-misconfigured"),
    ('Error response from daemon: Get "https://docker.mirrors.ustc.edu.cn/v2/": net/http: TLS handshake timeout',
     "daemon.json has registry-mirrors https://docker.mirrors.ustc.edu.cn. I also set up my docker proxy config.",
     "docker.proxy-misconfigured"),
    ("modprobe: ERROR: could not insert 'nvidia': No such device",
     "GTX 1080 Ti on Ubuntu 24.04. I installed nvidia-driver-560-open, it was working with 535 before.", "gpu.absent"),
    ("modprobe: ERROR: could not insert 'nvidia': No such device\nNVRM: installed in this system is not supported by open\n"
     "NVRM: nvidia.ko because it does not include the required GPU\nNVRM: System Processor (GSP).", "", "gpu.absent"),
    # the unified memory module's refusal is another module's
    ("modprobe: ERROR: could not insert 'nvidia_uvm': No such device", "", "gpu.absent"),
    # snap's engine has no docker.service either
    ("Failed to restart docker.service: Unit docker.service not found.", "Docker was installed with snap install docker",
     "docker.missing"),
    # a list of systems, in English
    ('could not select device driver "" with capabilities: [[gpu]]',
     "Which OS? Linux/Windows/macOS: Ubuntu 22.04 with an RTX 3090", "docker.desktop"),
]

TWENTYTHIRD_SESSION_WORDINGS = [
    # a kernel upgraded under the running one: dockerd cannot load veth, overlay or a netfilter module
    ("docker: Error response from daemon: failed to create endpoint web on network bridge: failed to add the host "
     "(veth1a2b3c4) <=> sandbox (veth5d6e7f8) pair interfaces: operation not supported.", "", "os.reboot-required"),
    ('level=error msg="failed to mount overlay: no such device" storage-driver=overlay2',
     "Docker won't start any more since I upgraded the kernel with pacman -Syu.", "os.reboot-required"),
    ("modprobe: FATAL: Module br_netfilter not found in directory /lib/modules/6.6.1-arch1-1",
     "升级内核之后 docker 启动失败", "os.reboot-required"),
    # nvidia-docker-compose asking the nvidia-docker 1.0 plugin, which is not there
    ("ConnectionRefusedError: [Errno 111] Connection refused\nurllib.error.URLError: <urlopen error [Errno 111] "
     "Connection refused>", "sudo nvidia-docker-compose up --build fails", "toolkit.legacy"),
    # an early libnvidia-container reading a GPU's name as a path
    ("nvidia-container-cli: mount error: stat failed: /GeForce: no such file or directory", "", "toolkit.legacy"),
    ("nvidia-container-cli: mount error: stat failed: /Tesla V100-SXM2-16GB: no such file or directory", "",
     "toolkit.legacy"),
    # the engine said never installed
    ("", "After following all instructions, docker was not installed, so the container cannot start.",
     "docker.missing"),
    # Intel graphics beside an NVIDIA card named in the same report is a hybrid host, not one without a GPU
    ("docker: Error response from daemon: Unknown runtime specified nvidia.",
     "- GPU 1: Intel HD Graphics 530\n- GPU 2: NVIDIA GeForce RTX 2070", "runtime.not-registered"),
    # ... but an image's requirement "brand=tesla" pasted beside it is no card of the host
    ("RuntimeError: No CUDA GPUs are available", "My laptop has Intel HD Graphics 620.\n"
     "NVIDIA_REQUIRE_CUDA=cuda>=11.0 brand=tesla,driver>=418,driver<419", "gpu.absent"),
    # the review's: the upgrade told as the package that came in; Intel graphics as lspci writes it
    ("modprobe: FATAL: Module overlay not found in directory /lib/modules/5.15.0-88-generic",
     "Docker stopped working this morning. unattended-upgrades installed linux-image-5.15.0-91-generic last night.",
     "os.reboot-required"),
    ("nvml error: driver not loaded", "00:02.0 VGA compatible controller: Intel Corporation UHD Graphics 620 (rev 07). "
     "That's the only display controller.", "gpu.absent"),
    # ... and a card named only to say it is not there, or as a wish
    ("Failed to initialize NVML: Unknown Error", "My machine has Intel HD Graphics 4000. I don't have an RTX, I only "
     "want to run the CPU image.", "gpu.absent"),
    # "hosts" added to Docker Desktop's daemon settings, its engine crashing on restart ("Bad response from
    # Docker engine" is Desktop's message for that), in a long report that names Windows far from Desktop
    ("Error response from daemon: Bad response from Docker engine",
     'Crash during start, after adding "hosts" to deamon.json\nI updated deamon.json file to:\n`{"debug": true, '
     '"hosts":["tcp://10.70.57.174:2375"]}`\nAfter that, during restart docker crash.\n' + "I tried other values. " * 30 +
     "\n  - Windows Version: Windows 10 Enterprise 64-bit\n  - Docker for Windows Version: 18.03.01-ce",
     "daemon-json.flag-conflict"),
]

TWENTYTHIRD_SESSION_NOT = [
    # a module missing after a kernel upgrade the reporter already rebooted from, or with no upgrade told
    ('level=error msg="failed to mount overlay: no such device" storage-driver=overlay2',
     "I upgraded the kernel and rebooted, still the same.", "os.reboot-required"),
    ("'overlay' not found as a supported filesystem on this host. Please ensure kernel is new enough and has overlay "
     "support loaded.", "CentOS 7.1 server, docker 1.7", "os.reboot-required"),
    # a refused connection with no nvidia-docker-compose in it
    ("ConnectionRefusedError: [Errno 111] Connection refused", "docker-compose up fails against the API",
     "toolkit.legacy"),
    # the driver's own /proc path is not a card's name
    ("nvidia-container-cli: mount error: stat failed: /proc/driver/nvidia/gpus/0000:01:00.0: no such file or "
     "directory", "", "toolkit.legacy"),
    # the review's: no veth in the kernel at all (a container on LXC, WSL's kernel); an upgrade only asked
    # about, or of a docker-in-docker host; a reboot already done; an engine absent only before its install;
    # the app's own database refusing under nvidia-docker-compose; a hybrid laptop's card run into its number
    ("docker: Error response from daemon: failed to create endpoint web on network bridge: failed to add the host "
     "(veth3c1a2b4) <=> sandbox (veth9f8e7d6) pair interfaces: operation not supported.",
     "Running docker inside an unprivileged LXC container on Proxmox VE 7.", "os.reboot-required"),
    ("failed to add the host (veth12ab) <=> sandbox (veth34cd) pair interfaces: operation not supported",
     "WSL2 with my custom kernel 5.15.90.1-microsoft-standard-WSL2+", "os.reboot-required"),
    ('level=error msg="failed to mount overlay: no such device"', "Should I upgrade the kernel? My kernel is "
     "3.10.0-123 on CentOS 7.0.", "os.reboot-required"),
    ("'overlay' not found as a supported filesystem on this host", "docker:24-dind service in a GitLab runner. The "
     "host kernel was updated last month.", "os.reboot-required"),
    ("modprobe: FATAL: Module overlay not found in directory /lib/modules/5.15.0-91-generic",
     "I upgraded the kernel yesterday and did a reboot, now docker won't start.", "os.reboot-required"),
    ('level=error msg="failed to mount overlay: no such device"', "更新了内核，已经重启过了，还是不行。", "os.reboot-required"),
    ("Got permission denied while trying to connect to the Docker daemon socket at unix:///var/run/docker.sock",
     "Fresh Ubuntu 22.04, docker was not installed before so I installed docker-ce following the docs.", "docker.missing"),
    ("psycopg2.OperationalError: could not connect to server: Connection refused. Is the server running on host "
     "localhost and accepting TCP/IP connections on port 5432?", "Using nvidia-docker-compose; nvidia-smi works in "
     "the container but the app can't reach postgres.", "toolkit.legacy"),
    ('could not select device driver "" with capabilities: [[gpu]]', "Legion laptop, Intel UHD Graphics + RTX3060 "
     "laptop GPU, driver 535 installed, nvidia-smi works.", "gpu.absent"),
    ('could not select device driver "" with capabilities: [[gpu]]', "笔记本是核显加RTX 3060独显，nvidia-smi正常，驱动535。",
     "gpu.absent"),
    # the engine's absence only asked about, or another package's
    ("", "Please check whether docker is not installed on the runner.", "docker.missing"),
    ("", "nvidia-docker was not installed, so I followed the toolkit guide.", "docker.missing"),
    # Windows Server's own dockerd service, named without its pipe: "hosts" is how it is set there
    ("", 'On Windows Server 2022, dockerd fails to start after I set "hosts": ["tcp://0.0.0.0:2375"] in daemon.json',
     "daemon-json.flag-conflict"),
    ("dpkg: dependency problems prevent configuration of homeassistant-supervised:\n homeassistant-supervised depends "
     "on docker-ce | docker.io; however:\n  Package docker-ce is not installed.\n  Package docker is not installed.", "",
     "docker.missing"),
]

TWENTYFOURTH_SESSION_WORDINGS = [
    # Docker for Windows' own file sharing refusing the bind mount: the engine is Docker Desktop's, whose VM
    # has no nvidia runtime to register
    ("ERROR: for app  Cannot create container for service app: status code not OK but 500: "
     '{"Message":"Unhandled exception: Filesharing has been cancelled"}\n'
     "ERROR: for app  Cannot create container for service app: Unknown runtime specified nvidia", "", "docker.desktop"),
    # a driver library in the ldcache that is gone from disk
    ("nvidia-container-cli: detection error: open failed: /usr/lib/x86_64-linux-gnu/libnvidia-tls.so.450.36.06: "
     "no such file or directory", "", "toolkit.libs-not-found"),
    # the review's: any driver library the CLI opens (GLX, EGL, video), and the line wrapped in a paste
    ("nvidia-container-cli: detection error: open failed: /usr/lib/x86_64-linux-gnu/libGLX_nvidia.so.470.57.02: "
     "no such file or directory: unknown.", "", "toolkit.libs-not-found"),
    ("nvidia-container-cli: detection error: open failed: /usr/lib/x86_64-linux-gnu/libnvidia-tls.so.470.86:\n"
     "no such file or directory: unknown.", "", "toolkit.libs-not-found"),
    # ... a snap Docker's toolkit reading the host through its hostfs is the snap's
    ("nvidia-container-cli: detection error: open failed: /var/lib/snapd/hostfs/usr/lib/x86_64-linux-gnu/"
     "libnvidia-tls.so.535.104.05: no such file or directory: unknown.", "", "docker.snap"),
    # ... and Docker Desktop's other file-sharing refusals, its Windows VM's mount root and its client
    ("docker: Error response from daemon: Mounts denied: The path /data/models is not shared from OS X and is not "
     "known to Docker.", "", "docker.desktop"),
    ("Error response from daemon: user declined directory sharing C:\\Users\\me\\projects\\yolo", "", "docker.desktop"),
    ("C:\\Program Files\\Docker\\Docker\\Resources\\bin\\docker.exe: Error response from daemon: An error occurred "
     "while sharing drive.", "", "docker.desktop"),
    ("ERROR: for web  Cannot create container for service web: error while creating mount source path "
     "'/host_mnt/c/Users/me/project': mkdir /host_mnt/c: file exists", "", "docker.desktop"),
    # the key's host never answered (gpg fed nothing), so the package of its list is not found either
    ("gpg: 找不到有效的 OpenPGP\nE: 无法定位软件包 nvidia-docker2", "curl -s -L https://nvidia.github.io/nvidia-docker/gpgkey | "
     "sudo apt-key add -", "apt.repo-unreachable"),
    ("gpg: no valid OpenPGP data found.\nE: Unable to locate package nvidia-container-toolkit", "", "apt.repo-unreachable"),
]

TWENTYFOURTH_SESSION_NOT = [
    # a device node, not a driver library, that the CLI could not open
    ("nvidia-container-cli: detection error: open failed: /dev/nvidia-uvm: no such file or directory", "",
     "toolkit.libs-not-found"),
    # the review's: WSL's libraries come from Windows; a cloud drive's share page is not Docker's
    ("nvidia-container-cli: detection error: open failed: /usr/lib/wsl/lib/libnvidia-ml.so.1: no such file or directory",
     "", "toolkit.libs-not-found"),
    ("could not select device driver \"\" with capabilities: [[gpu]]", "I downloaded the weights from the lanzou link "
     "but it says File sharing has been cancelled.", "docker.desktop"),
    # ... unless it answered with its page for a distribution it does not serve
    ("# Unsupported distribution!\n# Check https://nvidia.github.io/nvidia-docker\ngpg: no valid OpenPGP data found.\n"
     "E: Unable to locate package nvidia-docker2", "", "apt.repo-unreachable"),
]

TWENTYFIFTH_SESSION_WORDINGS = [
    # BuildKit naming a base image it cannot find, as written and as resolved, on any registry
    ("ERROR: failed to solve: crpi-abc.cn-hangzhou.personal.cr.aliyuncs.com/team/camb:qwen2.5_vl: "
     "crpi-abc.cn-hangzhou.personal.cr.aliyuncs.com/team/camb:qwen2.5_vl: not found", "", "image.tag-missing"),
    ("failed to solve: pytorch/pytorch:2.9.9-cuda13.1-cudnn9-devel: docker.io/pytorch/pytorch:2.9.9-cuda13.1-cudnn9-devel: "
     "not found", "", "image.tag-missing"),
]

TWENTYFIFTH_SESSION_NOT = [
    # a file the Dockerfile copies, not an image
    ('ERROR: failed to solve: failed to compute cache key: failed to calculate checksum of ref '
     'moby::q1w2e3: "/requirements.txt": not found', "", "image.tag-missing"),
]

SESSION_WORDINGS = (FIFTEENTH_SESSION_WORDINGS + SIXTEENTH_SESSION_WORDINGS + SEVENTEENTH_SESSION_WORDINGS
                    + EIGHTEENTH_SESSION_WORDINGS + NINETEENTH_SESSION_WORDINGS + TWENTIETH_SESSION_WORDINGS
                    + TWENTYFIRST_SESSION_WORDINGS + TWENTYSECOND_SESSION_WORDINGS + TWENTYTHIRD_SESSION_WORDINGS
                    + TWENTYFOURTH_SESSION_WORDINGS + TWENTYFIFTH_SESSION_WORDINGS)
SESSION_NOT = (FIFTEENTH_SESSION_NOT + SIXTEENTH_SESSION_NOT + SIXTEENTH_REVIEW_NOT + SEVENTEENTH_SESSION_NOT
               + SEVENTEENTH_REVIEW_NOT + EIGHTEENTH_SESSION_NOT + NINETEENTH_SESSION_NOT + TWENTIETH_SESSION_NOT
               + TWENTYFIRST_SESSION_NOT + TWENTYSECOND_SESSION_NOT + TWENTYTHIRD_SESSION_NOT
               + TWENTYFOURTH_SESSION_NOT + TWENTYFIFTH_SESSION_NOT)


def test_a_bare_denied_is_the_pulled_images_own_registry_only_when_no_mirror_stands_in():
    """registry-mirrors stand in for Docker Hub alone: "denied" pulling a ghcr.io image is ghcr.io
    refusing the name; pulling a Docker Hub image (another registry only named), or through a cache,
    it stays the mirror's refusal."""
    denied = "Error response from daemon: denied"
    assert _read(denied, "It is a fresh host.", command="docker pull ghcr.io/acme/webapp:1.2") == \
        ("image.tag-missing", True)
    assert _read(denied, "ghcr.io/open-webui/open-webui:main pulls fine; only this one fails.",
                 command="docker pull pytorch/pytorch:2.1.0-cuda12.1-cudnn8-runtime")[0] == "mirror.restricted"
    assert _read(denied, "We pull nvcr.io images through our Harbor pull-through cache.",
                 command="docker pull harbor.corp.local/nvcr/nvidia/pytorch:23.10-py3")[0] == "mirror.restricted"
    # ... and its fix is the package's access, not another tag
    from dldoctor.diagnose import diagnose
    from dldoctor.facts import Facts

    for error, command in ((denied, "docker pull ghcr.io/acme/webapp:1.2"),
                           ("Error response from daemon: unauthorized: authentication required",
                            "docker pull nvcr.io/nvidia/tritonserver:24.01-py3")):
        rep = diagnose(Facts(error=error, command=command))
        fix = next(f.fix for f in rep.findings if f.problem == "image.tag-missing")
        assert "docker login" in fix and "nvidia/cuda" not in fix


@pytest.mark.parametrize("error,notes,want", SESSION_WORDINGS)
def test_each_sessions_wordings_are_read(error, notes, want):
    assert _read(error, notes) == (want, True)


@pytest.mark.parametrize("error,notes,wrong", SESSION_NOT)
def test_each_sessions_rows_do_not_claim_other_faults(error, notes, wrong):
    assert _read(error, notes) != (wrong, True)


def test_a_shell_without_nvidia_ctk_is_told_as_that_not_as_an_unregistered_driver():
    """The reason shown names what the report shows (no nvidia-ctk), not dockerd's device drivers."""
    from dldoctor.diagnose import diagnose
    from dldoctor.facts import Facts

    rep = diagnose(Facts(error="bash: nvidia-ctk: command not found",
                         notes="sudo nvidia-ctk runtime configure --runtime=docker"))
    assert rep.root_causes[0] == "toolkit.missing"
    detail = next(f.detail for f in rep.findings if f.problem == "toolkit.missing")
    assert "nvidia-ctk" in detail and "device driver" not in detail


def test_docker_desktops_stopped_engine_on_windows_is_fixed_by_starting_desktop_not_systemctl():
    from dldoctor.explain import explain

    rep = explain("docker: Error response from daemon: open \\\\.\\pipe\\docker_engine_linux: The system cannot "
                  "find the file specified.")
    assert rep.root_causes[0] == "docker.daemon-down"
    fix = next(f.fix for f in rep.findings if f.problem == "docker.daemon-down")
    assert "Docker Desktop" in fix and "systemctl" not in fix
    # a Linux daemon that is down keeps the systemd fix
    rep = explain("Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?")
    assert "systemctl start docker" in next(f.fix for f in rep.findings if f.problem == "docker.daemon-down")


def test_a_module_dkms_could_not_build_is_fixed_by_what_stopped_the_build():
    """Without the kernel's headers a rebuild fails again; a kernel newer than the driver branch is no
    rebuild's to mend. Elsewhere the catalog's rebuild stands."""
    from dldoctor.explain import explain

    def fix(text):
        rep = explain(text)
        assert rep.root_causes[0] == "driver.not-loaded"
        return next(f.fix for f in rep.findings if f.problem == "driver.not-loaded")

    assert "linux-headers-$(uname -r)" in fix("Error! Your kernel headers for kernel 5.15.0-91-generic cannot be "
                                              "found.\ninstalling nvidia-driver-535")
    newer = fix("/var/lib/dkms/nvidia/560.35.03/build/nvidia-drm/nvidia-drm-drv.c:207:6: error: 'const struct "
                "drm_mode_config_funcs' has no member named 'output_poll_changed'")
    assert "previous kernel" in newer and "linux-headers" not in newer
    assert "--reinstall nvidia-dkms" in fix("nvidia-smi cannot communicate with the driver")
