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

try:        # a host's answer nested past the stack is refused before json recurses into it
    from dldoctor.nesting import loads as _loads
except ImportError:      # an Ansible whose Python lacks dldoctor: the plain parser
    _loads = json.loads  # type: ignore[assignment]

__metaclass__ = type

# Runs on the target under its python3 (>= 3.8; an older one gets the pyz's own refusal).
# Each dldoctor command is a fork of this interpreter that runs the pyz's __main__ as
# `python3 dldoctor.pyz ARGS` would (the archive first on sys.path, argv[0] the archive), so a host
# starts one Python, not one per command. The interpreter reads PYTHON* and the locale variables
# when it starts, so when the host's dldoctor_env sets any of them the fork starts a fresh
# interpreter instead (exec), as before. The target has no catalog: its two lines of its own
# ("dldoctor: cannot start ...", "dldoctor: stopped after ...") are matched and translated by the
# controller (dldoctor.fleet.report.remote_text); keep their wording in step with it.
BOOT = r'''
import base64, json, os, select, shutil, signal, sys, tempfile, time
inp = sys.stdin.buffer
head = json.loads(inp.readline().decode("utf-8"))
os.environ.update(head["env"])
fresh = any(k.startswith(("PYTHON", "LC_")) or k == "LANG" for k in head["env"])
tmp = tempfile.mkdtemp(prefix="dldoctor-fleet.")
me = os.getpid()
child = [None]
def bye(signum, frame):
    if child[0] is not None:
        try:
            os.killpg(child[0], signal.SIGKILL)
        except OSError:
            pass
    shutil.rmtree(tmp, True)
    os._exit(128 + signum)
for s in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT, signal.SIGPIPE):
    signal.signal(s, bye)
def become(pyz, argv, out, err, w):
    os.setsid()
    for s, h in ((signal.SIGTERM, signal.SIG_DFL), (signal.SIGHUP, signal.SIG_DFL),
                 (signal.SIGINT, signal.default_int_handler), (signal.SIGPIPE, signal.SIG_IGN)):
        signal.signal(s, h)
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.dup2(out, 1)
    os.dup2(err, 2)
    os.close(null)
    if fresh:
        os.set_inheritable(w, True)
        try:
            os.execv(sys.executable, [sys.executable, pyz] + argv)
        except OSError as exc:
            os.write(2, ("dldoctor: cannot start %s: %s\n" % (sys.executable, exc)).encode())
            os._exit(127)
    import runpy, types
    sys.argv[:] = [pyz] + argv
    if sys.path and sys.path[0] == "":
        sys.path[0] = pyz
    else:
        sys.path.insert(0, pyz)
    sys.modules["__main__"] = types.ModuleType("__main__")
    runpy._run_module_as_main("__main__", False)
    sys.exit(0)
def run_one(pyz, argv, timeout):
    with open(os.path.join(tmp, "out"), "w+b") as out, open(os.path.join(tmp, "err"), "w+b") as err:
        r, w = os.pipe()
        pid = os.fork()
        if pid == 0:
            os.close(r)
            become(pyz, argv, out.fileno(), err.fileno(), w)
        child[0] = pid
        os.close(w)
        end = time.monotonic() + timeout
        while True:
            left = end - time.monotonic()
            if left <= 0 or select.select([r], [], [], left)[0]:
                break
        os.close(r)
        done, status = os.waitpid(pid, os.WNOHANG if left <= 0 else 0)
        late = done == 0
        if late:
            try:
                os.killpg(pid, signal.SIGKILL)
            except OSError:
                pass
            status = os.waitpid(pid, 0)[1]
        child[0] = None
        rc = None if late else (os.WEXITSTATUS(status) if os.WIFEXITED(status) else -os.WTERMSIG(status))
        out.seek(0)
        err.seek(0)
        so, se = out.read(), err.read()
    if late:
        se += ("\ndldoctor: stopped after %s s (--task-timeout)" % timeout).encode()
    return rc, so, se
out = {"runs": {}, "snapshot": None}
try:
    pyz = os.path.join(tmp, "dldoctor.pyz")
    with open(pyz, "wb") as fh:
        shutil.copyfileobj(inp, fh)
    for run in head["runs"]:
        rc, so, se = run_one(pyz, [a.replace("@TMP@", tmp) for a in run["argv"]], head["timeout"])
        out["runs"][run["name"]] = {"rc": rc, "stdout": so.decode("utf-8", "replace"),
                                    "stderr": se.decode("utf-8", "replace")}
        if rc not in run["ok"]:
            break
        if run.get("snapshot"):
            with open(os.path.join(tmp, "snapshot.tar.gz"), "rb") as fh:
                out["snapshot"] = base64.b64encode(fh.read()).decode("ascii")
finally:
    if os.getpid() == me:
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
            out = _loads(res.get("stdout") or "")
            got = out["runs"]
            if not isinstance(got, dict) or not all(isinstance(v, dict) for v in got.values()):
                raise TypeError("runs")
            snapshot = base64.b64decode(out["snapshot"]) if out.get("snapshot") is not None else None
        except (ValueError, KeyError, TypeError, RecursionError):
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
        elif snapshot is not None:
            name = SAFE_NAME.sub("_", str(task_vars.get("inventory_hostname")))
            dest = os.path.join(str(task_vars["dldoctor_out"]), name + ".tar.gz")
            with open(dest + ".tmp", "wb") as fh:
                fh.write(snapshot)
            os.replace(dest + ".tmp", dest)
        return result
