"""kill -9 a worker in the middle of processing ingested messages, start another: every message
is processed exactly once, every new conversation routed exactly once. Real `unsilo worker`
processes on a file SQLite database (or a fresh PostgreSQL one when the suite runs there)."""

import signal
import sqlite3
import time

import pytest

from tests.core.test_worker_recovery import company, python, start_worker  # noqa: F401
from unsilo.inbox.pipeline import BATCH

MESSAGES = 6000
THREAD = 4  # a root and three replies, each to the one before


def counter(env):
    """A query runner on the company's database that needs no Django (so it is quick)."""
    url = env["DATABASE_URL"]
    if url.startswith("sqlite"):
        conn = sqlite3.connect(url.removeprefix("sqlite:///"), timeout=20)
    else:
        import psycopg

        conn = psycopg.connect(url, autocommit=True)

    def count(sql: str) -> int:
        return conn.execute(sql).fetchone()[0]

    return count, conn


@pytest.mark.django_db
def test_a_worker_killed_mid_batch_loses_nothing_and_routes_nothing_twice(processes,
                                                                          company):  # noqa: F811
    env = company
    python(env, f"""
        import datetime
        from unsilo.core.actor import Actor
        from unsilo.inbox.ingest import store
        from unsilo.learning.types import Incoming
        at = datetime.datetime(2026, 3, 1, tzinfo=datetime.UTC)
        store([Incoming(id=f"m{{i}}", network="x", text=f"Order {{i}} is late, refund?",
                        author=f"@c{{i - i % {THREAD}}}", created_at=at,
                        in_reply_to="" if i % {THREAD} == 0 else f"m{{i - 1}}")
               for i in range({MESSAGES})], Actor.system(), "test")
    """)
    count, conn = counter(env)
    processed = "SELECT count(*) FROM inbox_message WHERE state = 'processed'"
    assert count(processed) == 0

    first = start_worker(processes, env)
    try:
        deadline = time.monotonic() + 120
        while count(processed) < BATCH and time.monotonic() < deadline:
            time.sleep(0.01)
        time.sleep(0.1)  # into the next batch (a batch takes a few tenths of a second)
    finally:
        first.send_signal(signal.SIGKILL)
        first.wait()
    at_kill = count(processed)
    assert 0 < at_kill < MESSAGES, "the worker was not killed while it had work"
    # Whole batches only: the batch in hand when it died was rolled back.
    assert at_kill % BATCH == 0
    assert count("SELECT count(*) FROM inbox_routingdecision") == count(
        "SELECT count(DISTINCT conversation_id) FROM inbox_message WHERE state = 'processed'")

    second = start_worker(processes, env)
    try:
        deadline = time.monotonic() + 180
        while count(processed) < MESSAGES and time.monotonic() < deadline:
            time.sleep(0.2)
    finally:
        second.send_signal(signal.SIGTERM)
        second.wait(30)
    conversations = MESSAGES // THREAD
    assert count(processed) == MESSAGES
    assert count("SELECT count(*) FROM inbox_message WHERE conversation_id IS NULL") == 0
    assert count("SELECT count(*) FROM inbox_conversation") == conversations
    assert count("SELECT sum(message_count) FROM inbox_conversation") == MESSAGES
    assert count("SELECT count(*) FROM inbox_conversation WHERE message_count <> "
                 f"{THREAD}") == 0
    assert count("SELECT count(*) FROM inbox_routingdecision") == conversations
    assert count("SELECT count(DISTINCT conversation_id) FROM inbox_routingdecision") == \
        conversations
    assert count("SELECT count(*) FROM core_auditevent WHERE action = 'route'") == conversations
    assert count("SELECT count(DISTINCT object_id) FROM core_auditevent "
                 "WHERE action = 'route'") == conversations
    conn.close()
