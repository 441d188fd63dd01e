"""Self-harm and safety never wait in triage: the message goes at once to the person the hub
names (or the next one of its safety rota who is available, else a hub admin), at the highest
urgency, never reading positive, and the hub is told."""

import datetime

import pytest
from django.utils import timezone

from tests import factories
from unsilo.core.actor import Actor
from unsilo.core.models import Role
from unsilo.inbox import actions, ingest, pipeline
from unsilo.inbox.models import (
    Absence,
    BusinessHours,
    Conversation,
    DecisionSource,
    Message,
    Notification,
    NotificationKind,
    RoutingDecision,
)
from unsilo.inbox.routing.router import Router
from unsilo.org.models import SiloKind

pytestmark = pytest.mark.django_db
CRY = "honestly I can't take this anymore. I just want to end it all"
_n = iter(range(1, 10_000))


@pytest.fixture(autouse=True)
def _fresh_router():
    Router._cached = None
    Router._model = None


@pytest.fixture
def hub():
    """The hub with its admin Lee, and Ann and Bob who may be on the safety rota (the hub
    silo is always open, so working hours never hold them back)."""
    coe = factories.silo("COE", kind=SiloKind.HUB)
    BusinessHours.objects.create(silo=coe, always_open=True)
    admin = factories.user(Role.HUB_ADMIN, person=factories.person(coe, name="Lee Lead"))
    return {"coe": coe, "admin": admin,
            "ann": factories.person(coe, name="Ann Care"),
            "bob": factories.person(coe, name="Bob Kind")}


def rota(hub, *people):
    actions.update_inbox_settings(Actor.for_user(hub["admin"]), safety_people=list(people))


def arrive(*texts, **fields) -> list[Conversation]:
    """Customer messages through ingestion and the pipeline, each its own conversation."""
    items = []
    for text in texts:
        n = next(_n)
        items.append({"id": f"s{n}", "network": "x", "text": text, "author": f"@cust{n}",
                      "created_at": timezone.now().isoformat(), **fields})
    report = ingest.ingest(items, Actor.system(), "test")
    assert report.ok, report.errors
    pipeline.process_pending(report.new_ids)
    return [Message.objects.get(external_id=i["id"]).conversation for i in items]


@pytest.mark.parametrize("text", [
    CRY,
    "I just want to end it all",
    "thanks for nothing, I want to die",
    "Ich denke an Selbstmord",
])
def test_self_harm_goes_at_once_to_the_named_person_urgent_never_positive(hub, text):
    rota(hub, hub["ann"])
    [conv] = arrive(text)
    assert (conv.assignee, conv.triage, conv.silo) == (hub["ann"], False, hub["coe"])
    assert conv.urgency == "urgent" and conv.sentiment == "negative"
    assert "self_harm" in conv.risk
    decision = RoutingDecision.objects.get(conversation=conv)
    assert decision.source == DecisionSource.SAFETY and decision.confidence == 1.0
    assert "never to triage" in decision.reasons[0]
    assert decision.reasons[1] == "the hub names Ann Care to read it first"
    # The reader and the hub are told, at once.
    told = set(Notification.objects.filter(kind=NotificationKind.SAFETY)
               .values_list("person_id", flat=True))
    assert told == {hub["ann"].pk, hub["admin"].person_id}
    # The SLA clock runs at the highest urgency.
    assert conv.first_response_due is not None


def test_a_safety_report_takes_the_same_road(hub):
    rota(hub, hub["ann"])
    [conv] = arrive("great job, the new heater caught fire and there is smoke everywhere")
    assert conv.assignee == hub["ann"] and not conv.triage
    assert conv.urgency == "urgent" and conv.sentiment != "positive"


@pytest.mark.parametrize("text", [
    "this is killing me lol, 3 hours on hold",
    "you guys are killing it with the new app",
    "I'm dying to try the new menu",
])
def test_idioms_are_not_self_harm_and_route_as_usual(hub, text):
    rota(hub, hub["ann"])
    [conv] = arrive(text)
    # Without a routing model, an ordinary message waits in triage for the hub.
    assert conv.triage and conv.assignee is None
    assert not RoutingDecision.objects.filter(source=DecisionSource.SAFETY).exists()
    assert not Notification.objects.filter(kind=NotificationKind.SAFETY).exists()


