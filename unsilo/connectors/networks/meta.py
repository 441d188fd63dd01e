"""Facebook Pages and Instagram business accounts, through Meta's Graph API.

Both connect with Facebook Login (the Instagram account is the one linked to the Page) and
work with the Page's access token, which does not expire: a 190 error means it was revoked and
someone must reconnect. Comments come by polling (the recent posts with new activity, then their
comments since the last sweep, one request per `fetch`) and by webhooks (`meta_hooks.py`), which
also bring Messenger and Instagram direct messages. Replies go to the comment thread (or the
direct-message thread); Instagram posts need an image, so a text-only post is refused.

The installation's Meta app: UNSILO_META_APP_ID, UNSILO_META_APP_SECRET (also signs webhooks and
the `appsecret_proof` of every call), UNSILO_META_VERIFY_TOKEN (webhook subscription).
Graph API reference: https://developers.facebook.com/docs/graph-api/reference
"""

import dataclasses
import datetime
import json
import re
import time
from urllib.parse import urlencode

from unsilo.connectors.base import (
    AccountInfo,
    AuthExpired,
    Connector,
    DeliveryResult,
    Field,
    Incoming,
    InDoubt,
    Outbound,
    Page,
    PermanentError,
    Session,
    app_setting,
)
from unsilo.connectors.networks import meta_hooks
from unsilo.connectors.networks.meta_graph import (
    GRAPH_VERSION,
    graph,
    graph_id,
    parse_time,
)

AUTH_BASE = "https://www.facebook.com"  # the login dialog
FACEBOOK_SCOPES = ("pages_show_list", "pages_read_engagement", "pages_read_user_content",
                   "pages_manage_posts", "pages_manage_engagement", "pages_messaging")
INSTAGRAM_SCOPES = ("pages_show_list", "pages_read_engagement", "business_management",
                    "instagram_basic", "instagram_manage_comments",
                    "instagram_content_publish", "instagram_manage_messages")
POSTS_SCANNED = 10  # recent posts (media) looked at for new comments on each sweep
PAGE_SIZE = 50
FIRST_LOOKBACK = datetime.timedelta(days=1)  # what a new connection reads of the past
SENT_SLACK = datetime.timedelta(minutes=1)
JPEG_AT_END = re.compile(r"\s*(https://\S+\.jpe?g(?:\?\S*)?)\s*$", re.IGNORECASE)


# The connectors -------------------------------------------------------------------------------


