"""undo after what a user trial found: a fix whose `apt-get install` failed offline (nothing
installed) left an undo that could never finish (`apt-get remove` of a package apt cannot locate),
and `undo --force` threw a file's hand edit away. Real CLI runs on a --root, commands chrooted
there (a static busybox sh with fake apt-get and dpkg-query scripts)."""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import stat
import sys
import tempfile
import time
from pathlib import Path

import pytest

from dldoctor.executor import apply, undo
from dldoctor.host.writer import HostWriter
from dldoctor.journal import KEPT_LIMIT, Journal
from dldoctor.model import FileWrite, Plan, Run

from mirror_server import mirror

REPO = Path(__file__).resolve().parents[2]
OS_RELEASE = (REPO / "tests/data/fixtures/os-release/debian-12").read_text()
TOOLKIT = "nvidia-container-toolkit"
OPTS = ["-o", "Dpkg::Options::=--force-confdef", "-o", "Dpkg::Options::=--force-confold"]

# apt offline: `update` warns and exits 0; `install` and `remove` cannot locate the package.
# A package that is there (the /installed flag) has its `remove` fail in dpkg instead.
APT_GET = """#!/bin/sh
echo "apt-get $*" >> /apt.log
[ "$1" = update ] && exit 0
echo "Reading package lists..."
echo "Building dependency tree..."
for a in "$@"; do last=$a; done
if [ "$1" = remove ] && [ -f /installed ]; then
  echo "Removing $last ..."
  echo "E: Sub-process /usr/bin/dpkg returned an error code (1)" >&2
else
  echo "E: Unable to locate package $last" >&2
fi
exit 100
"""
DPKG_QUERY = """#!/bin/sh
if [ -f /installed ]; then printf '%s\\tinstall ok unpacked\\n' nvidia-container-toolkit; exit 0; fi
names=
for a in "$@"; do
  [ -n "$names" ] && echo "dpkg-query: no packages found matching $a" >&2
  [ "$a" = -- ] && names=1
done
exit 1
"""


@pytest.fixture
def root():
    """A Debian 12 root listing Docker's and NVIDIA's repositories, nothing installed, with fake
    apt-get and dpkg-query to run chrooted."""
    busybox = shutil.which("busybox") or "/bin/busybox"
    if os.geteuid() != 0 or not os.path.isfile(busybox):
        pytest.skip("needs root (fix, and commands chrooted in the root) and a static busybox")
    d = tempfile.mkdtemp(prefix="dlundo-", dir="/tmp")
    os.chmod(d, 0o755)
    for sub in ("etc/docker", "etc/apt/sources.list.d", "var/lib/dpkg", "bin"):
        os.makedirs(os.path.join(d, sub))
    Path(d, "etc/os-release").write_text(OS_RELEASE)
    Path(d, "etc/group").write_text("root:x:0:\n")
    Path(d, "etc/passwd").write_text("root:x:0:0::/root:/bin/sh\nalice:x:1000:1000::/home/alice:/bin/sh\n")
    Path(d, "etc/apt/sources.list").write_text("")
    Path(d, "var/lib/dpkg/status").write_text("")
    Path(d, "etc/apt/sources.list.d/nvidia-container-toolkit.list").write_text(
        "deb [signed-by=/usr/share/keyrings/nvidia-container-toolkit-keyring.gpg] "
        "https://nvidia.github.io/libnvidia-container/stable/deb/$(ARCH) /\n")
    Path(d, "etc/apt/sources.list.d/docker.list").write_text(
        "deb [arch=amd64 signed-by=/etc/apt/keyrings/docker.asc] "
        "https://download.docker.com/linux/debian bookworm stable\n")
    shutil.copy(busybox, os.path.join(d, "bin", "sh"))
    for name, text in (("apt-get", APT_GET), ("dpkg-query", DPKG_QUERY)):
        Path(d, "bin", name).write_text(text)
        os.chmod(os.path.join(d, "bin", name), 0o755)
    yield d
    shutil.rmtree(d, ignore_errors=True)


