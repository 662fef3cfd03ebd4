"""A hostile --root: links planted in it never lead dldoctor to a file outside it (reads, writes,
its own lock, journal and backups), and FIFOs or devices where evidence lives neither hang nor eat
memory. Each test plants the trap in a tmp root beside an "outside" file and asserts what a user
would see: the outside file's bytes, the exit code, the message."""
from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from dldoctor.executor import apply, undo
from dldoctor.host import paths
from dldoctor.host.live import LiveHost
from dldoctor.host.writer import HostWriter
from dldoctor.journal import Journal
from dldoctor.model import FileWrite, Plan
from measure import measured  # tests/measure.py

REPO = Path(__file__).resolve().parents[2]
OLD = b'{\n    "log-driver": "json-file"\n}\n'
NEW = b'{\n    "log-driver": "json-file",\n    "registry-mirrors": ["https://m.example.com"]\n}\n'
SECRET = b"root:$6$planted-secret-hash:19000:0:99999:7:::\n"
DJ = "/etc/docker/daemon.json"


@pytest.fixture
def box():
    """(root, outside): a --root and, beside it, a directory standing for the real machine."""
    d = tempfile.mkdtemp(prefix="dlsec-", dir="/tmp")
    os.chmod(d, 0o755)
    root, outside = os.path.join(d, "root"), os.path.join(d, "outside")
    os.makedirs(os.path.join(root, "etc", "docker"))
    os.makedirs(outside)
    yield root, outside
    shutil.rmtree(d, ignore_errors=True)


def plant(path: str, data: bytes = SECRET) -> str:
    with open(path, "wb") as f:
        f.write(data)
    return path


def dldoctor(*args, timeout=60, extra_env=None, **kw):
    env = dict(os.environ, DOCKER_HOST="unix:///nonexistent/docker.sock", LANG="C", **(extra_env or {}))
    env.pop("DLDOCTOR_DEBUG", None)
    return subprocess.run([sys.executable, "-m", "dldoctor"] + list(args), env=env,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                          timeout=timeout, stdin=subprocess.DEVNULL, **kw)


def the_plan():
    return [Plan("daemon-json", (FileWrite(DJ, OLD, NEW, None, None),))]


def run_apply(root):
    writer = HostWriter(root)
    return apply(the_plan(), writer, Journal(writer), None, lambda p: True, lambda m: None,
                 timeout=2, verifiers=[])


# --- reads under a root -------------------------------------------------------------------------


def test_absolute_link_is_read_inside_the_root_never_on_the_host(box):
    root, outside = box
    secret = plant(os.path.join(outside, "shadow"))
    os.symlink(secret, os.path.join(root, "etc/docker/daemon.json"))
    host = LiveHost(root)
    # Re-rooted: <root>/<outside>/shadow, which does not exist in the root.
    assert host.read(DJ) is None
    os.makedirs(os.path.join(root, outside.lstrip("/")))
    plant(os.path.join(root, outside.lstrip("/"), "shadow"), b'{"inside": true}\n')
    assert host.read(DJ) == b'{"inside": true}\n'
    assert host.path(DJ) == os.path.join(root, outside.lstrip("/"), "shadow")


def test_dotdot_link_above_the_root_is_refused(box, capsys):
    root, outside = box
    plant(os.path.join(outside, "shadow"))
    os.symlink("../../../outside/shadow", os.path.join(root, "etc/docker/daemon.json"))
    with pytest.raises(paths.UnsafePath, match="leads outside the root"):
        paths.resolve(root, DJ)
    assert LiveHost(root).read(DJ) is None
    assert "leads outside the root" in capsys.readouterr().err
    with pytest.raises(paths.UnsafePath):
        HostWriter(root).write_atomic(DJ, NEW)
    assert Path(outside, "shadow").read_bytes() == SECRET


