"""Two workers processing two batches of one new thread at the same moment (PostgreSQL, where
workers run side by side): one conversation, routed once."""

import threading

import pytest
from django.db import connection

from tests.inbox import factories as inbox_factories
from unsilo.core.actor import Actor
from unsilo.inbox import ingest, pipeline
from unsilo.inbox.models import Conversation, Message, MessageState, RoutingDecision

# SQLite runs one writer at a time: no two batches overlap there.
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgresql]


def test_two_batches_racing_on_one_new_thread_make_one_conversation(monkeypatch):
    inbox_factories.fixed_routing(monkeypatch)
    items = [{"id": "root", "network": "x", "text": "My order is late", "author": "@ann",
              "created_at": "2026-03-01T09:00:00Z"},
             {"id": "reply", "network": "x", "text": "Hello??", "author": "@ann",
              "created_at": "2026-03-01T09:05:00Z", "in_reply_to": "root"}]
    monkeypatch.setattr(ingest, "_enqueue_processing", lambda: None)  # the threads do it
    report = ingest.ingest(items, Actor.system(), "test")
    root, reply = report.new_ids
    # Both batches look for the thread before either has stored it.
    both_looked = threading.Barrier(2, timeout=10)
    looked_up = pipeline.stored_conversations

    def look_then_wait(keys):
        found = looked_up(keys)
        both_looked.wait()
        return found

    monkeypatch.setattr(pipeline, "stored_conversations", look_then_wait)
    lost = []
    insert = pipeline.insert_conversations

    def insert_and_note(fresh):
        found = insert(fresh)
        lost.extend(found)
        return found

    monkeypatch.setattr(pipeline, "insert_conversations", insert_and_note)
    failures = []

    def work(pk):
        try:
            pipeline.process_pending([pk])
        except Exception as error:  # noqa: BLE001 - reported by the test below
            failures.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(pk,)) for pk in (root, reply)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert not failures
    assert Conversation.objects.count() == 1
    conversation = Conversation.objects.get()
    assert conversation.message_count == 2
    assert not Message.objects.exclude(state=MessageState.PROCESSED).exists()
    assert set(Message.objects.values_list("conversation_id", flat=True)) == {conversation.pk}
    assert RoutingDecision.objects.count() == 1
    assert lost == ["x:root"]  # the race did happen: the second batch lost it and joined
