"""dldoctor.pyz for tests: built once per session by scripts/zipapp, and the other Pythons to run it.

The build resolves pure-Python wheels for 3.8 (from the .whl/ cache when it can, PyPI otherwise),
so the .venv run and the .venv38 run each build their own copy in a few seconds. Where neither the
cache nor PyPI can serve a dependency the tests skip with the build's own words; any other build
failure fails them.
"""
import glob
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Optional

import pytest

REPO = Path(__file__).resolve().parent.parent
ZIPAPP = REPO / "scripts" / "zipapp"
_NO_INDEX = ("No matching distribution", "Could not find a version", "lacks a dependency",
             "Network is unreachable", "Temporary failure in name resolution")


def find_python(minor: int) -> Optional[str]:
    """A working python3.<minor>: pyenv's versions first (shims may point elsewhere), then PATH."""
    roots = [os.environ.get("PYENV_ROOT") or os.path.expanduser("~/.pyenv")]
    cands = []
    for root in roots:
        cands += sorted(glob.glob(os.path.join(root, "versions", "3.%d.*" % minor, "bin", "python3.%d" % minor)))
    found = shutil.which("python3.%d" % minor)
    if found:
        cands.append(found)
    for cand in cands:
        try:
            out = subprocess.run([cand, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
                                 capture_output=True, text=True, timeout=30)
        except (OSError, subprocess.TimeoutExpired):
            continue
        if out.returncode == 0 and out.stdout.strip() == "3.%d" % minor:
            return cand
    return None


def build(out: Path) -> Path:
    env = dict(os.environ, PYTHON=sys.executable)
    res = subprocess.run(["bash", str(ZIPAPP), "--out", str(out)], capture_output=True, text=True,
                         env=env, timeout=600)
    if res.returncode != 0:
        text = res.stdout + res.stderr
        if any(s in text for s in _NO_INDEX):
            pytest.skip("scripts/zipapp could not get the dependencies here: %s" % text[-400:])
        raise AssertionError("scripts/zipapp failed (%d):\n%s" % (res.returncode, text[-3000:]))
    assert out.is_file(), res.stdout + res.stderr
    return out


@pytest.fixture(scope="session")
def pyz(tmp_path_factory) -> Path:
    """One dist/dldoctor.pyz for the session, built from this checkout into a temporary dir."""
    return build(tmp_path_factory.mktemp("pyz") / "dldoctor.pyz")


def clean_env(**extra: str) -> dict:
    """The environment of a bare host: no venv, no PYTHONPATH, English unless asked."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME", "DOCKER_HOST")}
    env["PATH"] = os.pathsep.join(p for p in env.get("PATH", "").split(os.pathsep)
                                  if not p.startswith(sys.prefix))
    env["DLDOCTOR_LANG"] = "C"
    env.update(extra)
    return env
