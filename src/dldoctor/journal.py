"""The write-ahead journal of `dldoctor fix`, `dldoctor undo`, and the lock that serialises them.

Layout (under the target root, so `--root` journals stay with their root):

    <root>/var/lib/dldoctor/lock                       flock'ed by a running fix/undo; holds its pid
    <root>/var/lib/dldoctor/journal/<UTC stamp>-<pid>/
        plan.json        what the fix set out to do (steps, paths, diffs): for `undo --list`
        journal.jsonl    one JSON object per line, appended and fsynced BEFORE each change:
                         {"op": "write"|"create"|"remove", "path", "backup", "sha256_before",
                          "sha256_after", "mode", "uid", "gid", "step"}
                         {"op": "run", "argv", "undo", "step"}
                         {"op": "ran", "run": <index of its run entry>, "rc"}  after the command
                         {"op": "daemon", "action"}
        files/<idx>      the backup of entry idx (bytes, mode and owner of the original)
        files/<idx>.before-undo  the file as `undo --force` found it, edited since the fix, kept
                         before the backup replaced (or its removal took) the edit
        COMMITTED        the fix finished (written by rename: it exists whole or not at all)
        ROLLED_BACK      the fix failed and put everything back itself (commands it ran that
                         have no undo command, such as apt-get update, or that failed with
                         nothing to reverse, stay as they are)
        FILES_RESTORED   the fix failed and put its files back, but commands it ran (apt-get
                         install...) are not reversed automatically: `undo` still can
        UNDONE           `dldoctor undo` restored it
        REVERSED         the run entries an undo has reversed so far (JSON), kept as each ends;
                         with it the fix lists as partly-undone until an undo finishes it

certbot's rule (reverter.py): register before you touch. A fix killed at any moment leaves a
journal whose entries describe every change that may have happened; since every write is atomic,
each touched file is either its `sha256_before` or its `sha256_after` version, and `undo` can tell
which by hashing it. That is how an interrupted fix is undone.

Nothing here follows a link: /var/lib is resolved inside the root like any target path, and from
there every directory and file of dldoctor's own (dldoctor/, lock, journal/, each fix, files/) is
opened openat-style with O_NOFOLLOW (host.fsops/host.paths with root=...). A link planted at any
of them is refused (paths.UnsafePath, exit 2) before a byte is written, so a hostile --root cannot
make fix or undo truncate, write or back up a file outside it.

Reading is bounded and strict: plan.json and journal.jsonl are read whole up to JOURNAL_LIMIT
bytes, and every line must be an entry as dldoctor writes it. A journal that is larger, not JSON,
nested too deeply or of another shape is damaged (a planted or corrupted one under a --root):
UsageError, exit 2, naming the file, never a guess at what that fix changed. Only a torn last line
(a fix killed mid-append: the change it announced was never made) is ignored.
"""
from __future__ import annotations

import contextlib
import datetime
import errno
import fcntl
import json
import os
import re
import stat

from dldoctor.errors import ApplyFailed, DldoctorError, Refused
from dldoctor.errors import UsageError
from dldoctor.host import fsops, paths
from dldoctor.host.writer import EDIT_LIMIT, HostWriter
from dldoctor.i18n import _
from dldoctor import nesting
from dldoctor.records import field, record
from dldoctor.scrub import last_line, one_line

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Dict, Iterator, List, Optional, Sequence, Tuple

BASE = "/var/lib/dldoctor"
COMMITTED, ROLLED_BACK, UNDONE = "COMMITTED", "ROLLED_BACK", "UNDONE"
FILES_RESTORED = "FILES_RESTORED"
# The run entries undo has reversed, written as each one ends: when another undo command fails
# (or undo is killed) the fix stays undoable, and undo run again does not repeat them (a second
# `gpasswd -d` fails).
REVERSED = "REVERSED"
FILE_OPS = ("write", "create", "remove")
# Bytes read of a journal's plan.json or journal.jsonl: a real one is a few KB (a line per file
# written or command run); a larger one is damaged, and is never read whole into memory.
JOURNAL_LIMIT = 16 * 1024 * 1024
# ... and all of them together (a fix writes a few KB; hundreds of fixes stay far below it)
JOURNALS_TOTAL_LIMIT = 64 * 1024 * 1024
# Copies of one edited file that forced undos may keep (<idx>.before-undo, .1, ...): each undo
# interrupted after keeping one adds one; past this many, undo refuses rather than replace one.
KEPT_LIMIT = 100


