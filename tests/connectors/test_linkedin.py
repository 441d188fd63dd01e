"""LinkedIn organisation pages at the HTTP layer: a fake Community Management API on loopback
answers with the documented shapes (fixtures/linkedin/README.md names the reference pages)."""

import datetime
import json
from pathlib import Path
from urllib.parse import parse_qs, quote, urlsplit

import pytest

from tests.connectors import factories
from tests.connectors.network import network_api  # noqa: F401 - the `api` fixture
from unsilo.connectors import outbound, sending, tasks
from unsilo.connectors.base import AuthExpired, Outbound, PermanentError, RateLimited
from unsilo.connectors.models import DeliveryState
from unsilo.connectors.networks.linkedin import LinkedInConnector, escape_commentary
from unsilo.connectors.testing.fakeapi import Reply
from unsilo.core.actor import Actor
from unsilo.inbox.models import Message

FIXTURES = Path(__file__).parent / "fixtures" / "linkedin"
ORG = "urn:li:organization:2414183"
POST = "urn:li:share:7270000000000000002"
OLD_POST = "urn:li:ugcPost:7270000000000000001"
FIRST = "urn:li:comment:(urn:li:activity:7270000000000000099,7270000000000000501)"
NOV30 = int(datetime.datetime(2025, 11, 30, tzinfo=datetime.UTC).timestamp() * 1000)
linkedin = LinkedInConnector()


def fixture(name):
    return json.loads((FIXTURES / f"{name}.json").read_text())


def path(urn, tail="/comments"):
    return f"/rest/socialActions/{quote(urn, safe='')}{tail}"


@pytest.fixture(autouse=True)
def linkedin_app(monkeypatch):
    monkeypatch.setenv("UNSILO_LINKEDIN_CLIENT_ID", "86abc")
    monkeypatch.setenv("UNSILO_LINKEDIN_CLIENT_SECRET", "li-secret")


def connect(api, handle="acme-bikes", **secret):
    secret = {"access_token": "AQV-old", "refresh_token": "AQX-refresh-1", **secret}
    return factories.connection("linkedin", handle=handle, secret=secret, options={
        "api_base": api.url, "auth_base": api.url, "organization": ORG}, external_id=ORG)


def out(kind="reply", text="See you soon!", **fields):
    return Outbound(delivery_id=1, kind=kind, network="linkedin", account_handle="acme-bikes",
                    text=text, idempotency_key="k1",
                    created_at=datetime.datetime(2025, 11, 30, 7, 30, tzinfo=datetime.UTC),
                    **fields)


# Connecting -----------------------------------------------------------------------------------


def test_authorize_url_asks_for_the_organisation_scopes_with_state():
    url = linkedin.authorize_url({}, "st4te", "unused", "https://unsilo.test/cb")
    query = {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}
    assert url.startswith("https://www.linkedin.com/oauth/v2/authorization?")
    assert (query["state"], query["client_id"], query["response_type"]) == (
        "st4te", "86abc", "code")
    assert set(query["scope"].split()) == {"r_organization_social", "w_organization_social",
                                           "rw_organization_admin"}


def test_finish_authorize_trades_the_code_for_tokens(api):
    api.route("POST", "/accessToken", json=fixture("token"))
    secret = linkedin.finish_authorize({"auth_base": api.url}, "c0de", "", "https://unsilo.test/cb")
    assert (secret["access_token"], secret["refresh_token"]) == ("AQV-new-access", "AQX-refresh-2")
    expires = datetime.datetime.fromisoformat(secret["expires_at"])
    assert expires > datetime.datetime.now(datetime.UTC) + datetime.timedelta(days=59)
    assert api.requests[-1].form() == {
        "grant_type": "authorization_code", "code": "c0de",
        "redirect_uri": "https://unsilo.test/cb", "client_id": "86abc",
        "client_secret": "li-secret"}


@pytest.mark.django_db
def test_verify_sends_the_versioned_restli_headers(api):
    api.route("GET", "/rest/organizations/2414183", json=fixture("organization"))
    info = linkedin.verify(factories.session(connect(api)))
    assert (info.external_id, info.handle, info.display_name) == (ORG, "acme-bikes", "Acme Bikes")
    headers = api.requests[-1].headers
    assert headers["authorization"] == "Bearer AQV-old"
    assert headers["x-restli-protocol-version"] == "2.0.0"
    assert len(headers["linkedin-version"]) == 6 and headers["linkedin-version"].isdigit()


