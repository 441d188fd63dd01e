"""Periodic jobs: the heart only enqueues them, and each job has at most one waiting task
however many workers beat — in one process, in threads racing with their own connections,
and in real `unsilo worker` processes."""

import contextlib
import datetime
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from django.db import connection
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from tests.core.periodic_jobs import worker_code
from tests.core.test_worker_recovery import company, python  # noqa: F401
from unsilo.core import periodic
from unsilo.core.models import PeriodicJob

ROOT = Path(__file__).parents[2]
SECOND = datetime.timedelta(seconds=1)
calls: list[str] = []


def counted() -> None:
    calls.append("ran")


@pytest.fixture
def job(settings):
    """`counted` registered every 10 s, on the database task queue (as in production)."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    calls.clear()
    registered = periodic.every(10, counted)
    yield registered
    periodic.JOBS.pop(registered.name)


def tasks_of(job) -> list[DBTaskResult]:
    return list(DBTaskResult.objects.filter(task_path=periodic.run_job.module_path,
                                            args_kwargs__args=[job.name]))


@pytest.mark.django_db
def test_a_due_job_is_enqueued_once_and_not_again_while_its_task_waits_or_runs(job):
    now = timezone.now()
    assert job.name in periodic.enqueue_due(now)
    assert calls == []  # the heart only enqueues
    assert job.name not in periodic.enqueue_due(now)  # its turn has moved on
    later = now + 11 * SECOND
    assert job.name not in periodic.enqueue_due(later)  # still READY
    (task,) = tasks_of(job)
    DBTaskResult.objects.filter(pk=task.pk).update(status=TaskResultStatus.RUNNING)
    assert job.name not in periodic.enqueue_due(later + 11 * SECOND)  # RUNNING
    DBTaskResult.objects.filter(pk=task.pk).update(status=TaskResultStatus.SUCCESSFUL)
    assert job.name in periodic.enqueue_due(later + 22 * SECOND)
    assert len(tasks_of(job)) == 2


@pytest.mark.django_db
def test_a_job_with_nothing_to_do_is_not_enqueued(job):
    periodic.JOBS[job.name] = periodic.Job(job.name, job.seconds, job.func, when=lambda: False)
    now = timezone.now()
    assert job.name not in periodic.enqueue_due(now)
    assert PeriodicJob.objects.get(name=job.name).due_at > now  # its turn came and went
    assert tasks_of(job) == []


@pytest.mark.django_db
def test_the_task_runs_the_job_and_an_unknown_job_is_refused_quietly(job):
    periodic.run_job.call(job.name)
    assert calls == ["ran"]
    assert periodic.run_job.call("no.such.job") is None


@pytest.mark.django_db(transaction=True)
@pytest.mark.postgresql
def test_hearts_racing_on_one_due_job_enqueue_it_once(job):
    # Every heart finds the job due at the same instant, each on its own connection.
    hearts = 6
    start = threading.Barrier(hearts, timeout=20)
    now = timezone.now()
    PeriodicJob.objects.create(name=job.name, due_at=now - SECOND)
    failures = []

    def heart():
        try:
            start.wait()
            periodic.enqueue_due(now)
        except Exception as error:  # noqa: BLE001 - reported below
            failures.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=heart) for _ in range(hearts)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert failures == []
    assert len(tasks_of(job)) == 1


# Real worker processes ------------------------------------------------------------------------


def start_worker(processes, env, job: str, seconds: float) -> subprocess.Popen:
    """A real worker, which the `processes` fixture kills with its children however the test
    ends."""
    return processes([sys.executable, "-c", worker_code(job, seconds)], env=env, cwd=ROOT,
                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def stop(workers: list[subprocess.Popen]) -> None:
    """A clean stop first (SIGTERM lets each finish its task)."""
    for w in workers:
        w.send_signal(signal.SIGTERM)
    for w in workers:
        with contextlib.suppress(subprocess.TimeoutExpired):  # the fixture kills it
            w.wait(30)


def wait_until(predicate, seconds: float, what: str):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = predicate()
        if found:
            return found
        time.sleep(0.1)
    pytest.fail(f"gave up waiting: {what}")


@pytest.mark.django_db
def test_a_slow_periodic_job_does_not_stop_its_worker_beating(processes,
                                                              company):  # noqa: F811
    env = company
    data = Path(env["UNSILO_DATA_DIR"])
    worker = start_worker(processes, env, "slow", 0.2)
    try:
        wait_until(lambda: (data / "slow-started").exists(), 120, "the slow job to start")
        beats = f"""
            from unsilo.core.models import WorkerBeat
            print(WorkerBeat.objects.get(pid={worker.pid}).seen_at.timestamp())
        """
        first = float(python(env, beats))
        # The job holds its worker; its heart beats on (every 0.5 s here) all the same.
        wait_until(lambda: float(python(env, beats)) > first + 1, 30,
                   "a beat while the slow job runs")
        assert not (data / "slow-release").exists()
    finally:
        (data / "slow-release").write_text("go")
        stop([worker])


@pytest.mark.django_db
def test_many_workers_keep_at_most_one_waiting_task_per_job(processes, company):  # noqa: F811
    # Crash recovery is not under test here: on a loaded machine a 3 s silence would hand a
    # running task to a second worker, and its second finish would look like an overlap.
    env = {**company, "UNSILO_WORKER_DEAD_SECONDS": "30"}
    workers = [start_worker(processes, env, "busy", 0.05) for _ in range(3)]
    runs = """
        from django_tasks_db.models import DBTaskResult
        print(DBTaskResult.objects.filter(task_path="unsilo.core.periodic.run_job",
              args_kwargs__args=["tests.core.periodic_jobs.busy"],
              status="SUCCESSFUL").count())
    """
    try:
        wait_until(lambda: int(python(env, runs)) >= 8, 180, "eight runs of the job")
    finally:
        stop(workers)
    spans = python(env, """
        from django_tasks_db.models import DBTaskResult
        for t in DBTaskResult.objects.filter(
                task_path="unsilo.core.periodic.run_job",
                args_kwargs__args=["tests.core.periodic_jobs.busy"]).order_by("enqueued_at"):
            print(t.enqueued_at.timestamp(), t.finished_at.timestamp() if t.finished_at else "",
                  len(t.worker_ids))
    """).splitlines()
    rows = [line.split() for line in spans]
    # Each task was enqueued only after the one before it had finished: never two waiting.
    for (_, finished, _), (enqueued, *_) in zip(rows, rows[1:], strict=False):
        assert finished and float(enqueued) >= float(finished)
    assert len(rows) >= 8