def _write_marker(directory: str, name: str, text: str = "", root: str = "/") -> None:
    """Create `name` whole or not at all (temp + fsync + rename + dir fsync)."""
    fsops.atomic_write(os.path.join(directory, name), text.encode("utf-8"), mode=0o600, root=root)


def _exists(path: str) -> bool:
    try:
        os.lstat(path)
    except OSError:
        return False
    return True


def state_text(status: str) -> str:
    """A journal status (applied | interrupted | files-restored | partly-undone | rolled-back |
    undone) in the user's language; an unknown one as it is."""
    words = {"applied": _("applied"), "interrupted": _("interrupted"),
             "files-restored": _("files restored"), "partly-undone": _("partly undone"),
             "rolled-back": _("rolled back"), "undone": _("undone")}
    return words.get(status, status)


@record
class FixRecord:
    """One journal directory, as `undo --list` shows it."""

    id: str
    path: str
    status: str              # applied | interrupted | files-restored | partly-undone | rolled-back | undone
    started: str
    summary: Dict[str, Any]
    entries: List[Dict[str, Any]] = field(default_factory=list)
    reversed: Tuple[int, ...] = ()   # run entries an earlier, failed undo reversed

    @property
    def undoable(self) -> bool:
        return self.status in ("applied", "interrupted", "files-restored", "partly-undone")

    @property
    def state_text(self) -> str:
        """The status in the user's language, as `undo` and `undo --list` show it (the JSON keeps
        the token)."""
        return state_text(self.status)

    def failed_runs(self) -> List[int]:
        """Indexes of run entries whose command failed when fix ran it: there is nothing to undo
        (a `groupadd docker` that failed because the group exists must not become `groupdel`).
        A run with no `ran` entry (a fix killed while it ran, or an older journal), or one that
        timed out or was killed by a signal, is not known to have failed: undo offers its undo
        command, as before."""
        return _failed(self.entries)

    def failed_partly(self) -> List[int]:
        """Run entries whose command failed but may have done part of its work (`partial`):
        undo reverses them only when it finds something to reverse (Journal.nothing_to_reverse)."""
        return _failed_partly(self.entries)

    def steps_done(self) -> List[str]:
        """The steps that wrote or ran something, in order: a fix that failed or was killed
        part-way did not reach the rest of its plan. The plan's steps when no entry names one."""
        seen: List[str] = []
        for e in self.entries:
            step = e.get("step")
            if isinstance(step, str) and step and step not in seen:
                seen.append(step)
        return seen or list(self.summary.get("steps", []))

    def files(self) -> List[str]:
        seen: List[str] = []
        for e in self.entries:
            if e.get("op") in FILE_OPS and e["path"] not in seen:
                seen.append(e["path"])
        return seen

    def to_json(self) -> Dict[str, Any]:
        return {"id": self.id, "status": self.status, "started": self.started,
                "steps": self.summary.get("steps", []), "files": self.files(),
                "commands": [e["argv"] for e in self.entries if e.get("op") == "run"],
                "daemon": [e["action"] for e in self.entries if e.get("op") == "daemon"],
                "command": self.summary.get("command")}


@record
class Restored:
    """What undo/rollback did to one journal entry."""

    path: str
    action: str            # restored | removed | unchanged | refused | ran | not-undoable | failed
    detail: str = ""

    def to_json(self) -> Dict[str, str]:
        return {"path": self.path, "action": self.action, "detail": self.detail}


