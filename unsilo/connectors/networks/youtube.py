"""YouTube comments on a channel's videos, through the YouTube Data API v3.

Google OAuth 2.0 with PKCE and offline access (a refresh token). Inbound: the comment threads
related to the channel, newest first, page by page until the last sweep's newest comment; the
replies each thread carries come with it. Replies go under the thread's top-level comment (YouTube
has one level of replies). Publishing means uploading a video, which unsilo does not do.

Quota: every project has a daily allowance of units that resets at midnight Pacific time; when
it is spent YouTube answers 403 quotaExceeded, which waits until then.

The installation's Google app: UNSILO_YOUTUBE_CLIENT_ID, UNSILO_YOUTUBE_CLIENT_SECRET.
Reference: https://developers.google.com/youtube/v3/docs
"""

import datetime
import json
import zoneinfo
from urllib.parse import urlencode

import httpx

from unsilo.connectors import http, oauth
from unsilo.connectors.base import (
    AccountInfo,
    Connector,
    DeliveryResult,
    Incoming,
    Outbound,
    Page,
    PermanentError,
    RateLimited,
    Session,
    app_setting,
)

API_BASE = "https://www.googleapis.com/youtube/v3"
AUTHORIZE_URL = "https://accounts.google.com/o/oauth2/v2/auth"
TOKEN_BASE = "https://oauth2.googleapis.com"
SCOPE = "https://www.googleapis.com/auth/youtube.force-ssl"
PACIFIC = zoneinfo.ZoneInfo("America/Los_Angeles")
QUOTA_REASONS = {"quotaExceeded", "dailyLimitExceeded"}
RATE_REASONS = {"rateLimitExceeded", "userRateLimitExceeded"}
PAGE_SIZE = 50
FIRST_LOOKBACK = datetime.timedelta(days=1)
SENT_SLACK = datetime.timedelta(minutes=1)


def seconds_to_pacific_midnight(now: datetime.datetime | None = None) -> float:
    """When YouTube's daily quota comes back."""
    now = (now or datetime.datetime.now(datetime.UTC)).astimezone(PACIFIC)
    midnight = datetime.datetime.combine(now.date() + datetime.timedelta(days=1),
                                         datetime.time(), tzinfo=PACIFIC)
    return (midnight - now).total_seconds()


def _quota_errors(response: httpx.Response) -> None:
    """A response hook: YouTube says "no quota left" and "slow down" with 403 and a reason,
    which the shared status mapping would take for a refusal."""
    if response.status_code != 403:
        return
    response.read()
    try:
        errors = response.json()["error"].get("errors") or []
        reasons = {e.get("reason") for e in errors}
    except (ValueError, KeyError, TypeError, AttributeError):
        return
    if reasons & QUOTA_REASONS:
        raise RateLimited(http.error_text(response), seconds_to_pacific_midnight())
    if reasons & RATE_REASONS:
        try:
            wait = float(response.headers.get("retry-after", http.DEFAULT_WAIT))
        except ValueError:
            wait = http.DEFAULT_WAIT
        raise RateLimited(http.error_text(response), wait)


def _time(value: str) -> datetime.datetime:
    return datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))


