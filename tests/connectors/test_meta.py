"""Facebook Pages and Instagram at the HTTP layer: a fake Graph API on loopback answers with
the documented shapes (fixtures/meta/README.md names the reference pages)."""

import datetime
import hashlib
import hmac
import json
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.connectors import factories
from tests.connectors.network import network_api  # noqa: F401 - the `api` fixture
from unsilo.connectors import outbound, sending, tasks
from unsilo.connectors.base import AuthExpired, Outbound, PermanentError, RateLimited
from unsilo.connectors.models import ConnectionStatus, DeliveryState
from unsilo.connectors.networks.meta import FacebookConnector, InstagramConnector
from unsilo.connectors.testing.fakeapi import Reply
from unsilo.core.actor import Actor
from unsilo.inbox.models import Message

FIXTURES = Path(__file__).parent / "fixtures" / "meta"
PAGE = "101112131415161"
IG_USER = "17841400000000001"
PAGE_TOKEN = "EAAPAGE-acme-bikes"
APP_SECRET = "meta-app-secret"
NOV30 = int(datetime.datetime(2026, 11, 30, tzinfo=datetime.UTC).timestamp())
facebook, instagram = FacebookConnector(), InstagramConnector()


def fixture(name):
    return json.loads((FIXTURES / f"{name}.json").read_text())


@pytest.fixture(autouse=True)
def meta_app(monkeypatch):
    monkeypatch.setenv("UNSILO_META_APP_ID", "4242")
    monkeypatch.setenv("UNSILO_META_APP_SECRET", APP_SECRET)
    monkeypatch.setenv("UNSILO_META_VERIFY_TOKEN", "let-me-in")


def connect(api, network="facebook", **options):
    secret = {"access_token": PAGE_TOKEN, "page_id": PAGE, "ig_user_id": IG_USER}
    return factories.connection(network, handle="acmebikes", secret=secret,
                                options={"api_base": api.url, **options}, external_id=PAGE)


def out(kind="reply", text="Yes, we repair e-bikes.", **fields):
    return Outbound(delivery_id=1, kind=kind, network="facebook", account_handle="acmebikes",
                    text=text, idempotency_key="k1",
                    created_at=datetime.datetime(2026, 11, 30, 10, 0, tzinfo=datetime.UTC),
                    **fields)


# Connecting -----------------------------------------------------------------------------------


def test_authorize_url_carries_state_pkce_and_the_page_scopes():
    url = facebook.authorize_url({}, "st4te", "ch4llenge", "https://unsilo.test/cb")
    query = {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}
    assert url.startswith("https://www.facebook.com/v21.0/dialog/oauth?")
    assert query["client_id"] == "4242" and query["state"] == "st4te"
    assert (query["code_challenge"], query["code_challenge_method"]) == ("ch4llenge", "S256")
    assert "pages_manage_engagement" in query["scope"].split(",")


def test_finish_authorize_trades_the_code_for_the_chosen_pages_token(api):
    api.route("GET", "/oauth/access_token", lambda r: Reply(json={
        "access_token": "EAAlong" if r.arg("grant_type") == "fb_exchange_token" else "EAAshort",
        "token_type": "bearer", "expires_in": 5183944}))
    api.route("GET", "/me/accounts", json=fixture("me_accounts"))
    secret = facebook.finish_authorize({"api_base": api.url, "page_id": PAGE}, "c0de", "v3rifier",
                                       "https://unsilo.test/cb")
    assert secret == {"access_token": PAGE_TOKEN, "page_id": PAGE, "ig_user_id": IG_USER}
    code, exchange = api.calls("GET", "/oauth/access_token")
    assert (code.arg("code"), code.arg("code_verifier"), code.arg("client_secret")) == (
        "c0de", "v3rifier", APP_SECRET)
    assert exchange.arg("fb_exchange_token") == "EAAshort"
    assert api.calls("GET", "/me/accounts")[0].headers["authorization"] == "Bearer EAAlong"


