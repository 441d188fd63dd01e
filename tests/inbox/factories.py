"""Inbox factories: each makes a valid object straight in the database (no audit rows).
Helpers append their own below; keep each one small."""

import datetime
import itertools

from django.utils import timezone

from unsilo.inbox.models import Consult, Conversation, Direction, Message, MessageState

_n = itertools.count(1)


def conversation(silo=None, *, text="Where is my parcel?", at=None, **fields) -> Conversation:
    """A conversation with one inbound message; `at` is its last activity (default: now)."""
    n = next(_n)
    at = at or timezone.now()
    fields.setdefault("network", "bluesky")
    fields.setdefault("author", f"customer{n}.bsky.social")
    fields.setdefault("thread_key", f"{fields['network']}:t{n}")
    fields.setdefault("preview", text[:200])
    fields.setdefault("search", text.lower())
    fields.setdefault("created_at", at)
    fields.setdefault("message_count", 1)
    conv = Conversation.objects.create(silo=silo, last_message_at=at, last_inbound_at=at,
                                       **fields)
    message(conv, text=text, at=at, author=conv.author)
    return conv


def message(conv: Conversation, *, text="Hello", at=None, direction=Direction.INBOUND,
            **fields) -> Message:
    n = next(_n)
    fields.setdefault("author", conv.author)
    fields.setdefault("state", MessageState.PROCESSED if direction == Direction.INBOUND
                      else MessageState.SENT)
    return Message.objects.create(
        conversation=conv, network=conv.network, external_id=f"m{n}", direction=direction,
        text=text, created_at=at or timezone.now(), **fields)


def consult(conv: Conversation, expert, **fields) -> Consult:
    return Consult.objects.create(conversation=conv, expert=expert, **fields)


def minutes_ago(n: float) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(minutes=n)


# The ingestion pipeline (helper C) ------------------------------------------------------------


def fixed_routing(monkeypatch, decide=None) -> list:
    """Make the pipeline classify plainly and route each message with `decide(incoming) ->
    Decision` (default: the hub's triage), instead of the learned router, so tests of threading
    and of what routing writes need no trained model. Returns the batches it was given."""
    from unsilo.inbox import pipeline
    from unsilo.learning.types import Classification, Decision

    def triage(m):
        return Decision(silo_id=None, silo=None, assignee_id=None, assignee=None,
                        confidence=0.1, reasons=["no routing model yet"], source="triage",
                        triage=True)

    seen = []

    def classify_route(batch, at=None):
        seen.append(batch)
        classes = [Classification(intent="other",
                                  sentiment="negative" if "angry" in m.text else "neutral",
                                  language=m.lang or "en", urgency="normal",
                                  risk={"legal": ["lawyer"]} if "lawyer" in m.text else {})
                   for m in batch]
        return classes, [(decide or triage)(m) for m in batch]

    monkeypatch.setattr(pipeline, "classify_route", classify_route)
    return seen


def to_person(person):
    """A `decide` for fixed_routing: everything to `person`, by the model."""
    from unsilo.learning.types import Decision

    return lambda m: Decision(silo_id=person.silo_id, silo=person.silo.name,
                              assignee_id=person.pk, assignee=person.email, confidence=0.9,
                              reasons=[f"{person.name} resolved 9 like it"], source="model")


# Resolved history and routing (helper B) --------------------------------------------------------


def history_line(n, silo: str, text: str, resolved_by: str | None = None, **fields) -> dict:
    """One line of resolved history (docs/product.md), id "h<n>" on x."""
    item = {"id": f"h{n}", "network": "x", "text": text, "author": f"@customer{n}",
            "created_at": "2026-03-01T09:30:00Z", "resolved_by_silo": silo}
    if resolved_by:
        item["resolved_by"] = resolved_by
    item.update(fields)
    return item


def jsonl(items) -> bytes:
    import json

    return ("\n".join(json.dumps(i, ensure_ascii=False) for i in items) + "\n").encode()


REFUNDS = ["I want a refund for order {n}", "still waiting on my refund {n}, when is it paid back",
           "refund not received for the returned kettle {n}",
           "please refund the double charge on order {n}"]
INVOICES = ["I need a VAT invoice for order {n}", "the invoice {n} has the wrong company name",
            "can you send a copy of invoice {n} for my accounts",
            "my invoice {n} shows the wrong tax number"]
DELIVERY = ["where is my parcel {n}, the tracking has not moved",
            "the courier left my package {n} at the wrong house",
            "delivery {n} is late again, no sign of the van",
            "the tracking number {n} says delivered but no parcel arrived"]


def billing_history(refunds_by: str, invoices_by: str, delivery_by: str, per_topic: int = 12
                    ) -> list[dict]:
    """Refunds and invoices resolved in Billing, deliveries in Logistics, each by one person."""
    items, n = [], 0
    for texts, silo, who in ((REFUNDS, "Billing", refunds_by), (INVOICES, "Billing", invoices_by),
                             (DELIVERY, "Logistics", delivery_by)):
        for k in range(per_topic):
            n += 1
            items.append(history_line(n, silo, texts[k % len(texts)].format(n=1000 + n), who))
    return items
