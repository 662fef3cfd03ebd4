"""Ansible stdout callback for `dldoctor fleet`: no console output; per host, what each dldoctor
task printed (rc, stdout, stderr), or why the host was unreachable or a task failed, written as
one JSON file (path in DLDOCTOR_FLEET_RESULTS) when the playbook ends. Loaded by ansible-playbook
from this directory (ANSIBLE_CALLBACK_PLUGINS); never imported by dldoctor itself."""
from __future__ import absolute_import, division, print_function

import json
import os

from ansible.plugins.callback import CallbackBase

__metaclass__ = type

DOCUMENTATION = """
    name: dldoctor_fleet
    type: stdout
    short_description: collect dldoctor results per host
    description: Collects the output of dldoctor's tasks per host for dldoctor fleet.
"""

KEEP = 4 * 1024 * 1024  # bytes of stdout kept per task: a report, never a flood
# Ansible's main process polls its workers every internal_poll_interval seconds (default 1 ms)
# for the whole run; for a play of one task that takes seconds per host, 10 ms answers as soon
# and leaves the CPU to the workers. Used only where the user's configuration does not set it
# (it has no environment variable, only ansible.cfg).
POLL_INTERVAL = 0.01


def _calm_polling():
    try:
        from ansible import constants as C

        if C.config.get_config_value_and_origin("DEFAULT_INTERNAL_POLL_INTERVAL")[1] == "default":
            C.DEFAULT_INTERNAL_POLL_INTERVAL = max(C.DEFAULT_INTERNAL_POLL_INTERVAL, POLL_INTERVAL)
    except Exception:  # another Ansible's internals: its own default stays
        pass


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "stdout"
    CALLBACK_NAME = "dldoctor_fleet"

    def __init__(self, *args, **kwargs):
        super(CallbackModule, self).__init__(*args, **kwargs)
        self.hosts = {}
        self.order = []
        _calm_polling()

    def _host(self, name):
        if name not in self.hosts:
            self.hosts[name] = {"tasks": {}, "unreachable": None, "failed": None}
            self.order.append(name)
        return self.hosts[name]

    def v2_playbook_on_play_start(self, play):
        try:
            inventory = play.get_variable_manager()._inventory
            # every host of the play (serial batches restrict the inventory), --limit applied
            for host in inventory.get_hosts(play.hosts, ignore_restrictions=True):
                self._host(host.get_name())
        except Exception:  # the listing is a courtesy: hosts still appear as they report
            pass

    @staticmethod
    def _task(result):
        name = result._task.get_name() or ""
        return name[len("dldoctor "):] if name.startswith("dldoctor ") else name

    @staticmethod
    def _out(res):
        return {"rc": res.get("rc"), "stdout": (res.get("stdout") or "")[:KEEP],
                "stderr": (res.get("stderr") or "")[-KEEP:]}

    def _record(self, result):
        """Each dldoctor command's output: from the dldoctor_run action (one entry per command it
        ran), or from a task that ran one command itself."""
        res = result._result
        host = self._host(result._host.get_name())
        runs = res.get("dldoctor_runs")
        if isinstance(runs, dict):
            for name, run in runs.items():
                host["tasks"][name] = self._out(run)
        elif "rc" in res:
            host["tasks"][self._task(result)] = self._out(res)
        return host

    def v2_runner_on_ok(self, result):
        self._record(result)

    def v2_runner_on_failed(self, result, ignore_errors=False):
        res = result._result
        host = self._record(result)
        task = self._task(result)
        if not ignore_errors and host["failed"] is None:
            msg = res.get("msg") or ""
            if res.get("stderr"):
                msg = res.get("stderr")
            host["failed"] = {"task": task, "msg": str(msg)[-4000:]}

    def v2_runner_on_unreachable(self, result):
        res = result._result
        self._host(result._host.get_name())["unreachable"] = str(res.get("msg") or "unreachable")[-4000:]

    def v2_playbook_on_stats(self, stats):
        path = os.environ.get("DLDOCTOR_FLEET_RESULTS")
        if not path:
            return
        data = {"hosts": [dict(self.hosts[n], name=n) for n in self.order]}
        tmp = path + ".tmp"
        with open(tmp, "w") as fh:
            json.dump(data, fh)
        os.rename(tmp, path)
