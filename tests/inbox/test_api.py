"""The inbox over the API: lists and detail scoped by silo, every action with its status codes
(403/404 across silos, 409 on collision, 422 naming the field)."""

import pytest

from tests import factories
from tests.inbox import factories as inbox
from unsilo.core.models import AuditEvent, Role
from unsilo.inbox.models import (
    Consult,
    ConsultStatus,
    Direction,
    Handoff,
    Note,
    RoutingDecision,
    Status,
)

pytestmark = pytest.mark.django_db
JSON = "application/json"


@pytest.fixture
def billing():
    return factories.silo("Billing")


def login(role, silo, email):
    return factories.user(role, silo, person=factories.person(silo, email=email))


@pytest.fixture
def responder(billing):
    return login(Role.RESPONDER, billing, "rae@example.com")


@pytest.fixture
def outsider():
    return login(Role.RESPONDER, factories.silo("Sales"), "out@example.com")


def post(client, url, data=None):
    return client.post(url, data or {}, content_type=JSON)


def test_list_shows_only_what_the_caller_may_see_with_filters_and_cursor(api, billing,
                                                                        responder, outsider):
    mine = [inbox.conversation(billing, text=f"refund number {n}", at=inbox.minutes_ago(n),
                               sentiment="negative" if n % 2 else "positive")
            for n in range(5)]
    inbox.conversation(outsider.person.silo, text="refund elsewhere")
    client = api(responder)
    first = client.get("/api/v1/conversations", {"limit": 3})
    assert factories.listed(first, "id") == [c.pk for c in mine[:3]]
    cursor = first.json()["next_cursor"]
    rest = client.get("/api/v1/conversations", {"limit": 3, "cursor": cursor})
    assert factories.listed(rest, "id") == [c.pk for c in mine[3:]]
    assert rest.json()["next_cursor"] is None
    negative = client.get("/api/v1/conversations", {"sentiment": "negative", "q": "refund"})
    assert factories.listed(negative, "id") == [mine[1].pk, mine[3].pk]
    item = first.json()["items"][0]
    assert (item["silo"], item["status"], item["author"]) == ("Billing", "open",
                                                              mine[0].author)


def test_list_refuses_a_bad_filter_naming_it(api, responder):
    response = api(responder).get("/api/v1/conversations", {"status": "closed"})
    assert response.status_code == 422
    assert "status" in response.json()["fields"]
    assert api(responder).get("/api/v1/conversations", {"queue": "nope"}).status_code == 422


def test_detail_has_thread_decisions_sla_and_customer_history(api, billing, responder):
    conv = inbox.conversation(billing, author="jo", reasons=["like 3 Billing resolved"],
                              confidence=0.8)
    inbox.message(conv, text="We fixed it", direction=Direction.OUTBOUND)
    earlier = inbox.conversation(billing, author="jo", network=conv.network,
                                 at=inbox.minutes_ago(600))
    RoutingDecision.objects.create(conversation=conv, source="model", silo=billing,
                                   confidence=0.8, reasons=["like 3 Billing resolved"])
    body = api(responder).get(f"/api/v1/conversations/{conv.pk}").json()
    assert [m["direction"] for m in body["messages"]] == ["in", "out"]
    assert body["decisions"][0]["reasons"] == ["like 3 Billing resolved"]
    assert body["decisions"][0]["confidence"] == 0.8
    assert set(body["sla"]) >= {"state", "first_response_due", "resolution_overdue"}
    assert [c["id"] for c in body["customer_history"]] == [earlier.pk]


def test_detail_and_actions_across_silos_are_404(api, billing, outsider):
    conv = inbox.conversation(billing)
    client = api(outsider)
    assert client.get(f"/api/v1/conversations/{conv.pk}").status_code == 404
    assert post(client, f"/api/v1/conversations/{conv.pk}/take").status_code == 404
    assert post(client, f"/api/v1/conversations/{conv.pk}/replies",
                {"text": "hi"}).status_code == 404
    assert not AuditEvent.objects.filter(object_type="inbox.conversation").exists()


def test_viewer_sees_but_may_not_act_403(api, billing):
    viewer = factories.user(Role.VIEWER, billing)
    conv = inbox.conversation(billing)
    client = api(viewer)
    assert client.get(f"/api/v1/conversations/{conv.pk}").status_code == 200
    response = post(client, f"/api/v1/conversations/{conv.pk}/take")
    assert response.status_code == 403 and response.json()["detail"]


def test_assign_take_and_422_for_someone_of_another_silo(api, billing, responder, outsider):
    conv = inbox.conversation(billing)
    dana = factories.person(billing)
    client = api(responder)
    body = post(client, f"/api/v1/conversations/{conv.pk}/assign", {"person_id": dana.pk}).json()
    assert body["assignee_id"] == dana.pk
    refused = post(client, f"/api/v1/conversations/{conv.pk}/assign",
                   {"person_id": outsider.person.pk})
    assert refused.status_code == 422 and "person_id" in refused.json()["fields"]
    missing = post(client, f"/api/v1/conversations/{conv.pk}/assign", {"person_id": 99999})
    assert missing.status_code == 422 and "person_id" in missing.json()["fields"]
    taken = post(client, f"/api/v1/conversations/{conv.pk}/take").json()
    assert taken["assignee"] == "rae@example.com"


