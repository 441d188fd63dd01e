"""Bluesky at the HTTP layer, against a fake PDS on loopback answering with the documented XRPC
shapes (fixtures/bluesky/README.md): sessions and their renewal, rate limits, the notification
list and its cursor, and the shape of what is posted. What the reference server itself does is
tested in test_bluesky_pds.py and test_bluesky_stream.py."""

import datetime
import json
import time
from pathlib import Path

import pytest

from tests.connectors import factories
from tests.connectors.network import network_api  # noqa: F401 - the `api` fixture
from unsilo.connectors import plugins, tasks
from unsilo.connectors.base import AuthExpired, Outbound, RateLimited
from unsilo.connectors.models import ConnectionStatus
from unsilo.connectors.networks.atproto_records import TID_ALPHABET, delivery_rkey, tid
from unsilo.connectors.networks.bluesky import BlueskyConnector
from unsilo.connectors.testing.fakeapi import Reply
from unsilo.inbox.models import Message

FIXTURES = Path(__file__).parent / "fixtures" / "bluesky"
DID = "did:plc:acmeacmeacmeacmeacmeacme"
HANDLE = "acme.bsky.social"
X = "/xrpc/"
NOTIFICATIONS = X + "app.bsky.notification.listNotifications"
BLUESKY = BlueskyConnector()


def fixture(name):
    return json.loads((FIXTURES / name).read_text())


def session_body(access="A2", refresh="R2"):
    return {"accessJwt": access, "refreshJwt": refresh, "handle": HANDLE, "did": DID,
            "active": True}


@pytest.fixture
def conn(api, db):
    return factories.connection(
        "bluesky", handle=HANDLE, external_id=DID, options={"service": api.url},
        secret={"app_password": "app-pw", "access_jwt": "A1", "refresh_jwt": "R1"})


def outbound(**fields):
    fields = {"delivery_id": 1, "kind": "reply", "network": "bluesky",
              "account_handle": HANDLE, "text": "Sorry! We are on it.",
              "idempotency_key": "k" * 32,
              "created_at": datetime.datetime(2026, 3, 1, 12, tzinfo=datetime.UTC), **fields}
    return Outbound(**fields)


def test_the_plugin_is_found_with_its_connect_form():
    connector = plugins.connector("bluesky")
    assert isinstance(connector, BlueskyConnector)
    assert connector.auth == "password" and connector.idempotent
    assert [(f.name, f.secret) for f in connector.fields] == [
        ("service", False), ("identifier", False), ("app_password", True)]


def test_verify_sends_the_access_token_as_bearer_and_names_the_did(api, conn):
    api.route("GET", X + "com.atproto.server.getSession",
              json={"did": DID, "handle": HANDLE, "active": True})
    info = BLUESKY.verify(factories.session(conn))
    assert (info.external_id, info.handle) == (DID, HANDLE)
    assert api.requests[-1].headers["authorization"] == "Bearer A1"


def test_without_tokens_it_logs_in_with_the_app_password_and_stores_them(api, db):
    conn = factories.connection("bluesky", handle=HANDLE, options={"service": api.url},
                                secret={"app_password": "app-pw"})
    api.route("POST", X + "com.atproto.server.createSession", json=session_body("A9", "R9"))
    api.route("GET", X + "com.atproto.server.getSession", json={"did": DID, "handle": HANDLE})

    assert tasks.verify_connection.call(conn.pk) == ConnectionStatus.CONNECTED

    login = api.requests[0]
    assert login.json() == {"identifier": HANDLE, "password": "app-pw"}
    assert "authorization" not in login.headers
    assert api.requests[1].headers["authorization"] == "Bearer A9"
    stored = factories.stored_secret(conn)
    assert (stored["access_jwt"], stored["refresh_jwt"], stored["app_password"]) == \
        ("A9", "R9", "app-pw")
    conn.refresh_from_db()
    assert conn.external_id == DID
    assert "access_jwt" not in conn.secret  # encrypted at rest (the plain JSON names its keys)


def test_an_expired_token_is_refreshed_the_call_retried_and_the_new_token_stored(api, conn):
    expired = Reply(400, json={"error": "ExpiredToken", "message": "Token has expired"})
    api.route("GET", X + "com.atproto.server.getSession",
              [expired, Reply(json={"did": DID, "handle": HANDLE})])
    api.route("POST", X + "com.atproto.server.refreshSession", json=session_body("A2", "R2"))

    assert BLUESKY.verify(factories.session(conn)).external_id == DID

    paths = [(r.path.removeprefix(X), r.headers.get("authorization")) for r in api.requests]
    assert paths == [("com.atproto.server.getSession", "Bearer A1"),
                     ("com.atproto.server.refreshSession", "Bearer R1"),
                     ("com.atproto.server.getSession", "Bearer A2")]
    stored = factories.stored_secret(conn)
    assert (stored["access_jwt"], stored["refresh_jwt"]) == ("A2", "R2")


