"""Meta's webhooks: the subscription challenge, the X-Hub-Signature-256 check and the messages
in documented payloads (fixtures/meta/README.md names the reference pages)."""

import hashlib
import hmac
import json
from pathlib import Path

import pytest

from unsilo.connectors.base import WebhookRejected
from unsilo.connectors.networks.meta import FacebookConnector, InstagramConnector

FIXTURES = Path(__file__).parent / "fixtures" / "meta"
APP_SECRET = "meta-app-secret"
OPTIONS = {"handle": "acmebikes"}
facebook, instagram = FacebookConnector(), InstagramConnector()


@pytest.fixture(autouse=True)
def meta_app(monkeypatch):
    monkeypatch.setenv("UNSILO_META_APP_SECRET", APP_SECRET)
    monkeypatch.setenv("UNSILO_META_VERIFY_TOKEN", "let-me-in")


def body(name):
    return (FIXTURES / f"{name}.json").read_bytes()


def signed(raw, secret=APP_SECRET):
    return {"X-Hub-Signature-256":
            "sha256=" + hmac.new(secret.encode(), raw, hashlib.sha256).hexdigest()}


def test_the_subscription_challenge_is_answered_only_with_our_verify_token():
    query = {"hub.mode": "subscribe", "hub.verify_token": "let-me-in",
             "hub.challenge": "1158201444"}
    assert facebook.webhook_challenge({}, query) == "1158201444"
    assert facebook.webhook_challenge({}, {**query, "hub.verify_token": "guess"}) is None
    assert instagram.webhook_challenge({}, {**query, "hub.mode": "unsubscribe"}) is None


def test_without_a_configured_verify_token_no_challenge_is_answered(monkeypatch):
    monkeypatch.delenv("UNSILO_META_VERIFY_TOKEN")
    query = {"hub.mode": "subscribe", "hub.verify_token": "", "hub.challenge": "1"}
    assert facebook.webhook_challenge({}, query) is None


def test_a_body_signed_with_the_app_secret_passes():
    raw = body("hook_page_feed")
    facebook.check_webhook({}, "", signed(raw), raw)
    instagram.check_webhook({}, "", {k.lower(): v for k, v in signed(raw).items()}, raw)


@pytest.mark.parametrize("headers", [
    {},
    {"X-Hub-Signature": "sha1=0123"},
    signed(b"another body"),
    signed(body("hook_page_feed"), secret="not-the-app-secret"),
], ids=["missing", "sha1-only", "other-body", "other-secret"])
def test_a_body_without_a_good_signature_is_rejected(headers):
    with pytest.raises(WebhookRejected):
        facebook.check_webhook({}, "", headers, body("hook_page_feed"))


def test_page_feed_comments_become_messages_threaded_under_the_first_comment():
    messages = facebook.parse_webhook(OPTIONS, body("hook_page_feed"))
    assert [(m.id, m.author, m.thread_id, m.in_reply_to) for m in messages] == [
        ("220000000000002_330000000000005", "Eli Rider", "220000000000002_330000000000005",
         "101112131415161_220000000000002"),
        ("220000000000002_330000000000006", "Fay Lane", "220000000000002_330000000000005",
         "220000000000002_330000000000005")]  # the Page's own reply and the like are left out
    assert messages[0].text == "Do you repair e-bikes?" and messages[0].account == "acmebikes"
    assert messages[0].created_at.timestamp() == 1764499990


def test_on_the_app_level_hook_the_account_is_the_pages_id():
    messages = facebook.parse_webhook({}, body("hook_page_feed"))
    assert {m.account for m in messages} == {"101112131415161"}


def test_messenger_messages_come_in_as_direct_message_threads():
    messages = facebook.parse_webhook(OPTIONS, body("hook_messenger"))
    assert [(m.id, m.text, m.author, m.thread_id) for m in messages] == [
        ("dm:m_AbCdEf123", "My order has not arrived", "7770001", "dm:7770001"),
        ("dm:m_AbCdEf124", "[image]", "7770001", "dm:7770001")]  # echo and read receipt skipped
    assert messages[0].created_at.timestamp() == 1764500199


def test_instagram_comments_become_messages_and_mentions_wait_for_polling():
    messages = instagram.parse_webhook(OPTIONS, body("hook_instagram"))
    assert [(m.id, m.author, m.thread_id, m.in_reply_to) for m in messages] == [
        ("17950000000000009", "tom.trails", "17950000000000009", "17900000000000002"),
        ("17950000000000010", "rita.rides", "17950000000000001", "17950000000000001")]


@pytest.mark.parametrize("raw, words", [
    (b"not json", "not JSON"),
    (json.dumps({"object": "instagram", "entry": []}).encode(), "expected object 'page'"),
    (json.dumps({"object": "page"}).encode(), "no entry list"),
    (json.dumps({"object": "page", "entry": [{"time": 1}]}).encode(), "without an id"),
    (json.dumps({"object": "page", "entry": [{"id": "1", "changes": [
        {"field": "feed", "value": {"item": "comment", "verb": "add", "from": {"id": "2"},
                                    "created_time": 1, "message": "hi"}}]}]}).encode(),
     "without post_id"),
])
def test_a_malformed_body_is_refused_naming_what_is_wrong(raw, words):
    with pytest.raises(ValueError, match=words):
        facebook.parse_webhook(OPTIONS, raw)
