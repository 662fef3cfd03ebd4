"""host.process, the one process runner: deadlines, output caps and kills a user would notice as a
hang or a flood if they were missing."""
from __future__ import annotations

import os
import sys
import time

from dldoctor.host import process

PY = sys.executable


def _gone(pid: int) -> bool:
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().rsplit(")", 1)[1].split()[0] in ("Z", "X")
    except OSError:
        return True


def test_run_collects_output_and_status():
    res = process.run((PY, "-c", "import sys; print('out'); print('err', file=sys.stderr); "
                       "sys.exit(3)"), timeout=10)
    assert (res.rc, res.stdout, res.stderr) == (3, "out\n", "err\n")


def test_run_feeds_input_and_uses_cwd_and_env(tmp_path):
    res = process.run((PY, "-c", "import os, sys; print(sys.stdin.read(), os.getcwd(), "
                       "os.environ['X_ONE_DOOR'])"), timeout=10, input=b"hello",
                      cwd=str(tmp_path), env=dict(os.environ, X_ONE_DOOR="yes"))
    assert res.stdout == "hello %s yes\n" % tmp_path


def test_run_timeout_kills_the_whole_group(tmp_path):
    pidfile = tmp_path / "child"
    code = ("import subprocess, sys, time; p = subprocess.Popen([sys.executable, '-c', "
            "'import time; time.sleep(60)']); open(%r, 'w').write(str(p.pid)); time.sleep(60)"
            % str(pidfile))
    start = time.monotonic()
    res = process.run((PY, "-c", code), timeout=1.5)
    assert res.timed_out and res.rc is None and time.monotonic() - start < 10
    grandchild = int(pidfile.read_text())
    deadline = time.monotonic() + 5
    while not _gone(grandchild) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _gone(grandchild)


def test_run_caps_output():
    res = process.run((PY, "-c", "import sys\nwhile True: sys.stdout.write('x' * 65536)"),
                      timeout=20, cap=100000)
    assert res.truncated and res.rc is None and len(res.stdout) == 100000


def test_run_missing_program_is_not_found():
    res = process.run(("/nonexistent/dldoctor-none",), timeout=5)
    assert res.not_found and "command not found" in res.stderr


def test_stream_hands_over_each_line_as_it_comes():
    seen = []
    code = ("import sys, time\nfor i in range(3):\n print('line', i, flush=True)\n"
            " print('e', i, file=sys.stderr, flush=True)\n time.sleep(0.2)\n"
            "sys.stdout.write('tail')")
    stamps = []

    def on_line(line):
        seen.append(line)
        stamps.append(time.monotonic())

    res = process.stream((PY, "-c", code), on_line, timeout=10)
    assert res.rc == 0
    assert [l for l in seen if l.startswith("line")] == ["line 0\n", "line 1\n", "line 2\n"]
    assert seen[-1] == "tail" and res.stdout == "".join(seen)
    assert stamps[-1] - stamps[0] > 0.3          # delivered while it ran, not at the end


def test_stream_timeout_and_a_failing_callback_leave_no_process(tmp_path):
    res = process.stream((PY, "-c", "import time; print('x', flush=True); time.sleep(60)"),
                         lambda line: None, timeout=1)
    assert res.timed_out

    pidfile = tmp_path / "pid"

    def boom(line):
        raise RuntimeError("stop")

    code = "import os, time; open(%r, 'w').write(str(os.getpid())); print('x', flush=True); " \
           "time.sleep(60)" % str(pidfile)
    try:
        process.stream((PY, "-c", code), boom, timeout=30)
    except RuntimeError:
        pass
    else:
        raise AssertionError("the callback's error was swallowed")
    assert _gone(int(pidfile.read_text()))


def test_spawn_detaches_and_logs(tmp_path):
    log = tmp_path / "logs" / "d.log"
    log.parent.mkdir()
    log.write_bytes(b"old\n")
    h = process.spawn((PY, "-c", "import os; print(os.getcwd(), os.getsid(0) == os.getpid())"),
                      log=str(log), log_header=b"--- start\n", cwd=str(tmp_path))
    assert h.wait(10) == 0 and h.poll() == 0 and h.returncode == 0
    assert h.log_offset == 4
    assert log.read_bytes() == b"old\n--- start\n%s True\n" % str(tmp_path).encode()


def test_spawn_kill_and_wait():
    h = process.spawn((PY, "-c", "import time; time.sleep(60)"))
    assert h.poll() is None and h.wait(0.2) is None
    h.kill()
    assert h.wait(10) is not None
