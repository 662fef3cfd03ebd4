"""Ansible action for `dldoctor fleet`: run dldoctor.pyz on a host in one ssh command.

The `script` module costs a host five ssh round trips per run (make a temporary directory, copy,
chmod, run, remove it). Here a short bootstrap reads everything from stdin in the same command
that runs it: a JSON header (the runs, their environment, the timeout), then the pyz; it writes
the pyz to a private temporary directory, runs each dldoctor command there, removes the directory
and prints one JSON document (each run's rc, stdout, stderr; a snapshot, base64). Become wraps
that one command as it wraps any other, so the pyz runs as the become user and its files are
gone when the command ends. Loaded by ansible-playbook from this directory
(ANSIBLE_ACTION_PLUGINS); never imported by dldoctor itself.

The task has no arguments: what every host shares (the pyz, the runs of this mode, the timeout,
--out) comes from dldoctor's extra vars, and the host's own variables (dldoctor_args,
dldoctor_env, dldoctor_python) are read here. A Jinja expression per variable in the play would
be compiled again in every host's worker process, which was most of a worker's CPU time.
"""
from __future__ import absolute_import, division, print_function

import base64
import json
import os
import re
import shlex

from ansible.plugins.action import ActionBase

__metaclass__ = type

# Runs on the target under its python3 (>= 3.8; an older one gets the pyz's own refusal).
BOOT = r'''
import base64, json, os, shutil, signal, subprocess, sys, tempfile
inp = sys.stdin.buffer
head = json.loads(inp.readline().decode("utf-8"))
os.environ.update(head["env"])
tmp = tempfile.mkdtemp(prefix="dldoctor-fleet.")
child = [None]
def bye(signum, frame):
    if child[0] is not None:
        try:
            os.killpg(child[0].pid, signal.SIGKILL)
        except OSError:
            pass
    shutil.rmtree(tmp, True)
    os._exit(128 + signum)
for s in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT, signal.SIGPIPE):
    signal.signal(s, bye)
out = {"runs": {}, "snapshot": None}
try:
    pyz = os.path.join(tmp, "dldoctor.pyz")
    with open(pyz, "wb") as fh:
        shutil.copyfileobj(inp, fh)
    for run in head["runs"]:
        argv = [sys.executable, pyz] + [a.replace("@TMP@", tmp) for a in run["argv"]]
        child[0] = proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                           stderr=subprocess.PIPE, start_new_session=True)
        try:
            so, se = proc.communicate(timeout=head["timeout"])
            rc = proc.returncode
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            so, se = proc.communicate()
            rc, se = None, se + ("\ndldoctor: stopped after %s s (--task-timeout)" % head["timeout"]).encode()
        child[0] = None
        out["runs"][run["name"]] = {"rc": rc, "stdout": so.decode("utf-8", "replace"),
                                    "stderr": se.decode("utf-8", "replace")}
        if rc not in run["ok"]:
            break
        if run.get("snapshot"):
            with open(os.path.join(tmp, "snapshot.tar.gz"), "rb") as fh:
                out["snapshot"] = base64.b64encode(fh.read()).decode("ascii")
finally:
    shutil.rmtree(tmp, True)
sys.stdout.write(json.dumps(out))
'''
LAUNCH = "import sys; b = sys.stdin.buffer; exec(b.read(int(b.readline())))"
SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]")


class ActionModule(ActionBase):
    TRANSFERS_FILES = False

    def _var(self, task_vars, name, default):
        """A variable of this host as the play would see it (templated only if it is a template)."""
        if name not in task_vars:
            return default
        return self._templar.template(task_vars[name])

    def run(self, tmp=None, task_vars=None):
        result = super(ActionModule, self).run(tmp, task_vars)
        task_vars = task_vars or {}
        extra = self._var(task_vars, "dldoctor_args", None) or []
        extra = [str(a) for a in extra] if isinstance(extra, (list, tuple)) else str(extra).split()
        runs = [{"name": str(r["name"]), "argv": [str(a) for a in r["argv"]] + extra,
                 "ok": [int(c) for c in r["ok"]], "snapshot": bool(r.get("snapshot"))}
                for r in self._var(task_vars, "dldoctor_runs", [])]
        env = {str(k): str(v) for k, v in (self._var(task_vars, "dldoctor_env", None) or {}).items()}
        python = str(self._var(task_vars, "dldoctor_python",
                               self._var(task_vars, "ansible_python_interpreter", "python3")))
        if python.startswith("auto"):  # Ansible's interpreter discovery: python3 is what we need
            python = "python3"
        with open(str(task_vars["dldoctor_pyz"]), "rb") as fh:
            pyz = fh.read()
        boot = BOOT.encode("utf-8")
        timeout = int(task_vars["dldoctor_task_timeout"])
        head = json.dumps({"runs": runs, "env": env, "timeout": timeout}).encode("utf-8")
        data = b"".join((str(len(boot)).encode("ascii"), b"\n", boot, head, b"\n", pyz))
        cmd = "%s -c %s" % (shlex.quote(python), shlex.quote(LAUNCH))
        res = self._low_level_execute_command(cmd, sudoable=True, in_data=data)
        try:
            out = json.loads(res.get("stdout") or "")
            got = out["runs"]
        except (ValueError, KeyError, TypeError):
            result.update(failed=True, rc=res.get("rc"), stdout=res.get("stdout") or "",
                          stderr=res.get("stderr") or "",
                          msg="dldoctor could not run here (exit %s)" % res.get("rc"))
            return result
        result["dldoctor_runs"] = got
        result["changed"] = False
        bad = [r["name"] for r in runs if r["name"] not in got or got[r["name"]]["rc"] not in r["ok"]]
        if bad:
            result["failed"] = True
            first = got.get(bad[0]) or {}
            result["msg"] = "dldoctor %s: exit %s" % (bad[0], first.get("rc"))
            result["stderr"] = first.get("stderr") or ""
        elif out.get("snapshot") is not None:
            name = SAFE_NAME.sub("_", str(task_vars.get("inventory_hostname")))
            dest = os.path.join(str(task_vars["dldoctor_out"]), name + ".tar.gz")
            with open(dest + ".tmp", "wb") as fh:
                fh.write(base64.b64decode(out["snapshot"]))
            os.replace(dest + ".tmp", dest)
        return result
