"""`dldoctor verify` end to end in the Docker lab: a real dockerd 20.10, a real registry mirror,
the stub hook that puts a stub nvidia-smi (printing a real fixture) into `--gpus all` containers.

Each of the issue's six outcomes is asserted on the JSON report of
`dldoctor verify --json --root <lab.root>` run with the lab's environment (DOCKER_HOST):
the smoke-test finding's status and problem, root_causes[0], and the exit code.

The lab root is made to look like a host with the toolkit installed (the hook program in
root/usr/bin and the `nvidia` runtime registered with a path inside the root), so the checks
agree with a working host and the smoke test decides. The registry mirror is the lab registry
behind a small logging proxy, so the tests can see which blobs dockerd and dldoctor fetched.
"""
import http.client
import http.server
import json
import shutil
import socket
import threading
import urllib.request
from pathlib import Path
from typing import Dict, List, Tuple

import pytest

from lab import CUDA_12_4_REQUIRE, Lab, run_dldoctor
from lab import require_lab

pytestmark = pytest.mark.lab

CUDA_IMAGE = "nvidia/cuda:12.4.1-base-ubuntu22.04"
MISSING_TAG = "nvidia/cuda:0.0.0-base-dldoctor-lab"


def real_require(version: str) -> str:
    """The NVIDIA_REQUIRE_CUDA of the real nvidia/cuda:<version>-base image (facts.md §2.3)."""
    from dldoctor.provision import cuda_images

    return cuda_images.require_cuda(cuda_images.tag(version))


class LoggingMirror:
    """A pass-through HTTP proxy in front of the lab registry that records every request."""

    def __init__(self, upstream: str) -> None:
        self.upstream = upstream.split("://", 1)[1]
        self.requests: List[Tuple[str, str]] = []
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _forward(self) -> None:
                outer.requests.append((self.command, self.path))
                conn = http.client.HTTPConnection(outer.upstream, timeout=30)
                headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "connection")}
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else None
                conn.request(self.command, self.path, body=body, headers=headers)
                resp = conn.getresponse()
                data = resp.read()
                self.send_response(resp.status)
                for k, v in resp.getheaders():
                    if k.lower() not in ("connection", "transfer-encoding", "content-length"):
                        self.send_header(k, v)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(data)
                conn.close()

            do_GET = do_HEAD = _forward

            def log_message(self, *args) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = "http://127.0.0.1:%d" % self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def blob_gets(self, since: int = 0) -> List[str]:
        """The digests of the blobs fetched (GET) since request number `since`."""
        return [p.rsplit("/", 1)[1] for m, p in self.requests[since:] if m == "GET" and "/blobs/" in p]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def make_toolkit_host(lab: Lab) -> Path:
    """Put the toolkit where --root looks (the hook program, the runtime program); return the
    runtime's path, as daemon.json must name it for dockerd (a live path inside the root)."""
    usr_bin = lab.root / "usr" / "bin"
    runtime = usr_bin / "nvidia-container-runtime"
    shutil.copy(str(lab.bin / "nvidia-container-runtime"), str(runtime))
    shutil.copy(str(lab.hookbin / "nvidia-container-runtime-hook"),
                str(usr_bin / "nvidia-container-runtime-hook"))
    return runtime


def daemon_config(runtime: Path, mirrors: List[str]) -> Dict[str, object]:
    cfg: Dict[str, object] = {"runtimes": {"nvidia": {"path": str(runtime), "runtimeArgs": []}}}
    if mirrors:
        cfg["registry-mirrors"] = mirrors
    return cfg


def layer_digests(registry_url: str, image: str) -> List[str]:
    repo, tag = image.split(":")
    req = urllib.request.Request("%s/v2/%s/manifests/%s" % (registry_url, repo, tag), headers={
        "Accept": "application/vnd.docker.distribution.manifest.v2+json"})
    with urllib.request.urlopen(req, timeout=10) as resp:
        manifest = json.loads(resp.read())
    return [layer["digest"] for layer in manifest["layers"]]