def test_check_and_snapshot_never_show_the_hosts_file(box, tmp_path):
    root, outside = box
    secret = plant(os.path.join(outside, "shadow"))
    os.symlink(secret, os.path.join(root, "etc/docker/daemon.json"))
    os.symlink(secret, os.path.join(root, "etc/os-release"))
    r = dldoctor("check", "--root", root, "--no-probe", "--json")
    assert "planted-secret" not in r.stdout + r.stderr
    assert r.returncode in (0, 1) and "Traceback" not in r.stderr
    out = str(tmp_path / "snap")
    r = dldoctor("snapshot", "--root", root, "--no-probe", out)
    assert r.returncode == 0, r.stderr
    for f in Path(out).rglob("*"):
        if f.is_file():
            assert b"planted-secret" not in f.read_bytes(), f


def test_linked_dpkg_status_is_not_handed_to_dpkg_query(box, capsys):
    root, outside = box
    os.makedirs(os.path.join(root, "var/lib/dpkg"))
    os.symlink(plant(os.path.join(outside, "status")), os.path.join(root, "var/lib/dpkg/status"))
    ev = LiveHost(root).evidence("packages")
    assert ev.text is None
    assert "symbolic link" in capsys.readouterr().err


DPKG_RECORD = (b"Package: docker-ce\nStatus: install ok installed\nVersion: 99.0-planted-outside\n"
               b"Architecture: amd64\nMaintainer: x\nDescription: x\n")


@pytest.mark.skipif(not shutil.which("dpkg-query"), reason="needs dpkg-query")
@pytest.mark.parametrize("linked", ["entry", "directory"])
def test_linked_dpkg_updates_are_not_handed_to_dpkg_query(box, linked, capsys):
    """dpkg-query also reads <admindir>/updates/*: a link there must not bring a file from outside
    the root into the package list."""
    root, outside = box
    dpkg = os.path.join(root, "var/lib/dpkg")
    os.makedirs(dpkg)
    plant(os.path.join(dpkg, "status"), b"")
    record = plant(os.path.join(outside, "0001"), DPKG_RECORD)
    if linked == "entry":
        os.makedirs(os.path.join(dpkg, "updates"))
        os.symlink(record, os.path.join(dpkg, "updates", "0001"))
    else:
        os.symlink(outside, os.path.join(dpkg, "updates"))
    ev = LiveHost(root).evidence("packages")
    assert "planted-outside" not in (ev.text or "")
    assert ev.text is None
    assert "symbolic link" in capsys.readouterr().err


@pytest.mark.skipif(not shutil.which("dpkg-query"), reason="needs dpkg-query")
@pytest.mark.parametrize("planted", ["arch-link", "arch-fifo", "triggers-link"])
def test_what_else_dpkg_query_opens_is_checked_too(box, planted, capsys):
    """dpkg-query opens <admindir>/arch and triggers/ as well: a link there leads out of the root,
    a device or FIFO there acts or waits when opened."""
    root, outside = box
    dpkg = os.path.join(root, "var/lib/dpkg")
    os.makedirs(dpkg)
    plant(os.path.join(dpkg, "status"), DPKG_RECORD + b"\n")
    if planted == "arch-link":
        os.symlink(plant(os.path.join(outside, "arch"), b"amd64\n"), os.path.join(dpkg, "arch"))
    elif planted == "arch-fifo":
        os.mkfifo(os.path.join(dpkg, "arch"))
    else:
        os.symlink(outside, os.path.join(dpkg, "triggers"))
    ev = LiveHost(root).evidence("packages")
    assert ev.text is None
    assert "symbolic link, a device or a FIFO" in capsys.readouterr().err


def test_a_plain_dpkg_database_under_the_root_is_read(box):
    if not shutil.which("dpkg-query"):
        pytest.skip("needs dpkg-query")
    root, _outside = box
    dpkg = os.path.join(root, "var/lib/dpkg")
    os.makedirs(os.path.join(dpkg, "updates"))
    os.makedirs(os.path.join(dpkg, "triggers"))
    plant(os.path.join(dpkg, "status"), DPKG_RECORD + b"\n")
    plant(os.path.join(dpkg, "arch"), b"amd64\n")
    ev = LiveHost(root).evidence("packages")
    assert "docker-ce 99.0-planted-outside install ok installed" in (ev.text or "")


# --- writes: the fix's own lock, journal and backups ------------------------------------------


