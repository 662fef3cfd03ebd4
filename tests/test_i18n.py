"""Translations: every sentence that goes through `_()` has a zh_CN entry, no entry is stale,
placeholders survive translation, and a zh_CN run prints Chinese while --json keeps its contract.

scripts/i18n-extract (ast, not regexes) is the single list of message ids; adding a sentence
without translating it fails test_every_message_has_a_zh_cn_translation with the ids to add.
"""
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

import dldoctor.i18n as i18n
from dldoctor import catalog

REPO = Path(__file__).resolve().parents[1]
EXTRACT = REPO / "scripts" / "i18n-extract"
CASE = REPO / "tests" / "data" / "cases" / "dev-018"
ZH_CN = REPO / "src" / "dldoctor" / "locale" / "zh_CN.json"   # the catalog being edited
LANG_VARS = ("DLDOCTOR_LANG", "LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")
PROBLEM = "toolkit.daemon-not-restarted"

CJK = re.compile(r"[\u4e00-\u9fff]")
BRACES = re.compile(r"\{[^{}]*\}")                       # {name}, {err!r}, {n:>3}
PERCENT = re.compile(r"%(?:\(([^)]*)\))?[-#0 +]*\d*(?:\.\d+)?[sdrifxXeEgGc%]")
MARKUP = re.compile(r"\[/?[a-z ]*\]")                    # rich tags: [green] [/] [bold red]


def extract(*args):
    res = subprocess.run([sys.executable, str(EXTRACT), *args], capture_output=True, text=True,
                         cwd=str(REPO), timeout=120)
    return res


def extracted_ids():
    res = extract("--json")
    assert res.returncode == 0, res.stderr
    return json.loads(res.stdout)


def zh_cn():
    with open(str(ZH_CN), encoding="utf-8") as fh:
        return json.load(fh)


@pytest.fixture(autouse=True)
def _forget_catalog():
    """Whatever a test loads, the next `_()` call reads the (restored) environment again."""
    i18n.reset()
    yield
    i18n.reset()


# --- (a) (b) the catalog matches the code ---------------------------------------------------------


def test_every_message_has_a_zh_cn_translation():
    res = extract("--missing", "zh_CN")
    assert res.stdout == "", ("messages without a zh_CN translation (add them to "
                              "src/dldoctor/locale/zh_CN.json):\n" + res.stdout)
    assert res.returncode == 0, res.stderr


def test_no_stale_zh_cn_entries():
    res = extract("--stale", "zh_CN")
    assert res.stdout == "", ("zh_CN entries whose English id no longer exists in the code "
                              "(remove or re-key them):\n" + res.stdout)
    assert res.returncode == 0, res.stderr


def test_extractor_finds_a_reasonable_number_of_messages():
    ids = extracted_ids()
    assert len(ids) > 400
    assert ids == sorted(set(ids))
    assert "{fail} failed, {warn} warnings, {ok} ok, {skip} skipped" in ids  # a plain _() call
    # implicit concatenation of adjacent literals is one id
    assert any(i.startswith("no-cgroups = true on a rootful daemon: containers see the GPUs") for i in ids)


def test_texts_translated_at_display_time_are_extracted():
    """Data that is passed through _() when shown: the catalog, area titles, mirror notes."""
    from dldoctor.provision import mirrors
    from dldoctor.render import human

    ids = set(extracted_ids())
    expected = {p.title for p in catalog.PROBLEMS.values()} | {p.fix for p in catalog.PROBLEMS.values()}
    expected |= set(human.AREA_TITLES.values())
    expected |= {p.registry_note for p in mirrors.PRESETS} | {p.title for p in mirrors.PRESETS}
    expected |= {k.note for k in mirrors.KNOWN_REGISTRY_MIRRORS}
    expected |= {k.source for k in mirrors.KNOWN_REGISTRY_MIRRORS if k.source}
    expected.add(mirrors.NOTE_DOCKER_HUB_ONLY)
    assert sorted(expected - ids) == []


def test_extractor_sees_no_unresolved_calls_outside_the_known_data():
    """`_(variable)` is fine only where the variable holds texts the extractor already reads."""
    res = extract("--dynamic")
    assert res.returncode == 0, res.stderr
    allowed = ("dead.note", "p.registry_note", "k.note", "PROBLEMS[problem_id]", "r['operator']",
               "c.about", "p['title']", "r['source']", "REASONS[key]", "INVALID_MIRROR[key]",
               "p['registry_note']", "r['note']", "AREA_TITLES.get(")
    unexplained = [line for line in res.stdout.splitlines()
                   if line and not any(a in line for a in allowed)]
    assert "f-string" not in res.stdout, res.stdout
    assert unexplained == [], "\n".join(unexplained)


# --- (c) the catalog itself -------------------------------------------------------------------------


def test_the_package_ships_the_catalog():
    """What `_()` loads at run time (package data) is the catalog checked here."""
    shipped = Path(i18n.__file__).resolve().parent / "locale" / "zh_CN.json"
    assert shipped.is_file(), "locale/*.json missing from the installed package"
    with open(str(shipped), encoding="utf-8") as fh:
        assert json.load(fh) == zh_cn()


