"""`dldoctor fix` and `dldoctor undo`: wiring only. Options in, facts gathered, steps planned, the
executor applies; one rendered result and an exit code (0 ok, 1 refused/failed/declined, 2 usage).
"""
from __future__ import annotations

import contextlib
import json
import os
import signal
import sys
from typing import Any, Callable, Dict, Iterator, List, Optional, Sequence, Tuple

import typer

from dldoctor.cli.errors import boundary, say
from dldoctor.cli.options import require_seconds, timeout_option
from dldoctor.errors import Refused, UsageError
from dldoctor.i18n import _
from dldoctor.scrub import one_line, safe, text_lines

ROOT_HELP = _("Filesystem root of the host to fix (files are written under it; commands run "
              "chrooted there).")


# --- output --------------------------------------------------------------------------------------


def _echo(text: str) -> None:
    """One line (or a JSON document) to stdout: secrets masked, control characters escaped."""
    typer.echo(safe(text))


def _printer(json_out: bool, show: bool = True) -> Callable[[str], None]:
    """Human text to stdout (diff lines coloured on a terminal); in --json mode to stderr, or
    nowhere when nobody is asked anything."""
    stream = sys.stderr if json_out else sys.stdout
    color = stream.isatty() and not os.environ.get("NO_COLOR")

    def out(text: str) -> None:
        if json_out and not show:
            return
        for line in text_lines(text) or [""]:
            body = line.lstrip(" ")
            fg = None
            if color and body.startswith("+") and not body.startswith("+++"):
                fg = typer.colors.GREEN
            elif color and body.startswith("-") and not body.startswith("---"):
                fg = typer.colors.RED
            if fg is None:
                typer.echo(safe(line), err=json_out)
            else:
                typer.secho(safe(line), fg=fg, err=json_out)
    return out


@contextlib.contextmanager
def _signals_interrupt() -> Iterator[None]:
    """SIGINT/SIGTERM/SIGHUP during apply raise KeyboardInterrupt, so the executor rolls back
    (certbot's ErrorHandler). Only the first: a second Ctrl-C must not cut short the rollback the
    first one started. SIGKILL cannot be caught: that is what the journal is for."""
    fired: List[int] = []

    def handler(signum: int, frame: Any) -> None:
        if fired:
            return
        fired.append(signum)
        raise KeyboardInterrupt
    old = {}
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        try:
            old[sig] = signal.signal(sig, handler)
        except ValueError:          # not the main thread
            pass
    try:
        yield
    finally:
        for sig, h in old.items():
            signal.signal(sig, h)


def _ask(question: str) -> bool:
    if not sys.stdin.isatty():
        sys.stderr.write("dldoctor: %s\n" % _("no terminal to ask on: run with --yes to apply"))
        return False
    # not typer.confirm: click answers other input with its own English "Error: invalid input",
    # and a user typing in Chinese answers 是 or 否
    for _try in range(5):
        sys.stderr.write("%s [y/N]: " % question)
        sys.stderr.flush()
        answer = _read_answer()
        if answer in _YES:
            return True
        if answer in _NO:
            return False
        sys.stderr.write("%s\n" % _("answer y or n"))
    return False


def _read_answer() -> str:
    """One typed line, lower-cased, as one answer: a long line is read to its end (up to 1 MiB,
    kept to 256 characters), so no part of it counts as the next answer ("a" * 255 + " y")."""
    kept, whole = "", False
    for _chunk in range(4096):
        chunk = sys.stdin.readline(256)
        kept += chunk if len(kept) < 256 else ""
        if not chunk or chunk.endswith("\n"):
            whole = True
            break
    return kept[:256].strip().lower() if whole and len(kept) < 256 else "\0"


_YES = ("y", "yes", "是", "是的", "好", "确认", "确定", "ｙ")
_NO = ("", "n", "no", "否", "不", "取消", "ｎ")


def _need_root(command: str) -> None:
    if os.geteuid() != 0:
        raise Refused(_("dldoctor {cmd} must run as root (try: sudo dldoctor {cmd} ...)").format(
            cmd=command))


