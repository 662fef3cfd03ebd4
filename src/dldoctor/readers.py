"""Structure readers: what the configuration and command lines pasted into a report say.

A reporter pastes `systemctl status docker` (with dockerd's command line), a proxy drop-in, the
`echo ... > /etc/docker/daemon.json` they ran, `groups` output, or names the mirror that failed.
Text signatures see words; these readers parse the structure and apply what dldoctor knows
(moby's mirror validation, systemd's quoting, the closed-mirror list, Windows builds with GPU
support in WSL) to it. Each reader returns signature-style Matches, so diagnosis ranks them
with everything else.
"""
from __future__ import annotations

import re
from functools import partial

from dldoctor.lazy_regex import lazy_compile
from dldoctor import nesting
from dldoctor.signatures import DOCKER_PY_NO_SOCKET_FILE, Match, ends

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Callable, Dict, Iterable, List, Optional, Pattern, Tuple

    Texts = Dict[str, Optional[str]]

# Windows 10 builds before 21H2 (19044) cannot hand the GPU to WSL 2; Insider builds from 20150 can.
WSL_GPU_MIN_BUILD = 19044
WSL_GPU_INSIDER_BUILD = 20150
# WSL 2 came with Windows 10 2004 (19041) and was backported to 1903/1909 (18362/18363): an older
# build runs WSL 1 only, whose kernel is a translation layer in which dockerd cannot run containers.
WSL2_MIN_BUILD = 18362


def _texts(texts: Texts, names: Iterable[str] = ("error", "notes", "command")) -> Iterable[Tuple[str, str]]:
    for n in names:
        t = texts.get(n)
        if t:
            yield n, t


def _line(text: str, pos: int) -> str:
    start = text.rfind("\n", 0, pos) + 1
    end = text.find("\n", pos)
    line = text[start:end if end >= 0 else len(text)].strip()
    return line if len(line) <= 400 else line[:397] + "..."


def _report(texts: Texts) -> str:
    """The report's texts as one, for a condition that may hold in any of them."""
    return "\n".join(t for _n, t in _texts(texts))


def _first_line(texts: Texts, pattern: "Pattern[str]", problem: str, strength: float,
                names: Iterable[str] = ("error", "notes")) -> List[Match]:
    """The reading, quoting the first line `pattern` finds in the texts `names`, in that order."""
    for where, text in _texts(texts, names):
        m = pattern.search(text)
        if m:
            return [Match(problem, strength, where, _line(text, m.start()))]
    return []


# --- registry mirrors given on dockerd's command line ------------------------------------------

_MIRROR_FLAG = lazy_compile(r"--registry-mirror(?:=|\s+)([\"']?)([^\s\"')]+)")


def mirror_flags(texts: Texts) -> List[Match]:
    """A `--registry-mirror` value dockerd rejects (no scheme, a path) -> mirror.invalid."""
    from dldoctor.mirror_urls import validate_mirror_url

    out: List[Match] = []
    for where, text in _texts(texts):
        for m in _MIRROR_FLAG.finditer(text):
            value = m.group(2).rstrip(".,;")
            if value.startswith("$") or not value:
                continue
            if validate_mirror_url(value):
                out.append(Match("mirror.invalid", 0.9, where, _line(text, m.start())))
                return out
    return out


# --- proxies -------------------------------------------------------------------------------------

_ENV_LINE = lazy_compile(r"^[ \t]*Environment[ \t]*=(.*)$", re.M)
_PROXY_VAR = lazy_compile(r"(https?|no|all)_proxy\s*=", re.I)
_HTTPS_PROXY_TLS = lazy_compile(r"https_proxy\s*=\s*[\"']?https://", re.I)
_CURLY = "\u201c\u201d\u2018\u2019"


def proxy_settings(texts: Texts) -> List[Match]:
    """Proxy settings dockerd will not use as written: a systemd Environment= line whose quoting
    breaks the variable (curly quotes, quotes inside the value, several variables in one quoted
    string), or an https:// URL for the HTTPS proxy (almost always a plain HTTP proxy)."""
    out: List[Match] = []
    for where, text in _texts(texts, ("notes", "error", "command")):
        for m in _ENV_LINE.finditer(text):
            value = m.group(1).strip()
            if not _PROXY_VAR.search(value):
                continue
            if _bad_environment(value):
                out.append(Match("docker.proxy-misconfigured", 0.85, where, _line(text, m.start(1))))
                return out
        tls = _HTTPS_PROXY_TLS.search(text)
        if tls:
            out.append(Match("docker.proxy-misconfigured", 0.8, where, _line(text, tls.start())))
            return out
    return out


# `http_proxy=... docker pull ...` (or exported in the same shell): only the docker CLI sees the
# variable; the pull is done by dockerd, which reads its own proxy settings.
_CLI_PROXY = lazy_compile(r"^[ \t$#>]*(?:sudo +)?(?:export +)?(?:(?:https?|all)_proxy=\S+ +)+(?:sudo +)?docker(?:-compose)? +"
                          r"(?:image +)?(?:pull|run|compose +(?:up|pull)|build)\b", re.I | re.M)


def cli_proxy(texts: Texts) -> List[Match]:
    return _first_line(texts, _CLI_PROXY, "docker.proxy-misconfigured", 0.8, ("command", "notes", "error"))


def _bad_environment(value: str) -> bool:
    if any(c in value for c in _CURLY):
        return True
    for quoted in re.findall(r"\"([^\"]*)\"", value):
        # Environment="HTTP_PROXY=... HTTPS_PROXY=..." : one variable whose value has a space.
        if len(_PROXY_VAR.findall(quoted)) > 1:
            return True
        name, _eq, val = quoted.partition("=")
        if val[:1] in ("'", "\"") or val[-1:] in ("'", "\""):
            return True
    return False


# --- mirrors dldoctor knows are closed ------------------------------------------------------------

_HOST = lazy_compile(r"(?<![\w.-])((?:[a-z0-9-]+\.)+[a-z]{2,})(?![\w-])", re.I)
_FAILED = lazy_compile(r"403|forbidden|401|404|5\d\d|manifest unknown|not found|tls|x509|handshake|timeout|timed out|"
                       r"EOF|refused|reset|no such host|denied|不能用|不可用|失效|用不了|无法|关闭|停止|错误|失败|"
                       r"available\?|still (work|alive|available)|no longer|closed|dead|down", re.I)


_DAEMON_NOT_STARTED = lazy_compile(r"docker\.service failed|failed to start docker|start request repeated too quickly|"
                                   r"unable to configure the docker daemon|(重启|启动)\s*docker\s*(后)?(报错|失败)|"
                                   r"docker\s*(服务)?(启动|重启)(失败|不了)", re.I)


