"""`dldoctor fix` / `undo` against a real dockerd (the lab: dockerd 20.10, docker-registry).

- a registry mirror is written, dockerd reloads (SIGHUP), a running container survives, and
  `docker pull nvidia/cuda:<tag>` is served by the lab's registry (no internet here);
- a restart that fails for real (the lab's dockerd swapped for a wrapper adding a conflicting
  --registry-mirror flag) is rolled back: the old daemon.json is back, and dockerd is up with it;
- an invalid daemon.json is refused with dockerd's own words and the position, byte-identical;
- with no daemon running the file is written and takes effect when dockerd starts.
Each test has its own lab (fresh_lab): fixes change daemon.json and a reload never takes keys away.
"""
import json
import os
from pathlib import Path

import pytest

from lab import run_dldoctor

pytestmark = pytest.mark.lab

CUDA_IMAGE = "nvidia/cuda:12.4.1-base-ubuntu22.04"
FIXTURES = Path(__file__).resolve().parent.parent / "data" / "fixtures" / "daemon-json"


def fix(lab, *args, timeout=120):
    return run_dldoctor(["fix", "--root", str(lab.root), "--only", "daemon-json", "--yes"] +
                        list(args), env=lab.env(), timeout=timeout)


def state(lab, cid):
    return lab.docker("inspect", "-f", "{{.State.Running}} {{.State.Pid}} {{.State.StartedAt}}",
                      cid).stdout.strip()


def test_mirror_is_reloaded_live_and_serves_pulls(fresh_lab):
    lab = fresh_lab
    old = (json.dumps(lab.nvidia_runtime_config(), indent=4) + "\n").encode()
    lab.write_daemon_json(old)
    lab.start_dockerd()
    lab.import_busybox_image("lab/busybox")
    url = lab.start_registry()
    ref = lab.push_to_registry("lab/busybox", CUDA_IMAGE)
    lab.docker("rmi", ref)
    busybox_id = lab.docker("image", "inspect", "-f", "{{.Id}}", "lab/busybox").stdout.strip()
    cid = lab.docker("run", "-d", "--network", "none", "lab/busybox", "sleep", "600").stdout.strip()
    before, pid = state(lab, cid), lab.dockerd_pid()

    r = fix(lab, "--registry-mirror", url)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "reload Docker: registry-mirrors changed" in r.stdout
    new = lab.read_daemon_json()
    assert json.loads(new) == dict(json.loads(old), **{"registry-mirrors": [url]})
    assert new.startswith(old[:-3])                         # old text kept, key appended
    mirrors = lab.docker("info", "--format", "{{json .RegistryConfig.Mirrors}}").stdout
    assert json.loads(mirrors) == [url + "/"]
    assert lab.dockerd_pid() == pid                         # reloaded, not restarted
    assert state(lab, cid) == before                        # the "training job" kept running
    assert before.startswith("true ")
    assert "Got signal to reload configuration" in lab.dockerd_log()

    pulled = lab.docker("pull", CUDA_IMAGE, timeout=120)
    assert "Downloaded newer image for %s" % CUDA_IMAGE in pulled.stdout
    # the lab registry's image (busybox under the CUDA name), not Docker Hub's
    assert lab.docker("image", "inspect", "-f", "{{.Id}}", CUDA_IMAGE).stdout.strip() == busybox_id
    assert lab.docker("run", "--rm", "--network", "none", CUDA_IMAGE, "echo", "hi").stdout == "hi\n"

    again = fix(lab, "--registry-mirror", url)              # re-run after success: nothing to do
    assert again.returncode == 0 and "Nothing to do." in again.stdout
    assert lab.read_daemon_json() == new

    u = run_dldoctor(["undo", "--root", str(lab.root), "--yes"], env=lab.env())
    assert u.returncode == 0, u.stdout + u.stderr
    assert lab.read_daemon_json() == old
    assert "registry-mirrors left /etc/docker/daemon.json" in u.stdout   # a reload keeps them
    assert state(lab, cid) == before


def test_dead_mirror_is_dropped_live_ones_fastest_first_and_undo_restores_the_bytes(fresh_lab):
    import sys
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "provision"))
    from mirror_server import mirror

    lab = fresh_lab
    with lab.bad_mirror() as dead, mirror("live", delay=0.4) as slow:
        old = (json.dumps({"registry-mirrors": [dead, slow]}, indent=2) + "\n").encode()
        lab.write_daemon_json(old)
        lab.start_dockerd()
        url = lab.start_registry()               # the real registry on loopback: the fast one
        pid = lab.dockerd_pid()

        r = fix(lab, "--registry-mirror", url)
        assert r.returncode == 0, r.stdout + r.stderr
        assert "registry mirror %s is removed: 404 Not Found" % dead in r.stdout
        assert json.loads(lab.read_daemon_json())["registry-mirrors"] == [url, slow]
        mirrors = lab.docker("info", "--format", "{{json .RegistryConfig.Mirrors}}").stdout
        assert json.loads(mirrors) == [url + "/", slow + "/"]      # dockerd took it (reload)
        assert lab.dockerd_pid() == pid

        u = run_dldoctor(["undo", "--root", str(lab.root), "--yes"], env=lab.env())
        assert u.returncode == 0, u.stdout + u.stderr
        assert lab.read_daemon_json() == old


