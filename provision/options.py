"""What the user asked `dldoctor fix` for, as one value every step plans from."""
from __future__ import annotations

from typing import Optional, Tuple

from dldoctor.records import frozen_record


@frozen_record
class FixOptions:
    presets: Tuple[str, ...] = ()            # --mirror NAME (aliyun, tuna, ustc, huawei, tencent, azure)
    registry_mirrors: Tuple[str, ...] = ()   # --registry-mirror URL (Docker Hub mirrors), probed first
    default_runtime: Optional[str] = None    # --default-runtime nvidia
    force: bool = False                      # --force: edit an invalid daemon.json anyway
    allow_restart: bool = False              # --restart: a restart (stops containers) is allowed
    user: Optional[str] = None               # docker-group step: SUDO_USER unless given
    docker_key: Optional[str] = None         # --docker-key FILE (offline hosts)
    nvidia_key: Optional[str] = None         # --nvidia-key FILE
    docker_fingerprint: Optional[str] = None  # pin override (tests, private repos)
    nvidia_fingerprint: Optional[str] = None
    docker_apt_base: Optional[str] = None    # --docker-apt-base URL (overrides the preset's)
    nvidia_apt_base: Optional[str] = None    # --nvidia-apt-base URL
    probe_timeout: float = 5.0
    keep_mirrors: bool = False               # --keep-mirrors: never drop a configured mirror
    no_probe: bool = False                   # --no-probe: write --registry-mirror unprobed
    engine: Optional[str] = None             # --engine docker-ce: replace a working distro Docker
    # Set by fix, not the user: the steps of this run that were not left out, nor blocked when
    # planned so far. packages installs only from repositories the host lists unless apt-repos
    # runs; daemon-json does not promise a toolkit packages will not install.
    running: Tuple[str, ...] = ("apt-repos", "packages", "docker-group", "daemon-json")
