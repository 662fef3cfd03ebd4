"""Untrusted JSON and TOML, bounded in nesting before a recursive parser reads them.

Python's json and tomllib descend one call per level of `[` and `{`. Text nested past the
recursion limit raises RecursionError from deep in the stack, and while the stack is that deep a
finaliser or hook that happens to run can overflow it again: Python 3.8 then aborts the whole
process ("Cannot recover from stack overflow"). So nesting is measured first, without recursion,
and text deeper than anything real (a daemon.json, `docker info`, a registry's error, a journal:
fewer than ten levels) is refused as invalid (TooDeep, a ValueError) before the parser sees it."""

from __future__ import annotations

import json

from dldoctor.lazy_regex import lazy_compile

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Optional, Pattern, Tuple

MAX_DEPTH = 100

_JSON_TOKEN = lazy_compile(r'"[^"\\]*(?:\\[\s\S][^"\\]*)*"?|[\[\]{}]')
# TOML: comments and the four kinds of string hold brackets that are not nesting. Each string
# branch matches wherever it starts (to its closing quote or the end of the text, a lone
# backslash there included): a branch that could fail would be retried, to the end, from
# every later opening quote (quadratic).
_TOML_TOKEN = lazy_compile(
    r'#[^\n]*'
    r'|"""(?:[^"\\]|\\[\s\S]|"(?!""))*(?:"""|\\?\Z)"{0,2}'
    r"|'''(?:[^']|'(?!''))*(?:'''|\Z)'{0,2}"
    r'|"[^"\\\n]*(?:\\.[^"\\\n]*)*"?'
    r"|'[^'\n]*'?"
    r'|[\[\]{}]')


class TooDeep(ValueError):
    """Nested more than MAX_DEPTH levels; `pos` is where the level past it opens."""

    def __init__(self, pos: int) -> None:
        super().__init__("nested too deeply (more than %d levels)" % MAX_DEPTH)
        self.pos = pos


def _too_deep(text: str, token: Pattern[str], start: int = 0,
              one_value: bool = False) -> Optional[int]:
    """Where the first level past MAX_DEPTH opens, else None. With `one_value`, the scan ends
    where the first value opened at `start` closes (what follows it is not that value)."""
    if text.count("[", start) + text.count("{", start) <= MAX_DEPTH:
        return None                       # too few openings to nest that deep
    depth = 0
    for m in token.finditer(text, start):
        c = m.group()[0]
        if c in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                return m.start()
        elif c in "]}":
            depth -= 1
            if one_value and depth <= 0:
                return None
    return None


def loads(text: str, **kw: Any) -> Any:
    """json.loads of untrusted text; ValueError for invalid JSON, nesting too deep included."""
    pos = _too_deep(text, _JSON_TOKEN)
    if pos is not None:
        raise TooDeep(pos)
    return json.loads(text, **kw)


def raw_decode(text: str, start: int) -> Tuple[Any, int]:
    """JSONDecoder().raw_decode of the value at `start` (text may follow it), bounded as `loads`."""
    pos = _too_deep(text, _JSON_TOKEN, start, one_value=True)
    if pos is not None:
        raise TooDeep(pos)
    return json.JSONDecoder().raw_decode(text, start)


def toml_too_deep(text: str) -> Optional[int]:
    """Where a TOML text's arrays and inline tables first nest past MAX_DEPTH, else None."""
    return _too_deep(text, _TOML_TOKEN)


def shallow(data: Any, limit: int = MAX_DEPTH) -> bool:
    """No list or object in a decoded value nested more than `limit` levels deep (found without
    recursion): what str(), == and json.dumps, which recurse, may be given. daemon.json is read
    as dockerd reads it, 10000 levels allowed."""
    stack = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        items = value.values() if isinstance(value, dict) else value if isinstance(value, list) else None
        if items is None:
            continue
        if depth > limit:
            return False
        stack.extend((v, depth + 1) for v in items)
    return True


def text_of(value: Any) -> str:
    """str(value) for a check's message, or "(nested too deeply)" where str would recurse past
    the stack."""
    return str(value) if shallow(value) else "(nested too deeply)"
