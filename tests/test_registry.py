"""dldoctor.provision.registry: an image's Env without pulling, against a real registry (docker-registry on
loopback, filled through the registry API) and a small local server for the Bearer-token paths."""
import hashlib
import http.server
import json
import threading
import urllib.request
from typing import Dict, List, Optional, Tuple

import pytest

from dldoctor.provision import registry
from dldoctor.host import CommandResult
from dldoctor.host.live import LiveHost

import lab as lablib
from lab import require_lab

REQUIRE = "cuda>=12.4 brand=tesla,driver>=470,driver<471"


class Host(LiveHost):
    """The live HTTP client; `docker image inspect` answers from a dict (None: no such image)."""

    def __init__(self, local: Optional[Dict[str, List[str]]] = None):
        super().__init__("/")
        self.local = local or {}
        self.ran: List[Tuple[str, ...]] = []

    def run(self, argv, timeout=None, input=None, env=None):
        argv = tuple(argv)
        self.ran.append(argv)
        if argv[:3] == ("docker", "image", "inspect") and argv[-1] in self.local:
            return CommandResult(argv, 0, json.dumps(self.local[argv[-1]]) + "\n")
        return CommandResult(argv, 1, "", "Error: No such image: %s\n" % argv[-1])


# --- a real registry, filled through its API -------------------------------------------------------


def _digest(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def _request(method: str, url: str, data: bytes = b"", ctype: str = "application/octet-stream"):
    req = urllib.request.Request(url, data=data if method in ("PUT", "POST") else None, method=method,
                                 headers={"Content-Type": ctype})
    with urllib.request.urlopen(req, timeout=10) as resp:
        return resp.status, dict(resp.headers)


def push_blob(base: str, repo: str, data: bytes) -> str:
    _status, headers = _request("POST", "%s/v2/%s/blobs/uploads/" % (base, repo))
    loc = headers["Location"]
    loc = loc if loc.startswith("http") else base + loc
    digest = _digest(data)
    _request("PUT", loc + ("&" if "?" in loc else "?") + "digest=" + digest, data)
    return digest


def push_manifest(base: str, repo: str, ref: str, manifest: dict, media_type: str) -> str:
    data = json.dumps(manifest).encode()
    _request("PUT", "%s/v2/%s/manifests/%s" % (base, repo, ref), data, media_type)
    return _digest(data)


def push_image(base: str, repo: str, ref: str, env: List[str], oci: bool = False,
               extra_config: Optional[dict] = None) -> Tuple[str, int, str]:
    """A one-layer image; returns (manifest digest, manifest size, layer digest)."""
    config = {"architecture": "amd64", "os": "linux", "config": {"Env": env, "Cmd": ["sh"]},
              "rootfs": {"type": "layers", "diff_ids": []}}
    config.update(extra_config or {})
    cfg = json.dumps(config).encode()
    layer = b"not really a tarball"
    cfg_digest = push_blob(base, repo, cfg)
    layer_digest = push_blob(base, repo, layer)
    mt = registry.MT_OCI_MANIFEST if oci else registry.MT_DOCKER_MANIFEST
    manifest = {
        "schemaVersion": 2, "mediaType": mt,
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json" if oci else
                   "application/vnd.docker.container.image.v1+json", "size": len(cfg),
                   "digest": cfg_digest},
        "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip" if oci else
                    "application/vnd.docker.image.rootfs.diff.tar.gzip", "size": len(layer),
                    "digest": layer_digest}],
    }
    digest = push_manifest(base, repo, ref, manifest, mt)
    return digest, len(json.dumps(manifest).encode()), layer_digest


