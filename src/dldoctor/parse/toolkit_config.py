"""/etc/nvidia-container-runtime/config.toml read with a small TOML subset reader: tables, dotted and quoted
keys, basic and literal strings, booleans, integers, floats, arrays and inline tables, comments."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Dict, List, Optional, Tuple

from dldoctor.errors import ParseError

__all__ = ["ToolkitConfig", "parse_toolkit_config"]


@dataclass(frozen=True)
class ToolkitConfig:
    """Every value set in the file, keyed by its flattened dotted path
    ("nvidia-container-cli.no-cgroups" -> True). Arrays are tuples. Commented-out lines are absent."""

    values: Dict[str, object]

    def get(self, key: str, default: object = None) -> object:
        """The value at a flattened dotted key, or default."""
        return self.values.get(key, default)

    @property
    def no_cgroups(self) -> Optional[bool]:
        """nvidia-container-cli.no-cgroups if set to a boolean (rootless Docker needs true), else None."""
        v = self.values.get("nvidia-container-cli.no-cgroups")
        return v if isinstance(v, bool) else None

    @property
    def ldconfig(self) -> Optional[str]:
        """nvidia-container-cli.ldconfig ('@/sbin/ldconfig.real': '@' means a host path), else None."""
        v = self.values.get("nvidia-container-cli.ldconfig")
        return v if isinstance(v, str) else None

    @property
    def mode(self) -> Optional[str]:
        """nvidia-container-runtime.mode ('auto', 'legacy', 'cdi', 'csv'), else None."""
        v = self.values.get("nvidia-container-runtime.mode")
        return v if isinstance(v, str) else None


_BARE_KEY_RE = re.compile(r"[A-Za-z0-9_-]+")
_INT_RE = re.compile(r"[+-]?(?:0|[1-9](?:_?[0-9])*)")
_FLOAT_RE = re.compile(r"[+-]?(?:0|[1-9](?:_?[0-9])*)(?:\.[0-9](?:_?[0-9])*)?(?:[eE][+-]?[0-9](?:_?[0-9])*)?")
_ESCAPES = {"b": "\b", "t": "\t", "n": "\n", "f": "\f", "r": "\r", '"': '"', "\\": "\\"}
_MAX_DEPTH = 32


class _Reader:
    """Character-level reader with 1-based line/column positions for errors."""

    def __init__(self, text: str) -> None:
        self.s = text
        self.i = 0
        self.n = len(text)
        self.values = {}  # type: Dict[str, object]
        self.tables = set()  # type: set
        self.prefix = ()  # type: Tuple[str, ...]

    # -- positions and errors
    def fail(self, message: str, at: Optional[int] = None) -> ParseError:
        pos = self.i if at is None else at
        line = self.s.count("\n", 0, pos) + 1
        col = pos - (self.s.rfind("\n", 0, pos) + 1) + 1
        return ParseError(message, line=line, col=col)

    def peek(self, k: int = 0) -> str:
        j = self.i + k
        return self.s[j] if j < self.n else ""

    def skip_ws(self) -> None:
        while self.i < self.n and self.s[self.i] in " \t":
            self.i += 1

    def skip_comment(self) -> None:
        if self.peek() == "#":
            while self.i < self.n and self.s[self.i] != "\n":
                ch = self.s[self.i]
                if ch != "\t" and (ord(ch) < 0x20 or ord(ch) == 0x7F):
                    raise self.fail("control character in comment")
                self.i += 1

    def skip_ws_newlines_comments(self) -> None:
        while True:
            self.skip_ws()
            self.skip_comment()
            if self.peek() == "\n":
                self.i += 1
            elif self.peek() == "\r" and self.peek(1) == "\n":
                self.i += 2
            else:
                return

    def end_of_line(self) -> None:
        self.skip_ws()
        self.skip_comment()
        if self.i >= self.n:
            return
        if self.peek() == "\n":
            self.i += 1
            return
        if self.peek() == "\r" and self.peek(1) == "\n":
            self.i += 2
            return
        raise self.fail("expected end of line, found %r" % self.peek())

    # -- document
    def document(self) -> Dict[str, object]:
        while True:
            self.skip_ws_newlines_comments()
            if self.i >= self.n:
                return self.values
            if self.peek() == "[":
                self.table_header()
            else:
                start = self.i
                key = self.key()
                self.skip_ws()
                if self.peek() != "=":
                    raise self.fail("expected '=' after key %r" % ".".join(key))
                self.i += 1
                self.skip_ws()
                value = self.value(0)
                self.assign(self.prefix + key, value, start)
            self.end_of_line()

    def table_header(self) -> None:
        start = self.i
        self.i += 1
        if self.peek() == "[":
            raise self.fail("arrays of tables ([[...]]) are not supported")
        self.skip_ws()
        key = self.key()
        self.skip_ws()
        if self.peek() != "]":
            raise self.fail("expected ']' to close the table header")
        self.i += 1
        dotted = ".".join(key)
        if dotted in self.tables:
            raise self.fail("table [%s] defined twice" % dotted, at=start)
        for j in range(1, len(key) + 1):
            if ".".join(key[:j]) in self.values:
                raise self.fail("table [%s] redefines the value %r" % (dotted, ".".join(key[:j])), at=start)
        self.tables.add(dotted)
        self.prefix = key

    def assign(self, path: Tuple[str, ...], value: object, at: int) -> None:
        dotted = ".".join(path)
        if dotted in self.values:
            raise self.fail("key %r defined twice" % dotted, at=at)
        for j in range(1, len(path)):
            if ".".join(path[:j]) in self.values:
                raise self.fail("key %r extends the value %r" % (dotted, ".".join(path[:j])), at=at)
        if dotted in self.tables or any(k.startswith(dotted + ".") for k in self.values):
            raise self.fail("key %r redefines a table" % dotted, at=at)
        if isinstance(value, dict):
            if not value:
                self.tables.add(dotted)
            for k, v in value.items():
                self.assign(path + tuple(k), v, at)
        else:
            self.values[dotted] = value

    # -- keys
    def key(self) -> Tuple[str, ...]:
        parts = [self.simple_key()]
        while True:
            save = self.i
            self.skip_ws()
            if self.peek() == ".":
                self.i += 1
                self.skip_ws()
                parts.append(self.simple_key())
            else:
                self.i = save
                return tuple(parts)

    def simple_key(self) -> str:
        ch = self.peek()
        if ch == '"':
            if self.s.startswith('"""', self.i):
                raise self.fail("multi-line string used as a key")
            return self.basic_string()
        if ch == "'":
            if self.s.startswith("'''", self.i):
                raise self.fail("multi-line string used as a key")
            return self.literal_string()
        m = _BARE_KEY_RE.match(self.s, self.i)
        if not m:
            raise self.fail("expected a key, found %r" % (ch or "end of file"))
        self.i = m.end()
        return m.group(0)

    # -- values
    def value(self, depth: int) -> object:
        if depth > _MAX_DEPTH:
            raise self.fail("values nested too deeply")
        ch = self.peek()
        if ch == '"':
            if self.s.startswith('"""', self.i):
                return self.ml_basic_string()
            return self.basic_string()
        if ch == "'":
            if self.s.startswith("'''", self.i):
                return self.ml_literal_string()
            return self.literal_string()
        if ch == "[":
            return self.array(depth)
        if ch == "{":
            return self.inline_table(depth)
        for word, val in (("true", True), ("false", False)):
            if self.s.startswith(word, self.i) and not _BARE_KEY_RE.match(self.peek(len(word)) or " "):
                self.i += len(word)
                return val
        m = _FLOAT_RE.match(self.s, self.i)
        if m and m.end() > self.i:
            end = m.end()
            nxt = self.s[end] if end < self.n else ""
            if nxt and (nxt.isalnum() or nxt in "-:_."):
                raise self.fail("unsupported value (dates, hex/octal/binary numbers, inf/nan are not read)")
            text = m.group(0).replace("_", "")
            self.i = end
            if _INT_RE.fullmatch(m.group(0)):
                return int(text)
            return float(text)
        raise self.fail("invalid value starting with %r" % (ch or "end of file"))

    def array(self, depth: int) -> Tuple[object, ...]:
        self.i += 1
        items = []  # type: List[object]
        while True:
            self.skip_ws_newlines_comments()
            if self.peek() == "]":
                self.i += 1
                return tuple(items)
            if self.i >= self.n:
                raise self.fail("unterminated array")
            item = self.value(depth + 1)
            if isinstance(item, dict):
                item = {".".join(k): v for k, v in item.items()}
            items.append(item)
            self.skip_ws_newlines_comments()
            if self.peek() == ",":
                self.i += 1
            elif self.peek() == "]":
                self.i += 1
                return tuple(items)
            else:
                raise self.fail("expected ',' or ']' in array")

    def inline_table(self, depth: int) -> Dict[Tuple[str, ...], object]:
        self.i += 1
        table = {}  # type: Dict[Tuple[str, ...], object]
        self.skip_ws()
        if self.peek() == "}":
            self.i += 1
            return table
        while True:
            self.skip_ws()
            key = self.key()
            self.skip_ws()
            if self.peek() != "=":
                raise self.fail("expected '=' in inline table")
            self.i += 1
            self.skip_ws()
            if key in table:
                raise self.fail("key %r defined twice in inline table" % ".".join(key))
            table[key] = self.value(depth + 1)
            self.skip_ws()
            if self.peek() == ",":
                self.i += 1
                continue
            if self.peek() == "}":
                self.i += 1
                return table
            raise self.fail("expected ',' or '}' in inline table")

    # -- strings
    def escape(self) -> str:
        # at the backslash
        code = self.peek(1)
        if code in _ESCAPES:
            self.i += 2
            return _ESCAPES[code]
        if code in ("u", "U"):
            width = 4 if code == "u" else 8
            digits = self.s[self.i + 2:self.i + 2 + width]
            if len(digits) != width or not re.fullmatch(r"[0-9A-Fa-f]+", digits):
                raise self.fail("invalid \\%s escape" % code)
            cp = int(digits, 16)
            if cp > 0x10FFFF or 0xD800 <= cp <= 0xDFFF:
                raise self.fail("invalid unicode escape")
            self.i += 2 + width
            return chr(cp)
        raise self.fail("invalid escape sequence \\%s" % code)

    def basic_string(self) -> str:
        start = self.i
        self.i += 1
        out = []  # type: List[str]
        while True:
            if self.i >= self.n or self.peek() == "\n":
                raise self.fail("unterminated string", at=start)
            ch = self.peek()
            if ch == '"':
                self.i += 1
                return "".join(out)
            if ch == "\\":
                out.append(self.escape())
                continue
            if ch != "\t" and (ord(ch) < 0x20 or ord(ch) == 0x7F):
                raise self.fail("control character in string")
            out.append(ch)
            self.i += 1

    def literal_string(self) -> str:
        start = self.i
        end = self.s.find("'", self.i + 1)
        nl = self.s.find("\n", self.i + 1)
        if end < 0 or (0 <= nl < end):
            raise self.fail("unterminated literal string", at=start)
        text = self.s[self.i + 1:end]
        if any(c != "\t" and (ord(c) < 0x20 or ord(c) == 0x7F) for c in text):
            raise self.fail("control character in string")
        self.i = end + 1
        return text

    def ml_basic_string(self) -> str:
        start = self.i
        self.i += 3
        if self.peek() == "\n":
            self.i += 1
        out = []  # type: List[str]
        while True:
            if self.i >= self.n:
                raise self.fail("unterminated multi-line string", at=start)
            if self.s.startswith('"""', self.i):
                # up to two quotes may close the content ('""""' ends with one quote in the value)
                extra = 0
                while extra < 2 and self.peek(3 + extra) == '"':
                    extra += 1
                out.append('"' * extra)
                self.i += 3 + extra
                return "".join(out)
            ch = self.peek()
            if ch == "\\":
                nxt = self.peek(1)
                if nxt in (" ", "\t", "\n"):
                    # line-ending backslash: trim whitespace and newlines
                    j = self.i + 1
                    while j < self.n and self.s[j] in " \t":
                        j += 1
                    if j < self.n and self.s[j] != "\n":
                        raise self.fail("invalid escape sequence")
                    while j < self.n and self.s[j] in " \t\n":
                        j += 1
                    self.i = j
                    continue
                out.append(self.escape())
                continue
            if ch not in "\t\n" and (ord(ch) < 0x20 or ord(ch) == 0x7F):
                raise self.fail("control character in string")
            out.append(ch)
            self.i += 1

    def ml_literal_string(self) -> str:
        start = self.i
        self.i += 3
        if self.peek() == "\n":
            self.i += 1
        end = self.s.find("'''", self.i)
        if end < 0:
            raise self.fail("unterminated multi-line literal string", at=start)
        extra = 0
        while extra < 2 and end + 3 + extra < self.n and self.s[end + 3 + extra] == "'":
            extra += 1
        text = self.s[self.i:end + extra]
        if any(c not in "\t\n" and (ord(c) < 0x20 or ord(c) == 0x7F) for c in text):
            raise self.fail("control character in string")
        self.i = end + 3 + extra
        return text


def parse_toolkit_config(text: str) -> ToolkitConfig:
    """Read config.toml into flattened values; ParseError (with line and column) on a syntax error,
    on an empty file, or on TOML this subset does not read."""
    if not isinstance(text, str):
        raise ParseError("expected text, got %s" % type(text).__name__)
    if text.startswith("\ufeff"):
        text = text[1:]
    text = text.replace("\r\n", "\n")
    if not text.strip():
        raise ParseError("empty config file")
    reader = _Reader(text)
    try:
        values = reader.document()
    except RecursionError:
        raise ParseError("config nested too deeply")
    return ToolkitConfig(values=dict(values))