def _known_hosts(statuses: Tuple[str, ...]) -> Dict[str, str]:
    """Host -> URL of the mirrors dldoctor lists with one of `statuses` (mirror_urls.py);
    a per-account host pattern (<your-id>.mirror.aliyuncs.com) keys on its fixed suffix."""
    from urllib.parse import urlsplit

    from dldoctor.mirror_urls import KNOWN_REGISTRY_MIRRORS

    out: Dict[str, str] = {}
    for k in KNOWN_REGISTRY_MIRRORS:
        if k.status in statuses:
            host = (urlsplit(k.url.replace("<your-id>", "x")).hostname or "").lower()
            out[host[2:] if host.startswith("x.") else host] = k.url
    return out


def _dead_hosts() -> Dict[str, str]:
    return _known_hosts(("dead",))


def _sibling(host: str, listed: str) -> bool:
    """`host` sits under the service `listed` sits under (gcr.mirrors.ustc.edu.cn beside
    docker.mirrors.ustc.edu.cn, <id>.m.daocloud.io beside docker.m.daocloud.io); that service is a
    name of three parts or more, never a bare registrable domain."""
    parent = listed.split(".", 1)[1] if listed.count(".") >= 2 else listed
    return parent.count(".") >= 2 and host.endswith("." + parent)


def _same_service(host: str, dead: str) -> bool:
    """`host` is the closed mirror or a sibling on the same service (gcr.mirrors.ustc.edu.cn next
    to docker.mirrors.ustc.edu.cn; docker-cn.com for registry.docker-cn.com)."""
    if host == dead:
        return True
    if host.count(".") == 1 and dead.endswith("." + host):   # the registrable domain alone
        return True
    return _sibling(host, dead)


_MANIFEST_NOT_FOUND = lazy_compile(r"manifest (for \S+ )?(not found|unknown)", re.I)


# What a failure to pull through a mirror prints: the registry's words or the network's. An error
# without them (an unknown runtime, the NVIDIA hook, apt, a driver) was not the mirror's doing, so a
# closed one left in daemon.json is then only a hint.
_PULLISH = lazy_compile(r"pull access denied|error pulling|(failed to|could not|cannot|can'?t|unable to) pull|"
                        r"(拉取|下载)[^\n]{0,10}(失败|超时|不了)|manifest|/v2/|time ?out|timed out|deadline|\btls\b|x509|"
                        r"certificate|handshake|(unexpected|\[)\s*EOF\b|no such host|\blookup \S+ on\b|"
                        r"connection (refused|reset)|dial tcp|\b40[1349]\b|\b50[0234]\b|forbidden|unauthori[sz]ed|"
                        r"toomanyrequests|rate limit|net/http|proxy|代理|超时|连接|imagepullbackoff|errimagepull|"
                        r"back-off pulling image", re.I)

# ... nor what a package manager prints when a repository fails (its own mirrors, 404s, timeouts).
_PACKAGE_FETCH = lazy_compile(r"repomd\.xml|repodata|mirrorlist|\bIn?Release\b|failed to fetch (https?|ftp)://|^(Err|E):|"
                              r"\berrno 14\b|could not resolve host|\b(apt(-get)?|yum|dnf|zypper)\b", re.I | re.M)
# docker's progress lines while it pulls
_PULLING = r"pulling (from|fs layer)"
# A pull still under way when the report was cut (stuck on a layer, retrying), unless it finished.
_PULL_PROGRESS = lazy_compile(_PULLING + r"|retrying in \d+ seconds?|waiting for connection", re.I)
_PULL_DONE = lazy_compile(r"downloaded newer image|pull complete|image is up to date", re.I)
# (BuildKit's words for the base image it pulls: it prints the Dockerfile's `RUN apt-get` lines too)
_DOCKER_PULL = lazy_compile(r"docker pull|" + _PULLING + r"|pull access|/v2/|manifest|error response from daemon|"
                            r"\bload metadata for|resolve source metadata|auth\.docker\.io|failed to (authorize|fetch "
                            r"(anonymous|oauth) token)|镜像", re.I)


def closed_mirrors(texts: Texts) -> List[Match]:
    """A closed mirror (mirror_urls.py, `dldoctor mirrors`) named in the report next to a pull's
    failure -> mirror.dead, whatever the error says about the image; next to an error that is no
    pull's (scripts/distractors found it read beside any error at all), nothing."""
    dead = _dead_hosts()
    report = _report(texts)
    if _DAEMON_NOT_STARTED.search(report):
        return []   # dockerd does not contact mirrors to start: a closed one cannot have stopped it
    err = texts.get("error") or ""
    pulling = _PULLISH.search(err) or (_PULL_PROGRESS.search(err) and not _PULL_DONE.search(err))
    if err.strip() and (not pulling or (_PACKAGE_FETCH.search(err) and not _DOCKER_PULL.search(err))):
        return []
    # The failure may be in one text (`unexpected EOF`) and the mirror's name in another (the command).
    failed = bool(err) or bool(_FAILED.search(report))
    # A manifest not found for an image the mirror's name is not part of: dockerd fell back past the
    # mirror, and that answer is Docker Hub's.
    if _MANIFEST_NOT_FOUND.search(err) and not any(_same_service(h.group(1).lower(), d)
                                                   for h in _HOST.finditer(err) for d in dead):
        failed = False
    for where, text in _texts(texts, ("error", "notes", "command")):
        for m in _HOST.finditer(text):
            host = m.group(1).lower()
            if any(_same_service(host, d) for d in dead):
                # Named without a failure beside it (or with Docker Hub's answer): a hint, used only
                # when nothing surer is found.
                return [Match("mirror.dead", 0.9 if failed else 0.45, where, _line(text, m.start()))]
    return []


# A registry's /v2/ endpoint that did not answer at all (no connection, no name, no TLS, a gateway
# error): the host is down for this client.
_V2_DOWN = lazy_compile(
    r"(?:Get|Head)\s+\\?\"?https?://([a-z0-9.-]+)(?::\d+)?/v2/[^\n]{0,300}?(connection refused|i/o timeout|no such host|"
    r"connection reset|\bEOF\b|TLS handshake timeout|bad gateway|service unavailable|gateway time-?out|deadline exceeded|"
    # (containerd's resolver names the host it failed to connect to: "…": dialing host:port: …)
    r"(status|code):? 50[234]\b|: 50[234]\b|\"?: dialing [\w.-]+)", re.I)
_MIRRORISH = lazy_compile(r"mirror|dockerproxy|docker-proxy|hub-?proxy", re.I)
# containerd and BuildKit ask a mirror for a public registry's image with `?ns=<that registry>`: the
# host in such a URL is a mirror, whatever its name (a private registry listed under k3s's `mirrors:`
# is asked with its own name, which is not a public registry's).
_MIRROR_QUERY = lazy_compile(r"/v2/[^\s\"']{0,400}?[?&]ns=(docker\.io|registry-1\.docker\.io|ghcr\.io|quay\.io|([\w-]+\.)?gcr\.io|"
                             r"registry\.k8s\.io|nvcr\.io|mcr\.microsoft\.com|public\.ecr\.aws)(?![\w.%:-])", re.I)


