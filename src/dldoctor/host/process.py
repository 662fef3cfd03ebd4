"""The one process runner: every command dldoctor starts goes through here.

A hung program is a result, never a hang: each command has a deadline, its output a cap per
stream, and it runs in its own session so that the whole process group is killed when either is
passed. Three shapes: `run` (collect the output), `stream` (hand each line to a callback as it
comes, for `docker pull` progress) and `spawn` (a long-lived daemon, dockerd after a restart,
detached, its output appended to a log file).
"""
from __future__ import annotations

import os
import signal
import subprocess
import time

from dldoctor.host import NOT_FOUND, CommandResult
from dldoctor.host import prefetch

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import IO, Callable, Dict, List, Mapping, Optional, Sequence, Tuple, Union

# Bound (docs/security-paths.md): what one command may print, per stream.
OUTPUT_LIMIT = 1024 * 1024           # real outputs are < 100 KB; parsing 1 MiB costs < 1 s
_CLONE_NEWNS = 0x00020000


def run(argv: Sequence[str], *, timeout: float, env: Optional[Mapping[str, str]] = None,
        input: Optional[bytes] = None, cwd: Optional[str] = None,
        cap: int = OUTPUT_LIMIT) -> CommandResult:
    """Run `argv` to its end, or to `timeout` seconds, or until a stream passes `cap` bytes.

    env None: this process's environment. A `docker info` started early (host.prefetch) with the
    same argv and environment is taken over, its deadline counted from its real start."""
    argv = tuple(argv)
    environ = dict(os.environ if env is None else env)
    early = prefetch.take(argv, environ) if input is None and cwd is None else None
    if early is not None:
        proc, started = early
        wait = max(0.0, timeout - (time.monotonic() - started))
    else:
        stdin = subprocess.PIPE if input is not None else subprocess.DEVNULL
        started_proc = _start(argv, environ, cwd, stdin, subprocess.PIPE)
        if isinstance(started_proc, CommandResult):
            return started_proc
        proc, wait = started_proc, timeout
    out, err, state = _communicate(proc, input, wait, cap)
    return _result(argv, proc, out, err, state, timeout, cap)


def stream(argv: Sequence[str], on_line: Callable[[str], None], *, timeout: float,
           env: Optional[Mapping[str, str]] = None, cwd: Optional[str] = None,
           cap: int = OUTPUT_LIMIT) -> CommandResult:
    """Like run(), stderr merged into stdout, each line handed to `on_line` (in this thread) as
    soon as it is complete. The result's stdout holds the whole output (at most `cap` bytes)."""
    argv = tuple(argv)
    started = _start(argv, dict(os.environ if env is None else env), cwd, subprocess.DEVNULL,
                     subprocess.STDOUT)
    if isinstance(started, CommandResult):
        return started
    pending = [b""]

    def feed(chunk: bytes) -> None:
        lines = (pending[0] + chunk).split(b"\n")
        pending[0] = lines.pop()
        for line in lines:
            on_line(_dec(line + b"\n"))

    out, err, state = _communicate(started, None, timeout, cap, on_chunk=feed)
    if pending[0]:
        on_line(_dec(pending[0]))
    return _result(argv, started, out, err, state, timeout, cap)


class Spawned:
    """A long-lived process started by spawn(): its pid, and the few things done to it."""

    def __init__(self, proc: "subprocess.Popen[bytes]", log_offset: int = 0):
        self._proc = proc
        self.pid = proc.pid
        self.log_offset = log_offset      # where its output starts in the log file

    @property
    def returncode(self) -> Optional[int]:
        return self._proc.returncode

    def poll(self) -> Optional[int]:
        """Its exit status once it has ended (and been reaped), else None."""
        return self._proc.poll()

    def kill(self, sig: int = signal.SIGKILL) -> None:
        """Signal its whole process group (it leads one: spawn starts a new session)."""
        try:
            os.killpg(self.pid, sig)
        except OSError:
            pass

    def wait(self, timeout: float) -> Optional[int]:
        """Its exit status, or None when it is still running after `timeout` seconds."""
        try:
            return self._proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            return None


def spawn(argv: Sequence[str], *, env: Optional[Mapping[str, str]] = None,
          cwd: Optional[str] = None, log: Optional[str] = None, log_header: bytes = b"",
          mount_ns: Optional[int] = None) -> Spawned:
    """Start `argv` detached (new session, stdin /dev/null, no inherited fds) and return at once.

    log: a file its stdout and stderr are appended to (its directory made; `log_header` written
    first), else /dev/null. mount_ns: an fd of a mount namespace to enter first (a dockerd
    restarted where it ran); cwd is entered after it. OSError when it cannot start."""
    argv = list(argv)
    offset = 0
    out: Optional[IO[bytes]] = None
    if log is not None:
        os.makedirs(os.path.dirname(log), exist_ok=True)
        out = open(log, "ab")
    try:
        if out is not None:
            offset = out.seek(0, os.SEEK_END)
            out.write(log_header)
            out.flush()

        def enter() -> None:
            if mount_ns is not None:
                import ctypes
                import ctypes.util

                libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
                if libc.setns(mount_ns, _CLONE_NEWNS) != 0:
                    raise OSError(ctypes.get_errno(), "setns")
            if cwd is not None:
                os.chdir(cwd)

        proc = subprocess.Popen(
            argv, env=None if env is None else dict(env), stdin=subprocess.DEVNULL,
            stdout=out if out is not None else subprocess.DEVNULL, stderr=subprocess.STDOUT,
            start_new_session=True, close_fds=True, preexec_fn=enter)
    finally:
        if out is not None:
            out.close()
    return Spawned(proc, offset)


