"""`dldoctor fleet check|merge|fix`: many hosts through Ansible, one merged report.

Wiring only (see dldoctor.fleet): options in, the playbook run or the saved reports merged, the
`dldoctor.fleet/1` report out, exit 0 when every host passes, 1 when any fails or is unreachable,
2 for bad usage (no ansible, an unreadable inventory or report).
"""
from __future__ import annotations

import errno
import json
import os
from typing import Any, List, Optional

from dldoctor import __version__
from dldoctor.i18n import _
from dldoctor import nesting

INVENTORY_HELP = _("Ansible inventory (a file, a directory, or host1,host2,).")


def register(app: Any) -> None:
    """Add the `fleet` command group to the typer app."""
    import typer

    from dldoctor.cli.errors import guarded
    from dldoctor.errors import UsageError

    fleet = typer.Typer(no_args_is_help=True, help=_("Check, snapshot and fix many hosts through Ansible; one merged report."))
    app.add_typer(fleet, name="fleet")

    def forks_ok(forks: int) -> None:
        if forks < 1:
            raise UsageError(_("--forks must be 1 or more"))

    def emit(fleet_report: Any, json_out: bool) -> None:
        from dldoctor.fleet import report

        if json_out:
            report.render_json(fleet_report)
        else:
            report.render_human(fleet_report)

    @fleet.command("check", help=_("Run `dldoctor check` on every inventory host (dldoctor.pyz is copied to a temporary directory, run and removed); hosts and causes ranked by how many hosts have them."))
    @guarded
    def fleet_check(
        inventory: str = typer.Option(..., "--inventory", "-i", metavar="INVENTORY", help=INVENTORY_HELP),
        limit: Optional[str] = typer.Option(None, "--limit", "-l", metavar="PATTERN", help=_("Only the hosts matching this Ansible pattern.")),
        forks: int = typer.Option(20, "--forks", "-f", metavar="N", help=_("Hosts worked on at once.")),
        json_out: bool = typer.Option(False, "--json", help=_("Print the merged report as JSON (dldoctor.fleet/1).")),
        out: Optional[str] = typer.Option(None, "--out", metavar="DIR", help=_("Save each host's report as DIR/<host>.json (and snapshots as DIR/<host>.tar.gz).")),
        snapshot: bool = typer.Option(False, "--snapshot", help=_("Also fetch each host's snapshot into --out DIR (no secrets leave the hosts).")),
        pyz: Optional[str] = typer.Option(None, "--pyz", metavar="FILE", help=_("The single-file dldoctor to copy (default: $DLDOCTOR_PYZ; build it with scripts/zipapp).")),
        task_timeout: int = typer.Option(900, "--task-timeout", metavar="SECONDS", help=_("Seconds one dldoctor run may take on a host before Ansible stops it.")),
    ) -> None:
        from dldoctor.fleet import report, runner

        forks_ok(forks)
        if snapshot and not out:
            raise UsageError(_("--snapshot needs --out DIR for the snapshots"))
        path = runner.check_inputs(inventory, pyz)
        if out:
            from dldoctor.host import fsops

            fsops.makedirs(out)
        hosts = runner.run(inventory, path, "check", limit=limit, forks=forks, out_dir=out,
                           snapshot=snapshot, task_timeout=task_timeout)
        merged = report.merge(runner.entries(hosts, "check"))
        if out:
            runner.save_reports(merged, out)
        emit(merged, json_out)
        raise typer.Exit(report.exit_code(merged))

    @fleet.command("merge", help=_("Merge saved `dldoctor check --json` reports (one file per host, named after it) into the fleet report."))
    @guarded
    def fleet_merge(
        reports: List[str] = typer.Argument(..., metavar="REPORT...", help=_("Files written by `dldoctor check --json` (the host is the file name without .json).")),
        json_out: bool = typer.Option(False, "--json", help=_("Print the merged report as JSON (dldoctor.fleet/1).")),
    ) -> None:
        from dldoctor.fleet import report
        from dldoctor.host import fsops

        hosts = {}
        for path in reports:
            name = os.path.basename(path)
            name = name[:-5] if name.endswith(".json") else name
            if name in hosts:
                raise UsageError(_("two reports for the host {host}: {path}").format(host=name, path=path))
            try:
                raw = fsops.read_bytes(path, limit=64 * 1024 * 1024)
            except OSError as exc:
                if exc.errno != errno.EFBIG:
                    raise UsageError(_("cannot read {path}: {err}").format(path=path, err=exc.strerror or exc))
                raw = b""  # larger than any report
            if raw is None:
                raise UsageError(_("cannot read {path}: {err}").format(path=path, err=os.strerror(errno.ENOENT)))
            parsed = report.parse_report(raw.decode("utf-8", "replace"))
            if parsed is None:
                raise UsageError(_("{path} is not a dldoctor report (dldoctor check --json)").format(path=path))
            hosts[name] = report.host_entry("failing" if report.failing(parsed) else "ok", parsed)
        merged = report.merge(hosts)
        emit(merged, json_out)
        raise typer.Exit(report.exit_code(merged))

    @fleet.command("fix", help=_("Plan the fix on every host (--dry-run), or apply it in rolling batches (--yes) that stop at the first host whose fix or follow-up check fails."))
    @guarded
    def fleet_fix(
        inventory: str = typer.Option(..., "--inventory", "-i", metavar="INVENTORY", help=INVENTORY_HELP),
        dry_run: bool = typer.Option(False, "--dry-run", help=_("Print each host's plan and change nothing.")),
        yes: bool = typer.Option(False, "--yes", "-y", help=_("Apply without asking (required to change hosts).")),
        serial: int = typer.Option(1, "--serial", metavar="N", help=_("Hosts fixed per batch.")),
        limit: Optional[str] = typer.Option(None, "--limit", "-l", metavar="PATTERN", help=_("Only the hosts matching this Ansible pattern.")),
        forks: int = typer.Option(20, "--forks", "-f", metavar="N", help=_("Hosts worked on at once.")),
        json_out: bool = typer.Option(False, "--json", help=_("Print the merged report as JSON (dldoctor.fleet/1).")),
        only: List[str] = typer.Option([], "--only", metavar="STEP", help=_("Passed to fix (repeatable).")),
        skip: List[str] = typer.Option([], "--skip", metavar="STEP", help=_("Passed to fix (repeatable).")),
        mirror: List[str] = typer.Option([], "--mirror", metavar="NAME", help=_("Passed to fix (repeatable).")),
        registry_mirror: List[str] = typer.Option([], "--registry-mirror", metavar="URL", help=_("Passed to fix (repeatable).")),
        default_runtime: Optional[str] = typer.Option(None, "--default-runtime", metavar="NAME", help=_("Passed to fix.")),
        restart: bool = typer.Option(False, "--restart", help=_("Passed to fix: allow restarting Docker.")),
        force: bool = typer.Option(False, "--force", help=_("Passed to fix.")),
        pyz: Optional[str] = typer.Option(None, "--pyz", metavar="FILE", help=_("The single-file dldoctor to copy (default: $DLDOCTOR_PYZ; build it with scripts/zipapp).")),
        task_timeout: int = typer.Option(900, "--task-timeout", metavar="SECONDS", help=_("Seconds one dldoctor run may take on a host before Ansible stops it.")),
    ) -> None:
        from dldoctor.fleet import report, runner

        forks_ok(forks)
        if serial < 1:
            raise UsageError(_("--serial must be 1 or more"))
        if not dry_run and not yes:
            raise UsageError(_("fleet fix changes hosts: give --dry-run to see the plans, or --yes to apply them"))
        argv = ["fix"]
        for flag, values in (("--only", only), ("--skip", skip), ("--mirror", mirror),
                             ("--registry-mirror", registry_mirror)):
            for v in values:
                argv += [flag, v]
        if default_runtime:
            argv += ["--default-runtime", default_runtime]
        argv += ["--restart"] if restart else []
        argv += ["--force"] if force else []
        path = runner.check_inputs(inventory, pyz)
        if dry_run:
            hosts = runner.run(inventory, path, "plan", limit=limit, forks=forks, task_timeout=task_timeout,
                               fix_argv=argv + ["--dry-run"] + (["--json"] if json_out else []))
            plans = {h["name"]: _plan_of(h, json_out) for h in hosts}
            if json_out:
                import sys

                data = {"schema": "dldoctor.fleet-plan/1", "dldoctor_version": __version__, "hosts": plans}
                from dldoctor.scrub import json_text

                sys.stdout.write(json_text(json.dumps(data, indent=2, ensure_ascii=False)) + "\n")
            else:
                _render_plans(plans)
            raise typer.Exit(0 if all(p["status"] == "ok" for p in plans.values()) else 1)
        hosts = runner.run(inventory, path, "fix", limit=limit, forks=forks, fix_argv=argv + ["--yes"],
                           serial=serial, task_timeout=task_timeout)
        merged = report.merge(runner.entries(hosts, "fix"))
        emit(merged, json_out)
        raise typer.Exit(report.exit_code(merged))


