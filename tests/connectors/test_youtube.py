"""YouTube comments at the HTTP layer: a fake Data API v3 (and Google token endpoint) on loopback
answers with the documented shapes (fixtures/youtube/README.md names the reference pages)."""

import datetime
import json
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.connectors import factories
from tests.connectors.network import network_api  # noqa: F401 - the `api` fixture
from unsilo.connectors import outbound, sending, tasks
from unsilo.connectors.base import AuthExpired, Outbound, PermanentError, RateLimited
from unsilo.connectors.models import DeliveryState
from unsilo.connectors.networks.youtube import YouTubeConnector, seconds_to_pacific_midnight
from unsilo.connectors.testing.fakeapi import Reply
from unsilo.core.actor import Actor
from unsilo.inbox.models import Message

FIXTURES = Path(__file__).parent / "fixtures" / "youtube"
CHANNEL = "UCacmeBikes000000000000"
NOV30 = datetime.datetime(2026, 11, 30, tzinfo=datetime.UTC)
youtube = YouTubeConnector()


def fixture(name):
    return json.loads((FIXTURES / f"{name}.json").read_text())


@pytest.fixture(autouse=True)
def google_app(monkeypatch):
    monkeypatch.setenv("UNSILO_YOUTUBE_CLIENT_ID", "123-abc.apps.googleusercontent.com")
    monkeypatch.setenv("UNSILO_YOUTUBE_CLIENT_SECRET", "GOCSPX-secret")


def connect(api, handle="@acmebikes", **secret):
    secret = {"access_token": "ya29.old", "refresh_token": "1//refresh", **secret}
    return factories.connection("youtube", handle=handle, secret=secret, external_id=CHANNEL,
                                options={"api_base": api.url, "auth_base": api.url})


def out(kind="reply", text="Sending you a new copy.", **fields):
    return Outbound(delivery_id=1, kind=kind, network="youtube", account_handle="@acmebikes",
                    text=text, idempotency_key="k1",
                    created_at=datetime.datetime(2026, 11, 30, 11, 0, tzinfo=datetime.UTC),
                    **fields)


# Connecting -----------------------------------------------------------------------------------


def test_authorize_url_uses_pkce_and_asks_for_offline_access():
    url = youtube.authorize_url({}, "st4te", "ch4llenge", "https://unsilo.test/cb")
    query = {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}
    assert url.startswith("https://accounts.google.com/o/oauth2/v2/auth?")
    assert (query["code_challenge"], query["code_challenge_method"]) == ("ch4llenge", "S256")
    assert (query["state"], query["access_type"], query["response_type"]) == (
        "st4te", "offline", "code")
    assert query["scope"] == "https://www.googleapis.com/auth/youtube.force-ssl"


def test_finish_authorize_sends_the_verifier_and_keeps_the_refresh_token(api):
    api.route("POST", "/token", json={**fixture("token"), "refresh_token": "1//first"})
    secret = youtube.finish_authorize({"auth_base": api.url}, "4/c0de", "v3rifier",
                                      "https://unsilo.test/cb")
    assert (secret["access_token"], secret["refresh_token"]) == ("ya29.new-access", "1//first")
    form = api.requests[-1].form()
    assert (form["grant_type"], form["code"], form["code_verifier"], form["client_secret"]) == (
        "authorization_code", "4/c0de", "v3rifier", "GOCSPX-secret")


@pytest.mark.django_db
def test_verify_names_the_channel(api):
    api.route("GET", "/channels", json=fixture("channels"))
    info = youtube.verify(factories.session(connect(api)))
    assert (info.external_id, info.handle, info.display_name) == (
        CHANNEL, "@acmebikes", "Acme Bikes")
    request = api.requests[-1]
    assert request.headers["authorization"] == "Bearer ya29.old"
    assert (request.arg("part"), request.arg("mine")) == ("snippet", "true")


# Tokens and quota -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_an_expired_token_is_refreshed_stored_encrypted_and_the_call_retried(api):
    api.route("GET", "/channels", [Reply(401, json=fixture("error_401")),
                                   Reply(json=fixture("channels"))])
    api.route("POST", "/token", json=fixture("token"))
    conn = connect(api)
    youtube.verify(factories.session(conn))
    first, refresh, second = api.requests
    assert (refresh.form()["grant_type"], refresh.form()["refresh_token"]) == (
        "refresh_token", "1//refresh")
    assert second.headers["authorization"] == "Bearer ya29.new-access"
    stored = factories.stored_secret(conn)
    assert (stored["access_token"], stored["refresh_token"]) == ("ya29.new-access", "1//refresh")


@pytest.mark.django_db
def test_a_refused_refresh_means_reconnecting(api):
    api.route("GET", "/channels", status=401, json=fixture("error_401"))
    api.route("POST", "/token", status=400, json={
        "error": "invalid_grant", "error_description": "Token has been expired or revoked."})
    with pytest.raises(AuthExpired, match="expired or revoked"):
        youtube.verify(factories.session(connect(api)))


@pytest.mark.django_db
def test_spent_quota_waits_until_midnight_pacific(api):
    api.route("GET", "/channels", status=403, json=fixture("error_quota"))
    with pytest.raises(RateLimited, match="exceeded your") as caught:
        youtube.verify(factories.session(connect(api)))
    assert abs(caught.value.retry_after - seconds_to_pacific_midnight()) < 5


