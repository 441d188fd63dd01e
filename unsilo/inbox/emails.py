"""What the inbox's emails say (rendered by the worker that sends them, in the reader's time
zone), the daily digest, and replies to consult emails becoming answers.

The mail app sends and receives; this module registers with it (mail/letters.py) what a
notification's email and a digest say, and what a reply to a consult does: the expert's answer,
through `answer_consult` (a note on the conversation, with its audit row), by a worker.
"""

import datetime

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from unsilo.core import dates
from unsilo.core.actor import Actor
from unsilo.core.models import User, Via
from unsilo.core.periodic import every
from unsilo.inbox.actions.team import add_note, answer_consult
from unsilo.inbox.models import (
    Consult,
    ConsultStatus,
    Direction,
    EmailChoice,
    Message,
    Notification,
    NotificationKind,
    NotificationPreference,
)
from unsilo.mail import letters, outbox, queries
from unsilo.org.models import Person

CUSTOMER_MAX = 2000  # characters of the customer's words in one email
DIGEST_MAX = 50  # notifications listed in one digest (the rest counted)
DIGEST_REACH = datetime.timedelta(days=7)  # a first digest, or one after a long pause
SLA_KINDS = (NotificationKind.SLA_WARNING, NotificationKind.SLA_BREACH)


def _customer_words(conversation, prepared: dict | None = None) -> str:
    if prepared is not None and conversation.pk in prepared["words"]:
        text = prepared["words"][conversation.pk]
    else:
        text = (Message.objects.filter(conversation=conversation, direction=Direction.INBOUND)
                .order_by("-created_at", "-id").values_list("text", flat=True).first()) or ""
    return text if len(text) <= CUSTOMER_MAX else text[:CUSTOMER_MAX - 1] + "…"


def prepare_notifications(mails) -> dict:
    """What a batch of notification emails needs, in four queries rather than four each: the
    notifications, the customers' latest words, the open consults and who has a login."""
    notes = Notification.objects.select_related("conversation").in_bulk(
        [m.source_id for m in mails])
    conversations = {n.conversation_id for n in notes.values() if n.conversation_id}
    words = {}
    for cid, text in (Message.objects.filter(conversation_id__in=conversations,
                                             direction=Direction.INBOUND)
                      .order_by("conversation_id", "created_at", "id")
                      .values_list("conversation_id", "text")):
        words[cid] = text  # the latest wins
    consults = {}
    for consult in (Consult.objects.filter(conversation_id__in=conversations,
                                           status=ConsultStatus.OPEN)
                    .order_by("created_at", "id")):
        consults[(consult.conversation_id, consult.expert_id)] = consult
    logins = set(User.objects.filter(person_id__in={m.person_id for m in mails},
                                     is_active=True).values_list("person_id", flat=True))
    return {"notes": notes, "words": {c: words.get(c, "") for c in conversations},
            "consults": consults, "logins": logins}


def _item(notification: Notification, customer_max: int = CUSTOMER_MAX,
          prepared: dict | None = None) -> letters.Item:
    item = letters.Item(title=notification.text, when=dates.full(notification.created_at))
    conversation = notification.conversation
    if conversation is None:
        if notification.link:
            item.link = letters.link(notification.link)
        elif notification.silo_id:
            item.link = letters.link(reverse("inbox:home") + f"?silo={notification.silo_id}")
        return item
    item.link = letters.link(reverse("inbox:conversation", args=[conversation.pk]))
    words = _customer_words(conversation, prepared)
    item.customer = words if len(words) <= customer_max else words[:customer_max - 1] + "…"
    item.customer_label = f"{conversation.author} wrote on {conversation.network}"
    if notification.kind in SLA_KINDS:
        due = conversation.first_response_due if conversation.first_response_at is None \
            else conversation.resolution_due
        if due:
            item.facts.append(f"Due {dates.full(due)}")
    return item


