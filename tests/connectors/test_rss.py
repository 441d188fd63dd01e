"""RSS and Atom feeds over real HTTP on loopback: entries become inbox messages once each,
unchanged feeds cost a 304, and the feed server's limits are honoured. Fixtures follow the
RSS 2.0 specification's sample and RFC 4287's example (fixtures/rss/README.md)."""

import datetime
import email.utils
import json
from pathlib import Path

import pytest

from tests.connectors import factories
from tests.connectors.network import network_api  # noqa: F401 - the `api` fixture
from unsilo.connectors import tasks
from unsilo.connectors.base import PermanentError, RateLimited
from unsilo.connectors.models import StreamPosition
from unsilo.connectors.networks.rss import FeedConnector
from unsilo.connectors.testing.fakeapi import Reply
from unsilo.inbox.models import Message

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).parent / "fixtures" / "rss"
RSS = (FIXTURES / "rss2.xml").read_bytes()
ATOM = (FIXTURES / "atom.xml").read_bytes()
UNDATED = (FIXTURES / "undated.xml").read_bytes()
XML = {"content-type": "application/rss+xml; charset=utf-8"}

rss = FeedConnector()


def feed(api, path="/feed.xml", **fields):
    conn = factories.connection("rss", handle="nasa-news",
                                options={"feed_url": f"{api.url}{path}"}, **fields)
    return conn, factories.session(conn)


def test_verify_names_the_feed_by_its_url_and_title(api):
    api.route("GET", "/feed.xml", body=RSS, headers=XML)
    _, session = feed(api)
    info = rss.verify(session)
    assert (info.external_id, info.display_name) == (f"{api.url}/feed.xml", "Liftoff News")
    # A public source: nothing to authenticate with, and it says what it accepts.
    sent = api.requests[-1]
    assert "authorization" not in sent.headers and "rss+xml" in sent.headers["accept"]


def test_verify_refuses_a_page_that_is_not_a_feed(api):
    api.route("GET", "/feed.xml", body=b"<html><body><p>Hello</p></body></html>",
              headers={"content-type": "text/html"})
    _, session = feed(api)
    with pytest.raises(PermanentError, match="not an RSS or Atom feed"):
        rss.verify(session)


def test_a_body_naming_a_local_file_is_not_opened(api, tmp_path):
    # feedparser opens a str or bytes it is given as a path or URL; the connector gives it a
    # stream, so a hostile feed cannot make it read the server's files.
    secret = tmp_path / "feed.xml"
    secret.write_bytes(RSS)
    api.route("GET", "/feed.xml", body=str(secret).encode(), headers=XML)
    _, session = feed(api)
    with pytest.raises(PermanentError):
        rss.verify(session)


def test_rss_items_map_to_messages_oldest_first(api):
    api.route("GET", "/feed.xml", body=RSS, headers=XML)
    _, session = feed(api)
    page = rss.fetch(session, "")
    assert [m.id for m in page.messages] == [
        "http://liftoff.msfc.nasa.gov/2003/05/27.html#item571",
        "http://liftoff.msfc.nasa.gov/2003/05/30.html#item572",
        "http://liftoff.msfc.nasa.gov/2003/06/03.html#item573",
    ]
    star = page.messages[-1]
    assert star.text.startswith("Star City\n\nHow do Americans get ready")
    assert star.text.endswith("at Russia's Star City.")  # the link's tag is gone, its words kept
    assert star.author == "Jim Lovell"
    assert star.created_at == datetime.datetime(2003, 6, 3, 9, 39, 21, tzinfo=datetime.UTC)
    assert star.url == "http://liftoff.msfc.nasa.gov/news/2003/news-starcity.asp"
    assert (star.network, star.account, star.thread_id, star.in_reply_to) == (
        "rss", "nasa-news", star.id, "")
    assert star.lang == "en"
    eclipse = page.messages[1]
    # No title, no author, no link: the words alone, the feed's name as the author, and the
    # guid as the address (a guid is a permalink unless it says otherwise).
    assert eclipse.author == "Liftoff News"
    assert eclipse.url == "http://liftoff.msfc.nasa.gov/2003/05/30.html#item572"
    assert "partial eclipse of the Sun on Saturday" in eclipse.text
    assert "Fish & chips" in eclipse.text and "alert" not in eclipse.text
    assert page.more is False


