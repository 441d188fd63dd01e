"""The role × permission matrix, written out independently of GRANTS so a change to either
shows up here."""

import pytest

from tests import factories
from unsilo.core.actor import Actor
from unsilo.core.models import Role
from unsilo.core.permissions import GRANTS, can, can_somewhere

pytestmark = pytest.mark.django_db

HUB, CAP, RESP, REV, VIEW = (Role.HUB_ADMIN, Role.CAPTAIN, Role.RESPONDER, Role.REVIEWER,
                             Role.VIEWER)
# perm: (roles allowed in their own silo, roles allowed in another silo)
EXPECTED = {
    "org.view": ({HUB, CAP, RESP, REV, VIEW}, {HUB, CAP, RESP, REV, VIEW}),
    "accounts.view": ({HUB, CAP, RESP, REV, VIEW}, {HUB, CAP, RESP, REV, VIEW}),
    "org.manage_silos": ({HUB}, {HUB}),
    "org.import_people": ({HUB}, {HUB}),
    "org.edit_silo": ({HUB, CAP}, {HUB}),
    "org.manage_people": ({HUB, CAP}, {HUB}),
    "org.manage_seat": ({HUB, CAP}, {HUB}),
    "org.find_experts": ({HUB, CAP, RESP}, {HUB, CAP, RESP}),
    "accounts.manage": ({HUB, CAP}, {HUB}),
    "accounts.connect": ({HUB, CAP}, {HUB}),
    "accounts.review_sightings": ({HUB}, {HUB}),
    "accounts.request": ({HUB, CAP}, {HUB}),
    "accounts.approve": ({HUB}, {HUB}),
    "accounts.confirm": ({HUB, CAP, RESP, REV, VIEW}, {HUB, CAP, RESP, REV, VIEW}),
    "inbox.view": ({HUB, CAP, RESP, REV, VIEW}, {HUB, VIEW}),
    "inbox.respond": ({HUB, CAP, RESP}, {HUB}),
    "inbox.ingest": ({HUB}, {HUB}),
    "inbox.manage_routing": ({HUB}, {HUB}),
    "inbox.view_routing": ({HUB, CAP, VIEW}, {HUB, CAP, VIEW}),
    "inbox.manage_silo_inbox": ({HUB, CAP}, {HUB}),
    "inbox.view_silo_inbox": ({HUB, CAP, RESP, REV, VIEW}, {HUB, VIEW}),
    "publishing.manage_policy": ({HUB}, {HUB}),
    "publishing.view_policy": ({HUB, CAP, RESP, REV, VIEW}, {HUB, CAP, RESP, REV, VIEW}),
    "core.view_audit": ({HUB}, {HUB}),
    "core.manage_users": ({HUB}, {HUB}),
}


def test_every_permission_is_in_the_expected_matrix():
    assert set(GRANTS) == set(EXPECTED)


@pytest.mark.parametrize("role", Role.values)
@pytest.mark.parametrize("perm", sorted(EXPECTED))
def test_role_matrix(role, perm):
    own, other = factories.silo(), factories.silo()
    actor = Actor.for_user(factories.user(role, own))
    allowed_own, allowed_other = EXPECTED[perm]
    assert can(actor, perm, own.pk) == (role in allowed_own)
    assert can(actor, perm, other.pk) == (role in allowed_other)


def test_a_captain_without_a_silo_has_no_captain_powers():
    user = factories.user(Role.CAPTAIN)
    user.person = None
    actor = Actor.for_user(user)
    assert not can(actor, "org.manage_people", None)
    assert not can_somewhere(actor, "org.manage_people")


def test_an_inactive_login_may_do_nothing():
    user = factories.user(Role.HUB_ADMIN, is_active=False)
    assert not can(Actor.for_user(user), "org.view")


def test_the_cli_acts_for_the_installation():
    assert can(Actor.system(), "org.manage_silos")