def test_zh_cn_catalog_is_a_sorted_object_of_non_empty_strings():
    with open(str(ZH_CN), encoding="utf-8") as fh:
        text = fh.read()
    data = json.loads(text)
    assert isinstance(data, dict)
    assert list(data) == sorted(data)
    bad = [k for k, v in data.items() if not isinstance(v, str) or not v.strip()]
    assert bad == []


def _placeholders(text):
    positional = [m.group(0) for m in PERCENT.finditer(text) if m.group(1) is None]
    named = sorted(m.group(0) for m in PERCENT.finditer(text) if m.group(1) is not None)
    return sorted(BRACES.findall(text)), positional, named, MARKUP.findall(text)


def test_translations_keep_exactly_the_same_placeholders():
    wrong = []
    for english, chinese in zh_cn().items():
        if _placeholders(english) != _placeholders(chinese):
            wrong.append("%r -> %r" % (english, chinese))
    assert wrong == [], "placeholders differ:\n" + "\n".join(wrong)


def test_translations_format_like_their_ids():
    """Each translation can be formatted the way the code formats its id (no KeyError/TypeError)."""
    for english, chinese in zh_cn().items():
        names = {m.group(0)[1:-1].split("!")[0].split(":")[0] for m in BRACES.finditer(english)}
        if names:
            values = {n: "X" for n in names}
            assert english.format(**values) and chinese.format(**values), english
        pos = [m for m in PERCENT.finditer(english) if m.group(1) is None and m.group(0) != "%%"]
        if pos:
            args = tuple(1 if m.group(0).endswith("d") else "X" for m in pos)
            assert (chinese % args) is not None, english


def test_the_chinese_is_chinese():
    """Only command lines, product names and bare formats may stay without Chinese characters."""
    untranslated = []
    for english, chinese in zh_cn().items():
        if CJK.search(chinese) or re.match(r"(sudo|docker|nvidia-ctk|systemctl) ", chinese):
            continue
        # drop placeholders, `code`, and tokens that look like paths, options, URLs or keys
        words = re.sub(r"\{[^}]*\}|%\w|`[^`]*`|\S*[/=.\-_$@<>:]\S*", " ", chinese)
        if re.search(r"\b[a-z]{4,}\b", words):
            untranslated.append(english)   # a plain lowercase English word: a sentence left as is
    assert untranslated == []


# --- (d) end to end ---------------------------------------------------------------------------------


def run_check(lang, *extra):
    env = {k: v for k, v in os.environ.items() if k not in LANG_VARS and k != "DOCKER_HOST"}
    env.update({"DLDOCTOR_LANG": lang, "NO_COLOR": "1"})
    return subprocess.run([sys.executable, "-m", "dldoctor", "check", "--snapshot", str(CASE), *extra],
                          capture_output=True, text=True, env=env, cwd=str(REPO), timeout=120)


def test_zh_cn_run_prints_chinese():
    title_zh = zh_cn()[catalog.PROBLEMS[PROBLEM].title]
    res = run_check("zh_CN")
    assert res.returncode == 1, res.stderr
    assert CJK.search(res.stdout), res.stdout
    assert title_zh in res.stdout
    assert "[%s]" % PROBLEM in res.stdout                    # IDs are never translated
    assert catalog.PROBLEMS[PROBLEM].title not in res.stdout
    assert "\x1b[" not in res.stdout                         # NO_COLOR


def test_c_locale_run_prints_english():
    res = run_check("C")
    assert res.returncode == 1, res.stderr
    assert catalog.PROBLEMS[PROBLEM].title in res.stdout
    assert not CJK.search(res.stdout), res.stdout


def test_json_contract_is_the_same_in_every_language():
    zh, en = run_check("zh_CN", "--json"), run_check("C", "--json")
    assert zh.returncode == en.returncode == 1, zh.stderr + en.stderr
    a, b = json.loads(zh.stdout), json.loads(en.stdout)
    assert a["schema"] == b["schema"] == "dldoctor.report/1"
    key = [(f["check"], f["status"], f["problem"], f.get("area")) for f in a["findings"]]
    assert key == [(f["check"], f["status"], f["problem"], f.get("area")) for f in b["findings"]]
    assert a["root_causes"] == b["root_causes"] and a["root_causes"][0] == PROBLEM
    assert a["summary"] == b["summary"]
    assert any(CJK.search(f["title"]) for f in a["findings"])   # the human texts are translated


# --- (e) switching languages in one process ---------------------------------------------------------


@pytest.mark.parametrize("lang,speaks", [("zh", "zh_CN"), ("zh_SG.UTF-8", "zh_CN"), ("zh_CN.GB18030", "zh_CN"),
                                         ("zh_TW.UTF-8", "en"), ("zh_HK", "en"), ("de_DE.UTF-8", "en")])
def test_simplified_chinese_locales_speak_zh_cn(monkeypatch, lang, speaks):
    """LANG=zh or zh_SG (Simplified Chinese) fell back to English; Traditional ones stay English."""
    for var in LANG_VARS:
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("LANG", lang)
    i18n.reset()
    try:
        assert i18n.speaking() == speaks
        assert (catalog.title(PROBLEM) == zh_cn()[catalog.PROBLEMS[PROBLEM].title]) is (speaks == "zh_CN")
    finally:
        monkeypatch.setenv("LANG", "C")
        i18n.reset()