def cli(*args):
    env = dict(os.environ, DOCKER_HOST="unix:///nonexistent/docker.sock", DLDOCTOR_LANG="C",
               HTTPS_PROXY="http://127.0.0.1:9", HTTP_PROXY="http://127.0.0.1:9",
               https_proxy="http://127.0.0.1:9", http_proxy="http://127.0.0.1:9",
               NO_PROXY="127.0.0.1", no_proxy="127.0.0.1", DLDOCTOR_HUB_URL="http://127.0.0.1:9")
    env.pop("SUDO_USER", None)
    return subprocess.run([sys.executable, "-m", "dldoctor"] + list(args), env=env,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True,
                          stdin=subprocess.DEVNULL, timeout=120, cwd=str(REPO))


def apt_log(root):
    p = Path(root, "apt.log")
    return p.read_text().splitlines() if p.exists() else []


def fix_packages(root):
    """`fix --yes` of packages then docker-group; apt-get install fails (offline)."""
    r = cli("fix", "--root", root, "--yes", "--only", "packages", "--only", "docker-group",
            "--user", "alice")
    assert r.returncode == 1, r.stdout + r.stderr
    assert "Unable to locate package %s" % TOOLKIT in r.stderr, r.stderr
    return r


# --- 1. a failed apt-get install ----------------------------------------------------------------


def test_a_failed_apt_get_install_that_installed_nothing_leaves_nothing_to_undo(root):
    """The trial: rollback promised that `dldoctor undo` reverses the commands; undo then ran
    `apt-get remove` of a package apt cannot locate, failed, and asked to fix the cause, which
    nothing could. `undo --list` said "files restored" and named docker-group, which never ran."""
    r = fix_packages(root)
    assert "reverses" not in r.stdout, r.stdout        # no undo promised for what failed
    assert "Commands already run that undo cannot reverse: apt-get update" in r.stdout, r.stdout
    listed = cli("undo", "--root", root, "--list")
    assert listed.returncode == 0, listed.stderr
    (line,) = listed.stdout.splitlines()
    assert re.search(r"  rolled back +packages$", line), line       # not docker-group
    fixes = json.loads(cli("undo", "--root", root, "--list", "--json").stdout)["fixes"]
    assert [f["status"] for f in fixes] == ["rolled-back"]
    u = cli("undo", "--root", root, "--yes")
    assert (u.returncode, u.stdout.strip()) == (0, "Nothing to undo."), u.stdout + u.stderr
    assert not [ln for ln in apt_log(root) if ln.startswith("apt-get remove")], apt_log(root)


def test_an_older_journal_of_a_failed_apt_get_install_undoes_to_the_end(root):
    """A journal an earlier dldoctor left (FILES_RESTORED for the same failure): undo finds none
    of the packages installed, runs no `apt-get remove`, and finishes (exit 0, undone)."""
    writer = HostWriter(root)
    j = Journal(writer)
    txn = j.begin({"command": "dldoctor fix", "root": root, "steps": ["packages"]})
    txn.ran(txn.run(["apt-get", "update"], None, step="packages"), 0)
    txn.ran(txn.run(["apt-get", "install", "-y"] + OPTS + [TOOLKIT], ["apt-get", "remove", "-y"] +
                    OPTS + [TOOLKIT], step="packages", partial=True), 100)
    txn.close()
    j.mark(txn.path, "FILES_RESTORED")
    assert [f.status for f in j.fixes()] == ["files-restored"]
    u = cli("undo", "--root", root, "--yes")
    assert u.returncode == 0, u.stdout + u.stderr
    assert "none of %s is installed: nothing to reverse" % TOOLKIT in u.stdout, u.stdout
    assert "Undone: " in u.stdout and not u.stderr, u.stdout + u.stderr
    assert not [ln for ln in apt_log(root) if ln.startswith("apt-get remove")], apt_log(root)
    assert [f.status for f in Journal(writer).fixes()] == ["undone"]


