"""The expertise index follows resolved history: after a resolution commits, one rebuild is
enqueued — none when one is already waiting, so a burst of resolutions costs one — and not
sooner than `GAP_FACTOR` times the last rebuild's own duration after it (at least `MIN_GAP`),
so rebuilding takes at most about a fifth of one worker however busy the inbox is. An import
rebuilds at once (inbox/history.py); a worker builds a missing index (an installation upgraded
with history already there) within a minute."""

import datetime
import logging

from django.db import transaction
from django.utils import timezone
from django_tasks import TaskResultStatus, default_task_backend, task

log = logging.getLogger("unsilo.experts")
MIN_GAP = datetime.timedelta(seconds=10)
GAP_FACTOR = 4


@task()
def rebuild_index() -> None:
    from unsilo.experts.index import rebuild

    rebuild()


def index_missing() -> bool:
    """History to learn from and no index built from it yet (two indexed probes)."""
    from unsilo.experts.models import ExpertIndex
    from unsilo.inbox.models import ResolvedExample

    return not ExpertIndex.objects.exists() and ResolvedExample.objects.exists()


def build_missing() -> None:
    """The periodic job: build the index when there is none (a rebuild is idempotent)."""
    from unsilo.experts.index import rebuild

    if index_missing():
        rebuild()


def _waiting() -> bool:
    """A rebuild already waits in the database queue (now or deferred)."""
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.filter(task_path=rebuild_index.module_path,
                                       status=TaskResultStatus.READY).exists()


def next_turn(now: datetime.datetime) -> datetime.datetime | None:
    """When the next rebuild may run; None: at once."""
    from unsilo.experts.models import ExpertIndex

    last = ExpertIndex.objects.only("built_at", "seconds").first()
    if last is None:
        return None
    when = last.built_at + max(MIN_GAP, GAP_FACTOR * datetime.timedelta(seconds=last.seconds))
    return when if when > now else None


def rebuild_soon() -> None:
    """After the current transaction commits, rebuild the index (once for a burst)."""
    def go() -> None:
        if not default_task_backend.supports_defer:  # the tests' immediate backend
            rebuild_index.enqueue()
            return
        if _waiting():
            return
        when = next_turn(timezone.now())
        (rebuild_index.using(run_after=when) if when else rebuild_index).enqueue()

    transaction.on_commit(go)