class Journal:
    """All journals of one root, and its lock."""

    def __init__(self, writer: HostWriter):
        self.writer = writer
        self.root = writer.root
        # /var/lib may be a link on the target (resolved inside the root); dldoctor/ may not.
        self.base = os.path.join(writer.live_path(os.path.dirname(BASE)), os.path.basename(BASE))
        self.dir = os.path.join(self.base, "journal")
        # nothing_to_reverse's answers, by undo argv: dpkg is asked once per run, so the preview
        # the user confirmed is what restore does
        self._none_installed: Dict[Tuple[str, ...], Optional[str]] = {}

    # --- the lock --------------------------------------------------------------------------------
    @contextlib.contextmanager
    def lock(self) -> Iterator[None]:
        """Hold <root>/var/lib/dldoctor/lock; Refused at once if another fix/undo holds it.

        flock locks die with their process, so a SIGKILLed fix never leaves a stale lock behind.
        """
        fsops.makedirs(self.base, root=self.root)
        path = os.path.join(self.base, "lock")
        fd = paths.open_beneath(self.root, path, os.O_RDWR | os.O_CREAT |
                                getattr(os, "O_NONBLOCK", 0), 0o644)
        try:
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                raise paths.UnsafePath(_("{path} is not a regular file; refusing to use it as "
                                         "dldoctor's lock").format(path=path))
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError as exc:
                if exc.errno not in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                    raise
                holder = os.pread(fd, 32, 0).decode("ascii", "replace").strip() or "?"
                raise Refused(_("another dldoctor fix is running (pid {pid}); wait for it to "
                                "finish").format(pid=holder)) from None
            os.ftruncate(fd, 0)
            os.pwrite(fd, ("%d\n" % os.getpid()).encode(), 0)
            try:
                yield
            finally:
                os.ftruncate(fd, 0)
        finally:
            os.close(fd)          # releases the flock

    # --- a new fix -------------------------------------------------------------------------------
    def begin(self, summary: Dict[str, Any]) -> "Transaction":
        fsops.makedirs(self.dir, root=self.root, mode=0o700)
        stamp = datetime.datetime.now(datetime.timezone.utc).strftime("%Y%m%dT%H%M%S.%fZ")
        name = "%s-%d" % (stamp, os.getpid())
        path = os.path.join(self.dir, name)
        dfd = paths.open_dir(self.root, self.dir)
        try:
            os.mkdir(name, 0o700, dir_fd=dfd)
        finally:
            os.close(dfd)
        fsops.makedirs(os.path.join(path, "files"), root=self.root, mode=0o700)
        summary = dict(summary)
        summary.setdefault("started", stamp)
        fsops.atomic_write(os.path.join(path, "plan.json"),
                           (json.dumps(summary, indent=2, sort_keys=True) + "\n").encode(),
                           mode=0o600, root=self.root)
        fsops.fsync_dir(self.dir, root=self.root)
        return Transaction(self, name, path)

    # --- past fixes ------------------------------------------------------------------------------
    def fixes(self) -> List[FixRecord]:
        """Every journal, oldest first."""
        try:
            dfd = paths.open_dir(self.root, self.dir)
        except FileNotFoundError:
            return []
        except PermissionError:
            raise UsageError(_("cannot read dldoctor's journals in {dir}: permission denied (they "
                               "belong to root: run it with sudo)").format(dir=self.dir)) from None
        try:
            names = sorted(os.listdir(dfd))
        except PermissionError:
            raise UsageError(_("cannot read dldoctor's journals in {dir}: permission denied (they "
                               "belong to root: run it with sudo)").format(dir=self.dir)) from None
        finally:
            os.close(dfd)
        total = 0
        for n in names:     # (the files as they are on disk: one hard-linked file counts each time)
            for f in ("plan.json", "journal.jsonl"):
                try:
                    # (a file over its own bound is told as that, by name)
                    total += min(os.lstat(os.path.join(self.dir, n, f)).st_size, JOURNAL_LIMIT)
                except OSError:
                    pass
            if total > JOURNALS_TOTAL_LIMIT:
                raise UsageError(_("dldoctor's journals in {dir} hold more than {n} MiB in all: move the oldest "
                                   "fix directories aside").format(dir=self.dir, n=JOURNALS_TOTAL_LIMIT >> 20))
        return [r for r in (self._record(n) for n in names) if r is not None]

    def _record(self, name: str) -> Optional[FixRecord]:
        path = os.path.join(self.dir, name)
        try:
            if not stat.S_ISDIR(os.lstat(path).st_mode):
                return None             # a link or a stray file is no journal of ours
        except OSError:
            return None
        summary = _read_plan(path, self.root)
        if _exists(os.path.join(path, UNDONE)):
            status = "undone"
        elif _exists(os.path.join(path, ROLLED_BACK)):
            status = "rolled-back"
        elif _exists(os.path.join(path, FILES_RESTORED)):
            status = "files-restored"
        elif _exists(os.path.join(path, COMMITTED)):
            status = "applied"
        else:
            status = "interrupted"
        done = _read_reversed(path, self.root)
        if done and status in ("applied", "interrupted", "files-restored"):
            status = "partly-undone"    # an undo stopped at a command: not what a fix left
        return FixRecord(name, path, status, str(summary.get("started", name.split("-")[0])),
                         summary, _read_entries(path, self.root), done)

    def last_undoable(self) -> Optional[FixRecord]:
        for rec in reversed(self.fixes()):
            if rec.undoable:
                return rec
        return None

    # --- restoring -------------------------------------------------------------------------------
    def check_undo(self, rec: FixRecord) -> List[Restored]:
        """Files of `rec` edited since the fix (neither its before nor its after version)."""
        edited = []
        expected: Dict[str, Tuple[Optional[str], Optional[str]]] = {}
        for e in rec.entries:       # first before, last after, per path
            if e.get("op") in FILE_OPS:
                first = expected.get(e["path"], (e.get("sha256_before"), None))[0]
                expected[e["path"]] = (first, e.get("sha256_after"))
        for path, (before, after) in expected.items():
            now = fsops.sha256(self._read_now(path))
            if now not in (before, after):
                edited.append(Restored(path, "refused", _(
                    "{path} was changed after the fix; undo --force restores the backup "
                    "anyway, keeping a copy of the file as it is now").format(path=one_line(path))))
        return edited

    def restore(self, rec: FixRecord, force: bool = False, run_undo: bool = True) -> List[Restored]:
        """Put back every change of `rec`, newest first; atomic per file.

        A file whose current hash is neither the entry's before nor after version was edited
        since: refused (nothing at all is restored) unless `force`.
        """
        if not force:
            edited = self.check_undo(rec)
            if edited:
                raise Refused("\n".join(r.detail for r in edited))
        done: List[Restored] = []
        failed = rec.failed_runs()
        partly = rec.failed_partly()
        ran = set(rec.reversed)
        for idx in reversed(range(len(rec.entries))):
            e = rec.entries[idx]
            op = e.get("op")
            if op in FILE_OPS:
                done.append(self._restore_file(rec, idx, force))
            elif op == "run" and run_undo and idx in rec.reversed:
                done.append(Restored(" ".join(e["argv"]), "unchanged",
                                     _("reversed by an earlier undo")))
            elif op == "run" and run_undo:
                nothing = self.nothing_to_reverse(e) if idx in partly else None
                done.append(self._undo_run(e, idx in failed, nothing))
                if done[-1].action == "ran":     # kept at once: a kill later must not lose it
                    ran.add(idx)
                    _write_marker(rec.path, REVERSED, json.dumps(sorted(ran)), root=self.root)
        return [r for r in reversed(done)]

    def _restore_file(self, rec: FixRecord, idx: int, force: bool) -> Restored:
        e = rec.entries[idx]
        path = e["path"]
        fsops.sweep_temps(self.writer.live_path(path), self.root)  # a killed fix's half-written temp
        now = fsops.sha256(self._read_now(path))
        before = e.get("sha256_before")
        if now == before:
            return Restored(path, "unchanged")
        if now != e.get("sha256_after") and not force:
            return Restored(path, "refused", _("changed after the fix"))
        kept = ""
        if now != e.get("sha256_after") and now is not None:
            kept = self._keep_edited(rec, idx, path)      # --force: the edit is not thrown away
        if before is None:              # the fix created it
            self.writer.remove(path)
            return Restored(path, "removed", _kept_text(kept))
        backup = e.get("backup")
        try:    # bounded as the file it stands for (EDIT_LIMIT); a FIFO or a larger one is damage
            data = fsops.read_bytes(os.path.join(rec.path, backup), root=self.root,
                                    limit=EDIT_LIMIT) if backup else None
        except OSError:
            data = None
        if data is None or fsops.sha256(data) != before:
            raise ApplyFailed(_("the backup of {path} in {dir} is missing or damaged; nothing "
                                "more was restored").format(path=path, dir=rec.path))
        owner = (e["uid"], e["gid"]) if e.get("uid") is not None else None
        self.writer.write_atomic(path, data, mode=e.get("mode"), owner=owner)
        return Restored(path, "restored", _kept_text(kept))

    def _read_now(self, path: str) -> Optional[bytes]:
        """writer.read(path), naming `path` when it is a FIFO, device or directory (the refusal
        paths.NotRegular names no file)."""
        try:
            return self.writer.read(path)
        except paths.NotRegular as exc:
            raise paths.NotRegular(exc.errno, exc.strerror, path) from None

    def _keep_edited(self, rec: FixRecord, idx: int, path: str) -> str:
        """Copy `path`, edited since the fix, to files/<idx>.before-undo in the fix's journal
        before a forced undo replaces or removes it (bytes, owner and mode without set-id or
        sticky bits, atomically); that copy's path. A copy an earlier (interrupted) undo kept is
        never replaced: the next free <idx>.before-undo.N is used."""
        files = os.path.join(rec.path, "files")
        fsops.makedirs(files, root=self.root, mode=0o700)
        live = self.writer.live_path(path)
        # bounded: a file that grew past EDIT_LIMIT since it was hashed is not read whole
        data = fsops.read_bytes(live, root=self.root, limit=EDIT_LIMIT)
        if data is None:
            return ""
        st = os.lstat(live)
        dfd = paths.open_dir(self.root, files)
        try:
            for n in range(KEPT_LIMIT + 1):
                name = "%d.before-undo" % idx + (".%d" % n if n else "")
                try:
                    os.stat(name, dir_fd=dfd, follow_symlinks=False)
                except FileNotFoundError:
                    break
            else:
                raise Refused(_("{dir} already holds {n} kept copies of {path}; move them "
                                "elsewhere, then run undo again").format(
                                    dir=files, n=KEPT_LIMIT + 1, path=one_line(path)))
        finally:
            os.close(dfd)
        keep = os.path.join(files, name)
        fsops.atomic_write(keep, data, mode=st.st_mode & 0o777,
                           owner=(st.st_uid, st.st_gid), root=self.root)
        return keep

    def nothing_to_reverse(self, e: Dict[str, Any]) -> Optional[str]:
        """Why the undo of run entry `e` has nothing to reverse, or None (run it).

        An `apt-get install` that failed (offline: "Unable to locate package") may have installed
        part of its packages, so its undo `apt-get remove` stays; but when dpkg has none of them,
        that remove fails ("Unable to locate package") and undo could never finish. dpkg is asked
        first, once per undo command in this run; unless it answers for every package (not
        installed, or unknown), the undo command runs as before."""
        packages = _apt_remove_packages(e.get("undo"))
        if not packages:
            return None
        key = tuple(e["undo"])
        if key not in self._none_installed:
            self._none_installed[key] = self._none_installed_text(packages)
        return self._none_installed[key]

    def _none_installed_text(self, packages: List[str]) -> Optional[str]:
        """nothing_to_reverse's answer, from one dpkg-query (bounded by the writer's timeout)."""
        res = self.writer.run(["dpkg-query", "-W", "-f", "${Package}\t${Status}\n", "--"]
                              + packages, timeout=min(60.0, self.writer.timeout),
                              env=dict(self.writer.env, LC_ALL="C"))  # its English "no packages"
        if res.rc not in (0, 1):          # 1: some name it does not know; 2: it could not read
            return None
        answered = set()
        for line in res.stdout.split("\n"):
            if not line.strip():
                continue
            name, _tab, status = line.partition("\t")
            if status.split()[-1:] not in (["not-installed"], ["config-files"]):
                return None               # (an unreadable line counts as installed)
            answered.add(name)
        if res.rc == 1:
            answered.update(re.findall(r"no packages found matching (\S+)", res.stderr))
        if not set(packages) <= answered:  # one left out, or another package's answer
            return None
        return _("it failed when fix ran it, and none of {packages} is installed: nothing to "
                 "reverse").format(packages=" ".join(packages))

    def _undo_run(self, e: Dict[str, Any], failed: bool = False,
                  nothing: Optional[str] = None) -> Restored:
        shown = " ".join(e["argv"])
        if failed:
            return Restored(shown, "not-undoable", _("it failed when fix ran it: nothing to "
                                                     "reverse"))
        if nothing:
            return Restored(shown, "not-undoable", nothing)
        if not e.get("undo"):
            return Restored(shown, "not-undoable", _("no undo command; reverse it by hand if "
                                                     "needed"))
        res = self.writer.run(e["undo"], timeout=600)
        if not res.ok:       # named by the command that failed: undo's, not the fix's
            return Restored(" ".join(e["undo"]), "failed", last_line(res.output or res.error or ""))
        return Restored(shown, "ran", " ".join(e["undo"]))

    def mark(self, rec_path: str, marker: str, text: str = "") -> None:
        _write_marker(rec_path, marker, text, root=self.root)


