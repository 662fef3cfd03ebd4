"""The registry HTTP API as a client speaks it: GETs with the anonymous Bearer token a
`WWW-Authenticate` challenge offers, the manifest media types, and a short account of an answer.

Shared by the mirror probe (the engine, for `check`) and the image reader beside the smoke test
(provision.registry); it sits below both so neither layer reaches into the other. Requests go
through the host.
"""
from __future__ import annotations

import re
from urllib.parse import urlencode

from dldoctor.host import Host, HttpResponse
from dldoctor.host.addresses import url_allowed
from dldoctor.i18n import _
from dldoctor import nesting

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Dict, List, Optional, Tuple

MT_DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json"
MT_DOCKER_LIST = "application/vnd.docker.distribution.manifest.list.v2+json"
MT_OCI_INDEX = "application/vnd.oci.image.index.v1+json"
MT_OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
MT_DOCKER_V1 = "application/vnd.docker.distribution.manifest.v1+prettyjws"
ACCEPT = ", ".join((MT_DOCKER_MANIFEST, MT_DOCKER_LIST, MT_OCI_INDEX, MT_OCI_MANIFEST, MT_DOCKER_V1))
API_HEADER = "Docker-Distribution-Api-Version"


def json_body(body: bytes) -> Optional[object]:
    try:
        found: object = nesting.loads(body.decode("utf-8", "replace"))
        return found
    except ValueError:                             # a registry's body is untrusted: nesting included
        return None


def error_codes(body: bytes) -> Tuple[str, ...]:
    data = json_body(body)
    if isinstance(data, dict) and isinstance(data.get("errors"), list):
        return tuple(str(e.get("code", "")) for e in data["errors"] if isinstance(e, dict))
    return ()


def looks_html(resp: HttpResponse) -> bool:
    ctype = (resp.header("Content-Type") or "").lower()
    return "html" in ctype or (resp.body or b"").lstrip()[:1] == b"<"


def parse_challenge(value: str) -> Tuple[str, Dict[str, str]]:
    """'Bearer realm="https://x/token",service="reg",scope="repository:a/b:pull"' -> (scheme, params)."""
    scheme, _sp, rest = value.strip().partition(" ")
    params = {k.lower(): v for k, v in re.findall(r'(\w+)\s*=\s*"([^"]*)"', rest)}
    for k, v in re.findall(r'(\w+)\s*=\s*([^",\s]+)', rest):
        params.setdefault(k.lower(), v)
    return scheme.lower(), params


def describe(resp: HttpResponse) -> str:
    if resp.status is None:
        return _("no answer ({err})").format(err=resp.error or _("request failed"))
    codes = error_codes(resp.body or b"")
    if codes:
        return "%d %s" % (resp.status, ",".join(codes))
    if looks_html(resp):
        return _("{status} with an HTML page").format(status=resp.status)
    return str(resp.status)


class TokenClient:
    """One registry base URL: GETs with the anonymous Bearer token its challenge offers."""

    def __init__(self, host: Host, base: str, repo: str, timeout: float, hub: bool = False):
        self.host = host
        self.base = base.rstrip("/")
        self.repo = repo
        self.timeout = timeout
        self.hub = hub
        self.token: Optional[str] = None
        self.attempts: List[str] = []

    def _headers(self, accept: Optional[str]) -> Dict[str, str]:
        h: Dict[str, str] = {}
        if accept:
            h["Accept"] = accept
        if self.token:
            h["Authorization"] = "Bearer " + self.token
        return h

    def fetch_token(self, realm: str, params: Dict[str, str]) -> Optional[str]:
        if not url_allowed(realm):
            self.attempts.append("GET %s -> %s" % (realm, _("not asked: a token realm must be an "
                                                            "http(s) URL off the cloud metadata address")))
            return None
        query = {k: v for k, v in params.items() if k in ("service", "scope") and v}
        query.setdefault("scope", "repository:%s:pull" % self.repo)
        url = realm + ("&" if "?" in realm else "?") + urlencode(query)
        resp = self.host.http_get(url, timeout=self.timeout)
        self.attempts.append("GET %s -> %s" % (realm, describe(resp)))
        data = json_body(resp.body or b"") if resp.status == 200 else None
        if isinstance(data, dict):
            tok = data.get("token") or data.get("access_token")
            if isinstance(tok, str) and tok:
                return tok
        return None

    def get(self, path: str, accept: Optional[str] = None) -> HttpResponse:
        url = self.base + path
        resp = self.host.http_get(url, timeout=self.timeout, headers=self._headers(accept))
        if resp.status == 401 and not self.token:
            scheme, params = parse_challenge(resp.header("WWW-Authenticate") or "")
            if scheme == "bearer" and params.get("realm"):
                self.attempts.append("GET %s -> 401 (token required)" % url)
                tok = self.fetch_token(params["realm"], params)
                if tok:
                    self.token = tok
                    resp = self.host.http_get(url, timeout=self.timeout,
                                              headers=self._headers(accept))
        self.attempts.append("GET %s -> %s" % (url, describe(resp)))
        return resp
