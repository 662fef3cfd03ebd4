"""`dldoctor check` against a real dockerd (the lab): what a user sees in each state of the host."""
import json
import shutil
import time

import pytest

from lab import run_dldoctor

pytestmark = pytest.mark.lab

NOBODY = 65534
DOCKER_GID = 999


def check(lab, *extra, user=None, env=None, timeout=60):
    res = run_dldoctor(["check", "--json", "--no-probe", *extra], env=env or lab.env(), timeout=timeout,
                       user=user)
    assert res.returncode in (0, 1), res.stderr
    assert "Traceback" not in res.stderr
    return json.loads(res.stdout), res


def by_check(report, name):
    return [f for f in report["findings"] if f["check"] == name]


def test_daemon_absent(fresh_lab):
    report, res = check(fresh_lab, "--root", str(fresh_lab.root))
    daemon = by_check(report, "docker-daemon")[0]
    assert daemon["status"] == "fail" and daemon["problem"] == "docker.daemon-down"
    assert any("Cannot connect to the Docker daemon" in e for e in daemon["evidence"])
    assert res.returncode == 1
    # the stub driver answers through the root (chrooted nvidia-smi)
    drv = by_check(report, "nvidia-driver")[0]
    assert drv["status"] == "ok" and "550.127.05" in drv["title"]


def test_daemon_up_without_nvidia_runtime(fresh_lab):
    fresh_lab.write_daemon_json({})
    fresh_lab.start_dockerd(hook=False)
    report, _res = check(fresh_lab, "--root", str(fresh_lab.root))
    assert by_check(report, "docker-daemon")[0]["status"] == "ok"
    engine = by_check(report, "docker-engine")[0]
    assert engine["status"] == "ok" and engine["title"].startswith("Docker Engine 20.10")
    rt = by_check(report, "nvidia-runtime")[0]
    assert rt["status"] == "ok" and "No nvidia runtime registered" in rt["title"]
    assert by_check(report, "daemon-json")[0]["status"] == "ok"


def test_runtime_registered_but_binary_missing(fresh_lab):
    runtime = fresh_lab.root / "usr" / "bin" / "nvidia-container-runtime"
    shutil.copy2(str(fresh_lab.bin / "nvidia-container-runtime"), str(runtime))
    fresh_lab.write_daemon_json({"runtimes": {"nvidia": {"path": str(runtime), "runtimeArgs": []}}})
    fresh_lab.start_dockerd(hook=False)
    report, _res = check(fresh_lab, "--root", str(fresh_lab.root))
    assert by_check(report, "nvidia-runtime")[0]["status"] == "ok"
    runtime.unlink()
    report, res = check(fresh_lab, "--root", str(fresh_lab.root))
    rt = by_check(report, "nvidia-runtime")[0]
    assert rt["status"] == "fail" and rt["problem"] == "runtime.binary-missing"
    # nothing of the toolkit is installed in this root, so the missing package is the cause to fix first
    assert report["root_causes"][0] == "toolkit.missing"
    assert res.returncode == 1
    # the daemon itself agrees: a container on that runtime cannot start
    fresh_lab.import_busybox_image("lab/busybox")
    run = fresh_lab.docker("run", "--rm", "--runtime", "nvidia", "lab/busybox", "true", check=False)
    assert run.returncode != 0 and "no such file or directory" in run.stderr


def test_gpus_driver_present_with_stub_hook(fresh_lab):
    hook = fresh_lab.root / "usr" / "bin" / "nvidia-container-runtime-hook"
    shutil.copy2(str(fresh_lab.hookbin / "nvidia-container-runtime-hook"), str(hook))
    fresh_lab.write_daemon_json({})
    fresh_lab.start_dockerd(hook=True)
    report, _res = check(fresh_lab, "--root", str(fresh_lab.root))
    tk = by_check(report, "nvidia-toolkit")[0]
    assert tk["status"] == "ok", tk
    assert any("nvidia-container-runtime-hook" in e for e in tk["evidence"])
    assert "toolkit.missing" not in report["root_causes"]
    drv = by_check(report, "nvidia-driver")[0]
    assert drv["status"] == "ok" and "12.4" in drv["title"]


def test_user_without_socket_permission(lab):
    lab.chown_socket(DOCKER_GID, 0o660)
    report, res = check(lab, user=(NOBODY, NOBODY, []))
    grp = by_check(report, "docker-group")[0]
    assert grp["status"] == "fail" and grp["problem"] == "docker.permission-denied"
    assert any("permission denied" in e for e in grp["evidence"])
    assert "docker.permission-denied" in report["root_causes"]
    assert res.returncode == 1


def test_user_in_group_file_but_not_in_session(lab):
    lab.chown_socket(DOCKER_GID, 0o660)
    group = lab.root / "etc" / "group"
    original = group.read_text()
    try:
        lines = [l for l in original.splitlines() if not l.startswith("docker:")]
        group.write_text("\n".join(lines + ["docker:x:%d:nobody" % DOCKER_GID]) + "\n")
        report, _res = check(lab, "--root", str(lab.root), user=(NOBODY, NOBODY, []))
        grp = by_check(report, "docker-group")[0]
        assert grp["status"] == "fail" and grp["problem"] == "docker.group-not-active"
        assert report["root_causes"][0] == "docker.group-not-active"
        # with the group in the session, the same user gets in
        report, _res = check(lab, "--root", str(lab.root), user=(NOBODY, NOBODY, [DOCKER_GID]))
        assert by_check(report, "docker-daemon")[0]["status"] == "ok"
        assert by_check(report, "docker-group")[0]["status"] == "ok"
    finally:
        group.write_text(original)