def test_a_failed_apt_get_install_that_left_a_package_is_still_undone_and_says_why_not_in_one_line(root):
    """When dpkg has one of the packages (apt failed part-way), undo still removes it; when that
    remove fails, the reason is apt's last line, not its whole output with literal \\n in it."""
    Path(root, "installed").write_text("")
    r = fix_packages(root)
    assert "failed and may have done part of its work" in r.stdout, r.stdout
    u = cli("undo", "--root", root, "--yes")
    assert u.returncode == 1, u.stdout + u.stderr
    assert [ln for ln in apt_log(root) if ln.startswith("apt-get remove")], apt_log(root)
    failed = [ln for ln in u.stdout.splitlines() if ln.startswith("  failed: apt-get remove")]
    assert failed and failed[0].endswith(
        "(E: Sub-process /usr/bin/dpkg returned an error code (1))"), u.stdout
    assert "\\n" not in u.stdout + u.stderr, u.stdout + u.stderr
    assert "undo is not complete" in u.stderr


# --- 2. undo --force keeps what it overwrites ---------------------------------------------------


def kept_path(output):
    found = re.findall(r"that version is kept in (\S+\.before-undo)\)", output)
    assert len(found) == 1, output
    return found[0]


def test_undo_force_keeps_the_hand_edit_it_overwrites(root):
    """`fix --only daemon-json`, a hand edit (data-root), `undo` refuses, `undo --force` restores
    the backup: the edit was gone with no copy. Now it is kept in the journal, and said where."""
    daemon = Path(root, "etc/docker/daemon.json")
    daemon.write_text('{\n  "log-level": "warn"\n}\n')
    before = daemon.read_bytes()
    with mirror("live") as live:
        r = cli("fix", "--root", root, "--yes", "--only", "daemon-json", "--registry-mirror", live)
    assert r.returncode == 0, r.stdout + r.stderr
    edited = json.loads(daemon.read_text())
    edited["data-root"] = "/data/docker"
    daemon.write_text(json.dumps(edited, indent=2) + "\n")
    hand = daemon.read_bytes()
    u = cli("undo", "--root", root, "--yes")
    assert u.returncode == 1 and "changed after the fix" in u.stderr, u.stdout + u.stderr
    assert daemon.read_bytes() == hand
    u = cli("undo", "--root", root, "--yes", "--force")
    assert u.returncode == 0, u.stdout + u.stderr
    assert daemon.read_bytes() == before
    kept = kept_path(u.stdout)
    assert kept.startswith(os.path.join(root, "var/lib/dldoctor/journal/"))
    assert Path(kept).read_bytes() == hand


def test_undo_force_keeps_a_file_it_removes(root):
    """A file the fix created is removed by undo: edited since, it is kept first."""
    writer = HostWriter(root)
    new = b'{"registry-mirrors": ["https://m.example.com"]}\n'
    plans = [Plan("daemon-json", (FileWrite("/etc/docker/daemon.json", None, new),))]
    outcome = apply(plans, writer, Journal(writer), None, lambda p: True, lambda s: None, timeout=2)
    assert outcome.status == "applied", outcome
    daemon = Path(root, "etc/docker/daemon.json")
    daemon.write_bytes(b'{"data-root": "/data/docker"}\n')
    res = undo(Journal(writer), None, lambda rec: True, lambda s: None, force=True)
    assert res.status == "undone" and not daemon.exists(), res
    (gone,) = [r for r in res.restored if r.action == "removed"]
    assert Path(kept_path("(%s)" % gone.detail)).read_bytes() == b'{"data-root": "/data/docker"}\n'


# --- 3. what an adversarial test found (adv13: F4, F5, F6, F9) ----------------------------------

BOTH = [TOOLKIT, "docker-ce"]


def older_journal(root, packages=BOTH):
    """A FILES_RESTORED journal whose `apt-get install` of `packages` failed (partial)."""
    j = Journal(HostWriter(root))
    txn = j.begin({"command": "dldoctor fix", "root": root, "steps": ["packages"]})
    txn.ran(txn.run(["apt-get", "install", "-y"] + OPTS + packages,
                    ["apt-get", "remove", "-y"] + OPTS + packages,
                    step="packages", partial=True), 100)
    txn.close()
    j.mark(txn.path, "FILES_RESTORED")


def fake_dpkg_query(root, body):
    Path(root, "bin", "dpkg-query").write_text("#!/bin/sh\necho asked >> /dq.log\n" + body + "\n")


