"""Run the shipped playbook with `ansible-playbook` and turn its per-host results into entries.

ansible is a subprocess (through the host layer's process runner), never an import: `dldoctor
check` and the targets do not need it, and the control machine gets it as the optional extra
`dldoctor[fleet]`. The playbook, its action and its stdout callback are package data, read through
pkgutil and written to a private temporary directory for the run (they work from a wheel or a
zip, where no path on disk exists).
"""
from __future__ import annotations

import configparser
import json
import os
import pkgutil
import re
import shutil
import sys
import tempfile

from dldoctor.errors import UsageError
from dldoctor.fleet import report
from dldoctor.host import fsops, process
from dldoctor.i18n import _
from dldoctor import nesting

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Dict, List, Optional

INSTALL_HINT = "pip install 'dldoctor[fleet]'"
DEFAULT_FORKS = 20
SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]")
ASSETS = ("playbook.yml", "plugins/dldoctor_fleet.py", "plugins/action/dldoctor_run.py")
RESULTS_LIMIT = 1 << 30   # the callback keeps at most 4 MiB of output per command and host
# ansible-playbook's own bounds: each host's commands stop at --task-timeout (the action's and the
# task's timeout), so this only catches ansible itself hanging; a rolling fix of many batches is
# long, hence a day. Its stdout is empty (the callback writes a file): the cap is for warnings.
ANSIBLE_DEADLINE = 24 * 3600.0
ANSIBLE_OUTPUT_CAP = 16 * 1024 * 1024
# Ansible's default ssh_args without -C: the pyz is a compressed zip, and compressing its 3.4 MB
# again cost the controller's ssh 0.17 CPU-s per host (measured).
SSH_ARGS = "-o ControlMaster=auto -o ControlPersist=60s"


def file_name(host: str) -> str:
    """A host's name as a file name inside --out (the playbook applies the same rule)."""
    name = SAFE_NAME.sub("_", host)
    return name if name.strip(".") else "_" + name


def find_ansible_playbook() -> str:
    """ansible-playbook beside this Python (a venv's bin/), else on PATH; UsageError if none."""
    beside = os.path.join(os.path.dirname(sys.executable), "ansible-playbook")
    if os.access(beside, os.X_OK):
        return beside
    found = shutil.which("ansible-playbook")
    if found:
        return found
    raise UsageError(_("ansible-playbook not found: `dldoctor fleet` runs on Ansible; install it on this machine with: {cmd}")
                     .format(cmd=INSTALL_HINT))


def check_inputs(inventory: str, pyz: Optional[str]) -> str:
    """Validate the inventory and the single file before starting ansible; returns the pyz path."""
    is_list = "," in inventory and not os.path.exists(inventory)  # ansible's "host1,host2," form
    if not is_list:
        if not os.path.isfile(inventory) and not os.path.isdir(inventory):
            raise UsageError(_("cannot read the inventory {path}: no such file").format(path=inventory))
        if not os.access(inventory, os.R_OK):
            raise UsageError(_("cannot read the inventory {path}: permission denied").format(path=inventory))
    pyz = pyz or os.environ.get("DLDOCTOR_PYZ")
    if not pyz:
        raise UsageError(_("no dldoctor.pyz to copy to the hosts: build it with scripts/zipapp and pass --pyz dist/dldoctor.pyz (or set DLDOCTOR_PYZ)"))
    if not os.path.isfile(pyz):
        raise UsageError(_("cannot read {path}: build it with scripts/zipapp").format(path=pyz))
    return os.path.abspath(pyz)


def _write_assets(work: str, deadline: int) -> str:
    for rel in ASSETS:
        data = pkgutil.get_data("dldoctor.fleet", rel)
        if data is None:
            raise UsageError(_("this dldoctor lacks its fleet playbook ({name}); reinstall it").format(name=rel))
        if rel == "playbook.yml":  # the task's timeout is written in: a template is compiled per host
            data = data.replace(b'"@DEADLINE@"', str(int(deadline)).encode("ascii"))
        path = os.path.join(work, rel)
        fsops.makedirs(os.path.dirname(path), mode=0o700)
        fsops.atomic_write(path, data, mode=0o600)
    return os.path.join(work, "playbook.yml")


