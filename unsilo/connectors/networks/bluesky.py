"""Bluesky (AT Protocol): an account connects with its handle and an app password; unsilo
keeps the session tokens the PDS hands out and renews them.

Raw XRPC over httpx (`http.call`), so every answer maps to the connector errors the same way
as for the other networks. Inbound comes from the event stream (`unsilo listen`,
`firehose.py`); `fetch` polls the notification list for accounts whose service offers it.

Never twice: a post's record key is a TID chosen from the delivery's idempotency key and
creation time, so every attempt of one delivery writes the same key, and a repo holds one
record per key; an attempt that finds the key taken returns the record already there.
"""

import datetime
import functools
import json
import ssl

import httpx

from unsilo.connectors import http, limits, public
from unsilo.connectors.base import (
    AccountInfo,
    AuthExpired,
    Connector,
    ConnectorError,
    DeliveryResult,
    Field,
    Incoming,
    Outbound,
    Page,
    PermanentError,
    RateLimited,
    Session,
)
from unsilo.connectors.networks.atproto_records import (
    POST,
    delivery_rkey,
    mention_facet,
    mention_spans,
    parse_time,
    post_message,
    post_url,
    split_uri,
)

SERVICE = "https://bsky.social"
PAGE_SIZE = 50
REASONS = {"mention", "reply", "quote"}
# Errors the PDS sends with status 400 that mean "the token is no good": renew and retry.
TOKEN_ERRORS = {"ExpiredToken", "InvalidToken"}


class _TokenErrorsAs401(public.PublicTransport):
    """XRPC answers an expired access token with 400 ExpiredToken; `http.call` renews on 401.
    The service is typed in: every connection goes through the private-address guard."""

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = super().handle_request(request)
        if response.status_code != 400:
            return response
        body = response.read()
        try:
            error = json.loads(body).get("error")
        except (ValueError, AttributeError):
            error = None
        status = 401 if error in TOKEN_ERRORS else 400
        return httpx.Response(status, headers=response.headers, content=body,
                              request=request)


@functools.cache
def _tls() -> ssl.SSLContext:
    return httpx.create_ssl_context()  # loading the CA bundle is slow: once per process


def _client(session: Session) -> httpx.Client:
    base = session.options.get("api_base") or session.options.get("service") or SERVICE
    return httpx.Client(base_url=base.rstrip("/") + "/xrpc/", timeout=http.TIMEOUT,
                        follow_redirects=True, headers={"User-Agent": http.USER_AGENT},
                        transport=_TokenErrorsAs401(verify=_tls()), trust_env=False)


def _bearer(session: Session) -> dict:
    return {"Authorization": f"Bearer {session.secret.get('access_jwt', '')}"}


def _now() -> str:
    return datetime.datetime.now(datetime.UTC).isoformat(timespec="milliseconds") \
        .replace("+00:00", "Z")


