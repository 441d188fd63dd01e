"""LinkedIn organisation pages, through the Community Management API (versioned REST).

OAuth 2.0 authorization code (LinkedIn offers no PKCE to web apps; the state guards the
callback), with refresh tokens for apps LinkedIn approved for them. Inbound: comments on the
organisation's recent posts (read in full each sweep: LinkedIn tells no time of last activity),
one request per `fetch`. Replies are nested comments under the thread's first comment, posted as
the organisation; posts are published with their text escaped for LinkedIn's "little text".

The installation's app: UNSILO_LINKEDIN_CLIENT_ID, UNSILO_LINKEDIN_CLIENT_SECRET.
Reference: https://learn.microsoft.com/linkedin/marketing/community-management/
"""

import datetime
import json
import re
from urllib.parse import quote, urlencode

from unsilo.connectors import http, oauth
from unsilo.connectors.base import (
    AccountInfo,
    Connector,
    ConnectorError,
    DeliveryResult,
    Field,
    Incoming,
    Outbound,
    Page,
    PermanentError,
    Session,
    app_setting,
)

API_BASE = "https://api.linkedin.com"
AUTH_BASE = "https://www.linkedin.com/oauth/v2"
VERSION = "202510"  # LinkedIn-Version, YYYYMM: each version lives about a year
SCOPES = "r_organization_social w_organization_social rw_organization_admin"
POSTS_SCANNED = 10
PAGE_SIZE = 100
FIRST_LOOKBACK = datetime.timedelta(days=1)
SENT_SLACK = datetime.timedelta(minutes=1)
# Characters LinkedIn's "little text" format reserves in a post's commentary.
LITTLE_TEXT = re.compile(r"([\\|{}@\[\]()<>#*_~])")
COMMENT_URN = re.compile(r"^urn:li:comment:\((urn:li:[a-zA-Z]+:\d+),(\d+)\)$")


def escape_commentary(text: str) -> str:
    return LITTLE_TEXT.sub(r"\\\1", text)


def _ms(moment: datetime.datetime) -> int:
    return int(moment.timestamp() * 1000)


def _when(ms: int) -> datetime.datetime:
    return datetime.datetime.fromtimestamp(ms / 1000, datetime.UTC)


def _urn(value: str) -> str:
    """An encoded URN for a path or a query (Rest.li 2.0 wants ':' and ',' encoded)."""
    return quote(value, safe="")


