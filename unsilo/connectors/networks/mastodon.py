"""Mastodon, through the maintained client library Mastodon.py (which speaks `requests`).

Each account lives on its own instance, so the instance URL is the connect form's one field and
the app is registered on that instance when someone connects (`POST /api/v1/apps`), OAuth2
authorization code with PKCE (S256; instances before 4.3 ignore it). Inbound are the
account's `mention` notifications: mentions, replies, and direct messages (mentions with
visibility "direct"), read forward with `min_id`. Replies keep the visibility of what they
answer and mention its author, so an answer to a direct message stays direct and reaches them.

Ids are "<instance host>:<status id>": status ids are the instance's own, and two connected
accounts on two instances could see different statuses under one id.
"""

import datetime
import html
import json
import re
import time
import urllib.parse
from collections.abc import Callable

import httpx
import requests
from django.utils.html import strip_tags
from mastodon import Mastodon
from mastodon.errors import (
    MastodonAPIError,
    MastodonError,
    MastodonNetworkError,
    MastodonRatelimitError,
    MastodonServerError,
    MastodonUnauthorizedError,
)

from unsilo.connectors import http, public
from unsilo.connectors.base import (
    AccountInfo,
    AuthExpired,
    Connector,
    ConnectorError,
    DeliveryResult,
    Field,
    Incoming,
    InDoubt,
    Outbound,
    Page,
    PermanentError,
    RateLimited,
    Session,
)

SCOPES = ["read:accounts", "read:notifications", "read:statuses", "write:statuses"]
PAGE = 40  # the most notifications Mastodon gives in one answer
TIMEOUT = 20
# A reply keeps the visibility of the status it answers; anything else replies unlisted.
KEPT_VISIBILITY = {"direct", "private", "unlisted", "public"}


def instance_url(options: dict) -> str:
    """The instance's base URL from the connect form ("mastodon.social" → https://…)."""
    value = (options.get("api_base") or options.get("instance") or "").strip().rstrip("/")
    if not value:
        raise PermanentError("no Mastodon instance given (for example https://mastodon.social)")
    if "://" not in value:
        value = f"https://{value}"
    return value


def host(options: dict) -> str:
    """The instance's host name, the prefix of every id from it."""
    value = (options.get("instance") or options.get("api_base") or "").strip()
    if "://" not in value:
        value = f"https://{value}"
    return urllib.parse.urlsplit(value).netloc.lower()


def status_text(content: str) -> str:
    """A status's HTML as plain text: paragraphs and line breaks kept, tags dropped."""
    text = re.sub(r"<br\s*/?>", "\n", content or "", flags=re.IGNORECASE)
    text = re.sub(r"</p>\s*<p[^>]*>", "\n\n", text, flags=re.IGNORECASE)
    return html.unescape(strip_tags(text)).strip()


def _id_key(value: str) -> tuple[int, str]:
    # Mastodon ids are strings that sort by length, then lexically (the API docs say so).
    return len(value), value