@pytest.fixture(scope="module")
def reg():
    require_lab()
    the_lab = lablib.Lab()
    try:
        url = the_lab.start_registry()
        push_image(url, "nvidia/cuda", "12.4.1-base-ubuntu22.04",
                   ["PATH=/usr/bin", "NVIDIA_REQUIRE_CUDA=" + REQUIRE, "CUDA_VERSION=12.4.1"])
        arm = push_image(url, "multi/arch", "arm64-only", ["ARCH=arm64"], oci=True)
        amd = push_image(url, "multi/arch", "amd64-only", ["ARCH=amd64"], oci=True)
        index = {"schemaVersion": 2, "mediaType": registry.MT_OCI_INDEX, "manifests": [
            {"mediaType": registry.MT_OCI_MANIFEST, "digest": arm[0], "size": arm[1],
             "platform": {"architecture": "arm64", "os": "linux", "variant": "v8"}},
            {"mediaType": registry.MT_OCI_MANIFEST, "digest": amd[0], "size": amd[1],
             "platform": {"architecture": "amd64", "os": "linux"}},
        ]}
        push_manifest(url, "multi/arch", "latest", index, registry.MT_OCI_INDEX)
        yield the_lab, url
    finally:
        the_lab.cleanup()




@pytest.mark.lab
def test_a_loopback_registry_is_read_over_http(reg):
    lab, url = reg
    host = Host()
    image = "%s/nvidia/cuda:12.4.1-base-ubuntu22.04" % lab.registry_host
    env, where, error = registry.image_env(host, image, timeout=5)
    assert error is None
    assert env["NVIDIA_REQUIRE_CUDA"] == REQUIRE and env["CUDA_VERSION"] == "12.4.1"
    assert where == url
    assert host.ran == [("docker", "image", "inspect", "--format", "{{json .Config.Env}}", image)]


@pytest.mark.lab
def test_a_docker_hub_image_is_read_through_the_configured_mirror(reg):
    _lab, url = reg
    env, where, error = registry.image_env(Host(), "nvidia/cuda:12.4.1-base-ubuntu22.04",
                                           mirrors=[url + "/"], timeout=5)
    assert error is None and where == url
    assert env["NVIDIA_REQUIRE_CUDA"] == REQUIRE
    env, where, error = registry.image_env(Host(), "docker.io/nvidia/cuda:12.4.1-base-ubuntu22.04",
                                           mirrors=[url], timeout=5)
    assert env is not None and where == url


@pytest.mark.lab
def test_an_oci_index_resolves_to_this_machines_linux_platform(reg, monkeypatch):
    lab, _url = reg
    image = "%s/multi/arch:latest" % lab.registry_host
    monkeypatch.setattr(registry.platform, "machine", lambda: "x86_64")
    assert registry.image_env(Host(), image, timeout=5).env == {"ARCH": "amd64"}
    monkeypatch.setattr(registry.platform, "machine", lambda: "aarch64")
    assert registry.image_env(Host(), image, timeout=5).env == {"ARCH": "arm64"}
    monkeypatch.setattr(registry.platform, "machine", lambda: "riscv64")
    assert registry.image_env(Host(), image, timeout=5).env == {"ARCH": "amd64"}


@pytest.mark.lab
def test_a_missing_tag_is_not_an_unreachable_registry(reg):
    lab, url = reg
    env, where, error = registry.image_env(
        Host(), "%s/nvidia/cuda:0.0.0-no-such-tag" % lab.registry_host, timeout=5)
    assert env is None and error.kind == registry.MISSING and error.missing
    assert "MANIFEST_UNKNOWN" in str(error) and where == url
    assert "SSL" not in str(error)  # the https attempt of a plain-http registry is not the story
    env, _where, error = registry.image_env(Host(), "%s/no/such-repo:1" % lab.registry_host, timeout=5)
    assert error.kind == registry.MISSING  # distribution 2.8 says MANIFEST_UNKNOWN here too
    # Through a mirror, with Docker Hub out of reach: still "missing" (a registry said so).
    env, where, error = registry.image_env(Host(), "nvidia/cuda:0.0.0-no-such-tag", mirrors=[url],
                                           timeout=5)
    assert error.kind == registry.MISSING and where == url
    assert any("/manifests/0.0.0-no-such-tag -> 404 MANIFEST_UNKNOWN" in a for a in error.attempts)


