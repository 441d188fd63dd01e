"""Processing of stored messages: thread, classify and route, apply, notify — the worker's half
of the one ingestion pipeline (`ingest.py` is the other half).

Messages still RECEIVED are taken in batches, each in ONE transaction: claim (PostgreSQL:
FOR UPDATE SKIP LOCKED, so workers share the work; SQLite serialises writers), thread into
conversations, classify and route the batch in one call, update the conversations, write a
RoutingDecision and an audit row per routing, set SLA clocks, notify, mark PROCESSED. A worker
killed mid-batch rolls the whole batch back; the next run does it again: nothing is lost and
nothing is routed twice.

Only new conversations, and conversations still in the hub's triage queue, are routed. A new
message in a conversation someone owns keeps its silo and assignee; it refreshes sentiment,
urgency and risk, and reopens a resolved conversation (the assignee is told, and the audit log
says which message reopened it).

Self-harm and safety never wait: the router gives such a message to the hub's safety rota
(routing/safety.py), the hub is told, and the flag stays on the conversation with the highest
urgency. A flag raised later in a conversation nobody holds routes it the same way.
"""

import datetime
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, fields

from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from unsilo.accounts.models import Account
from unsilo.core import audit
from unsilo.core.actor import Actor
from unsilo.core.bulk import bare, insert_many, update_many
from unsilo.core.models import AuditEvent, Via
from unsilo.inbox import notify as notifications
from unsilo.inbox import sla
from unsilo.inbox.models import (
    Conversation,
    DecisionSource,
    Direction,
    Message,
    MessageState,
    Notification,
    NotificationKind,
    RoutingDecision,
    Status,
)
from unsilo.inbox.routing import safety
from unsilo.inbox.routing.router import Router
from unsilo.inbox.threads import (
    insert_conversations,
    new_conversation,
    stored_conversations,
    thread_keys,
)
from unsilo.learning.types import Classification, Decision, Incoming

log = logging.getLogger("unsilo.inbox")

BATCH = 500
SEARCH_CAP = 20_000  # characters of Conversation.search
PREVIEW = Conversation._meta.get_field("preview").max_length
# A batch that meets a deadlock or a busy database is tried again this many times.
ATTEMPTS = 3
MESSAGE_FIELDS = ["conversation", "state", "intent", "sentiment", "language", "urgency", "risk"]
CONVERSATION_FIELDS = [
    "account", "preview", "status", "silo", "assignee", "triage", "intent", "sentiment",
    "language", "urgency", "risk", "confidence", "reasons", "last_message_at",
    "last_inbound_at", "resolved_at", "resolved_by", "first_response_due", "resolution_due",
    "sla_state", "message_count", "search", "updated_at",
]


@dataclass
class Processed:
    messages: int = 0
    conversations: int = 0  # new ones
    routed: int = 0  # routing decisions written
    triage: int = 0  # of those, to the hub's triage queue
    reopened: int = 0

    def add(self, other: "Processed") -> None:
        for f in fields(self):
            setattr(self, f.name, getattr(self, f.name) + getattr(other, f.name))


def classify_route(batch: list[Incoming], at: datetime.datetime | None
                   ) -> tuple[list[Classification], list[Decision]]:
    """The one call into classification and routing: features computed once for the batch."""
    return Router.current().classify_route(batch, at=at)


def process_pending(message_ids: list[int] | None = None, batch_size: int = BATCH,
                    more: Callable[[], None] | None = None) -> Processed:
    """Process RECEIVED messages (those of `message_ids`, else all) until none is left.
    `more` is called after a full batch commits, so an idle worker can share the rest."""
    total, run = Processed(), {}
    parts = [None] if message_ids is None else [
        message_ids[start:start + 900] for start in range(0, len(message_ids), 900)]
    for part in parts:
        while True:
            try:
                done = _one_batch(part, batch_size, more, run)
            except Exception:
                if batch_size == 1:
                    raise
                log.exception("a batch failed: its messages are tried one by one")
                done = _one_by_one(part, batch_size, run)
            if done is None:
                break
            total.add(done)
    return total


