"""The hub's sign-in settings: password sign-in off for everyone but a break-glass hub admin, and
the Admin page of single sign-on (settings and group mapping)."""

import pytest
from django.core.exceptions import ValidationError

from tests import factories
from unsilo.core.actor import Actor
from unsilo.core.models import AuditEvent, Role
from unsilo.org.models import SiloKind
from unsilo.sso import actions
from unsilo.sso.models import GroupSeat


@pytest.fixture
def lead():
    return factories.user(Role.HUB_ADMIN, factories.silo("COE", kind=SiloKind.HUB),
                          email="lead@example.com")


def _password_sign_in(client, email):
    return client.post("/login/", {"username": email, "password": factories.PASSWORD})


def test_with_passwords_off_only_the_break_glass_admin_signs_in_with_one(sso, lead, client):
    responder = factories.user(Role.RESPONDER, factories.silo("Care"), email="pat@example.com")
    actions.save_settings(Actor.for_user(lead), password_sign_in=False, break_glass=lead,
                          allow_unknown=False)

    refused = _password_sign_in(client, responder.email)
    assert refused.status_code == 200
    assert "Passwords are switched off here" in refused.content.decode()
    assert "_auth_user_id" not in client.session
    row = AuditEvent.objects.get(action="sso_refused")
    assert row.changes == {"email": [None, "pat@example.com"],
                           "reason": [None, "password sign-in is off"]}

    assert _password_sign_in(client, lead.email).status_code == 302
    assert client.session["_auth_user_id"] == str(lead.pk)


def test_the_login_page_offers_the_provider_and_keeps_break_glass_folded(sso, lead, client):
    page = client.get("/login/?next=/inbox/").content.decode()
    assert "Sign in with your company account" in page and "<details" not in page
    assert 'href="/login/sso/?next=/inbox/"' in page  # back where they were going
    actions.save_settings(Actor.for_user(lead), password_sign_in=False, break_glass=lead,
                          allow_unknown=False)
    page = client.get("/login/").content.decode()
    assert "Break-glass sign-in (hub admin only)" in page


def test_passwords_cannot_go_off_without_a_break_glass_admin(sso, lead):
    with pytest.raises(ValidationError, match="Name a break-glass hub admin"):
        actions.save_settings(Actor.for_user(lead), password_sign_in=False, break_glass=None,
                              allow_unknown=False)
    responder = factories.user(Role.RESPONDER, factories.silo("Care"))
    with pytest.raises(ValidationError, match="must be an active hub admin"):
        actions.save_settings(Actor.for_user(lead), password_sign_in=False,
                              break_glass=responder, allow_unknown=False)


def test_without_a_provider_passwords_work_whatever_the_setting(db, lead, client, settings):
    actions.save_settings(Actor.for_user(lead), password_sign_in=False, break_glass=lead,
                          allow_unknown=False)
    settings.UNSILO_OIDC_ISSUER = ""
    responder = factories.user(Role.RESPONDER, factories.silo("Care"))
    assert _password_sign_in(client, responder.email).status_code == 302
    assert "Sign in with" not in client.get("/login/").content.decode()


def test_the_hubs_settings_page_saves_through_the_form(sso, lead, client):
    client.force_login(lead)
    page = client.get("/admin/sso/")
    assert page.status_code == 200 and sso.issuer in page.content.decode()
    saved = client.post("/admin/sso/", {"s-break_glass": lead.pk, "s-allow_unknown": "on"})
    assert saved.status_code == 302
    added = client.post("/admin/sso/roles/", {"r-group": "care", "r-role": Role.RESPONDER})
    assert added.status_code == 302
    page = client.get("/admin/sso/").content.decode()
    assert "care" in page and "Responder" in page
    responder = factories.user(Role.RESPONDER, factories.silo("Care"))
    client.force_login(responder)
    assert client.get("/admin/sso/").status_code == 403


def test_a_mapping_row_the_action_refuses_shows_on_the_form(db, lead, client):
    client.force_login(lead)
    assert client.post("/admin/sso/roles/", {"r-group": "care", "r-role": "responder"}
                       ).status_code == 302
    again = client.post("/admin/sso/roles/", {"r-group": "care", "r-role": "viewer"})
    assert again.status_code == 422
    assert "care already gives a role" in again.content.decode()
    care = factories.silo("Care")
    assert client.post("/admin/sso/seats/", {"g-group": "care-seat", "g-silo": care.pk,
                                             "g-seat_role": "delegate"}).status_code == 302
    row = GroupSeat.objects.get()
    assert client.post(f"/admin/sso/seats/{row.pk}/remove/").status_code == 302
    assert AuditEvent.objects.filter(object_type="sso.groupseat", action="delete").exists()