def _kept_text(kept: str) -> str:
    """Where a forced undo kept the file it replaced ("": nothing was kept)."""
    return _("it was changed after the fix; that version is kept in {path}").format(
        path=kept) if kept else ""


def _apt_remove_packages(undo: Any) -> List[str]:
    """The package names of an `apt-get remove [options] PKG...` undo command (packages step);
    [] for any other command."""
    if not _strs(undo) or len(undo) < 3 or os.path.basename(undo[0]) != "apt-get" \
            or undo[1] != "remove":
        return []
    names: List[str] = []
    args = iter(undo[2:])
    for a in args:
        if a in ("-o", "-c", "-t"):
            next(args, None)               # an option's value, not a package
        elif not a.startswith("-"):
            names.append(a)
    return names


def succeeded_runs(entries: Sequence[Dict[str, Any]]) -> List[Dict[str, Any]]:
    """The run entries whose command may have changed the host (all but those that failed)."""
    failed = _failed(entries)
    return [e for i, e in enumerate(entries) if e.get("op") == "run" and i not in failed]


def ended_failing(entries: Sequence[Dict[str, Any]]) -> List[int]:
    """Run entries whose command ended saying it failed."""
    # rc > 0: it ended and said it failed; None (timed out) or < 0 (a signal) may have done part
    failed = [e["run"] for e in entries if e.get("op") == "ran" and type(e.get("rc")) is int
              and e["rc"] > 0]
    return [i for i in failed if 0 <= i < len(entries) and entries[i].get("op") == "run"]