@pytest.mark.django_db
def test_an_organisation_that_is_not_a_urn_is_refused_before_any_call(api):
    conn = factories.connection("linkedin", secret={"access_token": "x"},
                                options={"api_base": api.url, "organization": "acme"})
    with pytest.raises(PermanentError, match="not a LinkedIn organization"):
        linkedin.verify(factories.session(conn))
    assert api.requests == []


# Tokens and limits ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_an_expired_token_is_refreshed_stored_encrypted_and_the_call_retried(api):
    api.route("GET", "/rest/organizations/2414183", [
        Reply(401, json=fixture("error_401")), Reply(json=fixture("organization"))])
    api.route("POST", "/accessToken", json=fixture("token"))
    conn = connect(api)
    linkedin.verify(factories.session(conn))
    first, refresh, second = api.requests
    assert first.headers["authorization"] == "Bearer AQV-old"
    assert refresh.form()["grant_type"] == "refresh_token"
    assert refresh.form()["refresh_token"] == "AQX-refresh-1"
    assert second.headers["authorization"] == "Bearer AQV-new-access"
    stored = factories.stored_secret(conn)
    assert (stored["access_token"], stored["refresh_token"]) == ("AQV-new-access",
                                                                 "AQX-refresh-2")


@pytest.mark.django_db
def test_a_refused_refresh_means_reconnecting(api):
    api.route("GET", "/rest/organizations/2414183", status=401, json=fixture("error_401"))
    api.route("POST", "/accessToken", status=400, json={
        "error": "invalid_grant", "error_description": "The provided refresh token is invalid"})
    conn = connect(api)
    with pytest.raises(AuthExpired, match="refresh token is invalid"):
        linkedin.verify(factories.session(conn))
    assert factories.stored_secret(conn)["access_token"] == "AQV-old"
    without = connect(api, handle="acme-other", refresh_token="")
    with pytest.raises(AuthExpired, match="no refresh token"):
        linkedin.verify(factories.session(without))


@pytest.mark.django_db
def test_too_many_requests_waits_as_long_as_linkedin_says(api):
    api.route("GET", "/rest/organizations/2414183", status=429, json=fixture("error_429"),
              headers={"retry-after": "3600"})
    with pytest.raises(RateLimited, match="APPLICATION DAY limit") as caught:
        linkedin.verify(factories.session(connect(api)))
    assert caught.value.retry_after == 3600


# Inbound --------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_fetch_reads_the_recent_posts_then_their_comments_page_by_page(api, monkeypatch):
    monkeypatch.setattr("unsilo.connectors.networks.linkedin.PAGE_SIZE", 2)
    api.route("GET", "/rest/posts", json=fixture("posts"))
    api.route("GET", path(POST), lambda r: Reply(
        json=fixture("comments_2" if r.arg("start") == "2" else "comments_1")))
    api.route("GET", path(OLD_POST), json={"paging": {"start": 0, "count": 2, "total": 0},
                                           "elements": []})
    session = factories.session(connect(api))
    pages, position = [], json.dumps({"since": NOV30})
    while True:
        page = linkedin.fetch(session, position)
        pages.append(page)
        position = page.position
        if not page.more:
            break
    posts_call = api.requests[0]
    assert (posts_call.arg("author"), posts_call.arg("q")) == (ORG, "author")
    messages = [m for p in pages for m in p.messages]
    assert [(m.id, m.author, m.thread_id, m.in_reply_to) for m in messages] == [
        (FIRST, "urn:li:person:A1b2C3d4", FIRST, POST),
        ("urn:li:comment:(urn:li:activity:7270000000000000099,7270000000000000503)",
         "urn:li:person:E5f6G7h8", FIRST, FIRST)]  # the page's own answer is left out
    assert messages[0].text == "Does this include e-bikes?" and messages[0].account == "acme-bikes"
    assert messages[0].url.startswith(
        "https://www.linkedin.com/feed/update/urn:li:activity:7270000000000000099?commentUrn=")
    assert [r.arg("start") for r in api.calls("GET", path(POST))] == ["0", "2"]
    assert json.loads(position)["since"] == 1764495000000 and json.loads(position)["queue"] == []


