"""The journal, apply and undo on real files under a temporary --root: byte-identical undo, mode
and owner kept, the lock, an interrupted fix undone, edited-since refusal, validation and
verification failures rolled back, and the CLI's refusals (root, restart)."""
from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from dldoctor.host import fsops
from dldoctor.host.daemon_control import DaemonControl, LiveInfo, extract_error
from dldoctor.errors import ApplyFailed, Refused
from dldoctor.executor import apply, undo
from dldoctor.host.writer import HostWriter
from dldoctor.journal import Journal
from dldoctor.model import DaemonAction, FileWrite, Plan, Run
from dldoctor.provision import daemon_json as dj

OLD = b'{\n    "log-driver": "json-file"\n}\n'
NEW = b'{\n    "log-driver": "json-file",\n    "registry-mirrors": ["https://m.example.com"]\n}\n'
PATH = "/etc/docker/daemon.json"
REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def root():
    d = tempfile.mkdtemp(prefix="dlfix-", dir="/tmp")
    os.chmod(d, 0o755)
    os.makedirs(os.path.join(d, "etc", "docker"))
    yield d
    shutil.rmtree(d, ignore_errors=True)


def put(root, data=OLD, mode=0o640, owner=(1234, 5678)):
    p = os.path.join(root, "etc", "docker", "daemon.json")
    with open(p, "wb") as f:
        f.write(data)
    os.chmod(p, mode)
    if os.geteuid() == 0:
        os.chown(p, *owner)
    return p


def plan(before=OLD, after=NEW, action=None, validate=None):
    changes = [FileWrite(PATH, before, after, None, validate)]
    if action:
        changes.append(DaemonAction(action, "test"))
    return Plan("daemon-json", tuple(changes))


class FakeDaemon(DaemonControl):
    """A stand-in dockerd for the executor's control flow (the lab tests use the real one)."""

    kind = "fake"

    def __init__(self, writer, running=True, takes=True, comes_back=True):
        super().__init__({})
        self.writer, self.running, self.takes, self.comes_back = writer, running, takes, comes_back
        self.calls = []

    def is_running(self):
        return self.running

    def reload(self):
        self.calls.append("reload")

    def restart(self):
        self.calls.append("restart")
        self.running = self.comes_back

    def start(self):
        self.calls.append("start")
        self.running = True

    def wait_ready(self, timeout=None):
        return self.running

    def info(self):
        if not self.running:
            return None
        data = dj.parse(self.writer.read(PATH).decode()) if self.takes else {}
        return LiveInfo({"ServerVersion": "24.0.7", "Runtimes": {"runc": {}},
                         "RegistryConfig": {"Mirrors": data.get("registry-mirrors", [])}})

    def last_error(self):
        return "unable to configure the Docker daemon with file %s: boom" % PATH


def verifier(writer):
    return lambda info: dj.verify(info, writer.read(PATH).decode())


def run_apply(root, plans, control=None, **kw):
    writer = HostWriter(root)
    msgs = []
    kw.setdefault("verifiers", [verifier(writer)])
    outcome = apply(plans, writer, Journal(writer), control, lambda p: True, msgs.append,
                    timeout=2, **kw)
    return outcome, writer, msgs


def read(root):
    return Path(root, "etc/docker/daemon.json").read_bytes()


def meta(root):
    st = os.stat(os.path.join(root, "etc/docker/daemon.json"))
    return stat.S_IMODE(st.st_mode), st.st_uid, st.st_gid


# --- apply, then undo -----------------------------------------------------------------------------


def test_apply_then_undo_is_byte_identical_and_keeps_mode_owner(root):
    put(root)
    before_meta = meta(root)
    outcome, writer, _ = run_apply(root, [plan(action="reload")], FakeDaemon(HostWriter(root)))
    assert outcome.status == "applied" and outcome.exit_code == 0
    assert read(root) == NEW and meta(root) == before_meta
    j = Journal(writer)
    rec = j.last_undoable()
    assert rec.status == "applied"
    entries = rec.entries
    assert entries[0]["op"] == "write" and entries[0]["sha256_before"] == fsops.sha256(OLD)
    assert entries[0]["sha256_after"] == fsops.sha256(NEW)
    assert Path(rec.path, entries[0]["backup"]).read_bytes() == OLD
    assert entries[1] == {"op": "daemon", "action": "reload"}
    control = FakeDaemon(writer)
    result = undo(j, control, lambda r: True, lambda m: None)
    assert result.status == "undone" and result.exit_code == 0
    assert read(root) == OLD and meta(root) == before_meta
    assert control.calls == ["reload"]
    assert [r.status for r in j.fixes()] == ["undone"]
    assert undo(j, control, lambda r: True, lambda m: None).status == "nothing-to-undo"


