"""An image's configuration (its Env) without pulling it: the local image, else the registry API.

`image_env(host, image, mirrors, timeout)` answers what `verify` needs before a multi-gigabyte
pull: the image's NVIDIA_REQUIRE_CUDA. It asks, in order:

1. the local image: `docker image inspect --format '{{json .Config.Env}}' IMAGE` (host.run);
2. for Docker Hub images (`nvidia/cuda:tag`, `docker.io/...`, library images) each configured
   registry mirror, then Docker Hub itself (anonymous token from auth.docker.io); for any other
   registry (nvcr.io, ghcr.io, 127.0.0.1:5000) that registry, with the anonymous token its
   `WWW-Authenticate: Bearer realm=...,service=...,scope=...` challenge offers. Loopback and
   insecure registries are tried over https, then http, as dockerd does.

Registry API (distribution spec): GET /v2/<repo>/manifests/<tag> with the docker v2 / manifest
list / OCI Accept types; a list or index is resolved to this machine's linux platform (amd64 when
absent); then GET /v2/<repo>/blobs/<config digest> and read config.Env. Schema 1 manifests carry
the config in history[0].v1Compatibility.

A failure says which kind it is: MISSING (a registry answered 404 MANIFEST_UNKNOWN/NAME_UNKNOWN:
the tag does not exist there), DENIED (401/403 after the anonymous token: private or absent),
NOT_REGISTRY (the URL answered, but not as a registry: an HTML page, a bare 404), UNREACHABLE
(no answer, TLS or connection failure, server error). Only the host talks to the network.
"""
from __future__ import annotations

import json
import platform
import re
from typing import Any, Dict, List, NamedTuple, Optional, Sequence, Tuple
from urllib.parse import quote, urlsplit

from dldoctor.host import Host, HttpResponse
from dldoctor.i18n import _
from dldoctor.records import frozen_record
from dldoctor.registry_http import (  # noqa: F401  (the media types are part of this API)
    ACCEPT, API_HEADER, MT_DOCKER_LIST, MT_DOCKER_MANIFEST, MT_DOCKER_V1, MT_OCI_INDEX,
    MT_OCI_MANIFEST, TokenClient, describe as _describe, error_codes as _error_codes,
    json_body as _json, looks_html as _looks_html)

LOCAL = "local image"
HUB_DOMAIN = "docker.io"
HUB_URL = "https://registry-1.docker.io"
HUB_AUTH = "https://auth.docker.io/token"
HUB_SERVICE = "registry.docker.io"

MISSING, DENIED, NOT_REGISTRY, UNREACHABLE = "missing", "denied", "not-registry", "unreachable"
KIND_ORDER = (MISSING, DENIED, NOT_REGISTRY, UNREACHABLE)


@frozen_record
class ImageRef:
    """A normalized image reference, as the docker CLI reads one."""

    domain: str                 # docker.io, nvcr.io, 127.0.0.1:5000
    path: str                   # library/ubuntu, nvidia/cuda
    tag: Optional[str]
    digest: Optional[str]
    original: str

    @property
    def is_hub(self) -> bool:
        return self.domain == HUB_DOMAIN

    @property
    def reference(self) -> str:
        """What goes after /manifests/: the digest when pinned, else the tag."""
        return self.digest or self.tag or "latest"

    def __str__(self) -> str:
        out = "%s/%s" % (self.domain, self.path)
        if self.tag:
            out += ":" + self.tag
        if self.digest:
            out += "@" + self.digest
        return out


_REF_RE = re.compile(r"^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$")
_TAG_RE = re.compile(r"^[\w][\w.-]{0,127}$")


def parse_image(image: str) -> ImageRef:
    """'nvidia/cuda:12.4.1-base-ubuntu22.04' -> docker.io, nvidia/cuda, tag (ValueError if invalid).

    Docker's rule: the first path component is a registry when it has a '.' or ':' or is
    'localhost'; otherwise the image is on Docker Hub, and a one-component name is library/<name>.
    """
    text = (image or "").strip()
    if not text or any(c.isspace() for c in text):
        raise ValueError(_("not an image reference: {image!r}").format(image=image))
    rest, digest = text, None
    if "@" in rest:
        rest, digest = rest.split("@", 1)
        if not re.match(r"^[a-z0-9]+(?:[+._-][a-z0-9]+)*:[0-9a-fA-F]{32,}$", digest):
            raise ValueError(_("invalid digest in {image!r}").format(image=image))
    tag = None
    slash = rest.rfind("/")
    colon = rest.rfind(":")
    if colon > slash:
        rest, tag = rest[:colon], rest[colon + 1:]
        if not _TAG_RE.match(tag):
            raise ValueError(_("invalid tag in {image!r}").format(image=image))
    first, sep, remainder = rest.partition("/")
    if sep and (("." in first or ":" in first) or first == "localhost"):
        domain, path = first, remainder
    else:
        domain, path = HUB_DOMAIN, rest
    if domain in ("index.docker.io", "registry-1.docker.io"):
        domain = HUB_DOMAIN
    if domain == HUB_DOMAIN and "/" not in path:
        path = "library/" + path
    if not _REF_RE.match(path):
        raise ValueError(_("invalid repository name in {image!r}").format(image=image))
    if tag is None and digest is None:
        tag = "latest"
    return ImageRef(domain, path, tag, digest, text)