def hub_resolves() -> bool:
    try:
        socket.getaddrinfo("registry-1.docker.io", 443)
        return True
    except OSError:
        return False


def verify(lab: Lab, *args: str, timeout: float = 90) -> Tuple[int, dict, str]:
    r = run_dldoctor(["verify", "--json", "--root", str(lab.root)] + list(args), env=lab.env(),
                     timeout=timeout)
    try:
        report = json.loads(r.stdout)
    except ValueError:
        raise AssertionError("no JSON on stdout (rc %d): %s\n%s" % (r.returncode, r.stdout, r.stderr))
    return r.returncode, report, r.stderr


def smoke_finding(report: dict) -> dict:
    (smoke,) = [f for f in report["findings"] if f["check"] == "smoke-test"]
    return smoke


def image_present(lab: Lab, image: str) -> bool:
    return lab.docker("image", "inspect", image, check=False).returncode == 0


class GpuLab:
    def __init__(self, lab: Lab, runtime: Path, registry: str, mirror: LoggingMirror) -> None:
        self.lab, self.runtime, self.registry, self.mirror = lab, runtime, registry, mirror

    def use_mirrors(self, mirrors: List[str]) -> None:
        self.lab.write_daemon_json(daemon_config(self.runtime, mirrors))
        self.lab.reload_dockerd()


@pytest.fixture(scope="module")
def gpu_lab():
    """A lab that passes every check: toolkit in the root, dockerd started with the hook, the
    nvidia runtime registered, and the lab registry (behind LoggingMirror) as its Docker Hub mirror
    holding busybox images named like nvidia/cuda tags, with their real NVIDIA_REQUIRE_CUDA."""
    require_lab()
    lab = Lab()
    mirror = None
    try:
        runtime = make_toolkit_host(lab)
        lab.write_daemon_json(daemon_config(runtime, []))
        lab.start_dockerd(hook=True)
        registry = lab.start_registry()
        for image, require in ((CUDA_IMAGE, CUDA_12_4_REQUIRE),
                               ("nvidia/cuda:12.6.3-base-ubuntu24.04", real_require("12.6.3")),
                               ("nvidia/cuda:12.5.1-base-ubuntu24.04", real_require("12.5.1"))):
            lab.import_busybox_image("lab/src", env={"NVIDIA_REQUIRE_CUDA": require,
                                                     "CUDA_VERSION": image.split(":")[1].split("-")[0]})
            ref = lab.push_to_registry("lab/src", image)
            lab.docker("rmi", "lab/src", ref)
        mirror = LoggingMirror(registry)
        gl = GpuLab(lab, runtime, registry, mirror)
        gl.use_mirrors([mirror.url])
        yield gl
    finally:
        if mirror is not None:
            mirror.close()
        lab.cleanup()


def test_verify_passes_when_a_container_sees_the_gpus_through_the_mirror(gpu_lab):
    lab = gpu_lab.lab
    assert not image_present(lab, CUDA_IMAGE)
    before = len(gpu_lab.mirror.requests)
    rc, report, _err = verify(lab)
    smoke = smoke_finding(report)
    assert (rc, smoke["status"], smoke["problem"]) == (0, "ok", None), smoke
    assert report["root_causes"] == []
    assert report["summary"]["fail"] == 0
    assert smoke["title"] == "A container sees the GPUs: 1 × NVIDIA A10, driver 550.127.05"
    assert smoke["evidence"][0] == ("$ docker run --rm --network none --gpus all --runtime nvidia "
                                    "%s nvidia-smi" % CUDA_IMAGE)
    assert "Driver Version: 550.127.05" in smoke["evidence"][1]
    assert smoke["evidence"][-1].startswith("preflight (%s): driver 550.127.05 (CUDA 12.4) meets "
                                            "cuda>=12.4" % gpu_lab.mirror.url)
    # The image came through the mirror: dldoctor read its config, dockerd pulled its layer.
    assert image_present(lab, CUDA_IMAGE)
    fetched = gpu_lab.mirror.blob_gets(since=before)
    for digest in layer_digests(gpu_lab.registry, CUDA_IMAGE):
        assert digest in fetched
    # The same, for people: exit 0 and the smoke test line.
    r = run_dldoctor(["verify", "--root", str(lab.root)], env=lab.env(), timeout=90)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "GPU smoke test" in r.stdout and "A container sees the GPUs" in r.stdout


