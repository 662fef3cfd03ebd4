"""docker-group planning: groupadd when missing, usermod for SUDO_USER, the notes and the warning."""
from __future__ import annotations

import pytest

from dldoctor.errors import Refused
from dldoctor.facts import Unknown
from dldoctor.model import Run
from dldoctor.parse.id_group import parse_id
from dldoctor.provision import docker_group as dg
from dldoctor.provision.options import FixOptions

from provision_fakes import make_facts

GROUP = "root:x:0:\nsudo:x:27:alice\nusers:x:100:\nalice:x:1000:\n"


def test_missing_group_is_created_and_the_sudo_user_added():
    plan = dg.plan(make_facts(group=GROUP, sudo_user="alice"), FixOptions())
    assert plan.changes == (
        Run(("groupadd", "--system", "docker"), plan.changes[0].why, ("groupdel", "docker")),
        Run(("usermod", "-aG", "docker", "alice"), plan.changes[1].why,
            ("gpasswd", "-d", "alice", "docker")),
    )
    assert "newgrp docker" in plan.notes[0] and "Log out and back in" in plan.notes[0]
    assert plan.warnings == (dg.WARN_ROOT_EQUIVALENT,)
    assert '"The docker group grants root-level privileges to the user"' in plan.warnings[0]


def test_existing_group_only_adds_the_user():
    plan = dg.plan(make_facts(group=GROUP + "docker:x:999:bob\n", sudo_user="alice"), FixOptions())
    assert [c.argv for c in plan.changes] == [("usermod", "-aG", "docker", "alice")]


def test_user_option_wins_over_sudo_user():
    plan = dg.plan(make_facts(group=GROUP + "docker:x:999:\n", sudo_user="alice"),
                   FixOptions(user="carol"))
    assert plan.changes[0].argv == ("usermod", "-aG", "docker", "carol")


def test_already_a_member_is_an_empty_plan():
    plan = dg.plan(make_facts(group=GROUP + "docker:x:999:bob,alice\n", sudo_user="alice"), None)
    assert plan.empty and plan.notes == ("alice is already in the docker group",)


def test_member_whose_session_predates_it_is_told_to_log_in_again():
    facts = make_facts(group=GROUP + "docker:x:999:alice\n", sudo_user="alice")
    facts.identity = parse_id("uid=1000(alice) gid=1000(alice) groups=1000(alice),27(sudo)")
    plan = dg.plan(facts, None)
    assert plan.empty and "newgrp docker" in plan.notes[0]


@pytest.mark.parametrize("sudo_user, user, match", [
    (None, None, "no user to add.*--user NAME"),
    ("root", None, "root already has full access"),
])
def test_no_usable_user_is_refused(sudo_user, user, match):
    with pytest.raises(Refused, match=match):
        dg.plan(make_facts(group=GROUP, sudo_user=sudo_user), FixOptions(user=user))


def test_unknown_group_db_is_refused():
    facts = make_facts(sudo_user="alice")
    facts.group_db = Unknown("not collected (group)")
    with pytest.raises(Refused, match="cannot read the group database"):
        dg.plan(facts, None)


def test_root_login_without_sudo_user_is_not_needed_and_user_adds_one():
    facts = make_facts(group=GROUP)
    facts.identity = parse_id("uid=0(root) gid=0(root) groups=0(root)")
    plan = dg.plan(facts, FixOptions())
    assert plan.empty and not plan.blocked
    assert "runs as root" in plan.not_needed and "--user NAME" in plan.not_needed
    plan = dg.plan(facts, FixOptions(user="alice"))
    assert [c.argv for c in plan.changes][-1] == ("usermod", "-aG", "docker", "alice")


def test_plain_user_without_sudo_is_the_target():
    facts = make_facts(group=GROUP)
    facts.identity = parse_id("uid=1000(alice) gid=1000(alice) groups=1000(alice)")
    plan = dg.plan(facts, None)
    assert ("usermod", "-aG", "docker", "alice") in [c.argv for c in plan.changes]