class MetaConnector(Connector):
    """What Facebook Pages and Instagram share: Facebook Login, the Page token, Graph errors,
    webhooks, and sweeping recent posts for comments."""

    auth = "oauth2"
    webhooks = True
    poll_seconds = 300  # webhooks bring most things; polling catches what they missed
    scopes: tuple[str, ...] = ()
    hook_object = ""  # the "object" of this network's webhook calls
    time_field = "created_time"  # of a comment

    # Connecting ------------------------------------------------------------------------------

    def authorize_url(self, options: dict, state: str, code_challenge: str,
                      redirect_uri: str) -> str:
        query = {"client_id": app_setting("meta", "app_id"), "redirect_uri": redirect_uri,
                 "state": state, "response_type": "code", "scope": ",".join(self.scopes),
                 "code_challenge": code_challenge, "code_challenge_method": "S256"}
        base = options.get("auth_base", AUTH_BASE)
        return f"{base}/{GRAPH_VERSION}/dialog/oauth?{urlencode(query)}"

    def finish_authorize(self, options: dict, code: str, code_verifier: str,
                         redirect_uri: str) -> dict:
        """Code → short-lived user token → long-lived one → the chosen Page's token (which
        does not expire) and the Instagram account linked to it."""
        session = Session(network=self.name, handle="", external_id="", options=options,
                          secret={})
        app = {"client_id": app_setting("meta", "app_id"),
               "client_secret": app_setting("meta", "app_secret")}
        short = graph(session, "GET", "/oauth/access_token", {
            **app, "redirect_uri": redirect_uri, "code": code, "code_verifier": code_verifier})
        long = graph(session, "GET", "/oauth/access_token", {
            **app, "grant_type": "fb_exchange_token",
            "fb_exchange_token": short["access_token"]})
        session.secret = {"access_token": long["access_token"]}
        pages = graph(session, "GET", "/me/accounts", {
            "fields": "id,name,access_token,instagram_business_account", "limit": 100})
        page = self._choose_page(options, pages.get("data") or [])
        secret = {"access_token": page["access_token"], "page_id": page["id"]}
        instagram = (page.get("instagram_business_account") or {}).get("id")
        if instagram:
            secret["ig_user_id"] = instagram
        return secret

    def _choose_page(self, options: dict, pages: list[dict]) -> dict:
        wanted = options.get("page_id", "").strip()
        if wanted:
            for page in pages:
                if page.get("id") == wanted:
                    return page
            raise PermanentError(f"the login does not manage the Page {wanted}, or did not "
                                 "grant unsilo access to it")
        if len(pages) == 1:
            return pages[0]
        if not pages:
            raise PermanentError("the login manages no Facebook Page, or granted unsilo none")
        names = ", ".join(f"{p.get('name', '?')} ({p.get('id')})" for p in pages[:10])
        raise PermanentError(f"the login manages several Pages ({names}): give the Page ID")

    def refresh(self, session: Session) -> None:
        raise AuthExpired("Meta revoked the Page token (a password change, the app removed, "
                          "or a permission withdrawn): reconnect the account")

    def page_id(self, session: Session) -> str:
        return graph_id(session.options.get("page_id") or session.secret.get("page_id", ""))

    # Webhooks (the same for both: Meta signs with the app secret) ----------------------------

    def webhook_challenge(self, options: dict, query: dict[str, str]) -> str | None:
        return meta_hooks.challenge(query)

    def check_webhook(self, options: dict, hook_secret: str, headers: dict[str, str],
                      body: bytes) -> None:
        meta_hooks.check_signature(headers, body)

    def parse_webhook(self, options: dict, body: bytes) -> list[Incoming]:
        return meta_hooks.parse(self.name, self.hook_object, options, body)

    # Inbound: one request per call, the sweep's state in the position ------------------------

    def fetch(self, session: Session, position: str) -> Page:
        state = json.loads(position) if position else {}
        since = state.get("since") or int(time.time() - FIRST_LOOKBACK.total_seconds())
        queue = state.get("queue") or []
        if not queue:  # a new sweep: which posts had activity since the last one
            found, queue = self._active(session, since, state)
            high = max([since, *(int(m.created_at.timestamp()) for m in found)])
            state.update(since=since if queue else high, high=high, queue=queue, after="")
            return Page(found, json.dumps(state), more=bool(queue))
        body = self._comments(session, queue[0], since, state.get("after", ""))
        messages, oldest = [], None
        for item in body.get("data") or []:
            for comment in [item, *((item.get("replies") or {}).get("data") or [])]:
                message = self._incoming(session, queue[0], comment)
                if message is None:
                    continue
                stamp = int(message.created_at.timestamp())
                state["high"] = max(state["high"], stamp)
                if stamp >= since:
                    messages.append(message)
            stamp = int(parse_time(item[self.time_field]).timestamp())
            oldest = stamp if oldest is None else min(oldest, stamp)
        after = ((body.get("paging") or {}).get("cursors") or {}).get("after", "")
        if "next" in (body.get("paging") or {}) and after and (oldest or 0) >= since:
            state["after"] = after
        else:
            state["queue"], state["after"] = queue[1:], ""
        if not state["queue"]:  # the sweep is done: the next one starts where this one ended
            state = {**state, "since": state["high"], "queue": []}
        return Page(messages, json.dumps(state), more=bool(state["queue"]))

    def _active(self, session: Session, since: int, state: dict
                ) -> tuple[list[Incoming], list[str]]:
        """Messages among the recent posts themselves, and the ids of posts to read
        comments of."""
        raise NotImplementedError

    def _comments(self, session: Session, parent: str, since: int, after: str) -> dict:
        raise NotImplementedError

    def _incoming(self, session: Session, parent: str, comment: dict) -> Incoming | None:
        raise NotImplementedError

    # Outbound --------------------------------------------------------------------------------

    def _direct_message(self, session: Session, out: Outbound) -> DeliveryResult:
        """Messenger and Instagram direct messages both go out through the Page."""
        answer = graph(session, "POST", "/me/messages", body={
            "recipient": {"id": out.thread_id.removeprefix("dm:")},
            "messaging_type": "RESPONSE", "message": {"text": out.text}})
        return DeliveryResult(external_id=f"dm:{answer['message_id']}")

    def _sent_among(self, items: list[dict], out: Outbound, mine, text_field: str,
                    time_field: str) -> dict | None:
        after = out.created_at - SENT_SLACK
        for item in items:
            if (mine(item) and item.get(text_field, "").strip() == out.text.strip()
                    and parse_time(item[time_field]) >= after):
                return item
        return None


