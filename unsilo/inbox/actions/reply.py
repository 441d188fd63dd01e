"""Answering the customer: replies (with the collision check), who else has the conversation
open, and saved replies filled in for a conversation."""

import datetime
import re
import uuid

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from unsilo.connectors import registry
from unsilo.core import audit
from unsilo.core.actor import Actor
from unsilo.inbox import access
from unsilo.inbox.actions.base import actor_person, lock, require_respond
from unsilo.inbox.models import (
    Conversation,
    Direction,
    Message,
    MessageState,
    SavedReply,
    Status,
    Viewer,
)

# Someone who typed within this long is still typing; someone seen within VIEWING still looks.
TYPING = datetime.timedelta(seconds=20)
VIEWING = datetime.timedelta(seconds=45)


class Collision(Exception):
    """Someone else replied since you looked, or is typing a reply now. Send with force=True
    to reply anyway."""

    def __init__(self, message: str, who: list[str]):
        super().__init__(message)
        self.message = message
        self.who = who


def _collision(actor: Actor, conversation: Conversation, seen_message_id: int | None
               ) -> Collision | None:
    me = actor.user.pk if actor.user else None
    if seen_message_id is not None:
        replies = conversation.messages.filter(direction=Direction.OUTBOUND,
                                               pk__gt=seen_message_id)
        if me is not None:
            replies = replies.exclude(sent_by_id=me)
        newer = replies.select_related("sent_by").order_by("-id").first()
        if newer is not None:
            who = str(newer.sent_by) if newer.sent_by else newer.author
            return Collision(f"{who} replied since you opened this conversation: read their "
                             "reply before you send yours.", [who])
    typing = (Viewer.objects.filter(conversation=conversation, typing=True,
                                    seen_at__gte=timezone.now() - TYPING)
              .exclude(user_id=me).select_related("user"))
    names = [str(v.user) for v in typing]
    if names:
        verb = "is" if len(names) == 1 else "are"
        return Collision(f"{' and '.join(names)} {verb} typing a reply to this conversation "
                         "right now.", names)
    return None


@transaction.atomic
def reply(actor: Actor, conversation: Conversation, text: str, *,
          seen_message_id: int | None = None, force: bool = False) -> Message:
    """Queue a reply to the customer through the account's connector. Refused with Collision
    when someone else replied after `seen_message_id` or is typing, unless `force`."""
    require_respond(actor, lock(conversation))
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": "Write the reply first."})
    if not force:
        clash = _collision(actor, conversation, seen_message_id)
        if clash is not None:
            raise clash
    now = timezone.now()
    handle = conversation.account.handle if conversation.account_id else ""
    last_in = (conversation.messages.filter(direction=Direction.INBOUND)
               .order_by("-created_at", "-id").values_list("external_id", flat=True).first())
    message = Message.objects.create(
        conversation=conversation, network=conversation.network,
        # A placeholder until the connector gives the network's own id.
        external_id=f"unsilo-out-{uuid.uuid4()}", direction=Direction.OUTBOUND,
        state=MessageState.QUEUED, account_handle=handle, author=handle or "unsilo",
        text=text, created_at=now, received_at=now,
        thread_id=conversation.thread_key.partition(":")[2], in_reply_to=last_in or "",
        sent_by=actor.user,
    )
    conversation.last_message_at = now
    conversation.message_count += 1
    conversation.search = f"{conversation.search}\n{text.lower()}"
    conversation.first_response_at = conversation.first_response_at or now
    if conversation.status == Status.OPEN:
        # The customer's turn; their next message opens it again (the ingestion pipeline).
        conversation.status = Status.WAITING
    conversation.updated_at = now
    conversation.save(update_fields=["last_message_at", "message_count", "search",
                                     "first_response_at", "status", "updated_at"])
    audit.record(actor, "reply", message, {"text": [None, text], "state": [None, message.state]},
                 conversation.silo_id)
    if actor.user is not None:
        Viewer.objects.filter(conversation=conversation, user=actor.user).update(typing=False)

    from unsilo.connectors import outbound

    outbound.queue(actor, kind="reply", network=conversation.network, text=text,
                   account=conversation.account, message=message,
                   in_reply_to=message.in_reply_to, thread_id=message.thread_id,
                   silo_id=conversation.silo_id)
    return message


def touch_viewer(actor: Actor, conversation: Conversation, typing: bool = False
                 ) -> list[Viewer]:
    """Say I have the conversation open (and whether I am typing); returns the others who
    have it open now. Presence, not company data: no audit row."""
    if not access.can_view(actor, conversation) or actor.user is None:
        return []
    now = timezone.now()
    Viewer.objects.update_or_create(conversation=conversation, user=actor.user,
                                    defaults={"typing": typing, "seen_at": now})
    return list(Viewer.objects.filter(conversation=conversation, seen_at__gte=now - VIEWING)
                .exclude(user=actor.user).select_related("user").order_by("user__name"))


VARIABLE = re.compile(r"\{(\w+)\}")


def render_saved_reply(saved_reply: SavedReply, conversation: Conversation, actor: Actor
                       ) -> str:
    """The saved reply's text with {customer}, {agent}, {agent_first}, {silo}, {account} and
    {network} filled in for this conversation; unknown variables stay as written."""
    person = actor_person(actor)
    agent = person.name if person else (str(actor.user) if actor.user else actor.label)
    network = registry.NETWORKS.get(conversation.network)
    values = {
        "customer": conversation.author,
        "agent": agent,
        "agent_first": agent.split()[0] if agent.split() else agent,
        "silo": conversation.silo.name if conversation.silo_id else "",
        "account": conversation.account.handle if conversation.account_id else "",
        "network": network.label if network else conversation.network,
    }
    return VARIABLE.sub(lambda m: values.get(m.group(1), m.group(0)), saved_reply.text)