def containers(lab: Lab) -> List[str]:
    out = lab.docker("ps", "-a", "--format", "{{.Names}}").stdout
    return [n for n in out.split() if n]


def test_dry_run_prints_the_plan_and_pulls_and_runs_nothing(gpu_lab):
    lab = gpu_lab.lab
    if image_present(lab, CUDA_IMAGE):
        lab.docker("rmi", CUDA_IMAGE)
    before = len(gpu_lab.mirror.requests)
    had = containers(lab)
    r = run_dldoctor(["verify", "--dry-run", "--json", "--root", str(lab.root)], env=lab.env(),
                     timeout=90)
    assert r.returncode == 0, r.stdout + r.stderr
    doc = json.loads(r.stdout)
    assert (doc["schema"], doc["status"], doc["exit_code"]) == ("dldoctor.verify-plan/1", "dry-run", 0)
    assert doc["image"] == CUDA_IMAGE
    assert doc["image_why"] == ("the newest maintained nvidia/cuda base tag the driver runs: "
                                "CUDA 12.4, read from nvidia-smi")
    assert doc["preflight"]["where"] == gpu_lab.mirror.url and doc["preflight"]["refused"] is False
    assert doc["preflight"]["note"].startswith("driver 550.127.05 (CUDA 12.4) meets cuda>=12.4")
    (plan,) = doc["plan"]
    assert plan["step"] == "smoke-test" and plan["blocked"] is None
    pull, run = plan["changes"]
    assert pull["argv"] == ["docker", "pull", CUDA_IMAGE]
    assert run["argv"][:4] == ["docker", "run", "--rm", "--name"]
    assert run["argv"][5:] == ["--network", "none", "--gpus", "all", "--runtime", "nvidia",
                               CUDA_IMAGE, "nvidia-smi"]
    assert run["undo"] == ["docker", "rm", "-f", run["argv"][4]]
    # Nothing pulled or run: no image, no container, and no layer left the mirror (the image's
    # config was read, as the real run reads it before pulling).
    assert not image_present(lab, CUDA_IMAGE)
    assert containers(lab) == had
    fetched = gpu_lab.mirror.blob_gets(since=before)
    assert len(fetched) == 1 and not set(fetched) & set(layer_digests(gpu_lab.registry, CUDA_IMAGE))
    # The same, for people.
    r = run_dldoctor(["verify", "--dry-run", "--root", str(lab.root)], env=lab.env(), timeout=90)
    assert r.returncode == 0, r.stdout + r.stderr
    lines = r.stdout.splitlines()
    assert lines[0] == "== smoke-test"
    assert "   run: docker pull %s" % CUDA_IMAGE in lines
    assert any(l.startswith("   run: docker run --rm --name dldoctor-smoke-") and
               l.endswith(" --network none --gpus all --runtime nvidia %s nvidia-smi" % CUDA_IMAGE)
               for l in lines)
    assert "   note: image: %s (%s)" % (CUDA_IMAGE, doc["image_why"]) in lines
    assert any(l.startswith("   note: preflight (%s): driver 550.127.05" % gpu_lab.mirror.url)
               for l in lines)
    assert lines[-1] == "Dry run: nothing was pulled or run."
    assert not image_present(lab, CUDA_IMAGE) and containers(lab) == had


