"""Import people from a CSV (an HR export): check every line first, then write all or nothing.

`parse_people_csv` reads the file and compares it with the database, writing nothing;
`apply_people_import` writes that plan in one transaction, in bulk, with one audit row per
person or silo created or changed. The CLI (`unsilo org import`) and the web import share both.

The file: a header row with email, name, title, silo and optionally skills and languages
(semicolon-separated), timezone, manager_email and seat, in any order. Line numbers are
physical lines, the header being line 1, so a quoted value spanning lines does not shift them.

A column the file lacks leaves that field alone; an empty cell clears it. So a `seat` column
is authoritative for the people it names, for their silo's seat: `captain` or `delegate` seats
them in that role, empty unseats them; their seats in other silos, and everyone else's, stay
(docs/product.md, "People CSV").
"""

import csv
import io
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone

from unsilo.core.actor import Actor
from unsilo.core.bulk import chunks
from unsilo.core.permissions import require
from unsilo.org.actions import create_silo
from unsilo.org.importer_checks import (
    REQUIRED,
    PersonRow,
    decode,
    header_errors,
    read_row,
    records,
)
from unsilo.org.importer_db import (
    CHUNK,
    Meter,
    Progress,
    create_people,
    resolve,
    update_people,
    write_seats,
)
from unsilo.org.models import Person


@dataclass(frozen=True)
class SeatCounts:
    """What the seat column changes: people seated, seats whose role changes, people unseated."""

    added: int = 0
    changed: int = 0
    removed: int = 0

    @property
    def total(self) -> int:
        return self.added + self.changed + self.removed

    @property
    def any(self) -> bool:
        return bool(self.total)

    @classmethod
    def of(cls, changes) -> "SeatCounts":
        return cls(len(changes.seats_to_add), len(changes.seats_to_change),
                   len(changes.seats_to_remove))


@dataclass
class ImportPlan:
    """What importing the file would do, or why it cannot be imported (errors by line)."""

    columns: tuple[str, ...] = ()
    rows: list[PersonRow] = field(default_factory=list)
    errors: list[tuple[int, str]] = field(default_factory=list)
    creates: int = 0
    updates: int = 0
    unchanged: int = 0
    new_silos: list[str] = field(default_factory=list)
    seats: SeatCounts = SeatCounts()

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def changes_anything(self) -> bool:
        return bool(self.creates or self.updates or self.new_silos or self.seats.any)


@dataclass
class ImportResult:
    created: int
    updated: int
    unchanged: int
    silos_created: list[str]
    seats: SeatCounts = SeatCounts()

    @property
    def changed_anything(self) -> bool:
        return bool(self.created or self.updated or self.silos_created or self.seats.any)


def parse_people_csv(data: bytes, progress: Progress | None = None) -> ImportPlan:
    """Check the whole file against itself and the database; write nothing."""
    plan = ImportPlan()
    problems: dict[int, list[str]] = {}
    text, bad_lines = decode(data)
    for line, reason in bad_lines.items():
        problems.setdefault(line, []).append(reason)
    lines = text.count("\n") + 1
    meter = Meter(progress, "validating", 2 * lines)
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader, None)
    if header is None or not any(h.strip() for h in header):
        plan.errors = [(1, "the first line must be the header: " + ",".join(REQUIRED))]
        return plan
    names = [h.strip().lower() for h in header]
    if reasons := header_errors(names):
        problems.setdefault(1, []).extend(reasons)
        plan.errors = _sorted_errors(problems)
        return plan
    plan.columns = tuple(names)
    first_line_of: dict[str, int] = {}
    read: list[PersonRow] = []  # every row that could be read, valid or not
    for start, end, record in records(reader, len(names), problems, meter):
        cells = {name: cell.strip() for name, cell in zip(names, record, strict=True)}
        reasons: list[str] = []
        row = read_row(cells, start, reasons)
        if row.email:
            if row.email in first_line_of:
                reasons.append(
                    f"duplicate email {row.email} (first on line {first_line_of[row.email]})"
                )
            else:
                first_line_of[row.email] = start
        if bad_lines and any(line in bad_lines for line in range(start, end + 1)):
            continue  # the encoding error says all there is to say about this row
        read.append(row)
        if reasons:
            problems.setdefault(start, []).extend(reasons)
        else:
            plan.rows.append(row)
    meter.to(lines)
    _check_managers(read, first_line_of, problems)
    if problems:
        plan.errors = _sorted_errors(problems)
        plan.rows = []
        return plan
    changes = resolve(plan.rows, meter)
    plan.creates, plan.updates = len(changes.to_create), len(changes.to_update)
    plan.unchanged, plan.new_silos = changes.unchanged, changes.new_silos
    plan.seats = SeatCounts.of(changes)
    meter.to(meter.total)
    return plan


def _sorted_errors(problems: dict[int, list[str]]) -> list[tuple[int, str]]:
    return [(line, "; ".join(problems[line])) for line in sorted(problems)]


def _check_managers(rows: list[PersonRow], in_file: dict[str, int], problems: dict) -> None:
    """A manager is someone in the file (anywhere in it) or already in the database."""
    outside = sorted({r.manager_email for r in rows
                      if r.manager_email and r.manager_email not in in_file})
    known = set()
    for chunk in chunks(outside, CHUNK):
        known.update(Person.objects.filter(email__in=chunk).values_list("email", flat=True))
    for row in rows:
        manager = row.manager_email
        if manager and manager not in in_file and manager not in known:
            problems.setdefault(row.line, []).append(f"unknown manager {manager}")


# Writing ---------------------------------------------------------------------------------------


def apply_people_import(actor: Actor, plan: ImportPlan, progress: Progress | None = None
                        ) -> ImportResult:
    """Write the plan in one transaction: missing silos, new people, changed people, audit rows.

    The database is compared with the file again inside the transaction, so what is written
    fits the database as it is now; a manager who has gone since the check stops the import.
    """
    require(actor, "org.import_people")
    if plan.errors:
        raise ValidationError("The file has errors: fix them and check it again.")
    meter = Meter(progress, "writing",
                  len(plan.rows) + 2 * plan.creates + plan.updates + plan.seats.total)
    with transaction.atomic():
        changes = resolve(plan.rows, meter)
        if changes.unknown_managers:
            raise ValidationError([f"line {row.line}: unknown manager {row.manager_email}"
                                   for row in changes.unknown_managers])
        meter.total = max(1, meter.done + 2 * len(changes.to_create) + len(changes.to_update)
                          + changes.seat_changes)
        for name in changes.new_silos:
            changes.silo_ids[name.casefold()] = create_silo(actor, name=name).pk
        now = timezone.now()
        created = create_people(actor, changes, now, meter)
        update_people(actor, plan.columns, changes, created, now, meter)
        write_seats(actor, changes, created, now, meter)
    if connection.vendor == "postgresql" and len(changes.to_create) + len(changes.to_update) > 1000:
        # Fresh statistics, or the planner misjudges searches over the new rows.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE org_person")
    meter.to(meter.total)
    return ImportResult(created=len(changes.to_create), updated=len(changes.to_update),
                        unchanged=changes.unchanged, silos_created=changes.new_silos,
                        seats=SeatCounts.of(changes))
