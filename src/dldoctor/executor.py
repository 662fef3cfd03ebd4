"""The one place where plans become changes: show, confirm, journal, write, run, make dockerd take
it, verify from `docker info` -- and put everything back when any of that fails.

certbot's shape (client.py `_rollback_and_restart`): the journal comes first, every phase has its
cleanup, and a failed restart restores the files and brings the service up again with them.
Steps never write; `--dry-run` never gets here.
"""
from __future__ import annotations

import os
import shlex
import time
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

from dldoctor.errors import ApplyFailed, DldoctorError
from dldoctor.i18n import _
from dldoctor.journal import (Journal, Restored, Transaction, describe_error, ended_failing,
                              succeeded_runs)
from dldoctor.model import DaemonAction, FileRemove, FileWrite, Plan, Run
from dldoctor.records import field, record
from dldoctor.scrub import mask, one_line, text_lines

SCHEMA = "dldoctor.fix/1"
Out = Callable[[str], None]
Verifier = Callable[[Any], List[str]]


# --- plans as data and as text -------------------------------------------------------------------


def change_to_json(c: Any) -> Dict[str, Any]:
    if isinstance(c, FileWrite):
        out = {"type": "write", "path": c.path, "new_file": c.before is None, "diff": c.diff()}
        if c.mode is not None:
            out["mode"] = "%04o" % c.mode
        if c.validate:
            out["validate"] = list(c.validate)
        return out
    if isinstance(c, FileRemove):
        return {"type": "remove", "path": c.path, "diff": c.diff()}
    if isinstance(c, Run):
        return {"type": "run", "argv": list(c.argv), "why": c.why,
                "undo": list(c.undo) if c.undo else None}
    if isinstance(c, DaemonAction):
        return {"type": "daemon", "action": c.action, "why": c.why}
    return {"type": type(c).__name__}


def plan_to_json(p: Plan) -> Dict[str, Any]:
    return {"step": p.step, "changes": [change_to_json(c) for c in p.changes],
            "notes": list(p.notes), "warnings": list(p.warnings),
            "blocked": {"why": p.blocked, "unblock": p.unblock} if p.blocked else None,
            "not_needed": p.not_needed or None}


def blocked_plan(step: str, exc: Any) -> Plan:
    """The plan of a step that could not be planned: why (the step's Refused) and how past it."""
    why = str(exc)
    for sep in (": ", "\uff1a"):   # the English colon, or the full-width one of a translation
        if why.startswith(step + sep):
            why = why[len(step) + len(sep):].lstrip()
            break
    unblock = getattr(exc, "unblock", None) or _(
        "correct that and run fix again, or leave the step out with --skip {step}").format(step=step)
    return Plan(step=step, blocked=why, unblock=unblock)


def blocked_message(plans: Sequence[Plan]) -> Optional[str]:
    """None when no step is blocked; else what was not done and the options that apply the rest."""
    blocked = [p for p in plans if p.blocked]
    if not blocked:
        return None
    rest = [p.step for p in plans if not p.blocked and not p.empty]
    msg = _("Nothing was changed: {steps} could not be planned.").format(
        steps=", ".join(p.step for p in blocked))
    for p in blocked:
        msg += "\n%s: %s (%s)" % (p.step, p.blocked, p.unblock)
    if rest:
        msg += "\n" + _("To apply the rest, run again with {skip} (or {only}).").format(
            skip=" ".join("--skip " + p.step for p in blocked),
            only=" ".join("--only " + s for s in rest))
    return msg