def test_finish_authorize_asks_which_page_when_the_login_manages_several(api):
    api.route("GET", "/oauth/access_token", json={"access_token": "EAAx"})
    api.route("GET", "/me/accounts", json=fixture("me_accounts"))
    with pytest.raises(PermanentError, match=r"several Pages \(Acme Bikes \(1011"):
        facebook.finish_authorize({"api_base": api.url}, "c", "v", "https://unsilo.test/cb")


@pytest.mark.django_db
def test_verify_sends_the_page_token_and_appsecret_proof(api):
    api.route("GET", f"/{PAGE}", json={"id": PAGE, "name": "Acme Bikes", "username": "acmebikes"},
              headers={"x-app-usage": '{"call_count": 28, "total_cputime": 5, "total_time": 9}'})
    session = factories.session(connect(api))
    info = facebook.verify(session)
    assert (info.external_id, info.handle, info.display_name) == (PAGE, "acmebikes", "Acme Bikes")
    request = api.requests[-1]
    assert request.headers["authorization"] == f"Bearer {PAGE_TOKEN}"
    proof = hmac.new(APP_SECRET.encode(), PAGE_TOKEN.encode(), hashlib.sha256).hexdigest()
    assert request.arg("appsecret_proof") == proof and request.arg("access_token") is None
    assert (session.rate.limit, session.rate.remaining) == (100, 72)


@pytest.mark.django_db
def test_page_request_limit_is_a_rate_limit_for_as_long_as_meta_says(api):
    usage = {PAGE: [{"type": "pages", "call_count": 100, "total_cputime": 20, "total_time": 30,
                     "estimated_time_to_regain_access": 7}]}
    api.route("GET", f"/{PAGE}", status=400, json=fixture("error_rate"),
              headers={"x-business-use-case-usage": json.dumps(usage)})
    session = factories.session(connect(api))
    with pytest.raises(RateLimited, match="Page request limit reached") as caught:
        facebook.verify(session)
    assert caught.value.retry_after == 420
    assert session.rate.remaining == 0


@pytest.mark.django_db
def test_a_revoked_page_token_needs_reconnecting(api):
    api.route("GET", f"/{PAGE}", status=400, json=fixture("error_token"))
    conn = connect(api)
    with pytest.raises(AuthExpired, match="changed their password"):
        facebook.verify(factories.session(conn))
    assert tasks.verify_connection.call(conn.pk) == ConnectionStatus.EXPIRED
    assert factories.stored_secret(conn)["access_token"] == PAGE_TOKEN


# Facebook inbound -----------------------------------------------------------------------------


def comments_route(api, post="101112131415161_220000000000002"):
    api.route("GET", f"/{post}/comments", lambda r: Reply(
        json=fixture("comments_2" if r.arg("after") else "comments_1")))


@pytest.mark.django_db
def test_fetch_sweeps_active_posts_then_their_comments_page_by_page(api):
    api.route("GET", f"/{PAGE}/feed", json=fixture("page_feed"))
    api.route("GET", "/101112131415161_220000000000003/comments", json={"data": []})
    comments_route(api)
    session = factories.session(connect(api))
    pages, position = [], json.dumps({"since": NOV30})
    while True:
        page = facebook.fetch(session, position)
        pages.append(page)
        position = page.position
        if not page.more:
            break
    assert len(pages) == 4  # the feed, the visitor's post, two pages of comments
    visitor = pages[0].messages[0]
    assert (visitor.id, visitor.author, visitor.thread_id) == (
        "101112131415161_220000000000003", "Dana Visitor", "101112131415161_220000000000003")
    reply = pages[2].messages[0]
    assert len(pages[2].messages) == 1  # the Page's own answer is left out
    assert (reply.id, reply.author, reply.thread_id, reply.in_reply_to, reply.account) == (
        "220000000000002_330000000000004", "Eli Rider", "220000000000002_330000000000001",
        "220000000000002_330000000000001", "acmebikes")
    assert reply.url.endswith("comment_id=330000000000004")
    first = pages[3].messages[0]
    assert (first.thread_id, first.in_reply_to) == (first.id, "101112131415161_220000000000002")
    feed_ask, *_ = api.calls("GET", f"/{PAGE}/feed")
    page_1, page_2 = api.calls("GET", "/101112131415161_220000000000002/comments")
    assert (page_1.arg("filter"), page_1.arg("order"), page_1.arg("since")) == (
        "stream", "reverse_chronological", str(NOV30))
    assert page_2.arg("after") == "NDMyNzQyODI3OTQw"
    newest = datetime.datetime(2026, 11, 30, 10, 5, tzinfo=datetime.UTC).timestamp()
    assert json.loads(position) == {"since": newest, "high": newest, "queue": [], "after": ""}