def _is_mirror_host(host: str, known: Iterable[str]) -> bool:
    # the listed host, a name under it, a sibling under the same service (<id>.m.daocloud.io next
    # to docker.m.daocloud.io), or a service name it sits under (m.daocloud.io), not a bare
    # registrable domain (daocloud.io is DaoCloud's own registry)
    return (any(host == k or host.endswith("." + k) or (k.endswith("." + host) and host.count(".") >= 2) or
                _sibling(host, k) for k in known)
            or bool(_MIRRORISH.search(host)))


def mirror_down(texts: Texts) -> List[Match]:
    """A Docker Hub mirror (one dldoctor lists as open, or a host named as a mirror or Hub proxy)
    whose /v2/ did not answer in the error: that mirror is down (mirror.dead), not the network to
    Docker Hub. Where another registry failed the same way in the same error, the network is what
    failed, and this reads nothing. A restricted or per-account mirror is limited_mirrors'; a
    closed one closed_mirrors'."""
    err = texts.get("error") or ""
    if not err:
        return []
    known = list(_known_hosts(("public", "unverified")))
    down = [(m, m.group(1).lower()) for m in _V2_DOWN.finditer(err)]
    mirrors = [(m, h) for m, h in down if _is_mirror_host(h, known) or _MIRROR_QUERY.search(m.group(0))]
    if not mirrors or len(mirrors) < len(down):
        return []
    return [Match("mirror.dead", 0.8, "error", _line(err, mirrors[0][0].start()))]


def limited_mirrors(texts: Texts) -> List[Match]:
    """A mirror dldoctor lists as restricted (cloud-internal, per-account) failing in the error:
    it serves only its own network or account -> mirror.restricted."""
    limited = _known_hosts(("restricted", "per-account"))
    err = texts.get("error") or ""
    if not err or not _FAILED.search(err):
        return []
    for m in _HOST.finditer(err):
        host = m.group(1).lower()
        if any(host == h or host.endswith("." + h) for h in limited):
            return [Match("mirror.restricted", 0.8, "error", _line(err, m.start()))]
    return []


# A refusal, an error page, or no answer at all.
_MIRROR_FAILED = lazy_compile(r"\b(401|403|5\d\d)\b|forbidden|tls:|x509|handshake|EOF|time ?out|request canceled|"
                              r"deadline exceeded|no such host|connection refused|connection reset|no route to host", re.I)


def configured_mirror_failures(texts: Texts, mirrors: Iterable[str]) -> List[Match]:
    """The error names a mirror from daemon.json with a refusal or transport failure: that mirror
    is the problem (mirror.dead), not the image; an allowlist refusal is handled by signatures."""
    from urllib.parse import urlsplit

    hosts = {(urlsplit(u if "://" in u else "https://" + u).hostname or "").lower() for u in mirrors}
    hosts.discard("")
    err = texts.get("error") or ""
    if not hosts or not err:
        return []
    for line in err.splitlines():
        low = line.lower()
        if any(h in low for h in hosts) and _MIRROR_FAILED.search(line):
            return [Match("mirror.dead", 0.85, "error", line.strip()[:400])]
    return []


# --- Windows builds behind WSL --------------------------------------------------------------------

_WIN_BUILD = lazy_compile(r"(?:version\s+10\.0\.|\b10\.0\.|\bbuild\s*(?::\s*)?|\bwindows(?: 10)?[^\n]{0,40}?\b)(1\d{4}|2\d{4})\b",
                        re.I)
# Windows 10 named by its release ("version 1803") rather than its build.
_WIN_RELEASE = lazy_compile(r"\b(?:windows(?: 10)?|win ?10)(?: version)?\s*(1607|1703|1709|1803|1809|1903|1909|2004|20H2|21H1)\b", re.I)
_RELEASE_BUILD = {"1607": 14393, "1703": 15063, "1709": 16299, "1803": 17134, "1809": 17763, "1903": 18362, "1909": 18363,
                  "2004": 19041, "20H2": 19042, "21H1": 19043}


_WINDOWS = lazy_compile(r"windows|win ?1[01]\b|\bwsl|docker desktop|docker-desktop|desktop-linux", re.I)
_DXCORE_FAILED = lazy_compile(r"initialization error: driver error: failed to process request", re.I)
# An old Windows build only matters to a report about the GPU (a proxy error on Windows is not one),
# or to dockerd or runc failing to run anything inside a Linux on WSL (WSL 1 has no cgroups, no
# overlay, no namespaces of its own), not under Docker Desktop's own VM (Hyper-V runs it on 1809).
_ENGINE_FAILED = lazy_compile(r"OCI runtime (create|start) failed|final child's pid from pipe|cannot connect to the docker daemon|"
                              r"failed to start daemon|error initializing graphdriver|cgroups?: cannot find cgroup mount|"
                              r"docker\.service: (main process exited|failed)", re.I)
# (`ver`'s own output pasted from a Linux shell is WSL's interop)
_IN_WSL = lazy_compile(r"\bwsl\b|windows subsystem for linux|bash on (ubuntu on )?windows|/mnt/c/|-microsoft\b|"
                       r"Microsoft Windows \[Version", re.I)
# Desktop's own VM, or a Linux that is a VM or a server merely reached from Windows.
_DESKTOP_VM = lazy_compile(r"docker desktop|docker for windows|docker toolbox|hyper-?v|docker-machine|vmware|virtualbox|"
                           r"\bvm\b|\bssh\b|windows server", re.I)
_GPU_TALK = lazy_compile(r"\bgpus?\b|nvidia|cuda|\bnvml\b|显卡|\bdriver( version)?:? ?v?\d{3}\.\d+", re.I)


def windows_build(texts: Texts) -> List[Match]:
    """A Windows 10 build older than 21H2 (19044) named in a report about WSL or Docker Desktop:
    WSL gives such a Linux no GPU; older than 1903 (18362), no WSL 2 and so no engine at all. On
    Windows, the toolkit's WSL path failing outright ("driver error: failed to process request") says
    the same; on a Linux host that error means other things."""
    report = _report(texts)
    if _WINDOWS.search(report):
        m = _DXCORE_FAILED.search(report)
        if m:
            return [Match("os.wsl-gpu-unsupported", 0.75, "error", _line(report, m.start()))]
    gpu_talk = bool(_GPU_TALK.search(report))
    engine_failed = bool(_ENGINE_FAILED.search(report) and _IN_WSL.search(report) and not _DESKTOP_VM.search(report))
    if not gpu_talk and not engine_failed:
        return []
    for where, text in _texts(texts, ("notes", "error", "command")):
        if not _WINDOWS.search(text):
            continue
        # (a bare number is read as a build only from 17000 up; a release name is a build for sure)
        builds = [(int(m.group(1)), m, 17000) for m in _WIN_BUILD.finditer(text)] + \
            [(_RELEASE_BUILD[m.group(1).upper()], m, 0) for m in _WIN_RELEASE.finditer(text)]
        for build, m, least in builds:
            if not gpu_talk:
                # no GPU in question: only a build that has no WSL 2 at all explains the engine failing
                if least <= build < WSL2_MIN_BUILD:
                    return [Match("os.wsl-gpu-unsupported", 0.8, where, _line(text, m.start()))]
                continue
            if least <= build < WSL_GPU_MIN_BUILD:
                return [Match("os.wsl-gpu-unsupported", 0.9, where, _line(text, m.start()))]
            if build >= WSL_GPU_INSIDER_BUILD:
                return []
    return []


