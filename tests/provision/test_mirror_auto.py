"""`fix --mirror auto` and `--no-probe` with dead and known-closed mirrors, end to end on a --root
under tmp_path, with real HTTP servers on 127.0.0.1 and every public candidate unreachable (a
campus network, an offline host): a live configured mirror is kept and the dead ones go, the block
that remains says what is true, and what is known closed goes without any network."""
from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from mirror_server import mirror

REPO = Path(__file__).resolve().parents[2]
CLOSED = ["https://docker.mirrors.ustc.edu.cn", "https://hub-mirror.c.163.com",
          "https://registry.docker-cn.com"]
AUTO_SILENT = ("--mirror auto: none of the public Docker Hub mirror candidates answers from here, "
               "so none is added (`dldoctor mirrors` shows why).")


@pytest.fixture
def root(tmp_path):
    d = tmp_path / "root"
    (d / "etc/docker").mkdir(parents=True)
    (d / "etc/os-release").write_text((REPO / "tests/data/fixtures/os-release/debian-12").read_text())
    return str(d)


def daemon_json(root, data):
    Path(root, "etc/docker/daemon.json").write_text(json.dumps(data, indent=2) + "\n")


def fix(root, *args):
    """`fix --dry-run --only daemon-json --json` with no network but 127.0.0.1: (exit, the plan)."""
    env = dict(os.environ, DOCKER_HOST="unix:///nonexistent/docker.sock", DLDOCTOR_LANG="C",
               HTTPS_PROXY="http://127.0.0.1:9", HTTP_PROXY="http://127.0.0.1:9",
               https_proxy="http://127.0.0.1:9", http_proxy="http://127.0.0.1:9",
               NO_PROXY="127.0.0.1", no_proxy="127.0.0.1", DLDOCTOR_HUB_URL="http://127.0.0.1:9")
    r = subprocess.run([sys.executable, "-m", "dldoctor", "fix", "--root", root, "--dry-run",
                        "--only", "daemon-json", "--json"] + list(args), env=env,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True,
                       stdin=subprocess.DEVNULL, timeout=120, cwd=str(REPO))
    assert "Traceback" not in r.stderr, r.stderr
    return r.returncode, json.loads(r.stdout)["plan"][0]


def mirrors_after(plan):
    """registry-mirrors as the plan would write them (None: the file does not change)."""
    if not plan["changes"]:
        return None
    diff = plan["changes"][0]["diff"]
    return json.loads("".join(l[1:] for l in diff.splitlines(True)
                              if l[:1] in " +" and not l.startswith("+++")))["registry-mirrors"]


def test_auto_with_no_candidate_answering_still_drops_the_dead_and_keeps_the_live(root):
    """It was blocked ("none of the registry mirrors works"), though the host's own mirror
    answers, and nothing was removed; plain `fix` did the right thing."""
    with mirror("live") as live, mirror("dead") as dead:
        daemon_json(root, {"registry-mirrors": CLOSED + [dead, live]})
        code, plan = fix(root, "--mirror", "auto")
    assert code == 0 and plan["blocked"] is None, plan
    assert mirrors_after(plan) == [live]
    assert AUTO_SILENT in plan["warnings"], plan["warnings"]
    assert any(w.startswith("registry mirror %s is removed: 404" % dead) for w in plan["warnings"])


def test_auto_with_nothing_configured_and_no_candidate_is_blocked_truthfully(root):
    daemon_json(root, {"log-level": "warn"})
    code, plan = fix(root, "--mirror", "auto")
    assert code == 1
    why = plan["blocked"]["why"]
    assert why.startswith("--mirror auto: none of the public Docker Hub mirror candidates answers "
                          "from here, so there is none to write:\n  https://docker.m.daocloud.io: "
                          "no answer"), why
    # --no-probe adds nothing for --mirror auto: not offered as the way out
    assert "--no-probe to write them anyway" not in plan["blocked"]["unblock"]