def _one_by_one(message_ids, batch_size, run) -> Processed | None:
    """Process the next batch a message at a time, so one message the classifier or router
    cannot take does not hold up the rest: it is set aside as FAILED, with the reason. When
    every message fails, the cause is not in them (the database, a bug): nothing is set aside."""
    ids = list(Message.objects.filter(state=MessageState.RECEIVED, direction=Direction.INBOUND,
                                      **({"pk__in": message_ids} if message_ids else {}))
               .order_by("id").values_list("pk", flat=True)[:batch_size])
    if not ids:
        return None
    total, failed = Processed(), {}
    for pk in ids:
        try:
            total.add(_one_batch([pk], 1, None, run) or Processed())
        except Exception as error:  # noqa: BLE001 - set aside below, or raised again
            failed[pk] = error
    if failed and not total.messages:
        raise next(iter(failed.values()))
    for pk, error in failed.items():
        log.error("message %s set aside: %s", pk, error)
        Message.objects.filter(pk=pk, state=MessageState.RECEIVED).update(
            state=MessageState.FAILED, delivery_error=f"processing failed: {error}"[:2000])
    return total


def _one_batch(message_ids, batch_size, more, run) -> Processed | None:
    for attempt in range(1, ATTEMPTS + 1):
        try:
            return _try_batch(message_ids, batch_size, more, run)
        except DatabaseError as error:
            # A busy SQLite, or a tie PostgreSQL breaks by failing one side: try again.
            if attempt == ATTEMPTS or not _worth_retrying(error):
                raise
            log.warning("batch retried (%s): %s", attempt, error)
    return None


def _try_batch(message_ids, batch_size, more, run) -> Processed | None:
    if connection.features.has_select_for_update_skip_locked:
        with transaction.atomic():
            batch = _claim(message_ids, batch_size)
            if not batch:
                return None
            if more and len(batch) == batch_size:
                transaction.on_commit(more)
            return process_batch(batch, run=run)
    # SQLite has one writer at a time: classify and route before taking the write lock, so
    # ingestion is not kept waiting for the CPU-heavy part.
    batch = _claim(message_ids, batch_size)
    if not batch:
        return None
    classified = _classified(batch, timezone.now())
    with transaction.atomic():
        still = set(Message.objects.filter(pk__in=[m.pk for m in batch],
                                           state=MessageState.RECEIVED)
                    .values_list("pk", flat=True))
        batch = [m for m in batch if m.pk in still]  # another worker may have done some
        if more and len(batch) == batch_size:
            transaction.on_commit(more)
        return process_batch(batch, classified=classified, run=run) if batch else Processed()


def _classified(batch: list[Message], at: datetime.datetime) -> dict[int, tuple]:
    classes, decisions = classify_route([incoming(m) for m in batch], at=at)
    return {m.pk: pair for m, pair in zip(batch, zip(classes, decisions, strict=True),
                                          strict=True)}


def _worth_retrying(error: DatabaseError) -> bool:
    text = str(error).lower()
    return "deadlock" in text or "locked" in text or "could not serialize" in text


def _claim(message_ids: list[int] | None, batch_size: int) -> list[Message]:
    query = Message.objects.filter(state=MessageState.RECEIVED, direction=Direction.INBOUND)
    if message_ids is not None:
        query = query.filter(pk__in=message_ids)
    query = query.order_by("id")
    if connection.features.has_select_for_update_skip_locked:
        query = query.select_for_update(skip_locked=True, of=("self",))
    return list(query[:batch_size])


def incoming(m: Message) -> Incoming:
    return Incoming(id=m.external_id, network=m.network, text=m.text, author=m.author,
                    created_at=m.created_at, account=m.account_handle, thread_id=m.thread_id,
                    in_reply_to=m.in_reply_to, url=m.url, lang=m.lang)