class FacebookConnector(MetaConnector):
    name = "facebook"
    label = "Facebook Page"
    scopes = FACEBOOK_SCOPES
    hook_object = "page"
    fields = (Field("page_id", "Page ID", required=False,
                    help="The number in the Page's About section; empty when the login "
                         "manages only one Page."),)

    def verify(self, session: Session) -> AccountInfo:
        page = graph(session, "GET", f"/{self.page_id(session)}",
                     {"fields": "id,name,username"})
        return AccountInfo(external_id=page["id"], handle=page.get("username") or page["id"],
                           display_name=page.get("name", ""))

    def _active(self, session, since, state):
        page_id = self.page_id(session)
        body = graph(session, "GET", f"/{page_id}/feed", {
            "fields": "id,message,from,created_time,updated_time,permalink_url",
            "limit": POSTS_SCANNED})
        posts = body.get("data") or []
        visitors = [self._post(session, p) for p in posts
                    if (p.get("from") or {}).get("id") not in (None, page_id)
                    and parse_time(p["created_time"]).timestamp() >= since]
        active = [p["id"] for p in posts if parse_time(p["updated_time"]).timestamp() >= since]
        return visitors, active

    def _post(self, session: Session, post: dict) -> Incoming:
        author = post.get("from") or {}
        return Incoming(id=post["id"], network=self.name, text=post.get("message", ""),
                        author=author.get("name") or author.get("id", ""),
                        created_at=parse_time(post["created_time"]), account=session.handle,
                        thread_id=post["id"], url=post.get("permalink_url", ""))

    def _comments(self, session, parent, since, after):
        params = {"filter": "stream", "order": "reverse_chronological", "since": since,
                  "limit": PAGE_SIZE,
                  "fields": "id,message,from,created_time,parent{id},permalink_url"}
        if after:
            params["after"] = after
        return graph(session, "GET", f"/{graph_id(parent)}/comments", params)

    def _incoming(self, session, parent, comment):
        author = comment.get("from") or {}
        if author.get("id") == self.page_id(session):
            return None  # the Page's own replies
        above = (comment.get("parent") or {}).get("id", "")
        return Incoming(
            id=comment["id"], network=self.name, text=comment.get("message", ""),
            author=author.get("name") or author.get("id", ""),
            created_at=parse_time(comment["created_time"]), account=session.handle,
            thread_id=above or comment["id"], in_reply_to=above or parent,
            url=comment.get("permalink_url", ""))

    def reply(self, session: Session, out: Outbound) -> DeliveryResult:
        if out.thread_id.startswith("dm:"):
            return self._direct_message(session, out)
        # Facebook keeps one level of replies: answer under the thread's first comment.
        target = graph_id(out.thread_id or out.in_reply_to)
        answer = graph(session, "POST", f"/{target}/comments", data={"message": out.text})
        return DeliveryResult(external_id=answer["id"])

    def publish(self, session: Session, out: Outbound) -> DeliveryResult:
        answer = graph(session, "POST", f"/{self.page_id(session)}/feed",
                       data={"message": out.text})
        return DeliveryResult(external_id=answer["id"],
                              url=f"https://www.facebook.com/{answer['id']}")

    def find_sent(self, session: Session, out: Outbound) -> DeliveryResult | None:
        page_id = self.page_id(session)
        if out.kind == "reply" and out.thread_id.startswith("dm:"):
            raise InDoubt("Messenger offers no lookup of a message by its text")
        if out.kind == "reply":
            items = graph(session, "GET", f"/{graph_id(out.thread_id or out.in_reply_to)}/comments",
                          {"filter": "stream", "order": "reverse_chronological",
                           "fields": "id,message,from,created_time", "limit": PAGE_SIZE})
        else:
            items = graph(session, "GET", f"/{page_id}/published_posts",
                          {"fields": "id,message,created_time,permalink_url", "limit": 25})
        found = self._sent_among(
            items.get("data") or [], out, text_field="message", time_field="created_time",
            mine=lambda i: out.kind == "post" or (i.get("from") or {}).get("id") == page_id)
        if found is None:
            return None
        return DeliveryResult(external_id=found["id"], url=found.get("permalink_url", ""))


