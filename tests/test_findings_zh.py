"""Every findings page has a Chinese translation (docs/findings/zh_CN/<id>.md) that says the same
thing: a reader in zh_CN gets the same commands, outputs, links and names as a reader in English.

What a translation may not change, it is held to here: every fenced block line for line (a
comment in it may be translated), every `code` span of the English page, every link, the five
sections in order; its title is the catalog's Chinese title, the sentence `check` prints; and no
paragraph of English prose is left untranslated. When an English page changes a command or an
output, its translation fails here until it is brought along.
"""
import json
import re
from pathlib import Path

import pytest

from dldoctor import catalog

REPO = Path(__file__).resolve().parent.parent
FINDINGS = REPO / "docs" / "findings"
ZH = FINDINGS / "zh_CN"
ZH_SECTIONS = ("## 症状", "## 原因", "## 修复", "## 验证", "## 相关")
FENCE = re.compile(r"^```[^\n]*\n(.*?)^```[ \t]*$", re.M | re.S)
SPAN = re.compile(r"(?<!`)`([^`]+?)`(?!`)")        # a span may wrap over a line break
LINK = re.compile(r"\]\(([^)\s]+)\)")
CJK = re.compile(r"[\u3400-\u9fff]")
LATIN_WORD = re.compile(r"\b[A-Za-z][a-z]{2,}\b")
COMMENT = re.compile(r"(?:^|\s)#(?:\s.*)?$")


def zh_catalog():
    return json.loads((REPO / "src" / "dldoctor" / "locale" / "zh_CN.json").read_text(encoding="utf-8"))


def fences(text):
    return FENCE.findall(text)


def prose(text):
    """The text outside fenced blocks, without its `code` spans and link targets."""
    return LINK.sub("]", SPAN.sub(" ", FENCE.sub("", text)))


def uncommented(line):
    """A fenced line without a trailing shell comment; a line that is a comment becomes '#'."""
    if line.lstrip().startswith("#") and not line.lstrip().startswith("#!"):
        return "#"
    return COMMENT.sub("", line).rstrip()


def pair(pid):
    en = (FINDINGS / (pid + ".md")).read_text(encoding="utf-8")
    path = ZH / (pid + ".md")
    assert path.is_file(), "no translation %s" % path.relative_to(REPO)
    return en, path.read_text(encoding="utf-8")


IDS = sorted(catalog.PROBLEMS)


@pytest.mark.parametrize("pid", IDS)
def test_title_is_the_catalogs_chinese_title_and_sections_are_in_order(pid):
    _en, zh = pair(pid)
    lines = zh.splitlines()
    title = zh_catalog()[catalog.PROBLEMS[pid].title]
    assert lines[0] == "# %s：%s" % (pid, title)
    positions = [lines.index(h) for h in ZH_SECTIONS if h in lines]
    assert len(positions) == len(ZH_SECTIONS), "want the headings %s" % (ZH_SECTIONS,)
    assert positions == sorted(positions)
    assert not [ln for ln in lines if re.match(r"^## (Symptom|Why|Fix|Verify|Related)\b", ln)]


@pytest.mark.parametrize("pid", IDS)
def test_fenced_blocks_are_the_english_ones_line_for_line(pid):
    en, zh = pair(pid)
    en_blocks, zh_blocks = fences(en), fences(zh)
    assert len(zh_blocks) == len(en_blocks), "fenced blocks: %d, English has %d" % (
        len(zh_blocks), len(en_blocks))
    for i, (a, b) in enumerate(zip(en_blocks, zh_blocks)):
        assert [uncommented(x) for x in b.splitlines()] == [uncommented(x) for x in a.splitlines()], (
            "block %d differs from the English page's" % (i + 1))


@pytest.mark.parametrize("pid", IDS)
def test_code_spans_and_links_are_kept(pid):
    en, zh = pair(pid)
    missing = sorted(spans(en) - spans(zh))
    assert not missing, "code spans of the English page not in the translation: %s" % missing
    assert sorted(set(LINK.findall(zh))) == sorted(set(LINK.findall(en)))


def prose_with_spans(text):
    return FENCE.sub("", text)


def spans(text):
    """The page's `code` spans outside fenced blocks, a wrapped one as one line."""
    return {" ".join(s.split()) for s in SPAN.findall(prose_with_spans(text))}


@pytest.mark.parametrize("pid", IDS)
def test_no_paragraph_is_left_in_english(pid):
    _en, zh = pair(pid)
    left = []
    for para in re.split(r"\n\s*\n", prose(zh)):
        words = LATIN_WORD.findall(para)
        if len(words) >= 8 and not CJK.search(para):
            left.append(para.strip()[:80])
    assert not left, "untranslated paragraphs: %s" % left


def test_no_translation_without_an_english_page():
    stray = sorted(p.stem for p in ZH.glob("*.md") if p.stem not in catalog.PROBLEMS)
    assert not stray


def test_the_rules_catch_what_they_are_for():
    """The checks above fail on what they guard against (a check that cannot fail is a defect)."""
    en = "# x: t\n\nRun `a b` and see [y](y.md).\n\n```\nsudo a b   # do it\nout put\n```\n"
    ok = "# x：t\n\n运行 `a b`，参见 [y](y.md)。\n\n```\nsudo a b   # 执行\nout put\n```\n"
    assert [[uncommented(x) for x in b.splitlines()] for b in fences(ok)] == \
        [[uncommented(x) for x in b.splitlines()] for b in fences(en)]
    changed = ok.replace("out put", "out  put")
    assert [[uncommented(x) for x in b.splitlines()] for b in fences(changed)] != \
        [[uncommented(x) for x in b.splitlines()] for b in fences(en)]
    assert spans(ok) == {"a b"} and spans("wrapped `a\nb` here") == {"a b"}
    assert LATIN_WORD.findall(prose("This paragraph was simply left in English by the translator."))
