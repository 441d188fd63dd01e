"""Replies out through the outbound queue: sent once, failures recorded; the demo customer's
follow-up comes back threaded into the same conversation. (The queue's retries, rate limits
and in-doubt attempts: tests/connectors/test_outbound.py.)"""

import datetime

import pytest
from django.core.exceptions import ValidationError

from tests import factories
from tests.inbox import factories as inbox
from unsilo.connectors import sending
from unsilo.connectors.base import Outbound, Session
from unsilo.connectors.models import Delivery, DeliveryState
from unsilo.core.actor import Actor
from unsilo.core.models import AuditEvent, Role
from unsilo.demo.network import DemoConnector
from unsilo.inbox import actions
from unsilo.inbox.models import Direction, Message, MessageState

pytestmark = pytest.mark.django_db


@pytest.fixture
def care():
    return factories.silo("Care")


@pytest.fixture
def agent(care):
    return Actor.for_user(factories.user(Role.RESPONDER, care))


def deliver(message):
    return sending.send(Delivery.objects.get(message=message).pk)


def test_a_reply_is_queued_with_its_message_and_sent_once(care, agent):
    message = actions.reply(agent, inbox.conversation(care), "Hello!")
    delivery = Delivery.objects.get(message=message)
    assert (delivery.kind, delivery.text, delivery.silo_id) == ("reply", "Hello!", care.pk)
    assert deliver(message) == DeliveryState.SENT
    assert deliver(message) == DeliveryState.SENT  # run twice: not sent again
    message.refresh_from_db()
    assert message.state == MessageState.SENT
    assert AuditEvent.objects.filter(action="delivered").count() == 1


def test_without_a_connection_or_the_demo_a_reply_fails_saying_so(care, agent, settings):
    settings.UNSILO_DEMO_DELIVERY = False
    message = actions.reply(agent, inbox.conversation(care), "Hello!")
    assert deliver(message) == DeliveryState.FAILED
    message.refresh_from_db()
    assert message.state == MessageState.FAILED
    assert "is not connected" in message.delivery_error


def test_demo_delivers_with_a_demo_id(care, agent):
    message = actions.reply(agent, inbox.conversation(care), "Hello!")
    deliver(message)
    message.refresh_from_db()
    assert message.external_id.startswith("demo-out-") and message.state == MessageState.SENT


def test_demo_follow_up_arrives_threaded_in_the_same_conversation(
        care, agent, settings, django_capture_on_commit_callbacks):
    settings.UNSILO_DEMO_FOLLOWUP = 1
    conv = inbox.conversation(care, language="de", thread_key="bluesky:root-1")
    message = actions.reply(agent, conv, "Bitte neu starten.")
    with django_capture_on_commit_callbacks(execute=True):
        deliver(message)
    message.refresh_from_db()
    answer = Message.objects.get(direction=Direction.INBOUND, in_reply_to=message.external_id)
    assert answer.author == conv.author and answer.lang == "de"
    assert answer.conversation_id == conv.pk
    conv.refresh_from_db()
    assert conv.status == "open"  # waiting on the customer until they answered


def test_follow_up_chance_is_seeded_and_configurable(settings):
    settings.UNSILO_DEMO_FOLLOWUP = 0.5
    reply = Outbound(delivery_id=1, kind="reply", network="x", account_handle="", text="hi",
                     idempotency_key="k", created_at=datetime.datetime.now(datetime.UTC),
                     thread_id="t", customer="c")
    session = Session(network="x", handle="", external_id="", options={}, secret={})
    picks = []
    for _ in range(2):
        demo = DemoConnector(seed=7)
        demo._follow_up = lambda *args: picks.append(args[2])
        for _ in range(20):
            demo.deliver(session, reply)
    half = len(picks) // 2
    assert 0 < half < 20 and picks[:half] == picks[half:]


def test_a_reply_is_delivered_once_its_transaction_commits(care, agent,
                                                           django_capture_on_commit_callbacks):
    conv = inbox.conversation(care)
    with django_capture_on_commit_callbacks(execute=True):
        message = actions.reply(agent, conv, "Hello!")
        assert Message.objects.get(pk=message.pk).state == MessageState.QUEUED
    message.refresh_from_db()
    assert message.state == MessageState.SENT


def test_a_reply_too_long_for_the_network_is_refused_before_it_is_queued(care, agent):
    conversation = inbox.conversation(care, network="x")
    too_long = "A long answer" + "." * 267 + " 👍"  # 283 on X, where the emoji counts 2
    with pytest.raises(ValidationError) as refused:
        actions.reply(agent, conversation, too_long)
    assert refused.value.message_dict["text"] == [
        "Too long for X: 283 characters, at most 280 (X counts every link as 23 and an emoji "
        "or a CJK character as 2). Shorten it by 3."]
    assert not Delivery.objects.exists()
    assert not Message.objects.filter(direction=Direction.OUTBOUND).exists()


def test_the_demo_network_refuses_the_same_text_twice_on_x_as_x_does(care, agent):
    account = factories.account(care, handle="meridian", network="x")
    first, second = (inbox.conversation(care, network="x", account=account) for _ in "12")
    assert deliver(actions.reply(agent, first, "Looking into it now!")) == DeliveryState.SENT
    message = actions.reply(agent, second, "Looking into it now!")
    assert deliver(message) == DeliveryState.FAILED
    message.refresh_from_db()
    assert message.delivery_error == ("403: You are not allowed to create a Tweet with "
                                      "duplicate content.")
