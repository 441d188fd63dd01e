"""Notifications of people inside unsilo: written in bulk in the caller's transaction, so a
notification exists exactly when the change it announces does.

Each person chooses which kinds reach them (NotificationPreference); captains and the hub
cannot turn off SLA breaches and safety. SLA notices of one silo that arrive within an hour
become one row that counts them ("5 SLA breaches in Customer Care within an hour").

A notification that reaches someone who wants its kind by email at once puts an email in the
outbox in the same transaction (unsilo/mail/outbox.py); a worker sends it. Those who chose the
daily digest get it in the digest (inbox/emails.py).
"""

import datetime
from collections.abc import Iterable

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from unsilo.core.actor import Actor
from unsilo.core.models import Role
from unsilo.inbox.models import (
    Conversation,
    EmailChoice,
    Notification,
    NotificationKind,
    NotificationPreference,
)
from unsilo.mail import outbox
from unsilo.org.models import Person, SeatMember, SeatRole, Silo, SiloKind

TEXT_MAX = Notification._meta.get_field("text").max_length
# Kinds a captain or a hub person always receives.
ALWAYS_ON = (NotificationKind.SLA_BREACH, NotificationKind.SAFETY)
# Kinds that arrive in bursts: one row per person, silo and hour.
GROUPED = {NotificationKind.SLA_BREACH: "SLA breaches",
           NotificationKind.SLA_WARNING: "SLA warnings (80 % gone)"}
WINDOW = datetime.timedelta(hours=1)
# How each kind reaches a person by email unless they choose otherwise: what needs a person
# at once; a customer's every answer stays in unsilo.
EMAIL_DEFAULT = {kind: EmailChoice.NOW for kind in NotificationKind.values} | {
    NotificationKind.REPLY: EmailChoice.NEVER}


def name_of(actor: Actor) -> str:
    """Who acted, as colleagues know them: their name, not their login's email."""
    user = actor.user
    if user is None:
        return actor.label
    if user.person_id and user.person.name:
        return user.person.name
    return user.name or user.email


def notify(person_ids: Iterable[int | None], kind: str, conversation: Conversation | None,
           text: str, link: str = "") -> list[Notification]:
    """One notification per distinct person who wants this kind (None and repeats skipped);
    `link`, a path in unsilo, is where one about no conversation leads."""
    return save(unsaved(person_ids, kind, conversation, text, link))


def unsaved(person_ids: Iterable[int | None], kind: str, conversation: Conversation | None,
            text: str, link: str = "") -> list[Notification]:
    """The rows `notify` writes, for a caller that writes many batches' worth at once."""
    now = timezone.now()
    ids = list(dict.fromkeys(pid for pid in person_ids if pid))
    silo_id = conversation.silo_id if conversation is not None else None
    # Only a path of this site: a notification never links elsewhere ("//host" and "/\host"
    # are other sites to a browser).
    link = link if link.startswith("/") and link[1:2] not in ("/", "\\") else ""
    return [Notification(person_id=pid, kind=kind, conversation=conversation, silo_id=silo_id,
                         text=text[:TEXT_MAX], link=link, created_at=now, first_at=now)
            for pid in ids]


@transaction.atomic
def save(rows: list[Notification]) -> list[Notification]:
    """Write `rows`: those their person turned off dropped, SLA notices grouped."""
    rows = wanted(rows)
    rows = _grouped(rows)
    created = Notification.objects.bulk_create(rows) if rows else []
    queue_emails(created)
    return created


def wanted(rows: list) -> list:
    """`rows` without those whose person turned their kind off (one query; two when an
    always-on kind was turned off by someone who may not)."""
    if not rows:
        return rows
    muted = set(NotificationPreference.objects.filter(
        person_id__in={r.person_id for r in rows}, kind__in={r.kind for r in rows},
        enabled=False).values_list("person_id", "kind"))
    if not muted:
        return rows
    forced = always_on({pid for pid, kind in muted if kind in ALWAYS_ON})
    muted = {(pid, kind) for pid, kind in muted if not (kind in ALWAYS_ON and pid in forced)}
    return [r for r in rows if (r.person_id, r.kind) not in muted]