@pytest.mark.django_db
def test_a_sweep_without_new_activity_reads_only_the_feed(api):
    api.route("GET", f"/{PAGE}/feed", json=fixture("page_feed"))
    later = int(datetime.datetime(2026, 12, 1, tzinfo=datetime.UTC).timestamp())
    page = facebook.fetch(factories.session(connect(api)), json.dumps({"since": later}))
    assert (page.messages, page.more, json.loads(page.position)["since"]) == ([], False, later)
    assert [r.path for r in api.requests] == [f"/{PAGE}/feed"]


@pytest.mark.django_db
def test_fetch_through_the_worker_fills_the_inbox_once(api):
    now = datetime.datetime.now(datetime.UTC)

    def stamp(minutes):
        return (now - datetime.timedelta(minutes=minutes)).strftime("%Y-%m-%dT%H:%M:%S+0000")

    post = {"id": f"{PAGE}_9", "from": {"id": PAGE, "name": "Acme"}, "message": "News",
            "created_time": stamp(90), "updated_time": stamp(5)}
    api.route("GET", f"/{PAGE}/feed", json={"data": [post]})
    api.route("GET", f"/{PAGE}_9/comments", json={"data": [
        {"id": "9_2", "message": "Love it", "from": {"id": "1", "name": "Ann"},
         "created_time": stamp(5)},
        {"id": "9_1", "message": "Price?", "from": {"id": "2", "name": "Bo"},
         "created_time": stamp(10)}]})
    conn = connect(api)
    assert tasks.fetch_connection.call(conn.pk) == 2
    assert tasks.fetch_connection.call(conn.pk) == 0
    stored = Message.objects.filter(network="facebook").order_by("external_id")
    assert [(m.external_id, m.author, m.account_handle) for m in stored] == [
        ("9_1", "Bo", "acmebikes"), ("9_2", "Ann", "acmebikes")]


# Facebook outbound ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_reply_answers_under_the_threads_first_comment(api):
    api.route("POST", "/220000000000002_330000000000001/comments",
              json={"id": "220000000000002_330000000000008"})
    result = facebook.reply(factories.session(connect(api)), out(
        thread_id="220000000000002_330000000000001",
        in_reply_to="220000000000002_330000000000004"))
    assert result.external_id == "220000000000002_330000000000008"
    assert api.requests[-1].form()["message"] == "Yes, we repair e-bikes."


@pytest.mark.django_db
def test_reply_to_a_messenger_thread_uses_the_send_api(api):
    api.route("POST", "/me/messages", json={"recipient_id": "7770001", "message_id": "m_Zz9"})
    result = facebook.reply(factories.session(connect(api)), out(thread_id="dm:7770001"))
    assert result.external_id == "dm:m_Zz9"
    assert api.requests[-1].json() == {"recipient": {"id": "7770001"},
                                       "messaging_type": "RESPONSE",
                                       "message": {"text": "Yes, we repair e-bikes."}}


@pytest.mark.django_db
def test_publish_posts_to_the_page_feed(api):
    api.route("POST", f"/{PAGE}/feed", json={"id": f"{PAGE}_220000000000010"})
    result = facebook.publish(factories.session(connect(api)), out("post", "Open on Sunday"))
    assert result.external_id == f"{PAGE}_220000000000010"
    assert result.url == f"https://www.facebook.com/{PAGE}_220000000000010"
    assert api.requests[-1].form() == {"message": "Open on Sunday"}