def render_plans(plans: Sequence[Plan]) -> str:
    """The plan as a person reads it: per step, unified diffs, commands, the daemon action."""
    lines: List[str] = []
    for p in plans:
        lines.append("== %s" % p.step)
        if p.blocked:
            why = text_lines(p.blocked) or [""]
            head = "   " + _("blocked: {why}").format(why=why[0])
            if len(why) == 1:
                lines.append(head + " (%s)" % p.unblock)
            else:
                lines.append(head)
                lines.extend("     " + l for l in why[1:])
                lines.append("     (%s)" % p.unblock)
        elif p.not_needed:
            lines.append("   " + _("not needed: {why}").format(why=p.not_needed))
        elif p.empty:
            lines.append("   " + _("nothing to do"))
        for c in p.changes:
            if isinstance(c, (FileWrite, FileRemove)):
                verb = _("remove") if isinstance(c, FileRemove) else (
                    _("create") if c.before is None else _("edit"))
                lines.append("   %s %s" % (verb, one_line(c.path)))
                lines.extend("   " + l for l in text_lines(c.diff()))
            elif isinstance(c, Run):
                lines.append("   " + _("run: {argv}").format(argv=one_line(" ".join(c.argv))))
                if c.why:
                    lines.append("        " + one_line(c.why))
            elif isinstance(c, DaemonAction):
                lines.append("   " + (_("reload Docker: {why}") if c.action == "reload"
                                      else _("RESTART Docker: {why}")).format(why=one_line(c.why)))
        for n in p.notes:
            lines.append("   " + _("note: {text}").format(text=one_line(n)))
        for w in p.warnings:
            lines.append("   " + _("warning: {text}").format(text=one_line(w)))
    return "\n".join(lines)


def daemon_action(plans: Sequence[Plan]) -> Optional[DaemonAction]:
    """The one daemon action for all plans: a restart if any step needs one, else a reload."""
    found = [c for p in plans for c in p.changes if isinstance(c, DaemonAction)]
    for c in found:
        if c.action == "restart":
            return c
    return found[0] if found else None


# --- the outcome ---------------------------------------------------------------------------------


@record
class Outcome:
    """What `fix` did, as a value: rendered once, as text or as JSON."""

    status: str       # nothing-to-do | dry-run | declined | refused | applied | rolled-back | failed
    plans: Tuple[Plan, ...] = ()
    applied: List[Dict[str, Any]] = field(default_factory=list)
    daemon: Optional[Dict[str, Any]] = None
    verification: List[str] = field(default_factory=list)
    restored: List[Restored] = field(default_factory=list)
    error: Optional[str] = None
    messages: List[str] = field(default_factory=list)
    journal: Optional[str] = None
    exit_code: int = 0

    def to_json(self) -> Dict[str, Any]:
        return {"schema": SCHEMA, "status": self.status, "exit_code": self.exit_code,
                "plan": [plan_to_json(p) for p in self.plans],
                "applied": self.applied, "daemon": self.daemon,
                "verification": self.verification,
                "restored": [r.to_json() for r in self.restored],
                "journal": self.journal, "messages": self.messages, "error": self.error}


# --- apply ---------------------------------------------------------------------------------------


def apply(plans: Sequence[Plan], writer: Any, journal: Journal, control: Any,
          confirm: Callable[[Sequence[Plan]], bool], out: Out, *, allow_restart: bool = False,
          timeout: float = 60.0, verifiers: Sequence[Verifier] = (),
          replan: Optional[Callable[[str], Plan]] = None,
          summary: Optional[Dict[str, Any]] = None) -> Outcome:
    """Show `plans`, ask, then apply them under the lock with a journal; see the module doc.

    `control` is a daemon_control.DaemonControl (None: no Docker daemon to drive).
    `verifiers` are called with the live `docker info` after the daemon action; each returns what is
    not live yet. `replan(step)` re-plans a step after an earlier step ran commands (the packages
    step installs what daemon-json points at).
    """
    plans = tuple(plans)
    out(render_plans(plans))
    refused = _refusal(plans, control, allow_restart, out)
    if refused is not None:
        return refused
    if not confirm(plans):
        return Outcome("declined", plans, messages=[_("Nothing was changed.")], exit_code=1)

    with journal.lock():
        txn = journal.begin(dict(summary or {}, steps=[p.step for p in plans],
                                 plan=[plan_to_json(p) for p in plans]))
        outcome = Outcome("applied", plans, journal=txn.path)
        daemon = _Daemon(control, txn, verifiers, timeout, out)
        try:
            final = _apply_plans(plans, writer, txn, replan, out, outcome)
            daemon.settle(daemon_action(final), allow_restart, outcome)
            txn.commit()
            done = _("Done.") if outcome.exit_code == 0 else \
                _("Docker has not taken the new configuration yet (above).")
            outcome.messages.append(done + " " + _("`{undo}` puts the files back (journal "
                                                   "{path}).").format(undo=undo_command(summary),
                                                                     path=one_line(txn.path)))
            return outcome
        except BaseException as exc:       # KeyboardInterrupt/SIGTERM roll back too
            outcome.error = describe_error(exc)
            _roll_back(txn, control, daemon.acted, timeout, out, outcome, undo_command(summary))
            if not isinstance(exc, (Exception, KeyboardInterrupt)):
                raise
            return outcome


