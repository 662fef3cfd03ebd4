"""Hold a dldoctor test lab open for scripts/bench; never used by dldoctor itself.

    python scripts/bench_lab.py ENVFILE

Builds a ``tests/lab.py`` Lab (private dockerd 20.10 with the stub NVIDIA runtime registered
and the stub hook on its PATH), opens a hung unix socket (accepts, never answers), then writes
ENVFILE (atomically; a shell file of ``LAB_*=...`` assignments for scripts/bench to source)
and waits. It stops everything the lab started (by pid, through ``Lab.cleanup()``) and exits
when it gets SIGTERM/SIGHUP (or SIGINT, unless it started with SIGINT ignored), when the lab's
dockerd exits, or when its parent (scripts/bench) is gone. Exit status 3: this machine cannot run a lab (the reason on stderr).

``python scripts/bench_lab.py --median FILE...`` prints, for each hyperfine --export-json FILE,
one line per command: median mean stddev min max (seconds) runs cpu (mean user+system
seconds of the command itself, as hyperfine measures them), tab separated.
``python scripts/bench_lab.py --report-status FILE CHECK`` prints ``STATUS<TAB>TITLE`` of the
finding CHECK in the last dldoctor JSON report found in FILE (exit 1: none there).
"""

import json
import os
import shlex
import signal
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def _medians(paths):
    for path in paths:
        with open(path) as f:
            data = json.load(f)
        for r in data["results"]:
            times = r.get("times") or []
            cpu = (r.get("user") or 0.0) + (r.get("system") or 0.0)
            print("\t".join(
                "%.6f" % v for v in (r["median"], r["mean"], r.get("stddev") or 0.0, r["min"], r["max"])
            ) + "\t%d\t%.6f" % (len(times), cpu))
    return 0


def _report_status(path, check):
    """The status of ``check`` in the last dldoctor JSON report in ``path`` (or why none)."""
    text = open(path, errors="replace").read()
    decoder = json.JSONDecoder()
    report, i = None, 0
    while True:
        i = text.find("{", i)
        if i < 0:
            break
        try:
            obj, end = decoder.raw_decode(text, i)
        except ValueError:
            i += 1
            continue
        if isinstance(obj, dict) and str(obj.get("schema", "")).startswith("dldoctor.report/"):
            report = obj
        i = end
    if report is None:
        print("no-report")
        return 1
    for finding in report.get("findings", []):
        if finding.get("check") == check:
            print("%s\t%s" % (finding.get("status"), finding.get("title")))
            return 0
    print("no-such-check")
    return 1


class _Stop(Exception):
    pass


def _stop(signum, frame):
    raise _Stop()


def main(argv):
    if len(argv) >= 2 and argv[1] == "--median":
        return _medians(argv[2:])
    if len(argv) == 4 and argv[1] == "--report-status":
        return _report_status(argv[2], argv[3])
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    envfile = Path(argv[1])

    sys.path.insert(0, str(REPO / "tests"))
    import lab as labmod  # tests/lab.py

    missing = labmod.missing_prerequisites()
    if missing:
        print("bench_lab: this machine cannot run the lab: missing " + ", ".join(missing),
              file=sys.stderr)
        return 3

    parent = os.getppid()
    # SIGINT keeps the disposition it came with: ignored when scripts/bench started this as a
    # background job (the script's own trap then stops it with SIGTERM), else KeyboardInterrupt.
    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, _stop)

    lab = None
    try:
        lab = labmod.Lab()
        lab.write_daemon_json(lab.nvidia_runtime_config())
        t0 = time.monotonic()
        lab.start_dockerd(hook=True)
        ready_s = time.monotonic() - t0
        server_version = lab.docker("version", "--format", "{{.Server.Version}}", check=False).stdout.strip()
        env = lab.env()
        with lab.hung_socket() as hung:
            values = {
                "LAB_BASE": str(lab.base),
                "LAB_ROOT": str(lab.root),
                "LAB_BIN": str(lab.bin),
                "LAB_DOCKER_HOST": env["DOCKER_HOST"],
                "LAB_DOCKER_CONFIG": env["DOCKER_CONFIG"],
                "LAB_PATH": env["PATH"],
                "LAB_HUNG_SOCKET": hung,
                "LAB_DOCKERD_VERSION": server_version,
                "LAB_DOCKERD_READY_S": "%.2f" % ready_s,
                "LAB_HELPER_PID": str(os.getpid()),
            }
            tmp = envfile.with_name(envfile.name + ".tmp")
            tmp.write_text("".join("%s=%s\n" % (k, shlex.quote(v)) for k, v in values.items()))
            os.replace(str(tmp), str(envfile))
            while os.getppid() == parent:
                time.sleep(0.2)
                if lab.dockerd_proc is not None and lab.dockerd_proc.poll() is not None:
                    print("bench_lab: the lab's dockerd exited (status %s)" % lab.dockerd_proc.returncode,
                          file=sys.stderr)
                    break
    except (_Stop, KeyboardInterrupt):
        pass
    finally:
        for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
            signal.signal(sig, signal.SIG_IGN)  # let cleanup finish
        if lab is not None:
            lab.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
