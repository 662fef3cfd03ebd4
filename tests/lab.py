"""A real, private Docker lab for dldoctor's tests (see shared/lab-notes.md).

One ``Lab`` is one short directory under /tmp (``/tmp/dlXXXXXXXX``) holding:

    root/                      the root prefix dldoctor gets as ``--root``
      etc/docker/daemon.json   the file dockerd is started with (--config-file)
      etc/group, etc/passwd    copies of the host's, writable by tests
      var/run/docker.pid       dockerd's --pidfile
      var/run/docker.sock      dockerd's socket (``lab.socket``)
      bin/busybox, bin/sh      so ``chroot ROOT /bin/sh`` works
      usr/bin/nvidia-smi       stub printing a real nvidia-smi fixture
      usr/share/dldoctor-lab/nvidia-smi.txt   that fixture
    bin/                       first on PATH for tests and for dockerd:
      docker                   -> the system docker client
      dockerd                  -> the real dockerd (symlink; tests may replace it)
      nvidia-smi               stub (same fixture)
      nvidia-container-runtime stub: exec runc "$@"
    hookbin/nvidia-container-runtime-hook
                               stub OCI prestart hook that puts usr/bin/nvidia-smi
                               into the container's rootfs; on dockerd's PATH only
                               with ``start_dockerd(hook=True)``
    data/ exec/                dockerd's --data-root and --exec-root
    dockerd.log                dockerd's stdout+stderr

Nothing here touches the host's /etc or the host's Docker. Every process the lab
starts is stopped by pid (never by name) in ``cleanup()``, which also runs at exit.
"""

import atexit
import contextlib
import http.server
import importlib.util
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any, Dict, Iterable, Iterator, List, Optional, Sequence, Tuple, Union

import pytest

REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO / "tests" / "data" / "fixtures"
NVIDIA_SMI_FIXTURES = FIXTURES / "nvidia-smi"
DEFAULT_NVIDIA_SMI_FIXTURE = NVIDIA_SMI_FIXTURES / "550.127.05-A10.txt"

#: Environment variable that scripts/test sets to a per-run token. Every process the
#: lab starts inherits it and every lab directory records it in ``.run-id``, so the
#: script's exit trap finds exactly what its own test run left behind.
RUN_ID_ENV = "DLDOCTOR_LAB_RUN_ID"

SYSTEM_PATH_DIRS = ("/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin")

# The NVIDIA_REQUIRE_CUDA of nvidia/cuda:12.4.1-base-ubuntu22.04, for images that carry it.
CUDA_12_4_REQUIRE = (
    "cuda>=12.4 brand=tesla,driver>=470,driver<471 brand=unknown,driver>=470,driver<471 "
    "brand=nvidia,driver>=470,driver<471 brand=nvidiartx,driver>=470,driver<471 "
    "brand=geforce,driver>=470,driver<471 brand=geforcertx,driver>=470,driver<471 "
    "brand=quadro,driver>=470,driver<471 brand=quadrortx,driver>=470,driver<471 "
    "brand=titan,driver>=470,driver<471 brand=titanrtx,driver>=470,driver<471 "
    "brand=tesla,driver>=525,driver<526 brand=unknown,driver>=525,driver<526 "
    "brand=nvidia,driver>=525,driver<526 brand=nvidiartx,driver>=525,driver<526 "
    "brand=geforce,driver>=525,driver<526 brand=geforcertx,driver>=525,driver<526 "
    "brand=quadro,driver>=525,driver<526 brand=quadrortx,driver>=525,driver<526 "
    "brand=titan,driver>=525,driver<526 brand=titanrtx,driver>=525,driver<526 "
    "brand=tesla,driver>=535,driver<536 brand=unknown,driver>=535,driver<536 "
    "brand=nvidia,driver>=535,driver<536 brand=nvidiartx,driver>=535,driver<536 "
    "brand=geforce,driver>=535,driver<536 brand=geforcertx,driver>=535,driver<536 "
    "brand=quadro,driver>=535,driver<536 brand=quadrortx,driver>=535,driver<536 "
    "brand=titan,driver>=535,driver<536 brand=titanrtx,driver>=535,driver<536"
)


class LabError(RuntimeError):
    """The lab could not do what was asked; ``log`` holds the relevant log tail."""

    def __init__(self, message: str, log: str = "") -> None:
        super().__init__(message + ("\n--- log tail ---\n" + log if log else ""))
        self.log = log


# ----------------------------------------------------------------------------------------
# prerequisites


def missing_prerequisites() -> List[str]:
    """What this machine lacks to run a lab (empty list: a lab can run)."""
    missing = []
    if os.geteuid() != 0:
        missing.append("root (the lab runs its own dockerd)")
    for tool in ("dockerd", "docker", "containerd", "runc", "docker-registry", "setpriv"):
        if _which(tool) is None:
            missing.append(tool)
    if _busybox() is None:
        missing.append("busybox (busybox-static)")
    return missing


def _which(name: str) -> Optional[str]:
    path = os.pathsep.join([os.environ.get("PATH", "")] + list(SYSTEM_PATH_DIRS))
    return shutil.which(name, path=path)


