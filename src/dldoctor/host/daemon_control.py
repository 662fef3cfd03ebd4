"""How to make dockerd take a new daemon.json: reload, restart, wait, and say why it failed.

The host layer's second writer beside HostWriter: HostWriter changes files, this changes the
running daemon. It reads /proc and signals through host.proc, finds dockerd through host.dockerd,
runs and spawns through host.process and maps paths under the root with host.paths.

Two implementations, chosen from the facts:
- SystemdControl: PID 1 is systemd, the root is "/" and docker.service runs dockerd.
  `systemctl reload docker` (the unit's ExecReload is `kill -s HUP $MAINPID`), `systemctl restart
  docker`; dockerd's error from `journalctl -u docker`.
- ProcessControl: everything else (containers, WSL without systemd, a dockerd started by hand, the
  test lab). The pid comes from dockerd's pidfile (`--pidfile`, default <root>/var/run/docker.pid).
  Reload is SIGHUP. Restart re-creates the process as it was: argv from /proc/PID/cmdline (argv[0]
  re-executed as written, so a wrapper script stays in the path), environment from
  /proc/PID/environ, its working directory and its mount namespace; SIGTERM, wait (SIGKILL after
  the timeout), then start it detached in a new session, output appended to
  <root>/var/log/dldoctor-dockerd.log.

Ready means `docker info` (the docker CLI with the caller's DOCKER_HOST) answers with a server.
"""
from __future__ import annotations

import os
import shutil
import signal
import time

from dldoctor.errors import ApplyFailed
from dldoctor.host import CommandResult, dockerd, paths, proc, process
from dldoctor.i18n import _
from dldoctor import nesting

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Dict, List, Optional, Sequence, Tuple

CONFIG_ERROR = "unable to configure the Docker daemon with file"
LOG_FILE = "/var/log/dldoctor-dockerd.log"
TAIL = 8192          # bytes read of a foreign dockerd's stderr file


def _pidfile(path: str) -> Optional[bytes]:
    try:       # bounded, and never blocking on a FIFO planted as a pidfile
        return paths.read_file(path, limit=4096)[0]
    except (OSError, paths.UnsafePath):
        return None


def extract_error(text: str) -> Optional[str]:
    """dockerd's own reason from its log: the "unable to configure the Docker daemon with file"
    line when there is one, else the last line that looks like an error."""
    lines = [l.strip() for l in text.splitlines() if l.strip()]
    for line in reversed(lines):
        if CONFIG_ERROR in line:
            return line[line.index(CONFIG_ERROR):]
    for line in reversed(lines):
        low = line.lower()
        if "level=fatal" in low or "failed to start daemon" in low or low.startswith("error") \
                or "level=error" in low:
            return line
    return lines[-1] if lines else None


class LiveInfo:
    """`docker info` as the executor needs it (mirrors, runtimes: what verify() reads)."""

    def __init__(self, data: Dict[str, Any]):
        self.raw = data
        self.server_version = data.get("ServerVersion") or None
        reg = data.get("RegistryConfig") or {}
        self.registry_mirrors = tuple(reg.get("Mirrors") or ())
        self.runtimes = tuple((data.get("Runtimes") or {}).keys())
        self.default_runtime = data.get("DefaultRuntime") or None

    @property
    def has_server(self) -> bool:
        return bool(self.server_version)


