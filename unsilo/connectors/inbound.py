"""Messages in from connectors: each page stored with the stream position after it, in one
transaction, through the one ingestion path (`inbox.ingest.store`).

A worker killed between two pages loses nothing and repeats nothing: the position on disk is
always the one after the last stored message, and storing is idempotent on (network, id)
anyway. Polling (`fetch`) and streams (`unsilo listen`, Bluesky's firehose) both come here.

A position only moves forward: a reader says which position its page was read from (a
`Position`, with the row's version), and the page is stored only if the stream still stands
there — a conditional UPDATE on the version. A reader that was overtaken (two fetches of one
connection, a requeued task beside its successor) stores nothing and is told (`Overtaken`),
so a slow reader can never put the position back.
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


@dataclasses.dataclass(frozen=True)
class Position:
    """Where a stream stood when read: its value (the network's cursor) and the row's version
    (0: never stored)."""

    value: str = ""
    version: int = 0

    def after(self, page: Page) -> "Position":
        """Where the stream stands once `page`, read from here, is stored."""
        if not page.position or page.position == self.value:
            return self
        return Position(page.position, self.version + 1)


class Overtaken(Exception):
    """Another reader moved the stream on since this page was read from it."""


def position(key: str) -> Position:
    row = StreamPosition.objects.filter(key=key).values_list("position", "version").first()
    return Position(*row) if row else Position()


def _advance(key: str, read_from: Position, value: str, connection: Connection | None) -> None:
    """Move the stream from `read_from` to `value`, or raise Overtaken (rolling back the page)."""
    now = timezone.now()
    if read_from.version == 0:
        _, created = StreamPosition.objects.get_or_create(
            key=key, defaults={"position": value, "version": 1, "updated_at": now,
                               "connection": connection})
        moved = created
    else:
        moved = StreamPosition.objects.filter(key=key, version=read_from.version).update(
            position=value, version=F("version") + 1, updated_at=now)
    if not moved:
        raise Overtaken(f"{key} moved on since {read_from.value or 'the start'}")


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


def store_page(key: str, page: Page, network: str, connection: Connection | None = None,
               read_from: Position | None = None) -> IngestReport:
    """Store a page's messages and the position after them, together. `read_from` is where
    the page was read from (None: the stream has no position, as webhooks)."""
    messages = [_fit(m) for m in page.messages]
    read_from = read_from or Position()

    def keep_position() -> None:
        moved_to = read_from.after(page)
        if moved_to != read_from:
            _advance(key, read_from, moved_to.value, connection)
        if connection is not None:
            Connection.objects.filter(pk=connection.pk).update(
                fetched_total=F("fetched_total") + len(messages))

    return store(messages, actor_for(network), f"{network} connector", within=keep_position)


def stream_key(connection: Connection, stream: str = "inbound") -> str:
    return f"conn:{connection.pk}:{stream}"
