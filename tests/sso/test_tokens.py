"""What unsilo refuses of the provider's answers: an ID token signed with a key the provider
does not publish, and a sign-in answer used twice or in another browser. A rotated key is
found in the provider's fresh JWKS."""

from tests import factories
from unsilo.core.models import AuditEvent, Role
from unsilo.sso import provider


def _known(email):
    factories.user(Role.RESPONDER, factories.silo("Care"), email=email)


def test_an_id_token_signed_with_a_key_not_in_the_jwks_is_refused(sso, browser_for,
                                                                 monkeypatch):
    monkeypatch.setattr(provider, "REFETCH_SECONDS", 0)
    _known("lu@example.com")
    sso.person("lu@example.com")
    sso.control("signing", **{"with": "rogue"})
    you = browser_for()
    page = you.sign_in("lu@example.com")
    assert page.status_code == 400 and "could not trust" in page.text
    assert you.get("/table/").status_code == 302  # not signed in
    reason = AuditEvent.objects.get(action="sso_refused").changes["reason"][1]
    assert "JWKS" in reason
    assert not AuditEvent.objects.filter(action="sso_sign_in").exists()


def test_a_rotated_signing_key_is_fetched_and_trusted(sso, browser_for, monkeypatch):
    monkeypatch.setattr(provider, "REFETCH_SECONDS", 0)
    _known("mo@example.com")
    sso.person("mo@example.com")
    assert browser_for().sign_in("mo@example.com").status_code == 200  # JWKS now kept
    assert sso.control("keys/rotate")["keys"] >= 2  # the old key stays, inactive
    assert browser_for().sign_in("mo@example.com").status_code == 200
    assert AuditEvent.objects.filter(action="sso_sign_in").count() == 2


def test_a_replayed_sign_in_answer_is_refused(sso, browser_for):
    _known("ned@example.com")
    sso.person("ned@example.com")
    you = browser_for()
    callback = you.to_callback("ned@example.com")
    assert you.follow(callback).status_code == 200

    again = you.follow(callback)
    assert again.status_code == 400 and "already used" in again.text
    # Another browser that got hold of the link fares no better.
    assert browser_for().follow(callback).status_code == 400
    assert AuditEvent.objects.filter(action="sso_sign_in").count() == 1
    rows = AuditEvent.objects.filter(action="sso_refused")
    assert rows.count() == 2 and "replayed state" in rows.first().changes["reason"][1]
