"""`dldoctor fleet merge` of saved `check --json` reports, the shape of `dldoctor.fleet/1`, and the
usage errors of the fleet commands (no ansible, no inventory, no single file): exit 2 with a
sentence that says what to do."""
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
CASES = REPO / "tests" / "data" / "cases"


def dldoctor(*args, env=None):
    e = dict(os.environ)
    e.update(env or {})
    return subprocess.run([sys.executable, "-m", "dldoctor", *map(str, args)], capture_output=True,
                          text=True, env=e, timeout=120, stdin=subprocess.DEVNULL)


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    """Reports as a cron job would save them: gpu01/gpu02/gpu03 share a cause, gpu04 passes."""
    d = tmp_path_factory.mktemp("reports")
    for host, case in (("gpu01", "dev-018"), ("gpu02", "dev-011"), ("gpu03", "dev-018"), ("gpu05", "dev-018")):
        res = dldoctor("check", "--snapshot", CASES / case, "--json")
        assert res.returncode == 1, res.stderr
        (d / ("%s.json" % host)).write_text(res.stdout)
    passing = json.loads((d / "gpu02.json").read_text())
    for f in passing["findings"]:
        if f["status"] in ("fail", "warn"):
            f.update(status="ok", problem=None, fix=None)
    passing["root_causes"] = []
    (d / "gpu04.json").write_text(json.dumps(passing))
    return d


def test_merge_ranks_causes_by_host_count(saved):
    res = dldoctor("fleet", "merge", "--json", *sorted(saved.glob("*.json")))
    assert res.returncode == 1, res.stderr
    fleet = json.loads(res.stdout)
    assert fleet["schema"] == "dldoctor.fleet/1" and fleet["dldoctor_version"]
    assert list(fleet["hosts"]) == ["gpu01", "gpu02", "gpu03", "gpu04", "gpu05"]
    assert {n: e["status"] for n, e in fleet["hosts"].items()} == {
        "gpu01": "failing", "gpu02": "failing", "gpu03": "failing", "gpu04": "ok", "gpu05": "failing"}
    assert all(e["error"] is None and e["report"]["schema"] == "dldoctor.report/1" for e in fleet["hosts"].values())
    s = fleet["summary"]
    assert (s["hosts"], s["failing"], s["unreachable"]) == (5, 4, 0)
    causes = list(s["causes"].items())
    assert causes[0] == ("toolkit.daemon-not-restarted", ["gpu01", "gpu03", "gpu05"])
    assert causes[1][1] == ["gpu02"] and causes[1][0] == "mirror.dead"
    # the word model's guesses after the rules' answer are no fleet-wide cause
    guesses = {f["problem"] for e in fleet["hosts"].values() for f in e["report"]["findings"] if f.get("guess")}
    assert not guesses & set(s["causes"])


def test_a_guess_counts_only_where_the_rules_found_nothing():
    from dldoctor.fleet.report import host_causes

    def fail(pid, guess=False):
        return dict({"status": "fail", "problem": pid}, **({"guess": True} if guess else {}))
    answered = {"findings": [fail("toolkit.missing"), fail("os.selinux", True)],
                "root_causes": ["toolkit.missing", "os.selinux"]}
    assert host_causes(answered) == ["toolkit.missing"]
    guessed_only = {"findings": [fail("os.selinux", True)], "root_causes": ["os.selinux"]}
    assert host_causes(guessed_only) == ["os.selinux"]
    # a cause the rules found as well as the model is no guess
    both = {"findings": [fail("os.selinux", True), fail("os.selinux")], "root_causes": ["os.selinux"]}
    assert host_causes(both) == ["os.selinux"]
    assert host_causes(None) == [] and host_causes({"root_causes": [3, "x"]}) == ["x"]


def test_a_host_report_of_huge_or_countless_causes_is_bounded():
    """A host's answer is untrusted: a 5 MB "problem ID" and 16000 of them took the merge 17 s
    and 25 MB of output. An ID is a short name, and a report names a few."""
    import time

    from dldoctor.fleet.report import MAX_CAUSES, host_causes, merge, render_lines

    report = {"schema": "dldoctor.report/1", "findings": [],
              "root_causes": ["x" * 5_000_000, "toolkit.missing"] + ["c%d" % i for i in range(16000)]}
    causes = host_causes(report)
    assert causes[0] == "toolkit.missing" and len(causes) == MAX_CAUSES
    start = time.monotonic()
    lines = render_lines(merge({"gpu01": {"status": "failing", "report": report, "error": None}}))
    assert time.monotonic() - start < 2 and sum(len(t) for _s, t in lines) < 20_000


