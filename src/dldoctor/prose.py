"""Phrase families: what reporters *say* instead of pasting output, read as causes.

People describe their hosts in words ("my laptop has Intel graphics only", "re-login fixed it",
"files created in the container are owned by root", "我在校园网"). A family is a row of this table:
a problem ID, a strength, and the phrases that must all occur together, each phrase an
alternation of wordings in English and Chinese. `scope` says how close together: in one
sentence (or line), or anywhere in one text. Each phrase is searched on its own, so matching
stays linear in the text; no row needs a regex that spans both phrases.

The signatures table (dldoctor.signatures) holds what tools print; this one holds what people
write. Diagnosis reads both.
"""
from __future__ import annotations

import re
from functools import lru_cache

from dldoctor.checks.docker import DESKTOP_PIPES
from dldoctor.lazy_regex import lazy_compile
from dldoctor.records import frozen_record
from dldoctor.signatures import (DKMS_NVIDIA, DOCKER_PY_NO_SOCKET_FILE, NOT_GPU_ACCESS, SMI_CANNOT_COMMUNICATE, WSL_1,
                                 Match, bounded, head_and_tail)

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Dict, Iterable, List, Optional, Pattern, Sequence, Tuple

SENTENCE = "sentence"
TEXT = "text"
REPORT = "report"   # anywhere in the report: error, notes and command read as one text


@frozen_record
class Family:
    problem: str
    strength: float
    phrases: Tuple[str, ...]   # every phrase must match (each an alternation of wordings)
    scope: str = SENTENCE
    where: Tuple[str, ...] = ("notes", "error", "command")
    unless: str = ""           # a wording that says the family does not apply here


def _f(problem: str, strength: float, *phrases: str, scope: str = SENTENCE,
       where: Tuple[str, ...] = ("notes", "error", "command"), unless: str = "") -> Family:
    return Family(problem, strength, tuple(phrases), scope, where, unless)


# Recurring word groups, named so the rows below read as sentences.
DOCKER_GROUP = (r"docker[`'\"]?\s+(user )?group|group\s+[`'\"]?docker|usermod -a?G docker|gpasswd -a \S+ docker|"
                # Docker Desktop's group on Windows
                r"\bdocker-users\b|"
                # the users an Ansible role adds to the docker group
                r"\bdocker_users\b|"
                r"docker\s*(用户)?组")
RELOGIN = (r"log(ging|ged)? ?(out|off)|sign(ed|ing)? ?(out|off)\b|re-?log(in|ging|ged)?|log(ging)? (back )?in again|new (login|session|shell)|"
           r"newgrp|su -s? \$\{?user|restart(ed|ing)? (ubuntu|the (machine|computer|system|pc|vm|laptop|server))|"
           r"(full |a )?reboot(ed|ing)?|re-?connect(ed|ing)? (my |the |to )?(ssh|session|terminal)|new ssh session|"
           r"重新登[录陆]|注销|退出登录|重启(电脑|系统|机器)|重新连接")
NOT_IN_GROUP = (r"\b(needs?|must|has to|have to) (to )?be (in|a member of|added to|part of) (the )?[`'\"]?docker[`'\"]? group|"
                r"\b(is|am|are)( not|n'?t) (in|a member of|part of) (the )?[`'\"]?docker[`'\"]? group|不在\s*docker\s*(用户)?组|"
                r"\b(does|do|did)( not|n'?t) belong to (the )?[`'\"]?docker[`'\"]? group|不属于\s*docker\s*(用户)?组|"
                r"(没有|未)(加入|添加到?|加到)\s*docker\s*(用户)?组|"
                # "Add `vagrant` user to the group `docker`" (a request: not in it yet)
                r"\badd (the )?[`'\"]?[\w$-]+[`'\"]? (user )?to (the )?(group )?[`'\"]?docker[`'\"]?")
# ... unless the same sentence says they were added, or that sudo is how they get by.
# (`groups` typed to check: what this session has, against the group file the user was added to)
NOT_IN_GROUP_UNLESS = (r"\b(already|added|still|after|even though|although|yet|but|sudo|usermod|gpasswd)\b|"
                       r"`?\bgroups\b`?\s*(command\s*)?(it\s*)?(shows?|says|lists|outputs?|显示|发现)|输入\s*`?groups|" + RELOGIN)
# dockerd's own words for a kernel module it cannot load: the overlay filesystem, the bridge network,
# a container's veth pair, modprobe's "not found in directory /lib/modules/<release>".
KERNEL_MODULE_GONE = (r"failed to mount overlay: no such device|[`'\"]?overlay[`'\"]? not found as a supported filesystem|"
                      r"pair interfaces: operation not supported|error creating default \\?\"?bridge\\?\"? network: operation not supported|"
                      r"modprobe: fatal: module (overlay|bridge|br_netfilter|veth|ip_tables|ip6_tables|iptable_\w+|nf_\w+|xt_\w+) "
                      r"not found in directory /lib/modules/")
# A kernel upgrade told as done, or as the package that came in.
KERNEL_UPGRADED = (r"\b(upgraded|updated) (the |my |a |our |to (the )?(latest|newest|new) )?(linux )?kernel\b|"
                   r"\bkernel (was |got |has been |just )?(upgraded|updated)\b|\b(after|since) (an? |the )?kernel (upgrade|update)\b|"
                   r"\bnew(er)? kernel (was |got )?installed\b|\binstall(ed|ing) linux-image-\d|\blinux-image-\d\S* (was |got )?installed\b|"
                   r"\bpulled (in )?(a new |the new )?kernel\b|升级(了)?内核|内核升级|更新(了)?内核|内核更新|pacman -S[yu]{2}|yay -S[yu]{2}")
# The report says it rebooted since.
REBOOTED = (r"\brebooted\b|\b(after|since) (a |the )?reboot(ing)?\b|\bdid a reboot\b|\bafter restarting the (machine|server|host|pc|computer|system)\b|"
            r"重启(过|之后|后|了)")
# A kernel that never had veth or the modules: a container on LXC or OpenVZ, WSL's, one built without them.
NO_VETH_KERNEL = (r"\b(lxc|lxd|openvz|proxmox|virtuozzo)\b|\bwsl2?\b|microsoft-standard|\bCONFIG_VETH\b|"
                  r"\b(compiled|built) (my |our )?(own |custom )?kernel\b|\bcustom kernel\b")
# An NVIDIA card named as the host's own, read over a whole text: its name (also run into a model
# number or Chinese, "RTX3060", "张RTX"), not an image's "brand=tesla", and not in a clause that
# denies or wishes for it ("I don't have an RTX", "planning to buy a 4090").
CARD_NAMES = r"(rtx|gtx|geforce|quadro|tesla|titan)"
CARD_OWNED = (r"(^|[.;!?\n。；，,])(?:(?!\b(don'?t|do not|doesn'?t|does not|no|not|without|never|plan\w*|buy\w*|want\w*|wish\w*|"
              r"will|would|could|might|next|hope)\b|没有|想|打算|准备)[^.;!?\n。；，,]){0,80}?"
              r"((?<![a-z=])" + CARD_NAMES + r"(?![a-z])|nvidia corporation|\b\d{4} ?(super|ti)\b)")
# gpg fed nothing where a key belongs (`curl -s … | apt-key add -`), in English and zh_CN.
NO_KEY_DATA = r"no valid openpgp data|找不到有效的 ?openpgp"
NVIDIA_REPO = (r"nvidia\.github\.io|download\.docker\.com|get\.docker\.com|developer\.download\.nvidia\.com|"
               r"apt\.dockerproject\.org|(?<![\w.])docker\.com\s*域名|"
               # the same repositories on a mirror (mirrors.<x>/docker-ce/linux/..., a .repo file)
               r"/docker-ce/linux/|docker-ce\.repo\b|/libnvidia-container/")
CANT_REACH = (r"can'?t (visit|access|reach|open|connect|ping|resolve)|cannot (visit|access|reach|open|connect|ping|resolve)|"
              r"unable to (visit|access|reach|connect|resolve)|not (reachable|accessible)|is not running|"
              r"hosts file|/etc/hosts|firewall|无法(访问|连接|解析)|访问不了|打不开|连不上|被墙|"
              r"connection (failed|reset|refused|timed out)|连接(失败|超时|被重置)|"
              r"\btim(es|ed)? ?out\b|\btimeouts?\b|(一直|总是|老是)?超时")
SECURE_BOOT = r"secure ?boot|安全启动|mokutil|\bMOK\b"
# docker-compose v1's (and the old client's) one wording for every failure to reach the socket.
COMPOSE_V1_NO_DAEMON = r"couldn'?t connect to docker daemon|cannot connect to the docker daemon"
FILES = r"\bfiles?\b|\bfolders?\b|director(y|ies)|文件|目录"
CONTAINER = r"containers?\b|docker\b|容器"
ROOT_OWNED = (r"owned by root|as root|root:root|by root|root (user|owner|owned|permissions?)|belongs? to (the )?root\b|"
              r"(lo+ses|lose|no|without) (write )?permissions?|cannot be edited|can'?t (edit|delete|modify|remove)|"
              r"(can ?not|can'?t) be (deleted|removed|modified|edited)|"
              r"permission denied|属于\s*root|root\s*(权限|用户|所有)|没有权限|删不掉|删除不了|(无法|不能)删除")
CREATED = r"creat(e|es|ed|ing)|writ(e|es|ten|ing)|generat(e|es|ed)|produc(e|es|ed)|new files|\bleav(e|es|ing)\b|\bleft\b|生成|创建|写入"
# dockerd not coming up, as people say it: the daemon, not a container or a compose service ("Cannot
# start service web", "the container did not start"). Not "it": the rows read the whole notes, where
# "it" is as often the container.
DAEMON_WONT_START = (r"\b(docker(\.service)?(?![-\w]| compose)|dockerd|daemon|engine|(the|docker) service)\b"
                     r"(?:(?!container)[^.\n]){0,40}"
                     r"\b((can'?t|cannot|could ?n'?t|won'?t|does ?n'?t|did ?n'?t|not|never|fail(s|ed)? to) (start|restart|get up|"
                     r"come (back )?up|launch|boot|run)\b(?! (service|container))|(is ?n'?t|is not) starting|"
                     r"never (comes|came) up)|"
                     r"\b(can'?t|cannot|could ?n'?t|won'?t|fail(s|ed)? to) (re)?start (the )?(docker|dockerd|daemon|engine)\b|"
                     r"(?<!容器)(启动失败|无法启动|起不来|启动不了|重启失败|无法重启|不能启动)")
# Files that cannot be removed: what a container left behind as root, not the socket refusing a user.
CANT_REMOVE = r"cannot remove|can'?t (delete|remove)|无法删除|删不掉"
CHINA_NET = r"国内|in china|china region|mainland|大陆|中国(区域|地区)|校园网|campus network|gfw|被墙|墙内"
# (no \b before "pull": in "无法pull镜像" a CJK character is a word character too)
PULL = r"(?<![a-z])pull(ing|ed)?(?![a-z])|拉取|拉镜像|下载镜像|docker\s*镜像"
SLOW = (r"time ?out|timed out|timing out|slow|hang|stuck|超时|很慢|太慢|失败|拉不下来|困难|卡住|"
        r"can'?t (open|pull|access)|cannot (open|pull|access)|(不能|无法)(打开|拉|访问)|打不开")
NVIDIA_CARD = (r"\b" + CARD_NAMES + r"\b|\b\d{4} ?(super|ti)\b|\bbut i (also )?have\b|"
               r"还有一?(块|张)|另有一?(块|张)")
EVERY = (r"\b(all|every|any)\b[^.。\n]{0,20}\b(images?|containers?)\b|所有|全部|任何|"
         # failing every time rather than for one image
         r"\b(always|keeps?|consistently|every time)\b|一直|总是|始终|老是")
# A distribution or release named ("raspbian buster", "Ubuntu 16.04", "xenial").
DISTRO = (r"\b(ubuntu|debian|raspbian|raspberry pi os|fedora|centos|rhel|red ?hat|rocky|almalinux|mint|kali|pop!?_?os|"
          r"deepin|opensuse|sles|amazon linux|arch linux)\b|\b(xenial|bionic|focal|jammy|noble|stretch|buster|bullseye|"
          r"bookworm|trixie)\b|\b\d\d\.(04|10)\b")
FAILS = r"fail(s|ed|ing)?|can'?t|cannot|unable|失败|拉不下来|不了|无法|不能"
# The host's docker.sock mounted into a container (a CI agent, docker-in-docker, a devcontainer): the
# docker group inside has its own ID, and the socket refuses it however fresh the session, so a
# refusal there is docker.permission-denied, never a stale login.
MOUNTED_SOCKET = (r"\bmount(ed|ing|s)? (the |a )?(host'?s? )?(/var/run/)?docker\.sock|docker\.sock[^.\n]{0,30}\bmount|"
                  r"docker-in-docker|docker-outside-of-docker|\bdind\b|\bgid\b|group id|runner container")
SHELL_PROXY = (r"\bexport\s+(https?|all)_proxy=|\b(https?|all)_proxy=\S+|\"proxies\"\s*:|env\s*\|\s*grep -i proxy|"
               r"(/etc/environment|\.bashrc|\.profile\b|\.docker/config\.json)[^\n]{0,60}proxy|"
               r"proxy[^\n]{0,60}(/etc/environment|\.bashrc|\.profile\b|\.docker/config\.json)|终端[^。\n]{0,10}(设置|配置)?了?代理")
# ... and what says dockerd's own proxy was set (a drop-in it reads), or that pulling works.
SHELL_PROXY_UNLESS = (r"docker\.service\.d|http-proxy\.conf|systemctl show --property=Environment|"
                      r"\bpull(s|ed)? (works?|fine|successfully)\b")
BEHIND_PROXY = (r"\bbehind (a |an |the |my |our |some )?(corporate |company |companies'? |university |enterprise |office |"
                r"authenticated |transparent |web |squid |https? )?(firewall ?(/|and|or) ?)?(https?_?)?proxy|"
                r"\b(goes|go|only) (out )?through (a|an|the|our) ([\w-]+ )?proxy\b|"
                r"\b(can )?only (access|reach) (the )?internet (via|through) (a|an|the|our) ([\w-]+ )?proxy|(必须|需要|只能)(通过|走)代理|"
                # "our corporate proxy", "being under a proxy", "a transparent proxy" (a company network alone is no proxy)
                r"\b(our|my|the|a|an) (corporate|company|companies'?|enterprise|office) (https? )?proxy\b|\bunder (a|an|the) proxy\b|"
                r"\btransparent (https? )?proxy\b|"
                # "my host needs a proxy to connect to the external network", "on a proxy network"
                r"\b(need|needs|needed|require|requires|required) (a|an|the) ([\w-]+ )?proxy (to|for) (connect|reach|access|get|go)|"
                r"\bon (a|an|the|our|my) ([\w-]+ )?proxy(ed)? network\b|"
                r"在[^。，,\n]{0,8}代理(服务器)?(后面|之后)|公司(内网)?的?代理")