def _failed(entries: Sequence[Dict[str, Any]]) -> List[int]:
    """Run entries whose command failed, and whose failure leaves nothing done (not `partial`)."""
    return [i for i in ended_failing(entries) if entries[i].get("partial") is not True]


def _failed_partly(entries: Sequence[Dict[str, Any]]) -> List[int]:
    """Run entries whose command failed, and whose failure may leave part of it done."""
    return [i for i in ended_failing(entries) if entries[i].get("partial") is True]


def _damaged(path: str, why: str) -> UsageError:
    """A journal file dldoctor did not write as it is (exit 2): which, why, and the way past it."""
    return UsageError(_("cannot read dldoctor's journal {path}: {why}. Move {dir} out of {journals} "
                        "to list or undo the other fixes.").format(
        path=path, why=why, dir=os.path.dirname(path),
        journals=os.path.dirname(os.path.dirname(path))))


def _read_reversed(path: str, root: str = "/") -> Tuple[int, ...]:
    """The run entries an earlier undo reversed (REVERSED); none when there is no such list."""
    data = _read_own(os.path.join(path, REVERSED), root)
    found, why = _loads(data) if data is not None else ([], None)
    if why is not None or not isinstance(found, list) or \
            not all(type(i) is int and i >= 0 for i in found):
        raise _damaged(os.path.join(path, REVERSED), _("it is not a list of journal entries"))
    return tuple(found)


