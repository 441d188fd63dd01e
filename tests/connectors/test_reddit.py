"""Reddit at the HTTP layer, against a fake API on loopback answering with the documented
shapes (fixtures/reddit/README.md names the pages)."""

import base64
import datetime
import json
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.connectors import factories
from tests.connectors.network import network_api  # noqa: F401 - the `api` fixture
from unsilo.connectors import outbound, plugins, sending, tasks
from unsilo.connectors.base import AuthExpired, Outbound, PermanentError, RateLimited
from unsilo.connectors.models import Connection, DeliveryState
from unsilo.connectors.networks.reddit import RedditConnector
from unsilo.connectors.testing.fakeapi import Reply
from unsilo.core.actor import Actor
from unsilo.inbox.models import Message

FIXTURES = Path(__file__).parent / "fixtures" / "reddit"
EMPTY = {"kind": "Listing", "data": {"after": None, "before": None, "children": []}}


def fixture(name):
    return json.loads((FIXTURES / name).read_text())


@pytest.fixture(autouse=True)
def reddit_app(monkeypatch):
    monkeypatch.setenv("UNSILO_REDDIT_CLIENT_ID", "client-1")
    monkeypatch.setenv("UNSILO_REDDIT_CLIENT_SECRET", "client-secret-1")

def in_an_hour():
    return (datetime.datetime.now(datetime.UTC) + datetime.timedelta(hours=1)).isoformat()


def make_connection(api, **options):
    return factories.connection(
        "reddit", handle="acme_support", external_id="t2_1w72",
        options={"api_base": api.url, "auth_base": api.url, **options},
        secret={"access_token": "at-1", "refresh_token": "rt-1", "expires_at": in_an_hour()})


@pytest.fixture
def conn(api, db):
    return make_connection(api)


def outgoing(kind="reply", text="Please try a reset", in_reply_to="t1_kq9z1", created_at=None):
    return Outbound(delivery_id=1, kind=kind, network="reddit", account_handle="acme_support",
                    text=text, idempotency_key="key-1",
                    created_at=created_at or datetime.datetime.now(datetime.UTC),
                    in_reply_to=in_reply_to if kind == "reply" else "")


def test_the_connector_is_the_reddit_plugin():
    assert isinstance(plugins.connector("reddit"), RedditConnector)


def test_authorizing_asks_for_a_permanent_grant_and_the_code_is_exchanged_with_basic_auth(api):
    connector = RedditConnector()
    url = connector.authorize_url({}, "st-1", "unused", "https://unsilo.example/done")
    parts = urlsplit(url)
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    assert (parts.netloc, parts.path) == ("www.reddit.com", "/api/v1/authorize")
    assert (query["client_id"], query["state"], query["duration"], query["response_type"]) == (
        "client-1", "st-1", "permanent", "code")
    assert set(query["scope"].split()) >= {"identity", "privatemessages", "submit", "history"}

    api.route("POST", "/api/v1/access_token", json=fixture("token.json"))
    secret = connector.finish_authorize({"auth_base": api.url}, "code-1", "",
                                        "https://unsilo.example/done")
    call = api.calls("POST", "/api/v1/access_token")[0]
    assert call.headers["authorization"] == "Basic " + base64.b64encode(
        b"client-1:client-secret-1").decode()
    assert call.form() == {"grant_type": "authorization_code", "code": "code-1",
                           "redirect_uri": "https://unsilo.example/done"}
    assert secret["refresh_token"] == "162993815-rK3a8wQGa1-8sBBd0vBzLNPq4Tw3Qg"


def test_a_refused_code_is_said_even_though_reddit_answers_200(api):
    api.route("POST", "/api/v1/access_token", json={"error": "invalid_grant"})
    with pytest.raises(PermanentError, match="invalid_grant"):
        RedditConnector().finish_authorize({"auth_base": api.url}, "old-code", "", "https://x")


def test_verify_sends_the_token_and_a_descriptive_user_agent_and_reads_the_rate(api, conn):
    api.route("GET", "/api/v1/me", json=fixture("me.json"), headers={
        "x-ratelimit-remaining": "598.0", "x-ratelimit-used": "2", "x-ratelimit-reset": "420"})
    session = factories.session(conn)
    info = RedditConnector().verify(session)
    assert (info.external_id, info.handle, info.display_name) == (
        "t2_1w72", "acme_support", "ACME Support")
    call = api.requests[-1]
    assert call.headers["authorization"] == "bearer at-1"
    assert call.headers["user-agent"] == "server:unsilo:0.1 (by /u/acme_support)"
    assert (session.rate.limit, session.rate.remaining) == (600, 598)
    left = session.rate.reset_at - datetime.datetime.now(datetime.UTC)
    assert datetime.timedelta(seconds=410) < left <= datetime.timedelta(seconds=420)