class _Batch:
    """One batch being applied: the conversations it touches and what it will write."""

    def __init__(self, now: datetime.datetime, run: dict):
        self.now = now
        # Shared by the batches of one run: the SLA calendars, loaded once (a steady API
        # stream makes a small batch every few milliseconds).
        self.run = run
        self.actor = Actor.system(via=Via.WORKER, label="worker")
        self.routes: list[tuple[Conversation, Message, Decision, dict]] = []
        self.notices: list[tuple[int, str, Conversation, str]] = []
        self.reopens: list[tuple[Conversation, Message, dict]] = []
        self.clock = None
        self.hub: list[int] | None = None
        self.done = Processed()

    def hub_people(self) -> list[int]:
        if self.hub is None:
            self.hub = notifications.hub_people()
        return self.hub

    def due_times(self, silo_id, urgency, start):
        if self.clock is None:
            loaded, clock = self.run.get("clock", (0.0, None))
            if clock is None or time.monotonic() - loaded > 30:  # policy changes apply soon
                loaded, clock = time.monotonic(), sla.clock()
                self.run["clock"] = (loaded, clock)
            self.clock = clock
        return self.clock.due_times(silo_id, urgency, start)


def process_batch(batch: list[Message], now: datetime.datetime | None = None,
                  classified: dict[int, tuple] | None = None, run: dict | None = None
                  ) -> Processed:
    """Apply one claimed batch, inside the caller's transaction. `classified` holds the
    (classification, decision) of messages done beforehand; the others are done here."""
    work = _Batch(now or timezone.now(), {} if run is None else run)
    keys = thread_keys(batch)
    conversations = stored_conversations(sorted(set(keys.values())))
    fresh = []
    for m in sorted(batch, key=lambda m: (m.created_at, m.pk)):
        if keys[m.pk] not in conversations:
            conversations[keys[m.pk]] = new_conversation(keys[m.pk], m)
            fresh.append(conversations[keys[m.pk]])
    classified = classified or {}
    todo = [m for m in batch if m.pk not in classified]
    if todo:
        classified.update(_classified(todo, work.now))
    accounts = _accounts({(m.network, m.account_handle) for m in batch if m.account_handle})

    by_key: dict[str, list[tuple[Message, Classification, Decision]]] = {}
    for m in batch:
        cls, decision = classified[m.pk]
        m.state = MessageState.PROCESSED
        m.intent, m.sentiment, m.language = cls.intent[:40], cls.sentiment, cls.language[:8]
        m.urgency, m.risk = cls.urgency, cls.risk
        by_key.setdefault(keys[m.pk], []).append((m, cls, decision))
    for key, conversation in conversations.items():
        by_key[key].sort(key=lambda i: (i[0].created_at, i[0].pk))
        _apply(work, conversation, by_key[key], conversation.pk is None, accounts)

    # New conversations go in whole, with their ids known only now: then what refers to them.
    lost = insert_conversations(fresh)
    gone: set[int] = set()
    if lost:
        # Another worker has just started these threads (a reply here, its parent there):
        # our messages join its conversations instead, and do not route them again.
        gone = {id(conversations[key]) for key in lost}
        work.routes = [r for r in work.routes if id(r[0]) not in gone]
        work.notices = [n for n in work.notices if id(n[2]) not in gone]
        work.reopens = [r for r in work.reopens if id(r[0]) not in gone]
        for key, conversation in lost.items():
            conversations[key] = conversation
            _apply(work, conversation, by_key[key], False, accounts)
        log.info("%d threads of this batch were started by another worker", len(lost))
    inserted = {id(c) for c in fresh if id(c) not in gone}
    update_many(Conversation, [c for c in conversations.values() if id(c) not in inserted],
                CONVERSATION_FIELDS)
    for m in batch:
        m.conversation_id = conversations[keys[m.pk]].pk
    update_many(Message, batch, MESSAGE_FIELDS)
    insert_many(RoutingDecision, [_decision_row(work, *route) for route in work.routes])
    insert_many(AuditEvent, [_audit_row(work, *route) for route in work.routes]
                + [_reopen_row(work, *reopened) for reopened in work.reopens])
    _notify_all(work)
    work.done.messages = len(batch)
    work.done.conversations = len(inserted)
    work.done.routed = len(work.routes)
    work.done.triage = sum(1 for r in work.routes if r[2].triage)
    return work.done


