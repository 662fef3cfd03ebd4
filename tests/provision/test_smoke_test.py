"""provision/smoke_test.py: each stage's outcome from what docker and the registry really print,
through a scripted Host (the lab tests run the same paths against a real dockerd)."""
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple

import pytest

from dldoctor.facts import Facts
from dldoctor.host import NOT_FOUND, CommandResult, Evidence, Host, HttpResponse
from dldoctor.model import FAIL, OK, Finding
from dldoctor.parse.docker_info import DockerInfo
from dldoctor.parse.nvidia_smi import parse_nvidia_smi
from dldoctor.provision import smoke_test
from dldoctor.verify import run_smoke_test

from lab import CUDA_12_4_REQUIRE

SMI = Path(__file__).resolve().parent.parent / "data" / "fixtures" / "nvidia-smi"
A10 = (SMI / "550.127.05-A10.txt").read_text()
CUDA_IMAGE = "nvidia/cuda:12.4.1-base-ubuntu22.04"
MIRROR = "https://mirror.example"

# What dockerd 20.10 printed in the lab (tests/lab/test_lab_oracles.py) and what users report.
NO_DEVICE_DRIVER = 'docker: Error response from daemon: could not select device driver "" with capabilities: [[gpu]]\n'
RUNTIME_GONE = ("docker: Error response from daemon: failed to create shim task: OCI runtime create failed: "
                "unable to retrieve OCI runtime error (open /run/containerd/io.containerd.runtime.v2.task/moby/"
                "4c3f/log.json: no such file or directory): fork/exec /usr/bin/nvidia-container-runtime: no "
                "such file or directory: unknown.\n")
REQUIREMENT = ("docker: Error response from daemon: failed to create task for container: failed to create shim "
               "task: OCI runtime create failed: runc create failed: unable to start container process: error "
               "during container init: error running hook #0: error running hook: exit status 1, stdout: , "
               "stderr: Auto-detected mode as 'legacy'\nnvidia-container-cli: requirement error: unsatisfied "
               "condition: cuda>=12.6, please update your driver to a newer version, or use an earlier cuda "
               "container: unknown.\n")
MANIFEST_UNKNOWN = ("Error response from daemon: manifest for nvidia/cuda:12.4.1-base-ubuntu22.04 not found: "
                    "manifest unknown: manifest unknown\n")
NO_HOST = ('Error response from daemon: Get "https://registry-1.docker.io/v2/": dial tcp: lookup '
           'registry-1.docker.io on 10.255.255.53:53: no such host\n')


class ScriptedHost(Host):
    """`run` answers from (argv prefix -> CommandResult) rules, `http_get` from URL prefixes."""

    is_live = True
    root = "/"
    timeout = 5.0

    def __init__(self, rules: Sequence[Tuple[Tuple[str, ...], CommandResult]] = (),
                 http: Optional[Dict[str, HttpResponse]] = None):
        self.rules = list(rules)
        self.http = http or {}
        self.ran: List[Tuple[str, ...]] = []
        self.fetched: List[str] = []

    def run(self, argv, timeout=None, input=None):
        argv = tuple(argv)
        self.ran.append(argv)
        for prefix, res in self.rules:
            if argv[:len(prefix)] == prefix:
                return CommandResult(argv, res.rc, res.stdout, res.stderr, res.timed_out, res.error)
        if argv[:3] == ("docker", "image", "inspect"):
            return CommandResult(argv, 1, "", "Error: No such image: %s\n" % argv[-1])
        return CommandResult(argv, NOT_FOUND, "", "%s: command not found\n" % argv[0])

    def run_host_cmd(self, argv, timeout=None):
        return self.run(argv, timeout)

    def http_get(self, url, timeout=5.0, headers=None):
        self.fetched.append(url)
        for prefix, resp in self.http.items():
            if url.startswith(prefix):
                return resp
        return HttpResponse(url, None, error="Name or service not known")

    def commands(self, *head: str) -> List[Tuple[str, ...]]:
        return [a for a in self.ran if a[:len(head)] == head]


def ok(stdout: str = "", stderr: str = "") -> CommandResult:
    return CommandResult((), 0, stdout, stderr)


def failed(stderr: str, rc: int = 125) -> CommandResult:
    return CommandResult((), rc, "", stderr)


def local(env: Sequence[str]) -> Tuple[Tuple[str, ...], CommandResult]:
    import json

    return ("docker", "image", "inspect"), ok(json.dumps(list(env)) + "\n")