# --- daemon.json written from a command line -----------------------------------------------------

_ECHO_JSON = lazy_compile(r"echo\s+'([^']*)'\s*>>?\s*/etc/docker/daemon\.json|"
                        r"echo\s+\"((?:[^\"\\]|\\.)*)\"\s*>>?\s*/etc/docker/daemon\.json")


def echoed_daemon_json(texts: Texts) -> List[Match]:
    """`echo '...' > /etc/docker/daemon.json` with text that is not one JSON object (or `>>`,
    which appends a second object) -> daemon-json.invalid."""
    for where, text in _texts(texts, ("command", "notes", "error")):
        for m in _ECHO_JSON.finditer(text):
            body = m.group(1) if m.group(1) is not None else m.group(2)
            appended = ">>" in m.group(0)
            try:
                ok = isinstance(nesting.loads(body), dict) and not appended
            except ValueError:
                ok = False
            if not ok:
                return [Match("daemon-json.invalid", 0.85, where, _line(text, m.start()))]
    return []


# --- `groups` output that disagrees with /etc/group ----------------------------------------------

# Line-anchored patterns use [ \t], never \s, next to ^ or \n: \s would run across blank lines
# from every line start, quadratic in a report of many empty lines.
_GROUPS_USER = lazy_compile(r"^\S*\$?[ \t]*groups[ \t]+(\S+)[ \t]*\r?\n[ \t]*\1[ \t]*:[ \t]*([^\n]*)$", re.M)
_GROUPS_BARE = lazy_compile(r"^\S*\$?[ \t]*groups[ \t]*\r?\n([^\n]*)$", re.M)


def groups_output(texts: Texts) -> List[Match]:
    """`groups USER` (read from /etc/group) lists docker but plain `groups` (this session) does
    not -> the session predates the group change."""
    for where, text in _texts(texts, ("notes", "error")):
        named = _GROUPS_USER.search(text)
        bare = _GROUPS_BARE.search(text)
        if named and bare and "docker" in named.group(2).split() and "docker" not in bare.group(1).split():
            return [Match("docker.group-not-active", 0.9, where, _line(text, bare.start()))]
    return []


# --- pulls through a third-party mirror host --------------------------------------------------------

_OFFICIAL = ("docker.io", "registry-1.docker.io", "index.docker.io", "ghcr.io", "nvcr.io", "quay.io", "gcr.io",
             "registry.k8s.io", "k8s.gcr.io", "mcr.microsoft.com", "public.ecr.aws", "registry.gitlab.com")
_PULL_HOST = lazy_compile(r"docker\s+(?:image\s+)?pull\s+(?:--\S+\s+)*([a-z0-9-]+(?:\.[a-z0-9-]+)+)(?::\d+)?/", re.I)
_LIMITED = lazy_compile(r"toomanyrequests|too many requests|\b429\b|rate limit|限流|请求受限", re.I)


def mirror_host_limits(texts: Texts) -> List[Match]:
    """`docker pull some.mirror.host/...` (a mirror used as a prefix) refused with a rate limit:
    that mirror throttles this client (mirror.restricted), whatever Docker Hub would allow."""
    cmd = "\n".join(t for _n, t in _texts(texts, ("command", "notes")))
    err = texts.get("error") or ""
    m = _PULL_HOST.search(cmd) or _PULL_HOST.search(err)
    if not m or not _LIMITED.search(err or cmd):
        return []
    host = m.group(1).lower()
    if any(host == o or host.endswith("." + o) for o in _OFFICIAL) or "." not in host:
        return []
    return [Match("mirror.restricted", 0.75, "command", _line(cmd or err, m.start()))]


# --- registry mirrors written in configuration (daemon.json pasted, `ros config set`, YAML) ----------

_MIRROR_CONF = lazy_compile(r"registry[-_.]mirrors?[\"']?(?:[ \t]*[:=][ \t]*|[ \t]+)(\[[^\]]{0,2000}\]|[\"'][^\"'\n]*[\"'])",
                            re.I)
_QUOTED = lazy_compile(r"[\"\u201c\u201d]([^\"\u201c\u201d\n]*)[\"\u201c\u201d]|'([^'\n]*)'")
_URL_HOST = lazy_compile(r"^https?://[A-Za-z0-9.-]+(:\d+)?(/[^\s]*)?$")


def _mirror_rejected(value: str) -> bool:
    """dockerd refuses this mirror value: moby's validation, or a host Go's URL parser rejects."""
    from dldoctor.mirror_urls import validate_mirror_url

    return bool(validate_mirror_url(value)) or not _URL_HOST.match(value)


def mirror_settings(texts: Texts) -> List[Match]:
    """A registry-mirrors list or registry_mirror setting (pasted daemon.json, a distribution's own
    config command) holding a value dockerd rejects: an empty string, no scheme, a malformed host."""
    for where, text in _texts(texts, ("notes", "command", "error")):
        for m in _MIRROR_CONF.finditer(text):
            for q in _QUOTED.finditer(m.group(1)):
                value = (q.group(1) if q.group(1) is not None else q.group(2)).strip()
                if value.startswith(("$", "<", "{")) or "your" in value.lower():
                    continue   # a placeholder in instructions, not a setting
                if _mirror_rejected(value):
                    return [Match("mirror.invalid", 0.85, where, _line(text, m.start()))]
    return []


# --- a registry's own access log -------------------------------------------------------------------

_ACCESS = lazy_compile(r"\"(?:GET|HEAD) (/v2/[^\s\"]*) HTTP/[\d.]+\" (\d{3})")


def registry_access_log(texts: Texts) -> List[Match]:
    """Access-log lines of a registry or mirror that answered `/v2/` but refused manifests with 401/403:
    alive, and refusing this name or client (the live probe's definition of mirror.restricted)."""
    for where, text in _texts(texts, ("notes", "error")):
        root_ok, refused = False, None
        for m in _ACCESS.finditer(text):
            path, status = m.group(1), m.group(2)
            if path.rstrip("/") == "/v2" and status == "200":
                root_ok = True
            elif "/manifests/" in path and status in ("401", "403"):
                refused = refused or m
        if root_ok and refused:
            return [Match("mirror.restricted", 0.8, where, _line(text, refused.start()))]
    return []


