"""Failed sign-ins: every one counted (in parallel too), per login and address, per address,
per login from new addresses; nobody locks a named person out from their own address; audit
rows; the hub admin unlocks; the lock ends with its window; API tokens and the proxy too."""

import datetime
import threading

import pytest
from axes.models import AccessAttempt
from django.db import connection
from django.db.models import F, Sum
from django.test import Client, RequestFactory

from tests import factories as f
from tests.concurrency import wait_when_locked
from unsilo import config
from unsilo.core.login_limits import client_address
from unsilo.core.models import AuditEvent, Role

pytestmark = pytest.mark.django_db
HOME, STRANGER = "198.51.100.7", "203.0.113.9"


def sign_in(email: str, password: str, address: str = HOME, **headers):
    """A fresh browser at `address` posting the login form: the response, and the browser."""
    browser = Client()
    response = browser.post("/login/", {"username": email, "password": password},
                            REMOTE_ADDR=address, **headers)
    return response, browser


def signed_in(response) -> bool:
    return response.status_code == 302 and response["Location"] == "/table/"


def failures(login: str | None = None) -> int:
    rows = AccessAttempt.objects.filter(username=login) if login else AccessAttempt.objects
    return rows.aggregate(n=Sum("failures_since_start"))["n"] or 0


@pytest.fixture
def lead(admin):
    """The hub admin, who has signed in from HOME before."""
    assert signed_in(sign_in(admin.email, f.PASSWORD)[0])
    return admin


@pytest.mark.django_db(transaction=True)
def test_parallel_wrong_passwords_are_every_one_counted(settings):
    settings.LOGIN_FAILURE_LIMIT = 8
    me = f.user(Role.VIEWER)
    start = threading.Barrier(8, timeout=30)
    answers = []

    def guess():
        try:
            with connection.execute_wrapper(wait_when_locked):
                start.wait()
                answers.append(sign_in(me.email, "wrong guess")[0].status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=guess) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert len(answers) == 8
    # Eight failures reach the limit of eight: the right password is refused now.
    response, _ = sign_in(me.email, f.PASSWORD)
    assert response.status_code == 429, response.status_code
    assert failures(me.email) == 8
    assert AuditEvent.objects.filter(action="login_failed", object_id=str(me.pk)).count() == 8


def test_a_stranger_cannot_lock_the_admin_out_from_their_own_address(lead, settings):
    for _ in range(settings.LOGIN_FAILURE_LIMIT):
        sign_in(lead.email, "guess", STRANGER)
    assert sign_in(lead.email, f.PASSWORD, STRANGER)[0].status_code == 429
    # Spread over many addresses, as a real guesser would: each address's own count stays low,
    # but all of them together get LOGIN_ACCOUNT_FAILURE_LIMIT guesses a window, no more.
    for n in range(50):
        sign_in(lead.email, "guess", f"192.0.2.{n + 1}")
    assert failures(lead.email) == settings.LOGIN_ACCOUNT_FAILURE_LIMIT
    assert signed_in(sign_in(lead.email, f.PASSWORD, HOME)[0])
    # …while from addresses the login never signed in from, even the right password waits.
    response, _ = sign_in(lead.email, f.PASSWORD, "192.0.2.200")
    assert response.status_code == 429
    assert ("for this login from addresses it has not signed in from before"
            in response.content.decode())


def test_one_address_trying_many_logins_is_throttled(settings):
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 6
    people = [f.user(Role.VIEWER) for _ in range(7)]
    for person in people[:5]:
        assert sign_in(person.email, "Winter2026!", STRANGER)[0].status_code == 200
    assert sign_in(people[5].email, "Winter2026!", STRANGER)[0].status_code == 429
    response, _ = sign_in(people[6].email, f.PASSWORD, STRANGER)
    assert response.status_code == 429
    assert "Too many failed sign-ins from this address" in response.content.decode()
    assert signed_in(sign_in(people[6].email, f.PASSWORD, HOME)[0])


def test_the_email_is_read_as_the_backend_reads_it(settings):
    me = f.user(Role.VIEWER)
    for spelling in ("X", "Y", "Z", "W", "V"):
        sign_in(f"  {me.email.upper()} ", spelling)
    assert sign_in(me.email, f.PASSWORD)[0].status_code == 429


def test_failures_and_the_lock_are_audited_and_refused_tries_are_not_counted(settings):
    me = f.user(Role.VIEWER)
    for _ in range(settings.LOGIN_FAILURE_LIMIT + 3):
        sign_in(me.email, "wrong", STRANGER)
    rows = AuditEvent.objects.filter(object_type="core.user", object_id=str(me.pk))
    failed = rows.filter(action="login_failed")
    assert failed.count() == settings.LOGIN_FAILURE_LIMIT
    assert failures(me.email) == settings.LOGIN_FAILURE_LIMIT
    row = failed.first()
    assert (row.actor_id, row.actor_label, row.via) == (None, f"{STRANGER} (not signed in)", "ui")
    assert row.changes["address"] == [None, STRANGER]
    [locked] = rows.filter(action="login_locked")
    assert locked.changes["locked"] == [None, "for this login from this address"]
    sign_in("nobody@example.com", "wrong", STRANGER)
    unknown = AuditEvent.objects.filter(action="login_failed").first()
    assert unknown.object_repr == "sign-in as nobody@example.com"
    assert unknown.changes["email"] == [None, "nobody@example.com"]


