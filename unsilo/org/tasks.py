"""Background work for the organisation: each task takes ids and calls an action."""

from django_tasks import task

from unsilo.org import import_run


@task()
def import_people(import_id: int) -> None:
    """Import a checked and confirmed people CSV (a PeopleImport), reporting progress on it."""
    import_run.run_people_import(import_id)
