"""Who can take a conversation at a given moment: absences, capacity and working hours.

Working hours are the person's silo's BusinessHours when it has them, else 09:00–17:00 Monday
to Friday in the person's own time zone; a blank or unknown time zone means always available.
Capacity counts open (and waiting) conversations assigned to the person, once per batch, plus
what the batch itself assigns.
"""

import datetime
import zoneinfo
from dataclasses import dataclass

from django.db.models import Count

from unsilo.inbox.models import Absence, Conversation, Status
from unsilo.org.models import Person

CHUNK = 900  # ids per query: under SQLite's 999 parameters
WORK_START, WORK_END = datetime.time(9), datetime.time(17)
WORKDAYS = (0, 1, 2, 3, 4)  # Monday to Friday


@dataclass(frozen=True)
class PersonInfo:
    id: int
    name: str
    email: str
    silo_id: int
    active: bool
    timezone: str
    capacity: int

    @classmethod
    def load(cls, ids) -> dict[int, "PersonInfo"]:
        ids = sorted(ids)
        people = {}
        for start in range(0, len(ids), CHUNK):
            for row in Person.objects.filter(pk__in=ids[start:start + CHUNK]).values_list(
                    "id", "name", "email", "silo_id", "is_active", "timezone", "capacity"):
                people[row[0]] = cls(*row)
        return people


def zone(name: str) -> zoneinfo.ZoneInfo | None:
    try:
        return zoneinfo.ZoneInfo(name) if name else None
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return None


def _day(moment: datetime.datetime) -> str:
    return f"{moment.day} {moment:%b}"


class Availability:
    """Built once per batch for the moment `at`."""

    def __init__(self, people: dict[int, PersonInfo], hours: dict, at: datetime.datetime):
        self.at, self.hours = at, hours
        ids = sorted(people)
        self.away: dict[int, datetime.datetime] = {}
        self.open: dict[int, int] = {}
        for start in range(0, len(ids), CHUNK):
            chunk = ids[start:start + CHUNK]
            for person_id, ends in Absence.objects.filter(
                    person_id__in=chunk, starts__lte=at, ends__gt=at).values_list(
                    "person_id", "ends"):
                self.away[person_id] = max(ends, self.away.get(person_id, ends))
            self.open.update(Conversation.objects.filter(
                assignee_id__in=chunk, status__in=[Status.OPEN, Status.WAITING])
                .values("assignee_id").annotate(n=Count("id")).values_list("assignee_id", "n"))

    def why_not(self, person: PersonInfo, capacity: bool = True) -> str | None:
        """None when the person can take it now; else why not, in words. `capacity` False:
        a full queue does not count (safety is read first)."""
        found = self.reasons(person)
        if not capacity:
            found.pop("at_capacity", None)
        return next(iter(found.values()), None)

    def reasons(self, person: PersonInfo) -> dict[str, str]:
        """Each reason the person cannot take a conversation now, by kind (`absent`,
        `at_capacity`, `outside_hours`), in that order."""
        found = {}
        if person.id in self.away:
            ends = self.away[person.id]
            until = (f"{ends:%H:%M} UTC" if ends.date() == self.at.date() else _day(ends))
            found["absent"] = f"{person.name} is away until {until}"
        held = self.open.get(person.id, 0)
        if held >= person.capacity:
            held_text = f"{held} open conversation" + ("" if held == 1 else "s")
            found["at_capacity"] = f"{person.name} has {held_text} (capacity {person.capacity})"
        local = self._outside_hours(person)
        if local:
            found["outside_hours"] = f"{person.name} is outside working hours ({local})"
        return found

    def take(self, person: PersonInfo) -> None:
        self.open[person.id] = self.open.get(person.id, 0) + 1

    def _outside_hours(self, person: PersonInfo) -> str | None:
        """The local time when it is outside the person's working hours, else None."""
        bh = self.hours.get(person.silo_id)
        if bh is not None:
            if bh.always_open:
                return None
            tz = zone(bh.timezone)
            start, end, days = bh.start, bh.end, bh.weekdays or list(range(7))
        else:
            tz = zone(person.timezone)
            start, end, days = WORK_START, WORK_END, WORKDAYS
        if tz is None:
            return None
        local = self.at.astimezone(tz)
        if isinstance(start, str):  # a default not yet read back from the database
            start, end = datetime.time.fromisoformat(start), datetime.time.fromisoformat(end)
        if local.weekday() in days and start <= local.time() < end:
            return None
        return f"{local:%a %H:%M} in {tz.key}"
