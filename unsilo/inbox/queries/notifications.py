"""A person's notifications and the choices they made about them."""


from unsilo.core.actor import Actor
from unsilo.inbox import access, notify
from unsilo.inbox.models import (
    EmailChoice,
    Notification,
    NotificationKind,
    NotificationPreference,
)
from unsilo.inbox.queries.queues import COUNT_CAP
from unsilo.mail import queries as mail_queries


def notifications(actor: Actor, limit: int = 100) -> list[Notification]:
    me = access.person_id(actor)
    if me is None:
        return []
    return list(Notification.objects.filter(person_id=me).select_related("conversation")
                .order_by("-created_at", "-id")[:limit])


def notification_choices(actor: Actor) -> list[dict]:
    """Each kind of notification with whether it reaches me and how by email, and whether I
    may turn it off (captains and the hub always hear of SLA breaches and safety)."""
    me = access.person_id(actor)
    if me is None:
        return []
    chosen = {kind: (on, email) for kind, on, email in NotificationPreference.objects.filter(
        person_id=me).values_list("kind", "enabled", "email")}
    forced = me in notify.always_on([me])
    emails = notify.email_choices((me, kind) for kind in NotificationKind.values)
    choices = []
    for kind, label in NotificationKind.choices:
        locked = forced and kind in notify.ALWAYS_ON
        choices.append({
            "kind": kind, "label": label, "locked": locked,
            "enabled": chosen.get(kind, (True, ""))[0] or locked,
            "email": emails[(me, kind)],
            "email_options": [(value, text) for value, text in EmailChoice.choices
                              if not (locked and value == EmailChoice.NEVER)],
        })
    return choices


def unread_count(actor: Actor) -> int:
    me = access.person_id(actor)
    if me is None:
        return 0
    return Notification.objects.filter(person_id=me, read_at__isnull=True)[:COUNT_CAP].count()




def my_emails(actor: Actor, limit: int = 10) -> list:
    """The latest emails to me and where each stands (sent, waiting, failed and why)."""
    return mail_queries.recent_for(access.person_id(actor), limit)