# --- GPU tools missing inside a container -----------------------------------------------------------

# user@<container id>:, after a conda environment's "(base) " where the image activates one
_CONTAINER_PROMPT = lazy_compile(r"^[ \t]*(?:\([\w.-]{1,40}\) )?\S*@[0-9a-f]{12}:[^\n]{0,200}$", re.M)
_SMI_MISSING = lazy_compile(r"nvidia-smi: (command )?not found|\"nvidia-smi\": executable file not found", re.I)
# An image's own script calling nvidia-smi ("/aio/entrypoint.sh: line 52: nvidia-smi: command not
# found", "/usr/local/bin/dcgm-exporter: line 55: …"): it ran inside the container.
_IMAGE_SCRIPT_SMI = lazy_compile(r"(?:entrypoint[\w.-]*|/usr/local/bin/[\w.-]+|/opt/[\w./-]{1,200}): line \d+: "
                                 r"nvidia-smi: (?:command )?not found", re.I)
_CONTAINERISH = lazy_compile(r"\bdocker\b|containers?\b|kubernetes|\bk8s\b|\bpods?\b|compose|容器", re.I)
# (not `nvidia-docker run`, which asks for the GPUs itself)
_DOCKER_RUN = lazy_compile(r"(?<![\w-])docker(?:-compose| compose)? +(?:container +)?run\b[^\n]{0,400}", re.I)
_GPU_REQUEST = r"--gpus|--runtime[= ]+nvidia|nvidia\.com/gpu|NVIDIA_VISIBLE_DEVICES"
_GPU_FLAGS = lazy_compile(_GPU_REQUEST + r"|--device[= ]+/dev/nvidia", re.I)
_ASKS_GPU = lazy_compile(_GPU_REQUEST + r"|nvidia-docker", re.I)
_DEVICE_MOUNT = lazy_compile(r"--device[= ]+/dev/nvidia", re.I)
# CUDA in a container with no libcuda at all: what a container given no GPU prints too.
_NO_LIBCUDA = r"cuda driver version is insufficient|libcuda\.so"
_NO_LIBCUDA_INSIDE = lazy_compile(_NO_LIBCUDA, re.I)
# What CUDA says inside a container that has the device nodes but none of the driver's libraries.
_NO_DRIVER_INSIDE = lazy_compile(_NO_LIBCUDA + r"|no cuda-capable device|nvidia-smi: (command )?not found|"
                                 r"couldn.?t find libnvidia-ml", re.I)
# What CUDA and the frameworks say in a container that was given no GPU at all.
_NO_DEVICE_INSIDE = lazy_compile(r"/dev/nvidia\d* does not exist|no nvidia gpu device is present|failed call to cuinit|"
                                 r"no cuda-capable device", re.I)
_GPU_WANTED = lazy_compile(r"cuda|gpu|nvidia-smi|显卡", re.I)
# The GPU asked for other than by `docker run`'s own flags (compose, daemon.json, a blog's dashes,
# Jetson's default runtime, Kubernetes).
_GPU_ASKED_ELSEWHERE = lazy_compile(r"runtime:\s*[\"']?nvidia|default-runtime[\"']?\s*[:=]\s*[\"']?nvidia|"
                                    r"capabilities:\s*(?:\[\s*)?[\"']?gpu|driver:\s*[\"']?nvidia|[\u2013\u2014]gpus|"
                                    r"--runtime[= ]+[\"']nvidia|\bjetson\b|\bl4t\b|jetpack|tegra|runtimeclassname|"
                                    r"gpu[- ]operator", re.I)
# A compose file's service with its image, pasted whole enough to show how the container is started.
# (each line read one way only: a line's indent and its text are told apart by its first non-blank)
_COMPOSE_SERVICE = lazy_compile(r"^[ \t]*services:[ \t]*\n(?:[ \t]*(?:#[^\n]*)?\n){0,10}[ \t]+[\w.-]+:[ \t]*(?:#[^\n]*)?\n"
                                r"(?:[ \t]+\S[^\n]*\n|[ \t]*\n){0,30}?[ \t]+image:[ \t]*\S", re.M)
# ... and what asks a compose service for the GPU (a device reservation, the runtime, `gpus:`, the
# nodes), or may ask it where the paste does not show (a file it extends, a second -f file).
_COMPOSE_GPU = lazy_compile(r"^[ \t]*(?:gpus|devices|runtime|deploy|device_requests|capabilities|extends)[ \t]*:|/dev/nvidia|"
                            r"NVIDIA_VISIBLE_DEVICES|\s-f\s+\S+[^\n]{0,200}?\s-f\s|override\.ya?ml", re.I | re.M)
# What says the driver did reach the container (PyTorch read its version; nvidia-smi ran in it), that
# there is no NVIDIA GPU to give, or that the failure was a build step's (a build never gets one).
_COMPOSE_NOT_THE_REQUEST = lazy_compile(r"found version \d{4,5}|\bexec\b[^\n]{0,80}nvidia-smi|\brocm\b|\bradeon\b|/dev/kfd|"
                                        r"failed to solve|^#\d+ \[", re.I | re.M)
_DRIVER_TABLE = lazy_compile(r"NVIDIA-SMI \d{3}\.|Driver Version:\s*\d{3}\.", re.I)
_COMMENT_LINE = lazy_compile(r"^[ \t]*#[^\n]*$", re.M)
# the resources a compose file declares at its top level, each a key with nothing under it
_TOP_LEVEL_RESOURCES = lazy_compile(r"^(volumes|networks|secrets|configs):[ \t]*$")
# a paste shortened by hand
_ELIDED = lazy_compile(r"^[ \t#]*(\.\.\.|…)|\b(omitted|snipped|truncated)\b|省略", re.I)
_DRIVER_VERSION_SHOWN = lazy_compile(r"driver version:?\s*\d{3}|\bdriver\s+\d{3}\b|nvidia-smi \d{3}\.|驱动版本", re.I)


def _cut_short(text: str, start: int) -> bool:
    """A pasted block (up to its code fence or blank line) shortened by hand (`...`), or whose last
    line opens a key with nothing under it (`volumes:`, not a named volume declared at the top
    level): the paste was cut there, and what asks for the GPU may be below."""
    end = min((i for i in (text.find("```", start), text.find("\n\n", start)) if i >= 0), default=len(text))
    lines = [ln for ln in text[start:end].splitlines() if ln.strip()]
    if any(_ELIDED.search(ln) for ln in lines):
        return True
    if not lines or not lines[-1].rstrip().endswith(":"):
        return False
    top = [ln for ln in lines if not ln[:1].isspace()]
    return not (lines[-1][:1].isspace() and top and _TOP_LEVEL_RESOURCES.match(top[-1].rstrip()))


