"""Meta's webhooks for Facebook Pages and Instagram: the subscription challenge, the signature,
and the messages a call carries.

Meta signs each call with the app secret (X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the
raw body>), so one secret covers every connected Page, and calls one URL for all of them.
Payloads follow https://developers.facebook.com/docs/graph-api/webhooks/reference/page (feed),
https://developers.facebook.com/docs/instagram-platform/webhooks/examples (comments) and
https://developers.facebook.com/docs/messenger-platform/webhooks (messaging).
"""

import datetime
import hashlib
import hmac
import json

from unsilo.connectors.base import Incoming, PermanentError, WebhookRejected, app_setting

SIGNATURE_HEADER = "x-hub-signature-256"
FEED_ITEMS = {"comment", "post", "status", "photo", "video"}


def challenge(query: dict[str, str]) -> str | None:
    """Answer Meta's subscription check when it carries our verify token."""
    try:
        expected = app_setting("meta", "verify_token")
    except PermanentError:
        return None
    given = query.get("hub.verify_token", "")
    if query.get("hub.mode") != "subscribe" or not hmac.compare_digest(given.encode(),
                                                                       expected.encode()):
        return None
    return query.get("hub.challenge") or None


def check_signature(headers: dict[str, str], body: bytes) -> None:
    try:
        secret = app_setting("meta", "app_secret")
    except PermanentError as error:
        raise WebhookRejected(str(error)) from error
    given = {k.lower(): v for k, v in headers.items()}.get(SIGNATURE_HEADER, "")
    if not given.startswith("sha256="):
        raise WebhookRejected(f"no {SIGNATURE_HEADER} header with a sha256 signature")
    expected = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(given.removeprefix("sha256=").strip().lower().encode(),
                               expected.encode()):
        raise WebhookRejected("the signature does not match the body")


def _time(value) -> datetime.datetime:
    """Webhook times: epoch seconds, or milliseconds (messaging)."""
    if not isinstance(value, int | float):
        raise ValueError(f"not a time: {value!r}")
    if value > 1e11:
        value = value / 1000
    return datetime.datetime.fromtimestamp(value, datetime.UTC)


def parse(network: str, expected_object: str, options: dict, body: bytes) -> list[Incoming]:
    """The inbound messages of one webhook call (changes we do not handle are skipped)."""
    try:
        payload = json.loads(body)
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise ValueError(f"the body is not JSON: {error}") from error
    if not isinstance(payload, dict) or payload.get("object") != expected_object:
        got = payload.get("object") if isinstance(payload, dict) else type(payload).__name__
        raise ValueError(f"expected object {expected_object!r}, got {got!r}")
    entries = payload.get("entry")
    if not isinstance(entries, list):
        raise ValueError("no entry list")
    messages = []
    for entry in entries:
        if not isinstance(entry, dict) or "id" not in entry:
            raise ValueError("an entry without an id")
        owner = str(entry["id"])
        # Meta calls one app-level URL for every Page: without a connection's options, the
        # account is the Page's (Instagram account's) id, as its connection's external_id.
        account = options.get("handle") or owner
        for change in entry.get("changes") or []:
            value = change.get("value")
            if not isinstance(value, dict):
                raise ValueError(f"a {change.get('field')!r} change without a value")
            message = _change(network, owner, change.get("field"), value, entry, account)
            if message is not None:
                messages.append(message)
        for event in entry.get("messaging") or []:
            message = _direct(network, owner, event, account)
            if message is not None:
                messages.append(message)
    return messages


def _change(network, owner, field, value, entry, account) -> Incoming | None:
    author = value.get("from") or {}
    if str(author.get("id", "")) == owner:
        return None  # our own comment or post
    try:
        if field == "feed":  # Facebook Page
            if value.get("item") not in FEED_ITEMS or value.get("verb") != "add":
                return None
            post = value["post_id"]
            if value["item"] == "comment":
                own, above = value["comment_id"], value.get("parent_id") or post
                thread = own if above == post else above
            else:
                own, above, thread = post, "", post
            return Incoming(id=own, network=network, text=value.get("message", ""),
                            author=author.get("name") or str(author.get("id", "")),
                            created_at=_time(value.get("created_time", entry.get("time"))),
                            account=account, thread_id=thread, in_reply_to=above)
        if field in ("comments", "live_comments"):  # Instagram
            above = value.get("parent_id", "")
            return Incoming(id=str(value["id"]), network=network, text=value.get("text", ""),
                            author=author.get("username") or str(author.get("id", "")),
                            created_at=_time(entry.get("time")), account=account,
                            thread_id=above or str(value["id"]),
                            in_reply_to=above or str((value.get("media") or {}).get("id", "")))
    except KeyError as error:
        raise ValueError(f"a {field!r} change without {error.args[0]}") from error
    # Instagram "mentions" carry only ids: their text needs an API call (polling's job).
    return None


def _direct(network, owner, event, account) -> Incoming | None:
    message = event.get("message") if isinstance(event, dict) else None
    if not isinstance(message, dict) or message.get("is_echo"):
        return None  # deliveries, reads, reactions, and our own messages echoed back
    sender = str((event.get("sender") or {}).get("id", ""))
    if sender == owner:
        return None
    if not sender or "mid" not in message:
        raise ValueError("a message without its sender or id")
    text = message.get("text")
    if text is None:
        kinds = {a.get("type", "file") for a in message.get("attachments") or []}
        text = f"[{', '.join(sorted(kinds)) or 'attachment'}]"
    return Incoming(id=f"dm:{message['mid']}", network=network, text=text, author=sender,
                    created_at=_time(event.get("timestamp")), account=account,
                    thread_id=f"dm:{sender}")
