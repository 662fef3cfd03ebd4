"""What may leave the host, and what may reach a terminal.

`mask` hides secrets in any evidence text (URL userinfo with any scheme or none, passwords that
contain `@`, proxy variables, `Authorization` headers, password/token/auth keys at any depth of
JSON or key=value text, and of JSON embedded in a string with its quotes escaped). It works on text, not on parsed structure, so it applies to invalid
files and to error quotes alike, and it has no switch: every output path calls it. A JSON string
escape hides nothing from it (`\\u0040` is an `@`), and `mask_json` checks a JSON file's decoded
meaning as well, for a snapshot.

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
    from typing import Any, Dict, List

MASK = "***"

# A run of characters that may hold a URL: quotes and whitespace end it.
_TOKEN = lazy_compile(r"[^\s\"'`<>]+")
_DIGEST = lazy_compile(r"sha(256|384|512):", re.I)
_VAR_PREFIX = lazy_compile(r"[-\w.]{1,64}=")
_HOSTLIKE = lazy_compile(r"[A-Za-z0-9\[]")

_HEADER = lazy_compile(
    r"((?:proxy-)?authorization|x-registry-auth|x-auth-token|x-jfrog-art-api)"
    r"((?:\\{0,8}[\"'])?[ \t]{0,16}[:=][ \t]{0,16}(?:\\{0,8}[\"'])?)"
    r"((?:basic|bearer|token|digest|negotiate)[ \t]{1,16})?"
    # a JSON escape (\") is part of the value, but never its start: that is the quote closing the
    # separator of an embedded document, and a value starting there would mask the quote itself
    r"(?![\[{]|\\{1,8}[\"'])((?:[^\s\"',;}\]\\]|\\.){1,8192})", re.I)
# A secret-named key (JSON, YAML, key=value, flags), then its value. A credential helper's program
# name (`exec: "docker-credential-desktop": executable file not found`) is no key, nor a path
# (".../token: 401 Unauthorized", "/etc/passwd: no such user"), nor is a registry client's "failed
# to fetch anonymous token: unexpected status …" a value: masking there would hide the error a
# report is about.
_KEY_VALUE = lazy_compile(
    r"(password|(?<!/)passwd|passphrase|secret|(?<!/)token|api[_-]?key|private[_-]?key|(?<!docker-)credentials?|credentials?(?!-[a-z])|"
    r"(?<![a-z])pass(?![a-z])|(?<![a-z])pw(?![a-z])|(?<=[a-z0-9_.-])pwd(?![a-z])|passcode|"
    r"(?<![a-z])creds(?![a-z])|credsstore|credhelpers|\"auth\"|'auth'|\bauth\b|"
    # a signed URL's signature (in its query: `sig=11` elsewhere is a signal) and a storage
    # account's key are the whole credential
    r"(?<=[?&;])sig(?==)|(?<=[\"'])sig(?=\\{0,8}[\"'])|x-(?:amz|goog)-signature|(?:account|sharedaccess)key)"
    # after a quoted key JSON allows a line break before the colon, and before a quoted value
    r"([\w-]{0,32}(?:\\{0,8}[\"']\s{0,16}|[ \t]{0,16})[:=：＝](?:[ \t]{0,16}|\s{0,16}(?=\"(?!\s*[,}]))))"
    r"(?!unexpected status\b)"
    r"(\\{1,8}\"|\"(?:[^\"\\\n]|\\.){0,8192}\"|'[^'\n]{0,8192}'|"
    r"(?:[^\s\"',;&{}\[\]\\]|\\(?!\\{0,8}\")){1,8192})", re.I)
# A JSON document embedded in a string (a log line, a label, a variable) has its quotes escaped:
# {\"password\": \"x\"}, once or more (\\\"). Such a value opens with N backslashes and a quote
# (the value alternative above matches only that) and is scanned for its end by _escaped_end.
# (?<!\\): a search no longer starts inside the run of backslashes (each start rescanned the rest of it)
_QUOTE_RUN = lazy_compile(r"(?<!\\)(\\*)[\"']$")

# A password given as a command-line flag: `--password VALUE` anywhere (`--password=VALUE` is a
# key=value above), and `-p VALUE` / `-pVALUE` on a `login` line (`docker login -u bob -p ...`;
# elsewhere -p is a port).
_FLAG_VALUE = r"(\"[^\"\n]{0,8192}\"|'[^'\n]{0,8192}'|(?!-)(?:[^\s\"'\\]|\\.){1,8192})"
_PASSWORD_FLAG = lazy_compile(r"(--(?:password|passwd)[ \t]{1,16})()" + _FLAG_VALUE, re.I)
# Other credential flags (`--docker-password`, `--client-secret`, `--token`, `--api-key`,
# `--src-creds`): any value but a short lowercase word with more words after it ("--token must be
# used with --server" is an error's prose), and BuildKit's `--secret id=…,src=…` (an id and a path).
_SECRET_FLAG = lazy_compile(r"(--(?:[a-z]{1,32}-)?(?:password|passwd|token|api-key|creds)[ \t]{1,16}|"
                            r"--[a-z]{1,32}-secret[ \t]{1,16}|"
                            r"--secret[ \t]{1,16}(?!(?:id|src|env|type|required)=))()"
                            r"(?![a-z]{1,16}[ \t]{1,4}[a-z]{2,}\b)" + _FLAG_VALUE, re.I)
# `-u user:password` (`--user`) on a curl command: the user stays, the password goes
_USER_FLAG = lazy_compile(r"(?<=[ \t])((?:-u|--user)[ \t]{0,16}['\"]?[^\s:'\"|;&]{1,256}:)([^\s'\"]{1,8192})")
_CURL = lazy_compile(r"\bcurl\b")
# a bearer token with no header before it (a client's log: "using bearer AbC…"); a word of
# letters alone is prose ("bearer authentication failed"), and `realm=…` a challenge's parameter
# (not base64's `==` padding)
_BEARER = lazy_compile(r"(\bbearer[ \t]{1,16})(?![A-Za-z]{1,64}(?![A-Za-z0-9._~+/=-])|[A-Za-z]{1,64}=(?![=\s]|$))"
                       r"([A-Za-z0-9._~+/=-]{8,8192})", re.I)
# a Cookie header (also a JSON member, "Cookie": "…"): its name=value pairs (prose about cookies
# has none)
_COOKIE = lazy_compile(r"(\bcookie(?:\\{0,8}[\"'])?[ \t]{0,16}:[ \t]{0,16}(?:\\{0,8}[\"'])?)"
                       r"([\w.-]{1,256}=[^\s;,\"'\\]{0,8192}"
                       r"(?:;[ \t]{0,16}[\w.-]{1,256}=[^\s;,\"'\\]{0,8192}){0,64})", re.I)
# Chinese: password, pass phrase, token, the separator right after; a value that starts with
# Chinese (`密码: 错误`, "wrong") is a status, and so is a token's HTTP status with its reason
# (`令牌：401 Unauthorized`: _zh_masked); a quoted value runs to its quote, a bare one to a blank or
# Chinese punctuation
_ZH_KEY_VALUE = lazy_compile("(密码|口令|令牌|密钥|秘钥|私钥)([ \t\u3000]{0,4}[:=：＝][ \t\u3000]{0,4}[\"'“]?)"
                             "([^\\s，。；：（）、,;\"'“”\u3400-\u9fff][^\\s，。；（）、,;\"'“”]{0,8191})")

# A credential in a format its issuer made recognisable (the prefixes secret scanners look for),
# wherever it stands: pasted alone, after `--password-stdin <<<`, in a log line. The prefix stays
# (`ghp_***` says which kind of token was there); the random part goes. Each body is the issuer's
# alphabet and length, so identifiers sharing a prefix (`hf_hub_download`, `sk-learn`) are kept;
# ASCII words only, so a token next to Chinese text (`令牌ghp_…，`) is still one.
_KNOWN_TOKEN = lazy_compile(
    # a token's start: no word before it, or one that only ends an escape (a JSON log line's
    # "\nghp_…", a colour's "\x1b[1mghp_…", a URL's "token%3Dghp_…")
    r"(?:(?<![\w-])|(?<=\\[nrtbf])|(?<=[0-9;\[]m)|(?<=%[0-9A-Fa-f]{2}))("
    r"gh[pousr]_(?=[A-Za-z0-9]{30,255}(?![\w-]))|github_pat_(?=\w{22,255}(?![\w-]))|"
    r"gl(?:pat|ptt|dt|rt|cbt|imt|soat)-(?=[\w-]{20,255}(?![\w-]))|"
    r"xox[abposr]-(?=[A-Za-z0-9-]{10,255}(?![\w-]))|"
    r"npm_(?=[A-Za-z0-9]{36}(?![\w-]))|hf_(?=[A-Za-z0-9]{30,255}(?![\w-]))|"
    r"pypi-(?=AgE[\w-]{50,4096}(?![\w-]))|dckr_(?:pat|oat)_(?=[\w-]{20,255}(?![\w-]))|"
    r"nvapi-(?=[\w-]{40,255}(?![\w-]))|"
    # OpenAI's and Anthropic's keys: `sk-`, an optional kind, then 32 or more characters holding a
    # capital and a digit (theirs are 40 to 150; `sk-Build2024-Release-Candidate` is a name)
    r"sk-(?:[a-z]{2,10}-(?:[a-z]{2,8}\d{0,4}-)?)?(?=(?=[\w-]{0,255}?[A-Z])(?=[\w-]{0,255}?\d)[\w-]{32,255}(?![\w-]))|"
    r"(?=(?:AKIA|ASIA)[A-Z0-9]{16}(?![\w-]))|(?=AIza[\w-]{35}(?![\w-]))|"
    # webhooks whose URL is the credential: the workspace and channel ids stay, the secret goes
    r"hooks\.slack\.com/services/[A-Za-z0-9]{1,32}/[A-Za-z0-9]{1,32}/(?=[A-Za-z0-9]{8,128})|"
    r"discord(?:app)?\.com/api/webhooks/\d{1,32}/(?=[\w-]{20,256})"
    r")[\w-]{1,4096}", re.ASCII)


# an HTTP status's reason after its code: "401 Unauthorized", "403 Forbidden", "404 未找到"
_STATUS_REASON = lazy_compile(r"[ \t]{1,4}(?:[A-Z][a-z]|未|禁止|找不到|请求|服务)")


def _zh_masked(m: "re.Match[str]") -> str:
    key, sep, value = m.group(1, 2, 3)
    if key == "令牌" and len(value) == 3 and value.isdigit() and value[0] in "12345" and \
            _STATUS_REASON.match(m.string, m.end()):
        return m.group(0)       # what the token request got back, not a token (密码：520 is one)
    return key + sep + MASK


def _mask_user_flags(text: str) -> str:
    """`-u user:***` where the command it belongs to (the line up to a pipe, `;` or `&&` outside
    quotes: `curl … | grep -u a:b` is grep's) is curl."""
    def one(m: "re.Match[str]") -> str:
        start = max(text.rfind("\n", 0, m.start()) + 1, m.start() - 512)
        command, quote = start, ""
        for k in range(start, m.start()):
            c = text[k]
            if quote:
                quote = "" if c == quote else quote
            elif c in "\"'":
                quote = c
            elif c in "|;&":
                command = k + 1
        return m.group(1) + MASK if _CURL.search(text, command, m.start()) else m.group(0)
    return _USER_FLAG.sub(one, text)
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
        return token[:start] + _masked_userinfo(user) + token[at:]
    prefix = _VAR_PREFIX.match(token)
    start = prefix.end() if prefix else 0
    user = token[start:at]
    colon = user.find(":")
    if colon <= 0 or "/" in user[:colon] or not _HOSTLIKE.match(token, at + 1):
        return token  # user@host, an e-mail address, image@digest: no password in sight
    return token[:start] + _masked_userinfo(user) + token[at:]


# A user name that is a credential itself: a known token format (GitHub, GitLab, Slack, npm,
# Hugging Face, PyPI, AWS access keys), or a long random-looking run.
_TOKEN_NAME = lazy_compile(r"^(?:gh[pousr]_|github_pat_|gl(?:pat|ptt|dt|rt|cbt|imt|soat)-|xox[a-z]-|"
                           r"npm_|hf_|pypi-|A[KS]IA[A-Z0-9]{8})|^(?=[^:]{0,256}[0-9])[\w.~%+=-]{32,8192}$")
# A password that only says "the user name is the token" (GitHub's token:x-oauth-basic).
_PLACEHOLDER = lazy_compile(r"x-oauth-basic$", re.I)


def _masked_userinfo(user: str) -> str:
    """The mask for a URL's userinfo `user`: `name:***` when a password follows a user name, and
    `***` (all of it) when there is no password to hide (`TOKEN@`, `TOKEN:@`: the user name is the
    secret) or the user name is a token itself."""
    colon = user.find(":")
    if colon <= 0 or "/" in user[:colon]:
        return MASK
    name, password = user[:colon], user[colon + 1:]
    if not password or _TOKEN_NAME.search(name) or _PLACEHOLDER.match(password):
        return MASK
    return name + ":" + MASK


def hide_userinfo(url: str) -> str:
    """`url` with everything before its host's `@` shown as *** (`https://***@host/`): for a
    message quoting a URL that may carry no credentials at all (a registry mirror). The last `@`
    counts, so a password holding `@`, `/`, `?` or `#` is hidden whole."""
    scheme = url.find("://")
    start = scheme + 3 if scheme >= 0 else 0
    at = url.rfind("@", start)
    if at < 0:
        return url
    return url[:start] + MASK + url[at:]


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


_USERINFO_SEP = lazy_compile(r"[\w-]{0,32}:$")
# a quoted "sig" member's value that may be a signature: a quoted string, not a signal's name
_SIGNATURE_VALUE = lazy_compile(r"(\\{0,8})[\"'](?!SIG[A-Z]|\1[\"'])")


def _mask_key_values(text: str) -> str:
    out = []
    pos = 0
    while True:
        m = _KEY_VALUE.search(text, pos)
        if m is None:
            break
        key, sep, value = m.group(1, 2, 3)
        if value.startswith(MASK + "@") and _USERINFO_SEP.match(sep):
            # a URL's userinfo masked already (`https://tokenuser:***@host/path`, a token holding
            # "secret"): the host and path after it are no value
            out.append(text[pos:m.start(3) + len(MASK) + 1])
            pos = m.start(3) + len(MASK) + 1
            continue
        if value.startswith("\\") and value.endswith("\""):  # a string of an embedded document
            content_end, end = _escaped_end(text, m.end(), len(value) - 1)
            out.append(text[pos:m.start()] + key + sep + value + MASK + text[content_end:end])
            pos = end
        elif key.lower() == "sig" and "=" not in sep and not _SIGNATURE_VALUE.match(value):
            out.append(text[pos:m.end()])   # a JSON "sig" that is a signal (9, "SIGKILL"), not a signature
            pos = m.end()
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
    """`text` with every secret replaced by ***; the rest unchanged.

    A JSON string escape means the character it stands for (`\\u0040` is `@` to dockerd and to
    json.load), so a secret written with escapes is masked as if written plainly: when the text
    with its plain escapes decoded masks more, that text is what comes back."""
    if not text:
        return text
    masked = _mask_text(text)
    if "\\u" in text or "\\/" in text:
        plain = _plain_escapes(text)
        if plain != text:
            plain_masked = _mask_text(plain)
            if plain_masked != _plain_escapes(masked):
                return plain_masked     # an escape hid a secret from the pass above
    return masked


def _plain_char(c: str) -> bool:
    """Whether a JSON escape of `c` may be written as `c` itself: printable, no quote or
    backslash (the structure of the string and of a document embedded in it), no control."""
    return c.isprintable() and c not in "\"\\'`" and not _UNSAFE.match(c)


def _plain_escapes(text: str) -> str:
    """`text` with the JSON escapes `\\uXXXX` (of a plain character) and `\\/` decoded; every
    other escape (`\\"`, `\\\\`, `\\n`...) is kept, and so is an escaped backslash before `u`."""
    return _ESCAPE.sub(_plain_escape, text)


def _plain_escape(m: "re.Match[str]") -> str:
    escape = m.group(0)
    plain = _PLAIN.get(escape)
    if plain is None:
        plain = escape          # a backslash and the character it escapes: never an escape's start
        if escape == "\\/":
            plain = "/"
        elif m.group(1) is not None:
            c = chr(int(escape[2:], 16))
            if _plain_char(c):
                plain = c
        if len(_PLAIN) < 4096:
            _PLAIN[escape] = plain
    return plain


_PLAIN: Dict[str, str] = {}


_ESCAPE = lazy_compile(r"\\(u[0-9A-Fa-f]{4}|/)|\\[\s\S]?")


# A URL whose userinfo holds a `'` (a legal sub-delimiter: `http://bob:it's@proxy`), which the
# token pass above splits at, as quotes around a URL are far more common than in one.
_QUOTED_USERINFO = lazy_compile(r"\b([a-z][a-z0-9+.-]{0,15}://)([^\s\"`<>/?#@]{0,256}'[^\s\"`<>/?#@]{0,256})@(?=[A-Za-z0-9\[])",
                                re.I)

# apt takes a source's URI in double quotes, and a password there may then hold blanks:
# deb "https://u:pass word@host/debian" jammy main (the token pass stops at the blank)
_DQUOTED_USERINFO = lazy_compile(r"(\"[a-z][a-z0-9+.-]{0,15}://)([^\"\n<>/?#@]{0,256}\s[^\"\n<>/?#@]{0,256})@"
                                 r"(?=[A-Za-z0-9\[])", re.I)


# Docker's "auths" block: every string value in it is a credential (config.json's base64 auth, or
# such a string pasted straight under a registry's name), whatever its key, and a file that does
# not parse has no decoded document to tell. The values of the block up to its closing brace; one
# that never closes ends at a line shallower than the "auths" line, or no deeper than it when its
# members began on that line (_mask_auths).
_AUTHS_OPEN = lazy_compile(r"([\"']auths[\"'][ \t\r\n]{0,64}:[ \t\r\n]{0,64}\{)", re.I)
# a string (key or value: a value follows a colon), a brace, or a line's indentation
_AUTHS_VALUE = lazy_compile(r"\"((?:[^\"\\\n]|\\.){0,8192})\"|([{}])|\n([ \t]*)")


def _mask_auths(text: str) -> str:
    out = []
    pos = scanned = 0
    for opened in _AUTHS_OPEN.finditer(text):
        if opened.start() < scanned:
            continue                    # inside a block already read
        out.append(text[pos:opened.end()])
        start = text.rfind("\n", 0, opened.start()) + 1
        head = text[start:min(opened.start(), start + 256)]
        indent = len(head) - len(head.lstrip(" \t"))
        end = text.find("\n", opened.end(), opened.end() + 4096)
        inline = bool(text[opened.end():end if end >= 0 else opened.end() + 4096].strip())
        depth, pos = 1, opened.end()
        for m in _AUTHS_VALUE.finditer(text, pos):
            string, brace, newline = m.group(1, 2, 3)
            if newline is not None:
                # A block that never closes ends at a line no deeper than "auths" when its
                # members began on that line, or at a shallower one when they follow it.
                if len(newline) < indent or inline and len(newline) == indent:
                    scanned = m.start()
                    break
            elif brace:
                depth += 1 if brace == "{" else -1
                if not depth:
                    out.append(text[pos:m.end()])
                    pos = scanned = m.end()
                    break
            elif string and text[max(pos, m.start() - 64):m.start()].rstrip().endswith(":"):
                out.append(text[pos:m.start()] + '"' + MASK + '"')
                pos = m.end()
        else:
            break                       # the text ended inside the block: nothing follows it
    out.append(text[pos:])
    return "".join(out)


def _mask_text(text: str) -> str:
    if "uths" in text or "UTHS" in text:
        text = _mask_auths(text)
    if "@" in text:
        if '"' in text:
            text = _DQUOTED_USERINFO.sub(lambda m: m.group(1) + _masked_userinfo(m.group(2)) + "@", text)
        text = _TOKEN.sub(lambda m: _mask_url(m.group(0)) if "@" in m.group(0) else m.group(0), text)
        if "'" in text:
            text = _QUOTED_USERINFO.sub(lambda m: m.group(1) + _masked_userinfo(m.group(2)) + "@", text)
    text = _HEADER.sub(_mask_header, text)
    text = _BEARER.sub(lambda m: m.group(1) + MASK, text)
    text = _COOKIE.sub(lambda m: m.group(1) + MASK, text)
    if "-p" in text or "-P" in text:
        text = _LOGIN_P.sub(_mask_flag, text)
    if "--" in text:
        text = _SECRET_FLAG.sub(_mask_flag, _PASSWORD_FLAG.sub(_mask_flag, text))
    if "curl" in text:
        text = _mask_user_flags(text)
    text = _KNOWN_TOKEN.sub(lambda m: m.group(1) + MASK, text)
    if "密码" in text or "口令" in text or "令牌" in text or "钥" in text:
        text = _ZH_KEY_VALUE.sub(_zh_masked, text)
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
                         r"(?<![a-z])pass(?![a-z])|(?<![a-z])pw(?![a-z])|passcode|"
                         r"(?<![a-z])creds(?![a-z])|registry[_-]?auth|"
                         # `db_pwd`, `adminPwd`, not the shell's PWD (a working directory)
                         r".pwd(?![a-z])|^pwd[_.-]|^sig$|signature$|(?:account|sharedaccess)key|"
                         r"密码|口令|令牌|密钥|秘钥|私钥", re.I)


