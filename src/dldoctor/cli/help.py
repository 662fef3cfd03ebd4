"""The Examples section of every command's help, kept as data beside the commands.

`add_examples(app)` gives each registered command its examples as the help epilog, whoever
registered it (cli.py, cli_fix.py, cli_mirrors.py...); tests/cli/test_help.py fails for a command
that has none. Typer prints an epilog paragraph by paragraph, so each example is one paragraph.
"""
from __future__ import annotations

from typing import Any, Dict, List, Tuple

from dldoctor.i18n import _


def examples() -> Dict[str, List[Tuple[str, str]]]:
    """command -> [(command line, what it does)], translated for the language in use."""
    return {
        "dldoctor": [
            ("dldoctor check", _("what stands between this host and a working GPU container")),
            ("dldoctor fix --dry-run", _("the repairs it would make")),
            ("dldoctor verify", _("prove it with a GPU container")),
            ("dldoctor --lang zh_CN check", _("the same in Chinese")),
            ("dldoctor COMMAND -h", _("help on one command")),
        ],
        "check": [
            ("dldoctor check", _("diagnose this host")),
            ("dldoctor check -v", _("the same, with evidence and a fix for every finding")),
            ("dldoctor check --only docker-daemon --only daemon-json", _("run two checks only")),
            ("dldoctor check --list", _("name every check")),
            ("dldoctor check --snapshot report.tar.gz --json", _("diagnose a snapshot, as JSON")),
        ],
        "snapshot": [
            ("sudo dldoctor snapshot report.tar.gz", _("record this host's evidence for a bug report")),
            ("dldoctor snapshot --no-probe evidence-dir", _("record it as a directory, offline")),
        ],
        "explain": [
            ("dldoctor explain 'could not select device driver \"\" with capabilities: [[gpu]]'",
             _("why a docker run failed")),
            ("docker run --gpus all IMAGE nvidia-smi 2>&1 | dldoctor explain -", _("read the error from stdin")),
            ("dldoctor explain --no-host -", _("read the text alone, not this host")),
        ],
        "verify": [
            ("dldoctor verify", _("run the checks, then a GPU container")),
            ("dldoctor verify --image nvidia/cuda:12.4.1-base-ubuntu22.04", _("prove it with this image")),
        ],
        "fix": [
            ("dldoctor fix --dry-run", _("show the plan, change nothing")),
            ("sudo dldoctor fix", _("show the plan, ask, then apply it")),
            ("sudo dldoctor fix --only daemon-json --registry-mirror https://mirror.example",
             _("add a Docker Hub mirror only")),
            ("sudo dldoctor fix --yes --skip apt-repos", _("apply without asking, apt repositories left alone")),
        ],
        "undo": [
            ("dldoctor undo --list", _("list past fixes")),
            ("sudo dldoctor undo", _("put back the files of the last fix")),
        ],
        "mirrors": [
            ("dldoctor mirrors", _("list the mirror presets and probe their Docker Hub mirrors")),
            ("dldoctor mirrors --no-probe --json", _("the same as JSON, without the network")),
        ],
        "docs": [
            ("dldoctor docs", _("list the problem IDs")),
            ("dldoctor docs toolkit.missing", _("what one finding means and how to fix it")),
        ],
        "completion": [
            ("dldoctor completion bash > /etc/bash_completion.d/dldoctor", _("completion for bash")),
            ("dldoctor completion zsh", _("print the script for zsh")),
        ],
        "fleet": [
            ("dldoctor fleet check -i hosts.yml", _("check every host of an Ansible inventory")),
            ("dldoctor fleet COMMAND -h", _("help on one command")),
        ],
        "fleet check": [
            ("dldoctor fleet check -i hosts.yml", _("check every host of an Ansible inventory")),
            ("dldoctor fleet check -i hosts.yml --out reports --snapshot", _("keep each host's report and snapshot")),
        ],
        "fleet merge": [
            ("dldoctor fleet merge reports/*.json", _("one report from saved check --json files")),
        ],
        "fleet fix": [
            ("dldoctor fleet fix -i hosts.yml --dry-run", _("each host's plan, nothing changed")),
            ("dldoctor fleet fix -i hosts.yml --yes --serial 2", _("apply two hosts at a time, stop at the first failure")),
        ],
    }


def epilog(name: str) -> str:
    """The Examples section for command `name` ("" when it has none)."""
    items = examples().get(name)
    if not items:
        return ""
    # Rich markup would eat [brackets] in an example; escape them.
    lines = ["%s    # %s" % (cmd.replace("[", "\\["), what) for cmd, what in items]
    return "\n\n".join([_("Examples:")] + lines)


def add_examples(app: Any, prefix: str = "") -> None:
    """Examples as the epilog of the app and of every command and sub-app registered on it."""
    if not prefix and not app.info.epilog:
        app.info.epilog = epilog("dldoctor")
    for info in app.registered_commands:
        name = info.name or (info.callback.__name__.replace("_", "-") if info.callback else "")
        if not info.epilog:
            info.epilog = epilog(prefix + name) or None
    for group in getattr(app, "registered_groups", ()):
        name = group.name or group.typer_instance.info.name or ""
        if not group.epilog:
            group.epilog = epilog(prefix + name) or None
        add_examples(group.typer_instance, prefix + name + " ")
