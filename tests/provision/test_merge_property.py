"""Property test of the daemon.json merge over generated files (hypothesis, 1,000 examples).

Each example is a random daemon.json (random keys and JSON values of any shape, plus realistic
registry-mirrors / runtimes / default-runtime) written in a random style (2/3/4 spaces, tabs, one
line, with or without spaces after ':' and a final newline). The merge must keep every unrelated
key and value in place and in order, keep the indentation, give valid JSON, and change nothing the
second time.
"""
from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dldoctor.provision import daemon_json as dj

MANAGED = ("registry-mirrors", "runtimes", "default-runtime")
POOL = ["https://a.example.com", "https://b.example.com/", "http://127.0.0.1:5000",
        "https://mirror.ccs.tencentyun.com", "https://docker.m.daocloud.io"]
RUNTIMES = ["/usr/bin/nvidia-container-runtime", "/usr/local/bin/nvidia-container-runtime",
            "nvidia-container-runtime"]

scalars = st.one_of(st.none(), st.booleans(), st.integers(-10**12, 10**12),
                    st.floats(allow_nan=False, allow_infinity=False), st.text(max_size=12))
values = st.recursive(scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=4)),
    max_leaves=8)
keys = st.text(max_size=16).filter(lambda k: k not in MANAGED)

runtime_entry = st.one_of(
    st.fixed_dictionaries({}, optional={
        "path": st.sampled_from(RUNTIMES),
        "runtimeArgs": st.lists(st.sampled_from(["--debug", "-x"]), max_size=2),
        "args": st.lists(st.sampled_from(["--debug", "-y"]), max_size=2),
        "extra": values}),
    st.fixed_dictionaries({"runtimeType": st.just("io.containerd.runc.v2")},
                          optional={"options": values}))


@st.composite
def documents(draw):
    data = {}
    for k, v in draw(st.lists(st.tuples(keys, values), max_size=8)):
        data[k] = v
    managed = {}
    if draw(st.booleans()):
        managed["registry-mirrors"] = draw(st.lists(st.sampled_from(POOL), max_size=3,
                                                    unique=True))
    if draw(st.booleans()):
        managed["runtimes"] = draw(st.dictionaries(
            st.sampled_from(["nvidia", "runc-custom", "crun"]), runtime_entry, max_size=3))
    if draw(st.booleans()):
        managed["default-runtime"] = draw(st.sampled_from(["runc", "nvidia", "crun"]))
    # managed keys land anywhere among the others
    items = list(data.items())
    for k, v in managed.items():
        items.insert(draw(st.integers(0, len(items))), (k, v))
    return dict(items)


STYLES = [2, 4, 3, "\t", None]


@st.composite
def rendered(draw):
    data = draw(documents())
    indent = draw(st.sampled_from(STYLES))
    tight = draw(st.booleans())
    seps = (",", ":") if tight else ((", ", ": ") if indent is None else (",", ": "))
    text = json.dumps(data, indent=indent, separators=seps,
                      ensure_ascii=draw(st.booleans()))
    if draw(st.booleans()):
        text += "\n"
    return data, text, indent


def leading(line):
    return line[:len(line) - len(line.lstrip(" \t"))]


