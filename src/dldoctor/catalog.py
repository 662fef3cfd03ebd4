"""The problem catalog (shared/diagnoses.md) in code: IDs, areas, titles, fixes, and which
problem causes which, so root causes can be ranked above the symptoms they produce.

IDs are a contract: never rename one. Every ID here has docs/findings/<id>.md.
"""
from __future__ import annotations


from dldoctor.i18n import _
from dldoctor.records import frozen_record

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Dict, FrozenSet, Set, Tuple


@frozen_record
class Problem:
    id: str
    area: str
    layer: int      # lower = nearer the bottom of the stack (fix those first)
    title: str      # English; translated at render time through _()
    fix: str


def _p(id: str, area: str, layer: int, title: str, fix: str) -> Tuple[str, Problem]:
    return id, Problem(id, area, layer, title, fix)


PROBLEMS: Dict[str, Problem] = dict([
    _p("os.unsupported", "system", 0, "Distribution or release not served by the Docker / NVIDIA repositories",
       "Upgrade to a supported release (Ubuntu 20.04+, Debian 11+) before installing docker-ce and the NVIDIA Container Toolkit."),
    _p("os.wsl", "system", 0, "Running under WSL: the NVIDIA driver lives on Windows",
       "Install the NVIDIA driver on Windows only; never install a Linux NVIDIA driver inside WSL. Remove any Linux driver packages (sudo apt-get remove --purge 'nvidia-driver-*' 'libnvidia-*') and run `wsl --update` on Windows."),
    _p("os.wsl-gpu-unsupported", "system", 0, "WSL cannot give this Linux the GPU (WSL 1, an old Windows build or a Windows driver without WSL support)",
       "Convert the distribution to WSL 2 (wsl --set-version <distro> 2), update Windows to 10 21H2 (build 19044) or later and install a current NVIDIA Windows driver; then `ls /dev/dxg /usr/lib/wsl/lib/libnvidia-ml.so.1` must list both."),
    _p("os.reboot-required", "system", 1, "The host needs a reboot (kernel or driver updated)",
       "sudo reboot"),
    _p("os.selinux", "system", 0, "SELinux is blocking the NVIDIA toolkit or its wrapper",
       "Restore the file contexts (sudo restorecon -Rv /usr/bin/nvidia-* /usr/bin/docker) or install the container-selinux policy; check `ausearch -m avc -ts recent`."),
    _p("gpu.absent", "gpu", 0, "No NVIDIA GPU on the PCI bus",
       "Check that the GPU is installed and, on a VM, passed through to it (lspci -nn | grep -i nvidia must list it)."),
    _p("driver.missing", "gpu", 1, "NVIDIA driver not installed",
       "sudo ubuntu-drivers install  (or: sudo apt-get install nvidia-driver-<branch>), then reboot."),
    _p("driver.nouveau", "gpu", 1, "The nouveau driver holds the GPU",
       "Blacklist nouveau (echo -e 'blacklist nouveau\\noptions nouveau modeset=0' | sudo tee /etc/modprobe.d/blacklist-nouveau.conf; sudo update-initramfs -u), install the NVIDIA driver, reboot."),
    _p("driver.secure-boot", "gpu", 1, "Secure Boot refused the unsigned NVIDIA kernel module",
       "Enrol the DKMS signing key (sudo mokutil --import /var/lib/shim-signed/mok/MOK.der, reboot, confirm in MOK manager) or disable Secure Boot."),
    _p("driver.not-loaded", "gpu", 2, "NVIDIA driver installed but its kernel module is not loaded",
       "Rebuild and load the module for the running kernel: sudo apt-get install --reinstall nvidia-dkms-<branch> (or `sudo dkms autoinstall`), then sudo modprobe nvidia, or reboot."),
    _p("driver.version-mismatch", "gpu", 2, "NVIDIA user-space libraries and the loaded kernel module differ",
       "Reboot so the kernel loads the module that matches the installed libraries (or unload and reload it: sudo rmmod nvidia_uvm nvidia_drm nvidia_modeset nvidia && sudo modprobe nvidia). If it persists after a reboot, reinstall one driver branch so libraries and DKMS module agree."),
    _p("driver.uvm-missing", "gpu", 3, "nvidia_uvm is not loaded (/dev/nvidia-uvm missing)",
       "sudo modprobe nvidia-uvm (install nvidia-modprobe so it loads on demand)."),
    _p("driver.too-old-for-image", "image", 9, "The image needs a newer CUDA than the driver supports",
       "Use an image whose CUDA the driver supports (see `dldoctor verify`, which picks one), or upgrade the NVIDIA driver."),
    _p("driver.too-old-for-toolkit", "gpu", 3, "The driver is too old for the NVIDIA Container Toolkit",
       "Upgrade the NVIDIA driver to a supported branch (>= 450), or pin an older toolkit."),
    _p("gpu.mig-device-id", "gpu", 8, "MIG device requested with an ID format the driver does not use",
       "Use the MIG UUIDs exactly as `nvidia-smi -L` prints them (MIG-<uuid>) in --gpus / NVIDIA_VISIBLE_DEVICES."),
    _p("docker.missing", "docker", 3, "Docker is not installed",
       "sudo dldoctor fix --only apt-repos --only packages  (installs docker-ce from Docker's repository or a mirror)."),
    _p("docker.daemon-down", "docker", 5, "The Docker daemon is not running or not responding",
       "sudo systemctl start docker  (see `sudo journalctl -u docker -n 50` for why it stopped)."),
    _p("docker.permission-denied", "docker", 5, "This user may not use the Docker socket",
       "sudo dldoctor fix --only docker-group  (adds you to the docker group), then log in again or run `newgrp docker`."),
    _p("docker.group-not-active", "docker", 4, "You are in the docker group, but this login session predates it",
       "Log out and back in (or run `newgrp docker` in this shell); tmux/IDE servers must be restarted too."),
    _p("docker.too-old", "docker", 4, "Docker is older than 19.03 and has no --gpus",
       "sudo dldoctor fix --only apt-repos --only packages  (installs current docker-ce)."),
    _p("docker.snap", "docker", 2, "Docker is the snap package, which the NVIDIA toolkit does not serve",
       "sudo snap remove docker, then install docker-ce from apt: sudo dldoctor fix."),
    _p("docker.desktop", "docker", 2, "The docker CLI talks to Docker Desktop (a VM), not this host's engine",
       "Switch to the host engine: docker context use default (and install docker-ce there), or use Docker Desktop's own GPU support."),
    _p("docker.rootless", "docker", 2, "Rootless Docker: configuration lives in ~/.config/docker and the toolkit needs no-cgroups",
       "nvidia-ctk runtime configure --runtime=docker --config=$HOME/.config/docker/daemon.json; sudo nvidia-ctk config --set nvidia-container-cli.no-cgroups --in-place; systemctl --user restart docker"),
    _p("docker.proxy-misconfigured", "registry", 3, "dockerd's proxy setting is wrong",
       "Use an http:// URL for a plain HTTP proxy in /etc/systemd/system/docker.service.d/http-proxy.conf (or daemon.json \"proxies\"), then sudo systemctl daemon-reload && sudo systemctl restart docker."),
    _p("daemon-json.invalid", "daemon-json", 4, "/etc/docker/daemon.json is not valid; dockerd will not start",
       "Fix the JSON at the position shown (python3 -m json.tool /etc/docker/daemon.json), then sudo systemctl restart docker."),
    _p("daemon-json.flag-conflict", "daemon-json", 4, "A daemon.json key is also set as a dockerd flag",
       "Remove the key from daemon.json or the flag from the service (for `hosts` with -H fd://, a systemd drop-in with an empty ExecStart= and ExecStart=/usr/bin/dockerd)."),
    _p("daemon-json.unknown-key", "daemon-json", 4, "daemon.json has a key dockerd does not know",
       "Remove or correct the key (a runtime's arguments are `runtimeArgs`, not `args`): sudo dldoctor fix --only daemon-json repairs the runtime entry."),
    _p("toolkit.missing", "toolkit", 6, "NVIDIA Container Toolkit is not installed",
       "sudo dldoctor fix  (adds NVIDIA's apt repository, installs nvidia-container-toolkit, registers the runtime, restarts Docker)."),
    _p("toolkit.daemon-not-restarted", "toolkit", 7, "The toolkit is installed but dockerd has not been restarted since",
       "sudo systemctl restart docker"),
    _p("toolkit.legacy", "toolkit", 6, "Deprecated nvidia-docker v1 / nvidia-docker2 setup",
       "Remove nvidia-docker2 and old repo lists, install nvidia-container-toolkit: sudo dldoctor fix."),
    _p("toolkit.too-old-for-cgroup-v2", "toolkit", 6, "libnvidia-container older than 1.8 on a cgroup v2 host",
       "Upgrade the toolkit: sudo dldoctor fix --only apt-repos --only packages."),
    _p("toolkit.libs-not-found", "toolkit", 6, "The toolkit cannot load the driver's libraries (libnvidia-ml.so.1)",
       "Check that the driver's user-space libraries are installed and in the ld cache (ldconfig -p | grep libnvidia-ml); reinstall the driver's utils package."),
    _p("toolkit.ldconfig", "toolkit", 6, "The toolkit's ldconfig setting is wrong for this distribution",
       "Point ldconfig in /etc/nvidia-container-runtime/config.toml at the program this host has: \"@/sbin/ldconfig.real\" on Ubuntu (where /sbin/ldconfig is a wrapper script), \"@/sbin/ldconfig\" on Debian and other distributions (ls -l /sbin/ldconfig*)."),
    _p("toolkit.rootless-cgroups", "toolkit", 6, "Rootless Docker without no-cgroups in the toolkit config",
       "sudo nvidia-ctk config --set nvidia-container-cli.no-cgroups --in-place"),
    _p("toolkit.no-cgroups-rootful", "toolkit", 6, "no-cgroups = true on a rootful daemon: the GPUs are not allowed in the container's cgroup",
       "Set no-cgroups = false in /etc/nvidia-container-runtime/config.toml (sudo nvidia-ctk config --set nvidia-container-cli.no-cgroups=false --in-place)."),
    _p("runtime.not-registered", "toolkit", 7, "No `nvidia` runtime is registered with dockerd",
       "sudo dldoctor fix --only daemon-json  (registers the nvidia runtime), or use --gpus all instead of --runtime nvidia."),
    _p("runtime.binary-missing", "toolkit", 7, "The `nvidia` runtime is registered but its program is missing",
       "Install nvidia-container-toolkit (sudo dldoctor fix) or correct the runtime path in daemon.json."),
    _p("cgroup.nvml-unknown-error", "toolkit", 8, "GPUs vanish from running containers after systemctl daemon-reload (systemd cgroup driver)",
       "Recreate the container; to prevent it, set \"exec-opts\": [\"native.cgroupdriver=cgroupfs\"] in daemon.json and restart Docker, or use CDI."),
    _p("apt.docker-repo-missing", "apt", 5, "No docker-ce apt repository is configured",
       "sudo dldoctor fix --only apt-repos  (add --mirror tuna/ustc/aliyun behind a slow network)."),
    _p("apt.nvidia-repo-missing", "apt", 5, "No NVIDIA Container Toolkit apt repository is configured",
       "sudo dldoctor fix --only apt-repos"),
    _p("apt.no-pubkey", "apt", 4, "An apt repository's signing key is missing",
       "sudo dldoctor fix --only apt-repos  (installs the pinned keys and references them with Signed-By)."),
    _p("apt.signed-by-conflict", "apt", 4, "The same apt repository is listed twice with different keys",
       "Remove the old list files (sudo dldoctor fix --only apt-repos backs them up and removes them)."),
    _p("apt.repo-unsupported-distro", "apt", 4, "An old per-distribution NVIDIA repository URL that never served this release",
       "Use the generic repository: sudo dldoctor fix --only apt-repos (deb .../libnvidia-container/stable/deb/$(ARCH) /)."),
    _p("apt.broken-source", "apt", 3, "An unrelated broken apt source makes apt-get update fail",
       "Disable or fix the failing source shown, then run apt-get update again."),
    _p("apt.repo-unreachable", "apt", 3, "A repository host the install needs cannot be reached from this network",
       "Check DNS and the route to the host (curl -sSI https://nvidia.github.io/libnvidia-container/gpgkey); behind a slow or blocked network use a mirror of Docker's and NVIDIA's repositories (sudo dldoctor fix --mirror ustc) or an apt proxy (Acquire::https::Proxy)."),
    _p("registry.unreachable", "registry", 8, "Docker Hub cannot be reached from this network",
       "Configure a working registry mirror (sudo dldoctor fix --registry-mirror URL) or a proxy for dockerd."),
    _p("mirror.dead", "registry", 8, "A configured registry mirror no longer serves",
       "sudo dldoctor fix --only daemon-json --mirror auto removes the mirrors its probe finds dead and adds live ones, fastest first (dldoctor mirrors lists and probes the candidates)."),
    _p("mirror.restricted", "registry", 8, "A registry mirror answers but refuses this image or this client (allowlist, campus-only, per-account)",
       "Keep the mirror for the images it allows; pull the refused image through another mirror or a proxy (dldoctor mirrors lists live ones), or ask the mirror's operator to allow it."),
    _p("mirror.invalid", "daemon-json", 4, "A registry-mirrors entry dockerd rejects",
       "Use a bare scheme://host[:port] URL (no path, query or credentials) in registry-mirrors."),
    _p("image.tag-missing", "image", 9, "The image tag does not exist",
       "Pick an existing tag (nvidia/cuda has no `latest`; e.g. nvidia/cuda:12.4.1-base-ubuntu22.04)."),
    _p("container.shm-too-small", "container", 9, "/dev/shm in the container is too small (64 MB default)",
       "Run with --shm-size=8g (or --ipc=host), or set \"default-shm-size\" in daemon.json."),
    _p("container.root-owned-files", "container", 9, "Files written from a root container are owned by root on the host",
       "Run with --user $(id -u):$(id -g), or chown the files afterwards."),
    _p("container.no-gpu-request", "container", 9, "The container was started without a GPU request",
       "Add --gpus all (or --runtime nvidia / a CDI device: --device nvidia.com/gpu=all)."),
    _p("container.run-mount-conflict", "container", 9, "A bind mount of /run collides with the toolkit's nvidia-persistenced socket",
       "Do not bind-mount the host's /run into the container; mount only the sockets you need."),
    _p("image.bundles-driver-libs", "image", 9, "The image ships its own NVIDIA driver libraries",
       "Remove libnvidia-*/libcuda.so* from the image (they come from the host at run time) or use an official nvidia/cuda base."),
])

