"""Real hosts (tests/data/hosts): replaying the snapshot dldoctor took on a machine gives the report
it printed there, live; and what a real NVIDIA H200 host shows reads as a working driver."""
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest


HOSTS = Path(__file__).resolve().parents[1] / "data" / "hosts"
H200 = HOSTS / "h200-vm-ubuntu24.04"


def check_json(snapshot: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("DOCKER_HOST", "LANGUAGE", "LC_ALL")}
    env["LANG"] = "C.UTF-8"
    res = subprocess.run([sys.executable, "-m", "dldoctor", "check", "--snapshot", str(snapshot), "--json"],
                         capture_output=True, text=True, env=env, timeout=60)
    assert res.returncode in (0, 1) and "Traceback" not in res.stderr, res.stderr
    return json.loads(res.stdout)


def triples(report: dict) -> list:
    return [(f["check"], f["status"], f["problem"]) for f in report["findings"]]


@pytest.mark.parametrize("host", sorted(p.name for p in HOSTS.iterdir() if (p / "snapshot").is_dir()))
def test_replaying_a_real_hosts_snapshot_gives_the_report_it_gave_live(host):
    live = json.loads((HOSTS / host / "check-live.json").read_text(encoding="utf-8"))
    replay = check_json(HOSTS / host / "snapshot")
    assert triples(replay) == triples(live)
    assert replay["root_causes"] == live["root_causes"]


def test_a_real_h200_with_the_open_module_reads_as_a_working_driver():
    report = check_json(H200 / "snapshot")
    by_check = {f["check"]: f for f in report["findings"]}
    driver, gpu, modules = by_check["nvidia-driver"], by_check["gpu"], by_check["kernel-modules"]
    assert (driver["status"], gpu["status"], modules["status"]) == ("ok", "ok", "ok")
    assert "580.159.04" in driver["title"] and "13.0" in driver["title"]
    assert "NVIDIA H200" in gpu["title"]
    # the machine has no Docker: that, then the toolkit, is what stands between it and a container
    assert report["root_causes"] == ["docker.missing", "toolkit.missing"]


def _rows(text: str) -> list:
    """(glyph, check, problem) of each finding row of the human table."""
    import re

    rows = re.findall(r"^  (\S) (\S+) +.*?(?:  \[([\w.-]+)\])?$", text, re.M)
    return [r for r in rows if r[0] in "✓✗!–"]


def test_the_chinese_table_replayed_is_the_one_the_h200_host_printed():
    live = (H200 / "check-live-zh.txt").read_text(encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k not in ("DOCKER_HOST", "LANGUAGE", "LC_ALL")}
    res = subprocess.run([sys.executable, "-m", "dldoctor", "check", "--snapshot", str(H200 / "snapshot"),
                          "--lang", "zh_CN"], capture_output=True, text=True, env=env, timeout=60)
    assert res.returncode == 1 and "Traceback" not in res.stderr, res.stderr
    assert _rows(res.stdout) == _rows(live) and len(_rows(live)) == 12
    for line in ("1 块 NVIDIA GPU：NVIDIA H200", "NVIDIA 驱动 580.159.04（最高支持 CUDA 13.0）", "未安装 Docker  [docker.missing]"):
        assert line in live and line in res.stdout
