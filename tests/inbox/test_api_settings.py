"""The inbox's settings and notifications over the API: the same roles as the actions."""

import pytest

from tests import factories
from tests.inbox import factories as inbox
from unsilo.core.models import Role
from unsilo.inbox.models import Notification, SavedReply

pytestmark = pytest.mark.django_db
JSON = "application/json"


@pytest.fixture
def care():
    return factories.silo("Care")


@pytest.fixture
def captain(care):
    return factories.user(Role.CAPTAIN, care)


def test_saved_replies_crud_and_render(api, admin, captain, care):
    hub = api(admin)
    made = hub.post("/api/v1/saved-replies", {"title": "Hi", "text": "Hi {customer} from "
                                              "{silo}, {agent_first}"}, content_type=JSON)
    assert made.status_code == 201 and made.json()["silo_id"] is None
    client = api(captain)
    refused = client.post("/api/v1/saved-replies", {"title": "x", "text": "y"},
                          content_type=JSON)
    assert refused.status_code == 403
    own = client.post("/api/v1/saved-replies", {"title": "Care", "text": "z",
                                                "silo_id": care.pk}, content_type=JSON)
    assert own.status_code == 201
    other = factories.silo("Sales")
    SavedReply.objects.create(title="Sales only", text="s", silo=other)
    assert [r["title"] for r in client.get("/api/v1/saved-replies").json()] == ["Care", "Hi"]
    changed = client.patch(f"/api/v1/saved-replies/{own.json()['id']}", {"text": "new"},
                           content_type=JSON)
    assert changed.json()["text"] == "new"
    conv = inbox.conversation(care, author="jo")
    rendered = client.get(f"/api/v1/saved-replies/{made.json()['id']}/render",
                          {"conversation_id": conv.pk}).json()["text"]
    assert rendered == f"Hi jo from Care, {captain.person.name.split()[0]}"
    assert client.delete(f"/api/v1/saved-replies/{own.json()['id']}").status_code == 204
    missing = client.post("/api/v1/saved-replies", {"title": "x", "text": "y",
                                                    "silo_id": 999999}, content_type=JSON)
    assert missing.status_code == 422 and "silo_id" in missing.json()["fields"]


def test_rules_crud_for_the_hub_403_for_others(api, admin, captain, care):
    made = api(admin).post("/api/v1/routing/rules", {"name": "Refunds",
                                                     "keywords": ["refund"], "silo_id": care.pk},
                           content_type=JSON)
    assert made.status_code == 201 and made.json()["keywords"] == ["refund"]
    rule_id = made.json()["id"]
    assert api(captain).patch(f"/api/v1/routing/rules/{rule_id}", {"position": 1},
                              content_type=JSON).status_code == 403
    assert [r["name"] for r in api(captain).get("/api/v1/routing/rules").json()] == ["Refunds"]
    no_silo = api(admin).post("/api/v1/routing/rules", {"name": "x", "target": "silo"},
                              content_type=JSON)
    assert no_silo.status_code == 422 and "silo_id" in no_silo.json()["fields"]
    assert api(admin).delete(f"/api/v1/routing/rules/{rule_id}").status_code == 204


def test_sla_and_business_hours_of_a_silo(api, captain, care):
    client = api(captain)
    body = client.get(f"/api/v1/silos/{care.pk}/sla").json()
    urgent = next(p for p in body["policies"] if p["urgency"] == "urgent")
    assert urgent == {"urgency": "urgent", "first_response_minutes": 30,
                      "resolution_minutes": 240, "default": True}
    assert body["business_hours"] is None
    body = client.put(f"/api/v1/silos/{care.pk}/sla/urgent",
                      {"first_response_minutes": 15, "resolution_minutes": 90},
                      content_type=JSON).json()
    urgent = next(p for p in body["policies"] if p["urgency"] == "urgent")
    assert (urgent["first_response_minutes"], urgent["default"]) == (15, False)
    body = client.put(f"/api/v1/silos/{care.pk}/business-hours",
                      {"timezone": "Europe/Berlin", "start": "08:00", "end": "16:00"},
                      content_type=JSON).json()
    assert body["business_hours"]["timezone"] == "Europe/Berlin"
    bad = client.put(f"/api/v1/silos/{care.pk}/business-hours", {"timezone": "Nowhere/X"},
                     content_type=JSON)
    assert bad.status_code == 422 and "timezone" in bad.json()["fields"]
    other = factories.silo("Sales")
    assert client.put(f"/api/v1/silos/{other.pk}/sla/low", {"first_response_minutes": 1,
                                                            "resolution_minutes": 2},
                      content_type=JSON).status_code == 403
    assert client.delete(f"/api/v1/silos/{care.pk}/sla/urgent").status_code == 200
    assert client.delete(f"/api/v1/silos/{care.pk}/sla/urgent").status_code == 404