def ansible_cfg(environ: Dict[str, str], cwd: str) -> Optional[str]:
    """The ansible.cfg ansible-playbook would read if started in `cwd` (its search order:
    $ANSIBLE_CONFIG, ./ansible.cfg unless the directory is world-writable, ~/.ansible.cfg,
    /etc/ansible/ansible.cfg)."""
    cands = []
    if environ.get("ANSIBLE_CONFIG"):
        path = os.path.expanduser(environ["ANSIBLE_CONFIG"])
        cands.append(os.path.join(path, "ansible.cfg") if os.path.isdir(path) else path)
    try:
        if not os.stat(cwd).st_mode & 0o002:
            cands.append(os.path.join(cwd, "ansible.cfg"))
    except OSError:
        pass
    home = environ.get("HOME") or os.path.expanduser("~")
    cands += [os.path.join(home, ".ansible.cfg"), "/etc/ansible/ansible.cfg"]
    return next((os.path.abspath(c) for c in cands if os.path.isfile(c)), None)


def ansible_env(environ: Dict[str, str], cwd: str) -> Dict[str, str]:
    """Settings for the run that keep the user's own: ansible runs in a temporary directory, so
    the ansible.cfg found from `cwd` is named; ssh_args loses -C unless the user set ssh_args."""
    env: Dict[str, str] = {}
    cfg = ansible_cfg(environ, cwd)
    if cfg and not environ.get("ANSIBLE_CONFIG"):
        env["ANSIBLE_CONFIG"] = cfg
    if "ANSIBLE_SSH_ARGS" not in environ:
        parser = configparser.ConfigParser(interpolation=None)
        try:
            if cfg:
                parser.read_string((fsops.read_bytes(cfg, limit=1 << 20) or b"").decode("utf-8", "replace"), cfg)
            if not parser.has_option("ssh_connection", "ssh_args"):
                env["ANSIBLE_SSH_ARGS"] = SSH_ARGS
        except (OSError, configparser.Error):
            pass  # ansible will say what is wrong with it; its settings are left alone
    return env


def runs(mode: str, snapshot: bool = False, fix_argv: Optional[List[str]] = None) -> List[Dict[str, Any]]:
    """The dldoctor commands one host runs in this mode, in order, each with the exit codes that
    let the next one run (the action adds each host's dldoctor_args to every argv): a fix (or its
    plan), then the follow-up check; a check, then its snapshot (@TMP@ is the host's temporary
    directory)."""
    out: List[Dict[str, Any]] = []
    if mode in ("fix", "plan"):
        out.append({"name": "fix", "argv": list(fix_argv or []), "ok": [0, 1] if mode == "plan" else [0]})
    if mode in ("check", "fix"):
        out.append({"name": "check", "argv": ["check", "--json"], "ok": [0] if mode == "fix" else [0, 1]})
    if snapshot:
        out.append({"name": "snapshot", "argv": ["snapshot", "@TMP@/snapshot.tar.gz"], "ok": [0], "snapshot": True})
    return out