def make_facts(smi: str = A10, runtimes: Sequence[str] = ("io.containerd.runc.v2", "nvidia", "runc"),
               mirrors: Sequence[str] = (), binaries: Optional[Dict[str, Optional[str]]] = None) -> Facts:
    facts = Facts()
    facts.raw["nvidia-smi"] = Evidence("nvidia-smi", smi, exit=0, source="nvidia-smi")
    facts.nvidia_smi = parse_nvidia_smi(smi)
    facts.docker_info = DockerInfo(server_version="24.0.7", runtimes=tuple(runtimes),
                                   registry_mirrors=tuple(mirrors))
    facts.daemon_json = None
    facts.binaries = dict(binaries or {"nvidia-container-runtime-hook": None})
    return facts


def smoke(host: Host, facts: Facts, image: Optional[str] = None, checks: Sequence[Finding] = ()) -> Finding:
    f = run_smoke_test(host, facts, image=image, run_timeout=30, pull_timeout=60,
                                  checks=checks)
    assert (f.check, f.area) == ("smoke-test", "smoke-test")
    return f


def test_success_compares_gpu_count_and_driver_with_the_host():
    host = ScriptedHost([local(["NVIDIA_REQUIRE_CUDA=" + CUDA_12_4_REQUIRE]),
                         (("docker", "run"), ok(A10))])
    f = smoke(host, make_facts())
    assert f.status == OK and f.problem is None
    assert f.title == "A container sees the GPUs: 1 × NVIDIA A10, driver 550.127.05"
    assert host.commands("docker", "pull") == []  # the image is local
    (run,) = host.commands("docker", "run")
    assert run[:4] == ("docker", "run", "--rm", "--name") and run[4].startswith("dldoctor-smoke-")
    assert run[5:] == ("--network", "none", "--gpus", "all", "--runtime", "nvidia", CUDA_IMAGE, "nvidia-smi")
    assert f.evidence[0] == ("$ docker run --rm --network none --gpus all --runtime nvidia "
                             "nvidia/cuda:12.4.1-base-ubuntu22.04 nvidia-smi")
    assert "Driver Version: 550.127.05" in f.evidence[1]
    assert f.evidence[-1].startswith("preflight (local image): driver 550.127.05 (CUDA 12.4) meets cuda>=12.4")


def test_no_nvidia_runtime_no_runtime_flag_and_the_image_follows_the_driver():
    h200 = (SMI / "580.173.02-h200.txt").read_text()
    host = ScriptedHost([(("docker", "pull"), ok("Status: Downloaded\n")), (("docker", "run"), ok(h200))])
    f = smoke(host, make_facts(h200, runtimes=("runc",)))
    assert f.status == OK, f
    assert host.commands("docker", "pull") == [("docker", "pull", "nvidia/cuda:13.0.2-base-ubuntu24.04")]
    assert "--runtime" not in host.commands("docker", "run")[0]


def test_preflight_refuses_an_image_the_driver_cannot_run_before_any_pull():
    host = ScriptedHost([local(["NVIDIA_REQUIRE_CUDA=cuda>=12.6", "CUDA_VERSION=12.6.3"])])
    f = smoke(host, make_facts(), image="nvidia/cuda:12.6.3-base-ubuntu24.04")
    assert (f.status, f.problem) == (FAIL, "driver.too-old-for-image")
    assert "requires CUDA 12.6" in f.detail and "supports CUDA up to 12.4" in f.detail
    assert "driver 550.127.05" in f.detail
    assert f.evidence[0] == "NVIDIA_REQUIRE_CUDA=cuda>=12.6"
    assert "nvidia/cuda:12.4.1-base-ubuntu22.04" in f.fix
    assert host.commands("docker", "pull") == [] and host.commands("docker", "run") == []


def test_preflight_weighs_the_gpu_brand_from_nvidia_smi_q():
    from dldoctor.provision import cuda_images

    req = cuda_images.require_cuda(cuda_images.tag("12.6.3"))
    q = "==============NVSMI LOG==============\nDriver Version : 550.127.05\n" \
        "GPU 00000000:06:00.0\n    Product Name : NVIDIA GeForce RTX 4090\n    Product Brand : GeForce\n"
    host = ScriptedHost([local(["NVIDIA_REQUIRE_CUDA=" + req]), (("nvidia-smi", "-q"), ok(q))])
    f = smoke(host, make_facts(), image="nvidia/cuda:12.6.3-base-ubuntu24.04")
    assert f.problem == "driver.too-old-for-image"
    assert "not geforce" in f.detail
    # A brand the window covers (A10: "NVIDIA") goes on to run.
    host = ScriptedHost([local(["NVIDIA_REQUIRE_CUDA=" + req]),
                         (("nvidia-smi", "-q"), ok(q.replace(": GeForce", ": NVIDIA"))),
                         (("docker", "run"), ok(A10))])
    f = smoke(host, make_facts(), image="nvidia/cuda:12.6.3-base-ubuntu24.04")
    assert f.status == OK
    assert "exception for driver branch 550" in f.evidence[-1]


