"""Notifications people can live with: SLA breaches of one silo within an hour are one item
that counts them and links to the overdue queue; each person chooses which kinds reach them
(captains and the hub always hear of breaches and safety); the sender is named by name."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from tests import factories
from tests.inbox import factories as inbox
from unsilo.core.actor import Actor
from unsilo.core.models import Role
from unsilo.inbox import actions, notify, queries
from unsilo.inbox.models import Notification, NotificationKind, NotificationPreference
from unsilo.inbox.tasks import sla as tasks_sla
from unsilo.org.models import SeatRole, SiloKind

pytestmark = pytest.mark.django_db
HOUR = datetime.timedelta(hours=1)


@pytest.fixture
def care():
    hub = factories.silo("COE", kind=SiloKind.HUB)
    lead = factories.user(Role.HUB_ADMIN, person=factories.person(hub, name="Lee Lead"))
    silo = factories.silo("Customer Care")
    captain = factories.user(Role.CAPTAIN, person=factories.person(silo, name="Cap Tain"))
    factories.seat(silo, captain.person, SeatRole.CAPTAIN)
    responder = factories.user(Role.RESPONDER, person=factories.person(silo, name="Rae Ponder"))
    return {"hub": hub, "lead": lead, "silo": silo, "captain": captain, "responder": responder}


def overdue(silo, n, minutes_late=5):
    """`n` conversations of `silo` whose first response was due `minutes_late` ago."""
    due = timezone.now() - datetime.timedelta(minutes=minutes_late)
    return [inbox.conversation(silo, first_response_due=due, resolution_due=due + 100 * HOUR,
                               sla_state="warned") for _ in range(n)]


def breaches(person):
    return list(Notification.objects.filter(person=person, kind=NotificationKind.SLA_BREACH))


def test_five_breaches_in_a_minute_are_one_item_linking_to_the_overdue_queue(care, login):
    overdue(care["silo"], 5)
    tasks_sla.sweep_slas()
    [group] = breaches(care["captain"].person)
    assert group.count == 5 and group.conversation_id is None
    assert group.text == "5 SLA breaches in Customer Care within an hour"
    # Something else still shows beside it, not buried.
    actions.assign(Actor.for_user(care["lead"]), inbox.conversation(care["silo"]),
                   care["captain"].person)
    client = login(care["captain"])
    page = client.get("/inbox/notifications/").content.decode()
    assert f'href="/inbox/?queue=overdue&amp;silo={care["silo"].pk}"' in page
    assert "SLA breached × 5" in page and "Lee Lead assigned you" in page
    # The bell counts the group once.
    assert queries.unread_count(Actor.for_user(care["captain"])) == 2


def test_a_single_breach_links_to_its_conversation_and_the_next_one_makes_a_group(care):
    [first] = overdue(care["silo"], 1)
    tasks_sla.sweep_slas()
    [one] = breaches(care["captain"].person)
    assert one.count == 1 and one.conversation_id == first.pk
    overdue(care["silo"], 2)
    tasks_sla.sweep_slas()
    [group] = breaches(care["captain"].person)
    assert group.pk == one.pk and group.count == 3 and group.conversation_id is None


def test_a_read_group_or_an_hour_later_starts_afresh_and_silos_do_not_mix(care):
    other = factories.silo("Logistics")
    factories.seat(other, care["captain"].person, SeatRole.CAPTAIN)
    overdue(care["silo"], 2)
    overdue(other, 2)
    tasks_sla.sweep_slas()
    assert sorted(n.text for n in breaches(care["captain"].person)) == [
        "2 SLA breaches in Customer Care within an hour",
        "2 SLA breaches in Logistics within an hour"]
    actions.mark_read(Actor.for_user(care["captain"]), None)
    overdue(care["silo"], 1)
    tasks_sla.sweep_slas()
    assert len(breaches(care["captain"].person)) == 3
    Notification.objects.update(first_at=timezone.now() - 2 * HOUR, read_at=None)
    overdue(care["silo"], 1)
    tasks_sla.sweep_slas()
    assert len(breaches(care["captain"].person)) == 4


def test_a_silo_nobody_captains_tells_the_hub_of_its_breaches(care):
    nobody = factories.silo("Finance")
    overdue(nobody, 1)
    tasks_sla.sweep_slas()
    assert [n.person_id for n in Notification.objects.filter(
        kind=NotificationKind.SLA_BREACH)] == [care["lead"].person_id]


# Choices ------------------------------------------------------------------------------------


def test_a_person_turns_a_kind_off_and_it_no_longer_reaches_them(care, login):
    client = login(care["responder"])
    page = client.get("/inbox/notifications/").content.decode()
    assert 'href="/inbox/notifications/preferences/"' in page
    kinds = [k for k in NotificationKind.values if k != NotificationKind.MENTION]
    response = client.post("/inbox/notifications/preferences/", {"kind": kinds})
    assert response.status_code == 302
    assert list(NotificationPreference.objects.values_list("kind", "enabled")) == [
        (NotificationKind.MENTION, False)]
    page = client.get("/inbox/notifications/preferences/").content.decode()
    assert 'id="kind-mention">' in page and 'id="kind-assigned" checked' in page
    conv = inbox.conversation(care["silo"])
    lead = Actor.for_user(care["lead"])
    actions.add_note(lead, conv, "@Rae Ponder have a look")
    actions.assign(lead, conv, care["responder"].person)
    assert list(Notification.objects.filter(person=care["responder"].person)
                .values_list("kind", flat=True)) == [NotificationKind.ASSIGNED]
    # And on again.
    client.post("/inbox/notifications/preferences/", {"kind": NotificationKind.values})
    actions.add_note(lead, conv, "@Rae Ponder and again")
    assert Notification.objects.filter(person=care["responder"].person,
                                       kind=NotificationKind.MENTION).exists()


def test_captains_and_the_hub_cannot_turn_off_breaches_and_safety(care, login):
    client = login(care["captain"])
    page = client.get("/inbox/notifications/preferences/").content.decode()
    assert 'id="kind-sla_breach" checked disabled' in page
    assert 'id="kind-safety" checked disabled' in page
    # Unticking everything leaves the locked kinds on (a disabled box is not sent).
    assert client.post("/inbox/notifications/preferences/", {}).status_code == 302
    overdue(care["silo"], 1)
    tasks_sla.sweep_slas()
    assert breaches(care["captain"].person)
    with pytest.raises(ValidationError):
        actions.set_notification_preferences(Actor.for_user(care["lead"]),
                                             {NotificationKind.SAFETY: False})
    # A responder, who is neither, may.
    actions.set_notification_preferences(Actor.for_user(care["responder"]),
                                         {NotificationKind.SLA_BREACH: False})


def test_a_choice_made_before_someone_became_captain_does_not_silence_breaches(care):
    rae = care["responder"].person
    actions.set_notification_preferences(Actor.for_user(care["responder"]),
                                         {NotificationKind.SLA_BREACH: False})
    factories.seat(care["silo"], rae, SeatRole.CAPTAIN)
    overdue(care["silo"], 1)
    tasks_sla.sweep_slas()
    assert breaches(rae)


def test_the_pipeline_respects_choices(care, monkeypatch):
    from unsilo.inbox import ingest, pipeline

    inbox.fixed_routing(monkeypatch, decide=inbox.to_person(care["responder"].person))
    actions.set_notification_preferences(Actor.for_user(care["responder"]),
                                         {NotificationKind.ASSIGNED: False})
    ingest.ingest([{"id": "p1", "network": "x", "text": "hello", "author": "@a",
                    "created_at": timezone.now().isoformat()}], Actor.system(), "test")
    pipeline.process_pending()
    assert not Notification.objects.filter(person=care["responder"].person).exists()


# Names --------------------------------------------------------------------------------------


def test_notifications_name_the_sender_by_name_not_email(care):
    conv = inbox.conversation(care["silo"])
    lead = Actor.for_user(care["lead"])
    actions.assign(lead, conv, care["responder"].person)
    actions.consult(lead, conv, care["captain"].person, "Seen this?")
    actions.add_note(lead, conv, "@Rae Ponder look")
    texts = list(Notification.objects.values_list("text", flat=True))
    assert texts and all(t.startswith("Lee Lead ") for t in texts), texts
    assert not any(care["lead"].email in t for t in texts)
    # No person: the login's name, else its email.
    bare = factories.user(Role.HUB_ADMIN, factories.silo("X"))
    bare.person = None
    bare.name = "Integration Bot"
    assert notify.name_of(Actor.for_user(bare)) == "Integration Bot"
