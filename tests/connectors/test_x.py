"""X API v2 at the HTTP layer, against a fake API on loopback answering with the documented
shapes (fixtures/x/README.md names the pages)."""

import base64
import datetime
import json
import time
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.connectors import factories
from tests.connectors.network import network_api  # noqa: F401 - the `api` fixture
from unsilo.connectors import outbound, plugins, sending, tasks
from unsilo.connectors.base import AuthExpired, Outbound, PermanentError, RateLimited
from unsilo.connectors.models import DeliveryState
from unsilo.connectors.networks.x import XConnector
from unsilo.connectors.testing.fakeapi import Reply
from unsilo.core.actor import Actor
from unsilo.inbox.models import Message

FIXTURES = Path(__file__).parent / "fixtures" / "x"
ME = "2244994945"
MENTIONS = f"/2/users/{ME}/mentions"


def fixture(name):
    return json.loads((FIXTURES / name).read_text())


@pytest.fixture(autouse=True)
def x_app(monkeypatch):
    monkeypatch.setenv("UNSILO_X_CLIENT_ID", "client-1")
    monkeypatch.setenv("UNSILO_X_CLIENT_SECRET", "client-secret-1")

def in_two_hours():
    return (datetime.datetime.now(datetime.UTC) + datetime.timedelta(hours=2)).isoformat()


@pytest.fixture
def conn(api, db):
    return factories.connection("x", handle="acme", external_id=ME,
                                options={"api_base": api.url},
                                secret={"access_token": "at-1", "refresh_token": "rt-0001",
                                        "expires_at": in_two_hours()})


def outgoing(kind="reply", text="Please try a reset", in_reply_to="1862840000000000003",
             thread_id="1862830000000000000", created_at=None):
    return Outbound(delivery_id=1, kind=kind, network="x", account_handle="acme", text=text,
                    idempotency_key="key-1",
                    created_at=created_at or datetime.datetime.now(datetime.UTC),
                    in_reply_to=in_reply_to if kind == "reply" else "",
                    thread_id=thread_id if kind == "reply" else "")


def no_dms(api):
    api.route("GET", "/2/dm_events", json={"meta": {"result_count": 0}})


def test_the_connector_is_the_x_plugin():
    assert isinstance(plugins.connector("x"), XConnector)


def test_authorizing_uses_state_and_pkce_and_the_code_is_exchanged_as_a_confidential_client(api):
    connector = XConnector()
    url = connector.authorize_url({}, "st-1", "chal-1", "https://unsilo.example/done")
    parts = urlsplit(url)
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    assert (parts.netloc, parts.path) == ("x.com", "/i/oauth2/authorize")
    assert query == {"response_type": "code", "client_id": "client-1",
                     "redirect_uri": "https://unsilo.example/done", "state": "st-1",
                     "scope": "tweet.read tweet.write users.read offline.access dm.read "
                              "dm.write",
                     "code_challenge": "chal-1", "code_challenge_method": "S256"}

    api.route("POST", "/2/oauth2/token", json=fixture("token.json"))
    secret = connector.finish_authorize({"api_base": api.url}, "code-1", "verifier-1",
                                        "https://unsilo.example/done")
    call = api.calls("POST", "/2/oauth2/token")[0]
    assert call.headers["authorization"] == "Basic " + base64.b64encode(
        b"client-1:client-secret-1").decode()
    assert call.form() == {"grant_type": "authorization_code", "code": "code-1",
                           "redirect_uri": "https://unsilo.example/done",
                           "code_verifier": "verifier-1", "client_id": "client-1"}
    assert secret["access_token"] == fixture("token.json")["access_token"]
    assert secret["refresh_token"] == fixture("token.json")["refresh_token"]
    left = datetime.datetime.fromisoformat(secret["expires_at"]) - datetime.datetime.now(
        datetime.UTC)
    assert datetime.timedelta(minutes=119) < left <= datetime.timedelta(hours=2)


