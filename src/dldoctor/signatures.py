r"""Error-text signatures: what real daemons, tools and people print, mapped to catalog IDs.

A signature is a regular expression over a symptom text (an `error`, a `command`, `notes`, or
what `verify` saw) with a strength: how sure a match alone makes us. Diagnosis (dldoctor.diagnose)
combines the matches with host facts; nothing here looks at a host. Wording varies across Docker,
runc and toolkit versions, so each pattern targets the stable core of a message.

Matching takes time linear in the text: every unbounded repeat in a pattern (`.*`, `[^\n]*`,
`\s+`...) is compiled as a bounded one (REPEAT_MAX), so no pattern backtracks over a long input,
and a text longer than TEXT_MAX is matched on its head and tail (the matched line says so).
Rows are written as people read them; `bounded()` does the rest, so new rows stay linear too.
"""
from __future__ import annotations

import re
from functools import lru_cache

from dldoctor.checks.docker import DESKTOP_FILE_SHARING
from dldoctor.lazy_regex import lazy_compile
from dldoctor.parse.os_release import DISTRO_ARCHIVE, ENDED_SUITES
from dldoctor.records import frozen_record

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Dict, List, Optional, Pattern, Tuple


@frozen_record
class Signature:
    problem: str
    regex: str
    strength: float          # 0..1: confidence from this text alone
    where: Tuple[str, ...] = ("error", "notes", "command")

    @property
    def pattern(self) -> Pattern[str]:
        return _compiled(self.regex)


# NVIDIA's CUDA repository directory for one release, or its index, .repo file or keyring, with
# nothing after it on the line (apt's "Err:5 <dir>  InRelease" form, dnf's and curl's whole URL).
CUDA_REPO_INDEX = (r"developer\.download\.nvidia\.com/compute/(cuda|machine-learning)/repos/[a-z]+[\d.]*"
                   r"(/(x86_64|sbsa|arm64|aarch64|ppc64le))?(/|[ \t]+)?(InRelease|Release|Packages(\.gz|\.xz)?|"
                   r"cuda-[a-z]+[\d.]*\.repo|cuda-keyring_1\.[01]-1_all\.deb)?(?=[\s\"')]|$)")

# An unbounded repeat matches at most this many characters (a log line's worth).
REPEAT_MAX = 256
# Texts longer than this are matched on their first and last TEXT_MAX/2 characters.
TEXT_MAX = 32 * 1024


@lru_cache(maxsize=None)
def _compiled(regex: str) -> Pattern[str]:
    # Compiled on first use: a plain `check` of a live host reads no error text at all.
    return re.compile(bounded(regex), re.I | re.S)


def bounded(regex: str, limit: int = REPEAT_MAX) -> str:
    """`regex` with each `*`, `+` and `{m,}` turned into `{0,limit}`, `{1,limit}`, `{m,limit}`.

    A bounded repeat after a literal costs at most `limit` steps per place the literal occurs,
    so a search is linear in the text (Python's re has no possessive repeats before 3.11)."""
    out: List[str] = []
    i, n = 0, len(regex)
    while i < n:
        c = regex[i]
        if c == "\\":
            out.append(regex[i:i + 2])
            i += 2
            continue
        if c == "[":
            j = i + 1
            if j < n and regex[j] == "^":
                j += 1
            if j < n and regex[j] == "]":
                j += 1
            while j < n and regex[j] != "]":
                j += 2 if regex[j] == "\\" else 1
            out.append(regex[i:j + 1])
            i = j + 1
            continue
        if c in "*+" and out and out[-1] not in ("(", "|"):
            out.append("{0,%d}" % limit if c == "*" else "{1,%d}" % limit)
            i += 1
            continue
        if c == "{":
            m = re.match(r"\{(\d+),\}", regex[i:])
            if m:
                out.append("{%s,%d}" % (m.group(1), max(limit, int(m.group(1)))))
                i += m.end()
                continue
        out.append(c)
        i += 1
    return "".join(out)


# Docker's package repository, or a mirror of it (mirrors.tuna…/docker-ce/linux/…), and in it an RPM
# release number Docker never built for (Amazon Linux's $releasever: 2, 2017.09, 2.1903, 2022.0.x).
_DOCKER_LINUX = r"(download\.docker\.com|/docker-ce)/linux"
# Registries that are no mirror: a 403 from one of them is a private image or a missing login.
_REGISTRIES = (r"(?:[^\s/]*docker\.(?:io|com)|ghcr\.io|nvcr\.io|quay\.io|(?:[\w-]+\.)?gcr\.io|registry\.k8s\.io|"
               r"mcr\.microsoft\.com|public\.ecr\.aws|[\w.-]+\.amazonaws\.com|[\w.-]+\.azurecr\.io|registry\.gitlab\.com|"
               r"[\w-]+\.pkg\.dev)[/:]")
_DOCKER_REPO = _DOCKER_LINUX + "/"
_DOCKER_RPM_NEVER_BUILT = _DOCKER_REPO + r"(centos|rhel|fedora)/(\d{4}[\d.]*|[1-6]|2\.\d+|\*\*[^/]+\*\*)/"
# The distributions' own archive hosts by name: a "no Release file" or 404 there is no third-party source.
_DISTRO_OWN_HOSTS = r"archive\.ubuntu\.com|security\.ubuntu\.com|ports\.ubuntu\.com|\.debian\.org/"
# A suite's Release file in it as apt names it: "…/linux/debian kali-rolling Release".
_DOCKER_SUITE_RELEASE = _DOCKER_REPO + r"[\w ]+ [\w.~-]+ Release"
# After "no NVIDIA GPU": "access", "support" or "during the build" speak of a container or a build,
# not of a host without a card ("no NVIDIA GPU at all" still is one); dldoctor.prose reads it too.
NOT_GPU_ACCESS = r"(?! access| support| (during|at|while) (the )?(docker |image )?build)"
# docker-py's words for a socket file that is not there (its traceback's last line): the error names
# no file, where a program's own missing file is named after a colon.
DOCKER_PY_NO_SOCKET_FILE = r"FileNotFoundError: \[Errno 2\] No such file or directory(?!:)"
# "WSL 1" said of this host (not an issue template's unticked "- [ ] WSL 1" nor its question "WSL 1
# or WSL 2?"); dldoctor.prose reads it too.
WSL_1 = r"(?<!\[ \] )\bWSL ?1\b(?! or WSL ?2)"
# Docker Hub's 403 page for the countries it blocks (US export control); diagnose reads it too, where
# a client wraps the page as a mirror's error.
HUB_EXPORT_CONTROL = (r"comply\s+with\s+US\s+export\s+control\s+regulations|"
                      r"block\s+all\s+IP\s+addresses\s+that\s+are\s+located\s+in")


# An apt line naming a repository that failed, of a host other than NVIDIA's, Docker's and the
# distribution's own (apt.broken-source's own sense).
_SOURCE_FAILED = lazy_compile(r"(does not have|no longer has) a release file|failed to fetch|^err:\d+|(404|403)\s+(not found|forbidden)",
                              re.I | re.M)
_OTHER_HOST = lazy_compile(r"https?://(?![\w.-]{0,200}(nvidia\.github\.io|nvidia\.com|docker\.com|ubuntu\.com|debian\.org)\b)"
                           r"[\w.-]", re.I)


def other_source_failing(texts: Dict[str, Optional[str]]) -> bool:
    """Read as the signatures are: the head and tail of a long text only."""
    for t in texts.values():
        for part in ends(t or ""):
            for line in part.splitlines():
                if _SOURCE_FAILED.search(line) and _OTHER_HOST.search(line):
                    return True
    return False


_NOT_NEGATED_DESKTOP = (r"(?<!\bnot )(?<!\bnot using )(?<!\bnot use )(?<!n't use )(?<!n't using )(?<!\bwithout )"
                        r"(?<!\bwithout using )(?<!\bno )(?<!uninstalled )(?<!removed )(?<!instead of )(?<!rather than )"
                        r"(?<!没有用 )(?<!没有用)(?<!没用 )(?<!没用)(?<!不用 )(?<!不用)(?<!没有装 )(?<!没装 )(?<!卸载了 )(?<!卸载了)")


# The shell finding no nvidia-ctk: the toolkit is not there, whatever the report says was run with it.
NVIDIA_CTK_ABSENT = (r"(?<![\w-])nvidia-ctk\s*[:：]\s*((command )?not found|未找到命令|找不到命令)|command not found: nvidia-ctk\b|"
                     r"command [`'\"]?nvidia-ctk[`'\"]? not found|找不到命令\s*[“\"']?nvidia-ctk\b")


# Hints a tool prints whatever went wrong, listing every cause it could be: read as evidence they name
# causes the report does not show (nvidia-installer's failed module load names nouveau and an
# unsupported GPU every time). The matchers read a report without them; the error line before stays.
_TOOL_HINTS = lazy_compile(r"this\s+happens\s+most\s+frequently\s+when\s+this\s+kernel\s+module\s+was\s+built\s+against[\s\S]{0,700}?driver\s+release\.",
                           re.I)


def scrub(text: Optional[str]) -> Optional[str]:
    return _TOOL_HINTS.sub(" ", text) if text else text


# A registry's whole answer "denied" (dockerd's "Error response from daemon: denied"); diagnose reads
# it too, for an image of a registry no mirror stands in for.
BARE_DENIED = r"error response from daemon: denied[ \t.]*(\n|$)"

# ghcr.io refusing an anonymous token for a name; diagnose reads it too.
GHCR_TOKEN_REFUSED = r"https://ghcr\.io/token\?[^\s\"]*: 40[13]\b"