def test_lock_link_outside_root_is_refused_and_target_keeps_its_bytes(box):
    root, outside = box
    plant(os.path.join(root, "etc/docker/daemon.json"), OLD)
    target = plant(os.path.join(outside, "precious"))
    os.makedirs(os.path.join(root, "var/lib/dldoctor"))
    os.symlink(target, os.path.join(root, "var/lib/dldoctor/lock"))
    with pytest.raises(paths.UnsafePath, match="symbolic link"):
        run_apply(root)
    assert Path(target).read_bytes() == SECRET
    assert Path(root, "etc/docker/daemon.json").read_bytes() == OLD
    # undo takes the same lock: the CLI refuses with exit 2 and a plain message.
    r = dldoctor("undo", "--root", root, "--yes")
    assert r.returncode == 2, r.stderr
    assert "symbolic link" in r.stderr and "Traceback" not in r.stderr
    assert Path(target).read_bytes() == SECRET


def test_lock_link_to_a_relative_path_inside_is_refused_too(box):
    root, _outside = box
    os.makedirs(os.path.join(root, "var/lib/dldoctor"))
    plant(os.path.join(root, "etc/passwd"))
    os.symlink("../../../etc/passwd", os.path.join(root, "var/lib/dldoctor/lock"))
    with pytest.raises(paths.UnsafePath):
        with Journal(HostWriter(root)).lock():
            pass
    assert Path(root, "etc/passwd").read_bytes() == SECRET


@pytest.mark.parametrize("linked", ["var/lib/dldoctor/journal", "var/lib/dldoctor"])
def test_journal_link_outside_root_gets_no_journal_and_no_backup(box, linked):
    root, outside = box
    plant(os.path.join(root, "etc/docker/daemon.json"), OLD)
    os.makedirs(os.path.join(root, os.path.dirname(linked)), exist_ok=True)
    os.symlink(outside, os.path.join(root, linked))
    with pytest.raises(paths.UnsafePath):
        run_apply(root)
    assert os.listdir(outside) == []                     # nothing written outside the root
    assert Path(root, "etc/docker/daemon.json").read_bytes() == OLD


def test_linked_fix_directory_inside_journal_is_not_listed_or_undone(box):
    root, outside = box
    plant(os.path.join(root, "etc/docker/daemon.json"), OLD)
    outcome = run_apply(root)
    assert outcome.status == "applied", outcome
    journal = os.path.join(root, "var/lib/dldoctor/journal")
    (real,) = os.listdir(journal)
    shutil.copytree(os.path.join(journal, real), os.path.join(outside, "fake"))
    os.symlink(os.path.join(outside, "fake"), os.path.join(journal, "99999999T999999.0Z-1"))
    fixes = Journal(HostWriter(root)).fixes()
    assert [f.id for f in fixes] == [real]


def test_backup_file_replaced_by_a_link_is_not_restored_from(box):
    root, outside = box
    plant(os.path.join(root, "etc/docker/daemon.json"), OLD)
    assert run_apply(root).status == "applied"
    journal = os.path.join(root, "var/lib/dldoctor/journal")
    (rec,) = os.listdir(journal)
    backup = os.path.join(journal, rec, "files", "0")
    os.unlink(backup)
    os.symlink(plant(os.path.join(outside, "precious"), OLD), backup)
    writer = HostWriter(root)
    result = undo(Journal(writer), None, lambda r: True, lambda m: None)
    assert result.exit_code != 0
    assert Path(root, "etc/docker/daemon.json").read_bytes() == NEW
    assert Path(outside, "precious").read_bytes() == OLD


def test_fix_writes_through_an_absolute_link_inside_the_root(box):
    """The target machine follows /etc/docker/daemon.json -> /srv/docker.json: so does fix, but
    inside the root, and never onto the host's /srv."""
    root, _outside = box
    os.makedirs(os.path.join(root, "srv"))
    plant(os.path.join(root, "srv/docker.json"), OLD)
    os.symlink("/srv/docker.json", os.path.join(root, "etc/docker/daemon.json"))
    assert run_apply(root).status == "applied"
    assert Path(root, "srv/docker.json").read_bytes() == NEW
    assert os.path.islink(os.path.join(root, "etc/docker/daemon.json"))


