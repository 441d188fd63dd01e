"""Working a conversation: assign, take, handoff, resolve, reopen, corrections — who may, and
the audit rows, routing decisions and notifications each leaves."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from tests import factories
from tests.inbox import factories as inbox
from unsilo.core.actor import Actor
from unsilo.core.models import AuditEvent, Role
from unsilo.inbox import actions
from unsilo.inbox.models import (
    Absence,
    DecisionSource,
    Direction,
    Handoff,
    Notification,
    NotificationKind,
    ResolvedExample,
    RoutingDecision,
    Status,
)
from unsilo.org.models import SeatRole

pytestmark = pytest.mark.django_db


def who(user):
    return Actor.for_user(user)


def audit_actions(conv) -> list[str]:
    return list(AuditEvent.objects.filter(object_type="inbox.conversation",
                                          object_id=str(conv.pk))
                .order_by("id").values_list("action", flat=True))


@pytest.fixture
def billing():
    return factories.silo("Billing")


@pytest.fixture
def responder(billing):
    return factories.user(Role.RESPONDER, billing, email="rae@example.com")


def test_responder_assigns_a_colleague_of_the_silo_with_audit_decision_and_notification(
        billing, responder):
    dana = factories.person(billing, name="Dana Ruiz")
    conv = inbox.conversation(billing)
    actions.assign(who(responder), conv, dana)
    conv.refresh_from_db()
    assert conv.assignee == dana
    assert audit_actions(conv) == ["assign"]
    row = RoutingDecision.objects.get(conversation=conv)
    assert (row.source, row.silo_id, row.assignee_id) == (DecisionSource.MANUAL, billing.pk,
                                                          dana.pk)
    note = Notification.objects.get(person=dana)
    assert note.kind == NotificationKind.ASSIGNED and note.conversation == conv


def test_unassign_keeps_the_conversation_in_its_silo(billing, responder):
    dana = factories.person(billing)
    conv = inbox.conversation(billing, assignee=dana)
    actions.assign(who(responder), conv, None)
    conv.refresh_from_db()
    assert (conv.assignee, conv.silo) == (None, billing)
    assert RoutingDecision.objects.get(conversation=conv).assignee is None


def test_assigning_someone_of_another_silo_is_refused_with_the_way_out(billing, responder):
    legal = factories.silo("Legal")
    lawyer = factories.person(legal, name="Lou Law")
    conv = inbox.conversation(billing)
    with pytest.raises(ValidationError) as error:
        actions.assign(who(responder), conv, lawyer)
    assert "consult" in str(error.value) and "hand" in str(error.value)
    assert audit_actions(conv) == [] and not RoutingDecision.objects.exists()


def test_inactive_people_cannot_be_assigned(billing, responder):
    gone = factories.person(billing, is_active=False)
    with pytest.raises(ValidationError, match="no longer active"):
        actions.assign(who(responder), inbox.conversation(billing), gone)


def test_responder_of_another_silo_may_not_assign_or_take(billing):
    outsider = factories.user(Role.RESPONDER, factories.silo("Sales"))
    conv = inbox.conversation(billing)
    with pytest.raises(PermissionDenied):
        actions.assign(who(outsider), conv, factories.person(billing))
    with pytest.raises(PermissionDenied):
        actions.take(who(outsider), conv)


def test_viewer_may_not_assign_even_in_own_silo(billing):
    viewer = factories.user(Role.VIEWER, billing)
    with pytest.raises(PermissionDenied):
        actions.take(who(viewer), inbox.conversation(billing))


def test_take_assigns_to_me_without_notifying_me(billing, responder):
    conv = inbox.conversation(billing)
    actions.take(who(responder), conv)
    conv.refresh_from_db()
    assert conv.assignee == responder.person
    assert not Notification.objects.exists()


def test_hub_assigns_from_triage_to_anyone_and_their_silo_takes_it_over(admin, billing):
    hub = admin.person.silo
    dana = factories.person(billing)
    conv = inbox.conversation(hub, triage=True)
    actions.assign(who(admin), conv, dana)
    conv.refresh_from_db()
    assert (conv.silo, conv.assignee, conv.triage) == (billing, dana, False)
    assert conv.first_response_due is not None


def test_handoff_moves_silo_clears_assignee_restarts_clock_and_tells_captains(
        billing, responder):
    legal = factories.silo("Legal")
    captain = factories.person(legal)
    factories.seat(legal, captain, SeatRole.CAPTAIN)
    factories.seat(legal, factories.person(legal), SeatRole.DELEGATE)
    conv = inbox.conversation(billing, assignee=responder.person, sla_state="warned")
    record = actions.handoff(who(responder), conv, legal, "They threaten to sue")
    conv.refresh_from_db()
    assert (conv.silo, conv.assignee, conv.sla_state) == (legal, None, "")
    assert conv.resolution_due is not None
    assert (record.from_silo, record.to_silo, record.reason) == (billing, legal,
                                                                 "They threaten to sue")
    row = RoutingDecision.objects.get(conversation=conv)
    assert row.source == DecisionSource.HANDOFF and "They threaten to sue" in row.reasons[0]
    assert list(Notification.objects.values_list("person", "kind")) == [
        (captain.pk, NotificationKind.HANDOFF)]
    assert audit_actions(conv) == ["handoff"]


def test_handoff_needs_a_reason_and_another_silo(billing, responder):
    conv = inbox.conversation(billing)
    with pytest.raises(ValidationError, match="why"):
        actions.handoff(who(responder), conv, factories.silo("Legal"), "  ")
    with pytest.raises(ValidationError, match="already"):
        actions.handoff(who(responder), conv, billing, "wrong place")
    assert not Handoff.objects.exists()


def test_consulted_expert_may_note_but_not_assign_or_hand_off(billing):
    legal = factories.silo("Legal")
    expert = factories.user(Role.RESPONDER, legal)
    conv = inbox.conversation(billing)
    inbox.consult(conv, expert.person)
    actions.add_note(who(expert), conv, "Refunds over 500 need a form")
    with pytest.raises(PermissionDenied, match="consulted"):
        actions.take(who(expert), conv)
    with pytest.raises(PermissionDenied, match="consulted"):
        actions.handoff(who(expert), conv, legal, "mine now")


def test_resolve_teaches_routing_with_the_question_and_the_last_answer(billing, responder):
    conv = inbox.conversation(billing, text="My invoice is wrong", assignee=responder.person,
                              language="en")
    inbox.message(conv, text="And charged twice", direction=Direction.INBOUND)
    inbox.message(conv, text="Refunded!", direction=Direction.OUTBOUND)
    inbox.message(conv, text="thanks", direction=Direction.INBOUND)
    inbox.message(conv, text="Refunded, sorry!", direction=Direction.OUTBOUND)
    actions.resolve(who(responder), conv)
    conv.refresh_from_db()
    assert conv.status == Status.RESOLVED and conv.resolved_by == responder.person
    example = ResolvedExample.objects.get(key=f"inbox:{conv.pk}")
    assert example.text == "My invoice is wrong\nAnd charged twice"
    assert example.answer == "Refunded, sorry!"
    assert (example.silo, example.person, example.source) == (billing, responder.person, "inbox")
    assert audit_actions(conv) == ["resolve"]


def test_resolver_from_outside_the_silo_credits_the_assignee(admin, billing):
    dana = factories.person(billing)
    conv = inbox.conversation(billing, assignee=dana)
    actions.resolve(who(admin), conv)
    assert ResolvedExample.objects.get().person == dana


def test_resolving_twice_is_refused_and_reopen_then_resolve_updates_the_example(
        billing, responder):
    conv = inbox.conversation(billing)
    actions.resolve(who(responder), conv)
    with pytest.raises(ValidationError, match="resolved already"):
        actions.resolve(who(responder), conv)
    actions.reopen(who(responder), conv)
    conv.refresh_from_db()
    assert (conv.status, conv.resolved_at, conv.resolved_by) == (Status.OPEN, None, None)
    assert ResolvedExample.objects.count() == 1  # kept while open again
    actions.correct_classification(who(responder), conv, sentiment="negative")
    actions.resolve(who(responder), conv)
    assert ResolvedExample.objects.get().sentiment == "negative"
    assert audit_actions(conv) == ["resolve", "reopen", "correct_classification", "resolve"]


def test_reopen_only_a_resolved_conversation(billing, responder):
    with pytest.raises(ValidationError, match="Only a resolved"):
        actions.reopen(who(responder), inbox.conversation(billing))


def test_correct_classification_checks_values_and_keeps_the_before(billing, responder):
    conv = inbox.conversation(billing, sentiment="positive", intent="billing")
    with pytest.raises(ValidationError) as error:
        actions.correct_classification(who(responder), conv, sentiment="angry")
    assert "sentiment" in error.value.error_dict
    actions.correct_classification(who(responder), conv, sentiment="negative", intent="Refund")
    conv.refresh_from_db()
    assert (conv.sentiment, conv.intent) == ("negative", "refund")
    changes = AuditEvent.objects.get(action="correct_classification").changes
    assert changes == {"sentiment": ["positive", "negative"], "intent": ["billing", "refund"]}


def test_mark_read_touches_only_my_notifications(billing, responder):
    conv = inbox.conversation(billing)
    other = factories.person(billing)
    mine = Notification.objects.create(person=responder.person, kind="mention", text="a",
                                       conversation=conv)
    theirs = Notification.objects.create(person=other, kind="mention", text="b")
    assert actions.mark_read(who(responder), [mine.pk, theirs.pk]) == 1
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert mine.read_at is not None and theirs.read_at is None


def test_resolving_asks_routing_to_retrain_once_committed(billing, responder, monkeypatch,
                                                          django_capture_on_commit_callbacks):
    from unsilo.inbox.tasks import training as tasks_training

    asked = []
    monkeypatch.setattr(tasks_training, "retrain_soon", lambda: asked.append(1))
    conv = inbox.conversation(billing)
    with django_capture_on_commit_callbacks(execute=True):
        actions.resolve(who(responder), conv)
        assert asked == []
    assert asked == [1]


def test_resolve_with_the_real_training_task_does_not_fail(billing, responder,
                                                           django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        actions.resolve(who(responder), inbox.conversation(billing))
    assert ResolvedExample.objects.count() == 1


def test_handoff_assigns_the_target_silos_best_available_expert_when_routing_knows(
        billing, responder, monkeypatch):
    from unsilo.inbox.routing import router as routing

    legal = factories.silo("Legal")
    factories.seat(legal, factories.person(legal, name="Cap Tain"))
    busy = factories.person(legal, name="Bea Busy", capacity=1)
    away = factories.person(legal, name="Al Away")
    lou = factories.person(legal, name="Lou Law")
    inbox.conversation(legal, assignee=busy)  # Bea is at capacity
    now = timezone.now()
    Absence.objects.create(person=away, starts=now - datetime.timedelta(hours=1),
                           ends=now + datetime.timedelta(days=1))
    outsider = factories.person(billing)
    ranked = [(outsider.pk, 12), (busy.pk, 9), (away.pk, 7), (lou.pk, 4)]
    monkeypatch.setattr(routing.Router, "experts_for",
                        lambda self, text, limit=10: ranked)
    conv = inbox.conversation(billing, text="I will sue you")
    actions.handoff(who(responder), conv, legal, "legal threat")
    conv.refresh_from_db()
    assert conv.assignee == lou
    row = RoutingDecision.objects.get(conversation=conv)
    assert row.assignee == lou and row.reasons[1] == "Lou Law resolved 4 like it"
    assert Notification.objects.filter(person=lou, kind=NotificationKind.ASSIGNED).exists()