def _secret_key(key: str) -> bool:
    return bool(_SECRET_KEY.search(key))


def _masked_whole(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _masked_whole(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_masked_whole(v) for v in value]
    return MASK if isinstance(value, str) and value else value


# --- a JSON file, masked on what it means ------------------------------------------------------


class _Members(list):  # type: ignore[type-arg]
    """A JSON object as its members in file order, duplicates kept (dockerd reads the last)."""


class _Number(str):
    """A JSON number (or NaN, Infinity) as written: a copy keeps its exact text."""


def mask_json(text: str) -> str:
    """`text`, a JSON file (daemon.json, docker info), masked for a snapshot.

    The text pass (`mask`) keeps the file as written: its layout, duplicate keys, an invalid
    file's error position. When the text parses, its decoded meaning is checked as well, every
    key and string as json.load reads it (escapes decoded, embedded documents included); if
    anything there would still be masked, the file is written back from the decoded document,
    masked (keys, string values, secret-named keys' values whole), members and numbers as they
    were. A file that does not parse keeps the text pass: it is evidence as it is."""
    from dldoctor import nesting

    masked = mask(text)
    hooks = dict(object_pairs_hook=_Members, parse_int=_Number, parse_float=_Number,
                 parse_constant=_Number)
    try:
        data = nesting.loads(text, **hooks)
    except ValueError:                    # nested too deeply to walk included
        return masked
    try:
        if not _holds_secret(nesting.loads(masked, **hooks)):
            return masked
    except ValueError:
        pass                              # the text pass broke the document: write it back
    return _dump(_mask_members(data), "") + "\n"


def hide_json_secrets(shown: str, *documents: str) -> str:
    """`shown` (a diff of daemon.json) with every string that `documents` hold under a
    secret-named key, at any depth, as json.load reads them, replaced by "***" where it appears
    quoted as a value: what a line-by-line mask cannot see (a value on the line after its key, a
    string directly under "auths"). A string the documents also show elsewhere (a key, a value
    outside every secret-named key: the runtime "nvidia", a registry's name) is no secret and is
    kept. A document that does not parse adds nothing."""
    import json

    from dldoctor import nesting

    found: List[str] = []
    shown_elsewhere = set()         # keys, and strings outside every secret-named key

    def walk(obj: Any, under: bool) -> None:
        if isinstance(obj, _Number):
            return
        if isinstance(obj, str):
            if under and obj:
                found.append(obj)
            elif not under:
                shown_elsewhere.add(obj)
        elif isinstance(obj, _Members):
            for key, value in obj:
                shown_elsewhere.add(key)
                walk(value, under or _secret_key(key))
        elif isinstance(obj, list):
            for value in obj:
                walk(value, under)

    for doc in documents:
        try:
            walk(nesting.loads(doc, object_pairs_hook=_Members, parse_int=_Number,
                               parse_float=_Number, parse_constant=_Number), False)
        except ValueError:
            continue
    for secret in sorted(set(found) - shown_elsewhere, key=len, reverse=True):
        for quoted in {json.dumps(secret), json.dumps(secret, ensure_ascii=False)}:
            # a value, never a key (a runtime named as a registry user name stays readable)
            shown = re.sub(re.escape(quoted) + r'(?!\s*:)', '"%s"' % MASK, shown)
    return shown


def _holds_secret(obj: Any) -> bool:
    """Whether a decoded JSON value still holds something the masks hide."""
    if isinstance(obj, _Number):
        return False
    if isinstance(obj, str):
        return mask(obj) != obj
    if isinstance(obj, _Members):
        for key, value in obj:
            if mask(key) != key:
                return True
            if _secret_key(key) and _members_whole(value) != value:
                return True
            if _holds_secret(value):
                return True
        return False
    if isinstance(obj, list):
        return any(_holds_secret(v) for v in obj)
    return False


def _mask_members(obj: Any) -> Any:
    if isinstance(obj, _Number):
        return obj
    if isinstance(obj, str):
        return mask(obj)
    if isinstance(obj, _Members):
        return _Members((mask(k), _members_whole(v) if _secret_key(k) else _mask_members(v))
                        for k, v in obj)
    if isinstance(obj, list):
        return [_mask_members(v) for v in obj]
    return obj


def _members_whole(obj: Any) -> Any:
    """Every string under a secret-named key masked, whatever its depth (keys masked as text)."""
    if isinstance(obj, _Number):
        return obj
    if isinstance(obj, str):
        return MASK if obj else obj
    if isinstance(obj, _Members):
        return _Members((mask(k), _members_whole(v)) for k, v in obj)
    if isinstance(obj, list):
        return [_members_whole(v) for v in obj]
    return obj


def _dump(obj: Any, indent: str) -> str:
    """JSON text of a decoded document, two spaces a level (json.dumps's layout, members kept)."""
    import json

    if isinstance(obj, _Number):
        return str.__str__(obj)
    inner = indent + "  "
    if isinstance(obj, _Members):
        if not obj:
            return "{}"
        return "{\n" + ",\n".join(inner + json.dumps(k) + ": " + _dump(v, inner)
                                   for k, v in obj) + "\n" + indent + "}"
    if isinstance(obj, list):
        if not obj:
            return "[]"
        return "[\n" + ",\n".join(inner + _dump(v, inner) for v in obj) + "\n" + indent + "]"
    return json.dumps(obj)


# --- terminal and JSON safety -----------------------------------------------------------------

# C0 controls but tab and newline, DEL, C1 controls, BiDi embeddings/overrides/isolates and marks,
# line/paragraph separators, and lone surrogates (undecodable bytes read with surrogateescape).
# Invisible characters too (zero-width space and joiners, word joiner, byte order mark, soft
# hyphen, Hangul fillers): `https://m\u200birror.example.com` printed exactly like the mirror it
# is not.
_INVISIBLE = "\u00ad\u034f\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200d\u2060-\u2064\u206a-\u206f\u3164\ufeff\uffa0\ufff9-\ufffb"
_UNSAFE = lazy_compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e"
                     "\u2066-\u2069\ud800-\udfff" + _INVISIBLE + "]")


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