def _plan_of(h: Any, json_out: bool) -> Any:
    """One host's `fix --dry-run` result as the plan report holds it."""
    from dldoctor.fleet import report

    fx = (h.get("tasks") or {}).get("fix")
    if h.get("unreachable"):
        return {"status": "unreachable", "plan": None, "error": h["unreachable"]}
    if fx is None or fx.get("rc") not in (0, 1):
        err = (report.remote_text(fx.get("stdout") or "", fx.get("stderr") or "") if fx
               else (h.get("failed") or {}).get("msg")) or _("not run")
        return {"status": "error", "plan": None, "error": err}
    plan: Any = fx.get("stdout") or ""
    if json_out:
        try:
            plan = nesting.loads(plan)
        except ValueError:
            plan = None
        if not nesting.shallow(plan, report.MAX_DEPTH):   # could not be written back out
            plan = None
    return {"status": "ok" if fx.get("rc") == 0 else "failing", "plan": plan,
            "error": report.remote_text("", fx.get("stderr") or "") or None}


def _render_plans(plans: Any) -> None:
    """Each host's `fix --dry-run` output under its name (escape sequences made visible)."""
    from rich.console import Console
    from rich.markup import escape

    from dldoctor.fleet.report import clean

    con = Console(highlight=False)
    for name, p in plans.items():
        con.print(escape(clean("== %s" % name)), style="bold")
        if p["plan"] is None:
            con.print(escape(clean(_("error: {err}").format(err=p["error"] or "-"))), style="red")
            continue
        for line in str(p["plan"]).replace("\r\n", "\n").rstrip("\n").split("\n"):
            con.print(escape(clean(line)))
        if p.get("error"):
            con.print(escape(clean(p["error"])), style="red")
