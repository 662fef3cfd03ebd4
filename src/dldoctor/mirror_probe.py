"""The registry-mirror probe: `GET <mirror>/v2/` and, at the same time, the manifest of
library/hello-world, each answer classified live, restricted or dead with the reason.

Dead when /v2/ does not answer 200 or 401 *with* `Docker-Distribution-Api-Version: registry/2.0`
(403/404/5xx, an HTML page, a missing header, a timeout, a connection error); restricted when /v2/
answers but the manifest is refused with 401/403. The gatherer records it as evidence for the
checks; `dldoctor mirrors` and `fix` rank candidates with it. Requests go through the host.

A Probe's `reason` is in the user's language; `reason_en` is the same sentence in English, which
is what evidence records (the `mirror-probe` file of a snapshot must not depend on the language of
whoever made it). `shown()` turns such a recorded reason back into the user's language, for
snapshots old and new.
"""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Dict, List, Optional, Pattern, Sequence, Tuple, cast

from dldoctor import nesting
from dldoctor.i18n import _
from dldoctor.mirror_urls import normalize_mirror_url, validate_mirror_url
from dldoctor.records import frozen_record

if TYPE_CHECKING:
    from dldoctor.host import Host, HttpResponse

# Requests at once. Each is bounded by the timeout, so the probe takes about
# ceil(2 x mirrors / this) timeouts: 32 silent mirrors, 5 s (at 8 at once, 24 took 31 s).
MAX_CONCURRENT_PROBES = 64
# Configured mirrors probed (dockerd tries them in order; real files list 1 to 20): `check` reports
# later ones unprobed, `fix` keeps a longer list as it is, so a daemon.json of a thousand silent
# mirrors cannot hold either for minutes.
MAX_CHECKED_MIRRORS = 32
REGISTRY_API_HEADER = "Docker-Distribution-Api-Version"
REGISTRY_API_VALUE = "registry/2.0"
MANIFEST_REPO = "library/hello-world"
MANIFEST_PATH = "/v2/%s/manifests/latest" % MANIFEST_REPO

# Why a mirror is dead or restricted: English templates, recorded as they are in evidence and
# shown through _() (scripts/i18n-extract reads them from here).
REASONS = {
    "no-answer": "no answer: {error}",
    "no-answer-failed": "no answer: request failed",
    "html": "answered {status} with an HTML page: a web site, not a registry",
    "header": "answered {status} with {name}: {value} (expected {expected})",
    "no-header": "answered {status} without the {name}: {value} header: not a Docker registry",
    "403": "403 Forbidden: the mirror refuses this client (closed, or for its own cloud only)",
    "404": "404 Not Found: no registry API at /v2/",
    "429": "429 Too Many Requests: rate limited",
    "http": "answered HTTP {status}",
    "5xx": "answered HTTP {status}: server error",
    "redirect": "answered HTTP {status} (redirect{to}): dockerd does not follow a mirror elsewhere",
    "refused": "refuses {image} with HTTP {status}{said} (an allowlist, or for its own network or "
               "customers only)",
}


def _why(key: str, **args: object) -> Tuple[str, str]:
    """(the reason in the user's language, the same in English)."""
    return _(REASONS[key]).format(**args), REASONS[key].format(**args)


_patterns: Optional[List[Tuple[str, "Pattern[str]"]]] = None
_LATENCY = r"( \(\d+ ms\))?"


def shown(recorded: str) -> str:
    """A reason as evidence records it (English, "... (123 ms)" after it at times) in the user's
    language; a text that is none of REASONS (a snapshot written in another language by an
    older dldoctor, a future reason) is returned as it is."""
    import re

    global _patterns
    if _patterns is None:
        compiled = []
        for key, template in REASONS.items():
            parts = re.split(r"\{\w+\}", template)
            pattern = "(.*?)".join(re.escape(p) for p in parts) + _LATENCY
            compiled.append((key, re.compile(pattern, re.S)))
        # the longest fixed text first: "answered HTTP {status}: server error" before
        # "answered HTTP {status}", "no answer: request failed" before "no answer: {error}"
        compiled.sort(key=lambda kr: -len(re.sub(r"\{\w+\}", "", REASONS[kr[0]])))
        _patterns = compiled
    for key, rx in _patterns:
        m = rx.fullmatch(recorded)
        if m is None:
            continue
        names = re.findall(r"\{(\w+)\}", REASONS[key])
        values = dict(zip(names, m.groups()))
        return _(REASONS[key]).format(**values) + (m.group(len(names) + 1) or "")
    return recorded


