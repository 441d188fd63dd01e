"""A conversation's own life: assign, take, hand off, resolve, reopen, correct its
classification; permission, change, audit row, routing decision and notifications in one
transaction; delivery and retraining start once it is committed."""

import logging

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from unsilo.core import actions as core_actions
from unsilo.core.actor import Actor
from unsilo.core.models import AuditEvent
from unsilo.core.permissions import can
from unsilo.experts import tasks as experts_tasks
from unsilo.inbox import access, notify, sla
from unsilo.inbox.actions.base import (
    actor_person,
    change,
    decision,
    lock,
    require_owner,
    require_respond,
)
from unsilo.inbox.models import (
    Absence,
    ConsultStatus,
    Conversation,
    DecisionSource,
    Direction,
    Handoff,
    HistorySource,
    Notification,
    NotificationKind,
    ResolvedConsult,
    ResolvedExample,
    RoutingDecision,
    Sentiment,
    Status,
)
from unsilo.inbox.routing import router as routing
from unsilo.inbox.tasks import training
from unsilo.org.models import Person, Silo

log = logging.getLogger("unsilo.inbox")


# Assignment -----------------------------------------------------------------------------------


@transaction.atomic
def assign(actor: Actor, conversation: Conversation, person: Person | None) -> Conversation:
    """Give the conversation to `person` of its silo (None: back to the silo's queue). From
    the hub's triage queue it may go to anyone: their silo takes it over."""
    require_owner(actor, lock(conversation))
    fields: dict = {"assignee": person}
    if person is not None:
        if not person.is_active:
            raise ValidationError({"assignee": f"{person.name} is no longer active."})
        if conversation.triage or conversation.silo_id is None:
            fields.update(silo=person.silo, triage=False)
            if person.silo_id != conversation.silo_id:
                fields.update(_clock(conversation, person.silo_id))
        elif person.silo_id != conversation.silo_id:
            raise ValidationError({"assignee": (
                f"{person.name} works in {person.silo.name}, not {conversation.silo.name}: "
                "consult them, or hand the conversation off to their silo.")})
    if person is not None and person.pk == conversation.assignee_id:
        return conversation
    if person is None and conversation.assignee_id is None:
        return conversation
    name, mine = notify.name_of(actor), access.person_id(actor)
    if person is None:
        why = f"put back in {conversation.silo.name if conversation.silo_id else 'the'} " \
              f"queue by {name}"
    elif person.pk == mine:
        why = f"taken by {name}"
    else:
        why = f"assigned to {person.name} by {name}"
    # The reason shown is now a person's, not the model's first choice.
    fields["reasons"] = [why]
    change(actor, conversation, "assign", fields)
    decision(conversation, DecisionSource.MANUAL, why)
    if person is not None and person.pk != mine:
        notify.notify([person.pk], NotificationKind.ASSIGNED, conversation,
                      f"{name} assigned you {conversation.author}'s conversation")
    return conversation


def take(actor: Actor, conversation: Conversation) -> Conversation:
    """Assign the conversation to myself."""
    person = actor_person(actor)
    if person is None:
        raise ValidationError("Your login is not linked to a person, so nothing can be "
                              "assigned to you.")
    return assign(actor, conversation, person)


@transaction.atomic
def return_to_queue(actor: Actor, person: Person, reason: str) -> int:
    """Put every open or waiting conversation `person` holds back in its silo's queue (someone
    who lost access cannot answer them), one audit row each; how many went back."""
    if not (actor.is_system or can(actor, "core.manage_users")):
        raise PermissionDenied("Only the hub or the system may take a person's conversations "
                               "back.")
    why = f"back in the queue: {person.name} {reason}"
    held = Conversation.objects.select_for_update().filter(
        assignee=person, status__in=[Status.OPEN, Status.WAITING]).order_by("pk")
    count = 0
    for conversation in held:
        change(actor, conversation, "return_to_queue", {"assignee": None, "reasons": [why]},
               extra={"reason": reason})
        decision(conversation, DecisionSource.MANUAL, why)
        count += 1
    return count


def _clock(conversation: Conversation, silo_id: int | None) -> dict:
    """A fresh SLA clock, started now, in the silo's business hours."""
    first, resolution = sla.due_times(silo_id, conversation.urgency, timezone.now())
    return {"first_response_due": first, "resolution_due": resolution, "sla_state": ""}


