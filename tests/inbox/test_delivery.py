"""Replies out through the connector: sent once, failures recorded; the demo customer's
follow-up comes back threaded into the same conversation."""

import pytest

from tests import factories
from tests.inbox import factories as inbox
from unsilo.connectors import base
from unsilo.connectors.networks.demo import DemoConnector
from unsilo.core.actor import Actor
from unsilo.core.models import AuditEvent, Role
from unsilo.inbox import actions
from unsilo.inbox.models import Direction, Message, MessageState
from unsilo.inbox.tasks_delivery import deliver_reply

pytestmark = pytest.mark.django_db


@pytest.fixture
def care():
    return factories.silo("Care")


@pytest.fixture
def agent(care):
    return Actor.for_user(factories.user(Role.RESPONDER, care))


class Counting:
    """A connector that counts its deliveries (and can fail)."""

    name = "counting"

    def __init__(self, error=""):
        self.calls, self.error = 0, error

    def deliver(self, reply):
        self.calls += 1
        return base.DeliveryResult(external_id=f"net-{self.calls}", url="https://x/1",
                                   error=self.error)


@pytest.fixture
def connector(monkeypatch):
    def use(conn):
        monkeypatch.setitem(base.CONNECTORS, "bluesky", conn)
        return conn
    return use


def test_every_network_without_its_own_connector_uses_the_demo_one():
    assert isinstance(base.connector_for("linkedin"), DemoConnector)


def test_delivery_sends_once_and_records_the_networks_id(care, agent, connector):
    counting = connector(Counting())
    message = actions.reply(agent, inbox.conversation(care), "Hello!")
    assert deliver_reply.call(message.pk) == MessageState.SENT
    assert deliver_reply.call(message.pk) == MessageState.SENT  # run twice: not sent again
    message.refresh_from_db()
    assert counting.calls == 1
    assert (message.state, message.external_id, message.url) == (MessageState.SENT, "net-1",
                                                                 "https://x/1")
    assert AuditEvent.objects.filter(action="delivered", object_id=str(message.pk)).count() == 1


def test_failed_delivery_is_recorded_and_may_be_retried(care, agent, connector):
    connector(Counting(error="rate limited"))
    message = actions.reply(agent, inbox.conversation(care), "Hello!")
    assert deliver_reply.call(message.pk) == MessageState.FAILED
    message.refresh_from_db()
    assert message.delivery_error == "rate limited"
    assert AuditEvent.objects.filter(action="delivery_failed").exists()
    connector(Counting())
    assert deliver_reply.call(message.pk) == MessageState.SENT


def test_a_connector_that_raises_fails_the_message_with_the_reason(care, agent, connector):
    class Broken:
        name = "broken"

        def deliver(self, reply):
            raise ConnectionError("network down")

    connector(Broken())
    message = actions.reply(agent, inbox.conversation(care), "Hello!")
    deliver_reply.call(message.pk)
    message.refresh_from_db()
    assert message.state == MessageState.FAILED
    assert "network down" in message.delivery_error


def test_demo_delivers_with_a_demo_id(care, agent):
    message = actions.reply(agent, inbox.conversation(care), "Hello!")
    deliver_reply.call(message.pk)
    message.refresh_from_db()
    assert message.external_id.startswith("demo-out-") and message.state == MessageState.SENT


def test_demo_follow_up_arrives_threaded_in_the_same_conversation(
        care, agent, settings, django_capture_on_commit_callbacks):
    settings.UNSILO_DEMO_FOLLOWUP = 1
    conv = inbox.conversation(care, language="de", thread_key="bluesky:root-1")
    message = actions.reply(agent, conv, "Bitte neu starten.")
    with django_capture_on_commit_callbacks(execute=True):
        deliver_reply.call(message.pk)
    message.refresh_from_db()
    answer = Message.objects.get(direction=Direction.INBOUND, in_reply_to=message.external_id)
    assert answer.author == conv.author and answer.lang == "de"
    assert answer.conversation_id == conv.pk
    conv.refresh_from_db()
    assert conv.status == "open"  # waiting on the customer until they answered


def test_follow_up_chance_is_seeded_and_configurable(settings):
    settings.UNSILO_DEMO_FOLLOWUP = 0.5
    reply = base.OutboundReply(message_id=1, conversation_id=1, network="x", account_handle="",
                               text="hi", in_reply_to="", thread_id="t", customer="c")
    picks = []
    for _ in range(2):
        demo = DemoConnector(seed=7)
        demo._follow_up = lambda *args: picks.append(args[2])
        for _ in range(20):
            demo.deliver(reply)
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