def test_atom_entries_map_to_messages(api):
    api.route("GET", "/feed.xml", body=ATOM, headers={"content-type": "application/atom+xml"})
    _, session = feed(api)
    first, second = rss.fetch(session, "").messages
    assert first.id == "tag:example.org,2003:3.2397"
    assert first.text == "Atom draft-07 snapshot\n\n[Update: The Atom draft is finished.]"
    assert first.author == "Mark Pilgrim"
    assert first.created_at == datetime.datetime(2003, 12, 13, 12, 29, 29, tzinfo=datetime.UTC)
    assert first.url == "http://example.org/2005/04/02/atom"
    assert (second.author, second.text) == ("Sam Ruby", "Second entry, no content\n\n"
                                                        "Just a summary.")
    assert second.created_at == datetime.datetime(2005, 7, 31, 12, 29, 29, tzinfo=datetime.UTC)


def test_an_unchanged_feed_is_asked_conditionally_and_a_304_changes_nothing(api):
    api.route("GET", "/feed.xml", [
        Reply(200, body=RSS, headers={**XML, "etag": '"v1"',
                                      "last-modified": "Tue, 10 Jun 2003 09:41:01 GMT"}),
        Reply(304, headers={"etag": '"v1"'}),
    ])
    _, session = feed(api)
    first = rss.fetch(session, "")
    assert len(first.messages) == 3
    again = rss.fetch(session, first.position)
    sent = api.requests[-1].headers
    assert sent["if-none-match"] == '"v1"'
    assert sent["if-modified-since"] == "Tue, 10 Jun 2003 09:41:01 GMT"
    assert again.messages == [] and again.position == ""  # "" keeps the stored position


def test_a_feed_without_dates_or_etags_repeats_nothing_and_brings_only_new_items(api):
    api.route("GET", "/status.xml", body=UNDATED, headers=XML)
    _, session = feed(api, "/status.xml")
    first = rss.fetch(session, "")
    # Numeric guids are unique only within their feed: the feed's address makes them unique.
    assert [m.id for m in first.messages] == [f"{api.url}/status.xml#1",
                                              f"{api.url}/status.xml#2"]
    assert all(m.created_at.tzinfo is not None for m in first.messages)
    assert rss.fetch(session, first.position).messages == []
    newer = UNDATED.replace(b"<item>", b"<item><title>Resolved</title>"
                                       b'<guid isPermaLink="false">3</guid></item><item>', 1)
    api.route("GET", "/status.xml", body=newer, headers=XML)
    later = rss.fetch(session, first.position)
    assert [m.text for m in later.messages] == ["Resolved"]
    assert json.loads(later.position)["seen"][0] == f"{api.url}/status.xml#3"


def test_the_seen_ids_stay_bounded(api):
    items = "".join(f"<item><title>n{i}</title><guid>urn:n:{i}</guid></item>"
                    for i in range(600))
    api.route("GET", "/feed.xml", body=f"<rss version='2.0'><channel><title>Big</title>"
                                       f"{items}</channel></rss>".encode(), headers=XML)
    _, session = feed(api)
    page = rss.fetch(session, json.dumps({"seen": [f"urn:old:{i}" for i in range(500)]}))
    assert len(page.messages) == 600
    assert len(json.loads(page.position)["seen"]) == 600  # this feed's, the old ones dropped


def test_a_new_feed_brings_its_latest_50_entries_not_its_archive(api):
    # An archive feed listed oldest first: the dates, not the order, say which are latest.
    start = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)
    items = "".join(f"<item><title>n{i}</title><guid>urn:n:{i}</guid><pubDate>"
                    f"{email.utils.format_datetime(start + datetime.timedelta(hours=i), True)}"
                    "</pubDate></item>" for i in range(300))
    api.route("GET", "/feed.xml", body=f"<rss version='2.0'><channel><title>Archive</title>"
                                       f"{items}</channel></rss>".encode(), headers=XML)
    _, session = feed(api)
    first = rss.fetch(session, "")
    assert [m.text for m in first.messages] == [f"n{i}" for i in range(250, 300)]
    assert rss.fetch(session, first.position).messages == []  # the rest count as seen