@transaction.atomic
def handoff(actor: Actor, conversation: Conversation, silo: Silo, reason: str) -> Handoff:
    """Move the conversation to another silo: its queue, its SLA clock, its seat told. A silo
    whose seat is empty (no captain, no delegate) would strand it: it waits in the hub's triage
    queue instead, with the hub told. Open consults end: the new silo asks its own.
    `record.outcome` says in a sentence where it went."""
    require_owner(actor, lock(conversation))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Say why you hand it off, so the other silo knows."})
    if silo.pk == conversation.silo_id:
        raise ValidationError({"silo": f"The conversation is already in {silo.name}."})
    from_silo, name = conversation.silo, notify.name_of(actor)
    seat = notify.seat(silo.pk)
    expert, why = best_expert_in(silo, conversation)
    origin = from_silo.name if from_silo else "triage"
    reasons = [f"handed off from {origin} by {name}: {reason}"]
    if seat:
        reasons += why
    else:
        reasons.append(f"{silo.name}'s seat is empty (no captain or delegate), so it waits in "
                       "hub triage")
        reasons += [f"suggested: {w}" for w in why]
        expert = None
    fields = {"silo": silo, "assignee": expert, "triage": not seat, "reasons": reasons,
              **_clock(conversation, silo.pk)}
    change(actor, conversation, "handoff", fields, extra={"reason": reason})
    record = Handoff.objects.create(conversation=conversation, from_silo=from_silo,
                                    to_silo=silo, by=actor.user, reason=reason,
                                    triage=not seat)
    RoutingDecision.objects.create(
        conversation=conversation, source=DecisionSource.HANDOFF, silo=silo, assignee=expert,
        triage=not seat, reasons=reasons)
    text = (f"{name} handed {conversation.author}'s conversation to {silo.name} "
            f"from {origin}: {reason}")
    _withdraw_consults(actor, conversation, f"{text}. Your consult is closed; you can still "
                                            "read the conversation.")
    if seat:
        notify.notify(seat, NotificationKind.HANDOFF, conversation, text)
    else:
        notify.notify(notify.hub_people(), NotificationKind.HANDOFF, conversation,
                      f"{text}. {silo.name}'s seat is empty: it waits in hub triage.")
    if expert is not None:
        notify.notify([expert.pk], NotificationKind.ASSIGNED, conversation, text)
    record.outcome = handoff_outcome(record, expert)
    return record


def handoff_outcome(record: Handoff, expert: Person | None = None) -> str:
    """Where a handoff left the conversation, for the person who made it."""
    to = record.to_silo.name if record.to_silo_id else "the silo"
    if record.triage:
        return (f"Handed off to {to}, but nobody holds its seat, so it waits in hub triage: "
                "the hub is told and will pick it up.")
    who = f"assigned to {expert.name}" if expert else f"waiting in {to}'s queue"
    return f"Handed off to {to}, {who}: its seat is told."


def _withdraw_consults(actor: Actor, conversation: Conversation, text: str) -> None:
    """A handoff ends the consults still open: the experts are told and may still read it."""
    experts = []
    for consult in conversation.consults.filter(status=ConsultStatus.OPEN):
        core_actions.update(actor, consult, {"status": ConsultStatus.WITHDRAWN},
                            silo_id=conversation.silo_id)
        experts.append(consult.expert_id)
    notify.notify(experts, NotificationKind.HANDOFF, conversation, text)


def best_expert_in(silo: Silo, conversation: Conversation) -> tuple[Person | None, list[str]]:
    """Who in `silo` resolved most conversations like this one and can take it now (active,
    not away, under capacity), with the reason; (None, []) when routing cannot tell."""
    question = conversation.messages.filter(direction=Direction.INBOUND).order_by(
        "created_at", "id").values_list("text", flat=True).first()
    if not question:
        return None, []
    try:
        ranked = routing.Router.current().experts_for(question, limit=20)
    except Exception:  # noqa: BLE001 - a handoff must not fail for want of a suggestion
        log.exception("the router's expert suggestions failed during a handoff")
        return None, []
    now = timezone.now()
    away = Absence.objects.filter(starts__lte=now, ends__gt=now).values("person_id")
    load = Count("assigned_conversations", filter=Q(
        assigned_conversations__status__in=[Status.OPEN, Status.WAITING]))
    people = (Person.objects.filter(silo=silo, is_active=True).exclude(pk__in=away)
              .annotate(load=load).in_bulk([pid for pid, _ in ranked]))
    for person_id, n in ranked:
        person = people.get(person_id)
        if person is not None and person.load < person.capacity:
            return person, [f"{person.name} resolved {n} like it"]
    return None, []


# Resolving -----------------------------------------------------------------------------------


@transaction.atomic
def resolve(actor: Actor, conversation: Conversation) -> Conversation:
    """Mark it resolved and teach routing who resolved what."""
    require_respond(actor, lock(conversation))
    if conversation.status == Status.RESOLVED:
        raise ValidationError({"status": "This conversation is resolved already."})
    change(actor, conversation, "resolve", {
        "status": Status.RESOLVED, "resolved_at": timezone.now(),
        "resolved_by": actor_person(actor),
    })
    if _learn(conversation):
        transaction.on_commit(training.retrain_soon)
        experts_tasks.rebuild_soon()
    return conversation