def _notify_all(work: _Batch) -> None:
    """The rows notify.notify() writes, for the whole batch in one INSERT rather than one per
    conversation."""
    rows = [bare(Notification, person_id=person_id, kind=kind, conversation_id=conversation.pk,
                 silo_id=conversation.silo_id, text=text[:notifications.TEXT_MAX],
                 created_at=work.now, first_at=work.now)
            for person_id, kind, conversation, text in _distinct(work.notices)]
    rows = notifications.wanted(rows)
    insert_many(Notification, rows)
    if rows:  # their ids, to queue their emails: this batch's rows are those made at its `now`
        notifications.queue_emails(list(Notification.objects.filter(
            person_id__in={r.person_id for r in rows}, read_at=None, created_at=work.now)))


def _distinct(notices: list) -> list:
    """One notice per person, kind and conversation (the safety rota's reader is also hub)."""
    seen, out = set(), []
    for person_id, kind, conversation, text in notices:
        key = (person_id, kind, id(conversation))
        if person_id and key not in seen:
            seen.add(key)
            out.append((person_id, kind, conversation, text))
    return out


def _accounts(handles: set[tuple[str, str]]) -> dict[tuple[str, str], int]:
    found = {}
    for network in {n for n, _ in handles}:
        names = [h for n, h in handles if n == network]
        found.update(((network, h), pk) for pk, h in Account.objects.filter(
            network=network, handle__in=names).values_list("pk", "handle"))
    return found


def _apply(work: _Batch, c: Conversation, items, is_new: bool, accounts: dict) -> None:
    """Fold this batch's messages (oldest first) into their conversation; route it if new or
    still in triage."""
    last_inbound = c.last_inbound_at
    latest = None
    for m, cls, decision in items:
        c.message_count += 1
        c.last_message_at = max(c.last_message_at, m.created_at)
        if len(c.search) < SEARCH_CAP:
            c.search = (c.search + "\n" + m.text.lower() if c.search
                        else m.text.lower())[:SEARCH_CAP]
        if c.account_id is None and m.account_handle:
            c.account_id = accounts.get((m.network, m.account_handle))
        if last_inbound is None or m.created_at >= last_inbound:
            last_inbound, latest = m.created_at, (m, cls, decision)
    c.updated_at = work.now
    first_m, first_cls, first_decision = items[0]
    if is_new:
        c.intent, c.language = first_cls.intent[:40], first_cls.language[:8]
    held = set(c.risk or []) & set(safety.FLAGS)
    raised: set[str] = set()
    for _, cls, _ in items:
        raised |= set(cls.risk) & set(safety.FLAGS)
    if latest is not None:
        m, cls, _ = latest
        c.last_inbound_at = m.created_at
        c.preview = " ".join(m.text.split())[:PREVIEW]
        # A self-harm or safety flag stays with the conversation, at the highest urgency.
        c.sentiment, c.urgency, c.risk = cls.sentiment, cls.urgency, sorted(
            set(cls.risk) | held | raised)
        if not c.intent:
            c.intent, c.language = cls.intent[:40], cls.language[:8]
    if held or raised:
        c.urgency = "urgent"
    if not is_new and c.status in (Status.RESOLVED, Status.WAITING):
        _reopen(work, c, items[-1][0])
    flagged = next(((m, d) for m, cls, d in items if d.source == DecisionSource.SAFETY), None)
    if is_new:
        _route(work, c, *(flagged or (first_m, first_decision)))
    elif flagged and raised - held and (c.triage or c.assignee_id is None):
        _route(work, c, *flagged)
    elif raised - held:
        # Someone holds it: they keep it, and they and the hub are told.
        _tell_hub(work, c, None, sorted(raised - held))
    elif c.triage and latest is not None:
        if latest[2].triage:
            # Still for the hub to triage: nothing new to record.
            c.confidence, c.reasons = latest[2].confidence, list(latest[2].reasons)
        else:
            _route(work, c, latest[0], latest[2])


