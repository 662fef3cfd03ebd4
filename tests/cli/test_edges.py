"""The edges a user meets: bad --timeout values, closed and broken stdout, narrow encodings, full
disks and missing permissions. Each ends with a clear line and an exit code, never a traceback."""
import errno
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

DATA = Path(__file__).resolve().parents[1] / "data"
CASE = str(DATA / "cases" / "dev-018")


def env_for(**extra):
    e = {k: v for k, v in os.environ.items() if k not in ("DOCKER_HOST", "LANGUAGE", "LC_ALL", "LANG")}
    e.update(extra)
    return e


def run(args, stdout=subprocess.PIPE, **extra):
    return subprocess.run([sys.executable, "-m", "dldoctor", *args], stdout=stdout,
                          stderr=subprocess.PIPE, env=env_for(**extra), timeout=60)


BAD = ["nan", "inf", "-inf", "1e300", "0", "-1", "0.01", "3601", "abc"]
COMMANDS = [["check", "--snapshot", CASE], ["check", "--json", "--snapshot", CASE],
            ["snapshot", "/nonexistent/x"], ["explain", "--no-host", "x"], ["mirrors", "--no-probe"],
            ["fix", "--dry-run"]]


@pytest.mark.parametrize("command, value", [(COMMANDS[0], v) for v in BAD] +
                         [(c, v) for c in COMMANDS[1:] for v in ("nan", "1e300", "0")])
def test_bad_timeout_is_exit_2_with_a_clear_message(command, value):
    option = "--probe-timeout" if command[0] == "mirrors" else "--timeout"  # one meaning per name
    res = run(command + [option, value])
    err = res.stderr.decode()
    assert res.returncode == 2, err
    assert "Traceback" not in err and option in err
    assert "3600" in err or value == "abc"  # click's own "not a valid float" for words


def test_good_timeouts_are_accepted():
    for value in ("0.1", "3600", "2.5"):
        assert run(["check", "--snapshot", CASE, "--timeout", value]).returncode == 1


def test_broken_pipe_exits_quietly():
    """`dldoctor check | head -1`: the reader is gone before dldoctor writes."""
    for args in (["check", "-v", "--snapshot", CASE], ["check", "--json", "--snapshot", CASE],
                 ["explain", "--no-host", "-v", "could not select device driver with capabilities: [[gpu]]"],
                 ["--help"]):
        r, w = os.pipe()
        os.close(r)
        try:
            res = run(args, stdout=w)
        finally:
            os.close(w)
        assert res.stderr == b"", (args, res.stderr)
        assert res.returncode == 1, args  # as click and rich end on EPIPE


def test_head_dash_1_is_quiet():
    shell = "%s -m dldoctor check -v --snapshot %s | head -1; exit ${PIPESTATUS[0]}" % (sys.executable, CASE)
    res = subprocess.run(["bash", "-c", shell], capture_output=True, env=env_for(), timeout=60)
    assert res.stderr == b"" and res.stdout.count(b"\n") == 1
    assert res.returncode == 1


def test_closed_stdout_exits_quietly():
    res = subprocess.run(["bash", "-c", "%s -m dldoctor check --snapshot %s >&-" % (sys.executable, CASE)],
                         capture_output=True, env=env_for(), timeout=60)
    assert res.stderr == b"" and res.returncode == 1  # the check's own exit code


@pytest.mark.parametrize("encoding", ["ascii", "gbk", "latin-1"])
@pytest.mark.parametrize("json_out", [False, True])
def test_narrow_encodings_print_something_readable(encoding, json_out):
    args = ["check", "-v", "--snapshot", CASE] + (["--json"] if json_out else [])
    res = run(args, PYTHONIOENCODING=encoding, LANG="zh_CN.UTF-8")
    assert res.returncode == 1 and b"Traceback" not in res.stderr
    text = res.stdout.decode(encoding)  # decodes: every byte is what the encoding promised
    if json_out:
        assert json.loads(text)["schema"] == "dldoctor.report/1"
    else:
        assert "toolkit" in text and len(text.splitlines()) > 5
        if encoding != "gbk":  # gbk shows Chinese; ascii and latin-1 fall back to English
            assert "failed" in text


def test_stdout_on_a_full_disk_names_it_and_the_way_out():
    with open("/dev/full", "wb") as full:
        res = run(["check", "-v", "--snapshot", CASE], stdout=full)
    err = res.stderr.decode()
    assert res.returncode == 1 and "Traceback" not in err
    assert "standard output: No space left on device" in err and "df -h" in err