def test_the_rota_takes_turns_in_a_batch_and_across_batches(hub):
    rota(hub, hub["ann"], hub["bob"])
    first, second = arrive(CRY, "I want to kill myself")
    assert {first.assignee, second.assignee} == {hub["ann"], hub["bob"]}
    [third] = arrive("no reason to live")
    # Ann's last turn is as old as Bob's: the earlier of the two goes first again.
    assert third.assignee == first.assignee
    assert "is next on the safety rota" in third.reasons[-1]


def test_someone_away_is_skipped_for_the_next_on_the_rota(hub):
    rota(hub, hub["ann"], hub["bob"])
    now = timezone.now()
    Absence.objects.create(person=hub["ann"], starts=now - datetime.timedelta(hours=1),
                           ends=now + datetime.timedelta(days=2))
    for conv in arrive(CRY, "I want to die"):
        assert conv.assignee == hub["bob"]
        assert "Ann Care is away until" in conv.reasons[-1]


def test_a_full_queue_does_not_hold_it_back(hub):
    hub["ann"].capacity = 0
    hub["ann"].save()
    rota(hub, hub["ann"])
    [conv] = arrive(CRY)
    assert conv.assignee == hub["ann"]


def test_nobody_named_or_available_it_goes_to_a_hub_admin_never_unassigned(hub):
    [conv] = arrive(CRY)
    assert conv.assignee_id == hub["admin"].person_id and not conv.triage
    assert "the hub names nobody" in conv.reasons[-1] and "hub admin Lee Lead" in conv.reasons[-1]
    rota(hub, hub["ann"])
    now = timezone.now()
    Absence.objects.create(person=hub["ann"], starts=now - datetime.timedelta(hours=1),
                           ends=now + datetime.timedelta(days=2))
    [later] = arrive(CRY)
    assert later.assignee_id == hub["admin"].person_id
    assert "nobody on the safety rota is available" in later.reasons[-1]


def test_a_cry_later_in_a_conversation_nobody_holds_goes_to_the_rota(hub):
    rota(hub, hub["ann"])
    billing = factories.silo("Billing")
    [conv] = arrive("where is my refund")
    Conversation.objects.filter(pk=conv.pk).update(silo=billing, triage=False)
    ingest.ingest([{"id": "later", "network": "x", "text": CRY, "author": conv.author,
                    "in_reply_to": conv.messages.get().external_id,
                    "created_at": timezone.now().isoformat()}], Actor.system(), "test")
    pipeline.process_pending()
    conv.refresh_from_db()
    assert conv.assignee == hub["ann"] and conv.urgency == "urgent"


def test_in_a_conversation_someone_holds_they_keep_it_the_hub_is_told_and_it_stays_urgent(hub):
    rota(hub, hub["ann"])
    billing = factories.silo("Billing")
    dana = factories.person(billing, name="Dana Ruiz")
    [conv] = arrive("where is my refund")
    Conversation.objects.filter(pk=conv.pk).update(silo=billing, triage=False, assignee=dana)
    first = conv.messages.get().external_id
    for n, text in enumerate((CRY, "ok thanks, it arrived")):
        ingest.ingest([{"id": f"later{n}", "network": "x", "text": text, "author": conv.author,
                        "in_reply_to": first, "created_at": timezone.now().isoformat()}],
                      Actor.system(), "test")
        pipeline.process_pending()
    conv.refresh_from_db()
    assert conv.assignee == dana
    assert set(Notification.objects.filter(kind=NotificationKind.SAFETY)
               .values_list("person_id", flat=True)) == {dana.pk, hub["admin"].person_id}
    # A calmer message later does not wash the flag or the urgency away.
    assert "self_harm" in conv.risk and conv.urgency == "urgent"


def test_the_hub_edits_the_rota_in_inbox_settings_and_a_captain_may_not(hub, login):
    client = login(hub["admin"])
    page = client.get("/inbox/settings/").content.decode()
    assert "Nobody named: the hub admins read them." in page
    response = client.post("/inbox/settings/safety/", {
        "people": f"{hub['ann'].email}\n{hub['bob'].email}"})
    assert response.status_code == 302
    page = client.get("/inbox/settings/").content.decode()
    assert "Now: Ann Care, Bob Kind, taking turns." in page
    bad = client.post("/inbox/settings/safety/", {"people": "nobody@example.com"})
    assert "Nobody has the email nobody@example.com" in bad.content.decode()
    captain = factories.user(Role.CAPTAIN, factories.silo("Care"))
    assert login(captain).post("/inbox/settings/safety/",
                               {"people": hub["ann"].email}).status_code == 403
