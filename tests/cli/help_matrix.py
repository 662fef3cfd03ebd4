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


def commands(group, path=()):
    """(path, command) for every command, nested groups (a sub-app like `fleet`) included."""
    for name, cmd in sorted(getattr(group, "commands", {}).items()):
        yield list(path) + [name], cmd
        yield from commands(cmd, tuple(path) + (name,))


def lookup(path):
    cmd = typer.main.get_command(app)
    for name in path:
        cmd = cmd.commands[name]
    return cmd


def cases():
    group = typer.main.get_command(app)
    yield "help", [], ["-h"]
    yield "error:bad-option", [], ["--no-such-option"]
    yield "error:no-such-command", [], ["no-such-command"]
    for path, cmd in commands(group):
        yield "help", path, path + ["-h"]
        yield "help", path, path + ["--help"]
        yield "error:bad-option", path, path + ["--no-such-option"]
        if getattr(cmd, "commands", None):
            continue  # a group: its commands' own errors follow
        required = [p for p in cmd.params if getattr(p, "required", False)]
        args = path + ["x" for p in required if p.param_type_name == "argument"]
        for p in required:
            if p.param_type_name == "option":
                args += [p.opts[0], "x"]
        needs_value = False
        for p in cmd.params:
            if p.param_type_name == "argument" and p.required:
                yield "error:missing-argument", path, path
            if p.param_type_name == "option" and p.required:
                yield "error:missing-option", path, path + ["x" for q in required if q.param_type_name == "argument"]
            if p.param_type_name == "option" and p.type.name in ("float", "integer") and p.opts:
                yield "error:bad-value", path, args + [p.opts[0], "soon"]
            if p.param_type_name == "option" and not p.is_flag and p.opts and not needs_value:
                needs_value = True
                yield "error:option-needs-value", path, args + [p.opts[0]]


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
        cmd = lookup(command)
        out.append({"kind": kind, "command": command, "argv": argv, "exit": res.exit_code,
                    "output": text, "expected": texts(cmd) if kind == "help" else []})
    json.dump(out, sys.stdout, ensure_ascii=False)


if __name__ == "__main__":
    main()