def test_an_os_error_without_a_file_is_not_blamed_on_stdout(tmp_path):
    """ENOSPC raised without a file name (a flush deep in a library) while stdout is fine: the
    message says what happened and the way out, and invents no "standard output" as its file."""
    script = ("import errno, sys\n"
              "import dldoctor.record\n"
              "def boom(*args, **kwargs):\n"
              "    raise OSError(errno.ENOSPC, 'No space left on device')\n"
              "dldoctor.record.write_snapshot = boom\n"
              "from dldoctor.main import main\n"
              "main(sys.argv[1:])\n")
    res = subprocess.run([sys.executable, "-c", script, "snapshot", str(tmp_path / "snap"),
                          "--no-probe", "--root", str(DATA)],
                         capture_output=True, env=env_for(), timeout=60)
    err = res.stderr.decode()
    assert res.returncode == 1 and "Traceback" not in err, err
    assert "No space left on device" in err and "df -h" in err, err
    assert "standard output" not in err, err


@pytest.fixture
def full_fs(tmp_path):
    """A 64 KiB tmpfs filled to the brim (needs root and mount; skipped elsewhere)."""
    mnt = tmp_path / "full"
    mnt.mkdir()
    if os.geteuid() != 0 or not shutil.which("mount"):
        pytest.skip("mounting a tmpfs needs root")
    res = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(mnt)], capture_output=True)
    if res.returncode != 0:
        pytest.skip("cannot mount a tmpfs here: %s" % res.stderr.decode().strip())
    try:
        fd = os.open(str(mnt / "filler"), os.O_WRONLY | os.O_CREAT)
        try:
            while os.write(fd, b"\0" * 4096):
                pass
        except OSError:
            pass
        finally:
            os.close(fd)
        yield mnt
    finally:
        subprocess.run(["umount", str(mnt)], capture_output=True)


@pytest.mark.parametrize("name", ["snap", "snap.tar.gz"])
def test_snapshot_on_a_full_disk(full_fs, name):
    res = run(["snapshot", str(full_fs / name), "--no-probe", "--root", str(DATA)])
    err = res.stderr.decode()
    assert res.returncode == 2 and "Traceback" not in err
    assert str(full_fs / name) in err and "No space left on device" in err and "df -h" in err
    assert sorted(p.name for p in full_fs.iterdir()) == ["filler"]  # nothing half-written left


def test_permission_denied_names_the_file_and_sudo():
    import tempfile

    base = Path(tempfile.mkdtemp(prefix="dldoctor-perm-"))
    base.chmod(0o755)  # reachable by the unprivileged user below
    target = base / "locked"
    target.mkdir()
    target.chmod(0o555)
    try:
        _permission_denied(target)
    finally:
        shutil.rmtree(str(base), ignore_errors=True)


def _permission_denied(target):
    prefix = []
    if os.geteuid() == 0:
        if not shutil.which("setpriv"):
            pytest.skip("needs setpriv to drop root")
        prefix = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]
        if subprocess.run(prefix + [sys.executable, "-c", "import dldoctor"], capture_output=True).returncode:
            pytest.skip("this Python cannot run as an unprivileged user (installed under a private home)")
    res = subprocess.run(prefix + [sys.executable, "-m", "dldoctor", "snapshot", str(target / "s"),
                                   "--no-probe", "--root", str(DATA)],
                         capture_output=True, env=env_for(), timeout=60)
    err = res.stderr.decode()
    assert res.returncode == 2 and "Traceback" not in err, err
    assert str(target / "s") in err and "Permission denied" in err and "sudo" in err


@pytest.mark.parametrize("code, fragment", [
    (errno.ENOSPC, "df -h"), (errno.EDQUOT, "df -h"),
    # as root a refusal is no question of privilege (chattr +i, AppArmor): sudo would not help
    (errno.EACCES, "chattr -i" if os.geteuid() == 0 else "sudo"),
    (errno.EPERM, "chattr -i" if os.geteuid() == 0 else "sudo"),
    (errno.EROFS, "read-only"), (errno.EIO, "Input/output error")])
def test_os_error_message_names_file_and_way_out(code, fragment):
    from dldoctor.errors import os_error_message

    msg = os_error_message(OSError(code, os.strerror(code), "/var/lib/dldoctor/journal/x"))
    assert msg.startswith("/var/lib/dldoctor/journal/x: " + os.strerror(code)) and fragment in msg
    # no file named: the reason and the way out, no file made up
    msg = os_error_message(OSError(code, os.strerror(code)))
    assert msg.startswith(os.strerror(code)) and fragment in msg and "standard output" not in msg