def _busybox() -> Optional[str]:
    for cand in ("/bin/busybox", "/usr/bin/busybox"):
        if os.path.isfile(cand):
            return cand
    return _which("busybox")


def _fixture_path(value: Union[str, Path]) -> Path:
    path = Path(value)
    if not path.is_absolute() and not path.exists():
        path = NVIDIA_SMI_FIXTURES / path
    if not path.is_file():
        raise LabError("no such nvidia-smi fixture: %s" % value)
    return path


def _system_path() -> str:
    """The caller's PATH with the standard system directories appended if missing."""
    parts = [p for p in os.environ.get("PATH", "").split(os.pathsep) if p]
    for d in SYSTEM_PATH_DIRS:
        if d not in parts:
            parts.append(d)
    return os.pathsep.join(parts)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _pid_alive(pid: int) -> bool:
    try:
        with open("/proc/%d/stat" % pid) as f:
            state = f.read().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state not in ("Z", "X")


def _cmdline(pid: int) -> str:
    try:
        with open("/proc/%d/cmdline" % pid, "rb") as f:
            return f.read().replace(b"\0", b" ").decode("utf-8", "replace")
    except OSError:
        return ""


def _children(pid: int) -> List[int]:
    out = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open("/proc/%s/stat" % entry) as f:
                    if int(f.read().rsplit(")", 1)[1].split()[1]) == pid:
                        out.append(int(entry))
            except (OSError, IndexError, ValueError):
                pass
    return out


def _kill_and_wait(pids: Iterable[int], timeout: float = 10.0) -> None:
    pids = [p for p in pids if _pid_alive(p)]
    for sig in (signal.SIGTERM, signal.SIGKILL):
        for p in pids:
            try:
                os.kill(p, sig)
            except ProcessLookupError:
                pass
        deadline = time.monotonic() + (timeout if sig == signal.SIGTERM else 5.0)
        while time.monotonic() < deadline:
            pids = [p for p in pids if _pid_alive(p)]
            if not pids:
                return
            time.sleep(0.05)


# ----------------------------------------------------------------------------------------
# stubs


def _heredoc_script(text: str) -> str:
    """A ``#!/bin/sh`` script that prints ``text`` verbatim (any arguments are ignored).

    Only shell builtins (read, printf): it must run in the lab root, whose /bin has nothing
    but busybox and sh, and in the busybox container, chrooted or not.
    """
    delim = "DLDOCTOR_LAB_EOF"
    while delim in text:
        delim += "_"
    if not text.endswith("\n"):
        text += "\n"
    return (
        "#!/bin/sh\n"
        "# nvidia-smi stand-in written by dldoctor's tests/lab.py: prints a real fixture.\n"
        "while IFS= read -r line; do printf '%%s\\n' \"$line\"; done <<'%s'\n%s%s\n"
        % (delim, text, delim)
    )


_HOOK_TEMPLATE = r'''#!/usr/bin/python3
# Stand-in for nvidia-container-runtime-hook (written by tests/lab.py). runc runs it as an
# OCI prestart hook with the container state JSON on stdin; like the real hook makes the
# host's nvidia-smi visible in the container, this one writes usr/bin/nvidia-smi (printing
# the lab's fixture) into the container's rootfs.
import json, os, sys

SCRIPT = %(script)r

def main():
    raw = sys.stdin.read()
    log = os.environ.get("DLDOCTOR_LAB_HOOK_LOG") or %(log)r
    with open(log, "a") as f:
        f.write(json.dumps({"argv": sys.argv, "state": raw}) + "\n")
    if not raw.strip():
        return 0
    state = json.loads(raw)
    bundle = state.get("bundle") or state.get("bundlePath")
    if not bundle:
        return 0
    with open(os.path.join(bundle, "config.json")) as f:
        config = json.load(f)
    rootfs = config.get("root", {}).get("path", "rootfs")
    if not os.path.isabs(rootfs):
        rootfs = os.path.join(bundle, rootfs)
    target = os.path.join(rootfs, "usr", "bin")
    os.makedirs(target, exist_ok=True)
    path = os.path.join(target, "nvidia-smi")
    with open(path, "w") as f:
        f.write(SCRIPT)
    os.chmod(path, 0o755)
    return 0

sys.exit(main())
'''


# ----------------------------------------------------------------------------------------
# small servers


