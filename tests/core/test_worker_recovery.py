"""A worker killed mid-task loses nothing: real `unsilo worker` processes, kill -9, restart.

The company lives in its own SQLite file (or a fresh PostgreSQL database when the suite runs
on PostgreSQL), outside the test database, because the workers are separate processes.
"""

import datetime
import os
import signal
import subprocess
import sys
import textwrap
import time
import uuid
from pathlib import Path

import pytest
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from unsilo.core.worker import prune_finished_tasks, requeue_orphaned_tasks

UNSILO = str(Path(sys.executable).with_name("unsilo"))
PEOPLE = 30_000


@pytest.fixture
def company(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    env.update({
        "UNSILO_DATA_DIR": str(tmp_path),
        "UNSILO_SECRET_KEY": "s" * 40,
        "UNSILO_WORKER_BEAT_SECONDS": "0.5",
        "UNSILO_WORKER_DEAD_SECONDS": "3",
    })
    admin_url = os.environ.get("DATABASE_URL", "")
    name = f"unsilo_worker_{uuid.uuid4().hex[:8]}"
    if admin_url.startswith("postgres"):
        import psycopg

        with psycopg.connect(admin_url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as c:
            c.execute(f'CREATE DATABASE "{name}"')
        env["DATABASE_URL"] = admin_url.rsplit("/", 1)[0] + f"/{name}"
    else:
        env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'unsilo.sqlite3'}"
    subprocess.run([UNSILO, "migrate"], env=env, check=True, capture_output=True)
    yield env
    if admin_url.startswith("postgres"):
        import psycopg

        with psycopg.connect(admin_url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as c:
            c.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def python(env, code: str) -> str:
    prelude = "import django, os; django.setup()\n"
    result = subprocess.run(
        [sys.executable, "-c", prelude + textwrap.dedent(code)],
        env={**env, "DJANGO_SETTINGS_MODULE": "unsilo.settings"},
        capture_output=True, text=True, timeout=300, cwd=Path(__file__).parents[2],
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def status(env) -> str:
    return python(env, """
        from unsilo.org.models import PeopleImport
        r = PeopleImport.objects.get()
        print(r.status, "|", r.step)
    """)


def start_worker(processes, env):
    return processes([UNSILO, "worker", "--interval", "0.2"], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def wait_for(env, predicate, seconds):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        now = status(env)
        if predicate(now):
            return now
        time.sleep(0.2)
    pytest.fail(f"gave up waiting; import is {now}")


@pytest.mark.django_db
def test_killed_worker_mid_import_loses_nothing_and_doubles_nothing(processes, company):
    env = company
    python(env, f"""
        import sys
        sys.path.insert(0, "bench")
        import csv, io
        from people_csv import HEADER, people_rows
        from unsilo.core.actions import create_login
        from unsilo.core.actor import Actor
        from unsilo.core.models import Role
        from unsilo.org.import_actions import check_people_import, confirm_people_import
        admin = create_login(Actor.system(), email="lead@example.com",
                             password="a long pass phrase", role=Role.HUB_ADMIN)
        out = io.StringIO()
        w = csv.writer(out, lineterminator="\\n")
        w.writerow(HEADER)
        w.writerows(people_rows({PEOPLE}))
        record, plan = check_people_import(Actor.for_user(admin), "hr.csv", out.getvalue().encode())
        confirm_people_import(Actor.for_user(admin), record.pk)
    """)
    assert status(env).startswith("queued")

    first = start_worker(processes, env)
    try:
        wait_for(env, lambda s: s.startswith("running | Writing"), 120)
        time.sleep(0.5)
    finally:
        first.send_signal(signal.SIGKILL)
        first.wait()
    # The import's one transaction died with the worker: nothing is half-written.
    assert python(env, """
        from unsilo.org.models import Person
        print(Person.objects.count())
    """) == "0"

    second = start_worker(processes, env)
    try:
        wait_for(env, lambda s: s.startswith("done"), 180)
    finally:
        second.send_signal(signal.SIGTERM)
        second.wait(30)
    counts = python(env, """
        from django_tasks_db.models import DBTaskResult
        from unsilo.core.models import AuditEvent
        from unsilo.org.models import Person
        task = DBTaskResult.objects.get(task_path="unsilo.org.tasks.import_people")
        print(Person.objects.count(),
              AuditEvent.objects.filter(object_type="org.person", action="create").count(),
              task.status, len(task.worker_ids))
    """)
    assert counts == f"{PEOPLE} {PEOPLE} SUCCESSFUL 2"
    assert second.returncode == 0


@pytest.mark.django_db
def test_a_task_that_keeps_killing_workers_is_failed_not_retried_for_ever():
    task = DBTaskResult.objects.create(
        args_kwargs={"args": [1], "kwargs": {}}, task_path="unsilo.org.tasks.import_people",
        status=TaskResultStatus.RUNNING, worker_ids=["gone-1", "gone-2", "gone-3", "gone-4",
                                                     "gone-5"],
    )
    assert requeue_orphaned_tasks() == 0
    task.refresh_from_db()
    assert task.status == TaskResultStatus.FAILED
    assert "died" in task.traceback


@pytest.mark.django_db
def test_old_finished_task_rows_are_pruned_and_recent_or_pending_ones_kept():
    now = timezone.now()
    base = {"task_path": "x.y", "args_kwargs": {"args": [], "kwargs": {}}, "queue_name": "default",
            "backend_name": "default", "priority": 0}
    old_ok = DBTaskResult.objects.create(status=TaskResultStatus.SUCCESSFUL,
                                         finished_at=now - datetime.timedelta(hours=2), **base)
    new_ok = DBTaskResult.objects.create(status=TaskResultStatus.SUCCESSFUL,
                                         finished_at=now - datetime.timedelta(minutes=5), **base)
    old_failed = DBTaskResult.objects.create(status=TaskResultStatus.FAILED,
                                             finished_at=now - datetime.timedelta(days=2), **base)
    waiting = DBTaskResult.objects.create(status=TaskResultStatus.READY, **base)
    assert prune_finished_tasks(now) == 1
    left = set(DBTaskResult.objects.values_list("pk", flat=True))
    assert left == {new_ok.pk, old_failed.pk, waiting.pk}
    assert old_ok.pk not in left