def test_reset_switches_language_in_one_process(monkeypatch):
    english = catalog.PROBLEMS[PROBLEM].title
    chinese = zh_cn()[english]
    for var in LANG_VARS:
        monkeypatch.delenv(var, raising=False)

    monkeypatch.setenv("DLDOCTOR_LANG", "zh_CN")
    i18n.reset()
    assert i18n.language() == "zh_CN"
    assert catalog.title(PROBLEM) == chinese

    monkeypatch.setenv("DLDOCTOR_LANG", "C")
    assert catalog.title(PROBLEM) == chinese               # cached until reset()
    i18n.reset()
    assert catalog.title(PROBLEM) == english

    monkeypatch.delenv("DLDOCTOR_LANG")
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")             # the gettext variables, encoding dropped
    i18n.reset()
    assert catalog.title(PROBLEM) == chinese
    assert i18n._("a sentence nobody translated") == "a sentence nobody translated"

    monkeypatch.setenv("LANGUAGE", "en_US:zh_CN")         # LANGUAGE wins over LANG
    i18n.reset()
    assert catalog.title(PROBLEM) == english


def test_mirror_url_reasons_are_translated(tmp_path):
    """Why dockerd rejects a registry mirror (mirror_urls.validate_mirror_url) is a sentence the
    user reads in check and in fix's usage error: Chinese under zh_CN, the URL as written less its
    userinfo (a token or password never leaves in a message)."""
    snap = tmp_path / "snap"
    snap.mkdir()
    (snap / "daemon.json").write_text(json.dumps({"registry-mirrors": [
        "https://u:pw@m1.example.com", "ftp://m2.example.com", "m3.example.com"]}))
    env = {k: v for k, v in os.environ.items() if k not in LANG_VARS and k != "DOCKER_HOST"}
    env.update({"DLDOCTOR_LANG": "zh_CN", "NO_COLOR": "1"})
    res = subprocess.run([sys.executable, "-m", "dldoctor", "check", "--snapshot", str(snap)],
                         capture_output=True, text=True, env=env, cwd=str(REPO), timeout=120)
    lead = zh_cn()["dockerd rejects this mirror: {why}."].split("{why}")[0]
    reasons = [l.split(lead, 1)[1] for l in res.stdout.splitlines() if lead in l]
    assert len(reasons) == 3, res.stdout
    for why, url in zip(reasons, ("https://***@m1.example.com", "ftp://m2.example.com",
                                  "m3.example.com")):
        assert CJK.search(why) and url in why, why
        assert "invalid mirror" not in why and "must use" not in why, why
    res = subprocess.run([sys.executable, "-m", "dldoctor", "fix", "--dry-run", "--root",
                          str(tmp_path), "--only", "daemon-json", "--registry-mirror",
                          "ftp://x.example"],
                         capture_output=True, text=True, env=env, cwd=str(REPO), timeout=120)
    assert res.returncode == 2, res.stderr
    assert "ftp://x.example" in res.stderr and CJK.search(res.stderr), res.stderr
    assert "unsupported scheme" not in res.stderr and "must use" not in res.stderr, res.stderr


def test_recorded_probe_reasons_read_back_in_the_users_language(monkeypatch):
    """mirror_probe records each reason in English (evidence); shown() gives any of them, with
    or without the latency after it, in the user's language, and leaves other text alone."""
    from dldoctor import mirror_probe as mp

    for var in LANG_VARS:
        monkeypatch.delenv(var, raising=False)
    samples = {}
    for key, template in mp.REASONS.items():
        names = re.findall(r"\{(\w+)\}", template)
        samples[key] = {n: "V%d" % i for i, n in enumerate(names)}
    for lang in ("zh_CN", "C"):
        monkeypatch.setenv("DLDOCTOR_LANG", lang)
        i18n.reset()
        for key, template in mp.REASONS.items():
            args = samples[key]
            want = i18n._(template).format(**args)
            assert mp.shown(template.format(**args)) == want, key
            assert mp.shown(template.format(**args) + " (12 ms)") == want + " (12 ms)", key
            if lang == "zh_CN":
                assert CJK.search(want), key
        assert mp.shown("没有应答") == "没有应答"            # an older zh_CN snapshot: as written
        assert mp.shown("something else (3 ms)") == "something else (3 ms)"
    monkeypatch.setenv("DLDOCTOR_LANG", "zh_CN")
    i18n.reset()
    assert mp.shown("no answer: request failed") == "无应答：请求失败"   # not "无应答：request failed"
    # a URL dockerd rejects is not fetched: its reason, too, is recorded in English
    [p] = mp.probe(None, ["ftp://m.example"])
    assert p.reason_en == "invalid mirror: unsupported scheme 'ftp' in 'ftp://m.example': must use " \
        "either 'https://' or 'http://'"
    assert CJK.search(p.reason) and "ftp://m.example" in p.reason
