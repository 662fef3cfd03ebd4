"""Hostile input at the command line and in dldoctor's own files: usage errors that quote escape
sequences, a snapshot name that holds them, and JSON that is huge, nested too deeply or of the
wrong shape in a snapshot's meta.json, an undo journal or a `fleet merge` report.

What must hold (docs/security.md): no escape sequence reaches the terminal, in either build (the
venv's typer/click, and the single file's bundled typer 0.20 / click 8.1); no read is unbounded;
bad input is a clear message and exit 2, never an internal error (exit 1).
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from measure import measured  # tests/measure.py
from pyzlib import find_python, pyz  # noqa: F401  (pyz is a fixture)

HOSTILE = "\x1b]52;c;SGVsbG8=\x07\x1b[2J\x9b\u202e"
RAW = ("\x1b", "\x07", "\x9b", "\u202e")
DEEP = "[" * 100000 + "]" * 100000
OS_RELEASE = 'ID=ubuntu\nVERSION_ID="22.04"\n'
PEAK_MB = 300


def run(args, env=None, cwd=None, prefix=None):
    e = {k: v for k, v in os.environ.items()
         if k not in ("DOCKER_HOST", "LANGUAGE", "LC_ALL", "DLDOCTOR_DEBUG")}
    e.update({"LANG": "C", "DLDOCTOR_LANG": "C", "DOCKER_HOST": "unix:///nonexistent/docker.sock"},
             **(env or {}))
    cmd = (prefix or [sys.executable, "-m", "dldoctor"]) + list(args)
    return subprocess.run(cmd, capture_output=True, env=e, cwd=cwd, timeout=120)


def text_of(res) -> str:
    return (res.stdout + res.stderr).decode("utf-8")   # valid UTF-8 too


def assert_inert(text: str):
    for bad in RAW:
        assert bad not in text, (repr(bad), text)


# --- (5) usage errors quote what was typed -------------------------------------------------------

USAGE_ERRORS = [
    ["check", "--x" + HOSTILE],                               # No such option
    ["check", "x" + HOSTILE],                                 # unexpected extra argument
    ["explain", "--no-host", "a", "x" + HOSTILE, "y" + HOSTILE],  # `explain $(cat some.log)`
    ["docs", "x" + HOSTILE, "y" + HOSTILE],
    ["undo", "x" + HOSTILE],
    ["check", "--timeout", "x" + HOSTILE],                    # Invalid value
    ["x" + HOSTILE],                                          # No such command
]


@pytest.mark.parametrize("lang", ["C", "zh_CN"])
@pytest.mark.parametrize("args", USAGE_ERRORS, ids=lambda a: " ".join(a)[:20])
def test_usage_error_shows_escapes(args, lang):
    res = run(args, env={"DLDOCTOR_LANG": lang})
    text = text_of(res)
    assert res.returncode == 2, text
    assert_inert(text)
    assert "\\x1b" in text, text     # shown, not dropped


def test_usage_error_shows_undecodable_bytes_escaped():
    res = subprocess.run([sys.executable, "-m", "dldoctor", "check", b"x\xff"], capture_output=True,
                         timeout=60, env=dict(os.environ, LANG="C", DLDOCTOR_LANG="C"))
    assert res.returncode == 2 and "x\\xff" in text_of(res), text_of(res)


def test_single_file_usage_error_shows_escapes(pyz):  # noqa: F811  (the fixture)
    """The single file bundles another typer and click (0.20 / 8.1), which printed ESC raw."""
    python = find_python(8) or sys.executable
    for args in USAGE_ERRORS[:3]:
        res = run(args, prefix=[python, str(pyz)])
        text = text_of(res)
        assert res.returncode == 2, text
        assert_inert(text)
        assert "\\x1b" in text, text


# --- (6) and minor: snapshot OUT -----------------------------------------------------------------


@pytest.fixture
def root(tmp_path: Path) -> Path:
    r = tmp_path / "root"
    (r / "etc").mkdir(parents=True)
    (r / "etc/os-release").write_text(OS_RELEASE)
    return r


def test_snapshot_written_message_shows_escapes(tmp_path, root):
    name = "n" + HOSTILE + ".tar.gz"
    res = run(["snapshot", "--root", str(root), "--no-probe", "--timeout", "5", name],
              cwd=str(tmp_path))
    text = text_of(res)
    assert res.returncode == 0, text
    assert (tmp_path / name).is_file()
    assert_inert(text)
    assert "snapshot written to" in text and "\\u202e.tar.gz" in text, text


def test_snapshot_refuses_a_dangling_link(tmp_path, root):
    link = tmp_path / "dangling.tar.gz"
    os.symlink(str(tmp_path / "nowhere" / "x"), str(link))
    res = run(["snapshot", "--root", str(root), "--no-probe", "--timeout", "5", str(link)])
    assert res.returncode == 2 and "already exists; choose a new name" in text_of(res), text_of(res)
    assert os.readlink(str(link)) == str(tmp_path / "nowhere" / "x")   # still the same link


def test_snapshot_refuses_a_dangling_link_named_with_a_trailing_slash(tmp_path, root):
    """`name/` makes lstat follow the link: the link is still what is there."""
    link = tmp_path / "dangling.tar.gz"
    os.symlink(str(tmp_path / "nowhere"), str(link))
    res = run(["snapshot", "--root", str(root), "--no-probe", "--timeout", "5", str(link) + "/"])
    assert res.returncode == 2 and "already exists; choose a new name" in text_of(res), text_of(res)
    assert os.readlink(str(link)) == str(tmp_path / "nowhere")


def test_snapshot_empty_out_says_so(tmp_path, root):
    res = run(["snapshot", "--root", str(root), "--no-probe", "--timeout", "5", ""], cwd=str(tmp_path))
    text = text_of(res)
    assert res.returncode == 2 and "OUT is empty" in text and "already exists" not in text, text


# --- (7) (8) the undo journal ---------------------------------------------------------------------


@pytest.fixture
def journal(tmp_path: Path):
    """(root, the directory of one fix's journal) with a valid plan.json and no journal.jsonl."""
    r = tmp_path / "jroot"
    j = r / "var/lib/dldoctor/journal/20261201T000000-1"
    j.mkdir(parents=True)
    for d in (r / "var/lib/dldoctor", r / "var/lib/dldoctor/journal", j):
        d.chmod(0o700)
    (j / "plan.json").write_text(json.dumps({"steps": ["daemon-json"], "command": "dldoctor fix"}))
    return r, j


def undo_list(r: Path, *extra):
    return run(["undo", "--list", "--root", str(r)] + list(extra))


def assert_damaged(res, name: str):
    text = text_of(res)
    assert res.returncode == 2, text
    assert "internal error" not in text and "cannot read dldoctor's journal" in text, text
    assert name in text, text


def test_undo_list_reads_a_valid_journal(journal):
    r, j = journal
    (j / "journal.jsonl").write_text(
        json.dumps({"op": "write", "path": "/etc/docker/daemon.json", "backup": "files/0",
                    "sha256_before": "a" * 64, "sha256_after": "b" * 64, "mode": 420, "uid": 0,
                    "gid": 0, "step": "daemon-json"}) + "\n" +
        json.dumps({"op": "run", "argv": ["apt-get", "install", "x"], "undo": None, "step": "p"}) + "\n" +
        '{"op": "daemon", "act')                        # a torn last line is ignored
    res = undo_list(r, "--json")
    assert res.returncode == 0, text_of(res)
    (fix,) = json.loads(res.stdout)["fixes"]
    assert fix["files"] == ["/etc/docker/daemon.json"] and fix["commands"] == [["apt-get", "install", "x"]]


def test_undo_list_bounds_a_huge_journal(journal):
    """A sparse file with no newline was read whole as one line (3 GB: 6 GB of memory)."""
    r, j = journal
    with open(str(j / "journal.jsonl"), "wb") as f:
        f.truncate(256 * 1024 * 1024)
    m = measured(["undo", "--list", "--root", str(r)])
    assert m["rc"] == 2, m
    assert "larger than" in m["stderr"] and "journal.jsonl" in m["stderr"], m
    assert m["peak_mb"] < PEAK_MB, m


def test_undo_list_bounds_all_journals_together(journal):
    """Each file under its bound, one hard-linked 16 MiB file standing for many journals: 40 of
    them took 48 s and 2.7 GB."""
    r, j = journal
    big = r / "big.jsonl"
    with open(str(big), "wb") as f:
        f.truncate(15 * 1024 * 1024)
    for i in range(8):
        d = j.parent / ("20261201T0000%02d-2" % i)
        d.mkdir()
        d.chmod(0o700)
        os.link(str(big), str(d / "journal.jsonl"))
    m = measured(["undo", "--list", "--root", str(r)])
    assert m["rc"] == 2, m
    assert "MiB in all" in m["stderr"] and "move the oldest" in m["stderr"], m
    assert m["peak_mb"] < PEAK_MB, m


@pytest.mark.parametrize("name,content", [
    ("journal.jsonl", DEEP + "\n"),
    ("journal.jsonl", '1\n"x"\n{"op":"write"}\n{"op":"run"}\n'),      # not entries
    ("journal.jsonl", '{"op": "run", "argv": "rm -rf /", "undo": null}\n'),
    ("journal.jsonl", '{"op": "write", "path": "/x", "mode": "0644"}\n'),
    ("journal.jsonl", "not json\n{}\n"),
    ("plan.json", DEEP),
    ("plan.json", "5"),
    ("plan.json", '{"steps": 5}'),
    ("plan.json", '{"steps": ["a"], "started": [[1]]}'),
], ids=["deep-entry", "not-objects", "argv-string", "mode-string", "invalid-line", "deep-plan",
        "plan-number", "steps-number", "started-list"])
def test_undo_list_damaged_journal_is_a_clear_exit_2(journal, name, content):
    r, j = journal
    (j / name).write_text(content)
    assert_damaged(undo_list(r), name)
    res = undo_list(r, "--json")
    doc = json.loads(res.stdout)
    assert res.returncode == 2 and doc["exit_code"] == 2 and name in doc["error"], res.stdout


# --- (8) a snapshot's meta.json and `fleet merge` reports -----------------------------------------


@pytest.mark.parametrize("meta", [DEEP, "5", '{"sources": 5}', '{"sources": {"os-release": [1]}}'],
                         ids=["deep", "number", "sources-number", "source-list"])
def test_snapshot_meta_json_of_the_wrong_kind_is_a_clear_exit_2(tmp_path, meta):
    snap = tmp_path / "snap"
    snap.mkdir()
    (snap / "os-release").write_text(OS_RELEASE)
    (snap / "meta.json").write_text(meta)
    res = run(["check", "--snapshot", str(snap)])
    text = text_of(res)
    assert res.returncode == 2 and "internal error" not in text and "meta.json" in text, text


def test_snapshot_meta_json_sources_are_still_used(tmp_path):
    snap = tmp_path / "snap"
    snap.mkdir()
    (snap / "os-release").write_text(OS_RELEASE)
    (snap / "meta.json").write_text('{"sources": {"os-release": "/etc/os-release"}}')
    res = run(["check", "--snapshot", str(snap), "--json"])
    assert res.returncode in (0, 1), text_of(res)


@pytest.mark.parametrize("report", [
    DEEP,
    '{"schema": "dldoctor.report/1", "findings": [], "x": %s}' % ("[" * 900 + "]" * 900),
    "5",
], ids=["deep", "deep-within-the-parser", "number"])
def test_fleet_merge_bad_report_is_a_clear_exit_2(tmp_path, report):
    path = tmp_path / "host1.json"
    path.write_text(report)
    for extra in ([], ["--json"]):
        res = run(["fleet", "merge", str(path)] + extra)
        text = text_of(res)
        assert res.returncode == 2, text
        assert "internal error" not in text and "is not a dldoctor report" in text, text


# --- line breaks other than \n inside a value ----------------------------------------------------

def test_a_line_separator_in_daemon_json_cannot_forge_a_diff_line(tmp_path):
    """JSON strings may hold U+2028, U+0085 and \\r raw; str.splitlines() broke the plan there, so
    a label could print as a `+` line of its own (coloured green on a terminal) or a 'Dry run:
    nothing was changed.' line. Each stays in its line, escaped, and the diff ends once."""
    root = tmp_path / "root"
    (root / "etc" / "docker").mkdir(parents=True)
    (root / "etc" / "os-release").write_text(OS_RELEASE)
    runtime = root / "usr" / "bin" / "nvidia-container-runtime"
    runtime.parent.mkdir(parents=True)
    runtime.write_text("#!/bin/sh\n")
    runtime.chmod(0o755)
    forged = '+  "insecure-registries": ["0.0.0.0/0"],'
    (root / "etc" / "docker" / "daemon.json").write_text(json.dumps(
        {"labels": ["team=ml\u2028" + forged + "\x85Dry run: nothing was changed.\r- gone"],
         "x\nDry run: nothing was changed.\n- gone": 1},       # a \n escape in a key: a warning quotes it
        indent=2, ensure_ascii=False), encoding="utf-8")
    for extra in ([], ["--json"]):
        res = run(["fix", "--dry-run", "--root", str(root), "--only", "daemon-json",
                   "--default-runtime", "nvidia"] + extra)
        out = res.stdout.decode("utf-8")
        assert res.returncode == 0, (out, res.stderr)
        lines = out.splitlines() if not extra else json.loads(out)["plan"][0]["changes"][0]["diff"].split("\n")
        assert not [ln for ln in lines if ln.strip().startswith(('+  "insecure', "- gone"))], out
        assert sum(ln.strip().startswith("Dry run: nothing") for ln in lines) == (0 if extra else 1), out
        assert sum("No newline at end of file" in ln for ln in lines) <= 1, out
        assert_inert(out)
        assert "\\u2028" in out or "\\\\u2028" in out, out


def test_a_newline_in_a_daemon_json_key_stays_in_its_line_in_check(tmp_path):
    root = tmp_path / "root"
    (root / "etc" / "docker").mkdir(parents=True)
    (root / "etc" / "docker" / "daemon.json").write_text('{"x\\nDry run: nothing was changed.\\n+ fake": 1}')
    res = run(["check", "--root", str(root), "--no-probe"])
    out = res.stdout.decode("utf-8")
    assert res.returncode == 1, (out, res.stderr)
    assert "x\\nDry run" in out and not [ln for ln in out.splitlines()
                                          if ln.startswith(("Dry run", "+ fake"))], out
