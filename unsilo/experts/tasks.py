"""The expertise index follows resolved history: after an import or a resolution commits, one
rebuild is enqueued (none when one is already waiting, so a burst of resolutions costs one)."""

import logging

from django.db import transaction
from django_tasks import TaskResultStatus, task

log = logging.getLogger("unsilo.experts")


@task()
def rebuild_index() -> None:
    from unsilo.experts.index import rebuild

    rebuild()


def _waiting() -> bool:
    from django_tasks import default_task_backend

    if not default_task_backend.supports_defer:  # the tests' immediate backend: none waits
        return False
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.filter(task_path=rebuild_index.module_path,
                                       status=TaskResultStatus.READY).exists()


def rebuild_soon() -> None:
    """After the current transaction commits, rebuild the index (once for a burst)."""
    def go() -> None:
        if not _waiting():
            rebuild_index.enqueue()

    transaction.on_commit(go)