def _refusal(plans: Tuple[Plan, ...], control: Any, allow_restart: bool,
             out: Out) -> Optional[Outcome]:
    """The outcome when nothing may be applied (nothing to do, a blocked step, a restart that
    --restart did not allow); None when the plans may go ahead."""
    if all(p.empty for p in plans):
        out(_("Nothing to do."))
        return Outcome("nothing-to-do", plans)
    blocked = blocked_message(plans)
    if blocked:
        return Outcome("refused", plans, error=blocked, exit_code=1)
    action = daemon_action(plans)
    running = bool(control is not None and control.is_running())
    if action is not None and action.action == "restart" and running and not allow_restart:
        msg = _("This fix needs a Docker restart, and a restart stops every running container "
                "({why}). Nothing was changed. Run again with --restart to allow it.").format(
                    why=action.why)
        return Outcome("refused", plans, error=msg, exit_code=1)
    return None


def _apply_plans(plans: Sequence[Plan], writer: Any, txn: Transaction,
                 replan: Optional[Callable[[str], Plan]], out: Out,
                 outcome: Outcome) -> List[Plan]:
    """Every change of every plan, in order, journaled; the plans as finally applied."""
    ran_commands = False
    unreached: Dict[str, str] = {}     # hosts the last `apt-get update` could not fetch from
    final: List[Plan] = []
    for plan in plans:
        # After commands ran (packages installed the toolkit, say), a later step is
        # planned again from the host as it is now, even one that had nothing to do.
        if ran_commands and replan is not None:
            fresh = replan(plan.step)
            if fresh != plan:
                out(_("{step} planned again after the commands above:").format(step=plan.step))
                out(render_plans([fresh]))
                plan = fresh
        for change in plan.changes:
            ran_commands = _apply_change(change, plan.step, writer, txn, outcome,
                                         unreached) or ran_commands
        final.append(plan)
    return final


def _apply_change(change: Any, step: str, writer: Any, txn: Transaction,
                  outcome: Outcome, unreached: Optional[Dict[str, str]] = None) -> bool:
    """One change through the journal; True when it ran a command (ApplyFailed when it failed).
    A daemon action is not applied here: it is settled once, after every step.
    `unreached` carries what an `apt-get update` could not fetch to a later failing install."""
    if isinstance(change, FileWrite):
        _check_unchanged(writer, change)
        txn.write(change.path, change.after, mode=change.mode, step=step,
                  validate=change.validate)
        outcome.applied.append({"step": step, "op": "write", "path": change.path})
    elif isinstance(change, FileRemove):
        _check_unchanged(writer, change)
        txn.remove(change.path, step=step)
        outcome.applied.append({"step": step, "op": "remove", "path": change.path})
    elif isinstance(change, Run):
        index = txn.run(change.argv, change.undo, step=step, partial=change.partial)
        res = writer.run(change.argv, env=_env(writer, change))
        txn.ran(index, res.rc)
        outcome.applied.append({"step": step, "op": "run", "argv": list(change.argv),
                                "rc": res.rc})
        apt = tuple(change.argv[:2])
        if apt == ("apt-get", "update") and unreached is not None:
            unreached.clear()
            unreached.update(apt_unreached(res.output or ""))
        if not res.ok:
            said = (res.output or res.error or "").strip()[-2000:]
            if not said and res.rc is not None and res.rc < 0:
                said = _("killed by signal {n}").format(n=-res.rc)
            msg = _("{argv} failed: {out}").format(argv=" ".join(change.argv), out=said)
            if apt == ("apt-get", "install") and unreached:
                # apt-get update exits 0 when a source cannot be fetched; the install then only
                # says "Unable to locate package", which reads as a missing repository
                msg += "\n" + unreached_message(unreached)
            raise ApplyFailed(msg)
        return True
    return False


