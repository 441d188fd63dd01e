"""The one path every write takes to the audit log.

`snapshot` reads an object's values, `diff` compares two snapshots, and `record` writes the
audit row inside the caller's transaction, so a change and its audit row land together.
"""

import datetime
import decimal
import uuid
from collections.abc import Iterable

from django.db import models
from django.utils import timezone

from unsilo.core.actor import Actor
from unsilo.core.models import AuditEvent


def _plain(value):
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, models.Model):
        return value.pk
    return value


# Bookkeeping that changes with every save, or repeats other fields (Person.search), says
# nothing a reader of the log needs.
NOT_AUDITED = {"updated_at", "last_login", "search"}


def snapshot(obj: models.Model, fields: Iterable[str] | None = None) -> dict:
    """An object's audited values: concrete fields (foreign keys by id), many-to-many ids."""
    values = {}
    for field in obj._meta.concrete_fields:
        if field.name not in NOT_AUDITED and (fields is None or field.name in fields):
            values[field.name] = _plain(getattr(obj, field.attname))
    if obj.pk is not None:
        for field in obj._meta.many_to_many:
            if fields is None or field.name in fields:
                values[field.name] = sorted(getattr(obj, field.name).values_list("pk", flat=True))
    # Secrets never enter the audit log.
    for name in getattr(obj, "AUDIT_REDACT", ()):
        if name in values:
            values[name] = "[redacted]"
    return values


def diff(before: dict, after: dict) -> dict:
    """{field: [before, after]} for every field whose value changed."""
    keys = before.keys() | after.keys()
    return {k: [before.get(k), after.get(k)] for k in sorted(keys) if before.get(k) != after.get(k)}


def event(
    actor: Actor, action: str, obj: models.Model, changes: dict, silo_id: int | None = None,
    at: datetime.datetime | None = None,
) -> AuditEvent:
    """An unsaved audit row; `record` saves one, bulk writers save many (passing one `at`)."""
    return AuditEvent(
        at=at or timezone.now(),
        actor_id=actor.user.pk if actor.user else None,
        actor_label=actor.label,
        via=actor.via,
        action=action,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        object_repr=str(obj)[:300],
        silo_id=silo_id,
        changes=changes,
    )


def record(
    actor: Actor, action: str, obj: models.Model, changes: dict, silo_id: int | None = None
) -> AuditEvent:
    row = event(actor, action, obj, changes, silo_id)
    row.save()
    return row
