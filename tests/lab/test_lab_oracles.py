"""The lab is real: what a user of a GPU Docker host would see, reproduced on this machine.

Each test asserts on the real daemon's own output (dockerd 20.10, Debian's docker.io),
which is what makes these outputs usable as oracles for dldoctor's diagnoses.
"""

import json
import subprocess
import urllib.error
import urllib.request

import pytest

from lab import CUDA_12_4_REQUIRE, LabError, run_as

pytestmark = pytest.mark.lab

CUDA_IMAGE = "nvidia/cuda:12.4.1-base-ubuntu22.04"
NOBODY = 65534
SOCKET_GID = 4242  # a bare gid: no host group is created


def test_gpus_all_prints_the_fixture_through_the_hook(lab):
    r = lab.docker("run", "--rm", "--gpus", "all", "lab/busybox", "nvidia-smi")
    assert r.stdout == lab.fixture_text()
    assert "Driver Version: 550.127.05" in r.stdout

    # Without --gpus the hook does not run, so there is no nvidia-smi in the container:
    # the same split the real toolkit gives.
    r = lab.docker("run", "--rm", "lab/busybox", "nvidia-smi", check=False)
    assert r.returncode != 0
    assert 'exec: "nvidia-smi": executable file not found in $PATH' in r.stderr


def test_host_stubs_print_the_fixture_directly_and_chrooted(lab):
    fixture = lab.fixture_text()
    for exe in (lab.bin / "nvidia-smi", lab.root / "usr" / "bin" / "nvidia-smi"):
        assert subprocess.run([str(exe)], stdout=subprocess.PIPE, universal_newlines=True,
                              check=True).stdout == fixture
    r = lab.chroot("/bin/sh", "-c", "nvidia-smi && busybox cat /usr/share/dldoctor-lab/nvidia-smi.txt")
    assert r.returncode == 0, r.stderr
    assert r.stdout == fixture + fixture


def test_setting_the_fixture_rewrites_every_stub(fresh_lab):
    fresh_lab.nvidia_smi_fixture = "580.173.02-h200.txt"
    fresh_lab.start_dockerd()
    fresh_lab.import_busybox_image("lab/busybox")
    h200 = fresh_lab.fixture_text()
    assert "NVIDIA H200" in h200
    for exe in (fresh_lab.bin / "nvidia-smi", fresh_lab.root / "usr" / "bin" / "nvidia-smi"):
        assert subprocess.run([str(exe)], stdout=subprocess.PIPE, universal_newlines=True).stdout == h200
    assert fresh_lab.docker("run", "--rm", "--gpus", "all", "lab/busybox", "nvidia-smi").stdout == h200


def test_gpus_all_without_the_hook_at_daemon_start_fails(fresh_lab):
    fresh_lab.start_dockerd(hook=False)
    fresh_lab.import_busybox_image("lab/busybox")
    r = fresh_lab.docker("run", "--rm", "--gpus", "all", "lab/busybox", "nvidia-smi", check=False)
    assert r.returncode != 0
    assert 'could not select device driver "" with capabilities: [[gpu]]' in r.stderr


def test_runtime_nvidia_with_its_binary_removed_fails(fresh_lab):
    fresh_lab.write_daemon_json(fresh_lab.nvidia_runtime_config())
    fresh_lab.start_dockerd()
    fresh_lab.import_busybox_image("lab/busybox")
    assert "nvidia" in fresh_lab.docker("info", "--format", "{{json .Runtimes}}").stdout
    ok = fresh_lab.docker("run", "--rm", "--runtime", "nvidia", "lab/busybox", "echo", "through-nvidia")
    assert ok.stdout == "through-nvidia\n"

    (fresh_lab.bin / "nvidia-container-runtime").unlink()
    r = fresh_lab.docker("run", "--rm", "--runtime", "nvidia", "lab/busybox", "true", check=False)
    assert r.returncode != 0
    assert "no such file or directory" in r.stderr
    assert str(fresh_lab.bin / "nvidia-container-runtime") in r.stderr


