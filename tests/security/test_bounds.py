"""Every read and wait is bounded: a command that prints forever, a mirror that drips a byte a
second or answers an endless body, end within --timeout + 2 s and under 300 MB. The servers and
commands are started by the test (127.0.0.1 only); time bounds are loose (a safety property,
not a benchmark)."""
from __future__ import annotations

import json
import os
import socket
import threading
import time

import pytest

from dldoctor.host.live import BODY_LIMIT, OUTPUT_LIMIT, LiveHost, http_get_bounded
from measure import measured  # tests/measure.py

PEAK_MB = 300

# --- commands -----------------------------------------------------------------------------------


@pytest.fixture
def endless_bin(tmp_path):
    """A directory whose nvidia-smi prints forever (fast), first on PATH."""
    d = tmp_path / "bin"
    d.mkdir()
    smi = d / "nvidia-smi"
    smi.write_text("#!/bin/sh\nexec yes 'GPU 0: NVIDIA Endless (UUID: GPU-0)'\n")
    smi.chmod(0o755)
    return str(d)


def test_command_printing_forever_is_stopped_in_process(endless_bin):
    host = LiveHost("/", timeout=2, env=dict(os.environ, PATH=endless_bin + ":/usr/bin:/bin"))
    start = time.monotonic()
    res = host.run(["nvidia-smi"])
    assert time.monotonic() - start < 2 + 2
    assert res.truncated and res.rc is None
    assert len(res.stdout) <= OUTPUT_LIMIT
    ev = host.evidence("nvidia-smi")
    assert ev.text is not None and "output over" in ev.text


def test_check_with_endless_nvidia_smi_ends_in_time_and_memory(endless_bin):
    r = measured(["check", "--timeout", "2", "--no-probe"],
                 env={"PATH": endless_bin + ":" + os.environ.get("PATH", "/usr/bin:/bin")})
    assert "Traceback" not in r["stderr"]
    assert r["rc"] in (0, 1), r["stderr"]
    assert r["elapsed"] < 2 + 2 + 1.5, r      # + interpreter start on a loaded 2-core machine
    assert r["peak_mb"] < PEAK_MB, r


def test_silent_command_is_killed_at_the_timeout_with_its_children(tmp_path):
    script = tmp_path / "hang"
    script.write_text("#!/bin/sh\nsleep 30 &\nsleep 30\n")
    script.chmod(0o755)
    start = time.monotonic()
    res = LiveHost("/", timeout=1).run([str(script)])
    assert res.timed_out and time.monotonic() - start < 1 + 2


def test_command_input_and_output_still_work():
    res = LiveHost("/", timeout=5).run(["cat"], input=b"x" * 300000)
    assert res.ok and res.stdout == "x" * 300000


# --- HTTP ---------------------------------------------------------------------------------------


class Server:
    """A tiny misbehaving HTTP server on 127.0.0.1: `mode` drip-headers | drip-body | endless."""

    def __init__(self, mode):
        self.mode = mode
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.url = "http://127.0.0.1:%d" % self.sock.getsockname()[1]
        self.stop = threading.Event()
        threading.Thread(target=self.serve, daemon=True).start()

    def serve(self):
        self.sock.settimeout(0.2)
        while not self.stop.is_set():
            try:
                conn, _addr = self.sock.accept()
            except OSError:
                continue
            threading.Thread(target=self.answer, args=(conn,), daemon=True).start()

    def answer(self, conn):
        try:
            conn.recv(65536)
            if self.mode == "drip-headers":
                for ch in b"HTTP/1.1 200 OK\r\nX-Padding: " + b"a" * 1000:
                    if self.stop.wait(0.5):
                        return
                    conn.sendall(bytes([ch]))
            elif self.mode == "drip-body":
                conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n"
                             b"Docker-Distribution-Api-Version: registry/2.0\r\n\r\n")
                while not self.stop.wait(0.5):
                    conn.sendall(b"{")
            else:
                conn.sendall(b"HTTP/1.1 200 OK\r\nDocker-Distribution-Api-Version: registry/2.0"
                             b"\r\nContent-Type: application/json\r\n\r\n")
                chunk = b"x" * 65536
                while not self.stop.is_set():
                    conn.sendall(chunk)
        except OSError:
            pass
        finally:
            conn.close()

    def close(self):
        self.stop.set()
        self.sock.close()


@pytest.fixture(params=["drip-headers", "drip-body", "endless"])
def server(request):
    s = Server(request.param)
    yield s
    s.close()


def test_http_get_has_one_deadline_and_a_body_limit(server):
    start = time.monotonic()
    resp = http_get_bounded(server.url + "/v2/", timeout=2)
    took = time.monotonic() - start
    assert took < 2 + 2, took       # the deadline is 2 s; the slack is for a loaded CI machine
    assert len(resp.body) <= BODY_LIMIT
    if server.mode != "endless":
        assert resp.status is None and "timed out" in (resp.error or "")


