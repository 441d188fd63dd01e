"""A person's own choice of what reaches them: each kind of notification on or off, and by
email at once, in a daily digest or never. Captains and the hub cannot turn off SLA breaches
and safety, in unsilo or by email (notify.ALWAYS_ON)."""

from django.core.exceptions import ValidationError
from django.db import transaction

from unsilo.core import actions as core_actions
from unsilo.core.actor import Actor
from unsilo.inbox import notify
from unsilo.inbox.actions.base import actor_person
from unsilo.inbox.models import EmailChoice, NotificationKind, NotificationPreference


@transaction.atomic
def set_notification_preferences(actor: Actor, enabled: dict[str, bool],
                                 email: dict[str, str] | None = None
                                 ) -> list[NotificationPreference]:
    """Turn the kinds in `enabled` on (True) or off (False) for me, and set how the kinds in
    `email` reach me by email (EmailChoice: now, digest, never); the others stay as they are.
    Returns my choices that differ from the defaults."""
    person = actor_person(actor)
    if person is None:
        raise ValidationError("Your login is not linked to a person, so nothing notifies you.")
    email = email or {}
    for kind in [*enabled, *email]:
        if kind not in NotificationKind.values:
            raise ValidationError({kind: f"Not a kind of notification: choose from "
                                         f"{', '.join(NotificationKind.values)}."})
    for kind, how in email.items():
        if how not in EmailChoice.values:
            raise ValidationError({kind: f"Not a way to email it: choose from "
                                         f"{', '.join(EmailChoice.values)}."})
    forced = person.pk in notify.always_on([person.pk])
    rows = {p.kind: p for p in NotificationPreference.objects.select_for_update().filter(
        person=person)}
    for kind in {*enabled, *email}:
        on = enabled.get(kind, rows[kind].enabled if kind in rows else True)
        how = email.get(kind, rows[kind].email if kind in rows else "")
        if forced and kind in notify.ALWAYS_ON and (not on or how == EmailChoice.NEVER):
            raise ValidationError({kind: "Captains and the hub always hear of SLA breaches and "
                                         "of self-harm and safety, by email too."})
        how = "" if how == notify.EMAIL_DEFAULT[kind] else how
        row = rows.get(kind)
        if row is None and (not on or how):
            rows[kind] = core_actions.create(
                actor, NotificationPreference(person=person, kind=kind, enabled=on, email=how),
                silo_id=person.silo_id)
        elif row is not None and (row.enabled, row.email) != (on, how):
            core_actions.update(actor, row, {"enabled": on, "email": how},
                                silo_id=person.silo_id)
    return [p for p in rows.values() if not p.enabled or p.email]
