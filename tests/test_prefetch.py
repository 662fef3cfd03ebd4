"""A command started early is used only for the same argv and environment, and only once; the
time limit counts from its real start."""
import os
import sys
import time

from dldoctor.host import prefetch
from dldoctor.host.live import LiveHost

SLEEP = (sys.executable, "-c", "import time; time.sleep(5)")
ECHO = (sys.executable, "-c", "print('early')")


def test_taken_once_with_the_same_environment():
    prefetch.start(ECHO)
    host = LiveHost()
    res = host.run(ECHO, timeout=10)
    assert res.ok and res.stdout == "early\n"
    assert prefetch.take(ECHO, dict(os.environ)) is None  # already used


def test_other_environment_is_not_served_the_early_process():
    prefetch.start(ECHO)
    env = dict(os.environ, DOCKER_HOST="unix:///elsewhere.sock")
    assert prefetch.take(ECHO, env) is None


def test_time_limit_counts_from_the_real_start():
    prefetch.start(SLEEP)
    time.sleep(0.6)
    start = time.monotonic()
    res = LiveHost().run(SLEEP, timeout=1.0)
    assert res.timed_out and time.monotonic() - start < 0.9