class InstagramConnector(MetaConnector):
    name = "instagram"
    label = "Instagram"
    scopes = INSTAGRAM_SCOPES
    hook_object = "instagram"
    time_field = "timestamp"
    fields = (Field("page_id", "Facebook Page ID", required=False,
                    help="The Page the Instagram business account is linked to; empty when "
                         "the login manages only one Page."),
              Field("ig_user_id", "Instagram account ID", required=False,
                    help="Empty to use the account linked to the Page."))

    def ig_user(self, session: Session) -> str:
        return graph_id(session.options.get("ig_user_id") or session.secret.get("ig_user_id", ""))

    def verify(self, session: Session) -> AccountInfo:
        user = graph(session, "GET", f"/{self.ig_user(session)}",
                     {"fields": "id,username,name"})
        return AccountInfo(external_id=user["id"], handle=user.get("username") or user["id"],
                           display_name=user.get("name", ""))

    def _active(self, session, since, state):
        """Media whose comment count changed since the last sweep (Instagram media have no
        time of last activity)."""
        body = graph(session, "GET", f"/{self.ig_user(session)}/media",
                     {"fields": "id,comments_count,timestamp", "limit": POSTS_SCANNED})
        media = body.get("data") or []
        counts = state.get("counts") or {}
        active = [m["id"] for m in media
                  if m.get("comments_count", 0) and m.get("comments_count") != counts.get(m["id"])]
        state["counts"] = {m["id"]: m.get("comments_count", 0) for m in media}
        return [], active

    def _comments(self, session, parent, since, after):
        fields = "id,text,timestamp,username,from{id,username},parent_id"
        params = {"fields": f"{fields},replies{{{fields}}}", "limit": PAGE_SIZE}
        if after:
            params["after"] = after
        return graph(session, "GET", f"/{graph_id(parent)}/comments", params)

    def _incoming(self, session, parent, comment):
        author = comment.get("from") or {}
        username = comment.get("username") or author.get("username", "")
        if author.get("id") == self.ig_user(session) or username == session.handle:
            return None
        above = comment.get("parent_id", "")
        return Incoming(id=comment["id"], network=self.name, text=comment.get("text", ""),
                        author=username or author.get("id", ""),
                        created_at=parse_time(comment["timestamp"]), account=session.handle,
                        thread_id=above or comment["id"], in_reply_to=above or parent)

    def reply(self, session: Session, out: Outbound) -> DeliveryResult:
        if out.thread_id.startswith("dm:"):
            return self._direct_message(session, out)
        # Only a top-level comment takes replies: answer under the thread's first one.
        target = graph_id(out.thread_id or out.in_reply_to)
        answer = graph(session, "POST", f"/{target}/replies", data={"message": out.text})
        return DeliveryResult(external_id=answer["id"])

    def publish(self, session: Session, out: Outbound) -> DeliveryResult:
        """Instagram posts are images: the text must end with a JPEG's https URL, which
        becomes the image; the rest is the caption."""
        image = JPEG_AT_END.search(out.text)
        if image is None:
            raise PermanentError("Instagram does not take text-only posts: end the post with "
                                 "the https URL of a JPEG image to publish it with the text "
                                 "as its caption")
        user = self.ig_user(session)
        container = graph(session, "POST", f"/{user}/media", data={
            "image_url": image.group(1), "caption": out.text[:image.start()].strip()})
        media = graph(session, "POST", f"/{user}/media_publish",
                      data={"creation_id": container["id"]})
        return DeliveryResult(external_id=media["id"])

    def find_sent(self, session: Session, out: Outbound) -> DeliveryResult | None:
        user = self.ig_user(session)
        if out.kind == "reply" and out.thread_id.startswith("dm:"):
            raise InDoubt("Instagram offers no lookup of a direct message by its text")
        if out.kind == "reply":
            items = graph(session, "GET", f"/{graph_id(out.thread_id or out.in_reply_to)}/replies",
                          {"fields": "id,text,timestamp,username,from{id,username}",
                           "limit": PAGE_SIZE})
            found = self._sent_among(
                items.get("data") or [], out, text_field="text", time_field="timestamp",
                mine=lambda i: (i.get("from") or {}).get("id") == user
                or i.get("username") == session.handle)
        else:
            caption = out.text
            image = JPEG_AT_END.search(caption)
            caption = caption[:image.start()].strip() if image else caption
            items = graph(session, "GET", f"/{user}/media",
                          {"fields": "id,caption,timestamp,permalink", "limit": 25})
            found = self._sent_among(
                items.get("data") or [], dataclasses.replace(out, text=caption),
                text_field="caption", time_field="timestamp", mine=lambda i: True)
        if found is None:
            return None
        return DeliveryResult(external_id=found["id"], url=found.get("permalink", ""))
