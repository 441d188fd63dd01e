"""Mastodon through Mastodon.py, against a fake instance on loopback that answers with the
documented shapes (fixtures/mastodon/README.md names the pages)."""

import datetime
import json
import time
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.connectors import factories
from tests.connectors.network import network_api  # noqa: F401 - the `api` fixture
from unsilo.connectors import outbound, plugins, sending, tasks
from unsilo.connectors.base import (
    AuthExpired,
    ConnectorError,
    InDoubt,
    Outbound,
    PermanentError,
    RateLimited,
)
from unsilo.connectors.models import DeliveryState
from unsilo.connectors.networks.mastodon import MastodonConnector, status_text
from unsilo.connectors.testing.fakeapi import Reply
from unsilo.core.actor import Actor
from unsilo.inbox.models import Message

FIXTURES = Path(__file__).parent / "fixtures" / "mastodon"
TOKEN = "tok-abc"
NOTIFICATIONS = "/api/v1/notifications"


def fixture(name):
    return json.loads((FIXTURES / name).read_text())


@pytest.fixture
def conn(api, db):
    return factories.connection(
        "mastodon", handle="acme@social.example", external_id="109302",
        options={"instance": "https://social.example", "api_base": api.url},
        secret={"access_token": TOKEN, "client_id": "cid", "client_secret": "csec"})


def outgoing(kind="reply", text="Danke, wir schauen nach.", in_reply_to="social.example:113601",
             created_at=None):
    return Outbound(delivery_id=1, kind=kind, network="mastodon",
                    account_handle="acme@social.example", text=text, idempotency_key="key-1",
                    created_at=created_at or datetime.datetime.now(datetime.UTC),
                    in_reply_to=in_reply_to if kind == "reply" else "")


def test_the_connector_is_the_mastodon_plugin():
    assert isinstance(plugins.connector("mastodon"), MastodonConnector)


def test_verify_sends_the_bearer_token_and_reads_the_rate_headers(api, conn):
    reset = datetime.datetime.now(datetime.UTC) + datetime.timedelta(minutes=5)
    api.route("GET", "/api/v1/accounts/verify_credentials", json=fixture("account.json"),
              headers={"X-RateLimit-Limit": "300", "X-RateLimit-Remaining": "287",
                       "X-RateLimit-Reset": reset.isoformat()})
    session = factories.session(conn)
    info = MastodonConnector().verify(session)
    assert (info.external_id, info.handle, info.display_name) == (
        "109302", "acme@social.example", "ACME Support")
    assert api.requests[-1].headers["authorization"] == f"Bearer {TOKEN}"
    assert (session.rate.limit, session.rate.remaining) == (300, 287)
    assert abs((session.rate.reset_at - reset).total_seconds()) < 3


def test_fetch_maps_mentions_replies_and_direct_messages(api, conn):
    api.route("GET", NOTIFICATIONS, json=fixture("notifications.json"))
    page = MastodonConnector().fetch(factories.session(conn), "")
    call = api.calls("GET", NOTIFICATIONS)[0]
    assert call.query["types[]"] == ["mention"] and "min_id" not in call.query
    assert not page.more  # the first read takes one page, not the history
    reply, dm = page.messages  # oldest first
    assert (reply.id, reply.author, reply.in_reply_to, reply.thread_id) == (
        "social.example:113590", "maria@social.example", "social.example:113500", "")
    assert reply.text == "@acme Still broken after the update\n\nError E24\nsince Monday"
    assert (reply.url, reply.lang, reply.account) == (
        "https://social.example/@maria/113590", "en", "acme@social.example")
    assert (dm.id, dm.author, dm.thread_id, dm.in_reply_to) == (
        "social.example:113601", "jonas@other.example", "social.example:113601", "")
    assert dm.text == "@acme Meine Bestellnummer ist 4711 & bitte schnell"
    assert dm.created_at == datetime.datetime(2026, 11, 30, 10, 5, tzinfo=datetime.UTC)
    assert json.loads(page.position) == {"min_id": "34975861"}


