"""SLA targets and clocks, counted in a silo's business hours.

A silo's business hours are its own `BusinessHours`, else its parent's (up the tree), else the
hub's, else round the clock. Targets come from the silo's `SlaPolicy` for the urgency, else
DEFAULT_TARGETS. Time is added on the wall clock of the silo's time zone (zoneinfo), and every
window is measured between real instants, so a day with a DST change counts its real length.

`due_times` reads the database each call; a batch (the ingestion pipeline) loads everything
once with `clock()` and asks `Clock.due_times` per conversation.
"""

import datetime
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from unsilo.inbox.models import BusinessHours, SlaPolicy, Urgency
from unsilo.org.models import Silo, SiloKind

UTC = datetime.UTC
# urgency: (first response, resolution) in business minutes, when a silo has no policy.
DEFAULT_TARGETS: dict[str, tuple[int, int]] = {
    Urgency.URGENT: (30, 4 * 60),
    Urgency.HIGH: (60, 8 * 60),
    Urgency.NORMAL: (4 * 60, 24 * 60),
    Urgency.LOW: (8 * 60, 72 * 60),
}
# A calendar with no working day at all would loop for ever: stop after this many days.
MAX_DAYS = 3700
MIDNIGHT = datetime.time(0)


@dataclass(frozen=True)
class Calendar:
    """Working windows: `start`–`end` local time on `weekdays` (0 = Monday) in `tz`.
    `tz` None means round the clock."""

    tz: ZoneInfo | None = None
    start: datetime.time = datetime.time(9)
    end: datetime.time = datetime.time(17)
    weekdays: frozenset[int] = field(default_factory=lambda: frozenset(range(7)))

    @classmethod
    def from_hours(cls, hours: BusinessHours | None) -> "Calendar":
        if hours is None or hours.always_open:
            return cls()
        try:
            tz = ZoneInfo(hours.timezone or "UTC")
        except (ZoneInfoNotFoundError, ValueError):
            tz = ZoneInfo("UTC")
        days = frozenset(hours.weekdays) if hours.weekdays else frozenset(range(7))
        return cls(tz=tz, start=_time(hours.start), end=_time(hours.end), weekdays=days)

    def add(self, start: datetime.datetime, minutes: float) -> datetime.datetime:
        """The instant `minutes` of working time after `start`."""
        remaining = datetime.timedelta(minutes=minutes)
        if self.tz is None:
            return start + remaining
        current = start.astimezone(UTC)
        day = start.astimezone(self.tz).date()
        for _ in range(MAX_DAYS):
            if day.weekday() in self.weekdays:
                opens, closes = self._window(day)
                current = max(current, opens)
                if current < closes:
                    if remaining <= closes - current:
                        return (current + remaining).astimezone(start.tzinfo or UTC)
                    remaining -= closes - current
            day += datetime.timedelta(days=1)
        raise ValueError("These business hours never open.")

    def subtract(self, end: datetime.datetime, minutes: float) -> datetime.datetime:
        """The instant `minutes` of working time before `end`."""
        remaining = datetime.timedelta(minutes=minutes)
        if self.tz is None:
            return end - remaining
        current = end.astimezone(UTC)
        day = end.astimezone(self.tz).date()
        for _ in range(MAX_DAYS):
            if day.weekday() in self.weekdays:
                opens, closes = self._window(day)
                current = min(current, closes)
                if current > opens:
                    if remaining <= current - opens:
                        return (current - remaining).astimezone(end.tzinfo or UTC)
                    remaining -= current - opens
            day -= datetime.timedelta(days=1)
        raise ValueError("These business hours never open.")

    def is_open(self, at: datetime.datetime) -> bool:
        if self.tz is None:
            return True
        day = at.astimezone(self.tz).date()
        opens, closes = self._window(day)
        return day.weekday() in self.weekdays and opens <= at < closes

    def _window(self, day: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
        # Wall-clock times made real instants: a 09:00–17:00 day is 8 h even across a DST change.
        opens = datetime.datetime.combine(day, self.start, tzinfo=self.tz).astimezone(UTC)
        # An end of 00:00 means midnight at the end of the day.
        end_day = day + datetime.timedelta(days=1) if self.end == MIDNIGHT else day
        closes = datetime.datetime.combine(end_day, self.end, tzinfo=self.tz).astimezone(UTC)
        return opens, closes


def _time(value) -> datetime.time:
    return value if isinstance(value, datetime.time) else datetime.time.fromisoformat(str(value))


@dataclass
class Clock:
    """Every silo's calendar and targets, loaded once (three queries)."""

    parents: dict[int, int | None]
    hours: dict[int, BusinessHours]
    policies: dict[tuple[int, str], tuple[int, int]]
    hub_ids: list[int]
    _calendars: dict[int | None, Calendar] = field(default_factory=dict)

    def calendar(self, silo_id: int | None) -> Calendar:
        if silo_id not in self._calendars:
            self._calendars[silo_id] = Calendar.from_hours(self._hours_for(silo_id))
        return self._calendars[silo_id]

    def _hours_for(self, silo_id: int | None) -> BusinessHours | None:
        seen = set()
        node = silo_id
        while node is not None and node not in seen:
            if node in self.hours:
                return self.hours[node]
            seen.add(node)
            node = self.parents.get(node)
        for hub in self.hub_ids:
            if hub in self.hours:
                return self.hours[hub]
        return None

    def targets(self, silo_id: int | None, urgency: str) -> tuple[int, int]:
        default = DEFAULT_TARGETS.get(urgency, DEFAULT_TARGETS[Urgency.NORMAL])
        return self.policies.get((silo_id, urgency), default)

    def due_times(self, silo_id: int | None, urgency: str, start: datetime.datetime
                  ) -> tuple[datetime.datetime, datetime.datetime]:
        first, resolution = self.targets(silo_id, urgency)
        calendar = self.calendar(silo_id)
        return calendar.add(start, first), calendar.add(start, resolution)


def clock() -> Clock:
    silos = list(Silo.objects.values_list("pk", "parent_id", "kind"))
    return Clock(
        parents={pk: parent for pk, parent, _ in silos},
        hours={h.silo_id: h for h in BusinessHours.objects.all()},
        policies={(p.silo_id, p.urgency): (p.first_response_minutes, p.resolution_minutes)
                  for p in SlaPolicy.objects.all()},
        hub_ids=sorted(pk for pk, _, kind in silos if kind == SiloKind.HUB),
    )


def due_times(silo_id: int | None, urgency: str, start: datetime.datetime
              ) -> tuple[datetime.datetime, datetime.datetime]:
    """(first response due, resolution due) for a conversation that reached `silo_id` at
    `start` with `urgency`."""
    return clock().due_times(silo_id, urgency, start)
