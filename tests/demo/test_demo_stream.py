"""The live demo stream: a thread that sends believable messages through the one pipeline."""

import pytest

from unsilo.demo import corpus as demo_corpus
from unsilo.demo import stream as demo_stream
from unsilo.inbox import ingest, pipeline
from unsilo.inbox.models import Conversation, Message, MessageState


@pytest.mark.django_db(transaction=True)
def test_the_stream_ingests_messages_through_the_pipeline_and_stops():
    stream = demo_stream.DemoStream(rate=60_000, seed=7, limit=40)
    stream.start()
    stream.join(60)
    assert not stream.is_alive()
    messages = list(Message.objects.all())
    assert len(messages) == stream.sent == 40
    # Processed on commit like every ingested message: threaded into conversations.
    assert all(m.state == MessageState.PROCESSED and m.conversation_id for m in messages)
    by_id = {m.external_id: m for m in messages}
    replies = [m for m in messages if m.in_reply_to]
    assert replies
    for reply in replies:
        assert reply.conversation_id == by_id[reply.in_reply_to].conversation_id
    assert Conversation.objects.count() == 40 - len(replies)
    assert len({m.lang for m in messages}) > 1


@pytest.mark.django_db(transaction=True)
def test_stop_ends_a_waiting_stream_at_once():
    stream = demo_stream.DemoStream(rate=0.5)  # the first message is a minute away or more
    stream.start()
    stream.stop(timeout=5)
    assert not stream.is_alive()
    assert stream.sent == 0
    assert not Message.objects.exists()


@pytest.mark.django_db
def test_a_follow_up_lands_in_a_conversation_already_in_the_inbox():
    lines = demo_corpus.messages(5, seed=11)
    for line in lines:
        line.pop("_truth")
    ingest.ingest(lines, demo_stream.DemoStream().actor, "test")
    pipeline.process_pending()
    stream = demo_stream.DemoStream(seed=3)
    line = stream._inbox_follow_up()
    line["created_at"] = "2026-11-03T10:00:00Z"
    parent = Message.objects.get(external_id=line["in_reply_to"])
    ingest.ingest([line], stream.actor, "test")
    pipeline.process_pending()
    follow_up = Message.objects.get(external_id=line["id"])
    assert follow_up.conversation_id == parent.conversation_id
    assert (follow_up.author, follow_up.network) == (parent.author, parent.network)


def test_sent_ids_are_new_on_every_run():
    first, second = demo_stream.DemoStream(seed=1), demo_stream.DemoStream(seed=2)
    assert next(first.lines)["id"] != next(second.lines)["id"]


@pytest.mark.parametrize(("value", "rate"), [("", 12.0), ("30", 30.0), ("0", 0.0),
                                             ("-4", 0.0), ("lots", 12.0)])
def test_the_rate_comes_from_unsilo_demo_rate(monkeypatch, value, rate):
    monkeypatch.setenv("UNSILO_DEMO_RATE", value)
    assert demo_stream.rate_from_env() == rate


def test_rate_zero_starts_no_stream(monkeypatch):
    monkeypatch.setenv("UNSILO_DEMO_RATE", "0")
    assert demo_stream.start() is None


def test_at_twelve_a_minute_messages_come_every_two_to_eight_seconds():
    stream = demo_stream.DemoStream(rate=12, seed=5)
    delays = [stream.delay() for _ in range(1000)]
    assert min(delays) >= 2 and max(delays) <= 8