def _check_root_dir(root: str) -> str:
    if not os.path.isdir(root):
        raise UsageError(_("--root {root} is not a directory").format(root=root))
    return os.path.abspath(root)


# --- fix -----------------------------------------------------------------------------------------


def _select(all_steps: Sequence[Any], only: Sequence[str], skip: Sequence[str]) -> List[Any]:
    names = [s.name for s in all_steps]
    for n in list(only) + list(skip):
        if n not in names:
            raise UsageError(_("unknown step {name!r}: steps are {names}").format(
                name=n, names=", ".join(names)))
    chosen = [s for s in all_steps if (not only or s.name in only) and s.name not in skip]
    if not chosen:
        raise UsageError(_("--only/--skip leave no step to run"))
    return chosen


def _daemon_json_verifier(writer: Any, path: str) -> Callable[[Any], List[str]]:
    from dldoctor.provision import daemon_json

    def check(info: Any) -> List[str]:
        data = writer.read(path)
        return daemon_json.verify(info, (data or b"{}").decode("utf-8", "replace"))
    return check


def _undo_explain(before: Dict[str, Optional[bytes]], after: Dict[str, Optional[bytes]]) -> List[str]:
    """daemon.json keys the restore removed: a reload cannot take them away (reload applies only
    keys that are present), so they stay live until Docker restarts."""
    from dldoctor.errors import ParseError
    from dldoctor.provision import daemon_json

    notes = []
    for path, old in before.items():
        if not path.endswith("daemon.json"):
            continue
        try:
            was = daemon_json.parse((old or b"").decode("utf-8", "replace"))
            now = daemon_json.parse((after.get(path) or b"").decode("utf-8", "replace"))
        except ParseError:
            continue
        gone = [k for k in was if k not in now]
        if gone:
            notes.append(_("{keys} left {path}, but a reload does not take keys away: they stay "
                           "live until Docker restarts").format(keys=", ".join(gone), path=path))
    return notes


