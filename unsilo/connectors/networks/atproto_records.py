"""AT Protocol pieces the Bluesky connector and the event stream share: AT URIs, record keys
(TIDs), post records as inbox messages, and mention facets.

A post in the inbox: id = its AT URI (at://<did>/app.bsky.feed.post/<rkey>), thread = the
root post's URI, parent = the parent's URI, url = its page on bsky.app.
"""

import datetime
import hashlib
import re

from unsilo.connectors.base import Incoming

POST = "app.bsky.feed.post"
MENTION = "app.bsky.richtext.facet#mention"
WEB = "https://bsky.app"
# Record keys of posts are TIDs: 13 characters of this sortable base32.
TID_ALPHABET = "234567abcdefghijklmnopqrstuvwxyz"
# An @handle in a post's text: after a start or a non-word character, as Bluesky's apps find
# them (handles are domain names).
HANDLE_IN_TEXT = re.compile(
    r"(?:^|[\s(\[{])(@([a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?\.)+[a-zA-Z]{2,})"
)


def tid(micros: int, clock_id: int) -> str:
    """A TID: 53 bits of microseconds since the epoch, then a 10-bit clock id, as 13
    base32-sortable characters (the top bit stays 0)."""
    value = ((micros & ((1 << 53) - 1)) << 10) | (clock_id & 0x3FF)
    chars = []
    for _ in range(13):
        chars.append(TID_ALPHABET[value & 31])
        value >>= 5
    return "".join(reversed(chars))


def delivery_rkey(idempotency_key: str, created_at: datetime.datetime) -> str:
    """The record key every attempt of one delivery posts under: the same key twice cannot
    make two posts, since a repo holds one record per key."""
    micros = int(created_at.timestamp() * 1_000_000)
    clock_id = int.from_bytes(hashlib.sha256(idempotency_key.encode()).digest()[:2]) & 0x3FF
    return tid(micros, clock_id)


def split_uri(uri: str) -> tuple[str, str, str]:
    """(repo DID, collection, record key) of an AT URI; ValueError when it is not one."""
    if not uri.startswith("at://"):
        raise ValueError(f"not an AT URI: {uri[:80]}")
    parts = uri[5:].split("/")
    if len(parts) != 3 or not all(parts):
        raise ValueError(f"not an AT URI of a record: {uri[:80]}")
    return parts[0], parts[1], parts[2]


def did_of(uri) -> str:
    """The repo DID in an AT URI, "" for anything else (records from the wild may be odd)."""
    if not isinstance(uri, str) or not uri.startswith("at://"):
        return ""
    return uri[5:].split("/", 1)[0]


def post_url(author: str, uri: str) -> str:
    return f"{WEB}/profile/{author}/post/{uri.rsplit('/', 1)[-1]}"


def parse_time(value) -> datetime.datetime | None:
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=datetime.UTC)


def post_message(uri: str, record: dict, author: str, account: str,
                 seen_at: datetime.datetime | None = None) -> Incoming:
    """A post record (as JSON or decoded DAG-CBOR) as an inbox message."""
    reply = record.get("reply") if isinstance(record.get("reply"), dict) else {}
    root, parent = _ref_uri(reply.get("root")), _ref_uri(reply.get("parent"))
    langs = record.get("langs")
    lang = langs[0] if isinstance(langs, list) and langs and isinstance(langs[0], str) else ""
    text = record.get("text")
    created = (parse_time(record.get("createdAt")) or seen_at
               or datetime.datetime.now(datetime.UTC))
    return Incoming(
        id=uri, network="bluesky", text=text if isinstance(text, str) else "", author=author,
        created_at=created, account=account, thread_id=root or uri, in_reply_to=parent,
        url=post_url(author, uri), lang=lang[:16])


def _ref_uri(ref) -> str:
    uri = ref.get("uri") if isinstance(ref, dict) else None
    return uri if isinstance(uri, str) else ""


def concerns(record: dict, ours: dict[str, str]) -> str:
    """Which of our accounts (DID → handle) a post is about: one it replies to (parent, then
    root), mentions or quotes; "" for none."""
    reply = record.get("reply")
    if isinstance(reply, dict):
        for part in ("parent", "root"):
            ref = reply.get(part)
            did = did_of(ref.get("uri")) if isinstance(ref, dict) else ""
            if did in ours:
                return ours[did]
    facets = record.get("facets")
    if isinstance(facets, list):
        for facet in facets:
            features = facet.get("features") if isinstance(facet, dict) else None
            for feature in features if isinstance(features, list) else ():
                if (isinstance(feature, dict) and feature.get("$type") == MENTION
                        and feature.get("did") in ours):
                    return ours[feature["did"]]
    embed = record.get("embed")
    if isinstance(embed, dict):
        quoted = embed.get("record")
        if isinstance(quoted, dict) and isinstance(quoted.get("record"), dict):
            quoted = quoted["record"]  # app.bsky.embed.recordWithMedia
        did = did_of(quoted.get("uri")) if isinstance(quoted, dict) else ""
        if did in ours:
            return ours[did]
    return ""


def mention_spans(text: str) -> list[tuple[int, int, str]]:
    """(byte start, byte end, handle) of each @handle in `text`; facet offsets count UTF-8
    bytes."""
    spans = []
    for match in HANDLE_IN_TEXT.finditer(text):
        start = len(text[:match.start(1)].encode())
        spans.append((start, start + len(match.group(1).encode()), match.group(1)[1:]))
    return spans


def mention_facet(start: int, end: int, did: str) -> dict:
    return {"index": {"byteStart": start, "byteEnd": end},
            "features": [{"$type": MENTION, "did": did}]}