class BlueskyConnector(Connector):
    name = "bluesky"
    label = "Bluesky"
    auth = "password"
    fields = (
        Field("service", "PDS or service URL", required=False, default=SERVICE, url=True,
              help="Where the account lives; https://bsky.social for most accounts."),
        Field("identifier", "Handle or email", required=False,
              help="Leave empty to use the account's handle."),
        Field("app_password", "App password", secret=True,
              help="Settings → Privacy and security → App passwords on Bluesky."),
    )
    idempotent = True  # unsilo chooses the record key: a second attempt cannot post twice
    poll_seconds = 60

    # Sessions ----------------------------------------------------------------------------------

    def _login(self, session: Session, client: httpx.Client) -> None:
        """createSession with the app password; the tokens go into the stored secret."""
        password = session.secret.get("app_password", "")
        if not password:
            raise AuthExpired("no app password is stored: connect the account again")
        identifier = session.options.get("identifier") or session.handle
        response = http.call(session, client, "POST", "com.atproto.server.createSession",
                             json={"identifier": identifier, "password": password})
        self._keep_tokens(session, response.json())

    def _keep_tokens(self, session: Session, body: dict) -> None:
        session.update_secret({**session.secret, "access_jwt": body["accessJwt"],
                               "refresh_jwt": body["refreshJwt"], "did": body["did"],
                               "handle": body.get("handle", "")})

    def refresh(self, session: Session) -> None:
        """refreshSession with the refresh token; when the PDS refuses it, log in again with
        the app password; AuthExpired when that is refused too."""
        with _client(session) as client:
            token = session.secret.get("refresh_jwt")
            if token:
                try:
                    response = http.call(
                        session, client, "POST", "com.atproto.server.refreshSession",
                        headers={"Authorization": f"Bearer {token}"})
                except (AuthExpired, PermanentError):
                    pass  # refresh token expired or revoked: try the app password
                else:
                    self._keep_tokens(session, response.json())
                    return
            self._login(session, client)

    def _xrpc(self, session: Session, method: str, nsid: str, **kwargs) -> dict:
        """One authenticated XRPC call; an expired token is renewed once on the way."""
        with _client(session) as client:
            if not session.secret.get("access_jwt"):
                self._login(session, client)
            response = http.call(session, client, method, nsid, headers=_bearer,
                                 refresh=lambda: self.refresh(session), **kwargs)
        return response.json() if response.content else {}

    def verify(self, session: Session) -> AccountInfo:
        body = self._xrpc(session, "GET", "com.atproto.server.getSession")
        return AccountInfo(external_id=body["did"], handle=body.get("handle", session.handle))

    def _did(self, session: Session) -> str:
        did = session.external_id or session.secret.get("did")
        return did or self.verify(session).external_id

    # Inbound (polling) -------------------------------------------------------------------------

    def fetch(self, session: Session, position: str) -> Page:
        """Mentions, replies and quotes from the notification list, newest first.

        The position holds `since` (the newest notification time stored) and, while catching
        up over several pages, `cursor` (the next older page) and `top` (the newest time of
        this catch-up, which becomes `since` when it reaches `since`)."""
        state = json.loads(position) if position else {}
        since = parse_time(state.get("since"))
        params = {"limit": PAGE_SIZE}
        if state.get("cursor"):
            params["cursor"] = state["cursor"]
        body = self._xrpc(session, "GET", "app.bsky.notification.listNotifications",
                          params=params)
        notes = body.get("notifications") or []
        top = parse_time(state.get("top"))
        messages: list[Incoming] = []
        reached = not notes
        own = self._did(session)
        for note in notes:
            seen = parse_time(note.get("indexedAt"))
            top = max(filter(None, (top, seen)), default=None)
            if since and seen and seen <= since:
                reached = True  # stored before; one with the very same time may be new
                if seen < since:
                    break
            author = note.get("author") or {}
            if note.get("reason") not in REASONS or author.get("did") == own:
                continue
            handle = author.get("handle") or author.get("did", "")
            messages.append(post_message(note["uri"], note.get("record") or {}, handle,
                                         session.handle, seen))
        more = bool(since) and not reached and bool(body.get("cursor"))
        if more:
            after = {"since": state["since"], "cursor": body["cursor"],
                     "top": top.isoformat() if top else state.get("since")}
        else:  # caught up (or the first read: one page of recent ones only)
            after = {"since": top.isoformat() if top else state.get("since", "")}
        return Page(messages=messages, position=json.dumps(after), more=more)

    # Outbound ----------------------------------------------------------------------------------

    def _strong_ref(self, session: Session, uri: str) -> tuple[dict, dict]:
        """{uri, cid} of a post, and the post's record."""
        repo, collection, rkey = split_uri(uri)
        body = self._xrpc(session, "GET", "com.atproto.repo.getRecord",
                          params={"repo": repo, "collection": collection, "rkey": rkey})
        return {"uri": body["uri"], "cid": body["cid"]}, body.get("value") or {}

    def _facets(self, session: Session, text: str) -> list[dict]:
        """Mention facets for the @handles in the text that resolve to an account."""
        facets = []
        for start, end, handle in mention_spans(text):
            try:
                body = self._xrpc(session, "GET", "com.atproto.identity.resolveHandle",
                                  params={"handle": handle})
            except PermanentError:
                continue  # no such handle: plain text
            facets.append(mention_facet(start, end, body["did"]))
        return facets

    def _record(self, session: Session, out: Outbound) -> dict:
        too_long = limits.problem("bluesky", out.text, out.kind)  # the queue checked too
        if too_long:
            raise PermanentError(too_long)
        record = {"$type": POST, "text": out.text, "createdAt": _now()}
        if out.language:
            record["langs"] = [out.language]
        facets = self._facets(session, out.text)
        if facets:
            record["facets"] = facets
        return record

    def _create(self, session: Session, out: Outbound, record: dict) -> DeliveryResult:
        did = self._did(session)
        rkey = delivery_rkey(out.idempotency_key, out.created_at)
        try:
            body = self._xrpc(session, "POST", "com.atproto.repo.createRecord",
                              json={"repo": did, "collection": POST, "rkey": rkey,
                                    "record": record})
        except (RateLimited, AuthExpired):
            raise
        except ConnectorError:
            # A record under this key means an earlier attempt got through (the reference
            # PDS answers a taken key with a 500, others with a 400).
            found = self._existing(session, did, rkey)
            if found is None:
                raise
            return found
        return DeliveryResult(external_id=body["uri"], url=post_url(session.handle,
                                                                     body["uri"]))

    def _existing(self, session: Session, did: str, rkey: str) -> DeliveryResult | None:
        try:
            body = self._xrpc(session, "GET", "com.atproto.repo.getRecord",
                              params={"repo": did, "collection": POST, "rkey": rkey})
        except PermanentError:  # 400 RecordNotFound (or 404)
            return None
        return DeliveryResult(external_id=body["uri"], url=post_url(session.handle,
                                                                     body["uri"]))

    def publish(self, session: Session, out: Outbound) -> DeliveryResult:
        return self._create(session, out, self._record(session, out))

    def reply(self, session: Session, out: Outbound) -> DeliveryResult:
        if not out.in_reply_to:
            raise PermanentError("a Bluesky reply needs the post it answers")
        parent, parent_record = self._strong_ref(session, out.in_reply_to)
        root = (parent_record.get("reply") or {}).get("root")
        if not (isinstance(root, dict) and root.get("uri") and root.get("cid")):
            root = parent if not out.thread_id or out.thread_id == parent["uri"] \
                else self._strong_ref(session, out.thread_id)[0]
        record = self._record(session, out)
        record["reply"] = {"root": {"uri": root["uri"], "cid": root["cid"]}, "parent": parent}
        return self._create(session, out, record)

    def find_sent(self, session: Session, out: Outbound) -> DeliveryResult | None:
        """Exact: the record under this delivery's key is there or not."""
        return self._existing(session, self._did(session),
                              delivery_rkey(out.idempotency_key, out.created_at))