class _HungUnixServer:
    """Accepts connections on a unix socket and never answers."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.bind(path)
        self.sock.listen(64)
        self.sock.settimeout(0.2)
        self.conns: List[socket.socket] = []
        self._stop = threading.Event()
        self.thread = threading.Thread(target=self._serve, name="lab-hung-socket", daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except socket.timeout:
                continue
            except OSError:
                return
            self.conns.append(conn)  # keep it open; read nothing, write nothing

    def close(self) -> None:
        self._stop.set()
        self.thread.join(2)
        for c in self.conns:
            with contextlib.suppress(OSError):
                c.close()
        with contextlib.suppress(OSError):
            self.sock.close()
        with contextlib.suppress(OSError):
            os.unlink(self.path)


def _bad_mirror_handler(html: bool):
    class Handler(http.server.BaseHTTPRequestHandler):
        def _answer(self, body: bool) -> None:
            if html:
                payload = (
                    b"<!DOCTYPE html><html><head><title>Welcome</title></head>"
                    b"<body><h1>It works!</h1><p>This is not a registry.</p></body></html>\n"
                )
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
            else:
                payload = b"404 page not found\n"
                self.send_response(404)
                self.send_header("Content-Type", "text/plain; charset=utf-8")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            if body:
                self.wfile.write(payload)

        def do_GET(self) -> None:  # noqa: N802
            self._answer(True)

        def do_HEAD(self) -> None:  # noqa: N802
            self._answer(False)

        do_POST = do_PUT = do_PATCH = do_DELETE = do_GET

        def log_message(self, *args: Any) -> None:
            pass

    return Handler


# ----------------------------------------------------------------------------------------
# the lab

_LIVE_LABS: "set[Lab]" = set()


@atexit.register
def _cleanup_live_labs() -> None:
    for lab in list(_LIVE_LABS):
        with contextlib.suppress(Exception):
            lab.cleanup()


class Lab:
    """One private Docker host: a root prefix, stub NVIDIA tools, its own dockerd."""

    def __init__(self, nvidia_smi_fixture: Union[str, Path, None] = None) -> None:
        self.base = Path(tempfile.mkdtemp(prefix="dl", dir="/tmp"))
        self.root = self.base / "root"
        self.bin = self.base / "bin"
        self.hookbin = self.base / "hookbin"
        self.data_root = self.base / "data"
        self.exec_root = self.base / "exec"
        self.docker_config = self.base / "docker-config"
        self.daemon_json = self.root / "etc" / "docker" / "daemon.json"
        self.pidfile = self.root / "var" / "run" / "docker.pid"
        self.socket = self.root / "var" / "run" / "docker.sock"
        self.docker_host = "unix://%s" % self.socket
        self.log_path = self.base / "dockerd.log"
        self.hook_log = self.base / "hook.log"
        self._fixture = _fixture_path(nvidia_smi_fixture or DEFAULT_NVIDIA_SMI_FIXTURE)
        self.dockerd_proc: Optional[subprocess.Popen] = None
        self.registry_url: Optional[str] = None
        self.registry_proc: Optional[subprocess.Popen] = None
        self._servers: List[Any] = []
        self._log_file = None
        self._cleaned = False
        #: host dirs overlaid (in dockerd's own mount namespace) so dockerd never writes them
        self.isolate_host_dirs: Tuple[str, ...] = ("/etc", "/run")
        assert len(str(self.socket)) < 100, self.socket
        _LIVE_LABS.add(self)
        try:
            self._build()
        except BaseException:
            self.cleanup()
            raise

    def __repr__(self) -> str:
        return "<Lab %s>" % self.base

    def __enter__(self) -> "Lab":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.cleanup()

    # -- layout ------------------------------------------------------------------------

    def _build(self) -> None:
        os.chmod(str(self.base), 0o755)  # mkdtemp makes it 0700; non-root tests need to reach the socket
        run_id = os.environ.get(RUN_ID_ENV)
        if run_id:
            (self.base / ".run-id").write_text(run_id + "\n")
        for d in (
            self.root / "etc" / "docker",
            self.root / "var" / "run",
            self.root / "bin",
            self.root / "usr" / "bin",
            self.root / "usr" / "share" / "dldoctor-lab",
            self.bin,
            self.hookbin,
            self.docker_config,
        ):
            d.mkdir(parents=True, exist_ok=True)
        (self.docker_config / "config.json").write_text("{}\n")
        for name in ("group", "passwd"):
            shutil.copyfile("/etc/" + name, str(self.root / "etc" / name))
        busybox = _busybox()
        if busybox:
            shutil.copy2(busybox, str(self.root / "bin" / "busybox"))
            os.symlink("busybox", str(self.root / "bin" / "sh"))
        docker = _which("docker")
        if docker:
            os.symlink(docker, str(self.bin / "docker"))
        self.link_real_dockerd()
        self._write(self.bin / "nvidia-container-runtime", '#!/bin/sh\nexec runc "$@"\n', 0o755)
        self.write_daemon_json({})
        self.write_stubs()

    @staticmethod
    def _write(path: Path, text: str, mode: int = 0o644) -> Path:
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_text(text)
        os.chmod(str(tmp), mode)
        os.replace(str(tmp), str(path))
        return path

    @property
    def nvidia_smi_fixture(self) -> Path:
        """The nvidia-smi fixture every stub prints. Setting it (a path, or a file name in
        tests/data/fixtures/nvidia-smi/) rewrites the stubs and the hook at once; running
        containers keep the nvidia-smi the hook gave them."""
        return self._fixture

    @nvidia_smi_fixture.setter
    def nvidia_smi_fixture(self, value: Union[str, Path]) -> None:
        self._fixture = _fixture_path(value)
        self.write_stubs()

    def fixture_text(self) -> str:
        """The text every nvidia-smi stub prints: the fixture file, ending in a newline."""
        with open(str(self._fixture), newline="") as f:
            text = f.read()
        return text if text.endswith("\n") else text + "\n"

    def write_stubs(self) -> None:
        """(Re)write every nvidia-smi stub and the hook from ``self.nvidia_smi_fixture``."""
        text = self.fixture_text()
        script = _heredoc_script(text)
        self._write(self.root / "usr" / "share" / "dldoctor-lab" / "nvidia-smi.txt", text)
        self._write(self.root / "usr" / "bin" / "nvidia-smi", script, 0o755)
        self._write(self.bin / "nvidia-smi", script, 0o755)
        hook = _HOOK_TEMPLATE % {"script": script, "log": str(self.hook_log)}
        self._write(self.hookbin / "nvidia-container-runtime-hook", hook, 0o755)

    def link_real_dockerd(self) -> None:
        """Make ``bin/dockerd`` the plain symlink to the real dockerd again."""
        target = self.bin / "dockerd"
        if target.is_symlink() or target.exists():
            target.unlink()
        real = _which("dockerd") or "/usr/sbin/dockerd"
        os.symlink(real, str(target))

    def wrap_dockerd(self, extra_flags: Sequence[str] = (), script: Optional[str] = None) -> Path:
        """Replace ``bin/dockerd`` by a wrapper that adds ``extra_flags`` (or is ``script``).

        The wrapper keeps argv[0] (``exec -a``), so /proc/PID/cmdline still starts with
        ``<lab.bin>/dockerd``. ``link_real_dockerd()`` undoes it.
        """
        real = _which("dockerd") or "/usr/sbin/dockerd"
        if script is None:
            flags = " ".join(_sh_quote(f) for f in extra_flags)
            script = '#!/bin/bash\nexec -a "$0" %s "$@" %s\n' % (_sh_quote(real), flags)
        target = self.bin / "dockerd"
        if target.is_symlink() or target.exists():
            target.unlink()
        return self._write(target, script, 0o755)

    # -- environment -------------------------------------------------------------------

    def env(self, **extra: str) -> Dict[str, str]:
        """os.environ + DOCKER_HOST, DOCKER_CONFIG (inside the lab), PATH with lab.bin first."""
        env = dict(os.environ)
        env["DOCKER_HOST"] = self.docker_host
        env["DOCKER_CONFIG"] = str(self.docker_config)
        env["PATH"] = os.pathsep.join([str(self.bin), _system_path()])
        for k in ("DOCKER_CONTEXT", "DOCKER_TLS_VERIFY", "DOCKER_CERT_PATH"):
            env.pop(k, None)
        env.update(extra)
        return env

    def dockerd_env(self, hook: bool = True) -> Dict[str, str]:
        env = self.env()
        dirs = ([str(self.hookbin)] if hook else []) + [str(self.bin), _system_path()]
        env["PATH"] = os.pathsep.join(dirs)
        env["DLDOCTOR_LAB_HOOK_LOG"] = str(self.hook_log)
        env.pop("DOCKER_HOST", None)
        return env

    # -- daemon.json -------------------------------------------------------------------

    def write_daemon_json(self, obj_or_text: Union[Dict[str, Any], str, bytes]) -> Path:
        """Write root/etc/docker/daemon.json: a dict as JSON, str/bytes verbatim."""
        if isinstance(obj_or_text, bytes):
            data = obj_or_text
        elif isinstance(obj_or_text, str):
            data = obj_or_text.encode()
        else:
            data = (json.dumps(obj_or_text, indent=4) + "\n").encode()
        self.daemon_json.parent.mkdir(parents=True, exist_ok=True)
        self.daemon_json.write_bytes(data)
        return self.daemon_json

    def read_daemon_json(self) -> bytes:
        return self.daemon_json.read_bytes()

    def nvidia_runtime_config(self, default: bool = False) -> Dict[str, Any]:
        """daemon.json keys registering the stub runtime, as nvidia-ctk would."""
        cfg: Dict[str, Any] = {
            "runtimes": {
                "nvidia": {"path": str(self.bin / "nvidia-container-runtime"), "runtimeArgs": []}
            }
        }
        if default:
            cfg["default-runtime"] = "nvidia"
        return cfg

    # -- dockerd -----------------------------------------------------------------------

    def dockerd_argv(self, extra_flags: Sequence[str] = ()) -> List[str]:
        return [
            str(self.bin / "dockerd"),
            "--config-file", str(self.daemon_json),
            "--data-root", str(self.data_root),
            "--exec-root", str(self.exec_root),
            "-H", self.docker_host,
            "--pidfile", str(self.pidfile),
            "--iptables=false",
            "--bridge=none",
        ] + list(extra_flags)

    def start_dockerd(
        self,
        hook: bool = True,
        extra_flags: Sequence[str] = (),
        wait: bool = True,
        timeout: float = 20,
    ) -> subprocess.Popen:
        """Start the lab's dockerd (detached, own session); wait until ``docker info`` works.

        Raises LabError (with the dockerd.log tail) if dockerd exits or is not ready in
        ``timeout`` seconds.
        """
        if self.dockerd_proc is not None and self.dockerd_proc.poll() is None:
            raise LabError("dockerd is already running (pid %d)" % self.dockerd_proc.pid)
        self._log_offset = self.log_path.stat().st_size if self.log_path.exists() else 0
        self._log_file = open(str(self.log_path), "ab")
        argv = self.dockerd_argv(extra_flags)
        if self.isolate_host_dirs:
            argv = self._overlay_argv() + argv
        self.dockerd_proc = subprocess.Popen(
            argv,
            stdin=subprocess.DEVNULL,
            stdout=self._log_file,
            stderr=subprocess.STDOUT,
            env=self.dockerd_env(hook),
            start_new_session=True,
            close_fds=True,
        )
        if wait:
            self.wait_ready(timeout)
        return self.dockerd_proc

    def _overlay_argv(self) -> List[str]:
        """Prefix that runs dockerd in a private mount namespace with /etc and /run overlaid.

        dockerd 20.10 writes its trust key to the host's /etc/docker/key.json whatever its
        --config-file says (only the daemon.json key "deprecated-key-path" moves it, and
        tests own daemon.json); it also makes /run/docker/plugins, and containerd puts its
        shim sockets in /run/containerd/s. The overlays send every such write to
        ``<base>/host/<dir>/upper`` instead, so the host is left as it was. unshare and sh
        both exec, so dockerd keeps the Popen's pid and argv[0] stays ``<lab.bin>/dockerd``.
        """
        script = ""
        args = []
        for i, d in enumerate(self.isolate_host_dirs):
            upper, work = self._host_overlay_dirs(d)
            upper.mkdir(parents=True, exist_ok=True)
            work.mkdir(parents=True, exist_ok=True)
            script += (
                'mount -n -t overlay dl-lab -o "lowerdir=%s,upperdir=$%d,workdir=$%d" %s'
                " || exit 125\n" % (d, 2 * i + 1, 2 * i + 2, d)
            )
            args += [str(upper), str(work)]
        script += 'shift %d\nexec "$@"\n' % len(args)
        return ["unshare", "--mount", "--propagation", "private", "--",
                "/bin/sh", "-c", script, "sh"] + args

    def _host_overlay_dirs(self, host_dir: str) -> Tuple[Path, Path]:
        top = self.base / "host" / host_dir.strip("/").replace("/", "_")
        return top / "upper", top / "work"

    def host_writes(self, host_dir: str = "/etc") -> List[str]:
        """Files dockerd (or its containerd) wrote under ``host_dir``, caught by the overlay."""
        upper = self._host_overlay_dirs(host_dir)[0]
        out = []
        for dirpath, dirnames, filenames in os.walk(str(upper)):
            for name in filenames + [d for d in dirnames if not os.listdir(os.path.join(dirpath, d))]:
                out.append(os.path.relpath(os.path.join(dirpath, name), str(upper)))
        return sorted(out)

    def wait_ready(self, timeout: float = 20) -> None:
        deadline = time.monotonic() + timeout
        proc = self.dockerd_proc
        while True:
            if proc is not None and proc.poll() is not None:
                raise LabError(
                    "dockerd exited with status %s before it was ready" % proc.returncode,
                    self.dockerd_log(since_start=True, tail=40),
                )
            if self.socket.exists():
                try:
                    r = self.docker("info", "--format", "{{.ServerVersion}}", check=False, timeout=5)
                    if r.returncode == 0 and r.stdout.strip():
                        return
                except subprocess.TimeoutExpired:
                    pass
            if time.monotonic() > deadline:
                raise LabError(
                    "dockerd not ready after %ss" % timeout, self.dockerd_log(since_start=True, tail=40)
                )
            time.sleep(0.1)

    def dockerd_pid(self) -> Optional[int]:
        """dockerd's pid from the pidfile (None if there is none or it is not running)."""
        try:
            pid = int(self.pidfile.read_text().strip())
        except (OSError, ValueError):
            return None
        return pid if _pid_alive(pid) else None

    def dockerd_log(self, since_start: bool = False, tail: Optional[int] = None) -> str:
        try:
            data = self.log_path.read_bytes()
        except OSError:
            return ""
        if since_start:
            data = data[getattr(self, "_log_offset", 0):]
        text = data.decode("utf-8", "replace")
        if tail is not None:
            text = "\n".join(text.splitlines()[-tail:])
        return text

    def reload_dockerd(self, timeout: float = 10) -> str:
        """``kill -HUP`` dockerd (what ``systemctl reload docker`` does).

        Waits until dockerd logs the outcome ("Reloaded configuration: ..." or an error
        line) and returns the log text written since the signal. dockerd logs both at its
        log level; with a daemon.json "log-level" above info it just waits half a second.
        """
        pid = self.dockerd_pid()
        if pid is None:
            raise LabError("dockerd is not running", self.dockerd_log(tail=20))
        quiet = False
        with contextlib.suppress(Exception):
            quiet = json.loads(self.read_daemon_json()).get("log-level") in ("warn", "error", "fatal")
        offset = self.log_path.stat().st_size
        os.kill(pid, signal.SIGHUP)
        if quiet:
            time.sleep(0.5)
            return self._log_since(offset)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            new = self._log_since(offset)
            lines = [l for l in new.splitlines() if "Got signal to reload" not in l]
            if "Reloaded configuration" in new or any(
                "level=error" in l and "containerd" not in l for l in lines
            ):
                return new
            time.sleep(0.05)
        raise LabError("dockerd logged no outcome of the reload", self._log_since(offset))

    def _log_since(self, offset: int) -> str:
        try:
            with open(str(self.log_path), "rb") as f:
                f.seek(offset)
                return f.read().decode("utf-8", "replace")
        except OSError:
            return ""

    def _lab_pids(self) -> List[int]:
        """Every live process whose command line mentions this lab's directory."""
        me = os.getpid()
        out = []
        needle = str(self.base) + "/"
        for entry in os.listdir("/proc"):
            if entry.isdigit() and int(entry) != me and needle in _cmdline(int(entry)):
                if _pid_alive(int(entry)):
                    out.append(int(entry))
        return out

    def stop_dockerd(self, timeout: float = 30, kill_containers: bool = True) -> None:
        """Stop dockerd by the pid in its pidfile; wait for it and its socket to go."""
        if kill_containers and self.dockerd_pid() is not None:
            # Running containers would each cost dockerd's stop timeout at shutdown.
            with contextlib.suppress(Exception):
                ids = self.docker("ps", "-q", check=False, timeout=10).stdout.split()
                if ids:
                    self.docker("rm", "-f", *ids, check=False, timeout=30)
        pid = self.dockerd_pid()
        proc = self.dockerd_proc
        pids = [p for p in (pid, proc.pid if proc else None) if p]
        for p in set(pids):
            with contextlib.suppress(ProcessLookupError):
                os.kill(p, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if proc is not None:
                proc.poll()
            if not any(_pid_alive(p) for p in pids):
                break
            time.sleep(0.05)
        else:
            for p in pids:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(p, signal.SIGKILL)
        if proc is not None:
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(5)
        # containerd (started by dockerd) and any shims left behind, by pid; first the
        # containers' init processes (children of the shims), which would outlive them.
        leftovers = [p for p in self._lab_pids() if "docker-registry" not in _cmdline(p)]
        shims = [p for p in leftovers if "containerd-shim" in _cmdline(p)]
        _kill_and_wait([c for s in shims for c in _children(s)], timeout=0)
        _kill_and_wait(leftovers, timeout=10)
        deadline = time.monotonic() + 10
        while self.socket.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        if self.socket.exists():
            with contextlib.suppress(OSError):
                self.socket.unlink()
        self.dockerd_proc = None
        if self._log_file is not None:
            self._log_file.close()
            self._log_file = None

    def restart_dockerd(self, **kwargs: Any) -> subprocess.Popen:
        self.stop_dockerd()
        return self.start_dockerd(**kwargs)

    def chown_socket(self, gid: int, mode: int = 0o660) -> None:
        """Give the dockerd socket to group ``gid`` with ``mode`` (for non-root tests)."""
        os.chown(str(self.socket), 0, gid)
        os.chmod(str(self.socket), mode)

    def docker(
        self, *args: str, check: bool = True, timeout: float = 60, input: Optional[str] = None
    ) -> subprocess.CompletedProcess:
        """Run the docker client against the lab daemon (text mode)."""
        argv = [str(self.bin / "docker") if (self.bin / "docker").exists() else "docker"]
        argv += list(args)
        r = subprocess.run(
            argv,
            env=self.env(),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            universal_newlines=True,
            timeout=timeout,
            input=input,
            stdin=None if input is not None else subprocess.DEVNULL,
        )
        if check and r.returncode != 0:
            raise LabError(
                "docker %s failed (%d): %s" % (" ".join(args), r.returncode, r.stderr.strip())
            )
        return r

    # -- images ------------------------------------------------------------------------

    def busybox_rootfs(self) -> Path:
        """A busybox root filesystem (every applet linked in /bin), built once per lab."""
        rootfs = self.base / "bbroot"
        if (rootfs / "bin" / "busybox").exists():
            return rootfs
        bb = _busybox()
        if bb is None:
            raise LabError("busybox is not installed (apt-get install busybox-static)")
        for d in ("bin", "usr/bin", "etc", "tmp", "root", "proc", "sys", "dev"):
            (rootfs / d).mkdir(parents=True, exist_ok=True)
        os.chmod(str(rootfs / "tmp"), 0o1777)
        shutil.copy2(bb, str(rootfs / "bin" / "busybox"))
        applets = subprocess.run(
            [bb, "--list"], stdout=subprocess.PIPE, universal_newlines=True, check=True
        ).stdout.split()
        for a in applets:
            if a != "busybox" and "/" not in a:
                with contextlib.suppress(FileExistsError):
                    os.symlink("busybox", str(rootfs / "bin" / a))
        (rootfs / "etc" / "passwd").write_text("root:x:0:0:root:/root:/bin/sh\n")
        (rootfs / "etc" / "group").write_text("root:x:0:\n")
        return rootfs

    def import_busybox_image(self, name: str, env: Optional[Dict[str, str]] = None) -> str:
        """``docker import`` a busybox rootfs as ``name``; ``env`` becomes ``ENV`` changes."""
        rootfs = self.busybox_rootfs()
        tarball = self.base / "bbroot.tar"
        if not tarball.exists():
            subprocess.run(["tar", "-C", str(rootfs), "-cf", str(tarball), "."], check=True)
        args = ["import"]
        changes = dict(env or {})
        changes.setdefault("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin")
        for k, v in changes.items():
            args += ["--change", "ENV %s=%s" % (k, json.dumps(str(v), ensure_ascii=False))]
        args += ['--change', 'CMD ["sh"]', str(tarball), name]
        self.docker(*args, timeout=120)
        return name

    # -- registry ----------------------------------------------------------------------

    def start_registry(self, timeout: float = 20) -> str:
        """Start docker-registry on a free 127.0.0.1 port; return ``http://127.0.0.1:PORT``."""
        if self.registry_url and self.registry_proc and self.registry_proc.poll() is None:
            return self.registry_url
        exe = _which("docker-registry")
        if exe is None:
            raise LabError("docker-registry is not installed (apt-get install docker-registry)")
        port = _free_port()
        storage = self.base / "registry"
        storage.mkdir(exist_ok=True)
        config = self.base / "registry.yml"
        config.write_text(
            "version: 0.1\n"
            "log:\n  level: warn\n  accesslog:\n    disabled: true\n"
            "storage:\n  filesystem:\n    rootdirectory: %s\n  delete:\n    enabled: true\n"
            "http:\n  addr: 127.0.0.1:%d\n" % (storage, port)
        )
        log = open(str(self.base / "registry.log"), "ab")
        try:
            self.registry_proc = subprocess.Popen(
                [exe, "serve", str(config)],
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                env=self.env(),
                start_new_session=True,
                cwd=str(self.base),
            )
        finally:
            log.close()
        url = "http://127.0.0.1:%d" % port
        deadline = time.monotonic() + timeout
        while True:
            if self.registry_proc.poll() is not None:
                raise LabError(
                    "docker-registry exited (%s)" % self.registry_proc.returncode,
                    (self.base / "registry.log").read_text(errors="replace")[-3000:],
                )
            try:
                with urllib.request.urlopen(url + "/v2/", timeout=2) as resp:
                    if resp.status == 200 and resp.headers.get(
                        "Docker-Distribution-Api-Version"
                    ) == "registry/2.0":
                        break
            except (OSError, urllib.error.URLError):
                pass
            if time.monotonic() > deadline:
                raise LabError("docker-registry not ready after %ss" % timeout)
            time.sleep(0.1)
        self.registry_url = url
        return url

    @property
    def registry_host(self) -> str:
        if not self.registry_url:
            raise LabError("the registry is not started")
        return self.registry_url.split("://", 1)[1]

    def push_to_registry(self, local_image: str, repo_tag: str) -> str:
        """Tag ``local_image`` as ``127.0.0.1:PORT/<repo_tag>``, push it; return that ref."""
        ref = "%s/%s" % (self.registry_host, repo_tag)
        self.docker("tag", local_image, ref)
        self.docker("push", ref, timeout=120)
        return ref

    def stop_registry(self) -> None:
        proc = self.registry_proc
        if proc is not None:
            _kill_and_wait([proc.pid])
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(5)
        self.registry_proc = None
        self.registry_url = None

    # -- fake servers ------------------------------------------------------------------

    @contextlib.contextmanager
    def hung_socket(self) -> Iterator[str]:
        """A unix socket that accepts connections and never answers; yields its path."""
        path = str(self.base / ("hung%d.sock" % len(self._servers)))
        server = _HungUnixServer(path)
        self._servers.append(server)
        try:
            yield path
        finally:
            server.close()
            with contextlib.suppress(ValueError):
                self._servers.remove(server)

    @contextlib.contextmanager
    def bad_mirror(self, html: bool = False) -> Iterator[str]:
        """An HTTP server on 127.0.0.1 answering 404 (or 200 + an HTML page); yields its URL."""
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _bad_mirror_handler(html))
        server.daemon_threads = True
        thread = threading.Thread(target=server.serve_forever, name="lab-bad-mirror", daemon=True)
        thread.start()
        self._servers.append(server)
        try:
            yield "http://127.0.0.1:%d" % server.server_address[1]
        finally:
            server.shutdown()
            server.server_close()
            thread.join(2)
            with contextlib.suppress(ValueError):
                self._servers.remove(server)

    # -- chroot ------------------------------------------------------------------------

    def chroot(self, *argv: str, timeout: float = 30) -> subprocess.CompletedProcess:
        """Run ``argv`` (default: /bin/sh) chrooted into lab.root."""
        return subprocess.run(
            [_which("chroot") or "/usr/sbin/chroot", str(self.root)] + (list(argv) or ["/bin/sh"]),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            universal_newlines=True,
            timeout=timeout,
            env={"PATH": "/usr/bin:/bin", "HOME": "/"},
        )

    # -- cleanup -----------------------------------------------------------------------

    def _mounts_under_base(self) -> List[str]:
        out = []
        prefix = str(self.base) + "/"
        try:
            with open("/proc/self/mountinfo") as f:
                for line in f:
                    mp = line.split()[4].encode().decode("unicode_escape")
                    if mp.startswith(prefix) or mp == str(self.base):
                        out.append(mp)
        except OSError:
            pass
        return out

    def cleanup(self) -> None:
        """Stop everything the lab started, unmount what is under it, remove its directory."""
        if self._cleaned:
            return
        self._cleaned = True
        for server in list(self._servers):
            with contextlib.suppress(Exception):
                if isinstance(server, _HungUnixServer):
                    server.close()
                else:
                    server.shutdown()
                    server.server_close()
        self._servers = []
        with contextlib.suppress(Exception):
            self.stop_dockerd()
        with contextlib.suppress(Exception):
            self.stop_registry()
        _kill_and_wait(self._lab_pids(), timeout=5)
        for mp in sorted(self._mounts_under_base(), key=len, reverse=True):
            subprocess.run(["umount", "-l", mp], stderr=subprocess.DEVNULL)
        shutil.rmtree(str(self.base), ignore_errors=True)
        _LIVE_LABS.discard(self)


