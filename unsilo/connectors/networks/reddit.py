"""Reddit with httpx: OAuth2 authorization code (Reddit offers no PKCE; `state` and
`duration=permanent` for a refresh token), the app's client id and secret as basic auth
(UNSILO_REDDIT_CLIENT_ID / UNSILO_REDDIT_CLIENT_SECRET), the API at oauth.reddit.com with the
descriptive User-Agent Reddit requires.

Inbound is the account's inbox (comment replies, post replies, username mentions, private
messages) and, optionally, the new comments of the subreddits in `options["subreddits"]`
(comma-separated: the brand's own community). Listings come newest first; each is read forward
with `before=<the newest fullname seen>`. Ids are Reddit's fullnames (t1_ comment, t3_ post,
t4_ message), unique across kinds. Reddit takes no idempotency key.
"""

import base64
import datetime
import json
import re
import urllib.parse

from unsilo.connectors import http, oauth
from unsilo.connectors.base import (
    AccountInfo,
    Connector,
    DeliveryResult,
    Field,
    Incoming,
    Outbound,
    Page,
    PermanentError,
    RateLimited,
    Session,
    app_setting,
)

API = "https://oauth.reddit.com"
AUTH = "https://www.reddit.com"
WEB = "https://www.reddit.com"
SCOPES = "identity read submit privatemessages history"
PAGE = 100  # the most a listing gives in one answer
FIRST_PAGE = 25  # the first read of a new account: recent items only
EARLY = datetime.timedelta(minutes=1)  # renew a token this long before it runs out
GRANT_SECRETS = ("code", "code_verifier", "refresh_token")
TITLE = 300  # Reddit's longest post title
# "you are doing that too much. try again in 5 minutes." — Reddit's 200-with-errors limit
WAIT_WORDS = re.compile(r"(\d+)\s*(second|minute|hour)", re.IGNORECASE)


def _basic_auth() -> str:
    pair = f"{app_setting('reddit', 'client_id')}:{app_setting('reddit', 'client_secret')}"
    return "Basic " + base64.b64encode(pair.encode()).decode()


def _name(handle: str) -> str:
    return handle.strip().removeprefix("/").removeprefix("u/").removeprefix("@")


def _user_agent(session: Session) -> str:
    # Reddit's rule: <platform>:<app id>:<version> (by /u/<the account acting>)
    return f"server:unsilo:0.1 (by /u/{_name(session.handle) or 'unsilo'})"


def _headers(session: Session) -> dict:
    return {"Authorization": f"bearer {session.secret.get('access_token', '')}",
            "User-Agent": _user_agent(session)}


def _time(seconds: float) -> datetime.datetime:
    return datetime.datetime.fromtimestamp(float(seconds), datetime.UTC)


def _newest(children: list[dict]) -> str:
    return children[0]["data"]["name"] if children else ""


