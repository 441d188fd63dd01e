"""A person's notifications and the choices they made about them."""


from unsilo.core.actor import Actor
from unsilo.inbox import access, notify
from unsilo.inbox.models import (
    Notification,
    NotificationKind,
    NotificationPreference,
)
from unsilo.inbox.queries.queues import COUNT_CAP


def notifications(actor: Actor, limit: int = 100) -> list[Notification]:
    me = access.person_id(actor)
    if me is None:
        return []
    return list(Notification.objects.filter(person_id=me).select_related("conversation")
                .order_by("-created_at", "-id")[:limit])


def notification_choices(actor: Actor) -> list[dict]:
    """Each kind of notification with whether it reaches me, and whether I may turn it off
    (captains and the hub always hear of SLA breaches and safety)."""
    me = access.person_id(actor)
    if me is None:
        return []
    off = set(NotificationPreference.objects.filter(person_id=me, enabled=False)
              .values_list("kind", flat=True))
    forced = me in notify.always_on([me])
    return [{"kind": kind, "label": label,
             "locked": forced and kind in notify.ALWAYS_ON,
             "enabled": kind not in off or (forced and kind in notify.ALWAYS_ON)}
            for kind, label in NotificationKind.choices]


def unread_count(actor: Actor) -> int:
    me = access.person_id(actor)
    if me is None:
        return 0
    return Notification.objects.filter(person_id=me, read_at__isnull=True)[:COUNT_CAP].count()