def test_fetch_reads_on_from_the_newest_notification_and_says_when_there_is_more(api, conn):
    one = fixture("notifications.json")[1]
    full = [dict(one, id=str(40000000 + n), status=dict(one["status"], id=str(200000 + n)))
            for n in range(40)]
    api.route("GET", NOTIFICATIONS, [Reply(json=full), Reply(json=[])])
    connector, session = MastodonConnector(), factories.session(conn)
    page = connector.fetch(session, json.dumps({"min_id": "34975861"}))
    assert api.calls("GET", NOTIFICATIONS)[0].arg("min_id") == "34975861"
    assert page.more and json.loads(page.position) == {"min_id": "40000039"}
    last = connector.fetch(session, page.position)
    assert api.calls("GET", NOTIFICATIONS)[1].arg("min_id") == "40000039"
    assert last == type(last)([], "", more=False)  # "" keeps the stored position


def test_our_own_statuses_are_not_inbound(api, conn):
    mine = fixture("notifications.json")[1]
    mine["status"]["account"] = {"id": "109302", "username": "acme", "acct": "acme"}
    api.route("GET", NOTIFICATIONS, json=[mine])
    assert MastodonConnector().fetch(factories.session(conn), "").messages == []


def test_a_content_warning_comes_before_the_text(api, conn):
    warned = fixture("notifications.json")[1]
    warned["status"]["spoiler_text"] = "rant"
    api.route("GET", NOTIFICATIONS, json=[warned])
    [message] = MastodonConnector().fetch(factories.session(conn), "").messages
    assert message.text.startswith("CW: rant\n\n@acme Still broken")


def test_a_429_waits_until_the_reset_the_instance_gave(api, conn):
    reset = (datetime.datetime.now(datetime.UTC) + datetime.timedelta(seconds=120))
    api.route("GET", NOTIFICATIONS, Reply(429, json={"error": "Too many requests"}, headers={
        "X-RateLimit-Limit": "300", "X-RateLimit-Remaining": "0",
        "X-RateLimit-Reset": reset.isoformat().replace("+00:00", "Z")}))
    session = factories.session(conn)
    with pytest.raises(RateLimited) as raised:
        MastodonConnector().fetch(session, "")
    assert 100 < raised.value.retry_after <= 121
    assert session.rate.remaining == 0


def test_a_revoked_token_means_reconnect(api, conn):
    api.route("GET", "/api/v1/accounts/verify_credentials",
              Reply(401, json={"error": "The access token was revoked"}))
    with pytest.raises(AuthExpired, match="The access token was revoked") as raised:
        MastodonConnector().verify(factories.session(conn))
    assert TOKEN not in str(raised.value)


def test_server_errors_are_worth_another_try_and_refusals_are_not(api, conn):
    api.route("GET", NOTIFICATIONS, Reply(503, body=b"maintenance"))
    with pytest.raises(ConnectorError) as raised:
        MastodonConnector().fetch(factories.session(conn), "")
    assert not isinstance(raised.value, PermanentError)
    api.route("POST", "/api/v1/statuses", Reply(422, json={"error": "Text is too long"}))
    with pytest.raises(PermanentError, match="422: Text is too long"):
        MastodonConnector().publish(factories.session(conn), outgoing("post"))


def test_a_reply_to_a_direct_message_stays_direct_and_mentions_the_customer(api, conn):
    api.route("GET", "/api/v1/statuses/113601", json=fixture("parent.json"))
    api.route("POST", "/api/v1/statuses", json=fixture("posted.json"))
    result = MastodonConnector().reply(factories.session(conn), outgoing())
    sent = api.calls("POST", "/api/v1/statuses")[0]
    body = sent.form() if not sent.headers["content-type"].startswith("application/json") \
        else sent.json()
    assert body["status"] == "@jonas@other.example Danke, wir schauen nach."
    assert (body["in_reply_to_id"], body["visibility"]) == ("113601", "direct")
    assert sent.headers["idempotency-key"] == "key-1"
    assert sent.headers["authorization"] == f"Bearer {TOKEN}"
    assert result.external_id == "social.example:113700"
    assert result.url == "https://social.example/@acme/113700"


def test_a_write_that_got_no_answer_is_in_doubt(api, conn, monkeypatch):
    monkeypatch.setattr("unsilo.connectors.networks.mastodon.TIMEOUT", 0.3)
    api.route("POST", "/api/v1/statuses", Reply(json=fixture("posted.json"), delay=1.0))
    with pytest.raises(InDoubt):
        MastodonConnector().publish(factories.session(conn), outgoing("post"))