def _sh_quote(s: str) -> str:
    import shlex

    return shlex.quote(s)


# ----------------------------------------------------------------------------------------
# running dldoctor and other programs


UserSpec = Union[int, str, Tuple[int, int, Sequence[int]], None]


def _resolve_user(user: UserSpec) -> Tuple[int, int, List[int]]:
    """int uid, a name (``"nobody"``), or ``(uid, gid, [groups])``."""
    if isinstance(user, tuple):
        uid, gid, groups = user
        return int(uid), int(gid), [int(g) for g in groups]
    import pwd

    pw = pwd.getpwnam(user) if isinstance(user, str) else pwd.getpwuid(int(user))
    return pw.pw_uid, pw.pw_gid, []


def setpriv_argv(uid: int, gid: int, groups: Sequence[int], argv: Sequence[str]) -> List[str]:
    cmd = ["setpriv", "--reuid=%d" % uid, "--regid=%d" % gid]
    if groups:
        cmd.append("--groups=" + ",".join(str(g) for g in groups))
    else:
        cmd.append("--clear-groups")
    return cmd + ["--"] + list(argv)


def run_as(
    uid: int,
    gid: int,
    groups: Sequence[int],
    argv: Sequence[str],
    env: Optional[Dict[str, str]] = None,
    timeout: float = 60,
    cwd: Optional[str] = None,
) -> subprocess.CompletedProcess:
    """Run ``argv`` as uid/gid with exactly ``groups`` (setpriv); text output captured.

    Use an existing user (nobody, 65534); never create host users.
    """
    env = dict(os.environ if env is None else env)
    env.setdefault("HOME", "/nonexistent")
    return subprocess.run(
        setpriv_argv(uid, gid, groups, argv),
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        universal_newlines=True,
        timeout=timeout,
        cwd=cwd or "/",
    )


