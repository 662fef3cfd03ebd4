"""What may leave the host, and what may reach a terminal.

`mask` hides secrets in any evidence text (URL userinfo with any scheme or none, passwords that
contain `@`, proxy variables, `Authorization` headers, password/token/auth keys at any depth of
JSON or key=value text, and of JSON embedded in a string with its quotes escaped). It works on text, not on parsed structure, so it applies to invalid
files and to error quotes alike, and it has no switch: every output path calls it.

`terminal` shows control characters (ESC, C1, BiDi overrides, undecodable bytes) escaped, so
evidence cannot clear a screen, plant a link or write the clipboard. `json_text` keeps JSON
output valid UTF-8 with the same characters escaped.

Every pattern here runs in linear time: bounded repeats only, no nested quantifiers.
"""
from __future__ import annotations

import re

from dldoctor.lazy_regex import lazy_compile

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

MASK = "***"

# A run of characters that may hold a URL: quotes and whitespace end it.
_TOKEN = lazy_compile(r"[^\s\"'`<>]+")
_DIGEST = lazy_compile(r"sha(256|384|512):", re.I)
_VAR_PREFIX = lazy_compile(r"[-\w.]{1,64}=")
_HOSTLIKE = lazy_compile(r"[A-Za-z0-9\[]")

_HEADER = lazy_compile(
    r"((?:proxy-)?authorization|x-registry-auth|x-auth-token)"
    r"((?:\\{0,8}[\"'])?[ \t]{0,16}[:=][ \t]{0,16}(?:\\{0,8}[\"'])?)"
    r"((?:basic|bearer|token|digest|negotiate)[ \t]{1,16})?"
    # a JSON escape (\") is part of the value, but never its start: that is the quote closing the
    # separator of an embedded document, and a value starting there would mask the quote itself
    r"(?![\[{]|\\{1,8}[\"'])((?:[^\s\"',;}\]\\]|\\.){1,8192})", re.I)
# A secret-named key (JSON, YAML, key=value, flags), then its value. A credential helper's program
# name (`exec: "docker-credential-desktop": executable file not found`) is no key, nor a URL's path
# (".../token: 401 Unauthorized"), nor is a registry client's "failed to fetch anonymous token:
# unexpected status …" a value: masking there would hide the error a report is about.
_KEY_VALUE = lazy_compile(
    r"(password|passwd|passphrase|secret|(?<!/)token|api[_-]?key|private[_-]?key|(?<!docker-)credentials?|credentials?(?!-[a-z])|"
    r"(?<![a-z])pass(?![a-z])|credsstore|credhelpers|\"auth\"|'auth'|\bauth\b)"
    r"([\w-]{0,32}(?:\\{0,8}[\"'])?[ \t]{0,16}[:=][ \t]{0,16})(?!unexpected status\b)"
    r"(\\{1,8}\"|\"(?:[^\"\\\n]|\\.){0,8192}\"|'[^'\n]{0,8192}'|"
    r"(?:[^\s\"',;&{}\[\]\\]|\\(?!\\{0,8}\")){1,8192})", re.I)
# A JSON document embedded in a string (a log line, a label, a variable) has its quotes escaped:
# {\"password\": \"x\"}, once or more (\\\"). Such a value opens with N backslashes and a quote
# (the value alternative above matches only that) and is scanned for its end by _escaped_end.
_QUOTE_RUN = lazy_compile(r"(\\*)[\"']$")

# A password given as a command-line flag: `--password VALUE` anywhere (`--password=VALUE` is a
# key=value above), and `-p VALUE` / `-pVALUE` on a `login` line (`docker login -u bob -p ...`;
# elsewhere -p is a port).
_FLAG_VALUE = r"(\"[^\"\n]{0,8192}\"|'[^'\n]{0,8192}'|(?!-)(?:[^\s\"'\\]|\\.){1,8192})"
_PASSWORD_FLAG = lazy_compile(r"(--(?:password|passwd)[ \t]{1,16})()" + _FLAG_VALUE, re.I)
_LOGIN_P = lazy_compile(r"(\blogin[ \t][^\n]{0,256}?(?<=[ \t])-p)([ \t]{1,16}|=)?" + _FLAG_VALUE)


def _mask_flag(m: "re.Match[str]") -> str:
    return m.group(1) + (m.group(2) or "") + _masked(" ", m.group(3))


def _mask_url(token: str) -> str:
    at = len(token)
    while True:
        at = token.rfind("@", 0, at)
        if at <= 0:
            return token
        if not _DIGEST.match(token, at + 1):
            break
    scheme = token.find("://", 0, at)
    if scheme >= 0:
        start = scheme + 3
        user = token[start:at]
        if not user:
            return token
        colon = user.find(":")
        keep = user[:colon + 1] if colon > 0 and "/" not in user[:colon] else ""
        return token[:start] + keep + MASK + token[at:]
    prefix = _VAR_PREFIX.match(token)
    start = prefix.end() if prefix else 0
    user = token[start:at]
    colon = user.find(":")
    if colon <= 0 or "/" in user[:colon] or not _HOSTLIKE.match(token, at + 1):
        return token  # user@host, an e-mail address, image@digest: no password in sight
    return token[:start] + user[:colon + 1] + MASK + token[at:]


_LITERALS = ("null", "true", "false", "none", "~")


