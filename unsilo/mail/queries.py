"""Reads of the mail app: a person's recent emails and where each stands."""

import datetime

from unsilo.mail.models import OutgoingMail


def recent_for(person_id: int | None, limit: int = 10) -> list[OutgoingMail]:
    """The emails unsilo sent, or is sending, to this person, newest first."""
    if person_id is None:
        return []
    return list(OutgoingMail.objects.filter(person_id=person_id)
                .order_by("-created_at", "-id")[:limit])


def last_queued(person_id: int, topic: str) -> datetime.datetime | None:
    """When the latest email of `topic` (a digest) to this person was queued."""
    return (OutgoingMail.objects.filter(person_id=person_id, topic=topic)
            .order_by("-created_at").values_list("created_at", flat=True).first())
