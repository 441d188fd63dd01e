"""X (API v2) with httpx: OAuth 2.0 authorization code with PKCE (S256) as a confidential
client (UNSILO_X_CLIENT_ID / UNSILO_X_CLIENT_SECRET), access tokens that last two hours renewed
with the refresh token (which X replaces on each use, so the new one is saved at once).

Inbound are two streams read newest first: mentions (`since_id`, then `pagination_token` back
towards it) and direct messages (`/2/dm_events`, which takes no `since_id`: read until an event
already seen). The position holds both as JSON. X takes no idempotency key, so after an attempt
without an answer `find_sent` looks among the account's latest posts.
"""

import base64
import datetime
import json
import logging
import urllib.parse
from collections.abc import Callable

from unsilo.connectors import http, oauth
from unsilo.connectors.base import (
    AccountInfo,
    Connector,
    DeliveryResult,
    Incoming,
    Outbound,
    Page,
    PermanentError,
    Session,
    app_setting,
    same_text,
)

API = "https://api.x.com"
AUTH = "https://x.com"
SCOPES = "tweet.read tweet.write users.read offline.access dm.read dm.write"
PAGE = 100  # the most mentions or DM events one answer holds
FIRST_PAGE = 20  # the first read of a new account: recent items only
TWEET_FIELDS = ("created_at,conversation_id,in_reply_to_user_id,referenced_tweets,lang,author_id,"
                "note_tweet")
DM_FIELDS = "id,text,event_type,created_at,sender_id,dm_conversation_id"
log = logging.getLogger("unsilo.connectors")
EARLY = datetime.timedelta(minutes=1)  # renew a token this long before it runs out
TOKEN_LIFE = 7200  # seconds an X access token lives when the answer does not say
GRANT_SECRETS = ("code", "code_verifier", "refresh_token")


def _api(session_or_options) -> str:
    options = getattr(session_or_options, "options", session_or_options)
    return options.get("api_base", API).rstrip("/")


def _basic_auth() -> str:
    pair = f"{app_setting('x', 'client_id')}:{app_setting('x', 'client_secret')}"
    return "Basic " + base64.b64encode(pair.encode()).decode()


def _newer(a: str, b: str) -> bool:
    """Whether post or event id `a` is newer than `b` (ids are numbers that grow with time)."""
    return not b or (len(a), a) > (len(b), b)