def _escaped_end(text: str, start: int, level: int) -> "tuple[int, int]":
    """Where the JSON-escaped string that opened with `level` backslashes and a quote before
    `start` ends: (end of its content, end of its closing quote). A quote preceded by r
    backslashes closes it when r % (2 * (level + 1)) == level (more are escaped quotes and
    backslashes of the text inside); one with fewer belongs to an enclosing string, and a cut-off
    string ends there or at the end of the line, as does one longer than 8192 characters."""
    limit = min(len(text), start + 8192)
    newline = text.find("\n", start, limit)
    if newline >= 0:
        limit = newline
    i = start
    while True:
        i = text.find("\"", i, limit)
        if i < 0:
            return limit, limit
        r = 0
        while i - r > start and text[i - r - 1] == "\\":
            r += 1
        rest = r % (2 * (level + 1))
        if rest == level:
            return i - level, i + 1
        if rest < level:
            return i - rest, i - rest
        i += 1


def _masked(sep: str, value: str) -> str:
    """The mask for `value` written after `sep`, keeping JSON valid: a quoted value keeps its
    quotes, a bare one after a quoted key (JSON, embedded JSON) becomes a string, null/true/false
    stay."""
    if value.startswith(("\"", "'")):
        return value[0] + MASK + value[0]
    if value.lower() in _LITERALS:
        return value
    if sep.rstrip(" \t").endswith(("\"", "'")):
        return MASK  # inside a string already
    if "\"" in sep:
        opened = _QUOTE_RUN.search(sep[:sep.rindex("\"") + 1])   # the key's quote, escaped or not
        quote = opened.group(0) if opened else "\""
        return quote + MASK + quote
    return MASK


def _mask_key_values(text: str) -> str:
    out = []
    pos = 0
    while True:
        m = _KEY_VALUE.search(text, pos)
        if m is None:
            break
        key, sep, value = m.group(1, 2, 3)
        if value.startswith("\\") and value.endswith("\""):  # a string of an embedded document
            content_end, end = _escaped_end(text, m.end(), len(value) - 1)
            out.append(text[pos:m.start()] + key + sep + value + MASK + text[content_end:end])
            pos = end
        else:
            out.append(text[pos:m.start()] + key + sep + _masked(key + sep, value))
            pos = m.end()
    out.append(text[pos:])
    return "".join(out)


def _mask_header(m: "re.Match[str]") -> str:
    sep, value = m.group(2), m.group(4)
    opened = _QUOTE_RUN.search(sep)
    if opened and opened.group(1):
        # inside an embedded document's string (\"Bearer abc\"): the value ends at its close
        level = len(opened.group(1))
        content_end, end = _escaped_end(value, 0, level)
        return m.group(1) + sep + (m.group(3) or "") + MASK + value[content_end:]
    return m.group(1) + sep + (m.group(3) or "") + _masked(
        sep if m.group(3) else m.group(1) + sep, value)


def mask(text: str) -> str:
    """`text` with every secret replaced by ***; the rest unchanged."""
    if not text:
        return text
    if "@" in text:
        text = _TOKEN.sub(lambda m: _mask_url(m.group(0)) if "@" in m.group(0) else m.group(0), text)
    text = _HEADER.sub(_mask_header, text)
    if "-p" in text or "-P" in text:
        text = _LOGIN_P.sub(_mask_flag, _PASSWORD_FLAG.sub(_mask_flag, text))
    return _mask_key_values(text)


def mask_obj(obj: Any) -> Any:
    """A JSON-like object with every string masked (keys kept; secret-named keys' values masked
    whatever their type)."""
    if isinstance(obj, str):
        return mask(obj)
    if isinstance(obj, dict):
        return {k: (_masked_whole(v) if isinstance(k, str) and _secret_key(k) else mask_obj(v))
                for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [mask_obj(v) for v in obj]
    return obj


_SECRET_KEY = lazy_compile(r"password|passwd|passphrase|secret|token|api[_-]?key|^auths?$|credsstore|"
                         r"credhelpers|^authorization$|private[_-]?key|credentials?|"
                         r"(?<![a-z])pass(?![a-z])", re.I)


def _secret_key(key: str) -> bool:
    return bool(_SECRET_KEY.search(key))


def _masked_whole(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _masked_whole(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_masked_whole(v) for v in value]
    return MASK if isinstance(value, str) and value else value


# --- terminal and JSON safety -----------------------------------------------------------------

# C0 controls but tab and newline, DEL, C1 controls, BiDi embeddings/overrides/isolates and marks,
# line/paragraph separators, and lone surrogates (undecodable bytes read with surrogateescape).
_UNSAFE = lazy_compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e"
                     "\u2066-\u2069\ud800-\udfff]")


def _escape(m: "re.Match[str]") -> str:
    c = ord(m.group(0))
    if 0xDC80 <= c <= 0xDCFF:      # a byte Python could not decode
        return "\\x%02x" % (c - 0xDC00)
    if c < 0x100:
        return "\\x%02x" % c
    return "\\u%04x" % c


def terminal(text: str) -> str:
    """`text` safe to print: control characters shown as \\x1b, \\u202e..."""
    return _UNSAFE.sub(_escape, text) if text else text


def safe(text: str) -> str:
    """Masked and terminal-safe: what human output prints of any evidence."""
    return terminal(mask(text))


_JSON_UNSAFE = lazy_compile("[\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069"
                          "\ud800-\udfff]")


def _json_escape(m: "re.Match[str]") -> str:
    c = ord(m.group(0))
    if 0xDC80 <= c <= 0xDCFF:
        return "\\\\x%02x" % (c - 0xDC00)   # the text \xff, as a JSON string holds it
    if 0xD800 <= c <= 0xDFFF:
        return "\\ufffd"
    return "\\u%04x" % c


def json_text(dumped: str) -> str:
    """Output of json.dumps(ensure_ascii=False) made valid UTF-8 and inert on a terminal.

    Such characters only occur inside JSON strings, where \\uXXXX escapes mean the same."""
    return _JSON_UNSAFE.sub(_json_escape, dumped)
