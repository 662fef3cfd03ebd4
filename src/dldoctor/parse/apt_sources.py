"""APT source lists (one-line `.list` and deb822 `.sources` files) and the `apt-get update` messages
those lists cause (missing keys, conflicting Signed-By, failed fetches, unsupported releases).
"""
from __future__ import annotations

import re

from dldoctor.errors import ParseError
from dldoctor.lazy_regex import lazy_compile
from dldoctor.records import field, frozen_record
from dldoctor.scrub import text_lines

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Dict, List, Optional, Tuple


@frozen_record
class AptSource:
    """One source entry; line is the 1-based line of the entry (of the stanza's first field for deb822)."""

    file: str
    line: int
    form: str  # "one-line" | "deb822"
    types: Tuple[str, ...]
    uris: Tuple[str, ...]
    suites: Tuple[str, ...]
    components: Tuple[str, ...]
    signed_by: Optional[str]
    architectures: Tuple[str, ...]
    enabled: bool
    options: Dict[str, str] = field(default_factory=dict)


@frozen_record
class AptSources:
    """All entries of the given files, in file order, and "file:line: problem" for malformed entries."""

    entries: Tuple[AptSource, ...]
    errors: Tuple[str, ...]
    # read only in part: sources.list.d held more files or bytes than are read (paths'
    # APT_SOURCES_MAX_*), so an entry that is not here may still be in a file past the cut
    cut: bool = False

    def enabled(self) -> Tuple[AptSource, ...]:
        """The entries apt would use."""
        return tuple(e for e in self.entries if e.enabled)


_TYPES = ("deb", "deb-src")
# `Field: value`, the value stripped in Python (`(?:\s+(.*?))?\s*$` was quadratic in a blank run)
_DEB822_FIELD_RE = lazy_compile(r"^([A-Za-z][A-Za-z0-9-]*):(.*)$")
_DEB822_KNOWN = ("types", "uris", "suites", "components")
_DEB822_FIELDS = frozenset(_DEB822_KNOWN + ("signed-by", "enabled", "architectures", "arch",
                                            "languages", "targets", "pdiffs", "by-hash", "trusted",
                                            "check-valid-until", "allow-insecure", "allow-weak",
                                            "allow-downgrade-to-insecure", "snapshot", "include",
                                            "exclude", "x-repolib-name"))
# apt's StringToBool: what turns an Enabled: field off
_APT_FALSE = ("no", "false", "without", "off", "disable", "0")


def _one_line(file: str, lineno: int, text: str, enabled: bool) -> Tuple[Optional[AptSource], Optional[str]]:
    """Parse one `deb [opts] uri suite comp...` line -> (entry, None) or (None, problem)."""
    # `#` anywhere starts a comment (sources.list(5)); inside a commented-out entry, only " #".
    body = (text.split("#", 1)[0] if enabled else text.split(" #", 1)[0]).strip()
    m = re.match(r"^(\S+)\s*(.*)$", body)
    if not m:
        return None, None
    kind, rest = m.group(1), m.group(2)
    opts_text = ""
    if "[" in kind:  # "deb[arch=amd64]"
        kind, _, after = kind.partition("[")
        rest = "[" + after + (" " + rest if rest else "")
    if kind not in _TYPES:
        return None, "%s:%d: malformed entry (type %r is not deb or deb-src)" % (file, lineno, kind)
    if rest.startswith("["):
        close = rest.find("]")
        if close < 0:
            return None, "%s:%d: malformed entry (unterminated option list)" % (file, lineno)
        opts_text = rest[1:close]
        rest = rest[close + 1:].strip()
    options: Dict[str, str] = {}
    for item in opts_text.split():
        key, eq, value = item.partition("=")
        if not eq:
            return None, "%s:%d: malformed entry (option %r has no value)" % (file, lineno, item)
        options[key.rstrip("+-").lower() if key.endswith(("+", "-")) else key.lower()] = value
    words = rest.split()
    if not words:
        return None, "%s:%d: malformed entry (missing URI)" % (file, lineno)
    if len(words) < 2:
        return None, "%s:%d: malformed entry (missing suite)" % (file, lineno)
    uri, suite, components = words[0], words[1], tuple(words[2:])
    if suite.endswith("/") and components:
        return None, "%s:%d: malformed entry (absolute suite with components)" % (file, lineno)
    if not suite.endswith("/") and not components:
        return None, "%s:%d: malformed entry (missing component)" % (file, lineno)
    arch = options.get("arch")
    return (
        AptSource(
            file=file,
            line=lineno,
            form="one-line",
            types=(kind,),
            uris=(uri,),
            suites=(suite,),
            components=components,
            signed_by=options.get("signed-by"),
            architectures=tuple(a for a in arch.split(",") if a) if arch else (),
            enabled=enabled,
            options=options,
        ),
        None,
    )