# nvidia-smi not there, and the words that place a report inside a container or an entered image.
SMI_MISSING = r"nvidia-smi:? (command )?not found|nvidia-smi[^。\n]{0,10}(找不到|不存在)"
IN_CONTAINER = r"\b(in|inside|within) (the |a |my )?(docker )?containers?\b|容器(里|内|中)"
IN_IMAGE = r"镜像(里|内|中)|进(入|到)?(容器|镜像)"
# The host's own nvidia-smi missing, a driver not installed yet, a plan, a system container.
HOST_SMI_MISSING = (r"\bon the host\b|\bhost'?s? nvidia-smi\b|宿主机上?[^。\n]{0,12}(找不到|not found|没有)|"
                    r"\b(never|have ?n'?t|has ?n'?t|not yet|did ?n'?t|did not) (yet )?install(ed)?[^.\n]{0,20}driver|"
                    r"(没|还没|未)(有)?(安装|装)[^。\n]{0,6}驱动|\b(want|plan|going|intend)s? to\b|before that|想|打算|"
                    r"\blxc\b|\blxd\b|proxmox")


FAMILIES: Tuple[Family, ...] = (
    # --- the docker group and login sessions ----------------------------------------------------
    _f("docker.group-not-active", 0.7, DOCKER_GROUP, RELOGIN, scope=TEXT),
    # (Not for the host's socket mounted into a container: MOUNTED_SOCKET.)
    _f("docker.group-not-active", 0.65, DOCKER_GROUP, r"permission denied|权限不足|没有权限", scope=TEXT,
       unless=MOUNTED_SOCKET + "|" + CANT_REMOVE),
    # The user is not in the group at all ("bob needs to be in the docker group", a script's "Current
    # user is not part of the docker group"): the socket refuses them; no session is stale.
    _f("docker.permission-denied", 0.72, NOT_IN_GROUP, unless=NOT_IN_GROUP_UNLESS),
    # What `groups`/`id` print in this session against /etc/group, told in words.
    _f("docker.group-not-active", 0.75, r"`?\b(groups|id)\b`?\s+(didn'?t|doesn'?t|does not|did not|won'?t|no longer)\s+"
       r"(list|show|include|contain|mention)|not (listed|shown) (in|by) `?(groups|id)\b",
       r"/etc/group|docker", scope=TEXT),
    # "Cannot connect to the Docker daemon" in one session (tmux, screen, a Jenkins job) while docker
    # works in another: the daemon is up, and the failing session predates the docker group (old
    # clients print "Cannot connect" for a refused socket).
    _f("docker.group-not-active", 0.88, r"cannot connect to the docker daemon",
       r"\b(tmux|screen|jenkins|byobu|vs ?code)\b",
       r"hello from docker|\bworks?\b[^.\n]{0,40}\b(outside|directly|from (the|a|my) (terminal|shell))\b|"
       r"\b(outside|directly)\b[^.\n]{0,60}\bworks?\b|works as expected", scope=REPORT),
    # "Cannot connect to the Docker daemon" while the reporter says the daemon runs: clients before
    # 1.13 printed that for a socket they were refused, so it is the socket's permissions.
    _f("docker.permission-denied", 0.88, r"cannot connect to the docker daemon\.? is the docker daemon running on this host\?|"
       r"cannot connect to the docker daemon\.? is 'docker (-d|daemon)' running",
       r"\b(daemon|dockerd|docker( service| engine)?) (is (already )?|already (is )?)(up and )?running|"
       r"with the docker daemon (already )?running|active \(running\)|守护进程[^。\n]{0,6}(已经)?在运行",
       scope=REPORT, unless=r"(is ?n'?t|is not|not) (up and )?running|inactive|\bdead\b|\bfailed\b|activating|not sure|"
       r"rootless|docker desktop|\bwsl|\bsudo\b"),
    # "I had to sudo this command": docker answers root only.
    _f("docker.permission-denied", 0.6, r"\b(had|have|need(ed)?) to (use )?sudo (for )?(this|the|every|each|all|any)? ?"
       r"((nvidia-)?docker|commands?)\b|"
       r"only works? (with|using|under) sudo|必须(加|用)\s*sudo|需要\s*sudo|"
       # Portuguese and Spanish: "(I) need sudo", "a permission error"
       r"precis[oa] (usar |do |de )?sudo|necesit[oa] (usar )?sudo|erro de permiss[ãa]o|error de permisos?|permiso denegado",
       r"\b(nvidia-)?docker\b", scope=TEXT, where=("notes",)),
    # Running docker without sudo still failing after the set-up that adds the user to the group.
    _f("docker.group-not-active", 0.55, r"without (using )?`?sudo`?|不(用|加)\s*sudo|免\s*sudo",
       r"\b(even after|still|cannot|can'?t|fail(s|ed)?|permission)\b|仍然|还是|无法|不能", r"\bdocker\b",
       # (and the set-up that adds the user is named: wanting docker without sudo alone is no stale login)
       r"usermod|gpasswd|\bgroups?\b|\badded\b|组|\beven after\b|\bset-?up\b|\bscript\b|post-?install|non-root user|"
       r"official (docs|documentation|guide|instructions)|官方|步骤|文档", scope=TEXT, unless=r"rootless"),
    # Other ways of saying the user is in the group already, or that a new session fixed it.
    _f("docker.group-not-active", 0.7, r"gpasswd -a \S+ docker|\bgroups\b`?\s+(shows|lists|includes|contains)\s+`?docker|"
       r"(?<!没有)(?<![没未])(加|添加|加入)(到|进)?了?\s*docker\s*(用户)?组|(在|已在)\s*docker\s*(用户)?组(里|中)?|"
       r"\bworks? (fine |again )?(after|once) (i |a )?reboot(ed|ing)?\b|"
       r"\bworks? (fine |again )?(after|once) (i )?restart(ed|ing)? (the |my )?(machine|computer|system|pc|laptop)\b|"
       r"\bworks? in (a )?new (terminal|shell|session)\b|重启(电脑|系统|机器)?(之后|后)(就)?(好了|正常|可以)",
       # (the socket refused: not a driver that a reboot also fixes)
       r"permission denied|docker\.sock|权限", scope=REPORT,
       # (nor files the container left that cannot be removed)
       unless=r"rootless|nvml|nvidia-smi|driver/library|" + CANT_REMOVE),
    # "I am in the docker group" and docker still wants sudo: the group is there, this session is not.
    _f("docker.group-not-active", 0.7, r"\b(i'?m|i am|am|we are|user is|i'?ve been) (already |definitely |also )?"
       r"(in|a member of|added to|part of) (the )?[`'\"]?docker[`'\"]? group",
       r"\b(still|needs?|requires?|requiring|only works with|without|have to use|must use)\b[^.\n]{0,15}\bsudo\b|permission denied",
       scope=TEXT, where=("notes",), unless=r"\b(not|isn'?t|aren'?t|am ?n'?t)\b[^.\n]{0,20}\bdocker group"),
    # A playbook (or provisioning script) that adds the user to the docker group and then runs docker
    # in the same connection: refused on the first run, fine on the next (a new session).
    # (the socket's own refusal: not ssh's, sudo's, a file's or a cluster's; not a user never added)
    _f("docker.group-not-active", 0.75, r"\bansible\b|playbook|provision(ing)? script",
       r"\b(first|1st) (time (you |i |we )?(run|ran)|run|time)\b|\bon (the )?first (run|try)\b|\bsecond (run|time)\b|"
       r"\b(two|2) runs\b|\b(re-?run(ning)?|run(ning)?) (it |the (playbook|script|role) )?(again|twice|a second time)\b|"
       r"\bre-?run(ning)? (it|the (playbook|script|role))\b[^.\n]{0,20}\b(fix(es|ed)?|works?|helps?)\b|\breset_connection\b",
       r"docker\.sock|docker daemon socket|PermissionError\(13\b", scope=REPORT,
       unless=r"\brootless\b|\bsnap\b|publickey|sudo password|forbidden|not (in|a member of) the docker group|"
              r"\bforg[eo]t\b|owned by root"),
    # Group permissions that a session only picks up when it starts.
    _f("docker.group-not-active", 0.6, r"\bgroups?\b[^.\n]{0,40}(re-?evaluat|refresh|(not|n'?t) (yet )?(be )?(applied|active|"
       r"picked up)|take effect)|组[^。\n]{0,10}(没有)?生效", r"\bdocker\b", scope=TEXT),
    # --- proxies configured where dockerd under systemd never reads them -------------------------
    # `systemctl show --property=Environment docker` printing nothing: the proxy never reached dockerd.
    _f("docker.proxy-misconfigured", 0.75, r"(?m)^[ \t]*Environment=[ \t]*$", r"proxy|代理", scope=TEXT),
    # (the proxy on a line of its own words: the stock file's comments mention an HTTP proxy too)
    _f("docker.proxy-misconfigured", 0.8, r"/etc/default/docker|/etc/sysconfig/docker|DOCKER_OPTS",
       r"(?m)^(?![ \t]*#)[^\n]{0,200}(proxy|代理)", scope=TEXT),
    _f("docker.proxy-misconfigured", 0.6, r"proxy|代理", r"not (used|respected|working|honou?red|picked up|read)|"
       r"ignor(es|ed|ing)|doesn'?t (use|work|respect)|won'?t (use|respect)|不生效|没有生效|无效|"
       r"(无法|不能|没法)代理|代理不了|不走代理|没(有)?走代理|不经过代理", r"docker|dockerd"),
    # The reporter's network reaches the registry only through a proxy ("I am behind a corporate
    # proxy", "fails when behind http_proxy"): dockerd, not the shell, is what must be told of it.
    # A hint at one ("check if you are behind a proxy"), or its absence, is not.
    _f("docker.proxy-misconfigured", 0.75, BEHIND_PROXY,
       r"pull|registry|compose|daemon|dockerd|time ?out|timed out|tls handshake|proxyconnect|reach|fetch|download|镜像|拉取",
       scope=TEXT, unless=r"\bif (you|we|i|they)('re| are| am| were)?\b|without (being )?behind|not behind|n'?t behind|no longer behind|"
              r"don'?t think|not sure|\bwhether\b|\bno proxy\b|or using a proxy|may want to check|如果|"
              # a server that sits behind a reverse proxy is not the client's way out
              r"\breverse\b|(?<![\w-])nginx(?![\w-])|\btraefik\b|\bhaproxy\b|\b(registry|harbor|nexus|artifactory|server) (is|sits|runs) behind|"
              # the pull through it worked
              r"\bpulled\b[^.\n]{0,40}\b(through|via|fine|ok|successfully)\b|\bpull(s|ing)? (works?|fine|ok|succeeds?)\b|"
              r"\bpull(s|ing)?( the)?( images?)? (is|are) (fine|ok|working)\b|\bpulls? (go|goes|went) through\b"),
    # The reporter set Docker's own proxy ("I have set up my docker proxy config", "configured the proxy
    # settings in docker", "set docker to use the company proxy") and pulls still fail on the network:
    # the proxy dockerd was given is what fails (or was never read).
    _f("docker.proxy-misconfigured", 0.75, r"\b(set ?up|setup|configured?|set|added|changed|updated)\b[^.\n]{0,25}\b(docker'?s?|dockerd'?s?) "
       r"(https? )?proxy (config(uration)?|settings?)\b|\bproxy (config(uration)?|settings?) (in|for|of) (the )?(docker|dockerd)\b|"
       r"\b(set|configured?) (docker|dockerd) to (use|go through) (a |an |the |my |our )?[\w-]{0,20} ?proxy\b",
       # (a pull's own failure on the network, not any timeout in the report)
       r"/v2/[^\n]{0,160}(time ?out|timed out|tls handshake|client\.timeout|request canceled|connection reset|: EOF\b)|"
       r"tls handshake timeout|client\.timeout exceeded|request canceled while waiting for connection|proxyconnect",
       scope=REPORT,
       # (no proxy after all, one taken away, a mirror that failed, pulls that work)
       unless=r"\breverse[ -]proxy\b|\bno proxy\b|\b(not|never|no|without|don'?t|didn'?t|haven'?t|removed?|remov(ing|al)|"
              r"deleted?|unset)\b[^.\n]{0,30}\bprox|\bmirrors?\b|加速|\bpulls? (are |is )?(now )?(works?|fine|ok)\b"),
    # A proxy on the Windows host that Docker Desktop's engine picks up by itself, or reaches only
    # through WSL's mirrored networking (127.0.0.1 there is not the host's): the engine's proxy, not
    # the network, is what fails.
    _f("docker.proxy-misconfigured", 0.75,
       r"networking ?mode\s*=\s*mirrored|\bmirrored (networking|network(ing)? mode|mode)\b|network(ing)? mode [\"'“]?mirrored|"
       r"\b(picks?|picked|picking) up (the )?(windows |host'?s? |system(-level)? )(https? )?proxy|"
       r"\b(detects?|applies|uses) (the )?system(-level)? (https?(/https?)? )?proxy( settings)? automatically|"
       r"自动(使用|读取|继承|应用)[^。\n]{0,12}系统代理",
       r"proxy|代理",
       # (a pull or the proxy's connection that failed: not a proxy mentioned beside another fault)
       r"proxyconnect|\bpull(s|ing)?\b[^\n]{0,60}\b(fail(s|ed)?|time(s|d)? ?out|refused|error)|i/o timeout|"
       r"client\.timeout|connection (refused|problems?|errors?)|拉取[^。\n]{0,10}(失败|超时)|超时",
       scope=TEXT, unless=r"\b(no|not behind (a|any)|without( a| any)?|don'?t use( a| any)?|never use( a)?)\b[^.\n]{0,3}prox|"
                          r"reverse proxy|代理已关闭|关闭了?代理|没有?(用|开)代理|\bpulls?\b[^.\n]{0,30}\bwork"),
    # --- a container run without the GPU ---------------------------------------------------------
    # nvidia-smi missing where the report says it ran: inside the container (the runtime puts it there).
    _f("container.no-gpu-request", 0.78, SMI_MISSING, IN_CONTAINER, scope=REPORT),
    # ... a container named ('inside the "ollama" container') or an image entered ("镜像内", "进入镜像"; a
    # shell's prompt in one: readers.py), unless the report is about the host's own nvidia-smi, one
    # not installed yet, a plan, or a system container (LXC), which needs the driver's files inside.
    _f("container.no-gpu-request", 0.78, SMI_MISSING,
       r"\b(in|inside|within) (the |a |my |this |that |our )?([\w\"'.:/-]+ ){1,2}containers?\b|" + IN_IMAGE + r"|镜像进去",
       scope=REPORT, unless=HOST_SMI_MISSING),
    # The GPU's device nodes listed where nvidia-smi is missing: devices handed in by hand (or by a
    # runtime's device flag) without the driver's utilities and libraries, which only the NVIDIA
    # runtime mounts. (A host with the driver loaded has its nvidia-smi.)
    _f("container.no-gpu-request", 0.8, SMI_MISSING,
       r"c[rw-]{9}[^\n]{0,60}/dev/nvidia(\d|ctl)\b|/dev/nvidia0\b[^\n]{0,80}/dev/nvidiactl\b",
       scope=REPORT, unless=HOST_SMI_MISSING + r"|\bheadless\b"),
    # nvidia-smi missing where a container (a CI job's, a pod's) is said to lack NVIDIA_VISIBLE_DEVICES,
    # what the NVIDIA runtime reads to hand GPUs in. Not the variable left out beside --gpus (which
    # needs none), tried both ways or given a value, nor the host's own nvidia-smi.
    _f("container.no-gpu-request", 0.78, SMI_MISSING, r"\b(containers?|jobs?|pods?|services?)\b[^.\n]{0,20}\b(is |are )?"
       r"(missing|lacks?|lacking|without|has no|have no)\b[^.\n]{0,10}\bNVIDIA_VISIBLE_DEVICES\b(?!\s*=)", scope=REPORT,
       unless=HOST_SMI_MISSING + r"|--gpus|with and without|with or without|\boverride|even with|NVIDIA_VISIBLE_DEVICES\s*=|"
                                 r"\bgpus=all\b"),
    # --- the daemon not restarted after the toolkit ----------------------------------------------
    # "Restarting docker fixed it", with a GPU failure in the report (not a daemon.json that a
    # restart merely reloaded).
    _f("toolkit.daemon-not-restarted", 0.7,
       r"(restart(ing|ed)? (the )?docker( daemon| service)?|systemctl restart docker|service docker restart)[^.\n]{0,40}"
       r"\b(fix(ed|es)|solv(ed|es)|resolv(ed|es)|works?|helped)\b|"
       r"\b(fixed|solved|resolved) (it )?by restart(ing)? (the )?docker|\bworks? (now |again )?after (i )?restart(ed|ing)? (the )?docker|"
       r"重启\s*docker\s*(服务)?\s*(后|之后)?\s*(就)?(好了|解决|正常|可以)|restart docker\s*(之后|后)\s*(就)?(好了|解决|正常|可以)",
       r"unknown runtime specified nvidia|invalid runtime name:? nvidia|could not select device driver|nvidia-container|nvidia-docker|"
       r"--gpus|--runtime[= ]nvidia", scope=REPORT),
    # --- Kubernetes: the nvidia runtime there but not the default ----------------------------------
    # The device plugin (and any pod without a RuntimeClass) runs under runc unless nvidia is the
    # default runtime: NVML is nowhere in its container.
    _f("container.no-gpu-request", 0.9, r"could not load nvml library|ERROR_LIBRARY_NOT_FOUND",
       r"\bk8s\b|kube|device[- ]plugin|daemonset|nvidia\.com/gpu|gpu-operator|\bpods?\b", scope=REPORT,
       # (not where the node has no GPU or its driver is not there yet)
       unless=r"cpu[- ]only|\bno (nvidia )?gpu|driver[^.\n]{0,20}(not|isn'?t) (installed|ready|loaded)|Init:\d/\d|driver-daemonset"),
    # nvidia-ctk on the host (generating a CDI spec, configuring a runtime) finding no NVML: the toolkit
    # cannot load the driver's libraries where it looks (a driver container, an image-based OS).
    _f("toolkit.libs-not-found", 0.8, r"ERROR_LIBRARY_NOT_FOUND|could not load nvml|libnvidia-ml\.so[.\d]*[^\n]{0,40}not found",
       r"\bnvidia-ctk\b|\bcdi generate\b", scope=REPORT,
       unless=r"\bk[38]s\b|kube|rke2|microk8s|device[- ]plugin|\bpods?\b|\bwsl ?2?\b|microsoft-standard|cpu[- ]only|"
              r"\bno (nvidia )?gpu|\b(never|have ?n'?t|not yet|did ?n'?t|did not) (yet )?install(ed)?[^.\n]{0,20}driver|"
              r"driver[^.\n]{0,20}not (yet )?installed|(没|还没|未)(有)?(安装|装)[^。\n]{0,6}驱动"),
    # `docker build` gives its RUN steps no GPU (BuildKit never; the classic builder only under the
    # nvidia default runtime): CUDA failing while an image builds is that, not the host's driver.
    _f("container.no-gpu-request", 0.9, r"\b(no|without) (nvidia )?gpu access (during|at|while|in|when) (the )?[`'\"]?(docker |image )?build|"
       r"\b(gpus?|cuda) (is |are |was |were )?(not|isn'?t|aren'?t|wasn'?t|weren'?t) (available|accessible|visible) "
       r"((during|at|while|in|when) (the )?[`'\"]?(docker |image )?build|when building (the |my |an? )?(docker )?image)|"
       r"(during|while|at) (the )?(docker |image )?build( time)?[^.\n]{0,40}\b(no|without) (access to (the )?)?(nvidia |cuda )?gpus?\b|"
       r"\b(unable to|cannot|can'?t|could ?n'?t|could not|fails? to|failed to) (find|detect|load|see) (the )?"
       r"(cuda|libcuda|gpus?|nvidia)\b[^.\n]{0,30}\b(while|when|during) (building (the |my |an? )?(docker )?(image|container|dockerfile)|the (docker |image )?build|(the )?docker build)\b",
       # (not the build's limits named in passing, next to the run-time error the report is about)
       unless=r"\bi know\b|\b(since|as|because)\b[^.\n]{0,15}\b(no )?gpu|\binstead\b|\botherwise\b|that part is fine"),
    # ... and CUDA failing on a line of BuildKit's own log ("#7 12.3 AssertionError: Torch is not able to
    # use GPU"): a RUN step of the build, which BuildKit never gives a GPU.
    _f("container.no-gpu-request", 0.85, r"(?:^|\n)#\d+ \d+\.\d+ [^\n]{0,300}(not able to use (the )?gpu|no cuda gpus are available|"
       r"no cuda-capable device is detected|found no nvidia driver|cuda driver version is insufficient|"
       r"libcuda\.so\.1: cannot open|cuda_error_no_device|torch\.cuda\.is_available\(\)\s*(==\s*)?false)|"
       # the classic builder's RUN step calling nvidia-smi
       r"the command '/bin/sh -c [^'\n]{0,200}nvidia-smi[^'\n]{0,200}' returned a non-zero code", scope=REPORT,
       # (a build known to have no GPU, pasted beside the run-time failure the report is about)
       unless=r"\bi know\b|\bexpected\b|at run ?time|\bdocker run\b"),
    # Installing Docker or NVIDIA's toolkit on a host without internet (offline, air-gapped, an
    # intranet): its package repositories are out of reach. (Images pulled offline are a registry's
    # matter, not read here.) Weak: often said in passing, next to the fault the report is about.
    _f("apt.repo-unreachable", 0.45, r"\boffline\b|\bair-?gapped\b|\b(no|without)( public)? (internet|network)( access| connection)?\b|"
       r"\b(do ?n'?t|does ?n'?t|do not|does not|can ?not|can'?t) (have )?(any )?(access to )?(the )?(public )?(internet|network)\b|"
       r"\b(can ?not|can'?t|cannot|unable to) (access|visit|reach|connect to) (the )?(internet|network|github)\b|"
       r"离线|内网|断网|无法联网|不能联网|没有网络|无网络",
       r"\binstall|安装", r"nvidia-container-toolkit|nvidia-docker|nvidia-container-runtime|libnvidia-container|"
       r"container toolkit|docker-ce|docker engine", scope=TEXT,
       unless=r"\bdocker (pull|load|save)\b|registry|镜像仓库|拉取镜像"),
    # yum, dnf and zypper not finding NVIDIA's packages: its repository was never added. (Not where
    # that repository is there but fails: a 404 for this release, a metadata or key failure, a
    # "# Unsupported distribution!" page; their own rows read those. Docker's packages not found by
    # yum are most often a release Docker does not serve: not read here.)
    _f("apt.nvidia-repo-missing", 0.85, r"(no package (matching )?'?|no match for argument:? '?|unable to find a match:? '?|"
       r"no provider of '?|package '?(?=\S+'? not found))"
       r"(nvidia-container-toolkit|nvidia-docker2|nvidia-container-runtime|libnvidia-container[\w-]*)'?"
       r"(?![\w-])(?!\S*\.rpm)", scope=REPORT, where=("error", "notes"),
       unless=r"nvidia\.github\.io/[^\s]*\b404\b|status code: 404|https? error 404|unsupported distribution|"
              r"failed to download metadata|curl error|gpg check failed"),
    # The toolkit's libraries said missing in words; not under WSL (the Windows driver's own libraries,
    # os.wsl-gpu-unsupported), nor where no GPU was requested (a plain docker run, a Kubernetes pod).
    _f("toolkit.libs-not-found", 0.8, r"libnvidia-ml\.so(\.1)? (is |was )?(not found|missing|cannot be found|can'?t be found)",
       scope=REPORT, unless=r"\bwsl\b|/usr/lib/wsl|without (the )?--gpus|no --gpus|device[- ]plugin|\bpods?\b|daemonset|"
       r"nvidia\.com/gpu"),
    # systemctl where systemd is not PID 1 (WSL without systemd, a container), asked about dockerd: it
    # cannot be started or restarted that way, so it is not running. (Docker Desktop's engine is not
    # started by systemctl at all: its own row.)
    _f("docker.daemon-down", 0.6, r"system has not been booted with systemd as init system|failed to connect to bus: host is down",
       r"systemctl\s+(\w+\s+)?docker\b|service docker\b|\bdocker(\.service|d)?\b[^.\n]{0,40}(not running|cannot connect|(re)?start)|"
       r"daemon-reload", scope=REPORT, unless=r"docker desktop|desktop-linux|rancher desktop"),
    _f("container.no-gpu-request", 0.85, r"default[- ]runtime (is )?(not|isn'?t|wasn'?t) (set|configured|correct)|"
       r"not (set|configured) (as )?(the )?default[- ]runtime|"
       r"默认运行时[^。\n]{0,6}(不是|没有)"),
    # A proxy set only where dockerd never reads it (the shell, /etc/environment, the client's
    # config.json) next to a pull that fails: dockerd pulls, so it went without one. (`docker run`
    # pulls too: "Unable to find image … locally", then the registry's /v2/.)
    _f("docker.proxy-misconfigured", 0.7, SHELL_PROXY, r"unable to find image '[^'\n]+' locally|/v2/",
       r"time ?out|timed out|no such host|i/o timeout|request canceled|connection (refused|reset)|tls handshake", scope=REPORT,
       unless=SHELL_PROXY_UNLESS + r"|registry-mirrors"),
    _f("docker.proxy-misconfigured", 0.7, SHELL_PROXY, PULL,
       r"time ?out|timed out|超时|\bhangs?\b|fail|失败|拉不|\bstill\b|依旧|no such host|i/o timeout|canceled", scope=REPORT,
       unless=SHELL_PROXY_UNLESS),
    # --- registry and network -------------------------------------------------------------------
    _f("registry.unreachable", 0.7, CHINA_NET, PULL, SLOW),
    # The same, told across sentences ("I am in China ... on a campus network ... slow in pulling").
    _f("registry.unreachable", 0.55, CHINA_NET, PULL, SLOW, scope=TEXT, where=("notes",)),
    _f("registry.unreachable", 0.55, PULL, r"time ?out|timed out|超时", r"docker ?hub|registry-1\.docker\.io|镜像"),
    # The registry answering from abroad ("the IP in the error is American", "国外的IP"), or not at all.
    _f("registry.unreachable", 0.6, PULL, r"\bip\b[^.。\n]{0,20}(is |are )?(in the )?(us|usa|american|foreign|overseas|abroad)\b|"
       r"(foreign|overseas) (ip|servers?|address)|(ip|地址|服务器)[^。\n]{0,10}(是)?(美国|国外|海外)|(国外|海外|境外)的?\s*(ip|服务器|地址)",
       scope=TEXT),
    _f("registry.unreachable", 0.6, r"(fail(s|ed|ing)?|unable|not able) to (connect|reach|get through) to (the |a |its )?"
       r"(docker |container |image )?registry|registry[^.\n]{0,40}\b(stalls?|unreachable|not reachable|times? out|hangs?)\b|"
       r"(无法|不能)(连接|访问)(到)?\s*(镜像)?仓库"),
    # Every pull failing at once is the network to the registry, not one image.
    _f("registry.unreachable", 0.5, EVERY, PULL, FAILS),
    # A Chinese report that says only that pulling an image did not work (镜像拉取不成功): from
    # China, most often the registry out of reach; any error it quotes is read more surely.
    _f("registry.unreachable", 0.45, r"镜像[^，,。\n]{0,8}(拉取|下载|pull)[^，,。\n]{0,4}(不成功|失败|不下来|不了)|"
       r"(拉取|下载|pull)[^，,。\n]{0,4}镜像[^，,。\n]{0,4}(不成功|失败)|镜像[^，,。\n]{0,8}(拉不下来|拉不动|下载不了|拉不了)"),
    _f("apt.repo-unreachable", 0.75, NVIDIA_REPO, CANT_REACH),
    # A CDN in front of the repository refusing a whole country (CloudFront's "configured to block
    # access from your country"): the network the host is on, not the release.
    _f("apt.repo-unreachable", 0.8, NVIDIA_REPO, r"block(s|ed|ing)? access from (your|this|their|the|our|my) country|"
       r"\bblock(s|ed|ing)?\b[^.\n]{0,40}\b(from|in) (ukraine|russia|iran|syria|cuba|crimea|china|your country)\b", scope=REPORT,
       # (a registry's CDN refusing the country, in a report that also pastes its install steps)
       unless=r"docker pull|\bpull(ing|ed)? (the )?(image|from)|\bregistr(y|ies)\b|\bmanifests?\b|/v2/|\becr\b|nvcr\.io"),
    # NVIDIA's old per-distribution list (…/$distribution/nvidia-docker.list) that fetched nothing
    # usable: a 404 page saved as the list, "missing", or the reporter guessing what $distribution is
    # for their release. The URL exists only for the releases NVIDIA built.
    _f("apt.repo-unsupported-distro", 0.7, r"\$\{?distribution\}?/[\w.-]*\.list",
       r"\bhtml\b|\b404\b|\b(file|list) is missing\b|\bmissing:|\bguess(ing)?\b|magic word|which distribution",
       scope=REPORT, unless=r"command not found|NO_PUBKEY|unable to locate package|connection refused|"
                            r"could not resolve|temporary failure|timed out|\bproxy\b"),
    _f("apt.repo-unsupported-distro", 0.6, r"repositor(y|ies)|\brepos?\b|packages?|源|toolkit|nvidia-(docker|container)",
       r"(don'?t|doesn'?t|do not|does not|not|no longer) (yet )?support|unsupported|不支持",
       r"(ubuntu|debian|centos|rhel|fedora)\s*\d|\d\d\.\d\d|bullseye|bookworm|trixie|jammy|noble|focal|bionic|xenial",
       # a question ("is CentOS 8 no longer supported?") is a guess, not what failed
       unless=r"[?？]\s*$|[吗嘛][?？]?\s*$"),
    # An Ubuntu derivative (Mint, Zorin, Pop!_OS, elementary) asking NVIDIA's repository for its own
    # name: `$distribution` is "linuxmint18.3", which the repository has no list for.
    _f("apt.repo-unsupported-distro", 0.62,
       r"linux ?mint|\bzorin\b|pop!?_?os|elementary ?os|kde neon|\bmx linux\b|ubuntu[- ]derivative|derivative of ubuntu",
       r"nvidia\.github\.io|\$distribution|nvidia-docker\.list|nvidia-container-toolkit\.list|libnvidia-container",
       scope=REPORT),
    # Asking for a release the repository does not serve yet ("Support for Ubuntu 24.04", "no
    # matching apt sources for this distro"): a title may name the release, the body the failure.
    # The toolkit failing on a cgroup v2 host, told in words (releases before 1.8 had no cgroup v2).
    _f("toolkit.too-old-for-cgroup-v2", 0.6, r"cgroups? ?v2|cgroupv2|unified cgroup",
       r"nvidia-container-(toolkit|cli|runtime)|libnvidia-container|nvidia-docker",
       r"\bbroken\b|\bfail|\berror|not work|doesn'?t work|\bissues?\b|不能用|报错|失败", scope=TEXT,
       unless=r"failed to initialize nvml|daemon-reload"),
    _f("apt.repo-unsupported-distro", 0.6, r"\bsupport(ed)? for (ubuntu|debian|centos|rhel|rocky|fedora|pop!?_?os|mint)\s*\d|"
       r"(ubuntu|debian|centos|rhel|rocky|fedora)\s*\d[\d.]*\s*(is )?(not )?(yet )?(supported|unsupported)\b"
       # asked on its own line ("Is Ubuntu 24.04 supported now?"), it is a guess, not what failed
       r"(?![^\n]*[?？])|支持\s*(ubuntu|debian)\s*\d(?![^\n]*[?？吗])",
       r"install|repositor(y|ies)|\brepos?\b|\bapt\b|sources?\b|packages?|toolkit|nvidia|安装|源", scope=TEXT,
       unless=r"[?？]\s*$|[吗嘛][?？]?\s*$"),
    _f("apt.repo-unsupported-distro", 0.65, r"no (matching |suitable |available )?(apt )?(sources?|repos?|repositor(y|ies)|packages?) "
       r"for (this|my|the|your) (distro|distribution|release|os|version)|(distro|distribution|release|os) (version )?(is )?(not|un)supported|"
       r"fails? (due to|because of) (an? )?unsupported (version|distro|distribution|release)|没有(对应|适配)?的?\s*(源|软件源|仓库)"),
    # A derivative or a release the repository's list leaves out ("Linux Mint is missing from supported
    # distributions"), or no build published for it yet.
    _f("apt.repo-unsupported-distro", 0.65, r"(missing from|not (listed|included) (in|on|among)|absent from|not (on|in)) "
       r"(the |their )?(list of )?supported (distributions|distros|platforms|releases|operating systems|os)|"
       r"不在支持(的)?(发行版|系统|列表)"),
    _f("apt.repo-unsupported-distro", 0.6, r"no (appropriate|suitable|matching|compatible|official) [\w.-]+ ?(version|package|release|build)s? "
       r"((released|available|published|built) )?(yet )?for",
       r"(ubuntu|debian|centos|rhel|rocky|fedora|mint|pop!?_?os)\s*\d|\d\d\.\d\d", scope=TEXT),
    # "No repository is available" said next to the release it was asked for (CentOS 9, openEuler 22).
    _f("apt.repo-unsupported-distro", 0.62, r"\bno (relevant |suitable |matching |official |corresponding )?(repositor(y|ies)|repos?|"
       r"packages?) (is |are )?(currently |yet )?(available|published|provided)|(还)?没有(相关|对应|可用)的?\s*(源|仓库|软件包)",
       r"(ubuntu|debian|centos|rhel|rocky|alma\w*|fedora|opensuse|openeuler|kylin|uos)\s*\d|麒麟|统信(?!息)|欧拉", scope=TEXT),
    # Docker's own packages told unavailable for a release (the catalog's os.unsupported; NVIDIA's
    # repository is apt.repo-unsupported-distro above), or the release a pre-release.
    _f("os.unsupported", 0.7, r"\bdocker(-ce| ce| engine)?\b[^.\n]{0,30}\b(is |are )?(unavailable|not (yet )?available|"
       r"not (yet )?(published|released|built|packaged))\b|\bno (docker(-ce)?|docker engine) (packages?|builds?|releases?) (yet )?(for|on)\b",
       # (not apt's own "Package docker-ce is not available" quoted, which names no release)
       DISTRO, unless=r"nvidia|toolkit|\bpackage [`'\"]?docker-ce[`'\"]? (is )?(unavailable|not available)\b(?![ \t]+(for|on|in)\b)"),
    # (the pre-release word on the release's own line: a tool's "beta" branch elsewhere is not the OS's)
    _f("os.unsupported", 0.72, r"(" + DISTRO + r")[^\n]{0,40}\b(beta ?\d?|alpha|pre-?release|development release|daily build)\b|"
       r"\b(beta|alpha|pre-?release|development release|daily build)\b[^\n]{0,20}(" + DISTRO + r")",
       r"\bdocker\b|docker-ce|apt|install", scope=TEXT, unless=r"nvidia"),
    # A 32-bit x86 host: neither Docker nor NVIDIA has ever built packages for it.
    _f("os.unsupported", 0.8, r"\b(on|for|with|running|using) (an? |my )?(i[36]86|x86_32)\b|"
       r"\b(on|for|with|running|using) (an? |my )?32[- ]?bit( x86)? (os|system|linux|ubuntu|debian|windows|machine|host|cpu|kernel|"
       r"install\w*)\b|\bi[36]86 (ubuntu|debian|mint|linux|machine|host|system|os|version)\b|32\s*位\s*(系统|的)",
       r"\binstall\w*|nvidia-docker\w*|nvidia-container|toolkit|docker(-ce)?\b|安装",
       unless=r"\bimage\b|容器|multiarch|foreign architecture|wine|precision|float|fp32|python|raspberry|raspbian|\bpi\b|"
              r"armhf|armv[67]|arm/v7"),
    # ... or as the host's own tools print it
    _f("os.unsupported", 0.8, r"\buname -m\b[^\n]{0,20}\bi[36]86\b|print-architecture\b[^\n]{0,20}\bi386\b",
       r"\bdocker|nvidia", scope=REPORT),
    # (not the stock line of a pasted config.toml, `ldconfig = "@/sbin/ldconfig.real"`)
    _f("toolkit.ldconfig", 0.7, r"(?<![/@.\w-])ldconfig\b(?!\s*=|\.real)",
       r"\b(fix|correct|solv|resolv|work)(es|ed|s)?\b|\btemporar|修复|解决|就好", scope=TEXT, where=("notes",)),
    # Installing Docker stuck or failing with no output pasted (a panel's or script's installer, a
    # screenshot): the package download is what stalls, most often download.docker.com from China.
    _f("apt.repo-unreachable", 0.5, r"安装[^。\n]{0,6}(卡在|卡住|停在)[^。\n]{0,6}docker|docker[^。\n]{0,6}安装[^。\n]{0,4}(卡住|卡在|失败)|"
       r"(自动)?安装\s*docker[^。\n]{0,6}(失败|卡住)|install(ation|ing)? (is |was |gets? )?stuck (at|on|while) "
       r"(installing )?docker\b", where=("notes",)),
    # A distribution Docker's install script does not know, named while installing Docker fails.
    _f("os.unsupported", 0.55, r"(?<![a-z])(almalinux|alma linux|rocky( linux)?|euleros|anolis|opencloudos|openwrt|tencentos|"
       r"alinux|alibaba cloud linux|kylin|uos)(?![a-z])|麒麟|统信(?!息)|欧拉|龙蜥",
       r"\binstall(ing|ed)? docker\b|\bdocker (install|installation)\b|安装\s*docker|docker\s*安装|没有[^。\n]{0,10}的?\s*docker",
       r"\b(fail\w*|errors?|unsupported|not supported|can'?t|cannot|unable)\b|失败|报错|不支持|没有|错误|卡",
       scope=REPORT, unless=r"\b(worked|works|succeeded|successfully|installed fine)\b|成功|正常"),
    _f("apt.repo-unreachable", 0.7, NO_KEY_DATA, r"curl|wget|gpgkey|apt-key", scope=TEXT),
    # ... and the package not found after it: the key and the list come from the same host, which
    # never answered, so the repository is missing because it could not be fetched (unless the host
    # answered with its page for a distribution it does not serve).
    _f("apt.repo-unreachable", 0.87, NO_KEY_DATA,
       r"unable to locate package (nvidia|libnvidia)|无法定位软件包 ?(nvidia|libnvidia)", scope=TEXT,
       unless=r"unsupported distribution"),
    # A repository's signing key that expired (gpg prints "[expired: 2021-06-16]"), told or pasted.
    # Importing the repository's signing key failed (a keyrings directory that was not there).
    _f("apt.no-pubkey", 0.6, r"(无法|不能|未能)\s*(引入|导入|添加)\s*(gpg\s*)?(key|密钥|公钥)|(引入|导入|添加)\s*(gpg\s*)?(key|密钥|公钥)\s*失败|"
       r"\b(import(ing)?|add(ing)?) (the )?(gpg |signing |repository |repo )?key (failed|fails)\b|"
       r"\b(failed to|unable to|could ?n'?t|cannot|can'?t) (import|add) (the )?(gpg |signing |repository |repo )?key\b"),
    _f("apt.no-pubkey", 0.75, r"\[expired: \d{4}-\d\d-\d\d\]|\b(gpg |signing |public |apt |repository |repo )?(key|subkey|signature)s? "
       r"(is |are |has |have |was |were )?(been )?expired\b|(公钥|密钥|签名)[^。\n]{0,10}过期"),
    # A repository's signatures told as failing to verify (yum's "repomd.xml signature" pasted is a signature).
    _f("apt.no-pubkey", 0.75, r"\b(unable|fail(s|ed|ing)?|could ?n'?t|cannot|can'?t) (to )?verify (the )?(gpg |repo(sitory)? |package |rpm )?signatures?\b|"
       r"\bfailing (gpg )?signature checks?\b|\bsignature (check|verification)s? fail(s|ed|ing)?\b|签名(校验|验证)失败|无法(校验|验证)签名",
       r"\b(repo(sitory|sitories|s)?|yum|dnf|apt(-get)?|rpm|packages?|release)\b|仓库|源", scope=REPORT,
       unless=r"\bimages?\b|cosign|notary|content[ _]trust|trust data|\bmodules?\b|secure ?boot|\.ko\b|\bpip\b|wheels?\b|hashes"),
    # --- driver, hardware, boot ------------------------------------------------------------------
    # CUDA's error 804 named without its words, in a report about CUDA: an image newer than the driver
    # on a card without forward compatibility.
    _f("driver.too-old-for-image", 0.65, r"\berror 804\b", r"\b(cuda|torch|pytorch|tensorflow|gpus?|nvidia)\b",
       scope=REPORT, unless=r"\bnpm\b|windows update|\bport\b"),
    # CUDA stops working after the host suspends and resumes: nvidia_uvm does not survive it (the
    # devices and nvidia-smi still answer), and reloading that module brings CUDA back.
    _f("driver.uvm-missing", 0.6, r"\bresum(e|ed|es|ing) from (sleep|suspend|suspension|standby|hibernation)\b|"
       r"\b(wak(e|es|ing)|woke|woken) (up )?from (sleep|suspend|suspension|hibernation)\b|"
       r"\bafter (the |my |your |a )?(computer|laptop|pc|machine|host|system) (wakes|woke|resumes|resumed|comes back from (sleep|suspend))\b|"
       r"\bwaking (up )?(the |my )?(computer|laptop|pc|machine|host|system) (up )?from (sleep|suspend)|"
       r"\bafter (a |the )?(system |laptop |host |machine |computer |pc )?(suspend|hibernat(e|ion)|sleep mode|standby)\b|"
       r"(系统|电脑|机器|笔记本|主机)\s*(从)?\s*(休眠|睡眠|待机)\s*(后|之后|以后|唤醒|恢复)|(休眠|睡眠|待机)\s*(唤醒|恢复)\s*(后|之后|以后)",
       r"\b(gpus?|cuda|nvidia)\b|显卡", scope=TEXT,
       unless=r"nvidia-(suspend|hibernate|resume)\.service|NVreg_Preserve|\bslurm\b|\bjob (was |is )?suspended|"
              r"ctrl-z|(disabled?|turned off|no) (suspend|sleep)"),
    # Intel or integrated graphics named: no NVIDIA card, unless the same text names one too (a hybrid
    # laptop, "GPU 1: Intel HD Graphics 530 / GPU 2: NVIDIA GeForce RTX 2070").
    _f("gpu.absent", 0.75, r"intel(\(r\))?( corporation)? (hd |uhd |iris( xe)? )?graphics|integrated (gpu|graphics)|集成显卡|核显",
       scope=TEXT, unless=CARD_OWNED + r"|prime-select|optimus|hybrid graphics|双显卡|独显"),
    _f("gpu.absent", 0.75, r"no nvidia (gpu|card|graphics)" + NOT_GPU_ACCESS + r"|"
       r"(don'?t|do not|doesn'?t|does not) have (an? )?nvidia(?![- ]?(drivers?|container|docker|toolkit|runtime|smi|utils|settings|驱动))|only (an? )?(intel|amd)|amd (gpu|graphics|radeon)|"
       r"\b(i|we|machine|host|server|laptop|computer|pc) (don'?t|do not|doesn'?t|does not) have (an? |any )?(gpus?|graphics cards?)\b|"
       r"没有(独立)?显卡|没有\s*nvidia(?![- _]?(docker|container|smi|driver|toolkit|runtime|utils|驱动|\.))",
       # "the monitor runs on the integrated GPU but I have a 4080 as well": an NVIDIA card is there;
       # "I could simply put an AMD GPU in there": a card not (yet) in the machine.
       # "prime-select intel" switches a hybrid laptop's display: the NVIDIA card is still there.
       unless=NVIDIA_CARD + r"|\b(could|would|might|may|plan to|going to)\b[^.\n]{0,30}\b(put|buy|get|use|switch|add|install)\b|"
       r"prime-select|optimus|hybrid graphics|双显卡"),
    _f("driver.missing", 0.7, r"(did ?n'?t|did not|never|forgot to|not) install(ed)? (any |the )?nvidia (graphics )?driver|"
       r"no nvidia driver (is )?installed|没有?装(nvidia|英伟达)?驱动|未安装(nvidia|英伟达)?驱动"),
    # dockerd's runtime refusal quoted without its "unknown or" (titles do), unless told as past.
    _f("runtime.not-registered", 0.85, r"(?<!unknown or )invalid runtime name:? ?[`'\"]?nvidia\b",
       unless=r"\b(fixed|solved|resolved|went away|is gone|got past|no longer|after (restarting|running|adding))\b|"
              r"(解决|修复)了?"),
    # The host said to have no driver at all; not where that is the design (a driver container, a GPU
    # passed through to a VM), denied, quoted as someone's suggestion, or a step before a reinstall.
    # Weaker than an error's own reading, which it must not explain away.
    _f("driver.missing", 0.55, r"\bno (more |nvidia )*drivers? (installed |at all )?on the host",
       unless=r"gpu[- ]operator|\boperator\b|driver (container|daemonset|pod)|driver\.enabled|passthrough|vfio|"
              r"\b(not|isn'?t|wasn'?t) (the case|that|it)\b|\bnot no\b|suggest|\bthen\b[^.\n]{0,40}\binstall|re-?install"),
    # The driver gone after an update ("the NVidia drivers have completely disappeared").
    _f("driver.missing", 0.65, r"(nvidia|英伟达)[^.。\n]{0,20}(drivers?|驱动)[^.。\n]{0,20}\b(disappeared|vanished|gone|removed|"
       r"uninstalled|missing|no longer (there|installed|present))\b|(nvidia|英伟达)\s*驱动[^。\n]{0,6}(没了|消失|丢失|被卸载)"),
    _f("driver.not-loaded", 0.6, r"(load|loading) the nvidia (kernel )?modules?|nvidia (kernel )?modules? "
       r"(won'?t|doesn'?t|does not|not|fails? to|isn'?t) (load|loaded)|unable to load the kernel module 'nvidia\.ko'|"
       r"nvidia (kernel )?modules? (is |are )?(missing|gone|not found)|missing nvidia (kernel )?modules?|"
       r"(nvidia|英伟达)\s*(内核)?模块(没有|未|无法)\s*加载|(nvidia|英伟达)\s*(内核)?模块(丢失|找不到)"),
    _f("driver.nouveau", 0.7, r"nouveau|novacore|nova_core", r"block(s|ed|ing)?|prevent(s|ed)?|\bnouveau\b[^.\n]{0,30}\b(still|is|was) loaded|"
       # (a modprobe.d file's own "blacklist nouveau" line, pasted, is the usual setting, not a complaint)
       r"in use|holds?|bound|blacklist(?![ \t]+[\w-]+[\"']?[ \t\r]*(\n|$|\||>))(?![\w-]*\.conf\b)(?!\s*=)|禁用|占用", scope=TEXT,
       # lspci -k lists nouveau among the modules that could drive the card, and nvidia as the one that does;
       # a blacklist of both nouveau and nvidia (an Optimus laptop switching the card off) is no fault of nouveau
       unless=r"kernel driver in use:\s*nvidia\b|\bblacklist\w*\W{1,6}(both\W+)?nouveau\W{1,6}(and\W+|blacklist\W+)?nvidia\b(?!-)|"
              r"\bblacklist\w*\W{1,6}(both\W+)?nvidia\W{1,6}(and\W+|blacklist\W+)?nouveau\b"),
    # People's words for a module DKMS could not build ("Cannot build nvidia driver via dkms").
    _f("driver.not-loaded", 0.65, r"\bdkms\b|\bakmods?\b|kernel modules?|\.ko\b|内核模块|"
       r"\bnvidia(-current|-open|-\d+)?\s+(kernel\s+)?modules?\b",
       r"(can'?t|cannot|could not|couldn'?t|unable to|fail(s|ed)? to|refuses? to|won'?t)\s+(be\s+)?(build|built|compiled?)\b|"
       r"\b(build|compil(e|ation)|make)\s+(fail(s|ed|ure)?|errors?)\b|\bnot (being )?(compiled|built)\b|\bbuild(ing|s)?\b(?:[^.\n]|\.(?=\S)){0,60}\bfail(s|ed)?\b|编译(失败|出错|报错)",
       r"nvidia(?![-_ ]?(fs|peermem|uvm)\b)|英伟达|显卡驱动", unless=r"\b(fixed|solved|resolved)\b|\b(is|are) (now )?loaded\b"),
    # DKMS's own lines where the report is about the driver's package (its apport refusing an unknown
    # kernel comes with the build that failed; no headers, no build).
    _f("driver.not-loaded", 0.7, r"\(dkms apport\)|bad return status for module build|"
       r"your kernel headers for kernel \S+ cannot be found", r"(?<!\d-)\bnvidia\b(?![-_](fs|peermem)\b)", scope=REPORT,
       unless=r"/var/lib/dkms/(?!" + DKMS_NVIDIA + r"/)[\w.-]+/"),
    # The driver gone after a kernel update: DKMS built no module for the new kernel.
    _f("driver.not-loaded", 0.6, r"\bkernel\b", r"\b(updat|upgrad)(e|es|ed|ing)\b", r"\bnvidia\b|\bgpus?\b|显卡",
       r"stopped working|\bbroke(n)?\b|\bbreaks\b|no longer (works?|loads?)|(won'?t|doesn'?t|does not|not) (work|load)|"
       r"black screen|\bmissing\b|\bgone\b|fails? to (load|build|install)",
       unless=r"secure ?boot|mismatch|\bmok\b|nouveau|docker|containers?\b|\bwsl"),
    _f("driver.secure-boot", 0.7, r"\bkernel[_ ]lockdown\b|\blockdown\s*(=|:\s*[\w.-]+:|\s+mode\b)|\bkernel is (in lockdown|locked down)\b",
       r"nvidia|\bmodules?\b|\.ko\b|驱动", unless=r"\blockdown\s*[=:]\s*\[?none\b"),
    # The CUDA runtime's "unknown error" (error 30, 999 since CUDA 10.1): not under WSL or Docker Desktop
    # (no nvidia_uvm there), nor beside an Xid (the GPU lost).
    _f("driver.uvm-missing", 0.6, r"(?<!initialization error: )\bcuda (error: )?unknown error|\bcudaErrorUnknown\b|"
       r"cudaSuccess \((30|999) vs\. 0\)|cuda runtime error \((30|999)\)|cudaGetDeviceCount returned (30|999)\b|"
       r"\berror=(30|999) : unknown error|\bcuda: unknown error|implicit initiali[sz]ation on gpu:\d+ failed\. status: unknown error", scope=REPORT,
       unless=r"\bwsl ?2?\b|microsoft-standard|/usr/lib/wsl/|docker desktop|\bxid\b|fallen off the bus|no-cgroups\s*=\s*true"),
    # CUDA in containers working only once something ran on the host: the device nodes (nvidia-uvm) are
    # made on demand there, by nvidia-modprobe.
    _f("driver.uvm-missing", 0.6, r"(\b(until|only (after|if|when)|unless)( after)? (i'?ve |i have |we'?ve |you'?ve |i |you |we )?(first )?(run|ran|running|use|used|using|start|started|starting|launch|launched|launching)|"
       r"\b(unless|until|only (after|if|when))\b[^.。\n]{0,60}\b(is|are|gets?|has been|was) (first )?(run|started|launched|used))"
       r"[^.。\n]{0,50}\b(on|in) (the )?host\b(?![ -]?(network|net\b|mode|namespace))|"
       r"\b(have|has|need|needs) to (first )?run\b[^.。\n]{0,50}\b(on|in) (the )?host\b[^.。\n]{0,10}\b(first|before)\b|"
       r"先在\s*(宿主机|主机|host)\s*上?\s*(运行|跑|执行)", r"cuda|gpus?|nvidia|显卡",
       unless=r"\b(systemctl|restart|nvidia-ctk|runtime configure|cdi generate)\b"),
    _f("driver.secure-boot", 0.75, SECURE_BOOT, r"nvidia|driver|module|驱动|\.ko\b",
       r"can'?t load|cannot load|won'?t load|not load|unable to load|fail|block|prevent|refus|sign|enrol|签名|无法加载|加载失败"),
    # A Linux NVIDIA driver installed inside WSL (the driver belongs on Windows).
    _f("os.wsl", 0.75, r"\bwsl ?2?\b|windows subsystem|windows (preview|insider)",
       r"(apt(-get)? install|install(ed|ing)?) (-y )?(the )?(linux )?(nvidia-driver|nvidia driver|cuda-drivers)|"
       r"(装了|安装了?)\s*(linux\s*(版|版本)?的?\s*)?(nvidia-driver|nvidia\s*驱动|英伟达驱动|cuda-drivers)", scope=TEXT,
       # the driver installed on the Windows side is the right one
       unless=r"(nvidia-driver|nvidia driver)[^\n]{0,40}\b(windows|win ?1[01])\b|\b(on|in|for) (the )?windows (host|side)\b|"
              r"(windows|win ?1[01])\s*(上|端|那边)的?\s*(安装|装)"),
    # nvidia-smi failing where the report runs it in WSL 2: a Linux nvidia-smi (a driver package installed
    # inside) cannot reach the driver, which lives on Windows; a login whose PATH lacks /usr/lib/wsl/lib
    # finds none. (Not WSL 1 or a Windows that blocks the GPU: os.wsl-gpu-unsupported; not a container.)
    _f("os.wsl", 0.78, r"\bwsl ?2?\b|microsoft-standard|windows subsystem for linux",
       r"couldn'?t communicate with the nvidia driver|\bdriver not loaded\b|command not found: nvidia-smi|"
       + SMI_CANNOT_COMMUNICATE + "|" + SMI_MISSING,
       scope=REPORT,
       unless=r"(?<!\[ \] )\bwsl ?1\b|\d-Microsoft\b(?!-)|no adapters were found|gpu access blocked|docker desktop|"
              + IN_CONTAINER + "|" + IN_IMAGE + r"|\bdocker (run|exec)\b|\bcompose exec\b|"
              # a machine that is not WSL, told beside it
              r"\bnot (on |in |using |under )?wsl\b|\b(from|left|moved from|switched from|instead of) wsl\b|"
              r"\bwsl (before|previously|laptop|machine|box)\b|\bneed wsl\b|bare[- ]metal|physical (server|machine)|"
              r"native (ubuntu|linux)|dual[- ]boot|\d-generic\b"),
    # A VirtualBox VM (minikube's or Vagrant's too): it passes no NVIDIA GPU through for CUDA.
    _f("gpu.absent", 0.7, r"\b(on|in|inside|under|with|using|via) (a |an |the |my )?(virtual ?box|vbox)\b|--(vm-)?driver[= ]virtualbox\b",
       r"gpu|nvidia|cuda|显卡", scope=REPORT, unless=r"pass-?through|\bvfio\b|直通"),
    # "No GPU on this machine", "(no GPU)", 没有GPU, a VM with none passed through.
    _f("gpu.absent", 0.7, r"\bno (nvidia )?gpus? (on|in) (this|the|my|that) (machine|host|server|vm|computer|pc|laptop|box|instance)\b|"
       r"\(no (nvidia )?gpus?\)|没有\s*(独立)?\s*(gpu|英伟达显卡|n卡)|无\s*gpu|\bno gpu is passed through|without (a )?gpu pass-?through",
       unless=r"\bif\b|如果"),
    # A machine described as having no GPU at all.
    _f("gpu.absent", 0.65, r"\b(machine|host|server|instance|ec2|vm|vps|laptop|computer|pc|node|worker|agent|runner)\s+"
       r"(without|with no|that has no|has no|lacking)"
       r"\s+(an? |any )?(nvidia |dedicated |discrete )?(gpus?|graphics cards?)\b|没有(独立)?显卡的(机器|服务器|电脑)|"
       # no GPU attached to (installed in) the machine that runs the container
       r"\b(without|with no|no) (an? |any )?(nvidia |dedicated |discrete )?(gpus?|graphics cards?) (attached|installed|present|plugged in)\b|"
       r"没有(挂载|安装|插)\s*(gpu|显卡)"),
    # The NVIDIA driver installed inside the container: the toolkit brings the host's, when a GPU is asked for.
    _f("container.no-gpu-request", 0.65, r"\binstall(ed|ing)? (the |an? )?(nvidia[- ])?(graphics )?drivers?(-\d+)? "
       r"(in|inside|into|within) (the |my |a )?(docker )?containers?\b|在\s*(docker\s*)?容器(里|中|内)\s*(安装|装)(了)?\s*(nvidia\s*)?驱动"),
    # The driver installed by the image's own Dockerfile, then NVML's version mismatch in it: the
    # image's driver libraries are not the host's kernel module's.
    _f("image.bundles-driver-libs", 0.8, r"\bdockerfile\b[^\n]{0,80}\binstall(ed|ing|s)?\b[^\n]{0,30}\bnvidia[^\n]{0,20}\bdrivers?\b",
       r"version mismatch|does not match|doesn'?t match", scope=REPORT,
       unless=r"\b(not|never|n'?t|no|without)\b[^.\n]{0,40}\binstall"),
    # TensorFlow's "kernel version … does not match DSO version …" in a container: the libcuda it
    # loaded is the image's own (a bundled cuda-compat), not the host driver's.
    _f("image.bundles-driver-libs", 0.75, r"kernel version [\d.]+ does not match dso version", r"docker|containers?\b|容器",
       scope=REPORT),
    # A stack that "fails without an NVIDIA graphics card": the host has none.
    _f("gpu.absent", 0.65, r"\b(fails?|failing|doesn'?t (start|run|work)|does not (start|run|work)|won'?t (start|run)|"
       r"can'?t (start|run)|cannot (start|run)|breaks?)\b[^.\n]{0,40}\bwithout (an? )?(nvidia )?(gpus?|graphics cards?|显卡)\b"),
    # A CPU-only node, cluster or machine running something built for CUDA (not "it runs CPU-only",
    # which is the symptom of a GPU the container was not given).
    _f("gpu.absent", 0.6, r"\bcpu(-only| only)?[ -](nodes?|clusters?|machines?|servers?|hosts?|instances?|workers?)\b|"
       r"(纯)?cpu\s*(集群|节点|服务器|机器)"),
    _f("gpu.absent", 0.55, r"\bvps\b|virtual (private )?server|cloud (server|instance)|instance type",
       r"gpu|graphics card|显卡", r"\bno\b|without|not|check|whether|if (they|it) have|没有", scope=TEXT),
    _f("mirror.invalid", 0.65, r"mirror|镜像|加速", r"prefix|scheme|协议|前缀|without (the |an? )?https?://|no https?://",
       r"(add|forgot|without|missing|made up|lack)(ed|ing)?|没加|缺少|补上", scope=TEXT, where=("notes",)),
    _f("mirror.invalid", 0.75, r"mirrors?|加速", r",\s*,|\[\s*,|,\s*\]|\[\s*\"\"\s*\]"),
    # A stray character typed into a mirror entry ("here the \" is redundant").
    _f("mirror.invalid", 0.7, r"mirrors?|registry|加速|https?://", r"\b(redundant|extra|stray|superfluous|trailing)\b|多了|多余",
       r"quote|\"|引号|slash|斜杠|spaces?\b|空格"),
    # dockerd stopped starting once a mirror was added: the entry is what it rejects.
    _f("mirror.invalid", 0.6, r"registry[- ]mirrors?|mirror (address|url|entry)|加速(地址|器)|镜像加速",
       DAEMON_WONT_START, scope=TEXT),
    _f("daemon-json.flag-conflict", 0.7, r"daemon\.json", r"命令行|command[- ]line|flags?\b|ExecStart|docker\.service|DOCKER_OPTS|"
       r"(?<![\w-])-H\b|(systemd |service |unit )(service )?file",
       r"相同|\bsame\b|\bboth\b|两处|重复|conflict|冲突|twice", scope=TEXT),
    # A value dockerd checks only as it starts (an address pool, a storage driver, a data root) named
    # in daemon.json next to its start failing: the file is what it rejects.
    _f("daemon-json.invalid", 0.9, r"failed to start daemon:", r"daemon\.json",
       r"[\"“]?\b(bip|storage-driver|default-address-pools|data-root|graph|exec-root|mtu|fixed-cidr)\b[\"”]?\s*:", scope=REPORT),
    # "hosts" in daemon.json while the packaged unit starts dockerd with -H fd:// (Docker Desktop
    # starts its engine with -H too): dockerd refuses to start (systemd then gives up:
    # start-limit-hit). Not where the report clears ExecStart, nor Windows Server's own dockerd
    # service (registered without -H, configured under ProgramData), where "hosts" is the way.
    _f("daemon-json.flag-conflict", 0.8, r"[\"“]hosts[\"”]\s*:",
       r"start-limit-hit|start request repeated too quickly|job for docker\.service failed|failed to start docker|"
       r"(?:^|\n)[ \t]*failed to start[ \t]*(?:\r?\n|$)|"
       r"(won'?t|will not|doesn'?t|does not|did not|didn'?t|cannot|can'?t|fails? to|unable to|never) (re)?start|"
       r"\b(docker( desktop| daemon| engine)?|dockerd|daemon|engine)\b[^.\n]{0,20}\bcrash(es|ed)?\b|"
       # (hanging: the engine itself as it starts, not a pull, a container or a daemon that ran for hours)
       r"\b(re)?start(s|ed|ing)?\b[^.\n]{0,40}\b(docker (desktop|daemon|engine|instance)|dockerd|daemon|engine)\b[^.\n]{0,20}"
       r"\b(hangs|hung|freezes)\b|\b(docker (desktop|daemon|engine|instance)|dockerd|daemon|engine)\b[^.\n]{0,20}"
       r"\b(hangs|hung|freezes)\b[^.\n]{0,20}\b(on|at|during|after|when) (re)?start(ing|up)?\b|"
       r"启动失败|无法启动|起不来",
       # (not a daemon that answered; nor Windows' own dockerd service, unless Docker Desktop runs it)
       scope=REPORT, unless=r"(?m)^[ \t]*ExecStart=[ \t]*$|ExecStart=\s*(then|and|,|;)|removed -H|without -H|"
                            # (Docker Desktop's "Bad response from Docker engine" is its engine failing to start)
                            r"systemctl edit docker|override\.conf|x509|ProgramData|npipe://|error response from daemon(?!: bad response from docker engine)|"
                            # (named as such: a lookahead over the whole report is cut to REPEAT_MAX)
                            r"\bwindows server\b|\bws20\d\d\b|dockerd\.exe|--register-service\b"),
    # dockerd's own word for it is "directives" ("the following directives are specified both as a
    # flag and in the configuration file"): "conflicting directives in daemon.json".
    _f("daemon-json.flag-conflict", 0.7, r"\bconflict(ing|s)? (directives?|options?|settings?|flags?)\b|"
       r"\bdirectives? (are |is )?(specified|given|set) (both|twice)", r"daemon\.json",
       unless=r"\b(no|not|without|never)\b[^.\n]{0,20}\bconflict"),
    # "data-root is already defined by a flag when starting the engine"
    _f("daemon-json.flag-conflict", 0.75, r"\b(already|also) (defined|specified|set|given|configured|passed) (by|as|via|with|in|on) "
       r"(an? |the )?(command[- ]line |startup |start-up )?(flags?|options?|arguments?|parameters?)\b|已经?(通过|在)\s*(命令行|启动参数)"),
    # the other order, said of dockerd's own flags: "those flags are already passed to docker when it
    # is started" (not options of `docker run`, compose, the runtime or a container)
    _f("daemon-json.flag-conflict", 0.7, r"\b(flags?|options?|settings?|arguments?) (are|is|were|was) already (being )?"
       r"(passed|set|given|specified|defined) (to|by|on|in|at|via) (the )?(docker(d|[ -]daemon|[ -]engine|[ -]service)?\b|"
       r"daemon|(systemd )?unit|ExecStart|service|command[- ]line)",
       r"daemon\.json|\bdockerd\b|docker daemon|config(uration)? (file|settings?)|-H fd://", scope=TEXT,
       unless=r"\b(run|compose|--gpus|runtime|container|build)\b[^.\n]{0,20}\b(flags?|options?|settings?|arguments?) "
              r"(are|is|were|was) already"),
    # (not `wsl --version`'s "WSL version: 1.2.5.0", nor "still on WSL 2")
    _f("os.wsl-gpu-unsupported", 0.8, WSL_1 + r"|wsl version:? 1\b(?!\.\d)|version 1 of wsl|(only|still) (on|using|have) wsl\b(?! ?2)"),
    # WSL itself not handing this GPU to Linux (TCC-only cards, builds or drivers without support).
    _f("os.wsl-gpu-unsupported", 0.7, r"\bwsl\b", r"\bunsupported\b|not (yet )?supported|(isn'?t|is not|not) able to access the gpu|"
       r"(gpus?|cards?) (are|is) not recogni[sz]ed|\btcc\b|(gpu|cuda) access (is )?blocked|不支持|识别不到"),
    # The toolkit itself named as what is missing ("Missing nvidia-ctk (NVIDIA Container Toolkit) support").
    _f("toolkit.missing", 0.65, r"\b(missing|lacks?|lacking|without|no)\s+(the\s+)?`?(nvidia[- ]ctk|nvidia container toolkit|"
       r"nvidia-container-toolkit)|(nvidia container toolkit|nvidia-container-toolkit|nvidia-ctk)`?\s+(is\s+)?(missing|not installed)\b|"
       r"(没有|未)(安装|装)\s*(nvidia-container-toolkit|nvidia container toolkit|nvidia-ctk)",
       unless=r"\b(works?|worked|working) (fine )?without\b"),
    # --- Docker flavours ---------------------------------------------------------------------------
    # A container on a Windows host (no WSL named): Docker there is Docker Desktop, and the GPU
    # reaches containers only through its WSL 2 backend.
    _f("docker.desktop", 0.6, r"\b(i am|i'm|running|run it|on|using|from) (on )?windows ?(10|11)\b|"
       r"\bwindows ?(10|11) (host|machine|pc|laptop|desktop)\b",
       r"gpu|nvidia|cuda|--gpus|\bgtx\b|\brtx\b|显卡", r"docker|container|容器", scope=REPORT,
       # a Windows laptop used to reach a Linux GPU server is not where Docker runs
       unless=r"\bwsl|windows subsystem|hyper-v|ubuntu|\blinux\b|\bssh\b|\bserver\b|remote|centos|rhel|red ?hat|"
       r"debian|fedora|rocky|\bdgx\b|cluster|服务器"),
    # (not an issue template's list of systems, "如Linux/Windows/MacOS")
    _f("docker.desktop", 0.7, r"(?<![/、|])\bmac ?os ?x?\b(?!\s*[/、|])|\bmac ?book|\bosx\b|os x\b|apple (silicon|m\d)|\bm[1-4]( (pro|max|ultra))? (pro|max|chip|mac|silicon)\b|"
       r"\bmac(book)? ?(mini |studio |pro |air )?m[1-4]\b|\b(on|using|with|in) my mac\b|"
       # (a Mac named in Chinese: "mac无法安装", "苹果电脑", "在mac上")
       r"(?<![a-z])mac(book)?(?=\s*[\u4e00-\u9fff])|苹果(电脑|笔记本)|"
       # macOS's own paths: a home under /Users (not Windows' C:/Users), a per-user temporary folder
       r"(?<![\w/:])/Users/[\w.-]+/|(?<![\w/])/var/folders/[\w+-]{2}/[\w+-]+/T/|"
       # (OrbStack and Colima run the engine in a Linux VM on macOS the same way)
       r"docker (desktop|for (mac|windows))|docker-desktop|\borbstack\b|\bcolima\b",
       r"gpu|nvidia|cuda|--gpus|显卡", scope=REPORT,
       # Linux installed on Mac hardware runs its own driver: not Docker Desktop.
       # (nor a Mac used to reach a Linux GPU server)
       unless=r"ubuntu|debian|fedora|centos|rocky|rhel|red ?hat|\blinux mint\b|\bmint \d{1,2}\b|dual-?boot|\bssh\b|remote|"
              r"\bkubectl\b|\bhelm\b|ansible|DOCKER_HOST|\bk8s\b|kubernetes|\b(gpu|linux|lab|ubuntu) (server|box|workstation|machine)\b|"
              r"\bpushed\b|kernel (version|is)|driver version|nvidia-smi \d|installed the \d{3}|"
              # (a Mac that only launches cloud machines: "a macOS client launching GPU clusters")
              r"\bmac ?os client\b|"
              # Docker Desktop said not used
              r"\b(not|without|no|n'?t|never)( using| use| installed| have| run(ning)?)? docker desktop|"
              r"(uninstalled|removed|instead of|rather than) docker desktop|(没有|没|不)(用|装|使用)\s*docker desktop|卸载了?\s*docker desktop"),
    _f("toolkit.daemon-not-restarted", 0.7, r"(forgot|forget|did ?n'?t|did not|never|had to|needed to|need to) "
       r"(to )?(run)?[\s:`\"']*(sudo )?(systemctl restart docker|service docker restart|restart (the )?docker)|"
       r"忘(了|记)\s*重启\s*docker|重启\s*docker\s*(后|就|之后)\s*(好了|解决|正常)|"
       r"(works?|working|worked|fixed|solved|resolved) (again )?after (a )?restart(ing)? (of )?(the )?docker( daemon| service)?|"
       # the step itself, as advice or as a fix to an install script
       r"restart(ing)? (of )?(the )?docker( daemon| service)? (is |was )?(required|needed|necessary)|"
       r"restart(ing)? (the )?docker( daemon| service)? after install(ing|ed)? (the )?"
       r"(nvidia-docker2?|nvidia-container-(toolkit|runtime)|(nvidia )?container toolkit)|"
       r"(安装|装完)[^\n]{0,30}(nvidia-docker2?|nvidia-container-toolkit|toolkit)[^\n]{0,10}(后|之后)?[^\n]{0,6}(需要|要|必须)重启\s*docker",
       scope=TEXT),
    # A mirror that closed or stopped syncing, told in words (Chinese reports name it by its operator).
    _f("mirror.dead", 0.6, r"mirrors?\b|加速(器|地址)?|镜像(源|站)|(阿里云|网易|百度|中科大|科大|清华|腾讯|七牛|道客|daocloud|163)\s*的?\s*(docker\s*)?镜像",
       r"\b(stopped|shut ?down|closed|discontinued|no longer (updat|sync|serv|work|available)|not (being )?updated)|"
       r"停止|不(再)?更新|(已经?|已)(关闭|失效|停用|下线|停服)|不能用|用不了|找不到|不可用|失效了?|挂了|(突然)?不行了|不好使|不管用|废了",
       unless=r"白名单|allow ?list|white ?list"),
    # ... or said down, the word right after the mirror's ("registry mirror down suddenly")
    _f("mirror.dead", 0.6, r"\b(registry[- ])?mirrors?\b[^.\n]{0,20}?\b((is|was|goes|went|are|were|being) )?(down|offline|unreachable|dead|broken)\b",
       unless=r"\bapt\b|no (registry )?mirror|没有?(配置)?|docker ?hub[^.\n]{0,20}\b(is|was|went|goes) (down|unreachable)|"
              r"\b(is|are) up\b|allow ?list|white ?list"),
    # --- images ---------------------------------------------------------------------------------------
    # A publisher withdrew the tag or the image ("NVIDIA removed the latest tag", "CUDA 10 images were
    # removed"), told in words: the name asked for no longer exists.
    _f("image.tag-missing", 0.65, r"\b(removed|deleted|deprecated|withdrawn|end-of-lifed|no longer (available|exists?|"
       r"present|published)|(is|are|were|was) gone)\b|下架|删除了",
       r"\b(images?|tags?)\b|镜像|标签",
       # (not files the user cannot delete)
       unless=r"mirror|加速|镜像(源|站)|proxy|代理|(can ?not|can'?t|could ?n'?t|could not|unable to) (be )?(deleted|removed|delete|remove)|"
              r"without sudo"),
    # The image or tag named does not exist ("镜像不存在", "the tag doesn't exist").
    # An image or tag the instructions name that was never pushed.
    _f("image.tag-missing", 0.62, r"\b(images?|containers?|tags?)\b[^.\n]{0,30}\b(was|were|is|are|has|have)( not|n'?t| never)"
       r"( been)? (published|pushed|uploaded)\b|\b(images?|tags?)\b[^.\n]{0,20}\bnever (been )?(published|pushed)\b",
       r"\b(pull(ing)?|docker|registry|hub|instructions?|docs?|readme|wiki)\b", scope=TEXT,
       unless=r"\bports?\b|(^|\s)-p\s"),
    _f("image.tag-missing", 0.6, r"(\bimages?|\btags?|镜像|标签)(源)?\s*(does ?n'?t|does not|do not|did not) exist|"
       r"(镜像|标签)(源)?\s*不存在|no such (image|tag)\b",
       unless=r"mirror|加速"),
    # A tag the project has not published ("no image for vllm-openai:v0.6.6.post1 on docker hub",
    # "official docker image missing for version ...").
    _f("image.tag-missing", 0.62,
       r"\b(no|missing) (official )?(docker )?images? (for|of)\b|\b(docker )?images? (is |are )?(missing|not (yet )?"
       r"(published|pushed|uploaded|released|on docker ?hub))\b(?![ \t]+(?!(for|on|from|in|at)\b)[a-z])|"
       r"\bimages? missing\b(?![ \t]+(?!(for|on|from|in|at)\b)[a-z])|"
       r"\bimages?( files?)? (cannot|can'?t|could not|couldn'?t) be found\b|\bimage not found\b|"
       r"(docker ?hub|仓库)\s*(里|上|中)?\s*(似乎|好像)?\s*(没有|没)(这个)?\s*(image|镜像|tag|标签|版本)|"
       r"\b(does ?n'?t|does not|do not|don'?t) have (an? |the )?v?\d+\.\d+(\.\d+)? (release|tag|image|version)\b",
       r"\b(tags?|versions?|releases?)\b|:v?\d+\.\d+|docker ?hub|nvcr\.io", unless=r"mirror|加速"),
    # An image reference said missing ("The 'tensorflow/tensorflow:1.15.0-py3' is missing on DockerHub").
    # Not a file, a library or nvidia-smi "in" or "inside" an image, a host:port, a package's
    # architecture (":i386") or an ollama model's tag.
    _f("image.tag-missing", 0.62, r"(?<![\w./:-])(?<!\bin )(?<!\binside )(?<!\bwithin )(?<!\bof )(?<!\bfrom )"
       r"(?<!\bfor )['\"`‘“]?[\w.-]*[a-z][\w.-]*(/[\w.-]+)*:(?!\d{2,5}(?![\w.-]))(?!(i386|amd64|arm64|armhf|armel|all)\b)"
       r"[\w.-]*\d[\w.-]*['\"`’”]? ((image |tag )?(is|seems to be|appears to be) (missing|not (available|found|present|"
       r"published|pushed))\b|\s*(镜像|标签)?\s*不存在(?=\s*($|[。，,.!！?？;；])))",
       r"docker ?hub|\btags?\b|\bimages?\b|镜像|\bpull", scope=TEXT, unless=r"mirror|加速|\bollama (pull|run)\b"),
    # --- inside containers ---------------------------------------------------------------------------
    _f("container.root-owned-files", 0.7, FILES, CONTAINER, ROOT_OWNED, CREATED),
    # The kernel refusing the driver's module for want of a device it drives: no NVIDIA GPU on the bus
    # (or none passed to this VM). Not where the card is shown there (then this driver does not drive
    # it) or nouveau holds it.
    _f("gpu.absent", 0.7, r"(could not insert '?nvidia'?|error inserting nvidia \([^)\n]{0,200}\)): no such device", scope=REPORT,
       # (the card shown or named, a GSP or vfio message: the driver does not drive a card that is there)
       unless=r"\blspci\b[^.\n]{0,40}\b(shows?|lists?|sees?|finds?|detects?)\b|shows? up in lspci|10de:|nvidia corporation|"
              r"\bnouveau\b|\bgsp\b|vfio|\b" + CARD_NAMES + r"\b|\b(a100|h100|h200|a10g?|a30|a40|l4|l40s?|t4|"
              r"v100|p100|k80)\b"),
    # An image committed from a container the toolkit had served keeps empty files where it mounted the
    # driver's libraries; started without the GPU, the loader finds only those. Not the toolkit's own
    # "load library failed" for a host library, nor a run that asked for the GPU, nor the host itself.
    _f("container.no-gpu-request", 0.6, r"(?<!load library failed: )(?<![\w./-])(/[\w.-]+)*/?lib(cuda|nvidia-[\w-]+|nvinfer\w*|"
       r"nvcuvid)\.so(\.\d+)*: file too short", scope=REPORT,
       unless=r"--gpus|--runtime[= ]nvidia|nvidia\.com/gpu|\bon the host\b|not (in|inside) a container"),
    _f("container.root-owned-files", 0.65, r"files? (created|written) (in|inside|by|from) (the |a )?containers?|"
       r"容器(里|内|中)?(创建|生成|写入)的文件", r"root|permission|权限"),
    _f("container.root-owned-files", 0.65, r"(files?|folders?|directories) (are|were|is|get|gets)( being)? "
       r"(created|written|owned|made)( as| by)? root|files? (are|were) root\b", CONTAINER, scope=TEXT),
    # CUDA invisible inside a container while the host has a GPU: usually no GPU was requested.
    # A Kubernetes GPU pod (device plugin, workload) failing while the same image run by hand with the
    # nvidia runtime or --gpus works: the pod did not get the nvidia runtime (default runtime, RuntimeClass).
    _f("container.no-gpu-request", 0.65, r"device[- ]?plugin|\bk8s\b|kubernetes|kubelet|\bk3s\b|microk8s|daemonset",
       r"(docker|ctr|nerdctl) run[^\n]{0,80}(--runtime[= ]nvidia|--gpus)",
       r"\b(works?|worked|working|succe\w*|registered|fine|ok)\b|正常|可以|成功", scope=TEXT, where=("notes",)),
    # The same pod told in a title: Kubernetes on containerd with the NVIDIA runtime, and the GPU files
    # blank or missing inside the container. A library's name is read whole (the lookahead): trying
    # each shorter name before the 60 characters was 2,400 tries at each `libcuda` (a second per 40 KB).
    _f("container.no-gpu-request", 0.6, r"\bk8s\b|kubernetes|kubelet|\bk3s\b|microk8s|\bpods?\b",
       r"containerd",
       r"(nvidia-smi|libnvidia[\w.-]{0,40}(?![\w.-])|libcuda[\w.-]{0,40}(?![\w.-])|\bgpus?\b|/dev/nvidia\w{0,20})"
       r"[^.\n]{0,60}(blank|empty|missing|"
       r"not (found|visible|detected|available|mounted))"),
    # A dev container's `"hostRequirements": {"gpu": ...}` is how the editor decides to pass --gpus:
    # the container it started without the GPU is that request not made.
    # Told as not working; not where the host shows its own fault (no /dev/dxg in WSL, a runtime
    # never configured).
    _f("container.no-gpu-request", 0.7, r"hostRequirements", r"\bgpu\b",
       r"\b(broken|(does ?n[o']t|did ?n[o']t|not) (work|have|get|see|pass)|no(thing)?|without|missing|ignored|lacks?)\b|"
       r"没有|无法|不生效|不起作用", scope=TEXT,
       unless=r"/dev/dxg|\bnever (ran|run|configured|installed)\b|\bonly runc\b|not installed"),
    _f("container.no-gpu-request", 0.6, r"cuda[._]is[._]available|torch\.cuda|tf\.test\.is_gpu_available|"
       r"no cuda-capable device", r"false|not available|返回\s*false|不可用", r"docker|container|容器|image|镜像",
       scope=REPORT),
    # A framework counting no GPU inside an image (PaddlePaddle's "GPU count is: 0").
    _f("container.no-gpu-request", 0.55, r"\bgpu count is:? ?0\b|\b(number of|no\.? of|num) gpus?( found| detected)?:? ?0\b",
       r"docker|container|compose|容器|镜像", scope=REPORT),
    # The framework finds no driver inside a container or compose service: no GPU reached it.
    _f("container.no-gpu-request", 0.6, r"found no nvidia driver on your system|no cuda gpus are available",
       r"docker|container|compose|容器", scope=REPORT),
    _f("container.no-gpu-request", 0.6, r"(run|ran|start(ed)?) (it )?with (simply |just |plain )?`?docker`?|without --gpus|"
       r"(forgot|forget|without|missing|add(ed|ing)?) (the )?`?--gpus", r"gpu|nvidia"),
    # A GPU that a running container had and lost after hours or days ("reverts to CPU after 12
    # hours"): a systemd reload took the devices' cgroup rules away (the "NVML: Unknown Error" kind).
    _f("cgroup.nvml-unknown-error", 0.7,
       r"\b(stops?|stopped|stopping) (accessing|using|seeing|detecting|finding) (the )?gpus?\b|"
       r"\b(initially|at first|first) (using|uses|used|sees|saw|finds|found) (the )?gpus?\b[^.\n]{0,20}\bnot\b|"
       r"\bgpus? (is |are |was |were )?not (found|detected|visible|available) (inside|in) (the |my |our )?long[- ]running containers?\b|"
       r"\b(becomes?|turns?|returns?) false\b|\bno devices were found\b|"
       r"\b(revert(s|ed|ing)?|falls?|fell|falling) back to (the )?cpu\b|\bgpus? (access )?(is |are |gets? |was )?"
       r"(lost|disappear(s|ed)?|vanish(es|ed)?|no longer (available|visible|detected))\b|"
       r"(显卡|gpu)\s*(丢失|消失|掉了|不见了|不可用|(就)?用不了)",
       r"\bafter (some time|a while|a day|a few days|(some|several|a few|many|\d+) ?(hours?|days?|h)\b)|"
       r"\bafter (running|being up) for\b|\bafter a (\w+ )?period of time\b|\blong[- ]running containers?\b|"
       r"extended periods|overnight|一段时间(后|之后|以后)|运行(几|一段)",
       r"docker|container|compose|容器", scope=REPORT,
       # (not the hours the reporter spent on it, nor a failure from the first start)
       unless=r"\bxid\b|fallen off the bus|out of memory|\boom\b|显存不足|"
              r"\bafter [^.\n]{0,25}\b(of|spent)\b[^.\n]{0,12}(search|debug|tr(y|ying)|googl|troubleshoot|work)|"
              r"\bon (the |its )?first start"),
    # A container that lost its GPU and got it back by its own restart (not the daemon's).
    _f("cgroup.nvml-unknown-error", 0.7,
       r"(?<!n't )(?<!not )\brestart(ing|ed)? (the |my |our |these |those )?(\w+ )?containers? "
       r"(fix(es|ed)?|solv(es|ed)|resolv(es|ed)|helps?|brings? it back)\b(?! nothing)|"
       r"重启容器(后|之后)?(就)?(好了|恢复|正常|可以)",
       r"\b(can ?not|can'?t|could ?n'?t|could not|unable to|fails? to|failed to|no longer) (find|see|detect|use|access) "
       r"(a |the |any |my )?(cuda|gpus?|nvidia)\b|no cuda-capable device|nvml: unknown error|\blost (the |its |their )?gpus?\b|"
       r"\bgpus? (is |are |was |were )?(lost|gone|not found|not detected)\b|cuda (device )?(is )?not available|找不到(显卡|gpu)|(显卡|gpu)\s*(丢失|消失|不见了)",
       scope=REPORT, unless=r"\bdocker (daemon|service)\b|systemctl restart docker|\bxid\b|fallen off the bus|"
                            r"out of memory|\boom\b|memory leak|\bmig\b|显存不足"),
    # The container runs on the CPU only ("只调用cpu", "it only uses the CPU"): no GPU was requested.
    _f("container.no-gpu-request", 0.55,
       r"(只|仅)(调用|使用|用|跑)了?\s*(cpu|内存)|(无法|不能|没法)(调用|使用|用)\s*(显卡|gpu)|没有?(调用|使用)(到)?\s*(显卡|gpu)|"
       r"\b(only|just) (uses?|using|runs? on|running on) (the |my )?cpu\b|\bruns? only on (the )?cpu\b|"
       r"\b(is |are )?not (using|use) (the |my )?gpu\b",
       r"docker|container|compose|容器", scope=REPORT,
       unless=r"\bafter (some time|a while|a day|(some|several|a few|many|\d+) ?(hours?|days?))|一段时间(后|之后|以后)"),
    # Advice or a fix that names the container's shared memory ("add shm size for docker run",
    # "increase --shm-size", "use --ipc=host"): /dev/shm was what ran out.
    _f("container.shm-too-small", 0.65, r"\bshm[-_ ]?size\b|shared memory|/dev/shm|--ipc[= ]host|\bipc: ?host\b|共享内存",
       r"\b(add(ed|ing)?|set(ting)?|increas(e|ed|ing)|rais(e|ed|ing)|bigger|larger|specify|too small|not enough|"
       r"insufficient|run(s|ning)? out|limit(ed)?)\b|加大|增大|调大|设置|不足|太小|不够", where=("notes",)),
    # Several GPUs talking through NCCL (tensor parallelism) crash inside a container: the 64 MB
    # default /dev/shm is the usual cause.
    _f("container.shm-too-small", 0.55, r"--tensor[-_]parallel[-_]size|tensor[- ]parallel(ism)?|\bnccl\b|多卡|张量并行",
       r"\bdocker\b|containers?\b|容器", r"crash|error|fail|abort|hang|stuck|bus error|killed|报错|崩溃|失败|卡住",
       scope=TEXT),
    # A container given the host's docker socket by a bind mount, refused it on an SELinux host (Fedora,
    # RHEL and their kin label the socket so containers may not use it without :z or label=disable).
    _f("os.selinux", 0.7, r"(-v|--volume)[ =]?/var/run/docker\.sock:|source=/var/run/docker\.sock\b|(^|\n)[ \t]*-[ \t]*['\"]?/var/run/docker\.sock:/var/run/docker\.sock",
       r"permission denied|cannot connect to (the )?docker daemon|(in)?accessible|\bEACCES\b|mount the docker socket",
       r"\bfedora\b|\brhel\b|red ?hat|\bcentos\b|\brocky\b|\balma ?linux\b|\bselinux\b|\bsetenforce\b|avc: ", scope=REPORT,
       unless=r"\bnot in the docker group\b|usermod -a?G docker|label[=:]disable|setenforce 0[^.\n]{0,30}(did ?n'?t|does ?n'?t|no) |"
              r"selinux (is |was )?(disabled|permissive|off)|getenforce[^.\n]{0,30}\b(disabled|permissive)\b"),
    # Docker Desktop's own pipes missing (its Linux engine, its backend) or the app stuck "starting": its
    # engine is not running. (Not the Linux engine's pipe while Desktop runs Windows containers.)
    _f("docker.daemon-down", 0.8, r"pipe[/\\](" + DESKTOP_PIPES + r")\b[^\n]{0,10}: the system cannot find the file specified|"
       r"\bdocker( desktop| engine)?\b[^.\n]{0,20}\b(stuck|hangs?|hanging|forever)\b[^.\n]{0,10}\b(on |at |in )?[\"'“]?"
       r"(docker (desktop|engine) is )?starting\b|\bdocker( desktop| engine)? is starting\b[^.\n]{0,30}\b(forever|never|not running|hours)\b",
       scope=REPORT, unless=r"windows containers"),
    # A proxy on the Mac's or PC's own loopback given to Docker Desktop: its engine runs in a VM, where
    # localhost is the VM itself, so pulls through that proxy never leave it.
    _f("docker.proxy-misconfigured", 0.75, r"\bproxy\b[^.\n]{0,60}\b(localhost|127\.0\.0\.1):\d{2,5}\b|"
       r"代理[^，。,\n]{0,12}(127\.0\.0\.1|localhost):\d{2,5}\b",
       r"docker (for (mac|windows)|desktop)", scope=REPORT,
       # (a proxy the VM can reach; a reverse proxy, registry or cache that only lives on localhost; no proxy)
       unless=r"docker\.internal|reverse[ -]proxy|\bno proxy\b|\b(not|never|don'?t|do not|without)\b[^.\n]{0,15}\b(a |any )?proxy\b|"
              r"local registry|pull-through|registry (mirror |cache )?(at|on) (localhost|127\.0\.0\.1)|\bnginx\b|\btraefik\b"),
    # --- Docker packages ----------------------------------------------------------------------------
    # docker-compose v1's one wording for every socket failure, where the reporter says it happens only
    # without sudo: the daemon answers root, so the socket refused the user.
    _f("docker.permission-denied", 0.8, COMPOSE_V1_NO_DAEMON,
       r"\b(only )?without (using )?[`'\"]?sudo\b|with [`'\"]?sudo[^.\n]{0,20}\bworks?\b|works?( fine| ok)? with [`'\"]?sudo\b|"
       r"sudo docker(-compose| compose)? [^.\n]{0,40}\bworks?\b", scope=REPORT,
       unless=r"\b(also|even|still) (fails?|happens?)[^.\n]{0,20}\bwith sudo\b|with(out)? or without sudo|"
              r"\bsnap\b|\brootless\b|\bdocker desktop\b"),
    # docker-compose v1 could not reach the daemon while it ran under sudo: no socket refused a user.
    _f("docker.daemon-down", 0.75, COMPOSE_V1_NO_DAEMON,
       r"(^|[\s$#>])sudo +docker(-compose| compose)\b", scope=REPORT,
       unless=r"without sudo|with sudo[^.\n]{0,20}\bworks?\b|\bsudo\b[^.\n]{0,60}\bworks?\b|\bbut sudo\b|\bsnap\b|"
              r"\brootless\b"),
    # docker-py's traceback through its unix socket adapter ending in no socket file, or one that
    # refused: nothing listens where the client looks (a traceback cut before the "fetching server
    # API version" line that names it).
    # (below SPECIFIC: Desktop, rootless or snap named beside it is what put the socket elsewhere)
    _f("docker.daemon-down", 0.75, r"docker/transport/unixconn\.py",
       DOCKER_PY_NO_SOCKET_FILE + r"|ConnectionRefusedError: \[Errno 111\]|unixconn\.py:\d+: FileNotFoundError",
       scope=REPORT, unless=r"\brootless\b|docker[- ]desktop|\bcolima\b|\borbstack\b|\bsnap\b|"
                            r"\bdocker (ps|info|cli)\b[^.\n]{0,20}\bworks?\b"),
    # Node's docker clients (dockerode: VS Code, testcontainers) finding no socket file, or one that
    # refused, at the default path; the same exceptions.
    _f("docker.daemon-down", 0.75, r"connect (ENOENT|ECONNREFUSED) ?(?!/run/user/)[^\s]*docker\.sock\b",
       scope=REPORT, unless=r"\brootless\b|docker[- ]desktop|\bcolima\b|\borbstack\b|\bsnap\b|/run/user/|"
                            r"\bdocker (ps|info|cli)\b[^.\n]{0,20}\bworks?\b"),
    # dockerd itself said not to start, with no configuration of its own blamed: the daemon is down
    # (a daemon.json or mirror that stops it is read, more surely, by its own rows).
    _f("docker.daemon-down", 0.6, r"\bdocker(d| daemon| service| engine)?\b[^.\n]{0,30}\b(cannot|can'?t|won'?t|fails? to|failed to|"
       r"does not|doesn'?t|did not|didn'?t|unable to|refuses to) (re|auto[- ]?)?start"
       # (dockerd itself: nothing started by it named after the verb)
       r"(?=\s*($|[.,;:!)]|(after|since|on|at|when|because|any ?more|again|up|anymore|automatically)\b))|"
       r"\b(not able to|unable to|can'?t|cannot|couldn'?t|could not) (re)?start (the )?(docker )?(daemon|dockerd|docker service|docker engine)\b|"
       r"docker\s*(服务)?\s*(启动失败|无法启动|起不来)",
       unless=r"daemon\.json|mirror|加速|\bcontainers?\b|容器|\bgpu docker\b|nvidia-docker|docker (images?|run)\b|"
              r"docker ps (works|is fine)|works fine|compose|desktop|--gpus"),
    # dockerd not started at boot ("docker服务没有自动启动", "docker没有设置开机自启"): the daemon is down
    # after a reboot, whatever containers it would have started.
    _f("docker.daemon-down", 0.6, r"docker\s*(服务)?\s*(没有|没|未|不会)\s*(做|设置|配置)?\s*(开机|自动)\s*(自)?启(动)?",
       unless=r"daemon\.json|mirror|加速|desktop"),
    # systemd knows no Docker unit: no engine was installed (weakly: what stopped the install, an apt
    # source, is read more surely by its own rows), unless the engine is snap's, Desktop's or WSL's own.
    _f("docker.missing", 0.5, r"Unit docker\.service (could )?not (be )?found", scope=REPORT,
       unless=r"\bsnap\b|docker[- ]desktop|\bwsl\b|docker for (windows|mac)|microsoft store|\bwindows 1[01]\b|"
              r"ubuntu software|snap store|app center|\brootless\b|systemctl --user|static binar|"
              r"\bdocker (run|ps|version|info)\b[^.\n]{0,40}\b(works?|worked|shows? (the )?server)\b"),
    # A cluster whose nodes run containerd rather than Docker, asked for Docker's socket (a workflow
    # engine's docker executor, a docker.sock hostPath): there is no Docker engine there.
    _f("docker.missing", 0.88, r"\b(nodes?|cluster|kubernetes|k8s|platform)\b[^.,;\n]{0,40}\b(uses?|using|runs?|running|with)\s+"
       r"containerd\s+(instead of|rather than)\s+docker\b|"
       r"\b(no|without) docker (engine |daemon )?(on|in) (the |its |our )?(nodes?|cluster)\b",
       r"cannot connect to the docker daemon at unix://|docker\.sock", scope=REPORT,
       # (not Docker installed there after all, a docker-in-docker service, cri-dockerd)
       unless=r"\bdind\b|cri-dockerd|\binstall(ed|ing)? docker|docker(-ce)? (is|was) installed|--docker\b|by default"),
    # Java's ProcessBuilder finding no docker executable (Jenkins' docker steps, Testcontainers),
    # unless the CLI is said to work elsewhere (only the JVM's PATH lacks it).
    _f("docker.missing", 0.85, r"Cannot run program \\?\"docker\\?\"[^\n]{0,80}error=2\b", scope=REPORT,
       unless=r"\bPATH\b|works? (fine )?(in|from) (the |a )?(terminal|shell)|docker desktop"),
    # A node mounting the engine's socket that no engine made (Kubernetes on containerd, KIND): the
    # kubelet finds no socket file at the path (unless the engine is said there and stopped, or rootless).
    _f("docker.missing", 0.75, r"hostPath type check failed: /(var/)?run/docker\.sock is not a socket file", scope=REPORT,
       unless=r"\brootless\b|/run/user/|cri-dockerd|\b(does|do) run docker\b|docker(d)? (failed|fails|crashed|stopped|is stopped|"
              r"is installed|was installed)|systemctl status docker"),
    # `docker compose …` without the compose plugin: the top-level docker parsed compose's flags (it
    # points at `docker --help`, not `docker compose --help`).
    _f("docker.missing", 0.75, r"unknown shorthand flag: '\w' in -\w+\.?[ \t]*\r?\n[ \t]*See 'docker --help'",
       r"\bdocker[ -]compose\b", scope=REPORT),
    # ... and where the engine came from the distribution's own packages (docker.io): Docker's
    # repository, which ships the compose plugin, was never added.
    _f("apt.docker-repo-missing", 0.8, r"'compose' is not a docker command|unknown shorthand flag: '\w' in -\w+", r"\bcompose\b",
       r"\b(apt(-get)?|yum|dnf) (-y )?install (-y )?([\w.-]+ )*docker(\.io)?(?![\w.-])|\bdocker\.io\b (package|from)|"
       r"\b(apt|distro|distribution'?s?|ubuntu'?s?|debian'?s?) (own )?packages? (for|of) docker\b", scope=REPORT,
       # (Docker's own packages, or the reporter saying that is not how it was installed)
       unless=r"docker-ce\b|download\.docker\.com|get\.docker\.com|docker desktop|\bsnap\b|"
              r"\b(did ?n[o']?t|never|not|without)\s+(use |using )?(sudo )?(apt(-get)? )?install"),
    # The engine is older than what the tool in front of it requires, told in words.
    _f("docker.too-old", 0.7, r"\b(docker|daemon|engine|server)( daemon| engine| server)? version\b[^.,;\n]{0,40}\b(lower|older|less|earlier) than\b|"
       r"\bdocker( engine| daemon)?( version)? (is )?(too|very) (old|outdated)\b|docker\s*(的)?版本(过|太)(低|旧)",
       unless=r"\b(driver|cuda|nvidia|kubeadm|kubelet|recommended)\b"),
    # No `dockerd` binary at all: the distribution's own (older) docker packaging, not docker-ce from
    # Docker's repository.
    _f("apt.docker-repo-missing", 0.6, r"\bdockerd\b[^.\n]{0,30}(doesn'?t|does not|did ?n'?t) exist|"
       r"no (such )?`?dockerd`? (binary|command|executable)|`?dockerd`?:? (command )?not found|没有\s*dockerd|找不到\s*dockerd"),
    # Docker's own repositories before download.docker.com (apt/yum.dockerproject.org), shut down in
    # 2020, in any part of the report (the URL in the command, the closed store's page in the output).
    # (a bare 403 there was also how they once refused a release they did not serve)
    _f("apt.docker-repo-missing", 0.75, r"\b(apt|yum)\.dockerproject\.org\b",
       r"AllAccessDisabled|all access to this object has been disabled|\b(been|was|were|is) shut down\b|"
       r"no longer (signed|available|exists?|maintained|updated)", scope=REPORT),
    # --- daemon.json ---------------------------------------------------------------------------------
    # daemon.json was edited, then the daemon did not come up again: what it was given is what it rejects.
    _f("daemon-json.invalid", 0.65, r"daemon\.json",
       r"\b(modif(y|ied|ying)|edit(ed|ing)?|chang(e|ed|ing)|updat(e|ed|ing)|add(ed|ing)?|wr(ote|itten)|configur(e|ed|ing))\b|"
       r"修改|改了|添加|加了|编辑|写入|配置",
       DAEMON_WONT_START, scope=TEXT, where=("notes",)),
    # An insecure registry added in Docker's settings, then a restart that fails: the value written
    # (an empty entry, a CIDR where a host was wanted) is what dockerd rejects.
    _f("daemon-json.invalid", 0.6, r"insecure[- ]registr(y|ies)",
       r"\b(add(ed|ing)?|set|put|enter(ed)?|configur(e|ed|ing))\b",
       r"\bfail(s|ed)? to (re)?start\b|\b(won'?t|can'?t|cannot|could ?n'?t) (re)?start\b|"
       r"\b(tries|tried|trying) to restart (&|and) fail|\brestart(ing)? fail|\bcrash(es|ed)? (on|at|during|when) (re)?start",
       scope=TEXT, where=("notes",)),
    # An option dockerd has removed ("graph" for data-root since 23.0, the cluster-store family):
    # dockerd refuses to start on a key it no longer knows.
    _f("daemon-json.unknown-key", 0.75, r"[`\"']?\b(graph|cluster-store|cluster-advertise|cluster-store-opts|disable-legacy-registry)\b[`\"']?",
       r"no longer (valid|supported|accepted|exists?)|\b(removed|replaced (with|by)|deprecated|obsolete)\b|已被|替代|替换|废弃|移除|弃用",
       r"daemon\.json|data-root|dockerd|docker (daemon|engine)|--graph|配置", scope=TEXT),
    # A key given the wrong JSON type ("registry-mirrors is an array"), which dockerd cannot unmarshal.
    _f("daemon-json.invalid", 0.65, r"registry[- ]mirrors|insecure-registries|\bdns\b|\blabels\b|exec-opts",
       r"\b(is|are|must be|should be|needs to be|has to be|expects?) (an? |a json )?(array|list)\b|应(该)?(是|为)\s*(数组|列表)",
       where=("notes",)),
    # (the file itself empty: "empty" near its name, not anywhere in a long report)
    _f("daemon-json.invalid", 0.7, r"(daemon|settings)\.json[^.\n]{0,60}(\bempty\b|空文件|为空|is blank)|"
       r"\bempty\b[^.\n]{0,30}(daemon|settings)\.json|(daemon|settings)\.json\s*(是|为)?\s*空",
       r"fail|crash|won'?t start|doesn'?t start|not start|cannot start|启动失败|起不来", scope=TEXT),
    # --- a kernel upgraded under the running one, the legacy toolkit, no engine installed ---------------
    # A kernel upgraded under the running one takes its modules directory away: dockerd can no longer
    # load veth for a container's network, however often it restarts. Not where the kernel never had
    # veth (a container on LXC or OpenVZ, WSL's kernel, one built without it).
    _f("os.reboot-required", 0.8, r"failed to add the host \(\S+\) <=> sandbox \(\S+\) pair interfaces: operation not supported",
       scope=REPORT, unless=NO_VETH_KERNEL + "|" + REBOOTED),
    # A module dockerd needs (overlay, bridge, veth, netfilter) missing right after a kernel upgrade
    # told as done: the running kernel's modules directory went with the upgrade.
    _f("os.reboot-required", 0.9, KERNEL_MODULE_GONE, KERNEL_UPGRADED, scope=REPORT,
       unless=NO_VETH_KERNEL + "|" + REBOOTED + r"|\b(dind|docker-in-docker)\b|docker:[\w.-]*dind|\b(should|whether to|how to|need to|want to|"
              r"have to|must) (i )?(upgrade|update) (the |my )?kernel\b"),
    # nvidia-docker-compose asks the nvidia-docker 1.0 plugin (localhost:3476) for its volumes: a refused
    # connection there is that generation's plugin not running.
    # (its urllib refusal, or the plugin's address; not the app's own database or cache refusing it)
    _f("toolkit.legacy", 0.85, r"\bnvidia-docker-compose\b", r"urlopen error \[errno 111\]|:3476\b|/docker/cli/json|nvidia_docker_host",
       scope=REPORT),
    # The engine itself said never installed ("after following all instructions, docker was not installed").
    _f("docker.missing", 0.7, r"(?<![\w.-])docker( engine)? (itself )?(was|is|got|has been) (still )?(not|never) (been )?installed\b|"
       r"(?<![\w.-])docker( engine)? (itself )?(wasn'?t|isn'?t|never got) installed\b",
       # (asked, not told; told of before an install, or of a job's image that talks to the host's daemon;
       # dpkg's "Package docker is not installed" is a dependency its own source did not bring)
       unless=r"\b(if|whether|check|make sure|ensure|assum\w+|before|at first)\b|\b(so|then) i installed\b|\bpackage docker\b|"
              r"\b(inside|in) the (container|job|image|job image)\b|\bdocker desktop\b"),
)


