"""Which of a list's conversations the reader has not read: a customer wrote after they last
opened it, or they never opened it."""

from unsilo.core.actor import Actor
from unsilo.inbox.models import Conversation, ConversationRead


def unread_ids(actor: Actor, rows: list[Conversation]) -> set[int]:
    """The ids among `rows` that are unread for the actor's login (one query)."""
    if actor.user is None:
        return set()
    written = {c.pk: c.last_inbound_at for c in rows if c.last_inbound_at is not None}
    if not written:
        return set()
    read = dict(ConversationRead.objects.filter(
        reader=actor.user, conversation_id__in=list(written)).values_list(
        "conversation_id", "read_at"))
    return {pk for pk, at in written.items() if pk not in read or read[pk] < at}