def fix(
    dry_run: bool = typer.Option(False, "--dry-run", help=_("Print the plan (diffs, commands, the daemon action) and change nothing.")),
    yes: bool = typer.Option(False, "--yes", "-y", help=_("Apply without asking (for scripts).")),
    only: List[str] = typer.Option([], "--only", metavar="STEP", help=_("Run only this step (repeatable): daemon-json, apt-repos, packages, docker-group.")),
    skip: List[str] = typer.Option([], "--skip", metavar="STEP", help=_("Skip this step (repeatable).")),
    json_out: bool = typer.Option(False, "--json", help=_("Print the plan and the outcome as JSON (dldoctor.fix/1).")),
    mirror: List[str] = typer.Option([], "--mirror", metavar="NAME", help=_("Mirror preset (repeatable): aliyun, tuna, ustc, huawei, tencent, azure set the apt bases, and the live public Docker Hub mirrors are added (at most three); auto adds only those.")),
    registry_mirror: List[str] = typer.Option([], "--registry-mirror", metavar="URL", help=_("Docker Hub registry mirror to add (repeatable); probed first, written fastest first.")),
    no_probe: bool = typer.Option(False, "--no-probe", help=_("Write the --registry-mirror URLs without probing them (an internal mirror, an offline host); configured mirrors are kept unless known to be closed, and presets add no Docker Hub mirror.")),
    keep_mirrors: bool = typer.Option(False, "--keep-mirrors", help=_("Keep every configured registry mirror (by default fix removes the ones its probe finds dead and puts the live ones fastest first).")),
    engine: Optional[str] = typer.Option(None, "--engine", metavar="NAME", help=_("docker-ce: replace a working distribution Docker (docker.io) with Docker CE (running containers stop). By default a Docker that meets the toolkit's needs is kept.")),
    default_runtime: Optional[str] = typer.Option(None, "--default-runtime", metavar="NAME", help=_("Also set default-runtime (e.g. nvidia).")),
    force: bool = typer.Option(False, "--force", help=_("Replace an invalid daemon.json (it is backed up).")),
    restart: bool = typer.Option(False, "--restart", help=_("Allow restarting Docker when a reload is not enough (running containers stop).")),
    user: Optional[str] = typer.Option(None, "--user", metavar="NAME", help=_("User to add to the docker group (default: SUDO_USER).")),
    docker_key: Optional[str] = typer.Option(None, "--docker-key", metavar="FILE", help=_("Docker's apt key from a file (offline hosts).")),
    nvidia_key: Optional[str] = typer.Option(None, "--nvidia-key", metavar="FILE", help=_("NVIDIA's apt key from a file (offline hosts).")),
    docker_fingerprint: Optional[str] = typer.Option(None, "--docker-fingerprint", metavar="FP", help=_("Expected fingerprint of Docker's apt key.")),
    nvidia_fingerprint: Optional[str] = typer.Option(None, "--nvidia-fingerprint", metavar="FP", help=_("Expected fingerprint of NVIDIA's apt key.")),
    docker_apt_base: Optional[str] = typer.Option(None, "--docker-apt-base", metavar="URL", help=_("Base URL of the docker-ce apt repository.")),
    nvidia_apt_base: Optional[str] = typer.Option(None, "--nvidia-apt-base", metavar="URL", help=_("Base URL of the NVIDIA Container Toolkit apt repository.")),
    root: str = typer.Option("/", "--root", metavar="DIR", help=ROOT_HELP),
    timeout: float = timeout_option(checked=False),
    daemon_timeout: float = typer.Option(60.0, "--daemon-timeout", metavar="SECONDS", help=_("Seconds to wait for Docker to come back after a reload or restart.")),
) -> None:
    with boundary("dldoctor.fix/1" if json_out else None):
        from dldoctor.provision.options import FixOptions

        require_seconds("--timeout", timeout)
        if engine is not None and engine != "docker-ce":
            raise UsageError(_("--engine {name!r}: the one engine fix installs is docker-ce").format(
                name=engine))
        require_seconds("--daemon-timeout", daemon_timeout)
        root = _check_root_dir(root)
        if not dry_run:
            _need_root("fix")
        options = FixOptions(
            presets=tuple(mirror), registry_mirrors=tuple(registry_mirror),
            default_runtime=default_runtime, force=force, allow_restart=restart, user=user,
            docker_key=docker_key, nvidia_key=nvidia_key, docker_fingerprint=docker_fingerprint,
            nvidia_fingerprint=nvidia_fingerprint, docker_apt_base=docker_apt_base,
            nvidia_apt_base=nvidia_apt_base, keep_mirrors=keep_mirrors, engine=engine,
            no_probe=no_probe)
        outcome = run_fix(options, root=root, only=only, skip=skip, dry_run=dry_run, yes=yes,
                          json_out=json_out, timeout=daemon_timeout, command_timeout=timeout)
        if json_out:
            _echo(json.dumps(outcome.to_json(), indent=2))
        else:
            _render_outcome(outcome)
        raise typer.Exit(outcome.exit_code)


