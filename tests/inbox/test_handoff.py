"""Where a handoff leaves a conversation: with the other silo's seat told, or — when nobody
holds that seat — in hub triage with the hub told; and what the people it left see after."""

import pytest

from tests import factories
from tests.inbox import factories as inbox
from unsilo.core.actor import Actor
from unsilo.core.models import Role
from unsilo.inbox import actions
from unsilo.inbox.models import (
    ConsultStatus,
    Conversation,
    Notification,
    NotificationKind,
    RoutingDecision,
)
from unsilo.org.models import SeatRole, SiloKind

pytestmark = pytest.mark.django_db


@pytest.fixture
def org():
    hub = factories.silo("COE", kind=SiloKind.HUB)
    care, finance, legal = (factories.silo(n) for n in ("Customer Care", "Finance", "Legal"))
    lee = factories.user(Role.HUB_ADMIN, person=factories.person(hub, name="Lee Lead"))
    rae = factories.user(Role.RESPONDER, person=factories.person(care, name="Rae Care"))
    lex = factories.person(legal, name="Lex Law")
    factories.seat(legal, lex, SeatRole.CAPTAIN)
    # Finance has people but nobody holds its seat.
    factories.person(finance, name="Fin Person")
    conv = inbox.conversation(care, text="Why was I charged twice?")
    # Given to Rae as the inbox does it: with its routing decision.
    actions.assign(Actor.for_user(lee), conv, rae.person)
    Notification.objects.all().delete()
    return {"hub": hub, "care": care, "finance": finance, "legal": legal, "lee": lee,
            "rae": rae, "lex": lex, "conv": conv}


def test_a_handoff_to_an_empty_seat_waits_in_hub_triage_and_the_hub_is_told(org):
    record = actions.handoff(Actor.for_user(org["rae"]), org["conv"], org["finance"],
                             "It is a billing question")
    conv = Conversation.objects.get(pk=org["conv"].pk)
    assert (conv.silo, conv.triage, conv.assignee) == (org["finance"], True, None)
    assert record.triage and "waits in hub triage" in record.outcome
    assert "the hub is told" in record.outcome
    decision = RoutingDecision.objects.get(conversation=conv, source="handoff")
    assert decision.triage and "seat is empty" in decision.reasons[1]
    assert conv.reasons == decision.reasons
    # The hub hears of it, by the sender's name; nobody is told "the captains are notified".
    note = Notification.objects.get(kind=NotificationKind.HANDOFF)
    assert note.person_id == org["lee"].person_id
    assert note.text.startswith("Rae Care handed") and "seat is empty" in note.text
    # It is in the hub's triage queue, where the hub assigns it to someone of Finance.
    from unsilo.inbox import queries

    lee = Actor.for_user(org["lee"])
    assert conv in queries.conversation_page(lee, "triage").items
    fin = org["finance"].people.get()
    actions.assign(lee, conv, fin)
    conv.refresh_from_db()
    assert (conv.silo, conv.triage, conv.assignee) == (org["finance"], False, fin)


def test_a_handoff_to_a_filled_seat_tells_the_seat(org):
    record = actions.handoff(Actor.for_user(org["rae"]), org["conv"], org["legal"], "Legal")
    conv = Conversation.objects.get(pk=org["conv"].pk)
    assert (conv.silo, conv.triage) == (org["legal"], False)
    assert not record.triage and record.outcome.endswith("its seat is told.")
    assert list(Notification.objects.values_list("person_id", "kind")) == [
        (org["lex"].pk, NotificationKind.HANDOFF)]


def test_a_seat_of_delegates_only_is_not_empty_and_they_are_told(org):
    delegate = factories.person(org["finance"], name="Del Egate")
    factories.seat(org["finance"], delegate, SeatRole.DELEGATE)
    record = actions.handoff(Actor.for_user(org["rae"]), org["conv"], org["finance"], "Bills")
    assert not record.triage
    assert Notification.objects.filter(person=delegate, kind=NotificationKind.HANDOFF).exists()


def test_the_person_handing_off_is_told_where_it_went_on_the_page_and_in_the_api(org, login,
                                                                                 api):
    client = login(org["rae"])
    response = client.post(f"/inbox/c/{org['conv'].pk}/handoff/", {
        "handoff-silo": org["finance"].pk, "handoff-reason": "It is a billing question"},
        follow=True)
    page = response.content.decode()
    assert "nobody holds its seat, so it waits in hub triage" in page
    assert "the other silo&#x27;s captains are notified" not in page
    other = inbox.conversation(org["care"], assignee=org["rae"].person)
    answer = api(org["rae"]).post(f"/api/v1/conversations/{other.pk}/handoff",
                                  {"silo_id": org["finance"].pk, "reason": "billing"},
                                  content_type="application/json")
    assert answer.status_code == 201, answer.content
    body = answer.json()
    assert body["triage"] is True and "waits in hub triage" in body["outcome"]


