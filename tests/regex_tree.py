"""The parsed form of a regular expression, walked sequence by sequence, for the tests that hold
the diagnosis's patterns to a bounded amount of backtracking (tests/diagnose/test_*_bounds.py)."""
from __future__ import annotations

try:  # Python >= 3.11
    from re import _parser as sre_parse  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover
    import sre_parse  # type: ignore[no-redef]

REPEATS = ("MAX_REPEAT", "MIN_REPEAT")


def parse(pattern: str, flags: int = 0):
    return sre_parse.parse(pattern, flags)


def sequences(tree, in_repeat: bool = False):
    """(items, in_repeat) for the pattern's every sequence: the top one, each repeated group's, each
    alternative's and each lookaround's; in_repeat says whether a repeat of more than one sits
    around it."""
    items = list(tree)
    yield items, in_repeat
    for op, av in items:
        name = str(op)
        if name in REPEATS:
            yield from sequences(av[2], in_repeat or av[1] > 1)
        elif name == "SUBPATTERN":
            yield from sequences(av[-1], in_repeat)
        elif name == "BRANCH":
            for alt in av[1]:
                yield from sequences(alt, in_repeat)
        elif name in ("ASSERT", "ASSERT_NOT"):
            yield from sequences(av[1], in_repeat)
