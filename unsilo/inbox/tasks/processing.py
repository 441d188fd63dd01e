"""The inbox's processing task: stored messages are threaded, classified, routed and notified.

Ingestion enqueues `process_messages()` once its messages are committed. The task processes
whatever is RECEIVED when it runs, so a burst of single-message API calls becomes one batch;
while one such task waits in the queue, ingestion does not add another. After a full batch it
enqueues one more, so a second idle worker shares a large file. A periodic job processes
messages left RECEIVED (`process_left_over`: a failed task, an enqueue lost with its process).
"""

import logging
import time

from django.db import connection
from django_tasks import task

from unsilo.core import periodic
from unsilo.inbox.models import Direction, Message, MessageState

log = logging.getLogger("unsilo.inbox")


@task()
def process_messages(message_ids: list[int] | None = None) -> dict:
    """Process the RECEIVED messages `message_ids` (None: every RECEIVED message)."""
    from unsilo.inbox import pipeline  # the classifier loads only where work is done

    if message_ids is None:
        _drop_waiting_duplicates()
    started = time.perf_counter()
    done = pipeline.process_pending(message_ids, more=enqueue_processing)
    if done.messages:
        log.info("processed %d messages in %.2f s: %d new conversations, %d routed",
                 done.messages, time.perf_counter() - started, done.conversations, done.routed)
    return {"messages": done.messages, "conversations": done.conversations,
            "routed": done.routed, "triage": done.triage, "reopened": done.reopened}


def enqueue_processing() -> None:
    """Enqueue `process_messages()` unless one is already waiting to run (it will see
    everything committed before it starts)."""
    from django_tasks_db.backend import DatabaseBackend

    if isinstance(process_messages.get_backend(), DatabaseBackend) and _one_waiting():
        return
    process_messages.enqueue()


def _drop_waiting_duplicates() -> None:
    """Busy API clients can queue a few of these at once; this run does their work too (their
    messages were committed before they were queued, so it sees them), so drop them."""
    from django_tasks import TaskResultStatus
    from django_tasks_db.backend import DatabaseBackend
    from django_tasks_db.models import DBTaskResult

    if not isinstance(process_messages.get_backend(), DatabaseBackend):
        return
    waiting = DBTaskResult.objects.filter(status=TaskResultStatus.READY,
                                          task_path=process_messages.module_path)
    plain = [pk for pk, args in waiting.values_list("pk", "args_kwargs")
             if not args.get("args") and not args.get("kwargs")]
    if plain:
        DBTaskResult.objects.filter(pk__in=plain, status=TaskResultStatus.READY).delete()


def _one_waiting() -> bool:
    # Raw SQL: every API call asks, and building the ORM query would cost more than running it.
    from django_tasks import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    with connection.cursor() as cursor:
        cursor.execute(f"SELECT 1 FROM {DBTaskResult._meta.db_table} "  # noqa: S608
                       "WHERE status = %s AND task_path = %s LIMIT 1",
                       [TaskResultStatus.READY, process_messages.module_path])
        return cursor.fetchone() is not None


def _left_over() -> bool:
    return Message.objects.filter(state=MessageState.RECEIVED,
                                  direction=Direction.INBOUND).exists()


def process_left_over() -> dict:
    """The safety net: messages left RECEIVED are processed (the heart asks `_left_over`
    first, so an idle inbox queues nothing)."""
    return process_messages.call()


periodic.every(30, process_left_over, when=_left_over)