@pytest.mark.lab
def test_a_dead_mirror_is_not_a_registry(reg):
    lab, _url = reg
    for html in (False, True):
        with lab.bad_mirror(html=html) as bad:
            env, where, error = registry.image_env(
                Host(), "%s/nvidia/cuda:1" % bad.split("://")[1], timeout=5)
            assert env is None and error.kind == registry.NOT_REGISTRY, str(error)
            assert ("HTML" in str(error)) == html


def test_nothing_listening_is_unreachable(monkeypatch):
    port = lablib._free_port()
    closed = "http://127.0.0.1:%d" % port
    monkeypatch.setattr(registry, "HUB_URL", closed)
    monkeypatch.setattr(registry, "HUB_AUTH", closed + "/token")
    env, _where, error = registry.image_env(Host(), "nvidia/cuda:12.4.1-base-ubuntu22.04",
                                            mirrors=[closed], timeout=2)
    assert env is None and error.kind == registry.UNREACHABLE
    assert error.attempts[0].startswith("GET %s/v2/nvidia/cuda/manifests/" % closed)
    env, _where, error = registry.image_env(Host(), "127.0.0.1:%d/a/b:c" % port, timeout=2)
    assert error.kind == registry.UNREACHABLE


def test_the_local_image_comes_first():
    host = Host(local={"nvidia/cuda:12.4.1-base-ubuntu22.04": ["NVIDIA_REQUIRE_CUDA=" + REQUIRE]})
    env, where, error = registry.image_env(host, "nvidia/cuda:12.4.1-base-ubuntu22.04",
                                           mirrors=["http://127.0.0.1:9"], timeout=1)
    assert (env, where, error) == ({"NVIDIA_REQUIRE_CUDA": REQUIRE}, registry.LOCAL, None)


# --- Bearer challenges: a registry that wants an anonymous token ------------------------------------


class TokenRegistry:
    """GET /v2/... answers 401 + WWW-Authenticate until a Bearer token comes; /token gives one."""

    def __init__(self, blobs: Dict[str, Tuple[str, bytes]]):
        self.blobs = blobs   # path -> (content type, body)
        self.log: List[Tuple[str, Optional[str]]] = []
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802
                outer.log.append((self.path, self.headers.get("Authorization")))
                if self.path.startswith("/token"):
                    return self._send(200, "application/json", json.dumps({"token": "tok-1"}).encode())
                if self.headers.get("Authorization") != "Bearer tok-1":
                    realm = "http://127.0.0.1:%d/token" % outer.port
                    return self._send(401, "application/json", json.dumps(
                        {"errors": [{"code": "UNAUTHORIZED", "message": "authentication required"}]}).encode(),
                        {"WWW-Authenticate": 'Bearer realm="%s",service="test-registry",'
                                             'scope="repository:private/img:pull"' % realm})
                if self.path in outer.blobs:
                    ctype, body = outer.blobs[self.path]
                    return self._send(200, ctype, body)
                return self._send(404, "application/json", json.dumps(
                    {"errors": [{"code": "MANIFEST_UNKNOWN", "message": "manifest unknown"}]}).encode())

            def _send(self, status, ctype, body, headers=None):
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                self.send_header(registry.API_HEADER, "registry/2.0")
                for k, v in (headers or {}).items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