def _parse_list(file: str, text: str, entries: List[AptSource], errors: List[str]) -> int:
    """Parse one-line entries; returns how many lines looked like apt source lines."""
    aptish = 0
    for lineno, raw in enumerate(text_lines(text), 1):
        line = raw.strip()
        if not line:
            continue
        if line.startswith("#"):
            inner = line.lstrip("#").strip()
            if re.match(r"^deb(-src)?(\s|\[)", inner):
                entry, _problem = _one_line(file, lineno, inner, enabled=False)
                if entry is not None:
                    entries.append(entry)
                    aptish += 1
            continue
        if re.match(r"^deb(-src)?(\s|\[)", line) or re.match(r"^[A-Za-z-]+\s+(\[|[a-z+]+://)", line):
            aptish += 1
        entry, problem = _one_line(file, lineno, line, enabled=True)
        if entry is not None:
            entries.append(entry)
        elif problem is not None:
            errors.append(problem)
    return aptish


def _flush_stanza(
    file: str, start: int, fields: Dict[str, str], entries: List[AptSource], errors: List[str]
) -> None:
    if not fields:
        return
    missing = [name for name in ("types", "uris", "suites") if not fields.get(name, "").strip()]
    if missing:
        names = ", ".join(m.capitalize() for m in missing)
        errors.append("%s:%d: malformed stanza (missing %s)" % (file, start, names))
        return
    types = tuple(fields["types"].split())
    bad = [t for t in types if t not in _TYPES]
    if bad:
        errors.append("%s:%d: malformed stanza (type %r is not deb or deb-src)" % (file, start, bad[0]))
        return
    suites = tuple(fields["suites"].split())
    components = tuple(fields.get("components", "").split())
    if any(not s.endswith("/") for s in suites) and not components:
        errors.append("%s:%d: malformed stanza (missing Components)" % (file, start))
        return
    signed = fields.get("signed-by")
    signed_by: Optional[str] = None
    if signed is not None and signed.strip():
        signed_by = "inline" if "BEGIN PGP PUBLIC KEY BLOCK" in signed else " ".join(signed.split())
    enabled_text = fields.get("enabled", "yes").strip().lower()
    options = {k: v for k, v in fields.items() if k not in _DEB822_KNOWN}
    entries.append(
        AptSource(
            file=file,
            line=start,
            form="deb822",
            types=types,
            uris=tuple(fields["uris"].split()),
            suites=suites,
            components=components,
            signed_by=signed_by,
            architectures=tuple(fields.get("architectures", "").split()),
            enabled=enabled_text not in _APT_FALSE,
            options=options,
        )
    )


def _parse_deb822(file: str, text: str, entries: List[AptSource], errors: List[str]) -> int:
    """Parse deb822 stanzas; returns how many fields looked like apt fields."""
    aptish = 0
    fields: Dict[str, str] = {}
    start = 0
    current: Optional[str] = None
    for lineno, raw in enumerate(text_lines(text), 1):
        line = raw.rstrip()
        if not line.strip():
            _flush_stanza(file, start, fields, entries, errors)
            fields, current = {}, None
            continue
        if line.lstrip().startswith("#"):
            continue
        if line[:1] in (" ", "\t"):
            if current is None:
                errors.append("%s:%d: continuation line outside a field" % (file, lineno))
                continue
            value = line.strip()
            fields[current] += "\n" + ("" if value == "." else value)
            continue
        m = _DEB822_FIELD_RE.match(line)
        if m and m.group(2)[:1].strip() and m.group(1).lower() not in _DEB822_FIELDS:
            m = None        # `https://x`: a URL, not a field; apt's own fields need no blank
        if not m:
            errors.append("%s:%d: malformed line (not a Field: value)" % (file, lineno))
            current = None
            continue
        if not fields:
            start = lineno
        current = m.group(1).lower()
        if current in _DEB822_KNOWN or current in ("signed-by", "enabled", "architectures"):
            aptish += 1
        fields[current] = m.group(2).strip()
    _flush_stanza(file, start, fields, entries, errors)
    return aptish


def _is_deb822(name: str, text: str) -> bool:
    if name.endswith(".sources"):
        return True
    if name.endswith(".list"):
        return False
    return bool(re.search(r"^(Types|URIs|Suites)\s*:", text, re.MULTILINE | re.IGNORECASE))


def parse_apt_sources(files: Dict[str, str]) -> AptSources:
    """Parse {file name: text} (.list one-line, .sources deb822); bad entries -> errors; ParseError for non-apt text."""
    if not isinstance(files, dict):
        raise ParseError("apt sources: expected a mapping of file name to text")
    entries: List[AptSource] = []
    errors: List[str] = []
    for name, text in files.items():
        if not isinstance(text, str):
            raise ParseError("apt sources: %s: expected text" % name)
        before = len(entries)
        if _is_deb822(name, text):
            aptish = _parse_deb822(name, text, entries, errors)
        else:
            aptish = _parse_list(name, text, entries, errors)
        has_content = any(
            line.strip() and not line.strip().startswith("#") for line in text_lines(text)
        )
        if has_content and not aptish and len(entries) == before:
            raise ParseError("%s: not an apt source list" % name)
    return AptSources(entries=tuple(entries), errors=tuple(errors))


# --- apt-get update output --------------------------------------------------------------------