# cause -> problems it produces. Used to keep symptoms out of root_causes when their cause is present.
CAUSES: Dict[str, FrozenSet[str]] = {k: frozenset(v) for k, v in {
    "gpu.absent": ["driver.missing", "driver.not-loaded", "toolkit.libs-not-found", "driver.uvm-missing"],
    "driver.missing": ["driver.not-loaded", "toolkit.libs-not-found", "driver.uvm-missing", "driver.version-mismatch"],
    "driver.nouveau": ["driver.not-loaded", "driver.missing", "toolkit.libs-not-found"],
    "driver.secure-boot": ["driver.not-loaded", "toolkit.libs-not-found", "driver.missing"],
    "driver.not-loaded": ["toolkit.libs-not-found", "driver.uvm-missing"],
    "driver.version-mismatch": ["toolkit.libs-not-found", "driver.not-loaded", "driver.too-old-for-toolkit"],
    "os.wsl": ["driver.missing", "gpu.absent", "driver.not-loaded"],
    "docker.missing": ["docker.daemon-down", "docker.permission-denied", "toolkit.daemon-not-restarted",
                       "runtime.not-registered", "docker.group-not-active"],
    "daemon-json.invalid": ["docker.daemon-down", "toolkit.daemon-not-restarted", "runtime.not-registered"],
    "daemon-json.flag-conflict": ["docker.daemon-down", "toolkit.daemon-not-restarted", "runtime.not-registered"],
    "daemon-json.unknown-key": ["docker.daemon-down"],
    "mirror.invalid": ["docker.daemon-down"],
    "docker.daemon-down": ["toolkit.daemon-not-restarted", "runtime.not-registered", "runtime.binary-missing"],
    "docker.group-not-active": ["docker.permission-denied"],
    "docker.snap": ["toolkit.missing", "toolkit.daemon-not-restarted", "runtime.not-registered",
                    "runtime.binary-missing", "toolkit.libs-not-found"],
    "docker.desktop": ["toolkit.missing", "toolkit.daemon-not-restarted", "runtime.not-registered",
                       "runtime.binary-missing", "toolkit.libs-not-found", "gpu.absent", "driver.missing"],
    "docker.rootless": ["toolkit.rootless-cgroups"],
    "docker.too-old": ["toolkit.daemon-not-restarted", "runtime.not-registered"],
    "toolkit.missing": ["runtime.not-registered", "runtime.binary-missing", "toolkit.daemon-not-restarted",
                        "container.no-gpu-request"],
    "toolkit.legacy": ["runtime.binary-missing"],
    "toolkit.daemon-not-restarted": ["runtime.not-registered"],
    "driver.too-old-for-toolkit": ["toolkit.libs-not-found"],
    "docker.proxy-misconfigured": ["registry.unreachable", "mirror.dead"],
    "mirror.dead": ["registry.unreachable", "image.tag-missing"],
    "apt.broken-source": ["toolkit.missing", "docker.missing", "apt.nvidia-repo-missing", "apt.docker-repo-missing"],
    "apt.no-pubkey": ["toolkit.missing", "docker.missing"],
    "apt.signed-by-conflict": ["toolkit.missing", "docker.missing"],
    "apt.repo-unsupported-distro": ["toolkit.missing"],
    "apt.nvidia-repo-missing": ["toolkit.missing"],
    "apt.docker-repo-missing": ["docker.missing", "docker.too-old"],
    "os.selinux": ["toolkit.libs-not-found", "runtime.binary-missing", "docker.permission-denied"],
    "os.wsl-gpu-unsupported": ["driver.missing", "gpu.absent", "driver.not-loaded", "toolkit.libs-not-found"],
    "apt.repo-unreachable": ["toolkit.missing", "docker.missing", "apt.no-pubkey"],
    "os.unsupported": ["apt.repo-unsupported-distro", "apt.nvidia-repo-missing", "apt.docker-repo-missing"],
    # the image's own libnvidia-ml/libcuda against the host's kernel module: NVML's mismatch, in it
    "image.bundles-driver-libs": ["driver.version-mismatch"],
}.items()}
# cause -> problems it explains directly but not what those produce in turn: a host without an
# NVIDIA GPU has no toolkit for good reason ("could not select device driver" there is the missing
# GPU, not a package to install), yet it does not explain a container run without --gpus.
EXPLAINS_ONLY: Dict[str, FrozenSet[str]] = {"gpu.absent": frozenset({"toolkit.missing"})}
# host setting -> settings under which it explains nothing: an end-of-life release under Docker
# Desktop, whose engine and toolkit come with Desktop from no repository of the distribution's.
VOIDED_BY: Dict[str, FrozenSet[str]] = {"os.unsupported": frozenset({"docker.desktop"})}


def title(problem_id: str) -> str:
    return _(PROBLEMS[problem_id].title)


def fix(problem_id: str) -> str:
    return _(PROBLEMS[problem_id].fix)


def descendants(problem_id: str, depth: int = 0) -> Set[str]:
    """Every problem this one can produce, directly or through others (through at most `depth`
    steps when it is given)."""
    # breadth first: a problem is expanded from the nearest place it occurs (a set's order is
    # hash-seeded, so depth first gave different answers from run to run)
    seen: Set[str] = set()
    level = set(CAUSES.get(problem_id, ()))
    d = 1
    while level:
        seen |= level
        if depth and d >= depth:
            break
        level = {q for p in level for q in CAUSES.get(p, ())} - seen
        d += 1
    return seen


def layer(problem_id: str) -> int:
    p = PROBLEMS.get(problem_id)
    return p.layer if p else 99