def test_auto_offline_keeps_a_mirror_it_cannot_judge_and_warns(root):
    daemon_json(root, {"registry-mirrors": ["https://mirror.internal.example"]})
    code, plan = fix(root, "--mirror", "auto")
    assert code == 0 and plan["blocked"] is None and plan["changes"] == [], plan
    assert AUTO_SILENT in plan["warnings"]


def test_no_probe_removes_the_mirrors_known_to_be_closed(root):
    """`--mirror auto --no-probe` said "nothing to do" and kept ustc, 163 and docker-cn."""
    with mirror("live") as live:
        daemon_json(root, {"registry-mirrors": CLOSED + [live]})
        code, plan = fix(root, "--mirror", "auto", "--no-probe")
        assert code == 0 and mirrors_after(plan) == [live], plan
        assert "registry mirror https://docker.mirrors.ustc.edu.cn is removed: USTC mirror, Docker " \
            "Hub cache closed 2024-06-06" in plan["warnings"], plan["warnings"]
        # --keep-mirrors keeps them, as it says
        code, plan = fix(root, "--mirror", "auto", "--no-probe", "--keep-mirrors")
        assert code == 0 and plan["changes"] == [], plan


def test_registry_mirror_no_probe_replaces_the_closed_ones_instead_of_joining_them(root):
    internal = "https://mirror.internal.example"
    daemon_json(root, {"registry-mirrors": CLOSED})
    code, plan = fix(root, "--registry-mirror", internal, "--no-probe")
    assert code == 0 and mirrors_after(plan) == [internal], plan
    # One known closed and asked for again: kept as asked, said so once, the others go.
    code, plan = fix(root, "--registry-mirror", CLOSED[0], "--no-probe")
    assert code == 0 and mirrors_after(plan) == [CLOSED[0]], plan
    ustc = [w for w in plan["warnings"] if w.startswith(CLOSED[0])]
    assert ustc == ["%s is kept as asked (daemon.json already lists it), but it is known to be "
                    "closed: USTC mirror, Docker Hub cache closed 2024-06-06" % CLOSED[0]], plan
    assert not any("written" in n for n in plan["notes"]), plan["notes"]
    # Nothing else to change: "nothing to do" and a warning that it was written do not meet.
    daemon_json(root, {"registry-mirrors": CLOSED[:1]})
    code, plan = fix(root, "--registry-mirror", CLOSED[0], "--no-probe")
    assert code == 0 and plan["changes"] == [], plan
    assert not any("written as asked" in w for w in plan["warnings"]), plan["warnings"]


def test_a_configured_mirror_asked_for_that_hangs_is_named_in_the_block(root):
    """It said "no public candidate answers", of a --registry-mirror URL that timed out."""
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(8)            # the kernel completes the handshake; nobody ever answers
    hung = "http://127.0.0.1:%d" % silent.getsockname()[1]
    try:
        with mirror("live") as live:
            daemon_json(root, {"registry-mirrors": [live, hung]})
            code, plan = fix(root, "--registry-mirror", hung, "--timeout", "1")
    finally:
        silent.close()
    assert code == 1
    why = plan["blocked"]["why"]
    assert why.startswith("none of the registry mirrors asked for works, so none is written:\n"
                          "  %s: no answer: timed out" % hung), why
    assert "these mirrors in daemon.json answer: %s" % live in why
    assert "public candidate" not in why


@pytest.mark.parametrize("args", [["--no-probe"], ["--mirror", "auto"], ["--mirror", "auto", "--no-probe"]])
def test_a_mirror_no_url_parser_reads_is_no_internal_error(root, args):
    """`https://[::1` made urlsplit raise in the known-closed lookup and in the mirror comparison:
    "internal error: ValueError('Invalid IPv6 URL')" where dockerd's refusal should be named."""
    daemon_json(root, {"registry-mirrors": ["https://[::1", "http://[zz]/", CLOSED[0]]})
    code, plan = fix(root, *args)
    said = " ".join(plan["warnings"] + plan["notes"])
    assert code in (0, 1) and "https://[::1" in said, plan