def test_check_reports_a_dripping_mirror_dead_within_the_timeout(tmp_path, server):
    root = tmp_path / "root"
    (root / "etc/docker").mkdir(parents=True)
    (root / "etc/docker/daemon.json").write_text(json.dumps({"registry-mirrors": [server.url]}))
    r = measured(["check", "--root", str(root), "--timeout", "3", "--json"],
                 env={"DLDOCTOR_HUB_URL": server.url + "/hub"})
    assert "Traceback" not in r["stderr"]
    assert r["elapsed"] < 3 + 2 + 1.5, r
    assert r["peak_mb"] < PEAK_MB, r
    report = json.loads(r["stdout"])
    text = json.dumps(report)
    if server.mode != "endless":
        assert "timed out" in text, text[:2000]


def test_a_daemon_json_of_many_silent_mirrors_does_not_hold_check_for_minutes(tmp_path):
    """Each probe is bounded, the number was not: 64 mirrors that accept and never answer took
    check past a minute (8 requests at a time). Now the first 32 are probed, all at once."""
    silent = []
    for _ in range(64):
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        s.listen(8)                # the kernel completes the handshake; nobody ever answers
        silent.append(s)
    try:
        urls = ["http://127.0.0.1:%d" % s.getsockname()[1] for s in silent]
        root = tmp_path / "root"
        (root / "etc/docker").mkdir(parents=True)
        (root / "etc/docker/daemon.json").write_text(json.dumps({"registry-mirrors": urls[1:]}))
        r = measured(["check", "--root", str(root), "--timeout", "2", "--json"],
                     env={"DLDOCTOR_HUB_URL": urls[0]})
    finally:
        for s in silent:
            s.close()
    assert r["rc"] in (0, 1), r["stderr"]
    assert r["elapsed"] < 2 * 3 + 4, r            # a token round-trip at most, not 63 x 2 / 8 x 2 s
    text = json.dumps(json.loads(r["stdout"]))
    # Docker Hub as silent as every mirror: nothing answered, so they are named, not judged
    assert urls[1] in text and "registry.unreachable" in text and "not judged" in text


def test_a_registry_body_nested_past_the_stack_is_text_not_a_crash():
    """A mirror's or registry's answer is untrusted: `[[[[…` 100000 deep is no RecursionError."""
    from dldoctor import mirror_probe, registry_http

    body = b"[" * 100000
    assert mirror_probe._refusal_text(body).startswith("[[[")
    assert registry_http.json_body(body) is None


# --- files dldoctor edits -----------------------------------------------------------------------

EDIT_HUGE = """
import json, sys
from dldoctor.executor import apply
from dldoctor.host.writer import HostWriter
from dldoctor.journal import Journal
from dldoctor.model import FileWrite, Plan
root = sys.argv[1]
writer = HostWriter(root)
plan = [Plan("daemon-json", (FileWrite("/etc/docker/daemon.json", b"{}\\n", b'{"debug": true}\\n',
                                       None, None),))]
outcome = apply(plan, writer, Journal(writer), None, lambda p: True, lambda m: None, timeout=2,
                verifiers=[])
# VmHWM, not ru_maxrss: Linux carries ru_maxrss across exec, so a child forked from a large
# test process would report that process's size
hwm = [ln for ln in open("/proc/self/status") if ln.startswith("VmHWM:")][0]
print(json.dumps({"status": outcome.status, "error": outcome.error,
                  "peak_mb": int(hwm.split()[1]) / 1024}))
"""


def test_a_huge_file_to_edit_is_refused_without_reading_it_into_memory(tmp_path):
    """A daemon.json of 512 MiB (sparse: no disk) is not read whole to compare, hash or back up."""
    import subprocess
    import sys

    dj = tmp_path / "etc/docker/daemon.json"
    dj.parent.mkdir(parents=True)
    with open(dj, "wb") as f:
        f.truncate(512 << 20)
    out = subprocess.run([sys.executable, "-c", EDIT_HUGE, str(tmp_path)], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True, timeout=120, check=True)
    res = json.loads(out.stdout)
    assert res["status"] == "rolled-back" and "larger than 16 MiB" in res["error"], res
    assert res["peak_mb"] < 150, res
    assert dj.stat().st_size == 512 << 20 and dj.stat().st_blocks == 0      # untouched


# --- patterns on one hostile line: linear, not seconds to hours ----------------------------------

SMI_HEAD = "+-+\n| NVIDIA-SMI 535.54.03   Driver Version: 535.54.03   CUDA Version: 12.2 |\n"
SMI_ROW = "| 0  NVIDIA A100  On | 00000000:01:00.0 Off | 0 |\n"
RUN = 200000


