"""Signature matching stays linear in the text, for every row of the table, present and future.

The repro: error text of repeated `registry-mirror ` took 39 s for 128 KB (`registry-mirror.*(...)`
backtracked over the rest of the text for each occurrence).
"""
import re
import time

import pytest

from dldoctor import signatures
from dldoctor.explain import explain
from dldoctor.signatures import REPEAT_MAX, SIGNATURES, TEXT_MAX, bounded
from regex_tree import REPEATS, parse, sequences  # tests/regex_tree.py

IDS = ["%s:%d" % (s.problem, i) for i, s in enumerate(SIGNATURES)]


def _repeats(tree):
    """(max, nested) of every repeat in a parsed pattern."""
    for items, nested in sequences(tree):
        for op, av in items:
            if str(op) in REPEATS:
                yield av[1], nested


@pytest.mark.parametrize("sig", SIGNATURES, ids=IDS)
def test_every_signature_compiles_to_bounded_repeats(sig):
    """No repeat is unbounded once compiled, and none repeats another repeat (exponential)."""
    tree = parse(bounded(sig.regex), re.I | re.S)
    for hi, nested in _repeats(tree):
        assert hi <= REPEAT_MAX, sig.regex
        assert not (nested and hi > 1), "a repeat inside a repeat: %s" % sig.regex
    assert sig.pattern.pattern == bounded(sig.regex)


def test_bounded_rewrites_every_unbounded_form():
    assert bounded(r"a.*b[^\n]+c\s*?d{2,}", 9) == r"a.{0,9}b[^\n]{1,9}c\s{0,9}?d{2,9}"
    assert bounded(r"\*\+[*+]x{3}", 9) == r"\*\+[*+]x{3}"  # escapes, classes and fixed counts stay


def _adversarial(regex, size):
    """Texts of repeated fragments of the pattern's own literals, with and without separators."""
    plain = regex.replace("\\.", ".").replace("\\s", " ").replace("\\d", "1").replace("\\n", "\n")
    frags = {f for f in re.findall(r"[A-Za-z0-9_./'-]+(?: [A-Za-z0-9_./'-]+)*", plain) if f}
    frags |= {"1", " ", "a", "1.", ":"}
    texts = [(f + sep) * (size // (len(f) + len(sep)) + 1) for f in sorted(frags) for sep in ("", " ", "\n")]
    joined = " ".join(sorted(frags)) + " "
    texts.append(joined * (size // len(joined) + 1))
    return texts


@pytest.mark.parametrize("sig", SIGNATURES, ids=IDS)
def test_every_signature_over_adversarial_long_text(sig):
    """40 KB of the pattern's own fragments: the quadratic patterns took seconds to minutes each;
    bounded, one search takes milliseconds (the bound leaves room for a loaded machine)."""
    worst = 0.0
    for text in _adversarial(sig.regex, TEXT_MAX + 8 * 1024):
        t = time.perf_counter()
        sig.pattern.search(signatures.head_and_tail(text)[0])
        worst = max(worst, time.perf_counter() - t)
    assert worst < 2.0, (sig.regex, worst)


def test_repeated_registry_mirror_text_is_fast_and_still_explained():
    text = "registry-mirror " * (128 * 1024 // 16)
    t = time.perf_counter()
    report = explain(text + "\nError response from daemon: unknown or invalid runtime name: nvidia")
    assert time.perf_counter() - t < 10.0
    assert "runtime.not-registered" in report.root_causes


def test_long_text_is_matched_on_head_and_tail_and_says_so():
    tail = "docker: Error response from daemon: could not select device driver \"\" with capabilities: [[gpu]]."
    text = "x" * (2 * 1024 * 1024) + "\n" + tail
    found = signatures.match({"error": text})
    assert found and found[0].problem == "toolkit.missing"
    assert "only its first and last %d KB" % (TEXT_MAX // 2048) in found[0].line
    middle = "y" * TEXT_MAX + "\n" + tail + "\n" + "y" * TEXT_MAX
    assert not signatures.match({"error": middle})  # the middle of a huge text is not read
    assert signatures.match({"error": tail})[0].line == tail