@frozen_record
class Probe:
    """What `GET <url>/v2/` (and the manifest of library/hello-world) said. `alive` False always
    comes with a `reason`; a restricted mirror is alive, and `reason` says what it refused."""

    url: str
    alive: bool
    status: Optional[int] = None
    latency: Optional[float] = None
    reason: str = ""
    api_version: Optional[str] = None
    restricted: bool = False
    manifest_status: Optional[int] = None
    manifest_latency: Optional[float] = None
    reason_en: str = ""          # `reason` in English: what evidence records

    @property
    def state(self) -> str:
        """live | restricted | dead"""
        return "dead" if not self.alive else ("restricted" if self.restricted else "live")

    @property
    def speed(self) -> float:
        """Seconds until both answers were in (the two requests run at once): the ranking key."""
        return max(self.latency or 0.0, self.manifest_latency or 0.0)

    def to_json(self) -> Dict[str, object]:
        return {
            "url": self.url,
            "alive": self.alive,
            "state": self.state,
            "status": self.status,
            "latency_ms": None if self.latency is None else int(round(self.latency * 1000)),
            "manifest_status": self.manifest_status,
            "reason": self.reason,
        }


def classify(url: str, resp: HttpResponse) -> Probe:
    """Turn one HttpResponse for `<url>/v2/` into a Probe (pure; see the module doc for the rule)."""
    status = getattr(resp, "status", None)
    elapsed = getattr(resp, "elapsed", None)
    error = getattr(resp, "error", None)
    if status is None:
        said = _printable(error or "")
        why, en = _why("no-answer", error=said) if said else _why("no-answer-failed")
        return Probe(url, False, None, None, why, reason_en=en)
    header = resp.header(REGISTRY_API_HEADER)
    header = _printable(header, 80) if header is not None else None
    body = getattr(resp, "body", b"") or b""
    ctype = (resp.header("Content-Type") or "").lower()
    if status in (200, 401):
        if header and header.strip().lower() == REGISTRY_API_VALUE:
            return Probe(url, True, status, elapsed, "", header.strip())
        if "html" in ctype or body.lstrip()[:1] == b"<":
            why, en = _why("html", status=status)
        elif header:
            why, en = _why("header", status=status, name=REGISTRY_API_HEADER, value=header,
                           expected=REGISTRY_API_VALUE)
        else:
            why, en = _why("no-header", status=status, name=REGISTRY_API_HEADER,
                           value=REGISTRY_API_VALUE)
        return Probe(url, False, status, elapsed, why, header, reason_en=en)
    if status in (403, 404, 429):
        why, en = _why(str(status))
    elif status >= 500:
        why, en = _why("5xx", status=status)
    elif 300 <= status < 400:
        loc = _printable(resp.header("Location") or "")
        why, en = _why("redirect", status=status, to=" to " + loc if loc else "")
    else:
        why, en = _why("http", status=status)
    return Probe(url, False, status, elapsed, why, header, reason_en=en)


def _printable(text: str, limit: int = 160) -> str:
    """A remote server's words, safe to show: printable characters only, one line, bounded."""
    clean = "".join(c if c.isprintable() else " " for c in text)
    clean = " ".join(clean.split())
    return clean if len(clean) <= limit else clean[:limit - 1] + "\u2026"


