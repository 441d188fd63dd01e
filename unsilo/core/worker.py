"""The background worker: runs tasks from the database queue (django-tasks-db).

`unsilo worker` runs one per process, on as many machines as you like: each claims a task with
SELECT … FOR UPDATE SKIP LOCKED (PostgreSQL) or an exclusive transaction (SQLite), so no two
workers run the same task. `unsilo demo` runs one in a thread beside the web server.

A worker killed mid-task (kill -9, a lost machine) loses nothing: every worker beats a
heartbeat, and any worker puts a task held by a worker silent for longer than DEAD_AFTER back
on the queue. Tasks take ids and make their effects idempotent, so running one again is safe.

The heart (a side thread with its own connection) only beats, requeues and enqueues the
periodic jobs that are due (core/periodic.py); the jobs themselves run as tasks, so however
slow one is, the heart keeps beating.
"""

import datetime
import logging
import os
import socket
import threading
import time

from django.db import close_old_connections, connection, transaction
from django.db.models import Q
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from unsilo.core import periodic
from unsilo.core.models import WorkerBeat

log = logging.getLogger("unsilo.worker")

# Seconds; the environment may shorten them (the tests do).
BEAT_EVERY = float(os.environ.get("UNSILO_WORKER_BEAT_SECONDS", 5))
DEAD_AFTER = datetime.timedelta(seconds=float(os.environ.get("UNSILO_WORKER_DEAD_SECONDS", 30)))
# A task that has taken down this many workers is failed rather than retried for ever.
MAX_ATTEMPTS = 5


def make_worker(queues: str = "*", interval: float = 0.5) -> Worker:
    worker_id = f"{socket.gethostname()}-{os.getpid()}-{threading.get_ident() % 10000}"[:64]
    return Worker(
        queue_names=queues.split(","),
        interval=interval,
        batch=False,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id=worker_id,
        excluded_queue_names=[],
    )


def beat(worker_id: str) -> None:
    now = timezone.now()
    WorkerBeat.objects.update_or_create(
        worker_id=worker_id,
        defaults={"seen_at": now, "host": socket.gethostname(), "pid": os.getpid()},
        create_defaults={"seen_at": now, "started_at": now, "host": socket.gethostname(),
                         "pid": os.getpid()},
    )


# Finished task rows are kept this long (to read what happened), then deleted.
KEEP_SUCCESSFUL = datetime.timedelta(hours=1)
KEEP_FAILED = datetime.timedelta(days=7)


def prune_finished_tasks(now: datetime.datetime | None = None) -> int:
    """Delete old finished task rows, so a busy inbox (a task per ingest call) stays small."""
    now = now or timezone.now()
    deleted, _ = DBTaskResult.objects.filter(
        Q(status=TaskResultStatus.SUCCESSFUL, finished_at__lt=now - KEEP_SUCCESSFUL)
        | Q(status=TaskResultStatus.FAILED, finished_at__lt=now - KEEP_FAILED)
    ).delete()
    return deleted


def requeue_orphaned_tasks(now: datetime.datetime | None = None) -> int:
    """Put tasks held by workers that stopped beating back on the queue; returns how many."""
    now = now or timezone.now()
    alive = set(WorkerBeat.objects.filter(seen_at__gte=now - DEAD_AFTER)
                .values_list("worker_id", flat=True))
    requeued = 0
    with transaction.atomic():
        for task in DBTaskResult.objects.select_for_update(skip_locked=True).filter(
            status=TaskResultStatus.RUNNING
        ):
            holder = task.worker_ids[-1] if task.worker_ids else ""
            if holder in alive:
                continue
            if len(task.worker_ids) >= MAX_ATTEMPTS:
                task.set_failed(RuntimeError(
                    f"The worker died while running this task {len(task.worker_ids)} times."
                ))
                log.error("task %s failed after %d lost workers", task.pk, len(task.worker_ids))
                continue
            task.status = TaskResultStatus.READY
            task.started_at = None
            task.save(update_fields=["status", "started_at"])
            requeued += 1
            log.warning("task %s (%s) requeued: worker %s stopped", task.pk, task.task_path,
                        holder)
    WorkerBeat.objects.filter(seen_at__lt=now - 10 * DEAD_AFTER).delete()
    return requeued


class Heart(threading.Thread):
    """Beats for one worker, requeues the tasks of dead ones and enqueues the periodic jobs
    that are due, on its own connection. It never runs a job: a slow one would stop the beat,
    and a healthy worker would be declared dead and its task run twice."""

    def __init__(self, worker_id: str):
        super().__init__(name=f"heartbeat-{worker_id}", daemon=True)
        self.worker_id = worker_id
        self.stopped = threading.Event()

    def run(self) -> None:
        last_beat = -BEAT_EVERY
        while True:
            close_old_connections()
            if time.monotonic() - last_beat >= BEAT_EVERY:
                last_beat = time.monotonic()
                try:
                    beat(self.worker_id)
                    requeue_orphaned_tasks()
                except Exception:  # noqa: BLE001 - a missed beat must not stop the worker
                    log.exception("heartbeat failed")
            try:
                periodic.enqueue_due()
            except Exception:  # noqa: BLE001 - a failed enqueue is tried again next time
                log.exception("enqueueing periodic jobs failed")
            # Wake often enough for the most frequent periodic job (the outbound sweep, 2 s).
            if self.stopped.wait(min(BEAT_EVERY, periodic.shortest() or BEAT_EVERY)):
                break
        WorkerBeat.objects.filter(worker_id=self.worker_id).delete()
        connection.close()

    def stop(self) -> None:
        self.stopped.set()
        self.join(BEAT_EVERY * 2)


def run_in_process(worker: Worker) -> None:
    """Run until the process is told to stop (SIGINT/SIGTERM finish the current task first)."""
    log.info("worker %s started", worker.worker_id)
    heart = Heart(worker.worker_id)
    heart.start()
    worker.configure_signals()
    try:
        worker.run()
    finally:
        heart.stop()


class WorkerThread(threading.Thread):
    """The embedded worker of `unsilo demo`: the same loop, stopped by `stop()`."""

    def __init__(self, interval: float = 0.5):
        super().__init__(name="unsilo-worker", daemon=True)
        self.worker = make_worker(interval=interval)
        self.heart = Heart(self.worker.worker_id)

    def run(self) -> None:
        self.heart.start()
        try:
            self.worker.run()
        finally:
            connection.close()

    def stop(self, timeout: float = 10) -> None:
        self.worker.running = False
        self.join(timeout)
        self.heart.stop()
