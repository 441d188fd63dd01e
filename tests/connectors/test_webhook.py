"""The signed generic webhook: only calls signed with the connection's secret within five
minutes get in, bodies are read as the inbox contract with errors naming item and field, and a
signed call ends up as inbox messages of the connection's account."""

import hashlib
import hmac
import json
import time

import pytest
from django.utils import timezone

from tests.connectors import factories
from unsilo.connectors import outbound, sending
from unsilo.connectors.base import WebhookRejected
from unsilo.connectors.models import Delivery, DeliveryState, HookStatus, WebhookEvent
from unsilo.connectors.networks.webhook import WebhookConnector
from unsilo.connectors.testing.fakeapi import FakeAPI, Reply
from unsilo.core.actor import Actor
from unsilo.inbox.models import Message

SECRET = "whsec-9f2c1e7d"
hook = WebhookConnector()


def signed(body: bytes, secret: str = SECRET, at: float | None = None) -> dict[str, str]:
    """Headers as the docs tell a sender to make them (written here from the docs, not with
    the connector's own helper)."""
    timestamp = str(int(time.time() if at is None else at))
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return {"X-Unsilo-Timestamp": timestamp, "X-Unsilo-Signature": f"sha256={digest.hexdigest()}"}


def message(**fields) -> dict:
    return {"id": "form-1", "network": "contactform", "text": "My order never arrived",
            "author": "dana@example.com", "created_at": "2026-03-01T09:30:00Z", **fields}


BODY = json.dumps(message()).encode()


# Signatures -----------------------------------------------------------------------------------


def test_a_call_signed_with_the_secret_just_now_is_accepted():
    hook.check_webhook({}, SECRET, signed(BODY), BODY)
    # Header names are case-insensitive in HTTP.
    lower = {k.lower(): v for k, v in signed(BODY).items()}
    hook.check_webhook({}, SECRET, lower, BODY)


# Headers are built when the test runs, not when pytest collects it: a long run would
# otherwise send signatures minutes old and be refused as replays for the wrong reason.
@pytest.mark.parametrize("make_headers, reason", [
    (lambda: signed(BODY, secret="another-secret"), "does not match"),
    (lambda: signed(BODY + b" "), "does not match"),  # the body was changed on the way
    (lambda: {**signed(BODY), "X-Unsilo-Signature": signed(BODY)["X-Unsilo-Signature"][7:]},
     "does not match"),  # the scheme prefix is part of the value
    (lambda: {"X-Unsilo-Timestamp": str(int(time.time()))}, "missing"),
    (lambda: {"X-Unsilo-Signature": signed(BODY)["X-Unsilo-Signature"]}, "missing"),
    (lambda: {**signed(BODY), "X-Unsilo-Timestamp": "yesterday"}, "unix seconds"),
    (lambda: {}, "missing"),
])
def test_a_call_not_signed_with_the_secret_is_rejected(make_headers, reason):
    with pytest.raises(WebhookRejected, match=reason):
        hook.check_webhook({}, SECRET, make_headers(), BODY)


def test_a_call_older_or_newer_than_five_minutes_is_rejected_as_a_replay():
    now = time.time()
    hook.check_webhook({}, SECRET, signed(BODY, at=now - 290), BODY, now=now)
    for off in (-310, 310):
        with pytest.raises(WebhookRejected, match="more than 5 minutes off"):
            hook.check_webhook({}, SECRET, signed(BODY, at=now + off), BODY, now=now)


def test_without_a_secret_nothing_is_accepted_not_even_a_call_signed_with_an_empty_key():
    with pytest.raises(WebhookRejected, match="no signing secret"):
        hook.check_webhook({}, "", signed(BODY, secret=""), BODY)


def test_the_secret_never_appears_in_a_rejection():
    with pytest.raises(WebhookRejected) as error:
        hook.check_webhook({}, SECRET, signed(BODY, secret="wrong"), BODY)
    assert SECRET not in str(error.value)


# Bodies ---------------------------------------------------------------------------------------


def test_one_message_or_a_list_of_them_is_read_as_the_inbox_contract():
    (single,) = hook.parse_webhook({}, BODY)
    assert (single.id, single.network, single.author, single.text) == (
        "form-1", "contactform", "dana@example.com", "My order never arrived")
    assert single.created_at.isoformat() == "2026-03-01T09:30:00+00:00"
    body = json.dumps([message(), message(id="form-2", in_reply_to="form-1",
                                          thread_id="form-1", url="https://x.test/2")]).encode()
    first, second = hook.parse_webhook({}, body)
    assert (second.id, second.in_reply_to, second.thread_id, second.url) == (
        "form-2", "form-1", "form-1", "https://x.test/2")