@frozen_record
class AptUpdate:
    """What `apt-get update` complained about; errors holds the E:/W: lines as printed."""

    no_pubkey: Tuple[str, ...]
    signed_by_conflicts: Tuple[str, ...]
    failed_uris: Tuple[Tuple[str, str], ...]
    unsupported_distribution: bool
    errors: Tuple[str, ...]
    unsupported_architectures: Tuple[str, ...] = ()
    # Keys apt has but that expired (EXPKEYSIG): the repository's signature cannot be checked either.
    expired_keys: Tuple[str, ...] = ()


_APT_LINE_RE = lazy_compile(
    r"^(?:Hit|Get|Ign|Err):\d+\s|^(?:E|W|N|Error|Warning|Notice): |^Reading package lists|^Building dependency tree"
    r"|^Fetched \d|^All packages are up to date|^\d+ packages? can be upgraded"
    # apt in a zh_CN locale: Hit, Get, Ign, Err; "Reading package lists"
    r"|^(?:命中|获取|忽略|错误)[:：]\d+\s|^正在读取软件包列表"
)


def _add(items: List[str], value: str) -> None:
    if value and value not in items:
        items.append(value)


def _no_ip(status: str) -> str:
    """apt's status without its trailing `[IP: address port]`, stripped. Found with rfind, not a
    pattern: a search tried from every `[IP: ` (and a blank run before one) rescans the rest of
    the line (quadratic: 200 KB of them took 13 s)."""
    status = status.strip()
    if status.endswith("]"):
        start = status.rfind("[IP: ")
        if start >= 0 and "]" not in status[start:-1]:
            status = status[:start].strip()
    return status


def _err_target_uri(target: str) -> str:
    """`URL suite InRelease` (or `URL InRelease` for a flat repo) -> the URI apt fetched."""
    words = target.split()
    if len(words) == 3 and "://" in words[0]:
        return "%s/dists/%s/%s" % (words[0].rstrip("/"), words[1], words[2])
    if len(words) == 2 and "://" in words[0]:
        return "%s/%s" % (words[0].rstrip("/"), words[1])
    return target.strip()


def parse_apt_update(text: str) -> AptUpdate:
    """Parse `apt-get update` / `apt update` output; ParseError when no line looks like apt's."""
    if not isinstance(text, str):
        raise ParseError("apt update: expected text")
    lines = text.splitlines()
    if not any(_APT_LINE_RE.match(line.strip()) for line in lines):
        raise ParseError("not apt-get update output: no Hit:/Get:/Err:/E:/W: line")
    keys: List[str] = []
    expired: List[str] = []
    conflicts: List[str] = []
    failed: List[Tuple[str, str]] = []
    errors: List[str] = []
    archs: List[str] = []
    unsupported = False
    pending_err: Optional[str] = None
    for raw in lines:
        line = raw.strip()
        if not line:
            continue
        for key in re.findall(r"NO_PUBKEY ([0-9A-Fa-f]{8,40})", line):
            _add(keys, key.upper())
        for key in re.findall(r"EXPKEYSIG ([0-9A-Fa-f]{8,40})", line):
            _add(expired, key.upper())
        if raw[:1] in (" ", "\t") and pending_err is not None:
            status = _no_ip(line)
            item = (pending_err, status)
            if item not in failed:
                failed.append(item)
            if re.match(r"^404\b", status):
                unsupported = unsupported or bool(re.search(r"\b(?:In)?Release\b", pending_err))
            pending_err = None
            continue
        pending_err = None
        m = re.match(r"^(?:Err|错误)[:：]\d+\s+(.*)$", line)
        if m:
            target = m.group(1).rstrip()
            # the status: the first blank-separated 3-digit code and what follows it, less the IP
            tail = re.search(r"(?<!\s)\s+(\d{3}\s.*)$", target)
            if tail:
                item = (_err_target_uri(target[: tail.start()]), _no_ip(tail.group(1)))
                if item not in failed:
                    failed.append(item)
            else:
                pending_err = _err_target_uri(target)
            continue
        if line.startswith(("E:", "W:", "Error:", "Warning:")):  # apt 3 spells them out
            _add(errors, line)
        m = re.search(r"Conflicting values set for option Signed-By regarding source (\S+)", line)
        if m:
            _add(conflicts, m.group(1))
        m = re.search(r"(?:Failed to fetch|无法下载) (\S+)\s+(.*)$", line)
        if m:
            item = (m.group(1), _no_ip(m.group(2)))
            if item not in failed:
                failed.append(item)
            if item[1].startswith("404") and re.search(r"/(?:In)?Release$", m.group(1)):
                unsupported = True
        if re.search(r"does not have a Release file|Unsupported distribution", line, re.IGNORECASE):
            unsupported = True
        m = re.search(r"does not support the '([^']+)' architecture", line)
        if m:
            _add(archs, m.group(1))
    return AptUpdate(
        no_pubkey=tuple(keys),
        signed_by_conflicts=tuple(conflicts),
        failed_uris=tuple(failed),
        unsupported_distribution=unsupported,
        errors=tuple(errors),
        unsupported_architectures=tuple(archs),
        expired_keys=tuple(expired),
    )
