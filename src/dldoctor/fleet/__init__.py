"""`dldoctor fleet`: many hosts through Ansible, one merged report (`dldoctor.fleet/1`).

`report` merges per-host `check --json` reports (pure: also serves `fleet merge` of saved files);
`runner` drives `ansible-playbook` with the playbook and stdout callback shipped here as package
data. Nothing here is imported by `dldoctor check`: ansible is only ever a subprocess.
"""