def test_failed_restart_is_rolled_back_and_dockerd_is_up_with_the_old_file(fresh_lab):
    lab = fresh_lab
    lab.write_daemon_json({})
    lab.start_dockerd()
    url = lab.start_registry()
    # daemon.json edited after dockerd started: log-driver needs a restart to apply ...
    old = b'{\n    "log-driver": "local"\n}\n'
    lab.write_daemon_json(old)
    # ... and the next start of dockerd will carry a flag that conflicts with what fix writes.
    lab.wrap_dockerd(["--registry-mirror", "http://127.0.0.1:9"])
    pid = lab.dockerd_pid()
    our_ns = os.readlink("/proc/self/ns/mnt")
    lab_ns = os.readlink("/proc/%d/ns/mnt" % pid)

    r = fix(lab, "--restart", "--registry-mirror", url)
    assert r.returncode == 1, r.stdout + r.stderr
    assert "RESTART Docker: log-driver is \"local\" in daemon.json" in r.stdout
    assert ("dldoctor: Docker did not come back after the restart: unable to configure the Docker "
            "daemon with file %s: the following directives are specified both as a flag and in "
            "the configuration file: registry-mirrors" % lab.daemon_json) in r.stderr
    assert "The previous files are back and Docker is running with them." in r.stdout
    assert "Traceback" not in r.stderr

    assert lab.read_daemon_json() == old                    # the old file, byte for byte
    new_pid = lab.dockerd_pid()
    assert new_pid is not None and new_pid != pid
    info = json.loads(lab.docker("info", "--format", "{{json .}}").stdout)
    assert info["LoggingDriver"] == "local"                 # up, with the old file
    assert info["RegistryConfig"]["Mirrors"] == ["http://127.0.0.1:9/"]   # and the wrapper's flag
    # restarted as it was: argv[0] re-executed, in the lab's own mount namespace
    assert os.readlink("/proc/%d/ns/mnt" % new_pid) == lab_ns != our_ns
    with open("/proc/%d/cmdline" % new_pid, "rb") as f:
        assert f.read().split(b"\0")[0] == str(lab.bin / "dockerd").encode()

    listed = run_dldoctor(["undo", "--root", str(lab.root), "--list", "--json"], env=lab.env())
    assert [f["status"] for f in json.loads(listed.stdout)["fixes"]] == ["rolled-back"]


def test_invalid_daemon_json_is_refused_and_left_byte_identical(fresh_lab):
    lab = fresh_lab
    lab.start_dockerd()
    url = lab.start_registry()
    bad = (FIXTURES / "INVALID-trailing-comma-nvidia.json").read_bytes()
    lab.write_daemon_json(bad)
    pid = lab.dockerd_pid()

    r = fix(lab, "--registry-mirror", url)
    assert r.returncode == 1
    assert ("invalid character '}' looking for beginning of object key string (line 9, column 1)"
            in r.stderr)
    assert "--force" in r.stderr and "Traceback" not in r.stderr
    assert lab.read_daemon_json() == bad
    assert lab.dockerd_pid() == pid

    # --force would replace it, but that takes a restart: refused without --restart, untouched.
    r = fix(lab, "--registry-mirror", url, "--force")
    assert r.returncode == 1
    assert "--restart" in r.stderr and "stops every running container" in r.stderr
    assert lab.read_daemon_json() == bad
    assert lab.dockerd_pid() == pid


def test_no_daemon_running_writes_the_file_for_the_next_start(fresh_lab):
    lab = fresh_lab
    url = lab.start_registry()
    old = b'{\n  "log-level": "warn"\n}\n'
    lab.write_daemon_json(old)
    r = fix(lab, "--registry-mirror", url)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "takes effect when Docker starts" in r.stdout
    assert json.loads(lab.read_daemon_json()) == {"log-level": "warn", "registry-mirrors": [url]}
    lab.start_dockerd()
    mirrors = lab.docker("info", "--format", "{{json .RegistryConfig.Mirrors}}").stdout
    assert json.loads(mirrors) == [url + "/"]


def test_hung_daemon_without_a_pid_is_reported_hung_not_stopped(fresh_lab):
    """DOCKER_HOST is a socket that accepts and never answers, and no dockerd pid is to be found:
    fix writes the file, but says the daemon does not answer (as check does) and exits 1; it does
    not claim Docker is stopped."""
    lab = fresh_lab
    old = b'{\n  "log-level": "warn"\n}\n'
    lab.write_daemon_json(old)
    url = lab.start_registry()
    with lab.hung_socket() as path:
        env = lab.env(DOCKER_HOST="unix://" + path)
        r = run_dldoctor(["fix", "--root", str(lab.root), "--only", "daemon-json", "--yes",
                          "--timeout", "3", "--registry-mirror", url],
                         env=env, timeout=120)
    out = r.stdout + r.stderr
    assert r.returncode == 1, out
    assert "Traceback" not in out
    assert "does not respond" in out and "not running" not in out, out
    assert "systemctl restart docker" in out
    assert json.loads(lab.read_daemon_json()) == {"log-level": "warn", "registry-mirrors": [url]}


def test_a_daemon_that_answers_without_a_process_to_signal_is_not_done(fresh_lab, tmp_path):
    """ux9: fix under another --root (dockerd's pidfile is not there) wrote daemon.json, said
    "Docker is not running?" of a daemon that answered, then "Done." with exit 0, though the
    running dockerd never read the file."""
    lab = fresh_lab
    lab.start_dockerd()
    url = lab.start_registry()
    (tmp_path / "etc" / "docker").mkdir(parents=True)
    (tmp_path / "etc" / "docker" / "daemon.json").write_text('{"log-level": "warn"}\n')
    r = run_dldoctor(["fix", "--root", str(tmp_path), "--only", "daemon-json", "--yes",
                      "--registry-mirror", url], env=lab.env(), timeout=120)
    out = r.stdout + r.stderr
    assert r.returncode == 1, out
    assert "found no dockerd process it can signal" in out, out
    assert "Docker is not running" not in out and "Done." not in out, out
    assert "Docker has not taken the new configuration yet" in out, out
    assert json.loads((tmp_path / "etc/docker/daemon.json").read_text())["registry-mirrors"] == [url]