@pytest.mark.parametrize("body, reason", [
    (b"{not json", "body: not valid JSON"),
    (b"\xff\xfe{}", "body: not UTF-8"),
    (b"[]", "non-empty list"),
    (b"42", "non-empty list"),
    (json.dumps([message(), {"id": "2", "network": "contactform"}]).encode(),
     "index 1: text: missing field"),
    (json.dumps([message(created_at="last tuesday")]).encode(),
     'index 0: created_at: "last tuesday" is not an ISO 8601 time'),
    (json.dumps([message(), "hello"]).encode(), "index 1: must be a JSON object, got str"),
])
def test_a_malformed_body_is_refused_naming_the_item_and_field(body, reason):
    with pytest.raises(ValueError) as error:
        hook.parse_webhook({}, body)
    assert reason in str(error.value)


def test_pushed_not_polled_and_only_an_optional_reply_url_to_fill():
    assert (hook.webhooks, hook.can_fetch, hook.idempotent) == (True, False, True)
    assert [(f.name, f.required, f.secret) for f in hook.fields] == [
        ("reply_url", False, False)]
    assert hook.auth == "none"


# Through unsilo -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_signed_call_becomes_messages_of_the_connections_account(
        client, django_capture_on_commit_callbacks, settings):
    settings.UNSILO_DEMO_DELIVERY = False
    conn = factories.connection("webhook", handle="contact-form", hook_secret=SECRET)
    body = json.dumps([message(), message(id="form-2", account="other-desk")]).encode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/hooks/webhook/{conn.hook_id}/", body,
                               content_type="application/json", headers=signed(body))
    assert response.status_code == 202, response.content
    event = WebhookEvent.objects.get(pk=response.json()["id"])
    assert (event.status, event.messages, event.connection_id) == (HookStatus.DONE, 2, conn.pk)
    stored = dict(Message.objects.values_list("external_id", "account_handle"))
    # A message that names no account came to the connection's own account.
    assert stored == {"form-1": "contact-form", "form-2": "other-desk"}
    assert Message.objects.get(external_id="form-1").network == "contactform"

    # Without a reply URL a reply cannot go back: it fails saying so, nothing is sent.
    reply = outbound.queue(Actor.system(), kind="reply", network="webhook", text="Sorry!",
                           account=conn.account, in_reply_to="form-1")
    assert sending.send(reply.pk) == DeliveryState.FAILED
    reply.refresh_from_db()
    assert "no reply URL" in reply.last_error


@pytest.mark.django_db
def test_replies_go_to_the_reply_url_signed_with_the_same_key_and_id_on_every_attempt(
        settings):
    settings.UNSILO_DEMO_DELIVERY = False
    receiver = FakeAPI()
    try:
        receiver.route("POST", "/replies", [Reply(503), Reply(200, json={"id": "r-7"})])
        conn = factories.connection("webhook", handle="contact-form", hook_secret=SECRET,
                                    options={"reply_url": f"{receiver.url}/replies"})
        reply = outbound.queue(Actor.system(), kind="reply", network="webhook",
                               text="Sorry!", account=conn.account, in_reply_to="form-1")
        assert sending.send(reply.pk) == DeliveryState.QUEUED  # 503: tried again later
        Delivery.objects.filter(pk=reply.pk).update(next_attempt_at=timezone.now())
        assert sending.send(reply.pk) == DeliveryState.SENT
        reply.refresh_from_db()
        assert reply.external_id == "r-7"
        first, second = receiver.calls("POST", "/replies")
        for call in (first, second):
            assert call.headers["x-unsilo-signature"] == signed(
                call.body, at=float(call.headers["x-unsilo-timestamp"]))["X-Unsilo-Signature"]
            assert call.headers["idempotency-key"] == reply.idempotency_key
        sent = second.json()
        assert (sent["id"], sent["text"], sent["in_reply_to"], sent["account"]) == (
            reply.idempotency_key, "Sorry!", "form-1", "contact-form")
    finally:
        receiver.close()


@pytest.mark.django_db
def test_a_replayed_call_is_refused_and_stores_nothing(client):
    conn = factories.connection("webhook", hook_secret=SECRET)
    response = client.post(f"/hooks/webhook/{conn.hook_id}/", BODY,
                           content_type="application/json",
                           headers=signed(BODY, at=time.time() - 3600))
    assert response.status_code == 401
    assert "more than 5 minutes off" in response.json()["error"]
    assert not WebhookEvent.objects.exists() and not Message.objects.exists()


@pytest.mark.django_db
def test_a_reply_url_inside_the_private_network_is_never_called(settings):
    settings.UNSILO_DEMO_DELIVERY, settings.UNSILO_ALLOW_PRIVATE_URLS = False, False
    receiver = FakeAPI()
    try:
        receiver.route("POST", "/replies", json={"id": "r-1"})
        conn = factories.connection("webhook", hook_secret=SECRET,
                                    options={"reply_url": f"{receiver.url}/replies"})
        reply = outbound.queue(Actor.system(), kind="reply", network="webhook",
                               text="Sorry!", account=conn.account, in_reply_to="form-1")
        assert sending.send(reply.pk) == DeliveryState.FAILED
        reply.refresh_from_db()
        assert "points inside a private network (127.0.0.1)" in reply.last_error
        assert receiver.requests == []
    finally:
        receiver.close()