def container_without_gpu(texts: Texts) -> List[Match]:
    """`nvidia-smi: command not found` typed at a container's prompt (user@<12 hex>), or a report about
    GPUs whose compose service or every `docker run` lacks a GPU request: no GPU was requested."""
    report = _report(texts)
    if not _GPU_WANTED.search(report):
        return []
    for where, text in _texts(texts, ("notes", "error")):
        for p in _CONTAINER_PROMPT.finditer(text):
            tail = text[p.start():p.end() + 400]
            smi = _SMI_MISSING.search(tail)
            if smi:
                return [Match("container.no-gpu-request", 0.8, where, _line(tail, smi.start()))]
        script = _IMAGE_SCRIPT_SMI.search(text)
        if script and _CONTAINERISH.search(report) and not _ASKS_GPU.search(report):
            return [Match("container.no-gpu-request", 0.8, where, _line(text, script.start()))]
    # A compose service shown with nothing that asks for the GPU, and CUDA failing in it: the
    # container was given no GPU, whatever a driver version beside it says (no libcuda reached it).
    # (a line commented out asks for nothing; CUDA's words, not a missing nvidia-smi, which a host says too)
    pasted = [(n, t.replace("\r\n", "\n")) for n, t in _texts(texts, ("notes", "command", "error"))]
    compose = [(n, t, m) for n, t in pasted for m in _COMPOSE_SERVICE.finditer(t) if not _cut_short(t, m.start())]
    if compose:
        said = _COMMENT_LINE.sub("", report.replace("\r\n", "\n"))
        # (nor where nvidia-smi answered at a container's prompt: the driver reached that container)
        answered_inside = any(_DRIVER_TABLE.search(t, p.end(), p.end() + 600) for _, t in pasted
                              for p in _CONTAINER_PROMPT.finditer(t))
        if not answered_inside and not _COMPOSE_GPU.search(said) and not _ASKS_GPU.search(said) and \
                not _GPU_ASKED_ELSEWHERE.search(said) and not _COMPOSE_NOT_THE_REQUEST.search(report) and \
                not _MAC.search(report) and (_NO_LIBCUDA_INSIDE.search(report) or _NO_DEVICE_INSIDE.search(report)):
            n, t, m = compose[0]
            return [Match("container.no-gpu-request", 0.9, n, _line(t, m.end() - 1))]
    runs = [(n, t, m) for n, t in _texts(texts, ("command", "notes")) for m in _DOCKER_RUN.finditer(t)]
    # `docker run --device /dev/nvidia0 --device /dev/nvidiactl ...` by hand: the device nodes reach
    # the container, the driver's user-space libraries do not (only the toolkit injects them).
    handmade = [(n, t, m) for n, t in _texts(texts, ("command", "notes", "error")) for m in _DOCKER_RUN.finditer(t)
                if _DEVICE_MOUNT.search(m.group(0))]
    if handmade and not _ASKS_GPU.search(report):
        n, t, m = handmade[0]
        return [Match("container.no-gpu-request", 0.9 if _NO_DRIVER_INSIDE.search(report) else 0.7, n,
                      _line(t, m.start()))]
    # The failing command itself ran without a GPU, and CUDA inside found no device, even where the
    # report shows another run with --gpus that works.
    failing = [(n, t, m) for n, t, m in runs if n == "command" and not _ASKS_GPU.search(m.group(0))
               and not _DEVICE_MOUNT.search(m.group(0))]
    if failing and _NO_DEVICE_INSIDE.search(report):
        n, t, m = failing[0]
        return [Match("container.no-gpu-request", 0.9, n, _line(t, m.start()))]
    if runs and not _GPU_FLAGS.search(report) and "nvidia-docker" not in report:
        n, t, m = runs[0]
        # nvidia-smi missing next to such a run is missing inside that container, not on the host;
        # and CUDA with no libcuda at all in a container reports "driver version is insufficient"
        # (unless the GPU is asked for another way, or a driver version shown says it may be too old)
        sure = 0.8 if _SMI_MISSING.search(report) or _NO_DEVICE_INSIDE.search(report) or (
            _NO_LIBCUDA_INSIDE.search(report) and not _GPU_ASKED_ELSEWHERE.search(report)
            and not _DRIVER_VERSION_SHOWN.search(report)) else 0.65
        return [Match("container.no-gpu-request", sure, n, _line(t, m.start()))]
    return []


# --- a proxy dockerd has, which its pull did not go through ----------------------------------------

# `docker info`'s proxy lines with a proxy in them (dockerd's own environment); not Docker Desktop's
# own proxy, nor a placeholder.
_DAEMON_PROXY = lazy_compile(r"^[ \t]*HTTPS? Proxy:[ \t]*(?!(none|n/?a|<none>|-|\"\"|''|http\.docker\.internal)\b)\S", re.I | re.M)
_DESKTOP = lazy_compile(r"docker\.internal|docker desktop|desktop-linux", re.I)
# dockerd reaching Docker Hub's address itself; through a proxy it would have dialled the proxy
# ("proxyconnect tcp: ..."). Hub only: a mirror or a registry of the LAN is often in NO_PROXY on purpose.
_DIRECT_DIAL = lazy_compile(r"(get|head) \\?\"?https://(registry-1|index|auth)\.docker\.io/[^\s\"]*\\?\"?: dial tcp [\d.]+:443: "
                            r"(connect: connection refused|i/o timeout|connect: network is unreachable)|"
                            r"dial tcp: lookup (registry-1\.docker\.io|index\.docker\.io|auth\.docker\.io)", re.I)


def proxy_bypassed(texts: Texts, host: str = "") -> List[Match]:
    """dockerd has a proxy (docker info says so) yet dialled the registry directly: the proxy URL it
    was given does not parse (an unescaped '@' or '%' in a password) or NO_PROXY covers the registry."""
    report = _report(texts)
    if not (_DAEMON_PROXY.search(host) or _DAEMON_PROXY.search(report)) or "proxyconnect" in report.lower() \
            or _DESKTOP.search(host) or _DESKTOP.search(report):
        return []
    return _first_line(texts, _DIRECT_DIAL, "docker.proxy-misconfigured", 0.75)


# --- Docker Desktop's socket, where the client did not look --------------------------------------

# The client found no daemon at a socket (docker's, docker-py's, Node's and Testcontainers' words).
_NO_SOCKET = lazy_compile(r"cannot connect to the docker daemon|docker\.sock[^\n]{0,40}(no such file|does not exist|ENOENT)|"
                          r"(no such file or directory|ENOENT)[^\n]{0,60}docker\.sock|"
                          r"(fetching server api version|connection aborted)[^\n]{0,300}FileNotFoundError\(2\b|"
                          r"No Docker client strategy found|"
                          # docker-py's traceback through its socket adapter, cut before that line
                          r"docker/transport/unixconn\.py[^\n]*\n(?:[^\n]*\n){0,12}?[^\n]*" + DOCKER_PY_NO_SOCKET_FILE, re.I)
