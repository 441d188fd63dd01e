"""Consults, notes with @mentions, replies with collision checks, saved replies, presence."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from tests import factories
from tests.inbox import factories as inbox
from unsilo.core.actor import Actor
from unsilo.core.models import AuditEvent, Role
from unsilo.experts.index import rebuild
from unsilo.inbox import actions
from unsilo.inbox.models import (
    Absence,
    ConsultStatus,
    Direction,
    MessageState,
    Note,
    Notification,
    NotificationKind,
    ResolvedExample,
    SavedReply,
    Viewer,
)

pytestmark = pytest.mark.django_db


def who(user):
    return Actor.for_user(user)


@pytest.fixture
def billing():
    return factories.silo("Billing")


@pytest.fixture
def responder(billing):
    return factories.user(Role.RESPONDER, billing, email="rae@example.com")


@pytest.fixture
def expert():
    return factories.user(Role.RESPONDER, factories.silo("Legal"), email="lou@example.com")


# Consults -------------------------------------------------------------------------------------


def test_consult_invites_an_expert_of_another_silo_and_notifies_them(billing, responder,
                                                                     expert):
    conv = inbox.conversation(billing)
    record = actions.consult(who(responder), conv, expert.person, question="Is this GDPR?")
    assert (record.status, record.question) == (ConsultStatus.OPEN, "Is this GDPR?")
    note = Notification.objects.get(person=expert.person)
    assert note.kind == NotificationKind.CONSULT and "Is this GDPR?" in note.text
    assert AuditEvent.objects.filter(object_type="inbox.consult", action="create").exists()


def test_consult_refuses_the_assignee_and_a_second_open_consult(billing, responder, expert):
    conv = inbox.conversation(billing, assignee=responder.person)
    with pytest.raises(ValidationError, match="assigned"):
        actions.consult(who(responder), conv, responder.person)
    actions.consult(who(responder), conv, expert.person)
    with pytest.raises(ValidationError, match="consulted on it already"):
        actions.consult(who(responder), conv, expert.person)


def test_expert_answers_in_a_note_without_taking_the_conversation_over(billing, responder,
                                                                       expert):
    conv = inbox.conversation(billing, assignee=responder.person)
    record = actions.consult(who(responder), conv, expert.person)
    note = actions.answer_consult(who(expert), record, "Yes: article 17 applies")
    record.refresh_from_db()
    conv.refresh_from_db()
    assert record.status == ConsultStatus.ANSWERED and record.answered_at is not None
    assert note.consult == record and note.text == "Yes: article 17 applies"
    assert (conv.silo, conv.assignee) == (billing, responder.person)
    # The one who asked hears of the answer.
    assert Notification.objects.filter(person=responder.person,
                                       kind=NotificationKind.CONSULT).exists()
    with pytest.raises(ValidationError, match="answered already"):
        actions.answer_consult(who(expert), record, "again")


def test_expert_may_answer_the_customer_directly(billing, responder, expert):
    conv = inbox.conversation(billing)
    record = actions.consult(who(responder), conv, expert.person)
    message = actions.answer_consult(who(expert), record, "We delete it in 30 days.",
                                     as_reply=True)
    assert (message.direction, message.state, message.sent_by) == (
        Direction.OUTBOUND, MessageState.QUEUED, expert)
    record.refresh_from_db()
    assert record.status == ConsultStatus.ANSWERED


def test_someone_else_may_not_answer_a_consult(billing, responder, expert):
    record = actions.consult(who(responder), inbox.conversation(billing), expert.person)
    stranger = factories.user(Role.RESPONDER, factories.silo("Sales"))
    with pytest.raises(PermissionDenied):
        actions.answer_consult(who(stranger), record, "me too")


@pytest.mark.usefixtures("always_working_hours")
def test_suggest_experts_ranks_who_resolved_similar_conversations_never_the_assignee(
        billing, responder):
    legal = factories.silo("Legal")
    lou = factories.person(legal, name="Lou Law")
    kim = factories.person(billing, name="Kim Kay")
    away = factories.person(billing, name="Al Away")
    now = timezone.now()
    Absence.objects.create(person=away, starts=now - datetime.timedelta(days=1),
                           ends=now + datetime.timedelta(days=1))
    for n, person in enumerate([lou, lou, kim, responder.person, away, away, away]):
        ResolvedExample.objects.create(
            source="import", key=f"h{n}", network="x", silo=person.silo, person=person,
            text="Refund of my invoice please", created_at=now)
    rebuild()  # what the import or a resolution does (experts/index.py)
    conv = inbox.conversation(billing, text="I want a refund on this invoice",
                              assignee=responder.person)
    suggested = actions.suggest_experts(conv)
    assert [p for p, _ in suggested][:2] == [lou, kim]
    assert suggested[0][1] == "“invoice” in 2 conversations, “refund” in 2 · resolved 2 (Legal)"
    assert responder.person not in [p for p, _ in suggested]
    assert away not in [p for p, _ in suggested]


def test_suggest_experts_falls_back_to_skills(billing):
    gdpr = factories.person(factories.silo("Legal"), skills=["gdpr", "privacy"])
    conv = inbox.conversation(billing, text="Delete my data now", intent="privacy")
    assert actions.suggest_experts(conv) == [(gdpr, "lists the skill “privacy” (Legal)")]


# Notes and @mentions --------------------------------------------------------------------------


def test_note_mentions_by_email_name_and_first_dot_last_notify_each_once(billing, responder):
    dana = factories.person(billing, name="Dana Ruiz", email="dana@example.com")
    zoe = factories.person(factories.silo("PR"), name="Zoë Ng")
    dan = factories.person(billing, name="Dana")
    conv = inbox.conversation(billing)
    note = actions.add_note(
        who(responder), conv,
        "@Dana Ruiz see this; cc @zoë.ng and @dana@example.com. Not a@b.com nor @nobody",
    )
    assert set(note.mentions.all()) == {dana, zoe}
    assert dan not in note.mentions.all()
    assert sorted(Notification.objects.values_list("person", flat=True)) == sorted(
        [dana.pk, zoe.pk])
    assert set(Notification.objects.values_list("kind", flat=True)) == {NotificationKind.MENTION}


def test_mentioning_myself_does_not_notify_me(billing, responder):
    actions.add_note(who(responder), inbox.conversation(billing), "note to @rae@example.com")
    assert not Notification.objects.exists()


def test_empty_note_and_outsiders_are_refused(billing, responder):
    conv = inbox.conversation(billing)
    with pytest.raises(ValidationError):
        actions.add_note(who(responder), conv, "   ")
    outsider = factories.user(Role.RESPONDER, factories.silo("Sales"))
    with pytest.raises(PermissionDenied):
        actions.add_note(who(outsider), conv, "hi")
    assert not Note.objects.exists()


# Replies and collisions -----------------------------------------------------------------------


def test_reply_queues_a_message_sets_first_response_and_audits(billing, responder):
    account = factories.account(billing, handle="AcmeHelp")
    conv = inbox.conversation(billing, account=account)
    message = actions.reply(who(responder), conv, "Sorry! Fixed now.")
    conv.refresh_from_db()
    assert (message.state, message.author, message.account_handle) == (
        MessageState.QUEUED, "AcmeHelp", "AcmeHelp")
    assert message.in_reply_to == conv.messages.first().external_id
    assert conv.first_response_at is not None and conv.message_count == 2
    assert conv.status == "waiting"  # the customer's turn
    assert "fixed now" in conv.search
    assert AuditEvent.objects.filter(action="reply", object_id=str(message.pk)).exists()


def test_reply_collides_with_a_newer_reply_of_someone_else_unless_forced(billing, responder):
    colleague = factories.user(Role.RESPONDER, billing,
                               person=factories.person(billing, name="Cy Colleague"))
    conv = inbox.conversation(billing)
    seen = conv.messages.last().pk
    actions.reply(who(colleague), conv, "On it")
    with pytest.raises(actions.Collision) as clash:
        actions.reply(who(responder), conv, "Me too", seen_message_id=seen)
    assert colleague.name in clash.value.message
    assert actions.reply(who(responder), conv, "Me too", seen_message_id=seen, force=True)
    # My own earlier reply is no collision.
    mine = conv.messages.last().pk
    actions.reply(who(responder), conv, "And more", seen_message_id=mine - 1)


def test_reply_collides_while_someone_else_types(billing, responder):
    colleague = factories.user(Role.RESPONDER, billing)
    conv = inbox.conversation(billing)
    actions.touch_viewer(who(colleague), conv, typing=True)
    with pytest.raises(actions.Collision, match="typing"):
        actions.reply(who(responder), conv, "hello")
    Viewer.objects.update(seen_at=timezone.now() - datetime.timedelta(minutes=1))
    actions.reply(who(responder), conv, "hello")  # they stopped a minute ago


def test_touch_viewer_returns_the_others_viewing(billing, responder):
    colleague = factories.user(Role.RESPONDER, billing)
    conv = inbox.conversation(billing)
    assert actions.touch_viewer(who(responder), conv) == []
    others = actions.touch_viewer(who(colleague), conv)
    assert [v.user for v in others] == [responder]
    outsider = factories.user(Role.RESPONDER, factories.silo("Sales"))
    assert actions.touch_viewer(who(outsider), conv) == []
    assert Viewer.objects.count() == 2


def test_saved_reply_variables_are_filled_and_unknown_ones_kept(billing, responder):
    account = factories.account(billing, handle="AcmeHelp", network="x")
    conv = inbox.conversation(billing, account=account, author="jo_doe", network="x")
    saved = SavedReply(title="t", text="Hi {customer}, {agent_first} ({agent}) of {silo} at "
                                        "{account} on {network}. {unknown} {{x}}")
    assert actions.render_saved_reply(saved, conv, who(responder)) == (
        f"Hi jo_doe, {responder.name.split()[0]} ({responder.name}) of Billing at AcmeHelp "
        "on X. {unknown} {{x}}")