def render_notification(mail, prepared: dict | None = None) -> letters.Letter | None:
    prepared = prepared or prepare_notifications([mail])
    notification = prepared["notes"].get(mail.source_id)
    if notification is None:
        return None
    person = mail.person
    item = _item(notification, prepared=prepared)
    reply_to = None
    if notification.kind == NotificationKind.CONSULT and notification.conversation_id:
        consult = prepared["consults"].get((notification.conversation_id, person.pk))
        if consult is not None:
            item.question = consult.question
            if person.pk in prepared["logins"]:
                reply_to = ("consult", consult.pk)
    return letters.Letter(subject=notification.text, greeting=f"Hello {person.name},",
                          items=[item], reply_to=reply_to)


def render_digest(mail, prepared=None) -> letters.Letter | None:
    rows = (Notification.objects.filter(person=mail.person, kind__in=mail.detail.split(","),
                                        created_at__gt=mail.since,
                                        created_at__lte=mail.created_at)
            .select_related("conversation").order_by("created_at", "id"))
    total = rows.count()
    if not total:
        return None
    items = [_item(n, customer_max=300) for n in rows[:DIGEST_MAX]]
    what = "1 notification" if total == 1 else f"{total} notifications"
    return letters.Letter(
        subject=f"Your unsilo digest: {what}", greeting=f"Hello {mail.person.name},",
        intro=f"What reached you since {dates.full(mail.since)}:", items=items,
        more=total - len(items))


letters.register("notification", render_notification, prepare_notifications)
letters.register("digest", render_digest)


# The daily digest -----------------------------------------------------------------------------


def queue_digests(now: datetime.datetime | None = None) -> int:
    """Queue today's digest for each person whose local hour is the digest hour and who has
    something in it since their last one: one a day (its key is the person and local date)."""
    now = now or timezone.now()
    kinds: dict[int, set[str]] = {}
    for pid, kind in NotificationPreference.objects.filter(
            email=EmailChoice.DIGEST, enabled=True, person__is_active=True,
    ).values_list("person_id", "kind"):
        kinds.setdefault(pid, set()).add(kind)
    drafts = []
    for pid, zone in Person.objects.filter(pk__in=kinds).values_list("pk", "timezone"):
        local = now.astimezone(dates.zone_named(zone))
        if local.hour != settings.UNSILO_MAIL_DIGEST_HOUR:
            continue
        since = max(queries.last_queued(pid, "digest") or now - DIGEST_REACH, now - DIGEST_REACH)
        if since.astimezone(local.tzinfo).date() == local.date():
            continue  # today's is queued
        if not Notification.objects.filter(person_id=pid, kind__in=kinds[pid],
                                           created_at__gt=since, created_at__lte=now).exists():
            continue
        drafts.append(outbox.Draft(key=f"digest:{pid}:{local.date().isoformat()}",
                                   person_id=pid, topic="digest", since=since,
                                   detail=",".join(sorted(kinds[pid]))))
    return outbox.queue(drafts)


def _anyone_on_digest() -> bool:
    return NotificationPreference.objects.filter(email=EmailChoice.DIGEST).exists()


every(300, queue_digests, when=_anyone_on_digest)


# Replies to consult emails -------------------------------------------------------------------


def _login(person: Person) -> User | None:
    return User.objects.filter(person=person, is_active=True).first()


def check_consult_reply(consult_id: int, person: Person) -> str:
    """Why a reply to this consult's email is refused now, or ""."""
    if not Consult.objects.filter(pk=consult_id, expert=person).exists():
        return "this consult no longer exists"
    if _login(person) is None:
        return "you have no active login in unsilo to answer with"
    return ""


def apply_consult_reply(reply) -> None:
    """The expert's emailed answer: answers the consult in a note (a later one on an answered
    consult is a note of its own), as the expert, through email."""
    consult = Consult.objects.select_related("conversation").get(pk=reply.object_id,
                                                                  expert_id=reply.person_id)
    user = _login(reply.person)
    if user is None:
        raise LookupError("the expert has no active login in unsilo")
    actor = Actor.for_user(user, via=Via.EMAIL)
    if consult.status == ConsultStatus.OPEN:
        answer_consult(actor, consult, reply.text)
    else:
        add_note(actor, consult.conversation, reply.text, consult=consult)


letters.on_reply("consult", apply_consult_reply, check_consult_reply)