def test_undo_list_as_non_root_is_a_plain_message(box):
    if os.geteuid() != 0:
        pytest.skip("needs root to drop to nobody")
    sys.path.insert(0, str(REPO / "tests"))
    import lab as lablib
    if lablib.run_as(65534, 65534, [], [sys.executable, "-c", "import dldoctor"]).returncode:
        pytest.skip("this interpreter cannot run as nobody (it lives under /root)")
    root, _outside = box
    plant(os.path.join(root, "etc/docker/daemon.json"), OLD)
    assert run_apply(root).status == "applied"
    r = lablib.run_dldoctor(["undo", "--root", root, "--list"], user="nobody")
    assert r.returncode == 2, r.stderr
    assert "permission denied" in r.stderr and "sudo" in r.stderr
    assert "Traceback" not in r.stderr and "PermissionError" not in r.stderr


# --- FIFOs and devices where evidence lives ----------------------------------------------------


@pytest.mark.parametrize("cmd", [["check", "--no-probe"], ["fix", "--dry-run", "--only",
                                                             "daemon-json"],
                                 ["snapshot", "--no-probe", "SNAP"]])
def test_fifo_as_daemon_json_and_os_release_does_not_hang(box, cmd, tmp_path):
    root, _outside = box
    os.mkfifo(os.path.join(root, "etc/docker/daemon.json"))
    os.mkfifo(os.path.join(root, "etc/os-release"))
    args = [str(tmp_path / "snap") if a == "SNAP" else a for a in cmd]
    start = time.monotonic()
    r = dldoctor(*(args[:1] + ["--root", root] + args[1:]), timeout=30)
    assert time.monotonic() - start < 20
    assert "Traceback" not in r.stderr
    assert "not a regular file" in r.stderr
    assert r.returncode in (0, 1, 2)


def test_device_as_os_release_is_not_read(box):
    if os.geteuid() != 0:
        pytest.skip("mknod needs root")
    root, _outside = box
    zero = os.path.join(root, "etc/os-release")
    try:
        os.mknod(zero, stat.S_IFCHR | 0o644, os.makedev(1, 5))    # /dev/zero
    except PermissionError:
        pytest.skip("no mknod here")
    os.symlink("/etc/os-release", os.path.join(root, "etc/docker/daemon.json"))
    r = measured(["check", "--root", root, "--no-probe"], timeout=30)
    assert "Traceback" not in r["stderr"] and "not a regular file" in r["stderr"]
    assert r["peak_mb"] < 300


def test_huge_evidence_file_is_truncated_and_said(box, capsys):
    root, _outside = box
    with open(os.path.join(root, "etc/os-release"), "wb") as f:
        f.truncate(paths.READ_LIMIT + 10)
    data = LiveHost(root).read("/etc/os-release")
    assert len(data) == paths.READ_LIMIT
    assert "truncated" in capsys.readouterr().err


def test_undo_list_permission_error_becomes_a_plain_message_in_process(box):
    """The same as above without a second interpreter: a forked child drops to nobody and lists
    the journals (its answer comes back through a pipe)."""
    if os.geteuid() != 0:
        pytest.skip("needs root to drop to nobody")
    root, _outside = box
    plant(os.path.join(root, "etc/docker/daemon.json"), OLD)
    assert run_apply(root).status == "applied"
    from dldoctor.errors import UsageError
    journal = Journal(HostWriter(root))
    rfd, wfd = os.pipe()
    pid = os.fork()
    if pid == 0:                                             # the child: never returns
        code = 0
        try:
            os.close(rfd)
            os.setgroups([])
            os.setgid(65534)
            os.setuid(65534)
            try:
                journal.fixes()
                msg = "listed"
            except UsageError as exc:
                msg = "UsageError %d: %s" % (exc.exit_code, exc)
            except BaseException as exc:                     # noqa: B902 - reported to the parent
                msg = "%s: %s" % (type(exc).__name__, exc)
            os.write(wfd, msg.encode("utf-8", "replace"))
        except BaseException:
            code = 1
        finally:
            os._exit(code)
    os.close(wfd)
    with os.fdopen(rfd, "rb") as f:
        msg = f.read().decode()
    os.waitpid(pid, 0)
    assert msg.startswith("UsageError 2: cannot read dldoctor's journals in "), msg
    assert "permission denied" in msg and "sudo" in msg


