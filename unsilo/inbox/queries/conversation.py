"""One conversation as its reader sees it: the thread, where it is now, its history, who
may take it and the saved replies offered in it."""
import datetime
import re
from dataclasses import dataclass
from functools import lru_cache
from itertools import chain

from django.db.models import Count, Q
from django.http import Http404

from unsilo.core.actor import Actor
from unsilo.inbox import access
from unsilo.inbox.models import (
    Consult,
    ConsultStatus,
    Conversation,
    DecisionSource,
    Message,
    RoutingDecision,
    SavedReply,
)
from unsilo.inbox.queries.queues import UNRESOLVED, conversation_rows, sees_everything
from unsilo.learning import language
from unsilo.org.models import Person


def conversation_for(actor: Actor, pk, *, moved_on: bool = False) -> Conversation:
    """The conversation if the reader may see it; 404 otherwise (never says it exists).
    `moved_on`: also one the reader once held or handed off, to read only."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404("No such conversation.") from None
    where = Q(access.visible(actor))
    if moved_on and not sees_everything(actor):
        where |= access.followed(actor)
    found = Conversation.objects.select_related(
        "silo", "assignee", "account", "resolved_by").filter(where, pk=pk).first()
    if found is None:
        raise Http404("No such conversation.")
    return found


def where_now(conversation: Conversation, decisions: list[RoutingDecision],
              handoffs: list) -> dict | None:
    """Where the conversation is now and since when, and why it went there: the newest
    decision (newest first in `decisions`), with the handoff's reason when it was one."""
    if not decisions:
        return None
    last = decisions[0]
    moved = handoffs[0] if handoffs and last.source == DecisionSource.HANDOFF else None
    return {
        "silo": conversation.silo.name if conversation.silo_id else None,
        "silo_id": conversation.silo_id,
        "triage": conversation.triage,
        "assignee": conversation.assignee.name if conversation.assignee_id else None,
        "at": moved.at if moved else last.at,
        "how": last.get_source_display(),
        "by": str(moved.by) if moved and moved.by_id else None,
        "reason": moved.reason if moved else "; ".join(last.reasons),
    }


@dataclass
class Entry:
    """One item of a thread: a message, an internal note or a consult, at its time."""

    kind: str  # "message", "note", "consult"
    at: datetime.datetime
    item: object


def thread(conversation: Conversation) -> list[Entry]:
    """Messages, notes and consults interleaved in time order (four queries)."""
    messages = Message.objects.filter(conversation=conversation).select_related("sent_by")
    notes = conversation.notes.select_related("author").prefetch_related("mentions")
    consults = conversation.consults.select_related("expert", "requested_by")
    entries = chain(
        (Entry("message", m.created_at, m) for m in messages.order_by("created_at", "id")),
        (Entry("note", n.created_at, n) for n in notes),
        (Entry("consult", c.created_at, c) for c in consults),
    )
    return sorted(entries, key=lambda e: e.at)


def customer_history(conversation: Conversation, actor: Actor | None = None,
                     limit: int = 20) -> list[Conversation]:
    """The same customer's other conversations on the same network, newest first; only those
    `actor` may see when given."""
    rows = conversation_rows().filter(network=conversation.network,
                                      author=conversation.author).exclude(pk=conversation.pk)
    if actor is not None:
        rows = rows.filter(access.visible(actor))
    return list(rows.order_by("-last_message_at", "-id")[:limit])


def decisions(conversation: Conversation) -> list[RoutingDecision]:
    return list(conversation.decisions.select_related("silo", "assignee", "rule"))


def handoffs(conversation: Conversation):
    return list(conversation.handoffs.select_related("from_silo", "to_silo", "by"))


def open_consult_for(actor: Actor, conversation: Conversation) -> Consult | None:
    me = access.person_id(actor)
    if me is None:
        return None
    return conversation.consults.filter(expert_id=me, status=ConsultStatus.OPEN).first()


def assignable_people(conversation: Conversation, limit: int = 300) -> list:
    """Who the conversation can be assigned to — its silo's active people (anyone's, from
    triage) — each with `load`, their open conversations now."""
    rows = Person.objects.filter(is_active=True).select_related("silo")
    if conversation.silo_id and not conversation.triage:
        rows = rows.filter(silo_id=conversation.silo_id)
    rows = rows.annotate(load=Count("assigned_conversations", filter=Q(
        assigned_conversations__status__in=UNRESOLVED)))
    return list(rows.order_by("silo__name", "name", "id")[:limit])


def saved_replies_for(conversation: Conversation):
    """The global saved replies and those of the conversation's silo."""
    return SavedReply.objects.filter(Q(silo__isnull=True) | Q(silo_id=conversation.silo_id)
                                     ).select_related("silo").order_by("silo_id", "title")


def saved_reply_picker(conversation: Conversation) -> list[SavedReply]:
    """The saved replies for the composer's picker: those in the conversation's language
    first (each gets `.language` and `.same_language`), then by title."""
    replies = list(saved_replies_for(conversation))
    for saved in replies:
        saved.language = _language_of(saved.text)
        saved.same_language = bool(conversation.language) and (
            saved.language == conversation.language)
    return sorted(replies, key=lambda s: (not s.same_language, s.title.lower(), s.pk))


@lru_cache(maxsize=2048)
def _language_of(text: str) -> str:
    """A saved reply's language, told from its words (variables left out)."""
    return language.detect(_VARIABLE.sub(" ", text))


_VARIABLE = re.compile(r"\{\w+\}")
