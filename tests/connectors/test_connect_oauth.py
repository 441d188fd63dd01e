"""Connecting by signing in on the network: state and PKCE (S256) kept in the person's session
for 10 minutes, the callback checks them, and a mismatched, expired or reused state stores
nothing."""

import base64
import datetime
import hashlib
from urllib.parse import parse_qs, urlsplit

import pytest

from tests import factories as f
from tests.connectors.factories import stored_secret
from tests.connectors.fakes_connect import fake_networks  # noqa: F401 - a fixture
from unsilo.connectors.models import Connection, ConnectionStatus
from unsilo.connectors.testing.fakeapi import FakeAPI, Reply
from unsilo.connectors.views.connect import SESSION_KEY
from unsilo.core.models import AuditEvent

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fake_networks")]

TOKENS = {"access_token": "at-4f1c9e", "refresh_token": "rt-77a0b2", "expires_in": 7200}


@pytest.fixture
def api():
    server = FakeAPI()
    server.route("POST", "/token", json=TOKENS)
    server.route("GET", "/me", json={"id": "org-9", "handle": "acme"})
    yield server
    server.close()


@pytest.fixture
def signed_in(login, admin):
    return login(admin)


@pytest.fixture
def acc():
    return f.account(f.silo("Care"), network="testoauth", handle="acme")


def start(client, acc, api):
    response = client.post(f"/accounts/{acc.pk}/connect/", {"api_base": api.url})
    assert response.status_code == 302
    url = urlsplit(response["Location"])
    assert f"{url.scheme}://{url.netloc}{url.path}" == f"{api.url}/authorize"
    return {k: v[0] for k, v in parse_qs(url.query).items()}


def test_sign_in_sends_state_and_an_s256_challenge_and_the_callback_stores_the_tokens(
        signed_in, acc, api, settings, django_capture_on_commit_callbacks):
    settings.UNSILO_PUBLIC_URL = "https://unsilo.example.com"
    page = signed_in.get(f"/accounts/{acc.pk}/connect/").content.decode()
    assert "Continue to Test OAuth network" in page
    query = start(signed_in, acc, api)
    assert query["code_challenge_method"] == "S256" and len(query["state"]) >= 40
    assert query["redirect_uri"] == "https://unsilo.example.com/accounts/connect/callback/"
    assert not Connection.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        response = signed_in.get("/accounts/connect/callback/",
                                 {"state": query["state"], "code": "code-1"})
    assert response.status_code == 302 and response["Location"] == f"/accounts/{acc.pk}/"
    exchange = api.calls("POST", "/token")[0].form()
    assert exchange["code"] == "code-1"
    assert exchange["redirect_uri"] == query["redirect_uri"]
    digest = hashlib.sha256(exchange["code_verifier"].encode()).digest()
    assert base64.urlsafe_b64encode(digest).rstrip(b"=").decode() == query["code_challenge"]
    conn = Connection.objects.get(account=acc)
    secret = stored_secret(conn)
    assert (secret["access_token"], secret["refresh_token"]) == ("at-4f1c9e", "rt-77a0b2")
    assert "at-4f1c9e" not in conn.secret
    expected = datetime.datetime.now(datetime.UTC) + datetime.timedelta(seconds=7200)
    assert abs((conn.token_expires_at - expected).total_seconds()) < 60
    assert conn.status == ConnectionStatus.CONNECTED and conn.external_id == "org-9"
    assert api.calls("GET", "/me")[0].headers["authorization"] == "Bearer at-4f1c9e"
    page = signed_in.get(f"/accounts/{acc.pk}/").content.decode()
    assert "at-4f1c9e" not in page and "rt-77a0b2" not in page and "Connected" in page


def test_a_reused_state_is_refused_and_stores_nothing_more(
        signed_in, acc, api, django_capture_on_commit_callbacks):
    query = start(signed_in, acc, api)
    with django_capture_on_commit_callbacks(execute=True):
        signed_in.get("/accounts/connect/callback/", {"state": query["state"], "code": "c1"})
    again = signed_in.get("/accounts/connect/callback/", {"state": query["state"], "code": "c2"},
                          follow=True)
    assert "does not match one started here" in again.content.decode()
    assert len(api.calls("POST", "/token")) == 1
    assert AuditEvent.objects.filter(action="connect").count() == 1


def test_a_state_that_was_never_issued_stores_nothing(signed_in, acc, api):
    start(signed_in, acc, api)
    response = signed_in.get("/accounts/connect/callback/", {"state": "forged", "code": "c"},
                             follow=True)
    assert "does not match one started here" in response.content.decode()
    assert not Connection.objects.exists() and not api.calls("POST", "/token")


def test_a_sign_in_older_than_ten_minutes_is_refused(signed_in, acc, api):
    query = start(signed_in, acc, api)
    session = signed_in.session
    old = datetime.datetime.now(datetime.UTC) - datetime.timedelta(seconds=1)
    session[SESSION_KEY][query["state"]]["expires"] = old.isoformat()
    session.save()
    response = signed_in.get("/accounts/connect/callback/",
                             {"state": query["state"], "code": "c"}, follow=True)
    assert "took more than 10 minutes" in response.content.decode()
    assert not Connection.objects.exists() and not api.calls("POST", "/token")


def test_a_refused_grant_or_a_failed_exchange_says_so_and_stores_nothing(signed_in, acc, api):
    query = start(signed_in, acc, api)
    denied = signed_in.get("/accounts/connect/callback/",
                           {"state": query["state"], "error": "access_denied"}, follow=True)
    assert "did not grant access (access_denied)" in denied.content.decode()
    api.route("POST", "/token", Reply(400, json={"error": "invalid_grant",
                                                 "error_description": "Code expired"}))
    query = start(signed_in, acc, api)
    failed = signed_in.get("/accounts/connect/callback/",
                           {"state": query["state"], "code": "c"}, follow=True)
    assert "Test OAuth network refused the sign-in: 400: Code expired" in (
        failed.content.decode())
    assert not Connection.objects.exists()


def test_another_persons_callback_cannot_finish_a_sign_in_started_elsewhere(
        client, acc, api, admin):
    client.force_login(admin)
    query = start(client, acc, api)
    client.logout()
    client.force_login(f.user(admin.role, email="other@example.com"))
    response = client.get("/accounts/connect/callback/", {"state": query["state"], "code": "c"},
                          follow=True)
    assert "does not match one started here" in response.content.decode()
    assert not Connection.objects.exists()