def _refusal_text(body: bytes) -> str:
    """The message of a registry error body ({"errors": [{"message": ...}]}, {"message": ...}),
    else the body's first words."""
    text = (body or b"")[:4096].decode("utf-8", "replace")
    try:
        data = nesting.loads(text)
    except ValueError:                             # (a hostile body nests [[[[... past the stack)
        return _printable(text)
    msgs: List[str] = []
    if isinstance(data, dict):
        for e in data.get("errors") or ():
            if isinstance(e, dict):
                msgs.append(" ".join(str(e.get(k)) for k in ("code", "message") if e.get(k)))
        if isinstance(data.get("message"), str):
            msgs.append(data["message"])
    return _printable("; ".join(m for m in msgs if m) or text)


def classify_manifest(v2: Probe, resp: Optional[HttpResponse]) -> Probe:
    """A live /v2/ probe, refined by the answer for library/hello-world's manifest (pure).

    401/403 for it (after the anonymous token its challenge offers) means the mirror refuses this
    image or this client: restricted, kept by fix. Any other answer leaves the mirror live (a
    private registry used as a mirror need not hold hello-world)."""
    from dldoctor.records import replace

    if not v2.alive:
        return v2
    status = getattr(resp, "status", None)
    elapsed = getattr(resp, "elapsed", None)
    if status in (401, 403):
        said = _refusal_text(getattr(resp, "body", b"") or b"")
        why, en = _why("refused", image=MANIFEST_REPO, status=status,
                       said=": " + said if said else "")
        return replace(v2, restricted=True, reason=why, reason_en=en, manifest_status=status,
                       manifest_latency=elapsed)
    return replace(v2, manifest_status=status, manifest_latency=elapsed)


def probe(host: Host, urls: Sequence[str], timeout: float = 5.0,
          manifest: bool = True) -> List[Probe]:
    """Probe every mirror concurrently (bounded): `GET /v2/` and, at the same time, the manifest
    of library/hello-world (`manifest` False: /v2/ only). Live ones first, fastest first, then
    the restricted ones (fastest first), then the dead.

    Invalid URLs are dead without a request. Each URL appears once (normalized).
    """
    unique: List[str] = []
    for u in urls:
        n = normalize_mirror_url(u) if isinstance(u, str) else u
        if n not in unique:
            unique.append(n)
    results: Dict[str, Probe] = {}
    to_fetch: List[str] = []
    for u in unique:
        err = validate_mirror_url(u)
        if err:
            results[u] = Probe(u, False, reason=err,
                               reason_en=validate_mirror_url(u, english=True) or err)
        else:
            to_fetch.append(u)

    def v2(u: str) -> Probe:
        try:
            resp = host.http_get(u + "/v2/", timeout=timeout)
        except Exception as exc:  # a Host must not raise, but a probe never takes the run down
            why, en = _why("no-answer", error=exc)
            return Probe(u, False, reason=why, reason_en=en)
        return classify(u, resp)

    def man(u: str) -> Optional[HttpResponse]:
        from dldoctor.registry_http import ACCEPT, TokenClient

        try:
            resp: HttpResponse = TokenClient(host, u, MANIFEST_REPO, timeout).get(MANIFEST_PATH, ACCEPT)
            return resp
        except Exception:
            return None

    jobs = [(u, "v2") for u in to_fetch] + ([(u, "manifest") for u in to_fetch] if manifest else [])
    if jobs:
        with ThreadPoolExecutor(max_workers=min(MAX_CONCURRENT_PROBES, len(jobs))) as pool:
            answers = list(pool.map(lambda j: v2(j[0]) if j[1] == "v2" else man(j[0]), jobs))
        got = {j: a for j, a in zip(jobs, answers)}
        for u in to_fetch:
            p = cast(Probe, got[(u, "v2")])
            if manifest:
                p = classify_manifest(p, cast("Optional[HttpResponse]", got[(u, "manifest")]))
            results[u] = p
    ordered = [results[u] for u in unique]
    rank = {"live": 0, "restricted": 1, "dead": 2}
    alive = sorted((p for p in ordered if p.alive), key=lambda p: (rank[p.state], p.speed))
    return alive + [p for p in ordered if not p.alive]