def _image_blobs(repo: str, tag: str, config: dict, schema1: bool = False) -> Dict[str, Tuple[str, bytes]]:
    cfg = json.dumps(config).encode()
    if schema1:
        manifest = {"schemaVersion": 1, "name": repo, "tag": tag,
                    "history": [{"v1Compatibility": json.dumps(config)}]}
        return {"/v2/%s/manifests/%s" % (repo, tag): (registry.MT_DOCKER_V1, json.dumps(manifest).encode())}
    inner = {"schemaVersion": 2, "mediaType": registry.MT_OCI_MANIFEST,
             "config": {"digest": _digest(cfg), "size": len(cfg)}, "layers": []}
    inner_b = json.dumps(inner).encode()
    index = {"schemaVersion": 2, "mediaType": registry.MT_OCI_INDEX, "manifests": [
        {"digest": _digest(inner_b), "size": len(inner_b),
         "platform": {"os": "linux", "architecture": "amd64"}}]}
    return {
        "/v2/%s/manifests/%s" % (repo, tag): (registry.MT_OCI_INDEX, json.dumps(index).encode()),
        "/v2/%s/manifests/%s" % (repo, _digest(inner_b)): (registry.MT_OCI_MANIFEST, inner_b),
        "/v2/%s/blobs/%s" % (repo, _digest(cfg)): ("application/octet-stream", cfg),
    }


def test_an_anonymous_token_from_the_challenge(monkeypatch):
    monkeypatch.setattr(registry.platform, "machine", lambda: "x86_64")
    blobs = _image_blobs("private/img", "1", {"config": {"Env": ["NVIDIA_REQUIRE_CUDA=cuda>=12.8"]}})
    with TokenRegistry(blobs) as srv:
        image = "127.0.0.1:%d/private/img:1" % srv.port
        env, where, error = registry.image_env(Host(), image, timeout=5)
        assert error is None, error
        assert env == {"NVIDIA_REQUIRE_CUDA": "cuda>=12.8"}
        assert where == "http://127.0.0.1:%d" % srv.port
        token_calls = [p for p, _a in srv.log if p.startswith("/token")]
        assert token_calls == ["/token?service=test-registry&scope=repository%3Aprivate%2Fimg%3Apull"]
        # every registry call after the token carries it
        after = [a for p, a in srv.log[srv.log.index((token_calls[0], None)) + 1:]]
        assert after and all(a == "Bearer tok-1" for a in after)
        env, _where, error = registry.image_env(Host(), "127.0.0.1:%d/private/img:2" % srv.port,
                                                timeout=5)
        assert env is None and error.kind == registry.MISSING


def test_docker_hub_gets_its_token_from_auth_docker_io(monkeypatch):
    blobs = _image_blobs("library/ubuntu", "22.04", {"config": {"Env": ["PATH=/bin"]}}, schema1=True)
    with TokenRegistry(blobs) as srv:
        base = "http://127.0.0.1:%d" % srv.port
        monkeypatch.setattr(registry, "HUB_URL", base)
        monkeypatch.setattr(registry, "HUB_AUTH", base + "/token")
        env, where, error = registry.image_env(Host(), "ubuntu:22.04", timeout=5)
        assert error is None and env == {"PATH": "/bin"} and where == base
        assert srv.log[0][0] == ("/token?service=registry.docker.io&"
                                 "scope=repository%3Alibrary%2Fubuntu%3Apull")
        assert srv.log[1] == ("/v2/library/ubuntu/manifests/22.04", "Bearer tok-1")


def test_a_config_larger_than_the_host_keeps_is_still_read(monkeypatch):
    monkeypatch.setattr(registry.platform, "machine", lambda: "x86_64")
    config = {"architecture": "amd64",
              "config": {"Env": ["NVIDIA_REQUIRE_CUDA=cuda>=12.9", "A=b"]},
              "history": [{"created_by": "RUN " + "x" * 500} for _ in range(400)]}
    blobs = _image_blobs("private/img", "big", config)
    assert max(len(b) for _c, b in blobs.values()) > 65536  # LiveHost keeps the first 64 KiB
    with TokenRegistry(blobs) as srv:
        env, _where, error = registry.image_env(Host(), "127.0.0.1:%d/private/img:big" % srv.port,
                                                timeout=5)
        assert error is None and env == {"NVIDIA_REQUIRE_CUDA": "cuda>=12.9", "A": "b"}


