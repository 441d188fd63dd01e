"""POST /api/v1/messages: inbound messages into the one ingestion pipeline; GET one back.

The body is read by `ingest.ingest_json` rather than by a ninja Schema, so that every problem is
reported by item index and field in one answer, the same way the CLI reports lines.
"""

import datetime

from django.http import Http404
from ninja import Router, Schema, Status

from unsilo.core.schemas import Id, errors
from unsilo.inbox import ingest
from unsilo.inbox.access import visible
from unsilo.inbox.models import Conversation, Message
from unsilo.inbox.queries import sees_everything

router = Router(tags=["Messages"])


class MessageIn(Schema):
    """An inbound message (docs/product.md). `created_at` is ISO 8601 (`Z` accepted; no zone means
    UTC). `text` is at most 100 KB of UTF-8; no string may hold a NUL byte."""

    id: str
    network: str
    text: str
    author: str
    created_at: str
    account: str | None = None
    thread_id: str | None = None
    in_reply_to: str | None = None
    url: str | None = None
    lang: str | None = None


class IngestOut(Schema):
    received: int
    new: int
    duplicates: int
    ids: list[int]  # unsilo's id of each message sent, in the order sent


class ItemErrorOut(Schema):
    index: int
    field: str
    reason: str


class IngestErrorOut(Schema):
    detail: str
    errors: list[ItemErrorOut] = []


class StoredMessageOut(Schema):
    """A message as stored (not MessageOut, the thread's view of one with who sent it)."""

    id: int
    network: str
    external_id: str
    conversation_id: int | None
    direction: str
    state: str
    author: str
    text: str
    created_at: datetime.datetime
    received_at: datetime.datetime
    account_handle: str
    thread_id: str
    in_reply_to: str
    url: str
    lang: str
    intent: str
    sentiment: str
    language: str
    urgency: str
    risk: dict


# The body is read by ingest, not by ninja, so no operation adds MessageIn to the components:
# it is written out here.
MESSAGE_IN = MessageIn.model_json_schema()
BODY = {"requestBody": {"required": True, "content": {"application/json": {"schema": {
    "oneOf": [MESSAGE_IN, {"type": "array", "items": MESSAGE_IN}],
}}}}}


@router.post("/messages", response={202: IngestOut, 422: IngestErrorOut, **errors(403)},
             openapi_extra=BODY, summary="Send inbound messages")
def send_messages(request):
    """One message object or a list. All or nothing: when any item is wrong, nothing is
    stored and every problem is listed by index (from 0) and field. A message already stored
    (same network and id) is counted as a duplicate, so sending again is safe. Processing
    (threading, classification, routing) follows in the background."""
    report = ingest.ingest_json(request.body, request.actor, source="api")
    if not report.ok:
        first = report.errors[0].describe("index")
        more = len(report.errors) - 1
        detail = first + (f" (and {more} more problem{'s' if more > 1 else ''})" if more else "")
        return Status(422, {"detail": detail, "errors": [
            {"index": e.at, "field": e.field, "reason": e.reason} for e in report.errors]})
    return Status(202, {"received": report.received, "new": report.new,
                        "duplicates": report.duplicates, "ids": report.ids})


@router.get("/messages/{message_id}", response={200: StoredMessageOut, **errors(404)},
            summary="Read one message")
def get_message(request, message_id: Id):
    """A message exactly as stored, if its conversation is one you may read (a message not
    yet processed belongs to none: only readers of the whole inbox see it)."""
    found = Message.objects.filter(pk=message_id).first()
    if found is None or not _readable(request.actor, found):
        raise Http404(f"No message with id {message_id}.")
    return found


def _readable(actor, message: Message) -> bool:
    if message.conversation_id is None:
        return sees_everything(actor)
    return Conversation.objects.filter(visible(actor), pk=message.conversation_id).exists()