def run(inventory: str, pyz: str, mode: str, limit: Optional[str] = None, forks: int = DEFAULT_FORKS,
        out_dir: Optional[str] = None, snapshot: bool = False, fix_argv: Optional[List[str]] = None,
        serial: Optional[int] = None, task_timeout: int = 900) -> List[Dict[str, Any]]:
    """Run the playbook; the callback's per-host records (name, tasks, unreachable, failed)."""
    exe = find_ansible_playbook()
    work = tempfile.mkdtemp(prefix="dldoctor-fleet.")
    try:
        todo = runs(mode, snapshot, fix_argv)
        # the task's own bound: each run's, and a minute for ssh and the copy
        playbook = _write_assets(work, int(task_timeout) * len(todo) + 60)
        extra: Dict[str, Any] = {
            "dldoctor_pyz": pyz, "dldoctor_runs": todo, "dldoctor_task_timeout": int(task_timeout),
            "dldoctor_out": os.path.abspath(out_dir) if out_dir else work}
        if serial:
            extra["dldoctor_serial"] = int(serial)
            extra["dldoctor_max_fail_percentage"] = 0  # the first failing host stops the rollout
        vars_file = os.path.join(work, "vars.json")
        fsops.atomic_write(vars_file, json.dumps(extra).encode("utf-8"), mode=0o600)
        results = os.path.join(work, "results.json")
        argv = [exe, "-i", inventory, "--forks", str(int(forks)), "-e", "@" + vars_file, playbook]
        if limit:
            argv[3:3] = ["--limit", limit]
        env = dict(os.environ)
        env.update(ansible_env(env, os.getcwd()))
        env.update({"ANSIBLE_STDOUT_CALLBACK": "dldoctor_fleet",
                    "ANSIBLE_CALLBACK_PLUGINS": os.path.join(work, "plugins"),
                    "ANSIBLE_ACTION_PLUGINS": os.path.join(work, "plugins", "action"),
                    "ANSIBLE_INVENTORY_UNPARSED_FAILED": "True",
                    "ANSIBLE_RETRY_FILES_ENABLED": "False",
                    "ANSIBLE_NOCOLOR": "True",
                    "DLDOCTOR_FLEET_RESULTS": results})
        proc = process.run(argv, timeout=ANSIBLE_DEADLINE, env=env, cwd=work,
                           cap=ANSIBLE_OUTPUT_CAP)
        try:
            raw = fsops.read_bytes(results, limit=RESULTS_LIMIT)
            hosts = nesting.loads((raw or b"").decode("utf-8"))["hosts"]
        except (OSError, ValueError, KeyError, TypeError):
            text = (proc.stderr or proc.stdout or proc.error or "").strip()
            lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
            errors = [ln for ln in lines if ln.startswith("[ERROR]")]
            if errors:  # ansible's verdict first, then the first reason it gave (parse errors)
                why = [ln for ln in lines if ln.startswith("[WARNING]: Failed to parse")][:1]
                text = "\n".join(errors + why)
            raise UsageError(_("ansible-playbook could not run the fleet (exit {rc}): {err}")
                             .format(rc=proc.rc, err=report.clean(text[-1500:]) or "-"))
        if not hosts:
            raise UsageError(_("no host in the inventory {path} matches{limit}")
                             .format(path=inventory, limit=(" --limit " + limit) if limit else ""))
        return hosts
    finally:
        shutil.rmtree(work, ignore_errors=True)


def entries(hosts: List[Dict[str, Any]], mode: str) -> Dict[str, Dict[str, Any]]:
    """Per-host entries of the merged report from the callback's records."""
    out: Dict[str, Dict[str, Any]] = {}
    stopped_at = next((h["name"] for h in hosts if h.get("failed") and not h.get("unreachable")), None)
    for h in hosts:
        name, tasks = h["name"], h.get("tasks") or {}
        if h.get("unreachable"):
            out[name] = report.host_entry("unreachable", None, h["unreachable"])
        elif mode == "fix" and "fix" in tasks and tasks["fix"].get("rc") != 0:
            fx = tasks["fix"]
            out[name] = report.host_entry("error", None, _("fix failed (exit {rc}): {err}").format(
                rc=fx.get("rc"), err=report.remote_text(fx.get("stdout") or "", fx.get("stderr") or "")))
        elif "check" in tasks:
            c = tasks["check"]
            out[name] = report.from_check(c.get("rc"), c.get("stdout") or "", c.get("stderr") or "")
        elif h.get("failed"):
            f = h["failed"]
            out[name] = report.host_entry("error", None, "%s: %s" % (f.get("task"), f.get("msg")))
        elif mode == "fix" and stopped_at:
            out[name] = report.host_entry("error", None, _("not run: the rolling fix stopped at {host}").format(host=stopped_at))
        else:
            out[name] = report.host_entry("error", None, _("not run"))
    return out


def save_reports(fleet: Dict[str, Any], out_dir: str) -> None:
    """DIR/<host>.json: each host's check report, for `fleet merge` later."""
    fsops.makedirs(out_dir)
    for name, entry in fleet["hosts"].items():
        if entry.get("report") is not None:
            path = os.path.join(out_dir, file_name(name) + ".json")
            text = json.dumps(entry["report"], indent=2, ensure_ascii=False) + "\n"
            fsops.atomic_write(path, text.encode("utf-8"))
