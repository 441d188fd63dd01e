"""Connecting an account from its page: app passwords stored encrypted and never shown again,
the worker's check, reconnect and disconnect with their audit rows, and who may do it."""

import hashlib
import hmac
import time

import pytest

from tests import factories as f
from tests.connectors.factories import stored_secret
from tests.connectors.fakes_connect import fake_networks  # noqa: F401 - a fixture
from unsilo.connectors import credentials, plugins
from unsilo.connectors.models import Connection, ConnectionStatus
from unsilo.connectors.testing.fakeapi import FakeAPI, Reply
from unsilo.core.models import AuditEvent, Role

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fake_networks")]

PASSWORD = "app-pass-7q2x-k9v4"


@pytest.fixture
def api():
    server = FakeAPI()
    server.route("GET", "/me", json={"id": "did:test:42", "handle": "acme.test"})
    yield server
    server.close()


@pytest.fixture
def care():
    return f.silo("Care")


def account(owner, network="testpass"):
    return f.account(owner, network=network, handle=f"acme-{network}")


def connect(client, acc, data, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return client.post(f"/accounts/{acc.pk}/connect/", data)


def test_an_app_password_is_stored_encrypted_checked_and_never_shown_again(
        login, admin, care, api, django_capture_on_commit_callbacks):
    acc = account(care)
    client = login(admin)
    form = client.get(f"/accounts/{acc.pk}/connect/").content.decode()
    assert 'type="password" name="app_password"' in form
    response = connect(client, acc, {"api_base": api.url, "app_password": PASSWORD},
                       django_capture_on_commit_callbacks)
    assert response.status_code == 302 and response["Location"] == f"/accounts/{acc.pk}/"
    page = client.get(response["Location"]).content.decode()
    assert "never shown again" in page and PASSWORD not in page
    conn = Connection.objects.get(account=acc)
    # The worker's check went to the network with the password and recorded whose it is.
    assert api.calls("GET", "/me")[0].headers["authorization"] == f"Bearer {PASSWORD}"
    assert (conn.status, conn.external_id) == (ConnectionStatus.CONNECTED, "did:test:42")
    assert conn.options == {"api_base": api.url} and conn.connected_by.email == admin.email
    assert PASSWORD not in conn.secret and stored_secret(conn) == {"app_password": PASSWORD}
    event = AuditEvent.objects.get(action="connect", object_id=str(conn.pk))
    assert event.changes["secret"] == [None, "[redacted, new]"]
    assert event.silo_id == care.pk and PASSWORD not in str(event.changes)
    assert AuditEvent.objects.filter(action="connection_verified").count() == 1
    # Going back to the form shows the server address but never the password.
    again = client.get(f"/accounts/{acc.pk}/connect/").content.decode()
    assert api.url in again and PASSWORD not in again and "Reconnect" in again


def test_the_networks_refusal_is_shown_on_the_account_page(
        login, admin, care, api, django_capture_on_commit_callbacks):
    api.route("GET", "/me", Reply(401, json={"error": "Invalid app password"}))
    acc = account(care)
    client = login(admin)
    connect(client, acc, {"api_base": api.url, "app_password": PASSWORD},
            django_capture_on_commit_callbacks)
    conn = Connection.objects.get(account=acc)
    assert conn.status == ConnectionStatus.EXPIRED and conn.last_error_at is not None
    page = client.get(f"/accounts/{acc.pk}/").content.decode()
    assert "Needs reconnecting" in page and "401: Invalid app password" in page


def test_a_missing_password_is_refused_on_the_form_and_nothing_is_stored(login, admin, care):
    acc = account(care)
    response = login(admin).post(f"/accounts/{acc.pk}/connect/", {"api_base": "http://x"})
    assert response.status_code == 200
    assert response.context["form"].errors["app_password"]
    assert not Connection.objects.exists() and not AuditEvent.objects.exists()


def test_reconnect_replaces_the_credentials_and_disconnect_deletes_them(
        login, admin, care, api, django_capture_on_commit_callbacks, settings):
    acc = account(care)
    client = login(admin)
    connect(client, acc, {"api_base": api.url, "app_password": PASSWORD},
            django_capture_on_commit_callbacks)
    connect(client, acc, {"api_base": api.url, "app_password": "second-pass-xyz"},
            django_capture_on_commit_callbacks)
    conn = Connection.objects.get(account=acc)
    assert stored_secret(conn) == {"app_password": "second-pass-xyz"}
    assert api.calls("GET", "/me")[-1].headers["authorization"] == "Bearer second-pass-xyz"
    assert AuditEvent.objects.filter(action="reconnect", object_id=str(conn.pk)).count() == 1
    assert "Disconnect" in client.get(f"/accounts/{acc.pk}/disconnect/").content.decode()
    response = client.post(f"/accounts/{acc.pk}/disconnect/")
    assert response.status_code == 302
    conn.refresh_from_db()
    assert (conn.status, conn.secret, conn.hook_secret) == (ConnectionStatus.DISCONNECTED, "", "")
    event = AuditEvent.objects.get(action="disconnect")
    assert event.changes["status"] == ["connected", "disconnected"]
    settings.UNSILO_DEMO_DELIVERY = False
    page = client.get(f"/accounts/{acc.pk}/").content.decode()
    assert "Not connected" in page and "Connect to Test network" in page


def test_only_the_hub_and_the_owning_silos_captain_may_connect(login, care, api):
    acc = account(care)
    own_captain = f.user(Role.CAPTAIN, care)
    assert login(own_captain).get(f"/accounts/{acc.pk}/connect/").status_code == 200
    detail = login(own_captain).get(f"/accounts/{acc.pk}/").content.decode()
    assert f'href="/accounts/{acc.pk}/connect/"' in detail
    for user in (f.user(Role.CAPTAIN, f.silo("Other")), f.user(Role.RESPONDER, care),
                 f.user(Role.VIEWER)):
        client = login(user)
        assert client.get(f"/accounts/{acc.pk}/connect/").status_code == 403
        response = client.post(f"/accounts/{acc.pk}/connect/",
                               {"api_base": api.url, "app_password": PASSWORD})
        assert response.status_code == 403
        assert client.post(f"/accounts/{acc.pk}/disconnect/").status_code == 403
        assert f"/accounts/{acc.pk}/connect/" not in client.get(
            f"/accounts/{acc.pk}/").content.decode()
    assert not Connection.objects.exists()


def test_check_again_asks_the_worker_to_verify_once_more(
        login, admin, care, api, django_capture_on_commit_callbacks):
    acc = account(care)
    client = login(admin)
    connect(client, acc, {"api_base": api.url, "app_password": PASSWORD},
            django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/accounts/{acc.pk}/check/")
    assert len(api.calls("GET", "/me")) == 2


def test_a_push_source_gets_a_signing_secret_shown_once_with_its_hook_url(
        login, admin, care, django_capture_on_commit_callbacks):
    acc = account(care, network="testhook")
    client = login(admin)
    response = connect(client, acc, {}, django_capture_on_commit_callbacks)
    assert response.status_code == 200 and response["Cache-Control"].startswith("max-age=0")
    conn = Connection.objects.get(account=acc)
    secret = response.context["secret"]
    page = response.content.decode()
    assert len(secret) >= 40 and secret in page and "only time" in page
    assert f"/hooks/testhook/{conn.hook_id}/" in page
    assert secret not in conn.hook_secret and credentials.hook_secret(conn) == secret
    body = b'{"id": "1"}'
    signature = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    plugins.connector("testhook").check_webhook({}, credentials.hook_secret(conn),
                                                {"x-signature": signature}, body)
    conn.refresh_from_db()
    assert conn.status == ConnectionStatus.CONNECTED
    # Never again: the account page and a second look at the form do not show it.
    assert secret not in client.get(f"/accounts/{acc.pk}/").content.decode()
    assert secret not in client.get(f"/accounts/{acc.pk}/connect/").content.decode()
    audit = AuditEvent.objects.get(action="connect")
    assert secret not in str(audit.changes) and audit.changes["hook_secret"] != secret


def test_the_real_generic_webhook_connects_with_a_secret_its_signature_check_accepts(
        login, admin, care, django_capture_on_commit_callbacks):
    connector = plugins.connector("webhook")
    assert connector is not None, plugins.broken().get("webhook")
    acc = account(care, network="webhook")
    response = connect(login(admin), acc, {}, django_capture_on_commit_callbacks)
    secret = response.context["secret"]
    conn = Connection.objects.get(account=acc)
    body = b'{"id": "w1", "network": "webhook", "text": "hi", "author": "bob"}'
    stamp = str(int(time.time()))
    signature = hmac.new(secret.encode(), stamp.encode() + b"." + body, hashlib.sha256)
    headers = {"x-unsilo-timestamp": stamp, "x-unsilo-signature": "sha256=" +
               signature.hexdigest()}
    connector.check_webhook(conn.options, credentials.hook_secret(conn), headers, body)