@pytest.mark.parametrize("text", [
    "GPU 0:" + " " * RUN + "x",                                   # nvidia-smi -L (was cubic)
    SMI_HEAD + "| 0 x" + " " * RUN + "y\n",                        # a GPU row
    SMI_HEAD + SMI_ROW + "|" + "0" * RUN + "\n",                   # its memory cell
    SMI_HEAD + "| MIG M. |\n" + SMI_ROW + "| x |\n|" + " " * RUN + "x\n",   # its last cell (was cubic)
    "==============NVSMI LOG==============\nDriver Version : 535\nAttached GPUs : 1\n"
    "GPU 00000000:01:00.0\n    Product Name" + " " * RUN + "x\n",     # nvidia-smi -q
    "NVIDIA-SMI version  : 1" + " " * RUN + "x\n",                 # nvidia-smi --version
], ids=["list", "gpu-row", "memory", "last-cell", "query", "version"])
def test_nvidia_smi_parses_a_hostile_line_in_linear_time(text):
    from dldoctor.errors import ParseError
    from dldoctor.parse.nvidia_smi import parse_nvidia_smi

    start = time.monotonic()
    try:
        parse_nvidia_smi(text)
    except ParseError:
        pass
    assert time.monotonic() - start < 2.0          # the old patterns: minutes to hours


@pytest.mark.parametrize("name,text", [
    ("_MIRROR_CONF", "registry-mirror" + " " * 32752 + "!"),
    ("_GPU_ASKED_ELSEWHERE", "capabilities:" + " " * 32000 + "!"),
    ("_WIN_BUILD", "build" + " " * 32000 + "!"),
    ("_IN_CONTAINER", "--mount" + "=" * 32000 + "!"),
])
def test_reader_patterns_are_linear_on_a_32k_text(name, text):
    """A reader sees up to 32 KiB whole (TEXT_MAX): a quadratic pattern there cost ~19 s."""
    from dldoctor import readers

    start = time.monotonic()
    getattr(readers, name).search(text)
    assert time.monotonic() - start < 1.0


def test_explain_of_a_hostile_32k_text_ends_promptly(tmp_path):
    import subprocess
    import sys

    text = "registry-mirror" + " " * (32768 - 16) + "!"
    start = time.monotonic()
    res = subprocess.run([sys.executable, "-m", "dldoctor", "explain", "--no-host", "-"], input=text,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=120,
                         env=dict(os.environ, DOCKER_HOST="unix:///nonexistent.sock", LANG="C"))
    assert res.returncode in (0, 1), res.stderr
    assert time.monotonic() - start < 10.0, "explain took %.1f s" % (time.monotonic() - start)


