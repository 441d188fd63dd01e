"""Messages in from connectors: each page stored with the stream position after it, in one
transaction, through the one ingestion path (`inbox.ingest.store`).

A worker killed between two pages loses nothing and repeats nothing: the position on disk is
always the one after the last stored message, and storing is idempotent on (network, id)
anyway. Polling (`fetch`) and streams (`unsilo listen`, Bluesky's firehose) both come here.
"""

import dataclasses
import logging

from django.db.models import F
from django.utils import timezone

from unsilo.connectors.base import Incoming, Page
from unsilo.connectors.models import Connection, StreamPosition
from unsilo.core.actor import Actor
from unsilo.core.models import Via
from unsilo.inbox.ingest import LIMITS, MAX_TEXT_BYTES, IngestReport, store

log = logging.getLogger("unsilo.connectors")


def actor_for(network: str) -> Actor:
    return Actor.system(via=Via.WORKER, label=f"{network} connector")


def position(key: str) -> str:
    return StreamPosition.objects.filter(key=key).values_list("position", flat=True).first() or ""


def _save_position(key: str, value: str, connection: Connection | None) -> None:
    StreamPosition.objects.update_or_create(
        key=key, defaults={"position": value, "updated_at": timezone.now(),
                           "connection": connection})


def _fit(message: Incoming) -> Incoming:
    """A network's message cut to what the inbox stores (ids and handles are short anyway; an
    over-long text is cut rather than lost)."""
    changes = {}
    for name, limit in LIMITS.items():
        value = getattr(message, name, "")
        if isinstance(value, str) and len(value) > limit:
            changes[name] = value[:limit]
    text = message.text.replace("\x00", "")
    if len(text.encode("utf-8")) > MAX_TEXT_BYTES:
        text = text.encode("utf-8")[:MAX_TEXT_BYTES].decode("utf-8", errors="ignore")
    if text != message.text:
        changes["text"] = text
    return dataclasses.replace(message, **changes) if changes else message


def store_page(key: str, page: Page, network: str, connection: Connection | None = None
               ) -> IngestReport:
    """Store a page's messages and the position after them, together."""
    messages = [_fit(m) for m in page.messages]

    def keep_position() -> None:
        if page.position:
            _save_position(key, page.position, connection)
        if connection is not None:
            Connection.objects.filter(pk=connection.pk).update(
                fetched_total=F("fetched_total") + len(messages))

    return store(messages, actor_for(network), f"{network} connector", within=keep_position)


def stream_key(connection: Connection, stream: str = "inbound") -> str:
    return f"conn:{connection.pk}:{stream}"
