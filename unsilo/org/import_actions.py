"""The web imports: people (check an upload, confirm it, run it in the background) and silos.

The uploaded people file is kept in a PeopleImport so that confirming imports exactly the file
that was previewed; the task (import_run.py) checks it again against the database as it is
when it runs. A silos file is small: the preview page sends it back with the confirmation, and
it is checked again and imported at once.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import get_object_or_404
from django.utils import timezone

from unsilo.core import actions
from unsilo.core.actor import Actor
from unsilo.core.permissions import require
from unsilo.org import tasks
from unsilo.org.import_run import seat_fields
from unsilo.org.importer import ImportPlan, parse_people_csv
from unsilo.org.models import ImportStatus, PeopleImport
from unsilo.org.silo_import import SiloPlan, apply_silos_import, check_silos_csv

RECENT = 10


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
        **seat_fields(plan.seats),
    )
    return actions.create(actor, record), plan


@transaction.atomic
def confirm_people_import(actor: Actor, pk: int) -> PeopleImport:
    """Queue a checked file for import; the task starts once this is committed."""
    require(actor, "org.import_people")
    record = get_object_or_404(PeopleImport.objects.select_for_update(), pk=pk)
    if record.status != ImportStatus.CHECKED:
        raise ValidationError(f"This import is already {record.get_status_display().lower()}.")
    actions.update(actor, record, {
        "status": ImportStatus.QUEUED, "confirmed_by": actor.user, "confirmed_at": timezone.now(),
        "step": "Waiting for a worker",
    })
    transaction.on_commit(lambda: tasks.import_people.enqueue(record.pk))
    return record


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
