"""The SLA sweep: at 80 % of a clock the assignee is warned, at breach the silo's captains are
told (the hub, when the silo has none), and after another 50 % of the target the hub. Each
step happens once per conversation (`sla_state` only climbs, set with a conditional UPDATE),
so any number of workers may sweep; each conversation is read again, locked, in the
transaction that moves it on, so one resolved or handed off meanwhile is left alone. Notices
go through notify.save (choices, grouping). The sweep is a periodic job (core/periodic.py).

The first-response clock runs until `first_response_at`, the resolution clock until the
conversation is resolved; `sla_state` holds the furthest either clock has gone. Handoff and
reopen start a new clock (state "").
"""

import datetime

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from unsilo.core import audit, periodic
from unsilo.core.actor import Actor
from unsilo.core.claims import claim
from unsilo.core.models import AuditEvent, Via
from unsilo.inbox import notify, sla
from unsilo.inbox.models import Conversation, NotificationKind, Status

SWEEPER = Actor.system(via=Via.WORKER, label="sla")
SWEEP_EVERY = 30  # seconds
LEVELS = ["", "warned", "breached", "escalated"]
BATCH = 500  # state changes per transaction
WARN_AT = 0.8  # of the target gone
ESCALATE_AFTER = 0.5  # of the target again, past the breach
# What the sweep reads (str() of a conversation, for audit rows, needs author and preview).
FIELDS = ("id", "silo_id", "assignee_id", "author", "network", "preview", "urgency", "status",
          "sla_state", "first_response_at", "first_response_due", "resolution_due")


def _level(calendar: sla.Calendar, due: datetime.datetime, target: int,
           now: datetime.datetime) -> int:
    if now >= calendar.add(due, target * ESCALATE_AFTER):
        return 3
    if now >= due:
        return 2
    if now >= calendar.subtract(due, target * (1 - WARN_AT)):
        return 1
    return 0


def _reached(clock: sla.Clock, conversation: Conversation, now: datetime.datetime
             ) -> tuple[int, str, datetime.datetime | None]:
    """(level, which clock, its due time): the furthest of the running clocks."""
    calendar = clock.calendar(conversation.silo_id)
    first, resolution = clock.targets(conversation.silo_id, conversation.urgency)
    best = (0, "", None)
    if conversation.first_response_at is None and conversation.first_response_due:
        best = max(best, (_level(calendar, conversation.first_response_due, first, now),
                          "first response", conversation.first_response_due),
                   key=lambda b: b[0])
    if conversation.resolution_due:
        best = max(best, (_level(calendar, conversation.resolution_due, resolution, now),
                          "resolution", conversation.resolution_due), key=lambda b: b[0])
    return best


def sweep_slas(now: datetime.datetime | None = None) -> dict[str, int]:
    """Move every open conversation's SLA state on; returns how many reached each state."""
    now = now or timezone.now()
    clock = sla.clock()
    # status IN (…) rather than != resolved: an index walk, not a scan of the resolved past.
    running = (Conversation.objects.filter(status__in=[Status.OPEN, Status.WAITING])
               .exclude(sla_state="escalated")
               .filter(Q(first_response_at=None, first_response_due__isnull=False)
                       | Q(resolution_due__isnull=False))
               .only(*FIELDS).order_by())
    ids = [c.pk for c in running.iterator(chunk_size=1000) if _move(clock, c, now)]
    counts = {name: 0 for name in LEVELS[1:]}
    told = Told()
    for start in range(0, len(ids), BATCH):
        for level in _advance(ids[start:start + BATCH], clock, now, told):
            counts[LEVELS[level]] += 1
    return counts


def _move(clock: sla.Clock, conversation: Conversation, now: datetime.datetime) -> tuple | None:
    """(conversation, current level, level reached, which clock, due) when it moves on."""
    level, which, due = _reached(clock, conversation, now)
    current = LEVELS.index(conversation.sla_state) if conversation.sla_state in LEVELS else 0
    return (conversation, current, level, which, due) if level > current else None