def one_line(text: str) -> str:
    """One item of data (a note, a command, a key) as one line: a newline in it, which a JSON
    escape or a journal can hold, shown as \\n rather than starting a line of output."""
    return text.replace("\n", "\\n") if "\n" in text else text


def text_lines(text: str, keepends: bool = False) -> List[str]:
    """`text` split at "\n" only. str.splitlines() also breaks at \r, \v, \f, \x1c-\x1e, \x85,
    U+2028 and U+2029, which a JSON string may hold: a value in daemon.json or a journal could
    then start a line of its own (a forged `+` diff line); kept in the line, terminal() shows
    them escaped."""
    parts = [p + "\n" for p in text.split("\n")] if keepends else text.split("\n")
    last = text.rsplit("\n", 1)[-1]
    parts[-1] = last
    return parts if last else parts[:-1]


def last_line(text: str, default: str = "") -> str:
    """The last line a tool printed, its reason after its progress lines ("E: Unable to locate
    package x"), cut at "\n" only: a "\r" in text it quotes from the root (a package's version)
    must not cut its own words off and leave the root's in their place."""
    lines = [ln for ln in text_lines(text.strip()) if ln.strip()]
    return (lines[-1].strip() if lines else default)[:300]


def safe(text: str) -> str:
    """Masked and terminal-safe: what human output prints of any evidence."""
    return terminal(mask(text))


_JSON_UNSAFE = lazy_compile("[\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069"
                          "\ud800-\udfff" + _INVISIBLE + "]")


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