def test_dry_run_of_an_image_the_driver_cannot_run_is_blocked(gpu_lab):
    image = "nvidia/cuda:12.6.3-base-ubuntu24.04"
    gpu_lab.lab.nvidia_smi_fixture = "550.40.07-RTX4070.txt"
    try:
        r = run_dldoctor(["verify", "--dry-run", "--root", str(gpu_lab.lab.root), "--image", image],
                         env=gpu_lab.lab.env(), timeout=90)
    finally:
        gpu_lab.lab.nvidia_smi_fixture = "550.127.05-A10.txt"
    assert r.returncode == 1, r.stdout + r.stderr
    assert "   blocked: %s requires CUDA 12.6" % image in r.stdout
    assert "dldoctor verify --image nvidia/cuda:" in r.stdout
    assert "run: docker" not in r.stdout
    assert not image_present(gpu_lab.lab, image)


@pytest.mark.parametrize("fixture,version", [
    ("550.40.07-RTX4070.txt", "12.6.3"),                 # GeForce on R550: no 550 window for it
    ("525.105.17-V100-SXM2-in-container.txt", "12.5.1"),  # R525: no window in 12.5.1 at all
])
def test_preflight_names_driver_too_old_for_image_before_the_pull(gpu_lab, fixture, version):
    lab = gpu_lab.lab
    image = "nvidia/cuda:%s-base-ubuntu24.04" % version
    before = len(gpu_lab.mirror.requests)
    lab.nvidia_smi_fixture = fixture
    try:
        rc, report, _err = verify(lab, "--image", image)
    finally:
        lab.nvidia_smi_fixture = "550.127.05-A10.txt"
    smoke = smoke_finding(report)
    assert (rc, smoke["status"], smoke["problem"]) == (1, "fail", "driver.too-old-for-image")
    assert report["root_causes"][0] == "driver.too-old-for-image"
    need = version.rsplit(".", 1)[0]
    assert "requires CUDA %s" % need in smoke["detail"]
    drv = fixture.split("-")[0]
    assert "the driver %s supports CUDA up to" % drv in smoke["detail"]
    assert smoke["evidence"][0] == "NVIDIA_REQUIRE_CUDA=" + real_require(version)[:297] + "..."
    assert "dldoctor verify --image nvidia/cuda:" in smoke["fix"]
    # Caught before any download: not pulled, and no layer blob left the mirror.
    assert not image_present(lab, image)
    fetched = gpu_lab.mirror.blob_gets(since=before)
    assert len(fetched) == 1  # the image config, which holds NVIDIA_REQUIRE_CUDA
    assert not set(fetched) & set(layer_digests(gpu_lab.registry, image))


def test_a_tag_the_registry_lacks_is_image_tag_missing(gpu_lab):
    lab = gpu_lab.lab
    for image in ("%s/%s" % (lab.registry_host, MISSING_TAG), MISSING_TAG):
        rc, report, _err = verify(lab, "--image", image, "--pull-timeout", "60")
        smoke = smoke_finding(report)
        assert (rc, smoke["status"], smoke["problem"]) == (1, "fail", "image.tag-missing"), smoke
        assert report["root_causes"][0] == "image.tag-missing"
        assert any("404 MANIFEST_UNKNOWN" in e for e in smoke["evidence"])
    # docker's own words, from the registry that lacks the tag:
    rc, report, _err = verify(lab, "--image", "%s/%s" % (lab.registry_host, MISSING_TAG))
    assert "manifest unknown" in " ".join(smoke_finding(report)["evidence"])


def test_a_missing_runtime_program_is_runtime_binary_missing(gpu_lab):
    lab = gpu_lab.lab
    if not image_present(lab, CUDA_IMAGE):
        lab.import_busybox_image(CUDA_IMAGE, env={"NVIDIA_REQUIRE_CUDA": CUDA_12_4_REQUIRE})
    gpu_lab.runtime.unlink()
    try:
        rc, report, _err = verify(lab)
    finally:
        shutil.copy(str(lab.bin / "nvidia-container-runtime"), str(gpu_lab.runtime))
    smoke = smoke_finding(report)
    assert (rc, smoke["status"], smoke["problem"]) == (1, "fail", "runtime.binary-missing"), smoke
    assert report["root_causes"][0] == "runtime.binary-missing"
    error = smoke["evidence"][1]
    assert "fork/exec %s: no such file or directory" % gpu_lab.runtime in error
    # no "sudo ": root verifies a root tree that has none to run
    assert smoke["fix"].startswith("Install nvidia-container-toolkit (dldoctor fix)")


