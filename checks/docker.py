"""Docker engine: installed, recent enough, which flavour (snap, Desktop, rootless), daemon up,
and whether this user may use its socket."""
from __future__ import annotations

import re

from dldoctor.checks import ok, problem, skip, unknown_reason
from dldoctor.derived import docker_absent, engine, env_var, has_server, rootless_uid, server_error
from dldoctor.facts import Facts, known
from dldoctor.i18n import _
from dldoctor.lazy_regex import lazy_compile
from dldoctor.model import WARN, Finding
from dldoctor.parse.version import version_tuple

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import List, Optional

AREA = "docker"
GPUS_FLAG_SINCE = (19, 3)


def check_engine(facts: Facts) -> List[Finding]:
    if docker_absent(facts):
        return [problem("docker-engine", AREA, "docker.missing", _("The docker command was not found."),
                        ["docker: command not found"])]
    info, ver = facts.docker_info, facts.docker_version
    out: List[Finding] = []
    docker_path = facts.binaries.get("docker") or ""
    root_dir = info.docker_root_dir if known(info) else None
    if docker_path.startswith("/snap/") or (root_dir or "").startswith("/var/snap/docker"):
        out.append(problem("docker-engine", AREA, "docker.snap",
                           _("Docker comes from the snap package; the NVIDIA Container Toolkit packages "
                             "do not configure it."), [docker_path or root_dir or ""]))
    desktop = (known(info) and info.is_desktop) or (
        known(ver) and "desktop" in ((ver.platform_name or "") + (ver.context or "")).lower())
    if desktop:
        ctx = (info.context if known(info) else None) or (ver.context if known(ver) else None)
        out.append(problem("docker-engine", AREA, "docker.desktop",
                           _("The docker CLI uses Docker Desktop (context {ctx}): its VM does not see this "
                             "host's driver or daemon.json.").format(ctx=ctx or "desktop-linux"),
                           [s for s in ("Context: %s" % ctx if ctx else None,
                                        "Operating System: %s" % info.operating_system if known(info) and info.operating_system else None) if s]))
    if known(info) and info.is_rootless:
        out.append(problem("docker-engine", AREA, "docker.rootless",
                           _("The daemon is rootless: its config is ~/.config/docker/daemon.json and the "
                             "toolkit needs no-cgroups."), list(info.security_options), status=WARN))
    podman = _podman_shim(facts)
    if podman:
        out.append(problem("docker-engine", AREA, "docker.missing",
                           _("The docker command here is podman's (package podman-docker), not Docker "
                             "Engine: there is no Docker daemon to start. The NVIDIA Container Toolkit's "
                             "Docker setup (--gpus, the nvidia runtime) needs Docker Engine; for podman, "
                             "NVIDIA documents CDI instead."), [podman],
                           fix=_("For podman: sudo nvidia-ctk cdi generate --output=/etc/cdi/nvidia.yaml, then "
                                 "podman run --device nvidia.com/gpu=all ...  For Docker Engine: sudo dldoctor "
                                 "fix --engine docker-ce (replaces podman-docker with Docker CE; its plan "
                                 "names what apt removes).")))
    version = (info.server_version if known(info) else None) or (ver.server_version if known(ver) else None)
    parsed = version_tuple(version)
    if parsed and parsed < GPUS_FLAG_SINCE:
        out.append(problem("docker-engine", AREA, "docker.too-old",
                           _("Docker {v} predates 19.03, which introduced --gpus.").format(v=version),
                           ["Server Version: %s" % version]))
    if not out:
        eng = engine(facts)
        if eng is not None:
            kind = _("the distribution's package") if eng.distro else _("Docker's own package")
            state = _("supported") if eng.supported else _("not supported")
            out.append(ok("docker-engine", AREA, _("Docker Engine {v} ({pkg}, {kind}): {state}")
                          .format(v=version or eng.version or "?", pkg=eng.package, kind=kind,
                                  state=state), detail=eng.why,
                          evidence=["%s %s" % (eng.package, eng.version or "")] +
                          (["Server Version: %s" % version] if version else [])))
            if not eng.supported:
                from dldoctor.records import replace

                out[-1] = replace(out[-1], status=WARN)
        elif version:
            out.append(ok("docker-engine", AREA, _("Docker Engine {v}").format(v=version),
                          evidence=["Server Version: %s" % version]))
        elif known(ver) and ver.client_version:
            out.append(ok("docker-engine", AREA, _("docker CLI {v} installed").format(v=ver.client_version)))
        elif known(info) and info.has_server:
            out.append(ok("docker-engine", AREA, _("Docker Engine (version not shown in the evidence)")))
        elif known(info):
            out.append(ok("docker-engine", AREA, _("docker CLI installed (the daemon did not answer)")))
        else:
            out.append(skip("docker-engine", AREA, _("Docker installation not known"),
                            unknown_reason(ver) or unknown_reason(info)))
    return out