def test_registry_mirror_serves_the_cuda_image_after_a_reload(fresh_lab):
    lab = fresh_lab
    lab.start_dockerd()
    lab.import_busybox_image("lab/cuda", env={"NVIDIA_REQUIRE_CUDA": CUDA_12_4_REQUIRE})
    url = lab.start_registry()
    ref = lab.push_to_registry("lab/cuda", CUDA_IMAGE)
    assert ref == "%s/%s" % (url.split("://")[1], CUDA_IMAGE)

    lab.write_daemon_json({"registry-mirrors": [url]})
    lab.reload_dockerd()
    mirrors = json.loads(lab.docker("info", "--format", "{{json .RegistryConfig.Mirrors}}").stdout)
    assert mirrors == [url + "/"]
    assert "Registry Mirrors:\n  %s/" % url in lab.docker("info").stdout

    lab.docker("rmi", "lab/cuda", ref)
    assert lab.docker("image", "inspect", CUDA_IMAGE, check=False).returncode != 0
    # No internet here: only the mirror can serve docker.io/nvidia/cuda.
    pulled = lab.docker("pull", CUDA_IMAGE, timeout=120)
    assert "Status: Downloaded newer image for %s" % CUDA_IMAGE in pulled.stdout
    env = json.loads(lab.docker("image", "inspect", "--format", "{{json .Config.Env}}",
                                CUDA_IMAGE).stdout)
    assert "NVIDIA_REQUIRE_CUDA=" + CUDA_12_4_REQUIRE in env


def test_a_running_container_survives_the_sighup_reload(fresh_lab):
    lab = fresh_lab
    lab.write_daemon_json({})
    lab.start_dockerd()
    lab.import_busybox_image("lab/busybox")
    cid = lab.docker("run", "-d", "lab/busybox", "sleep", "300").stdout.strip()
    fmt = "{{.State.Running}} {{.State.Pid}} {{.State.StartedAt}}"
    before = lab.docker("inspect", "--format", fmt, cid).stdout
    pid = lab.dockerd_pid()

    lab.write_daemon_json(lab.nvidia_runtime_config(default=True))
    lab.reload_dockerd()
    assert "Got signal to reload configuration" in lab.dockerd_log()
    assert lab.docker("info", "--format", "{{.DefaultRuntime}}").stdout.strip() == "nvidia"
    assert lab.dockerd_pid() == pid
    assert lab.docker("inspect", "--format", fmt, cid).stdout == before
    assert before.startswith("true ")


def test_a_trailing_comma_makes_dockerd_refuse_to_start(fresh_lab):
    fresh_lab.write_daemon_json('{\n    "runtimes": {},\n}\n')
    with pytest.raises(LabError) as err:
        fresh_lab.start_dockerd(timeout=15)
    assert "unable to configure the Docker daemon with file %s" % fresh_lab.daemon_json in err.value.log
    assert "invalid character '}' looking for beginning of object key string" in err.value.log
    assert fresh_lab.dockerd_pid() is None
    assert fresh_lab.read_daemon_json() == b'{\n    "runtimes": {},\n}\n'


def test_the_socket_for_a_non_root_user(lab):
    docker = [str(lab.bin / "docker"), "version", "--format", "{{.Server.Version}}"]
    denied = run_as(NOBODY, NOBODY, [], docker, env=lab.env())
    assert denied.returncode != 0
    assert "permission denied while trying to connect to the Docker daemon socket" in denied.stderr
    lab.chown_socket(SOCKET_GID)
    try:
        member = run_as(NOBODY, NOBODY, [NOBODY, SOCKET_GID], docker, env=lab.env())
        assert member.stdout.startswith("20.10"), member.stderr
        not_member = run_as(NOBODY, NOBODY, [NOBODY], docker, env=lab.env())
        assert not_member.returncode != 0 and "permission denied" in not_member.stderr
    finally:
        lab.chown_socket(0)


def test_hung_socket_and_bad_mirrors(lab):
    with lab.hung_socket() as path:
        assert len(path) < 100
        with pytest.raises(subprocess.TimeoutExpired):
            subprocess.run([str(lab.bin / "docker"), "version"],
                           env=lab.env(DOCKER_HOST="unix://" + path),
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=2)
    with lab.bad_mirror() as url:
        with pytest.raises(urllib.error.HTTPError) as err:
            urllib.request.urlopen(url + "/v2/", timeout=5)
        assert err.value.code == 404
    with lab.bad_mirror(html=True) as url:
        with urllib.request.urlopen(url + "/v2/", timeout=5) as resp:
            assert resp.status == 200
            assert "Docker-Distribution-Api-Version" not in resp.headers
            assert b"<html>" in resp.read()


def test_dockerd_runs_as_lab_bin_dockerd_and_leaves_the_host_alone(lab):
    with open("/proc/%d/cmdline" % lab.dockerd_pid(), "rb") as f:
        argv = f.read().decode().split("\0")
    assert argv[0] == str(lab.bin / "dockerd")
    assert argv[argv.index("--config-file") + 1] == str(lab.daemon_json)
    # dockerd 20.10 writes /etc/docker/key.json whatever --config-file says, and makes
    # /run/docker/plugins; the overlays of the lab's mount namespace caught both.
    assert "docker/key.json" in lab.host_writes("/etc")
    assert "docker/plugins" in lab.host_writes("/run")