def test_hung_socket_finishes_within_the_timeout(fresh_lab):
    with fresh_lab.hung_socket() as path:
        env = fresh_lab.env(DOCKER_HOST="unix://" + path)
        start = time.monotonic()
        report, res = check(fresh_lab, "--root", str(fresh_lab.root), "--timeout", "3", env=env, timeout=30)
        elapsed = time.monotonic() - start
    assert elapsed < 3.5, elapsed
    daemon = by_check(report, "docker-daemon")[0]
    assert daemon["status"] == "fail" and daemon["problem"] == "docker.daemon-down"
    assert "does not respond" in daemon["detail"]
    # running, so not "start"; no "sudo ": root checks a root tree that has none to run
    assert daemon["fix"].startswith("systemctl restart docker")
    assert res.returncode == 1


def test_mirror_health_is_probed(fresh_lab):
    """A configured mirror that answers 404 is mirror.dead (with its status and latency); a real
    registry beside it is fine; with no working mirror and no reachable Hub: registry.unreachable."""
    live = fresh_lab.start_registry()
    with fresh_lab.bad_mirror() as dead, fresh_lab.bad_mirror(html=True) as html:
        fresh_lab.write_daemon_json({"registry-mirrors": [dead, live, html]})
        res = run_dldoctor(["check", "--json", "--root", str(fresh_lab.root)], env=fresh_lab.env())
        report = json.loads(res.stdout)
        mirrors = by_check(report, "registry-mirrors")
        dead_f = [f for f in mirrors if f["problem"] == "mirror.dead"]
        assert len(dead_f) == 2, mirrors
        assert any("404" in e and " ms)" in e for f in dead_f for e in f["evidence"]), dead_f
        assert any("HTML" in e for f in dead_f for e in f["evidence"]), dead_f
        assert not [f for f in mirrors if f["problem"] == "registry.unreachable"]
        assert "mirror.dead" in report["root_causes"]

        fresh_lab.write_daemon_json({"registry-mirrors": [dead]})
        env = fresh_lab.env(DLDOCTOR_HUB_URL="http://127.0.0.1:9")  # nothing listens on port 9
        report = json.loads(run_dldoctor(["check", "--json", "--root", str(fresh_lab.root)], env=env).stdout)
        problems = {f["problem"] for f in by_check(report, "registry-mirrors")}
        assert problems == {"mirror.dead", "registry.unreachable"}
        assert "mirror.dead" in report["root_causes"]
        assert "registry.unreachable" not in report["root_causes"]  # the dead mirror explains it


def test_hook_installed_after_dockerd_started(fresh_lab):
    """The toolkit arrives while dockerd runs: check names toolkit.daemon-not-restarted from the
    times, the real daemon agrees (--gpus fails), `fix` without --restart only warns, and
    `fix --restart` restarts dockerd so that --gpus works."""
    hook = fresh_lab.hookbin / "nvidia-container-runtime-hook"
    saved = hook.read_bytes()
    hook.unlink()
    fresh_lab.write_daemon_json({})
    fresh_lab.start_dockerd(hook=True)  # hookbin is on dockerd's PATH, but empty at start
    fresh_lab.import_busybox_image("lab/busybox")
    time.sleep(2.5)  # btime in /proc/stat is whole seconds and the check allows 1 s of slack
    hook.write_bytes(saved)
    hook.chmod(0o755)
    shutil.copy2(str(hook), str(fresh_lab.root / "usr" / "bin" / "nvidia-container-runtime-hook"))

    report, _res = check(fresh_lab, "--root", str(fresh_lab.root))
    gh = by_check(report, "gpu-hook")[0]
    assert gh["status"] == "fail" and gh["problem"] == "toolkit.daemon-not-restarted", gh
    gpus = fresh_lab.docker("run", "--rm", "--gpus", "all", "lab/busybox", "nvidia-smi", check=False)
    assert 'could not select device driver "" with capabilities: [[gpu]]' in gpus.stderr

    pid = fresh_lab.dockerd_pid()
    res = run_dldoctor(["fix", "--root", str(fresh_lab.root), "--yes", "--only", "daemon-json"],
                       env=fresh_lab.env())
    assert "fix --restart" in res.stdout + res.stderr, res.stdout + res.stderr
    assert fresh_lab.dockerd_pid() == pid  # nothing restarted without --restart

    res = run_dldoctor(["fix", "--root", str(fresh_lab.root), "--yes", "--only", "daemon-json", "--restart"],
                       env=fresh_lab.env(), timeout=120)
    assert res.returncode == 0, res.stdout + res.stderr
    assert fresh_lab.dockerd_pid() != pid
    report, _res = check(fresh_lab, "--root", str(fresh_lab.root))
    assert by_check(report, "gpu-hook")[0]["status"] == "ok"
    gpus = fresh_lab.docker("run", "--rm", "--gpus", "all", "lab/busybox", "nvidia-smi", "-L", check=False)
    assert gpus.returncode == 0 and "NVIDIA A10" in gpus.stdout, gpus.stderr
