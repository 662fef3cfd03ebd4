"""Every command's help and every usage error, in English and in zh_CN, as a user sees them: the
help shows whole (nothing cut with "…", every option's help and the examples present), and in
zh_CN no English sentence leaks, neither dldoctor's nor click's/Typer's ("Usage:", "Options",
"Show this message and exit.", "No such option"...).

Commands are found on the app, so one registered later is covered without a change here.
"""
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

MATRIX = Path(__file__).resolve().parent / "help_matrix.py"
CASE = str(Path(__file__).resolve().parents[1] / "data" / "cases" / "dev-018")
LANG_VARS = ("DLDOCTOR_LANG", "LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")

BOX = re.compile(r"[│╭╮╰╯─━┃]")
# Not sentences: products, commands and code that stay as they are in any language.
KEEP = re.compile(r"NVIDIA Container Toolkit|Docker Hub|Docker Desktop|Docker CE|docker run --gpus all|"
                  r"nvidia/cuda|`[^`]*`|'[^']*'|\"[^\"]*\"|https?://\S+|<[^>]*>")
CODE = re.compile(r"(?:^|\s)(?:--?[A-Za-z][\w-]*|[A-Z][A-Z_]{1,}\b|[\w.-]*[/.][\w./-]+)")
ENGLISH = re.compile(r"\b[A-Za-z][a-z']+(?:[ ,]+[A-Za-z][a-z']*){2,}")


def english_sentences(text):
    """Runs of three or more English words, outside commands, options, metavars and code."""
    found = []
    for line in BOX.sub(" ", text).splitlines():
        body = re.sub(r"^(Usage:|用法：)\s*", "", line.strip())  # the usage line is a command
        if re.match(r"(sudo )?dldoctor\b|docker run\b|\S*\[\[gpu\]\]", body):
            body = body.split("#", 1)[1] if "#" in body else ""  # an example: its comment only
        body = CODE.sub(" ", KEEP.sub(" ", body))
        found.extend(m.group(0) for m in ENGLISH.finditer(body))
    return found


def squash(text):
    return re.sub(r"\s+", "", BOX.sub("", text))


def matrix(lang, columns=80):
    env = {k: v for k, v in os.environ.items() if k not in LANG_VARS}
    env.update(DLDOCTOR_LANG=lang, COLUMNS=str(columns), TERMINAL_WIDTH=str(columns), NO_COLOR="1")
    res = subprocess.run([sys.executable, str(MATRIX)], capture_output=True, text=True, env=env,
                         timeout=300)
    assert res.returncode == 0, res.stderr
    return json.loads(res.stdout)


@pytest.fixture(scope="module", params=["en", "zh_CN"])
def cases(request):
    return request.param, matrix(request.param)


def test_every_command_has_help_with_examples(cases):
    lang, results = cases
    helps = [c for c in results if c["kind"] == "help"]
    assert len({tuple(c["command"]) for c in helps}) >= 8  # the app and every command
    for c in helps:
        assert c["exit"] == 0, (c["argv"], c["output"])
        assert ("Examples:" if lang == "en" else "示例：") in c["output"], c["argv"]
        assert "dldoctor" in c["output"].split("Examples:" if lang == "en" else "示例：")[1]


def test_help_is_never_cut(cases):
    lang, results = cases
    for c in results:
        if c["kind"] != "help":
            continue
        assert "…" not in c["output"], (c["argv"], c["output"])
        shown = squash(c["output"])
        for text in c["expected"]:
            assert squash(text) in shown, (c["argv"], text)


def test_every_usage_error_is_exit_2_with_its_message(cases):
    lang, results = cases
    kinds = {c["kind"] for c in results}
    assert {"error:bad-option", "error:bad-value", "error:missing-argument",
            "error:option-needs-value", "error:no-such-command"} <= kinds
    words = {
        "en": {"error:bad-option": "No such option", "error:bad-value": "Invalid value",
               "error:missing-argument": "Missing argument", "error:option-needs-value": "requires an argument",
               "error:no-such-command": "No such command", "error:missing-option": "Missing option"},
        "zh_CN": {"error:bad-option": "没有这个选项", "error:bad-value": "的值无效",
                  "error:missing-argument": "缺少参数", "error:option-needs-value": "需要一个值",
                  "error:no-such-command": "没有这个命令", "error:missing-option": "缺少选项"},
    }[lang]
    for c in results:
        if not c["kind"].startswith("error:"):
            continue
        assert c["exit"] == 2, (c["argv"], c["output"])
        assert "Traceback" not in c["output"]
        assert words[c["kind"]] in c["output"], (c["argv"], c["output"])
        if c["kind"] != "error:option-needs-value":  # click raises that one without its usage
            assert ("Usage:" if lang == "en" else "用法：") in c["output"]


def test_every_command_lists_lang_and_says_where_the_default_comes_from(cases):
    """--lang works on any command line (main.take_lang); each command's help says so, and the
    default is named as dldoctor.i18n.language() reads it."""
    lang, results = cases
    helps = [c for c in results if c["kind"] == "help" and c["argv"][-1] == "-h"]
    assert [c["argv"] for c in helps if "--lang" not in c["output"]] == []
    if lang == "en":
        text = re.sub(r"\s+", " ", BOX.sub(" ", helps[0]["output"]))
        assert "default: DLDOCTOR_LANG, then LANGUAGE, LC_ALL, LC_MESSAGES, LANG" in text, text