APT_SCAN_CHARS = 65536       # the tail of `apt-get update`'s output that is read
APT_MAX_HOSTS = 5


def apt_unreached(output: str) -> Dict[str, str]:
    """{host: reason} of the sources `apt-get update` printed it could not fetch (its Err: and
    "Failed to fetch" lines, as check reads them; masked, one line each, at most APT_MAX_HOSTS)."""
    from urllib.parse import urlsplit

    from dldoctor.errors import ParseError
    from dldoctor.parse.apt_sources import parse_apt_update

    try:
        update = parse_apt_update(output[-APT_SCAN_CHARS:])
    except ParseError:
        return {}
    found: Dict[str, str] = {}
    for uri, reason in update.failed_uris:
        try:
            host = urlsplit(uri).hostname or uri.split("/", 1)[0]     # never a user:password@
        except ValueError:
            host = uri.split("/", 1)[0].rsplit("@", 1)[-1]
        if host not in found and len(found) >= APT_MAX_HOSTS:
            continue
        if not found.get(host):
            found[host] = mask(one_line(reason))[:200]
    return found


def unreached_message(unreached: Dict[str, str]) -> str:
    """The hosts apt could not fetch from, one line each, and the ways around them."""
    lines = [_("apt-get update in this run could not fetch from these hosts, so apt does not know "
               "the packages they serve:")]
    for host, reason in unreached.items():
        lines.append("  %s: %s" % (mask(one_line(host)), reason or "?"))
    lines.append(_("Use a mirror that serves those repositories (--mirror ustc or --mirror aliyun "
                   "mirror both Docker's and NVIDIA's), give one with --nvidia-apt-base URL or "
                   "--docker-apt-base URL, or let apt through an apt proxy "
                   "(Acquire::https::Proxy), then run fix again."))
    return "\n".join(lines)


class _Daemon:
    """The daemon action of one apply, and whether it was taken (what a rollback must undo)."""

    def __init__(self, control: Any, txn: Transaction, verifiers: Sequence[Verifier],
                 timeout: float, out: Out) -> None:
        self.control, self.txn, self.verifiers = control, txn, verifiers
        self.timeout, self.out = timeout, out
        self.acted: Optional[str] = None

    def settle(self, action: Optional[DaemonAction], allow_restart: bool,
               outcome: Outcome) -> None:
        """Reload or restart dockerd and verify it took the new configuration; or say why not."""
        if action is None:
            return
        control = self.control
        running = bool(control is not None and control.is_running())
        answers = not running and control is not None and control.info() is not None
        if answers:
            _left_alone(outcome, action, "not-found", _(
                "Docker answers, but dldoctor found no dockerd process it can signal "
                "({how}); the new configuration takes effect when Docker is reloaded "
                "(systemctl reload docker, or kill -HUP <dockerd pid>) or "
                "restarted.").format(how=control.describe()))
            outcome.exit_code = 1       # written, and not live: verify would test the old one
        elif not running and control is not None and control.no_answer:
            # A hung daemon is not a stopped one: it will not pick the file up by itself.
            _left_alone(outcome, action, "not-responding", _(
                "The Docker daemon does not respond (a hung dockerd or socket), and dldoctor "
                "found no dockerd process it can restart ({how}): the new configuration takes "
                "effect only when Docker is restarted. Run: sudo systemctl restart docker "
                "(or stop the hung dockerd and start it again).").format(how=control.describe()))
            outcome.exit_code = 1
        elif not running:
            _left_alone(outcome, action, "not-running", _(
                "Docker is not running: the new configuration takes effect when Docker starts."))
        else:
            action = _settle_action(action, allow_restart, outcome)
            self.txn.daemon(action.action)
            self.acted = action.action
            outcome.daemon = {"action": action.action, "why": action.why}
            _make_daemon_take_it(control, action.action, self.verifiers, self.timeout, self.out,
                                 outcome)
            outcome.daemon["result"] = "ok"