# nvidia-smi not reaching the driver in people's words; dldoctor.prose reads it too (under WSL).
SMI_CANNOT_COMMUNICATE = r"nvidia-smi\W{0,3}\s*(cannot|can'?t|couldn'?t|could not|fails? to|unable to) communicate with"
# The driver's own DKMS module names (Ubuntu's -server branch, Debian's tesla and legacy ones), not
# nvidia-fs or nvidia-peermem; dldoctor.prose reads them too.
DKMS_NVIDIA = r"nvidia(-open|-current|-srv|-\d+|-tesla(-\d+)?|-legacy-\d+xx)?"


def _s(problem: str, regex: str, strength: float, where: Tuple[str, ...] = ("error", "notes", "command")) -> Signature:
    return Signature(problem, regex, strength, where)


SIGNATURES: Tuple[Signature, ...] = (
    # --- daemon.json and dockerd start-up --------------------------------------------------
    _s("daemon-json.flag-conflict", r"specified both as a flag and in the conf", 0.97),
    _s("daemon-json.unknown-key", r"directives don'?t match any configuration option", 0.95),
    _s("daemon-json.unknown-key", r"the following directives don'?t", 0.9),
    _s("mirror.invalid", r"invalid mirror|registry-mirror.*(invalid|not valid)|mirror.*path, query, or fragment", 0.95),
    _s("mirror.invalid", r"unsupported scheme \"|no scheme specified for", 0.9),
    _s("daemon-json.invalid", r"unable to configure the docker daemon with file [^\n]*: (invalid character|unexpected end of JSON|cannot unmarshal|json: |EOF)", 0.95),
    _s("daemon-json.invalid", r"daemon\.json[^\n]*(invalid character|unexpected end|syntax error|parse error|not valid json)", 0.85),
    # An `insecure-registries` entry dockerd cannot parse (a path or scheme where a host[:port] or
    # CIDR belongs) stops it at start: the value in daemon.json (or its flag) is the fault.
    _s("daemon-json.invalid", r"insecure registry \S+ is not valid", 0.9),
    # (not a registry's HTML error page that dockerd failed to parse as JSON)
    _s("daemon-json.invalid", r"(?<!response body: )(?<!parsing http response: )invalid character '.' (after object key|looking for beginning|after top-level|in string)", 0.6),
    # --- docker engine and socket ----------------------------------------------------------
    _s("docker.permission-denied", r"permission denied while trying to connect to the docker (daemon|API)|dial unix [^\s]*docker\.sock: connect: permission denied", 0.9),
    _s("docker.group-not-active", r"(re-?log ?in|log ?out and (back )?in|logout|new login|newgrp|re-?login|until (i |you )?re-?(log|start)|after (a )?reboot it works)", 0.45, ("notes",)),
    _s("docker.group-not-active", r"(added|add(ed)? (the )?user|usermod -aG docker)[^\n]*(docker group|docker-users\b)|"
       r"(?<!be )(?<!not )(?<!n't )in(to)? the docker group|\busermod -a?G docker\b|net localgroup docker-users \S+ /add",
       0.35, ("notes",)),
    # No docker group to be added to (an engine installed without it, e.g. from a distribution's own
    # package): the socket stays root's. Weakly: an install that failed before making it is surer.
    _s("docker.permission-denied", r"group [`'\"“]?docker[`'\"”]? does not exist|[“\"']docker[”\"']\s*组不存在", 0.6),
    # Reports from China are often written in Chinese: the same hints in the words people use.
    _s("docker.group-not-active", r"重新登录|重新登陆|注销后|退出登录|(加入|添加)(了)?\s*docker\s*(用户)?组", 0.45, ("notes",)),
    # (not nvidia-docker 1.0's plugin socket, nor the Windows pipe refusing a user: rows below)
    _s("docker.daemon-down", r"cannot connect to the docker daemon|is the docker daemon running\?|(?<!nvidia-)docker\.sock: connect: "
       r"(no such file|connection refused)|(error during connect|an error occurred trying to connect)"
       r"(?![^\n]*(docker_engine: access is denied|permission denied))", 0.85),
    _s("docker.daemon-down", r"dial unix [^\s]*(?<!nvidia-)docker ?\.sock: no such file|is your docker daemon (up and )?running", 0.85),
    # Windows' named pipe refusing a user who is not elevated (or not in docker-users); and Docker
    # 1.8/1.9, which print the errno with no "connect:" (and the "is your daemon running" hint after it).
    _s("docker.permission-denied", r"open //\./pipe/docker_engine: access is denied|dial unix [^\s]*docker\.sock: permission denied", 0.9),
    # Docker Desktop for Windows refusing to start for a user outside its docker-users group.
    _s("docker.permission-denied", r"you must be in the [\"'“]?docker-users[\"'”]? group", 0.9),
    # ... and its notice that the membership just given takes effect only at the next Windows login.
    _s("docker.group-not-active", r"[\"'“]?docker-users[\"'”]? membership will be taken into account", 0.85),
    # nvidia-docker 1.0's volume plugin not running: dockerd answered, the plugin did not.
    _s("toolkit.legacy", r"plugins/nvidia-docker\.sock|/var/lib/nvidia-docker/nvidia-docker\.sock", 0.8),
    # dockerd itself failing to come up (its network controller, iptables, containerd, storage
    # driver), or systemd refusing to start it at all. A daemon.json dockerd rejects prints its own
    # words, read above. ("Job for docker.service failed" alone says only that something stopped it.)
    _s("docker.daemon-down", r"failed to start daemon:|error initializing network controller|failed to create NAT chain|"
       r"\biptables not found\b|Unit docker\.(service|socket) is masked|ServeAPI error: No sockets found|"
       r"no sockets found via socket activation|"
       # docker.socket's SocketGroup=docker on a host with no such group: systemd's exit status 216/GROUP
       r"docker\.socket[^\n]{0,80}status=216\b|Failed to resolve group '?docker\b|"
       r"docker\.socket[^\n]{0,80}at step GROUP|"
       # (containerd's socket refused to a user is its permissions, not containerd down)
       r"failed to connect to containerd(?![^\n]*permission denied)|"
       r"failed to dial \\?\"?/run/containerd/containerd\.sock(?![^\n]*permission denied)|error initializing graphdriver", 0.85),
    # docker-py (docker-compose v1, Ansible's docker modules) wraps the socket's errno in any locale:
    # EACCES is the socket's permissions, ENOENT and ECONNREFUSED a daemon that is not there.
    _s("docker.permission-denied", r"(connection aborted|fetching server api version)[^\n]*PermissionError\(13\b", 0.85),
    # Node's docker clients (dockerode, docker-modem: VS Code, testcontainers, desktop apps): EACCES too
    # (not a rootless daemon's socket under /run/user/<uid>)
    # (above the client's own guess printed with it, "is the Docker daemon running?": the errno is what happened)
    _s("docker.permission-denied", r"connect EACCES ?((?!/run/user/)[^\s]*docker\.sock\b|//\./pipe/docker_engine)", 0.9),
    # ... and ENOENT or ECONNREFUSED at Docker's Windows pipe: no engine there (Docker Desktop not
    # started). (At a unix socket: dldoctor.prose, which reads what put the socket elsewhere.)
    _s("docker.daemon-down", r"connect (ENOENT|ECONNREFUSED) ?//\./pipe/docker_engine\b|"
       # (the Go client's words for the same missing pipe, written with either slash; not
       # docker_engine_linux, which Desktop lacks while it runs Windows containers)
       r"open (//\./|\\\\\.\\)pipe[/\\]docker_engine: the system cannot find the file specified", 0.85),
    # Docker Toolbox and docker-machine: the daemon lives in a VirtualBox VM at 192.168.99.x, port 2376; a
    # client that cannot reach it there (Kitematic prints the errno, "connect", host and port a line each)
    # finds a VM that is stopped or asleep.
    _s("docker.daemon-down", r"\b(ECONNREFUSED|EHOSTDOWN|EHOSTUNREACH|ETIMEDOUT)\b\W{1,20}(connect\W{1,20})?192\.168\.99\.\d{1,3}\W{1,4}2376\b|"
       r"dial tcp 192\.168\.99\.\d{1,3}:2376: (i/o timeout|connect: (connection refused|no route to host|host is down))", 0.8),
    _s("docker.daemon-down", r"(connection aborted|fetching server api version)[^\n]*(FileNotFoundError\(2\b|ConnectionRefusedError\(111\b)", 0.8),
    # minikube's reason codes for a docker CLI that found no daemon (it maps "Is the docker daemon
    # running", "Cannot connect" and "refused" to these), and its codes for the socket's refusal and
    # a missing CLI. kind only says the CLI failed: weakly the daemon, which a printed refusal outranks.
    _s("docker.daemon-down", r"\bPROVIDER_DOCKER_(NOT_RUNNING|CANNOT_CONNECT|REFUSED)\b", 0.85),
    _s("docker.permission-denied", r"\bPROVIDER_DOCKER_NEWGRP\b", 0.75),
    _s("docker.missing", r"\bPROVIDER_DOCKER_NOT_FOUND\b", 0.8),
    _s("docker.daemon-down", r"could not list clusters: failed to list nodes: exit status 1", 0.45),
    # docker-compose v1 older than the file's format version.
    _s("docker.too-old", r"Version in \"[^\"\n]+\" is unsupported\. You might be seeing this error because you'?re using the wrong Compose file version", 0.8),
    # `docker compose …` where the compose plugin is missing: the docker CLI names the command unknown
    # (dldoctor.prose reads its other wording, the flags parsed by the top-level docker).
    _s("docker.missing", r"docker: '?compose'? is not a docker command", 0.75),
    _s("docker.daemon-down", r"failed to start docker(?![ -]?compose)|docker\.service: (main process exited|failed with result)|start request repeated too quickly", 0.5),
    # a Python program running docker-compose (its CLI comes with Docker's packages; docker itself is below)
    _s("docker.missing", r"No such file or directory: 'docker-compose'(?![\w/.-])", 0.75),
    # a CI action or a Go program looking for the docker CLI on PATH
    _s("docker.missing", r"unable to locate executable file: docker\b|exec: \\?\"docker\\?\": executable file not found", 0.85),
    _s("docker.missing", r"the command 'docker' could not be found in this wsl 1 distro|(?<![\w-])docker: (command )?not found|command 'docker' not found|no such file or directory: (docker|'docker'|\"docker\")(?![\w/.-])|bash: docker: command not found", 0.9),
    # The docker CLI not there, as shells say it (zsh, zh_CN bash, PowerShell and cmd in both languages).
    _s("docker.missing", r"(?<![\w-])docker\s*[:：]\s*未找到命令|zsh: command not found: docker(?![\w.-])|"
       r"the term '?docker(\.exe)?'? is not recognized as (the )?name of a cmdlet|无法将\s*[“\"']docker(\.exe)?[”\"']\s*项识别为|"
       r"'docker' is not recognized as an internal or external command|[“\"']docker[”\"']\s*不是内部或外部命令", 0.9),
    _s("docker.too-old", r"unknown flag: --gpus|flag provided but not defined: -gpus", 0.95),
    # A docker client from before registry API v2 (Docker 1.6): Docker Hub answers its v1 pull 410 Gone.
    _s("docker.too-old", r"Status 410 trying to pull repository", 0.85),
    # docker-compose v1 (and old clients) speaking a newer API than the engine answers
    _s("docker.too-old", r"client is newer than server|client and server don'?t have (the )?same version", 0.85),
    # A Dockerfile's ARG before FROM (CUDA images' `ARG CUDA=…`), which the builder learned in 17.05.
    _s("docker.too-old", r"Please provide a source image with [`'\"]?from[`'\"]? prior to commit", 0.8),
    # A daemon whose newest API is older than 1.40 (Docker 19.03, the first with --gpus) refusing a
    # newer client (or an application's bundled SDK).
    _s("docker.too-old", r"client version [\d.]+ is too new\.? maximum supported api version is 1\.([0-9]|[1-3][0-9])\b", 0.9),
    # The CLI's --gpus refused by a daemon whose API is older than 1.40 (Docker 19.03). (Not docker-py's
    # "device_requests param is not supported in API versions < 1.40": docker-compose v1 pins the
    # API from its file's `version:` and says so to any engine.)
    _s("docker.too-old", r"\"?--gpus\"? requires API version 1\.40", 0.85),
    # docker-py (and other SDKs) pinning an API version the daemon does not have: its first request,
    # the versioned ping, comes back 400.
    _s("docker.too-old", r"400 Client Error: Bad Request for url: [^\s]*/v1\.\d+/_ping", 0.7),
    # A Compose release older than GPU requests rejects the keys that ask for one.
    _s("docker.too-old", r"additional propert(y|ies) (is |are )?not allowed \(?'?(devices|gpus|device_requests|capabilities)'?|"
       r"additional property (gpus|devices|device_requests) is not allowed|"
       r"unsupported config option for [^\n]*'(gpus|devices|device_requests)'", 0.85),
    # Snap's confinement: dockerd may not create a bind mount's source outside the user's home.
    # and has a /tmp of its own: a path another program just made in the host's /tmp is not there.
    # (Above CONTEXT_CAP: the error itself is snap's doing, not a mention of how Docker came.)
    _s("docker.snap", r"unable to prepare context: path \"?/tmp/[^\s\"]*\"? not found|"
       r"invalid output path: directory \"?/tmp/[^\s\"]*\"? does not exist|"
       # nor removable media (/media, /run/media) until its removable-media interface is connected
       r"error checking context: '?can'?t stat '/(run/)?media/", 0.6),
    _s("docker.snap", r"error while creating mount source path '[^'\n]*': mkdir [^\n]*: (read-only file system|permission denied)", 0.6),
    _s("docker.snap", r"(用|通过)\s*snap\s*安装|/snap/bin/docker|snap\.docker|snap\.microk8s\.daemon-docker|/var/snap/docker|/var/lib/snapd/hostfs/|installed (docker )?(via|with|from|using|by|through) snap|snap install docker|"
       r"\bdocker[ -]snap\b|\bsnap(ped)? (version of |package of )?docker\b", 0.8),
    # (not Docker Desktop said not used, uninstalled or replaced)
    _s("docker.desktop", r"desktop-linux|" + _NOT_NEGATED_DESKTOP + r"docker desktop|docker-desktop\b|\.docker/desktop/docker\.sock|"
       r"Operating System: Docker Desktop", 0.85),
    # Docker Desktop's socket and VM as its diagnostics name them (macOS/Windows).
    _s("docker.desktop", r"com\.docker\.docker/|docker\.raw\.sock|LinuxKit VM|com\.docker\.diagnose", 0.8),
    # Docker Desktop's own file sharing (Windows, Mac) refusing a bind mount, its Windows VM's mount
    # root and its own client: only Docker Desktop prints or has these.
    _s("docker.desktop", DESKTOP_FILE_SHARING + r"|/host_mnt/[a-z]\b|"
       r"docker\\{1,2}docker\\{1,2}resources\\{1,2}bin\\{1,2}docker", 0.8),
    # (not the docker-ce-rootless-extras package every docker-ce install pulls in)
    _s("docker.rootless", r"/run/user/\d+/docker\.sock|rootless(?!-extras)|dockerd-rootless|\.local/share/docker", 0.6),
    # The client pointed at a rootless daemon's socket (DOCKER_HOST, a context) that does not answer.
    _s("docker.rootless", r"cannot connect to the docker daemon at unix:///run/user/\d+/docker\.sock", 0.9),
    _s("docker.proxy-misconfigured", r"proxyconnect tcp: (tls: first record does not look like a TLS handshake|.*(oversized record|http: server gave HTTP response to HTTPS))", 0.95),
    _s("docker.proxy-misconfigured", r"proxyconnect tcp: dial tcp [^\n]*(connection refused|no such host|i/o timeout)", 0.8),
    # A daemon's TCP port (2375/2376: docker-machine's VM, a remote engine) answering with an HTTP
    # proxy's status page: the client's http(s)_proxy caught the connection (no NO_PROXY for it).
    # (not Bad Gateway: a reverse proxy of one's own in front of the API says that when the daemon is down)
    _s("docker.proxy-misconfigured", r"(error occurred trying to connect|error during connect)[^\n]{0,120}?\b(get|post|head|put|delete) "
       r"\"?https?://[^\s/\"]+:237[56]/[^\s\"]*\"?:? (forbidden|service unavailable|proxy error|proxy authentication required)\b", 0.85),
    # Older Go's words for the same ("http: error connecting to proxy"), and Docker Desktop's, where the
    # registry's address is followed by the local proxy port it was sent to.
    _s("docker.proxy-misconfigured", r"error connecting to proxy [^\s]+: dial tcp|"
       r"writing response to [^\s]+:\d+: connecting to (127\.\d+\.\d+\.\d+|localhost):\d+: dial tcp", 0.85),
    # Any failure dockerd reports while talking to its proxy: the proxy setting is what to look at.
    _s("docker.proxy-misconfigured", r"proxyconnect tcp:", 0.82),
    # Go's transport returns the proxy's refusal of CONNECT bare (no "proxyconnect"): it wants
    # credentials dockerd was not given.
    _s("docker.proxy-misconfigured", r"(Get|Head)\s+\\?\"?https?://[^\s\"]+\\?\"?:\s*Proxy Authentication Required|"
       r"\b407 Proxy Authentication Required", 0.9),
    # --- toolkit / runtime -----------------------------------------------------------------
    _s("toolkit.missing", r"could not select device driver( \"[^\"]*\")? with capabilities: \[\[gpu\]\]", 0.75),
    _s("toolkit.missing", r"nvidia-container-runtime-hook[^\n]*(executable file not found|no such file or directory)", 0.8),
    _s("runtime.not-registered", r"unknown or invalid runtime name: nvidia|unknown runtime specified nvidia|runtime \"?nvidia\"? (not found|is not registered)", 0.85),
    # Nomad's docker driver asking dockerd for a runtime it does not know
    _s("runtime.not-registered", r"requested docker runtime \\?\"?nvidia\\?\"? was not found", 0.85),
    # daemon.json's default-runtime naming a runtime it never registers (dockerd refuses to start);
    # the toolkit in csv or cdi mode refusing --gpus, which needs the runtime itself.
    _s("runtime.not-registered", r"specified default runtime '?nvidia'? does not exist|"
       r"invoking the nvidia container runtime hook directly[^\n]*is not supported", 0.88),
    # CDI asked for (Docker 25+, Podman) with no spec generated: nvidia-ctk never ran.
    _s("toolkit.missing", r"unresolvable CDI devices nvidia\.com/gpu", 0.7),
    # enroot/pyxis look for the toolkit's CLI on the host
    _s("toolkit.missing", r"command not found: nvidia-container-cli\b", 0.85),
    # The toolkit's own CLI absent (it ships in nvidia-container-toolkit-base): weakly, as an install that
    # failed further up (a broken apt source in the same output) is surer where it shows.
    _s("toolkit.missing", NVIDIA_CTK_ABSENT, 0.6),
    # The CRI's word for it (containerd behind kubelet, k3s, microk8s): a RuntimeClass or pod asks for
    # a handler named nvidia that the containerd config does not define.
    _s("runtime.not-registered", r"no runtime for \\?\"?nvidia\\?\"? is configured|no runtime handler[^\n]*\\?\"?nvidia", 0.88),
    # A GPU pod (device plugin, feature discovery, exporter) whose container found no NVML: the pod ran
    # under plain runc, not the nvidia runtime (no default runtime, no runtimeClassName). The plugin's
    # own lines and hints say so; the toolkit's "load library failed" is a different message.
    _s("container.no-gpu-request", r"did you (set|configure|make) the (docker |containerd )?default runtime (to|as) [`'\"]?nvidia|"
       r"if this is a gpu node,? did you (set|configure|install)|"
       r"(failed to (start|initiali[sz]e) nvml|nvml not detected|loading nvml)[^\n]*could not load nvml library|"
       r"(unable to create plugin manager: )?platform detection failed|incompatible platform detected", 0.88),
    _s("container.no-gpu-request", r"(没有|未|没|不|忘了)(指定|设置|配置|加)[^\n]{0,12}runtime ?class(name)?|"
       r"(without|missing|no|forgot|forgetting|not (set|specif(y|ied)|setting))( the| a)? [`'\"]?runtime ?class(name)?", 0.8,
       ("notes", "error")),
    # The toolkit's own library gone (libnvidia-container1 not installed with it): the toolkit is not whole.
    _s("toolkit.missing", r"nvidia-container-cli: error while loading shared libraries: libnvidia-container\.so\.1", 0.8),
    _s("runtime.binary-missing", r"(fork/exec|exec:) [^\n:]*nvidia-container-runtime(\"|:)?[^\n]*no such file or directory|nvidia-container-runtime\\?\"?: executable file not found", 0.9),
    # ... and said in words: the package installed, the runtime's executable not there.
    _s("runtime.binary-missing", r"(did ?n'?t|did not|does ?n'?t|does not) (create|install|provide|ship)( the| any)? "
       r"`?nvidia-container-runtime`? (executable|binary)|`?nvidia-container-runtime`? (executable|binary) "
       r"((is |was )?(missing|not found|not installed|not created|gone|not there)|(is|was)n'?t there)|"
       r"`?nvidia-container-runtime`? (is ?n'?t|is not) there", 0.8, ("notes", "error")),
    # The CLI the runtime's hook calls (libnvidia-container-tools) is gone: a named binary missing is
    # the fault, whatever packaging (nvidia-docker2) installed the rest.
    _s("runtime.binary-missing", r"nvidia-container-cli[`'\"]?:? (executable file not found|no such file or directory|command not found)|"
       r"(can'?t|cannot|couldn'?t|could not|unable to) find (the )?(binary )?`?nvidia-container-cli|"
       r"nvidia-container-cli`?( the)?( file| binary)? (is not|isn'?t|does not|doesn'?t|not) (exist|found|there)", 0.85),
    _s("toolkit.too-old-for-cgroup-v2", r"cgroup subsystem devices not found", 0.95),
    _s("toolkit.rootless-cgroups", r"(devices\.allow|/sys/fs/cgroup/[^\s]*): permission denied", 0.75),
    _s("toolkit.rootless-cgroups", r"bpf_prog_query\(BPF_CGROUP_DEVICE\) failed: operation not permitted|failed to add device rules", 0.7),
    _s("toolkit.libs-not-found", r"load library failed: libnvidia-ml\.so(\.1)?|libnvidia-ml\.so\.1: cannot open shared object file|nvml library not found|could not load nvml library", 0.8),
    # The CLI found a driver library in the ld.so cache that is no longer on disk (a driver removed or
    # upgraded under it; any of its libraries, libnvidia-tls, libGLX_nvidia, libnvcuvid): the
    # driver's user-space libraries are not where the toolkit looks. (Not WSL's /usr/lib/wsl, whose
    # libraries come from Windows.)
    _s("toolkit.libs-not-found", r"detection error: open failed: (?!/usr/lib/wsl/)[^\n]{0,160}/lib[^\n/]*\.so[^\s:]*:\s{0,8}"
       r"no such file or directory", 0.6),
    _s("toolkit.ldconfig", r"ldcache error|ldconfig(\.real)?[^\n]{0,40}(failed with error code|no such file or directory|not found)|/sbin/ldconfig\.real: no such file", 0.9),
    # Toolkit 1.17+ wants the host's ldconfig written with '@' (host-relative); a config.toml kept
    # from an older release stops every GPU container at config load.
    _s("toolkit.ldconfig", r"nvidia-container-cli\.ldconfig value [^\n]{0,80}is not host-relative", 0.9),
    _s("toolkit.legacy", r"nvidia-docker2|nvidia-docker( |\| |: )|nvidia-docker-plugin|nvidia-docker\.list|nvidia-container-runtime\.list|libnvidia-container\.list", 0.55),
    _s("toolkit.legacy", r"nvidia-docker2 : Depends:|nvidia-docker2[^\n]*(unmet|depends|conflict)", 0.9),
    _s("toolkit.legacy", r"nvidia-docker: (command )?not found|command 'nvidia-docker' not found", 0.85),
    # nvidia-docker 1.0 kept the driver in a per-version volume served by its plugin.
    _s("toolkit.legacy", r"(no such volume|create|get):? nvidia_driver_\d+\.\d+|VolumeDriver\.Create: internal error", 0.8),
    # The plugin's log prefix says which toolkit runs, not what failed in the line after it.
    _s("toolkit.legacy", r"nvidia-docker-plugin \|", 0.55),
    # nvidia-docker 1.0's wrapper asks its plugin on localhost:3476 for the volumes and devices; the
    # plugin not answering is that generation's failure, not a registry out of reach.
    _s("toolkit.legacy", r"(localhost|127\.0\.0\.1):3476/[^\n]{0,120}(connection refused|getsockopt|dial tcp|timeout)|"
       r"(localhost|127\.0\.0\.1) port 3476\b", 0.85),
    # Early libnvidia-container read a GPU's name where its /proc path belongs ("stat failed: /GeForce",
    # "/Tesla V100-SXM2-16GB"); later releases fixed it: the toolkit is the old one.
    _s("toolkit.legacy", r"mount error: stat failed: /(GeForce|Tesla|Quadro|TITAN|NVIDIA)\b[^:\n/]*: no such file or directory", 0.75),
    _s("toolkit.legacy", r"trying to overwrite '[^']*nvidia-container[^']*', which is also in package|which is also in package (nvidia-container-runtime|nvidia-docker2)", 0.8),
    _s("container.run-mount-conflict", r"nvidia-persistenced/socket[^\n]*(no such device or address|not a directory|file exists|is a directory)", 0.95),
    _s("image.bundles-driver-libs", r"mount error: file creation failed: [^\n]*(libnvidia|libcuda)[^\n]*: file exists|(libnvidia-ml\.so|libcuda\.so)[^\n]*file exists", 0.95),
    # Any driver file the toolkit injects that the image already has (nvidia-smi, a library).
    _s("image.bundles-driver-libs", r"file creation failed: [^\n]*/(usr|lib|lib64|bin)/[^\n:]*: file exists", 0.85),
    _s("cgroup.nvml-unknown-error", r"failed to initialize nvml: unknown error", 0.7),
    # (a daemon-reload alone is no sign: it is a step of every set-up guide, pasted as often as run)
    _s("cgroup.nvml-unknown-error", r"lose (gpu|access)|after (some time|a while|hours|days)[^\n]*(gpu|nvidia-smi)", 0.3, ("notes", "error")),
    # ... but the GPUs lost from running containers whenever one runs is this problem as the catalog tells it
    _s("cgroup.nvml-unknown-error", r"daemon-reload[^\n]{0,120}(stops? working|los(e|es|t|ing) (the )?(gpu|access)|no longer|"
       r"disappear|vanish|until i restart|\b(gpus?|devices?)\b[^\n.]{0,20}\b(will|would|is|are) (not|no longer) (be )?(able to (be )?access(ed)?|"
       r"accessible)\b|用不了|不见|消失|重启容器)|(stops? working|los(e|es|t|ing) (the )?(gpu|access)|"
       r"disappear|vanish|用不了|不见|消失)[^\n]{0,120}daemon-reload", 0.7, ("notes", "error")),
    # --- driver ----------------------------------------------------------------------------
    # (the NVML return code's own name, as Go bindings print it: nvidia-ctk, the device plugin)
    _s("driver.version-mismatch", r"driver/library version mismatch|nvml: driver/library version mismatch|\bERROR_LIB_RM_VERSION_MISMATCH\b", 0.95),
    # The kernel's own words for the same thing (dmesg/journal): user-space libraries of one
    # version talking to a loaded module of another.
    _s("driver.version-mismatch", r"NVRM: API mismatch|the client has the version [\d.]+, but[\s\S]{0,80}kernel module has the version", 0.9),
    _s("driver.not-loaded", r"couldn.?t communicate with the nvidia driver|nvidia kernel module (is )?not loaded|no nvidia kernel module|could not find the nvidia kernel module|nvml error: driver not loaded|failed to initiali[sz]e nvml: driver not loaded|module nvidia not found in directory /lib/modules", 0.85),
    # The installer and kernel refusing a module nobody signed: above the generic "Unable to load the
    # kernel module" hint, which lists every cause.
    _s("driver.secure-boot", r"not signed by a key (that is )?trusted by the kernel|(loading of )?unsigned module (is )?rejected|"
       r"sign the kernel module when prompted", 0.9),
    _s("driver.secure-boot", r"安全启动(已)?(开启|打开|启用)|required key not available|key was rejected by service|module verification failed(?![^\n]*tainting kernel)|secure ?boot (is )?(enabled|on)\b|SecureBoot enabled", 0.85),
    _s("driver.nouveau", r"kernel driver in use: nouveau|^nouveau\s+\d+\s+\d+|nouveau\b[^\n.;,]{0,40}\b(is loaded|in use|holds)", 0.8),
    _s("driver.nouveau", r"probe routine was not called|already bound to (novacore|nova)|nouveau [0-9a-f]{4}:[0-9a-f]{2}:[0-9a-f]{2}\.\d", 0.85),
    _s("driver.nouveau", r"NVRM: No NVIDIA devices probed", 0.6),
    _s("driver.nouveau", r"\bnouveau\b", 0.4),
    _s("driver.missing", r"couldn.?t find libnvidia-ml\.so library|nvidia-smi: (command )?not found|command 'nvidia-smi' not found|找不到命令\s*[“\"']nvidia-smi[”\"']|(?<![\w-])nvidia-smi\s*[:：]\s*(未找到|找不到)命令|command not found: nvidia-smi\b|nvidia-smi\"?: executable file not found[^\n]*host|no nvidia driver (is )?installed|NVIDIA driver (is )?not installed", 0.7),
    _s("driver.uvm-missing", r"/dev/nvidia-uvm[^\n]*(no such file|not found)|nvidia[_-]uvm[^\n]*(not (being )?loaded|missing)", 0.85),
    # The GPU's own device nodes are absent: no NVIDIA driver is running on this host.
    _s("driver.missing", r"(custom device|lstat|stat) \"?/dev/nvidia(\d+|ctl)\"?:?[^\n]*no such file", 0.7),
    _s("driver.uvm-missing", r"could not load uvm kernel module|module nvidia_uvm not found", 0.85),
    _s("driver.not-loaded", r"unable to load the kernel module 'nvidia\.ko'|modprobe: fatal: module nvidia not found", 0.86),
    # modprobe or insmod refusing the driver's module, built for another kernel or driver version:
    # installed, not loaded. (The driver's module only: nvidia_peermem, nvidia_fs or nvidia_uvm failing
    # beside a loaded driver is another story.)
    _s("driver.not-loaded", r"(could not insert|error inserting) '?(module )?nvidia(_\d+|-current|-\d+)?(\.ko)?'?"
       r"( \([^)\n]*\))?: (unknown symbol in module|exec format error|invalid module format)", 0.8),
    # nvidia-settings' and people's words for the same state.
    _s("driver.not-loaded", r"nvidia (kernel )?(driver|module)( [`'\"]?(?!nvidia[-_](uvm|peermem|fs|drm|modeset)\b)[\w.-]+[`'\"]?)? (is )?not (loaded|loading|running)|"
       r"nvidia (kernel )?(driver|module)( [`'\"]?(?!nvidia[-_](uvm|peermem|fs|drm|modeset)\b)[\w.-]+[`'\"]?)? (isn'?t|is not|won'?t|doesn'?t|does not) (loaded|loading|load|running)|"
       + SMI_CANNOT_COMMUNICATE + r" (the )?(nvidia )?drivers?|nvidia-smi\s*(无法|不能)(与|和)\s*(nvidia\s*)?驱动(程序)?通信", 0.8),
    # DKMS failing to build the driver's module for the running kernel (headers missing, a kernel newer
    # than the driver, another compiler): the driver is installed and its module cannot load.
    _s("driver.not-loaded", r"/var/lib/dkms/" + DKMS_NVIDIA + r"/[\w.~+-]+/build/[^\s:]*(make\.log|\.[ch]:\d+:\d+: (fatal )?error)|"
       r"error processing package nvidia-dkms-[\w.-]+|处理软件包\s*nvidia-dkms-[\w.-]+\s*\(--configure\)\s*时出错|"
       r"building rpms failed; see /var/cache/akmods/nvidia/", 0.75),
    # The kernel refusing the driver's module built for another kernel (its own log lines).
    _s("driver.not-loaded", r"\bnvidia(_drm|_modeset)?: (unknown symbol|disagrees about version of symbol) \w", 0.75),
    # Kernel lockdown (Secure Boot's or the distribution's own) refusing an unsigned module.
    _s("driver.secure-boot", r"lockdown: [^\n]*(unsigned module|module loading is restricted)|loading of module with unavailable key is rejected", 0.85),
    # (The CUDA runtime's "unknown error", error 30/999, is read in dldoctor.prose, where WSL can void it.)
    _s("driver.too-old-for-toolkit", r"nvml error: function not found|driver error: function not found", 0.85),
    _s("driver.too-old-for-toolkit", r"detection error: nvml error: not found", 0.75),
    # (retyped as well, the spaces after its colons lost: "unsatisfied condition:cuda>=11.4(cuda=10.2)")
    _s("driver.too-old-for-image", r"unsatisfied condition:\s*cuda ?>= ?[\d.]+|requirement error:\s*unsatisfied condition:\s*(cuda|driver|brand)", 0.95),
    _s("driver.too-old-for-image", r"unsupported cuda version: driver [\d.]+ < image [\d.]+", 0.95),
    # PTX built by a newer CUDA than the driver can JIT: the image's CUDA is ahead of the driver.
    _s("driver.too-old-for-image", r"provided PTX was compiled with an unsupported toolchain|CUDA_ERROR_UNSUPPORTED_PTX_VERSION", 0.8),
    # FFmpeg in the image needing a newer NVENC API than the host's driver has (the same fault for
    # video encoding: the image was built against a newer driver).
    # (not FFmpeg's "minimum required driver" line alone: it prints that when libnvidia-encode did not
    # load at all, a container without the video capability)
    _s("driver.too-old-for-image", r"driver does not support the required nvenc api version", 0.9),
    # NVIDIA's NGC images (PyTorch, Triton, TensorFlow) check the driver in their entrypoint banner.
    _s("driver.too-old-for-image", r"this container was built for nvidia driver release [\d.]+ or later, but\s+version [\d.]+ was detected", 0.95),
    # CUDA's numbered errors: 804, forward compatibility on a card that has none (an image newer than
    # the driver on a GeForce); 803, a libcuda in the container that is not the host driver's (a
    # bundled cuda-compat); TensorFlow's "kernel version … does not match DSO version" says the same.
    _s("driver.too-old-for-image", r"(cuda (initiali[sz]ation failure with )?error|error code) 804\b|\berror 804: forward compat", 0.8),
    # The image resolves libcuda to CUDA's link-time stub: its library path puts the stubs first.
    _s("image.bundles-driver-libs", r"libcuda\.so(\.1)? => \S*/stubs/libcuda\.so", 0.85),
    _s("image.bundles-driver-libs", r"\berror 803\b|unsupported display driver / cuda driver combination", 0.7),
    _s("driver.version-mismatch", r"kernel version [\d.]+ does not match DSO version [\d.]+", 0.7),
    # nvidia-docker 1's own check: "unsupported CUDA version: 7.5 < 6.5" (the image's CUDA, then the driver's).
    _s("driver.too-old-for-image", r"unsupported cuda version: (driver )?[\d.]+ < (image )?[\d.]+", 0.85),
    _s("driver.too-old-for-image", r"cuda driver version is insufficient for cuda runtime version|forward compatibility was attempted on non supported hw|the nvidia driver on your system is too old", 0.85),
    _s("gpu.mig-device-id", r"MIG-GPU-[0-9a-f-]+/\d+/\d+|unknown device MIG-|invalid MIG device", 0.7),
    _s("gpu.absent", r"no nvidia gpu" + NOT_GPU_ACCESS + r"|no devices were found|no cuda-capable device is detected", 0.55),
    # An application that shells out to nvidia-smi and says so (Ollama: "check that you have installed
    # GPU drivers: nvidia-smi command failed"): no working driver where it runs.
    _s("driver.missing", r"check that you have installed (the |your )?(gpu |nvidia )?drivers?:? [^\n]*nvidia-smi (command )?failed", 0.6),
    _s("os.wsl-gpu-unsupported", r"WSL environment detected but no adapters were found|dxg[^\n]*(not found|failed)", 0.85),
    _s("os.wsl-gpu-unsupported", r"GPU access blocked by the operating system", 0.85),
    # libnvidia-container when WSL's GPU paravirtualization (libdxcore, /dev/dxg) does not answer.
    _s("os.wsl-gpu-unsupported", r"dxcore initiali[sz]ation failed", 0.8),
    _s("os.wsl-gpu-unsupported", r"\d+\.\d+\.\d+-\d+-Microsoft\b|" + WSL_1 + r"|VERSION\s*\n[^\n]*\s1\s*$", 0.85),
    _s("os.wsl", r"\bWSL ?2?\b|microsoft-standard|/usr/lib/wsl/", 0.4, ("notes", "error", "command")),
    # (not a script's or a setting's identifier or a path: a traced `disable_selinux`, /etc/selinux/config,
    # /sys/fs/selinux, containerd's enable_selinux = false; nor a setting that turns it off,
    # SELINUX=disabled; nor the
    # container-selinux package a docker-ce RPM requires)
    # (not SELinux said off, disabled or permissive, nor docker info's "Security Options:" item, nor
    # dockerd's --selinux-enabled flag named, nor `systemctl --version`'s build features, "+SELINUX")
    _s("os.selinux", r"avc: +denied|avc:\s+denied|"
       r"(?!(?<=\+)selinux[ \t]+[+-][a-z])(?<!_)(?<!/etc/)(?<!/fs/)(?<!container-)(?<!-)(?<!disabled )(?<!disable )(?<!disabling )(?<!turned off )(?<!关闭了)(?<!关闭)"
       r"(?<!禁用了)(?<!禁用)(?<!\n  )(?<!\n   )(?<!\n    )"
       r"selinux(?!-enabled)(?!_)(?![\s\"':=]*(false|disabled|permissive))"
       r"(?![^\n.,;]{0,30}\b(disabled|permissive|off)\b)(?![^\n。，]{0,10}(关闭|关掉|禁用))", 0.9),
    _s("os.selinux", r"capability change failed: operation not permitted", 0.5),
    # runc labelling the container's keyring: refused by SELinux policy (RHEL 7's container-selinux)
    _s("os.selinux", r"write /proc/self/attr/keycreate: permission denied", 0.85),
    _s("os.selinux", r"failed to initialize nvml: insufficient permissions", 0.6),
    _s("os.reboot-required", r"reboot required|\*\*\* System restart required \*\*\*", 0.6),
    # The running kernel module's /proc files are not those the installed driver's libraries expect
    # (a driver upgraded under a running module).
    _s("os.reboot-required", r"mount (operation )?failed: [^\n]*/proc/driver/nvidia/params/[^\n]*no such file", 0.55),
    # --- apt -------------------------------------------------------------------------------
    _s("apt.no-pubkey", r"NO_PUBKEY [0-9A-F]{8,}|public key is not available|signatures couldn'?t be verified|EXPKEYSIG|"
       # apt's own sentence, not a kernel module or an image that "is not signed"
       r"(Release|repository [^\n]{0,250})['\"]? is not signed", 0.95),
    # apt in a zh_CN locale: "由于没有公钥，无法验证下列签名", "仓库 … 没有数字签名".
    _s("apt.no-pubkey", r"没有公钥|无法验证下列签名|没有数字签名|(仓库|Release)[^\n]{0,250}未经签名", 0.95),
    # apt's verifier since Debian 13 (sqv, Sequoia) refusing a repository's signature or keyring
    _s("apt.no-pubkey", r"/usr/bin/sqv returned an error code", 0.85),
    # yum's and dnf's words for a repository key that is missing or not the one that signed it
    _s("apt.no-pubkey", r"repomd\.xml (gpg )?signature (could not be verified|verification error)|"
       r"public key for \S+ is not installed|\bgpg check failed\b|"
       r"gpg keys listed for the [^\n]{0,80} repository are already installed but they are not correct", 0.85),
    _s("apt.signed-by-conflict", r"conflicting values set for option signed-by", 0.97),
    _s("apt.signed-by-conflict", r"Signed-By[^\n]{0,40}(冲突|矛盾)|(冲突|矛盾)[^\n]{0,40}Signed-By", 0.9),
    # NVIDIA's repository answers "# Unsupported distribution!"; Docker's install script (get.docker.com)
    # says "ERROR: Unsupported distribution 'openeuler'" (os.unsupported, below).
    _s("apt.repo-unsupported-distro", r"unsupported distribution(?! '[^'\n]*')|/ubuntu2[2-9]\.\d\d/[^\n]*(404|not found)|misconfigured repository settings", 0.9),
    _s("apt.repo-unsupported-distro", r"nvidia\.github\.io/[^\n]*/(ubuntu|debian|centos|rhel)[\d.]+/[^\n]*(\n[ \t]*)?"
       r"((does not have|no longer has) a release file|404|(没有|不再含有) ?Release ?文件)|"
       # the 404 said first, then the URL (Ansible's get_url)
       r"\b404\b[^\n]{0,200}nvidia\.github\.io/[^\s\"']*/(ubuntu|debian|centos|rhel)[\d.]+/", 0.85),
    # NVIDIA's CUDA repository has a directory per release it serves (ubuntu2204, rhel9, fedora39);
    # a 404 for its index, its .repo file or its keyring (an install script building the URL from
    # this host's release) is a release it does not serve. Not a package file: a stale index is
    # something else.
    _s("apt.repo-unsupported-distro", CUDA_REPO_INDEX + r"[ \t]{0,20}(\n[ \t]*)?\b404\b|"
       r"\b404\b[^\n]{0,40}" + CUDA_REPO_INDEX, 0.7),
    # The old per-distribution NVIDIA repository URLs exist only for the distributions NVIDIA built
    # for; a URL naming a derivative or other distribution (rocky9.5, ol7.9, openeuler22.03) is a 404.
    _s("apt.repo-unsupported-distro", r"nvidia\.github\.io/(nvidia-docker|libnvidia-container|nvidia-container-runtime)/"
       r"(rocky|almalinux|alma|ol|oracle|fedora|opensuse[\w.-]*|sles|kylin|openeuler|uos|anolis|tencentos|alinux|"
       r"linuxmint|pop|elementary|kali|arch|manjaro|amzn(?!2/))[\d.]*/", 0.8),
    # Docker's repository has no suite for this release: a derivative's own codename (Linux Mint's
    # tricia, vanessa) or a release before Docker published it (`download.docker.com/linux/ubuntu
    # focal Release`), or an RPM release number it never built for (Amazon Linux's $releasever 2,
    # 2017.09, 2022.0.x under centos/ or fedora/). The catalog's cause is the release docker-ce does
    # not serve, not NVIDIA's per-distribution URLs.
    # Mirrors of it (mirrors.tuna…/docker-ce/linux/…) answer the same.
    # The distribution's own archive no longer has the release (an old base image, an old host).
    _s("os.unsupported", DISTRO_ARCHIVE + r" " + ENDED_SUITES + r" Release[”\"']?\s*((does not have|no longer has) a "
       r"Release file|(没有|不再含有)\s*Release\s*文件)|" + DISTRO_ARCHIVE + r"dists/" + ENDED_SUITES + r"/[^\s]*\s+404\b", 0.75),
    # apt 1.x: "Err:4 http://archive.ubuntu.com/ubuntu eoan Release" with "404  Not Found" below it. The
    # archive answered, so no transport failure is behind it: it names the fault (0.8), before the
    # same 404 read as a broken source.
    _s("os.unsupported", DISTRO_ARCHIVE + r" " + ENDED_SUITES + r" (In)?Release\s+404\b", 0.8),
    _s("os.unsupported", _DOCKER_SUITE_RELEASE + r"'? (does not have|no longer has) a Release file|"
       + _DOCKER_SUITE_RELEASE + r"[”\"']?\s*(没有|不再含有)\s*Release\s*文件|"
       + _DOCKER_SUITE_RELEASE + r"\s+404\b|"
       r"(404|not found)[^\n]*" + _DOCKER_RPM_NEVER_BUILT + "|"
       + _DOCKER_RPM_NEVER_BUILT + r"[^\n]*\s(404|not found)|"
       # dnf/yum: any release path of Docker's RPM repository answering 404 for its metadata is a
       # release (or a derivative's $releasever: 7Server, a RHEL clone's 8 under fedora/) not served
       r"(status code: 404 for|error 404)[^\n]{0,40}" + _DOCKER_REPO + r"(centos|rhel|fedora)/[^/\s]+/[^\s]*repomd\.xml|"
       + _DOCKER_REPO + r"(centos|rhel|fedora)/[^/\s]+/[^\s]*repomd\.xml[^\n]{0,40}\b(HTTPS? )?error 404\b", 0.85),
    # A release's own repositories gone from the mirrors: CentOS 8 and 7 after their end of life
    # (mirrorlist.centos.org no longer answers; "No URLs in mirrorlist"). A repository's name alone
    # says nothing of the release: a supported one fails the same way behind a firewall.
    _s("os.unsupported", r"cannot prepare internal mirrorlist: no urls in mirrorlist|(could not resolve host|resolve):? '?mirrorlist\.centos\.org|"
       r"mirrorlist\.centos\.org[^\n]{0,80}(could not resolve|name or service not known|no urls)", 0.8),
    # get.docker.com for a distribution it has no packages for (older scripts: "Either your platform
    # is not easily detectable or is not supported by this installer script").
    _s("os.unsupported", r"ERROR: Unsupported distribution '[^'\n]*'|platform is not easily detectable,?\s+(or\s+)?is\s+not\s+supported\s+by\s+this\s+installer", 0.9),
    # Docker has never built packages for 32-bit x86 (get.docker.com writes the source all the same,
    # and docker-ce then has no installation candidate), and its RHEL 7 RPMs need container-selinux
    # from CentOS's extras, which RHEL does not have: docker-ce was for CentOS there.
    _s("os.unsupported", r"arch=(i386|i686)\][^\n]*" + _DOCKER_LINUX, 0.9),
    _s("os.unsupported", r"Requires: container-selinux", 0.6),
    # RHEL/CentOS's own docker 1.13 (`docker-current`) refusing an image for its signature policy:
    # that engine is the fault, and docker-ce replaces it.
    _s("docker.too-old", r"missing signature key", 0.8),
    _s("docker.too-old", r"/usr/bin/docker-current\b", 0.55),
    # RHEL 7 on x86_64 never had docker-ce packages (only s390x): the repository answers 404.
    _s("os.unsupported", r"404[^\n]{0,40}download\.docker\.com/linux/rhel/7/x86_64|"
       r"download\.docker\.com/linux/rhel/7/x86_64/[^\s]*[^\n]{0,40}\b404\b", 0.85),
    # Docker's first repositories, retired in 2020 (403 since): the source must be replaced by
    # download.docker.com.
    _s("apt.docker-repo-missing", r"(apt|yum)\.dockerproject\.org[^\n]*(403|forbidden|no longer signed)|"
       r"(403|forbidden)[^\n]*(apt|yum)\.dockerproject\.org", 0.7),
    _s("apt.nvidia-repo-missing", r"无法定位软件包\s*(nvidia-container-toolkit|nvidia-docker2|libnvidia-container)|unable to locate package (nvidia-container-toolkit|nvidia-docker2|libnvidia-container|nvidia-container-runtime)|package '?(nvidia-container-toolkit|nvidia-docker2)'? has no installation candidate", 0.85),
    _s("apt.docker-repo-missing", r"无法定位软件包\s*(docker-ce|containerd\.io)|unable to locate package (docker-ce|containerd\.io|docker-buildx-plugin|docker-compose-plugin)|package '?docker-ce'? has no installation candidate", 0.85),
    # apt in zh_CN: Docker's packages with no candidate, or its plugins not found (no Docker repository)
    _s("apt.docker-repo-missing", r"软件包\s*'?(docker-ce|docker-ce-cli|containerd\.io)'?\s*没有可安装候选|"
       r"无法定位软件包\s*(docker-buildx-plugin|docker-compose-plugin|docker-ce-cli)", 0.85),
    _s("apt.repo-unreachable", r"(temporary failure resolving|could not resolve( host)?:? '?(nvidia\.github\.io|download\.docker\.com|[\w.-]*mirrors?[\w.-]*)|暂时不能解析域名|could not connect to (nvidia\.github\.io|download\.docker\.com)|curl: \((6|7|28|35)\)[^\n]*(nvidia\.github\.io|download\.docker\.com|(?<!hub\.)docker(?!\.io)|nvidia))", 0.85),
    # The same failures against an image registry (a script asking Docker Hub for tags, a health
    # check): the network to the registry, not a package repository.
    _s("registry.unreachable", r"(curl: \((6|7|28|35|56)\)|failed to connect to|could not resolve host:?)[^\n]*"
       r"(?<![\w.-])(registry-1\.docker\.io|(registry\.)?hub\.docker\.com|index\.docker\.io|auth\.docker\.io|"
       r"production\.cloudflare\.docker\.com|ghcr\.io|quay\.io|gcr\.io|nvcr\.io)\b", 0.9),
    # A registry (or something in front of it) timing the request out with an HTML page.
    _s("registry.unreachable", r"(v2 registry|/v2/)[^\n]*408 request time-?out", 0.75),
    # An HTTP proxy between apt and the repository refused the tunnel.
    _s("apt.repo-unreachable", r"received http code \d+ from proxy after connect", 0.8),
    # apt's and curl's wording for a host that never answered the TLS or TCP handshake.
    _s("apt.repo-unreachable", r"could not handshake: |gnutls_handshake\(\) failed: error in the (push|pull) function|operation timed out after \d+ milliseconds|failed to connect to (nvidia\.github\.io|download\.docker\.com)", 0.8),
    # yum/dnf when no mirror of a repository answered in time.
    _s("apt.repo-unreachable", r"cannot download, all mirrors were already tried without success|"
       # (not a repository whose metadata came but whose signature did not check: its key, read above)
       r"failed to download metadata for repo(?![^\n]*signature)|cannot download repomd\.xml", 0.75),
    # dnf/yum print curl's failures in their own words ("Curl error (35): SSL connect error for https://...").
    _s("apt.repo-unreachable", r"curl error \((6|7|28|35|56)\): [^\n]*(for|from) https?://", 0.85),
    # Docker's repository files and keys exist for every release: a 403 for one is the network (a
    # country or a firewall refused), not a release it never served.
    _s("apt.repo-unreachable", r"download\.docker\.com/linux/(centos|fedora|rhel|sles|ubuntu|debian|raspbian)/(docker-ce\.repo|gpg)\b"
       r"[^\n]{0,160}\b403\b", 0.8),
    # ... and yum's older form ("[Errno 14] curl#7 - \"Failed to connect to …: Network is unreachable\"")
    _s("apt.repo-unreachable", r"\[Errno 14\] curl#(6|7|28|35|56) - ", 0.85),
    # `curl -s ... | apt-key add -` (or gpg --dearmor) fed nothing: the key host never answered.
    _s("apt.repo-unreachable", r"gpg: no valid openpgp data found|gpg: 找不到有效的 ?openpgp", 0.7),
    # apt's own words for a transport failure (en and zh_CN): the host never answered, so a "no
    # Release file" printed after it for the same repository is a consequence, not the cause.
    _s("apt.repo-unreachable", r"connection failed \[IP: |recv failure: connection reset by peer|unable to connect to [\w.-]+:(https?|\d+)|cannot initiate the connection to|could not connect to [\w.-]+:\d+ [^\n]*(timed out|refused)", 0.9),
    _s("apt.repo-unreachable", r"连接失败 ?\[IP: |无法发起与 ?[\w.-]+:\d+|无法连接上? ?[\w.-]+:\d+|接收失败: ?连接被对方重置", 0.9),
    _s("apt.broken-source", r"(the repository '(?![^'\n]*(libnvidia-container|nvidia-docker|nvidia-container-runtime|download\.docker\.com|"
       + _DISTRO_OWN_HOSTS + r"))[^']+' (does not have|no longer has) a release file|(404|403)\s+(not found|forbidden)[^\n]*ip|failed to fetch (?![^\n]*(" + _DISTRO_OWN_HOSTS + r"))[^\n]*(404|403|Clearsigned file))", 0.6),
    # apt cannot even read its source list: a malformed line (an option block such as [arch=…] broken
    # by a script's sed, a URL pasted without its `deb` type). Nothing installs until it is fixed.
    _s("apt.broken-source", r"malformed (entry|line) \d+ in (list file|source list)|(列表文件|源列表)\s*\S+\s*(中|的)?\s*第\s*\d+\s*(个记录|行)[^\n]{0,10}格式有误", 0.85),
    _s("apt.broken-source", r"仓库\s*[“\"'](?![^”\"'\n]*(libnvidia-container|nvidia-docker|nvidia-container-runtime|"
       r"download\.docker\.com|/docker-ce/))[^”\"'\n]+[”\"']\s*(没有|不再含有)\s*Release\s*文件|无法下载[^\n]*(404|403)", 0.6),
    # --- registry --------------------------------------------------------------------------
    # A registry's own word for a name it does not hold (Harbor, registry:2): "unknown: repository x/y not found".
    _s("image.tag-missing", r"unknown: repository [\w./-]+ not found", 0.85),
    _s("image.tag-missing", r"manifest (for [^\s]+ )?(not found|unknown)|manifest unknown|not found: manifest|repository does not exist or may require ('docker login'|authorization)|pull access denied(,| for)", 0.9),
    # Podman's wording of the same
    _s("image.tag-missing", r"reading manifest \S+ in \S+: requested access to the resource is denied", 0.85),
    # The tag is there as an OCI index an old engine does not ask for: the engine is too old.
    _s("docker.too-old", r"OCI (index|manifest) found, but accept header does not support OCI (indexes|manifests)", 0.93),
    # containerd's (kubelet's, nerdctl's) wording of a manifest that is not there.
    _s("image.tag-missing", r"failed to resolve (image|reference)[^\n]*: not found|code = NotFound desc = failed to pull and unpack image", 0.85),
    # The tag exists, but not for this machine's platform (a 32-bit Pi OS, arm64, an amd64-only
    # image): the image has no variant to pull here.
    _s("image.tag-missing", r"no matching manifest for [\w/.-]+ in the manifest list entries|"
       r"no match for platform in manifest", 0.85),
    # (BuildKit names the reference twice, as written and as resolved: "failed to solve: a/b:1: docker.io/a/b:1: not found")
    _s("image.tag-missing", r"failed to resolve source metadata for [^\s]+: [^\n]*not found|(docker\.io/)?nvidia/cuda:[^\s:]+: not found|"
       r"failed to solve: [\w.:/-]{1,200}:[\w.-]{1,128}: [\w.:/-]{1,200}: not found", 0.85),
    _s("mirror.restricted", r"not in (the )?(allow|white) ?list|白名单|denied: [^\n]*(allowlist|whitelist)", 0.9),
    # A registry that serves one region only ("denied: only support mainland China"): it is alive and
    # refuses this client, which a "repository does not exist" printed on the same line does not undo.
    _s("mirror.restricted", r"only (supports?|serves?|allows?|available (in|to|for)|accessible (in|from)) (the )?(mainland )?china|"
       r"仅(支持|限|允许|对)\s*(中国)?\s*(大陆|境内|国内)|只(支持|允许|限)\s*(中国)?\s*(大陆|境内|国内)", 0.95),
    # A registry that answers with a bare "denied" refused this client or this name (an allowlist, a
    # prefix it requires), as opposed to a tag it looked up and did not find.
    _s("mirror.restricted", BARE_DENIED, 0.6),
    # ghcr.io answers a bare "denied" (or "unauthorized", for a private package) for a name it does not
    # serve publicly (a misspelt path, an image not published): no tag to pull under that name.
    # (the end of a JSON error a client printed, `unauthorized"}`, ends it too)
    _s("image.tag-missing", r"(Head|GET|Get) \\?\"?https://ghcr\.io/v2/[^\s\"]+/manifests/[^\s\"]+\\?\"?:? (denied|unauthorized)[ \t.\"'}\]]*(\n|$)", 0.75),
    # ... and refuses even an anonymous token for such a name ("failed to fetch anonymous token:
    # unexpected status from GET request to https://ghcr.io/token?scope=…: 403 Forbidden"; a firewall
    # answering for ghcr.io is told apart in diagnose).
    _s("image.tag-missing", GHCR_TOKEN_REFUSED, 0.75),
    # A mirror refusing one manifest with a bare 403: an allowlist, or an image that does not exist.
    _s("mirror.restricted", r"unexpected status (from (HEAD|GET) request to|code) https?://(?!" + _REGISTRIES + r")"
       r"[^\s/]+/v2/[^\s]*/manifests/[^\s]*: 403", 0.7),
    _s("image.tag-missing", r"unexpected status (from (HEAD|GET) request to|code) https?://[^\s/]+/v2/[^\s]*/manifests/[^\s]*: 403", 0.5),
    # BuildKit's wording of the same refusal ("unexpected status code [manifests nonroot]: 403 Forbidden")
    _s("mirror.restricted", r"unexpected status code \[manifests [^\]\n]{1,200}\]: 403", 0.6),
    # A mirror refusing a layer of an image it listed (docker.1panel.live: "blobs/sha256:…: 403
    # Forbidden"): it serves some content and not this (Docker Hub's own 403s come from its CDN hosts).
    _s("mirror.restricted", r"unexpected status (from (HEAD|GET) request to|code) https?://(?!" + _REGISTRIES + r")"
       r"[^\s/]+/v2/[^\s]*/blobs/[^\s]*: 403", 0.75),
    # A 408 Request Time-out page is the network between (a proxy, fragmenting packets), not the mirror.
    _s("registry.unreachable", r"error parsing HTTP 408 response body", 0.8),
    # Docker Desktop's own dialer: it went straight to the registry (no proxy set) and that failed
    _s("registry.unreachable", r"dialing [\w.-]+:\d+ (container )?via direct connection because [^\n]{0,60}has no HTTPS? proxy", 0.8),
    # Docker Hub refusing whole countries (US export control): the registry is out of reach from this
    # network, whatever "pull access denied" the client prints around the page.
    _s("registry.unreachable", HUB_EXPORT_CONTROL, 0.95),
    _s("mirror.dead", r"attempting next endpoint for pull after error|error parsing HTTP (40[0-79]|41\d|5\d\d) response body|is currently [A-Za-z]+-only|registry-mirror[^\n]*(403|404|closed|dead|no longer)", 0.85),
    _s("registry.unreachable", r"(tls handshake timeout|i/o timeout|context deadline exceeded|request canceled while waiting for connection|client\.timeout exceeded|dial tcp [^\n]*(timeout|connection refused|no route)|net/http: request canceled|/v2/[^\n]*: (unexpected EOF|EOF|read: connection reset by peer))", 0.8),
    _s("registry.unreachable", r"lookup [^\s]+ on [^\n]*(no such host|server misbehaving|i/o timeout)|temporary failure in name resolution|dial tcp: lookup [^\s:]+: no such host", 0.8),
    _s("registry.unreachable", r"x509: certificate signed by unknown authority|toomanyrequests: you have reached your (unauthenticated )?pull rate limit", 0.6),
    # Someone else answered for Docker Hub (a hijacking DNS, a captive portal, an intercepting box).
    _s("registry.unreachable", r"x509: certificate is (valid for [^\n]*, not |not valid for any names)|remote error: tls: handshake failure", 0.7),
    _s("registry.unreachable", r"registry-1\.docker\.io|index\.docker\.io|production\.cloudflare\.docker\.com|cloudfront\.net", 0.4),
    # --- containers ------------------------------------------------------------------------
    # NCCL moves data between a node's GPUs through /dev/shm: a container's 64 MB default runs out
    # with tensor parallelism, which NCCL reports as a "system error" or a failed shm segment.
    _s("container.shm-too-small", r"NCCL WARN[^\n]*(shm|shared memory)|error while creating shared memory segment|"
       r"NCCL ?error[^\n]*unhandled system error|ncclSystemError", 0.7),
    _s("container.shm-too-small", r"(out of|insufficient) shared memory|dataloader worker[^\n]*(bus error|killed by signal)|bus error[^\n]*(shm|shared)|unable to write to file </torch_|no space left on device[^\n]*shm|/dev/shm", 0.9),
    # A bus error in a container is most often its 64 MB /dev/shm running out; also in the kernel's
    # words for a page past the end of a mapped file, and as signal 7 in a launcher's exit code.
    _s("container.shm-too-small", r"\bSIGBUS\b|\bbus error \(core dumped\)|\bbus error: nonexistent physical address|"
       r"\bexit ?code:? -7\b|\breturn code = -7\b|\bkilled by signal 7\b|\bsignal 7 \((bus error|sigbus)", 0.55),
    _s("container.no-gpu-request", r"exec: \\?\"nvidia-smi\\?\": executable file not found in \$PATH|nvidia-smi: not found[^\n]*container|started without --gpus", 0.6),
    _s("container.no-gpu-request", r"(?<![:\w-])nvidia-smi not found", 0.5),
    _s("container.no-gpu-request", r"the nvidia driver was not detected\.\s+gpu functionality will not be available", 0.85),
    # A program in the container refused writing to an absolute path (a bind-mounted output folder):
    # the folder's owner and the container's user do not match (Docker made it, as root).
    _s("container.root-owned-files", r"PermissionError: \[Errno 13\] Permission denied: '/(?!var/run/|run/)[^'\n]+'", 0.55),
    # A CI job's workspace that cannot be cleaned (Jenkins' ws-cleanup, a self-hosted runner's _work):
    # a container of an earlier step left files there as root.
    _s("container.root-owned-files", r"(ws-cleanup|cannot delete workspace|actions-runner/_work|unable to be removed)[^\n]*"
       r"(permission denied|operation not permitted|\beacces\b|\beperm\b)", 0.62),
    _s("container.root-owned-files", r"owned by root[^\n]*(bind|mount|volume|container)|permission denied[^\n]*(files|written) (created|by) (the )?container", 0.6),
)