@settings(max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(doc=rendered(),
       mirrors=st.lists(st.sampled_from(POOL), max_size=3),
       runtime=st.one_of(st.none(), st.sampled_from(RUNTIMES[:2])),
       default=st.one_of(st.none(), st.sampled_from(["nvidia", "runc"])))
def test_merge_properties(doc, mirrors, runtime, default):
    data, text, indent = doc
    out = dj.merge(text, mirrors, runtime, default)

    # valid JSON, and our reader agrees with Python's
    after = json.loads(out)
    assert dj.parse(out) == after

    # every unrelated key and value kept, in the same order, new keys only at the end
    unrelated = [k for k in data if k not in MANAGED]
    assert [k for k in after if k not in MANAGED] == unrelated
    for k in unrelated:
        assert after[k] == data[k]
    assert list(after)[:len(data)] == list(data)

    # mirrors: the old list is a prefix; every asked-for mirror is there (normalised)
    old_mirrors = data.get("registry-mirrors", [])
    new_mirrors = after.get("registry-mirrors", [])
    assert new_mirrors[:len(old_mirrors)] == old_mirrors
    assert {dj.mirror_key(m) for m in mirrors} <= {dj.mirror_key(m) for m in new_mirrors}

    # runtimes: fix's own nvidia entry written as dockerd reads it (args -> runtimeArgs);
    # every other runtime exactly as it was
    for name, entry in (data.get("runtimes") or {}).items():
        got = after["runtimes"][name]
        if not (name == "nvidia" and runtime and "runtimeType" not in entry):
            assert got == entry
            continue
        assert got["path"] == runtime
        assert "runtimeArgs" in got
        expected = dict(entry)
        if "args" in expected:
            args = expected.pop("args")
            expected.setdefault("runtimeArgs", args)
        for k, v in expected.items():
            if k != "path":
                assert got[k] == v
        assert "args" not in got
    if default:
        assert after["default-runtime"] == default
    elif "default-runtime" in data:
        assert after["default-runtime"] == data["default-runtime"]

    # the second merge changes nothing
    assert dj.merge(out, mirrors, runtime, default) == out

    # the file's style is kept
    assert out.endswith("\n") == text.endswith("\n")
    if indent is None:
        if data:
            assert "\n" not in out.rstrip("\n")
    elif data:                          # "{}" has no indentation to keep: it gets the default
        unit = "\t" if indent == "\t" else " " * indent
        other = " " if unit == "\t" else "\t"
        for line in out.split("\n"):         # JSON lines end at \n only (not at U+0085)
            lead = leading(line)
            assert other not in lead
            assert len(lead) % len(unit) == 0

    # nothing asked that is not already there: byte-identical
    if out != text:
        assert mirrors or runtime or default


def test_examples_count_is_at_least_1000():
    """The property above runs 1,000 generated files (the issue's floor)."""
    assert test_merge_properties.hypothesis.inner_test is not None
    assert test_merge_properties._hypothesis_internal_use_settings.max_examples >= 1000


def messy(value, ws):
    """`value` as JSON with whitespace from `ws` (an iterator) between every token."""
    w = lambda: next(ws)  # noqa: E731
    if isinstance(value, dict):
        inner = ("," + w()).join(w() + json.dumps(k) + w() + ":" + w() + messy(v, ws) + w()
                                 for k, v in value.items())
        return "{" + (inner or w()) + "}"
    if isinstance(value, list):
        inner = ",".join(w() + messy(v, ws) + w() for v in value)
        return "[" + (inner or w()) + "]"
    return json.dumps(value)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=documents(),
       spaces=st.lists(st.sampled_from(["", " ", "\n", "\t", "  ", "\n    ", "\r\n", " \n\t"]),
                       min_size=1, max_size=20),
       mirrors=st.lists(st.sampled_from(POOL), max_size=3),
       runtime=st.one_of(st.none(), st.sampled_from(RUNTIMES[:2])),
       default=st.one_of(st.none(), st.sampled_from(["nvidia", "runc"])))
def test_merge_on_hand_formatted_files(data, spaces, mirrors, runtime, default):
    """Irregular whitespace anywhere (files edited by hand): still valid, kept, idempotent."""
    import itertools
    text = messy(data, itertools.cycle(spaces))
    out = dj.merge(text, mirrors, runtime, default)
    after = json.loads(out)
    assert [k for k in after if k not in MANAGED] == [k for k in data if k not in MANAGED]
    for k in data:
        if k not in MANAGED:
            assert after[k] == data[k]
    assert dj.merge(out, mirrors, runtime, default) == out
    if not (mirrors or runtime or default):
        assert out == text