def _left_alone(outcome: Outcome, action: DaemonAction, result: str, message: str) -> None:
    """The daemon was not (and could not be) acted on: the outcome says why."""
    outcome.daemon = {"action": action.action, "result": result}
    outcome.messages.append(message)


def _settle_action(action: DaemonAction, allow_restart: bool, outcome: Outcome) -> DaemonAction:
    """A restart that only a re-plan asked for, without --restart: reload, and say what is left."""
    if action.action == "restart" and not allow_restart:
        outcome.messages.append(_("A restart is still needed ({why}); dldoctor reloaded instead. "
                                  "Run: sudo systemctl restart docker").format(why=action.why))
        return DaemonAction("reload", action.why)
    return action


def _env(writer: Any, change: Run) -> Optional[Dict[str, str]]:
    if not change.env:
        return None
    env = dict(writer.env)
    env.update(dict(change.env))
    return env


def _check_unchanged(writer: Any, change: Any) -> None:
    """The file is still what the plan was computed from (another fix or a person may have written
    it between planning and the lock)."""
    now = writer.read(change.path)
    if now != change.before:
        raise ApplyFailed(_("{path} changed since dldoctor read it; nothing more was written. "
                            "Run fix again.").format(path=change.path))


def _make_daemon_take_it(control: Any, action: str, verifiers: Sequence[Verifier],
                         timeout: float, out: Out, outcome: Outcome) -> None:
    if action == "restart":
        out(_("Restarting Docker ({how}); running containers stop...").format(
            how=control.describe()))
        control.restart()
    else:
        out(_("Reloading Docker ({how}); running containers keep running...").format(
            how=control.describe()))
        control.reload()
    if not control.wait_ready(timeout):
        raise ApplyFailed(_("Docker did not come back after the {action}: {error}").format(
            action=action, error=control.last_error() or _("no answer from `docker info`")))
    deadline = time.monotonic() + min(timeout, 15.0)
    problems: List[str] = []
    while True:
        info = control.info()
        problems = [p for v in verifiers for p in v(info)]
        if not problems or time.monotonic() >= deadline:
            break
        time.sleep(0.25)            # a SIGHUP is applied asynchronously
    if problems:
        err = control.last_error()
        raise ApplyFailed(_("Docker is up but does not show the new configuration: {problems}"
                            "{error}").format(problems=_("; ").join(problems),
                                              error=(" (" + err + ")") if err else ""))
    outcome.verification = [_("docker info shows the new configuration")]


def undo_command(summary: Optional[Dict[str, Any]], flags: str = "") -> str:
    """The undo command for this fix's root (a plain `dldoctor undo` finds nothing under --root),
    as a shell takes it when pasted; behind `sudo` when the fix ran through sudo (the shell it is
    pasted into is the person's own, which cannot undo as root)."""
    root = (summary or {}).get("root") or "/"
    cmd = "dldoctor undo" + (" " + flags if flags else "")
    cmd = cmd if root == "/" else "%s --root %s" % (cmd, shell_word(root))
    return "sudo " + cmd if (summary or {}).get("sudo") is True else cmd


def shell_word(text: str) -> str:
    """`text` as one shell word that stays printable: shlex's quoting, or bash's $'...' where a
    control character or an undecodable byte is in it (escaped for the terminal after shlex's
    quotes, it named another directory when pasted)."""
    if text.isprintable():
        return shlex.quote(text)
    out = []
    for ch in os.fsencode(text):
        c = chr(ch)
        out.append("\\" + c if c in "\\'" else c if 32 <= ch < 127 else "\\x%02x" % ch)
    return "$'" + "".join(out) + "'"