def test_the_toml_nesting_scan_is_linear_when_the_text_ends_in_a_backslash():
    from dldoctor import nesting

    text = "[]" * 101 + '\\"""\n' * (65536 // 5) + "\\"
    start = time.monotonic()
    assert nesting.toml_too_deep(text) is None
    assert time.monotonic() - start < 1.0          # was 30 s at 64 KiB: every `"""` rescanned


def test_a_dotted_key_of_2000_parts_is_nested_too_deeply_not_an_internal_error():
    from dldoctor.errors import ParseError
    from dldoctor.parse.toolkit_config import parse_toolkit_config

    for text in ("a" + ".a" * 2000 + " = 1\n",
                 "[" + ".".join(["a"] * 990) + "]\n" + ".".join(["b"] * 990) + " = 1\n"):
        with pytest.raises(ParseError, match="nested too deeply"):
            parse_toolkit_config(text)


def test_a_daemon_json_nested_past_the_stack_is_no_internal_error(tmp_path):
    """dockerd reads 10000 levels; a check that prints such a value says it is nested too deeply."""
    n = 1100
    snap = tmp_path / "snap"
    snap.mkdir()
    (snap / "daemon.json").write_text('{"registry-mirrors":' + "[" * n + "]" * n +
                                      ', "runtimes": {"nvidia": {"path":' + "[" * n + "]" * n + "}}}")
    res = measured(["check", "--snapshot", str(snap), "--json"])
    assert res["rc"] in (0, 1), res["stderr"]
    assert "internal error" not in res["stdout"] and "nested too deeply" in res["stdout"]


def test_a_valid_daemon_json_larger_than_the_read_bound_is_not_called_invalid(tmp_path):
    """Reads stop at 1 MiB; the cut ends mid-value, which is the cut's doing, not dockerd's
    refusal: the file is not judged, and no `daemon-json.invalid` sends a user to fix good JSON."""
    root = tmp_path / "root"
    (root / "etc" / "docker").mkdir(parents=True)
    (root / "etc" / "docker" / "daemon.json").write_text(json.dumps(
        {"registry-mirrors": ["https://mirror.example"], "labels": ["x" * 100] * 12000}))
    res = measured(["check", "--root", str(root), "--json", "--no-probe", "--timeout", "2"])
    assert res["rc"] in (0, 1), res["stderr"]
    report = json.loads(res["stdout"])
    assert "daemon-json.invalid" not in {f.get("problem") for f in report["findings"]}
    [dj] = [f for f in report["findings"] if f["check"] == "daemon-json"]
    assert dj["status"] == "skip" and "larger than 1 MiB" in dj["title"], dj
    # and fix, even --force, does not replace it from its first MiB
    runtime = root / "usr" / "bin" / "nvidia-container-runtime"
    runtime.parent.mkdir(parents=True)
    runtime.write_text("#!/bin/sh\n")
    runtime.chmod(0o755)
    before = (root / "etc" / "docker" / "daemon.json").read_bytes()
    res = measured(["fix", "--root", str(root), "--only", "daemon-json", "--force", "--yes",
                    "--default-runtime", "nvidia", "--timeout", "2"])
    assert res["rc"] != 0 and "larger than 1 MiB" in res["stdout"] + res["stderr"], res
    assert (root / "etc" / "docker" / "daemon.json").read_bytes() == before


@pytest.mark.parametrize("text", [
    "Err:1 a" + " " * RUN + "!\n",
    "Err:1 a 404 x" + " " * RUN + "!\n",
    "Err:1 http://x jammy InRelease\n  a" + " " * RUN + "!\n",
], ids=["err-line", "err-status", "status-line"])
def test_apt_update_parses_a_hostile_line_in_linear_time(text):
    from dldoctor.parse.apt_sources import parse_apt_update

    start = time.monotonic()
    parse_apt_update(text)
    assert time.monotonic() - start < 2.0          # 40 KB took 37 s


def test_a_hostile_shm_size_is_judged_in_linear_time_and_a_deep_one_is_no_internal_error():
    from dldoctor.daemon_judge import judge

    start = time.monotonic()
    judge(json.dumps({"default-shm-size": "1" + " " * RUN + "!"}), (29, 0, 0), {})
    assert time.monotonic() - start < 2.0          # 10 KB took 7 s, and a check judges ~10 times
    deep = judge('{"default-shm-size": ' + "[" * 5000 + "]" * 5000 + "}", (29, 0, 0), {})
    assert [v.message for v in deep.verdicts] == ["invalid size: (nested too deeply)"]


def test_notes_with_an_nvml_error_and_a_long_blank_line_are_diagnosed_promptly(tmp_path):
    """The no-cgroups reading searches all of notes and error, not the 32 KiB a reader sees."""
    snap = tmp_path / "snap"
    snap.mkdir()
    (snap / "notes").write_text("Failed to initialize NVML: Unknown Error\n" + " " * 400000 + "!\n")
    res = measured(["check", "--snapshot", str(snap), "--json"], timeout=120)
    assert res["rc"] in (0, 1), res["stderr"]
    assert res["elapsed"] < 20, res["elapsed"]     # 80 KB took 11 s, 1 MiB did not end


def test_fix_keeps_a_list_of_mirrors_too_long_to_probe_as_it_is(tmp_path):
    """fix probed every configured mirror (300 silent ones: 51 s); past MAX_CHECKED_MIRRORS it
    keeps them unprobed, as --keep-mirrors does, and says so."""
    from dldoctor.mirror_probe import MAX_CHECKED_MIRRORS

    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    s.listen(8)
    try:
        port = s.getsockname()[1]
        urls = ["http://127.0.%d.%d:%d" % (i // 200, 1 + i % 200, port) for i in range(MAX_CHECKED_MIRRORS + 68)]
        root = tmp_path / "root"
        (root / "etc/docker").mkdir(parents=True)
        (root / "etc/docker/daemon.json").write_text(json.dumps({"registry-mirrors": urls}))
        runtime = root / "usr" / "bin" / "nvidia-container-runtime"
        runtime.parent.mkdir(parents=True)
        runtime.write_text("#!/bin/sh\n")
        runtime.chmod(0o755)
        r = measured(["fix", "--root", str(root), "--dry-run", "--only", "daemon-json", "--json",
                      "--default-runtime", "nvidia", "--timeout", "2"],
                     env={"DLDOCTOR_HUB_URL": "http://127.0.0.1:%d" % port})
    finally:
        s.close()
    assert r["rc"] == 0, r["stderr"]
    assert r["elapsed"] < 2 * 3 + 4, r
    plan = json.loads(r["stdout"])["plan"][0]
    assert any("they are kept as they are, unprobed" in n for n in plan["notes"]), plan["notes"]
    assert not any("is removed" in w for w in plan["warnings"])
    assert "-    \"%s\"" % urls[0] not in plan["changes"][0]["diff"]
