"""The entry point parses a simple `check` itself (start-up cost) and hands everything else to
Typer. Both paths must be indistinguishable to a user: same options, output and exit codes."""
import os
import subprocess
import sys
from pathlib import Path

import pytest

from dldoctor.main import FLAGS, VALUES, quick_check_args

CASE = str(Path(__file__).resolve().parents[1] / "data" / "cases" / "dev-021")
TYPER = "import sys; from dldoctor.cli import app; app(args=sys.argv[1:], prog_name='dldoctor')"


def run(prefix, args):
    env = dict(os.environ, NO_COLOR="1")
    env.pop("DOCKER_HOST", None)
    for var in ("DLDOCTOR_LANG", "LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        env.pop(var, None)
    return subprocess.run([sys.executable, *prefix, *args], capture_output=True, text=True, env=env,
                          timeout=60)


@pytest.mark.parametrize("args", [
    ["check", "--snapshot", CASE, "--json"],
    ["check", "--snapshot=" + CASE, "-v"],
    ["check", "--snapshot", CASE],
    ["check", "--snapshot", "/nonexistent/snap"],
    ["check", "--root", "/nonexistent", "--json"],
    ["check", "--snapshot", CASE, "--timeout", "0.5"],
    ["check", "--snapshot", CASE, "--only", "os", "--only=docker-daemon", "--json"],
    ["check", "--snapshot", CASE, "--only", "no-such-check"],
    ["check", "--list"],
    ["check", "--list", "--json"],
    ["check", "--snapshot", CASE, "--lang", "zh_CN"],
    ["check", "--snapshot", CASE, "--lang=en", "-v"],
])
def test_fast_path_and_typer_agree(args):
    assert quick_check_args(args) is not None
    fast = run(["-m", "dldoctor"], args)
    slow = run(["-c", TYPER], args)
    assert (fast.returncode, fast.stdout, fast.stderr) == (slow.returncode, slow.stdout, slow.stderr)


@pytest.mark.parametrize("args", [
    ["check", "--help"], ["check", "--timeout", "soon"], ["check", "--bogus"], ["check", "--root"],
    ["verify"], [], ["check", "extra-arg"], ["check", "-h"], ["check", "--only"],
    ["check", "--lang", "fr"],
])
def test_anything_else_goes_to_typer(args):
    assert quick_check_args(args) is None


def test_bad_timeout_is_a_usage_error_either_way():
    res = run(["-m", "dldoctor"], ["check", "--timeout", "soon"])
    assert res.returncode == 2 and "Traceback" not in res.stderr


def test_fast_path_knows_exactly_the_typer_options():
    import typer.main

    from dldoctor.cli import app

    cmd = typer.main.get_command(app).commands["check"]
    typer_opts = {o for p in cmd.params for o in list(p.opts) + list(p.secondary_opts)}
    assert typer_opts - {"--help", "-h"} == set(FLAGS) | set(VALUES)


def test_plain_check_imports_neither_typer_nor_distro():
    """Start-up cost: the fast path stays free of the CLI framework (and of distro)."""
    code = ("import sys, runpy; sys.argv = ['dldoctor', 'check', '--snapshot', %r, '--json', "
            "'--lang', 'zh_CN']\ntry:\n    runpy.run_module('dldoctor', run_name='__main__')\n"
            "except SystemExit:\n    pass\n"
            "print(sorted(m for m in ('typer', 'click', 'rich', 'distro') if m in sys.modules), "
            "file=sys.stderr)" % CASE)
    res = run(["-c", code], [])
    assert res.stderr.strip().splitlines()[-1] == "[]", res.stderr