@lru_cache(maxsize=None)
def _compiled(regex: str) -> Pattern[str]:
    # Bounded like the signatures: `libnvidia[\w.-]*` over a long run of its own letters was
    # quadratic (40 KB of them took minutes).
    return re.compile(bounded(regex), re.I)


_SENTENCE_END = lazy_compile(r"(?<=[.!?。！？])\s+|\n")
# A line a program logged in logfmt (`time=... level=info ... msg="..."`), not a sentence anyone wrote:
# its words are the program's ("source=images.go msg=\"total unused blobs removed\"" is no image
# removed). Only that form: a CI runner's or journal's timestamp also prefixes a script's own words
# ("user jenkins needs to be in the docker group"), which only the families read.
_LOG_LINE = lazy_compile(r"(?<![\w-])level=\"?(trace|debug|info|notice|warn|warning|error|err|fatal|panic)\b"
                         r"[^\n]{0,200}\bmsg=", re.I)


def _units(text: str, scope: str) -> Iterable[str]:
    if scope in (TEXT, REPORT):
        return (text,)
    return _sentences(text)


@lru_cache(maxsize=8)
def _sentences(text: str) -> Tuple[str, ...]:
    # (once per text, not once per family: every sentence-scope family reads the same units)
    return tuple(s for line in text.split("\n") if not _LOG_LINE.search(line)
                 for s in _SENTENCE_END.split(line) if s.strip())


