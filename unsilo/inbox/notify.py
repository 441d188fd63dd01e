"""Notifications of people inside unsilo: written in bulk in the caller's transaction, so a
notification exists exactly when the change it announces does."""

from collections.abc import Iterable

from django.db.models import Q
from django.utils import timezone

from unsilo.core.models import Role
from unsilo.inbox.models import Conversation, Notification
from unsilo.org.models import Person, SeatRole, SiloKind

TEXT_MAX = Notification._meta.get_field("text").max_length


def notify(person_ids: Iterable[int | None], kind: str, conversation: Conversation | None,
           text: str) -> list[Notification]:
    """One notification per distinct person (None and repeats skipped), in one INSERT."""
    rows = unsaved(person_ids, kind, conversation, text)
    return Notification.objects.bulk_create(rows) if rows else []


def unsaved(person_ids: Iterable[int | None], kind: str, conversation: Conversation | None,
            text: str) -> list[Notification]:
    """The rows `notify` writes, for a caller that writes many batches' worth at once."""
    now = timezone.now()
    ids = list(dict.fromkeys(pid for pid in person_ids if pid))
    return [Notification(person_id=pid, kind=kind, conversation=conversation,
                         text=text[:TEXT_MAX], created_at=now) for pid in ids]


def unread_count(person_id: int | None) -> int:
    if person_id is None:
        return 0
    return Notification.objects.filter(person_id=person_id, read_at=None).count()


def captains(silo_id: int | None) -> list[int]:
    """The active people holding `silo_id`'s seat as captains."""
    if silo_id is None:
        return []
    return list(Person.objects.filter(seats__silo_id=silo_id, seats__role=SeatRole.CAPTAIN,
                                      is_active=True).values_list("pk", flat=True))


def hub_people() -> list[int]:
    """Who hears of an escalation: the hub silos' captains and the hub admins' people."""
    hub_captain = Q(seats__silo__kind=SiloKind.HUB, seats__role=SeatRole.CAPTAIN)
    hub_admin = Q(user__role=Role.HUB_ADMIN, user__is_active=True)
    return list(Person.objects.filter(hub_captain | hub_admin, is_active=True)
                .values_list("pk", flat=True).distinct())
