"""LiveHost: the machine itself, its files seen under a root prefix (--root, default /).

Commands run with a timeout and never hang dldoctor: a hung docker daemon is a result
(CommandResult.timed_out), not a hang. Evidence is gathered concurrently.
"""
from __future__ import annotations

import os
import pwd
import shlex
import shutil
import stat
import threading
import time
from urllib.parse import urljoin

from dldoctor.evidence import APT_SOURCES_DIR, ENV_VARS, EVIDENCE, PROGRAMS
from dldoctor.host import IS_A_DIRECTORY, NOT_FOUND, CommandResult, Evidence, Host, HttpResponse, warn
from dldoctor.host import addresses, dockerd, paths, proc, process
from dldoctor.host.process import OUTPUT_LIMIT  # noqa: F401  (the bound lives with the runner)
from dldoctor.i18n import _
from dldoctor.records import replace

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Dict, List, Optional, Sequence, Tuple

STANDARD_DIRS = ("/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin",
                 "/snap/bin")
# podman and crun: removing runc removes podman unless crun is there (podman: Depends crun | runc)
DPKG_PATTERNS = ("docker*", "containerd*", "runc", "crun", "moby*", "podman", "podman-docker",
                 "nvidia*", "libnvidia*", "cuda-drivers*")
# A root prefix is untrusted, its programs too (nvidia-smi, lspci...): they run where they can
# neither leave nor act on anything else. No new privileges (a setuid-root or file-capability
# binary of the root gains nothing at exec; a root process leaves a plain chroot); a uid of their
# own that no process of this machine has (nothing to signal or ptrace); their own pid, network,
# IPC and UTS namespaces (whatever they start dies with them; no network); none of dldoctor's
# environment (proxy passwords, tokens).
UNTRUSTED_UID_BASE = 0x7FFE0000
UNTRUSTED_ENV = {"PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "LC_ALL": "C"}
_CONFINE = ("setpriv", "unshare", "chroot")
# Where the dockerd of Docker's snap (canonical/docker-snap) reads daemon.json: its wrapper passes
# --config-file=$SNAP_DATA/config/daemon.json; `current` is the revision in use.
SNAP_DAEMON_JSON = "/var/snap/docker/current/config/daemon.json"
# Bound (docs/security-paths.md): what one HTTP answer may hold (a command's: process.OUTPUT_LIMIT).
BODY_LIMIT = 65536


def mask_secrets(text: str) -> str:
    """Hide secrets (proxy passwords, tokens): the one scrubber, dldoctor.scrub.mask."""
    from dldoctor.scrub import mask

    return mask(text)


class LiveHost(Host):
    is_live = True

    def __init__(self, root: str = "/", timeout: float = 10.0,
                 env: Optional[Dict[str, str]] = None):
        self.root = os.path.abspath(root or "/")
        self.timeout = timeout
        self.env = dict(os.environ if env is None else env)
        self._cache: Dict[str, Evidence] = {}
        self._uid: Optional[int] = None

    # --- paths ---------------------------------------------------------------------------------
    def path(self, target: str) -> str:
        """The live path of a target path: under a root, symlinks are resolved inside it (absolute
        targets re-rooted, a `..` above it refused with paths.UnsafePath)."""
        return paths.under(self.root, target)

    def _safe_path(self, target: str) -> Optional[str]:
        """path(), or None (with a warning) when it would lead outside the root."""
        try:
            return self.path(target)
        except paths.UnsafePath as exc:
            warn(str(exc))
            return None

    def target_path(self, live: str) -> str:
        """A live absolute path as the target sees it (strips the root prefix when inside it)."""
        return paths.target_of(self.root, live)

    def read(self, path: str) -> Optional[bytes]:
        """A regular file's bytes under the root (at most paths.READ_LIMIT), never following a
        link out of the root; None when absent, unreadable, a FIFO or a device."""
        live = self._safe_path(path)
        if live is None:
            return None
        try:
            data, cut = paths.read_file(live, root=None if self.root == "/" else self.root)
        except paths.UnsafePath as exc:
            warn(str(exc))
            return None
        except paths.NotRegular:
            warn(_("{path} is not a regular file (a FIFO, device or directory): not read").format(
                path=live))
            return None
        except (OSError, ValueError):
            return None
        if cut:
            warn(_("{path} is larger than {n} bytes: truncated").format(
                path=live, n=paths.READ_LIMIT))
        return data

    def exists(self, path: str) -> bool:
        live = self._safe_path(path)
        return live is not None and os.path.exists(live)

    def _lexists(self, path: str) -> bool:
        """Whether anything is at `path` (a dangling link too); True when it cannot be told."""
        live = self._safe_path(path)
        return live is None or os.path.lexists(live)

    def listdir(self, path: str) -> Optional[Tuple[str, ...]]:
        live = self._safe_path(path)
        if live is None:
            return None
        try:
            return tuple(sorted(os.listdir(live)))
        except OSError:
            return None

    @staticmethod
    def read_kernel(path: str) -> Optional[bytes]:
        try:
            return paths.read_file(path)[0]
        except (OSError, paths.UnsafePath):
            return None

    def which(self, name: str) -> Optional[str]:
        """Where `name` is on the target, as a target path; None when absent."""
        dirs: List[str] = []
        if self.root == "/":
            dirs.extend(p for p in self.env.get("PATH", "").split(os.pathsep) if p)
        else:
            for p in self.env.get("PATH", "").split(os.pathsep):
                if p.startswith(self.root + "/"):
                    dirs.append(self.target_path(p))
        dirs.extend(STANDARD_DIRS)
        seen = set()
        for d in dirs:
            if d in seen:
                continue
            seen.add(d)
            cand = os.path.join(d, name)
            live = self._safe_path(cand) if self.root != "/" else cand
            if live is not None and os.path.isfile(live) and os.access(live, os.X_OK):
                return cand
        return None

    # --- commands ------------------------------------------------------------------------------
    def run(self, argv: Sequence[str], timeout: Optional[float] = None,
            input: Optional[bytes] = None, env: Optional[Dict[str, str]] = None) -> CommandResult:
        return process.run(argv, timeout=self.timeout if timeout is None else timeout,
                           env=env or self.env, input=input)

    def run_host_cmd(self, argv: Sequence[str], timeout: Optional[float] = None) -> CommandResult:
        """A program reporting on the machine: chrooted under a root prefix, or not run at all."""
        if self.root == "/":
            return self.run(argv, timeout)
        found = self.which(argv[0])
        if found is None:
            return CommandResult(tuple(argv), NOT_FOUND, "", "%s: command not found\n" % argv[0])
        if os.geteuid() != 0 or not self.exists("/bin/sh"):
            return CommandResult(tuple(argv), None, error="cannot chroot into %s" % self.root)
        tools = [shutil.which(t, path=UNTRUSTED_ENV["PATH"]) for t in _CONFINE]
        if None in tools:
            return CommandResult(tuple(argv), None, error="cannot confine %s's programs: no %s here" % (
                self.root, " or ".join(t for t, w in zip(_CONFINE, tools) if w is None)))
        setpriv, unshare, chroot = [t for t in tools if t]
        uid = self._untrusted_uid()
        real = (setpriv, "--no-new-privs", "--", unshare, "--pid", "--fork", "--kill-child", "--net", "--ipc", "--uts",
                "--", chroot, "--userspec=%d:%d" % (uid, uid), "--groups=%d" % uid, self.root, found) + tuple(argv[1:])
        try:
            res = process.run(real, timeout=self.timeout if timeout is None else timeout, env=UNTRUSTED_ENV)
        finally:
            proc.kill_chrooted(self.root, uid)
        shown = ("chroot", self.root, found) + tuple(argv[1:])
        if res.rc not in (0, None) and res.stderr.startswith(tuple(t + ":" for t in _CONFINE + tuple(tools) if t)):
            # the confinement's own failure (the root's directories closed to an unprivileged user,
            # an old unshare or chroot): no answer from the program, not its output
            return CommandResult(shown, None, error=res.stderr.strip()[:200])
        return replace(res, argv=shown)

    def _untrusted_uid(self) -> int:
        """A uid no process of this machine runs as, the same for this host's every run."""
        if self._uid is None:
            used = set(filter(None, (proc.owner(p) for p in proc.pids())))
            uid = UNTRUSTED_UID_BASE + (os.getpid() & 0xFFFF)
            while uid in used:
                uid += 1
            self._uid = uid
        return self._uid

    # --- network -------------------------------------------------------------------------------
    def http_get(self, url: str, timeout: float = 5.0,
                 headers: Optional[Dict[str, str]] = None) -> HttpResponse:
        """GET with one deadline for everything (connect, headers, body) and a body limit.

        requests bounds each socket read, not the whole answer: a server dripping a byte a
        second never trips it. The request runs in a worker thread; at the deadline the answer
        is "no answer within N s" and the worker is left to die on its own read timeout.
        """
        return http_get_bounded(url, timeout, headers)

    def getenv(self, name: str) -> Optional[str]:
        return self.env.get(name)

    # --- evidence ------------------------------------------------------------------------------
    def evidence(self, name: str) -> Evidence:
        if name not in self._cache:
            self._cache[name] = self._collect(name)
        return self._cache[name]

    def gather(self, names: Sequence[str]) -> Dict[str, Evidence]:
        todo = [n for n in names if n not in self._cache]
        # The docker CLI calls are the slow ones (and the ones a hung daemon stalls): start first.
        todo.sort(key=lambda n: 0 if EVIDENCE.get(n) and EVIDENCE[n].kind == "docker-cmd" else 1)
        if todo:
            # Plain threads, not concurrent.futures: that import (and logging with it) costs
            # more than the pool saves on a command run every minute.
            results: Dict[str, Evidence] = {}

            def work(name: str) -> None:
                results[name] = self._collect(name)

            threads = [threading.Thread(target=work, args=(n,), daemon=True) for n in todo[1:]]
            for t in threads:
                t.start()
            work(todo[0])
            for t in threads:
                t.join()
            self._cache.update(results)
        return {n: self._cache[n] for n in names}

    def evidence_group(self, prefix: str) -> Dict[str, Evidence]:
        """apt-sources/: sources.list and every file of sources.list.d, as snapshot names."""
        if prefix != APT_SOURCES_DIR:
            return {}
        out: Dict[str, Evidence] = {}
        files = ["/etc/apt/sources.list"]
        for f in self.listdir("/etc/apt/sources.list.d") or ():
            files.append("/etc/apt/sources.list.d/" + f)
        total = 0
        for i, path in enumerate(files):
            # files read, not names tried: a missing sources.list, a directory or a dangling link
            # takes no place (gather infers the cut from the number read); tries are bounded too
            if len(out) >= paths.APT_SOURCES_MAX_FILES or total > paths.APT_SOURCES_MAX_BYTES or \
                    i >= 4 * paths.APT_SOURCES_MAX_FILES:
                warn(_("/etc/apt/sources.list.d under {root} holds more than a host's few "
                       "files: only the first {n} files ({size} bytes) were read").format(
                           root=self.root, n=len(out), size=total))
                break
            data = self.read(path)
            if data is not None:
                data = data[:paths.APT_SOURCES_MAX_BYTES - total]
                total += len(data) + 1
                name = "%s/%s" % (APT_SOURCES_DIR, os.path.basename(path))
                out[name] = Evidence(name, _dec(data), source=path)
        return out

    def _collect(self, name: str) -> Evidence:
        src = EVIDENCE[name]
        if src.kind == "file":
            for p in src.what:
                data = self.read(p)
                if data is not None:
                    return Evidence(name, _dec(data), source=p)
            if name == "os-release" and not any(self._lexists(p) for p in src.what):
                return Evidence(name, "", exit=1, source=src.what[0])    # missing, as `cat` says
            return Evidence(name, None, source=src.what[0])
        if src.kind == "kernel":
            data = self.read_kernel(src.what[0])
            return Evidence(name, None if data is None else _dec(data), source=src.what[0])
        if src.kind in ("host-cmd", "docker-cmd"):
            if src.kind == "host-cmd":
                res = self.run_host_cmd(src.what)
                if name == "lspci" and res.not_found and self.root == "/":
                    return self._pci_from_sysfs(name) or _from_result(name, res)
            else:
                res = self.run(src.what)
            return _from_result(name, res)
        return getattr(self, "_ev_" + name.replace("-", "_").replace(".", "_"))(name)

    # internal evidence ----------------------------------------------------------------------
    def _pci_from_sysfs(self, name: str) -> Optional[Evidence]:
        """`lspci -n` lines from /sys/bus/pci (pciutils is often not installed on servers)."""
        base = "/sys/bus/pci/devices"
        try:
            slots = sorted(os.listdir(base))
        except OSError:
            return None
        lines = []
        for slot in slots:
            vals = []
            for attr in ("class", "vendor", "device"):
                data = self.read_kernel("%s/%s/%s" % (base, slot, attr))
                vals.append(_dec(data or b"").strip().replace("0x", ""))
            cls, ven, dev = vals
            if len(cls) >= 4 and ven and dev:
                lines.append("%s %s: %s:%s" % (slot, cls[:4], ven, dev))
        return Evidence(name, "".join(l + "\n" for l in lines), exit=0, source=base)

    def _ev_uname_r(self, name: str) -> Evidence:
        return Evidence(name, os.uname().release + "\n", source="uname -r")

    def _ev_cgroup(self, name: str) -> Evidence:
        mounts = self.read_kernel("/proc/mounts")
        if mounts is None:
            return Evidence(name, None, source="/proc/mounts")
        fstype = None
        for line in _dec(mounts).splitlines():
            parts = line.split()
            if len(parts) >= 3 and parts[1] == "/sys/fs/cgroup":
                fstype = parts[2]
        if fstype is None:
            return Evidence(name, None, source="/proc/mounts")
        return Evidence(name, ("cgroup2fs" if fstype == "cgroup2" else fstype) + "\n",
                        source="stat -fc %T /sys/fs/cgroup")

    def _ev_systemd(self, name: str) -> Evidence:
        running = self.root == "/" and os.path.isdir("/run/systemd/system")
        return Evidence(name, "yes\n" if running else "no\n", source="/run/systemd/system")

    def _ev_gpu_hook(self, name: str) -> Evidence:
        """When dockerd started and when the NVIDIA hook arrived (its inode's ctime: dpkg keeps the
        package's mtime): dockerd registers the --gpus driver only if the hook was there at start."""
        lines = []
        pid = self._dockerd_pid()
        started = proc.start_time(pid) if pid is not None else None
        if started is not None:
            lines.append("dockerd-started: %d" % started)
        hook = self.which("nvidia-container-runtime-hook")
        if hook is not None:
            try:
                lines.append("hook: %s %d" % (hook, int(os.stat(self.path(hook)).st_ctime)))
            except (OSError, paths.UnsafePath):
                pass
        return Evidence(name, "".join(l + "\n" for l in lines), source="/proc/PID/stat, stat")

    def _ev_env(self, name: str) -> Evidence:
        lines = ["%s=%s" % (k, mask_secrets(self.env[k])) for k in ENV_VARS if self.env.get(k)]
        return Evidence(name, "".join(l + "\n" for l in lines), source="environment")

    def _ev_which(self, name: str) -> Evidence:
        lines = []
        for prog in PROGRAMS:
            lines.append("%s: %s" % (prog, self.which(prog) or "-"))
        return Evidence(name, "\n".join(lines) + "\n", source="PATH")

    def _ev_id(self, name: str) -> Evidence:
        users = _name_table(self.read("/etc/passwd"), 2)
        groups = _name_table(self.read("/etc/group"), 2)
        uid, gid = os.getuid(), os.getgid()
        gids = [gid] + [g for g in os.getgroups() if g != gid]

        def fmt(num: int, table: Dict[int, str]) -> str:
            return "%d(%s)" % (num, table[num]) if num in table else str(num)

        user = users.get(uid)
        if user is None:
            try:
                user = pwd.getpwuid(uid).pw_name if self.root == "/" else None
            except KeyError:
                user = None
        text = "uid=%s gid=%s groups=%s\n" % (
            "%d(%s)" % (uid, user) if user else str(uid), fmt(gid, groups),
            ",".join(fmt(g, groups) for g in gids))
        return Evidence(name, text, source="id")

    def _dockerd_pid(self) -> Optional[int]:
        # No pidfile: on the machine itself, look for a dockerd (DOCKER_HOST's one first).
        return dockerd.find_pid(("/var/run/docker.pid", "/run/docker.pid"), self.read,
                                scan=self.root == "/", docker_host=self.env.get("DOCKER_HOST"))

    def _ev_dockerd_cmdline(self, name: str) -> Evidence:
        pid = self._dockerd_pid()
        if pid is not None:
            raw = proc.read(pid, "cmdline")
            if raw:
                argv = [a.decode("utf-8", "replace") for a in raw.rstrip(b"\0").split(b"\0")]
                return Evidence(name, " ".join(shlex.quote(a) for a in argv) + "\n",
                                source="/proc/%d/cmdline" % pid)
        if self.root == "/" and os.path.isdir("/run/systemd/system"):
            res = self.run(("systemctl", "cat", "docker.service"), timeout=5)
            if res.ok:
                return Evidence(name, res.stdout, exit=0, source="systemctl cat docker.service")
        return Evidence(name, None, source="dockerd process")

    def daemon_json_location(self) -> str:
        """--config-file of the running dockerd when given, else the snap's file when Docker is
        the snap, else the default path."""
        ev = self.evidence("dockerd-cmdline")
        found = EVIDENCE["dockerd-cmdline"].config_file(ev.text) if ev.text else None
        if not found:
            return SNAP_DAEMON_JSON if self._docker_is_snap(ev) else "/etc/docker/daemon.json"
        # one spelling per file, as the journal records it (dockerd's working directory is /)
        return "/" + os.path.normpath(self.target_path(found)).lstrip("/")

    def _docker_is_snap(self, cmdline: Evidence) -> bool:
        """Docker's snap, whose dockerd reads SNAP_DAEMON_JSON, not /etc/docker/daemon.json: the
        running dockerd's path is under /snap/; or none is seen running, /snap/bin/docker is there
        and no other dockerd is (a docker-ce beside the snap reads /etc/docker/daemon.json)."""
        if cmdline.text and (cmdline.source or "").startswith("/proc/"):
            try:
                argv0 = (shlex.split(cmdline.text) or [""])[0]
            except ValueError:
                return False
            return argv0.startswith(("/snap/", "/var/lib/snapd/snap/"))
        dockerd_at = self.which("dockerd")
        if dockerd_at is not None and not dockerd_at.startswith("/snap/"):
            return False
        bin_dir = self._safe_path("/snap/bin")      # the link itself (to /usr/bin/snap) is not followed
        return bin_dir is not None and os.path.lexists(os.path.join(bin_dir, "docker"))

    def _ev_daemon_json(self, name: str) -> Evidence:
        path = self.daemon_json_location()
        data = self.read(path)
        if data is None:
            live = self._safe_path(path)
            if live is not None and os.path.isdir(live):
                return Evidence(name, None, exit=IS_A_DIRECTORY, source=path)
            exists = self._lexists(path)
            # Missing file: collected, and absent (exit 1 like `cat`), distinct from unreadable.
            return Evidence(name, None if exists else "", exit=None if exists else 1, source=path)
        return Evidence(name, EVIDENCE[name].decode(data), source=path)

    def _ev_packages(self, name: str) -> Evidence:
        admindir = self._safe_path("/var/lib/dpkg")
        if admindir is None or not os.path.isdir(admindir):
            return Evidence(name, None, source="dpkg-query")
        unsafe = _unsafe_dpkg_file(admindir) if self.root != "/" else None
        if unsafe is not None:
            warn(_("{path} is not a plain file (a symbolic link, a device or a FIFO): the package list under {root} was not read")
                 .format(path=unsafe, root=self.root))
            return Evidence(name, None, source="dpkg-query")
        argv = ("dpkg-query", "--admindir=" + admindir, "-W",
                "-f=${Package} ${Version} ${Status}\\n") + DPKG_PATTERNS
        res = self.run(argv, timeout=self.timeout)
        if res.not_found or res.rc is None:
            return Evidence(name, None, source="dpkg-query")
        if res.rc not in (0, 1):
            # 2: it could not read its database (a damaged status file); what it printed is no
            # list of what is installed, and "none" would let fix run apt blind
            warn(_("dpkg-query could not read the package database under {root}: {error}").format(
                root=self.root, error=_last_line(res.stderr, "exit %s" % res.rc)))
            return Evidence(name, None, source="dpkg-query")
        # dpkg-query exits 1 when a pattern matches nothing; the lines it printed still count.
        return Evidence(name, res.stdout, exit=0, source="dpkg-query -W")


# What dpkg-query opens of an admindir (strace of `dpkg-query --admindir=D -W`): its files, the
# directories they are in, and every entry of updates/.
_DPKG_FILES = ("arch", "status", "triggers/File", "triggers/Unincorp")
_DPKG_DIRS = ("updates", "triggers")


def _unsafe_dpkg_file(admindir: str) -> Optional[str]:
    """The first of what dpkg-query opens in `admindir` that is not a plain file or directory: a
    symbolic link (it would follow it on this machine, out of the root), a device (opening one can
    act: a watchdog arms), a FIFO (it would wait); None when there is none."""
    def odd(path: str, want: int) -> bool:
        try:
            mode = os.lstat(path).st_mode
        except OSError:
            return False                       # absent: dpkg-query does without it
        return stat.S_IFMT(mode) != want

    for name in _DPKG_DIRS:
        if odd(os.path.join(admindir, name), stat.S_IFDIR):
            return os.path.join(admindir, name)
    updates = os.path.join(admindir, "updates")
    try:
        names = sorted(os.listdir(updates))
    except OSError:
        names = []
    for n in names:                            # (each a journal entry it reads)
        if odd(os.path.join(updates, n), stat.S_IFREG):
            return os.path.join(updates, n)
    for name in _DPKG_FILES:
        if odd(os.path.join(admindir, name), stat.S_IFREG):
            return os.path.join(admindir, name)
    return None


def http_get_bounded(url: str, timeout: float, headers: Optional[Dict[str, str]] = None,
                     limit: int = BODY_LIMIT) -> HttpResponse:
    """One GET whose connect + headers + body end within `timeout` s; at most `limit` body bytes."""
    import requests  # lazy: ~90 ms of import only when something is probed

    start = time.monotonic()
    deadline = start + timeout
    box: Dict[str, HttpResponse] = {}

    def no_metadata_redirect(resp: Any, *args: Any, **kwargs: Any) -> None:
        if resp.is_redirect:
            target = urljoin(resp.url, resp.headers.get("Location", ""))
            if not addresses.url_allowed(target):
                raise requests.exceptions.InvalidURL(
                    "redirect to a link-local or cloud metadata address refused")

    def work() -> None:
        try:
            with requests.get(url, timeout=timeout, headers=headers or {}, allow_redirects=True,
                              stream=True, hooks={"response": no_metadata_redirect}) as resp:
                chunks: List[bytes] = []
                size = 0
                for chunk in resp.iter_content(4096):
                    chunks.append(chunk)
                    size += len(chunk)
                    if size >= limit or time.monotonic() > deadline:
                        break
                box["r"] = HttpResponse(url, resp.status_code, dict(resp.headers),
                                        b"".join(chunks)[:limit], time.monotonic() - start)
        except requests.RequestException as exc:
            box["r"] = HttpResponse(url, None, {}, b"", time.monotonic() - start,
                                    error=_short_error(exc))
        except Exception as exc:  # a Host never raises: a bad URL is an answer, not a crash
            box["r"] = HttpResponse(url, None, {}, b"", time.monotonic() - start,
                                    error=_short_error(exc))

    worker = threading.Thread(target=work, daemon=True, name="dldoctor-http")
    worker.start()
    worker.join(max(0.0, deadline - time.monotonic()))
    found = box.get("r")
    if found is None or found.elapsed > timeout:
        return HttpResponse(url, None, {}, b"", time.monotonic() - start,
                            error="timed out (no complete answer within %.1f s)" % timeout)
    return found


def _dec(data: bytes) -> str:
    return data.decode("utf-8", "replace")


def _from_result(name: str, res: CommandResult) -> Evidence:
    if res.rc is None and not res.timed_out and not res.truncated:
        return Evidence(name, None, source=" ".join(res.argv))
    text = res.output
    if res.timed_out or res.truncated:
        text = (text + "\n" if text else "") + "dldoctor: %s: %s\n" % (res.argv[0], res.error)
    return Evidence(name, text, exit=res.rc, source=" ".join(res.argv), timed_out=res.timed_out)


def _name_table(data: Optional[bytes], idx: int) -> Dict[int, str]:
    table: Dict[int, str] = {}
    for line in _dec(data or b"").splitlines():
        parts = line.split(":")
        if len(parts) > idx and parts[idx].isdigit():
            table.setdefault(int(parts[idx]), parts[0])
    return table


def _short_error(exc: Exception) -> str:
    text = str(exc)
    for key in ("timed out", "Connection refused", "Name or service not known",
                "certificate verify failed", "Temporary failure in name resolution",
                "Network is unreachable", "No route to host"):
        if key in text:
            return key
    return text[:200]


def _last_line(text: str, default: str) -> str:
    from dldoctor.scrub import last_line

    return last_line(text, default)