def _podman_shim(facts: Facts) -> Optional[str]:
    """The dpkg line of podman-docker when it provides `docker` and no Docker engine package is
    installed (they conflict): `docker` then runs podman, and no docker.service exists."""
    pkgs = facts.packages
    if not known(pkgs) or engine(facts) is not None:
        return None
    state = pkgs.installed("podman-docker")
    if not state:
        return None
    return "podman-docker %s" % (getattr(state, "version", None) or "")


_SOCKET_DENIED = lazy_compile(r"permission denied while trying to connect to the docker|"
                            r"docker\.sock: connect: permission denied", re.I)


# A rootless daemon's socket: its user's alone, whatever the docker group says.
ROOTLESS_SOCKET = lazy_compile(r"daemon socket at unix:///run/user/\d+/docker\.sock|"
                               r"dial unix /run/user/\d+/docker\.sock: connect: permission denied", re.I)


def rootless_socket_refused() -> str:
    return _("Rootless Docker: its socket /run/user/UID/docker.sock belongs to the user who runs that daemon; "
             "any other user (a service, sudo, another login) is refused.")


def rootless_socket_fix() -> str:
    return _("Run docker as the user who runs the rootless daemon, or point DOCKER_HOST at the system daemon "
             "(unix:///var/run/docker.sock); the docker group does not open a rootless socket.")


# Docker Desktop for Windows refusing a user: its named pipe, or its own docker-users message.
WINDOWS_GROUP = lazy_compile(r"//\./pipe/docker_engine: access is denied|\bdocker-users\b", re.I)


def windows_group_fix() -> str:
    return _("Docker Desktop on Windows: an administrator adds your account to the docker-users group "
             "(`net localgroup docker-users <user> /add`), then sign out of Windows and in again.")


# Docker Desktop's own named pipes on Windows (its Linux and Windows engines', its backend's), named once
# for the prose row that reads them missing and for the fix below.
DESKTOP_PIPES = r"docker_engine_linux|dockerDesktopLinuxEngine|dockerDesktopWindowsEngine|dockerLifecycleServer|dockerBackendApiServer"
# Docker Desktop's engine not running, as Windows shows it: its named pipes missing, the app stuck starting.
WINDOWS_ENGINE = lazy_compile(r"pipe[/\\](docker_engine|" + DESKTOP_PIPES + r")\b|docker desktop\b[^.\n]{0,40}\bstarting\b",
                              re.I)


def windows_engine_fix() -> str:
    return _("Start Docker Desktop (or quit it from the tray and start it again) and wait until it says the engine "
             "is running; on Windows Server without Docker Desktop, run `Start-Service docker` in an "
             "administrator PowerShell.")


# Docker Desktop's file sharing (Windows, Mac) refusing a bind mount: only Docker Desktop prints these
# (its one-word "Filesharing"; a cloud drive's "File sharing has been cancelled" is not Docker's). Named
# once for the signature that reads them and for the fix below.
DESKTOP_FILE_SHARING = (r"filesharing has been cancell?ed|mounts denied:[^\n]{0,200}is not shared from (os x|the host)|"
                        r"user declined directory sharing|an error occurred while sharing drive")
DESKTOP_SHARING_REFUSED = lazy_compile(DESKTOP_FILE_SHARING, re.I)


def desktop_sharing_fix() -> str:
    return _("Docker Desktop mounts only the folders it shares: add this folder (or its drive) under Settings → "
             "Resources → File sharing, then Apply & Restart; with the WSL 2 backend, keep the files inside the "
             "WSL distribution instead.")


def _permission_denied(err: Optional[str]) -> bool:
    """The Docker socket refused this user (not any other 'permission denied')."""
    return bool(err) and bool(_SOCKET_DENIED.search(err or ""))