def _dldoctor_env(env: Optional[Dict[str, str]]) -> Dict[str, str]:
    """``env`` (default os.environ) with src/ on PYTHONPATH when this process imports
    dldoctor from src/ through sys.path (``PYTHONPATH=src pytest``) or cannot import it at
    all; an installed (editable) dldoctor is left alone."""
    env = dict(os.environ if env is None else env)
    src = str(REPO / "src")
    on_path = any(os.path.realpath(p or ".") == src for p in sys.path)
    if on_path or importlib.util.find_spec("dldoctor") is None:
        parts = [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p]
        if src not in parts:
            env["PYTHONPATH"] = os.pathsep.join([src] + parts)
    return env


def run_dldoctor(
    args: Sequence[str],
    env: Optional[Dict[str, str]] = None,
    timeout: float = 60,
    user: UserSpec = None,
    input: Optional[str] = None,
) -> subprocess.CompletedProcess:
    """Run ``python -m dldoctor ARGS`` with this interpreter; text stdout/stderr captured.

    ``user``: None (as the caller), a uid, a user name, or ``(uid, gid, [groups])``.
    """
    argv = [sys.executable, "-m", "dldoctor"] + [str(a) for a in args]
    env = _dldoctor_env(env)
    if user is not None:
        uid, gid, groups = _resolve_user(user)
        env.setdefault("HOME", "/nonexistent")
        argv = setpriv_argv(uid, gid, groups, argv)
    return subprocess.run(
        argv,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        input=input,
        stdin=None if input is not None else subprocess.DEVNULL,
        universal_newlines=True,
        timeout=timeout,
        cwd=str(REPO),
    )


def lab_required() -> bool:
    """In CI (CI=true) or with DLDOCTOR_REQUIRE_LAB=1 the lab tests must run, never skip."""
    return (
        os.environ.get("CI", "").lower() == "true"
        or os.environ.get("DLDOCTOR_REQUIRE_LAB") == "1"
    )


def require_lab() -> None:
    """Skip (or, when the lab is required, fail) if this machine cannot run a lab."""
    missing = missing_prerequisites()
    if not missing:
        return
    msg = "Docker lab unavailable, missing: " + ", ".join(missing)
    if lab_required():
        pytest.fail(msg + " (CI=true or DLDOCTOR_REQUIRE_LAB=1: lab tests must not skip;"
                    " run scripts/test to install them)", pytrace=False)
    pytest.skip(msg)
