"""The connectors' sweeps claim what they hand over, and a stream position only moves forward:
while one worker is in the middle of a sweep or a fetch, another does the same on its own
database connection (tests/concurrency.py), and nothing is handed over twice or put back."""

import datetime
import signal
import time
import uuid

import pytest
from django.utils import timezone

from tests.concurrency import as_another_worker
from tests.connectors import factories as conn_factories
from tests.core.test_worker_recovery import company, python, start_worker  # noqa: F401
from unsilo.connectors import inbound, outbound, plugins, tasks
from unsilo.connectors.base import Connector, Incoming, Page
from unsilo.connectors.models import (
    Connection,
    Delivery,
    DeliveryState,
    StreamPosition,
    WebhookEvent,
)
from unsilo.inbox import ingest
from unsilo.inbox.models import Message

pytestmark = pytest.mark.django_db(transaction=True)
AGO = timezone.now() - datetime.timedelta(minutes=30)
MESSAGES = 5  # what the counting network holds


class Counting(Connector):
    """A network whose stream is its messages 1…5, one a page; the position is the last read."""

    name = "counting"
    label = "Counting"

    def fetch(self, session, position):
        n = int(position or 0) + 1
        message = Incoming(id=f"c{n}", network="counting", text=f"message {n}", author="@ann",
                           created_at=AGO)
        return Page(messages=[message], position=str(n), more=n < MESSAGES)


@pytest.fixture
def counting(monkeypatch):
    monkeypatch.setattr(plugins, "connector", lambda name: Counting() if name == "counting"
                        else None)
    monkeypatch.setattr(ingest, "_enqueue_processing", lambda: None)  # not what is tested


class HandOver:
    """Stands in for a task's `enqueue`: records what is handed over; on the first hand-over
    another worker runs `sweep` to the end meanwhile."""

    def __init__(self, sweep):
        self.sweep, self.handed, self.swept = sweep, [], False

    def enqueue(self, pk):
        if not self.swept:
            self.swept = True
            as_another_worker(self.sweep)
        self.handed.append(pk)


def test_two_fetch_sweeps_at_once_enqueue_each_due_connection_once(counting, monkeypatch):
    conns = [conn_factories.connection("counting") for _ in range(8)]
    Connection.objects.update(next_fetch_at=AGO)
    hand_over = HandOver(tasks.fetch_due)
    monkeypatch.setattr(tasks, "fetch_connection", hand_over)
    tasks.fetch_due()
    assert sorted(hand_over.handed) == sorted(c.pk for c in conns)


def test_two_outbound_sweeps_at_once_hand_each_due_delivery_over_once(monkeypatch):
    def delivery(**fields):
        return Delivery.objects.create(kind="reply", network="x", text="Thanks!",
                                       idempotency_key=uuid.uuid4().hex, next_attempt_at=AGO,
                                       **fields)

    due = [delivery() for _ in range(6)]
    # Attempts whose workers vanished (leases long expired).
    due += [delivery(state=DeliveryState.SENDING, attempts=1, lease_until=AGO)
            for _ in range(4)]
    hand_over = HandOver(outbound.send_due)
    monkeypatch.setattr(tasks, "send_delivery", hand_over)
    outbound.send_due()
    assert sorted(hand_over.handed) == sorted(d.pk for d in due)
    vanished = Delivery.objects.filter(pk__in=[d.pk for d in due[6:]])
    # Back on the queue, in doubt: the next attempt asks the network first.
    assert set(vanished.values_list("state", "in_doubt")) == {(DeliveryState.QUEUED, True)}


def test_two_webhook_sweeps_at_once_enqueue_each_waiting_event_once(monkeypatch):
    events = [WebhookEvent.objects.create(network="webhook", body=b"{}", received_at=AGO)
              for _ in range(6)]
    hand_over = HandOver(tasks.process_webhooks)
    monkeypatch.setattr(tasks, "process_webhook", hand_over)
    tasks.process_webhooks()
    assert sorted(hand_over.handed) == sorted(e.pk for e in events)


def test_a_fetch_overtaken_by_another_never_puts_the_stream_position_back(counting,
                                                                         monkeypatch):
    conn = conn_factories.connection("counting")
    key = inbound.stream_key(conn)
    slow = {"first": True}
    fetch = Counting.fetch

    def slow_first_page(self, session, position):
        page = fetch(self, session, position)
        if slow["first"]:  # the network is slow to answer; another worker fetches meanwhile
            slow["first"] = False
            as_another_worker(tasks.fetch_connection.call, conn.pk)
        return page

    seen = []
    store_page = inbound.store_page

    def store_and_look(*args, **kwargs):
        report = store_page(*args, **kwargs)
        seen.append(int(StreamPosition.objects.get(key=key).position))
        return report

    monkeypatch.setattr(Counting, "fetch", slow_first_page)
    monkeypatch.setattr(inbound, "store_page", store_and_look)
    tasks.fetch_connection.call(conn.pk)
    assert seen == sorted(seen), f"the position went back: {seen}"
    assert StreamPosition.objects.get(key=key).position == str(MESSAGES)
    assert Message.objects.filter(network="counting").count() == MESSAGES


# Real worker processes ------------------------------------------------------------------------


def test_three_real_workers_hand_each_waiting_event_and_delivery_over_once(processes,
                                                                          company):  # noqa: F811
    env = company
    python(env, """
        import datetime, uuid
        from django.utils import timezone
        from unsilo.connectors.models import Delivery, DeliveryState, WebhookEvent
        ago = timezone.now() - datetime.timedelta(minutes=30)
        # Events whose first task was lost; attempts whose workers vanished.
        WebhookEvent.objects.bulk_create([WebhookEvent(network="webhook", body=b"not json",
                                                       received_at=ago) for _ in range(60)])
        Delivery.objects.bulk_create([Delivery(
            kind="reply", network="nowhere", text="Thanks!", idempotency_key=uuid.uuid4().hex,
            state=DeliveryState.SENDING, attempts=1, lease_until=ago, next_attempt_at=ago)
            for _ in range(40)])
    """)
    left = """
        from unsilo.connectors.models import Delivery, WebhookEvent
        print(WebhookEvent.objects.filter(status="pending").count()
              + Delivery.objects.filter(state__in=["queued", "sending"]).count())
    """
    workers = [start_worker(processes, env) for _ in range(3)]
    try:
        deadline = time.monotonic() + 180
        while int(python(env, left)) and time.monotonic() < deadline:
            time.sleep(0.5)
    finally:
        for w in workers:  # a clean stop; the `processes` fixture kills what is left
            w.send_signal(signal.SIGTERM)
        for w in workers:
            w.wait(30)
    assert python(env, left) == "0"
    handed = python(env, """
        from collections import Counter
        from django_tasks_db.models import DBTaskResult
        paths = ["unsilo.connectors.tasks.process_webhook", "unsilo.connectors.tasks.send_delivery"]
        rows = DBTaskResult.objects.filter(task_path__in=paths)
        times = Counter((r.task_path, r.args_kwargs["args"][0]) for r in rows)
        print(len(times), max(times.values()))
    """)
    assert handed == "100 1"  # every event and delivery handed over, each exactly once
