"""What an email says, and what a reply to one does: the apps that queue emails register
both here (the inbox does, in inbox/emails.py), so the mail app sends and receives without
knowing what a consult is.

A `Letter` is rendered when the email is sent, in the reader's time zone, into a text part
and an HTML part (autoescaped) from one layout: mail/letter.txt and mail/letter.html.
"""

import dataclasses
from collections.abc import Callable

from django.conf import settings
from django.template.loader import render_to_string

from unsilo.core.weburl import web_url


@dataclasses.dataclass
class Item:
    """One thing the email tells: a headline, when it happened (already in the reader's
    zone), the question asked, the customer's words and the link to the conversation."""

    title: str
    when: str = ""
    question: str = ""
    question_label: str = "Question"
    customer: str = ""
    customer_label: str = "The customer wrote"
    facts: list[str] = dataclasses.field(default_factory=list)
    link: str = ""


@dataclasses.dataclass
class Letter:
    subject: str
    greeting: str
    items: list[Item]
    intro: str = ""
    # Set when a reply to the email is an answer: (kind, object id) for the reply address.
    reply_to: tuple[str, int] | None = None
    footer: str = ""
    more: int = 0  # items left out of a long digest


# topic -> render(mail, prepared) -> Letter, or None when there is nothing left to say (its
# row gone); `prepared` is what the topic's prepare(mails) read for a whole batch at once.
RENDERERS: dict[str, Callable] = {}
PREPARERS: dict[str, Callable] = {}
# kind -> apply(reply) -> None: adds a reply's text where it belongs; raises to refuse it.
REPLY_HANDLERS: dict[str, Callable] = {}
# kind -> check(object_id, person) -> str: why a reply address of this kind is refused now
# ("" when it is taken), asked by `unsilo mail-in` before it accepts a message.
REPLY_CHECKS: dict[str, Callable] = {}


def register(topic: str, render: Callable, prepare: Callable | None = None) -> None:
    RENDERERS[topic] = render
    if prepare is not None:
        PREPARERS[topic] = prepare


def prepare(mails: list) -> dict:
    """topic -> what its preparer read for these mails (a few queries for a batch)."""
    topics = {m.topic for m in mails}
    return {topic: PREPARERS[topic]([m for m in mails if m.topic == topic])
            for topic in topics if topic in PREPARERS}


def on_reply(kind: str, apply: Callable, check: Callable) -> None:
    REPLY_HANDLERS[kind] = apply
    REPLY_CHECKS[kind] = check


def link(path: str) -> str:
    """An absolute link into unsilo at its public address (UNSILO_PUBLIC_URL)."""
    return web_url(settings.UNSILO_MAIL_BASE_URL + path)


def one_line(text: str, limit: int = 200) -> str:
    """A subject: one line (a header cannot hold a newline), at most `limit` characters."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[:limit - 1] + "…"


def parts(letter: Letter, reply_address: str = "") -> tuple[str, str]:
    """(text part, HTML part) of a letter."""
    context = {"letter": letter, "reply_address": reply_address,
               "preferences": link("/inbox/notifications/preferences/")}
    return (render_to_string("mail/letter.txt", context),
            render_to_string("mail/letter.html", context))
