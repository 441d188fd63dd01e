"""Who may read the inbox's settings and the outbox: every role, in its own silo and another,
over the API and on the pages. Reads go through queries scoped to the reader
(inbox/queries/settings.py, connectors/queries.py), with the grants of core/permissions.py."""

import datetime

import pytest
from django.utils import timezone

from tests import factories
from tests.inbox import factories as inbox
from unsilo.connectors.models import Delivery, DeliveryKind, DeliveryState
from unsilo.core.models import Role
from unsilo.core.views_admin import role_matrix
from unsilo.inbox.models import Absence, BusinessHours, Direction, RoutingRule, SavedReply

pytestmark = pytest.mark.django_db

# caller: (role, sits in the silo the settings concern)
CALLERS = {
    "hub_admin": (Role.HUB_ADMIN, False),
    "captain_own": (Role.CAPTAIN, True),
    "captain_other": (Role.CAPTAIN, False),
    "responder_own": (Role.RESPONDER, True),
    "responder_other": (Role.RESPONDER, False),
    "reviewer_own": (Role.REVIEWER, True),
    "viewer_other": (Role.VIEWER, False),
}
READ_ROUTING = {"hub_admin", "captain_own", "captain_other", "viewer_other"}
READ_SILO = {"hub_admin", "captain_own", "responder_own", "reviewer_own", "viewer_other"}
CHANGE_SILO = {"hub_admin", "captain_own"}


@pytest.fixture
def world():
    home = factories.silo("Home")
    BusinessHours.objects.create(silo=home, timezone="Europe/Berlin")
    conv = inbox.conversation(home)
    reply = inbox.message(conv, direction=Direction.OUTBOUND, text="On it")
    return {
        "home": home, "elsewhere": factories.silo("Elsewhere"),
        "global": SavedReply.objects.create(title="Thanks", text="Thanks!"),
        "home_reply": SavedReply.objects.create(title="Home hello", text="Hi", silo=home),
        "rule": RoutingRule.objects.create(name="Refunds", keywords=["refund"], silo=home),
        "delivery": Delivery.objects.create(
            kind=DeliveryKind.REPLY, network="bluesky", message=reply, text=reply.text,
            idempotency_key="matrix-1", state=DeliveryState.FAILED, silo=home),
    }


def _user(world, caller):
    role, own = CALLERS[caller]
    return factories.user(role, world["home"] if own else world["elsewhere"])


@pytest.mark.parametrize("caller", CALLERS)
def test_routing_rules_and_inbox_settings_over_the_api(api, world, caller):
    client = api(_user(world, caller))
    for path in ("/api/v1/routing/rules", "/api/v1/inbox/settings"):
        response = client.get(path)
        assert response.status_code == (200 if caller in READ_ROUTING else 403), path
    if caller not in READ_ROUTING:
        assert client.get("/api/v1/routing/rules").json()["detail"] == (
            "Your role may not see routing rules and the triage threshold.")


@pytest.mark.parametrize("caller", CALLERS)
def test_a_silos_sla_over_the_api(api, world, caller):
    response = api(_user(world, caller)).get(f"/api/v1/silos/{world['home'].pk}/sla")
    assert response.status_code == (200 if caller in READ_SILO else 403)
    if caller in READ_SILO:
        assert response.json()["business_hours"]["timezone"] == "Europe/Berlin"


@pytest.mark.parametrize("caller", CALLERS)
def test_saved_replies_over_the_api(api, world, caller):
    client = api(_user(world, caller))
    titles = sorted(r["title"] for r in client.get("/api/v1/saved-replies").json())
    expected = ["Home hello", "Thanks"] if caller in READ_SILO else ["Thanks"]
    if caller in {"captain_other", "responder_other"}:
        expected = ["Thanks"]  # the global ones; their own silo has none
    assert titles == expected
    found = client.get(f"/api/v1/saved-replies/{world['home_reply'].pk}/render",
                       {"conversation_id": inbox.conversation(world["home"]).pk})
    assert found.status_code != 200 or caller in READ_SILO


@pytest.mark.parametrize("caller", CALLERS)
def test_a_silos_saved_reply_page(login, world, caller):
    """The hole of issue 8: any login read any silo's saved reply here."""
    client = login(_user(world, caller))
    response = client.get(f"/inbox/settings/replies/{world['home_reply'].pk}/")
    expected = 200 if caller in CHANGE_SILO else 403 if caller in READ_SILO else 404
    assert response.status_code == expected
    if expected != 200:
        assert b"Home hello" not in response.content and b"Hi</textarea>" not in response.content


@pytest.mark.parametrize("caller", CALLERS)
def test_a_global_saved_reply_page_is_the_hubs(login, world, caller):
    response = login(_user(world, caller)).get(f"/inbox/settings/replies/{world['global'].pk}/")
    assert response.status_code == (200 if caller == "hub_admin" else 403)


@pytest.mark.parametrize("caller", CALLERS)
def test_the_outbox_over_the_api(api, world, caller):
    client = api(_user(world, caller))
    response = client.get(f"/api/v1/deliveries/{world['delivery'].pk}")
    sees = caller in READ_SILO  # inbox.view: as the silo's conversations
    assert response.status_code == (200 if sees else 404)
    listed = [d["id"] for d in client.get("/api/v1/deliveries").json()["items"]]
    assert listed == ([world["delivery"].pk] if sees else [])


@pytest.mark.parametrize("caller", CALLERS)
def test_absences_over_the_api(api, world, caller):
    user = _user(world, caller)
    now = timezone.now()
    away = factories.person(world["home"], name="Away")
    for person in (away, user.person):
        Absence.objects.create(person=person, starts=now, ends=now + datetime.timedelta(days=1))
    listed = {a["person_id"] for a in api(user).get("/api/v1/absences").json()}
    # Your own; those of the people whose absences you manage.
    expected = {user.person.pk} | ({away.pk} if caller in CHANGE_SILO else set())
    assert listed == expected


def test_the_admin_matrix_shows_the_read_permissions():
    rows = {row["perm"]: row for row in role_matrix()}
    assert rows["inbox.view_routing"]["description"] == (
        "see routing rules and the triage threshold")
    assert rows["inbox.view_silo_inbox"]["description"] == (
        "see saved replies, SLA targets and business hours")