def test_new_file_is_removed_by_undo(root):
    outcome, writer, _ = run_apply(root, [plan(before=None)], None)
    assert outcome.status == "applied" and read(root) == NEW
    assert stat.S_IMODE(os.stat(os.path.join(root, "etc/docker/daemon.json")).st_mode) == 0o644
    result = undo(Journal(writer), None, lambda r: True, lambda m: None)
    assert [r.action for r in result.restored] == ["removed"]
    assert not os.path.exists(os.path.join(root, "etc/docker/daemon.json"))


def test_not_running_writes_and_says_so(root):
    put(root)
    outcome, _, _ = run_apply(root, [plan(action="reload")], FakeDaemon(HostWriter(root),
                                                                        running=False))
    assert outcome.status == "applied" and outcome.exit_code == 0 and read(root) == NEW
    assert outcome.daemon == {"action": "reload", "result": "not-running"}
    assert any("takes effect when Docker starts" in m for m in outcome.messages)


def test_hung_daemon_without_a_pid_writes_and_fails(root):
    """No dockerd pid, and `docker info` gets no answer: hung, not stopped; the file stays
    written (undo puts it back) but fix exits 1 and says a restart is needed."""
    put(root)
    control = FakeDaemon(HostWriter(root), running=False)

    def info():
        control.no_answer = True
        return None

    control.info = info
    outcome, _, _ = run_apply(root, [plan(action="restart")], control)
    assert outcome.status == "applied" and outcome.exit_code == 1 and read(root) == NEW
    assert outcome.daemon == {"action": "restart", "result": "not-responding"}
    assert any("does not respond" in m and "systemctl restart docker" in m
               for m in outcome.messages)
    assert not any("not running" in m for m in outcome.messages)


def test_nothing_to_do(root):
    put(root)
    outcome, _, msgs = run_apply(root, [Plan("daemon-json")], None)
    assert outcome.status == "nothing-to-do" and outcome.exit_code == 0
    assert not os.path.exists(os.path.join(root, "var/lib/dldoctor/journal"))


# --- failures roll back ---------------------------------------------------------------------------


def test_daemon_that_does_not_take_it_is_rolled_back(root):
    put(root)
    control = FakeDaemon(HostWriter(root), takes=False)
    outcome, writer, _ = run_apply(root, [plan(action="reload")], control)
    assert outcome.status == "rolled-back" and outcome.exit_code == 1
    assert "registry mirror https://m.example.com is not live" in outcome.error
    assert read(root) == OLD
    assert control.calls == ["reload", "reload"]            # the old file reloaded again
    assert [r.status for r in Journal(writer).fixes()] == ["rolled-back"]


def test_failed_restart_restores_and_starts_again(root):
    put(root)
    control = FakeDaemon(HostWriter(root), comes_back=False)
    outcome, _, _ = run_apply(root, [plan(action="restart")], control, allow_restart=True)
    assert outcome.status == "rolled-back" and outcome.exit_code == 1
    assert "unable to configure the Docker daemon with file" in outcome.error
    assert read(root) == OLD and control.calls == ["restart", "start"]
    assert any("running with them" in m for m in outcome.messages)


def test_restart_needs_permission(root):
    put(root)
    control = FakeDaemon(HostWriter(root))
    outcome, _, _ = run_apply(root, [plan(action="restart")], control)
    assert outcome.status == "refused" and outcome.exit_code == 1
    assert "--restart" in outcome.error and "stops every running container" in outcome.error
    assert read(root) == OLD and control.calls == []


def give_shell(root):
    """A static busybox as the root's /bin/sh, so commands really run chrooted there."""
    bb = shutil.which("busybox") or "/bin/busybox"
    if os.geteuid() != 0 or not os.path.exists(bb):
        pytest.skip("needs root and busybox-static to chroot")
    os.makedirs(os.path.join(root, "bin"), exist_ok=True)
    shutil.copy2(bb, os.path.join(root, "bin", "busybox"))
    for applet in ("sh", "cat"):
        os.symlink("busybox", os.path.join(root, "bin", applet))


def test_validation_failure_leaves_file_untouched(root):
    put(root)
    give_shell(root)
    check = ("/bin/sh", "-c", "echo \"unable to configure the Docker daemon with file {path}: the "
             "following directives don't match any configuration option: foo\" >&2; exit 1")
    outcome, _, _ = run_apply(root, [plan(validate=check)], None)
    assert outcome.status == "rolled-back" and outcome.exit_code == 1
    assert "don't match any configuration option" in outcome.error
    assert read(root) == OLD
    assert [n for n in os.listdir(os.path.join(root, "etc/docker")) if "dldoctor-tmp" in n] == []


def test_validation_sees_the_exact_new_bytes(root):
    """`dockerd --validate --config-file {path}` checks the very temp file that is renamed (chrooted
    into the root, with the temp file's path as the root sees it)."""
    put(root)
    give_shell(root)
    check = ("/bin/sh", "-c", "cat {path} > /seen")
    outcome, _, _ = run_apply(root, [plan(validate=check)], None)
    assert outcome.status == "applied"
    assert Path(root, "seen").read_bytes() == NEW == read(root)


