"""The people import against the database: what the file would change (people and, with a seat
column, seats), and writing it in bulk.

A hundred thousand people must import in seconds, so rows go in with one executemany per
batch rather than through bulk_create, which spends most of its time preparing each value
again; the values are still prepared by the model's own fields, and every audit row is made by
`audit.snapshot`, `audit.diff` and `audit.event`, like every other write in unsilo.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field

from unsilo.core import audit
from unsilo.core.actor import Actor
from unsilo.core.bulk import bare, chunks, insert_rows, update_rows
from unsilo.core.models import AuditEvent
from unsilo.org.importer_checks import PersonRow
from unsilo.org.models import Person, SeatMember, Silo, search_text

# Emails per query when looking people up: under SQLite's 999 parameters.
CHUNK = 900
# Rows per executemany, and per batch of audit rows held in memory.
BATCH = 2000
# The stored values a row of the file is compared with.
COMPARED = ("email", "name", "title", "silo_id", "skills", "languages", "timezone", "manager_id")
POSITION = {name: n for n, name in enumerate(COMPARED, start=1)}  # after the id
NEW = object()  # an id the database has not given yet: never equal to an existing one

# progress(phase, done, total): phase is "validating" or "writing".
Progress = Callable[[str, int, int], None]


class Meter:
    """Reports progress in about 200 steps, however many rows there are."""

    def __init__(self, progress: Progress | None, phase: str, total: int):
        self.progress, self.phase, self.total = progress, phase, max(total, 1)
        self.done = self.reported = 0
        self.step = max(1, self.total // 200)

    def to(self, done: int) -> None:
        self.done = min(done, self.total)
        if self.progress and (self.done - self.reported >= self.step or self.done == self.total):
            self.reported = self.done
            self.progress(self.phase, self.done, self.total)

    def advance(self, n: int) -> None:
        self.to(self.done + n)


@dataclass
class Changes:
    silo_ids: dict[str, int]  # casefolded silo name -> id, for silos that exist
    new_silos: list[str]
    manager_ids: dict[str, int]  # email -> id, for people (managers or not) already stored
    to_create: list[PersonRow] = field(default_factory=list)
    to_update: list[tuple[PersonRow, int]] = field(default_factory=list)  # (row, person id)
    unchanged: int = 0
    unknown_managers: list[PersonRow] = field(default_factory=list)
    # The seat column: rows whose person takes their silo's seat, changes role, or leaves it.
    seats_to_add: list[PersonRow] = field(default_factory=list)
    seats_to_change: list[tuple[PersonRow, int]] = field(default_factory=list)  # member id
    seats_to_remove: list[tuple[PersonRow, int]] = field(default_factory=list)

    @property
    def seat_changes(self) -> int:
        return len(self.seats_to_add) + len(self.seats_to_change) + len(self.seats_to_remove)

    def silo_id(self, row: PersonRow):
        return self.silo_ids.get(row.silo.casefold(), NEW)

    def manager_id(self, row: PersonRow, created: dict[str, int] | None = None):
        if not row.manager_email:
            return None
        if row.manager_email in self.manager_ids:
            return self.manager_ids[row.manager_email]
        return (created or {}).get(row.manager_email, NEW)


def target_values(row: PersonRow, silo_id, manager_id) -> dict:
    """The Person attributes this row sets (by attname), only for the columns the file has."""
    values = {"name": row.name, "title": row.title, "silo_id": silo_id}
    if row.skills is not None:
        values["skills"] = row.skills
    if row.languages is not None:
        values["languages"] = row.languages
    if row.timezone is not None:
        values["timezone"] = row.timezone
    if row.manager_email is not None:
        values["manager_id"] = manager_id
    return values


def resolve(rows: list[PersonRow], meter: Meter | None = None) -> Changes:
    """Which people are new, which change and which stay as they are, in the database now."""
    silo_ids = {name.casefold(): pk for pk, name in Silo.objects.values_list("pk", "name")}
    new_silos: dict[str, str] = {}
    for row in rows:
        key = row.silo.casefold()
        if key not in silo_ids:
            new_silos.setdefault(key, row.silo)
    # email -> (id, stored values in COMPARED order): tuples, a third of the memory of dicts.
    stored: dict[str, tuple] = {}
    for chunk in chunks([row.email for row in rows], CHUNK):
        stored.update((values[1], values) for values in
                      Person.objects.filter(email__in=chunk).values_list("id", *COMPARED))
        if meter:
            meter.advance(len(chunk) // 2)
    manager_ids = {email: values[0] for email, values in stored.items()}
    wanted = sorted({r.manager_email for r in rows if r.manager_email} - stored.keys())
    for chunk in chunks(wanted, CHUNK):
        manager_ids.update(Person.objects.filter(email__in=chunk).values_list("email", "pk"))
    changes = Changes(silo_ids, list(new_silos.values()), manager_ids)
    seats = _stored_seats() if any(row.seat is not None for row in rows) else {}
    in_file = {row.email for row in rows}
    for n, row in enumerate(rows, start=1):
        manager = row.manager_email
        if manager and manager not in in_file and manager not in manager_ids:
            changes.unknown_managers.append(row)
        person = stored.get(row.email)
        if person is None:
            changes.to_create.append(row)
        else:
            values = target_values(row, changes.silo_id(row), changes.manager_id(row))
            if any(person[POSITION[name]] != value for name, value in values.items()):
                changes.to_update.append((row, person[0]))
            else:
                changes.unchanged += 1
        if row.seat is not None:
            _plan_seat(changes, row, seats.get((person and person[0], changes.silo_id(row))))
        if meter and n % CHUNK == 0:
            meter.advance(CHUNK // 2)
    return changes


def _stored_seats() -> dict[tuple[int, int], tuple[int, str]]:
    """(person id, silo id) -> (member id, role) for every seat: a few per silo, so all."""
    return {(person_id, silo_id): (pk, role) for pk, person_id, silo_id, role in
            SeatMember.objects.values_list("pk", "person_id", "silo_id", "role")}


def _plan_seat(changes: Changes, row: PersonRow, held: tuple[int, str] | None) -> None:
    """The file names the seat the person holds for their silo: `row.seat`, or none."""
    if row.seat and held is None:
        changes.seats_to_add.append(row)
    elif row.seat and held[1] != row.seat:
        changes.seats_to_change.append((row, held[0]))
    elif not row.seat and held is not None:
        changes.seats_to_remove.append((row, held[0]))


# Writing: inside the caller's transaction. ------------------------------------------------------


def create_people(actor: Actor, changes: Changes, now: datetime.datetime, meter: Meter
                  ) -> dict[str, int]:
    """Insert the new people, managers before their reports, each with their audit row.

    A manager may come anywhere in the file, so people go in by level: first those whose
    manager is stored already (or who have none), then their reports, and so on; each level
    knows its managers' ids from the one before. People in a loop of managers go in last,
    without one, and have it set in a second pass. Batch by batch, so memory stays flat.
    """
    levels, in_a_loop = _levels(changes.to_create)
    created: dict[str, int] = {}

    def new(row: PersonRow, manager_id) -> Person:
        return _new_person(row, changes.silo_ids[row.silo.casefold()], manager_id, now)

    for group in levels:
        for rows in chunks(group, BATCH):
            people = [new(row, changes.manager_id(row, created)) for row in rows]
            _insert_people(people, created)
            _audit_created(actor, people, now)
            meter.advance(2 * len(people))
    looping = [new(row, None) for row in in_a_loop]
    for people in chunks(looping, BATCH):
        _insert_people(people, created)
    for row, person in zip(in_a_loop, looping, strict=True):
        person.manager_id = changes.manager_id(row, created)
    update_rows(Person, looping, ["manager"])
    for people in chunks(looping, BATCH):
        _audit_created(actor, people, now)
        meter.advance(2 * len(people))
    return created


def _insert_people(people: list[Person], created: dict[str, int]) -> None:
    """Insert, then learn each new person's id (by email, which is unique)."""
    insert_rows(Person, people)
    for chunk in chunks([person.email for person in people], CHUNK):
        created.update(Person.objects.filter(email__in=chunk).values_list("email", "pk"))
    for person in people:
        person.pk = created[person.email]


