"""The web imports: people (check an upload, confirm it, run it in the background) and silos.

The uploaded people file is kept in a PeopleImport so that confirming imports exactly the file
that was previewed; the task checks it again against the database as it is when it runs. A
silos file is small: the preview page sends it back with the confirmation, and it is checked
again and imported at once.
"""

import logging

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.shortcuts import get_object_or_404
from django.utils import timezone

from unsilo.core import actions
from unsilo.core.actor import Actor
from unsilo.core.models import Via
from unsilo.core.permissions import require
from unsilo.org.importer import ImportPlan, SeatCounts, apply_people_import, parse_people_csv
from unsilo.org.models import ImportStatus, PeopleImport
from unsilo.org.silo_import import SiloPlan, apply_silos_import, check_silos_csv

log = logging.getLogger("unsilo.org.import")

RECENT = 10
# How often a running import writes its progress, in seconds: the page polls every second.
PROGRESS_EVERY = 0.5


def recent_imports(actor: Actor) -> list[PeopleImport]:
    require(actor, "org.import_people")
    return list(PeopleImport.objects.defer("content")[:RECENT])


def people_import(actor: Actor, pk: int) -> PeopleImport:
    require(actor, "org.import_people")
    return get_object_or_404(PeopleImport.objects.defer("content"), pk=pk)


def check_people_import(actor: Actor, filename: str, data: bytes
                        ) -> tuple[PeopleImport | None, ImportPlan]:
    """Validate an upload; keep it, with its preview, when it can be imported."""
    require(actor, "org.import_people")
    plan = parse_people_csv(data)
    if plan.errors:
        return None, plan
    record = PeopleImport(
        created_by=actor.user, filename=filename[:255], content=data,
        status=ImportStatus.CHECKED, people_total=len(plan.rows), people_created=plan.creates,
        people_updated=plan.updates, people_unchanged=plan.unchanged, new_silos=plan.new_silos,
        **_seat_fields(plan.seats),
    )
    return actions.create(actor, record), plan


@transaction.atomic
def confirm_people_import(actor: Actor, pk: int) -> PeopleImport:
    """Queue a checked file for import; the task starts once this is committed."""
    from unsilo.org.tasks import import_people  # tasks imports this module

    require(actor, "org.import_people")
    record = get_object_or_404(PeopleImport.objects.select_for_update(), pk=pk)
    if record.status != ImportStatus.CHECKED:
        raise ValidationError(f"This import is already {record.get_status_display().lower()}.")
    actions.update(actor, record, {
        "status": ImportStatus.QUEUED, "confirmed_by": actor.user, "confirmed_at": timezone.now(),
        "step": "Waiting for a worker",
    })
    transaction.on_commit(lambda: import_people.enqueue(record.pk))
    return record


def run_people_import(import_id: int) -> None:
    """The background task's work: check the kept file again, then import it."""
    record = PeopleImport.objects.get(pk=import_id)
    if record.status not in (ImportStatus.QUEUED, ImportStatus.RUNNING):
        return  # finished already: a task delivered twice must not import twice
    # Still RUNNING means the worker that ran it died: its one transaction rolled back.
    user = record.confirmed_by
    actor = (Actor.for_user(user, via=Via.WORKER) if user is not None
             else Actor.system(via=Via.WORKER, label="worker"))
    _progress(record, status=ImportStatus.RUNNING, step="Checking the file again")
    try:
        if user is None:
            raise PermissionDenied("The person who confirmed this import no longer has a login.")
        reporter = _ProgressWriter(record)
        plan = parse_people_csv(bytes(record.content), progress=reporter)
        if plan.errors:
            raise ValidationError(
                ["The file no longer fits the database, so nothing was imported:"]
                + [f"line {line}: {reason}" for line, reason in plan.errors]
            )
        _progress(record, step=f"Writing {len(plan.rows):,} people", progress_done=0,
                  progress_total=0)
        result = apply_people_import(actor, plan)
    except (ValidationError, PermissionDenied) as error:
        messages = error.messages if isinstance(error, ValidationError) else [str(error)]
        _finish(actor, record, {"status": ImportStatus.FAILED, "error": "\n".join(messages)})
        return
    except Exception:
        log.exception("people import %s failed", import_id)
        _finish(actor, record, {"status": ImportStatus.FAILED,
                                "error": "The import stopped on an unexpected error; nothing "
                                         "was imported. The server log has the details."})
        raise
    _finish(actor, record, {
        "status": ImportStatus.DONE, "people_total": len(plan.rows),
        "people_created": result.created, "people_updated": result.updated,
        "people_unchanged": result.unchanged, "new_silos": result.silos_created,
        **_seat_fields(result.seats),
    })


def _seat_fields(seats: SeatCounts) -> dict:
    return {"seats_added": seats.added, "seats_changed": seats.changed,
            "seats_removed": seats.removed}


def _finish(actor: Actor, record: PeopleImport, data: dict) -> None:
    record.refresh_from_db()
    actions.update(actor, record, {**data, "step": "", "finished_at": timezone.now()})


def _progress(record: PeopleImport, **fields) -> None:
    # Progress is bookkeeping the page polls, not a change anyone made: no audit row for it.
    PeopleImport.objects.filter(pk=record.pk).update(**fields)


class _ProgressWriter:
    """Writes the check's progress to the import at most every PROGRESS_EVERY seconds."""

    def __init__(self, record: PeopleImport):
        self.record = record
        self.last = 0.0

    def __call__(self, phase: str, done: int, total: int) -> None:
        now = timezone.now().timestamp()
        if now - self.last >= PROGRESS_EVERY or done == total:
            self.last = now
            _progress(self.record, progress_done=done, progress_total=total)


# Silos ----------------------------------------------------------------------------------------


def check_silos_import(actor: Actor, data: bytes) -> SiloPlan:
    """What a silos CSV would change, or its bad lines; writes nothing."""
    require(actor, "org.manage_silos")
    return check_silos_csv(data)


def import_silos(actor: Actor, data: bytes) -> SiloPlan:
    """Check the previewed file again and import it, all or nothing; returns what was done."""
    require(actor, "org.manage_silos")
    plan = check_silos_csv(data)
    if plan.errors:
        raise ValidationError([f"line {line}: {reason}" for line, reason in plan.errors])
    return apply_silos_import(actor, plan)
