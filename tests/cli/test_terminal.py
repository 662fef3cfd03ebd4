"""Evidence cannot drive the terminal: escape sequences from files and error texts are shown
escaped in human output, and JSON output is valid UTF-8 whatever bytes came in. And a question
asked on a terminal takes the answer a user types."""
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

DATA = Path(__file__).resolve().parents[1] / "data"
CLEAR = "\x1b[2J\x1b[H"
OSC8 = "\x1b]8;;http://evil.example/\x07click\x1b]8;;\x07"
OSC52 = "\x1b]52;c;Y3VybCBldmlsIHwgc2g=\x07"
C1 = "\x9b1;31m"
BIDI = "\u202etxt.exe"
HOSTILE = CLEAR + OSC8 + OSC52 + C1 + BIDI


def run(args, env=None, input=None):
    e = {k: v for k, v in os.environ.items() if k not in ("DOCKER_HOST", "LANGUAGE", "LC_ALL")}
    e.update({"LANG": "C"}, **(env or {}))
    return subprocess.run([sys.executable, "-m", "dldoctor", *args], capture_output=True, env=e,
                          timeout=60, input=input)


def assert_inert(out: bytes):
    text = out.decode("utf-8")  # valid UTF-8
    for bad in ("\x1b", "\x07", "\x9b", "\u202e"):
        assert bad not in text, repr(bad)


def _root(tmp_path: Path) -> Path:
    root = tmp_path / "root"
    (root / "etc/docker").mkdir(parents=True)
    os_release = (DATA / "fixtures/os-release/ubuntu-22.04").read_text()
    (root / "etc/os-release").write_text(os_release.replace('PRETTY_NAME="', 'PRETTY_NAME="' + HOSTILE))
    (root / "etc/docker/daemon.json").write_text('{"runtimes": {}, "data-root": "/x%s",\n "oops" %s}\n'
                                                 % (OSC52, CLEAR))
    return root


@pytest.mark.parametrize("verbose", [[], ["-v"]])
def test_check_human_output_shows_escapes(tmp_path, verbose):
    res = run(["check", "--root", str(_root(tmp_path)), "--no-probe", "--timeout", "5"] + verbose)
    assert res.returncode in (0, 1), res.stderr
    assert_inert(res.stdout + res.stderr)
    assert b"\\x1b[2J" in res.stdout  # shown, not dropped: the user sees what the file holds


def test_check_json_is_valid_and_inert(tmp_path):
    res = run(["check", "--json", "--root", str(_root(tmp_path)), "--no-probe", "--timeout", "5"])
    assert_inert(res.stdout)
    data = json.loads(res.stdout)
    strings = [s for f in data["findings"] for s in [f["title"], f["detail"] or ""] + f["evidence"]]
    assert any(CLEAR in s for s in strings)  # escaped in the JSON text, intact once decoded


def test_explain_human_output_shows_escapes():
    res = run(["explain", "--no-host", "-v", "could not select device driver \"\" with capabilities: [[gpu]] "
               + HOSTILE])
    assert res.returncode == 0, res.stderr
    assert_inert(res.stdout + res.stderr)
    assert b"\\x1b]52;c;" in res.stdout and b"\\u202e" in res.stdout


def test_explain_json_with_undecodable_byte_is_valid_utf8():
    text = b"could not select device driver \"\" with capabilities: [[gpu]] \xff\xfe end"
    res = run(["explain", "--no-host", "--json", "-"], input=text)
    assert res.returncode == 0, res.stderr
    assert_inert(res.stdout)
    data = json.loads(res.stdout.decode("utf-8"))
    assert "toolkit.missing" in data["root_causes"]


def test_explain_json_with_undecodable_argument_is_valid_utf8():
    res = run([b"explain".decode(), "--no-host", "--json",
               os.fsdecode(b"could not select device driver \"\" with capabilities: [[gpu]] \xff")])
    assert res.returncode == 0, res.stderr
    data = json.loads(res.stdout.decode("utf-8"))
    assert "\\xff" in json.dumps(data)


def test_fix_dry_run_plan_shows_escapes(tmp_path):
    root = tmp_path / "root"
    (root / "etc/docker").mkdir(parents=True)
    (root / "etc/os-release").write_text((DATA / "fixtures/os-release/ubuntu-22.04").read_text())
    # raw C1 and BiDi characters are valid inside JSON strings; the plan's diff quotes the file
    (root / "etc/docker/daemon.json").write_text(
        json.dumps({"data-root": "/var/lib/docker" + C1 + BIDI}, ensure_ascii=False), encoding="utf-8")
    runtime = root / "usr/bin/nvidia-container-runtime"  # so the plan adds the nvidia runtime
    runtime.parent.mkdir(parents=True)
    runtime.write_text("#!/bin/sh\n")
    runtime.chmod(0o755)
    res = run(["fix", "--dry-run", "--root", str(root), "--only", "daemon-json"])
    assert res.returncode == 0, res.stderr
    assert_inert(res.stdout + res.stderr)
    assert b"/var/lib/docker\\x9b1;31m\\u202etxt" in res.stdout