class MastodonConnector(Connector):
    name = "mastodon"
    label = "Mastodon"
    auth = "oauth2"
    fields = (
        Field("instance", "Instance", url=True,
              help="Your server's address, e.g. https://mastodon.social"),
    )
    idempotent = True  # Mastodon drops a second post with the same Idempotency-Key
    poll_seconds = 60

    # The library's client -------------------------------------------------------------------

    def _client(self, session: Session) -> Mastodon:
        token = session.secret.get("access_token", "")
        if not token:
            raise AuthExpired("no access token is stored for this account: connect it again")
        return Mastodon(access_token=token, api_base_url=instance_url(session.options),
                        ratelimit_method="throw", request_timeout=TIMEOUT,
                        version_check_mode="none", user_agent=http.USER_AGENT,
                        session=public.requests_session())

    def _call(self, session: Session, client: Mastodon, work: Callable, write: bool = False):
        """Run one library call, with its errors as connector errors and the rate-limit
        headers of the answer copied into the session."""
        try:
            return work()
        except MastodonRatelimitError as error:
            wait = (client.ratelimit_reset - time.time() if client.ratelimit_reset
                    else http.DEFAULT_WAIT)
            raise RateLimited(f"429: {error}", max(0.0, wait)) from error
        except MastodonUnauthorizedError as error:
            raise AuthExpired(_words(error)) from error
        except MastodonServerError as error:
            raise ConnectorError(_words(error)) from error
        except MastodonNetworkError as error:
            # Nothing left when the connection was never made; otherwise a write may have taken.
            cause = error.__context__
            if isinstance(cause, ConnectorError):  # the guard refused, or no such name
                raise cause from error
            unsent = isinstance(cause, requests.ConnectTimeout) or (
                isinstance(cause, requests.ConnectionError)
                and "NewConnectionError" in str(cause))
            words = f"no answer from the instance ({type(cause).__name__ if cause else 'error'})"
            if write and not unsent:
                raise InDoubt(words) from error
            raise ConnectorError(words) from error
        except MastodonAPIError as error:  # 4xx: not found, refused, invalid
            if _status(error) == 408:
                raise ConnectorError(_words(error)) from error
            raise PermanentError(_words(error)) from error
        except MastodonError as error:
            raise PermanentError(f"Mastodon.py: {error}") from error
        finally:
            _read_rate(client, session)

    # Connecting -------------------------------------------------------------------------------

    def authorize_url(self, options: dict, state: str, code_challenge: str,
                      redirect_uri: str) -> str:
        """Registers unsilo as an app on the instance and writes its `client_id` and
        `client_secret` into `options`: keep `options` so changed until `finish_authorize`,
        which moves the client secret into the stored secret."""
        base = instance_url(options)
        if not (options.get("client_id") and options.get("client_secret")):
            try:
                client_id, client_secret = Mastodon.create_app(
                    "unsilo", scopes=SCOPES, redirect_uris=redirect_uri, api_base_url=base,
                    request_timeout=TIMEOUT, user_agent=http.USER_AGENT,
                    session=public.requests_session())
            except MastodonNetworkError as error:
                cause = error.__context__
                if isinstance(cause, ConnectorError):  # the guard refused, or no such name
                    raise cause from error
                if isinstance(cause, ValueError):  # an answer that is not JSON
                    raise PermanentError(_not_mastodon(base)) from error
                raise ConnectorError(f"could not reach {base}") from error
            except MastodonError as error:
                raise PermanentError(f"{base} refused to register unsilo: "
                                     f"{_words(error)}") from error
            except (KeyError, TypeError) as error:  # the library reads the answer unchecked
                raise PermanentError(_not_mastodon(base)) from error
            options["client_id"], options["client_secret"] = client_id, client_secret
        query = urllib.parse.urlencode({
            "client_id": options["client_id"], "response_type": "code",
            "redirect_uri": redirect_uri, "scope": " ".join(SCOPES), "state": state,
            "code_challenge": code_challenge, "code_challenge_method": "S256",
        })
        return f"{base}/oauth/authorize?{query}"

    def finish_authorize(self, options: dict, code: str, code_verifier: str,
                         redirect_uri: str) -> dict:
        base = instance_url(options)
        client_id = options.get("client_id", "")
        client_secret = options.pop("client_secret", "")  # a secret: not kept in options
        if not (client_id and client_secret):
            raise PermanentError("the app registered by authorize_url is not in the options: "
                                 "start connecting again")
        with http.client(base, public_only=True) as web:
            try:
                response = web.post("/oauth/token", data={
                    "grant_type": "authorization_code", "code": code,
                    "redirect_uri": redirect_uri, "client_id": client_id,
                    "client_secret": client_secret, "code_verifier": code_verifier,
                    "scope": " ".join(SCOPES)})
            except httpx.TransportError as error:
                raise ConnectorError(f"could not reach {base}") from error
        token = http.check(response).json()
        return {"access_token": token["access_token"], "client_id": client_id,
                "client_secret": client_secret, "scope": token.get("scope", "")}

    def verify(self, session: Session) -> AccountInfo:
        client = self._client(session)
        me = self._call(session, client, client.account_verify_credentials)
        try:
            return AccountInfo(external_id=str(me["id"]),
                               handle=_full_acct(me["acct"], host(session.options)),
                               display_name=me.get("display_name") or "")
        except (KeyError, TypeError, AttributeError) as error:
            raise PermanentError(f"{instance_url(session.options)} did not answer like a "
                                 "Mastodon server: its account has no id") from error

    # Inbound ----------------------------------------------------------------------------------

    def fetch(self, session: Session, position: str) -> Page:
        """Mention notifications after the newest one seen (the first time: the latest page).
        Mastodon answers `min_id` with the page right after it, so reading on from the newest
        id of each page walks forward without gaps."""
        state = json.loads(position) if position else {}
        client = self._client(session)
        after = state.get("min_id")
        found = self._call(session, client, lambda: client.notifications(
            types=["mention"], min_id=after, limit=PAGE))
        if not found:
            return Page([], "", more=False)
        newest = max((str(n["id"]) for n in found), key=_id_key)
        messages = [m for n in found if (m := self._incoming(session, n)) is not None]
        messages.sort(key=lambda m: m.created_at)
        more = bool(after) and len(found) >= PAGE
        return Page(messages, json.dumps({"min_id": newest}), more=more)

    def _incoming(self, session: Session, notification) -> Incoming | None:
        status = notification.get("status")
        if not status or notification.get("type") != "mention":
            return None
        account = status["account"]
        if session.external_id and str(account["id"]) == session.external_id:
            return None  # our own status
        prefix = host(session.options)
        own_id = f"{prefix}:{status['id']}"
        parent = status.get("in_reply_to_id")
        text = status_text(status.get("content", ""))
        if status.get("spoiler_text"):  # the content warning the author put before it
            text = f"CW: {status['spoiler_text']}\n\n{text}"
        return Incoming(
            id=own_id, network=self.name, text=text,
            author=_full_acct(account["acct"], prefix), created_at=_aware(status["created_at"]),
            account=session.handle,
            # A reply's root is not in the status: threading follows in_reply_to up the chain.
            thread_id="" if parent else own_id,
            in_reply_to=f"{prefix}:{parent}" if parent else "",
            url=status.get("url") or status.get("uri") or "",
            lang=status.get("language") or "")

    # Outbound ---------------------------------------------------------------------------------

    def reply(self, session: Session, out: Outbound) -> DeliveryResult:
        client = self._client(session)
        parent_id = _local_id(out.in_reply_to)
        parent = self._call(session, client, lambda: client.status(parent_id))
        author = "@" + parent["account"]["acct"]
        text = out.text if author.lower() in out.text.lower() else f"{author} {out.text}"
        visibility = parent.get("visibility")
        posted = self._call(session, client, lambda: client.status_post(
            text, in_reply_to_id=parent_id, idempotency_key=out.idempotency_key,
            visibility=visibility if visibility in KEPT_VISIBILITY else "unlisted",
            language=out.language or None), write=True)
        return self._result(session, posted)

    def publish(self, session: Session, out: Outbound) -> DeliveryResult:
        client = self._client(session)
        posted = self._call(session, client, lambda: client.status_post(
            out.text, idempotency_key=out.idempotency_key, language=out.language or None),
            write=True)
        return self._result(session, posted)

    def find_sent(self, session: Session, out: Outbound) -> DeliveryResult | None:
        client = self._client(session)
        me = session.external_id or str(self._call(
            session, client, client.account_verify_credentials)["id"])
        recent = self._call(session, client, lambda: client.account_statuses(me, limit=PAGE))
        since = out.created_at - datetime.timedelta(minutes=1)
        parent = _local_id(out.in_reply_to) if out.kind == "reply" else None
        for status in recent:
            if _aware(status["created_at"]) < since:
                continue
            if str(status.get("in_reply_to_id") or "") != (parent or ""):
                continue
            if status_text(status.get("content", "")).endswith(out.text.strip()):
                return self._result(session, status)
        return None

    def _result(self, session: Session, status) -> DeliveryResult:
        return DeliveryResult(f"{host(session.options)}:{status['id']}",
                              status.get("url") or status.get("uri") or "")


