"""What every inbox action shares: who may act, holding the row, saving with an audit row."""

from django.core.exceptions import PermissionDenied
from django.utils import timezone

from unsilo.core import audit
from unsilo.core.actor import Actor
from unsilo.core.permissions import GRANTS, can
from unsilo.inbox import access
from unsilo.inbox.models import Conversation, RoutingDecision
from unsilo.org.models import Person


def require_respond(actor: Actor, conversation: Conversation) -> None:
    """Reply, resolve, reopen, correct: the silo's responders, the assignee, a consulted
    expert whose role may work on conversations."""
    if access.can_respond(actor, conversation):
        return
    if access.is_consulted(actor, conversation):
        raise PermissionDenied("Your role may not answer customers: answer the consult in an "
                               "internal note.")
    raise PermissionDenied("You may not work on this conversation: it sits in another silo.")


def require_note(actor: Actor, conversation: Conversation) -> None:
    """An internal note: whoever may respond, and any consulted expert."""
    if not access.can_note(actor, conversation):
        raise PermissionDenied("You may not work on this conversation: it sits in another silo.")


def require_owner(actor: Actor, conversation: Conversation) -> None:
    """Assign, consult, hand off: the silo's responders and the assignee; not a consulted
    expert, who helps without taking the conversation over."""
    if can(actor, "inbox.respond", conversation.silo_id):
        return
    mine = access.person_id(actor)
    if (mine is not None and conversation.assignee_id == mine
            and actor.role in GRANTS["inbox.respond"]):
        return
    if access.is_consulted(actor, conversation):
        raise PermissionDenied("You are consulted on this conversation: you may add a note or "
                               "answer, but assigning and handing off are for its silo.")
    raise PermissionDenied("You may not work on this conversation: it sits in another silo.")


def lock(conversation: Conversation) -> Conversation:
    """Hold the conversation's row for this transaction and bring `conversation` up to date,
    so two people acting at once queue up instead of overwriting each other."""
    list(Conversation.objects.select_for_update().filter(pk=conversation.pk).values("pk"))
    conversation.refresh_from_db()
    return conversation


def change(actor: Actor, conversation: Conversation, action: str, fields: dict,
           extra: dict | None = None) -> dict:
    """Set `fields` on the conversation, save them and write the audit row `action`."""
    before = audit.snapshot(conversation, fields.keys())
    for name, value in fields.items():
        setattr(conversation, name, value)
    conversation.updated_at = timezone.now()
    conversation.save(update_fields=[*fields, "updated_at"])
    changes = audit.diff(before, audit.snapshot(conversation, fields.keys()))
    changes.update(extra or {})
    audit.record(actor, action, conversation, changes, conversation.silo_id)
    return changes


def actor_person(actor: Actor) -> Person | None:
    user = actor.user
    return user.person if user is not None and user.person_id else None


def decision(conversation: Conversation, source: str, reason: str) -> RoutingDecision:
    return RoutingDecision.objects.create(
        conversation=conversation, source=source, silo_id=conversation.silo_id,
        assignee_id=conversation.assignee_id, triage=conversation.triage, reasons=[reason],
    )