def _on_a_terminal(args, env):
    """(output) of dldoctor run with stdout on a pseudo-terminal."""
    return _answering(args, env, [])


def test_fix_plan_on_a_terminal_honours_no_color(tmp_path):
    root = tmp_path / "root"
    (root / "etc/docker").mkdir(parents=True)
    (root / "etc/os-release").write_text((DATA / "fixtures/os-release/ubuntu-22.04").read_text())
    (root / "etc/docker/daemon.json").write_text('{"debug": true}\n')
    runtime = root / "usr/bin/nvidia-container-runtime"
    runtime.parent.mkdir(parents=True)
    runtime.write_text("#!/bin/sh\n")
    runtime.chmod(0o755)
    args = ["fix", "--dry-run", "--root", str(root), "--only", "daemon-json"]
    coloured = _on_a_terminal(args, {})
    assert b"\x1b[32m" in coloured and b'+{"debug": true' in coloured
    plain = _on_a_terminal(args, {"NO_COLOR": "1"})
    assert b'+{"debug": true' in plain and b"\x1b" not in plain, plain[:400]


def _answering(args, env, answers):
    """(output) of dldoctor run on a pseudo-terminal, typing each answer after each `[y/N]: `."""
    import pty
    import select

    e = {k: v for k, v in os.environ.items() if k not in ("DOCKER_HOST", "LANGUAGE", "LC_ALL")}
    e.update({"LANG": "C", "DOCKER_HOST": "unix:///nonexistent/docker.sock"}, **env)
    pid, fd = pty.fork()
    if pid == 0:  # pragma: no cover - the child
        os.execve(sys.executable, [sys.executable, "-m", "dldoctor", *args], e)
    out, asked, left = b"", 0, list(answers)
    while True:
        ready, _w, _x = select.select([fd], [], [], 30)
        if not ready:
            break
        try:
            chunk = os.read(fd, 65536)
        except OSError:
            break
        if not chunk:
            break
        out += chunk
        if out.count(b"[y/N]: ") > asked:
            if not left:
                break               # asked once more than answered: no answer will come
            asked += 1
            os.write(fd, left.pop(0).encode("utf-8") + b"\n")
    try:
        os.kill(pid, signal.SIGKILL)        # still waiting for an answer (or already gone)
    except ProcessLookupError:
        pass
    os.waitpid(pid, 0)
    os.close(fd)
    return out


def _runtime_root(tmp_path):
    root = tmp_path / "root"
    (root / "etc/docker").mkdir(parents=True)
    (root / "etc/os-release").write_text((DATA / "fixtures/os-release/ubuntu-22.04").read_text())
    daemon = root / "etc/docker/daemon.json"
    daemon.write_text('{"debug": true}\n')
    runtime = root / "usr/bin/nvidia-container-runtime"
    runtime.parent.mkdir(parents=True)
    runtime.write_text("#!/bin/sh\n")
    runtime.chmod(0o755)
    return root, daemon


def test_the_question_takes_an_answer_in_chinese_and_asks_again_in_chinese(tmp_path):
    """click's confirm answered 是 with its own English "Error: invalid input"."""
    root, daemon = _runtime_root(tmp_path)
    args = ["fix", "--root", str(root), "--only", "daemon-json", "--no-probe"]
    zh = {"DLDOCTOR_LANG": "zh_CN"}
    out = _answering(args, zh, ["也许", "否"])
    assert "请回答 y（是）或 n（否）".encode() in out and b"invalid input" not in out
    assert daemon.read_bytes() == b'{"debug": true}\n'          # no: nothing written
    out = _answering(args, zh, ["是"])
    assert b"nvidia-container-runtime" in daemon.read_bytes(), out.decode("utf-8", "replace")[-600:]


def test_one_long_line_is_one_answer(tmp_path):
    """The prompt read 256 characters at a time: "a" * 255 + " y" on one line applied the fix."""
    root, daemon = _runtime_root(tmp_path)
    args = ["fix", "--root", str(root), "--only", "daemon-json", "--no-probe"]
    out = _answering(args, {}, ["a" * 255 + " y"])
    assert out.count(b"[y/N]: ") == 2 and b"answer y or n" in out
    assert daemon.read_bytes() == b'{"debug": true}\n'
