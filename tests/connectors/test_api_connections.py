"""/api/v1/accounts/{id}/connection and …/connect: health without secrets, connecting with
typed credentials, disconnecting, and the same role checks as the pages."""

import datetime

import pytest
from django.utils import timezone

from tests import factories as f
from tests.connectors.factories import connection, stored_secret
from tests.connectors.fakes_connect import fake_networks  # noqa: F401 - a fixture
from unsilo.connectors.models import Connection, ConnectionStatus
from unsilo.connectors.testing.fakeapi import FakeAPI
from unsilo.core.models import AuditEvent, Role

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fake_networks")]

PASSWORD = "api-pass-31d7-ee02"


@pytest.fixture
def network():
    server = FakeAPI()
    server.route("GET", "/me", json={"id": "u-7", "handle": "acme"})
    yield server
    server.close()


@pytest.fixture
def care():
    return f.silo("Care")


def test_an_unconnected_account_lists_what_connecting_needs(api, admin, care):
    acc = f.account(care, network="testpass")
    body = api(admin).get(f"/api/v1/accounts/{acc.pk}/connection").json()
    assert body["status"] == "not_connected" and body["auth"] == "password"
    assert [(x["name"], x["secret"]) for x in body["fields"]] == [
        ("api_base", False), ("app_password", True)]


def test_connect_stores_encrypted_answers_202_without_the_secret_and_verifies(
        api, admin, care, network, django_capture_on_commit_callbacks):
    acc = f.account(care, network="testpass")
    with django_capture_on_commit_callbacks(execute=True):
        response = api(admin).post(f"/api/v1/accounts/{acc.pk}/connect",
                                   {"api_base": network.url, "app_password": PASSWORD},
                                   content_type="application/json")
    assert response.status_code == 202, response.content
    assert PASSWORD not in response.content.decode()
    assert response.json()["status"] == "pending" and response.json()["signing_secret"] is None
    conn = Connection.objects.get(account=acc)
    assert stored_secret(conn) == {"app_password": PASSWORD}
    assert AuditEvent.objects.get(action="connect").via == "api"
    health = api(admin).get(f"/api/v1/accounts/{acc.pk}/connection").json()
    assert (health["status"], health["external_id"]) == ("connected", "u-7")
    assert PASSWORD not in str(health)


def test_health_reports_fetch_rate_limit_errors_and_expiry(api, admin, care):
    conn = connection("testpass", secret={"app_password": PASSWORD}, owner=care,
                      status=ConnectionStatus.ERROR)
    reset = timezone.now() + datetime.timedelta(minutes=9)
    Connection.objects.filter(pk=conn.pk).update(
        last_fetch_at=timezone.now(), fetched_total=31, last_error="503: try later",
        last_error_at=timezone.now(), rate_limit=75, rate_remaining=74, rate_reset_at=reset)
    body = api(admin).get(f"/api/v1/accounts/{conn.account_id}/connection").json()
    assert (body["status"], body["status_label"]) == ("error", "Error")
    assert (body["fetched_total"], body["rate_limit"], body["rate_remaining"]) == (31, 75, 74)
    assert body["last_error"] == "503: try later" and body["rate_reset_at"]
    assert "secret" not in body and PASSWORD not in str(body)


def test_a_sign_in_network_is_refused_with_a_pointer_to_the_browser(api, admin, care):
    acc = f.account(care, network="testoauth")
    response = api(admin).post(f"/api/v1/accounts/{acc.pk}/connect", {},
                               content_type="application/json")
    assert response.status_code == 422
    assert "connects by signing in" in response.json()["detail"]


def test_a_missing_field_is_named(api, admin, care):
    acc = f.account(care, network="testpass")
    response = api(admin).post(f"/api/v1/accounts/{acc.pk}/connect", {"api_base": "x"},
                               content_type="application/json")
    assert response.status_code == 422
    assert response.json()["detail"] == "app_password: App password is required."


def test_a_push_source_gets_its_signing_secret_in_the_answer_once(api, admin, care):
    acc = f.account(care, network="testhook")
    response = api(admin).post(f"/api/v1/accounts/{acc.pk}/connect", {},
                               content_type="application/json")
    secret = response.json()["signing_secret"]
    assert response.status_code == 202 and len(secret) >= 40
    assert secret not in api(admin).get(f"/api/v1/accounts/{acc.pk}/connection").content.decode()


def test_disconnect_deletes_the_credentials(api, admin, care):
    conn = connection("testpass", secret={"app_password": PASSWORD}, owner=care)
    response = api(admin).delete(f"/api/v1/accounts/{conn.account_id}/connection")
    assert response.status_code == 204
    conn.refresh_from_db()
    assert conn.secret == "" and conn.status == ConnectionStatus.DISCONNECTED
    body = api(admin).get(f"/api/v1/accounts/{conn.account_id}/connection").json()
    assert body["status"] == "not_connected"


def test_roles_as_in_the_ui(api, care):
    acc = f.account(care, network="testpass")
    data = {"app_password": PASSWORD}
    captain = f.user(Role.CAPTAIN, care)
    assert api(captain).post(f"/api/v1/accounts/{acc.pk}/connect", data,
                             content_type="application/json").status_code == 202
    for user in (f.user(Role.CAPTAIN, f.silo("Other")), f.user(Role.VIEWER),
                 f.user(Role.RESPONDER, care)):
        client = api(user)
        assert client.get(f"/api/v1/accounts/{acc.pk}/connection").status_code == 200
        assert client.post(f"/api/v1/accounts/{acc.pk}/connect", data,
                           content_type="application/json").status_code == 403
        assert client.delete(f"/api/v1/accounts/{acc.pk}/connection").status_code == 403
    assert api(captain).get("/api/v1/accounts/999999/connection").status_code == 404
    assert Connection.objects.get(account=acc).status == ConnectionStatus.PENDING