REOPEN_AUDITED = ["status", "resolved_at", "resolved_by", "resolution_due", "sla_state"]


def _reopen(work: _Batch, c: Conversation, m: Message) -> None:
    was = c.status
    work.reopens.append((c, m, audit.snapshot(c, REOPEN_AUDITED)))
    c.status = Status.OPEN
    if was == Status.RESOLVED:
        work.done.reopened += 1
        c.resolved_at = c.resolved_by_id = None
        c.sla_state = ""
        c.resolution_due = work.due_times(c.silo_id, c.urgency, _start(m, work.now))[1]
    if c.assignee_id:
        work.notices.append((c.assignee_id, NotificationKind.REPLY, c,
                             f"{c.author} replied on {c.network}: {c.preview}"))


def _start(m: Message, now: datetime.datetime) -> datetime.datetime:
    # The customer has waited since they wrote, but never since a time still to come.
    return min(m.created_at, now)


def _route(work: _Batch, c: Conversation, m: Message, d: Decision) -> None:
    """Give the conversation the router's decision; its decision row and audit row are
    written once the conversation has its id."""
    before = {"silo": c.silo_id, "assignee": c.assignee_id, "triage": c.triage}
    c.silo_id, c.assignee_id, c.triage = d.silo_id, d.assignee_id, d.triage
    c.confidence, c.reasons = d.confidence, list(d.reasons)
    if d.silo_id is not None:
        c.first_response_due, c.resolution_due = work.due_times(d.silo_id, c.urgency,
                                                                _start(m, work.now))
        c.sla_state = ""
    work.routes.append((c, m, d, before))
    if d.source == DecisionSource.SAFETY:
        _tell_hub(work, c, d, sorted(set(c.risk) & set(safety.FLAGS)))
    elif d.assignee_id:
        work.notices.append((d.assignee_id, NotificationKind.ASSIGNED, c,
                             f"New conversation from {c.author} on {c.network}: {c.preview}"))


def _tell_hub(work: _Batch, c: Conversation, d: Decision | None, flags: list[str]) -> None:
    """Self-harm or safety: the person who reads it and the hub are told at once."""
    what = " and ".join(safety.LABELS.get(f, f) for f in flags)
    reader = d.assignee_id if d is not None and d.assignee_id else c.assignee_id
    text = f"{what.capitalize()} flagged: {c.author} on {c.network}: {c.preview}"
    for person_id in [reader, *work.hub_people()]:
        work.notices.append((person_id, NotificationKind.SAFETY, c, text))


def _decision_row(work: _Batch, c: Conversation, m: Message, d: Decision, before: dict
                  ) -> RoutingDecision:
    return bare(RoutingDecision,
                conversation_id=c.pk, message_id=m.pk, source=d.source, silo_id=d.silo_id,
                assignee_id=d.assignee_id, triage=d.triage, confidence=d.confidence,
                reasons=list(d.reasons), rule_id=d.rule_id, model_version=d.model_version,
                at=work.now)


def _audit_row(work: _Batch, c: Conversation, m: Message, d: Decision, before: dict
               ) -> AuditEvent:
    changes = audit.diff(before, {"silo": c.silo_id, "assignee": c.assignee_id,
                                  "triage": c.triage})
    changes.update({"source": [None, d.source], "confidence": [None, d.confidence],
                    "reasons": [None, list(d.reasons)]})
    return audit.event(work.actor, "route", c, changes, d.silo_id, at=work.now)


def _reopen_row(work: _Batch, c: Conversation, m: Message, before: dict) -> AuditEvent:
    """A customer's message opened a resolved (or waiting) conversation again."""
    changes = audit.diff(before, audit.snapshot(c, REOPEN_AUDITED))
    changes["message"] = [None, m.pk]
    action = "reopen" if before["status"] == Status.RESOLVED else "customer_answered"
    return audit.event(work.actor, action, c, changes, c.silo_id, at=work.now)
