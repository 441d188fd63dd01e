"""Debounced retraining of the routing model as conversations are resolved in the inbox.

Resolving adds a ResolvedExample and calls `retrain_soon()` (after commit). The task retrains
once `InboxSettings.retrain_after` examples arrived since the last training, or when
`retrain_minutes` have passed since it and at least one new example is waiting; otherwise it
schedules itself for that moment (one pending task at a time). See learning/training.py.
"""

import datetime
import logging

from django.db import transaction
from django.utils import timezone
from django_tasks import default_task_backend, task

from unsilo.inbox.models import InboxSettings, ResolvedExample, RoutingModel

log = logging.getLogger("unsilo.routing")


def due(now: datetime.datetime | None = None) -> tuple[bool, datetime.datetime | None]:
    """(retrain now?, else when to look again — None when there is nothing new)."""
    now = now or timezone.now()
    last = RoutingModel.objects.order_by("-version").only("trained_at").first()
    new = ResolvedExample.objects.filter(added_at__gt=last.trained_at) if last else \
        ResolvedExample.objects.all()
    settings = InboxSettings.current()
    count = new.count()
    if count == 0:
        return False, None
    if last is None or count >= settings.retrain_after:
        return True, None
    when = last.trained_at + datetime.timedelta(minutes=settings.retrain_minutes)
    return (True, None) if now >= when else (False, when)


@task()
def retrain_if_due() -> None:
    """Retrain when due; else look again when it will be."""
    from unsilo.inbox.routing.training import train

    now_due, when = due()
    if now_due:
        model = train()
        if model is not None:
            log.info("routing model v%s trained on %s examples", model.version, model.examples)
    elif when is not None:
        _enqueue(when)


@task()
def replace_unreadable_model(version: int) -> None:
    """Retrain because stored model `version` was refused (routing.router); once, even when
    every worker asked: a newer version means another worker did it already."""
    from unsilo.inbox.routing.training import train

    if RoutingModel.objects.filter(version__gt=version).exists():
        return
    model = train()
    if model is not None:
        log.info("routing model v%s trained on %s examples to replace unreadable v%s",
                 model.version, model.examples, version)


def _pending(now_due: bool) -> bool:
    """A retrain task already waits in the database queue (one to run now, when `now_due`)."""
    from django.db.models import Q
    from django_tasks import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    waiting = DBTaskResult.objects.filter(task_path=retrain_if_due.module_path,
                                          status=TaskResultStatus.READY)
    if now_due:
        now = timezone.now()
        # Not deferred (run_after is then the far future) or deferred to a moment now past.
        waiting = waiting.filter(Q(run_after__lte=now)
                                 | Q(run_after__gte=now + datetime.timedelta(days=3650)))
    return waiting.exists()


def _enqueue(when: datetime.datetime | None = None) -> None:
    if not default_task_backend.supports_defer:
        if when is None:
            retrain_if_due.enqueue()
        return  # no deferred tasks (the tests' immediate backend): the next resolve looks
    if _pending(when is None):
        return
    (retrain_if_due.using(run_after=when) if when else retrain_if_due).enqueue()


def retrain_soon() -> None:
    """After the current transaction commits, retrain now or schedule it (debounced)."""
    def go() -> None:
        now_due, when = due()
        if now_due or when is not None:
            _enqueue(None if now_due else when)

    transaction.on_commit(go)