# After it moved on ------------------------------------------------------------------------


def test_the_former_assignee_reads_it_with_where_it_went_and_no_actions(org, login):
    conv = org["conv"]
    actions.handoff(Actor.for_user(org["lee"]), conv, org["legal"], "They mention a lawyer")
    client = login(org["rae"])
    response = client.get(f"/inbox/c/{conv.pk}/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Where it is now" in page
    assert "In <b>Legal</b>" in page and "They mention a lawyer" in page
    assert "Handoff by Lee Lead" in page
    assert "Why was I charged twice?" in page  # the thread, to read
    for action in ("Send reply", "Add note", "Resolve", "Take it", "Hand off", "presence"):
        assert action not in page, action
    # Still out of their queues, and every action refused as before.
    assert f'id="conv-{conv.pk}"' not in client.get("/inbox/?queue=mine").content.decode()
    assert client.post(f"/inbox/c/{conv.pk}/reply/", {"reply-text": "hi"}).status_code == 404
    assert client.post(f"/inbox/c/{conv.pk}/note/", {"note-text": "hi"}).status_code == 404


def test_someone_never_involved_still_gets_not_found(org, login):
    actions.handoff(Actor.for_user(org["rae"]), org["conv"], org["legal"], "Legal")
    stranger = factories.user(Role.RESPONDER, org["care"])
    assert login(stranger).get(f"/inbox/c/{org['conv'].pk}/").status_code == 404


def test_a_consultee_after_the_move_reads_it_without_actions(org, login):
    conv = org["conv"]
    expert = factories.user(Role.RESPONDER, person=factories.person(org["legal"], name="Ex"))
    rae = Actor.for_user(org["rae"])
    consult = actions.consult(rae, conv, expert.person, "Seen this before?")
    actions.handoff(rae, conv, org["finance"], "Billing after all")
    consult.refresh_from_db()
    assert consult.status == ConsultStatus.WITHDRAWN
    assert Notification.objects.filter(person=expert.person, kind=NotificationKind.HANDOFF,
                                       text__contains="Your consult is closed").exists()
    page = login(expert).get(f"/inbox/c/{conv.pk}/").content.decode()
    assert "Where it is now" in page and "hub triage" in page and "Billing after all" in page
    for action in ("Answer the consult", "Send reply", "Add note"):
        assert action not in page, action


def test_the_api_shows_it_read_only_with_where_it_went(org, api):
    conv = org["conv"]
    actions.handoff(Actor.for_user(org["lee"]), conv, org["legal"], "They mention a lawyer")
    client = api(org["rae"])
    detail = client.get(f"/api/v1/conversations/{conv.pk}")
    assert detail.status_code == 200
    body = detail.json()
    assert body["read_only"] is True
    assert body["moved"]["silo"] == "Legal" and body["moved"]["reason"] == \
        "They mention a lawyer"
    assert body["moved"]["by"] == "Lee Lead"
    assert client.post(f"/api/v1/conversations/{conv.pk}/replies", {"text": "hi"},
                       content_type="application/json").status_code == 404
    # Those who work on it get it as before (the same test client, now as the hub admin).
    working = api(org["lee"]).get(f"/api/v1/conversations/{conv.pk}").json()
    assert working["read_only"] is False and working["moved"] is None


# Why it is where it is ---------------------------------------------------------------------


def test_why_shows_the_current_reason_first_then_the_history(org, login):
    conv = org["conv"]
    RoutingDecision.objects.all().delete()
    RoutingDecision.objects.create(conversation=conv, source="model", silo=org["care"],
                                   assignee=org["rae"].person, confidence=0.87,
                                   reasons=["like 23 conversations Customer Care resolved"])
    Conversation.objects.filter(pk=conv.pk).update(
        confidence=0.87, reasons=["like 23 conversations Customer Care resolved"])
    dana = factories.person(org["care"], name="Dana Ruiz")
    lee = Actor.for_user(org["lee"])
    actions.assign(lee, conv, dana)
    conv.refresh_from_db()
    assert conv.reasons == ["assigned to Dana Ruiz by Lee Lead"]
    page = login(org["lee"]).get(f"/inbox/c/{conv.pk}/").content.decode()
    why = page.index("Why it is here")
    current = page.index("assigned to Dana Ruiz by Lee Lead", why)
    history = page.index("Decision history", why)
    first_choice = page.index("like 23 conversations Customer Care resolved", why)
    assert why < current < history < first_choice
    assert "set by a person" in page
    # Taking it is a reason of its own.
    actions.take(Actor.for_user(org["rae"]), conv)
    conv.refresh_from_db()
    assert conv.reasons == ["taken by Rae Care"]