@frozen_record
class RegistryProblem:
    """Why the registry did not give the image's config. str() is the message."""

    kind: str                              # MISSING | DENIED | NOT_REGISTRY | UNREACHABLE
    message: str
    attempts: Tuple[str, ...] = ()         # "GET <url> -> <what it answered>", in order
    source: str = ""                       # the registry or mirror that answered so

    def __str__(self) -> str:
        return self.message

    @property
    def missing(self) -> bool:
        return self.kind == MISSING


class ImageEnv(NamedTuple):
    """env: the image's environment (None when not read); where: LOCAL, or the registry/mirror
    URL that answered; error: None, or a RegistryProblem (str() gives the message)."""

    env: Optional[Dict[str, str]]
    where: str
    error: Optional[RegistryProblem]


# --- helpers -----------------------------------------------------------------------------------------


def _env_from_list(items: object) -> Dict[str, str]:
    out: Dict[str, str] = {}
    for item in items if isinstance(items, list) else []:
        k, sep, v = str(item).partition("=")
        if sep:
            out[k] = v
    return out


def _platform_arch() -> str:
    m = platform.machine().lower()
    return {"x86_64": "amd64", "amd64": "amd64", "aarch64": "arm64", "arm64": "arm64",
            "ppc64le": "ppc64le", "s390x": "s390x"}.get(m, "amd64")


def _pick_platform(manifests: List[Dict[str, Any]]) -> Optional[Dict[str, Any]]:
    arch = _platform_arch()
    linux = [m for m in manifests if isinstance(m, dict) and
             (m.get("platform") or {}).get("os", "linux") == "linux"]
    for want in (arch, "amd64"):
        for m in linux:
            if (m.get("platform") or {}).get("architecture") == want:
                return m
    return linux[0] if linux else None


class _Client(TokenClient):
    """A TokenClient that can log in to Docker Hub first."""

    def hub_login(self) -> bool:
        """Docker Hub: the anonymous pull token, before the first request."""
        tok = self.fetch_token(HUB_AUTH, {"service": HUB_SERVICE})
        self.token = tok
        return tok is not None


def _classify(resp: HttpResponse, what: str, source: str) -> Tuple[str, str]:
    """A failed answer -> (kind, message)."""
    if resp.status is None:
        return UNREACHABLE, _("{src}: no answer ({err})").format(src=source, err=resp.error or "")
    codes = _error_codes(resp.body or b"")
    is_registry = bool(codes) or bool(resp.header(API_HEADER))
    if resp.status == 404 and is_registry:
        return MISSING, _("{src}: {what} not found ({codes})").format(
            src=source, what=what, codes=",".join(codes) or "404")
    if resp.status in (401, 403) and is_registry:
        return DENIED, _("{src}: access denied to {what} ({status} {codes}): the repository "
                         "does not exist or needs `docker login`").format(
            src=source, what=what, status=resp.status, codes=",".join(codes))
    if _looks_html(resp):
        return NOT_REGISTRY, _("{src}: answered {status} with an HTML page, not the registry "
                               "API").format(src=source, status=resp.status)
    if resp.status == 404 or not is_registry and resp.status < 500:
        return NOT_REGISTRY, _("{src}: answered {status} without the registry API (no {hdr} "
                               "header)").format(src=source, status=resp.status, hdr=API_HEADER)
    return UNREACHABLE, _("{src}: answered HTTP {status}").format(src=source, status=resp.status)


def _config_env(body: bytes) -> Optional[Dict[str, str]]:
    data = _json(body)
    if isinstance(data, dict):
        cfg = data.get("config") or data.get("container_config") or {}
        if isinstance(cfg, dict):
            return _env_from_list(cfg.get("Env") or [])
    # A config larger than what the host kept: Env comes early, read it from the text.
    m = re.search(rb'"Env"\s*:\s*(\[[^\]]*\])', body or b"")
    if m:
        items = _json(m.group(1))
        if isinstance(items, list):
            return _env_from_list(items)
    return None


