"""A connector for a company's Discourse forum: the worked example of docs/connectors.md.

Discourse's API (https://docs.discourse.org/) authenticates every call with two headers,
`Api-Key` and `Api-Username`. Every new post on the forum is inbound (it is the company's own
community); a reply is a new post in the same topic that answers the post's number.
"""

import datetime

from unsilo.connectors import http
from unsilo.connectors.base import (
    AccountInfo,
    Connector,
    DeliveryResult,
    Field,
    Incoming,
    Outbound,
    Page,
    Session,
)


class DiscourseConnector(Connector):
    name = "discourse"
    label = "Discourse forum"
    auth = "password"  # an API key typed in by an admin of the forum
    fields = (
        Field("api_base", "Forum address", url=True,
              help="For example https://community.example.com"),
        Field("api_username", "API user name", help="The forum user the company answers as"),
        Field("api_key", "API key", secret=True, help="Admin → API → New API key"),
    )
    can_publish = False  # new topics need a category; replies only, to keep the example short
    poll_seconds = 60

    def _call(self, session: Session, method: str, path: str, **kwargs):
        def headers(s: Session) -> dict:
            return {"Api-Key": s.secret["api_key"], "Api-Username": s.options["api_username"]}

        # The address is typed in: the guard keeps the API key from private addresses.
        with http.client(session.options["api_base"], public_only=True) as client:
            return http.call(session, client, method, path, headers=headers, **kwargs).json()

    def verify(self, session: Session) -> AccountInfo:
        user = self._call(session, "GET", "/session/current.json")["current_user"]
        return AccountInfo(external_id=str(user["id"]), handle=user["username"],
                           display_name=user.get("name") or "")

    def fetch(self, session: Session, position: str) -> Page:
        # /posts.json lists the newest posts first; `before` pages back from a post id.
        # `position` is the newest post id already stored.
        newest_seen = int(position or 0)
        posts = self._call(session, "GET", "/posts.json")["latest_posts"]
        fresh = [p for p in posts if p["id"] > newest_seen
                 and p["username"] != session.options["api_username"]]
        messages = [self._message(session, p) for p in fresh]
        top = max([newest_seen, *(p["id"] for p in posts)])
        return Page(messages=messages, position=str(top))

    def _message(self, session: Session, post: dict) -> Incoming:
        topic = f"{post['topic_id']}"
        parent = post.get("reply_to_post_number")
        return Incoming(
            id=f"{topic}/{post['post_number']}", network=self.name,
            text=post.get("raw") or post.get("cooked", ""), author=post["username"],
            created_at=datetime.datetime.fromisoformat(post["created_at"].replace("Z", "+00:00")),
            account=session.handle, thread_id=f"{topic}/1",
            in_reply_to=f"{topic}/{parent}" if parent else "",
            url=f"{session.options['api_base']}/t/{topic}/{post['post_number']}")

    def reply(self, session: Session, out: Outbound) -> DeliveryResult:
        topic, _, number = out.in_reply_to.partition("/")
        post = self._call(session, "POST", "/posts.json", json={
            "raw": out.text, "topic_id": int(topic), "reply_to_post_number": int(number)})
        return DeliveryResult(external_id=f"{post['topic_id']}/{post['post_number']}",
                              url=f"{session.options['api_base']}/t/{topic}/"
                                  f"{post['post_number']}")

    def find_sent(self, session: Session, out: Outbound) -> DeliveryResult | None:
        topic, _, number = out.in_reply_to.partition("/")
        posts = self._call(session, "GET", f"/t/{topic}/posts.json")["post_stream"]["posts"]
        for post in posts:
            if (post["username"] == session.options["api_username"]
                    and post.get("reply_to_post_number") == int(number)
                    and (post.get("raw") or "").strip() == out.text.strip()):
                return DeliveryResult(external_id=f"{topic}/{post['post_number']}")
        return None
