"""Replies out through the account's connector, and the demo customer's follow-ups in.

Each task takes ids (or the plain message) and is safe to run twice: a SENT reply is never
sent again, and ingestion is idempotent on (network, id).
"""

from django.db import transaction
from django.utils import timezone
from django_tasks import task

from unsilo.connectors.base import OutboundReply, connector_for
from unsilo.core import audit
from unsilo.core.actor import Actor
from unsilo.core.models import Via
from unsilo.inbox.models import Direction, Message, MessageState

WORKER = Actor.system(via=Via.WORKER, label="delivery")


def _outbound(message: Message) -> OutboundReply:
    conversation = message.conversation
    return OutboundReply(
        message_id=message.pk, conversation_id=conversation.pk, network=message.network,
        account_handle=message.account_handle, text=message.text,
        in_reply_to=message.in_reply_to, thread_id=message.thread_id,
        customer=conversation.author, language=conversation.language,
    )


@task()
def deliver_reply(message_id: int) -> str:
    """Send one queued reply; returns its state afterwards."""
    message = (Message.objects.select_related("conversation")
               .filter(pk=message_id, direction=Direction.OUTBOUND).first())
    if message is None or message.state == MessageState.SENT:
        return message.state if message else "missing"
    # The network call stays outside any transaction: it may be slow.
    try:
        result = connector_for(message.network).deliver(_outbound(message))
        external_id, url, error = result.external_id, result.url, result.error
    except Exception as exc:  # noqa: BLE001 - a failed delivery is recorded, not lost
        external_id, url, error = "", "", f"{type(exc).__name__}: {exc}"
    with transaction.atomic():
        message = Message.objects.select_for_update().get(pk=message_id)
        if message.state == MessageState.SENT:
            return message.state  # another worker delivered it meanwhile
        before = audit.snapshot(message, ["state", "external_id", "delivery_error"])
        if error:
            message.state, message.delivery_error = MessageState.FAILED, error[:2000]
        else:
            message.state, message.delivery_error = MessageState.SENT, ""
            message.external_id = external_id or message.external_id
            message.url = url or message.url
        message.save(update_fields=["state", "delivery_error", "external_id", "url"])
        changes = audit.diff(before, audit.snapshot(message, before.keys()))
        action = "delivery_failed" if error else "delivered"
        audit.record(WORKER, action, message, changes,
                     message.conversation.silo_id if message.conversation_id else None)
    return message.state


@task()
def demo_follow_up(item: dict) -> None:
    """The demo customer answers a reply: one message through the ingestion pipeline."""
    from unsilo.inbox.ingest import ingest

    ingest([{**item, "created_at": timezone.now().isoformat()}],
           Actor.system(via=Via.WORKER, label="demo connector"), "demo")
