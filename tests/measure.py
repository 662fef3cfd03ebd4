"""Run dldoctor in a fresh parent that reports its own child's peak memory and elapsed time: the
test process's own RUSAGE_CHILDREN would count every child it ever ran (pip, a lab daemon, other
tests' commands), so a bound read there fails for what another test did."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

MEASURE = textwrap.dedent("""
    import json, resource, subprocess, sys, time
    start = time.monotonic()
    r = subprocess.run(sys.argv[1:], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       stdin=subprocess.DEVNULL)
    print(json.dumps({"rc": r.returncode, "elapsed": time.monotonic() - start,
                      "peak_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
                      "stdout": r.stdout.decode("utf-8", "replace"),
                      "stderr": r.stderr.decode("utf-8", "replace")[-4000:]}))
""")


def measured(args, env=None, timeout=60):
    """Run dldoctor ARGS in a fresh parent that reports its peak child memory and elapsed time."""
    e = dict(os.environ, DOCKER_HOST="unix:///nonexistent/docker.sock", LANG="C")
    e.update(env or {})
    out = subprocess.run([sys.executable, "-c", MEASURE, sys.executable, "-m", "dldoctor"] +
                         list(args), env=e, stdout=subprocess.PIPE, timeout=timeout, check=True)
    return json.loads(out.stdout)