def _locked(ids: list[int]) -> list[Conversation]:
    """The conversations of `ids` still open, read again and locked for this transaction
    (PostgreSQL; SQLite's writers are serialised already)."""
    query = (Conversation.objects.filter(pk__in=ids, status__in=[Status.OPEN, Status.WAITING])
             .only(*FIELDS).order_by("id"))
    if connection.features.has_select_for_update:
        query = query.select_for_update(of=("self",))
    return list(query)


class Told:
    """Who hears of what, looked up once per sweep."""

    def __init__(self):
        self._captains: dict[int | None, list[int]] = {}
        self._hub: list[int] | None = None

    def captains(self, silo_id: int | None) -> list[int]:
        if silo_id not in self._captains:
            # A silo nobody captains is not left unheard: the hub hears of it.
            self._captains[silo_id] = notify.captains_or_hub(silo_id)
        return self._captains[silo_id]

    def hub(self) -> list[int]:
        if self._hub is None:
            self._hub = notify.hub_people()
        return self._hub


@transaction.atomic
def _advance(ids: list[int], clock: sla.Clock, now: datetime.datetime, told: Told
             ) -> list[int]:
    """Move a batch of conversations on, in one transaction; returns the levels reached.
    Each is read again under its lock, so one resolved, answered, handed off or moved on by
    another sweep since the first read is judged as it is now, not as it was."""
    moves = [move for c in _locked(ids) if (move := _move(clock, c, now))]
    reached, notes, events = [], [], []
    groups: dict[tuple[int, int], list[int]] = {}
    for conversation, current, level, _, _ in moves:
        groups.setdefault((current, level), []).append(conversation.pk)
    moved = set()
    for (current, level), group in groups.items():
        # Conditional: only the sweep that moves a conversation on tells anyone.
        moved |= set(claim(Conversation.objects.filter(pk__in=group,
                                                       sla_state=LEVELS[current]),
                           sla_state=LEVELS[level]))
    for conversation, current, level, which, due in moves:
        if conversation.pk not in moved:
            continue
        reached.append(level)
        silo_id = conversation.silo_id
        at = f"{due.astimezone(datetime.UTC):%Y-%m-%d %H:%M} UTC"
        change = {"clock": which, "due": due.isoformat()}
        whose = f"{conversation.author}'s conversation"
        if level == 1:
            people = ([conversation.assignee_id] if conversation.assignee_id
                      else told.captains(silo_id))
            notes += notify.unsaved(people, NotificationKind.SLA_WARNING, conversation,
                                    f"SLA 80 % gone on {whose}: {which} is due {at}")
            events.append(audit.event(SWEEPER, "sla_warning", conversation, change, silo_id))
        if current < 2 <= level:
            notes += notify.unsaved(told.captains(silo_id), NotificationKind.SLA_BREACH,
                                    conversation, f"SLA breached on {whose}: {which} was due {at}")
            events.append(audit.event(SWEEPER, "sla_breach", conversation, change, silo_id))
        if level == 3:
            notes += notify.unsaved(told.hub(), NotificationKind.SLA_BREACH, conversation,
                                    f"SLA escalated to the hub: {whose}, {which} was due {at}")
            events.append(audit.event(SWEEPER, "sla_escalation", conversation, change,
                                      silo_id))
    notify.save(notes)  # each person's choices, and bursts grouped
    AuditEvent.objects.bulk_create(events)
    return reached


def _running() -> bool:
    """Whether any clock runs at all (two index probes): an empty inbox queues no sweeps."""
    open_ = Conversation.objects.filter(status__in=[Status.OPEN, Status.WAITING])
    return (open_.filter(first_response_due__isnull=False).exists()
            or open_.filter(resolution_due__isnull=False).exists())


periodic.every(SWEEP_EVERY, sweep_slas, when=_running)