def email_choices(pairs: Iterable[tuple[int, str]]) -> dict[tuple[int, str], str]:
    """How each (person, kind) in `pairs` wants it by email (one query; two when an always-on
    kind was set to no email by someone who may not: they get it at once)."""
    pairs = set(pairs)
    if not pairs:
        return {}
    chosen = {(pid, kind): email for pid, kind, email in NotificationPreference.objects.filter(
        person_id__in={p for p, _ in pairs}, kind__in={k for _, k in pairs},
    ).exclude(email="").values_list("person_id", "kind", "email")}
    never = {pid for (pid, kind), email in chosen.items()
             if kind in ALWAYS_ON and email == EmailChoice.NEVER}
    forced = always_on(never)
    return {(pid, kind): EmailChoice.NOW if pid in forced and kind in ALWAYS_ON
            and chosen.get((pid, kind)) == EmailChoice.NEVER
            else chosen.get((pid, kind), EMAIL_DEFAULT[kind]) for pid, kind in pairs}


def queue_emails(rows: list[Notification]) -> int:
    """Put an email in the outbox for each saved notification whose person wants its kind at
    once, in the caller's transaction; returns how many."""
    choices = email_choices((r.person_id, r.kind) for r in rows)
    return outbox.queue([outbox.Draft(key=f"notification:{r.pk}", person_id=r.person_id,
                                      topic="notification", source_id=r.pk)
                         for r in rows if choices[(r.person_id, r.kind)] == EmailChoice.NOW])


def always_on(person_ids: Iterable[int]) -> set[int]:
    """Those of `person_ids` who may not turn off SLA breaches and safety: captains of any
    silo, people of the hub, hub admins."""
    ids = set(person_ids)
    if not ids:
        return set()
    return set(Person.objects.filter(
        Q(seats__role=SeatRole.CAPTAIN) | Q(silo__kind=SiloKind.HUB)
        | Q(user__role=Role.HUB_ADMIN, user__is_active=True), pk__in=ids,
    ).values_list("pk", flat=True))


def _grouped(rows: list[Notification]) -> list[Notification]:
    """SLA notices folded into the person's unread group of that silo begun within the hour
    (held for the transaction, so two sweeps count alike); a second one makes a group."""
    burst = [r for r in rows if r.kind in GROUPED and r.silo_id]
    if not burst:
        return rows
    now = timezone.now()
    keyed: dict[tuple, list[Notification]] = {}
    for r in burst:
        keyed.setdefault((r.person_id, r.kind, r.silo_id), []).append(r)
    groups = {}
    for group in Notification.objects.select_for_update().filter(
        person_id__in={k[0] for k in keyed}, kind__in={k[1] for k in keyed},
        silo_id__in={k[2] for k in keyed}, read_at=None, first_at__gte=now - WINDOW,
    ).order_by("created_at", "id"):
        groups[(group.person_id, group.kind, group.silo_id)] = group  # the newest wins
    names = dict(Silo.objects.filter(pk__in={k[2] for k in keyed}).values_list("pk", "name"))
    fresh, changed = [], []
    for key, items in keyed.items():
        group = groups.get(key)
        if group is None and len(items) == 1:
            fresh.append(items[0])
            continue
        if group is None:
            group, items = items[0], items[1:]
            fresh.append(group)
        else:
            changed.append(group)
        group.count += len(items)
        group.conversation = None
        group.created_at = now
        group.text = f"{group.count} {GROUPED[key[1]]} in {names.get(key[2], 'a silo')} " \
                     "within an hour"
    if changed:
        Notification.objects.bulk_update(changed, ["count", "conversation", "created_at",
                                                   "text"])
    folded = {id(r) for r in burst}
    return [r for r in rows if id(r) not in folded] + fresh


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


def seat(silo_id: int | None) -> list[int]:
    """Who speaks for `silo_id` at the table: its active captains, else its delegates; [] is
    an empty seat, a silo nobody represents."""
    if silo_id is None:
        return []
    rows = list(SeatMember.objects.filter(silo_id=silo_id, person__is_active=True)
                .order_by("person_id").values_list("person_id", "role"))
    return [pk for pk, role in rows if role == SeatRole.CAPTAIN] or [pk for pk, _ in rows]


def captains_or_hub(silo_id: int | None) -> list[int]:
    """Who hears of a breach: the silo's captains, or the hub when it has none."""
    return captains(silo_id) or hub_people()


def hub_people() -> list[int]:
    """Who hears of an escalation: the hub silos' captains and the hub admins' people."""
    hub_captain = Q(seats__silo__kind=SiloKind.HUB, seats__role=SeatRole.CAPTAIN)
    hub_admin = Q(user__role=Role.HUB_ADMIN, user__is_active=True)
    return list(Person.objects.filter(hub_captain | hub_admin, is_active=True)
                .values_list("pk", flat=True).distinct())