@frozen_record
class Match:
    problem: str
    strength: float
    where: str
    line: str


# A line broken inside a sentence (a pasted e-mail, a terminal's width): "Could not load UVM kernel"
# then "module. Is nvidia-modprobe installed?" on the next line. A match read across such a break
# counts only where it is a message cut in two, a few words either side of one break, not a span
# of a wrapped paragraph ("[^\n]*" running from "daemon.json" to a "no syntax error" lines later).
_SOFT_WRAP = lazy_compile(r"(?<=[a-z,])[ \t\r]*\n(?=[a-z])")
_ACROSS_A_BREAK = 40


def _joined(text: str) -> Tuple[str, Tuple[int, ...]]:
    """`text` with its soft line breaks joined by a space, and where each join is in the result."""
    out: List[str] = []
    at: List[int] = []
    last = size = 0
    for m in _SOFT_WRAP.finditer(text):
        out += (text[last:m.start()], " ")
        size += m.start() - last
        at.append(size)
        size += 1
        last = m.end()
    out.append(text[last:])
    return "".join(out), tuple(at)


def _across_one_break(m: "re.Match[str]", joins: Tuple[int, ...]) -> bool:
    inside = [j for j in joins if m.start() <= j < m.end()]
    return len(inside) == 1 and inside[0] - m.start() <= _ACROSS_A_BREAK and m.end() - inside[0] <= _ACROSS_A_BREAK