def check_daemon(facts: Facts) -> List[Finding]:
    if docker_absent(facts):
        return []
    err, timed_out = server_error(facts)
    if has_server(facts):
        return [ok("docker-daemon", AREA, _("The Docker daemon answers"))]
    if timed_out and not err:
        return [problem("docker-daemon", AREA, "docker.daemon-down",
                        _("The Docker daemon does not respond: docker waited and got no answer (a hung "
                          "dockerd or socket)."),
                        [_("no answer from the daemon within the time-out")],
                        # It is running, so "start" would do nothing: only a restart unsticks it.
                        fix=_("sudo systemctl restart docker  (a hung dockerd does not recover by "
                              "itself; `sudo journalctl -u docker -n 50` shows what it was doing)."))]
    if err and _permission_denied(err):
        return []  # the docker-group check says who may use the socket
    if err and _podman_shim(facts):     # docker-engine says so: there is no daemon to start
        return [skip("docker-daemon", AREA, _("No Docker daemon: the docker command here is "
                                              "podman's"))]
    if err:
        elsewhere = _elsewhere(facts, err)
        if elsewhere is not None:
            return [elsewhere]
        return [problem("docker-daemon", AREA, "docker.daemon-down",
                        _("The Docker daemon is not running or not reachable."), [err])]
    refused = _host_refused(facts)
    if refused is not None:
        return [refused]
    return [skip("docker-daemon", AREA, _("Docker daemon state not known"),
                 unknown_reason(facts.docker_info))]


# The docker CLI refusing its DOCKER_HOST before it connects (an ssh:// URL with a password, fd://).
_CLIENT_REFUSED = lazy_compile(r"^(?:Failed to initialize: .*|unable to parse docker host .*)$", re.M)


def _host_refused(facts: Facts) -> Optional[Finding]:
    """docker.daemon-down when docker would not even use its DOCKER_HOST: no daemon is reached."""
    host = env_var(facts, "DOCKER_HOST")
    said = next((m.group(0) for n in ("docker-info.json", "docker-info", "docker-version.json")
                 for m in [_CLIENT_REFUSED.search(facts.text(n) or "")] if m), None)
    if not host or said is None:
        return None
    return problem("docker-daemon", AREA, "docker.daemon-down",
                   _("docker refuses DOCKER_HOST={host} and reaches no daemon: {error}").format(
                       host=host, error=said.strip()), [said.strip(), "DOCKER_HOST=" + host],
                   fix=_other_daemon_fix("unset DOCKER_HOST", host))


# Where the system dockerd listens (docker.socket's /run/docker.sock; /var/run links to /run).
SYSTEM_SOCKETS = ("/var/run/docker.sock", "/run/docker.sock")
# The socket a client error names ("... at unix:///x. Is the docker daemon running?", "... at unix:///x; check").
_UNIX_URL = lazy_compile(r"\bunix://(/[^\s;,\"']*[^\s;,\"'.])")


