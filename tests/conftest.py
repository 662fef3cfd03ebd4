"""Shared test set-up: ``tests/`` on sys.path (for ``import lab``) and the Docker lab fixtures."""

import os
import sys
from pathlib import Path

import pytest

TESTS_DIR = Path(__file__).resolve().parent
if str(TESTS_DIR) not in sys.path:
    sys.path.insert(0, str(TESTS_DIR))

import lab as lablib  # noqa: E402  (tests/lab.py)
from lab import require_lab  # noqa: E402


@pytest.fixture(scope="session")
def lab():
    """One lab for the session: dockerd started with the hook (so ``--gpus all`` works),
    the stub ``nvidia`` runtime registered in daemon.json, and ``lab/busybox`` imported.
    Tests that change its daemon.json or stubs must put them back."""
    require_lab()
    the_lab = lablib.Lab()
    try:
        the_lab.write_daemon_json(the_lab.nvidia_runtime_config())
        the_lab.start_dockerd(hook=True)
        the_lab.import_busybox_image("lab/busybox")
        yield the_lab
    finally:
        the_lab.cleanup()


@pytest.fixture
def fresh_lab():
    """A new lab, not started: the test writes daemon.json/stubs and starts dockerd itself."""
    require_lab()
    with lablib.Lab() as the_lab:
        yield the_lab


# The suite asserts English messages: pin the language for this process and every dldoctor it
# starts, whatever LANG the machine has (tests/test_i18n.py sets zh_CN where it means to).
os.environ["DLDOCTOR_LANG"] = "C"