def removes(root):
    return [ln for ln in apt_log(root) if ln.startswith("apt-get remove")]


@pytest.mark.parametrize("answer", [
    "exit 0",                                                             # no answer at all
    "printf 'foo\\tdeinstall ok not-installed\\n'; exit 0",              # another package's
    "printf '%s\\tdeinstall ok not-installed\\n' nvidia-container-toolkit; exit 0",  # one left out
])
def test_undo_runs_the_remove_unless_dpkg_answers_for_every_package(root, answer):
    """F4: an empty answer, or one about other packages or leaving one out, is no answer: the
    remove runs (it used to say "none ... is installed: nothing to reverse")."""
    older_journal(root)
    fake_dpkg_query(root, answer)
    u = cli("undo", "--root", root, "--yes")
    assert "nothing to reverse" not in u.stdout, u.stdout
    assert removes(root), u.stdout + u.stderr


def test_undo_runs_no_remove_when_dpkg_answers_for_every_package(root):
    """One package not installed, the other unknown to dpkg (rc 1): nothing to reverse."""
    older_journal(root)
    fake_dpkg_query(root, "printf '%s\\tunknown ok not-installed\\n' nvidia-container-toolkit\n"
                          "echo 'dpkg-query: no packages found matching docker-ce' >&2; exit 1")
    u = cli("undo", "--root", root, "--yes")
    assert u.returncode == 0, u.stdout + u.stderr
    assert "none of %s docker-ce is installed: nothing to reverse" % TOOLKIT in u.stdout
    assert not removes(root), apt_log(root)


def test_undo_asks_dpkg_once_so_it_does_what_its_preview_said(root):
    """F5: the preview and the restore each asked dpkg; one that answered "none" then
    "installed" made undo run a remove its preview had called nothing to reverse."""
    older_journal(root)
    fake_dpkg_query(root, "if [ -f /asked ]; then s='install ok installed'; "
                          "else : > /asked; s='deinstall ok not-installed'; fi\n"
                          "for p in nvidia-container-toolkit docker-ce; do "
                          "printf '%s\\t%s\\n' $p \"$s\"; done")
    u = cli("undo", "--root", root, "--yes")
    assert Path(root, "dq.log").read_text().splitlines() == ["asked"], u.stdout
    assert u.returncode == 0 and "nothing to reverse" in u.stdout, u.stdout + u.stderr
    assert not removes(root), apt_log(root)


def test_a_hanging_dpkg_query_is_waited_for_once_and_no_longer_than_the_writers_timeout(root):
    """F5: `exec sleep` cost 2 x 60 s whatever the timeout; now once, bounded by the writer's."""
    older_journal(root)
    shutil.copy(os.path.join(root, "bin", "sh"), os.path.join(root, "bin", "sleep"))  # busybox
    fake_dpkg_query(root, "exec sleep 1000")
    started = time.monotonic()
    res = undo(Journal(HostWriter(root, timeout=2)), None, lambda rec: True, lambda s: None)
    assert time.monotonic() - started < 20, res
    assert Path(root, "dq.log").read_text().splitlines() == ["asked"]
    assert removes(root), res         # no answer: the remove runs


def test_undo_timeout_bounds_the_dpkg_query_wait(root):
    """adv13: `undo --timeout 2` still waited 60 s for a dpkg-query that hung."""
    older_journal(root)
    shutil.copy(os.path.join(root, "bin", "sh"), os.path.join(root, "bin", "sleep"))  # busybox
    fake_dpkg_query(root, "exec sleep 1000")
    started = time.monotonic()
    u = cli("undo", "--root", root, "--yes", "--timeout", "2")
    assert time.monotonic() - started < 30, u.stdout + u.stderr
    assert removes(root), u.stdout + u.stderr         # no answer: the remove runs