def _remote_env(client: _Client, ref: ImageRef, source: str
                ) -> Tuple[Optional[Dict[str, str]], Optional[Tuple[str, str]]]:
    """(env, None) or (None, (kind, message)) from one registry base URL."""
    what = "%s:%s" % (ref.path, ref.reference) if not ref.digest else "%s@%s" % (ref.path, ref.digest)
    resp = client.get("/v2/%s/manifests/%s" % (ref.path, quote(ref.reference, safe=":")), ACCEPT)
    for _hop in range(2):
        if resp.status != 200:
            return None, _classify(resp, what, source)
        data = _json(resp.body or b"")
        if not isinstance(data, dict):
            if _looks_html(resp):
                return None, (NOT_REGISTRY, _("{src}: answered 200 with an HTML page, not the "
                                              "registry API").format(src=source))
            return None, (NOT_REGISTRY, _("{src}: the manifest is not JSON").format(src=source))
        if isinstance(data.get("manifests"), list):
            chosen = _pick_platform(data["manifests"])
            if not chosen or not chosen.get("digest"):
                return None, (MISSING, _("{src}: {what} has no linux image").format(src=source, what=what))
            resp = client.get("/v2/%s/manifests/%s" % (ref.path, chosen["digest"]), ACCEPT)
            continue
        cfg = data.get("config")
        if isinstance(cfg, dict) and cfg.get("digest"):
            blob = client.get("/v2/%s/blobs/%s" % (ref.path, cfg["digest"]))
            if blob.status != 200:
                return None, _classify(blob, _("the config of {what}").format(what=what), source)
            env = _config_env(blob.body or b"")
            if env is None:
                return None, (NOT_REGISTRY, _("{src}: the image config is not readable").format(src=source))
            return env, None
        if data.get("schemaVersion") == 1 and isinstance(data.get("history"), list) and data["history"]:
            v1 = _json(str(data["history"][0].get("v1Compatibility", "")).encode())
            env = _config_env(json.dumps(v1).encode()) if isinstance(v1, dict) else None
            if env is not None:
                return env, None
        return None, (NOT_REGISTRY, _("{src}: unknown manifest format").format(src=source))
    return None, (NOT_REGISTRY, _("{src}: manifest list within a manifest list").format(src=source))


def _is_loopback(domain: str) -> bool:
    host = (urlsplit("//" + domain).hostname or "").lower()
    return host == "localhost" or host.startswith("127.") or host == "::1"


def local_env(host: Host, image: str, timeout: float) -> Tuple[Optional[Dict[str, str]], Optional[str]]:
    """The local image's Env, or (None, why not) — "No such image" when it is not there."""
    res = host.run(("docker", "image", "inspect", "--format", "{{json .Config.Env}}", image),
                   timeout=timeout)
    if res.ok:
        data = _json(res.stdout.strip().encode())
        if data is None or isinstance(data, list):
            return _env_from_list(data or []), None
    return None, (res.output.strip() or res.error or "docker image inspect failed")


def image_env(host: Host, image: str, mirrors: Sequence[str] = (), timeout: float = 10.0,
              insecure: Sequence[str] = ()) -> ImageEnv:
    """The image's environment without pulling it: (env | None, where, error).

    mirrors: the configured Docker Hub registry mirrors (used for Docker Hub images only, as
    dockerd does). insecure: registries dockerd may reach over plain http (docker info's
    insecure registries; loopback ones always are).
    """
    env, _why = local_env(host, image, timeout)
    if env is not None:
        return ImageEnv(env, LOCAL, None)
    try:
        ref = parse_image(image)
    except ValueError as exc:
        return ImageEnv(None, "", RegistryProblem(NOT_REGISTRY, str(exc)))
    sources: List[Tuple[str, str, bool]] = []  # (base URL, label, hub?)
    if ref.is_hub:
        for m in mirrors:
            if isinstance(m, str) and m.strip():
                base = m.strip().rstrip("/")
                sources.append((base, base, False))
        sources.append((HUB_URL, HUB_URL, True))
    else:
        sources.append(("https://" + ref.domain, "https://" + ref.domain, False))
        plain = [i.rstrip("/").split("://")[-1] for i in insecure]
        if _is_loopback(ref.domain) or ref.domain in plain:
            sources.append(("http://" + ref.domain, "http://" + ref.domain, False))
    attempts: List[str] = []
    problems: List[Tuple[str, str, str]] = []  # (kind, message, source)
    for base, label, hub in sources:
        client = _Client(host, base, ref.path, timeout, hub)
        if hub and not client.hub_login():
            attempts.extend(client.attempts)
            problems.append((UNREACHABLE, _("{src}: no anonymous token from {auth}").format(
                src=label, auth=HUB_AUTH), label))
            continue
        env, prob = _remote_env(client, ref, label)
        attempts.extend(client.attempts)
        if env is not None:
            return ImageEnv(env, label, None)
        assert prob is not None
        problems.append((prob[0], prob[1], label))
        # https refused by a plain-http registry: its http twin is next; anything else is final.
        if prob[0] == MISSING and not ref.is_hub:
            break
    if not ref.is_hub and len(problems) == 2 and problems[1][0] != UNREACHABLE:
        problems = problems[1:]  # the plain-http registry answered: its https twin is noise
    kind = min((p[0] for p in problems), key=KIND_ORDER.index) if problems else UNREACHABLE
    source = next((p[2] for p in problems if p[0] == kind), "")
    message = "; ".join(p[1] for p in problems) or _("no registry to ask")
    return ImageEnv(None, source, RegistryProblem(kind, message, tuple(attempts), source))