def test_a_missing_tag():
    host = ScriptedHost([(("docker", "pull"), failed(MANIFEST_UNKNOWN, 1))])
    f = smoke(host, make_facts(), image="nvidia/cuda:11.0-base")
    assert (f.status, f.problem) == (FAIL, "image.tag-missing")
    assert MANIFEST_UNKNOWN.strip() in f.evidence
    assert "dldoctor verify --image nvidia/cuda:12.4.1-base-ubuntu22.04" in f.fix
    assert host.commands("docker", "run") == []


def test_a_pull_that_fails_behind_a_dead_mirror_names_the_mirror():
    not_registry = HttpResponse(MIRROR + "/v2/", 404, {"Content-Type": "text/plain"}, b"404 page not found\n")
    host = ScriptedHost([(("docker", "pull"), failed(NO_HOST, 1))], http={MIRROR + "/v2/": not_registry})
    f = smoke(host, make_facts(mirrors=[MIRROR + "/"]))
    assert (f.status, f.problem) == (FAIL, "mirror.dead")
    assert f.evidence[0] == "GET https://mirror.example/v2/ -> 404 Not Found: no registry API at /v2/"
    assert NO_HOST.strip() in f.evidence
    # The preflight asked the mirror for the manifest first.
    assert host.fetched[0] == MIRROR + "/v2/nvidia/cuda/manifests/12.4.1-base-ubuntu22.04"


def test_a_pull_that_cannot_reach_docker_hub_without_mirrors():
    host = ScriptedHost([(("docker", "pull"), failed(NO_HOST, 1))])
    f = smoke(host, make_facts())
    assert (f.status, f.problem) == (FAIL, "registry.unreachable")


def test_a_pull_that_times_out():
    host = ScriptedHost([(("docker", "pull"), CommandResult((), None, "12.4.1: Pulling from nvidia/cuda\n",
                                                            "", True, "no answer within 60.0 s"))])
    f = smoke(host, make_facts())
    assert f.problem == "registry.unreachable"
    assert any("did not finish" in e for e in f.evidence)


@pytest.mark.parametrize("error,binaries,pid", [
    (NO_DEVICE_DRIVER, {"nvidia-container-runtime-hook": None}, "toolkit.missing"),
    (NO_DEVICE_DRIVER, {"nvidia-container-runtime-hook": "/usr/bin/nvidia-container-runtime-hook"},
     "toolkit.daemon-not-restarted"),
    (RUNTIME_GONE, {}, "runtime.binary-missing"),
    (REQUIREMENT, {}, "driver.too-old-for-image"),
])
def test_a_failed_run_is_diagnosed_from_dockers_own_error(error, binaries, pid):
    host = ScriptedHost([local([]), (("docker", "run"), failed(error))])
    f = smoke(host, make_facts(binaries=binaries))
    assert (f.status, f.problem) == (FAIL, pid)
    assert f.evidence[0].startswith("$ docker run --rm --network none --gpus all")
    first_error = [l.strip() for l in error.splitlines() if "rror" in l][0]
    assert first_error[:200] in f.evidence[1]
    assert f.fix  # from the catalog


def test_nvidia_smi_failing_inside_the_container():
    host = ScriptedHost([local([]), (("docker", "run"), failed("Failed to initialize NVML: Unknown Error\n", 255))])
    f = smoke(host, make_facts())
    assert f.problem == "cgroup.nvml-unknown-error"


def test_fewer_gpus_inside_than_on_the_host():
    eight = (SMI / "550.90.07-8xH100.txt").read_text()
    one = (SMI / "550.127.05-A10.txt").read_text().replace("550.127.05", "550.90.07")
    host = ScriptedHost([local([]), (("docker", "run"), ok(one))])
    f = smoke(host, make_facts(eight))
    assert f.problem == "container.no-gpu-request"
    assert "sees 1 of the host's 8 GPUs" in f.detail


