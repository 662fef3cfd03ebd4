"""dldoctor.verify: what it refuses, and when the smoke test is skipped instead of run. The lab
tests (tests/lab/test_verify_lab.py) run it end to end against a real dockerd."""
import io

import pytest

from dldoctor import verify as verify_mod
from dldoctor.checks import ok, problem
from dldoctor.errors import UsageError
from dldoctor.host.snapshot import SnapshotHost
from dldoctor.model import WARN, Report
from dldoctor.provision import smoke_test
from dldoctor.render import human


def test_a_snapshot_cannot_be_verified(tmp_path):
    (tmp_path / "nvidia-smi").write_text("")
    with pytest.raises(UsageError) as err:
        verify_mod.verify(SnapshotHost(str(tmp_path)))
    assert err.value.exit_code == 2
    assert "snapshot" in str(err.value)


def test_timeouts_must_be_positive():
    class Live:
        is_live = True

    with pytest.raises(UsageError):
        verify_mod.verify(Live(), run_timeout=0)


@pytest.mark.parametrize("pid", ["docker.missing", "docker.daemon-down", "docker.permission-denied",
                                 "docker.group-not-active"])
def test_a_failing_docker_layer_skips_the_smoke_test(pid):
    findings = [ok("gpu", "gpu", "1 GPU"), problem("docker-daemon", "docker", pid, "down")]
    reason = verify_mod.blocking_reason(findings)
    assert reason is not None and pid in reason and "docker-daemon" in reason


def test_other_failures_and_warnings_do_not_block_it():
    findings = [problem("nvidia-toolkit", "toolkit", "toolkit.missing", "none"),
                problem("docker-group", "docker", "docker.group-not-active", "later", status=WARN)]
    assert verify_mod.blocking_reason(findings) is None


def test_a_skipped_smoke_test_says_why_without_verbose():
    # seen on a real H200 host without Docker: the table said "GPU smoke test not run" and no more
    findings = [ok("gpu", "gpu", "1 GPU"), problem("docker-engine", "docker", "docker.missing", "none")]
    reason = verify_mod.blocking_reason(findings)
    out = io.StringIO()
    human.render(Report(tuple(findings) + (smoke_test.skipped(reason),), ("docker.missing",)), out=out)
    lines = out.getvalue().splitlines()
    at = [i for i, line in enumerate(lines) if "GPU smoke test not run" in line][0]
    assert "Docker" in lines[at + 1] and "docker.missing" in lines[at + 1]


@pytest.mark.parametrize("pid", ["driver.missing", "driver.not-loaded"])
def test_no_driver_here_blocks_a_local_smoke_test_before_its_pull(pid):
    """verify pulled an image (GBs on a slow link) for a run certain to fail: no driver on this
    host. A remote daemon or Docker Desktop's VM has its own, and a warning blocks nothing."""
    findings = [problem("nvidia-driver", "gpu", pid, "none")]
    reason = verify_mod.blocking_reason(findings, local_daemon=True)
    assert reason is not None and pid in reason
    assert verify_mod.blocking_reason(findings, local_daemon=False) is None
    desktop = findings + [problem("docker-daemon", "docker", "docker.desktop", "vm", status=WARN)]
    assert verify_mod.blocking_reason(desktop, local_daemon=True) is None
    warned = [problem("nvidia-driver", "gpu", pid, "nvml", status=WARN)]
    assert verify_mod.blocking_reason(warned, local_daemon=True) is None


@pytest.mark.parametrize("env, local", [({}, True), ({"DOCKER_HOST": "unix:///run/docker.sock"}, True),
                                        ({"DOCKER_HOST": "ssh://gpu-box"}, False),
                                        ({"DOCKER_HOST": "tcp://10.0.0.5:2376"}, False),
                                        ({"DOCKER_CONTEXT": "remote"}, False)])
def test_which_daemon_is_this_hosts_own(env, local):
    class Host:
        def getenv(self, name):
            return env.get(name)

    assert verify_mod._local_daemon(Host()) is local
