"""Docker Hub registry mirror URLs: which ones dockerd accepts, when two name the same mirror, and
the catalog of known mirrors (the closed ones among them).

One place for the URL rules every layer applies: the checks (mirror.invalid, mirror.dead), the
readers of error texts, the gatherer's probe and the fix that writes daemon.json. urllib.parse is
imported where a URL is taken apart, so a check of a host without mirrors never loads it.
"""
from __future__ import annotations


from dldoctor.i18n import _
from dldoctor.lazy_regex import lazy_compile
from dldoctor.records import frozen_record

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Dict, Optional, Tuple


@frozen_record
class KnownRegistryMirror:
    """A Docker Hub mirror people use or still paste into daemon.json, and what is known about it:
    data with its source and the date of that source; `verified` when a primary source (the
    operator's own page or tracker) says it, False when only secondary sources do."""

    url: str
    operator: str
    status: str      # public | restricted | per-account | unverified | dead
    note: str
    verified: bool = False
    source: str = ""
    as_of: str = ""  # date of the source (YYYY-MM or YYYY-MM-DD)

    @property
    def probeable(self) -> bool:
        return self.status in ("public", "restricted", "unverified") and "<" not in self.url


# Public Docker Hub mirror candidates for hosts in China, and the closed ones (reference facts
# section 5b). `fix --mirror auto` and `dldoctor mirrors` probe the probeable ones.
KNOWN_REGISTRY_MIRRORS: Tuple[KnownRegistryMirror, ...] = (
    KnownRegistryMirror("https://docker.m.daocloud.io", "DaoCloud", "public",
                        "allow-list and rate limits since 2024; docker.io/nvidia/*, pytorch/*, "
                        "tensorflow/* are on the list",
                        True, "DaoCloud/public-image-mirror README, allows.txt, issue #3698",
                        "2026-08-21"),
    KnownRegistryMirror("https://docker.nju.edu.cn", "Nanjing University", "unverified",
                        "status after 2024-06 unknown",
                        False, "NJU news via ustclug/mirrorrequest #361 (set up 2023)", "2023"),
    KnownRegistryMirror("https://mirror.ccs.tencentyun.com", "Tencent Cloud", "restricted",
                        "Tencent Cloud hosts only",
                        False, "user guides (the vendor page was not retrieved)", "2026-08"),
    KnownRegistryMirror("https://<your-id>.mirror.aliyuncs.com", "Alibaba Cloud", "per-account",
                        "from the ACR console (镜像加速器); pass it with --registry-mirror",
                        False, "user guides; ACR console", "2026-08"),
    KnownRegistryMirror("https://<your-id>.mirror.swr.myhuaweicloud.com", "Huawei Cloud",
                        "per-account", "Huawei Cloud users only; not for containerd",
                        True, "Huawei Cloud SWR user manual swr_01_0045", "2026-08"),
    KnownRegistryMirror("https://docker.mirrors.ustc.edu.cn", "USTC", "dead",
                        "Docker Hub cache closed 2024-06-06",
                        True, "ustclug/mirrorhelp docs/dockerhub.md", "2024-06-06"),
    KnownRegistryMirror("https://docker.mirrors.sjtug.sjtu.edu.cn", "SJTU", "dead",
                        "Docker Hub mirror discontinued 2024-06-06",
                        True, "sjtug/mirror-requests #369", "2024-07-09"),
    KnownRegistryMirror("https://registry.docker-cn.com", "Docker China", "dead", "closed",
                        False, "user guides", "2026-08"),
    KnownRegistryMirror("https://dockerhub.azk8s.cn", "Azure China", "dead",
                        "Azure-internal only since 2020", False, "user guides", "2026-08"),
    KnownRegistryMirror("https://hub-mirror.c.163.com", "NetEase", "dead", "stopped",
                        False, "user guides", "2026-08"),
    KnownRegistryMirror("https://reg-mirror.qiniu.com", "Qiniu", "dead", "stopped 2020-05-30",
                        False, "user guides", "2026-08"),
)


def known_dead(url: str) -> Optional[KnownRegistryMirror]:
    from urllib.parse import urlsplit

    try:
        host = (urlsplit(url).hostname or "").lower()
    except ValueError:          # "https://[::1": no host to know; dockerd's refusal is said elsewhere
        return None
    for k in KNOWN_REGISTRY_MIRRORS:
        if k.status == "dead" and (urlsplit(k.url).hostname or "") == host:
            return k
    return None


def closed_reason(dead: KnownRegistryMirror) -> str:
    """Why a known-closed mirror goes, as check and fix both say it: who ran it, what happened."""
    return _("{who} mirror, {why}").format(who=dead.operator, why=_(dead.note))


# --- validation -----------------------------------------------------------------------------------