def test_fetch_maps_replies_mentions_and_private_messages(api, conn):
    api.route("GET", "/message/inbox", json=fixture("inbox.json"))
    page = RedditConnector().fetch(factories.session(conn), "")
    call = api.calls("GET", "/message/inbox")[0]
    assert "before" not in call.query and call.arg("limit") == "25"
    assert not page.more  # the first read takes recent items only
    reply, mention, pm = page.messages  # oldest first
    assert (reply.id, reply.author, reply.thread_id, reply.in_reply_to) == (
        "t1_kq9z1", "maria_k", "t3_1h2xyz", "t1_kq9y0")
    assert reply.text == "That did not work & it beeps"  # raw_json=1: not HTML-escaped
    assert reply.url == ("https://www.reddit.com/r/acme/comments/1h2xyz/firmware_41/kq9z1/"
                         "?context=3")
    assert (mention.thread_id, mention.in_reply_to) == ("t3_1h3abc", "t3_1h3abc")
    assert (pm.id, pm.thread_id, pm.in_reply_to, pm.url) == (
        "t4_2bx7c3", "t4_1cdbx0", "t4_2bx6z1", "https://www.reddit.com/message/messages/2bx7c3")
    assert pm.created_at == datetime.datetime(2026, 11, 30, 10, 10, tzinfo=datetime.UTC)
    assert pm.account == "acme_support"
    assert json.loads(page.position) == {"inbox": "t4_2bx7c3"}


def test_fetch_reads_forward_from_the_newest_seen_and_watches_subreddits(api, db):
    conn = make_connection(api, subreddits="acme, r/acmehelp")
    newer = {"kind": "Listing", "data": {"before": "t1_kqc00", "after": None, "children": [
        {"kind": "t1", "data": {
            "id": "kqc01", "name": "t1_kqc01", "author": "ana", "body": "Where is the manual?",
            "parent_id": "t3_1h4aaa", "link_id": "t3_1h4aaa", "created_utc": 1796034000.0,
            "permalink": "/r/acme/comments/1h4aaa/manual/kqc01/"}},
        {"kind": "t1", "data": {
            "id": "kqc00", "name": "t1_kqc00", "author": "acme_support", "body": "Hi all",
            "parent_id": "t3_1h4aaa", "link_id": "t3_1h4aaa", "created_utc": 1796033900.0,
            "permalink": "/r/acme/comments/1h4aaa/manual/kqc00/"}}]}}
    api.route("GET", "/message/inbox", json=EMPTY)
    api.route("GET", "/r/acme/comments", json=newer)
    api.route("GET", "/r/acmehelp/comments", json=EMPTY)
    position = json.dumps({"inbox": "t4_2bx7c3", "r/acme": "t1_kqa99"})
    page = RedditConnector().fetch(factories.session(conn), position)
    assert api.calls("GET", "/message/inbox")[0].arg("before") == "t4_2bx7c3"
    assert api.calls("GET", "/r/acme/comments")[0].arg("before") == "t1_kqa99"
    assert api.calls("GET", "/r/acme/comments")[0].arg("limit") == "100"
    assert "before" not in api.calls("GET", "/r/acmehelp/comments")[0].query
    assert [m.id for m in page.messages] == ["t1_kqc01"]  # our own comment left out
    assert page.messages[0].thread_id == "t3_1h4aaa"
    assert page.more  # Reddit said there are newer ones still
    assert json.loads(page.position) == {"inbox": "t4_2bx7c3", "r/acme": "t1_kqc01",
                                         "r/acmehelp": ""}


def test_a_429_waits_until_the_reset_reddit_gave(api, conn):
    api.route("GET", "/message/inbox", Reply(429, json={"message": "Too Many Requests",
                                                        "error": 429}, headers={
        "x-ratelimit-remaining": "0", "x-ratelimit-used": "600", "x-ratelimit-reset": "37"}))
    with pytest.raises(RateLimited) as raised:
        RedditConnector().fetch(factories.session(conn), "")
    assert 30 < raised.value.retry_after <= 37


def test_an_expired_token_is_renewed_and_the_new_one_stored_encrypted(api, conn):
    api.route("GET", "/api/v1/me", lambda request: Reply(json=fixture("me.json")) if
              request.headers["authorization"] == "bearer at-2" else
              Reply(401, json={"message": "Unauthorized", "error": 401}))
    # Reddit's renewal answer carries no new refresh token: the old one stays.
    api.route("POST", "/api/v1/access_token", json={
        "access_token": "at-2", "token_type": "bearer", "expires_in": 86400,
        "scope": "identity read submit privatemessages history"})
    assert RedditConnector().verify(factories.session(conn)).handle == "acme_support"
    renewal = api.calls("POST", "/api/v1/access_token")[0]
    assert renewal.form() == {"grant_type": "refresh_token", "refresh_token": "rt-1"}
    stored = factories.stored_secret(conn)
    assert (stored["access_token"], stored["refresh_token"]) == ("at-2", "rt-1")
    assert "at-2" not in Connection.objects.get(pk=conn.pk).secret