def test_verify_sends_the_bearer_token_and_reads_the_rate_headers(api, conn):
    reset = int(time.time()) + 600
    api.route("GET", "/2/users/me", json=fixture("me.json"), headers={
        "x-rate-limit-limit": "75", "x-rate-limit-remaining": "74",
        "x-rate-limit-reset": str(reset)})
    session = factories.session(conn)
    info = XConnector().verify(session)
    assert (info.external_id, info.handle, info.display_name) == (ME, "acme", "ACME Support")
    assert api.requests[-1].headers["authorization"] == "Bearer at-1"
    assert (session.rate.limit, session.rate.remaining) == (75, 74)
    assert abs(session.rate.reset_at.timestamp() - reset) < 3


def test_the_first_fetch_reads_recent_mentions_and_messages_only(api, conn):
    api.route("GET", MENTIONS, json=fixture("mentions.json"))
    api.route("GET", "/2/dm_events", json=fixture("dm_events.json"))
    page = XConnector().fetch(factories.session(conn), "")
    call = api.calls("GET", MENTIONS)[0]
    assert "since_id" not in call.query and call.arg("max_results") == "20"
    assert call.arg("expansions") == "author_id,referenced_tweets.id"
    assert "conversation_id" in call.arg("tweet.fields")
    assert api.calls("GET", "/2/dm_events")[0].arg("event_types") == "MessageCreate"
    assert not page.more  # not paging back into the history
    assert len(api.calls("GET", MENTIONS)) == 1

    hotline, reply, dm = page.messages  # oldest first; our own DM left out
    assert (reply.id, reply.author, reply.thread_id, reply.in_reply_to, reply.lang) == (
        "1862840000000000003", "maria_k", "1862830000000000000", "1862830000000000000", "en")
    assert reply.url == "https://x.com/maria_k/status/1862840000000000003"
    assert (hotline.thread_id, hotline.in_reply_to, hotline.account) == (
        "1862840000000000002", "", "acme")
    assert (dm.id, dm.author, dm.thread_id, dm.text) == (
        "dm:1862850000000000001", "maria_k", "dm:1001-2244994945",
        "Meine Bestellnummer ist 4711")
    assert dm.created_at == datetime.datetime(2026, 11, 30, 10, 10, tzinfo=datetime.UTC)
    assert json.loads(page.position) == {"mentions": {"since": "1862840000000000003"},
                                         "dms": {"since": "1862850000000000002"}}


def test_later_fetches_page_back_to_the_last_seen_mention(api, conn):
    api.route("GET", MENTIONS, [Reply(json=fixture("mentions.json")),
                                Reply(json=fixture("mentions_older.json"))])
    no_dms(api)
    connector, session = XConnector(), factories.session(conn)
    position = json.dumps({"mentions": {"since": "1862840000000000000"},
                           "dms": {"since": "1862850000000000002"}})
    first = connector.fetch(session, position)
    assert api.calls("GET", MENTIONS)[0].arg("since_id") == "1862840000000000000"
    assert first.more and len(first.messages) == 2

    second = connector.fetch(session, first.position)
    call = api.calls("GET", MENTIONS)[1]
    assert call.arg("pagination_token") == "7140dibdnow9c7btw452ul7a08i2hvfkbpv2d0zmm5e9j"
    assert call.arg("since_id") == "1862840000000000000"
    assert len(api.calls("GET", "/2/dm_events")) == 1  # only the stream with more is read
    assert not second.more and [m.id for m in second.messages] == ["1862840000000000001"]
    assert second.messages[0].lang == ""  # "und": X could not tell
    # The pass is over: next time, only what is newer than its newest mention.
    assert json.loads(second.position)["mentions"] == {"since": "1862840000000000003"}


def test_direct_messages_already_seen_are_not_read_again(api, conn):
    api.route("GET", MENTIONS, json={"meta": {"result_count": 0}})
    api.route("GET", "/2/dm_events", json=fixture("dm_events.json"))
    position = json.dumps({"mentions": {"since": "1"}, "dms": {"since": "1862850000000000001"}})
    page = XConnector().fetch(factories.session(conn), position)
    assert page.messages == [] and not page.more  # the new one is ours
    assert json.loads(page.position)["dms"] == {"since": "1862850000000000002"}