def test_merge_human_output(saved):
    res = dldoctor("fleet", "merge", *sorted(saved.glob("*.json")))
    assert res.returncode == 1
    lines = res.stdout.splitlines()
    assert lines[:5] == ["! gpu01: toolkit.daemon-not-restarted", "! gpu02: mirror.dead",
                         "! gpu03: toolkit.daemon-not-restarted", "✓ gpu04: all checks pass",
                         "! gpu05: toolkit.daemon-not-restarted"]
    i = lines.index("toolkit.daemon-not-restarted on 3 of 5 hosts: gpu01, gpu03, gpu05")
    assert lines[i + 2] == "    fix: sudo systemctl restart docker"
    assert lines.index("mirror.dead on 1 of 5 hosts: gpu02") > i
    assert lines[-1] == "1 of 5 hosts pass, 4 failing, 0 unreachable"
    zh = dldoctor("fleet", "merge", *sorted(saved.glob("*.json")), env={"DLDOCTOR_LANG": "zh_CN"})
    assert "toolkit.daemon-not-restarted 出现在 5 台主机中的 3 台：gpu01, gpu03, gpu05" in zh.stdout


def test_merge_of_passing_hosts_is_exit_0(saved):
    res = dldoctor("fleet", "merge", saved / "gpu04.json")
    assert res.returncode == 0 and res.stdout.splitlines()[-1] == "1 of 1 hosts pass, 0 failing, 0 unreachable"


def test_merge_bad_inputs_are_exit_2(saved, tmp_path):
    garbage = tmp_path / "gpu09.json"
    garbage.write_text("not json at all")
    other = tmp_path / "gpu01.json"
    other.write_text((saved / "gpu01.json").read_text())
    for args, words in (([tmp_path / "nope.json"], "cannot read"),
                        ([garbage], "is not a dldoctor report"),
                        ([saved / "gpu01.json", other], "two reports for the host gpu01"),
                        ([], "Missing argument")):
        res = dldoctor("fleet", "merge", *args)
        assert res.returncode == 2, (args, res.stdout, res.stderr)
        assert words in res.stderr and "Traceback" not in res.stderr


def test_check_usage_errors_are_exit_2(tmp_path):
    inv = tmp_path / "hosts.ini"
    inv.write_text("gpu01 ansible_host=127.0.0.1\n")
    pyz = tmp_path / "dldoctor.pyz"
    pyz.write_bytes(b"PK")
    cases = [
        (["fleet", "check", "-i", tmp_path / "missing.ini", "--pyz", pyz], {}, "cannot read the inventory"),
        (["fleet", "check", "-i", inv], {"DLDOCTOR_PYZ": ""}, "build it with scripts/zipapp"),
        (["fleet", "check", "-i", inv, "--pyz", tmp_path / "none.pyz"], {}, "build it with scripts/zipapp"),
        (["fleet", "check", "-i", inv, "--pyz", pyz, "--snapshot"], {}, "--snapshot needs --out"),
        (["fleet", "check", "-i", inv, "--pyz", pyz, "--forks", "0"], {}, "--forks must be"),
        (["fleet", "fix", "-i", inv, "--pyz", pyz], {}, "give --dry-run"),
    ]
    for args, env, words in cases:
        res = dldoctor(*args, env=env)
        assert res.returncode == 2, (args, res.stdout, res.stderr)
        assert words in res.stderr and "Traceback" not in res.stderr, res.stderr


def test_no_ansible_names_the_install_command(tmp_path):
    """A control machine without ansible-playbook (none beside this Python, none on PATH)."""
    inv = tmp_path / "hosts.ini"
    inv.write_text("gpu01\n")
    pyz = tmp_path / "dldoctor.pyz"
    pyz.write_bytes(b"PK")
    code = ("import sys; sys.executable = '/nonexistent/bin/python'; "
            "from dldoctor.main import main; main(sys.argv[1:])")
    res = subprocess.run([sys.executable, "-c", code, "fleet", "check", "-i", str(inv), "--pyz", str(pyz)],
                         capture_output=True, text=True, timeout=60,
                         env=dict(os.environ, PATH="/nonexistent", DLDOCTOR_LANG="C"))
    assert res.returncode == 2, res.stderr
    assert "ansible-playbook not found" in res.stderr
    assert "pip install 'dldoctor[fleet]'" in res.stderr


def test_remote_text_is_made_safe_for_a_terminal():
    from dldoctor.fleet import report

    entry = report.from_check(2, "", "dldoctor: bad \x1b[31mthing\x1b[0m\nShared connection to 127.0.0.1 closed.\r\n")
    assert entry["status"] == "error" and entry["report"] is None
    assert "Shared connection" not in entry["error"]
    fleet = report.merge({"gpu01": entry})
    lines = [t for _s, t in report.render_lines(fleet)]
    assert lines[0] == "✗ gpu01: error: dldoctor: bad \\x1b[31mthing\\x1b[0m"
    assert report.exit_code(fleet) == 1