@pytest.mark.django_db
def test_find_sent_finds_the_pages_reply_and_only_that(api):
    thread = "220000000000002_330000000000001"
    api.route("GET", f"/{thread}/comments", json=fixture("comments_1"))
    session = factories.session(connect(api))
    found = facebook.find_sent(session, out(text="We open at 9 on Saturdays.", thread_id=thread))
    assert found.external_id == "220000000000002_330000000000003"
    assert facebook.find_sent(session, out(text="Thanks, see you then!", thread_id=thread)) is None


@pytest.mark.django_db
def test_a_reply_goes_out_through_the_queue(api, settings):
    settings.UNSILO_DEMO_DELIVERY = False
    api.route("POST", "/9_1/comments", json={"id": "9_3"})
    conn = connect(api)
    delivery = outbound.queue(Actor.system(), kind="reply", network="facebook", text="Thanks!",
                              account=conn.account, in_reply_to="9_1", thread_id="9_1")
    assert sending.send(delivery.pk) == DeliveryState.SENT
    delivery.refresh_from_db()
    assert delivery.external_id == "9_3"
    assert api.requests[-1].headers["authorization"] == f"Bearer {PAGE_TOKEN}"


# Instagram ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_instagram_reads_comments_of_media_whose_count_changed(api):
    api.route("GET", f"/{IG_USER}/media", json=fixture("ig_media"))
    api.route("GET", "/17900000000000002/comments", json=fixture("ig_comments"))
    session = factories.session(connect(api, "instagram"))
    first = instagram.fetch(session, json.dumps({"since": NOV30}))
    assert first.more and json.loads(first.position)["queue"] == ["17900000000000002"]
    second = instagram.fetch(session, first.position)
    assert [(m.id, m.author, m.thread_id, m.in_reply_to) for m in second.messages] == [
        ("17950000000000001", "rita.rides", "17950000000000001", "17900000000000002"),
        ("17950000000000002", "sam_cycles", "17950000000000001", "17950000000000001")]
    assert not second.more
    third = instagram.fetch(session, second.position)  # counts unchanged: no comment reads
    assert third.messages == [] and len(api.calls("GET", "/17900000000000002/comments")) == 1


@pytest.mark.django_db
def test_instagram_reply_goes_under_the_top_level_comment(api):
    api.route("POST", "/17950000000000001/replies", json={"id": "17950000000000011"})
    result = instagram.reply(factories.session(connect(api, "instagram")), out(
        thread_id="17950000000000001", in_reply_to="17950000000000002"))
    assert result.external_id == "17950000000000011"
    assert api.requests[-1].form() == {"message": "Yes, we repair e-bikes."}


@pytest.mark.django_db
def test_instagram_refuses_a_text_only_post_and_publishes_an_image_in_two_steps(api):
    session = factories.session(connect(api, "instagram"))
    with pytest.raises(PermanentError, match="text-only"):
        instagram.publish(session, out("post", "Winter sale!"))
    assert api.requests == []
    api.route("POST", f"/{IG_USER}/media", json={"id": "container-1"})
    api.route("POST", f"/{IG_USER}/media_publish", json={"id": "17900000000000020"})
    result = instagram.publish(session, out("post", "Winter sale! https://cdn.acme.test/w.jpg"))
    assert result.external_id == "17900000000000020"
    create, publish = api.requests
    assert create.form() == {"image_url": "https://cdn.acme.test/w.jpg", "caption": "Winter sale!"}
    assert publish.form() == {"creation_id": "container-1"}


@pytest.mark.django_db
def test_instagram_find_sent_looks_at_the_threads_replies(api):
    api.route("GET", "/17950000000000001/replies",
              json={"data": fixture("ig_comments")["data"][0]["replies"]["data"]})
    session = factories.session(connect(api, "instagram"))
    mine = instagram.find_sent(session, out(text="Yes, from next week!",
                                            thread_id="17950000000000001"))
    assert mine.external_id == "17950000000000003"
    assert instagram.find_sent(session, out(text="And in green?",
                                            thread_id="17950000000000001")) is None