class DaemonControl:
    """Interface. `kind` says how the daemon is driven ("systemd" or "process")."""

    kind = "none"

    def __init__(self, env: Optional[Dict[str, str]] = None, timeout: float = 60.0):
        self.env = dict(os.environ if env is None else env)
        self.timeout = timeout
        # The last info() connected and got no answer within its time-out: a hung dockerd or
        # socket, not a stopped one.
        self.no_answer = False

    def _run(self, argv: Sequence[str], timeout: float) -> CommandResult:
        """A command with a timeout, never a hang (host.process)."""
        return process.run(argv, timeout=timeout, env=self.env)

    def _docker(self, *args: str, timeout: float = 10.0) -> CommandResult:
        docker = shutil.which("docker", path=self.env.get("PATH")) or "docker"
        return self._run((docker,) + args, timeout=timeout)

    def info(self) -> Optional[LiveInfo]:
        """`docker info` now; None when no daemon answers."""
        res = self._docker("info", "--format", "{{json .}}")
        self.no_answer = res.timed_out
        text = res.stdout.strip()
        if not text:
            return None
        try:
            data = nesting.loads(text.splitlines()[0])
        except ValueError:
            return None
        info = LiveInfo(data) if isinstance(data, dict) else None
        return info if info is not None and info.has_server else None

    def is_running(self) -> bool:
        raise NotImplementedError

    def reload(self) -> None:
        raise NotImplementedError

    def restart(self) -> None:
        raise NotImplementedError

    def start(self) -> None:
        """Bring a stopped daemon up again (after a failed restart)."""
        self.restart()

    def exited(self) -> bool:
        """True once a daemon we (re)started has died; it will not become ready."""
        return False

    def wait_ready(self, timeout: Optional[float] = None) -> bool:
        deadline = time.monotonic() + (self.timeout if timeout is None else timeout)
        while True:
            if self.exited():
                return False
            if self.info() is not None:
                return True
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.2)

    def last_error(self) -> Optional[str]:
        return None

    def describe(self) -> str:
        return self.kind


class SystemdControl(DaemonControl):
    kind = "systemd"

    def _systemctl(self, *args: str, timeout: Optional[float] = None) -> CommandResult:
        return self._run(("systemctl",) + args, timeout=timeout or self.timeout)

    def is_running(self) -> bool:
        return self._systemctl("is-active", "docker", timeout=10).stdout.strip() == "active"

    def reload(self) -> None:
        res = self._systemctl("reload", "docker")
        if not res.ok:
            raise ApplyFailed(_("systemctl reload docker failed: {out}").format(
                out=(res.output or res.error or "").strip()))

    def restart(self) -> None:
        # A failed start is reported by wait_ready/last_error; a start-limit hit is cleared first.
        self._systemctl("reset-failed", "docker", timeout=10)
        self._systemctl("restart", "docker")

    def exited(self) -> bool:
        state = self._systemctl("is-active", "docker", timeout=10).stdout.strip()
        return state in ("failed", "inactive")

    def last_error(self) -> Optional[str]:
        res = self._run(("journalctl", "-u", "docker", "-n", "20", "--no-pager", "-o", "cat"),
                        timeout=10)
        if not res.ok:
            res = self._systemctl("status", "docker", "--no-pager", "-l", timeout=10)
        return extract_error(res.output)

    def describe(self) -> str:
        return "systemctl (docker.service)"


