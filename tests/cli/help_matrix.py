"""Run in a fresh interpreter (the language is fixed when the app is built): every command's help
and its usage errors, through the real Typer app, printed as JSON for tests/cli/test_help.py."""
import json
import sys

import typer.main
from typer.testing import CliRunner

from dldoctor.cli import app


def texts(cmd):
    """What the help page of cmd must show whole: its help, its options' help, its examples."""
    out = [cmd.help or ""] + [getattr(p, "help", None) or "" for p in cmd.params]
    out += [(c.help or "").split("\n\n")[0] for c in getattr(cmd, "commands", {}).values()]
    out += (cmd.epilog or "").split("\n\n")
    return [t.replace("\\[", "[") for t in out if t.strip()]


def cases():
    group = typer.main.get_command(app)
    yield "help", [], ["-h"]
    yield "error:bad-option", [], ["--no-such-option"]
    yield "error:no-such-command", [], ["no-such-command"]
    for name, cmd in sorted(group.commands.items()):
        yield "help", [name], [name, "-h"]
        yield "help", [name], [name, "--help"]
        yield "error:bad-option", [name], [name, "--no-such-option"]
        required = [p for p in cmd.params if getattr(p, "required", False)]
        args = [name] + ["x" for p in required if p.param_type_name == "argument"]
        needs_value = False
        for p in cmd.params:
            if p.param_type_name == "argument" and p.required:
                yield "error:missing-argument", [name], [name]
            if p.param_type_name == "option" and p.type.name in ("float", "integer") and p.opts:
                yield "error:bad-value", [name], args + [p.opts[0], "soon"]
            if p.param_type_name == "option" and not p.is_flag and p.opts and not needs_value:
                needs_value = True
                yield "error:option-needs-value", [name], args + [p.opts[0]]


def main():
    runner = CliRunner()
    out = []
    seen = set()
    for kind, command, argv in cases():
        key = (kind, tuple(argv))
        if key in seen:
            continue
        seen.add(key)
        res = runner.invoke(app, argv, prog_name="dldoctor")
        text = res.output
        try:
            if res.stderr not in text:
                text += res.stderr
        except (ValueError, AttributeError):
            pass  # stderr mixed into output
        group = typer.main.get_command(app)
        cmd = group.commands[command[0]] if command else group
        out.append({"kind": kind, "command": command, "argv": argv, "exit": res.exit_code,
                    "output": text, "expected": texts(cmd) if kind == "help" else []})
    json.dump(out, sys.stdout, ensure_ascii=False)


if __name__ == "__main__":
    main()
