"""What the worker finds about a connection — failing, expired, working again — is written on
the connection with one audit row per change of status, and never overrides a person's
disconnect made meanwhile."""

import pytest

from tests.connectors import factories as conn_factories
from unsilo.accounts.models import Account
from unsilo.connectors import actions, plugins, sending, status, tasks
from unsilo.connectors.base import AuthExpired, Connector, ConnectorError, Page
from unsilo.connectors.models import Connection, ConnectionStatus, Delivery
from unsilo.core.actor import Actor
from unsilo.core.models import AuditEvent, Via

pytestmark = pytest.mark.django_db


class Flaky(Connector):
    """A network that answers as `answers` says, one answer a call."""

    name = "flaky"
    label = "Flaky"
    answers: list = []

    def fetch(self, session, position):
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return Page(messages=[], position=position)

    def deliver(self, session, out):
        raise self.answers.pop(0)

    def verify(self, session):
        raise self.answers.pop(0)


@pytest.fixture
def flaky(monkeypatch):
    monkeypatch.setattr(plugins, "connector", lambda name: Flaky() if name == "flaky" else None)
    Flaky.answers = []
    return Flaky


def audited(conn) -> list[tuple[str, dict]]:
    rows = AuditEvent.objects.filter(object_type="connectors.connection",
                                     object_id=str(conn.pk)).order_by("id")
    return [(row.action, row.changes) for row in rows]


def test_a_failing_fetch_is_audited_once_and_its_recovery_too(flaky):
    conn = conn_factories.connection("flaky")
    flaky.answers = [ConnectorError("503: try later"), ConnectorError("503: still down"), "ok"]
    for _ in range(3):
        tasks.fetch_connection.call(conn.pk)
    conn.refresh_from_db()
    assert (conn.status, conn.last_error) == (ConnectionStatus.CONNECTED, "")
    assert audited(conn) == [
        ("connection_failing", {"status": ["connected", "error"],
                                "last_error": ["", "503: try later"]}),
        ("connection_working", {"status": ["error", "connected"],
                                "last_error": ["503: still down", ""]}),
    ]
    row = AuditEvent.objects.filter(action="connection_failing").get()
    assert (row.via, row.actor_label, row.silo_id) == (Via.WORKER, "flaky connector",
                                                       conn.account.owner_silo_id)


def test_a_token_refused_on_send_marks_the_connection_expired_with_an_audit_row(flaky):
    conn = conn_factories.connection("flaky")
    flaky.answers = [AuthExpired("401: token revoked")]
    delivery = Delivery.objects.create(kind="reply", network="flaky", text="Hi",
                                       account=conn.account, idempotency_key="k1")
    sending.send(delivery.pk)
    conn.refresh_from_db()
    assert conn.status == ConnectionStatus.EXPIRED
    assert audited(conn) == [("connection_expired", {
        "status": ["connected", "expired"], "last_error": ["", "401: token revoked"]})]


def test_credentials_the_network_refuses_at_the_first_check_are_audited_as_expired(flaky):
    conn = conn_factories.connection("flaky", status=ConnectionStatus.PENDING)
    flaky.answers = [AuthExpired("401: bad app password")]
    assert tasks.verify_connection.call(conn.pk) == ConnectionStatus.EXPIRED
    assert audited(conn) == [("connection_expired", {
        "status": ["pending", "expired"], "last_error": ["", "401: bad app password"]})]


def test_the_same_error_again_refreshes_the_text_without_another_audit_row():
    conn = conn_factories.connection("flaky", status=ConnectionStatus.ERROR)
    status.failing(conn, "timeout")
    status.failing(conn, "timeout again")
    conn.refresh_from_db()
    assert conn.last_error == "timeout again"
    assert audited(conn) == []


def test_a_fetch_that_ends_after_a_disconnect_does_not_bring_the_connection_back(flaky,
                                                                                 monkeypatch):
    conn = conn_factories.connection("flaky")
    lead = Actor.system(label="lead")
    answers = iter([ConnectorError("503"), "ok"])

    def disconnect_meanwhile(self, session, position):
        actions.disconnect(lead, Account.objects.get(pk=conn.account_id))
        answer = next(answers)
        if isinstance(answer, Exception):
            raise answer
        return Page(messages=[], position=position)

    monkeypatch.setattr(flaky, "fetch", disconnect_meanwhile)
    for _ in range(2):  # a fetch that fails, then one that succeeds, each after a disconnect
        Connection.objects.filter(pk=conn.pk).update(status=ConnectionStatus.CONNECTED)
        tasks.fetch_connection.call(conn.pk)
        conn.refresh_from_db()
        assert conn.status == ConnectionStatus.DISCONNECTED
    assert [a for a, _ in audited(conn)] == ["disconnect", "disconnect"]


def test_an_expired_connection_waits_for_a_person_however_often_the_worker_looks():
    conn = conn_factories.connection("flaky", status=ConnectionStatus.EXPIRED)
    assert not status.fetched(conn)
    assert not status.failing(conn, "503")
    conn.refresh_from_db()
    assert (conn.status, conn.last_error) == (ConnectionStatus.EXPIRED, "")
    assert audited(conn) == []
