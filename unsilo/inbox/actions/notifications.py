"""A person's own choice of what reaches them: each kind of notification on or off. Captains
and the hub cannot turn off SLA breaches and safety (notify.ALWAYS_ON)."""

from django.core.exceptions import ValidationError
from django.db import transaction

from unsilo.core import actions as core_actions
from unsilo.core.actor import Actor
from unsilo.inbox import notify
from unsilo.inbox.actions.base import actor_person
from unsilo.inbox.models import NotificationKind, NotificationPreference


@transaction.atomic
def set_notification_preferences(actor: Actor, enabled: dict[str, bool]
                                 ) -> list[NotificationPreference]:
    """Turn the kinds in `enabled` on (True) or off (False) for me; the others stay as they
    are. Returns my choices that differ from the default (on)."""
    person = actor_person(actor)
    if person is None:
        raise ValidationError("Your login is not linked to a person, so nothing notifies you.")
    for kind in enabled:
        if kind not in NotificationKind.values:
            raise ValidationError({kind: f"Not a kind of notification: choose from "
                                         f"{', '.join(NotificationKind.values)}."})
    forced = person.pk in notify.always_on([person.pk])
    rows = {p.kind: p for p in NotificationPreference.objects.select_for_update().filter(
        person=person)}
    for kind, on in enabled.items():
        if not on and forced and kind in notify.ALWAYS_ON:
            raise ValidationError({kind: "Captains and the hub always hear of SLA breaches and "
                                         "of self-harm and safety."})
        row = rows.get(kind)
        if row is None and not on:
            rows[kind] = core_actions.create(
                actor, NotificationPreference(person=person, kind=kind, enabled=False),
                silo_id=person.silo_id)
        elif row is not None and row.enabled != on:
            core_actions.update(actor, row, {"enabled": on}, silo_id=person.silo_id)
    return [p for p in rows.values() if not p.enabled]