def test_a_refused_refresh_falls_back_to_the_app_password(api, conn):
    api.route("GET", X + "com.atproto.server.getSession",
              [Reply(400, json={"error": "ExpiredToken", "message": "expired"}),
               Reply(json={"did": DID, "handle": HANDLE})])
    api.route("POST", X + "com.atproto.server.refreshSession",
              status=400, json={"error": "ExpiredToken", "message": "Token has been revoked"})
    api.route("POST", X + "com.atproto.server.createSession", json=session_body("A3", "R3"))

    BLUESKY.verify(factories.session(conn))

    assert factories.stored_secret(conn)["access_jwt"] == "A3"


def test_refresh_and_login_refused_means_the_account_needs_reconnecting(api, conn):
    api.route("GET", X + "com.atproto.server.getSession",
              status=400, json={"error": "ExpiredToken", "message": "Token has expired"})
    api.route("POST", X + "com.atproto.server.refreshSession",
              status=400, json={"error": "ExpiredToken", "message": "Token has been revoked"})
    api.route("POST", X + "com.atproto.server.createSession", status=401,
              json={"error": "AuthenticationRequired", "message": "Invalid identifier or password"})

    with pytest.raises(AuthExpired, match="Invalid identifier or password"):
        BLUESKY.verify(factories.session(conn))
    assert tasks.verify_connection.call(conn.pk) == ConnectionStatus.EXPIRED
    conn.refresh_from_db()
    assert "Invalid identifier or password" in conn.last_error
    assert "app-pw" not in conn.last_error and "R1" not in conn.last_error


def test_429_waits_until_the_reset_and_rate_headers_are_kept(api, conn):
    reset = int(time.time()) + 120
    api.route("GET", X + "com.atproto.server.getSession", [
        Reply(json={"did": DID, "handle": HANDLE},
              headers={"ratelimit-limit": "3000", "ratelimit-remaining": "2999",
                       "ratelimit-reset": str(reset), "ratelimit-policy": "3000;w=300"}),
        Reply(429, json={"error": "RateLimitExceeded", "message": "Rate Limit Exceeded"},
              headers={"ratelimit-limit": "3000", "ratelimit-remaining": "0",
                       "ratelimit-reset": str(reset)}),
    ])
    session = factories.session(conn)
    BLUESKY.verify(session)
    assert (session.rate.limit, session.rate.remaining) == (3000, 2999)
    with pytest.raises(RateLimited, match="Rate Limit Exceeded") as raised:
        BLUESKY.verify(session)
    assert 110 <= raised.value.retry_after <= 121
    assert session.rate.remaining == 0


def test_first_fetch_reads_one_page_of_mentions_replies_and_quotes(api, conn):
    api.route("GET", NOTIFICATIONS, json=fixture("notifications_recent.json"))
    page = BLUESKY.fetch(factories.session(conn), "")

    assert api.requests[-1].arg("limit") == "50" and api.requests[-1].arg("cursor") is None
    reply, mention = page.messages  # the like is left out
    assert reply.id == "at://did:plc:cust0mer1aaaaaaaaaaaaaaa/app.bsky.feed.post/3lkq2vwxabc2a"
    assert (reply.author, reply.account, reply.lang) == ("maria.bsky.social", HANDLE, "en")
    assert reply.thread_id.endswith("/3lkq2root002a")
    assert reply.in_reply_to == f"at://{DID}/app.bsky.feed.post/3lkq2aaaaaa2a"
    assert reply.url == "https://bsky.app/profile/maria.bsky.social/post/3lkq2vwxabc2a"
    assert reply.created_at == datetime.datetime(2026, 3, 1, 10, 9, 58, tzinfo=datetime.UTC)
    assert (mention.thread_id, mention.in_reply_to) == (mention.id, "")
    assert mention.text == "@acme.bsky.social my order never came"
    assert not page.more
    assert json.loads(page.position) == {"since": "2026-03-01T10:10:00+00:00"}


def test_fetch_pages_back_to_what_it_had_and_skips_our_own_posts(api, conn):
    pages = {None: "notifications_newer.json", "2026-03-01T11:00:00.000Z":
             "notifications_older.json"}
    api.route("GET", NOTIFICATIONS,
              lambda request: Reply(json=fixture(pages[request.arg("cursor")])))
    session = factories.session(conn)
    position = json.dumps({"since": "2026-03-01T10:10:00+00:00"})

    first = BLUESKY.fetch(session, position)
    assert [m.id.rsplit("/", 1)[1] for m in first.messages] == ["3lkq3quote002a"]
    assert first.messages[0].author == "sam.bsky.social"
    assert first.more
    second = BLUESKY.fetch(session, first.position)
    assert api.requests[-1].arg("cursor") == "2026-03-01T11:00:00.000Z"
    # The one at exactly `since` comes again (storing it is idempotent); then it stops.
    assert [m.id.rsplit("/", 1)[1] for m in second.messages] == ["3lkq3late0002a",
                                                                 "3lkq2vwxabc2a"]
    assert not second.more
    assert json.loads(second.position) == {"since": "2026-03-01T11:30:01+00:00"}


