"""Untrusted JSON and TOML nested past anything real is refused before a recursive parser reads it.

Python's json and tomllib/tomli descend one call per level. At the recursion limit a finaliser or
hook that happens to run can overflow the stack a second time, and Python 3.8 then aborts the
whole process ("Cannot recover from stack overflow"): a CI run of this suite aborted on Python
3.8 at the test that handed `[[[[…` 100000 deep to the snapshot's JSON mask. Catching
RecursionError afterwards is too late, so no reader may give such text to those parsers at all."""
from __future__ import annotations

import json

import pytest

from dldoctor.errors import ParseError
from dldoctor import nesting

DEEP = "[" * 100000 + "]" * 100000
B = nesting.MAX_DEPTH


def test_as_deep_as_the_bound_parses_one_level_more_is_invalid_json():
    assert nesting.loads("[" * B + "]" * B) == json.loads("[" * B + "]" * B)
    with pytest.raises(ValueError) as info:
        nesting.loads('{"a": ' + "[" * B + "]" * B + "}")
    assert isinstance(info.value, nesting.TooDeep) and info.value.pos == 6 + B - 1


def test_brackets_inside_strings_are_not_nesting():
    text = '{"a": "' + "[" * 500 + '\\"' + "{" * 500 + '", "b\\\\": ["[[["]}'
    assert nesting.loads(text)["b\\"] == ["[[["]


def test_raw_decode_reads_one_value_and_not_what_follows_it():
    text = 'Client: {"Version": "29.1.0"}\n' + "[" * 5000 + "\n"
    value, end = nesting.raw_decode(text, text.index("{"))
    assert value == {"Version": "29.1.0"} and text[end:].startswith("\n[[[")


@pytest.fixture
def no_deep_parse(monkeypatch):
    """Fails the test if json or tomllib/tomli is handed text 1000 levels deep."""
    handed = []
    real_raw = json.JSONDecoder.raw_decode

    def raw_decode(self, s, idx=0):
        if "[" * 1000 in s:
            handed.append("json")
        return real_raw(self, s, idx)

    monkeypatch.setattr(json.JSONDecoder, "raw_decode", raw_decode)
    for name in ("tomllib", "tomli"):
        try:
            toml = __import__(name)
        except ImportError:
            continue
        real_loads = toml.loads

        def loads(s, *a, _real=real_loads, **k):
            if "[" * 1000 in s:
                handed.append("toml")
            return _real(s, *a, **k)

        monkeypatch.setattr(toml, "loads", loads)
    yield handed
    assert handed == []


def test_no_reader_hands_deep_json_to_the_parser(no_deep_parse):
    from dldoctor import journal, mirror_probe, readers, registry_http, scrub
    from dldoctor.fleet import report
    from dldoctor.host.snapshot import _recorded_sources
    from dldoctor.parse.docker_version import first_json_object

    assert scrub.mask_json(DEEP) == DEEP
    assert registry_http.json_body(DEEP.encode()) is None
    assert mirror_probe._refusal_text(DEEP.encode()).startswith("[[[")
    assert journal._loads(DEEP.encode()) == (None, "nested too deeply")
    assert report.parse_report(DEEP) is None
    with pytest.raises(Exception, match="nested too deeply"):
        _recorded_sources(DEEP.encode())
    with pytest.raises(ParseError, match="nested too deeply"):
        first_json_object('{"x": ' + DEEP + "}")
    echoed = "echo '{\"a\": %s}' > /etc/docker/daemon.json" % DEEP
    [m] = readers.echoed_daemon_json({"command": echoed})
    assert m.problem == "daemon-json.invalid"


def test_the_toolkit_config_reader_does_not_hand_deep_toml_to_the_parser(no_deep_parse):
    from dldoctor.parse.toolkit_config import parse_toolkit_config

    text = '# a "comment\nok = "[[[" # ]]]\n' + "x = " + "[" * 5000 + "\n"
    with pytest.raises(ParseError, match="nested too deeply") as info:
        parse_toolkit_config(text)
    assert (info.value.line, info.value.col) == (3, 5 + B)


@pytest.mark.parametrize("text", [
    'a = """ [[[ ""\n"""\nb = [[1]]\n',
    "a = ''' [[[ ''\n'''\nb = [[1]]\n",
    "a = '[[[' # [[[\nb = [[1]]\n",
    'a = "\\" [[[ "\nb = [[1]]\n',
    '[t]\n[[u]]\nv = {w = [[1]]}\n',
])
def test_brackets_in_toml_strings_and_comments_are_not_nesting(text, monkeypatch):
    monkeypatch.setattr(nesting, "MAX_DEPTH", 3)
    assert nesting.toml_too_deep(text) is None
    assert nesting.toml_too_deep(text + "c = [[[[1]]]]\n") is not None
