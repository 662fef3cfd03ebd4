"""`dldoctor docs ID` prints a finding's page from the installed package; `dldoctor completion
SHELL` prints a script that really completes in bash, and the zsh/fish protocol answers."""
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def run(*args, env=None, **kw):
    e = dict(os.environ)
    e.update(env or {})
    return subprocess.run([sys.executable, "-m", "dldoctor", *args], capture_output=True, text=True,
                          env=e, timeout=60, **kw)


def test_every_catalog_id_has_its_page_installed():
    from dldoctor import catalog
    from dldoctor.cli.docs import page

    for pid in catalog.PROBLEMS:
        assert page(pid) == (REPO / "docs" / "findings" / ("%s.md" % pid)).read_text(), pid


def test_docs_prints_the_page():
    res = run("docs", "mirror.dead")
    assert res.returncode == 0, res.stderr
    assert res.stdout == (REPO / "docs" / "findings" / "mirror.dead.md").read_text()


def test_docs_without_id_lists_ids_with_titles():
    res = run("docs")
    assert res.returncode == 0
    line = [ln for ln in res.stdout.splitlines() if ln.startswith("toolkit.missing ")]
    assert line and "not installed" in line[0].lower()


@pytest.mark.parametrize("bad,hint", [("mirror.ded", "mirror.dead"), ("../../etc/passwd", "dldoctor docs"),
                                      ("nothing-like-it", "dldoctor docs")])
def test_unknown_id_is_exit_2_with_a_hint(bad, hint):
    res = run("docs", bad)
    assert res.returncode == 2
    assert hint in res.stderr and "Traceback" not in res.stderr and res.stdout == ""


def test_unknown_id_in_chinese():
    res = run("docs", "mirror.ded", env={"DLDOCTOR_LANG": "zh_CN"})
    assert res.returncode == 2 and "没有" in res.stderr and "mirror.dead" in res.stderr


@pytest.mark.skipif(shutil.which("bash") is None, reason="no bash")
def test_bash_completion_completes_commands_and_options():
    script = run("completion", "bash").stdout
    assert "_DLDOCTOR_COMPLETE" in script
    exe = Path(sys.executable).parent / "dldoctor"
    assert exe.exists(), "the venv's dldoctor entry point"
    prog = ('source /dev/stdin; COMP_WORDS=(dldoctor %s); COMP_CWORD=%d; _dldoctor_completion dldoctor; '
            'printf "%%s\\n" "${COMPREPLY[@]}"')
    env = dict(os.environ, PATH="%s:%s" % (exe.parent, os.environ["PATH"]))
    cmds = subprocess.run(["bash", "-c", prog % ("do", 1)], input=script, capture_output=True,
                          text=True, env=env, timeout=60)
    assert cmds.stdout.split() == ["docs"], cmds.stderr
    opts = subprocess.run(["bash", "-c", prog % ("check --sn", 2)], input=script, capture_output=True,
                          text=True, env=env, timeout=60)
    assert opts.stdout.split() == ["--snapshot"], opts.stderr


def test_zsh_and_fish_protocols_answer():
    zsh = run("completion", "zsh").stdout
    fish = run("completion", "fish").stdout
    assert zsh.startswith("#compdef dldoctor") and "complete_zsh" in zsh
    assert "complete --command dldoctor" in fish and "complete_fish" in fish
    z = run(env={"_DLDOCTOR_COMPLETE": "complete_zsh", "_TYPER_COMPLETE_ARGS": "dldoctor ver"})
    assert '"verify"' in z.stdout
    f = run(env={"_DLDOCTOR_COMPLETE": "complete_fish", "_TYPER_COMPLETE_FISH_ACTION": "get-args",
                 "_TYPER_COMPLETE_ARGS": "dldoctor check --js"})
    assert f.stdout.split("\t")[0].strip() == "--json"


def test_unknown_shell_is_exit_2():
    res = run("completion", "tcsh")
    assert res.returncode == 2 and "bash, zsh or fish" in res.stderr


def test_in_chinese_docs_prints_the_chinese_page():
    """zh_CN: the page's translation, whole, after one line saying that the output it quotes is
    dldoctor's English (no "English only" line)."""
    res = run("docs", "mirror.dead", env={"DLDOCTOR_LANG": "zh_CN"})
    assert res.returncode == 0, res.stderr
    head, _sep, rest = res.stdout.partition("\n\n")
    assert head == "（本页引用的 dldoctor 输出为英文；在中文环境下，它打印的是这些内容的中文译文）"
    assert rest == (REPO / "docs" / "findings" / "zh_CN" / "mirror.dead.md").read_text(encoding="utf-8")
    assert "英文版" not in res.stdout
    en = run("docs", "mirror.dead", env={"DLDOCTOR_LANG": "C"})
    assert en.stdout == (REPO / "docs" / "findings" / "mirror.dead.md").read_text()
    res = run("docs", "mirror.ded", env={"DLDOCTOR_LANG": "zh_CN"})
    assert "；您是否想输入：" in res.stderr and "; " not in res.stderr, res.stderr


def test_a_page_with_no_translation_is_headed_in_the_language_and_says_the_rest_is_english(monkeypatch):
    """Where a page has no translation, the English page is headed by the finding's title and fix
    in the user's language (the catalog's, as check prints them) and one line saying the rest is
    English."""
    import json

    from dldoctor import catalog, i18n
    from dldoctor.cli import docs

    zh = json.loads((REPO / "src" / "dldoctor" / "locale" / "zh_CN.json").read_text(encoding="utf-8"))
    monkeypatch.setenv("DLDOCTOR_LANG", "zh_CN")
    i18n.reset()
    try:
        assert docs.header("mirror.dead") == ["（本页引用的 dldoctor 输出为英文；在中文环境下，它打印的是这些内容的中文译文）"]
        monkeypatch.setattr(docs, "translated", lambda pid, lang=None: None)
        assert docs.header("mirror.dead") == [
            "mirror.dead：" + zh[catalog.PROBLEMS["mirror.dead"].title],
            "修复：" + zh[catalog.PROBLEMS["mirror.dead"].fix],
            "（此页面仅有英文版）"]
        assert docs.page("mirror.dead") == (REPO / "docs" / "findings" / "mirror.dead.md").read_text()
    finally:
        monkeypatch.setenv("DLDOCTOR_LANG", "C")
        i18n.reset()


def test_the_mirror_dead_page_shows_what_check_prints(tmp_path):
    """The page's example is check's own output for a known-closed mirror (a failure, ✗)."""
    page = (REPO / "docs" / "findings" / "mirror.dead.md").read_text()
    example = [ln for ln in page.splitlines() if "[mirror.dead]" in ln and "registry-mirrors" in ln]
    lines = page.splitlines()
    example.append(lines[lines.index(example[0]) + 1])
    import re

    url = re.search(r"https?://[\w.-]+", example[1]).group(0)
    (tmp_path / "daemon.json").write_text('{"registry-mirrors": ["%s"]}' % url)
    env = {k: v for k, v in os.environ.items()
           if k not in ("DLDOCTOR_LANG", "LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG", "DOCKER_HOST")}
    env.update(DLDOCTOR_LANG="C", NO_COLOR="1")
    res = subprocess.run([sys.executable, "-m", "dldoctor", "check", "--snapshot", str(tmp_path),
                          "--only", "registry-mirrors", "--no-probe"], capture_output=True,
                         text=True, env=env, timeout=60)
    assert res.returncode == 1, res.stderr
    out = res.stdout.splitlines()
    assert example[0] in out and out[out.index(example[0]) + 1] == example[1], (example, res.stdout)
