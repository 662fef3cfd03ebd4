"""Who the user is and which groups exist: `id` / `groups` output and /etc/group (or `getent group`) lines."""
from __future__ import annotations

import re

from dldoctor.errors import ParseError
from dldoctor.lazy_regex import lazy_compile
from dldoctor.records import frozen_record
from dldoctor.scrub import text_lines

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Dict, List, Optional, Tuple


@frozen_record
class Identity:
    """A user's ids and groups; gids are None when only names were given (plain `groups` output)."""

    uid: Optional[int]
    user: Optional[str]
    gid: Optional[int]
    groups: Tuple[Tuple[Optional[int], Optional[str]], ...]

    def in_group(self, name: str) -> bool:
        """True when the user is in the group called name (primary group included)."""
        return any(group_name == name for _, group_name in self.groups)

    def in_gid(self, gid: int) -> bool:
        """True when the user is in the group with numeric id gid."""
        return self.gid == gid or any(g == gid for g, _ in self.groups)


_ID_LINE_RE = lazy_compile(r"^\s*uid=\d+")
_GROUP_ENTRY_RE = lazy_compile(r"(\d+)(?:\(([^)]*)\))?")
_NAME_RE = lazy_compile(r"^[A-Za-z_][A-Za-z0-9_.@-]*\$?$")
PROMPT_MAX = 512  # a prompt line is short; longer lines are never tried (the pattern backtracks)
_PROMPT_RE = lazy_compile(r"^\s*(?:\S+@\S+[:~]\S*\s*[$#]|[$#])\s")


def _from_id_line(line: str) -> Identity:
    # uid=1000(bob) gid=1000(bob) groups=1000(bob),27(sudo) [context=...]; the groups word may be localized.
    fields = line.strip().split()
    uid = user = gid = None
    groups: List[Tuple[Optional[int], Optional[str]]] = []
    for field in fields:
        key, _, value = field.partition("=")
        if key == "uid":
            m = re.match(r"^(\d+)(?:\(([^)]*)\))?", value)
            if not m:
                raise ParseError("id: bad uid field %r" % field)
            uid, user = int(m.group(1)), m.group(2)
        elif key == "gid":
            m = re.match(r"^(\d+)(?:\(([^)]*)\))?", value)
            if not m:
                raise ParseError("id: bad gid field %r" % field)
            gid = int(m.group(1))
            gid_name = m.group(2)
            if gid_name is not None or not groups:
                primary = (gid, gid_name)
                if primary not in groups:
                    groups.insert(0, primary)
        elif key == "context":
            continue
        elif value and re.match(r"^\d", value):
            for entry in value.split(","):
                m = _GROUP_ENTRY_RE.match(entry)
                if m:
                    item = (int(m.group(1)), m.group(2))
                    if item not in groups:
                        groups.append(item)
    if uid is None:
        raise ParseError("id: no uid= field")
    return Identity(uid=uid, user=user, gid=gid, groups=tuple(groups))


def parse_id(text: str) -> Identity:
    """Parse `id` (with or without context=), `groups`/`id -Gn` names or `id -G` gids; ParseError otherwise."""
    if not isinstance(text, str):
        raise ParseError("id: expected text")
    lines = [line for line in text.splitlines()
             if line.strip() and not (len(line) <= PROMPT_MAX and _PROMPT_RE.match(line))]
    for line in lines:
        if _ID_LINE_RE.match(line):
            return _from_id_line(line)
    if len(lines) != 1:
        raise ParseError("id: no uid= line and not a single `groups` line")
    line = lines[0].strip()
    user = None
    if " : " in line:  # `groups bob` prints "bob : bob sudo docker"
        user, _, line = line.partition(" : ")
        user = user.strip()
        if not _NAME_RE.match(user):
            raise ParseError("groups: bad user name %r" % user)
    names = line.split()
    if user is None and names and all(n.isdigit() for n in names):  # `id -G`
        gids = [int(n) for n in dict.fromkeys(names)]
        return Identity(uid=None, user=None, gid=gids[0], groups=tuple((g, None) for g in gids))
    if not names or not all(_NAME_RE.match(n) for n in names):
        raise ParseError("groups: not a list of group names")
    return Identity(uid=None, user=user, gid=None, groups=tuple((None, n) for n in dict.fromkeys(names)))


@frozen_record
class GroupDb:
    """Groups by name: (gid, member user names) as listed in /etc/group (primary members are not listed there)."""

    groups: Dict[str, Tuple[int, Tuple[str, ...]]]

    def members(self, name: str) -> Tuple[str, ...]:
        """Listed members of group name; empty when the group has none or does not exist."""
        entry = self.groups.get(name)
        return entry[1] if entry else ()

    def gid(self, name: str) -> Optional[int]:
        """Numeric id of group name, None when it does not exist."""
        entry = self.groups.get(name)
        return entry[0] if entry else None


_GROUP_LINE_RE = lazy_compile(r"^([^:\s]+):([^:]*):(\d+):([^:]*)$")


def parse_group(text: str) -> GroupDb:
    """Parse /etc/group or `getent group` lines (name:x:gid:a,b); ParseError when no line has that shape."""
    if not isinstance(text, str):
        raise ParseError("group: expected text")
    groups: Dict[str, Tuple[int, Tuple[str, ...]]] = {}
    for raw in text_lines(text):      # lines as libc reads them: "\n" only
        line = raw.strip()
        if not line or line.startswith("#") or len(line) <= PROMPT_MAX and _PROMPT_RE.match(line) or line.startswith(("+", "-")):
            continue
        m = _GROUP_LINE_RE.match(line)
        if not m:
            continue
        members = tuple(dict.fromkeys(u.strip() for u in m.group(4).split(",") if u.strip()))
        groups.setdefault(m.group(1), (int(m.group(3)), members))
    if not groups:
        raise ParseError("group: no name:password:gid:members line")
    return GroupDb(groups=groups)