ANSIBLE = os.path.join(os.path.dirname(sys.executable), "ansible-playbook")


@pytest.mark.skipif(not os.access(ANSIBLE, os.X_OK), reason="no ansible-playbook in this venv")
def test_unparsable_inventory_or_no_matching_host_is_exit_2(tmp_path):
    """ansible-playbook itself refuses: its error, in one or two lines, and exit 2."""
    pyz = tmp_path / "dldoctor.pyz"
    pyz.write_bytes(b"PK")
    bad = tmp_path / "bad.yml"
    bad.write_text("all:\n  hosts: [unclosed\n")
    one = tmp_path / "one.yml"
    one.write_text("all:\n  hosts:\n    gpu01:\n")
    env = {"ANSIBLE_LOCAL_TEMP": str(tmp_path / "a"), "ANSIBLE_CONFIG": str(tmp_path / "none.cfg")}
    res = dldoctor("fleet", "check", "-i", bad, "--pyz", pyz, env=env)
    assert res.returncode == 2 and "No inventory was parsed" in res.stderr, res.stderr
    assert "YAML parsing failed" in res.stderr and len(res.stderr.splitlines()) <= 3
    res = dldoctor("fleet", "check", "-i", one, "--pyz", pyz, "--limit", "gpu99", env=env)
    assert res.returncode == 2 and "no hosts to target" in res.stderr, res.stderr


def test_merge_of_a_hostile_report_reaches_the_terminal_inert(tmp_path):
    """A saved report is remote text: BiDi overrides and C1 controls in it are shown escaped, in
    the human table and in --json alike."""
    report = {"schema": "dldoctor.report/1",
              "findings": [{"check": "x", "status": "fail", "problem": "toolkit.missing",
                            "title": "t\u202eevil\x9b31m", "detail": "d", "evidence": [], "fix": "f"}],
              "root_causes": ["toolkit.missing\u202e\u2066x"],
              "summary": {"ok": 0, "warn": 0, "fail": 1, "skip": 0}}
    path = tmp_path / "gpu01.json"
    path.write_text(json.dumps(report))
    for args in ([], ["--json"]):
        res = dldoctor("fleet", "merge", *args, path)
        assert res.returncode == 1, res.stderr
        for bad in ("\u202e", "\u2066", "\x9b"):
            assert bad not in res.stdout, (args, repr(bad))
        assert "\\u202e" in res.stdout, res.stdout
    data = json.loads(dldoctor("fleet", "merge", "--json", path).stdout)
    assert data["hosts"]["gpu01"]["report"]["findings"][0]["title"] == "t\u202eevil\x9b31m"


def test_the_bootstraps_own_lines_are_translated_on_the_controller(monkeypatch):
    """The target-side bootstrap has no catalog, so its two lines (a run stopped at
    --task-timeout, an interpreter that would not start) arrive in English; the controller puts
    them in its language when it composes the host's error."""
    import re

    import dldoctor.i18n as i18n
    from dldoctor.fleet import report

    boot = (Path(report.__file__).parent / "plugins" / "action" / "dldoctor_run.py").read_text()
    assert '"\\ndldoctor: stopped after %s s (--task-timeout)"' in boot   # what is matched below
    assert '"dldoctor: cannot start %s: %s\\n"' in boot
    for var in ("DLDOCTOR_LANG", "LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("DLDOCTOR_LANG", "zh_CN")
    i18n.reset()
    try:
        timed_out = report.from_check(None, '{"partial', "\ndldoctor: stopped after 300 s (--task-timeout)")
        no_python = report.from_check(127, "", "dldoctor: cannot start /usr/bin/python3: [Errno 2] "
                                               "No such file or directory: '/usr/bin/python3'\n")
    finally:
        monkeypatch.setenv("DLDOCTOR_LANG", "C")
        i18n.reset()
    cjk = re.compile(r"[\u4e00-\u9fff]")
    for entry, kept in ((timed_out, ["300", "--task-timeout"]),
                        (no_python, ["/usr/bin/python3", "No such file or directory"])):
        assert entry["status"] == "error"
        last = entry["error"].splitlines()[-1]
        assert cjk.search(last) and all(k in last for k in kept), last
        assert "stopped after" not in last and "cannot start" not in last, last
    # in English, the same lines as the target wrote them
    entry = report.from_check(None, "", "\ndldoctor: stopped after 300 s (--task-timeout)")
    assert entry["error"] == "dldoctor: stopped after 300 s (--task-timeout)"