def test_apt_sources_directory_is_read_within_bounds(box, capsys):
    """A sources.list.d holding thousands of files, or files of a megabyte each, is read up to a
    bound (a real one holds a few small files), and what was left out is said."""
    root, _outside = box
    d = os.path.join(root, "etc/apt/sources.list.d")
    os.makedirs(d)
    for i in range(paths.APT_SOURCES_MAX_FILES + 20):
        with open(os.path.join(d, "f%04d.list" % i), "wb") as f:
            f.write(b"deb http://deb.debian.org/debian bookworm main\n")
    group = LiveHost(root).evidence_group("apt-sources")
    assert len(group) <= paths.APT_SOURCES_MAX_FILES
    assert "apt-sources/f0000.list" in group
    assert "sources.list.d" in capsys.readouterr().err
    shutil.rmtree(d)
    os.makedirs(d)
    for i in range(paths.APT_SOURCES_MAX_BYTES // paths.READ_LIMIT + 4):
        with open(os.path.join(d, "big%02d.list" % i), "wb") as f:
            f.truncate(paths.READ_LIMIT)            # sparse: a megabyte read, no disk used
    group = LiveHost(root).evidence_group("apt-sources")
    assert sum(len(ev.text or "") for ev in group.values()) <= paths.APT_SOURCES_MAX_BYTES
    assert "sources.list.d" in capsys.readouterr().err


# --- programs of the root -----------------------------------------------------------------------


def planted_program(root: str, script: str) -> None:
    """A root whose usr/bin/nvidia-smi is `script`, run by the root's own busybox sh."""
    bb = shutil.which("busybox")
    if os.geteuid() != 0 or bb is None:
        pytest.skip("needs root and busybox (scripts/test installs busybox-static)")
    for d in ("bin", "usr/bin"):
        os.makedirs(os.path.join(root, d), exist_ok=True)
    shutil.copy(bb, os.path.join(root, "bin/busybox"))
    os.symlink("busybox", os.path.join(root, "bin/sh"))
    exe = os.path.join(root, "usr/bin/nvidia-smi")
    plant(exe, ("#!/bin/sh\n" + script).encode())
    os.chmod(exe, 0o755)
    plant(os.path.join(root, "etc/os-release"), b'ID=ubuntu\nVERSION_ID="22.04"\n')


def test_a_program_of_the_root_runs_confined_without_dldoctors_secrets(box, tmp_path):
    """A root process leaves a plain chroot (mkdir, chroot, chdir ..): the root's programs run
    unprivileged, with no new privileges, no network, and none of the proxy passwords or tokens in
    dldoctor's environment."""
    root, _outside = box
    planted_program(root, 'echo "uid=$(busybox id -u) gid=$(busybox id -g) groups=$(busybox id -G)"\n'
                          'echo "proxy=$HTTPS_PROXY token=$MY_TOKEN"\n'
                          'busybox grep -h "^NoNewPrivs" /proc/self/status\n'
                          'busybox cat /proc/self/net/dev\n')
    os.makedirs(os.path.join(root, "proc"))
    if subprocess.run(["mount", "-t", "proc", "proc", os.path.join(root, "proc")]).returncode:
        pytest.skip("cannot mount proc here")
    try:
        snap = tmp_path / "snap"
        r = dldoctor("snapshot", "--root", root, "--no-probe", str(snap),
                     extra_env={"HTTPS_PROXY": "http://bob:s3cret@proxy:3128", "MY_TOKEN": "ghp_planted1"})
    finally:
        subprocess.run(["umount", "-l", os.path.join(root, "proc")])
    assert r.returncode == 0, r.stderr
    seen = (snap / "nvidia-smi").read_text()
    ids = dict(part.split("=", 1) for part in seen.splitlines()[0].split())
    # a uid of its own, that no process of this machine has (nobody's would let it signal theirs)
    assert ids["uid"] == ids["gid"] == ids["groups"] and int(ids["uid"]) not in (0, 65534), seen
    assert "s3cret" not in seen and "ghp_planted1" not in seen and "proxy= token=" in seen
    # no new privileges: a setuid-root binary of the root gains nothing at exec
    assert "NoNewPrivs:\t1" in seen, seen
    # its own network namespace: loopback only
    devs = [line.split(":")[0].strip() for line in seen.splitlines() if ":" in line and "|" not in line
            and not line.startswith(("NoNewPrivs", "proxy"))]
    assert devs == ["lo"], seen


def test_what_a_program_of_the_root_leaves_running_is_killed(box):
    """A child that leaves the session (setsid) outlives a process-group kill: not dldoctor's run."""
    root, _outside = box
    marker = str(4000000 + os.getpid() % 100000)         # the sleep's seconds: unique in its cmdline
    os.makedirs(os.path.join(root, "dev"))
    os.mknod(os.path.join(root, "dev/null"), stat.S_IFCHR | 0o666, os.makedev(1, 3))   # sh's `&` reads it
    planted_program(root, "busybox setsid busybox sleep %s &\n"
                          "echo NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver.\n"
                          "busybox sleep 300\n" % marker)
    start = time.monotonic()
    r = dldoctor("check", "--root", root, "--no-probe", "--timeout", "3")
    assert time.monotonic() - start < 30 and "Traceback" not in r.stderr
    time.sleep(0.5)
    left = [p for p in os.listdir("/proc") if p.isdigit() and b"\0" + marker.encode() in
            (Path("/proc", p, "cmdline").read_bytes() if os.path.exists("/proc/%s/cmdline" % p) else b"")]
    alive = [p for p in left if "Z" not in Path("/proc", p, "stat").read_text().rsplit(")", 1)[-1].split()[:1]]
    assert not alive, "left running: %s" % alive


def test_a_root_closed_to_others_is_no_answer_not_the_confinements_error(box, tmp_path):
    root, _outside = box
    planted_program(root, "echo fine\n")
    os.chmod(root, 0o700)
    snap = tmp_path / "snap"
    r = dldoctor("snapshot", "--root", root, "--no-probe", str(snap))
    assert r.returncode == 0, r.stderr
    assert not (snap / "nvidia-smi").exists() or "fine" not in (snap / "nvidia-smi").read_text()
    assert "Permission denied" not in ((snap / "nvidia-smi").read_text() if (snap / "nvidia-smi").exists() else "")


def test_a_huge_one_line_daemon_json_is_quoted_as_its_head_in_the_table(box):
    """A 400 KB invalid daemon.json on one line was printed whole under its finding."""
    root, _outside = box
    plant(os.path.join(root, "etc/os-release"), b'ID=ubuntu\nVERSION_ID="22.04"\n')
    plant(os.path.join(root, "etc/docker/daemon.json"), b'{"registry-mirrors": [' + b"x" * 400000 + b"\n")
    r = dldoctor("check", "--root", root, "--no-probe")
    assert r.returncode == 1 and "Traceback" not in r.stderr
    assert len(r.stdout) < 20000, len(r.stdout)
    assert "more characters; --json has them all" in r.stdout
    j = dldoctor("check", "--root", root, "--no-probe", "--json")
    assert "x" * 300000 in j.stdout


def test_a_huge_value_in_daemon_json_is_not_quoted_whole_in_a_title_or_detail(box):
    root, _outside = box
    plant(os.path.join(root, "etc/os-release"), b'ID=ubuntu\nVERSION_ID="22.04"\n')
    plant(os.path.join(root, "etc/docker/daemon.json"), json.dumps(
        {"registry-mirrors": ["https://" + "a" * 400000 + ".example.com/x y"],
         "runtimes": {"nvidia": {"path": "x" * 400000}}, "default-runtime": "y" * 400000}).encode())
    r = dldoctor("check", "--root", root, "--no-probe")
    assert "Traceback" not in r.stderr
    assert len(r.stdout) < 30000, len(r.stdout)