def test_a_write_that_never_left_is_not_in_doubt(db):
    conn = factories.connection("mastodon", handle="acme@social.example",
                                options={"instance": "http://127.0.0.1:9"},  # refused
                                secret={"access_token": TOKEN})
    with pytest.raises(ConnectorError) as raised:
        MastodonConnector().publish(factories.session(conn), outgoing("post"))
    assert not isinstance(raised.value, InDoubt)


def test_find_sent_finds_the_reply_by_text_and_parent(api, conn):
    posted = fixture("posted.json")
    posted["created_at"] = datetime.datetime.now(datetime.UTC).isoformat()
    api.route("GET", "/api/v1/accounts/109302/statuses", json=[posted])
    connector, session = MastodonConnector(), factories.session(conn)
    found = connector.find_sent(session, outgoing())
    assert found is not None and found.external_id == "social.example:113700"
    assert connector.find_sent(session, outgoing(text="Something else")) is None
    assert connector.find_sent(session, outgoing(in_reply_to="social.example:1")) is None
    later = datetime.datetime.now(datetime.UTC) + datetime.timedelta(minutes=5)
    assert connector.find_sent(session, outgoing(created_at=later)) is None


def test_connecting_registers_the_app_on_the_instance_with_state_and_pkce(api):
    api.route("POST", "/api/v1/apps", json={
        "id": "563419", "name": "unsilo", "client_id": "cid-1", "client_secret": "csec-1",
        "redirect_uri": "https://unsilo.example/connect/done"})
    api.route("POST", "/oauth/token", json={
        "access_token": "tok-new", "token_type": "Bearer",
        "scope": "read:accounts read:notifications read:statuses write:statuses",
        "created_at": int(time.time())})
    connector = MastodonConnector()
    options = {"instance": api.url}
    url = connector.authorize_url(options, "st-1", "chal-1", "https://unsilo.example/connect/done")
    app = api.calls("POST", "/api/v1/apps")[0].form()
    assert app["redirect_uris"] == "https://unsilo.example/connect/done"
    assert "write:statuses" in app["scopes"]
    parts = urlsplit(url)
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == f"{api.url}/oauth/authorize"
    assert (query["client_id"], query["state"], query["code_challenge"],
            query["code_challenge_method"]) == ("cid-1", "st-1", "chal-1", "S256")

    secret = connector.finish_authorize(options, "code-1", "verifier-1",
                                        "https://unsilo.example/connect/done")
    token = api.calls("POST", "/oauth/token")[0].form()
    assert (token["grant_type"], token["code"], token["code_verifier"],
            token["client_secret"]) == ("authorization_code", "code-1", "verifier-1", "csec-1")
    assert secret["access_token"] == "tok-new" and secret["client_secret"] == "csec-1"
    assert "client_secret" not in options  # options are stored in the clear


def test_status_html_becomes_plain_text():
    assert status_text('<p>a &lt;b&gt; <a href="x">link</a></p><p>two<br>lines</p>') == \
        "a <b> link\n\ntwo\nlines"


@pytest.mark.django_db
def test_mentions_reach_the_inbox_once_and_a_reply_goes_out(api, settings):
    settings.UNSILO_DEMO_DELIVERY = False
    conn = factories.connection(
        "mastodon", handle="acme@social.example", external_id="109302",
        options={"instance": "https://social.example", "api_base": api.url},
        secret={"access_token": TOKEN})
    api.route("GET", NOTIFICATIONS, [Reply(json=fixture("notifications.json")), Reply(json=[])])
    api.route("GET", "/api/v1/statuses/113601", json=fixture("parent.json"))
    api.route("POST", "/api/v1/statuses", json=fixture("posted.json"))

    assert tasks.fetch_connection.call(conn.pk) == 2
    assert tasks.fetch_connection.call(conn.pk) == 0
    assert api.calls("GET", NOTIFICATIONS)[1].arg("min_id") == "34975861"
    assert Message.objects.filter(network="mastodon").count() == 2
    dm = Message.objects.get(external_id="social.example:113601")
    assert dm.author == "jonas@other.example"

    delivery = outbound.queue(Actor.system(), kind="reply", network="mastodon",
                              text="Danke, wir schauen nach.", account=conn.account,
                              in_reply_to=dm.external_id)
    assert sending.send(delivery.pk) == DeliveryState.SENT
    delivery.refresh_from_db()
    assert delivery.external_id == "social.example:113700"
    assert len(api.calls("POST", "/api/v1/statuses")) == 1