def _elsewhere(facts: Facts, err: str) -> Optional[Finding]:
    """docker.daemon-down when DOCKER_HOST or a context points docker away from the system daemon:
    `systemctl start docker` starts the daemon docker does not talk to, and the re-run fails the same."""
    host, context = env_var(facts, "DOCKER_HOST"), env_var(facts, "DOCKER_CONTEXT")
    found = _UNIX_URL.search(err)
    socket = found.group(1) if found else None
    if host:
        via, undo = "DOCKER_HOST=" + host, "unset DOCKER_HOST"
        if socket is None and host.startswith("unix://"):
            socket = host[len("unix://"):] or None
    elif context:
        via, undo = "DOCKER_CONTEXT=" + context, "unset DOCKER_CONTEXT"
    elif known(facts.docker_info) and facts.docker_info.context not in (None, "", "default"):
        via, undo = _("The docker context {name}").format(name=facts.docker_info.context), \
            "docker context use default"
    else:   # no `env` evidence (an older snapshot): the error's socket alone
        via, undo = _("The docker CLI"), "unset DOCKER_HOST DOCKER_CONTEXT; docker context use default"
    if host and not host.startswith(("unix://", "tcp://", "ssh://", "npipe://", "fd://")):
        # a socket's path (or unix:/path, host:port) without its scheme: docker takes it for TCP
        path = host[len("unix:"):] if host.startswith("unix:") else host
        wanted = "unix://" + path if path.startswith("/") else "tcp://" + host
        return problem("docker-daemon", AREA, "docker.daemon-down",
                       _("{via} has no scheme, so docker reads it as a TCP address and reaches no "
                         "daemon; a socket is written unix:///var/run/docker.sock.").format(via=via),
                       [err, via], fix=_("{undo}  (docker then uses the system daemon at "
                                         "/var/run/docker.sock), or export DOCKER_HOST={wanted}").format(
                                             undo=undo, wanted=wanted))
    if socket is None and host and host.startswith(("tcp://", "ssh://")):
        return problem("docker-daemon", AREA, "docker.daemon-down",
                       _("{via} points docker at a daemon reached over TCP or SSH, not at the system Docker's "
                         "socket /var/run/docker.sock, and that daemon does not answer.").format(via=via),
                       [err, via], fix=_other_daemon_fix(undo, host))
    if socket is None or socket in SYSTEM_SOCKETS:
        return None
    evidence = [err] + ([via] if host or context else [])
    uid = rootless_uid(socket)
    if uid is not None:
        return problem("docker-daemon", AREA, "docker.daemon-down",
                       _("{via} names the socket of a rootless Docker daemon (uid {uid}), {state}; "
                         "`systemctl start docker` starts the system daemon, not that one.").format(
                           via=via, uid=uid, state=_socket_state(err)), evidence,
                       fix=_("systemctl --user start docker  (as the user with uid {uid}, who runs the rootless "
                             "daemon; `journalctl --user -u docker -n 50` shows why it stopped). To use the "
                             "system Docker instead: {undo}.").format(uid=uid, undo=undo))
    return problem("docker-daemon", AREA, "docker.daemon-down",
                   _("{via} names the socket {socket}, {state}; the system Docker listens on "
                     "/var/run/docker.sock.").format(via=via, socket=socket, state=_socket_state(err)),
                   evidence, fix=_other_daemon_fix(undo, socket))


def _socket_state(err: str) -> str:
    """What the client's error says of the socket (its words differ by version; "Is the docker
    daemon running?" alone does not tell a missing socket from a dead one)."""
    low = err.lower()
    if "no such file or directory" in low:
        return _("which does not exist here")
    if "connection refused" in low:
        return _("where no daemon listens (connection refused)")
    return _("and no daemon answers there")


def _other_daemon_fix(undo: str, where: str) -> str:
    return _("{undo}  (docker then uses the system daemon at /var/run/docker.sock; if that one is down too: "
             "sudo systemctl start docker), or start the daemon that should answer at {where}.").format(
                 undo=undo, where=where)


def _user(facts: Facts) -> Optional[str]:
    ident = facts.identity
    return ident.user if known(ident) else None


def check_group(facts: Facts) -> List[Finding]:
    ident, gdb = facts.identity, facts.group_db
    err, _t = server_error(facts)
    denied = _permission_denied(err) or _permission_denied(facts.error)
    if known(ident) and ident.uid == 0 and not denied:
        return [ok("docker-group", AREA, _("Running as root"))]
    user = _user(facts)
    in_session = known(ident) and ident.in_group("docker")
    listed = bool(user) and known(gdb) and user in gdb.members("docker")
    ev = []
    if known(ident):
        ev.append(facts.text("id") or "")
    if known(gdb) and "docker" in gdb.groups:
        gid, members = gdb.groups["docker"]
        ev.append("docker:x:%d:%s" % (gid, ",".join(members)))
    if denied and ROOTLESS_SOCKET.search(err or facts.error or ""):
        return [problem("docker-group", AREA, "docker.rootless", rootless_socket_refused(),
                        [err or facts.error or ""] + ev,
                        fix=rootless_socket_fix())]
    if denied:
        if listed and not in_session:
            return [problem("docker-group", AREA, "docker.group-not-active",
                            _("{user} is listed in the docker group in /etc/group, but this login session "
                              "was started before that and does not carry the group.").format(user=user),
                            [err or facts.error or ""] + ev)]
        return [problem("docker-group", AREA, "docker.permission-denied",
                        _("This user may not use the Docker socket (not in the docker group)."),
                        [err or facts.error or ""] + ev)]
    if listed and not in_session and has_server(facts) is not True:
        return [problem("docker-group", AREA, "docker.group-not-active",
                        _("{user} is in the docker group in /etc/group but not in this session.").format(
                            user=user), ev, status=WARN)]
    if in_session:
        return [ok("docker-group", AREA, _("{user} is in the docker group").format(user=user or _("this user")))]
    if has_server(facts):
        return [ok("docker-group", AREA, _("This user can use the Docker socket"))]
    return []
