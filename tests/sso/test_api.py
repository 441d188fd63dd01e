"""The hub edits single sign-on's settings and group mapping through the API too."""

import pytest

from tests import factories
from unsilo.core.models import AuditEvent, Role
from unsilo.sso.models import GroupRole, GroupSeat

pytestmark = pytest.mark.django_db


def test_the_hub_maps_groups_to_roles_and_seats(api, admin):
    client = api(admin)
    care = factories.silo("Care")
    made = client.post("/api/v1/sso/group-roles", {"group": " care ", "role": "responder"},
                       content_type="application/json")
    assert made.status_code == 201 and made.json()["group"] == "care"
    seat = client.post("/api/v1/sso/group-seats",
                       {"group": "care-seat", "silo_id": care.pk, "seat_role": "captain"},
                       content_type="application/json")
    assert seat.status_code == 201 and seat.json()["silo_id"] == care.pk
    assert [r["group"] for r in client.get("/api/v1/sso/group-roles").json()] == ["care"]
    twice = client.post("/api/v1/sso/group-roles", {"group": "care", "role": "viewer"},
                        content_type="application/json")
    assert twice.status_code == 422 and twice.json()["detail"].startswith("group:")
    gone = client.delete(f"/api/v1/sso/group-seats/{seat.json()['id']}")
    assert gone.status_code == 204 and not GroupSeat.objects.exists()
    assert AuditEvent.objects.filter(object_type="sso.groupseat", action="delete").exists()


def test_settings_over_the_api(api, admin):
    client = api(admin)
    assert client.get("/api/v1/sso/settings").json()["configured"] is False
    off = client.patch("/api/v1/sso/settings", {"password_sign_in": False},
                       content_type="application/json")
    assert off.status_code == 422 and off.json()["detail"].startswith("break_glass_id:")
    off = client.patch("/api/v1/sso/settings",
                       {"password_sign_in": False, "break_glass_id": admin.pk},
                       content_type="application/json")
    assert off.status_code == 200
    assert off.json()["password_sign_in"] is False and off.json()["break_glass_id"] == admin.pk


def test_only_hub_admins_see_the_mapping(api):
    captain = factories.user(Role.CAPTAIN, factories.silo("Care"))
    assert api(captain).get("/api/v1/sso/group-roles").status_code == 403
    assert api(captain).post("/api/v1/sso/group-roles", {"group": "x", "role": "hub_admin"},
                             content_type="application/json").status_code == 403
    assert not GroupRole.objects.exists()
