"""The shape of the command line that users feel: a plain `check` starts without the code of other
commands, every wait option refuses a non-number of seconds, and failures are worded in one place."""
import ast
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

DATA = Path(__file__).resolve().parents[1] / "data"
CASE = str(DATA / "cases" / "dev-018")
CLI = Path(__file__).resolve().parents[2] / "src" / "dldoctor" / "cli"


def run(args, **env):
    e = {k: v for k, v in os.environ.items() if k not in ("DOCKER_HOST", "LANGUAGE", "LC_ALL", "LANG")}
    e.update(env)
    return subprocess.run([sys.executable, "-m", "dldoctor", *args], capture_output=True, text=True,
                          env=e, timeout=60)


def test_plain_check_loads_no_other_command():
    """`check` is run every minute by monitoring: it must not pay for Typer, fix, fleet or mirrors."""
    code = ("import sys, json\nfrom dldoctor.main import main\n"
            "try:\n    main(['check', '--snapshot', %r, '--json'])\nexcept SystemExit:\n    pass\n"
            "sys.stderr.write(json.dumps(sorted(sys.modules)))\n" % CASE)
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    loaded = set(json.loads(res.stderr.strip().splitlines()[-1]))
    assert json.loads(res.stdout)["schema"] == "dldoctor.report/1"
    for name in ("typer", "click", "dldoctor.cli.commands", "dldoctor.cli.fix", "dldoctor.cli.fleet",
                 "dldoctor.cli.mirrors", "dldoctor.executor", "dldoctor.fleet"):
        assert name not in loaded, name


def test_cli_never_imports_the_entry_point():
    """main.py imports cli/, never the other way round (no import cycle)."""
    for path in CLI.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom):
                names = [node.module or ""] + ["%s.%s" % (node.module, a.name) for a in node.names]
            elif isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            else:
                continue
            assert "dldoctor.main" not in names, path.name
            assert not (isinstance(node, ast.ImportFrom) and node.module == "dldoctor"
                        and any(a.name == "main" for a in node.names)), path.name


@pytest.mark.parametrize("args, option", [
    (["undo", "--list", "--timeout", "nan"], "--timeout"),
    (["undo", "--list", "--daemon-timeout", "0"], "--daemon-timeout"),
    (["verify", "--run-timeout", "inf", "--root", "/nonexistent"], "--run-timeout"),
    (["verify", "--pull-timeout", "0", "--root", "/nonexistent"], "--pull-timeout"),
])
def test_every_wait_is_checked_like_timeout(args, option):
    res = run(args)
    assert res.returncode == 2, res.stderr
    assert res.stderr.startswith("dldoctor: %s: " % option) and "3600" in res.stderr
    assert "Traceback" not in res.stderr


def test_timeout_help_says_what_it_waits_for():
    for command in ("check", "snapshot", "explain", "verify", "fix", "undo"):
        out = run([command, "--help"], COLUMNS="200").stdout
        line = next(l for l in out.splitlines() if "--timeout " in l and "--daemon" not in l)
        assert "each command dldoctor runs" in line, (command, line)
