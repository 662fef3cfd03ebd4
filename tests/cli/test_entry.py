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
    return subprocess.run([sys.executable, *prefix, *args], capture_output=True, text=True, env=env,
                          timeout=60)


@pytest.mark.parametrize("args", [
    ["check", "--snapshot", CASE, "--json"],
    ["check", "--snapshot=" + CASE, "-v"],
    ["check", "--snapshot", CASE],
    ["check", "--snapshot", "/nonexistent/snap"],
    ["check", "--root", "/nonexistent", "--json"],
    ["check", "--snapshot", CASE, "--timeout", "0.5"],
])
def test_fast_path_and_typer_agree(args):
    assert quick_check_args(args) is not None
    fast = run(["-m", "dldoctor"], args)
    slow = run(["-c", TYPER], args)
    assert (fast.returncode, fast.stdout, fast.stderr) == (slow.returncode, slow.stdout, slow.stderr)


@pytest.mark.parametrize("args", [
    ["check", "--help"], ["check", "--timeout", "soon"], ["check", "--bogus"], ["check", "--root"],
    ["verify"], [], ["check", "extra-arg"],
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
    assert typer_opts - {"--help"} == set(FLAGS) | set(VALUES)