def test_without_access_to_direct_messages_the_mentions_still_come_in(api, conn):
    long = dict(fixture("mentions.json"), meta={"result_count": 2,
                                                 "newest_id": "1862840000000000003"})
    long["data"][1]["note_tweet"] = {"text": "@acme habt ihr eine Hotline? " + "x" * 300}
    api.route("GET", MENTIONS, json=long)
    api.route("GET", "/2/dm_events", Reply(403, json={
        "title": "Forbidden", "status": 403, "detail": "Your client app is not configured "
        "with the appropriate oauth1 app permissions for this endpoint."}))
    page = XConnector().fetch(factories.session(conn), json.dumps({
        "mentions": {"since": "1"}, "dms": {"since": "5"}}))
    assert [m.id for m in page.messages] == ["1862840000000000002", "1862840000000000003"]
    assert page.messages[0].text.endswith("x" * 300)  # the whole long post
    assert json.loads(page.position) == {"mentions": {"since": "1862840000000000003"},
                                         "dms": {"since": "5"}}


def test_a_429_waits_until_the_reset_x_gave(api, conn):
    reset = int(time.time()) + 300
    api.route("GET", MENTIONS, Reply(429, json=fixture("rate_limited.json"), headers={
        "x-rate-limit-limit": "10", "x-rate-limit-remaining": "0",
        "x-rate-limit-reset": str(reset)}))
    session = factories.session(conn)
    with pytest.raises(RateLimited, match="Too Many Requests") as raised:
        XConnector().fetch(session, "")
    assert 290 < raised.value.retry_after <= 301
    assert session.rate.remaining == 0


def test_an_expired_token_is_renewed_and_the_new_one_stored_encrypted(api, conn):
    api.route("GET", "/2/users/me", lambda request: Reply(json=fixture("me.json")) if
              request.headers["authorization"] == "Bearer at-2" else
              Reply(401, json={"title": "Unauthorized", "detail": "Unauthorized",
                               "status": 401}))
    api.route("POST", "/2/oauth2/token", json=dict(fixture("token.json"), access_token="at-2",
                                                   refresh_token="rt-2"))
    assert XConnector().verify(factories.session(conn)).handle == "acme"
    renewal = api.calls("POST", "/2/oauth2/token")[0]
    assert renewal.form() == {"grant_type": "refresh_token", "refresh_token": "rt-0001",
                              "client_id": "client-1"}
    assert renewal.headers["authorization"].startswith("Basic ")
    stored = factories.stored_secret(conn)
    assert (stored["access_token"], stored["refresh_token"]) == ("at-2", "rt-2")
    assert "at-2" not in conn.__class__.objects.get(pk=conn.pk).secret  # encrypted at rest


def test_a_token_past_its_time_is_renewed_before_the_call(api, db):
    past = (datetime.datetime.now(datetime.UTC) - datetime.timedelta(minutes=5)).isoformat()
    conn = factories.connection("x", handle="acme", external_id=ME,
                                options={"api_base": api.url},
                                secret={"access_token": "at-1", "refresh_token": "rt-0001",
                                        "expires_at": past})
    api.route("GET", "/2/users/me", json=fixture("me.json"))
    api.route("POST", "/2/oauth2/token", json=dict(fixture("token.json"), access_token="at-2"))
    XConnector().verify(factories.session(conn))
    assert [r.path for r in api.requests] == ["/2/oauth2/token", "/2/users/me"]
    assert api.requests[-1].headers["authorization"] == "Bearer at-2"


def test_a_refused_renewal_means_reconnect(api, conn):
    api.route("GET", "/2/users/me", Reply(401, json={"title": "Unauthorized", "status": 401}))
    api.route("POST", "/2/oauth2/token", Reply(400, json={
        "error": "invalid_request",
        "error_description": "Value passed for the token was invalid: rt-0001"}))
    with pytest.raises(AuthExpired, match="token was invalid") as raised:
        XConnector().verify(factories.session(conn))
    assert "rt-0001" not in str(raised.value)


def test_a_reply_names_the_post_it_answers(api, conn):
    api.route("POST", "/2/tweets", Reply(201, json={"data": {
        "id": "1862860000000000000", "text": "Please try a reset",
        "edit_history_tweet_ids": ["1862860000000000000"]}}))
    result = XConnector().reply(factories.session(conn), outgoing())
    call = api.calls("POST", "/2/tweets")[0]
    assert call.json() == {"text": "Please try a reset",
                           "reply": {"in_reply_to_tweet_id": "1862840000000000003"}}
    assert call.headers["authorization"] == "Bearer at-1"
    assert result.external_id == "1862860000000000000"
    assert result.url == "https://x.com/acme/status/1862860000000000000"
    XConnector().publish(factories.session(conn), outgoing("post", text="New firmware"))
    assert api.calls("POST", "/2/tweets")[1].json() == {"text": "New firmware"}
    with pytest.raises(PermanentError):
        XConnector().reply(factories.session(conn), outgoing(in_reply_to="", thread_id=""))
    assert len(api.calls("POST", "/2/tweets")) == 2


