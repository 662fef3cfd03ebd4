"""No pattern the diagnosis reads a report with can backtrack without end.

The repro: the compose reading's first pattern repeated a line as `[ \\t]+[^\\n]*\\n` up to 30 times;
each line's indent could be split between the two repeats in as many ways as it had blanks, so a
service of deeply indented lines with no `image:` took longer than anyone waited (it hung on a
held-out report while the tests scored it). The shape: inside a repeated group, a repeat followed
by another repeat over some of the same characters. A pattern free of it backtracks at most
polynomially, and the signatures are bounded besides (test_signature_bounds).
"""
from __future__ import annotations

import re

import pytest

from dldoctor import derived, diagnose, prose, readers, signatures
from regex_tree import REPEATS, parse, sequences  # tests/regex_tree.py

ALPHABET = [chr(c) for c in range(32, 127)] + ["\t", "\n", "中"]
_CATEGORY = {
    "CATEGORY_SPACE": str.isspace, "CATEGORY_NOT_SPACE": lambda c: not c.isspace(),
    "CATEGORY_DIGIT": str.isdigit, "CATEGORY_NOT_DIGIT": lambda c: not c.isdigit(),
    "CATEGORY_WORD": lambda c: c.isalnum() or c == "_", "CATEGORY_NOT_WORD": lambda c: not (c.isalnum() or c == "_"),
}


def _chars(op, av):
    """The characters one single-character item matches (of ALPHABET), or None for anything else."""
    name = str(op)
    if name == "LITERAL":
        return {chr(av)}
    if name == "NOT_LITERAL":
        return set(ALPHABET) - {chr(av)}
    if name == "ANY":
        return set(ALPHABET) - {"\n"}
    if name != "IN":
        return None
    out, negate = set(), False
    for o, a in av:
        if str(o) == "NEGATE":
            negate = True
        elif str(o) == "LITERAL":
            out.add(chr(a))
        elif str(o) == "RANGE":
            out |= {c for c in ALPHABET if a[0] <= ord(c) <= a[1]}
        elif str(o) == "CATEGORY":
            out |= {c for c in ALPHABET if _CATEGORY.get(str(a), lambda c: False)(c)}
    return set(ALPHABET) - out if negate else out


def _repeat_of_one(item):
    """(characters, most) of a repeat of one single-character item, else None."""
    op, av = item
    if str(op) in REPEATS and len(av[2]) == 1:
        chars = _chars(*av[2][0])
        return (chars, av[1]) if chars else None
    return None


def ambiguous_repeats(tree):
    """The characters two adjacent repeats share inside a repeated group, for each such pair."""
    for items, in_repeat in sequences(tree):
        pairs = zip(items, items[1:]) if in_repeat else ()
        for first, second in ((_repeat_of_one(a), _repeat_of_one(b)) for a, b in pairs):
            if first and second and first[1] > 1 and second[1] > 1 and first[0] & second[0]:
                yield "".join(sorted(first[0] & second[0]))


def _patterns():
    out = {}
    for mod in (readers, prose, diagnose, derived, signatures):
        for name, value in vars(mod).items():
            if type(value).__name__ == "LazyPattern":
                out["%s.%s" % (mod.__name__, name)] = value.compiled().pattern
    for i, fam in enumerate(prose.FAMILIES):
        for j, phrase in enumerate(fam.phrases + ((fam.unless,) if fam.unless else ())):
            out["prose %s #%d.%d" % (fam.problem, i, j)] = phrase
    for i, sig in enumerate(signatures.SIGNATURES):
        out["signature %s #%d" % (sig.problem, i)] = sig.regex
    return out


PATTERNS = _patterns()


def test_the_shape_is_found_where_it_was():
    old = (r"^[ \t]*services:[ \t]*\n(?:[ \t]*(?:#[^\n]*)?\n)*[ \t]+[\w.-]+:[ \t]*(?:#[^\n]*)?\n"
           r"(?:[ \t]+[^\n]*\n){0,30}?[ \t]+image:[ \t]*\S")
    assert set(ambiguous_repeats(parse(old))) == {"\t "}
    assert not list(ambiguous_repeats(parse(readers._COMPOSE_SERVICE.pattern)))
    assert len(PATTERNS) > 400


@pytest.mark.parametrize("name", sorted(PATTERNS))
def test_no_pattern_repeats_an_ambiguous_pair(name):
    pattern = PATTERNS[name]
    re.compile(pattern)
    assert not list(ambiguous_repeats(parse(pattern))), (name, pattern)