def test_a_refused_renewal_means_reconnect(api, conn):
    api.route("GET", "/api/v1/me", Reply(401, json={"message": "Unauthorized", "error": 401}))
    api.route("POST", "/api/v1/access_token", json={"error": "invalid_grant"})
    with pytest.raises(AuthExpired, match="invalid_grant"):
        RedditConnector().verify(factories.session(conn))


def test_a_reply_is_a_comment_on_the_thing_answered(api, conn):
    api.route("POST", "/api/comment", json=fixture("comment_posted.json"))
    result = RedditConnector().reply(factories.session(conn), outgoing())
    assert api.calls("POST", "/api/comment")[0].form() == {
        "thing_id": "t1_kq9z1", "text": "Please try a reset", "api_type": "json"}
    assert result.external_id == "t1_kqb77"
    assert result.url == "https://www.reddit.com/r/acme/comments/1h2xyz/firmware_41/kqb77/"
    with pytest.raises(PermanentError):
        RedditConnector().reply(factories.session(conn), outgoing(in_reply_to="12345"))


def test_reddits_own_rate_limit_in_a_200_answer_is_a_wait(api, conn):
    api.route("POST", "/api/comment", json={"json": {"errors": [
        ["RATELIMIT", "you are doing that too much. try again in 5 minutes.", "ratelimit"]]}})
    with pytest.raises(RateLimited) as raised:
        RedditConnector().reply(factories.session(conn), outgoing())
    assert raised.value.retry_after == 300
    api.route("POST", "/api/comment", json={"json": {"errors": [
        ["THREAD_LOCKED", "that thread is locked", "parent"]]}})
    with pytest.raises(PermanentError, match="THREAD_LOCKED"):
        RedditConnector().reply(factories.session(conn), outgoing())


def test_a_post_goes_to_the_subreddit_in_the_options_with_its_first_line_as_title(api, db):
    conn = make_connection(api, subreddit="acme")
    api.route("POST", "/api/submit", json={"json": {"errors": [], "data": {
        "url": "https://www.reddit.com/r/acme/comments/1h5bbb/firmware_42_is_out/",
        "drafts_count": 0, "id": "1h5bbb", "name": "t3_1h5bbb"}}})
    result = RedditConnector().publish(factories.session(conn), outgoing(
        "post", text="Firmware 4.2 is out\nIt fixes E24.\nUpdate from the app."))
    assert api.calls("POST", "/api/submit")[0].form() == {
        "sr": "acme", "kind": "self", "title": "Firmware 4.2 is out",
        "text": "It fixes E24.\nUpdate from the app.", "api_type": "json"}
    assert result.external_id == "t3_1h5bbb"


def test_find_sent_finds_the_comment_by_text_and_parent(api, conn):
    now = datetime.datetime.now(datetime.UTC).timestamp()
    mine = fixture("comment_posted.json")["json"]["data"]["things"][0]
    api.route("GET", "/user/acme_support/comments", json={"kind": "Listing", "data": {
        "before": None, "after": None, "children": [
            {"kind": "t1", "data": dict(mine["data"], created_utc=now)}]}})
    connector, session = RedditConnector(), factories.session(conn)
    assert connector.find_sent(session, outgoing()).external_id == "t1_kqb77"
    assert connector.find_sent(session, outgoing(text="Other words")) is None
    assert connector.find_sent(session, outgoing(in_reply_to="t1_other")) is None


@pytest.mark.django_db
def test_the_inbox_reaches_unsilo_once_and_a_reply_goes_out(api, settings):
    settings.UNSILO_DEMO_DELIVERY = False
    conn = make_connection(api)
    api.route("GET", "/message/inbox", [Reply(json=fixture("inbox.json")), Reply(json=EMPTY)])
    api.route("POST", "/api/comment", json=fixture("comment_posted.json"))
    assert tasks.fetch_connection.call(conn.pk) == 3
    assert tasks.fetch_connection.call(conn.pk) == 0
    assert api.calls("GET", "/message/inbox")[1].arg("before") == "t4_2bx7c3"
    assert Message.objects.filter(network="reddit").count() == 3

    delivery = outbound.queue(Actor.system(), kind="reply", network="reddit",
                              text="Please try a reset", account=conn.account,
                              in_reply_to="t1_kq9z1", thread_id="t3_1h2xyz")
    assert sending.send(delivery.pk) == DeliveryState.SENT
    delivery.refresh_from_db()
    assert delivery.external_id == "t1_kqb77"