# Docker Desktop's own socket or context named: the engine the CLI was set to is Desktop's VM.
_DESKTOP_SOCKET = lazy_compile(r"(~|/Users/[^/\s]+|/home/[^/\s]+)/\.docker/(run|desktop)/docker\.sock|"
                               r"\bcontext\b[^\n]{0,40}\bdesktop-linux\b|\bdesktop-linux\b[^\n]{0,40}\bcontext\b|"
                               r"^[ \t]*desktop-linux \*", re.I | re.M)
_MAC = lazy_compile(r"\bdarwin\b|\bmac ?os\b|\bos ?x\b|\bmacbook|\bmac (m[1-4]|mini|studio)\b|\bm[1-4] (mac|max|pro|chip)\b|"
                    r"apple silicon|/Users/[\w.-]+/", re.I)
# ... while the reporter says Docker itself runs, or names Desktop (Docker for Mac) as what they
# run: the socket is elsewhere, not the daemon gone. A Mac naming neither may just not have started it.
_DOCKER_RUNS = lazy_compile(r"\bdocker (desktop )?(is|was) (up and )?running\b|\bdocker (commands?|cli) (are |is )?(still )?working|"
                            r"\bdocker ps\b[^\n]{0,20}\bworks\b|only socket|com\.docker\.vmnetd\.sock|"
                            r"\bdocker[- ]desktop\b|\bdocker for mac\b|\bdocker\.app\b", re.I)
# On any host, the reporter's word that Desktop itself runs ("I've got Docker Desktop running"; not
# the client's hint "Is docker or Docker Desktop running?"): its engine is up, its socket elsewhere.
_DESKTOP_RUNS = lazy_compile(r"\b(i'?ve got|i have|i've|got|have|with|while) docker[- ]desktop (running|open|started|up)\b|"
                             r"(?<!\bor )\bdocker[- ]desktop is (up and |already |definitely )?(running|open|started)\b", re.I)
# ... unless Desktop is not the engine in question (uninstalled, or another engine wanted beside it)
_DESKTOP_NOT_ENGINE = lazy_compile(r"uninstall|\bremoved\b|instead of|switched|\bbut i want\b|service docker start|"
                                   r"systemctl (start|status|restart) docker|dev ?containers?\b", re.I)

# A daemon of its own the client was meant to reach (rootless, in a container, remote, another VM
# of the Mac's): not Desktop's.
_OTHER_DAEMON = lazy_compile(r"rootless|\bdind\b|docker-in-docker|\b(inside|in) (the|a) container\b|tcp://|ssh://|DOCKER_HOST|"
                             r"colima|orbstack|rancher desktop|\blima\b|podman", re.I)
# The failure at the default socket (the link Desktop may not have made: on a Mac, or where the
# reporter says Desktop runs).
_DEFAULT_SOCKET = lazy_compile(r"/var/run/docker\.\s?sock|FileNotFoundError\(2\b|" + DOCKER_PY_NO_SOCKET_FILE +
                               r"|No Docker client strategy found", re.I)


def desktop_socket(texts: Texts) -> List[Match]:
    """A client that found no daemon where Docker Desktop's socket or context was in play: the
    socket under ~/.docker, the desktop-linux context, a Mac whose Docker runs (or is Desktop), or
    any host whose reporter says Desktop itself is running, while /var/run/docker.sock is not there
    (Desktop 4.13+ makes that link only when asked). Read as the failure itself, not a remark about
    the host: what to fix is Desktop's socket or context."""
    report = _report(texts)
    if not _NO_SOCKET.search(report):
        return []
    m = _DESKTOP_SOCKET.search(report)
    if m:
        return [Match("docker.desktop", 0.9, "error", _line(report, m.start()))]
    if _DEFAULT_SOCKET.search(report) and not _OTHER_DAEMON.search(report):
        m = _DOCKER_RUNS.search(report) if _MAC.search(report) else None
        m = m or (None if _DESKTOP_NOT_ENGINE.search(report) else _DESKTOP_RUNS.search(report))
        if m:
            return [Match("docker.desktop", 0.88, "error", _line(report, m.start()))]
    return []


# --- two drivers' libraries side by side ----------------------------------------------------------

_DRIVER_LIB = lazy_compile(r"\blib(cuda|nvidia-[a-z][\w-]*)\.so\.(\d{3}\.\d+(?:\.\d+)?)\b")
# The listing was made in a container or an image (its prompt, `docker run … ls`, the words).
_LISTED_IN_CONTAINER = lazy_compile(r"\b(inside|within|in) (the|a|my|this|an?) (container|image)\b|"
                                    r"\b(nvidia-)?docker run\b[^\n]*\b(ls|find|ldconfig|bash|sh)\b|"
                                    r"\broot@[0-9a-f]{12}:|\b(docker|container) image\b|\bnvidia/cuda:|容器(内|里|中)|镜像(内|里|中)",
                                    re.I)
# What the host says when its own libraries are at two versions: a driver upgraded without a reboot.
_HOST_MISMATCH = lazy_compile(r"version mismatch|api mismatch|apt(-get)? (upgrade|install)|unattended|reboot|"
                              r"/usr/lib/x86_64-linux-gnu/libnvidia|版本不匹配", re.I)


def two_driver_libs(texts: Texts) -> List[Match]:
    """A listing made in a container with one driver library at two driver versions
    (libcuda.so.460.32.03 beside libcuda.so.450.102.04): the one the toolkit mounted from the host
    and one the image was built with, left in it by the build host's runtime. On the host itself
    two versions are a driver upgraded without a reboot, which this does not read."""
    report = _report(texts)
    if not _LISTED_IN_CONTAINER.search(report) or _HOST_MISMATCH.search(report):
        return []
    for where, text in _texts(texts, ("notes", "error")):
        seen: Dict[str, str] = {}
        for m in _DRIVER_LIB.finditer(text):
            lib, version = m.group(1), m.group(2)
            if seen.setdefault(lib, version) != version:
                return [Match("image.bundles-driver-libs", 0.8, where, _line(text, m.start()))]
    return []


# --- permission denied inside a container on an SELinux host ------------------------------------

# Red Hat's family enforces SELinux by default (and CentOS's own docker 1.13 ran with --selinux-enabled):
# a bind mount without the :z/:Z relabel is denied to the container, root or not.
_SELINUX_HOST = lazy_compile(r"\b(centos|rhel|red ?hat|fedora|rocky|almalinux|oracle linux|coreos)\b|"
                             r"\.el[6-9](_\d+)?\b|\.fc\d\d\b", re.I)