@pytest.mark.parametrize("image,domain,path,ref", [
    ("nvidia/cuda:12.4.1-base-ubuntu22.04", "docker.io", "nvidia/cuda", "12.4.1-base-ubuntu22.04"),
    ("ubuntu", "docker.io", "library/ubuntu", "latest"),
    ("docker.io/library/ubuntu:22.04", "docker.io", "library/ubuntu", "22.04"),
    ("index.docker.io/nvidia/cuda:13.1.0-base-ubuntu24.04", "docker.io", "nvidia/cuda",
     "13.1.0-base-ubuntu24.04"),
    ("nvcr.io/nvidia/pytorch:24.10-py3", "nvcr.io", "nvidia/pytorch", "24.10-py3"),
    ("127.0.0.1:5000/nvidia/cuda:12.4.1-base-ubuntu22.04", "127.0.0.1:5000", "nvidia/cuda",
     "12.4.1-base-ubuntu22.04"),
    ("localhost/img", "localhost", "img", "latest"),
    ("ghcr.io/o/r@sha256:" + "a" * 64, "ghcr.io", "o/r", "sha256:" + "a" * 64),
])
def test_parse_image(image, domain, path, ref):
    got = registry.parse_image(image)
    assert (got.domain, got.path, got.reference) == (domain, path, ref)
    assert got.is_hub == (domain == "docker.io")


@pytest.mark.parametrize("bad", ["", "UPPER/case:1", "a b", "x:bad tag", "repo@sha256:zz"])
def test_parse_image_refuses_what_docker_refuses(bad):
    with pytest.raises(ValueError):
        registry.parse_image(bad)


@pytest.mark.parametrize("realm", [
    "http://169.254.169.254/latest/meta-data/iam/security-credentials/role",
    "http://metadata.google.internal/computeMetadata/v1/instance/service-accounts/default/token",
    "http://100.100.100.200/latest/meta-data/ram/security-credentials/role",
    "http://[fe80::1]/token", "file:///etc/shadow", "gopher://127.0.0.1:6379/_x", "http:///token",
    # the same address in the forms the resolver and urllib3 take
    "http://2852039166/latest", "http://0xA9FEA9FE/", "http://0251.0376.0251.0376/",
    "http://169.254.43518/", "http://[::ffff:169.254.169.254]/", "http://[::ffff:a9fe:a9fe]/",
    "http://%31%36%39.254.169.254/", "http://0x646464c8/", "http://[fd00:ec2:0::254]/",
    "http://[fe80::1%25lo]/", "HTTP://evil@169.254.169.254/", "http://metadata.google.internal./"])
def test_a_challenge_naming_the_cloud_metadata_service_as_its_realm_is_not_followed(realm):
    """A hostile registry's 401 names the VM's credentials endpoint as its token realm: asked, the
    JSON it returns ("access_token") would go back to that registry as the bearer token."""
    from dldoctor.host import HttpResponse
    from dldoctor.registry_http import TokenClient

    asked = []

    class Fake:
        def http_get(self, url, timeout=5.0, headers=None):
            asked.append((url, dict(headers or {})))
            if url.startswith("https://evil.example/v2/"):
                return HttpResponse(url, 401, {"WWW-Authenticate": 'Bearer realm="%s",service="x"' % realm})
            return HttpResponse(url, 200, {}, b'{"access_token": "SECRET", "token": "SECRET"}')

    client = TokenClient(Fake(), "https://evil.example", "a/b", timeout=1)
    resp = client.get("/v2/a/b/manifests/1")
    assert resp.status == 401 and client.token is None
    assert [u for u, _h in asked] == ["https://evil.example/v2/a/b/manifests/1"]
    assert "not asked" in client.attempts[1]


def test_an_ordinary_realm_is_followed():
    from dldoctor.host.addresses import url_allowed

    assert url_allowed("https://auth.docker.io/token")
    assert url_allowed("http://127.0.0.1:5000/token") and url_allowed("https://10.0.0.5/token")
    assert url_allowed("http://[::1]:5000/token") and url_allowed("https://registry.internal/token")
