"""The connector interface: what unsilo asks of a network and what it gets back.

A connector is a subclass of `Connector`, found through the entry-point group
`unsilo.connectors` (`plugins.py`), so a network can live in its own package. Everything that
crosses the interface is a plain dataclass, never an SDK object. A connector never touches the
database: unsilo hands it a `Session` (the account, its decrypted secret, a way to save a
refreshed one) and stores what it returns. Errors are the few kinds below, so the outbound
queue and the fetcher can tell "wait", "try again", "reconnect" and "give up" apart.

See docs/connectors.md for a walk-through of writing one.
"""

import datetime
import html
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import ClassVar

from unsilo.learning.types import Incoming

__all__ = [
    "AccountInfo", "app_setting", "AuthExpired", "Connector", "ConnectorError",
    "DeliveryResult", "Field", "Incoming", "InDoubt", "Outbound", "Page", "PermanentError",
    "RateLimited", "RateState", "same_text", "Session", "WebhookRejected",
]


# What goes out --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Outbound:
    """A reply or a post to deliver."""

    delivery_id: int
    kind: str  # "reply" or "post"
    network: str
    account_handle: str  # the company's account it goes out from
    text: str
    idempotency_key: str  # the same on every attempt of this delivery
    created_at: datetime.datetime
    in_reply_to: str = ""  # the network's id of the message answered (replies)
    thread_id: str = ""  # the network's id of the thread's first message
    customer: str = ""  # the customer's handle (replies)
    language: str = ""  # ISO 639-1, "" when unknown
    conversation_id: int | None = None


@dataclass(frozen=True)
class DeliveryResult:
    external_id: str  # the network's id of what was posted
    url: str = ""


# What comes in --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Page:
    """One read of an inbound stream: the messages, and the position after them. unsilo stores
    both in one transaction, then asks again from `position` while `more` is true."""

    messages: list[Incoming]
    position: str  # opaque to unsilo; "" keeps the old one
    more: bool = False


@dataclass(frozen=True)
class AccountInfo:
    """Who the credentials belong to, as the network says."""

    external_id: str  # DID, user id, page id…
    handle: str
    display_name: str = ""


@dataclass
class RateState:
    """The rate limit as the network reported it in its last answer."""

    limit: int | None = None
    remaining: int | None = None
    reset_at: datetime.datetime | None = None


@dataclass(frozen=True)
class Field:
    """One input of the connect form (never the secret's value once saved)."""

    name: str
    label: str
    secret: bool = False  # stored encrypted, never shown again
    required: bool = True
    help: str = ""
    default: str = ""
    # An address the worker will call: the form refuses one that is not http(s) or leads
    # inside a private network, and the connector must call it through the guard
    # (`http.client(public_only=True)`, `public.py`).
    url: bool = False


# Errors ---------------------------------------------------------------------------------------


class ConnectorError(Exception):
    """A network call failed in a way worth trying again later (5xx, connection refused).
    The message is the network's own words, never a secret."""


class RateLimited(ConnectorError):
    """The network said wait (429, or no calls left): try again after `retry_after` seconds."""

    def __init__(self, message: str, retry_after: float):
        super().__init__(message)
        self.retry_after = retry_after


class AuthExpired(ConnectorError):
    """The token is expired or revoked and could not be refreshed: someone must reconnect."""


class PermanentError(ConnectorError):
    """The network refused this request for good (400, 403, 404, text too long)."""


class InDoubt(ConnectorError):
    """The request left but no answer came (timeout): it may or may not have taken effect."""


class WebhookRejected(Exception):
    """A webhook call whose signature or timestamp does not check out (answered 401)."""


def app_setting(network: str, name: str) -> str:
    """An installation-wide setting of a network's app (client id, client secret, app secret)
    from the environment: UNSILO_<NETWORK>_<NAME>. Missing → PermanentError naming it."""
    variable = f"UNSILO_{network.upper()}_{name.upper()}"
    value = os.environ.get(variable, "").strip()
    if not value:
        raise PermanentError(f"{variable} is not set: register an app with the network and put "
                             "its value in the environment of the web and worker processes")
    return value


_URL = re.compile(r"https?://\S+")
_LEADING_MENTIONS = re.compile(r"^(?:@[\w.-]+\s+)+")


def same_text(theirs: str, ours: str) -> bool:
    """Whether the text a network shows is the text we sent, as `find_sent` must decide:
    networks escape HTML (&amp;), shorten links (t.co) and put the handles answered in front
    of a reply, so those differences do not count."""

    def plain(text: str) -> str:
        text = _LEADING_MENTIONS.sub("", html.unescape(text).strip())
        return " ".join(_URL.sub("<link>", text).split())

    return plain(theirs) == plain(ours)