@pytest.mark.django_db
def test_fetch_through_the_worker_fills_the_inbox_once(api):
    now = int(datetime.datetime.now(datetime.UTC).timestamp() * 1000)
    api.route("GET", "/rest/posts", json={"elements": [{"id": POST}]})
    api.route("GET", path(POST), json={"paging": {"start": 0, "count": 100, "total": 1},
                                       "elements": [{
                                           "actor": "urn:li:person:A1", "commentUrn": FIRST,
                                           "created": {"time": now - 60_000},
                                           "message": {"text": "Price?"},
                                           "object": "urn:li:activity:7270000000000000099"}]})
    conn = connect(api)
    assert tasks.fetch_connection.call(conn.pk) == 1
    assert tasks.fetch_connection.call(conn.pk) == 0
    assert Message.objects.get(network="linkedin").external_id == FIRST


# Outbound -------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_reply_is_a_nested_comment_as_the_organisation(api):
    api.route("POST", path(FIRST), status=201, json=fixture("comment_created"),
              headers={"x-restli-id": "7270000000000000510"})
    result = linkedin.reply(factories.session(connect(api)), out(
        thread_id=FIRST, in_reply_to="urn:li:comment:(urn:li:activity:7270000000000000099,503)"))
    assert result.external_id == (
        "urn:li:comment:(urn:li:activity:7270000000000000099,7270000000000000510)")
    assert api.requests[-1].json() == {
        "actor": ORG, "object": "urn:li:activity:7270000000000000099",
        "parentComment": FIRST, "message": {"text": "See you soon!"}}


@pytest.mark.django_db
def test_publish_escapes_little_text_and_reads_the_id_from_the_header(api):
    api.route("POST", "/rest/posts", status=201, headers={
        "x-restli-id": "urn:li:share:7270000000000000020"})
    result = linkedin.publish(factories.session(connect(api)),
                              out("post", "Winter service (50% off) #bikes"))
    assert result.external_id == "urn:li:share:7270000000000000020"
    assert result.url == "https://www.linkedin.com/feed/update/urn:li:share:7270000000000000020/"
    body = api.requests[-1].json()
    assert body["commentary"] == r"Winter service \(50% off\) \#bikes"
    assert (body["author"], body["visibility"], body["lifecycleState"]) == (
        ORG, "PUBLIC", "PUBLISHED")
    assert body["distribution"]["feedDistribution"] == "MAIN_FEED"


@pytest.mark.django_db
def test_find_sent_finds_the_organisations_comment_or_post(api):
    api.route("GET", path(FIRST), json={"elements": [fixture("comment_created")]})
    api.route("GET", "/rest/posts", json=fixture("posts"))
    session = factories.session(connect(api))
    reply = linkedin.find_sent(session, out(thread_id=FIRST))
    assert reply.external_id.endswith(",7270000000000000510)")
    assert linkedin.find_sent(session, out(text="Something else", thread_id=FIRST)) is None
    post = linkedin.find_sent(session, out("post", "Winter service (50% off)"))
    assert post.external_id == POST
    assert linkedin.find_sent(session, out("post", "We are hiring mechanics")) is None  # older


def test_little_text_escapes_every_reserved_character():
    assert escape_commentary(r"a|b{c}d@e[f]g(h)i<j>k#l*m_n~o\p") == (
        r"a\|b\{c\}d\@e\[f\]g\(h\)i\<j\>k\#l\*m\_n\~o\\p")


@pytest.mark.django_db
def test_a_reply_goes_out_through_the_queue(api, settings):
    settings.UNSILO_DEMO_DELIVERY = False
    api.route("POST", path(FIRST), status=201, json=fixture("comment_created"))
    conn = connect(api)
    delivery = outbound.queue(Actor.system(), kind="reply", network="linkedin", text="Thanks!",
                              account=conn.account, in_reply_to=FIRST, thread_id=FIRST)
    assert sending.send(delivery.pk) == DeliveryState.SENT
    delivery.refresh_from_db()
    assert delivery.external_id.endswith(",7270000000000000510)")