def _audit_created(actor: Actor, people: list[Person], now: datetime.datetime) -> None:
    write_audit([audit.event(actor, "create", person, audit.diff({}, audit.snapshot(person)),
                             person.silo_id)
                 for person in people], now)


LOOP = -2


def _levels(rows: list[PersonRow]) -> tuple[list[list[PersonRow]], list[PersonRow]]:
    """New people by management level (0: their manager is stored or they have none), and
    those whose chain of managers runs in a loop."""
    by_email = {row.email: row for row in rows}
    level: dict[str, int] = {}
    for row in rows:
        chain, seen, current = [], set(), row
        while True:
            if current.email in level:
                top = level[current.email]
                break
            if current.email in seen:
                top = LOOP
                break
            seen.add(current.email)
            chain.append(current)
            boss = by_email.get(current.manager_email or "")
            if boss is None:
                top = -1
                break
            current = boss
        for depth, member in enumerate(reversed(chain), start=1):
            level[member.email] = LOOP if top == LOOP else top + depth
    levels: list[list[PersonRow]] = [[] for _ in range(max(level.values(), default=-1) + 1)]
    in_a_loop = []
    for row in rows:
        (in_a_loop if level[row.email] == LOOP else levels[level[row.email]]).append(row)
    for group in [*levels, in_a_loop]:
        # In email order, the unique index on email grows at its end: inserts run faster.
        group.sort(key=lambda row: row.email)
    return levels, in_a_loop