def test_absences_and_inbox_settings(api, admin, captain, care):
    responder = factories.user(Role.RESPONDER, care)
    client = api(responder)
    made = client.post("/api/v1/absences", {"person_id": responder.person.pk,
                                            "starts": "2026-12-01T00:00:00Z",
                                            "ends": "2026-12-05T00:00:00Z"}, content_type=JSON)
    assert made.status_code == 201
    bad = client.post("/api/v1/absences", {"person_id": responder.person.pk,
                                           "starts": "2026-12-05T00:00:00Z",
                                           "ends": "2026-12-01T00:00:00Z"}, content_type=JSON)
    assert bad.status_code == 422 and "ends" in bad.json()["fields"]
    assert client.post("/api/v1/absences", {"person_id": captain.person.pk,
                                            "starts": "2026-12-01T00:00:00Z",
                                            "ends": "2026-12-05T00:00:00Z"},
                       content_type=JSON).status_code == 403
    assert len(api(captain).get("/api/v1/absences").json()) == 1
    assert api(captain).patch("/api/v1/inbox/settings", {"triage_threshold": 0.5},
                              content_type=JSON).status_code == 403
    out = api(admin).patch("/api/v1/inbox/settings", {"triage_threshold": 0.5},
                           content_type=JSON)
    assert out.json()["triage_threshold"] == 0.5
    assert api(admin).patch("/api/v1/inbox/settings", {"triage_threshold": 2},
                            content_type=JSON).status_code == 422


def test_notifications_list_mine_and_mark_read(api, captain, care):
    conv = inbox.conversation(care)
    first = Notification.objects.create(person=captain.person, kind="mention", text="a",
                                        conversation=conv)
    Notification.objects.create(person=captain.person, kind="consult", text="b")
    Notification.objects.create(person=factories.person(care), kind="mention", text="c")
    client = api(captain)
    body = client.get("/api/v1/notifications").json()
    assert body["unread"] == 2 and [n["text"] for n in body["items"]] == ["b", "a"]
    marked = client.post("/api/v1/notifications/read", {"ids": [first.pk]}, content_type=JSON)
    assert marked.json() == {"marked": 1}
    assert client.post("/api/v1/notifications/read", {"ids": None},
                       content_type=JSON).json() == {"marked": 1}
    assert client.get("/api/v1/notifications").json()["unread"] == 0


def test_deleting_business_hours_of_a_silo_deleted_meanwhile_is_404(api, admin, care,
                                                                     monkeypatch):
    from unsilo.inbox import actions
    from unsilo.inbox.models import BusinessHours
    from unsilo.org.models import Silo

    BusinessHours.objects.create(silo=care)
    delete = actions.delete_business_hours

    def silo_deleted_first(actor, hours):
        # Another request deletes the silo (and its hours) between the lookup and the action.
        Silo.objects.filter(pk=care.pk).delete()
        return delete(actor, hours)

    monkeypatch.setattr(actions, "delete_business_hours", silo_deleted_first)
    response = api(admin).delete(f"/api/v1/silos/{care.pk}/business-hours")
    assert response.status_code == 404, response.content
    assert "business hours are gone" in response.json()["detail"]


def test_business_hours_refuse_a_time_with_a_utc_offset(api, captain, care):
    response = api(captain).put(f"/api/v1/silos/{care.pk}/business-hours",
                                {"start": "09:00:00+02:00", "end": "17:00"}, content_type=JSON)
    assert response.status_code == 422, response.content
    assert list(response.json()["fields"]) == ["start"]
    assert "without a UTC offset" in response.json()["detail"]


def test_business_hours_answer_local_times_as_the_document_says(api, captain, care):
    client = api(captain)
    client.put(f"/api/v1/silos/{care.pk}/business-hours", {"start": "08:30", "end": "16:00"},
               content_type=JSON)
    hours = client.get(f"/api/v1/silos/{care.pk}/sla").json()["business_hours"]
    assert (hours["start"], hours["end"]) == ("08:30:00", "16:00:00")
    spec = client.get("/api/v1/openapi.json").json()["components"]["schemas"]
    assert spec["BusinessHoursOut"]["properties"]["start"]["format"] == "partial-time"