def _read_own(path: str, root: str) -> Optional[bytes]:
    """A journal file's bytes (None when it does not exist): a regular file reached without
    links, at most JOURNAL_LIMIT bytes. A link or a FIFO in its place is a damaged journal (exit
    2), named with the way past it, as any other damage is."""
    try:
        data, cut = paths.read_file(path, limit=JOURNAL_LIMIT, root=root)
    except FileNotFoundError:
        return None
    except (paths.NotRegular, paths.UnsafePath):     # nothing read; the way past is the same
        raise _damaged(path, _("it is a symbolic link or not a regular file")) from None
    if cut:
        raise _damaged(path, _("it is larger than {n} MiB").format(n=JOURNAL_LIMIT >> 20))
    return data


def _loads(data: bytes) -> Tuple[Any, Optional[str]]:
    """(the JSON value, None) or (None, why it is not one): invalid UTF-8 or JSON, or nested too
    deeply to read."""
    try:
        return nesting.loads(data.decode("utf-8")), None
    except nesting.TooDeep:
        return None, _("nested too deeply")
    except ValueError:       # UnicodeDecodeError too
        return None, _("not valid JSON")


def _strs(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) for v in value)


def _entry_ok(e: Any) -> bool:
    """An entry of the shape Transaction writes (what restore and --list rely on)."""
    if not isinstance(e, dict) or not isinstance(e.get("op"), str):
        return False

    def opt(key: str, kind: Any) -> bool:
        return e.get(key) is None or isinstance(e[key], kind)

    def within(key: str, top: int) -> bool:      # (bool is an int too, and no owner or mode)
        v = e.get(key)
        return v is None or (type(v) is int and 0 <= v <= top)

    op = e["op"]
    if op in FILE_OPS:
        path, backup = e.get("path"), e.get("backup")
        # as Transaction writes them: a normalised absolute path (an undo that said
        # "removed: /../../x" would read as a file outside the root), files/<n> beside it
        return (isinstance(path, str) and path.startswith("/") and os.path.normpath(path) == path
                and (backup is None or isinstance(backup, str) and backup.startswith("files/")
                     and backup[6:].isdigit() and backup[6:].isascii())
                and opt("sha256_before", str) and opt("sha256_after", str)
                and within("mode", 0o7777) and within("uid", 2**32 - 2) and within("gid", 2**32 - 2)
                and opt("step", str))
    if op == "run":
        # fix's commands hold no control character; one in a planted entry would forge a line
        # of the question undo asks before it runs them
        return _argv(e.get("argv")) and (e.get("undo") is None or _argv(e["undo"]))
    if op == "daemon":
        return isinstance(e.get("action"), str)
    if op == "ran":
        return type(e.get("run")) is int and e["run"] >= 0 and (
            e.get("rc") is None or type(e.get("rc")) is int)
    return True     # an op this version does not know: nothing here acts on it


