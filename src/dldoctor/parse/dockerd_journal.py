"""dockerd's own errors and warnings, from journal or stderr text (what a failed start or reload
said): kept apart from the command-line parser, which every `check` loads."""
from __future__ import annotations

import re

from dldoctor.errors import ParseError
from dldoctor.lazy_regex import lazy_compile
from dldoctor.records import frozen_record

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import List, Tuple


@frozen_record
class DockerdJournal:
    """dockerd's errors from journal/stderr text: messages with the journal prefix removed.

    conflicting_directives: names from "specified both as a flag and in the configuration file";
    unknown_directives: names from "the following directives don't match any configuration option";
    warnings: level=warning messages.
    """

    errors: Tuple[str, ...]
    conflicting_directives: Tuple[str, ...]
    unknown_directives: Tuple[str, ...]
    warnings: Tuple[str, ...] = ()


_JOURNAL_PREFIX_RE = lazy_compile(
    r"^(?:[A-Z][a-z]{2} +\d+ \d\d:\d\d:\d\d|\d{4}-\d\d-\d\dT[\d:.+-]+Z?) +\S+ +([\w.@/-]+?)(?:\[\d+\])?: (.*)$"
)
_LOGRUS_RE = lazy_compile(r'level=(\w+)\s+msg="((?:[^"\\]|\\.)*)"')
_ERROR_MARKERS = (
    "unable to configure the Docker daemon",
    "failed to start daemon",
    "Error starting daemon",
    "failed to load listeners",
    "invalid daemon configuration",
    "the following directives",
)


def _add(items: List[str], value: str) -> None:
    if value and value not in items:
        items.append(value)


def parse_dockerd_journal(text: str) -> DockerdJournal:
    """dockerd's errors/warnings from journal or stderr text; accepts any text (never ParseError)."""
    if not isinstance(text, str):
        raise ParseError("dockerd journal: expected text")
    errors: List[str] = []
    warnings: List[str] = []
    conflicts: List[str] = []
    unknown: List[str] = []
    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            continue
        m = _JOURNAL_PREFIX_RE.match(line)
        if m:
            unit, message = m.group(1), m.group(2)
            if not (unit.startswith("dockerd") or unit.startswith("docker")):
                continue
        else:
            message = line
        lm = _LOGRUS_RE.search(message)
        if lm:
            level, msg = lm.group(1).lower(), lm.group(2).replace('\\"', '"')
            if level in ("error", "fatal", "panic"):
                _add(errors, msg)
            elif level in ("warning", "warn"):
                _add(warnings, msg)
            message = msg
        elif any(marker in message for marker in _ERROR_MARKERS):
            _add(errors, message)
        else:
            continue
        if "specified both as a flag and in the configuration file" in message:
            tail = message.split("specified both as a flag and in the configuration file", 1)[1]
            for name in re.findall(r"([A-Za-z0-9][A-Za-z0-9._-]*): \(from flag:", tail):
                _add(conflicts, name)
        um = re.search(r"the following directives don't match any configuration option: (.*)$", message)
        if um:
            for name in um.group(1).split(","):
                _add(unknown, name.strip())
    return DockerdJournal(
        errors=tuple(errors),
        conflicting_directives=tuple(conflicts),
        unknown_directives=tuple(unknown),
        warnings=tuple(warnings),
    )