class XConnector(Connector):
    name = "x"
    label = "X"
    auth = "oauth2"
    fields = ()
    poll_seconds = 120  # mentions: 10 requests per 15 minutes on the Basic tier

    # Connecting ------------------------------------------------------------------------------

    def authorize_url(self, options: dict, state: str, code_challenge: str,
                      redirect_uri: str) -> str:
        query = urllib.parse.urlencode({
            "response_type": "code", "client_id": app_setting("x", "client_id"),
            "redirect_uri": redirect_uri, "scope": SCOPES, "state": state,
            "code_challenge": code_challenge, "code_challenge_method": "S256"})
        return f"{options.get('auth_base', AUTH).rstrip('/')}/i/oauth2/authorize?{query}"

    def finish_authorize(self, options: dict, code: str, code_verifier: str,
                         redirect_uri: str) -> dict:
        token = self._token(options, {"grant_type": "authorization_code", "code": code,
                                      "redirect_uri": redirect_uri,
                                      "code_verifier": code_verifier})
        return oauth.token_secret(token, lifetime=TOKEN_LIFE)

    def _token(self, options: dict, form: dict) -> dict:
        form = {**form, "client_id": app_setting("x", "client_id")}
        # The grant's own secrets, so that an error echoing one does not pass it on.
        probe = Session(network=self.name, handle="", external_id="", options=options,
                        secret={k: v for k, v in form.items() if k in GRANT_SECRETS})
        with http.client(_api(options)) as web:
            response = http.call(probe, web, "POST", "/2/oauth2/token", data=form,
                                 headers={"Authorization": _basic_auth()})
        return response.json()

    def refresh(self, session: Session) -> None:
        # X sends a new refresh token with each renewal, and each works once.
        oauth.renew(session, "X", lambda grant: oauth.token_secret(
            self._token(session.options, grant), session.secret, TOKEN_LIFE))

    def _request(self, session: Session, method: str, path: str, **kwargs):
        """One call with the bearer token, renewed first when it is about to run out and
        again if X says 401."""
        expires = session.secret.get("expires_at")
        if expires and (datetime.datetime.fromisoformat(expires)
                        < datetime.datetime.now(datetime.UTC) + EARLY):
            self.refresh(session)
        with http.client(_api(session)) as web:
            return http.call(session, web, method, path, refresh=lambda: self.refresh(session),
                             headers=_bearer, **kwargs).json()

    def verify(self, session: Session) -> AccountInfo:
        me = self._request(session, "GET", "/2/users/me")["data"]
        return AccountInfo(external_id=me["id"], handle=me["username"],
                           display_name=me.get("name", ""))

    def _me(self, session: Session) -> str:
        return session.external_id or self.verify(session).external_id

    # Inbound ---------------------------------------------------------------------------------

    def fetch(self, session: Session, position: str) -> Page:
        state = json.loads(position) if position else {}
        me = self._me(session)
        streams: dict[str, Callable] = {"mentions": self._mentions, "dms": self._dms}
        # In the middle of a pass, read on only the streams that have more.
        going = [name for name in streams if state.get(name, {}).get("token")]
        messages: list[Incoming] = []
        for name in going or list(streams):
            try:
                found, state[name] = streams[name](session, me, state.get(name, {}))
            except PermanentError as error:
                if name == "mentions":
                    raise
                # An app or token without direct-message access still reads its mentions.
                log.warning("X direct messages of %s not read: %s", session.handle, error)
                continue
            messages.extend(found)
        messages.sort(key=lambda m: m.created_at)
        more = any(state[name].get("token") for name in streams if name in state)
        return Page(messages, json.dumps(state, sort_keys=True), more=more)

    def _mentions(self, session: Session, me: str, state: dict) -> tuple[list[Incoming], dict]:
        since, token = state.get("since", ""), state.get("token", "")
        params = {"max_results": PAGE if since else FIRST_PAGE, "tweet.fields": TWEET_FIELDS,
                  "expansions": "author_id,referenced_tweets.id", "user.fields": "username"}
        if since:
            params["since_id"] = since
        if token:
            params["pagination_token"] = token
        answer = self._request(session, "GET", f"/2/users/{me}/mentions", params=params)
        meta = answer.get("meta", {})
        users = {u["id"]: u["username"] for u in answer.get("includes", {}).get("users", [])}
        messages = [self._tweet(session, t, users) for t in answer.get("data", [])
                    if t.get("author_id") != me]
        newest = state.get("newest") if token else (meta.get("newest_id") or since)
        return messages, _next_state(since, newest or "", meta.get("next_token", ""))

    def _tweet(self, session: Session, tweet: dict, users: dict[str, str]) -> Incoming:
        author = users.get(tweet.get("author_id", ""), tweet.get("author_id", ""))
        parent = next((r["id"] for r in tweet.get("referenced_tweets", [])
                       if r.get("type") == "replied_to"), "")
        return Incoming(
            # A long post's whole text is in note_tweet; `text` holds its first 280 characters.
            id=tweet["id"], network=self.name, author=author,
            text=(tweet.get("note_tweet") or {}).get("text") or tweet.get("text", ""),
            created_at=_time(tweet["created_at"]), account=session.handle,
            thread_id=tweet.get("conversation_id", tweet["id"]), in_reply_to=parent,
            url=f"https://x.com/{author}/status/{tweet['id']}", lang=_lang(tweet.get("lang")))

    def _dms(self, session: Session, me: str, state: dict) -> tuple[list[Incoming], dict]:
        since, token = state.get("since", ""), state.get("token", "")
        params = {"event_types": "MessageCreate", "dm_event.fields": DM_FIELDS,
                  "expansions": "sender_id", "user.fields": "username",
                  "max_results": PAGE if since else FIRST_PAGE}
        if token:
            params["pagination_token"] = token
        answer = self._request(session, "GET", "/2/dm_events", params=params)
        users = {u["id"]: u["username"] for u in answer.get("includes", {}).get("users", [])}
        events = answer.get("data", [])
        fresh = [e for e in events if _newer(e["id"], since)]
        messages = [self._dm(session, e, users) for e in fresh if e.get("sender_id") != me]
        newest = state.get("newest") if token else max(
            (e["id"] for e in fresh), key=lambda i: (len(i), i), default=since)
        # No since_id here: page back only while the whole page was new.
        next_token = answer.get("meta", {}).get("next_token", "")
        if not since or len(fresh) < len(events):
            next_token = ""
        return messages, _next_state(since, newest or "", next_token)

    def _dm(self, session: Session, event: dict, users: dict[str, str]) -> Incoming:
        return Incoming(
            id=f"dm:{event['id']}", network=self.name, text=event.get("text", ""),
            author=users.get(event["sender_id"], event["sender_id"]),
            created_at=_time(event["created_at"]), account=session.handle,
            thread_id=f"dm:{event['dm_conversation_id']}")

    # Outbound --------------------------------------------------------------------------------

    def reply(self, session: Session, out: Outbound) -> DeliveryResult:
        if out.in_reply_to.startswith("dm:") or out.thread_id.startswith("dm:"):
            return self._send_dm(session, out)
        if not out.in_reply_to.isdigit():
            raise PermanentError(f"{out.in_reply_to!r} is not a post on X to reply to")
        return self._post(session, {"text": out.text,
                                    "reply": {"in_reply_to_tweet_id": out.in_reply_to}})

    def publish(self, session: Session, out: Outbound) -> DeliveryResult:
        return self._post(session, {"text": out.text})

    def _post(self, session: Session, body: dict) -> DeliveryResult:
        posted = self._request(session, "POST", "/2/tweets", json=body)["data"]
        return DeliveryResult(posted["id"], f"https://x.com/{session.handle}/status/"
                                            f"{posted['id']}")

    def _send_dm(self, session: Session, out: Outbound) -> DeliveryResult:
        conversation = out.thread_id.removeprefix("dm:")
        if not conversation:
            raise PermanentError("this direct message's conversation is not known to unsilo")
        sent = self._request(session, "POST", f"/2/dm_conversations/{conversation}/messages",
                             json={"text": out.text})
        return DeliveryResult(f"dm:{sent['dm_event_id']}")

    def find_sent(self, session: Session, out: Outbound) -> DeliveryResult | None:
        since = out.created_at - datetime.timedelta(minutes=1)
        start = since.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        if out.kind == "reply" and (out.in_reply_to.startswith("dm:")
                                    or out.thread_id.startswith("dm:")):
            return self._find_dm(session, out, since)
        me = self._me(session)
        answer = self._request(session, "GET", f"/2/users/{me}/tweets", params={
            "max_results": 20, "start_time": start,
            "tweet.fields": "created_at,referenced_tweets,conversation_id"})
        parent = out.in_reply_to if out.kind == "reply" else ""
        for tweet in answer.get("data", []):
            replied = next((r["id"] for r in tweet.get("referenced_tweets", [])
                            if r.get("type") == "replied_to"), "")
            if same_text(tweet.get("text", ""), out.text) and replied == parent:
                return DeliveryResult(tweet["id"], f"https://x.com/{session.handle}/status/"
                                                   f"{tweet['id']}")
        return None

    def _find_dm(self, session: Session, out: Outbound, since: datetime.datetime
                 ) -> DeliveryResult | None:
        me = self._me(session)
        conversation = out.thread_id.removeprefix("dm:")
        answer = self._request(session, "GET", f"/2/dm_conversations/{conversation}/dm_events",
                               params={"dm_event.fields": DM_FIELDS, "max_results": 20,
                                       "event_types": "MessageCreate"})
        for event in answer.get("data", []):
            if (event.get("sender_id") == me and _time(event["created_at"]) >= since
                    and same_text(event.get("text", ""), out.text)):
                return DeliveryResult(f"dm:{event['id']}")
        return None


def _bearer(session: Session) -> dict:
    return {"Authorization": f"Bearer {session.secret.get('access_token', '')}"}


def _next_state(since: str, newest: str, token: str) -> dict:
    """Mid-pass: keep the old `since` and the pass's newest id until the last page; then the
    newest id becomes `since`. A first read (no `since`) does not page into the history."""
    if token and since:
        return {"since": since, "newest": newest, "token": token}
    return {"since": newest or since}


def _time(value: str) -> datetime.datetime:
    return datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))


def _lang(value: str | None) -> str:
    # X says "und" (undetermined), "qme" (media only), "zxx" (no text)… when it cannot tell.
    return value if value and len(value) == 2 else ""