def test_only_web_addresses_are_fetched(api):
    conn = factories.connection("rss", options={"feed_url": "file:///etc/passwd"})
    with pytest.raises(PermanentError, match="http:// or https://"):
        rss.fetch(factories.session(conn), "")


@pytest.mark.parametrize("address", ["127.0.0.1", "10.1.2.3", "169.254.169.254", "[::1]"])
def test_a_feed_inside_the_private_network_is_never_called(api, settings, address):
    """A feed address is typed in by a person: it must not reach the company's own network
    (or a cloud's metadata service) through unsilo."""
    settings.UNSILO_ALLOW_PRIVATE_URLS = False
    api.route("GET", "/feed.xml", body=RSS, headers=XML)
    port = api.url.rsplit(":", 1)[1]
    conn = factories.connection("rss", options={"feed_url": f"http://{address}:{port}/feed.xml"})
    with pytest.raises(PermanentError, match="points inside a private network"):
        rss.fetch(factories.session(conn), "")
    assert api.requests == []


def test_an_entry_with_neither_title_nor_text_says_its_link(api):
    api.route("GET", "/feed.xml", body=b"<rss version='2.0'><channel><title>Pods</title><item>"
                                       b"<link>https://pods.example/ep1</link></item>"
                                       b"</channel></rss>", headers=XML)
    _, session = feed(api)
    (episode,) = rss.fetch(session, "").messages
    assert (episode.id, episode.text) == ("https://pods.example/ep1", "https://pods.example/ep1")


def test_an_unreadable_position_starts_afresh(api):
    api.route("GET", "/feed.xml", body=RSS, headers=XML)
    _, session = feed(api)
    assert len(rss.fetch(session, "{not json").messages) == 3


def test_429_waits_as_long_as_the_server_says(api):
    api.route("GET", "/feed.xml", status=429, headers={"retry-after": "120"},
              body=b"Too Many Requests")
    _, session = feed(api)
    with pytest.raises(RateLimited) as error:
        rss.fetch(session, "")
    assert error.value.retry_after == 120


def test_rate_headers_are_kept_on_the_session(api):
    api.route("GET", "/feed.xml", body=RSS, headers={**XML, "x-ratelimit-limit": "60",
                                                      "x-ratelimit-remaining": "59"})
    _, session = feed(api)
    rss.fetch(session, "")
    assert (session.rate.limit, session.rate.remaining) == (60, 59)


def test_a_missing_feed_is_a_permanent_error_in_the_servers_words(api):
    _, session = feed(api, "/gone.xml")
    with pytest.raises(PermanentError, match="404"):
        rss.fetch(session, "")


def test_listening_only():
    assert (rss.can_fetch, rss.can_reply, rss.can_publish, rss.auth) == (
        True, False, False, "none")
    assert [f.name for f in rss.fields] == ["feed_url"] and not rss.fields[0].secret


def test_fetching_through_the_worker_stores_each_entry_once(api):
    api.route("GET", "/feed.xml", body=RSS, headers={**XML, "etag": '"v1"'})
    conn, _ = feed(api)
    assert tasks.fetch_connection.call(conn.pk) == 3
    assert tasks.fetch_connection.call(conn.pk) == 0
    assert Message.objects.filter(network="rss").count() == 3
    stored = Message.objects.get(external_id__endswith="#item573")
    assert (stored.author, stored.account_handle) == ("Jim Lovell", "nasa-news")
    # The second fetch went out with the ETag the first one stored.
    assert api.requests[-1].headers["if-none-match"] == '"v1"'
    position = StreamPosition.objects.get(connection=conn).position
    assert json.loads(position)["etag"] == '"v1"'