@pytest.mark.parametrize("html", [False, True], ids=["404", "html"])
def test_a_mirror_that_is_not_a_registry_is_mirror_dead(gpu_lab, html):
    lab = gpu_lab.lab
    if image_present(lab, CUDA_IMAGE):
        lab.docker("rmi", CUDA_IMAGE)
    offline = hub_resolves()
    if offline:
        # A network that reaches Docker Hub would rescue the pull: make dockerd's HTTPS go to a
        # closed port, as behind a firewall (the mirror is plain http on loopback, not proxied).
        lab.wrap_dockerd(script='#!/bin/bash\nexport HTTPS_PROXY=http://127.0.0.1:9 NO_PROXY=127.0.0.1\n'
                                'exec -a "$0" %s "$@"\n' % (shutil.which("dockerd") or "/usr/sbin/dockerd"))
    try:
        with lab.bad_mirror(html=html) as bad:
            gpu_lab.lab.write_daemon_json(daemon_config(gpu_lab.runtime, [bad]))
            if offline:
                lab.restart_dockerd(hook=True)
            else:
                lab.reload_dockerd()
            rc, report, _err = verify(lab, "--pull-timeout", "60")
    finally:
        if offline:
            lab.link_real_dockerd()
            lab.write_daemon_json(daemon_config(gpu_lab.runtime, [gpu_lab.mirror.url]))
            lab.restart_dockerd(hook=True)
        else:
            gpu_lab.use_mirrors([gpu_lab.mirror.url])
    smoke = smoke_finding(report)
    assert (rc, smoke["status"], smoke["problem"]) == (1, "fail", "mirror.dead"), smoke
    assert report["root_causes"][0] == "mirror.dead"
    assert smoke["evidence"][0].startswith("GET %s/v2/ -> " % bad)
    assert ("HTML" in smoke["evidence"][0]) == html
    assert any(e.startswith("$ docker pull %s" % CUDA_IMAGE) for e in smoke["evidence"])
    assert "dldoctor fix --only daemon-json --mirror auto" in smoke["fix"]
    assert not image_present(lab, CUDA_IMAGE)


def test_without_the_hook_at_daemon_start_it_is_toolkit_missing(fresh_lab):
    lab = fresh_lab
    lab.start_dockerd(hook=False)
    lab.import_busybox_image(CUDA_IMAGE, env={"NVIDIA_REQUIRE_CUDA": CUDA_12_4_REQUIRE})
    rc, report, _err = verify(lab)
    smoke = smoke_finding(report)
    assert (rc, smoke["status"], smoke["problem"]) == (1, "fail", "toolkit.missing"), smoke
    assert report["root_causes"][0] == "toolkit.missing"
    assert smoke["evidence"][1] == ('docker: Error response from daemon: could not select device '
                                    'driver "" with capabilities: [[gpu]]')
    assert smoke["fix"].startswith("dldoctor fix ")      # the lab's root has no sudo
    assert smoke["evidence"][0] == "$ docker run --rm --network none --gpus all %s nvidia-smi" % CUDA_IMAGE


def test_a_stopped_daemon_skips_the_smoke_test(fresh_lab):
    lab = fresh_lab  # never started: the socket is not there
    rc, report, _err = verify(lab)
    smoke = smoke_finding(report)
    assert (rc, smoke["status"], smoke["problem"]) == (1, "skip", None)
    assert "docker.daemon-down" in smoke["detail"]
    assert report["root_causes"][0] == "docker.daemon-down"