def test_fetch_through_the_worker_stores_each_message_once(api, conn):
    api.route("GET", NOTIFICATIONS, json=fixture("notifications_recent.json"))
    assert tasks.fetch_connection.call(conn.pk) == 2
    assert tasks.fetch_connection.call(conn.pk) == 0
    assert Message.objects.filter(network="bluesky").count() == 2
    second = api.requests[-1]
    assert second.arg("cursor") is None  # caught up: reads the newest page again


def test_a_reply_refers_to_parent_and_thread_root_and_links_mentions(api, conn):
    parent = "at://did:plc:cust0mer1aaaaaaaaaaaaaaa/app.bsky.feed.post/3lkq2vwxabc2a"
    root = "at://did:plc:cust0mer1aaaaaaaaaaaaaaa/app.bsky.feed.post/3lkq2root002a"
    api.route("GET", X + "com.atproto.repo.getRecord", json={
        "uri": parent, "cid": "bafyparent",
        "value": {"$type": "app.bsky.feed.post", "text": "Still waiting",
                  "createdAt": "2026-03-01T10:09:58.000Z",
                  "reply": {"root": {"uri": root, "cid": "bafyroot"},
                            "parent": {"uri": root, "cid": "bafyroot"}}}})
    api.route("GET", X + "com.atproto.identity.resolveHandle",
              lambda r: Reply(json={"did": "did:plc:cust0mer1aaaaaaaaaaaaaaa"})
              if r.arg("handle") == "maria.bsky.social"
              else Reply(400, json={"error": "InvalidRequest", "message": "Unable to resolve"}))
    uri = f"at://{DID}/app.bsky.feed.post/3lkq4reply002a"
    api.route("POST", X + "com.atproto.repo.createRecord", json={"uri": uri, "cid": "bafynew"})
    out = outbound(text="Hi @maria.bsky.social, and not @nobody.example.org: sorted! ✨",
                   in_reply_to=parent, thread_id=root, language="en")

    result = BLUESKY.deliver(factories.session(conn), out)

    assert result.external_id == uri
    assert result.url == f"https://bsky.app/profile/{HANDLE}/post/3lkq4reply002a"
    [create] = [r for r in api.requests if r.path.endswith("createRecord")]
    body = create.json()
    assert create.headers["authorization"] == "Bearer A1"
    assert (body["repo"], body["collection"]) == (DID, "app.bsky.feed.post")
    assert body["rkey"] == delivery_rkey(out.idempotency_key, out.created_at)
    record = body["record"]
    assert record["reply"] == {"root": {"uri": root, "cid": "bafyroot"},
                               "parent": {"uri": parent, "cid": "bafyparent"}}
    assert (record["$type"], record["text"], record["langs"]) == (
        "app.bsky.feed.post", out.text, ["en"])
    [facet] = record["facets"]
    start, end = facet["index"]["byteStart"], facet["index"]["byteEnd"]
    assert out.text.encode()[start:end] == b"@maria.bsky.social"
    assert facet["features"] == [{"$type": "app.bsky.richtext.facet#mention",
                                  "did": "did:plc:cust0mer1aaaaaaaaaaaaaaa"}]


def test_find_sent_looks_up_the_deliverys_own_record_key(api, conn):
    out = outbound(kind="post")
    rkey = delivery_rkey(out.idempotency_key, out.created_at)
    api.route("GET", X + "com.atproto.repo.getRecord", [
        Reply(json={"uri": f"at://{DID}/app.bsky.feed.post/{rkey}", "cid": "bafy",
                    "value": {"text": out.text}}),
        Reply(400, json={"error": "RecordNotFound", "message": "Could not locate record"}),
    ])
    session = factories.session(conn)
    found = BLUESKY.find_sent(session, out)
    assert found.external_id.endswith(f"/{rkey}")
    assert api.requests[-1].arg("rkey") == rkey and api.requests[-1].arg("repo") == DID
    assert BLUESKY.find_sent(session, out) is None


def test_record_keys_are_valid_sortable_tids_fixed_by_the_delivery():
    at = datetime.datetime(2026, 3, 1, 12, tzinfo=datetime.UTC)
    key = delivery_rkey("a" * 32, at)
    assert len(key) == 13 and key[0] in "234567abcdefghij"
    assert set(key) <= set(TID_ALPHABET)
    assert key == delivery_rkey("a" * 32, at)
    assert key != delivery_rkey("b" * 32, at)
    later = delivery_rkey("a" * 32, at + datetime.timedelta(microseconds=1))
    assert later > key  # the alphabet sorts as the numbers do
    # The example in the AT Protocol spec (atproto.com/specs/tid): 2023-06-30T15:03:01.887007Z,
    # clock id 6.
    assert tid(1_688_137_381_887_007, 6) == "3jzfcijpj2z2a"