def _argv(v: Any) -> bool:
    return _strs(v) and all(a.isprintable() for a in v)


def _read_plan(path: str, root: str = "/") -> Dict[str, Any]:
    """A journal's plan.json ({} when the fix was killed before writing it); UsageError when
    it is damaged."""
    name = os.path.join(path, "plan.json")
    data = _read_own(name, root)
    if data is None:
        return {}
    summary, why = _loads(data)
    if why is not None:
        raise _damaged(name, why)
    if not (isinstance(summary, dict) and _strs(summary.get("steps", [])) and
            isinstance(summary.get("started", ""), str) and
            isinstance(summary.get("command", ""), (str, type(None)))):
        raise _damaged(name, _("it is not the plan of a fix"))
    return summary


def _read_entries(path: str, root: str = "/") -> List[Dict[str, Any]]:
    """The journal's entries; a torn last line (killed mid-append) is ignored, any other line
    that is not an entry is damage (UsageError)."""
    name = os.path.join(path, "journal.jsonl")
    data = _read_own(name, root)
    if data is None:
        return []
    lines = data.split(b"\n")
    lines.pop()          # after the last newline: b"" or a torn line
    out = []
    for n, line in enumerate(lines, 1):
        entry, why = _loads(line)
        if why is None and not _entry_ok(entry):
            why = _("not a journal entry")
        if why is not None:
            raise _damaged(name, _("line {n}: {why}").format(n=n, why=why))
        out.append(entry)
    return out