# Hosts of other families, as their own files name them.
_OTHER_HOST = lazy_compile(r"\b(ubuntu|debian|mint|raspbian|arch|manjaro|suse|opensuse|sles|alpine|gentoo|nixos|amzn|"
                           r"amazon linux|windows|darwin|mac ?os|pop!?_os|kali|deepin|uos|kylin|openeuler)\b", re.I)
# A distribution named for an image (a Dockerfile's FROM, "an image based on Rocky"), not the host.
_IMAGE_DISTRO = lazy_compile(r"^[ \t]*FROM[ \t][^\n]*$|\b(image|container|base)[^.\n]{0,30}\b(based on|built on|from)\b[^.\n]*",
                             re.I | re.M)
# (Node's and libc's errno name for it, as a program in the container prints it)
_DENIED = lazy_compile(r"permission denied|\bEACCES\b", re.I)
# The denial came from inside a container: a bind mount in the run, the container's logs, its prompt.
_IN_CONTAINER = lazy_compile(r"(^|[ \t])(-v|--volume)[= ]+[\"']?(/|\.|~|\$|`)[^\s:]*:/|--mount[= ][^\n]*type=bind|"
                             r"^[ \t]*-[ \t]*[\"']?(/|\./|\$\{?\w+\}?/)[^\s:]*:/|\bas a volume\b|"
                             r"\b(inside|within|in) (the|a|my|this) container\b|\bdocker(-compose| compose)? logs\b|"
                             r"\[root@[0-9a-f]{12} |容器(内|里|中)|"
                             # a compose service's log prefix ("web_1  | ", "web-1  | ")
                             r"^[ \t]*[\w.-]+[_-]\d+[ \t]+\|[ \t]", re.I | re.M)
# Other reasons for a refusal: the host's own CLI refused (the group, what sudo changes), a user or
# owner that does not match (--user, uid, NFS root_squash), a mount already relabelled (:z/:Z), a
# script without its execute bit, a non-root install inside the image. (A chown refused inside the
# container is SELinux's signature, not another reason: root may chown on a bind mount otherwise.)
_OTHER_DENIAL = lazy_compile(r"got permission denied while trying to connect to the docker daemon|"
                             r"\b(with|without|use|using|works with) sudo\b|\bdocker group\b|usermod|\brootless\b|setfacl|chmod|"
                             r"(^|[ \t])(-u|--user)[= ]|\b[ug]id\b|owned by|root_squash|\bnfs\b|:/[^\s:]*:[zZ](,\w+)?\b|"
                             r"exec [^\n]*: permission denied|\bpip3? install\b|"
                             # a port below 1024 for a non-root process; npm's own cache in the image
                             r"listen EACCES|EACCES[^\n]{0,40}:\d{1,5}\b|\bbind\(|\.npm\b", re.I | re.M)
# `docker info` whose security options leave SELinux out: this daemon labels nothing.
_SECURITY_OPTIONS = lazy_compile(r"security options:", re.I)


def selinux_mounts(texts: Texts, host: str = "") -> List[Match]:
    """`permission denied` for a path a container was given (a bind mount, the mounted docker.sock)
    on a Red Hat family host, where no other reason for the refusal is in sight: SELinux. The host is
    what its own files say (`host`); the words are read only where those name no family."""
    report = _report(texts)
    if _SECURITY_OPTIONS.search(host) and "selinux" not in host.lower():
        return []
    if not _SELINUX_HOST.search(host) and (_OTHER_HOST.search(host) or
                                          not _SELINUX_HOST.search(_IMAGE_DISTRO.sub("", report))):
        return []
    if not _IN_CONTAINER.search(report) or _OTHER_DENIAL.search(report):
        return []
    return _first_line(texts, _DENIED, "os.selinux", 0.75)


# --- BuildKit's base image that did not resolve: how long it tried --------------------------------

# BuildKit prints only the step and its time when resolving a base image fails in its progress view:
# a missing image is answered at once, a registry that never answers takes the resolver's timeout.
# (Compose and multi-platform builds name the service or platform before "internal")
_METADATA_FAILED = lazy_compile(r"ERROR \[[\w/.: -]{0,80}internal\] load metadata for \S+[ \t]+(\d{1,4})\.\d+?s\b")
# ... unless the registry's answer is shown after all (a refusal, a login, a certificate, no image)
_REGISTRY_ANSWERED = lazy_compile(r"\b40[134]\b|unauthori[sz]ed|denied|forbidden|credential|x509|certificate|"
                                  r"http response to https client|not found|manifest unknown|toomanyrequests", re.I)
_METADATA_SLOW_S = 10


def metadata_timeout(texts: Texts) -> List[Match]:
    """BuildKit's `ERROR [internal] load metadata for <image>` after 10 s and more: the registry did
    not answer (no name, no connection), which a missing image or a refusal is told at once."""
    for where, text in _texts(texts, ("error", "notes")):
        for m in _METADATA_FAILED.finditer(text):
            if int(m.group(1)) >= _METADATA_SLOW_S:
                return [] if _REGISTRY_ANSWERED.search(_report(texts)) else \
                    [Match("registry.unreachable", 0.6, where, _line(text, m.start()))]
    return []


READERS: Tuple[Callable[[Texts], List[Match]], ...] = (
    mirror_flags, proxy_settings, cli_proxy, closed_mirrors, limited_mirrors, mirror_down, windows_build,
    metadata_timeout, echoed_daemon_json,
    groups_output, mirror_host_limits, mirror_settings, registry_access_log, container_without_gpu,
    two_driver_libs, desktop_socket)


def read(texts: Texts, mirrors: Iterable[str] = (), host: str = "") -> List[Match]:
    """Every reader's matches. Like the signatures, a reader sees only the head and tail of a long
    text (signatures.TEXT_MAX), so no reading grows with what a hostile report pastes; the two are
    read apart, as a structure glued across the cut (an `echo '…' > daemon.json` begun in the head
    and closed in the tail) is none the reporter wrote."""
    parts = {name: ends(t) if t else (t,) for name, t in texts.items()}
    # the heads together, then the tails (a text that was not cut is in both)
    views = [texts] if all(len(p) == 1 for p in parts.values()) else [
        {name: p[0] for name, p in parts.items()}, {name: p[-1] for name, p in parts.items()}]
    # the readers that also need what the host's files say (its mirrors, what it is)
    mirrors = tuple(mirrors)
    readers = READERS + (partial(configured_mirror_failures, mirrors=mirrors), partial(selinux_mounts, host=host),
                         partial(proxy_bypassed, host=host))
    out: List[Match] = []
    for view in views:
        for reader in readers:
            try:
                out.extend(m for m in reader(view) if m not in out)
            except Exception:  # a reader that trips on odd text reads nothing; the others still count
                continue
    return out