def _start(argv: Tuple[str, ...], env: Dict[str, str], cwd: Optional[str], stdin: int,
           stderr: int) -> Union["subprocess.Popen[bytes]", CommandResult]:
    try:
        return subprocess.Popen(argv, stdin=stdin, stdout=subprocess.PIPE, stderr=stderr, env=env,
                                cwd=cwd, start_new_session=True)
    except FileNotFoundError:
        if cwd is not None and not os.path.isdir(cwd):
            return CommandResult(argv, None, "", "", error="%s: no such directory" % cwd)
        return CommandResult(argv, NOT_FOUND, "", "%s: command not found\n" % argv[0])
    except OSError as exc:
        return CommandResult(argv, None, "", "", error=str(exc))


def _result(argv: Tuple[str, ...], proc: "subprocess.Popen[bytes]", out: bytes, err: bytes,
            state: str, timeout: float, cap: int) -> CommandResult:
    if state == "timeout":
        return CommandResult(argv, None, _dec(out), _dec(err), timed_out=True,
                             error="no answer within %.1f s" % timeout)
    if state == "limit":
        return CommandResult(argv, None, _dec(out), _dec(err), truncated=True,
                             error="output over %d bytes: stopped" % cap)
    return CommandResult(argv, proc.returncode, _dec(out), _dec(err))


def _dec(data: bytes) -> str:
    return data.decode("utf-8", "replace")


def _kill_group(proc: "subprocess.Popen[bytes]") -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except OSError:
        pass
    try:
        proc.wait(timeout=1)
    except subprocess.TimeoutExpired:
        pass


def _write_some(fd: int, pending: memoryview) -> memoryview:
    """What is left of `pending` after one non-blocking write (nothing once the reader is gone)."""
    try:
        return pending[os.write(fd, pending[:65536]):]
    except BlockingIOError:
        return pending
    except OSError:            # BrokenPipeError included: the rest cannot be delivered
        return pending[len(pending):]


def _communicate(proc: "subprocess.Popen[bytes]", input: Optional[bytes], wait: float,
                 limit: int, on_chunk: Optional[Callable[[bytes], None]] = None
                 ) -> Tuple[bytes, bytes, str]:
    """(stdout, stderr, "done" | "timeout" | "limit"): like communicate(), but the process group
    is killed at the deadline or once either stream passes `limit` bytes (kept: the first limit).
    on_chunk: called with each piece of stdout as it is read."""
    import selectors

    deadline = time.monotonic() + max(0.0, wait)
    bufs: Dict[int, List[bytes]] = {}
    sizes: Dict[int, int] = {}
    sel = selectors.DefaultSelector()
    for stream_ in (proc.stdout, proc.stderr):
        if stream_ is not None:
            fd = stream_.fileno()
            os.set_blocking(fd, False)
            sel.register(fd, selectors.EVENT_READ)
            bufs[fd], sizes[fd] = [], 0
    out_fd = proc.stdout.fileno() if proc.stdout is not None else -1
    pending = memoryview(input or b"")
    stdin_fd = -1
    if proc.stdin is not None:
        if input:
            stdin_fd = proc.stdin.fileno()
            os.set_blocking(stdin_fd, False)
            sel.register(stdin_fd, selectors.EVENT_WRITE)
        else:
            proc.stdin.close()
    state = "done"
    try:
        while sel.get_map():
            left = deadline - time.monotonic()
            if left <= 0:
                state = "timeout"
                break
            for key, _ev in sel.select(min(left, 1.0)):
                fd = key.fd
                if fd == stdin_fd:
                    pending = _write_some(fd, pending)
                    if not pending:
                        sel.unregister(fd)
                        proc.stdin.close()      # type: ignore[union-attr]
                    continue
                try:
                    chunk = os.read(fd, 65536)
                except BlockingIOError:
                    continue
                except OSError:
                    chunk = b""
                if not chunk:
                    sel.unregister(fd)
                    continue
                bufs[fd].append(chunk)
                sizes[fd] += len(chunk)
                if on_chunk is not None and fd == out_fd:
                    on_chunk(chunk)
                if sizes[fd] > limit:
                    state = "limit"
            if state == "limit":
                break
    except BaseException:       # an on_chunk that raises (or ^C) leaves no process behind
        _kill_group(proc)
        raise
    else:
        if state == "done":
            try:
                proc.wait(timeout=max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                state = "timeout"
    finally:
        sel.close()
    if state != "done":
        _kill_group(proc)
    fds = [s.fileno() if s is not None else -1 for s in (proc.stdout, proc.stderr)]
    for s in (proc.stdin, proc.stdout, proc.stderr):
        if s is not None:
            try:
                s.close()
            except OSError:
                pass
    out, err = (b"".join(bufs.get(fd, []))[:limit] for fd in fds)
    return out, err, state
