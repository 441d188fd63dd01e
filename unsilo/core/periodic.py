"""Periodic jobs: registered once, enqueued by every worker's heart, run by whichever worker
takes the task — never by the heart, so a slow job cannot stop a worker beating.

Each job keeps at most one waiting task, however many workers on however many machines beat:
its `PeriodicJob` row holds its next turn and the task that runs it. A heart that finds the
turn due moves it on with a conditional UPDATE (of several hearts, one wins; the row stays
locked until it commits), then enqueues the job only when its last task is no longer READY or
RUNNING and the job's cheap check (`when`, an index probe) says there is something to do.
"""

import dataclasses
import datetime
import logging
from collections.abc import Callable

from django.db import transaction
from django.utils import timezone
from django_tasks import TaskResultStatus, task
from django_tasks_db.models import DBTaskResult

from unsilo.core.models import PeriodicJob

log = logging.getLogger("unsilo.worker")

WAITING = (TaskResultStatus.READY, TaskResultStatus.RUNNING)


@dataclasses.dataclass(frozen=True)
class Job:
    name: str
    seconds: float
    func: Callable[[], object]
    when: Callable[[], bool] | None = None


JOBS: dict[str, Job] = {}


def every(seconds: float, func: Callable[[], object], when: Callable[[], bool] | None = None
          ) -> Job:
    """Run `func` about every `seconds` on some worker; `when`, if given, is asked first (by
    the heart, so it must be a quick query) whether there is anything to do."""
    job = Job(f"{func.__module__}.{func.__qualname__}", seconds, func, when)
    JOBS[job.name] = job
    return job


def shortest() -> float | None:
    return min((job.seconds for job in JOBS.values()), default=None)


@task()
def run_job(name: str) -> object:
    """The task that runs one periodic job."""
    job = JOBS.get(name)
    if job is None:  # registered by another version of unsilo (a rolling upgrade)
        log.warning("periodic job %s is not known to this worker", name)
        return None
    return job.func()


def enqueue_due(now: datetime.datetime | None = None) -> list[str]:
    """Enqueue the jobs whose turn has come and that have no task waiting; returns their names.
    Safe to call from any number of hearts at once."""
    now = now or timezone.now()
    turns = dict(PeriodicJob.objects.filter(name__in=list(JOBS)).values_list("name", "due_at"))
    new = [name for name in JOBS if name not in turns]
    if new:  # a job registered since the last look (or a fresh database): due at once
        PeriodicJob.objects.bulk_create([PeriodicJob(name=n, due_at=now) for n in new],
                                        ignore_conflicts=True)
    due = [name for name, at in turns.items() if at <= now] + new
    return [name for name in due if _enqueue_if_due(JOBS[name], now)]


def _enqueue_if_due(job: Job, now: datetime.datetime) -> bool:
    with transaction.atomic():
        turn = now + datetime.timedelta(seconds=job.seconds)
        if not PeriodicJob.objects.filter(name=job.name, due_at__lte=now).update(due_at=turn):
            return False  # another heart took this turn
        task_id = PeriodicJob.objects.filter(name=job.name).values_list("task_id", flat=True)[0]
        if task_id and DBTaskResult.objects.filter(pk=task_id, status__in=WAITING).exists():
            return False  # its task still waits or runs
        if job.when is not None and not job.when():
            return False
        result = run_job.enqueue(job.name)
        PeriodicJob.objects.filter(name=job.name).update(task_id=result.id)
    return True
