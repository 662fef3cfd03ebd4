"""scripts/bench --fleet: `dldoctor fleet check` over 1 and over 20 inventory hosts, timed with
hyperfine (target: 20 hosts take under 2x the time of one, default --forks).

Every host is an alias of 127.0.0.1 behind one loopback sshd (tests/fleetlib.py, a port not 22)
and checks the same healthy lab host (tests/lab.py: a real dockerd with the stub toolkit), so a
host's work is a real `check` (docker info, nvidia-smi, files under --root) through the real
`dldoctor.pyz` (built first by scripts/zipapp). On a real fleet each host's check runs on that
host; here all of them share this machine's CPUs with the control machine, so the figure is a
bound for a controller that is also every target. Everything started is stopped at exit.

Wall time on a shared machine says as much about the other jobs as about the fleet, so the
bench also measures CPU time: each run once more inside a cgroup of its own (cgroup v1 cpuacct,
or v2) holding ansible-playbook with everything it starts and the sshd with every session it
serves and the ssh control masters Ansible keeps for it, i.e. the controller and all the
targets' commands (not the lab's dockerd). The CPU time a
host adds, (CPU of 20 hosts - CPU of 1) / 19, is what bounds the ratio when the targets share the
controller's CPUs.

Usage: scripts/bench --fleet [--runs N] [--out DIR]
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))

import lab as lablib  # noqa: E402
from fleetlib import Sshd, fleet_env, missing, write_inventory  # noqa: E402
from pyzlib import build  # noqa: E402

CGROUPS = (("/sys/fs/cgroup/cpuacct", "cpuacct.usage", 1e-9), ("/sys/fs/cgroup", "cpu.stat", 1e-6))


def _usage(group: Path, name: str, unit: float) -> float:
    text = (group / name).read_text()
    if name == "cpu.stat":
        text = dict(line.split() for line in text.splitlines())["usage_usec"]
    return int(text) * unit


def cpu_seconds(argv: list, env: dict, sshd) -> "float | None":
    """CPU seconds of one run of argv and of the sshd's sessions meanwhile, ssh control masters
    left by earlier runs included; None without cgroups."""
    for base, name, unit in CGROUPS:
        if not os.path.exists(os.path.join(base, name if name != "cpu.stat" else "cgroup.controllers")):
            continue
        group = Path(base) / ("dldoctor-bench-%d" % os.getpid())
        try:
            group.mkdir(exist_ok=True)
            for pid in [sshd.proc.pid] + sshd._ours():  # its sessions and the control masters
                try:
                    (group / "cgroup.procs").write_text(str(pid))
                except ProcessLookupError:
                    pass  # ended meanwhile
            before = _usage(group, name, unit)
            proc = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                    preexec_fn=lambda: (group / "cgroup.procs").write_text(str(os.getpid())))
            proc.wait()
            return _usage(group, name, unit) - before
        except (OSError, KeyError, ValueError):
            continue
    return None


RUNTIME = {"runtimes": {"nvidia": {"path": "/usr/bin/nvidia-container-runtime", "runtimeArgs": []}}}
TARGET = 2.0


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--hosts", type=int, default=20)
    ap.add_argument("--out")
    args = ap.parse_args()
    why = missing()
    if why or not shutil.which("hyperfine"):
        print("scripts/bench --fleet: needs %s" % ", ".join(why + ([] if shutil.which("hyperfine") else ["hyperfine"])),
              file=sys.stderr)
        return 2
    work = Path(tempfile.mkdtemp(prefix="dldoctor-bench-fleet."))
    the_lab = sshd = None
    try:
        print("=== building dldoctor.pyz", flush=True)
        pyz = build(work / "dldoctor.pyz")
        print("=== starting the lab host and sshd", flush=True)
        the_lab = lablib.Lab()
        for src, name in ((the_lab.hookbin / "nvidia-container-runtime-hook", "nvidia-container-runtime-hook"),
                          (the_lab.bin / "nvidia-container-runtime", "nvidia-container-runtime")):
            shutil.copy2(str(src), str(the_lab.root / "usr" / "bin" / name))
        the_lab.write_daemon_json(RUNTIME)
        the_lab.start_dockerd(hook=True)
        sshd = Sshd()
        lenv = the_lab.env()
        hostvars = sshd.host_vars(ansible_python_interpreter="/usr/bin/python3" if os.access("/usr/bin/python3", os.X_OK) else sys.executable,
                                  dldoctor_args="--no-probe --root %s" % the_lab.root,
                                  dldoctor_env={k: lenv[k] for k in ("DOCKER_HOST", "DOCKER_CONFIG", "PATH")})
        invs = {}
        for n in (1, args.hosts):
            invs[n] = write_inventory(work / ("hosts%d.yml" % n), {"gpu%02d" % i: hostvars for i in range(1, n + 1)})
        env = fleet_env(work, sshd, DLDOCTOR_PYZ=str(pyz))
        cmd = "%s -m dldoctor fleet check -i %%s" % sys.executable
        for n, inv in invs.items():  # each must pass, or the timing means nothing
            res = subprocess.run((cmd % inv).split(), env=env, capture_output=True, text=True)
            if res.returncode != 0:
                print("fleet check over %d hosts failed:\n%s%s" % (n, res.stdout, res.stderr), file=sys.stderr)
                return 2
        export = work / "fleet.json"
        load = os.getloadavg()
        print("=== hyperfine: 1 host vs %d hosts (load average %.1f %.1f %.1f, %d CPUs)"
              % ((args.hosts,) + tuple(load) + (os.cpu_count() or 0,)), flush=True)
        subprocess.run(["hyperfine", "--style", "basic", "--warmup", "1", "--runs", str(args.runs),
                        "--export-json", str(export), "-n", "1 host", cmd % invs[1],
                        "-n", "%d hosts" % args.hosts, cmd % invs[args.hosts]], env=env, check=True)
        results = json.loads(export.read_text())["results"]
        one, many = (r["median"] for r in results)
        ratio = many / one
        print("\nfleet check: 1 host %.2f s, %d hosts %.2f s (medians), ratio %.2f (target < %.1f): %s"
              % (one, args.hosts, many, ratio, TARGET, "ok" if ratio < TARGET else "MISSED"))
        cpu = {}
        for n, inv in invs.items():
            got = [cpu_seconds((cmd % inv).split(), env, sshd) for _ in range(3)]
            if None not in got:
                cpu[n] = sorted(got)[1]
        if len(cpu) == 2:
            per_host = (cpu[args.hosts] - cpu[1]) / (args.hosts - 1)
            print("CPU time (controller and targets, median of 3): 1 host %.2f s, %d hosts %.2f s; "
                  "each host adds %.2f s" % (cpu[1], args.hosts, cpu[args.hosts], per_host))
        else:
            print("CPU time: not measured (no writable cgroup here)")
        print("load average after: %.1f %.1f %.1f" % os.getloadavg())
        if args.out:
            os.makedirs(args.out, exist_ok=True)
            shutil.copy2(str(export), os.path.join(args.out, "fleet.json"))
        return 0 if ratio < TARGET else 1
    finally:
        if sshd is not None:
            sshd.stop()
        for base, _name, _unit in CGROUPS:  # empty once sshd and its sessions are gone
            try:
                os.rmdir(os.path.join(base, "dldoctor-bench-%d" % os.getpid()))
            except OSError:
                pass
        if the_lab is not None:
            the_lab.cleanup()
        shutil.rmtree(str(work), ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
