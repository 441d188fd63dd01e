"""Who may see and work on which conversation. Every inbox query and action asks here.

The inbox grants are per silo (core/permissions.py). On top of them, a person may always see
and work on what is assigned to them, and on a conversation they are consulted on — wherever it
sits: that is how an expert from another silo answers without taking it over. A consulted
expert answers the customer only when their role may work on conversations (`inbox.respond`);
otherwise (a reviewer, a viewer) they answer in an internal note. Someone who once held a
conversation or handed it off may still read it, and only read it, after it moved on.
"""

from django.db.models import Exists, OuterRef, Q

from unsilo.core.actor import Actor
from unsilo.core.permissions import ANY, GRANTS, can
from unsilo.inbox.models import Consult, ConsultStatus, Conversation, Handoff, RoutingDecision
from unsilo.org.models import SiloKind


def person_id(actor: Actor) -> int | None:
    return actor.user.person_id if actor.user else None


def _consulted(actor: Actor):
    # Any consult, answered too: an expert keeps following what they helped with.
    return Exists(Consult.objects.filter(conversation=OuterRef("pk"), expert_id=person_id(actor)))


def visible(actor: Actor) -> Q:
    """A filter on Conversation: the conversations the actor may read."""
    if actor.is_system or GRANTS["inbox.view"].get(actor.role) == ANY:
        return Q()
    mine = person_id(actor)
    if mine is None:
        return Q(pk__in=[])
    seen = Q(silo_id=actor.silo_id) | Q(assignee_id=mine) | Q(_consulted(actor))
    # The hub works the triage queue, wherever routing left those conversations.
    return seen | Q(triage=True) if in_hub(actor) else seen


def in_hub(actor: Actor) -> bool:
    person = actor.user.person if actor.user and actor.user.person_id else None
    return person is not None and person.silo.kind == SiloKind.HUB


def can_view(actor: Actor, conversation: Conversation) -> bool:
    return Conversation.objects.filter(visible(actor), pk=conversation.pk).exists()


def is_consulted(actor: Actor, conversation: Conversation) -> bool:
    mine = person_id(actor)
    return mine is not None and conversation.consults.filter(
        expert_id=mine, status=ConsultStatus.OPEN).exists()


def followed(actor: Actor) -> Q:
    """A filter on Conversation: those the actor once held or handed off (read only, once
    they are out of `visible`)."""
    mine = person_id(actor)
    if actor.user is None:
        return Q(pk__in=[])
    held = Q(Exists(RoutingDecision.objects.filter(conversation=OuterRef("pk"),
                                                   assignee_id=mine))) if mine else Q(pk__in=[])
    return held | Q(Exists(Handoff.objects.filter(conversation=OuterRef("pk"), by=actor.user)))


def can_respond(actor: Actor, conversation: Conversation) -> bool:
    """Reply to the customer, resolve, reopen, correct: the silo's responders, and the
    assignee or a consulted expert whose role may work on conversations."""
    if can(actor, "inbox.respond", conversation.silo_id):
        return True
    mine = person_id(actor)
    if mine is None or actor.role not in GRANTS["inbox.respond"]:
        return False
    return conversation.assignee_id == mine or is_consulted(actor, conversation)


def can_note(actor: Actor, conversation: Conversation) -> bool:
    """An internal note: whoever may respond, and any consulted expert, whatever their role."""
    return can_respond(actor, conversation) or is_consulted(actor, conversation)