def test_another_driver_inside_means_the_image_brings_its_own():
    inside = A10.replace("550.127.05", "535.129.03")
    host = ScriptedHost([local([]), (("docker", "run"), ok(inside))])
    f = smoke(host, make_facts())
    assert f.problem == "image.bundles-driver-libs"
    assert "reports driver 535.129.03, the host runs 550.127.05" in f.detail


def test_a_hung_run_is_cleaned_up():
    host = ScriptedHost([local([]), (("docker", "run"), CommandResult((), None, "", "", True, "no answer within 30.0 s")),
                         (("docker", "rm"), ok())])
    f = smoke(host, make_facts())
    assert f.status == FAIL
    (rm,) = host.commands("docker", "rm")
    name = host.commands("docker", "run")[0][4]
    assert rm == ("docker", "rm", "-f", name)


def test_an_unknown_error_falls_back_on_the_checks_root_cause():
    from dldoctor.checks import problem

    check = problem("nvidia-toolkit", "toolkit", "toolkit.ldconfig", "ldconfig = /sbin/ldconfig")
    host = ScriptedHost([local([]), (("docker", "run"), failed("docker: something new and strange\n"))])
    f = smoke(host, make_facts(), checks=[check])
    assert f.problem == "toolkit.ldconfig" and f.confidence == smoke_test.GUESS
    f = smoke(ScriptedHost([local([]), (("docker", "run"), failed("docker: something new\n"))]), make_facts())
    assert f.status == FAIL and f.confidence == smoke_test.GUESS


def test_skipped():
    f = smoke_test.skipped("docker-daemon failed")
    assert (f.check, f.status, f.problem, f.detail) == ("smoke-test", "skip", None, "docker-daemon failed")


# --- the plan (verify --dry-run shows it; prepare reads, plan and judge never run docker) ----------


def plan_of(host: Host, facts: Facts, image: Optional[str] = None):
    opts = smoke_test.SmokeOptions(image=image)
    bound = smoke_test.step.prepare(host, facts, opts)
    return bound, bound.plan(facts, opts)


def test_the_plan_of_a_local_image_is_the_run_alone_and_nothing_runs_while_planning():
    host = ScriptedHost([local(["NVIDIA_REQUIRE_CUDA=" + CUDA_12_4_REQUIRE])])
    bound, plan = plan_of(host, make_facts())
    assert host.commands("docker", "pull") == [] and host.commands("docker", "run") == []
    (run,) = plan.changes
    assert run.argv[:4] == ("docker", "run", "--rm", "--name") and run.argv[-2:] == (CUDA_IMAGE, "nvidia-smi")
    assert run.undo == ("docker", "rm", "-f", run.argv[4])
    assert plan.notes[0] == ("image: %s (the newest maintained nvidia/cuda base tag the driver runs: "
                             "CUDA 12.4, read from nvidia-smi)" % CUDA_IMAGE)
    assert plan.notes[1].startswith("preflight (local image): driver 550.127.05 (CUDA 12.4) meets")
    assert bound.to_json()["preflight"]["where"] == "local image"


def test_the_plan_of_a_remote_image_pulls_first():
    h200 = (SMI / "580.173.02-h200.txt").read_text()
    _bound, plan = plan_of(ScriptedHost(), make_facts(h200, runtimes=("runc",)),
                           image="nvidia/cuda:13.0.2-base-ubuntu24.04")
    pull, run = plan.changes
    assert pull.argv == ("docker", "pull", "nvidia/cuda:13.0.2-base-ubuntu24.04")
    assert "--runtime" not in run.argv
    assert plan.notes[0] == "image: nvidia/cuda:13.0.2-base-ubuntu24.04 (given with --image)"


def test_an_image_the_driver_cannot_run_is_a_blocked_plan_with_the_image_that_would():
    host = ScriptedHost([local(["NVIDIA_REQUIRE_CUDA=cuda>=12.6", "CUDA_VERSION=12.6.3"])])
    _bound, plan = plan_of(host, make_facts(), image="nvidia/cuda:12.6.3-base-ubuntu24.04")
    assert plan.changes == () and "requires CUDA 12.6" in plan.blocked
    assert "dldoctor verify --image nvidia/cuda:12.4.1-base-ubuntu22.04" in plan.unblock


def test_an_unprepared_smoke_step_refuses_to_plan():
    from dldoctor.errors import Refused

    with pytest.raises(Refused, match="prepare phase did not run"):
        smoke_test.step.plan(make_facts(), smoke_test.SmokeOptions())
