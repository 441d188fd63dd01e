"""RSS and Atom feeds, for listening only: each new entry of a feed comes into the inbox.

The feed is fetched with httpx (`http.call`: 429 and Retry-After, rate headers) as a
conditional GET — If-None-Match with the last ETag, If-Modified-Since with the last
Last-Modified — so an unchanged feed costs one 304 and nothing else; `feedparser` reads RSS
0.9x/1.0/2.0 and Atom alike. The position remembers the ids of the newest entries seen, so
nothing comes twice even from a feed whose entries carry no dates.
"""

import datetime
import hashlib
import io
import json
import re
from html.parser import HTMLParser
from urllib.parse import urlsplit

import feedparser

from unsilo.connectors import http
from unsilo.connectors.base import (
    AccountInfo,
    Connector,
    Field,
    Incoming,
    Page,
    PermanentError,
    Session,
)

FIRST_FETCH = 50  # entries a newly connected feed brings in
SEEN_LIMIT = 500  # entry ids kept in the position (a feed rarely holds more than 100)
MAX_FEED_BYTES = 10 * 1024 * 1024
ID_LIMIT = 200  # the inbox's longest external id


class FeedConnector(Connector):
    name = "rss"
    label = "RSS / Atom feed"
    auth = "none"
    fields = (Field("feed_url", "Feed URL", url=True, help="The address of an RSS or Atom "
                    "feed, e.g. https://example.com/feed.xml"),)
    can_reply = False
    can_publish = False
    poll_seconds = 600

    def verify(self, session: Session) -> AccountInfo:
        feed, _ = self._get(session, {})
        if feed is None:
            raise PermanentError("the feed answered 304 Not Modified to a plain request")
        title = _text(feed.feed.get("title", ""))
        if not title:
            problem = feed.get("bozo_exception")
            raise PermanentError("this address is not an RSS or Atom feed with a title"
                                 + (f" ({problem})" if problem else ""))
        return AccountInfo(external_id=_feed_url(session), handle=session.handle,
                           display_name=title[:200])

    def fetch(self, session: Session, position: str) -> Page:
        state = _state(position)
        conditions = {}
        if state.get("etag"):
            conditions["If-None-Match"] = state["etag"]
        if state.get("modified"):
            conditions["If-Modified-Since"] = state["modified"]
        feed, response = self._get(session, conditions)
        if feed is None:  # 304: nothing new, the position stands
            return Page(messages=[], position="")
        seen = state.get("seen", [])
        known = set(seen)
        entries = [(entry_id(session, entry), entry) for entry in feed.entries]
        fresh = [(key, entry) for key, entry in entries if key not in known]
        if not state:  # a new feed: its latest entries, not its whole archive
            fresh = _newest(fresh, FIRST_FETCH)
        now = datetime.datetime.now(datetime.UTC)
        # In the order they were written: by date, undated ones oldest first as feeds list
        # the newest first.
        messages = sorted((self._message(session, feed, key, entry, now)
                           for key, entry in reversed(fresh)), key=lambda m: m.created_at)
        current = list(dict.fromkeys(key for key, _ in entries))
        in_feed = set(current)
        kept = current + [key for key in seen if key not in in_feed]
        state = {"etag": response.headers.get("etag", ""),
                 "modified": response.headers.get("last-modified", ""),
                 "seen": kept[:max(SEEN_LIMIT, len(current))]}
        return Page(messages=messages, position=json.dumps(state))

    def _get(self, session: Session, conditions: dict):
        url = _feed_url(session)
        with http.client(public_only=True) as client:
            response = http.call(session, client, "GET", url, headers={
                "Accept": "application/atom+xml, application/rss+xml, application/xml;q=0.9, "
                          "text/xml;q=0.8, */*;q=0.1", **conditions})
        if response.status_code == 304:
            return None, response
        if len(response.content) > MAX_FEED_BYTES:
            raise PermanentError(f"the feed is larger than {MAX_FEED_BYTES // 2**20} MB")
        # A stream, never bytes or str: feedparser would take those for a path or URL to open.
        feed = feedparser.parse(io.BytesIO(response.content), response_headers={
            "content-type": response.headers.get("content-type", "application/xml"),
            "content-location": str(response.url)})
        if not feed.entries and not feed.feed and feed.get("bozo"):
            raise PermanentError(f"the feed could not be read ({feed.get('bozo_exception')})")
        return feed, response

    def _message(self, session: Session, feed, key: str, entry,
                 now: datetime.datetime) -> Incoming:
        title = _text(entry.get("title", ""))
        summary = _text(_body(entry))
        text = summary if summary.startswith(title) else "\n\n".join(p for p in (title, summary)
                                                                      if p)
        link = entry.get("link", "")[:2000]
        detail = entry.get("author_detail") or {}
        author = (_text(detail.get("name") or entry.get("author", ""))
                  or _text(feed.feed.get("title", "")) or _feed_url(session))
        language = (entry.get("language") or feed.feed.get("language") or "").strip().lower()
        return Incoming(
            id=key, network=self.name, text=text or link, author=author[:200],
            created_at=_when(entry) or now, account=session.handle, thread_id=key,
            url=link, lang=language.split("-")[0][:16])


