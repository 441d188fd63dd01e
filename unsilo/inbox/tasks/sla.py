"""The SLA sweep: at 80 % of a clock the assignee is warned, at breach the silo's captains are
told (the hub, when the silo has none), and after another 50 % of the target the hub. Each
step happens once per conversation (`sla_state` only climbs, set with a conditional UPDATE),
so any number of workers may sweep; notices go through notify.save (choices, grouping).

The first-response clock runs until `first_response_at`, the resolution clock until the
conversation is resolved; `sla_state` holds the furthest either clock has gone. Handoff and
reopen start a new clock (state "").
"""

import datetime

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django_tasks import task

from unsilo.core import audit, worker
from unsilo.core.actor import Actor
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
    moves = []
    for conversation in running.iterator(chunk_size=1000):
        level, which, due = _reached(clock, conversation, now)
        current = LEVELS.index(conversation.sla_state) if conversation.sla_state in LEVELS else 0
        if level > current:
            moves.append((conversation, current, level, which, due))
    counts = {name: 0 for name in LEVELS[1:]}
    told = Told()
    for start in range(0, len(moves), BATCH):
        for level in _advance(moves[start:start + BATCH], told):
            counts[LEVELS[level]] += 1
    return counts


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
def _advance(moves: list, told: Told) -> list[int]:
    """Move a batch of conversations on, in one transaction; returns the levels reached."""
    reached, notes, events = [], [], []
    groups: dict[tuple[int, int], list[int]] = {}
    for conversation, current, level, _, _ in moves:
        groups.setdefault((current, level), []).append(conversation.pk)
    moved = set()
    for (current, level), ids in groups.items():
        moved |= _move(ids, LEVELS[current], LEVELS[level])
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


def _move(ids: list[int], old: str, new: str) -> set[int]:
    """Set `new` on those of `ids` still in state `old`; returns the ids it moved. Only the
    sweep that moves a conversation on tells anyone: a second one finds it moved already."""
    quote = connection.ops.quote_name
    table, state, pk = (quote(Conversation._meta.db_table), quote("sla_state"), quote("id"))
    marks = ", ".join(["%s"] * len(ids))
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET {state} = %s WHERE {state} = %s AND {pk} IN ({marks}) "  # noqa: S608 - names from the model
            f"RETURNING {pk}", [new, old, *ids])
        return {row[0] for row in cursor.fetchall()}


@task()
def sweep() -> dict[str, int]:
    return sweep_slas()


def _running() -> bool:
    """Whether any clock runs at all (two index probes): an empty inbox queues no sweeps."""
    open_ = Conversation.objects.filter(status__in=[Status.OPEN, Status.WAITING])
    return (open_.filter(first_response_due__isnull=False).exists()
            or open_.filter(resolution_due__isnull=False).exists())


def enqueue_sweep() -> None:
    """Queue a sweep when a clock runs, unless one is already waiting (every worker's heart
    calls this)."""
    from django_tasks_db.backend import DatabaseBackend
    from django_tasks_db.models import DBTaskResult

    if not _running():
        return
    if isinstance(sweep.get_backend(), DatabaseBackend) and (
        DBTaskResult.objects.ready().filter(task_path=sweep.module_path).exists()
    ):
        return
    sweep.enqueue()


worker.every(SWEEP_EVERY, enqueue_sweep)