def apply_daemon_json_and_a_command(root, undo_argv):
    """A fix that ran a command (its undo `undo_argv`), then wrote daemon.json."""
    writer = HostWriter(root)
    Path(root, "etc/docker/daemon.json").write_text("{}\n")
    new = b'{"registry-mirrors": ["https://m.example.com"]}\n'
    plans = [Plan("docker-group", (Run(("/bin/sh", "-c", "true"), "a command", undo_argv),)),
             Plan("daemon-json", (FileWrite("/etc/docker/daemon.json", b"{}\n", new),))]
    outcome = apply(plans, writer, Journal(writer), None, lambda p: True, lambda s: None, timeout=2)
    assert outcome.status == "applied", outcome


def test_a_second_undo_force_keeps_the_copy_an_interrupted_one_kept(root):
    """F6: undo --force kept the edit in files/<idx>.before-undo and was killed before it ended
    (the fix stays undoable); after a second edit, the next undo --force replaced that copy."""
    # the command's undo kills its undo (dldoctor, its parent) the first time
    apply_daemon_json_and_a_command(root, ("/bin/sh", "-c",
                                           "[ -f /killed ] || { : > /killed; kill -9 $PPID; }"))
    daemon = Path(root, "etc/docker/daemon.json")
    daemon.write_text('{"data-root": "/one"}\n')
    u = cli("undo", "--root", root, "--yes", "--force")
    assert u.returncode == -9 and daemon.read_text() == "{}\n", u.stdout + u.stderr
    daemon.write_text('{"data-root": "/two"}\n')
    u = cli("undo", "--root", root, "--yes", "--force")
    assert u.returncode == 0, u.stdout + u.stderr
    found = re.findall(r"that version is kept in (\S+\.before-undo(?:\.\d+)?)\)", u.stdout)
    assert len(found) == 1 and found[0].endswith(".before-undo.1"), u.stdout
    assert Path(found[0]).read_text() == '{"data-root": "/two"}\n'
    assert Path(found[0][:-2]).read_text() == '{"data-root": "/one"}\n'     # still there


def test_the_kept_copy_has_no_setuid_bit(root):
    """F9: the copy of a 04755 edited file was kept 04755 in the journal."""
    apply_daemon_json_and_a_command(root, None)
    daemon = Path(root, "etc/docker/daemon.json")
    daemon.write_text('{"data-root": "/one"}\n')
    os.chmod(str(daemon), 0o4755)
    u = cli("undo", "--root", root, "--yes", "--force")
    assert u.returncode == 0, u.stdout + u.stderr
    assert stat.S_IMODE(os.stat(kept_path(u.stdout)).st_mode) == 0o755


def test_an_edited_file_that_is_a_fifo_is_refused_by_name(root):
    """F9: "dldoctor: not a regular file" named nothing."""
    apply_daemon_json_and_a_command(root, None)
    daemon = Path(root, "etc/docker/daemon.json")
    daemon.unlink()
    os.mkfifo(str(daemon))
    u = cli("undo", "--root", root, "--yes", "--force")
    assert u.returncode != 0, u.stdout + u.stderr
    assert "/etc/docker/daemon.json: not a regular file" in u.stderr, u.stderr
    assert stat.S_ISFIFO(os.lstat(str(daemon)).st_mode)


def test_undo_force_refuses_rather_than_replace_a_kept_copy_when_all_names_are_taken(root):
    """F6: past KEPT_LIMIT copies of one file, undo --force refuses and the edit stays."""
    apply_daemon_json_and_a_command(root, None)
    (fix,) = Journal(HostWriter(root)).fixes()
    (idx,) = [i for i, e in enumerate(fix.entries) if e.get("op") == "write"]
    for n in range(KEPT_LIMIT + 1):
        Path(fix.path, "files", "%d.before-undo" % idx + (".%d" % n if n else "")).write_text("%d" % n)
    daemon = Path(root, "etc/docker/daemon.json")
    daemon.write_text('{"data-root": "/one"}\n')
    u = cli("undo", "--root", root, "--yes", "--force")
    assert u.returncode == 1, u.stdout + u.stderr
    assert "already holds %d kept copies of /etc/docker/daemon.json" % (KEPT_LIMIT + 1) in u.stderr
    assert daemon.read_text() == '{"data-root": "/one"}\n'
    assert Path(fix.path, "files", "%d.before-undo" % idx).read_text() == "0"