def _state(position: str) -> dict:
    try:
        state = json.loads(position) if position else {}
    except json.JSONDecodeError:
        state = None
    # Unreadable (written by something else): start afresh; storing twice is harmless anyway.
    return state if isinstance(state, dict) else {}


def _feed_url(session: Session) -> str:
    url = (session.options.get("feed_url") or "").strip()
    if not url:
        raise PermanentError("no feed URL is set for this account")
    if urlsplit(url).scheme not in ("http", "https"):
        raise PermanentError("the feed URL must start with http:// or https://")
    return url


def _newest(entries: list, count: int) -> list:
    """The `count` latest entries by date (undated ones as the feed orders them), in the
    feed's order."""
    if len(entries) <= count:
        return entries
    oldest = datetime.datetime.min.replace(tzinfo=datetime.UTC)
    latest = sorted(range(len(entries)), key=lambda i: _when(entries[i][1]) or oldest,
                    reverse=True)[:count]
    return [entries[i] for i in sorted(latest)]


def entry_id(session: Session, entry) -> str:
    """The entry's id (Atom id, RSS guid, else its link, else a hash of its title and text),
    made unique across feeds when the feed's own ids are not (plain numbers)."""
    key = (entry.get("id") or entry.get("link") or "").strip()
    if not key:
        content = f"{entry.get('title', '')}\n{_body(entry)}".encode()
        key = "sha256:" + hashlib.sha256(content).hexdigest()
    if ":" not in key:
        key = f"{_feed_url(session)}#{key}"
    if len(key) > ID_LIMIT:
        key = "sha256:" + hashlib.sha256(key.encode()).hexdigest()
    return key


def _body(entry) -> str:
    contents = entry.get("content") or []
    if contents and contents[0].get("value"):
        return contents[0]["value"]
    return entry.get("summary", "")


def _when(entry) -> datetime.datetime | None:
    parsed = entry.get("published_parsed") or entry.get("updated_parsed")
    if not parsed:
        return None
    return datetime.datetime(*parsed[:6], tzinfo=datetime.UTC)


BLOCKS = {"p", "div", "br", "li", "blockquote", "pre", "h1", "h2", "h3", "h4", "h5", "h6",
          "tr", "ul", "ol", "table", "hr"}


class _TextOnly(HTMLParser):
    """The text of an HTML fragment: tags dropped, entities decoded, blocks on new lines."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self.skipping += 1
        elif tag in BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self.skipping = max(0, self.skipping - 1)
        elif tag in BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data):
        if not self.skipping:
            self.parts.append(data)


def _text(html: str) -> str:
    if "<" not in html and "&" not in html:
        return " ".join(html.split())
    parser = _TextOnly()
    parser.feed(html)
    parser.close()
    lines = (" ".join(line.split()) for line in "".join(parser.parts).split("\n"))
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
