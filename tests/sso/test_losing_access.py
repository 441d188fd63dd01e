"""Someone disabled at the provider, or marked gone in the people import, loses access at their
next request; the conversations they held go back to their silo's queue, audited."""

from tests import factories
from tests.inbox.factories import conversation
from unsilo.core.models import AuditEvent, Role, User
from unsilo.inbox.models import Status


def _responder_with_work(email):
    care = factories.silo("Care")
    login = factories.user(Role.RESPONDER, care, email=email)
    held = [conversation(care, assignee=login.person), conversation(care, assignee=login.person)]
    done = conversation(care, assignee=login.person, status=Status.RESOLVED)
    return login, held, done


def _assert_back_in_the_queue(login, held, done, reason):
    for conv in held:
        conv.refresh_from_db()
        assert conv.assignee_id is None and conv.silo.name == "Care"
        row = AuditEvent.objects.get(action="return_to_queue", object_id=str(conv.pk))
        assert row.changes["assignee"] == [login.person.pk, None]
        assert row.changes["reason"] == reason
    done.refresh_from_db()
    assert done.assignee_id == login.person.pk  # resolved work stays theirs
    lost = AuditEvent.objects.get(action="sso_access_lost", object_id=str(login.pk))
    assert lost.changes["returned_to_queue"] == [None, 2]


def test_disabled_at_the_provider_loses_access_at_the_next_request(sso, browser_for):
    login, held, done = _responder_with_work("gil@example.com")
    sso.person("gil@example.com")
    you = browser_for()
    you.sign_in("gil@example.com")
    assert you.get("/inbox/").status_code == 200

    sso.control("users/disable", email="gil@example.com")
    page = you.get("/inbox/")

    assert page.status_code == 401 and "was disabled at the company" in page.text
    assert you.get("/inbox/").status_code == 302  # signed out: to the login page
    assert not User.objects.get(pk=login.pk).is_active
    _assert_back_in_the_queue(login, held, done,
                              "was disabled at the company's sign-in provider")


def test_gone_in_the_people_import_loses_access_at_the_next_request(sso, browser_for):
    login, held, done = _responder_with_work("hal@example.com")
    sso.person("hal@example.com")
    you = browser_for()
    you.sign_in("hal@example.com")

    login.person.is_active = False  # what the people import does to someone who left
    login.person.save()
    page = you.get("/table/")

    assert page.status_code == 401 and "marked as gone in the people import" in page.text
    _assert_back_in_the_queue(login, held, done, "is marked as gone in the people import")
    # And they cannot come back in while the import says so.
    assert browser_for().sign_in("hal@example.com").status_code == 403


def test_the_api_answers_401_in_json_to_a_session_that_lost_access(sso, browser_for):
    factories.user(Role.RESPONDER, factories.silo("Care"), email="ida@example.com")
    sso.person("ida@example.com")
    you = browser_for()
    you.sign_in("ida@example.com")
    sso.control("users/disable", email="ida@example.com")
    answer = you.get("/api/v1/me")
    assert answer.status_code == 401 and "disabled" in answer.json()["detail"]


def test_re_enabled_at_the_provider_signs_in_again(sso, browser_for):
    factories.user(Role.RESPONDER, factories.silo("Care"), email="jo@example.com")
    sso.person("jo@example.com")
    you = browser_for()
    you.sign_in("jo@example.com")
    sso.control("users/disable", email="jo@example.com")
    you.get("/table/")
    sso.person("jo@example.com")  # enabled again
    assert browser_for().sign_in("jo@example.com").status_code == 200
    assert User.objects.get(email="jo@example.com").is_active


def test_the_check_waits_its_interval(sso, browser_for, settings):
    settings.UNSILO_OIDC_RECHECK_SECONDS = 3600
    factories.user(Role.RESPONDER, factories.silo("Care"), email="kim@example.com")
    sso.person("kim@example.com")
    you = browser_for()
    you.sign_in("kim@example.com")
    sso.control("users/disable", email="kim@example.com")
    assert you.get("/table/").status_code == 200  # checked at sign-in, not again yet


def test_an_expired_access_token_is_renewed_with_the_refresh_token(sso, browser_for):
    factories.user(Role.RESPONDER, factories.silo("Care"), email="lee@example.com")
    sso.person("lee@example.com")
    you = browser_for()
    you.sign_in("lee@example.com")
    first = _session_tokens(you)
    assert sso.control("users/expire", email="lee@example.com")["expired"] == 1
    assert you.get("/table/").status_code == 200  # renewed at the provider, still in
    renewed = _session_tokens(you)
    assert renewed["access_token"] != first["access_token"]
    assert renewed["refresh_token"] != first["refresh_token"]
    assert User.objects.get(email="lee@example.com").is_active
    # The provider replaced both tokens (the old ones are gone there): the session holds the
    # new ones, so a second renewal works too.
    assert sso.control("users/expire", email="lee@example.com")["expired"] == 1
    assert you.get("/table/").status_code == 200
    sso.control("users/disable", email="lee@example.com")
    assert you.get("/table/").status_code == 401


def _session_tokens(browser) -> dict:
    from django.contrib.sessions.backends.db import SessionStore

    return SessionStore(browser.http.cookies.get("sessionid")).load()["sso"]
