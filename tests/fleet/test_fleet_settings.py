"""The settings `dldoctor fleet` gives ansible-playbook keep the user's own: the ansible.cfg that
ansible would find from where dldoctor was started, and their ssh_args; only Ansible's default
ssh_args lose -C (the pyz is compressed already); Ansible's internal poll interval is 10 ms unless
their ansible.cfg sets it."""
import os
import subprocess
import sys

import pytest

from dldoctor.fleet.runner import SSH_ARGS, ansible_env


def test_default_ssh_args_without_compression(tmp_path):
    env = ansible_env({"ANSIBLE_CONFIG": str(tmp_path / "none.cfg"), "HOME": str(tmp_path)}, str(tmp_path))
    if os.path.isfile("/etc/ansible/ansible.cfg"):
        return  # this machine's own ansible.cfg decides
    assert env == {"ANSIBLE_SSH_ARGS": SSH_ARGS}
    assert "-C" not in SSH_ARGS.split() and "ControlPersist=60s" in SSH_ARGS


def test_the_users_ssh_args_and_ansible_cfg_are_kept(tmp_path):
    project = tmp_path / "project"
    project.mkdir()
    (project / "ansible.cfg").write_text("[ssh_connection]\nssh_args = -C -o ControlPersist=10m\n")
    env = ansible_env({"HOME": str(tmp_path)}, str(project))
    # ansible runs in a temporary directory: the project's ansible.cfg is named, its ssh_args kept
    assert env == {"ANSIBLE_CONFIG": str(project / "ansible.cfg")}
    assert ansible_env({"ANSIBLE_SSH_ARGS": "-C", "HOME": str(tmp_path)}, str(project)) == {
        "ANSIBLE_CONFIG": str(project / "ansible.cfg")}
    (project / "ansible.cfg").write_text("[defaults]\nforks = 50\n")
    assert ansible_env({"HOME": str(tmp_path)}, str(project)) == {
        "ANSIBLE_CONFIG": str(project / "ansible.cfg"), "ANSIBLE_SSH_ARGS": SSH_ARGS}
    os.chmod(str(project), 0o777)  # ansible ignores ./ansible.cfg in a world-writable directory
    try:
        assert "ANSIBLE_CONFIG" not in ansible_env({"HOME": str(tmp_path)}, str(project))
    finally:
        os.chmod(str(project), 0o755)


CALLBACK = os.path.join(os.path.dirname(__file__), "..", "..", "src", "dldoctor", "fleet", "plugins", "dldoctor_fleet.py")
POLL = """
import importlib.util, sys
spec = importlib.util.spec_from_file_location("dldoctor_fleet", sys.argv[1])
mod = importlib.util.module_from_spec(spec)
spec.loader.exec_module(mod)
mod.CallbackModule()
from ansible import constants as C
print(C.DEFAULT_INTERNAL_POLL_INTERVAL)
"""


def test_ansible_polls_its_workers_every_10_ms_unless_configured(tmp_path):
    pytest.importorskip("ansible")
    env = dict(os.environ, ANSIBLE_CONFIG=str(tmp_path / "none.cfg"))
    got = subprocess.run([sys.executable, "-c", POLL, CALLBACK], env=env, capture_output=True, text=True)
    assert got.stdout.strip() == "0.01", got.stderr
    (tmp_path / "ansible.cfg").write_text("[defaults]\ninternal_poll_interval = 0.005\n")
    env["ANSIBLE_CONFIG"] = str(tmp_path / "ansible.cfg")
    got = subprocess.run([sys.executable, "-c", POLL, CALLBACK], env=env, capture_output=True, text=True)
    assert got.stdout.strip() == "0.005", got.stderr


def test_the_task_has_no_template(tmp_path):
    """Every host's worker compiles the task's templates anew: the task has none, its timeout is
    written in."""
    from dldoctor.fleet.runner import _write_assets

    text = open(_write_assets(str(tmp_path), 960)).read()
    task = text[text.index("tasks:"):]
    assert "timeout: 960\n" in task and "{{" not in task and '"@DEADLINE@"' not in text
