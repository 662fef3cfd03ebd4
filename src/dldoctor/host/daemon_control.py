"""How to make dockerd take a new daemon.json: reload, restart, wait, and say why it failed.

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

import ctypes
import ctypes.util
import json
import os
import shutil
import signal
import subprocess
import time
from typing import Any, Dict, List, Optional, Sequence, Tuple

from dldoctor.errors import ApplyFailed
from dldoctor.host import CommandResult, paths
from dldoctor.host.live import LiveHost
from dldoctor.i18n import _

CONFIG_ERROR = "unable to configure the Docker daemon with file"
LOG_FILE = "/var/log/dldoctor-dockerd.log"
_CLONE_NEWNS = 0x00020000


def _pid_alive(pid: int) -> bool:
    """Alive and not a zombie (a zombie dockerd has exited; its parent just has not reaped it)."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            state = f.read().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state not in ("Z", "X")


def _read_proc(pid: int, name: str) -> Optional[bytes]:
    try:
        with open("/proc/%d/%s" % (pid, name), "rb") as f:
            return f.read()
    except OSError:
        return None


def _under(root: str, target: str) -> str:
    return LiveHost(root).path(target)


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
        self._runner = LiveHost("/", timeout, self.env)     # commands with a timeout, never a hang

    def _docker(self, *args: str, timeout: float = 10.0) -> CommandResult:
        docker = shutil.which("docker", path=self.env.get("PATH")) or "docker"
        return self._runner.run((docker,) + args, timeout=timeout)

    def info(self) -> Optional[LiveInfo]:
        """`docker info` now; None when no daemon answers."""
        res = self._docker("info", "--format", "{{json .}}")
        text = res.stdout.strip()
        if not text:
            return None
        try:
            data = json.loads(text.splitlines()[0])
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
        return self._runner.run(("systemctl",) + args, timeout=timeout or self.timeout)

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
        res = self._runner.run(("journalctl", "-u", "docker", "-n", "20", "--no-pager", "-o",
                                "cat"), timeout=10)
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
        self.pidfiles = list(pidfiles) or [_under(self.root, "/var/run/docker.pid"),
                                           _under(self.root, "/run/docker.pid")]
        self.log_path = _under(self.root, LOG_FILE)
        self._proc: Optional[subprocess.Popen] = None
        self._saved: Optional[Tuple[List[str], Dict[str, str], str, Optional[int]]] = None
        self._log_offset = 0
        self._old_pid: Optional[int] = None

    def pid(self) -> Optional[int]:
        if self._proc is not None and self._proc.poll() is None:
            return self._proc.pid
        for path in self.pidfiles:
            try:       # bounded, and never blocking on a FIFO planted as a pidfile
                pid = int(paths.read_file(path, limit=4096)[0].decode("ascii").strip())
            except (OSError, ValueError, paths.UnsafePath):
                continue
            cmd = _read_proc(pid, "cmdline") or b""
            if _pid_alive(pid) and b"dockerd" in cmd.split(b"\0")[0]:
                return pid
        return None

    def is_running(self) -> bool:
        return self.pid() is not None

    def reload(self) -> None:
        pid = self.pid()
        if pid is None:
            raise ApplyFailed(_("dockerd is not running"))
        self._old_pid = pid
        os.kill(pid, signal.SIGHUP)

    def _snapshot(self, pid: int) -> None:
        """Remember how `pid` was started, to start it again the same way."""
        raw = _read_proc(pid, "cmdline")
        if not raw:
            raise ApplyFailed(_("cannot read /proc/{pid}/cmdline").format(pid=pid))
        argv = [a.decode("utf-8", "surrogateescape") for a in raw.rstrip(b"\0").split(b"\0")]
        env: Dict[str, str] = {}
        for item in (_read_proc(pid, "environ") or b"").split(b"\0"):
            if b"=" in item:
                k, v = item.split(b"=", 1)
                env[k.decode("utf-8", "surrogateescape")] = v.decode("utf-8", "surrogateescape")
        try:
            cwd = os.readlink("/proc/%d/cwd" % pid)
        except OSError:
            cwd = "/"
        ns_fd = None
        try:
            if os.readlink("/proc/%d/ns/mnt" % pid) != os.readlink("/proc/self/ns/mnt"):
                ns_fd = os.open("/proc/%d/ns/mnt" % pid, os.O_RDONLY)
        except OSError:
            ns_fd = None
        if "/" not in argv[0]:
            found = shutil.which(argv[0], path=env.get("PATH", os.defpath))
            if found:
                argv[0] = found
        self._saved = (argv, env, cwd, ns_fd)

    def _stop(self, pid: int) -> None:
        try:
            os.kill(pid, signal.SIGTERM)
        except ProcessLookupError:
            return
        deadline = time.monotonic() + self.timeout
        killed = False
        while _pid_alive(pid):
            if self._proc is not None and self._proc.pid == pid:
                self._proc.poll()
            if time.monotonic() >= deadline:
                if killed:
                    raise ApplyFailed(_("dockerd (pid {pid}) did not stop, even after SIGKILL")
                                      .format(pid=pid))
                try:
                    os.kill(pid, signal.SIGKILL)      # it had `timeout` seconds to stop cleanly
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
        os.makedirs(os.path.dirname(self.log_path), exist_ok=True)
        log = open(self.log_path, "ab")
        self._log_offset = log.seek(0, os.SEEK_END)
        log.write(("--- dldoctor: starting %s\n" % " ".join(argv)).encode("utf-8", "replace"))
        log.flush()

        def enter() -> None:
            if ns_fd is not None:
                libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
                if libc.setns(ns_fd, _CLONE_NEWNS) != 0:
                    raise OSError(ctypes.get_errno(), "setns")
            os.chdir(cwd)

        try:
            self._proc = subprocess.Popen(
                argv, env=env, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True, close_fds=True, preexec_fn=enter)
        except OSError as exc:
            raise ApplyFailed(_("cannot start {argv0}: {err}").format(argv0=argv[0], err=exc))
        finally:
            log.close()

    def exited(self) -> bool:
        return self._proc is not None and self._proc.poll() is not None

    def last_error(self) -> Optional[str]:
        text = ""
        if self._proc is not None:
            try:
                with open(self.log_path, "rb") as f:
                    f.seek(self._log_offset)
                    text = f.read(paths.READ_LIMIT).decode("utf-8", "replace")
            except OSError:
                text = ""
            if self._proc.poll() is not None and not extract_error(text):
                text += "\ndockerd exited with status %s" % self._proc.returncode
        elif self._old_pid is not None:
            # A dockerd we did not start: its stderr, when it goes to a file, has the reload error.
            try:
                target = os.readlink("/proc/%d/fd/2" % self._old_pid)
                if os.path.isfile(target):
                    with open(target, "rb") as f:
                        f.seek(max(0, os.path.getsize(target) - 8192))
                        text = f.read().decode("utf-8", "replace")
            except OSError:
                text = ""
        return extract_error(text) if text else None

    def describe(self) -> str:
        return _("signals to the dockerd process (pidfile {path})").format(path=self.pidfiles[0])


def choose(facts: Any, root: str = "/", env: Optional[Dict[str, str]] = None,
           timeout: float = 60.0) -> DaemonControl:
    """systemd where it runs Docker on this very machine, else direct process control."""
    root = os.path.abspath(root or "/")
    flags = getattr(facts, "dockerd_flags", None)
    pidfiles: List[str] = []
    flagged = (getattr(flags, "flags", None) or {}).get("pidfile") if flags else None
    for p in (flagged or ())[-1:]:
        pidfiles.append(p)                  # as dockerd itself sees it (a lab's dockerd is not
        pidfiles.append(_under(root, p))    # chrooted), and as a path on the target
    pidfiles += [_under(root, "/var/run/docker.pid"), _under(root, "/run/docker.pid")]
    proc = ProcessControl(root, pidfiles, env, timeout)
    if root == "/" and getattr(facts, "systemd", None):
        sd = SystemdControl(env, timeout)
        if sd.is_running() or not proc.is_running():
            return sd
    return proc