def _roll_back(txn: Transaction, control: Any, acted: Optional[str], timeout: float, out: Out,
               outcome: Outcome, undo: str = "dldoctor undo") -> None:
    outcome.exit_code = 1
    try:
        outcome.restored = txn.rollback()
    except BaseException as exc:
        outcome.status = "failed"
        outcome.messages.append(_("Putting the files back failed too ({error}); the journal {path} "
                                  "has the backups ({undo} --force).").format(
                                      error=describe_error(exc), path=one_line(txn.path), undo=undo))
        return
    outcome.status = "rolled-back"
    ran = [" ".join(e["argv"]) for e in succeeded_runs(txn.entries)]
    # undo is promised only for what it will reverse: not for a command that failed with nothing
    # to reverse, nor for one that has no undo command (apt-get update)
    failed = ended_failing(txn.entries)
    left = [" ".join(txn.entries[i]["argv"]) for i in txn.left_to_undo if i not in failed]
    partly = [" ".join(txn.entries[i]["argv"]) for i in txn.left_to_undo if i in failed]
    by_hand = [" ".join(e["argv"]) for e in succeeded_runs(txn.entries) if not e.get("undo")]
    if left:
        outcome.messages.append(_("Commands already run are not reversed automatically ({cmds}); "
                                  "`{undo}` reverses them.").format(cmds=one_line("; ".join(left)),
                                                                     undo=undo))
    if partly:
        outcome.messages.append(_("{cmds} failed and may have done part of its work, which is not "
                                  "reversed automatically; `{undo}` reverses what it finds done.").format(
                                      cmds=one_line("; ".join(partly)), undo=undo))
    if by_hand:
        outcome.messages.append(_("Commands already run that undo cannot reverse: {cmds} (reverse "
                                  "them by hand if needed).").format(cmds=one_line("; ".join(by_hand))))
    if acted is None or control is None:
        # not "Docker was not touched" after commands ran: `apt-get remove docker.io` touched it
        outcome.messages.append(_("The previous files are back; Docker was not touched.") if not ran
                                else _("The previous files are back; Docker was not reloaded or "
                                       "restarted (the commands above may have changed it)."))
        return
    try:
        if control.is_running() and acted == "reload":
            control.reload()
        else:
            control.start() if not control.is_running() else control.restart()
        if control.wait_ready(timeout):
            outcome.messages.append(_("The previous files are back and Docker is running with "
                                      "them."))
            if outcome.daemon is not None:
                outcome.daemon["result"] = "rolled-back"
        else:
            outcome.status = "failed"
            outcome.messages.append(_("The previous files are back but Docker did not start "
                                      "with them either: {error}").format(
                                          error=control.last_error() or "?"))
    except DldoctorError as exc:
        outcome.status = "failed"
        outcome.messages.append(_("The previous files are back but Docker could not be brought "
                                  "up again: {error}").format(error=exc))


# --- undo ----------------------------------------------------------------------------------------


@record
class UndoOutcome:
    status: str                      # nothing-to-undo | declined | undone | refused | failed
    fix: Optional[Dict[str, Any]] = None
    restored: List[Restored] = field(default_factory=list)
    daemon: Optional[Dict[str, Any]] = None
    messages: List[str] = field(default_factory=list)
    error: Optional[str] = None
    exit_code: int = 0

    def to_json(self) -> Dict[str, Any]:
        return {"schema": "dldoctor.undo/1", "status": self.status, "exit_code": self.exit_code,
                "fix": self.fix, "restored": [r.to_json() for r in self.restored],
                "daemon": self.daemon, "messages": self.messages, "error": self.error}


FileStates = Dict[str, Optional[bytes]]


