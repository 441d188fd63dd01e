"""The background half of the web import of people (import_actions.py queues it): check the
kept file again against the database as it is now, import it, and report progress on the
PeopleImport row the page polls.
"""

import logging

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from unsilo.core import actions
from unsilo.core.actor import Actor
from unsilo.core.models import Via
from unsilo.org.importer import SeatCounts, apply_people_import, parse_people_csv
from unsilo.org.models import ImportStatus, PeopleImport

log = logging.getLogger("unsilo.org.import")

# How often a running import writes its progress, in seconds: the page polls every second.
PROGRESS_EVERY = 0.5


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
        **seat_fields(result.seats),
    })


def seat_fields(seats: SeatCounts) -> dict:
    """A PeopleImport's seat counts (the preview's and the result's)."""
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
