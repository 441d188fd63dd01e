"""`core.actions.update` changes the row as it is now, locked, and writes only what changed: an
edit of another field made meanwhile (another tab, another worker) survives."""

import threading

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests import factories
from unsilo.core import actions
from unsilo.core.actor import Actor
from unsilo.core.models import AuditEvent
from unsilo.org.models import Silo

SYSTEM = Actor.system(label="test")


def updates(queries) -> list[str]:
    return [q["sql"] for q in queries if q["sql"].startswith("UPDATE")]


@pytest.mark.django_db
def test_only_the_fields_that_changed_are_written():
    silo = factories.silo("Care", description="Customers")
    with CaptureQueriesContext(connection) as queries:
        actions.update(SYSTEM, silo, {"description": "Customers, by phone", "name": "Care"})
    (sql,) = updates(queries)
    assert '"description"' in sql
    assert '"name"' not in sql and '"slug"' not in sql and '"parent_id"' not in sql


@pytest.mark.django_db
def test_nothing_is_written_when_nothing_changed():
    silo = factories.silo("Care")
    with CaptureQueriesContext(connection) as queries:
        actions.update(SYSTEM, silo, {"name": "Care"})
    assert updates(queries) == []
    assert not AuditEvent.objects.filter(action="update").exists()


@pytest.mark.django_db
def test_an_edit_from_a_stale_copy_keeps_what_was_changed_meanwhile():
    silo = factories.silo("Care", description="Customers")
    mine, theirs = Silo.objects.get(pk=silo.pk), Silo.objects.get(pk=silo.pk)
    actions.update(SYSTEM, theirs, {"name": "Customer Care"})
    actions.update(SYSTEM, mine, {"description": "Customers, by phone"})
    silo.refresh_from_db()
    assert (silo.name, silo.description) == ("Customer Care", "Customers, by phone")
    assert mine.name == "Customer Care"  # the caller's copy is the row as it now stands


@pytest.mark.django_db
def test_the_audit_row_is_the_difference_from_the_row_as_it_was_locked():
    silo = factories.silo("Care")
    stale = Silo.objects.get(pk=silo.pk)
    actions.update(SYSTEM, silo, {"name": "Customer Care"})
    actions.update(SYSTEM, stale, {"name": "Care Team"})
    last = AuditEvent.objects.filter(action="update").order_by("-id").first()
    assert last.changes == {"name": ["Customer Care", "Care Team"]}


@pytest.mark.django_db(transaction=True)
@pytest.mark.postgresql
def test_two_concurrent_updates_of_different_fields_both_survive():
    silo = factories.silo("Care", description="Customers")
    both_read = threading.Barrier(2, timeout=20)
    failures = []

    def edit(data):
        try:
            copy = Silo.objects.get(pk=silo.pk)
            both_read.wait()  # each holds the row as it was before either wrote
            actions.update(SYSTEM, copy, data)
        except Exception as error:  # noqa: BLE001 - reported below
            failures.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=edit, args=(data,)) for data in (
        {"name": "Customer Care"}, {"description": "Customers, by phone"})]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert failures == []
    silo.refresh_from_db()
    assert (silo.name, silo.description) == ("Customer Care", "Customers, by phone")