def update_people(actor: Actor, columns: tuple[str, ...], changes: Changes,
                  created: dict[str, int], now: datetime.datetime, meter: Meter) -> None:
    """Change the people whose row differs, only in the columns the file has."""
    fields = ["name", "title", "silo", "updated_at", "search"]
    fields += [name for name in ("skills", "languages", "timezone") if name in columns]
    if "manager_email" in columns:
        fields.append("manager")
    for batch in chunks(changes.to_update, BATCH):
        stored = Person.objects.in_bulk([pk for _, pk in batch])
        people, events = [], []
        for row, pk in batch:
            person = stored[pk]
            before = audit.snapshot(person)
            values = target_values(row, changes.silo_ids[row.silo.casefold()],
                                   changes.manager_id(row, created))
            for name, value in values.items():
                setattr(person, name, value)
            person.updated_at = now
            person.search = search_text(person.name, person.email, person.title, person.skills)
            people.append(person)
            events.append(audit.event(actor, "update", person,
                                      audit.diff(before, audit.snapshot(person)), person.silo_id))
        update_rows(Person, people, fields)
        write_audit(events, now)
        meter.advance(len(batch))


def write_seats(actor: Actor, changes: Changes, created: dict[str, int],
                now: datetime.datetime, meter: Meter) -> None:
    """Seat, re-role and unseat the people the seat column names, each with its audit row."""
    silos = Silo.objects.in_bulk(list(changes.silo_ids.values()))
    for rows in chunks(changes.seats_to_add, BATCH):
        members = [_new_member(row, changes.manager_ids.get(row.email) or created[row.email],
                               silos[changes.silo_ids[row.silo.casefold()]], now)
                   for row in rows]
        insert_rows(SeatMember, members)
        ids = {}
        for chunk in chunks([m.person_id for m in members], CHUNK):
            ids.update(((person_id, silo_id), pk) for pk, person_id, silo_id in
                       SeatMember.objects.filter(person_id__in=chunk)
                       .values_list("pk", "person_id", "silo_id"))
        for member in members:
            member.pk = ids[(member.person_id, member.silo_id)]
        write_audit([audit.event(actor, "create", m, audit.diff({}, audit.snapshot(m)),
                                 m.silo_id) for m in members], now)
        meter.advance(len(rows))
    # Ids per IN (…) under SQLite's 999 parameters: CHUNK, not BATCH.
    for batch in chunks(changes.seats_to_change, CHUNK):
        stored = SeatMember.objects.select_related("person", "silo").in_bulk(
            [pk for _, pk in batch])
        members, events = [], []
        for row, pk in batch:
            member = stored[pk]
            before = audit.snapshot(member)
            member.role = row.seat
            members.append(member)
            events.append(audit.event(actor, "update", member,
                                      audit.diff(before, audit.snapshot(member)), member.silo_id))
        update_rows(SeatMember, members, ["role"])
        write_audit(events, now)
        meter.advance(len(batch))
    for batch in chunks(changes.seats_to_remove, CHUNK):
        stored = SeatMember.objects.select_related("person", "silo").in_bulk(
            [pk for _, pk in batch])
        events = [audit.event(actor, "delete", m, audit.diff(audit.snapshot(m), {}), m.silo_id)
                  for m in stored.values()]
        SeatMember.objects.filter(pk__in=list(stored)).delete()
        write_audit(events, now)
        meter.advance(len(batch))


def _new_member(row: PersonRow, person_id: int, silo: Silo, now: datetime.datetime
                ) -> SeatMember:
    member = bare(SeatMember, person_id=person_id, silo_id=silo.pk, role=row.seat, since=now)
    # What its audit row names it by (SeatMember.__str__), without loading the person.
    member.person = bare(Person, id=person_id, name=row.name, email=row.email)
    member.silo = silo
    return member


def write_audit(events: list[AuditEvent], now: datetime.datetime) -> None:
    for event in events:
        event.at = now  # one import, one moment
    insert_rows(AuditEvent, events)


# Bulk SQL -------------------------------------------------------------------------------------

def _new_person(row: PersonRow, silo_id: int, manager_id: int | None,
                now: datetime.datetime) -> Person:
    """A new, unsaved Person, built without Person() (which costs 10x more)."""
    person = bare(Person, **target_values(row, silo_id, manager_id), email=row.email,
                  created_at=now, updated_at=now)
    person.search = search_text(row.name, row.email, row.title, person.skills)
    return person