class RedditConnector(Connector):
    name = "reddit"
    label = "Reddit"
    auth = "oauth2"
    fields = (
        Field("subreddits", "Subreddits to watch", required=False,
              help="Comma-separated, without r/: every new comment there comes in"),
        Field("subreddit", "Subreddit to post in", required=False,
              help="Where posts go; empty posts to the account's profile"),
    )
    poll_seconds = 60

    # Connecting ------------------------------------------------------------------------------

    def authorize_url(self, options: dict, state: str, code_challenge: str,
                      redirect_uri: str) -> str:
        query = urllib.parse.urlencode({
            "client_id": app_setting("reddit", "client_id"), "response_type": "code",
            "state": state, "redirect_uri": redirect_uri, "duration": "permanent",
            "scope": SCOPES})
        return f"{options.get('auth_base', AUTH).rstrip('/')}/api/v1/authorize?{query}"

    def finish_authorize(self, options: dict, code: str, code_verifier: str,
                         redirect_uri: str) -> dict:
        token = self._token(options, {"grant_type": "authorization_code", "code": code,
                                      "redirect_uri": redirect_uri})
        return oauth.token_secret(token)

    def _token(self, options: dict, form: dict) -> dict:
        # The grant's own secrets, so that an error echoing one does not pass it on.
        probe = Session(network=self.name, handle="", external_id="", options=options,
                        secret={k: v for k, v in form.items() if k in GRANT_SECRETS})
        with http.client(options.get("auth_base", AUTH)) as web:
            response = http.call(probe, web, "POST", "/api/v1/access_token", data=form,
                                 headers={"Authorization": _basic_auth(),
                                          "User-Agent": _user_agent(probe)})
        token = response.json()
        if "access_token" not in token:  # Reddit says no with a 200 and {"error": …}
            raise PermanentError(f"{response.status_code}: {token.get('error', 'no token')}")
        return token

    def refresh(self, session: Session) -> None:
        oauth.renew(session, "Reddit", lambda grant: oauth.token_secret(
            self._token(session.options, grant), session.secret))

    def _request(self, session: Session, method: str, path: str, **kwargs) -> dict:
        expires = session.secret.get("expires_at")
        if expires and (datetime.datetime.fromisoformat(expires)
                        < datetime.datetime.now(datetime.UTC) + EARLY):
            self.refresh(session)
        with http.client(session.options.get("api_base", API)) as web:
            response = http.call(session, web, method, path,
                                 refresh=lambda: self.refresh(session), headers=_headers,
                                 **kwargs)
        used = response.headers.get("x-ratelimit-used")
        if used is not None and session.rate.remaining is not None:
            # Reddit says used and remaining; the limit is their sum.
            session.rate.limit = int(float(used)) + session.rate.remaining
        return response.json()

    def verify(self, session: Session) -> AccountInfo:
        me = self._request(session, "GET", "/api/v1/me", params={"raw_json": 1})
        return AccountInfo(external_id=f"t2_{me['id']}", handle=me["name"],
                           display_name=(me.get("subreddit") or {}).get("title", ""))

    # Inbound ---------------------------------------------------------------------------------

    def fetch(self, session: Session, position: str) -> Page:
        state = json.loads(position) if position else {}
        listings = {"inbox": "/message/inbox"}
        for sub in filter(None, (s.strip().removeprefix("r/")
                                 for s in session.options.get("subreddits", "").split(","))):
            listings[f"r/{sub}"] = f"/r/{sub}/comments"
        messages, more = [], False
        for key, path in listings.items():
            seen = state.get(key, "")
            params = {"limit": PAGE if seen else FIRST_PAGE, "raw_json": 1}
            if seen:
                params["before"] = seen
            listing = self._request(session, "GET", path, params=params)["data"]
            children = listing.get("children", [])
            state[key] = _newest(children) or seen
            # `before` in the answer: still newer items beyond this page.
            more = more or bool(seen and listing.get("before") and children)
            messages.extend(m for child in children
                            if (m := self._incoming(session, child)) is not None)
        messages.sort(key=lambda m: m.created_at)
        return Page(messages, json.dumps(state, sort_keys=True), more=more)

    def _incoming(self, session: Session, child: dict) -> Incoming | None:
        kind, data = child.get("kind"), child.get("data", {})
        author = data.get("author") or ""
        if kind not in ("t1", "t4") or author.lower() in ("", "[deleted]",
                                                          _name(session.handle).lower()):
            return None
        if kind == "t4":  # a private message: its thread is the first message's
            thread = data.get("first_message_name") or data["name"]
            url = f"{WEB}/message/messages/{data['id']}"
        else:
            thread = data.get("link_id") or _post_of(data.get("context", ""))
            url = WEB + (data.get("permalink") or data.get("context") or "")
        return Incoming(
            id=data["name"], network=self.name, text=data.get("body", ""), author=author,
            created_at=_time(data["created_utc"]), account=session.handle,
            thread_id=thread, in_reply_to=data.get("parent_id") or "", url=url)

    # Outbound --------------------------------------------------------------------------------

    def reply(self, session: Session, out: Outbound) -> DeliveryResult:
        if not re.fullmatch(r"t[134]_[0-9a-z]+", out.in_reply_to):
            raise PermanentError(f"{out.in_reply_to!r} is not a Reddit comment, post or "
                                 "message to reply to")
        answer = self._write(session, "/api/comment", {
            "thing_id": out.in_reply_to, "text": out.text, "api_type": "json"})
        thing = answer["data"]["things"][0]["data"]
        return DeliveryResult(thing["name"], _thing_url(thing))

    def publish(self, session: Session, out: Outbound) -> DeliveryResult:
        title, _, body = out.text.strip().partition("\n")
        if len(title) > TITLE:  # one long line: the title is its start, the post all of it
            title, body = title[:TITLE - 1].rsplit(" ", 1)[0] + "…", out.text
        subreddit = session.options.get("subreddit") or f"u_{_name(session.handle)}"
        answer = self._write(session, "/api/submit", {
            "sr": subreddit.removeprefix("r/"), "kind": "self", "title": title,
            "text": body.strip(), "api_type": "json"})
        return DeliveryResult(answer["data"]["name"], answer["data"].get("url", ""))

    def _write(self, session: Session, path: str, form: dict) -> dict:
        """A POST whose refusals come as HTTP 200 with `json.errors`: [[code, words, field]]."""
        answer = self._request(session, "POST", path, data=form)["json"]
        errors = answer.get("errors") or []
        if errors:
            code, words = errors[0][0], errors[0][1]
            if code == "RATELIMIT":
                raise RateLimited(f"{code}: {words}", _wait_in(words))
            raise PermanentError(f"{code}: {words}")
        return answer

    def find_sent(self, session: Session, out: Outbound) -> DeliveryResult | None:
        me = _name(session.handle)
        since = (out.created_at - datetime.timedelta(minutes=1)).timestamp()
        if out.kind == "post":
            path, field = f"/user/{me}/submitted", "selftext"
        elif out.in_reply_to.startswith("t4_"):
            path, field = "/message/sent", "body"
        else:
            path, field = f"/user/{me}/comments", "body"
        listing = self._request(session, "GET", path, params={
            "limit": 25, "sort": "new", "raw_json": 1})["data"]
        for child in listing.get("children", []):
            data = child["data"]
            if float(data.get("created_utc", 0)) < since:
                continue
            same_text = (data.get(field, "").strip() == out.text.strip()
                         or (out.kind == "post" and out.text.strip().startswith(
                             data.get("title", "").rstrip("…"))))
            parent = data.get("parent_id") or ""
            if same_text and (out.kind == "post" or parent == out.in_reply_to):
                return DeliveryResult(data["name"], _thing_url(data))
        return None


def _post_of(context: str) -> str:
    """The post a comment belongs to, from its context link /r/<sub>/comments/<post>/…"""
    found = re.search(r"/comments/([0-9a-z]+)/", context)
    return f"t3_{found.group(1)}" if found else ""


def _thing_url(data: dict) -> str:
    if data.get("permalink"):
        return WEB + data["permalink"]
    if str(data.get("name", "")).startswith("t4_"):
        return f"{WEB}/message/messages/{data['id']}"
    return ""


def _wait_in(words: str) -> float:
    found = WAIT_WORDS.search(words)
    if not found:
        return http.DEFAULT_WAIT
    scale = {"second": 1, "minute": 60, "hour": 3600}[found.group(2).lower()]
    return float(found.group(1)) * scale