def test_file_changed_since_planned(root):
    put(root, data=b"{}\n")
    outcome, _, _ = run_apply(root, [plan()], None)
    assert outcome.status == "rolled-back" and "changed since dldoctor read it" in outcome.error
    assert read(root) == b"{}\n"


def test_failed_command_rolls_back_files_and_keeps_commands_undoable(root):
    put(root)
    # (an apt-get that fails may have unpacked some packages: `partial`, still undoable)
    plans = [plan(), Plan("packages", (Run(("/bin/false",), "fail", ("/bin/true",), partial=True),))]
    outcome, writer, _ = run_apply(root, plans, None)
    assert outcome.status == "rolled-back" and read(root) == OLD
    assert any("not reversed automatically" in m for m in outcome.messages)
    assert [r.status for r in Journal(writer).fixes()] == ["files-restored"]


# --- the lock -------------------------------------------------------------------------------------


def test_lock_refuses_a_second_fix(root):
    writer = HostWriter(root)
    j = Journal(writer)
    with j.lock():
        with pytest.raises(Refused) as err:
            with Journal(HostWriter(root)).lock():
                pass
        assert "another dldoctor fix is running (pid %d)" % os.getpid() in str(err.value)
    with j.lock():                  # released: free again
        pass


def test_lock_refusal_from_the_cli(root):
    put(root)
    holder = subprocess.Popen([sys.executable, "-c", (
        "import fcntl,os,sys,time; fd=os.open(sys.argv[1], os.O_RDWR|os.O_CREAT); "
        "fcntl.flock(fd, fcntl.LOCK_EX); os.write(fd, b'%d\\n' % os.getpid()); "
        "print('ok', flush=True); time.sleep(30)"),
        os.path.join(root, "var/lib/dldoctor/lock")], stdout=subprocess.PIPE,
        preexec_fn=lambda: os.makedirs(os.path.join(root, "var/lib/dldoctor"), exist_ok=True))
    try:
        assert holder.stdout.readline().strip() == b"ok"
        r = subprocess.run([sys.executable, "-m", "dldoctor", "undo", "--root", root, "--yes"],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        assert r.returncode == 1
        assert "another dldoctor fix is running (pid %d)" % holder.pid in r.stderr
        assert "Traceback" not in r.stderr
    finally:
        holder.kill()
        holder.wait()


# --- interrupted and edited-since -----------------------------------------------------------------


def test_interrupted_fix_is_undone(root):
    put(root)
    writer = HostWriter(root)
    j = Journal(writer)
    txn = j.begin({"command": "test"})
    txn.write(PATH, NEW)
    txn.close()                 # killed here: no COMMITTED marker
    assert [r.status for r in j.fixes()] == ["interrupted"] and read(root) == NEW
    result = undo(j, None, lambda r: True, lambda m: None)
    assert result.status == "undone" and read(root) == OLD


def test_interrupted_before_the_write_restores_nothing(root):
    put(root)
    j = Journal(HostWriter(root))
    txn = j.begin({"command": "test"})
    txn._append({"op": "write", "path": PATH, "backup": None, "sha256_before": fsops.sha256(OLD),
                 "sha256_after": fsops.sha256(NEW), "mode": None, "uid": None, "gid": None})
    txn.close()
    with open(os.path.join(txn.path, "journal.jsonl"), "a") as f:
        f.write('{"op": "write", "pa')          # a torn last line is ignored
    result = undo(j, None, lambda r: True, lambda m: None)
    assert [r.action for r in result.restored] == ["unchanged"] and read(root) == OLD


def test_edited_since_is_refused_unless_forced(root):
    put(root)
    outcome, writer, _ = run_apply(root, [plan()], None)
    edited = b'{"edited": true}\n'
    Path(root, "etc/docker/daemon.json").write_bytes(edited)
    j = Journal(writer)
    result = undo(j, None, lambda r: True, lambda m: None)
    assert result.status == "refused" and result.exit_code == 1
    assert "changed after the fix" in result.error and read(root) == edited
    result = undo(j, None, lambda r: True, lambda m: None, force=True)
    assert result.status == "undone" and read(root) == OLD


# --- files, paths ---------------------------------------------------------------------------------


def test_symlinks_resolve_inside_the_root(root):
    os.makedirs(os.path.join(root, "data"))
    real = os.path.join(root, "data", "daemon.json")
    Path(real).write_bytes(OLD)
    os.symlink("/data/daemon.json", os.path.join(root, "etc/docker/daemon.json"))
    w = HostWriter(root)
    assert w.live_path(PATH) == real
    assert w.live_path("/../../etc/passwd") == os.path.join(root, "etc/passwd")
    w.write_atomic(PATH, NEW)
    assert Path(real).read_bytes() == NEW
    assert os.path.islink(os.path.join(root, "etc/docker/daemon.json"))


def test_atomic_write_cleans_up_on_error(root):
    p = put(root)

    def boom(tmp):
        assert Path(tmp).read_bytes() == NEW
        raise ApplyFailed("no")
    with pytest.raises(ApplyFailed):
        fsops.atomic_write(p, NEW, validate=boom)
    assert Path(p).read_bytes() == OLD
    assert os.listdir(os.path.dirname(p)) == ["daemon.json"]


def test_extract_error_prefers_dockerds_sentence():
    log = ('time="x" level=info msg="Starting up"\n'
           "unable to configure the Docker daemon with file /etc/docker/daemon.json: the following "
           "directives are specified both as a flag and in the configuration file: hosts: "
           "(from flag: [fd://], from file: [tcp://127.0.0.1:2375])\n")
    assert extract_error(log).startswith("unable to configure the Docker daemon with file "
                                         "/etc/docker/daemon.json: the following directives")


# --- the CLI --------------------------------------------------------------------------------------


def cli(*args, user=None, env=None):
    sys.path.insert(0, str(REPO / "tests"))
    import lab as lablib
    e = dict(os.environ, DOCKER_HOST="unix:///nonexistent/docker.sock")
    e.update(env or {})
    return lablib.run_dldoctor(list(args), env=e, user=user)


def test_cli_fix_needs_root_but_dry_run_does_not(root):
    if os.geteuid() != 0:
        pytest.skip("needs root to drop to nobody")
    sys.path.insert(0, str(REPO / "tests"))
    import lab as lablib
    if lablib.run_as(65534, 65534, [], [sys.executable, "-c", "import dldoctor"]).returncode:
        pytest.skip("this interpreter cannot run as nobody (it lives under /root)")
    put(root, owner=(0, 0), mode=0o644)
    r = cli("fix", "--root", root, "--only", "daemon-json", user="nobody")
    assert r.returncode == 1
    assert r.stderr.strip() == ("dldoctor: dldoctor fix must run as root "
                                "(try: sudo dldoctor fix ...)")
    r = cli("fix", "--root", root, "--only", "daemon-json", "--dry-run", user="nobody")
    assert r.returncode == 0, r.stderr
    assert read(root) == OLD


def test_cli_usage_errors(root):
    r = cli("fix", "--root", root, "--only", "no-such-step", "--dry-run")
    assert r.returncode == 2 and "unknown step 'no-such-step'" in r.stderr
    r = cli("fix", "--root", root, "--only", "daemon-json", "--dry-run",
            "--registry-mirror", "docker.mirrors.example.com")
    assert r.returncode == 2 and "scheme" in r.stderr
    assert "Traceback" not in r.stderr


def test_cli_invalid_file_refused_and_json(root):
    bad = (REPO / "tests/data/fixtures/daemon-json/INVALID-trailing-comma-nvidia.json").read_bytes()
    put(root, data=bad)
    r = cli("fix", "--root", root, "--only", "daemon-json", "--yes", "--json")
    assert r.returncode == 1
    out = json.loads(r.stdout)
    assert out["status"] == "refused" and "line 9, column 1" in out["error"]
    assert read(root) == bad


def test_cli_undo_list_json(root):
    put(root)
    run_apply(root, [plan()], None)
    r = cli("undo", "--root", root, "--list", "--json")
    assert r.returncode == 0
    fixes = json.loads(r.stdout)["fixes"]
    assert [(f["status"], f["files"], f["steps"]) for f in fixes] == [
        ("applied", [PATH], ["daemon-json"])]


def test_cli_undo_list_states_in_zh_cn(root):
    put(root)
    run_apply(root, [plan()], None)
    r = cli("undo", "--root", root, "--list", env={"DLDOCTOR_LANG": "zh_CN"})
    assert r.returncode == 0
    line = r.stdout.splitlines()[0]
    assert "已应用" in line and "applied" not in line and "daemon-json" in line


class _FullDiskLog:
    """The journal file once the disk is full: what is written stays buffered and every flush
    (close included) fails with ENOSPC, as Python's buffered file does."""

    def __init__(self, inner):
        self.inner, self.pending = inner, ""

    def write(self, text):
        self.pending += text

    def flush(self):
        if self.pending:
            import errno
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    def fileno(self):
        return self.inner.fileno()

    @property
    def closed(self):
        return self.inner.closed

    def close(self):
        try:
            self.flush()
        finally:
            self.inner.close()


def test_disk_full_at_the_journal_rolls_back_what_was_written(root, monkeypatch):
    """The disk fills up after the first file was written: the journal entry of the second cannot
    be written. The first file is put back (not left changed with "undo --force" advice), and the
    message names the journal, not "standard output"."""
    from dldoctor.journal import Transaction

    put(root)
    real = Transaction._append

    def append(self, entry):
        if self.entries:
            self._log = _FullDiskLog(self._log)
        real(self, entry)

    monkeypatch.setattr(Transaction, "_append", append)
    second = FileWrite("/etc/apt/sources.list.d/x.list", None, b"deb http://x/ y main\n", None, None)
    outcome, writer, _ = run_apply(root, [plan(), Plan("apt-repos", (second,))], None)
    assert read(root) == OLD
    assert not os.path.exists(os.path.join(root, "etc/apt/sources.list.d/x.list"))
    assert outcome.status == "rolled-back", outcome.messages
    assert "standard output" not in outcome.error and "journal.jsonl" in outcome.error, outcome.error
    assert "No space left on device" in outcome.error


def test_a_write_that_runs_out_of_room_names_the_file(root):
    """A write refused for size (here RLIMIT_FSIZE; a full disk alike) names the file it was
    writing, not "standard output", and leaves the old file and no temp file behind."""
    p = put(root)
    code = ("import resource, signal, sys\n"
            "from dldoctor.host import fsops\n"
            "from dldoctor.errors import os_error_message\n"
            "signal.signal(signal.SIGXFSZ, signal.SIG_IGN)\n"
            "resource.setrlimit(resource.RLIMIT_FSIZE, (8, 8))\n"
            "try:\n"
            "    fsops.atomic_write(sys.argv[1], b'x' * 100, root=sys.argv[2])\n"
            "except OSError as exc:\n"
            "    print(os_error_message(exc))\n")
    res = subprocess.run([sys.executable, "-c", code, p, root], capture_output=True, text=True,
                         timeout=60, env=dict(os.environ, LANG="C"))
    assert res.returncode == 0, res.stderr
    assert "standard output" not in res.stdout and p in res.stdout, res.stdout
    assert Path(p).read_bytes() == OLD
    assert os.listdir(os.path.dirname(p)) == ["daemon.json"]


def test_read_only_root_names_the_path_it_could_not_write(root):
    """fix on a read-only filesystem: the message names dldoctor's directory or lock in full,
    not a bare "lock:" or "dldoctor:"."""
    if os.geteuid() != 0 or not shutil.which("mount"):
        pytest.skip("a read-only bind mount needs root")
    put(root)
    for existing in (False, True):
        if existing:
            os.makedirs(os.path.join(root, "var/lib/dldoctor"))
        res = subprocess.run(["mount", "--bind", root, root], capture_output=True)
        if res.returncode != 0:
            pytest.skip("cannot bind-mount here: %s" % res.stderr.decode().strip())
        try:
            subprocess.run(["mount", "-o", "remount,bind,ro", root, root], check=True,
                           capture_output=True)
            writer = HostWriter(root)
            outcome = None
            with pytest.raises(OSError) as info:
                outcome = apply([plan()], writer, Journal(writer), None, lambda p: True,
                                lambda m: None, timeout=2)
            assert outcome is None
            from dldoctor.errors import os_error_message
            msg = os_error_message(info.value)
            assert msg.startswith(os.path.join(root, "var")), msg
            if existing:
                assert msg.startswith(os.path.join(root, "var/lib/dldoctor/")), msg
        finally:
            subprocess.run(["umount", root], capture_output=True)
    assert read(root) == OLD


# --- a journal or a file that dldoctor did not write as it is ----------------------------------


def busybox_in(root, *applets):
    """Static busybox as root/bin/<applet>, so commands run chrooted in the root (else skip)."""
    busybox = shutil.which("busybox") or "/bin/busybox"
    if not os.path.isfile(busybox) or os.geteuid() != 0:
        pytest.skip("needs root and a static busybox to run commands chrooted in the root")
    os.makedirs(os.path.join(root, "bin"))
    for applet in applets:
        shutil.copy(busybox, os.path.join(root, "bin", applet))


def _journal_dir(root):
    base = Path(root, "var/lib/dldoctor/journal")
    (only,) = [p for p in base.iterdir() if p.is_dir()]
    return only


def test_undo_shows_the_commands_it_will_run_not_only_what_the_fix_ran(root):
    """The question before undo names what it runs as root: the undo command of each step."""
    busybox_in(root, "true")        # `true` whatever its arguments
    put(root)
    plans = [plan(), Plan("packages", (Run(("/bin/true", "install", "x"), "add x",
                                           ("/bin/true", "remove", "x")),
                                       Run(("/bin/true", "hold"), "no way back"),))]
    outcome, writer, _ = run_apply(root, plans, None)
    assert outcome.status == "applied"
    shown = []
    res = undo(Journal(writer), None, lambda rec: False, shown.append)
    assert res.status == "declined" and read(root) == NEW
    text = "\n".join(shown)
    assert "run: /bin/true remove x  (undoes: /bin/true install x)" in text, text
    assert "no undo command for: /bin/true hold" in text, text
    # in the order undo runs them, newest first (the question listed them as fix ran them)
    assert text.index("no undo command for: /bin/true hold") < text.index("run: /bin/true remove x"), text


def test_undo_says_what_it_ran_and_what_that_undid(root):
    """`ran: usermod -aG docker alice (gpasswd …)` read as if usermod ran again."""
    busybox_in(root, "true")
    put(root)
    run_apply(root, [plan(), Plan("docker-group", (
        Run(("/bin/true", "groupadd"), "group", ("/bin/true", "groupdel")),
        Run(("/bin/true", "usermod"), "member", ("/bin/true", "gpasswd-d")),))], None)
    r = cli("undo", "--root", root, "--yes")
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert "  ran: /bin/true gpasswd-d  (undoes: /bin/true usermod)" in lines, r.stdout
    assert lines.index("  ran: /bin/true gpasswd-d  (undoes: /bin/true usermod)") < \
        lines.index("  ran: /bin/true groupdel  (undoes: /bin/true groupadd)"), r.stdout


@pytest.mark.parametrize("change", [
    {"uid": -5}, {"mode": 0o100644}, {"path": "/../../../tmp/outside"}, {"path": "etc/docker/daemon.json"},
    {"backup": "../../../../etc/passwd"}, {"uid": True},
], ids=["negative-uid", "file-type-in-mode", "dotdot-path", "relative-path", "backup-elsewhere", "bool-uid"])
def test_undo_refuses_a_journal_entry_dldoctor_does_not_write(root, change):
    """Not an internal error, nor a 'removed: /../../x' that reads as a file outside the root: the
    journal is damaged (exit 2), named, and the file is left as it is."""
    put(root)
    run_apply(root, [plan()], None)
    log = _journal_dir(root) / "journal.jsonl"
    entries = [json.loads(l) for l in log.read_text().splitlines()]
    entries[0].update(change)
    log.write_text("".join(json.dumps(e) + "\n" for e in entries))
    r = cli("undo", "--root", root, "--yes")
    assert r.returncode == 2, (r.stdout, r.stderr)
    assert "cannot read dldoctor's journal" in r.stderr and "journal.jsonl" in r.stderr
    assert "internal error" not in r.stderr and read(root) == NEW


def test_a_huge_backup_is_damage_not_a_memory_error(root):
    """undo reads a backup as the file it stands for, to EDIT_LIMIT: a sparse 8 GiB one is
    reported damaged at once (it was read whole: MemoryError under a 1.5 GB limit)."""
    put(root)
    run_apply(root, [plan()], None)
    backup = _journal_dir(root) / "files" / "0"
    with open(backup, "r+b") as f:
        f.truncate(8 << 30)
    e = dict(os.environ, DOCKER_HOST="unix:///nonexistent/docker.sock")
    r = subprocess.run(["sh", "-c", 'ulimit -v 1500000; exec "$@"', "sh"] +
                       [sys.executable, "-m", "dldoctor", "undo", "--root", root, "--yes"],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=e, timeout=120)
    assert r.returncode == 1, (r.stdout, r.stderr)
    assert "missing or damaged" in r.stdout + r.stderr and "internal error" not in r.stderr
    assert read(root) == NEW


def test_undo_does_not_reverse_a_command_that_failed(root):
    """`groupadd docker` failing because the group exists must not become `groupdel docker`:
    the journal records how each command ended, and undo reverses only those that did not fail."""
    busybox_in(root, "true", "false", "touch")
    put(root)
    plans = [plan(), Plan("docker-group", (
        Run(("/bin/true", "made"), "works", ("/bin/touch", "/undid-made")),
        Run(("/bin/false", "exists"), "fails", ("/bin/touch", "/undid-failed")),))]
    outcome, writer, _ = run_apply(root, plans, None)
    assert outcome.status == "rolled-back" and read(root) == OLD
    said = " ".join(outcome.messages)
    assert "/bin/true made" in said and "/bin/false exists" not in said.split("failed:")[-1]
    # a command ran and changed the host: not "Docker was not touched" (apt-get remove docker.io)
    assert "Docker was not touched" not in said and "Docker was not reloaded or restarted" in said
    shown = []
    res = undo(Journal(writer), None, lambda rec: True, shown.append)
    assert res.status == "undone", (res, shown)
    assert os.path.exists(os.path.join(root, "undid-made"))
    assert not os.path.exists(os.path.join(root, "undid-failed"))
    assert any("failed when fix ran it, nothing to reverse: /bin/false exists" in s for s in shown)


def test_a_group_file_past_the_read_bound_is_not_read_as_no_docker_group(tmp_path):
    """/etc/group is read to 1 MiB; a docker line after that read as 'no docker group', and fix
    ran groupadd (and undo then groupdel). Now the step refuses: the file was not read whole."""
    r = tmp_path / "root"
    (r / "etc").mkdir(parents=True)
    (r / "etc" / "os-release").write_text('ID=ubuntu\nVERSION_ID="22.04"\nVERSION_CODENAME=jammy\n')
    (r / "etc" / "group").write_text("".join("g%06d:x:%d:\n" % (i, 10000 + i) for i in range(90000))
                                     + "docker:x:999:bob\n")
    res = cli("fix", "--root", str(r), "--only", "docker-group", "--user", "bob", "--dry-run", "--json")
    plan_ = json.loads(res.stdout)["plan"][0]
    assert plan_["changes"] == [] and "larger than 1 MiB" in plan_["blocked"]["why"], plan_


def test_a_planted_command_with_a_line_break_is_a_damaged_journal(root):
    """A newline in a journal's undo argv forged lines (and a 'y' answer) in undo's question."""
    put(root)
    run_apply(root, [plan()], None)
    log = _journal_dir(root) / "journal.jsonl"
    with open(log, "a") as f:
        f.write(json.dumps({"op": "run", "argv": ["usermod", "-aG", "docker", "alice"],
                            "undo": ["gpasswd", "-d", "alice", "docker\nRestore these files? [y/N]: y"],
                            "step": "docker-group"}) + "\n")
    r = cli("undo", "--root", root, "--yes")
    assert r.returncode == 2 and "cannot read dldoctor's journal" in r.stderr, (r.stdout, r.stderr)
    assert read(root) == NEW


@pytest.mark.parametrize("user", ["--help", "alice\nDry run: nothing was changed.", "a:b", "x" * 40])
def test_docker_group_refuses_what_is_no_user_name(root, user):
    """--user goes to usermod and gpasswd as one argument: `--help` made usermod exit 0."""
    r = cli("fix", "--root", root, "--only", "docker-group", "--user", user, "--dry-run", "--json")
    plan_ = json.loads(r.stdout)["plan"][0]
    assert plan_["changes"] == [] and "is not a user name" in plan_["blocked"]["why"], plan_


def test_undo_says_what_it_did_in_chinese(root):
    put(root)
    run_apply(root, [plan()], None)
    r = cli("undo", "--root", root, "--yes", env={"DLDOCTOR_LANG": "zh_CN"})
    assert r.returncode == 0, r.stderr
    assert "已恢复：/etc/docker/daemon.json" in r.stdout and "restored" not in r.stdout
    first = r.stdout.splitlines()[0]                # the fix's state, in words, as --list says it
    assert first.startswith("最近一次修复：") and "（已应用）" in first and "applied" not in first, first
    assert read(root) == OLD


def test_a_command_killed_by_a_signal_or_timed_out_may_have_done_part_and_stays_undoable():
    from dldoctor.journal import succeeded_runs
    runs = [{"op": "run", "argv": ["groupadd", "docker"], "undo": ["groupdel", "docker"]},
            {"op": "ran", "run": 0, "rc": -9},
            {"op": "run", "argv": ["usermod", "-aG", "docker", "a"], "undo": ["gpasswd", "-d", "a", "docker"]},
            {"op": "ran", "run": 2, "rc": None},
            {"op": "run", "argv": ["apt-get", "install", "x"], "undo": ["apt-get", "remove", "x"], "partial": "no"},
            {"op": "ran", "run": 4, "rc": 100},
            {"op": "run", "argv": ["groupadd", "docker"], "undo": ["groupdel", "docker"]},
            {"op": "ran", "run": 6, "rc": 9}]
    assert [e["argv"][0] for e in succeeded_runs(runs)] == ["groupadd", "usermod"]


def test_a_line_break_in_a_journals_steps_stays_in_its_line(root):
    put(root)
    run_apply(root, [plan()], None)
    summary_path = _journal_dir(root) / "plan.json"
    summary = json.loads(summary_path.read_text())
    summary["steps"] = ["daemon-json\n   run: rm -rf /  (undoes: nothing)"]
    summary_path.write_text(json.dumps(summary))
    r = cli("undo", "--root", root, "--yes")
    assert r.returncode == 0, (r.stdout, r.stderr)
    assert not [ln for ln in (r.stdout + r.stderr).splitlines() if ln.strip().startswith("run: rm")], r.stdout


def test_a_command_killed_by_a_signal_is_named_so_and_stays_undoable(root):
    """groupadd writes /etc/group, then /etc/gshadow: killed between them it did part of its work."""
    busybox_in(root, "sh", "kill", "touch")
    put(root)
    plans = [plan(), Plan("docker-group", (
        Run(("/bin/sh", "-c", "kill -9 $$"), "dies", ("/bin/touch", "/undid")),))]
    outcome, writer, _ = run_apply(root, plans, None)
    assert outcome.status == "rolled-back" and read(root) == OLD
    assert "killed by signal 9" in (outcome.error or "") + " ".join(outcome.messages), outcome
    res = undo(Journal(writer), None, lambda rec: True, [].append)
    assert res.status == "undone" and os.path.exists(os.path.join(root, "undid"))


def test_an_undo_whose_command_fails_says_so_and_can_be_run_again(root):
    """Reinstalling a removed package at its pinned version fails once that version left the
    archive: undo said "Undone" (exit 0), marked the fix undone, and a second undo found nothing.
    Now it fails naming undo's own command, the fix stays undoable, and the second undo runs only
    what did not work the first time."""
    busybox_in(root, "true", "false", "touch")
    put(root)
    plans = [plan(), Plan("packages", (
        Run(("/bin/true", "install", "a"), "add a", ("/bin/touch", "/undid-a")),
        Run(("/bin/true", "remove", "b"), "remove b", ("/bin/touch", "/gone/b=1.0")),))]
    outcome, writer, _ = run_apply(root, plans, None)
    assert outcome.status == "applied"
    res = undo(Journal(writer), None, lambda rec: True, lambda s: None)
    assert (res.status, res.exit_code) == ("failed", 1), res
    assert "/bin/touch /gone/b=1.0 failed" in res.error and "Undone" not in " ".join(res.messages)
    assert read(root) == OLD and os.path.exists(os.path.join(root, "undid-a"))
    (rec,) = Journal(writer).fixes()
    assert rec.status == "partly-undone" and rec.undoable     # not what a failed fix leaves
    assert rec.state_text == "partly undone"
    os.remove(os.path.join(root, "undid-a"))
    os.mkdir(os.path.join(root, "gone"))          # the cause mended: the command works now
    shown = []
    res = undo(Journal(writer), None, lambda rec: True, shown.append)
    assert "   reversed by an earlier undo: /bin/true install a" in shown, shown
    assert (res.status, res.exit_code) == ("undone", 0), res
    assert not os.path.exists(os.path.join(root, "undid-a"))     # not run a second time
    assert [r.detail for r in res.restored if r.path == "/bin/true install a"] == [
        "reversed by an earlier undo"]
    assert Journal(writer).fixes()[0].status == "undone" and os.path.exists(os.path.join(root, "gone/b=1.0"))


@pytest.mark.parametrize("root", ["/tmp/a b", "/tmp/esc\x1b[31mred", "/tmp/nl\nx", "/tmp/cr\rFAKE",
                                  "/tmp/it's", "/tmp/x$(touch PWNED)y", os.fsdecode(b"/tmp/\xff\xfe")])
def test_the_undo_advice_names_the_same_root_when_pasted(root):
    """A control character in --root was escaped for the terminal after shlex's quoting: pasted,
    the advice named another directory. It is one printable word that bash reads back exactly."""
    from dldoctor.executor import undo_command

    advice = undo_command({"root": root})
    assert advice.isprintable() and advice.startswith("dldoctor undo --root ")
    word = advice[len("dldoctor undo --root "):]
    said = subprocess.run(["bash", "-c", "printf %s " + word], stdout=subprocess.PIPE).stdout
    assert said == os.fsencode(root)


def test_undo_force_finishes_a_fix_whose_undo_command_can_never_work(root):
    """`gpasswd -d` of a user no longer in the group fails every time: the fix stayed undoable for
    good and plain undo never reached an older fix. --force finishes it and names what failed."""
    busybox_in(root, "true", "false")
    put(root)
    older, writer, _ = run_apply(root, [Plan("docker-group", (
        Run(("/bin/true", "older"), "older", ("/bin/true", "undo-older")),))], None)
    put(root)
    run_apply(root, [plan(), Plan("docker-group", (
        Run(("/bin/true", "usermod"), "add", ("/bin/false", "gpasswd", "-d")),))], None)
    res = undo(Journal(writer), None, lambda rec: True, lambda s: None)
    assert res.status == "failed" and "undo --force" in res.error
    assert "run `dldoctor undo` again" in res.error and "with `dldoctor undo --force`" in res.error
    # ... as a shell takes it, for the root the fix was under, behind sudo where fix ran through it
    from dldoctor.executor import undo_command
    assert undo_command({"root": "/srv/r b", "sudo": True}, "--force") == "sudo dldoctor undo --force --root '/srv/r b'"
    res = undo(Journal(writer), None, lambda rec: True, lambda s: None, force=True)
    assert (res.status, res.exit_code) == ("undone", 1), res
    assert "/bin/false gpasswd -d failed" in res.error and "by hand" in res.error
    newest = Journal(writer).fixes()[-1]
    assert newest.status == "undone" and Journal(writer).last_undoable().path == older.journal


@pytest.mark.parametrize("kind", ["link", "fifo"])
@pytest.mark.parametrize("name", ["REVERSED", "plan.json"])
def test_a_journal_file_that_is_a_link_or_fifo_is_damaged_with_the_way_past(root, tmp_path, kind, name):
    """A link or a FIFO in place of a journal file was refused without saying what to do; it is
    now a damaged journal like any other, naming the fix directory to move out."""
    put(root)
    run_apply(root, [plan()], None)
    fixdir = _journal_dir(root)
    target = fixdir / name
    if target.exists():
        target.unlink()
    if kind == "link":
        os.symlink(str(tmp_path / "elsewhere"), str(target))
    else:
        os.mkfifo(str(target))
    r = cli("undo", "--root", root, "--list")
    assert r.returncode == 2, (r.stdout, r.stderr)
    assert "cannot read dldoctor's journal" in r.stderr and "Move %s out of" % fixdir in r.stderr, r.stderr
    assert "Traceback" not in r.stderr and read(root) == NEW