@pytest.mark.django_db
def test_a_rate_limit_waits_and_other_refusals_are_permanent(api):
    def forbidden(reason):
        return Reply(403, json={"error": {"code": 403, "message": reason,
                                          "errors": [{"reason": reason}]}},
                     headers={"retry-after": "30"})
    api.route("GET", "/channels", [forbidden("rateLimitExceeded"), forbidden("forbidden")])
    session = factories.session(connect(api))
    with pytest.raises(RateLimited) as caught:
        youtube.verify(session)
    assert caught.value.retry_after == 30
    with pytest.raises(PermanentError) as refused:
        youtube.verify(session)
    assert not isinstance(refused.value, RateLimited)


def test_pacific_midnight_follows_daylight_saving():
    winter = datetime.datetime(2026, 11, 30, 20, 0, tzinfo=datetime.UTC)  # noon PST
    summer = datetime.datetime(2026, 7, 1, 7, 0, tzinfo=datetime.UTC)  # midnight PDT
    assert seconds_to_pacific_midnight(winter) == 12 * 3600
    assert seconds_to_pacific_midnight(summer) == 24 * 3600


# Inbound --------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_fetch_pages_through_threads_until_the_last_sweep(api):
    api.route("GET", "/commentThreads", lambda r: Reply(
        json=fixture("threads_2" if r.arg("pageToken") else "threads_1")))
    session = factories.session(connect(api))
    first = youtube.fetch(session, json.dumps({"since": NOV30.isoformat()}))
    assert first.more
    assert [(m.id, m.author, m.thread_id, m.in_reply_to) for m in first.messages] == [
        ("UgzThreadA", "@rita", "UgzThreadA", ""),
        ("UgzThreadA.9xReply2", "@rita", "UgzThreadA", "UgzThreadA"),  # our reply left out
        ("UgzThreadB", "@sam", "UgzThreadB", "")]
    assert first.messages[0].url == "https://www.youtube.com/watch?v=dQw4w9WgXcQ&lc=UgzThreadA"
    assert first.messages[0].text == "How do I adjust the brakes?"
    second = youtube.fetch(session, first.position)
    assert second.messages == [] and not second.more  # thread C is older than the last sweep
    one, two = api.requests
    assert (one.arg("allThreadsRelatedToChannelId"), one.arg("order"), one.arg("part")) == (
        CHANNEL, "time", "snippet,replies")
    assert (one.arg("pageToken"), two.arg("pageToken")) == (None, "QURTSl9pM")
    assert json.loads(second.position)["since"] == "2026-11-30T10:30:00+00:00"


@pytest.mark.django_db
def test_fetch_through_the_worker_fills_the_inbox_once(api):
    recent = (datetime.datetime.now(datetime.UTC) - datetime.timedelta(minutes=3))
    threads = fixture("threads_2")
    threads["items"][0]["snippet"]["topLevelComment"]["snippet"]["publishedAt"] = (
        recent.strftime("%Y-%m-%dT%H:%M:%SZ"))
    api.route("GET", "/commentThreads", json=threads)
    conn = connect(api)
    assert tasks.fetch_connection.call(conn.pk) == 1
    assert tasks.fetch_connection.call(conn.pk) == 0
    message = Message.objects.get(network="youtube")
    assert (message.external_id, message.author, message.account_handle) == (
        "UgzThreadC", "@tom", "@acmebikes")


# Outbound -------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_reply_goes_under_the_top_level_comment(api):
    api.route("POST", "/comments", json=fixture("comment_created"))
    result = youtube.reply(factories.session(connect(api)),
                           out(thread_id="", in_reply_to="UgzThreadA.9xReply2"))
    assert result.external_id == "UgzThreadA.9xReply4"
    request = api.requests[-1]
    assert request.arg("part") == "snippet"
    assert request.json() == {"snippet": {"parentId": "UgzThreadA",
                                          "textOriginal": "Sending you a new copy."}}


@pytest.mark.django_db
def test_publishing_is_refused_without_a_call(api):
    assert not youtube.can_publish
    with pytest.raises(PermanentError, match="video uploads"):
        youtube.publish(factories.session(connect(api)), out("post"))
    assert api.requests == []


@pytest.mark.django_db
def test_find_sent_looks_for_our_reply_in_the_thread(api):
    api.route("GET", "/comments", json=fixture("replies"))
    session = factories.session(connect(api))
    found = youtube.find_sent(session, out(thread_id="UgzThreadA"))
    assert found.external_id == "UgzThreadA.9xReply3"
    assert api.requests[-1].arg("parentId") == "UgzThreadA"
    assert youtube.find_sent(session, out(text="Other words", thread_id="UgzThreadA")) is None


@pytest.mark.django_db
def test_a_reply_goes_out_through_the_queue(api, settings):
    settings.UNSILO_DEMO_DELIVERY = False
    api.route("POST", "/comments", json=fixture("comment_created"))
    conn = connect(api)
    delivery = outbound.queue(Actor.system(), kind="reply", network="youtube", text="Thanks!",
                              account=conn.account, in_reply_to="UgzThreadA",
                              thread_id="UgzThreadA")
    assert sending.send(delivery.pk) == DeliveryState.SENT
    delivery.refresh_from_db()
    assert delivery.external_id == "UgzThreadA.9xReply4"
