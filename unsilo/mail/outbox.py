"""The outbox: an email is a row written in the transaction of what it announces, so a web
request only inserts it, a worker sends it (sending.py), and it exists exactly when that
change does. Each row's `key` is unique: queueing the same notification or the same day's
digest again writes nothing (INSERT … ON CONFLICT DO NOTHING)."""

import dataclasses
import datetime
import uuid

from django.conf import settings
from django.utils import timezone

from unsilo.core.bulk import bare, insert_new
from unsilo.mail.models import OutgoingMail


@dataclasses.dataclass(frozen=True)
class Draft:
    key: str
    person_id: int
    topic: str
    source_id: int | None = None
    since: datetime.datetime | None = None
    detail: str = ""


def message_id() -> str:
    return f"<{uuid.uuid4().hex}@{settings.UNSILO_MAIL_DOMAIN}>"


def queue(drafts: list[Draft]) -> int:
    """Put `drafts` in the outbox, in the caller's transaction (the periodic sweep of
    sending.py sends them within seconds of its commit); returns how many were new."""
    if not drafts:
        return 0
    now = timezone.now()
    rows = [bare(OutgoingMail, key=d.key, person_id=d.person_id, topic=d.topic,
                 source_id=d.source_id, since=d.since, detail=d.detail, created_at=now,
                 next_attempt_at=now, message_id=message_id()) for d in drafts]
    return len(insert_new(OutgoingMail, rows, unique=["key"]))
