"""Roles and seats from the provider's groups, through the hub's mapping; a change at the
provider counts from the next sign-in."""

import pytest

from tests import factories
from unsilo.core.actor import Actor
from unsilo.core.models import AuditEvent, Role, User
from unsilo.org.models import SeatMember, SeatRole, SiloKind
from unsilo.sso import actions


@pytest.fixture
def hub():
    return Actor.for_user(factories.user(Role.HUB_ADMIN, factories.silo("COE", kind=SiloKind.HUB)))


def test_groups_give_the_strongest_mapped_role_and_a_change_counts_at_next_sign_in(
        sso, browser_for, hub):
    care = factories.silo("Care")
    factories.person(care, email="dee@example.com")
    actions.add_group_role(hub, "care-agents", Role.RESPONDER)
    actions.add_group_role(hub, "care-leads", Role.CAPTAIN)
    sso.person("dee@example.com", ["care-agents", "care-leads", "unmapped"])

    browser_for().sign_in("dee@example.com")
    assert User.objects.get(email="dee@example.com").role == Role.CAPTAIN

    sso.person("dee@example.com", ["care-agents"])  # no longer a lead at the provider
    assert User.objects.get(email="dee@example.com").role == Role.CAPTAIN  # until she signs in
    browser_for().sign_in("dee@example.com")
    login = User.objects.get(email="dee@example.com")
    assert login.role == Role.RESPONDER
    row = AuditEvent.objects.filter(action="sso_sign_in", object_id=str(login.pk)).first()
    assert row.changes["role"] == [Role.CAPTAIN, Role.RESPONDER]

    sso.person("dee@example.com", [])
    browser_for().sign_in("dee@example.com")
    assert User.objects.get(email="dee@example.com").role == Role.VIEWER


def test_groups_seat_people_at_their_silos_table_and_unseat_them_when_they_leave(
        sso, browser_for, hub):
    care = factories.silo("Care")
    eve = factories.person(care, email="eve@example.com")
    actions.add_group_seat(hub, "care-seat", care, SeatRole.CAPTAIN)
    sso.person("eve@example.com", ["care-seat"])

    browser_for().sign_in("eve@example.com")
    member = SeatMember.objects.get(silo=care, person=eve)
    assert member.role == SeatRole.CAPTAIN
    assert AuditEvent.objects.filter(action="create", object_type="org.seatmember").exists()

    sso.person("eve@example.com", [])
    browser_for().sign_in("eve@example.com")
    assert not SeatMember.objects.filter(silo=care, person=eve).exists()


def test_a_seat_in_a_silo_the_person_is_not_in_is_skipped_and_said(sso, browser_for, hub):
    care, sales = factories.silo("Care"), factories.silo("Sales")
    factories.person(care, email="fay@example.com")
    actions.add_group_seat(hub, "sales-seat", sales, SeatRole.DELEGATE)
    sso.person("fay@example.com", ["sales-seat"])
    assert browser_for().sign_in("fay@example.com").status_code == 200
    assert not SeatMember.objects.filter(silo=sales).exists()
    row = AuditEvent.objects.get(action="sso_sign_in")
    assert "Sales" in row.changes["seats_skipped"][1][0]


def test_the_mapping_is_the_hubs_to_edit(sso, hub):
    captain = Actor.for_user(factories.user(Role.CAPTAIN, factories.silo("Care")))
    with pytest.raises(Exception, match="Your role may not"):
        actions.add_group_role(captain, "everyone", Role.HUB_ADMIN)
    row = actions.add_group_role(hub, " admins ", Role.HUB_ADMIN)
    assert row.group == "admins"
    assert AuditEvent.objects.filter(action="create", object_type="sso.grouprole").exists()