def test_the_lock_ends_with_its_window(settings):
    me = f.user(Role.VIEWER)
    for _ in range(settings.LOGIN_FAILURE_LIMIT):
        sign_in(me.email, "wrong")
    assert sign_in(me.email, f.PASSWORD)[0].status_code == 429
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - datetime.timedelta(
        minutes=settings.LOGIN_LOCKOUT_MINUTES - 1))
    assert "locked for 1 more minute." in sign_in(me.email, f.PASSWORD)[0].content.decode()
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - datetime.timedelta(minutes=1))
    assert signed_in(sign_in(me.email, f.PASSWORD)[0])
    assert failures(me.email) == 0  # a success clears this login's failures at that address


def test_the_hub_admin_sees_the_lock_and_unlocks_with_an_audit_row(lead, login, settings):
    me = f.user(Role.VIEWER)
    for _ in range(settings.LOGIN_FAILURE_LIMIT):
        sign_in(me.email, "wrong")
    captain = login(f.user(Role.CAPTAIN))
    assert captain.post(f"/admin/users/{me.pk}/unlock/").status_code in (403, 404)
    assert failures(me.email) == settings.LOGIN_FAILURE_LIMIT
    browser = login(lead)
    assert "locked until" in browser.get("/admin/users/").content.decode()
    page = browser.get(f"/admin/users/{me.pk}/edit/").content.decode()
    assert f'action="/admin/users/{me.pk}/unlock/"' in page and "Unlock now" in page
    response = browser.post(f"/admin/users/{me.pk}/unlock/")
    assert response.status_code == 302
    assert signed_in(sign_in(me.email, f.PASSWORD)[0])
    [row] = AuditEvent.objects.filter(action="login_unlocked")
    assert (row.actor_id, row.object_id) == (lead.pk, str(me.pk))
    assert row.changes == {"failed_sign_ins": [settings.LOGIN_FAILURE_LIMIT, 0]}
    assert "locked until" not in browser.get("/admin/users/").content.decode()


def test_wrong_api_tokens_lock_their_address_and_say_so_in_json(settings):
    me = f.user(Role.HUB_ADMIN)
    secret = f.api_token(me)
    client = Client()

    def call(token: str, address: str = STRANGER):
        return client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {token}",
                          REMOTE_ADDR=address)

    # A token names no login: wrong ones count towards the address's limit only.
    for n in range(settings.LOGIN_ADDRESS_FAILURE_LIMIT):
        assert call(f"usl_guess{n}").status_code == 401
    locked = call(secret)
    assert locked.status_code == 429
    assert locked.json()["detail"] == ("Too many failed sign-ins from this address: locked for "
                                       "15 more minutes.")
    assert call(secret, HOME).status_code == 200
    row = AuditEvent.objects.filter(action="login_failed").first()
    assert (row.via, row.object_repr) == ("api", "API token usl_guess2…")
    assert AuditEvent.objects.filter(action="login_locked", via="api").count() == 1


def test_the_client_address_comes_from_x_forwarded_for_only_behind_a_trusted_proxy(settings):
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.2",
                                   HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.5")
    settings.UNSILO_PROXY_COUNT = 0
    assert client_address(request) == "10.0.0.2"
    settings.UNSILO_PROXY_COUNT = 1  # what the client wrote (1.2.3.4) is never believed
    assert client_address(request) == "203.0.113.5"
    settings.UNSILO_PROXY_COUNT = 2
    assert client_address(request) == "1.2.3.4"
    settings.UNSILO_PROXY_COUNT = 3
    assert client_address(request) == "10.0.0.2"
    settings.UNSILO_PROXY_COUNT = 1
    for written, read in (("not an address", "10.0.0.2"), ("", "10.0.0.2"),
                          ("::FFFF:203.0.113.5", "::ffff:203.0.113.5")):
        request.META["HTTP_X_FORWARDED_FOR"] = written
        assert client_address(request) == read


def test_a_guesser_rotating_x_forwarded_for_stays_locked(settings):
    settings.UNSILO_PROXY_COUNT = 1
    me = f.user(Role.VIEWER)
    for n in range(settings.LOGIN_FAILURE_LIMIT):
        sign_in(me.email, "wrong", "10.0.0.2", HTTP_X_FORWARDED_FOR=f"1.1.1.{n}, {STRANGER}")
    response, _ = sign_in(me.email, f.PASSWORD, "10.0.0.2",
                          HTTP_X_FORWARDED_FOR=f"8.8.8.8, {STRANGER}")
    assert response.status_code == 429
    assert signed_in(sign_in(me.email, f.PASSWORD, "10.0.0.2", HTTP_X_FORWARDED_FOR=HOME)[0])


def test_the_proxy_count_follows_unsilo_https_and_refuses_nonsense(monkeypatch):
    monkeypatch.delenv("UNSILO_PROXY_COUNT", raising=False)
    monkeypatch.setenv("UNSILO_HTTPS", "1")
    assert config.proxy_count() == 1
    monkeypatch.delenv("UNSILO_HTTPS")
    assert config.proxy_count() == 0
    monkeypatch.setenv("UNSILO_PROXY_COUNT", "two")
    with pytest.raises(config.ConfigError, match="UNSILO_PROXY_COUNT is 'two'"):
        config.proxy_count()
