"""The real dockerd as the oracle for daemon.json: start it on one input, say "start" or "refuse".

Each run uses one tests/lab.py Lab (private data/exec root, pidfile, its own mount namespace with
/etc and /run overlaid). The lab's own flags (-H, --iptables=false, --bridge=none) are left out
where the input sets that key itself, because dockerd would then refuse on the conflict and not on
the input. "refuse" = dockerd exited within the wait; "start" = it logged that the API listens
(or was still running when the wait ended). Run as a script to refresh the cached verdicts:

    python tests/conformance/oracle.py tests/data/moby_daemon_json_cases.json OUT.json
"""
import base64
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Tuple

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import lab as lablib  # noqa: E402

READY = ("API listen on", "Daemon has completed initialization")


def case_bytes(case: Dict[str, Any]) -> bytes:
    if "input_base64" in case:
        return base64.b64decode(case["input_base64"])
    return case["input"].encode("utf-8")


def _file_keys(data: bytes) -> List[str]:
    try:
        obj = json.loads(data.decode("utf-8-sig"))
    except (ValueError, UnicodeDecodeError):
        return []
    if not isinstance(obj, dict):
        return []
    keys = list(obj)
    for v in obj.values():
        if isinstance(v, dict):
            keys += list(v)
    return keys


def _argv(lab: "lablib.Lab", data: bytes, flags: Sequence[str]) -> List[str]:
    keys = set(_file_keys(data))
    argv = [str(lab.bin / "dockerd"), "--config-file", str(lab.daemon_json),
            "--data-root", str(lab.data_root), "--exec-root", str(lab.exec_root),
            "--pidfile", str(lab.pidfile)]
    if "hosts" not in keys and "host" not in keys and "H" not in keys:
        argv += ["-H", lab.docker_host]
    if "iptables" not in keys:
        argv.append("--iptables=false")
    if "bridge" not in keys and "b" not in keys:
        argv.append("--bridge=none")
    # Never let a case's flag point dockerd at the host's own socket.
    return argv + [lab.docker_host if f == "unix:///var/run/docker.sock" else f for f in flags]


def run_case(lab: "lablib.Lab", case: Dict[str, Any], wait: float = 25.0) -> Tuple[str, str]:
    """(verdict, the last lines dockerd logged)."""
    data = case_bytes(case)
    lab.write_daemon_json(data)
    argv = lab._overlay_argv() + _argv(lab, data, case.get("flags", ()))
    log = lab.base / "oracle.log"
    with open(str(log), "wb") as out:
        proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
                                env=lab.dockerd_env(False), start_new_session=True, close_fds=True)
    verdict: Optional[str] = None
    deadline = time.monotonic() + wait
    while verdict is None:
        text = log.read_text(errors="replace")
        if proc.poll() is not None:
            verdict = "refuse" if proc.returncode != 0 or not any(r in text for r in READY) else "start"
        elif any(r in text for r in READY) or time.monotonic() > deadline:
            verdict = "start"
        else:
            time.sleep(0.1)
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(10)
    text = log.read_text(errors="replace")
    tail = [l for l in text.splitlines() if "level=error" in l or "level=fatal" in l or
            l.startswith(("unable to", "failed", "Status:", "invalid"))]
    return verdict, "\n".join(tail[-3:])[-600:]


def dockerd_version() -> str:
    out = subprocess.run(["dockerd", "--version"], capture_output=True, text=True).stdout
    return out.split("version", 1)[-1].split(",")[0].strip()


def main(argv: List[str]) -> int:
    cases = json.loads(Path(argv[1]).read_text())
    results = []
    with lablib.Lab() as lab:
        for i, case in enumerate(cases):
            verdict, why = run_case(lab, case)
            results.append({"index": i, "verdict": verdict, "log": why})
            print(i, verdict, why.splitlines()[-1][:160] if why else "", flush=True)
    Path(argv[2]).write_text(json.dumps({"dockerd": dockerd_version(), "results": results},
                                        indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