class YouTubeConnector(Connector):
    name = "youtube"
    label = "YouTube"
    auth = "oauth2"
    can_publish = False
    poll_seconds = 300  # a sweep with nothing new costs one unit of the daily quota

    # Connecting ------------------------------------------------------------------------------

    def authorize_url(self, options: dict, state: str, code_challenge: str,
                      redirect_uri: str) -> str:
        query = {"client_id": app_setting("youtube", "client_id"), "redirect_uri": redirect_uri,
                 "response_type": "code", "scope": SCOPE, "state": state,
                 "code_challenge": code_challenge, "code_challenge_method": "S256",
                 # offline + consent: Google gives a refresh token on every connect.
                 "access_type": "offline", "prompt": "consent",
                 "include_granted_scopes": "true"}
        return f"{AUTHORIZE_URL}?{urlencode(query)}"

    def finish_authorize(self, options: dict, code: str, code_verifier: str,
                         redirect_uri: str) -> dict:
        session = Session(network=self.name, handle="", external_id="", options=options,
                          secret={})
        return self._token(session, {"grant_type": "authorization_code", "code": code,
                                     "code_verifier": code_verifier,
                                     "redirect_uri": redirect_uri})

    def _token(self, session: Session, grant: dict) -> dict:
        form = {**grant, "client_id": app_setting("youtube", "client_id"),
                "client_secret": app_setting("youtube", "client_secret")}
        with http.client(session.options.get("auth_base", TOKEN_BASE)) as client:
            answer = http.call(session, client, "POST", "/token", data=form).json()
        return oauth.token_secret(answer, session.secret)

    def refresh(self, session: Session) -> None:
        oauth.renew(session, "Google", lambda grant: self._token(session, grant))

    # Calling ---------------------------------------------------------------------------------

    def _call(self, session: Session, method: str, path: str, **kwargs) -> dict:
        with http.client(session.options.get("api_base", API_BASE)) as client:
            client.event_hooks["response"] = [_quota_errors]
            response = http.call(
                session, client, method, path, refresh=lambda: self.refresh(session),
                headers=lambda s: {"Authorization": f"Bearer {s.secret.get('access_token')}"},
                **kwargs)
        return response.json()

    def verify(self, session: Session) -> AccountInfo:
        answer = self._call(session, "GET", "/channels",
                            params={"part": "snippet", "mine": "true"})
        items = answer.get("items") or []
        if not items:
            raise PermanentError("this Google login has no YouTube channel")
        channel = items[0]
        snippet = channel.get("snippet") or {}
        return AccountInfo(external_id=channel["id"],
                           handle=snippet.get("customUrl") or channel["id"],
                           display_name=snippet.get("title", ""))

    def channel(self, session: Session) -> str:
        return session.external_id or self.verify(session).external_id

    # Inbound ---------------------------------------------------------------------------------

    def fetch(self, session: Session, position: str) -> Page:
        state = json.loads(position) if position else {}
        since = _time(state["since"]) if state.get("since") else (
            datetime.datetime.now(datetime.UTC) - FIRST_LOOKBACK)
        high = _time(state["high"]) if state.get("high") else since
        channel = self.channel(session)
        params = {"part": "snippet,replies", "allThreadsRelatedToChannelId": channel,
                  "order": "time", "maxResults": PAGE_SIZE, "textFormat": "plainText"}
        if state.get("page"):
            params["pageToken"] = state["page"]
        answer = self._call(session, "GET", "/commentThreads", params=params)
        messages, oldest = [], None
        for thread in answer.get("items") or []:
            comments = self._thread(session, thread, channel)
            for message in comments:
                high = max(high, message.created_at)
                if message.created_at >= since:
                    messages.append(message)
            latest = max((m.created_at for m in comments), default=None)
            if latest is not None:
                oldest = latest if oldest is None else min(oldest, latest)
        more = bool(answer.get("nextPageToken")) and oldest is not None and oldest >= since
        if more:
            state = {"since": since.isoformat(), "high": high.isoformat(),
                     "page": answer["nextPageToken"]}
        else:  # the sweep is done: the next one starts where this one ended
            state = {"since": high.isoformat(), "high": high.isoformat(), "page": ""}
        return Page(messages, json.dumps(state), more=more)

    def _thread(self, session: Session, thread: dict, channel: str) -> list[Incoming]:
        """A thread's top-level comment and the replies it carries, all but our own."""
        snippet = thread.get("snippet") or {}
        top = snippet.get("topLevelComment") or {}
        video = snippet.get("videoId", "")
        comments = [top, *((thread.get("replies") or {}).get("comments") or [])]
        messages = []
        for comment in comments:
            fields = comment.get("snippet") or {}
            if not comment.get("id") or not fields.get("publishedAt"):
                continue
            author = (fields.get("authorChannelId") or {}).get("value", "")
            if author == channel:
                continue
            above = fields.get("parentId", "")
            messages.append(Incoming(
                id=comment["id"], network=self.name,
                text=fields.get("textDisplay") or fields.get("textOriginal", ""),
                author=fields.get("authorDisplayName") or author,
                created_at=_time(fields["publishedAt"]), account=session.handle,
                thread_id=thread.get("id") or top["id"], in_reply_to=above,
                url=f"https://www.youtube.com/watch?v={fields.get('videoId', video)}"
                    f"&lc={comment['id']}"))
        return messages

    # Outbound --------------------------------------------------------------------------------

    @staticmethod
    def _parent(out: Outbound) -> str:
        """The top-level comment to answer under (a reply's id is "<parent>.<own>")."""
        return (out.thread_id or out.in_reply_to).split(".", 1)[0]

    def reply(self, session: Session, out: Outbound) -> DeliveryResult:
        answer = self._call(session, "POST", "/comments", params={"part": "snippet"}, json={
            "snippet": {"parentId": self._parent(out), "textOriginal": out.text}})
        return DeliveryResult(external_id=answer["id"])

    def publish(self, session: Session, out: Outbound) -> DeliveryResult:
        raise PermanentError("YouTube posts are video uploads, which unsilo does not make: "
                             "only replies to comments go out to YouTube")

    def find_sent(self, session: Session, out: Outbound) -> DeliveryResult | None:
        if out.kind != "reply":
            return None  # nothing is ever published
        channel, after = self.channel(session), out.created_at - SENT_SLACK
        answer = self._call(session, "GET", "/comments", params={
            "part": "snippet", "parentId": self._parent(out), "maxResults": 100,
            "textFormat": "plainText"})
        for comment in answer.get("items") or []:
            fields = comment.get("snippet") or {}
            text = fields.get("textOriginal") or fields.get("textDisplay", "")
            if ((fields.get("authorChannelId") or {}).get("value") == channel
                    and text.strip() == out.text.strip()
                    and _time(fields["publishedAt"]) >= after):
                return DeliveryResult(external_id=comment["id"])
        return None