def test_consult_flow_over_the_api(api, billing, responder, outsider):
    conv = inbox.conversation(billing)
    made = post(api(responder), f"/api/v1/conversations/{conv.pk}/consults",
                {"expert_id": outsider.person.pk, "question": "Can you check?"})
    assert made.status_code == 201 and made.json()["status"] == "open"
    expert = api(outsider)
    # The expert now sees the conversation and answers; they still may not take it.
    assert expert.get(f"/api/v1/conversations/{conv.pk}").status_code == 200
    assert post(expert, f"/api/v1/conversations/{conv.pk}/take").status_code == 403
    answer = post(expert, f"/api/v1/consults/{made.json()['id']}/answer",
                  {"text": "Checked: fine"})
    assert answer.status_code == 201 and answer.json()["note"]["text"] == "Checked: fine"
    assert Consult.objects.get().status == ConsultStatus.ANSWERED
    # Answered: the expert still follows the conversation, but may no longer note on it.
    assert expert.get(f"/api/v1/conversations/{conv.pk}").status_code == 200
    assert post(expert, f"/api/v1/conversations/{conv.pk}/notes",
                {"text": "one more thing"}).status_code == 403


def test_handoff_needs_reason_422_then_moves(api, billing, responder):
    legal = factories.silo("Legal")
    conv = inbox.conversation(billing)
    client = api(responder)
    bad = post(client, f"/api/v1/conversations/{conv.pk}/handoff",
               {"silo_id": legal.pk, "reason": ""})
    assert bad.status_code == 422 and "reason" in bad.json()["fields"]
    done = post(client, f"/api/v1/conversations/{conv.pk}/handoff",
                {"silo_id": legal.pk, "reason": "legal threat"})
    assert done.status_code == 201 and done.json()["to_silo_id"] == legal.pk
    assert Handoff.objects.count() == 1
    # Gone from the responder's silo: out of their lists, and what they can open is read-only.
    assert conv.pk not in factories.listed(client.get("/api/v1/conversations"), "id")
    detail = client.get(f"/api/v1/conversations/{conv.pk}").json()
    assert detail["read_only"] is True and detail["moved"]["silo"] == "Legal"
    assert post(client, f"/api/v1/conversations/{conv.pk}/notes",
                {"text": "still mine?"}).status_code == 404


def test_notes_reply_collision_409_and_force(api, billing, responder):
    colleague = login(Role.RESPONDER, billing, "cy@example.com")
    conv = inbox.conversation(billing)
    seen = conv.messages.get().pk
    note = post(api(responder), f"/api/v1/conversations/{conv.pk}/notes",
                {"text": "ask @cy@example.com"})
    assert note.status_code == 201 and note.json()["mentions"][0]["email"] == "cy@example.com"
    assert Note.objects.count() == 1
    first = post(api(colleague), f"/api/v1/conversations/{conv.pk}/replies",
                 {"text": "On it", "seen_message_id": seen})
    assert first.status_code == 201 and first.json()["state"] == "queued"
    clash = post(api(responder), f"/api/v1/conversations/{conv.pk}/replies",
                 {"text": "Me too", "seen_message_id": seen})
    assert clash.status_code == 409
    assert clash.json()["who"] and "replied" in clash.json()["detail"]
    forced = post(api(responder), f"/api/v1/conversations/{conv.pk}/replies",
                  {"text": "Me too", "seen_message_id": seen, "force": True})
    assert forced.status_code == 201
    empty = post(api(responder), f"/api/v1/conversations/{conv.pk}/replies", {"text": " "})
    assert empty.status_code == 422 and "text" in empty.json()["fields"]


def test_resolve_reopen_and_classification(api, billing, responder):
    conv = inbox.conversation(billing)
    client = api(responder)
    assert post(client, f"/api/v1/conversations/{conv.pk}/resolve").json()["status"] == (
        Status.RESOLVED)
    assert post(client, f"/api/v1/conversations/{conv.pk}/resolve").status_code == 422
    assert post(client, f"/api/v1/conversations/{conv.pk}/reopen").json()["status"] == "open"
    body = post(client, f"/api/v1/conversations/{conv.pk}/classification",
                {"sentiment": "negative"}).json()
    assert body["sentiment"] == "negative"
    bad = post(client, f"/api/v1/conversations/{conv.pk}/classification", {"sentiment": "meh"})
    assert bad.status_code == 422 and "sentiment" in bad.json()["fields"]


def test_experts_suggestions(api, billing, responder):
    factories.person(factories.silo("Legal"), name="Lou", skills=["refunds"])
    conv = inbox.conversation(billing, text="refunds please", intent="refunds")
    body = api(responder).get(f"/api/v1/conversations/{conv.pk}/experts").json()
    assert [(e["person"]["name"], e["silo"]) for e in body] == [("Lou", "Legal")]


def test_openapi_lists_the_inbox_under_its_tag(api, responder):
    schema = api(responder).get("/api/v1/openapi.json").json()
    ops = schema["paths"]["/api/v1/conversations/{conversation_id}/replies"]["post"]
    assert ops["tags"] == ["Inbox"] and "409" in ops["responses"]


def test_list_and_detail_query_counts_do_not_grow_with_the_page(api, billing, responder,
                                                               django_assert_max_num_queries):
    account = factories.account(billing)
    for n in range(30):
        conv = inbox.conversation(billing, account=account, assignee=responder.person,
                                  at=inbox.minutes_ago(n))
        inbox.message(conv, text="more", direction=Direction.OUTBOUND)
    client = api(responder)
    with django_assert_max_num_queries(12):
        assert len(client.get("/api/v1/conversations", {"limit": 30}).json()["items"]) == 30
    with django_assert_max_num_queries(12):
        assert client.get(f"/api/v1/conversations/{conv.pk}").status_code == 200