def _not_mastodon(base: str) -> str:
    return (f"{base} did not answer like a Mastodon server: registering an app there gave no "
            "client_id")


def _local_id(external_id: str) -> str:
    return external_id.rpartition(":")[2]


def _full_acct(acct: str, instance: str) -> str:
    """Local accounts' acct has no domain; add ours so a person has one handle everywhere."""
    return acct if "@" in acct else f"{acct}@{instance}"


def _aware(value) -> datetime.datetime:
    if isinstance(value, str):
        value = datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
    return value if value.tzinfo else value.replace(tzinfo=datetime.UTC)


def _status(error: MastodonError) -> int | None:
    # The library raises (message, status code, reason, the instance's error text).
    return error.args[1] if len(error.args) > 1 and isinstance(error.args[1], int) else None


def _words(error: MastodonError) -> str:
    """The instance's own words for an error, as `http.error_text` gives them."""
    args = error.args
    if len(args) >= 4:
        return f"{args[1]}: {args[3] or args[2]}"
    return str(error)


def _read_rate(client: Mastodon, session: Session) -> None:
    """Mastodon.py keeps the last X-RateLimit-* headers on the client (reset as an epoch time,
    corrected for the instance's clock); it only sets `ratelimit_lastcall` when they came."""
    if client.ratelimit_lastcall is None:
        return
    session.rate.limit = client.ratelimit_limit
    session.rate.remaining = client.ratelimit_remaining
    if client.ratelimit_reset:
        session.rate.reset_at = datetime.datetime.fromtimestamp(client.ratelimit_reset,
                                                                datetime.UTC)
