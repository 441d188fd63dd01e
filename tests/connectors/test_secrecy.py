"""A planted token, typed in as an app password through the connect form and the API, never
comes back out: not in a page, an API answer, the OpenAPI document, a 500 page, a log line
(DEBUG), the audit log or any database row — even when the network echoes it in its errors.
Only a worker can open stored credentials."""

import logging

import pytest
from django.apps import apps
from django.core import serializers
from django.db import transaction

from tests import factories as f
from tests.connectors import fakes_connect
from tests.connectors.fakes_connect import fake_networks  # noqa: F401 - a fixture
from unsilo.connectors import credentials, outbound, sending, tasks
from unsilo.connectors.models import Connection, ConnectionStatus, DeliveryState
from unsilo.connectors.testing.fakeapi import FakeAPI, Reply
from unsilo.core.actor import Actor
from unsilo.inbox.models import Message

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fake_networks")]

TOKEN = "PLANTED-9f3c2b7e1d4a"


@pytest.fixture
def network():
    server = FakeAPI()
    # A careless network that repeats the credential it was sent in its error messages.
    server.route("GET", "/me", Reply(401, json={"error": f"bad token {TOKEN} for this app"}))
    yield server
    server.close()


@pytest.fixture
def logs(caplog):
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="unsilo")
    caplog.set_level(logging.DEBUG, logger="django")
    return caplog


def everything_stored() -> str:
    """Every row of every table unsilo owns, as text."""
    models = [m for m in apps.get_models()
              if m._meta.app_label in {"core", "org", "accounts", "inbox", "connectors"}]
    return "".join(serializers.serialize("json", m.objects.all()) for m in models)


def test_a_planted_token_never_comes_back_out(
        client, login, api, admin, network, logs, settings, django_capture_on_commit_callbacks):
    settings.UNSILO_DEMO_DELIVERY = False
    care = f.silo("Care")
    by_form = f.account(care, network="testpass", handle="acme-form")
    by_api = f.account(care, network="testpass", handle="acme-api")
    answers = []

    # In through the connect form and the API; the worker's check fails, echoing it.
    browser = login(admin)
    with django_capture_on_commit_callbacks(execute=True):
        answers.append(browser.post(f"/accounts/{by_form.pk}/connect/",
                                    {"api_base": network.url, "app_password": TOKEN},
                                    follow=True))
    token_api = api(admin)
    with django_capture_on_commit_callbacks(execute=True):
        answers.append(token_api.post(f"/api/v1/accounts/{by_api.pk}/connect",
                                      {"api_base": network.url, "app_password": TOKEN},
                                      content_type="application/json"))
    failed = Connection.objects.get(account=by_form)
    assert failed.status == ConnectionStatus.EXPIRED and "bad token" in failed.last_error
    assert network.calls("GET", "/me")[0].headers["authorization"] == f"Bearer {TOKEN}"

    # The network accepts it now: verify, fetch, a fetch that fails, a reply that fails.
    network.route("GET", "/me", json={"id": "u1", "handle": "acme-api"})
    conn = Connection.objects.get(account=by_api)
    assert tasks.verify_connection.call(conn.pk) == ConnectionStatus.CONNECTED
    network.route("GET", "/mentions", [
        Reply(json={"items": [{"id": "m1", "text": "hello", "author": "bob",
                               "at": "2026-11-30T10:00:00+00:00"}], "cursor": "c1"}),
        Reply(500, json={"message": f"internal error handling {TOKEN}"})])
    assert tasks.fetch_connection.call(conn.pk) == 1
    tasks.fetch_connection.call(conn.pk)
    network.route("POST", "/posts", Reply(400, json={"error": f"{TOKEN} may not post"}))
    with transaction.atomic():
        delivery = outbound.queue(Actor.system(), kind="reply", network="testpass", text="Hi!",
                                  account=by_api, in_reply_to="m1")
    sending.send(delivery.pk)
    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.FAILED and "may not post" in delivery.last_error
    assert Message.objects.filter(external_id="m1").exists()

    # Every page and answer that could show it.
    for path in ("/accounts/", f"/accounts/{by_form.pk}/", f"/accounts/{by_api.pk}/",
                 f"/accounts/{by_api.pk}/connect/", "/admin/audit/"):
        answers.append(browser.get(path))
    for path in (f"/api/v1/accounts/{by_api.pk}/connection",
                 f"/api/v1/accounts/{by_form.pk}/connection", "/api/v1/audit",
                 "/api/v1/openapi.json"):
        answers.append(token_api.get(path))
    assert [a.status_code for a in answers] == [200, 202] + [200] * 9

    # A server error while the token is in the request, on a production (DEBUG off) setup.
    settings.DEBUG = False
    client.raise_request_exception = False

    def broken(self, options, form):
        raise RuntimeError("the connector fell over")

    fakes_connect.PasswordNetwork.connect = broken
    try:
        crash = browser.post(f"/accounts/{by_form.pk}/connect/",
                             {"api_base": network.url, "app_password": TOKEN})
    finally:
        del fakes_connect.PasswordNetwork.connect
    assert crash.status_code == 500
    answers.append(crash)

    for answer in answers:
        assert TOKEN not in answer.content.decode(), answer.request["PATH_INFO"]
    formatter = logging.Formatter("%(name)s %(levelname)s %(message)s")
    lines = [formatter.format(record) for record in logs.records]
    assert any("Internal Server Error" in line for line in lines)  # the crash was logged
    assert not [line for line in lines if TOKEN in line]
    stored = everything_stored()
    assert "bad token" in stored and TOKEN not in stored
    with credentials.worker_access():
        assert credentials.open_session(conn).secret["app_password"] == TOKEN


def test_credentials_open_only_inside_worker_access():
    conn = Connection.objects.create(account=f.account(network="testpass"), network="testpass",
                                     secret=credentials.encrypt({"app_password": TOKEN}))
    with pytest.raises(PermissionError):
        credentials.open_session(conn)
    with credentials.worker_access():
        session = credentials.open_session(conn)
    assert TOKEN not in repr(session) and TOKEN not in conn.secret
