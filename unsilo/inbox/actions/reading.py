"""The reader's own read marks: opening a conversation marks it read for them.

Bookkeeping of one reader's view, not a change to the conversation that others need to trace:
no audit row (docs/inbox.md). The caller has read the conversation through
queries.conversation_for, which is the permission check."""

from django.utils import timezone

from unsilo.core.actor import Actor
from unsilo.inbox.models import Conversation, ConversationRead


def mark_opened(actor: Actor, conversation: Conversation) -> None:
    """`conversation` is read for the actor's login as of now (nothing for the system)."""
    if actor.user is None:
        return
    ConversationRead.objects.update_or_create(
        reader=actor.user, conversation=conversation, defaults={"read_at": timezone.now()})