def _first(unit: str, phrases: Sequence[str]) -> Optional[int]:
    """Position of the first phrase when every phrase occurs in `unit`, else None."""
    pos = None
    for ph in phrases:
        m = _compiled(ph).search(unit)
        if not m:
            return None
        if pos is None:
            pos = m.start()
    return pos


def match(texts: Dict[str, Optional[str]]) -> List[Match]:
    """Every family that holds in some text, strongest first (one match per family). A long text
    is read on its head and tail, as the signatures read it (signatures.TEXT_MAX)."""
    texts = {name: (head_and_tail(t)[0] if t else t) for name, t in texts.items()}
    found: List[Match] = []
    report = "\n".join(t for t in (texts.get(w) for w in ("error", "notes", "command")) if t)
    for fam in FAMILIES:
        hit = None
        for where in (fam.where if fam.scope != REPORT else ("report",)):
            text = report if fam.scope == REPORT else texts.get(where)
            if not text:
                continue
            for unit in _units(text, fam.scope):
                pos = _first(unit, fam.phrases)
                if pos is not None and fam.unless and _compiled(fam.unless).search(unit):
                    pos = None
                if pos is not None:
                    quoted = _quote(unit) if fam.scope == SENTENCE else _quote(_line_at(unit, pos))
                    hit = Match(fam.problem, fam.strength, where, quoted)
                    break
            if hit:
                break
        if hit:
            found.append(hit)
    found.sort(key=lambda m: -m.strength)
    return found


def holds(phrase: str, text: str, unless: str = "") -> bool:
    """Whether one sentence of `text` has `phrase` and not `unless` (a family's own test, for a
    refinement that asks what the report said)."""
    text = head_and_tail(text)[0]
    return any(_compiled(phrase).search(u) and not (unless and _compiled(unless).search(u))
               for u in _units(text, SENTENCE))


def _line_at(text: str, pos: int) -> str:
    start = text.rfind("\n", 0, pos) + 1
    end = text.find("\n", pos)
    return text[start:end if end >= 0 else len(text)]


def _quote(unit: str) -> str:
    line = " ".join(unit.split())
    return line if len(line) <= 400 else line[:397] + "..."
