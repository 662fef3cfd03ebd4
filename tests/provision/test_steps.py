"""The Step protocol: every fix step and the smoke test have one shape, listed explicitly, and a
step that cannot be imported stops the command instead of vanishing from the plan."""
import pytest

import dldoctor.provision as provision
from dldoctor.provision.step import Step


def test_every_step_has_the_protocol_and_the_fix_order():
    fix = provision.steps()
    assert [s.name for s in fix] == ["apt-repos", "packages", "docker-group", "daemon-json"]
    for s in fix + (provision.smoke_test_step(),):
        assert isinstance(s, Step), s
        bound = s.prepare if s.name == "packages" else None
        if bound is not None:          # a pure step's prepare reads nothing: it is itself
            assert bound(object(), object(), object()) is s


def test_a_step_that_fails_to_import_is_an_error_not_a_skipped_step(monkeypatch):
    import sys

    provision.steps()       # imported once, as in a real run
    monkeypatch.delattr(provision, "packages")
    monkeypatch.setitem(sys.modules, "dldoctor.provision.packages", None)
    with pytest.raises(ImportError):
        provision.steps()


def test_a_blocked_step_names_itself_once_in_every_language():
    """A step's Refused starts with `step: `; blocked_plan strips it (the block is shown under the
    step's name). The zh_CN translations write `step：` (a full-width colon): stripped too, for
    every message of every step."""
    import json
    from pathlib import Path

    from dldoctor.errors import Refused
    from dldoctor.executor import blocked_plan

    catalog = Path(__file__).resolve().parents[2] / "src" / "dldoctor" / "locale" / "zh_CN.json"
    zh = json.loads(catalog.read_text(encoding="utf-8"))
    names = [s.name for s in provision.steps()] + [provision.smoke_test_step().name]
    seen = 0
    for english, chinese in zh.items():
        step = next((n for n in names if english.startswith(n + ": ")), None)
        if step is None:
            continue
        seen += 1
        for text in (english, chinese):
            why = blocked_plan(step, Refused(text)).blocked
            assert not why.startswith(step), (step, text)
            assert why and not why[0].isspace() and why in text, (step, text)
    assert seen >= 15