def undo(journal: Journal, control: Any, confirm: Callable[[Any], bool], out: Out, *,
         force: bool = False, timeout: float = 60.0,
         explain: Optional[Callable[[FileStates, FileStates], List[str]]] = None) -> UndoOutcome:
    """Restore the files of the last fix not yet undone (an interrupted one included).

    `explain(before, after)` (file contents before and after the restore, by path) may add notes,
    such as daemon.json keys a reload cannot take away.
    """
    with journal.lock():
        rec = journal.last_undoable()
        if rec is None:
            out(_("Nothing to undo."))
            return UndoOutcome("nothing-to-undo")
        desc = rec.to_json()
        out(_("Last fix: {id} ({status}), steps {steps}").format(
            id=one_line(rec.id), status=rec.state_text, steps=one_line(", ".join(rec.steps_done())) or "-"))
        for path in rec.files():
            out("   " + _("restore {path}").format(path=one_line(path)))
        failed, partly = rec.failed_runs(), rec.failed_partly()
        # what undo will run as root, not what fix ran, in the order it runs them (newest first)
        for i, e in reversed(list(enumerate(rec.entries))):
            if e.get("op") != "run":
                continue
            if i in failed or (i in partly and i not in rec.reversed
                               and journal.nothing_to_reverse(e)):
                out("   " + _("failed when fix ran it, nothing to reverse: {argv}").format(
                    argv=one_line(" ".join(e["argv"]))))
            elif i in rec.reversed:
                out("   " + _("reversed by an earlier undo: {argv}").format(
                    argv=one_line(" ".join(e["argv"]))))
            elif e.get("undo"):
                out("   " + _("run: {undo}  (undoes: {argv})").format(
                    undo=one_line(" ".join(e["undo"])), argv=one_line(" ".join(e["argv"]))))
            else:
                out("   " + _("no undo command for: {argv}").format(argv=one_line(" ".join(e["argv"]))))
        edited = journal.check_undo(rec)
        if edited and not force:
            msg = "\n".join(r.detail for r in edited)
            return UndoOutcome("refused", desc, error=msg, exit_code=1)
        if not confirm(rec):
            return UndoOutcome("declined", desc, messages=[_("Nothing was changed.")],
                               exit_code=1)
        result = UndoOutcome("undone", desc)
        states_before = {p: journal.writer.read(p) for p in rec.files()}
        try:
            result.restored = journal.restore(rec, force=force)
        except DldoctorError as exc:
            return UndoOutcome("failed", desc, error=str(exc), exit_code=1)
        broken = [r.path for r in result.restored if r.action == "failed"]
        # the files are back but not the whole host: the fix stays undoable, unless --force
        # finishes it (a reverse command that can never work would hold every older fix back)
        journal.mark(rec.path, "FILES_RESTORED" if broken and not force else "UNDONE")
        states_after = {p: journal.writer.read(p) for p in rec.files()}
        actions = desc["daemon"]
        changed = any(r.action in ("restored", "removed") for r in result.restored)
        if actions and changed and control is not None and control.is_running():
            action = "restart" if "restart" in actions else "reload"
            result.daemon = {"action": action}
            try:
                control.restart() if action == "restart" else control.reload()
                ok = control.wait_ready(timeout)
            except DldoctorError as exc:
                ok = False
                result.error = str(exc)
            result.daemon["result"] = "ok" if ok else "failed"
            if not ok:
                result.status = "failed"
                result.exit_code = 1
                result.error = result.error or control.last_error() or _(
                    "Docker did not answer after the {action}").format(action=action)
            elif explain is not None and action == "reload":
                result.messages.extend(explain(states_before, states_after))
        if broken and force:
            result.exit_code = 1
            result.error = (result.error + "\n" if result.error else "") + _(
                "undone with --force, but {cmds} failed (its output is above): reverse that by "
                "hand if it is still needed.").format(cmds=one_line("; ".join(broken)))
            return result
        if broken:
            result.status, result.exit_code = "failed", 1
            result.error = (result.error + "\n" if result.error else "") + _(
                "undo is not complete: {cmds} failed (its output is above). The files are back, "
                "and the commands that worked are not run again: correct the cause and run `{undo}` "
                "again, or finish without it with `{force}`.").format(
                    cmds=one_line("; ".join(broken)), undo=undo_command(rec.summary),
                    force=undo_command(rec.summary, "--force"))
            return result
        result.messages.append(_("Undone: {id}.").format(id=rec.id))
        return result