class Transaction:
    """One fix in progress: journaled changes, then commit or rollback."""

    def __init__(self, journal: Journal, name: str, path: str):
        self.journal = journal
        self.writer = journal.writer
        self.name = name
        self.path = path
        self.entries: List[Dict[str, Any]] = []
        # after rollback(): the run entries `dldoctor undo` still reverses
        self.left_to_undo: List[int] = []
        self._log = fsops.open_text(journal.root, os.path.join(path, "journal.jsonl"),
                               os.O_WRONLY | os.O_APPEND | os.O_CREAT, "a")
        fsops.fsync_dir(path, root=journal.root)

    def _append(self, entry: Dict[str, Any]) -> None:
        """Journal `entry` durably before its change is made (a full disk fails here, first)."""
        try:
            self._log.write(json.dumps(entry, sort_keys=True) + "\n")
            self._log.flush()
            os.fsync(self._log.fileno())
        except OSError as exc:
            if exc.filename is None:      # name the journal, not "standard output"
                raise OSError(exc.errno, exc.strerror,
                              os.path.join(self.path, "journal.jsonl")) from exc
            raise
        self.entries.append(entry)

    def write(self, path: str, data: bytes, mode: Optional[int] = None, step: str = "",
              validate: Optional[Sequence[str]] = None) -> Dict[str, Any]:
        """Back up `path`, journal the write, then replace the file atomically."""
        idx = len(self.entries)
        fsops.sweep_temps(self.writer.live_path(path), self.journal.root)
        current = self.writer.read(path)
        st = self.writer.stat(path) if current is not None else None
        backup = None
        if current is not None:
            backup = "files/%d" % idx
            fsops.backup_copy(self.writer.live_path(path), os.path.join(self.path, backup),
                              root=self.journal.root, dest_root=self.journal.root)
            fsops.fsync_dir(os.path.join(self.path, "files"), root=self.journal.root)
        entry = {"op": "write" if current is not None else "create", "path": path,
                 "backup": backup, "sha256_before": fsops.sha256(current),
                 "sha256_after": fsops.sha256(data), "step": step,
                 "mode": (st.st_mode & 0o7777) if st else None,
                 "uid": st.st_uid if st else None, "gid": st.st_gid if st else None}
        self._append(entry)
        self.writer.write_atomic(path, data, mode=mode, validate=validate)
        return entry

    def remove(self, path: str, step: str = "") -> Dict[str, Any]:
        idx = len(self.entries)
        current = self.writer.read(path)
        st = self.writer.stat(path)
        backup = None
        if current is not None:
            backup = "files/%d" % idx
            fsops.backup_copy(self.writer.live_path(path), os.path.join(self.path, backup),
                              root=self.journal.root, dest_root=self.journal.root)
        entry = {"op": "remove", "path": path, "backup": backup,
                 "sha256_before": fsops.sha256(current), "sha256_after": None, "step": step,
                 "mode": (st.st_mode & 0o7777) if st else None,
                 "uid": st.st_uid if st else None, "gid": st.st_gid if st else None}
        self._append(entry)
        self.writer.remove(path)
        return entry

    def run(self, argv: Sequence[str], undo: Optional[Sequence[str]], step: str = "",
            partial: bool = False) -> int:
        """Journal a command before it runs; its index, for `ran`."""
        entry: Dict[str, Any] = {"op": "run", "argv": list(argv),
                                 "undo": list(undo) if undo else None, "step": step}
        if partial:
            entry["partial"] = True
        self._append(entry)
        return len(self.entries) - 1

    def ran(self, index: int, rc: Optional[int]) -> None:
        """How the command of entry `index` ended (rc None: it did not finish)."""
        self._append({"op": "ran", "run": index, "rc": rc})

    def daemon(self, action: str) -> None:
        self._append({"op": "daemon", "action": action})

    def record(self) -> FixRecord:
        rec = self.journal._record(self.name)
        assert rec is not None
        return rec

    def commit(self) -> None:
        self._log.close()
        _write_marker(self.path, COMMITTED, root=self.journal.root)

    def rollback(self) -> List[Restored]:
        """Put back the files this fix wrote (force: every entry is ours; we hold the lock).

        Commands are not reversed here: undoing `apt-get install docker-ce` while bringing dockerd
        back would be worse than the failure. The journal then stays undoable for `dldoctor undo`.
        """
        # A journal line that cannot be flushed (a full disk) was never acted on: each change
        # follows its entry. What did reach the journal is restored all the same.
        self._close_log()
        rec = self.record()
        restored = self.journal.restore(rec, force=True, run_undo=False)
        # what undo would still do: a command with no undo command, or a failed one with nothing
        # to reverse, leaves the fix rolled back (not an undo that can only fail or do nothing)
        failed, partly = rec.failed_runs(), rec.failed_partly()
        self.left_to_undo = [i for i, e in enumerate(rec.entries)
                             if e.get("op") == "run" and e.get("undo") and i not in failed
                             and not (i in partly and self.journal.nothing_to_reverse(e))]
        try:
            _write_marker(self.path, FILES_RESTORED if self.left_to_undo else ROLLED_BACK,
                          root=self.journal.root)
        except OSError:
            pass    # the files are back; without its marker undo finds them unchanged
        return restored

    def _close_log(self) -> None:
        try:
            self._log.flush()
        except OSError:
            pass
        try:
            self._log.close()
        except OSError:
            pass

    def close(self) -> None:
        if not self._log.closed:
            self._log.close()


def describe_error(exc: BaseException) -> str:
    """One line for a user: the domain message, an OSError's file and reason, or the type."""
    if isinstance(exc, KeyboardInterrupt):
        return _("interrupted (everything written so far was put back)")
    if isinstance(exc, DldoctorError):
        return str(exc)
    if isinstance(exc, OSError):
        from dldoctor.errors import os_error_message

        return os_error_message(exc)
    return "%s: %s" % (type(exc).__name__, exc)