# The session a connector works in -------------------------------------------------------------


@dataclass
class Session:
    """One account's credentials, decrypted, for the length of one piece of work."""

    network: str
    handle: str  # the registry's handle
    external_id: str  # the network's id, once verified
    options: dict  # non-secret settings (instance URL, page id, feed URL…)
    secret: dict  # the decrypted secret
    hook_secret: str = ""  # the webhook signing secret, for connectors that sign what they send
    # Save a changed secret (a refreshed token) encrypted, at once: the old one may be dead.
    save_secret: Callable[[dict], None] = lambda secret: None
    # Whether another worker stored new credentials since this session was opened.
    renewed_elsewhere: Callable[[], bool] = lambda: False
    rate: RateState = field(default_factory=RateState)

    def __repr__(self):  # never print the secret, even in a traceback's locals
        return f"Session({self.network}, {self.handle})"

    def update_secret(self, secret: dict) -> None:
        self.secret = secret
        self.save_secret(secret)


class Connector:
    """The base of every connector. Override what the network offers; the flags say which.

    Only `verify` is required. A listening-only source (RSS) sets `can_reply = can_publish =
    False`; a network that pushes (webhooks) implements `check_webhook` and `parse_webhook`.
    """

    name: ClassVar[str] = ""  # the network's name in the registry: "bluesky", "x", …
    label: ClassVar[str] = ""
    # How an account connects: "oauth2" (authorize in the browser; PKCE where offered),
    # "password" (app password or token typed in), "none" (public source).
    auth: ClassVar[str] = "password"
    fields: ClassVar[tuple[Field, ...]] = ()  # the connect form
    can_fetch: ClassVar[bool] = True
    can_reply: ClassVar[bool] = True
    can_publish: ClassVar[bool] = True
    webhooks: ClassVar[bool] = False
    # The network honours an idempotency key (or unsilo chooses the id), so resending after a
    # timeout cannot post twice.
    idempotent: ClassVar[bool] = False
    poll_seconds: ClassVar[int] = 60  # how often `fetch` is worth calling

    # Connecting ------------------------------------------------------------------------------

    def authorize_url(self, options: dict, state: str, code_challenge: str,
                      redirect_uri: str) -> str:
        """OAuth: where to send the browser (state, and PKCE S256 challenge where offered)."""
        raise NotImplementedError

    def finish_authorize(self, options: dict, code: str, code_verifier: str,
                         redirect_uri: str) -> dict:
        """OAuth: exchange the code for tokens; returns the secret to store."""
        raise NotImplementedError

    def connect(self, options: dict, form: dict) -> dict:
        """Password auth: the secret to store from the form's secret fields (no network call;
        `verify` checks it in the worker)."""
        return {f.name: form.get(f.name, "") for f in self.fields if f.secret}

    def verify(self, session: Session) -> AccountInfo:
        """Check the credentials work and say whose they are."""
        raise NotImplementedError

    def refresh(self, session: Session) -> None:
        """Renew an expired token (`session.update_secret`), or raise AuthExpired."""
        raise AuthExpired("the token expired and this network gives no way to renew it")

    # Inbound ---------------------------------------------------------------------------------

    def fetch(self, session: Session, position: str) -> Page:
        """Mentions, replies, comments and direct messages newer than `position`."""
        raise NotImplementedError

    def check_webhook(self, options: dict, hook_secret: str, headers: dict[str, str],
                      body: bytes) -> None:
        """Raise WebhookRejected unless the call is signed (and fresh)."""
        raise WebhookRejected("this network does not send webhooks")

    def webhook_challenge(self, options: dict, query: dict[str, str]) -> str | None:
        """A GET to the webhook URL that proves we own it (Meta's hub.challenge): the text to
        answer, or None to refuse."""
        return None

    def parse_webhook(self, options: dict, body: bytes) -> list[Incoming]:
        """The messages a checked webhook body carries; ValueError names what is malformed."""
        raise ValueError("this network does not send webhooks")

    # Outbound --------------------------------------------------------------------------------

    def reply(self, session: Session, out: Outbound) -> DeliveryResult:
        raise PermanentError(f"{self.label} does not take replies through unsilo")

    def publish(self, session: Session, out: Outbound) -> DeliveryResult:
        raise PermanentError(f"{self.label} does not take posts through unsilo")

    def find_sent(self, session: Session, out: Outbound) -> DeliveryResult | None:
        """After an attempt that got no answer: what it posted, if the network shows it; None
        when nothing was posted. Raise InDoubt when the network cannot tell."""
        raise InDoubt("the network offers no way to check what was posted")

    def deliver(self, session: Session, out: Outbound) -> DeliveryResult:
        return self.reply(session, out) if out.kind == "reply" else self.publish(session, out)