def match(texts: dict) -> List[Match]:
    """All signature matches over {'error': ..., 'notes': ..., 'command': ...}, strongest first.

    A text is read as pasted, then, for what that did not match, with its soft line breaks joined."""
    found: List[Match] = []
    heads = {k: head_and_tail(v) for k, v in texts.items() if isinstance(v, str) and v}
    joined = {k: _joined(text) for k, (text, _cut) in heads.items()}
    for sig in SIGNATURES:
        for where in sig.where:
            if where not in heads:
                continue
            text, cut = heads[where]
            m = sig.pattern.search(text)
            if not m and joined[where][1]:
                j = sig.pattern.search(joined[where][0])
                if j and _across_one_break(j, joined[where][1]):
                    text, m = joined[where][0], j
            if m:
                line = _line_of(text, m.start())
                if cut:
                    from dldoctor.i18n import _

                    line += "  (" + _("{where} is {kb} KB long: only its first and last {part} KB were read").format(
                        where=where, kb=cut // 1024, part=TEXT_MAX // 2048) + ")"
                found.append(Match(sig.problem, sig.strength, where, line))
                break
    found.sort(key=lambda m: -m.strength)
    return found


def ends(text: str, limit: int = TEXT_MAX) -> Tuple[str, ...]:
    """The parts of `text` that are read: the whole, or the first and last limit/2 characters."""
    if len(text) <= limit:
        return (text,)
    half = limit // 2
    return text[:half], text[-half:]


def head_and_tail(text: str, limit: int = TEXT_MAX) -> Tuple[str, int]:
    """(the text to match, the original length when it was cut, else 0)."""
    parts = ends(text, limit)
    return "\n...\n".join(parts), (len(text) if len(parts) > 1 else 0)


def _line_of(text: str, pos: int) -> str:
    start = text.rfind("\n", 0, pos) + 1
    end = text.find("\n", pos)
    line = text[start:end if end >= 0 else len(text)].strip()
    return line if len(line) <= 400 else line[:397] + "..."


def driver_cuda(text: str) -> Optional[str]:
    """The CUDA version nvidia-docker 1 said the driver supports ("driver 8.0 < image 9.0")."""
    m = re.search(r"unsupported cuda version: driver (\d+\.\d+)", text, re.I)
    return m.group(1) if m else None


def required_cuda(text: str) -> Optional[str]:
    """The CUDA version an image required, from toolkit/nvidia-docker errors ("cuda>=11.7")."""
    m = re.search(r"cuda ?>= ?(\d+\.\d+)", text) or re.search(r"image (\d+\.\d+)", text)
    return m.group(1) if m else None