class LinkedInConnector(Connector):
    name = "linkedin"
    label = "LinkedIn page"
    auth = "oauth2"
    poll_seconds = 600  # each sweep reads every recent post's comments
    fields = (Field("organization", "Organization",
                    help="The page's organization URN (urn:li:organization:123) or its number, "
                         "from the page admin URL."),)

    # Connecting ------------------------------------------------------------------------------

    def authorize_url(self, options: dict, state: str, code_challenge: str,
                      redirect_uri: str) -> str:
        query = {"response_type": "code", "client_id": app_setting("linkedin", "client_id"),
                 "redirect_uri": redirect_uri, "state": state, "scope": SCOPES}
        return f"{options.get('auth_base', AUTH_BASE)}/authorization?{urlencode(query)}"

    def finish_authorize(self, options: dict, code: str, code_verifier: str,
                         redirect_uri: str) -> dict:
        session = Session(network=self.name, handle="", external_id="", options=options,
                          secret={})
        return self._token(session, {"grant_type": "authorization_code", "code": code,
                                     "redirect_uri": redirect_uri})

    def _token(self, session: Session, grant: dict) -> dict:
        form = {**grant, "client_id": app_setting("linkedin", "client_id"),
                "client_secret": app_setting("linkedin", "client_secret")}
        with http.client(session.options.get("auth_base", AUTH_BASE)) as client:
            answer = http.call(session, client, "POST", "/accessToken", data=form).json()
        return oauth.token_secret(answer, session.secret)

    def refresh(self, session: Session) -> None:
        oauth.renew(session, "LinkedIn", lambda grant: self._token(session, grant))

    # Calling ---------------------------------------------------------------------------------

    def _headers(self, session: Session) -> dict:
        return {"Authorization": f"Bearer {session.secret.get('access_token', '')}",
                "LinkedIn-Version": session.options.get("linkedin_version", VERSION),
                "X-Restli-Protocol-Version": "2.0.0"}

    def _call(self, session: Session, method: str, path: str, **kwargs):
        with http.client(session.options.get("api_base", API_BASE)) as client:
            return http.call(session, client, method, path, headers=self._headers,
                             refresh=lambda: self.refresh(session), **kwargs)

    def organization(self, session: Session) -> str:
        value = session.options.get("organization", "").strip()
        number = value.removeprefix("urn:li:organization:")
        if not number.isdigit():
            raise PermanentError(f"not a LinkedIn organization: {value!r} (give "
                                 "urn:li:organization:<number>)")
        return f"urn:li:organization:{number}"

    def verify(self, session: Session) -> AccountInfo:
        org = self.organization(session)
        number = org.rsplit(":", 1)[1]
        answer = self._call(session, "GET", f"/rest/organizations/{number}").json()
        return AccountInfo(external_id=org, handle=answer.get("vanityName") or number,
                           display_name=answer.get("localizedName", ""))

    # Inbound ---------------------------------------------------------------------------------

    def fetch(self, session: Session, position: str) -> Page:
        """A sweep: the recent posts, then each post's comments page by page (`start`)."""
        state = json.loads(position) if position else {}
        since = state.get("since") or _ms(datetime.datetime.now(datetime.UTC) - FIRST_LOOKBACK)
        queue = state.get("queue") or []
        if not queue:
            org = self.organization(session)
            posts = self._call(session, "GET", f"/rest/posts?author={_urn(org)}&q=author"
                               f"&count={POSTS_SCANNED}&sortBy=LAST_MODIFIED").json()
            queue = [p["id"] for p in posts.get("elements") or []]
            state.update(since=since, high=since, queue=queue, start=0)
            return Page([], json.dumps(state), more=bool(queue))
        post, start = queue[0], state.get("start", 0)
        answer = self._call(session, "GET", f"/rest/socialActions/{_urn(post)}/comments"
                                            f"?start={start}&count={PAGE_SIZE}").json()
        elements = answer.get("elements") or []
        messages = []
        for comment in elements:
            message = self._incoming(session, post, comment)
            if message is None:
                continue
            stamp = _ms(message.created_at)
            state["high"] = max(state["high"], stamp)
            if stamp >= since:
                messages.append(message)
        total = (answer.get("paging") or {}).get("total")
        start += len(elements)
        if elements and (start < total if isinstance(total, int) else len(elements) == PAGE_SIZE):
            state["start"] = start
        else:
            state["queue"], state["start"] = queue[1:], 0
        if not state["queue"]:
            state["since"] = state["high"]
        return Page(messages, json.dumps(state), more=bool(state["queue"]))

    def _incoming(self, session: Session, post: str, comment: dict) -> Incoming | None:
        if comment.get("actor") == self.organization(session):
            return None  # the page's own answers
        urn = comment.get("commentUrn") or comment.get("$URN")
        if not urn:
            return None
        above = comment.get("parentComment", "")
        created = (comment.get("created") or {}).get("time")
        if created is None:
            return None
        return Incoming(
            id=urn, network=self.name, text=(comment.get("message") or {}).get("text", ""),
            author=comment.get("actor", ""), created_at=_when(created),
            account=session.handle, thread_id=above or urn, in_reply_to=above or post,
            url=f"https://www.linkedin.com/feed/update/{comment.get('object', post)}"
                f"?commentUrn={_urn(urn)}")

    # Outbound --------------------------------------------------------------------------------

    def reply(self, session: Session, out: Outbound) -> DeliveryResult:
        """A comment as the organisation: nested under the thread's first comment, or on the
        post itself when the thread is a post."""
        parent = out.thread_id or out.in_reply_to
        body = {"actor": self.organization(session), "message": {"text": out.text}}
        match = COMMENT_URN.match(parent)
        if match:
            body.update(object=match.group(1), parentComment=parent)
        elif parent.startswith("urn:li:"):
            body["object"] = parent
        else:
            raise PermanentError(f"cannot reply on LinkedIn to {parent!r}: not a post or "
                                 "comment URN")
        response = self._call(session, "POST", f"/rest/socialActions/{_urn(parent)}/comments",
                              json=body)
        created = response.json() if response.content else {}
        urn = created.get("commentUrn") or created.get("$URN")
        if not urn and response.headers.get("x-restli-id") and match:
            urn = f"urn:li:comment:({match.group(1)},{response.headers['x-restli-id']})"
        return DeliveryResult(external_id=urn or response.headers.get("x-restli-id", ""))

    def publish(self, session: Session, out: Outbound) -> DeliveryResult:
        body = {"author": self.organization(session), "commentary": escape_commentary(out.text),
                "visibility": "PUBLIC",
                "distribution": {"feedDistribution": "MAIN_FEED", "targetEntities": [],
                                 "thirdPartyDistributionChannels": []},
                "lifecycleState": "PUBLISHED", "isReshareDisabledByAuthor": False}
        response = self._call(session, "POST", "/rest/posts", json=body)
        urn = response.headers.get("x-restli-id", "")
        if not urn:
            raise ConnectorError("LinkedIn accepted the post but gave no id (x-restli-id)")
        return DeliveryResult(external_id=urn,
                              url=f"https://www.linkedin.com/feed/update/{urn}/")

    def find_sent(self, session: Session, out: Outbound) -> DeliveryResult | None:
        org, after = self.organization(session), _ms(out.created_at - SENT_SLACK)
        if out.kind == "reply":
            parent = out.thread_id or out.in_reply_to
            answer = self._call(session, "GET", f"/rest/socialActions/{_urn(parent)}/comments"
                                                f"?start=0&count={PAGE_SIZE}").json()
            for comment in answer.get("elements") or []:
                if (comment.get("actor") == org
                        and (comment.get("message") or {}).get("text") == out.text
                        and (comment.get("created") or {}).get("time", 0) >= after):
                    return DeliveryResult(external_id=comment.get("commentUrn")
                                          or comment.get("$URN", ""))
            return None
        answer = self._call(session, "GET", f"/rest/posts?author={_urn(org)}&q=author"
                                            f"&count={POSTS_SCANNED}").json()
        for post in answer.get("elements") or []:
            if (post.get("commentary") == escape_commentary(out.text)
                    and post.get("createdAt", 0) >= after):
                return DeliveryResult(external_id=post["id"],
                                      url=f"https://www.linkedin.com/feed/update/{post['id']}/")
        return None