def _learn(conversation: Conversation) -> ResolvedExample | None:
    """The conversation as an example for the routing model (updated if resolved before)."""
    if conversation.silo_id is None:
        return None
    messages = list(conversation.messages.order_by("created_at", "id")
                    .values_list("direction", "text"))
    asked: list[str] = []
    for direction, text in messages:
        if direction == Direction.OUTBOUND:
            break
        asked.append(text)
    answers = [text for direction, text in messages if direction == Direction.OUTBOUND]
    if not asked:
        return None
    resolver = conversation.resolved_by
    person_id = (resolver.pk if resolver is not None and resolver.silo_id == conversation.silo_id
                 else conversation.assignee_id)
    example, _ = ResolvedExample.objects.update_or_create(
        key=f"inbox:{conversation.pk}",
        defaults={
            "source": HistorySource.INBOX, "network": conversation.network,
            "account_handle": conversation.account.handle if conversation.account_id else "",
            "lang": conversation.language, "text": "\n".join(asked),
            "answer": answers[-1] if answers else "", "silo_id": conversation.silo_id,
            "person_id": person_id, "conversation": conversation,
            "sentiment": corrected_sentiment(conversation),
            "created_at": conversation.created_at, "answered_at": conversation.first_response_at,
            "resolved_at": conversation.resolved_at, "added_at": timezone.now(),
        },
    )
    _learn_consults(example, conversation, person_id)
    return example


def _learn_consults(example: ResolvedExample, conversation: Conversation, resolver_id) -> None:
    """The experts who answered a consult on it, as history's "consulted" records them."""
    experts = set(conversation.consults.filter(status=ConsultStatus.ANSWERED)
                  .exclude(expert_id=resolver_id).values_list("expert_id", flat=True))
    example.consults.exclude(person_id__in=experts).delete()
    experts -= set(example.consults.values_list("person_id", flat=True))
    ResolvedConsult.objects.bulk_create(
        [ResolvedConsult(example=example, person_id=pk) for pk in sorted(experts)])


def corrected_sentiment(conversation: Conversation) -> str:
    """The sentiment a person last set by hand, "" when nobody corrected it."""
    for changes in AuditEvent.objects.filter(
        object_type="inbox.conversation", object_id=str(conversation.pk),
        action="correct_classification",
    ).order_by("-at", "-id").values_list("changes", flat=True):
        if "sentiment" in changes:
            return changes["sentiment"][1]
    return ""


@transaction.atomic
def reopen(actor: Actor, conversation: Conversation) -> Conversation:
    """Open it again with a new resolution clock; what it taught routing stays until it is
    resolved again."""
    require_respond(actor, lock(conversation))
    if conversation.status != Status.RESOLVED:
        raise ValidationError({"status": "Only a resolved conversation can be reopened."})
    _, resolution_due = sla.due_times(conversation.silo_id, conversation.urgency,
                                      timezone.now())
    change(actor, conversation, "reopen", {
        "status": Status.OPEN, "resolved_at": None, "resolved_by": None,
        "resolution_due": resolution_due, "sla_state": "",
    })
    return conversation


@transaction.atomic
def correct_classification(actor: Actor, conversation: Conversation, *,
                           sentiment: str | None = None, intent: str | None = None
                           ) -> Conversation:
    """A person's correction of sentiment or intent; the models learn from it."""
    require_respond(actor, lock(conversation))
    fields: dict = {}
    if sentiment is not None:
        if sentiment not in Sentiment.values:
            raise ValidationError({"sentiment": f"Choose one of {', '.join(Sentiment.values)}."})
        fields["sentiment"] = sentiment
    if intent is not None:
        intent = intent.strip().lower()
        limit = Conversation._meta.get_field("intent").max_length
        if not intent or len(intent) > limit:
            raise ValidationError({"intent": f"Give an intent of 1 to {limit} characters."})
        fields["intent"] = intent
    if not fields:
        raise ValidationError("Send a sentiment or an intent to correct.")
    change(actor, conversation, "correct_classification", fields)
    if conversation.status == Status.RESOLVED and "sentiment" in fields:
        ResolvedExample.objects.filter(key=f"inbox:{conversation.pk}").update(
            sentiment=fields["sentiment"])
    return conversation


# Notifications -------------------------------------------------------------------------------


def mark_read(actor: Actor, notification_ids: list[int] | None) -> int:
    """Mark my notifications read (None: all of them); returns how many changed. A person's
    own read marks are not company data: no audit row."""
    mine = access.person_id(actor)
    if mine is None:
        return 0
    rows = Notification.objects.filter(person_id=mine, read_at=None)
    if notification_ids is not None:
        rows = rows.filter(pk__in=list(notification_ids))
    return rows.update(read_at=timezone.now())