class ProcessControl(DaemonControl):
    kind = "process"

    def __init__(self, root: str = "/", pidfiles: Sequence[str] = (),
                 env: Optional[Dict[str, str]] = None, timeout: float = 60.0):
        super().__init__(env, timeout)
        self.root = os.path.abspath(root or "/")
        self.pidfiles = list(pidfiles) or [paths.under(self.root, "/var/run/docker.pid"),
                                           paths.under(self.root, "/run/docker.pid")]
        self.log_path = paths.under(self.root, LOG_FILE)
        self._proc: Optional[process.Spawned] = None
        self._saved: Optional[Tuple[List[str], Dict[str, str], str, Optional[int]]] = None
        self._log_offset = 0
        self._old_pid: Optional[int] = None

    def pid(self) -> Optional[int]:
        if self._proc is not None and self._proc.poll() is None:
            return self._proc.pid
        return dockerd.find_pid(self.pidfiles, _pidfile)

    def is_running(self) -> bool:
        return self.pid() is not None

    def reload(self) -> None:
        pid = self.pid()
        if pid is None:
            raise ApplyFailed(_("dockerd is not running"))
        self._old_pid = pid
        proc.send(pid, signal.SIGHUP)

    def _snapshot(self, pid: int) -> None:
        """Remember how `pid` was started, to start it again the same way."""
        raw = proc.argv(pid)
        if not raw:
            raise ApplyFailed(_("cannot read /proc/{pid}/cmdline").format(pid=pid))
        argv = [a.decode("utf-8", "surrogateescape") for a in raw]
        env = proc.environ(pid)
        cwd = proc.link(pid, "cwd") or "/"
        ns_fd = proc.foreign_mount_ns(pid)
        if "/" not in argv[0]:
            found = shutil.which(argv[0], path=env.get("PATH", os.defpath))
            if found:
                argv[0] = found
        self._saved = (argv, env, cwd, ns_fd)

    def _stop(self, pid: int) -> None:
        try:
            proc.send(pid, signal.SIGTERM)
        except ProcessLookupError:
            return
        deadline = time.monotonic() + self.timeout
        killed = False
        while proc.alive(pid):
            if self._proc is not None and self._proc.pid == pid:
                self._proc.poll()
            if time.monotonic() >= deadline:
                if killed:
                    raise ApplyFailed(_("dockerd (pid {pid}) did not stop, even after SIGKILL")
                                      .format(pid=pid))
                try:
                    proc.send(pid, signal.SIGKILL)    # it had `timeout` seconds to stop cleanly
                except ProcessLookupError:
                    pass
                killed = True
                deadline = time.monotonic() + 10
            time.sleep(0.05)

    def restart(self) -> None:
        pid = self.pid()
        if pid is not None:
            self._old_pid = pid
            self._snapshot(pid)
            self._stop(pid)
        self.start()

    def start(self) -> None:
        if self._saved is None:
            raise ApplyFailed(_("dockerd is not running and dldoctor does not know how it was "
                                "started; start Docker by hand"))
        argv, env, cwd, ns_fd = self._saved
        header = ("--- dldoctor: starting %s\n" % " ".join(argv)).encode("utf-8", "replace")
        try:
            self._proc = process.spawn(argv, env=env, cwd=cwd, log=self.log_path,
                                       log_header=header, mount_ns=ns_fd)
        except OSError as exc:
            raise ApplyFailed(_("cannot start {argv0}: {err}").format(argv0=argv[0], err=exc))
        self._log_offset = self._proc.log_offset

    def exited(self) -> bool:
        return self._proc is not None and self._proc.poll() is not None

    def last_error(self) -> Optional[str]:
        text = ""
        if self._proc is not None:
            data = paths.read_tail(self.log_path, offset=self._log_offset)
            text = "" if data is None else data.decode("utf-8", "replace")
            if self._proc.poll() is not None and not extract_error(text):
                text += "\ndockerd exited with status %s" % self._proc.returncode
        elif self._old_pid is not None:
            # A dockerd we did not start: its stderr, when it goes to a file, has the reload error.
            target = proc.link(self._old_pid, "fd/2")
            data = paths.read_tail(target, last=TAIL) if target and os.path.isfile(target) \
                else None
            text = "" if data is None else data.decode("utf-8", "replace")
        return extract_error(text) if text else None

    def describe(self) -> str:
        return _("signals to the dockerd process, pidfile {path}").format(path=self.pidfiles[0])


def choose(facts: Any, root: str = "/", env: Optional[Dict[str, str]] = None,
           timeout: float = 60.0) -> DaemonControl:
    """systemd where it runs Docker on this very machine, else direct process control."""
    root = os.path.abspath(root or "/")
    flags = getattr(facts, "dockerd_flags", None)
    pidfiles: List[str] = []
    flagged = (getattr(flags, "flags", None) or {}).get("pidfile") if flags else None
    for p in (flagged or ())[-1:]:
        pidfiles.append(p)                  # as dockerd itself sees it (a lab's dockerd is not
        pidfiles.append(paths.under(root, p))    # chrooted), and as a path on the target
    pidfiles += [paths.under(root, "/var/run/docker.pid"), paths.under(root, "/run/docker.pid")]
    proc = ProcessControl(root, pidfiles, env, timeout)
    if root == "/" and getattr(facts, "systemd", None):
        sd = SystemdControl(env, timeout)
        if sd.is_running() or not proc.is_running():
            return sd
    return proc