def run_fix(options: Any, *, root: str, only: Sequence[str] = (), skip: Sequence[str] = (),
            dry_run: bool = False, yes: bool = False, json_out: bool = False,
            timeout: float = 60.0, command_timeout: float = 10.0) -> Any:
    """timeout: the wait for Docker after a reload or restart; command_timeout: each command."""
    from dldoctor import gather
    from dldoctor.host import daemon_control
    from dldoctor.executor import Outcome, apply, blocked_message, daemon_action, render_plans
    from dldoctor.host.live import LiveHost
    from dldoctor.host.writer import HostWriter
    from dldoctor.journal import Journal
    from dldoctor.provision import steps

    chosen = _select(steps(), only, skip)
    host_timeout = command_timeout
    host = LiveHost(root=root, timeout=host_timeout)
    facts = gather.collect(host)
    prepared, plans = _plan_all(chosen, host, facts, options)
    out = _printer(json_out, show=not (yes or dry_run))   # --json: stderr only when asking

    if dry_run:
        out(render_plans(plans))
        empty = all(p.empty for p in plans)
        out(_("Nothing to do.") if empty else _("Dry run: nothing was changed."))
        blocked = blocked_message(plans)
        if blocked:
            return Outcome("dry-run", plans, error=blocked, exit_code=1)
        return Outcome("nothing-to-do" if empty else "dry-run", plans)

    writer = HostWriter(root)
    control = daemon_control.choose(facts, root, timeout=timeout)
    action = daemon_action(plans)
    asks_restart = (action is not None and action.action == "restart" and not options.allow_restart
                    and not yes and control.is_running())

    def confirm(_plans: Sequence[Any]) -> bool:
        if yes:
            return True
        question = _("Apply these changes?")
        if asks_restart:
            question = _("Apply these changes and RESTART Docker (running containers stop)?")
        return _ask(question)

    verifiers = []
    by_name = {p.step: p for p in plans}
    if "daemon-json" in by_name and not by_name["daemon-json"].empty:
        verifiers.append(_daemon_json_verifier(writer, facts.daemon_json_path))

    def replan(name: str) -> Any:
        fresh_host = LiveHost(root=root, timeout=host_timeout)
        fresh = gather.collect(fresh_host)
        st = next(s for s in prepared if s.name == name)
        return st.plan(fresh, options)

    summary: Dict[str, Any] = {"command": " ".join(["dldoctor"] + sys.argv[1:]), "root": root}
    ident = facts.identity
    if facts.sudo_user and getattr(ident, "uid", None) == 0:
        summary["sudo"] = True      # run through sudo: the person's own shell needs it for undo
    with _signals_interrupt():
        return apply(plans, writer, Journal(writer), control, confirm, out,
                     allow_restart=options.allow_restart or asks_restart, timeout=timeout,
                     verifiers=verifiers, replan=replan, summary=summary)


def _plan_all(chosen: Sequence[Any], host: Any, facts: Any, options: Any) -> Tuple[List[Any], Tuple[Any, ...]]:
    """Every chosen step planned; one that refuses is a blocked plan, and the others still plan.
    A usage error (a bad option value) is not a blocked step: it ends the run with exit 2.
    Each step is told which earlier ones are left out or blocked (FixOptions.running)."""
    from dldoctor.executor import blocked_plan
    from dldoctor.records import replace

    prepared: List[Any] = []
    plans: List[Any] = []
    options = replace(options, running=tuple(s.name for s in chosen))
    for s in chosen:
        if plans and plans[-1].blocked:
            options = replace(options, running=tuple(n for n in options.running
                                                     if n != plans[-1].step))
        try:
            bound = s.prepare(host, facts, options)
            plans.append(bound.plan(facts, options))
            prepared.append(bound)
        except UsageError:
            raise
        except Refused as exc:
            plans.append(blocked_plan(s.name, exc))
            prepared.append(s)
    return prepared, tuple(plans)


def _action(action: str) -> str:
    """What undo or a rollback did to one entry, in the reader's language (--json keeps the token)."""
    return {"restored": _("restored"), "removed": _("removed"), "unchanged": _("unchanged"),
            "refused": _("refused"), "ran": _("ran"), "not-undoable": _("not undone"),
            "failed": _("failed")}.get(action, action)


def _render_outcome(outcome: Any) -> None:
    for msg in outcome.messages:
        _echo(msg)
    for r in outcome.restored:
        if r.action in ("restored", "removed"):     # (a detail: where an edit made since was kept)
            _echo("  " + _("{action}: {path}").format(action=_action(r.action), path=one_line(r.path)) +
                  (" (%s)" % one_line(r.detail) if r.detail else ""))
    if outcome.error:
        say(outcome.error)


# --- undo ----------------------------------------------------------------------------------------


