"""docker-group step: let the invoking user run docker without sudo.

Plan: `groupadd --system docker` when the group does not exist (what docker-ce's own postinst does;
undo `groupdel docker`), then `usermod -aG docker USER` (undo `gpasswd -d USER docker`). USER is
--user, else SUDO_USER (the person behind `sudo dldoctor fix`), else the invoking user when not root.
Logged in as root with no SUDO_USER and no --user, the step is "not needed" (root has Docker);
refused when the user named is root.

It tells the user two things every time:
- group membership is read at login: the change reaches new login sessions only. Log out and back in
  (a VM may need a restart), or run `newgrp docker`, which gives only that one shell the group;
- "The docker group grants root-level privileges to the user" (Docker's post-install docs): a member
  can start a container that mounts the host's / and change anything on it.

Pure: `plan(facts, options)` reads facts.group_db (GroupDb: `.groups[name] = (gid, members)`),
facts.sudo_user and facts.identity; prepared, it also knows the target's local users, so a user
usermod cannot change (a typo, a user of another machine) is refused before anything runs.
"""
from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, FrozenSet, List, Optional

from dldoctor.errors import Refused
from dldoctor.facts import Facts, known
from dldoctor.host.paths import READ_LIMIT
from dldoctor.i18n import _
from dldoctor.plans import Plan, Run

if TYPE_CHECKING:
    from dldoctor.facts import Fact
    from dldoctor.host import Host
    from dldoctor.parse.id_group import Identity
    from dldoctor.provision.options import FixOptions

name = "docker-group"
GROUP = "docker"

NOTE_NEW_LOGIN = (
    "Group membership is read at login: {user}'s current sessions do not have it yet. Log out and "
    "back in (a VM may need a restart), or run `newgrp docker` in a terminal (only that shell gets "
    "the group; IDE terminals, tmux and other sessions keep the old groups until a new login).")
WARN_ROOT_EQUIVALENT = (
    "The docker group is root-equivalent. Docker's docs: \"The docker group grants root-level "
    "privileges to the user\"; anyone in it can start a container where the /host directory is the "
    "/ directory on your host, and change anything. Add only trusted users.")


class DockerGroup:
    """Prepared, it holds the user names of the target's /etc/passwd (None: not read whole)."""

    name = name

    def __init__(self, local_users: Optional[FrozenSet[str]] = None):
        self.local_users = local_users

    def prepare(self, host: Host, facts: Facts, options: FixOptions) -> DockerGroup:
        return DockerGroup(local_users(host.read("/etc/passwd")))

    def plan(self, facts: Facts, options: Optional[FixOptions]) -> Plan:
        return plan(facts, options, self.local_users)


def local_users(data: Optional[bytes]) -> Optional[FrozenSet[str]]:
    """The names /etc/passwd lists; None when it is absent or was cut at the read bound."""
    if data is None or len(data) >= READ_LIMIT:
        return None
    return frozenset(line.split(b":", 1)[0].decode("utf-8", "replace")
                     for line in data.split(b"\n") if b":" in line)


# What useradd accepts by default, and a machine account's trailing $ (Samba)
_USER_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,31}\$?")


def _runs_as_root(facts: Facts) -> bool:
    ident = getattr(facts, "identity", None)
    return known(ident) and getattr(ident, "uid", None) == 0


def target_user(facts: Facts, options: Optional[FixOptions]) -> Optional[str]:
    """--user, else SUDO_USER, else the invoking user when that is not root; None: running as root
    with nobody named (then there is no one to add, which is not a problem)."""
    user: Optional[str] = getattr(options, "user", None) or getattr(facts, "sudo_user", None)
    if not user:
        ident: Optional[Fact[Identity]] = getattr(facts, "identity", None)
        if known(ident) and getattr(ident, "uid", None) not in (0, None) and \
                getattr(ident, "user", None):
            return ident.user
        if _runs_as_root(facts):
            return None
        raise Refused(_("docker-group: no user to add: run dldoctor with sudo from your own "
                        "account (SUDO_USER names you), or pass --user NAME"),
                      unblock=_("--user NAME, or --skip docker-group"))
    if not _USER_NAME.fullmatch(user):
        # it goes to usermod and gpasswd as one argument: `--help` would be an option there
        raise Refused(_("docker-group: {user} is not a user name (letters, digits, _ . -, at most "
                        "32, not starting with -)").format(user=json.dumps(user)),
                      unblock=_("--user NAME, or --skip docker-group"))
    if user == "root":
        raise Refused(_("docker-group: root already has full access to Docker; name the user "
                        "who should run docker with --user NAME"),
                      unblock=_("--user NAME, or --skip docker-group"))
    return user


def plan(facts: Facts, options: Optional[FixOptions] = None,
         users: Optional[FrozenSet[str]] = None) -> Plan:
    """users: the target's local user names, when read (usermod changes only those)."""
    user = target_user(facts, options)
    if user is None:
        return Plan(step=name, not_needed=_(
            "dldoctor runs as root and no SUDO_USER names a user to add; root already has full "
            "access to Docker (--user NAME adds one)"))
    if users is not None and user not in users:
        given = getattr(options, "user", None) == user
        raise Refused(_("docker-group: {user} ({source}) is not in /etc/passwd: usermod adds only "
                        "local users; for a directory (LDAP) user, run `gpasswd -a {user} docker`").format(
                            user=user, source="--user" if given else "SUDO_USER"),
                      unblock=_("--user NAME, or --skip docker-group"))
    db = getattr(facts, "group_db", None)
    if not known(db):
        reason = getattr(db, "reason", "not collected")
        raise Refused(_("docker-group: cannot read the group database ({reason})").format(
            reason=reason))
    groups = getattr(db, "groups", {}) or {}
    changes: List[Run] = []
    notes: List[str] = []
    if GROUP not in groups:
        changes.append(Run(("groupadd", "--system", GROUP),
                           _("create the docker group (dockerd gives it its socket)"),
                           ("groupdel", GROUP)))
        members = ()
    else:
        members = tuple(groups[GROUP][1])
    if user not in members:
        changes.append(Run(("usermod", "-aG", GROUP, user),
                           _("let {user} use Docker without sudo").format(user=user),
                           ("gpasswd", "-d", user, GROUP)))
        notes.append(_(NOTE_NEW_LOGIN).format(user=user))
        return Plan(step=name, changes=tuple(changes), notes=tuple(notes),
                    warnings=(_(WARN_ROOT_EQUIVALENT),))
    # Already a member: nothing to change, but the session may still predate the membership.
    ident: Optional[Fact[Identity]] = getattr(facts, "identity", None)
    if known(ident) and getattr(ident, "user", None) == user and \
            hasattr(ident, "in_group") and not ident.in_group(GROUP):
        notes.append(_(NOTE_NEW_LOGIN).format(user=user))
    else:
        notes.append(_("{user} is already in the docker group").format(user=user))
    return Plan(step=name, notes=tuple(notes))


step = DockerGroup()