def test_zh_cn_has_no_english_sentence(cases):
    lang, results = cases
    leaks = {}
    for c in results:
        found = english_sentences(c["output"])
        if found:
            leaks[" ".join(c["argv"])] = found
    if lang == "en":
        # the detector sees English where there is English (else this test could never fail)
        assert len(leaks) == len(results), sorted(set(" ".join(c["argv"]) for c in results) - set(leaks))
    else:
        assert leaks == {}


def run(*args, env=None):
    e = {k: v for k, v in os.environ.items() if k not in LANG_VARS}
    e.pop("DOCKER_HOST", None)
    e.update(env or {})
    return subprocess.run([sys.executable, "-m", "dldoctor", *args], capture_output=True, text=True,
                          env=e, timeout=60)


def test_dash_h_at_the_top_and_for_fix():
    for args in (["-h"], ["fix", "-h"]):
        res = run(*args)
        assert res.returncode == 0, res.stderr
        assert "Examples:" in res.stdout and "No such option" not in res.stderr


@pytest.mark.parametrize("where", ["before", "after"])
def test_lang_option_outranks_the_environment(where):
    args = ["check", "--snapshot", CASE]
    args = (["--lang", "zh_CN"] + args) if where == "before" else (args + ["--lang=zh_CN"])
    res = run(*args, env={"LANG": "en_US.UTF-8"})
    assert res.returncode == 1, res.stderr
    assert "请先修复" in res.stdout and "下一步" in res.stdout
    res = run("--lang", "en", "fix", "-h", env={"DLDOCTOR_LANG": "zh_CN"})
    assert res.returncode == 0 and "Usage:" in res.stdout and "用法" not in res.stdout


def test_unknown_lang_is_a_usage_error():
    res = run("--lang", "fr", "check")
    assert res.returncode == 2 and "zh_CN" in res.stderr and "Traceback" not in res.stderr
    res = run("check", "--lang")
    assert res.returncode == 2


def test_zh_cn_command_line_errors_through_the_entry_point():
    """The real entry point (fast check path and Typer) in zh_CN: errors in Chinese, exit 2."""
    for args in (["check", "--bogus"], ["check", "--timeout", "soon"], ["snapshot"], ["nope"],
                 ["check", "--only", "no-such-check"]):
        res = run(*args, env={"DLDOCTOR_LANG": "zh_CN"})
        assert res.returncode == 2, (args, res.stderr)
        assert not english_sentences(res.stderr), (args, res.stderr)


def test_zh_cn_fix_help_through_the_entry_point():
    res = run("fix", "-h", env={"DLDOCTOR_LANG": "zh_CN", "COLUMNS": "80"})
    assert res.returncode == 0, res.stderr
    assert "用法：" in res.stdout and "示例：" in res.stdout and "显示本帮助并退出" in res.stdout
    assert "…" not in res.stdout
    assert english_sentences(res.stdout) == []


TOKEN = re.compile(r"[A-Za-z0-9][\w./<>-]*[A-Za-z0-9>]")


@pytest.mark.parametrize("columns", [60, 72, 80, 100, 120])
def test_zh_cn_help_never_breaks_a_name(columns):
    """Rich wraps at spaces only, and folds a word longer than its cell anywhere (cli/i18n.py lets
    it fold rather than cut a sentence with "…"). A Chinese sentence has no spaces, so a name
    glued into one ("：daemon-json、apt-repos、packages…") was cut mid-word at the cell's edge
    ("packa" / "ges"). Every name of a help text, a step, a preset, an option or a file, shows
    whole on one line at every width."""
    results = matrix("zh_CN", columns)
    broken = {}
    for c in results:
        if c["kind"] != "help":
            continue
        lines = [line.strip() for line in BOX.sub(" ", c["output"]).splitlines()]
        tokens = {t for text in c["expected"] for t in TOKEN.findall(text) if len(t) > 2}
        for a, b in zip(lines, lines[1:]):
            for token in tokens:
                if any(a.endswith(token[:k]) and b.startswith(token[k:]) and
                       not re.search(r"[A-Za-z0-9_./<>-]$", a[:-k]) and
                       not re.match(r"[A-Za-z0-9_./<>-]", b[len(token) - k:])
                       for k in range(1, len(token))):
                    broken.setdefault(" ".join(c["argv"]), []).append("%s | %s" % (a[-20:], b[:20]))
    assert broken == {}, broken


def test_a_missing_arguments_name_is_kept_whole_in_chinese():
    """zh_CN read "Missing argument 'REPORT...'." as ending at the first dot: 'REPORT。..'."""
    res = run("fleet", "merge", env={"DLDOCTOR_LANG": "zh_CN"})
    assert res.returncode == 2
    assert "缺少参数 'REPORT...'。" in re.sub(r"[│\s]+", " ", res.stderr), res.stderr