def undo(
    yes: bool = typer.Option(False, "--yes", "-y", help=_("Undo without asking.")),
    list_: bool = typer.Option(False, "--list", help=_("List past fixes (newest last) and change nothing.")),
    json_out: bool = typer.Option(False, "--json", help=_("Print the result as JSON.")),
    root: str = typer.Option("/", "--root", metavar="DIR", help=ROOT_HELP),
    force: bool = typer.Option(False, "--force", help=_("Restore even files changed after the fix, and finish even when an undo command fails (it is named).")),
    timeout: float = timeout_option(checked=False),
    daemon_timeout: float = typer.Option(60.0, "--daemon-timeout", metavar="SECONDS", help=_("Seconds to wait for Docker after the reload.")),
) -> None:
    with boundary("dldoctor.undo/1" if json_out else None):
        from dldoctor.host.writer import HostWriter
        from dldoctor.journal import Journal

        require_seconds("--timeout", timeout)
        require_seconds("--daemon-timeout", daemon_timeout)
        root = _check_root_dir(root)
        journal = Journal(HostWriter(root, timeout=timeout))    # dpkg-query's wait (at most 60 s)
        if list_:
            _list(journal, json_out)
            raise typer.Exit(0)
        _need_root("undo")
        outcome = run_undo(journal, root=root, yes=yes, json_out=json_out, force=force,
                           timeout=daemon_timeout, command_timeout=timeout)
        if json_out:
            _echo(json.dumps(outcome.to_json(), indent=2))
        else:
            for r in reversed(outcome.restored):        # in the order undo did them
                if r.action == "ran":       # the command undo ran, then the one it undid
                    _echo("  " + _("ran: {undo}  (undoes: {argv})").format(
                        undo=one_line(r.detail), argv=one_line(r.path)))
                    continue
                _echo("  " + _("{action}: {path}").format(action=_action(r.action), path=one_line(r.path)) +
                      (" (%s)" % one_line(r.detail) if r.detail else ""))
            for msg in outcome.messages:
                _echo(msg)
            if outcome.error:
                say(outcome.error)
        raise typer.Exit(outcome.exit_code)


def run_undo(journal: Any, *, root: str, yes: bool, json_out: bool, force: bool,
             timeout: float, command_timeout: float = 10.0) -> Any:
    from dldoctor import gather
    from dldoctor.host import daemon_control
    from dldoctor.executor import undo as run
    from dldoctor.host.live import LiveHost

    rec = journal.last_undoable()
    control = None
    if rec is not None and rec.to_json()["daemon"]:
        facts = gather.collect(LiveHost(root=root, timeout=command_timeout))
        control = daemon_control.choose(facts, root, timeout=timeout)
    out = _printer(json_out, show=not yes)

    def confirm(record: Any) -> bool:
        if yes:
            return True
        question = _("Restore these files?")
        if "restart" in record.to_json()["daemon"]:
            question = _("Restore these files and RESTART Docker (running containers stop)?")
        return _ask(question)

    return run(journal, control, confirm, out, force=force, timeout=timeout,
               explain=_undo_explain)


def _list(journal: Any, json_out: bool) -> None:
    records = journal.fixes()
    if json_out:
        _echo(json.dumps({"schema": "dldoctor.fixes/1",
                               "fixes": [r.to_json() for r in records]}, indent=2))
        return
    if not records:
        _echo(_("No fixes recorded under {path}.").format(path=journal.dir))
        return
    shown = [r.state_text for r in records]
    width = max(_cells(s) for s in shown)
    for r, state in zip(records, shown):
        d = r.to_json()
        _echo("%s  %s%s %s" % (one_line(r.id), state, " " * (width - _cells(state)),
                               one_line(", ".join(r.steps_done())) or "-"))
        for path in d["files"]:
            _echo("    " + one_line(path))


def _cells(text: str) -> int:
    """Terminal columns of text (a CJK character takes two), for aligned columns."""
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def register(app: typer.Typer) -> None:
    """Add `fix` and `undo` to the dldoctor command line."""
    app.command("fix", help=_('Plan the repairs, show them (diffs, commands), ask, apply with a journal; undo with `dldoctor undo`.'))(fix)
    app.command("undo", help=_('Put back the files of the last fix (also one that was interrupted), from its journal.'))(undo)