# Why dockerd rejects a registry-mirrors entry (moby's wording): English templates, shown through
# _() (scripts/i18n-extract reads them from here) and recorded as they are in evidence.
INVALID_MIRROR = {
    "empty": "invalid mirror: empty URL",
    "whitespace": "invalid mirror: {url!r} contains whitespace",
    "no-scheme": "invalid mirror: no scheme specified for {url!r}: must use either 'https://' or "
                 "'http://'",
    "not-a-uri": "invalid mirror: {url!r} is not a valid URI ({error})",
    "scheme": "invalid mirror: unsupported scheme {scheme!r} in {url!r}: must use either "
              "'https://' or 'http://'",
    "query": "invalid mirror: query or fragment at end of the URI {url!r}",
    "userinfo": "invalid mirror: username/password not allowed in URI {url!r}",
    "no-host": "invalid mirror: no host in {url!r}",
    "path": "invalid mirror: path {path!r} at end of the URI {url!r}: a Docker Hub mirror is "
            "a host (older dockerd refuses to start with a path here)",
}


def validate_mirror_url(url: str, english: bool = False) -> Optional[str]:
    """None when dockerd would accept `url` in registry-mirrors, else the reason (moby's wording,
    in the user's language: a sentence shown by check, fix and mirrors; `english`: as evidence
    records it).

    Follows moby's ValidateMirror: an http:// or https:// scheme is required, no query or fragment,
    no user:password. A path beyond "/" is refused too: dockerd before 28.x rejects it at start-up
    ("path, query, or fragment at end of the URI"), and a bad entry stops the daemon from loading
    its configuration at all.
    """
    why = _invalid_mirror(url)
    if why is None:
        return None
    key, args = why
    return (INVALID_MIRROR[key] if english else _(INVALID_MIRROR[key])).format(**args)


_PLACEHOLDER = lazy_compile(r"(?i)your[-_]?(?:[a-z]+[-_])*(?:id|code|name)|你的.*|您的.*")
# hosts handing out one accelerator per account, whose guides write xxxx for the account's part
_PER_ACCOUNT = (".mirror.aliyuncs.com", ".mirror.swr.myhuaweicloud.com")


def placeholder(url: str) -> bool:
    """Whether `url`'s host still holds a guide's placeholder (`https://<your-id>.mirror.aliyuncs.com`,
    as dldoctor itself says it, or a tutorial's `xxxx.mirror.aliyuncs.com`): dockerd accepts it, and
    every pull through it fails on DNS."""
    host = url.partition("://")[2].split("/", 1)[0].rpartition("@")[2].lower()
    label = host.split(".", 1)[0]
    return bool(host) and (any(c in host for c in "<>{}%") or bool(_PLACEHOLDER.fullmatch(label)) or
                           host.endswith(_PER_ACCOUNT) and set(label) == {"x"})


def _invalid_mirror(url: str) -> Optional[Tuple[str, Dict[str, object]]]:
    """(INVALID_MIRROR key, its arguments) when dockerd rejects `url`, else None."""
    from urllib.parse import urlsplit

    from dldoctor.scrub import hide_userinfo

    if not isinstance(url, str) or not url.strip():
        return "empty", {}
    shown = hide_userinfo(url)     # a mirror may carry no credentials: none is ever quoted
    if url != url.strip() or any(c.isspace() for c in url):
        return "whitespace", {"url": shown}
    scheme, sep, _rest = url.partition("://")
    if not sep or not scheme:
        return "no-scheme", {"url": shown}
    try:
        parts = urlsplit(url)
        port = parts.port  # raises ValueError on a bad port
    except ValueError as exc:
        if shown != url:    # the reason would quote a piece of the userinfo (a "port" of it)
            return "userinfo", {"url": shown}
        return "not-a-uri", {"url": shown, "error": exc}
    del port
    if parts.scheme not in ("http", "https"):
        return "scheme", {"scheme": parts.scheme, "url": shown}
    if parts.query or parts.fragment or url.endswith("?") or url.endswith("#"):
        return "query", {"url": shown}
    if parts.username is not None or parts.password is not None or "@" in parts.netloc:
        return "userinfo", {"url": shown}
    if not parts.hostname:
        return "no-host", {"url": shown}
    if parts.path not in ("", "/"):
        return "path", {"path": parts.path, "url": shown}
    return None


def scheme_hint(url: str) -> Optional[str]:
    """`https://<url>` when `url` lacks only its scheme (docker.m.daocloud.io), else None."""
    if not isinstance(url, str) or "://" in url or not url.strip():
        return None
    guess = "https://" + url.strip().rstrip("/")
    return guess if validate_mirror_url(guess) is None else None


# --- identity -------------------------------------------------------------------------------------


def normalize_mirror_url(url: str) -> str:
    """The form dldoctor writes into daemon.json: scheme://host[:port], no trailing slash."""
    return url.rstrip("/")


def mirror_key(url: str) -> str:
    """Mirrors compare as dockerd normalises them (it adds a trailing slash; scheme/host are
    case-insensitive)."""
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(url.strip())
    except ValueError:          # "https://[::1": compared as written (dockerd refuses it anyway)
        return url.strip().rstrip("/").lower()
    path = parts.path.rstrip("/")
    return "%s://%s%s" % (parts.scheme.lower(), parts.netloc.lower(), path)