def test_a_reply_to_a_direct_message_goes_to_its_conversation(api, conn):
    path = "/2/dm_conversations/1001-2244994945/messages"
    api.route("POST", path, Reply(201, json={"dm_conversation_id": "1001-2244994945",
                                             "dm_event_id": "1862870000000000000"}))
    result = XConnector().reply(factories.session(conn), outgoing(
        in_reply_to="dm:1862850000000000001", thread_id="dm:1001-2244994945"))
    assert api.calls("POST", path)[0].json() == {"text": "Please try a reset"}
    assert result.external_id == "dm:1862870000000000000"


def test_find_sent_finds_the_reply_by_text_and_parent(api, conn):
    api.route("GET", f"/2/users/{ME}/tweets", json={"data": [{
        "id": "1862860000000000000", "text": "Please try a reset",
        "created_at": datetime.datetime.now(datetime.UTC).isoformat(),
        "conversation_id": "1862830000000000000",
        "referenced_tweets": [{"type": "replied_to", "id": "1862840000000000003"}]}],
        "meta": {"result_count": 1}})
    connector, session = XConnector(), factories.session(conn)
    out = outgoing()
    assert connector.find_sent(session, out).external_id == "1862860000000000000"
    start = api.calls("GET", f"/2/users/{ME}/tweets")[0].arg("start_time")
    assert start == (out.created_at - datetime.timedelta(minutes=1)).strftime(
        "%Y-%m-%dT%H:%M:%SZ")
    assert connector.find_sent(session, outgoing(text="Another text")) is None
    assert connector.find_sent(session, outgoing(in_reply_to="1")) is None


@pytest.mark.django_db
def test_mentions_reach_the_inbox_once_and_a_reply_goes_out(api, settings):
    settings.UNSILO_DEMO_DELIVERY = False
    conn = factories.connection("x", handle="acme", external_id=ME,
                                options={"api_base": api.url},
                                secret={"access_token": "at-1", "refresh_token": "rt-0001",
                                        "expires_at": in_two_hours()})
    api.route("GET", MENTIONS, [Reply(json=fixture("mentions.json")),
                                Reply(json={"meta": {"result_count": 0}})])
    api.route("GET", "/2/dm_events", json=fixture("dm_events.json"))
    api.route("POST", "/2/tweets", Reply(201, json={"data": {"id": "1862860000000000000",
                                                             "text": "Please try a reset"}}))
    assert tasks.fetch_connection.call(conn.pk) == 3
    assert tasks.fetch_connection.call(conn.pk) == 0
    assert api.calls("GET", MENTIONS)[1].arg("since_id") == "1862840000000000003"
    assert Message.objects.filter(network="x").count() == 3

    delivery = outbound.queue(Actor.system(), kind="reply", network="x",
                              text="Please try a reset", account=conn.account,
                              in_reply_to="1862840000000000003",
                              thread_id="1862830000000000000")
    assert sending.send(delivery.pk) == DeliveryState.SENT
    delivery.refresh_from_db()
    assert delivery.external_id == "1862860000000000000"


def test_find_sent_knows_its_reply_after_x_shortened_the_link_and_named_the_customer(api, conn):
    # X shows a sent reply with the answered handle in front, links as t.co and & escaped.
    api.route("GET", f"/2/users/{ME}/tweets", json={"data": [{
        "id": "1862860000000000009",
        "text": "@maria Reset &amp; update: https://t.co/AbC123",
        "created_at": datetime.datetime.now(datetime.UTC).isoformat(),
        "referenced_tweets": [{"type": "replied_to", "id": "1862840000000000003"}]}],
        "meta": {"result_count": 1}})
    found = XConnector().find_sent(factories.session(conn), outgoing(
        text="Reset & update: https://help.example.com/reset-guide"))
    assert found.external_id == "1862860000000000009"
